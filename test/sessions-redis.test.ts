/**
 * Sessions in Redis (REDIS_URL), read with an ioredis client of the test's own: keys are SHA-256 digests of the ids,
 * values AES-256-GCM blobs (a fresh IV each write, the digest as additional data) that hold no token and no id;
 * secret rotation; two instances on one Redis share one refresh; log-out deletes the key. And a Redis that goes
 * away (a redis-server of this file's own, killed by its PID): a cookie request is a retryable UpstreamError,
 * never a log-out, and bearer requests go on.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../src/emulator/index.js';
import type { Stack } from './harness.js';
import {
  cookieSet,
  count,
  gql,
  hasRedisServer,
  logInForCookie,
  logInMutation,
  logOutMutation,
  meQuery,
  redisClient,
  secretHex,
  sessionQuery,
  stackOver,
  startOwnRedis,
  startRecordingProxy,
  tokensIn,
  upstreamPaths,
} from './sessions-support.js';

const redisUrl = process.env.REDIS_URL;

/** The Redis key of a session cookie's id: never the id itself. */
function keyOf(cookieValue: string): string {
  return `emporix-gateway:session:${createHash('sha256').update(cookieValue).digest('base64url')}`;
}

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close().catch(() => {});
});

async function client(url: string): Promise<Redis> {
  const redis = await redisClient(url);
  closers.push(async () => redis.disconnect());
  return redis;
}

describe.skipIf(!redisUrl)('sessions in Redis (REDIS_URL; skipped without it)', () => {
  let emulator: Emulator;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let reader: Redis;
  const secret = secretHex();
  const stacks: Stack[] = [];

  async function instance(secrets = secret): Promise<Stack> {
    const stack = await stackOver(emulator, proxy.url, {
      secrets,
      gateway: { redis: await client(redisUrl ?? '') },
    });
    stacks.push(stack);
    closers.push(() => stack.close());
    return stack;
  }

  beforeAll(async () => {
    emulator = await createEmulator({ ttl: { customerToken: 600 } });
    closers.push(() => emulator.close());
    // Refresh answers held back: concurrent requests on both instances meet the refresh in flight.
    proxy = await startRecordingProxy(emulator.url, {
      delayMs: (path) => (path.endsWith('/refreshauthtoken') ? 400 : 0),
    });
    closers.push(() => proxy.close());
    reader = await client(redisUrl ?? '');
  });

  it('keys a session by the SHA-256 of its id and keeps its tokens encrypted: a dump reveals neither', async () => {
    const stack = await instance();
    const { set, cookie } = await logInForCookie(stack);
    const key = keyOf(set.value);
    const blob = await reader.get(key);
    expect(blob).toEqual(expect.any(String));
    // Its lifetime is the session's: the cookie's Max-Age.
    const ttlMs = await reader.pttl(key);
    expect(Math.abs(ttlMs / 1000 - Number(set.attributes['max-age']))).toBeLessThan(5);

    // Refresh once (the emulator says the token expired), so that the store has held two generations of tokens.
    emulator.advanceClock(700);
    expect((await gql(stack.url, meQuery, { headers: { cookie } })).body.data.me.__typename).toBe('Customer');
    const rewritten = await reader.get(key);
    expect(rewritten).not.toBe(blob);
    // A fresh IV at each write (the first 12 bytes).
    const iv = (value: string | null) =>
      Buffer.from(value ?? '', 'base64url')
        .subarray(0, 12)
        .toString('hex');
    expect(iv(rewritten)).not.toBe(iv(blob));

    const tokens = tokensIn(proxy.bodies);
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    const keys = await reader.keys('emporix-gateway:session*');
    const dump: string[] = [];
    for (const name of keys) {
      dump.push(name);
      const value = await reader.get(name);
      if (value !== null) dump.push(value, Buffer.from(value, 'base64url').toString('latin1'));
    }
    const text = dump.join('\n');
    expect(keys).toContain(key);
    expect(keys.some((name) => name.includes(set.value))).toBe(false);
    expect(text).not.toContain(set.value);
    expect(tokens.filter((token) => text.includes(token))).toEqual([]);
    expect(text).not.toMatch(/accessToken|refreshToken|"tenant"/);
  });

  it('a blob copied under another session’s key does not decrypt there (the digest is its additional data)', async () => {
    const stack = await instance();
    const a = await logInForCookie(stack);
    const b = await logInForCookie(stack);
    await reader.set(keyOf(b.set.value), (await reader.get(keyOf(a.set.value))) ?? '', 'PX', 60_000);
    const me = await gql(stack.url, meQuery, { headers: { cookie: b.cookie } });
    expect(me.body.data.me).toMatchObject({ __typename: 'UnauthorizedError', code: 'SESSION_EXPIRED' });
    expect(cookieSet(me).attributes['max-age']).toBe('0');
    expect((await gql(stack.url, meQuery, { headers: { cookie: a.cookie } })).body.data.me.__typename).toBe(
      'Customer',
    );
  });

  it('rotates secrets: the first encrypts, all decrypt; a session under a dropped secret is SESSION_EXPIRED', async () => {
    const old = secretHex();
    const fresh = randomBytes(32).toString('base64');
    const before = await instance(old);
    const rotated = await instance(`${fresh},${old}`);
    const dropped = await instance(fresh);
    const { cookie } = await logInForCookie(before);

    const me = await gql(rotated.url, meQuery, { headers: { cookie } });
    expect(me.body.data.me.__typename).toBe('Customer');
    const lost = await gql(dropped.url, meQuery, { headers: { cookie } });
    expect(lost.body.data.me.code).toBe('SESSION_EXPIRED');

    // A session started where rotation is in force is written with the new secret: the old-only instance cannot read it.
    const second = await logInForCookie(rotated);
    expect(
      (await gql(dropped.url, meQuery, { headers: { cookie: second.cookie } })).body.data.me.__typename,
    ).toBe('Customer');
    expect((await gql(before.url, meQuery, { headers: { cookie: second.cookie } })).body.data.me.code).toBe(
      'SESSION_EXPIRED',
    );
  });

  it('two instances on one Redis make exactly one refresh for 20 concurrent requests (10 each)', async () => {
    const first = await instance();
    const second = await instance();
    const { cookie } = await logInForCookie(first);
    // Both instances can use it at once: one store.
    expect((await gql(second.url, meQuery, { headers: { cookie } })).body.data.me.__typename).toBe(
      'Customer',
    );

    emulator.advanceClock(700);
    emulator.clearRequests();
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        gql((index % 2 === 0 ? first : second).url, meQuery, { headers: { cookie } }),
      ),
    );
    expect(answers.map((answer) => answer.body.data.me.__typename)).toEqual(Array(20).fill('Customer'));
    const paths = emulator.requests().map((request) => `${request.method} ${request.path}`);
    expect(count(paths, 'GET /customer/demo/refreshauthtoken')).toBe(1);
    console.info(
      `two instances, one Redis: 20 concurrent requests after a 401 → ${count(paths, 'GET /customer/demo/refreshauthtoken')} ` +
        `refreshauthtoken call, ${count(paths, 'GET /customer/demo/me')} me calls`,
    );
    // And no lock is left behind.
    expect(await reader.keys('emporix-gateway:session-lock:*')).toEqual([]);
  });

  it('log-out deletes the key', async () => {
    const stack = await instance();
    const { set, cookie } = await logInForCookie(stack);
    expect(await reader.exists(keyOf(set.value))).toBe(1);
    const out = await gql(stack.url, logOutMutation, { headers: { cookie } });
    expect(out.body.data.logOut.__typename).toBe('LogOutSuccess');
    expect(await reader.exists(keyOf(set.value))).toBe(0);
  });

  it('a new log-in deletes the old cookie’s key (no fixation)', async () => {
    const stack = await instance();
    const first = await logInForCookie(stack);
    const second = await logInForCookie(stack, { headers: { cookie: first.cookie } });
    expect(await reader.exists(keyOf(first.set.value))).toBe(0);
    expect(await reader.exists(keyOf(second.set.value))).toBe(1);
  });
});

