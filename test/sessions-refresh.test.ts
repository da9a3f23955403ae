/**
 * A session's tokens renewed by the gateway (SESSIONS=on, one instance, memory store): before the access token
 * expires (the gateway's margin, min(60 s, 10 % of the lifetime), on its own clock), and after Emporix answers 401
 * with an expired-token fault (the emulator's clock moved on); 20 concurrent requests share one refresh; a refresh
 * Emporix refuses ends the session; one Emporix cannot answer does not. Two instances on one Redis:
 * sessions-redis.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Stack } from './harness.js';
import {
  cookieSet,
  count,
  dropFields,
  gql,
  logInForCookie,
  meQuery,
  metric,
  proxiedSessionStack,
  sessionStack,
  sleep,
  upstreamPaths,
} from './sessions-support.js';

const refreshPath = 'GET /customer/demo/refreshauthtoken';
const mePath = 'GET /customer/demo/me';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** A session stack whose refreshauthtoken answers are held back 400 ms: concurrent requests meet it in flight. */
async function slowRefreshStack(ttl: { customerToken: number }): Promise<Stack> {
  const { stack: started } = await proxiedSessionStack({
    emulator: { ttl },
    proxy: { delayMs: (path) => (path.endsWith('/refreshauthtoken') ? 400 : 0) },
  });
  return started;
}

/** The bearer token each upstream `me` call carried, in order. */
function meTokens(current: Stack): string[] {
  return current
    .upstream()
    .filter((request) => request.path === '/customer/demo/me')
    .map((request) => request.headers.authorization ?? '');
}

describe('refresh before expiry (the gateway’s margin)', () => {
  it('renews within min(60 s, 10 %) of expiry, once for 20 concurrent requests, before any call fails', async () => {
    // A 3 s access token: the margin is 0.3 s.
    stack = await slowRefreshStack({ customerToken: 3 });
    const { cookie, set } = await logInForCookie(stack);
    // The gateway counts the lifetime from Emporix's answer, which came before this instant.
    const loggedInAt = Date.now();
    stack.emulator.clearRequests();

    // Outside the margin (a 60 s margin would already refresh): no refresh.
    await sleep(Math.max(0, loggedInAt + 1000 - Date.now()));
    const early = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(early.body.data.me.__typename).toBe('Customer');
    expect(upstreamPaths(stack)).toEqual([mePath]);
    const [oldToken] = meTokens(stack);
    stack.emulator.clearRequests();

    // Inside it: 2.8 s after the log-in, while Emporix still accepts the old token.
    await sleep(Math.max(0, loggedInAt + 2800 - Date.now()));
    const refreshedBefore = await metric(stack, 'gateway_sessions_total{event="refreshed"}');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => gql(stack?.url ?? '', meQuery, { headers: { cookie } })),
    );
    expect(answers.map((answer) => answer.body.data.me.__typename)).toEqual(Array(20).fill('Customer'));
    const paths = upstreamPaths(stack);
    expect(count(paths, refreshPath)).toBe(1);
    // The refresh came first: every `me` went out with the new token, none was refused.
    expect(paths.filter((path) => path !== 'GET /customerlogin/auth/anonymous/login')).toEqual([
      refreshPath,
      ...Array(20).fill(mePath),
    ]);
    const tokens = new Set(meTokens(stack));
    expect(tokens.size).toBe(1);
    expect(tokens.has(oldToken ?? '')).toBe(false);
    expect(await metric(stack, 'gateway_sessions_total{event="refreshed"}')).toBe(refreshedBefore + 1);

    // It went with the session's refresh token, authorised by the gateway's anonymous token.
    const refresh = stack.upstream().find((request) => request.path === '/customer/demo/refreshauthtoken');
    expect(refresh?.query.refreshToken).toEqual(expect.any(String));
    expect(refresh?.headers.authorization).not.toBe(oldToken);

    // The refresh brought a new refresh token, so the session's end moved: every answer sets the cookie again,
    // with the same id and a Max-Age that follows the new token's expiry (a day from the refresh).
    for (const answer of answers) {
      const renewed = cookieSet(answer);
      expect(answer.setCookies).toHaveLength(1);
      expect(renewed.value).toBe(set.value);
      expect(Number(renewed.attributes['max-age'])).toBeGreaterThan(86_390);
      expect(Number(renewed.attributes['max-age'])).toBeLessThanOrEqual(86_400);
    }

    // The renewed session goes on without another refresh.
    stack.emulator.clearRequests();
    expect((await gql(stack.url, meQuery, { headers: { cookie } })).body.data.me.__typename).toBe('Customer');
    expect(upstreamPaths(stack)).toEqual([mePath]);
    console.info(
      `refresh before expiry: 20 concurrent requests → ${count(paths, refreshPath)} refreshauthtoken call, ` +
        `${count(paths, mePath)} me calls, 0 refused`,
    );
  });
});

