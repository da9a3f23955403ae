/**
 * The Emporix calls of one GraphQL request: it picks the token for each endpoint (the caller's, or the gateway's
 * own anonymous token), sends, and maps the answer through the one table. Resolvers call these methods and only
 * map their results to the schema; a failure is thrown as an `OperationError`, which becomes a union member.
 */
import { UnauthorizedError, UpstreamError } from '../errors.js';
import type { RequestSession } from '../sessions/request-session.js';
import type { AnonymousTokenProvider } from './anonymous-token.js';
import type { EmporixClient, EndpointCall, EndpointRequest } from './client.js';
import { type Endpoint, type EndpointName, endpoints } from './endpoints.js';
import type { UpstreamAnswer, UpstreamCallRecord } from './http.js';
import { isCredentialsRefusal, isTokenFault, mapAnswer } from './map-response.js';
import { type EmporixCustomer, emporixCustomer } from './types.js';

/** The caller's `Authorization` header, as far as the gateway needs to understand it. */
export type CallerAuthorization =
  | { kind: 'missing' }
  | { kind: 'malformed' }
  | { kind: 'bearer'; header: string; token: string }
  /** No Authorization header, but the gateway's session cookie (SESSIONS=on). */
  | { kind: 'session'; session: RequestSession };

export function parseAuthorization(header: string | null): CallerAuthorization {
  if (header === null || header.trim() === '') return { kind: 'missing' };
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ? { kind: 'bearer', header: header.trim(), token: match[1] } : { kind: 'malformed' };
}

/** The request with the endpoint's token query parameter set to the bearer token this send carries. */
function withTokenInQuery<R extends EndpointRequest<EndpointName>>(
  endpoint: Endpoint,
  endpointCall: EndpointCall,
  request: R,
): R {
  const parameter = endpoint.tokenQueryParameter;
  if (parameter === undefined) return request;
  const authorization = parseAuthorization(endpointCall.authorization ?? null);
  const token = authorization.kind === 'bearer' ? authorization.token : undefined;
  return { ...request, query: { ...request.query, [parameter]: token } };
}

export interface SessionOptions {
  client: EmporixClient;
  /** Present only when the gateway has a client id to fetch anonymous tokens with. */
  anonymousTokens: AnonymousTokenProvider | undefined;
  requestId: string;
  caller: CallerAuthorization;
  record?: (call: UpstreamCallRecord) => void;
}

export type EmporixSession = ReturnType<typeof createEmporixSession>;

function sessionExpired(): UnauthorizedError {
  return new UnauthorizedError('The session has ended: log in again', 'SESSION_EXPIRED');
}

/** How one call picks its token, when not by the endpoint's kind and the caller's header. */
export interface CallOptions {
  /** Send this access token instead (e.g. the one a log-in just returned). */
  accessToken?: string;
}

