/**
 * A session's edges, one instance and the memory store, through real HTTP: a log-out while a refresh is in flight
 * (the refresh must not bring the session back), a refresh ahead of expiry that Emporix cannot answer (the current
 * token serves until it expires), and how long a session lives when Emporix does not say when its refresh token
 * expires, or hands out none. Two instances on one Redis: sessions-redis.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Stack } from './harness.js';
import {
  cookieSet,
  dropFields,
  gql,
  logInForCookie,
  logOutMutation,
  meQuery,
  proxiedSessionStack,
  sessionQuery,
  sleep,
  upstreamPaths,
} from './sessions-support.js';

const refreshPath = 'GET /customer/demo/refreshauthtoken';
const mePath = 'GET /customer/demo/me';
const logOutPath = 'GET /customer/demo/logout';
const maxAgeSeconds = 2_592_000;

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The upstream calls but the gateway's own anonymous-token fetches, which come whenever its cache says. */
function sessionCalls(current: Stack): string[] {
  return upstreamPaths(current).filter((path) => !path.includes('/anonymous/'));
}

/** The bearer of each upstream call to `path` (e.g. `/customer/demo/me`), in order. */
function bearersOf(current: Stack, path: string): string[] {
  return current
    .upstream()
    .filter((request) => request.path === path)
    .map((request) => request.headers.authorization ?? '');
}

const expiredCookie = { value: '', attributes: { 'max-age': '0' } };

describe('a log-out while a refresh is in flight', () => {
  it('ends the session: the refreshed tokens are dropped and the in-flight request answers SESSION_EXPIRED', async () => {
    // Refresh answers held back 500 ms: the log-out lands while Emporix is renewing the tokens.
    ({ stack } = await proxiedSessionStack({
      emulator: { ttl: { customerToken: 600 } },
      proxy: { delayMs: (path) => (path.endsWith('/refreshauthtoken') ? 500 : 0) },
    }));
    const current = stack;
    const { cookie } = await logInForCookie(current);
    // Emporix now says the access token expired: `me` is refused, and the gateway refreshes.
    current.emulator.advanceClock(700);
    current.emulator.clearRequests();

    const inFlight = gql(current.url, meQuery, { headers: { cookie } });
    await sleep(150);
    // Emporix cannot answer the log-out either: the gateway's session ends at once, while the refresh is in flight
    // (an expired-token answer would make log-out wait for that refresh).
    current.emulator.injectFault({ method: 'GET', path: '/customer/demo/logout', status: 503 });
    const out = await gql(current.url, logOutMutation, { headers: { cookie } });
    expect(out.body.data.logOut).toMatchObject({ __typename: 'UpstreamError', status: 503 });
    expect(out.setCookies.map((line) => cookieSet({ ...out, setCookies: [line] }))).toMatchObject([
      expiredCookie,
    ]);

    const me = await inFlight;
    expect(me.body.data.me).toMatchObject({ __typename: 'UnauthorizedError', code: 'SESSION_EXPIRED' });
    // Not set again with the session's id: only expired.
    expect(me.setCookies).toHaveLength(1);
    expect(cookieSet(me)).toMatchObject(expiredCookie);
    // The operation was not sent again after the refresh: there was no session left to send it for.
    expect(sessionCalls(current)).toEqual([mePath, refreshPath, logOutPath]);

    current.emulator.clearRequests();
    const after = await gql(current.url, meQuery, { headers: { cookie } });
    expect(after.body.data.me).toMatchObject({ __typename: 'UnauthorizedError', code: 'SESSION_EXPIRED' });
    const session = await gql(current.url, sessionQuery, { headers: { cookie } });
    expect(session.body.data.session).toEqual({ kind: 'NONE', expiresAt: null });
    expect(upstreamPaths(current)).toEqual([]);
  });
});

