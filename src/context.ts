/**
 * Everything request-scoped is made here, once per GraphQL request: the request id, the tenant, the caller's
 * token inside a new Emporix session, and new DataLoaders. Resolvers reach Emporix only through this context.
 */
import type { IncomingMessage } from 'node:http';
import type { YogaInitialContext } from 'graphql-yoga';
import { clientIpOf, type TrustProxy } from './client-ip.js';
import type { AnonymousTokenProvider } from './emporix/anonymous-token.js';
import type { EmporixClient } from './emporix/client.js';
import type { UpstreamCallRecord } from './emporix/http.js';
import { createLoaders, type Loaders } from './emporix/loaders.js';
import {
  type CallerAuthorization,
  createEmporixSession,
  type EmporixSession,
  parseAuthorization,
} from './emporix/session.js';
import { ValidationError } from './errors.js';
import type { LogInReservation, RateLimiter } from './rate-limit.js';
import { configurationIssues, resolveTenant, type TenantResolution } from './schema/validation.js';
import { createRefresher } from './sessions/refresh.js';
import { createRequestSession, type RequestSession } from './sessions/request-session.js';
import type { SessionManager } from './sessions/sessions.js';

/** What the gateway adds to yoga's own context. */
export interface RequestContext {
  requestId: string;
  tenant: TenantResolution;
  /** The caller's Authorization header (or, without one, its session cookie), as far as the gateway understands it. */
  caller: CallerAuthorization;
  /**
   * The gateway-held browser session of this request: present when SESSIONS=on and the request has no
   * Authorization header (with or without a cookie), so that a log-in can start one.
   */
  browserSession: RequestSession | undefined;
  /**
   * Counts a credential mutation against the rate limits, before anything goes upstream; throws RateLimitedError
   * when one is exceeded. `target` is what the mutation is about (an email, a token).
   */
  limitRate(
    operation: string,
    tenant: string,
    target: string | undefined,
    options?: { perIp?: boolean },
  ): Promise<void>;
  /** Failed log-in counting for this request's client address (a no-op reservation when rate limits are off). */
  logInFailures: {
    reserve(tenant: string, email: string): Promise<LogInReservation>;
  };
  /** The gateway's storefront client id, for the operations that send one; undefined when none is configured. */
  clientId: string | undefined;
  settings: GatewaySettings;
  emporix: EmporixSession;
  loaders: Loaders;
  /** Every Emporix call this request made, for the operation's log line. */
  upstreamCalls: UpstreamCallRecord[];
}

/** Configuration the resolvers read. */
export interface GatewaySettings {
  /** What `signUp` answers for an email that already has an account. */
  signUpConflicts: 'hide' | 'reveal';
  /** Redirect URIs `logInWithSocialProvider` accepts, as given (exact match). */
  socialRedirectUris: readonly string[];
  /** NODE_ENV is production: `http://localhost` redirect URIs are refused. */
  production: boolean;
}

/** The context every resolver receives. */
export type Context = YogaInitialContext & RequestContext;

/** What yoga's node adapter puts in the server context. */
export interface ServerContext {
  req?: IncomingMessage;
}

export interface ContextDependencies {
  client: EmporixClient;
  anonymousTokens: AnonymousTokenProvider | undefined;
  defaultTenant: string | undefined;
  requestIdOf: (request: Request) => string;
  rateLimiter: RateLimiter | undefined;
  trustProxy: TrustProxy;
  clientId: string | undefined;
  settings: GatewaySettings;
  /** SESSIONS=on: the session manager. */
  sessions: SessionManager | undefined;
  /** Told of each request's browser session, so that its Set-Cookie headers reach the response. */
  onRequestSession?: (request: Request, session: RequestSession) => void;
  /** Called with every upstream call, for metrics. */
  onUpstreamCall?: (call: UpstreamCallRecord) => void;
}

export function createContextFactory(deps: ContextDependencies) {
  return (initial: YogaInitialContext & ServerContext): RequestContext => {
    const { request } = initial;
    const requestId = deps.requestIdOf(request);
    const upstreamCalls: UpstreamCallRecord[] = [];
    const record = (call: UpstreamCallRecord) => {
      upstreamCalls.push(call);
      deps.onUpstreamCall?.(call);
    };
    let caller = parseAuthorization(request.headers.get('authorization'));
    let browserSession: RequestSession | undefined;
    // The Authorization header always wins: a request that carries both is a bearer request.
    if (deps.sessions && caller.kind === 'missing') {
      browserSession = createRequestSession({
        manager: deps.sessions,
        cookieHeader: request.headers.get('cookie'),
        refresher: createRefresher({
          client: deps.client,
          anonymousTokens: deps.anonymousTokens,
          requestId,
          record,
        }),
      });
      deps.onRequestSession?.(request, browserSession);
      if (browserSession.hasCookie) caller = { kind: 'session', session: browserSession };
    }
    const emporix = createEmporixSession({
      client: deps.client,
      anonymousTokens: deps.anonymousTokens,
      requestId,
      caller,
      record,
    });
    const { rateLimiter } = deps;
    const clientIp = () => clientIpOf(initial.req, deps.trustProxy);
    return {
      requestId,
      tenant: resolveTenant(request.headers.get('x-emporix-tenant'), deps.defaultTenant),
      caller,
      browserSession,
      limitRate: rateLimiter
        ? (operation, tenant, target, { perIp = true } = {}) =>
            rateLimiter.consume({ operation, tenant, target, clientIp: perIp ? clientIp() : undefined })
        : async () => {},
      logInFailures: {
        reserve: rateLimiter
          ? (tenant, email) => rateLimiter.reserveLogInAttempt({ tenant, email, clientIp: clientIp() })
          : async () => unlimitedLogIn,
      },
      clientId: deps.clientId,
      settings: deps.settings,
      emporix,
      loaders: createLoaders(emporix),
      upstreamCalls,
    };
  };
}

/**
 * For the operations whose rules depend on the gateway's configuration: the tenant and those rules in one
 * ValidationError (a valid input reaches the resolver; an invalid one got all of them from the builder).
 */
export function requireTenantAndConfiguration(
  context: Context,
  field: string,
  args: Record<string, unknown>,
): string {
  const issues = [
    ...(context.tenant.ok ? [] : context.tenant.issues),
    ...configurationIssues(field, args, context),
  ];
  if (issues.length > 0) throw ValidationError.fromIssues(issues);
  return requireTenant(context);
}

/**
 * The request's tenant, or the tenant's `ValidationError` alone. Every resolver starts here: when the input was
 * invalid too, the zod plugin has already answered with both (see the builder's `validationError`).
 */
export function requireTenant(context: Context): string {
  if (!context.tenant.ok) throw ValidationError.fromIssues(context.tenant.issues);
  return context.tenant.tenant;
}

/** With rate limits off, every log-in outcome settles nothing. */
const unlimitedLogIn: LogInReservation = {
  refused: async () => {},
  succeeded: async () => {},
  abandoned: async () => {},
};

/** The caller's own access token, when it sent one: the rate-limit target of operations on the caller's account. */
export function accessTokenOf(context: Context): string | undefined {
  return context.caller.kind === 'bearer' ? context.caller.token : undefined;
}
