/**
 * Gateway-held browser sessions (SESSIONS=on), through real HTTP against a real emulator: the cookie in both
 * cookie modes, starting a session (no fixation), using it, bearer over cookie, a cookie that names no live
 * session, Query.session without any upstream call, the cross-site rule and CORS, and log-out.
 * Refresh: sessions-refresh.test.ts; Redis: sessions-redis.test.ts; what the store and the logs hold:
 * sessions-secrets.test.ts.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Stack } from './harness.js';
import {
  cookieSet,
  gql,
  logInForCookie,
  logInMutation,
  logOutMutation,
  meQuery,
  metric,
  parseSetCookie,
  sessionQuery,
  sessionStack,
  sleep,
  upstreamPaths,
} from './sessions-support.js';

const storefront = 'http://localhost:4040';

let stack: Stack;
beforeAll(async () => {
  stack = await sessionStack({ gateway: { corsOrigins: [storefront] } });
});
afterAll(() => stack?.close());
beforeEach(() => {
  stack.emulator.clearRequests();
  stack.emulator.clearFaults();
});

const refreshTokenTtl = 86_400;

describe('starting a session', () => {
  it('logIn without Authorization answers tokens: null and sets an httpOnly, Lax, host-only cookie (plain http)', async () => {
    const { answer, set } = await logInForCookie(stack);
    expect(answer.body.data.logIn).toEqual({
      __typename: 'LogInSuccess',
      tokens: null,
      customer: { contactEmail: 'demo@example.com' },
    });
    expect(set.name).toBe('emporix_session');
    // ≥ 32 random bytes, base64url: 43 characters, no padding.
    expect(set.value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(set.value, 'base64url')).toHaveLength(32);
    expect(set.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    expect(set.attributes.secure).toBeUndefined();
    expect(set.attributes.domain).toBeUndefined();
    expect(set.attributes.expires).toBeUndefined();
    // The remaining lifetime: the emulator's refresh token (one day) ends the session before 30 days.
    const maxAge = Number(set.attributes['max-age']);
    expect(maxAge).toBeGreaterThan(refreshTokenTtl - 10);
    expect(maxAge).toBeLessThanOrEqual(refreshTokenTtl);
    // The remaining lifetime rounded up: a fresh session's cookie is not a second short (nor 0 for a 1 s one).
    expect(maxAge).toBe(refreshTokenTtl);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    // The access token reached nobody but the gateway: not in the body, not in any header.
    expect(JSON.stringify(answer.body)).not.toMatch(/eyJ|accessToken":"/);
  });

  it('a new id at every log-in, and the old cookie’s session is deleted (no fixation)', async () => {
    const first = await logInForCookie(stack);
    const second = await logInForCookie(stack, { headers: { cookie: first.cookie } });
    expect(second.set.value).not.toBe(first.set.value);
    // Only the new cookie is set: not an expiry of the old one beside it.
    expect(second.answer.setCookies).toHaveLength(1);

    const old = await gql(stack.url, meQuery, { headers: { cookie: first.cookie } });
    expect(old.body.data.me).toMatchObject({ __typename: 'UnauthorizedError', code: 'SESSION_EXPIRED' });
    const fresh = await gql(stack.url, meQuery, { headers: { cookie: second.cookie } });
    expect(fresh.body.data.me).toMatchObject({ __typename: 'Customer', contactEmail: 'demo@example.com' });

    // An id an attacker planted (never issued by the gateway) is not adopted either.
    const planted = randomBytes(32).toString('base64url');
    const third = await logInForCookie(stack, { headers: { cookie: `emporix_session=${planted}` } });
    expect(third.set.value).not.toBe(planted);
    const withPlanted = await gql(stack.url, meQuery, { headers: { cookie: `emporix_session=${planted}` } });
    expect(withPlanted.body.data.me.code).toBe('SESSION_EXPIRED');
  });

  it('confirmSignUp without Authorization starts a session too', async () => {
    const pending = stack.emulator.demo.pendingSignUp;
    if (pending === undefined) throw new Error('the default seed has a pending sign-up');
    const answer = await gql(
      stack.url,
      /* GraphQL */ `
        mutation Confirm($token: String!) {
          confirmSignUp(input: { token: $token }) { __typename ... on ConfirmSignUpSuccess { tokens { accessToken } } }
        }
      `,
      { variables: { token: pending.confirmationToken } },
    );
    expect(answer.body.data.confirmSignUp).toEqual({ __typename: 'ConfirmSignUpSuccess', tokens: null });
    const set = cookieSet(answer);
    const me = await gql(stack.url, meQuery, { headers: { cookie: `${set.name}=${set.value}` } });
    expect(me.body.data.me).toMatchObject({ __typename: 'Customer', contactEmail: pending.email });
  });

  it('with an Authorization header, logIn answers the tokens as in bearer mode and sets nothing', async () => {
    const { cookie } = await logInForCookie(stack);
    const answer = await gql(stack.url, logInMutation, {
      variables: { email: stack.emulator.demo.email, password: stack.emulator.demo.password },
      headers: { authorization: `Bearer ${stack.emulator.demo.anonymousToken}`, cookie },
    });
    expect(answer.body.data.logIn.__typename).toBe('LogInSuccess');
    expect(answer.body.data.logIn.tokens.accessToken).toEqual(expect.any(String));
    expect(answer.body.data.logIn.tokens.refreshToken).toEqual(expect.any(String));
    expect(answer.setCookies).toEqual([]);
    // The session the cookie names is untouched.
    const me = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(me.body.data.me.__typename).toBe('Customer');
  });
});

