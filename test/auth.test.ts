/**
 * Tokens: which operation needs which, what happens without one, and the gateway's own anonymous token (cached per
 * tenant, one fetch for concurrent requests, refreshed once on a 401, never preferred to the caller's).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAnonymousTokenProvider } from '../src/emporix/anonymous-token.js';
import { createEmporixClient } from '../src/emporix/client.js';
import { createUpstreamHttp } from '../src/emporix/http.js';
import { createEmulator } from '../src/emulator/index.js';

import { expectTypename } from './assert.js';
import { type Stack, seedWith, startStack } from './harness.js';

const anonymousLoginPath = '/customerlogin/auth/anonymous/login';

describe('without a client id, every operation needs the caller’s token', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());

  it('answers MISSING_TOKEN for each operation and sends nothing upstream', async () => {
    const client = stack.client();
    const results = [
      (await client.Me()).me,
      (
        await client.ChangeCustomerEmail({
          input: { email: 'demo@example.com', password: 'pw', newEmail: 'new@example.com' },
        })
      ).changeCustomerEmail,
      (await client.ConfirmCustomerEmailChange({ input: { token: 'abc' } })).confirmCustomerEmailChange,
      (await client.RequestPasswordReset({ input: { email: 'demo@example.com' } })).requestPasswordReset,
      (await client.ResetPassword({ input: { token: 'abc', password: 'pw' } })).resetPassword,
      (await client.ChangePassword({ input: { currentPassword: 'a', newPassword: 'b' } })).changePassword,
    ];
    for (const result of results) {
      expect(expectTypename(result, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
    }
    expect(stack.upstream()).toEqual([]);
  });

  it('a blank Authorization header counts as missing; one that is not "Bearer <token>" is INVALID_TOKEN', async () => {
    const blank = await stack.client({ headers: { authorization: '  ' } }).Me();
    expect(expectTypename(blank.me, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
    const basic = await stack.client({ headers: { authorization: 'Basic dXNlcjpwdw==' } }).Me();
    expect(expectTypename(basic.me, 'UnauthorizedError').code).toBe('INVALID_TOKEN');
    expect(stack.upstream()).toEqual([]);
  });

  it('forwards the caller’s Authorization header as it is', async () => {
    const token = stack.emulator.demo.customerToken;
    const { me } = await stack.client({ headers: { authorization: `bearer ${token}` } }).Me();
    expect(expectTypename(me, 'Customer').contactEmail).toBe('demo@example.com');
    expect(stack.upstream().map((request) => request.headers.authorization)).toEqual([`bearer ${token}`]);
  });
});

describe('with a client id, the gateway fetches anonymous tokens itself', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: { clientId: 'demo-storefront' } });
  });
  afterAll(() => stack.close());
  beforeEach(() => {
    stack.emulator.clearFaults();
    stack.emulator.clearRequests();
  });

  it('concurrent requests share one token fetch, and later requests reuse the cached token', async () => {
    const client = stack.client();
    const answers = await Promise.all(Array.from({ length: 8 }, () => client.Me()));
    for (const { me } of answers) expect(expectTypename(me, 'Customer').id).toBe('00000000');
    await client.RequestPasswordReset({ input: { email: 'demo@example.com' } });

    const logins = stack.upstream().filter((request) => request.path === anonymousLoginPath);
    expect(logins).toHaveLength(1);
    expect(logins[0]?.query).toEqual({ tenant: 'demo', client_id: 'demo-storefront' });
    const tokensUsed = new Set(
      stack
        .upstream()
        .filter((request) => request.path !== anonymousLoginPath)
        .map((request) => request.headers.authorization),
    );
    expect(tokensUsed.size).toBe(1);
  });

  it('the caller’s own token always wins, and no anonymous token is fetched for it', async () => {
    const stackWithFreshCache = await startStack({ gateway: { clientId: 'demo-storefront' } });
    try {
      const token = stackWithFreshCache.emulator.demo.customerToken;
      const { me } = await stackWithFreshCache.client({ token }).Me();
      expect(expectTypename(me, 'Customer').id).toBe('13869000');
      expect(
        stackWithFreshCache.upstream().map((request) => [request.path, request.headers.authorization]),
      ).toEqual([['/customer/demo/me', `Bearer ${token}`]]);
    } finally {
      await stackWithFreshCache.close();
    }
  });

  it('customer-token operations still need the caller’s token', async () => {
    const { changePassword } = await stack
      .client()
      .ChangePassword({ input: { currentPassword: 'a', newPassword: 'b' } });
    expect(expectTypename(changePassword, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
    expect(stack.upstream()).toEqual([]);
  });

  it('on a 401 for its own token it drops it, fetches a fresh one once and retries once', async () => {
    const client = stack.client();
    await client.Me(); // make sure a token is cached
    stack.emulator.clearRequests();
    stack.emulator.injectFault({
      method: 'GET',
      path: '/customer/demo/me',
      status: 401,
      body: {
        fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } },
      },
    });
    const { me } = await client.Me();
    expect(expectTypename(me, 'Customer').id).toBe('00000000');
    const calls = stack.upstream();
    expect(calls.map((request) => request.path)).toEqual([
      '/customer/demo/me',
      anonymousLoginPath,
      '/customer/demo/me',
    ]);
    expect(calls[0]?.headers.authorization).not.toBe(calls[2]?.headers.authorization);
  });

  it('does not ask Emporix again for a few seconds about a tenant it refused', async () => {
    const client = stack.client({ tenant: 'nosuchtenant' });
    for (let i = 0; i < 3; i += 1) {
      expect(expectTypename((await client.Me()).me, 'UpstreamError')).toMatchObject({
        status: 400,
        retryable: false,
      });
    }
    expect(stack.upstream().map((request) => [request.path, request.query.tenant])).toEqual([
      [anonymousLoginPath, 'nosuchtenant'],
    ]);
  });

  it('a second 401 is answered as UnauthorizedError, without a third attempt', async () => {
    const expired = {
      method: 'POST',
      path: '/customer/demo/password/reset',
      status: 401,
      body: {
        fault: {
          faultstring: 'Access Token expired',
          detail: { errorcode: 'keymanagement.service.access_token_expired' },
        },
      },
      times: 2,
    };
    stack.emulator.injectFault(expired);
    const { requestPasswordReset } = await stack
      .client()
      .RequestPasswordReset({ input: { email: 'demo@example.com' } });
    expect(expectTypename(requestPasswordReset, 'UnauthorizedError').code).toBe('TOKEN_EXPIRED');
    expect(stack.upstream().map((request) => request.path)).toEqual([
      '/customer/demo/password/reset',
      anonymousLoginPath,
      '/customer/demo/password/reset',
    ]);
  });

  it('a 401 for the caller’s own token is not retried', async () => {
    const { me } = await stack.client({ token: 'revoked-token' }).Me();
    expect(expectTypename(me, 'UnauthorizedError').code).toBe('INVALID_TOKEN');
    expect(stack.upstream().map((request) => request.path)).toEqual(['/customer/demo/me']);
  });

  it('a failed token fetch maps like any answer, and the endpoint is then not called', async () => {
    const freshStack = await startStack({ gateway: { clientId: 'demo-storefront' } });
    try {
      freshStack.emulator.injectFault({ method: 'GET', path: anonymousLoginPath, status: 500 });
      const { resetPassword } = await freshStack
        .client()
        .ResetPassword({ input: { token: 'reset-token', password: 'New-Passw0rd!' } });
      expect(expectTypename(resetPassword, 'UpstreamError')).toMatchObject({ status: 500, retryable: true });
      expect(freshStack.upstream().map((request) => request.path)).toEqual([anonymousLoginPath]);

      // The failure is not cached: the next request fetches again and goes through.
      const { me } = await freshStack.client().Me();
      expectTypename(me, 'Customer');
    } finally {
      await freshStack.close();
    }
  });

  it('an unknown client id is the gateway’s configuration problem: an UpstreamError, logged once, and the endpoint is not called', async () => {
    const misconfigured = await startStack({ gateway: { clientId: 'no-such-client' } });
    try {
      const { me } = await misconfigured.client().Me();
      // Not the caller's fault: not the Validation or Unauthorized answer its own call would get.
      expect(expectTypename(me, 'UpstreamError')).toMatchObject({ status: 400, retryable: false });
      expect(misconfigured.upstream().map((request) => request.path)).toEqual([anonymousLoginPath]);
      // A second request is answered from the remembered refusal; the failure is logged once, at error.
      await misconfigured.client().Me();
      const failures = misconfigured.logs
        .map((line) => JSON.parse(line) as { level: number; msg: string; tenant?: string; status?: number })
        .filter((line) => line.msg === 'anonymous token request failed');
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ level: 50, tenant: 'demo', status: 400 });
    } finally {
      await misconfigured.close();
    }
  });
});

describe('the anonymous token cache refreshes a little before expires_in', () => {
  it('keeps a token until min(60 s, 10 % of its lifetime) before it expires, then fetches a new one', async () => {
    // The emulator hands out tokens with expires_in 3600: the cache must refresh 60 s early, at 3540 s.
    const emulator = await createEmulator({ ttl: { anonymousToken: 3600 } });
    const http = createUpstreamHttp({ baseUrl: emulator.url });
    let now = 1_000_000;
    const tokens = createAnonymousTokenProvider({
      client: createEmporixClient(http),
      clientId: 'demo-storefront',
      now: () => now,
    });
    try {
      const first = await tokens.get('demo', 'req-1');
      now += 3539_000;
      expect(await tokens.get('demo', 'req-2')).toBe(first);
      now += 1_000;
      const second = await tokens.get('demo', 'req-3');
      expect(second).not.toBe(first);
      expect(emulator.requests().filter((request) => request.path === anonymousLoginPath)).toHaveLength(2);

      // A short-lived token is refreshed 10 % early instead: 100 s → after 90 s.
      const shortLived = await createEmulator({ ttl: { anonymousToken: 100 } });
      const shortHttp = createUpstreamHttp({ baseUrl: shortLived.url });
      const shortTokens = createAnonymousTokenProvider({
        client: createEmporixClient(shortHttp),
        clientId: 'demo-storefront',
        now: () => now,
      });
      try {
        const a = await shortTokens.get('demo', 'req-4');
        now += 89_000;
        expect(await shortTokens.get('demo', 'req-5')).toBe(a);
        now += 1_000;
        expect(await shortTokens.get('demo', 'req-6')).not.toBe(a);
      } finally {
        await shortHttp.close();
        await shortLived.close();
      }
    } finally {
      await http.close();
      await emulator.close();
    }
  });

  it('is kept per tenant', async () => {
    const seed = seedWith({
      tenants: [{ tenant: 'acme', clientIds: ['demo-storefront'], customers: [] }],
    });
    const stack = await startStack({ emulator: { seed }, gateway: { clientId: 'demo-storefront' } });
    try {
      await stack.client({ tenant: 'demo' }).Me();
      await stack.client({ tenant: 'acme' }).Me();
      await stack.client({ tenant: 'acme' }).Me();
      const logins = stack.upstream().filter((request) => request.path === anonymousLoginPath);
      expect(logins.map((request) => request.query.tenant)).toEqual(['demo', 'acme']);
    } finally {
      await stack.close();
    }
  });
});
