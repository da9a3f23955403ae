/**
 * Emporix's token answers (customer log-in, sign-up confirmation, refresh, single sign-on; anonymous log-in and
 * refresh), read once into the shapes the schema answers with and the session store keeps. Lifetimes
 * (`expires_in`, `refresh_token_expires_in`, in seconds) become instants counted from when the answer arrived.
 */
import { UpstreamError } from '../errors.js';
import { type EmporixCustomerToken, emporixAnonymousToken, emporixCustomerToken } from './types.js';

export interface CustomerTokensShape {
  accessToken: string;
  accessTokenExpiresAt: Date;
  refreshToken: string | null;
  refreshTokenExpiresAt: Date | null;
  saasToken: string | null;
  sessionId: string | null;
}

export type AnonymousTokensShape = Omit<CustomerTokensShape, 'saasToken'>;

function after(receivedAt: number, seconds: number | undefined): Date | null {
  return seconds === undefined ? null : new Date(receivedAt + seconds * 1000);
}

function unreadable(status: number): UpstreamError {
  return new UpstreamError('Emporix answered without a readable token', status, false);
}

/**
 * Emporix's customer token answer, read; an answer without a token is an UpstreamError, never a null field.
 * `token` keeps what only some operations answer (the social tokens, the idle time).
 */
export function readCustomerToken(
  json: unknown,
  status: number,
  receivedAt = Date.now(),
): { token: EmporixCustomerToken; tokens: CustomerTokensShape } {
  const parsed = emporixCustomerToken.safeParse(json);
  if (!parsed.success) throw unreadable(status);
  const token = parsed.data;
  return {
    token,
    tokens: {
      accessToken: token.accessToken,
      accessTokenExpiresAt: new Date(receivedAt + token.expiresIn * 1000),
      refreshToken: token.refreshToken ?? null,
      // A lifetime without a refresh token describes nothing the caller holds.
      refreshTokenExpiresAt:
        token.refreshToken === undefined ? null : after(receivedAt, token.refreshTokenExpiresIn),
      saasToken: token.saasToken ?? null,
      sessionId: token.sessionId ?? null,
    },
  };
}

export function readAnonymousToken(
  json: unknown,
  status: number,
  receivedAt = Date.now(),
): AnonymousTokensShape {
  const parsed = emporixAnonymousToken.safeParse(json);
  if (!parsed.success) throw unreadable(status);
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
