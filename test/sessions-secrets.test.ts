/**
 * Nothing of a session leaks: the memory store (read directly, through the store's own `entries()`) holds digests
 * and blobs, never an id or a token; and a whole session's life through real HTTP (log-in, use, refresh, the
 * session query, a foreign origin, an unknown cookie, log-out) leaves no id, id digest, cookie value or token in any log
 * line (level trace) or on /metrics, whose gateway_sessions_total counts every event (blobs: sessions-redis.test.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../src/emulator/index.js';
import { createSessionCipher } from '../src/sessions/crypto.js';
import { createSessionManager, type SessionEvent } from '../src/sessions/sessions.js';
import { createMemorySessionStore } from '../src/sessions/store.js';
import type { Stack } from './harness.js';
import {
  gql,
  logInForCookie,
  logOutMutation,
  meQuery,
  metric,
  parseSetCookie,
  sessionQuery,
  stackOver,
  startRecordingProxy,
  tokensIn,
} from './sessions-support.js';

describe('the memory store, read directly', () => {
  it('holds the SHA-256 of the id as its key and an AES-GCM blob bound to it: no id, no token', async () => {
    const store = createMemorySessionStore();
    const secret = randomBytes(32);
    const events: SessionEvent[] = [];
    const manager = createSessionManager({
      store,
      cipher: createSessionCipher([secret]),
      secureCookie: false,
      onEvent: (event) => events.push(event),
    });
    const tokens = {
      accessToken: `access-${randomBytes(16).toString('hex')}`,
      accessTokenIssuedAt: Date.now(),
      accessTokenExpiresAt: Date.now() + 3_600_000,
      refreshToken: `refresh-${randomBytes(16).toString('hex')}`,
      refreshTokenExpiresAt: Date.now() + 86_400_000,
      saasToken: `saas-${randomBytes(16).toString('hex')}`,
    };
    const first = parseSetCookie(await manager.start('demo', tokens));
    const second = parseSetCookie(await manager.start('demo', tokens, first.value));
    expect(events).toEqual(['started', 'started']);

    const entries = store.entries();
    // The first session was deleted when the second started (no fixation): one entry.
    expect(entries).toHaveLength(1);
    const [[key, blob] = ['', '']] = entries;
    const digest = createHash('sha256').update(second.value).digest();
    expect(key).toBe(`emporix-gateway:session:${digest.toString('base64url')}`);
    const raw = `${key}\n${blob}\n${Buffer.from(blob, 'base64url').toString('latin1')}`;
    for (const secretValue of [
      first.value,
      second.value,
      tokens.accessToken,
      tokens.refreshToken,
      tokens.saasToken,
    ]) {
      expect(raw).not.toContain(secretValue);
    }
    expect(raw).not.toMatch(/accessToken|refreshToken/);

    // Decrypts with the id's digest as additional data, and with nothing else; a second cipher cannot read it.
    const cipher = createSessionCipher([secret]);
    expect(JSON.parse(cipher.decrypt(blob, digest) ?? '{}').tokens.accessToken).toBe(tokens.accessToken);
    expect(cipher.decrypt(blob, createHash('sha256').update(first.value).digest())).toBeUndefined();
    expect(createSessionCipher([randomBytes(32)]).decrypt(blob, digest)).toBeUndefined();
    // A fresh IV each write: the same plaintext twice is two different blobs.
    expect(cipher.encrypt('same', digest)).not.toBe(cipher.encrypt('same', digest));

    await manager.end(second.value);
    expect(store.entries()).toEqual([]);
    expect(events).toEqual(['started', 'started', 'ended']);
  });
});

describe('a whole session through HTTP', () => {
  let emulator: Emulator;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
  let stack: Stack;
  beforeAll(async () => {
    emulator = await createEmulator({ ttl: { customerToken: 600 } });
    proxy = await startRecordingProxy(emulator.url);
    stack = await stackOver(emulator, proxy.url, { gateway: { corsOrigins: ['http://localhost:4040'] } });
  });
  afterAll(async () => {
    await stack?.close();
    await proxy?.close();
    await emulator?.close();
  });

  it('leaves no id, id digest, cookie value or token in the logs or on /metrics', async () => {
    const ids: string[] = [];
    const first = await logInForCookie(stack);
    ids.push(first.set.value);
    const { cookie, set } = await logInForCookie(stack, { headers: { cookie: first.cookie } });
    ids.push(set.value);
    expect((await gql(stack.url, meQuery, { headers: { cookie } })).body.data.me.__typename).toBe('Customer');
    emulator.advanceClock(700);
    expect((await gql(stack.url, meQuery, { headers: { cookie } })).body.data.me.__typename).toBe('Customer');
    await gql(stack.url, sessionQuery, { headers: { cookie } });
    expect(
      (await gql(stack.url, meQuery, { headers: { cookie, origin: 'https://evil.example' } })).status,
    ).toBe(403);
    const unknown = randomBytes(32).toString('base64url');
    ids.push(unknown);
    await gql(stack.url, meQuery, { headers: { cookie: `emporix_session=${unknown}` } });
    expect((await gql(stack.url, logOutMutation, { headers: { cookie } })).body.data.logOut.__typename).toBe(
      'LogOutSuccess',
    );

    const tokens = tokensIn(proxy.bodies);
    // Two log-ins and a refresh: at least three access tokens and three refresh tokens went through the gateway.
    expect(tokens.length).toBeGreaterThanOrEqual(6);
    const digests = ids.map((id) => createHash('sha256').update(id).digest('base64url'));
    const secrets = [...ids, ...digests, ...tokens];
    const logs = stack.logs.join('\n');
    expect(stack.logs.length).toBeGreaterThan(5);
    expect(secrets.filter((value) => logs.includes(value))).toEqual([]);
    // No cookie header value, no Set-Cookie in any log line either.
    expect(logs).not.toMatch(/emporix_session=/);

    const metricsText = await (await fetch(new URL('/metrics', stack.url))).text();
    expect(secrets.filter((value) => metricsText.includes(value))).toEqual([]);
    const sessionLines = metricsText.split('\n').filter((line) => line.startsWith('gateway_sessions_total{'));
    // One label, event, with the five values of the issue and nothing else.
    for (const line of sessionLines) {
      expect(line).toMatch(
        /^gateway_sessions_total\{event="(started|refreshed|ended|expired|refused_origin)"\} \d+$/,
      );
    }
    const values = {
      started: await metric(stack, 'gateway_sessions_total{event="started"}'),
      refreshed: await metric(stack, 'gateway_sessions_total{event="refreshed"}'),
      ended: await metric(stack, 'gateway_sessions_total{event="ended"}'),
      expired: await metric(stack, 'gateway_sessions_total{event="expired"}'),
      refused_origin: await metric(stack, 'gateway_sessions_total{event="refused_origin"}'),
    };
    expect(values).toEqual({ started: 2, refreshed: 1, ended: 1, expired: 1, refused_origin: 1 });
  });
});
