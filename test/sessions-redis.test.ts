/**
 * Sessions in Redis (REDIS_URL), read with an ioredis client of the test's own: keys are SHA-256 digests of the ids,
 * values AES-256-GCM blobs (a fresh IV each write, the digest as additional data) that hold no token and no id;
 * secret rotation; two instances on one Redis share one refresh; log-out deletes the key. And a Redis that goes
 * away (a redis-server of this file's own, killed by its PID): a cookie request is a retryable UpstreamError,
 * never a log-out, and bearer requests go on. And the races between instances (a redis-server of their own): a
 * refresh slower than the old 5 s lock, a waiter taking over from a refresh that failed, a refusal that meets
 * another instance's good tokens, a log-out while a refresh is in flight; and the store's conditional writes.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../src/emulator/index.js';
import { createSessionCipher } from '../src/sessions/crypto.js';
import { createSessionManager } from '../src/sessions/sessions.js';
import {
  createMemorySessionStore,
  createRedisSessionStore,
  type SessionStore,
} from '../src/sessions/store.js';
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
  proxiedSessionStack,
  type RecordingProxyOptions,
  redisClient,
  secretHex,
  sessionQuery,
  sleep,
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

/** The Redis key of a session's refresh lock. */
function lockKeyOf(cookieValue: string): string {
  return `emporix-gateway:session-lock:${createHash('sha256').update(cookieValue).digest('base64url')}`;
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

describe.skipIf(!hasRedisServer)(
  'races between instances on one Redis (a redis-server of this test’s own)',
  () => {
    const refreshPath = 'GET /customer/demo/refreshauthtoken';
    const mePath = 'GET /customer/demo/me';
    let redisUrlOfOwn: string;
    let reader: Redis;

    beforeAll(async () => {
      const server = await startOwnRedis();
      closers.push(() => server.stop());
      redisUrlOfOwn = server.url;
      reader = await client(server.url);
    });

    /** Two gateways over one emulator (behind one proxy) and one Redis, with one secret: two instances. */
    async function twoInstances(proxyOptions: RecordingProxyOptions) {
      const secrets = secretHex();
      const { stack: first, proxy } = await proxiedSessionStack({
        emulator: { ttl: { customerToken: 600 } },
        proxy: proxyOptions,
        secrets,
        gateway: { redis: await client(redisUrlOfOwn) },
      });
      closers.push(() => first.close());
      const second = await stackOver(first.emulator, proxy.url, {
        secrets,
        gateway: { redis: await client(redisUrlOfOwn) },
      });
      closers.push(() => second.close());
      return { first, second, secrets, emulator: first.emulator };
    }

    const sessionCalls = (emulator: Emulator) =>
      emulator
        .requests()
        .map((request) => `${request.method} ${request.path}`)
        .filter((path) => !path.includes('/anonymous/'));

    it('a refresh slower than 5 s (within the upstream timeout) is still made once: the lock outlives it', async () => {
      const { first, second, emulator } = await twoInstances({
        delayMs: (path) => (path.endsWith('/refreshauthtoken') ? 6000 : 0),
      });
      const { cookie, set } = await logInForCookie(first);
      emulator.advanceClock(700);
      emulator.clearRequests();

      const slow = gql(first.url, meQuery, { headers: { cookie } });
      await sleep(300);
      // The lock outlives the gateway's upstream timeout (10 s), and names its holder.
      expect(await reader.pttl(lockKeyOf(set.value))).toBeGreaterThan(10_000);
      expect(await reader.get(lockKeyOf(set.value))).toMatch(/^[\w-]{16,}$/);
      await sleep(5000);
      const waiting = gql(second.url, meQuery, { headers: { cookie } });
      const answers = await Promise.all([slow, waiting]);

      expect(answers.map((answer) => answer.body.data.me.__typename)).toEqual(['Customer', 'Customer']);
      // The first's refused call and its refresh; the second's refused call while that is in flight; both sent again.
      expect(sessionCalls(emulator)).toEqual([mePath, refreshPath, mePath, mePath, mePath]);
      // One refresh: the second instance sent the renewed token once more, not a second refresh.
      expect(
        new Set(
          emulator
            .requests()
            .filter((request) => request.path === '/customer/demo/me')
            .map((request) => request.headers.authorization),
        ).size,
      ).toBe(2);
      const later = await gql(first.url, meQuery, { headers: { cookie } });
      expect(later.body.data.me.__typename).toBe('Customer');
      expect(await reader.exists(lockKeyOf(set.value))).toBe(0);
    }, 30_000);

    it('a waiter takes the lock over as soon as the other instance’s refresh failed, not after a deadline', async () => {
      const { first, second, emulator } = await twoInstances({});
      const { cookie, set } = await logInForCookie(first);
      emulator.advanceClock(700);
      // The first refresh fails after 1 s; the next one works.
      emulator.injectFault({
        method: 'GET',
        path: '/customer/demo/refreshauthtoken',
        status: 503,
        delayMs: 1000,
      });
      emulator.clearRequests();

      const failing = gql(first.url, meQuery, { headers: { cookie } });
      await sleep(300);
      const startedAt = Date.now();
      const waiting = await gql(second.url, meQuery, { headers: { cookie } });
      const tookMs = Date.now() - startedAt;
      const failed = await failing;

      expect(failed.body.data.me).toMatchObject({
        __typename: 'UpstreamError',
        status: 503,
        retryable: true,
      });
      expect(failed.setCookies).toEqual([]);
      expect(waiting.body.data.me.__typename).toBe('Customer');
      expect(cookieSet(waiting).value).toBe(set.value);
      expect(tookMs).toBeLessThan(3000);
      expect(count(sessionCalls(emulator), refreshPath)).toBe(2);
      expect(await reader.exists(lockKeyOf(set.value))).toBe(0);
    });

    it('a refusal that meets another instance’s good tokens keeps them; its unlock leaves another’s lock be', async () => {
      const { first, secrets, emulator } = await twoInstances({
        delayMs: (path) => (path.endsWith('/refreshauthtoken') ? 800 : 0),
      });
      const { cookie, set } = await logInForCookie(first);
      emulator.advanceClock(700);
      emulator.injectFault({ method: 'GET', path: '/customer/demo/refreshauthtoken', status: 401 });
      emulator.clearRequests();
      const refused = gql(first.url, meQuery, { headers: { cookie } });
      await sleep(300);

      // Meanwhile another instance, whose view of the lock had expired, stored good tokens, and a third holds the
      // lock now: both through the store itself, as those instances would.
      const other = createSessionManager({
        store: createRedisSessionStore(await client(redisUrlOfOwn)),
        cipher: createSessionCipher([Buffer.from(secrets, 'hex')]),
        secureCookie: false,
      });
      await reader.del(lockKeyOf(set.value));
      const stored = await other.load(set.value);
      if (stored === undefined) throw new Error('the session is not in Redis');
      const goodToken = emulator.issueToken({ tenant: 'demo', kind: 'customer', email: emulator.demo.email });
      const renewed = await other.fresh(
        set.value,
        stored,
        async () => ({ ...stored.tokens, accessToken: goodToken }),
        stored.tokens.accessToken,
      );
      expect(renewed?.tokens.accessToken).toBe(goodToken);
      await reader.set(lockKeyOf(set.value), 'a-third-instance', 'PX', 60_000);

      const me = await refused;
      expect(me.body.data.me).toMatchObject({ __typename: 'Customer', contactEmail: 'demo@example.com' });
      expect(me.setCookies).toEqual([]);
      expect(sessionCalls(emulator)).toEqual([mePath, refreshPath, mePath]);
      const meBearers = emulator
        .requests()
        .filter((request) => request.path === '/customer/demo/me')
        .map((request) => request.headers.authorization);
      expect(meBearers[1]).toBe(`Bearer ${goodToken}`);
      expect(await reader.exists(keyOf(set.value))).toBe(1);
      expect(await reader.get(lockKeyOf(set.value))).toBe('a-third-instance');
      await reader.del(lockKeyOf(set.value));
    });

    it('a log-out on one instance while the other refreshes: the session stays ended, its key stays gone', async () => {
      const { first, second, emulator } = await twoInstances({
        delayMs: (path) => (path.endsWith('/refreshauthtoken') ? 500 : 0),
      });
      const { cookie, set } = await logInForCookie(first);
      emulator.advanceClock(700);
      emulator.clearRequests();

      const inFlight = gql(first.url, meQuery, { headers: { cookie } });
      await sleep(150);
      // Emporix cannot answer the log-out: the session ends at once, while the refresh is in flight (an
      // expired-token answer would make the log-out renew the token, and so wait for that very refresh).
      emulator.injectFault({ method: 'GET', path: '/customer/demo/logout', status: 503 });
      const out = await gql(second.url, logOutMutation, { headers: { cookie } });
      expect(out.body.data.logOut).toMatchObject({ __typename: 'UpstreamError', status: 503 });
      expect(cookieSet(out)).toMatchObject({ value: '', attributes: { 'max-age': '0' } });
      const me = await inFlight;

      expect(me.body.data.me).toMatchObject({ __typename: 'UnauthorizedError', code: 'SESSION_EXPIRED' });
      expect(me.setCookies).toHaveLength(1);
      expect(cookieSet(me)).toMatchObject({ value: '', attributes: { 'max-age': '0' } });
      expect(sessionCalls(emulator)).toEqual([mePath, refreshPath, 'GET /customer/demo/logout']);
      expect(await reader.exists(keyOf(set.value))).toBe(0);
      expect(await reader.exists(lockKeyOf(set.value))).toBe(0);
      const session = await gql(first.url, sessionQuery, { headers: { cookie } });
      expect(session.body.data.session).toEqual({ kind: 'NONE', expiresAt: null });
    });

    it('both stores: replace only what exists, delete only what holds the value, unlock only by its owner', async () => {
      const stores: [string, SessionStore][] = [
        ['memory', createMemorySessionStore()],
        ['redis', createRedisSessionStore(await client(redisUrlOfOwn))],
      ];
      for (const [name, store] of stores) {
        const key = `emporix-gateway:test:${name}:${randomBytes(8).toString('hex')}`;
        const lock = `${key}:lock`;
        const outcome = {
          replacedMissing: await store.replace(key, 'a', 60_000),
          missingAfter: await store.get(key),
          replacedExisting: await (async () => {
            await store.set(key, 'a', 60_000);
            return store.replace(key, 'b', 60_000);
          })(),
          afterReplace: await store.get(key),
          deletedOther: await store.deleteIf(key, 'a'),
          deletedSame: await store.deleteIf(key, 'b'),
          afterDelete: await store.get(key),
          locked: await store.lock(lock, 'owner-1', 60_000),
          lockedAgain: await store.lock(lock, 'owner-2', 60_000),
          heldAfterOthersUnlock: await (async () => {
            await store.unlock(lock, 'owner-2');
            return !(await store.lock(lock, 'owner-3', 60_000));
          })(),
          unlockedByOwner: await (async () => {
            await store.unlock(lock, 'owner-1');
            return store.lock(lock, 'owner-3', 60_000);
          })(),
        };
        await store.unlock(lock, 'owner-3');
        expect({ name, ...outcome }).toEqual({
          name,
          replacedMissing: false,
          missingAfter: undefined,
          replacedExisting: true,
          afterReplace: 'b',
          deletedOther: false,
          deletedSame: true,
          afterDelete: undefined,
          locked: true,
          lockedAgain: false,
          heldAfterOthersUnlock: true,
          unlockedByOwner: true,
        });
      }
    });
  },
);