describe('refresh after a 401', () => {
  it('renews when Emporix says the token expired, sends the operation once more; 20 concurrent share it', async () => {
    // A 10-minute access token the gateway thinks is fresh; the emulator's clock makes it expired.
    stack = await slowRefreshStack({ customerToken: 600 });
    const { cookie } = await logInForCookie(stack);
    stack.emulator.advanceClock(700);
    stack.emulator.clearRequests();

    const one = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(one.body.data.me).toMatchObject({ __typename: 'Customer', contactEmail: 'demo@example.com' });
    expect(upstreamPaths(stack).filter((path) => !path.includes('anonymous'))).toEqual([
      mePath,
      refreshPath,
      mePath,
    ]);
    const [stale, renewed] = meTokens(stack);
    expect(renewed).not.toBe(stale);

    stack.emulator.advanceClock(700);
    stack.emulator.clearRequests();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => gql(stack?.url ?? '', meQuery, { headers: { cookie } })),
    );
    expect(answers.map((answer) => answer.body.data.me.__typename)).toEqual(Array(20).fill('Customer'));
    const paths = upstreamPaths(stack);
    expect(count(paths, refreshPath)).toBe(1);
    // 20 refused with the old token, 20 sent once more with the new one: never a third try.
    const tokens = meTokens(stack);
    expect(tokens).toHaveLength(40);
    expect(new Set(tokens).size).toBe(2);
    console.info(
      `refresh after a 401: 20 concurrent requests → ${count(paths, refreshPath)} refreshauthtoken call, ` +
        `${count(paths, mePath)} me calls (20 refused + 20 retried)`,
    );
  });

  it('a refresh Emporix refuses ends the session: SESSION_EXPIRED, the cookie expired, no second try', async () => {
    // The gateway's own anonymous token outlives the clock jump: the refresh call is the session's alone.
    stack = await sessionStack({ emulator: { ttl: { anonymousToken: 1_000_000 } } });
    const { cookie } = await logInForCookie(stack);
    // A day and more: the access token and the refresh token are both dead at Emporix.
    stack.emulator.advanceClock(90_000);
    stack.emulator.clearRequests();
    const expiredBefore = await metric(stack, 'gateway_sessions_total{event="expired"}');

    const me = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(me.body.data.me).toMatchObject({ __typename: 'UnauthorizedError', code: 'SESSION_EXPIRED' });
    expect(cookieSet(me)).toMatchObject({ value: '', attributes: { 'max-age': '0' } });
    expect(count(upstreamPaths(stack), refreshPath)).toBe(1);
    expect(await metric(stack, 'gateway_sessions_total{event="expired"}')).toBe(expiredBefore + 1);

    // The session is gone: the cookie names nothing, and nothing is tried upstream.
    stack.emulator.clearRequests();
    const again = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(again.body.data.me.code).toBe('SESSION_EXPIRED');
    expect(upstreamPaths(stack)).toEqual([]);
  });

  it('a refresh answer without a new refresh token keeps the session’s own, and the end it set', async () => {
    // Emporix does not say whether refresh rotates the refresh token: an answer that does not rotate it.
    ({ stack } = await proxiedSessionStack({
      emulator: { ttl: { customerToken: 600 } },
      proxy: {
        transform: dropFields('/refreshauthtoken', [
          'refresh_token',
          'refresh_token_expires_in',
          'refreshToken',
          'refreshTokenExpiresIn',
        ]),
      },
    }));
    const { cookie } = await logInForCookie(stack);

    stack.emulator.advanceClock(700);
    const renewed = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(renewed.body.data.me.__typename).toBe('Customer');
    // The session's end did not move: its refresh token and that token's expiry are the ones it had.
    expect(renewed.setCookies).toEqual([]);

    stack.emulator.advanceClock(700);
    const again = await gql(stack.url, meQuery, { headers: { cookie } });
    const refreshTokensSent = stack
      .upstream()
      .filter((request) => request.path === '/customer/demo/refreshauthtoken')
      .map((request) => request.query.refreshToken);
    expect(refreshTokensSent).toHaveLength(2);
    expect(refreshTokensSent[1]).toBe(refreshTokensSent[0]);
    // The emulator rotates, so the kept token was used already: Emporix refuses it and the session ends.
    expect(again.body.data.me.code).toBe('SESSION_EXPIRED');
  });

  it('a refresh answered 400 or 401 ends the session too; a 503 does not', async () => {
    stack = await sessionStack({ emulator: { ttl: { customerToken: 600 } } });
    const path = '/customer/demo/refreshauthtoken';

    for (const status of [400, 401]) {
      const { cookie } = await logInForCookie(stack);
      stack.emulator.advanceClock(700);
      stack.emulator.injectFault({ method: 'GET', path, status, body: { message: 'refused' } });
      const me = await gql(stack.url, meQuery, { headers: { cookie } });
      expect({ status, code: me.body.data.me.code }).toEqual({ status, code: 'SESSION_EXPIRED' });
      expect(cookieSet(me).attributes['max-age']).toBe('0');
    }

    const { cookie } = await logInForCookie(stack);
    stack.emulator.advanceClock(700);
    stack.emulator.injectFault({ method: 'GET', path, status: 503 });
    const failed = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(failed.body.data.me).toMatchObject({ __typename: 'UpstreamError', status: 503, retryable: true });
    expect(failed.setCookies).toEqual([]);
    // Still signed in: the next request refreshes and succeeds.
    stack.emulator.clearRequests();
    const next = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(next.body.data.me.__typename).toBe('Customer');
    expect(count(upstreamPaths(stack), 'GET /customer/demo/refreshauthtoken')).toBe(1);
  });
});