export function createEmporixSession(options: SessionOptions) {
  const { client, anonymousTokens, requestId, caller, record } = options;

  /** Sends one call of the catalogue with the right token and maps the answer; a failure is thrown. */
  async function call<N extends EndpointName>(
    name: N,
    tenant: string,
    request: EndpointRequest<N> = {},
    callOptions: CallOptions = {},
  ): Promise<{ status: number; json: unknown }> {
    const endpoint: Endpoint = endpoints[name];
    const send = (endpointCall: EndpointCall) =>
      client.call<N>(name, endpointCall, withTokenInQuery(endpoint, endpointCall, request));
    const base = { tenant, requestId, record };
    const answer =
      endpoint.token === 'none'
        ? await send(base)
        : callOptions.accessToken !== undefined
          ? await send({ ...base, authorization: `Bearer ${callOptions.accessToken}` })
          : await sendWithToken(name, tenant, send);
    const mapped = mapAnswer(answer, endpoint, { params: request.params });
    if (!mapped.ok) throw mapped.error;
    return mapped;
  }

  async function sendWithToken(
    name: EndpointName,
    tenant: string,
    send: (call: EndpointCall) => Promise<UpstreamAnswer>,
  ): Promise<UpstreamAnswer> {
    const endpoint: Endpoint = endpoints[name];
    const needsCustomerToken = endpoint.token === 'customer';
    const base = { tenant, requestId, record };
    if (caller.kind === 'bearer') {
      const answer = await send({ ...base, authorization: caller.header });
      const callerTokenRefused =
        answer.kind === 'response' && answer.status === 401 && isTokenFault(answer.json);
      if (!callerTokenRefused || !endpoint.gatewayTokenAfterCallerTokenFault || !anonymousTokens)
        return answer;
      return sendWithGatewayToken(anonymousTokens, name, tenant, send);
    }
    if (caller.kind === 'session') {
      const sessionAnswer = await sendWithSession(caller.session, name, tenant, send);
      if (sessionAnswer !== undefined) return sessionAnswer;
      // No live session: the operations that work with an anonymous token go on without it.
    }
    if (caller.kind === 'malformed') {
      throw new UnauthorizedError(
        'The Authorization header must be "Bearer <Emporix access token>"',
        'INVALID_TOKEN',
      );
    }
    if (needsCustomerToken || !anonymousTokens) {
      throw new UnauthorizedError(
        needsCustomerToken
          ? 'This operation needs a customer access token in the Authorization header'
          : 'This operation needs an anonymous or customer access token in the Authorization header',
        'MISSING_TOKEN',
      );
    }
    return sendWithGatewayToken(anonymousTokens, name, tenant, send);
  }

  /** With the gateway's own anonymous token, fetched anew and sent once more if Emporix refuses the cached one. */
  async function sendWithGatewayToken(
    anonymousTokens: AnonymousTokenProvider,
    name: EndpointName,
    tenant: string,
    send: (call: EndpointCall) => Promise<UpstreamAnswer>,
  ): Promise<UpstreamAnswer> {
    const endpoint = endpoints[name];
    const base = { tenant, requestId, record };
    const token = await anonymousTokens.get(tenant, requestId, record);
    const answer = await send({ ...base, authorization: `Bearer ${token}` });
    if (answer.kind !== 'response' || answer.status !== 401) return answer;
    // A refused password is not our token's fault: a log-in is never sent twice.
    if (isCredentialsRefusal(answer.status, answer.json, endpoint)) return answer;
    // Our cached token was refused (revoked, or expired early): fetch a fresh one and try exactly once more.
    anonymousTokens.invalidate(tenant, token);
    const fresh = await anonymousTokens.get(tenant, requestId, record);
    return send({ ...base, authorization: `Bearer ${fresh}` });
  }

  /** The session's token, renewed once when Emporix says it expired; undefined when there is no live session. */
  async function sendWithSession(
    session: RequestSession,
    name: EndpointName,
    tenant: string,
    send: (call: EndpointCall) => Promise<UpstreamAnswer>,
  ): Promise<UpstreamAnswer | undefined> {
    const base = { tenant, requestId, record };
    const token = await session.accessToken(tenant);
    if (token === undefined) {
      // A signed-out shopper must not see Emporix's anonymous placeholder profile: `me` says the session ended.
      if (endpoints[name].token === 'customer' || name === 'getMe') throw sessionExpired();
      return undefined;
    }
    const answer = await send({ ...base, authorization: `Bearer ${token}` });
    if (answer.kind !== 'response' || answer.status !== 401 || !isTokenFault(answer.json)) return answer;
    const renewed = await session.renewAfterExpiry(tenant, token);
    if (renewed === undefined) throw sessionExpired();
    return send({ ...base, authorization: `Bearer ${renewed}` });
  }

  return {
    call,
    /** The profile the token belongs to; with `expand`, its addresses too. */
    async getMe(
      tenant: string,
      { expand = false, accessToken }: { expand?: boolean; accessToken?: string } = {},
    ): Promise<EmporixCustomer> {
      const { status, json } = await call('getMe', tenant, expand ? { query: { expand: 'addresses' } } : {}, {
        accessToken,
      });
      const profile = emporixCustomer.safeParse(json);
      if (!profile.success) {
        throw new UpstreamError('Emporix answered with an unreadable profile', status, false);
      }
      return profile.data;
    },
  };
}
