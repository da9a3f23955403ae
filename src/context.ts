/**
 * Everything request-scoped is made here, once per GraphQL request: the request id, the tenant, the caller's
 * token inside a new Emporix session, and new DataLoaders. Resolvers reach Emporix only through this context.
 */
import type { YogaInitialContext } from 'graphql-yoga';
import type { AnonymousTokenProvider } from './emporix/anonymous-token.js';
import type { EmporixClient } from './emporix/client.js';
import type { UpstreamCallRecord } from './emporix/http.js';
import { createLoaders, type Loaders } from './emporix/loaders.js';
import { createEmporixSession, type EmporixSession, parseAuthorization } from './emporix/session.js';
import { ValidationError } from './errors.js';
import { resolveTenant, type TenantResolution } from './schema/validation.js';

/** What the gateway adds to yoga's own context. */
export interface RequestContext {
  requestId: string;
  tenant: TenantResolution;
  emporix: EmporixSession;
  loaders: Loaders;
  /** Every Emporix call this request made, for the operation's log line. */
  upstreamCalls: UpstreamCallRecord[];
}

/** The context every resolver receives. */
export type Context = YogaInitialContext & RequestContext;

export interface ContextDependencies {
  client: EmporixClient;
  anonymousTokens: AnonymousTokenProvider | undefined;
  defaultTenant: string | undefined;
  requestIdOf: (request: Request) => string;
}

export function createContextFactory(deps: ContextDependencies) {
  return (initial: YogaInitialContext): RequestContext => {
    const { request } = initial;
    const requestId = deps.requestIdOf(request);
    const upstreamCalls: UpstreamCallRecord[] = [];
    const emporix = createEmporixSession({
      client: deps.client,
      anonymousTokens: deps.anonymousTokens,
      requestId,
      caller: parseAuthorization(request.headers.get('authorization')),
      record: (call) => upstreamCalls.push(call),
    });
    return {
      requestId,
      tenant: resolveTenant(request.headers.get('x-emporix-tenant'), deps.defaultTenant),
      emporix,
      loaders: createLoaders(emporix),
      upstreamCalls,
    };
  };
}

/**
 * The request's tenant, or the tenant's `ValidationError` alone. Every resolver starts here: when the input was
 * invalid too, the zod plugin has already answered with both (see the builder's `validationError`).
 */
export function requireTenant(context: Context): string {
  if (!context.tenant.ok) throw ValidationError.fromIssues(context.tenant.issues);
  return context.tenant.tenant;
}
