/**
 * The Emporix calls of one GraphQL request: it picks the token for each endpoint (the caller's, or the gateway's
 * own anonymous token), sends, and maps the answer through the one table. Resolvers call these methods and only
 * map their results to the schema; a failure is thrown as an `OperationError`, which becomes a union member.
 */
import { UnauthorizedError, UpstreamError } from '../errors.js';
import type { AnonymousTokenProvider } from './anonymous-token.js';
import { type EmporixClient, type EndpointCall, type EndpointName, endpoints } from './client.js';
import type { UpstreamAnswer, UpstreamCallRecord } from './http.js';
import { mapAnswer } from './map-response.js';
import {
  type ChangeCustomerEmailBody,
  type ChangePasswordBody,
  type ConfirmCustomerEmailChangeBody,
  type EmporixCustomer,
  emporixCustomer,
  type RequestPasswordResetBody,
  type ResetPasswordBody,
} from './types.js';

/** The caller's `Authorization` header, as far as the gateway needs to understand it. */
export type CallerAuthorization =
  | { kind: 'missing' }
  | { kind: 'malformed' }
  | { kind: 'bearer'; header: string; token: string };

export function parseAuthorization(header: string | null): CallerAuthorization {
  if (header === null || header.trim() === '') return { kind: 'missing' };
  const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ? { kind: 'bearer', header: header.trim(), token: match[1] } : { kind: 'malformed' };
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

export function createEmporixSession(options: SessionOptions) {
  const { client, anonymousTokens, requestId, caller, record } = options;

  async function send(
    endpoint: EndpointName,
    tenant: string,
    call: (call: EndpointCall) => Promise<UpstreamAnswer>,
  ): Promise<{ status: number; json: unknown }> {
    const spec = endpoints[endpoint];
    const answer = await sendWithToken(spec.token === 'customer', tenant, call);
    const mapped = mapAnswer(answer, spec);
    if (!mapped.ok) throw mapped.error;
    return mapped;
  }

  async function sendWithToken(
    needsCustomerToken: boolean,
    tenant: string,
    call: (call: EndpointCall) => Promise<UpstreamAnswer>,
  ): Promise<UpstreamAnswer> {
    const base = { tenant, requestId, record };
    if (caller.kind === 'bearer') return call({ ...base, authorization: caller.header });
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
    const token = await anonymousTokens.get(tenant, requestId, record);
    const answer = await call({ ...base, authorization: `Bearer ${token}` });
    if (answer.kind !== 'response' || answer.status !== 401) return answer;
    // Our cached token was refused (revoked, or expired early): fetch a fresh one and try exactly once more.
    anonymousTokens.invalidate(tenant, token);
    const fresh = await anonymousTokens.get(tenant, requestId, record);
    return call({ ...base, authorization: `Bearer ${fresh}` });
  }

  return {
    async getMe(tenant: string): Promise<EmporixCustomer> {
      const { status, json } = await send('getMe', tenant, (call) => client.getMe(call));
      const profile = emporixCustomer.safeParse(json);
      if (!profile.success) {
        throw new UpstreamError('Emporix answered with an unreadable profile', status, false);
      }
      return profile.data;
    },
    async changeCustomerEmail(tenant: string, body: ChangeCustomerEmailBody): Promise<void> {
      await send('changeCustomerEmail', tenant, (call) => client.changeCustomerEmail(call, body));
    },
    async confirmCustomerEmailChange(tenant: string, body: ConfirmCustomerEmailChangeBody): Promise<void> {
      await send('confirmCustomerEmailChange', tenant, (call) =>
        client.confirmCustomerEmailChange(call, body),
      );
    },
    async requestPasswordReset(tenant: string, body: RequestPasswordResetBody): Promise<void> {
      await send('requestPasswordReset', tenant, (call) => client.requestPasswordReset(call, body));
    },
    async resetPassword(tenant: string, body: ResetPasswordBody): Promise<void> {
      await send('resetPassword', tenant, (call) => client.resetPassword(call, body));
    },
    async changePassword(tenant: string, body: ChangePasswordBody): Promise<void> {
      await send('changePassword', tenant, (call) => client.changePassword(call, body));
    },
  };
}