describe('a refresh ahead of expiry that Emporix cannot answer', () => {
  // A 5 s access token: the refresh margin is its last 0.5 s.
  const ttl = { customerToken: 5 };

  it('serves the request with the current token while it is valid (a 503, a dropped connection)', async () => {
    ({ stack } = await proxiedSessionStack({ emulator: { ttl } }));
    const current = stack;
    const first = await logInForCookie(current);
    const second = await logInForCookie(current);
    const loggedInAt = Date.now();
    const refresh = { method: 'GET', path: '/customer/demo/refreshauthtoken' };
    // The tokens the sessions hold, as they go out before the margin.
    current.emulator.clearRequests();
    for (const { cookie } of [first, second]) await gql(current.url, meQuery, { headers: { cookie } });
    const heldTokens = bearersOf(current, '/customer/demo/me');
    expect(new Set(heldTokens).size).toBe(2);
    current.emulator.injectFault({ ...refresh, status: 503 });
    current.emulator.injectFault({ ...refresh, destroySocket: true });

    // Inside the margin, while Emporix still accepts the old tokens.
    await sleep(Math.max(0, loggedInAt + 4600 - Date.now()));
    current.emulator.clearRequests();
    const answers = await Promise.all(
      [first, second].map(({ cookie }) => gql(current.url, meQuery, { headers: { cookie } })),
    );
    expect(answers.map((answer) => answer.body.data.me)).toMatchObject([
      { __typename: 'Customer', contactEmail: 'demo@example.com' },
      { __typename: 'Customer', contactEmail: 'demo@example.com' },
    ]);
    expect(answers.map((answer) => answer.setCookies)).toEqual([[], []]);
    const calls = sessionCalls(current);
    expect(calls.filter((path) => path === refreshPath)).toHaveLength(2);
    expect(calls.filter((path) => path === mePath)).toHaveLength(2);
    // Each went out with its session's current token: nothing was renewed.
    expect(bearersOf(current, '/customer/demo/me').sort()).toEqual([...heldTokens].sort());
  });

  it('after expiry it is an UpstreamError, the session kept; the next request refreshes', async () => {
    ({ stack } = await proxiedSessionStack({ emulator: { ttl } }));
    const current = stack;
    const { cookie } = await logInForCookie(current);
    const loggedInAt = Date.now();
    await sleep(Math.max(0, loggedInAt + 5100 - Date.now()));
    current.emulator.injectFault({ method: 'GET', path: '/customer/demo/refreshauthtoken', status: 503 });
    current.emulator.clearRequests();

    const failed = await gql(current.url, meQuery, { headers: { cookie } });
    expect(failed.body.data.me).toMatchObject({ __typename: 'UpstreamError', status: 503, retryable: true });
    expect(failed.setCookies).toEqual([]);
    // The expired token is not sent.
    expect(sessionCalls(current)).toEqual([refreshPath]);

    current.emulator.clearRequests();
    const next = await gql(current.url, meQuery, { headers: { cookie } });
    expect(next.body.data.me.__typename).toBe('Customer');
    expect(sessionCalls(current)).toEqual([refreshPath, mePath]);
  });

  it('a log-out then still ends the Emporix token and the session', async () => {
    ({ stack } = await proxiedSessionStack({ emulator: { ttl } }));
    const current = stack;
    const { cookie } = await logInForCookie(current);
    const loggedInAt = Date.now();
    await sleep(Math.max(0, loggedInAt + 4600 - Date.now()));
    current.emulator.injectFault({ method: 'GET', path: '/customer/demo/refreshauthtoken', status: 503 });
    current.emulator.clearRequests();

    const out = await gql(current.url, logOutMutation, { headers: { cookie } });
    expect(out.body.data.logOut).toEqual({ __typename: 'LogOutSuccess' });
    expect(out.setCookies).toHaveLength(1);
    expect(cookieSet(out)).toMatchObject(expiredCookie);
    // The refresh ahead of expiry failed, so log-out ended the token the session held.
    expect(sessionCalls(current)).toEqual([refreshPath, logOutPath]);
    const [ended] = current.upstream().filter((request) => request.path === '/customer/demo/logout');
    expect(ended?.query.accessToken).toEqual(expect.any(String));

    current.emulator.clearRequests();
    const me = await gql(current.url, meQuery, { headers: { cookie } });
    expect(me.body.data.me).toMatchObject({ __typename: 'UnauthorizedError', code: 'SESSION_EXPIRED' });
    expect(upstreamPaths(current)).toEqual([]);
  });
});

