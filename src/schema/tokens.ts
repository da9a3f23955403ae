/**
 * The token types the log-in, sign-up and session operations answer with. Expiry instants are computed from
 * Emporix's lifetimes (`expires_in`, `refresh_token_expires_in`, in seconds) at the moment the answer arrived.
 */

import { type EmporixCustomerToken, emporixAnonymousToken, emporixCustomerToken } from '../emporix/types.js';
import { UpstreamError } from '../errors.js';
import { builder } from './builder.js';

export interface CustomerTokensShape {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string | null;
  refreshTokenExpiresAt: Date | null;
  saasToken: string | null;
  sessionId: string | null;
}

export type AnonymousTokensShape = Omit<CustomerTokensShape, 'saasToken'>;

export const CustomerTokens = builder.objectRef<CustomerTokensShape>('CustomerTokens').implement({
  description:
    "A customer's Emporix tokens. Send `accessToken` as `Authorization: Bearer <accessToken>`; before `accessTokenExpiresAt`, renew it with `refreshCustomerToken`. Keep them out of logs and out of scripts' reach.",
  fields: (t) => ({
    accessToken: t.exposeString('accessToken', { description: 'The customer access token.' }),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', {
      type: 'DateTime',
      description: 'When the access token expires (from Emporix `expires_in`, counted from its answer).',
    }),
    refreshToken: t.exposeString('refreshToken', {
      nullable: true,
      description: 'Renews the access token through `refreshCustomerToken`; null when Emporix sent none.',
    }),
    refreshTokenExpiresAt: t.expose('refreshTokenExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the refresh token expires; null when Emporix did not say.',
    }),
    saasToken: t.exposeString('saasToken', {
      nullable: true,
      description:
        "Emporix's SaaS token (a JWT) for the services that ask for it; null when Emporix sent none.",
    }),
    sessionId: t.exposeString('sessionId', {
      nullable: true,
      description: 'The Emporix session id the tokens belong to; null when Emporix sent none.',
    }),
  }),
});

export const AnonymousTokens = builder.objectRef<AnonymousTokensShape>('AnonymousTokens').implement({
  description:
    'An anonymous Emporix session: a shopper who has not logged in. Send `accessToken` as `Authorization: Bearer <accessToken>`; renew it with `refreshAnonymousSession` to keep the same session id.',
  fields: (t) => ({
    accessToken: t.exposeString('accessToken', { description: 'The anonymous access token.' }),
    accessTokenExpiresAt: t.expose('accessTokenExpiresAt', {
      type: 'DateTime',
      description: 'When the access token expires (from Emporix `expires_in`, counted from its answer).',
    }),
    refreshToken: t.exposeString('refreshToken', {
      nullable: true,
      description: 'Renews the session through `refreshAnonymousSession`; null when Emporix sent none.',
    }),
    refreshTokenExpiresAt: t.expose('refreshTokenExpiresAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the refresh token expires; null when Emporix did not say.',
    }),
    sessionId: t.exposeString('sessionId', {
      nullable: true,
      description: 'The Emporix session id; it stays the same across refreshes.',
    }),
  }),
});

function after(receivedAt: number, seconds: number | undefined): Date | null {
  return seconds === undefined ? null : new Date(receivedAt + seconds * 1000);
}

/** Emporix's customer token answer, read; an answer without a token is an UpstreamError, never a null field. */
export function readCustomerToken(
  json: unknown,
  status: number,
): { token: EmporixCustomerToken; tokens: CustomerTokensShape } {
  const receivedAt = Date.now();
  const parsed = emporixCustomerToken.safeParse(json);
  if (!parsed.success) throw new UpstreamError('Emporix answered without a readable token', status, false);
  const token = parsed.data;
  return {
    token,
    tokens: {
      accessToken: token.accessToken,
      accessTokenExpiresAt: new Date(receivedAt + token.expiresIn * 1000),
      refreshToken: token.refreshToken ?? null,
      refreshTokenExpiresAt:
        token.refreshToken === undefined ? null : after(receivedAt, token.refreshTokenExpiresIn),
      saasToken: token.saasToken ?? null,
      sessionId: token.sessionId ?? null,
    },
  };
}

export function readAnonymousToken(json: unknown, status: number): AnonymousTokensShape {
  const receivedAt = Date.now();
  const parsed = emporixAnonymousToken.safeParse(json);
  if (!parsed.success) throw new UpstreamError('Emporix answered without a readable token', status, false);
  const token = parsed.data;
  return {
    accessToken: token.access_token,
    accessTokenExpiresAt: new Date(receivedAt + token.expires_in * 1000),
    refreshToken: token.refresh_token ?? null,
    refreshTokenExpiresAt:
      token.refresh_token === undefined ? null : after(receivedAt, token.refresh_token_expires_in),
    sessionId: token.sessionId ?? null,
  };
}
