/**
 * Optional OpenTelemetry tracing (OTEL_EXPORTER_OTLP_ENDPOINT): a span per GraphQL operation (continuing the
 * caller's W3C `traceparent`) and a child span per Emporix call, whose context goes upstream as `traceparent`.
 * Only the API is used here; the SDK that exports spans is in tracing-sdk.ts, loaded only when tracing is on.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';

export const tracer = trace.getTracer('emporix-customer-gateway');

/** The span of each GraphQL operation; the Emporix calls made while it runs become its children. */
export function useOperationTracing(): Plugin {
  return {
    instrumentation: {
      operation({ request }, wrapped) {
        const parent = propagation.extract(ROOT_CONTEXT, request.headers, {
          get: (headers, key) => headers.get(key) ?? undefined,
          keys: (headers) => [...headers.keys()],
        });
        const span = tracer.startSpan('graphql.operation', { kind: SpanKind.SERVER }, parent);
        return context.with(trace.setSpan(parent, span), async () => {
          try {
            await wrapped();
          } catch (error) {
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            span.end();
          }
        });
      },
    },
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      const span = trace.getActiveSpan();
      if (!span || !operation) return;
      const name = operation.name?.value;
      span.updateName(`graphql ${operation.operation}${name ? ` ${name}` : ''}`);
      span.setAttributes({
        'graphql.operation.type': operation.operation,
        ...(name ? { 'graphql.operation.name': name } : {}),
      });
    },
  };
}

/**
 * Runs one Emporix call in a client span, and puts that span's `traceparent` into the outgoing headers. The span
 * names the endpoint and its path template (`url.template`), never the path: paths and query strings carry ids and
 * tokens.
 */
export function traceUpstreamCall<T>(
  call: { endpoint: string; method: string; pathTemplate: string },
  headers: Record<string, string>,
  send: () => Promise<T>,
  statusOf: (result: T) => number | null,
): Promise<T> {
  return tracer.startActiveSpan(
    `emporix ${call.endpoint}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': call.method,
        'url.template': call.pathTemplate,
        'emporix.endpoint': call.endpoint,
      },
    },
    async (span) => {
      propagation.inject(context.active(), headers);
      try {
        const result = await send();
        const status = statusOf(result);
        if (status === null) span.setStatus({ code: SpanStatusCode.ERROR, message: 'no answer' });
        else {
          span.setAttribute('http.response.status_code', status);
          if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        }
        return result;
      } finally {
        span.end();
      }
    },
  );
}