describe('the secure cookie mode', () => {
  let secure: Stack;
  beforeAll(async () => {
    secure = await sessionStack({
      secureCookie: true,
      gateway: { sessions: { secrets: randomBytes(32).toString('base64'), maxAgeSeconds: 600 } },
    });
  });
  afterAll(() => secure?.close());

  it('sets __Host-emporix_session with Secure, and Max-Age follows SESSION_MAX_AGE_SECONDS', async () => {
    const { set, cookie, answer } = await logInForCookie(secure, { cookieName: '__Host-emporix_session' });
    expect(set.attributes).toMatchObject({ httponly: true, secure: true, samesite: 'Lax', path: '/' });
    // __Host- cookies must have no Domain.
    expect(set.attributes.domain).toBeUndefined();
    expect(Number(set.attributes['max-age'])).toBeGreaterThan(595);
    expect(Number(set.attributes['max-age'])).toBeLessThanOrEqual(600);
    expect(answer.body.data.logIn.tokens).toBeNull();

    const me = await gql(secure.url, meQuery, { headers: { cookie } });
    expect(me.body.data.me.__typename).toBe('Customer');
    // The plain-mode name means nothing to a secure-mode gateway: no session, Emporix's anonymous profile.
    const plain = await gql(secure.url, meQuery, { headers: { cookie: `emporix_session=${set.value}` } });
    expect(plain.body.data.me.contactEmail ?? null).toBeNull();
    expect(plain.setCookies).toEqual([]);

    const session = await gql(secure.url, sessionQuery, { headers: { cookie } });
    const expiresAt = Date.parse(session.body.data.session.expiresAt);
    expect(expiresAt - Date.now()).toBeGreaterThan(590_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(600_000);

    const out = await gql(secure.url, logOutMutation, { headers: { cookie } });
    expect(parseSetCookie(out.setCookies[0] ?? '').attributes).toMatchObject({
      'max-age': '0',
      secure: true,
      httponly: true,
    });
  });

  it('defaults secureCookie to true when the option is left out', async () => {
    const { createGateway } = await import('../src/gateway.js');
    const { createServer } = await import('node:http');
    const gateway = createGateway({
      emporixApiUrl: secure.emulator.url,
      defaultTenant: 'demo',
      clientId: 'demo-storefront',
      rateLimits: false,
      logger: (await import('../src/logger.js')).createLogger({ level: 'silent' }),
      sessions: { secrets: [randomBytes(32)] },
    });
    const server = createServer(gateway.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/graphql`;
    try {
      const { set } = await logInForCookie(
        { url, emulator: secure.emulator },
        { cookieName: '__Host-emporix_session' },
      );
      expect(set.attributes.secure).toBe(true);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await gateway.close();
    }
  });
});

describe('using a session', () => {
  it('runs every operation with the session’s customer token', async () => {
    const { cookie } = await logInForCookie(stack);
    stack.emulator.clearRequests();
    const me = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(me.body.data.me).toMatchObject({ __typename: 'Customer', id: '13869000', firstName: 'Demo' });
    const addresses = await gql(stack.url, /* GraphQL */ `{ me { ... on Customer { addresses { id } } } }`, {
      headers: { cookie },
    });
    expect(addresses.body.data.me.addresses.length).toBeGreaterThan(0);
    const [first, second] = stack.upstream();
    expect(first?.path).toBe('/customer/demo/me');
    const sent = first?.headers.authorization ?? '';
    expect(sent).toMatch(/^Bearer \S+$/);
    // A customer token of the session, not the gateway's anonymous one and not the seeded demo token.
    expect(sent).not.toBe(`Bearer ${stack.emulator.demo.customerToken}`);
    expect(second?.headers.authorization).toBe(sent);
    // Nothing is set on a response that changes nothing.
    expect(me.setCookies).toEqual([]);
    expect(upstreamPaths(stack)).not.toContain('GET /customer/demo/refreshauthtoken');
  });

  it('an Authorization header wins over the cookie: its token is sent and no cookie is touched', async () => {
    const { cookie } = await logInForCookie(stack);
    stack.emulator.clearRequests();
    const token = stack.emulator.issueToken({ tenant: 'demo', kind: 'customer', email: 'demo@example.com' });
    const me = await gql(stack.url, meQuery, { headers: { cookie, authorization: `Bearer ${token}` } });
    expect(me.body.data.me.__typename).toBe('Customer');
    expect(stack.upstream()[0]?.headers.authorization).toBe(`Bearer ${token}`);
    expect(me.setCookies).toEqual([]);
    const session = await gql(stack.url, sessionQuery, {
      headers: { cookie, authorization: `Bearer ${token}` },
    });
    expect(session.body.data.session).toEqual({ kind: 'NONE', expiresAt: null });

    // A bad bearer with a good cookie is still the bearer's failure, not a fall-back to the session.
    const bad = await gql(stack.url, meQuery, { headers: { cookie, authorization: 'Basic abc' } });
    expect(bad.body.data.me).toMatchObject({ __typename: 'UnauthorizedError', code: 'INVALID_TOKEN' });
    expect(bad.setCookies).toEqual([]);
  });

  it('another site’s cookies beside ours change nothing', async () => {
    const { cookie } = await logInForCookie(stack);
    const me = await gql(stack.url, meQuery, { headers: { cookie: `a=1; ${cookie}; b=2` } });
    expect(me.body.data.me.__typename).toBe('Customer');
    // Without our cookie it is an anonymous request: Emporix's anonymous profile, not the demo customer's.
    const none = await gql(stack.url, meQuery, { headers: { cookie: 'other_session=x' } });
    expect(none.body.data.me.contactEmail ?? null).toBeNull();
    expect(none.setCookies).toEqual([]);
  });
  // The cookie is found by its exact name: one whose name merely ends in emporix_session must neither make an
  // anonymous request a session request (SESSION_EXPIRED, our cookie expired) nor get a foreign origin refused.
  it('does not mistake a cookie whose name merely contains emporix_session for its own', async () => {
    const me = await gql(stack.url, meQuery, { headers: { cookie: 'my_emporix_session=1' } });
    const foreign = await gql(stack.url, sessionQuery, {
      headers: { cookie: 'my_emporix_session=1', origin: 'https://shop.example' },
    });
    expect({
      me: me.body.data.me.__typename,
      setCookies: me.setCookies,
      foreignStatus: foreign.status,
    }).toEqual({ me: 'Customer', setCookies: [], foreignStatus: 200 });
  });
});

describe('a cookie that names no live session', () => {
  const unknown = () => `emporix_session=${randomBytes(32).toString('base64url')}`;

  function expectExpired(answer: Awaited<ReturnType<typeof gql>>) {
    const set = cookieSet(answer);
    expect(set.value).toBe('');
    expect(set.attributes).toMatchObject({ 'max-age': '0', path: '/', httponly: true, samesite: 'Lax' });
  }

  it('is SESSION_EXPIRED for me and for customer operations, and the response expires the cookie', async () => {
    const expiredBefore = await metric(stack, 'gateway_sessions_total{event="expired"}');
    const me = await gql(stack.url, meQuery, { headers: { cookie: unknown() } });
    expect(me.body.data.me).toMatchObject({ __typename: 'UnauthorizedError', code: 'SESSION_EXPIRED' });
    expectExpired(me);

    const change = await gql(
      stack.url,
      /* GraphQL */ `mutation { changePassword(input: { currentPassword: "Demo-Passw0rd!", newPassword: "Other-Passw0rd!" }) {
        __typename ... on UnauthorizedError { code } } }`,
      { headers: { cookie: unknown() } },
    );
    expect(change.body.data.changePassword).toEqual({
      __typename: 'UnauthorizedError',
      code: 'SESSION_EXPIRED',
    });
    expectExpired(change);
    // Nothing was sent with any token for them.
    expect(upstreamPaths(stack).filter((path) => !path.includes('anonymous/login'))).toEqual([]);
    expect(await metric(stack, 'gateway_sessions_total{event="expired"}')).toBe(expiredBefore + 2);
  });

  it('lets operations that can use the anonymous token go on without it (and still expires the cookie)', async () => {
    const answer = await gql(
      stack.url,
      /* GraphQL */ `mutation { requestPasswordReset(input: { email: "demo@example.com" }) { __typename } }`,
      { headers: { cookie: unknown() } },
    );
    expect(answer.body.data.requestPasswordReset).toEqual({ __typename: 'RequestPasswordResetSuccess' });
    expectExpired(answer);
    const reset = stack.upstream().find((request) => request.path === '/customer/demo/password/reset');
    const anonymousLogin = stack.upstream().find((request) => request.path.includes('anonymous/login'));
    expect(reset?.headers.authorization).toMatch(/^Bearer /);
    // The token is the gateway's anonymous one (fetched now or cached from before).
    expect(reset?.headers.authorization).not.toBe(`Bearer ${stack.emulator.demo.customerToken}`);
    expect(anonymousLogin === undefined || anonymousLogin.query.client_id === 'demo-storefront').toBe(true);
  });

  it('treats a malformed cookie value the same way, without a store lookup mattering', async () => {
    const me = await gql(stack.url, meQuery, { headers: { cookie: 'emporix_session=not-a-session-id' } });
    expect(me.body.data.me.code).toBe('SESSION_EXPIRED');
    expectExpired(me);
    const empty = await gql(stack.url, meQuery, { headers: { cookie: 'emporix_session=' } });
    expect(empty.body.data.me.code).toBe('SESSION_EXPIRED');
  });

  it('treats a tampered id (one character changed) as unknown', async () => {
    const { set } = await logInForCookie(stack);
    const last = set.value.at(-1) === 'A' ? 'B' : 'A';
    const tampered = `emporix_session=${set.value.slice(0, -1)}${last}`;
    const me = await gql(stack.url, meQuery, { headers: { cookie: tampered } });
    expect(me.body.data.me.code).toBe('SESSION_EXPIRED');
  });

  it('ends a session at its maximum age', async () => {
    const short = await sessionStack({
      gateway: { sessions: { secrets: [randomBytes(32)], maxAgeSeconds: 1 } },
    });
    try {
      const { cookie, set } = await logInForCookie(short);
      expect(set.attributes['max-age']).toBe('1');
      expect((await gql(short.url, meQuery, { headers: { cookie } })).body.data.me.__typename).toBe(
        'Customer',
      );
      await sleep(1100);
      const me = await gql(short.url, meQuery, { headers: { cookie } });
      expect(me.body.data.me.code).toBe('SESSION_EXPIRED');
      expectExpired(me);
      const session = await gql(short.url, sessionQuery, { headers: { cookie } });
      expect(session.body.data.session).toEqual({ kind: 'NONE', expiresAt: null });
    } finally {
      await short.close();
    }
  });
});

describe('Query.session', () => {
  it('answers NONE and CUSTOMER with the session’s end, without any upstream call', async () => {
    const { cookie, set } = await logInForCookie(stack);
    stack.emulator.clearRequests();
    const none = await gql(stack.url, sessionQuery);
    expect(none.body.data.session).toEqual({ kind: 'NONE', expiresAt: null });
    const customer = await gql(stack.url, sessionQuery, { headers: { cookie } });
    expect(customer.body.data.session.kind).toBe('CUSTOMER');
    const endsIn = (Date.parse(customer.body.data.session.expiresAt) - Date.now()) / 1000;
    expect(Math.abs(endsIn - Number(set.attributes['max-age']))).toBeLessThan(5);
    expect(customer.setCookies).toEqual([]);

    const gone = await gql(stack.url, sessionQuery, {
      headers: { cookie: `emporix_session=${randomBytes(32).toString('base64url')}` },
    });
    expect(gone.body.data.session).toEqual({ kind: 'NONE', expiresAt: null });
    expect(cookieSet(gone).attributes['max-age']).toBe('0');
    expect(stack.upstream()).toEqual([]);
  });

  it('answers NONE for another tenant: a session signs its shopper in for its own tenant only', async () => {
    const { cookie } = await logInForCookie(stack);
    stack.emulator.clearRequests();
    const elsewhere = await gql(stack.url, sessionQuery, {
      headers: { cookie, 'x-emporix-tenant': 'othertenant' },
    });
    expect(elsewhere.body.data.session).toEqual({ kind: 'NONE', expiresAt: null });
    const home = await gql(stack.url, sessionQuery, { headers: { cookie } });
    expect(home.body.data.session.kind).toBe('CUSTOMER');
    expect(stack.upstream()).toEqual([]);
  });
});

describe('the cross-site rule', () => {
  it('refuses a cookie request from a foreign Origin with 403 before execution: nothing upstream', async () => {
    const { cookie } = await logInForCookie(stack);
    stack.emulator.clearRequests();
    const before = await metric(stack, 'gateway_sessions_total{event="refused_origin"}');
    const refused = await gql(stack.url, meQuery, { headers: { cookie, origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].extensions.code).toBe('SESSION_ORIGIN_REFUSED');
    expect(refused.body.data).toBeUndefined();
    // A mutation is refused the same way: log-out from another site does not run.
    const out = await gql(stack.url, logOutMutation, {
      headers: { cookie, origin: 'http://localhost:4041' },
    });
    expect(out.status).toBe(403);
    expect(stack.upstream()).toEqual([]);
    expect(await metric(stack, 'gateway_sessions_total{event="refused_origin"}')).toBe(before + 2);
    // The session itself is untouched.
    expect((await gql(stack.url, meQuery, { headers: { cookie } })).body.data.me.__typename).toBe('Customer');
  });

  it('accepts the gateway’s own origin and CORS_ORIGINS; Access-Control-Allow-Credentials for allowed origins only', async () => {
    const { cookie } = await logInForCookie(stack);
    const own = await gql(stack.url, meQuery, { headers: { cookie, origin: new URL(stack.url).origin } });
    expect(own.body.data.me.__typename).toBe('Customer');

    const allowed = await gql(stack.url, meQuery, { headers: { cookie, origin: storefront } });
    expect(allowed.status).toBe(200);
    expect(allowed.body.data.me.__typename).toBe('Customer');
    expect(allowed.headers.get('access-control-allow-origin')).toBe(storefront);
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');

    const preflight = await fetch(stack.url, {
      method: 'OPTIONS',
      headers: {
        origin: storefront,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(storefront);
    expect(preflight.headers.get('access-control-allow-credentials')).toBe('true');

    const foreignPreflight = await fetch(stack.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(foreignPreflight.status).toBe(403);
    expect(foreignPreflight.headers.get('access-control-allow-credentials')).toBeNull();
  });

  // yoga's own CORS (@whatwg-node/server useCors) would answer any Origin with Access-Control-Allow-Credentials:
  // true, and with one CORS origin configured, name that origin whatever the request's: credentials go to allowed
  // origins only.
  it('answers no Access-Control-Allow-Credentials to a foreign origin (with or without the cookie)', async () => {
    const { cookie } = await logInForCookie(stack);
    const foreignNoCookie = await gql(stack.url, sessionQuery, {
      headers: { origin: 'https://evil.example' },
    });
    expect(foreignNoCookie.status).toBe(200);
    const refused = await gql(stack.url, meQuery, { headers: { cookie, origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    expect({
      noCookie: [
        foreignNoCookie.headers.get('access-control-allow-origin'),
        foreignNoCookie.headers.get('access-control-allow-credentials'),
      ],
      refused: [
        refused.headers.get('access-control-allow-origin'),
        refused.headers.get('access-control-allow-credentials'),
      ],
    }).toEqual({ noCookie: [null, null], refused: [null, null] });
  });

  it('without an Origin: accepted only when Sec-Fetch-Site is absent or same-origin', async () => {
    const { cookie } = await logInForCookie(stack);
    for (const site of ['cross-site', 'same-site', 'none']) {
      const answer = await gql(stack.url, meQuery, { headers: { cookie, 'sec-fetch-site': site } });
      expect({ site, status: answer.status }).toEqual({ site, status: 403 });
      expect(answer.body.errors[0].extensions.code).toBe('SESSION_ORIGIN_REFUSED');
    }
    const sameOrigin = await gql(stack.url, meQuery, {
      headers: { cookie, 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.body.data.me.__typename).toBe('Customer');
    const absent = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(absent.body.data.me.__typename).toBe('Customer');
  });

  it('keeps yoga’s CSRF prevention on for cookie requests from allowed origins', async () => {
    const { cookie } = await logInForCookie(stack);
    stack.emulator.clearRequests();
    const form = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', cookie, origin: storefront },
      body: JSON.stringify({ query: 'mutation { logOut { __typename } }' }),
    });
    expect(form.status).toBe(403);
    const get = await fetch(`${stack.url}?query=${encodeURIComponent('{ session { kind } }')}`, {
      headers: { cookie, accept: 'application/json' },
    });
    expect(get.status).toBe(403);
    expect(stack.upstream()).toEqual([]);
  });
});

describe('log-out with a session', () => {
  it('calls Emporix’s logout with the session’s token, deletes the session and expires the cookie', async () => {
    const { cookie } = await logInForCookie(stack);
    stack.emulator.clearRequests();
    const me = await gql(stack.url, meQuery, { headers: { cookie } });
    const sessionToken = (stack.upstream()[0]?.headers.authorization ?? '').replace(/^Bearer /, '');
    expect(me.body.data.me.__typename).toBe('Customer');
    stack.emulator.clearRequests();
    const endedBefore = await metric(stack, 'gateway_sessions_total{event="ended"}');

    const out = await gql(stack.url, logOutMutation, { headers: { cookie } });
    expect(out.body.data.logOut).toEqual({ __typename: 'LogOutSuccess' });
    expect(cookieSet(out)).toMatchObject({ value: '', attributes: { 'max-age': '0' } });
    expect(out.headers.get('cache-control')).toBe('no-store');
    const [logout] = stack.upstream();
    expect(`${logout?.method} ${logout?.path}`).toBe('GET /customer/demo/logout');
    expect(logout?.query.accessToken).toBe(sessionToken);
    expect(logout?.headers.authorization).toBe(`Bearer ${sessionToken}`);
    expect(await metric(stack, 'gateway_sessions_total{event="ended"}')).toBe(endedBefore + 1);

    // Signed out everywhere: the cookie names nothing, and Emporix refuses the token.
    const after = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(after.body.data.me.code).toBe('SESSION_EXPIRED');
    const session = await gql(stack.url, sessionQuery, { headers: { cookie } });
    expect(session.body.data.session.kind).toBe('NONE');
    const withToken = await gql(stack.url, meQuery, { headers: { authorization: `Bearer ${sessionToken}` } });
    expect(withToken.body.data.me.__typename).toBe('UnauthorizedError');
  });

  it('ends the session even when Emporix answers an error', async () => {
    const { cookie } = await logInForCookie(stack);
    stack.emulator.injectFault({ method: 'GET', path: '/customer/demo/logout', status: 503 });
    const out = await gql(stack.url, logOutMutation, { headers: { cookie } });
    expect(out.body.data.logOut).toEqual({ __typename: 'UpstreamError', status: 503, retryable: true });
    expect(cookieSet(out).attributes['max-age']).toBe('0');
    const after = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(after.body.data.me.code).toBe('SESSION_EXPIRED');

    // And when Emporix cannot be reached at all.
    const second = await logInForCookie(stack);
    stack.emulator.injectFault({ method: 'GET', path: '/customer/demo/logout', destroySocket: true });
    const cut = await gql(stack.url, logOutMutation, { headers: { cookie: second.cookie } });
    expect(cut.body.data.logOut).toMatchObject({ __typename: 'UpstreamError', status: null });
    expect(cookieSet(cut).attributes['max-age']).toBe('0');
    expect((await gql(stack.url, meQuery, { headers: { cookie: second.cookie } })).body.data.me.code).toBe(
      'SESSION_EXPIRED',
    );
  });

  it('with an ended session: SESSION_EXPIRED, nothing upstream, the cookie expired', async () => {
    const out = await gql(stack.url, logOutMutation, {
      headers: { cookie: `emporix_session=${randomBytes(32).toString('base64url')}` },
    });
    expect(out.body.data.logOut).toEqual({ __typename: 'UnauthorizedError', code: 'SESSION_EXPIRED' });
    expect(cookieSet(out).attributes['max-age']).toBe('0');
    expect(upstreamPaths(stack).filter((path) => path.includes('logout'))).toEqual([]);
  });
});
