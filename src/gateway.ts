import { createYoga, maskError, type YogaServerInstance } from 'graphql-yoga';
import type { Dispatcher } from 'undici';
import { createContextFactory, type RequestContext } from './context.js';
import { createAnonymousTokenProvider } from './emporix/anonymous-token.js';
import { createEmporixClient } from './emporix/client.js';
import { createUpstreamHttp } from './emporix/http.js';
import { createLogger, type Logger } from './logger.js';
import { useOperationLog } from './plugins/operation-log.js';
import { createRequestIds } from './plugins/request-id.js';
import { schema } from './schema/index.js';

export interface GatewayOptions {
  /** Base URL of the Emporix API (or of the emulator). */
  emporixApiUrl: string;
  /** Tenant used when a request has no `X-Emporix-Tenant` header; must already be valid. */
  defaultTenant?: string;
  /** Storefront client id. When set, anonymous-token operations work without an Authorization header. */
  clientId?: string;
  /** Deadline for one Emporix call, in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Serve GraphiQL at the GraphQL endpoint. @default true */
  graphiql?: boolean;
  /** @default a pino logger on stdout at level info */
  logger?: Logger;
  /** An undici dispatcher for upstream calls instead of the gateway's own pooled Agent. */
  dispatcher?: Dispatcher;
}

export interface Gateway {
  /** The yoga app: a request listener for `node:http`, and a fetch handler. */
  yoga: YogaServerInstance<Record<string, unknown>, RequestContext>;
  /** Closes the upstream connection pool. Close the HTTP server first. */
  close(): Promise<void>;
}

export function createGateway(options: GatewayOptions): Gateway {
  const logger = options.logger ?? createLogger();
  const http = createUpstreamHttp({
    baseUrl: options.emporixApiUrl,
    timeoutMs: options.timeoutMs,
    dispatcher: options.dispatcher,
  });
  const client = createEmporixClient(http);
  const anonymousTokens =
    options.clientId === undefined
      ? undefined
      : createAnonymousTokenProvider({ client, clientId: options.clientId });
  const requestIds = createRequestIds();
  // Errors the operation log already wrote with their request id; yoga's masking must not log them again.
  const loggedErrors = new WeakSet<Error>();

  const yoga = createYoga<Record<string, unknown>, RequestContext>({
    schema,
    graphiql: options.graphiql ?? true,
    landingPage: false,
    logging: false,
    context: createContextFactory({
      client,
      anonymousTokens,
      defaultTenant: options.defaultTenant,
      requestIdOf: requestIds.requestIdOf,
    }),
    maskedErrors: {
      maskError(error, message) {
        const original = (error as { originalError?: unknown }).originalError ?? error;
        if (original instanceof Error && !loggedErrors.has(original) && !('extensions' in original)) {
          logger.error({ err: original }, 'unexpected error');
        }
        // Never the development mode that puts the original error in the response, whatever NODE_ENV says.
        return maskError(error, message, false);
      },
    },
    plugins: [requestIds.plugin, useOperationLog(logger, loggedErrors)],
  });

  return {
    yoga,
    close: () => http.close(),
  };
}
