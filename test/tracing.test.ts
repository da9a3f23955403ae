/**
 * OpenTelemetry: with tracing on, an operation is a span continuing the caller's traceparent, each Emporix call is
 * a child span, and its context reaches Emporix as `traceparent`. Spans are exported over OTLP/HTTP to a receiver
 * on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTracing, type Tracing } from '../src/tracing-sdk.js';
import { type Stack, startStack } from './harness.js';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: Record<string, unknown> }[];
}

let receiver: Server;
let tracing: Tracing;
let stack: Stack;
const spans: ExportedSpan[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const payload = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[] };
      for (const resource of payload.resourceSpans)
        for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  tracing = startTracing({ endpoint: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}` });
  stack = await startStack({ gateway: { tracing: true } });
});

afterAll(async () => {
  await stack.close();
  await tracing.shutdown();
  receiver.close();
});

describe('tracing', () => {
  it('continues the caller’s trace, and sends the upstream span’s traceparent to Emporix', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const callerSpanId = '00f067aa0ba902b7';
    const { me } = await stack
      .client({
        token: stack.emulator.demo.customerToken,
        headers: { traceparent: `00-${traceId}-${callerSpanId}-01` },
      })
      .Me();
    expect(me.__typename).toBe('Customer');
    await tracing.flush();

    const operation = spans.find((span) => span.name === 'graphql query Me');
    const upstream = spans.find((span) => span.name === 'emporix getMe');
    expect(operation).toMatchObject({ traceId, parentSpanId: callerSpanId });
    expect(upstream).toMatchObject({ traceId, parentSpanId: operation?.spanId });
    expect(upstream?.attributes).toContainEqual({
      key: 'http.response.status_code',
      value: { intValue: 200 },
    });
    // The path template, never the path: paths and query strings carry ids and tokens.
    expect(upstream?.attributes).toContainEqual({
      key: 'url.template',
      value: { stringValue: '/customer/{tenant}/me' },
    });
    expect(JSON.stringify(upstream?.attributes)).not.toContain('/customer/demo/');

    const [request] = stack.upstream();
    expect(request?.headers.traceparent).toBe(`00-${traceId}-${upstream?.spanId}-01`);
  });
});