describe('how long a session lives', () => {
  it('a refresh token of no stated expiry: the session’s maximum age, renewed past its access token', async () => {
    ({ stack } = await proxiedSessionStack({
      emulator: { ttl: { customerToken: 120 } },
      proxy: { transform: dropFields('/login', ['refresh_token_expires_in', 'refreshTokenExpiresIn']) },
    }));
    const current = stack;
    const before = Date.now();
    const { cookie, set } = await logInForCookie(current);
    expect(Number(set.attributes['max-age'])).toBeGreaterThanOrEqual(maxAgeSeconds - 5);
    expect(Number(set.attributes['max-age'])).toBeLessThanOrEqual(maxAgeSeconds);
    const session = await gql(current.url, sessionQuery, { headers: { cookie } });
    expect(Date.parse(session.body.data.session.expiresAt) - before).toBeGreaterThan(
      (maxAgeSeconds - 5) * 1000,
    );

    // Past the access token's life at Emporix: refreshed, not ended.
    current.emulator.advanceClock(200);
    current.emulator.clearRequests();
    const me = await gql(current.url, meQuery, { headers: { cookie } });
    expect(me.body.data.me.__typename).toBe('Customer');
    expect(sessionCalls(current)).toEqual([mePath, refreshPath, mePath]);
    // The refresh answer states its refresh token's expiry (a day): the session now ends then.
    expect(cookieSet(me).value).toBe(set.value);
    expect(Number(cookieSet(me).attributes['max-age'])).toBeLessThanOrEqual(86_400);
  });

  it('no refresh token: the access token’s life, not cut short by the refresh margin', async () => {
    ({ stack } = await proxiedSessionStack({
      emulator: { ttl: { customerToken: 5 } },
      proxy: {
        transform: dropFields('/login', [
          'refresh_token',
          'refreshToken',
          'refresh_token_expires_in',
          'refreshTokenExpiresIn',
        ]),
      },
    }));
    const current = stack;
    const { cookie, set } = await logInForCookie(current);
    const loggedInAt = Date.now();
    expect(Number(set.attributes['max-age'])).toBeLessThanOrEqual(5);

    // Inside the margin: nothing to renew with, and the token still works, so it serves.
    await sleep(Math.max(0, loggedInAt + 4600 - Date.now()));
    current.emulator.clearRequests();
    const me = await gql(current.url, meQuery, { headers: { cookie } });
    expect(me.body.data.me.__typename).toBe('Customer');
    expect(me.setCookies).toEqual([]);
    expect(sessionCalls(current)).toEqual([mePath]);

    // At its expiry the session ends, without any call.
    await sleep(Math.max(0, loggedInAt + 5100 - Date.now()));
    current.emulator.clearRequests();
    const ended = await gql(current.url, meQuery, { headers: { cookie } });
    expect(ended.body.data.me).toMatchObject({ __typename: 'UnauthorizedError', code: 'SESSION_EXPIRED' });
    expect(cookieSet(ended)).toMatchObject(expiredCookie);
    expect(upstreamPaths(current)).toEqual([]);
  });
});

describe('a log-out of an expired access token', () => {
  it('renews it first (an idle shopper), so that Emporix ends a live token, and ends the session', async () => {
    ({ stack } = await proxiedSessionStack({ emulator: { ttl: { customerToken: 2 } } }));
    const current = stack;
    const { cookie } = await logInForCookie(current);
    await sleep(2200);
    current.emulator.clearRequests();
    const out = await gql(current.url, logOutMutation, { headers: { cookie } });
    expect(out.body.data.logOut).toEqual({ __typename: 'LogOutSuccess' });
    expect(cookieSet(out)).toMatchObject(expiredCookie);
    expect(sessionCalls(current)).toEqual([refreshPath, logOutPath]);
    const [refreshed] = current
      .upstream()
      .filter((request) => request.path === '/customer/demo/refreshauthtoken');
    const [ended] = current.upstream().filter((request) => request.path === '/customer/demo/logout');
    expect(ended?.query.accessToken).toEqual(expect.any(String));
    // The log-out carried the renewed token, in the query and as the bearer.
    expect(ended?.headers.authorization).toBe(`Bearer ${ended?.query.accessToken}`);
    expect(refreshed?.query.refreshToken).toEqual(expect.any(String));
    const me = await gql(current.url, meQuery, { headers: { cookie } });
    expect(me.body.data.me).toMatchObject({ __typename: 'UnauthorizedError', code: 'SESSION_EXPIRED' });
  });

  it('one Emporix expired early: refused, renewed once, ended with the new token', async () => {
    ({ stack } = await proxiedSessionStack({ emulator: { ttl: { customerToken: 600 } } }));
    const current = stack;
    const { cookie } = await logInForCookie(current);
    current.emulator.advanceClock(700);
    current.emulator.clearRequests();
    const out = await gql(current.url, logOutMutation, { headers: { cookie } });
    expect(out.body.data.logOut).toEqual({ __typename: 'LogOutSuccess' });
    expect(cookieSet(out)).toMatchObject(expiredCookie);
    expect(sessionCalls(current)).toEqual([logOutPath, refreshPath, logOutPath]);
    const tokens = current
      .upstream()
      .filter((request) => request.path === '/customer/demo/logout')
      .map((request) => request.query.accessToken);
    expect(new Set(tokens).size).toBe(2);
    const session = await gql(current.url, sessionQuery, { headers: { cookie } });
    expect(session.body.data.session).toEqual({ kind: 'NONE', expiresAt: null });
  });
});