describe.skipIf(!hasRedisServer)('when Redis goes away (a redis-server of this test’s own)', () => {
  it('a cookie request is UpstreamError {status: null, retryable: true}, never a log-out; bearer requests go on', async () => {
    const server = await startOwnRedis();
    closers.push(() => server.stop());
    const redis = await client(server.url);
    const emulator = await createEmulator();
    closers.push(() => emulator.close());
    const stack = await stackOver(emulator, emulator.url, { gateway: { redis } });
    closers.push(() => stack.close());
    const { cookie } = await logInForCookie(stack);
    expect((await gql(stack.url, meQuery, { headers: { cookie } })).body.data.me.__typename).toBe('Customer');

    await server.stop();
    emulator.clearRequests();
    const me = await gql(stack.url, meQuery, { headers: { cookie } });
    expect(me.body.data.me).toEqual({
      __typename: 'UpstreamError',
      status: null,
      retryable: true,
      message: expect.stringMatching(/session store is unavailable/i),
    });
    // Not a log-out: the cookie stays, nothing went upstream with any token.
    expect(me.setCookies).toEqual([]);
    expect(upstreamPaths(stack)).toEqual([]);

    const session = await gql(stack.url, sessionQuery, { headers: { cookie } });
    expect(session.body.errors?.[0]?.extensions?.code).toBe('SESSION_STORE_UNAVAILABLE');
    expect(session.setCookies).toEqual([]);

    const out = await gql(stack.url, logOutMutation, { headers: { cookie } });
    expect(out.body.data.logOut).toMatchObject({
      __typename: 'UpstreamError',
      status: null,
      retryable: true,
    });

    // A log-in that cannot store its session says so (it never falls back to memory).
    const logIn = await gql(stack.url, logInMutation, {
      variables: { email: emulator.demo.email, password: emulator.demo.password },
    });
    expect(logIn.body.data.logIn).toMatchObject({
      __typename: 'UpstreamError',
      status: null,
      retryable: true,
    });
    expect(logIn.setCookies).toEqual([]);

    // Bearer requests do not touch the store.
    const bearer = await gql(stack.url, meQuery, {
      headers: { authorization: `Bearer ${emulator.demo.customerToken}` },
    });
    expect(bearer.body.data.me).toMatchObject({ __typename: 'Customer', contactEmail: 'demo@example.com' });
    // And neither do requests without a cookie.
    const none = await gql(stack.url, sessionQuery);
    expect(none.body.data.session).toEqual({ kind: 'NONE', expiresAt: null });
  });
});
