/**
 * How a session's tokens are renewed: `GET /customer/{tenant}/refreshauthtoken?refreshToken=…`, authorised with
 * the gateway's own anonymous token when it has one (the session's access token may already have expired), else
 * with the session's access token. A 400 or 401 means Emporix will not renew them: the session ends.
 */
import type { AnonymousTokenProvider } from '../emporix/anonymous-token.js';
import type { EmporixClient } from '../emporix/client.js';
import { endpoints } from '../emporix/endpoints.js';
import type { UpstreamCallRecord } from '../emporix/http.js';
import { isTokenFault, mapAnswer } from '../emporix/map-response.js';
import { emporixCustomerToken } from '../emporix/types.js';
import { UpstreamError } from '../errors.js';
import type { Refresher, SessionTokens } from './sessions.js';

export function createRefresher(options: {
  client: EmporixClient;
  anonymousTokens: AnonymousTokenProvider | undefined;
  requestId: string;
  record?: (call: UpstreamCallRecord) => void;
}): Refresher {
  const { client, anonymousTokens, requestId, record } = options;
  return async (session) => {
    const refreshToken = session.tokens.refreshToken;
    if (refreshToken === undefined) return 'refused';
    const { tenant } = session;
    const send = (bearer: string) =>
      client.call(
        'refreshCustomerToken',
        { tenant, requestId, record, authorization: `Bearer ${bearer}` },
        { query: { refreshToken } },
      );
    const bearer = anonymousTokens
      ? await anonymousTokens.get(tenant, requestId, record)
      : session.tokens.accessToken;
    let answer = await send(bearer);
    if (anonymousTokens && answer.kind === 'response' && answer.status === 401 && isTokenFault(answer.json)) {
      // Our own anonymous token was refused, not the refresh token: a fresh one, once, as everywhere.
      anonymousTokens.invalidate(tenant, bearer);
      answer = await send(await anonymousTokens.get(tenant, requestId, record));
    }
    if (answer.kind === 'response' && (answer.status === 400 || answer.status === 401)) return 'refused';
    const mapped = mapAnswer(answer, endpoints.refreshCustomerToken);
    if (!mapped.ok) throw mapped.error;
    return sessionTokensOf(mapped.json, mapped.status, Date.now(), session.tokens.refreshToken);
  };
}

/** Emporix's token answer as a session's tokens; `keptRefreshToken` stands in when Emporix does not rotate. */
export function sessionTokensOf(
  json: unknown,
  status: number,
  receivedAt: number,
  keptRefreshToken?: string,
): SessionTokens {
  const parsed = emporixCustomerToken.safeParse(json);
  if (!parsed.success) throw new UpstreamError('Emporix answered without a readable token', status, false);
  const token = parsed.data;
  const refreshToken = token.refreshToken ?? keptRefreshToken;
  return {
    accessToken: token.accessToken,
    accessTokenIssuedAt: receivedAt,
    accessTokenExpiresAt: receivedAt + token.expiresIn * 1000,
    ...(refreshToken === undefined ? {} : { refreshToken }),
    ...(token.refreshTokenExpiresIn === undefined
      ? {}
      : { refreshTokenExpiresAt: receivedAt + token.refreshTokenExpiresIn * 1000 }),
    ...(token.saasToken === undefined ? {} : { saasToken: token.saasToken }),
    ...(token.sessionId === undefined ? {} : { sessionId: token.sessionId }),
  };
}
