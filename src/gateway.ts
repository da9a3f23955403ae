import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { DocumentNode } from 'graphql';
import { createYoga, maskError, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import type { Redis } from 'ioredis';
import type { Dispatcher } from 'undici';
import * as sdk from './client/__generated__/sdk.js';
import type { TrustProxy } from './client-ip.js';
import { createContextFactory, type RequestContext, type ServerContext } from './context.js';
import { createAnonymousTokenProvider } from './emporix/anonymous-token.js';
import { createEmporixClient } from './emporix/client.js';
import { createUpstreamHttp } from './emporix/http.js';
import { requestInputError } from './http-guard.js';
import { defaultGraphQLLimits, type GraphQLLimits } from './limits.js';
import { createLogger, type Logger } from './logger.js';
import { useBodyLimit } from './plugins/body-limit.js';
import { useDocumentLimits } from './plugins/document-limits.js';
import { createGraphiQLRenderer, graphiqlOptions } from './plugins/graphiql.js';
import { useLanding } from './plugins/landing.js';
import { createMetrics } from './plugins/metrics.js';
import { useOperationLog } from './plugins/operation-log.js';
import { usePersistedOperationsOnly } from './plugins/persisted-operations.js';
import { useReadiness } from './plugins/readiness.js';
import { useCorsRefusal, useCsrfPrevention } from './plugins/refusals.js';
import { createRequestIds } from './plugins/request-id.js';
import { useSessionCookies } from './plugins/sessions.js';
import { useVariablesLimit } from './plugins/variables-limit.js';
import { createRateLimiter, type RateLimitWindow } from './rate-limit.js';
import { schema } from './schema/index.js';
import { tenantSchema } from './schema/validation.js';
import { createSessionCipher, parseSessionSecrets } from './sessions/crypto.js';
import { createSessionManager } from './sessions/sessions.js';
import { createMemorySessionStore, createRedisSessionStore } from './sessions/store.js';

export { defaultGraphQLLimits, type GraphQLLimits };

import { useOperationTracing } from './tracing.js';

export interface GatewayOptions {
  /** Base URL of the Emporix API (or of the emulator). */
  emporixApiUrl: string;
  /** Tenant used when a request has no `X-Emporix-Tenant` header; validated like the header (throws if bad). */
  defaultTenant?: string;
  /** Storefront client id. When set, anonymous-token operations work without an Authorization header. */
  clientId?: string;
  /** Deadline for one Emporix call, in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Serve GraphiQL at the GraphQL endpoint. @default true */
  graphiql?: boolean;
  /** Answer introspection queries. @default true */
  introspection?: boolean;
  /** @default a pino logger on stdout at level info */
  logger?: Logger;
  /** An undici dispatcher for upstream calls instead of the gateway's own pooled Agent. */
  dispatcher?: Dispatcher;
  /**
   * Rate limits on the credential mutations, per client IP and per target; `false` turns them off (for a
   * deployment behind another limiter). @default 20 per 60 s per IP, 5 per 900 s per target
   */
  rateLimits?:
    | false
    | {
        perIp?: RateLimitWindow;
        perTarget?: RateLimitWindow;
        logInFailuresPerIpEmail?: RateLimitWindow;
        logInFailuresPerEmail?: RateLimitWindow;
      };
  /**
   * Keep rate-limit counters in this Redis (an ioredis client the caller owns and closes), shared by every
   * instance; in memory when absent. See `connectRedis()`.
   */
  redis?: Redis;
  /** Which proxies may report the client address in X-Forwarded-For. @default false */
  trustProxy?: TrustProxy;
  /** Limits on documents and bodies; each has a default. */
  limits?: GraphQLLimits;
  /** Origins allowed by CORS; none (the default) turns CORS off. */
  corsOrigins?: string[];
  /** Accept only the operations of the gateway's own client SDK (by text or SHA-256). @default false */
  persistedOperationsOnly?: boolean;
  /** Add Node's process metrics (CPU, memory, event loop) to /metrics; for one gateway per process. @default false */
  processMetrics?: boolean;
  /**
   * Make OpenTelemetry spans (per operation and per Emporix call) with the globally registered tracer provider,
   * e.g. from `startTracing()`. @default false
   */
  tracing?: boolean;
  /**
   * What `signUp` answers for an email that already has an account: `hide` answers SignUpSuccess (sign-up never
   * tells whether an email has an account), `reveal` answers AccountExistsError. @default 'hide'
   */
  signUpConflicts?: 'hide' | 'reveal';
  /** Redirect URIs `logInWithSocialProvider` accepts (exact match); none (the default) refuses every one. */
  socialRedirectUris?: string[];
  /** Production rules: `http://localhost` redirect URIs are refused. @default NODE_ENV === 'production' */
  production?: boolean;
  /**
   * Gateway-held browser sessions (SESSIONS=on): `logIn`, `confirmSignUp` and the single sign-on mutations called
   * without an Authorization header keep the tokens server-side and set an httpOnly cookie. Sessions live in
   * `redis` when given (shared by every instance), else in this process. Off when absent.
   */
  sessions?: SessionOptions;
}

export interface SessionOptions {
  /** Secrets of at least 32 bytes, or SESSION_SECRET's comma-separated hex/base64 form: the first encrypts, all decrypt. */
  secrets: Buffer[] | string;
  /** @default 2592000 (30 days) */
  maxAgeSeconds?: number;
  /** `__Host-emporix_session; Secure` when true, `emporix_session` without Secure when false. @default true */
  secureCookie?: boolean;
}

export interface Gateway {
  /** The yoga app: a request listener for `node:http`, and a fetch handler. */
  yoga: YogaServerInstance<ServerContext, RequestContext>;
  /** From now on /readiness answers 503 and every response closes its connection: call it on SIGTERM. */
  startDraining(): void;
  /**
   * Closes the upstream connection pool, waiting for Emporix calls still running, or abandoning them with
   * `force`. Close the HTTP server first.
   */
  close(options?: { force?: boolean }): Promise<void>;
}

/** The operations the gateway's own client sends (every `…Document` of the SDK): what the persisted mode accepts. */
const clientDocuments = Object.entries(sdk)
  .filter(([name]) => name.endsWith('Document'))
  .map(([, document]) => document as DocumentNode);

export function createGateway(options: GatewayOptions): Gateway {
  const logger = options.logger ?? createLogger();
  const defaultTenant =
    options.defaultTenant === undefined ? undefined : tenantSchema.parse(options.defaultTenant);
  const limits = { ...defaultGraphQLLimits, ...options.limits };
  const http = createUpstreamHttp({
    baseUrl: options.emporixApiUrl,
    timeoutMs: options.timeoutMs,
    dispatcher: options.dispatcher,
    tracing: options.tracing,
  });
  const client = createEmporixClient(http);
  const anonymousTokens =
    options.clientId === undefined
      ? undefined
      : createAnonymousTokenProvider({
          client,
          clientId: options.clientId,
          // The gateway's own configuration failing, not a caller: the error log, bounded per tenant and minute.
          onFailure: (tenant, error) =>
            logger.error({ tenant, status: error.status, err: error }, 'anonymous token request failed'),
        });
  const rateLimiter =
    options.rateLimits === false
      ? undefined
      : createRateLimiter({ ...options.rateLimits, redis: options.redis });
  const metrics = createMetrics({ processMetrics: options.processMetrics });
  const sessions = options.sessions
    ? createSessionManager({
        store: options.redis ? createRedisSessionStore(options.redis) : createMemorySessionStore(),
        // The cross-instance refresh lock must outlive the Emporix calls a refresh makes.
        upstreamTimeoutMs: options.timeoutMs,
        cipher: createSessionCipher(
          typeof options.sessions.secrets === 'string'
            ? parseSessionSecrets(options.sessions.secrets)
            : options.sessions.secrets,
        ),
        maxAgeSeconds: options.sessions.maxAgeSeconds,
        secureCookie: options.sessions.secureCookie ?? true,
        onEvent: metrics.recordSessionEvent,
      })
    : undefined;
  const sessionCookies = sessions
    ? useSessionCookies({ manager: sessions, allowedOrigins: options.corsOrigins ?? [] })
    : undefined;
  const requestIds = createRequestIds();
  // Errors the operation log already wrote with their request id; yoga's masking must not log them again.
  const loggedErrors = new WeakSet<Error>();
  let draining = false;

  const graphiql = options.graphiql ?? true;
  const plugins: Plugin[] = [
    // These two may replace a response in onResponse: they come before the plugins that add headers to it.
    useLanding({ graphiql }),
    useCorsRefusal(options.corsOrigins ?? []),
    // The request id and, once draining, `Connection: close`: one onResponse hook for both.
    {
      onResponse({ request, response }) {
        response.headers.set('x-request-id', requestIds.requestIdOf(request));
        if (draining) response.headers.set('connection', 'close');
      },
    },
    useBodyLimit(limits.maxBodyBytes),
    // Ours names the header and the JSON alternative; yoga's, the same rule, stays behind it as a backstop.
    useCsrfPrevention(),
    useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }),
    ...(sessionCookies ? [sessionCookies.plugin] : []),
    useVariablesLimit(limits.maxVariableValues),
    ...useDocumentLimits(limits),
    metrics.plugin,
    useReadiness({ probe: () => http.probe(2000), isDraining: () => draining }),
    useOperationLog(logger, loggedErrors, metrics.recordOperation) as Plugin,
  ];
  if (options.tracing) plugins.unshift(useOperationTracing());
  if (options.introspection === false) plugins.push(useDisableIntrospection());
  if (options.persistedOperationsOnly) plugins.push(usePersistedOperationsOnly(clientDocuments));

  const corsOrigins = options.corsOrigins ?? [];
  const allowedOrigins = new Set(corsOrigins);
  const corsOptions = {
    origin: corsOrigins,
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: [
      'content-type',
      'authorization',
      'x-emporix-tenant',
      'x-request-id',
      'x-graphql-yoga-csrf',
    ],
    exposedHeaders: ['x-request-id'],
    // With sessions, the allowed origins' pages send the cookie.
    credentials: sessions !== undefined,
  };
  const yoga = createYoga<ServerContext, RequestContext>({
    schema,
    graphiql: graphiql ? graphiqlOptions : false,
    // Served from our own dependencies: yoga's default page loads GraphiQL from a CDN.
    renderGraphiQL: createGraphiQLRenderer(),
    landingPage: false,
    logging: false,
    batching: false,
    // Our useBodyLimit does the same job: yoga's own pipes every body through a TransformStream, even when
    // Content-Length already bounds it; turning it off raised throughput by 40–60 % in the benchmark.
    maxRequestBodySize: false,
    // Only an allowed origin gets CORS headers at all (yoga would otherwise name the one allowed origin, and with
    // sessions allow credentials, in its answer to any origin).
    cors:
      corsOrigins.length === 0
        ? false
        : (request) => (allowedOrigins.has(request.headers.get('origin') ?? '') ? corsOptions : false),
    context: createContextFactory({
      client,
      anonymousTokens,
      defaultTenant,
      requestIdOf: requestIds.requestIdOf,
      rateLimiter,
      trustProxy: options.trustProxy ?? false,
      clientId: options.clientId,
      settings: {
        signUpConflicts: options.signUpConflicts ?? 'hide',
        socialRedirectUris: options.socialRedirectUris ?? [],
        production: options.production ?? process.env.NODE_ENV === 'production',
      },
      sessions,
      onRequestSession: sessionCookies?.track,
      onUpstreamCall: metrics.recordUpstreamCall,
    }),
    maskedErrors: {
      maskError(error, message) {
        // Errors about the request's own body or parameters: a short 400 that quotes none of them.
        const inputError = requestInputError(error);
        if (inputError !== undefined) return inputError;
        const original = (error as { originalError?: unknown }).originalError ?? error;
        if (original instanceof Error && !loggedErrors.has(original) && !('extensions' in original)) {
          logger.error({ err: original }, 'unexpected error');
        }
        // Never the development mode that puts the original error in the response, whatever NODE_ENV says.
        return maskError(error, message, false);
      },
    },
    plugins,
  });

  return {
    yoga,
    startDraining: () => {
      draining = true;
    },
    close: (closeOptions) => http.close(closeOptions),
  };
}

/**
 * An ioredis client for the rate limits. ioredis is loaded only when Redis is configured, to keep start-up short.
 * It fails fast instead of queueing commands while disconnected, so the limiter falls back to memory at once.
 */
export async function connectRedis(url: string, logger: Logger, readyWithinMs = 5000): Promise<Redis> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'redis error'));
  // Serving before Redis is ready would count the first requests in this instance's memory only.
  const ready = await Promise.race([
    new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true))),
    new Promise<boolean>((resolve) => setTimeout(resolve, readyWithinMs, false).unref()),
  ]);
  if (!ready) logger.warn({ readyWithinMs }, 'redis is not ready: rate limits count in memory until it is');
  return redis;
}
