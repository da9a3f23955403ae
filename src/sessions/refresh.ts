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
import { readCustomerToken } from '../emporix/token-answers.js';
import { type Refresher, sessionTokensFrom } from './sessions.js';

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
    const receivedAt = Date.now();
    const { tokens } = readCustomerToken(mapped.json, mapped.status, receivedAt);
    return sessionTokensFrom(tokens, receivedAt, session.tokens);
  };
}
