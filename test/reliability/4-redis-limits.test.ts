/**
 * Group 4, shared rate limits: two gateway processes on one Redis. The per-target and per-IP limits hold across
 * both instances, under sequential and concurrent traffic, and a limited request never reaches the upstream. An
 * unknown email is limited exactly like a known one, so the limits reveal nothing about accounts.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  clearUpstreamRequests,
  DEMO_CLIENT_ID,
  DEMO_EMAIL,
  type EmulatorProc,
  type GatewayProc,
  gql,
  REQUEST_PASSWORD_RESET,
  type RedisHandle,
  recordSecrets,
  resetGroupFiles,
  rootResult,
  scanLogs,
  secretsInUpstream,
  startEmulator,
  startGateway,
  startRedis,
  stopAll,
  stopProc,
  summary,
  typenameOf,
  upstreamRequests,
  waitFor,
} from './support.js';

const GROUP = 'redis';
const RESET_PATH = '/customer/demo/password/reset';
const run = randomUUID().slice(0, 8);

let redisHandle: RedisHandle;
let redis: Redis;
let emulator: EmulatorProc;
let current: GatewayProc[] = [];

/** Removes the gateway's counters (and only those), so each scenario starts from zero. */
async function clearCounters(): Promise<void> {
  let cursor = '0';
  for (let round = 0; round < 1000; round += 1) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', 'emporix-gateway:*', 'COUNT', 1000);
    if (keys.length > 0) await redis.del(...keys);
    cursor = next;
    if (cursor === '0') return;
  }
}

async function connectedClients(client: Redis = redis): Promise<number> {
  const list = String(await client.call('CLIENT', 'LIST'));
  return list.split('\n').filter((line) => line.trim() !== '').length;
}

/**
 * Two instances on the same Redis. Waits until both hold a Redis connection: an instance answers /health before
 * its connection is up, and until then it counts in its own memory only (see the report of the suite).
 */
async function pair(
  name: string,
  env: Record<string, string>,
  on: { handle: RedisHandle; client: Redis } = { handle: redisHandle, client: redis },
): Promise<[GatewayProc, GatewayProc]> {
  const common = { EMPORIX_CLIENT_ID: DEMO_CLIENT_ID, REDIS_URL: on.handle.url, ...env };
  // The previous scenario's pair, also when it failed before stopping it.
  await Promise.all(current.map((gateway) => stopProc(gateway)));
  const before = await connectedClients(on.client);
  const gateways = await Promise.all([
    startGateway({ group: GROUP, name: `${name}-a`, upstreamUrl: emulator.url, env: common }),
    startGateway({ group: GROUP, name: `${name}-b`, upstreamUrl: emulator.url, env: common }),
  ]);
  current = gateways;
  await waitFor(
    'both instances connected to Redis',
    async () => (await connectedClients(on.client)) >= before + 2,
    10_000,
  );
  return gateways;
}

function reset(gateway: GatewayProc, email: string): Promise<Answer> {
  return gql(gateway.url, REQUEST_PASSWORD_RESET, { input: { email } });
}

interface Tally {
  successes: number;
  limited: number;
  other: string[];
  retryAfter: number[];
}

function tally(answers: readonly Answer[]): Tally {
  const result: Tally = { successes: 0, limited: 0, other: [], retryAfter: [] };
  for (const answer of answers) {
    const typename = typenameOf(answer.json);
    if (answer.status === 200 && typename === 'RequestPasswordResetSuccess') result.successes += 1;
    else if (answer.status === 200 && typename === 'RateLimitedError') {
      result.limited += 1;
      const retryAfter = rootResult(answer.json)?.retryAfterSeconds;
      result.retryAfter.push(typeof retryAfter === 'number' ? retryAfter : Number.NaN);
    } else result.other.push(`${answer.status} ${answer.text.slice(0, 200)}`);
  }
  return result;
}

async function upstreamFor(emails: readonly string[]): Promise<number> {
  const wanted = new Set(emails);
  const requests = await upstreamRequests(emulator.url);
  recordSecrets(GROUP, secretsInUpstream(requests));
  return requests.filter(
    (r) =>
      r.method === 'POST' &&
      r.path === RESET_PATH &&
      typeof r.body === 'object' &&
      r.body !== null &&
      wanted.has(String((r.body as { email?: unknown }).email)),
  ).length;
}

beforeAll(async () => {
  resetGroupFiles(GROUP);
  redisHandle = await startRedis();
  redis = new Redis(redisHandle.url, { maxRetriesPerRequest: 2, lazyConnect: false });
  emulator = await startEmulator();
  recordSecrets(GROUP, [emulator.customerToken, emulator.anonymousToken]);
});

afterAll(async () => {
  redis?.disconnect();
  await stopAll();
});

describe('reliability 4: two gateway instances on one Redis', () => {
  it('holds the per-target limit across both instances, for known and unknown emails alike', async () => {
    await clearCounters();
    const [a, b] = await pair('target', { RATE_LIMIT_PER_TARGET: '5/600', RATE_LIMIT_PER_IP: '1000/60' });
    await clearUpstreamRequests(emulator.url);

    const known: Answer[] = [];
    for (let i = 0; i < 10; i += 1) known.push(await reset(i % 2 === 0 ? a : b, DEMO_EMAIL));
    const unknownEmail = `nobody-${run}@example.com`;
    const unknown: Answer[] = [];
    for (let i = 0; i < 10; i += 1) unknown.push(await reset(i % 2 === 0 ? b : a, unknownEmail));
    // Concurrent: 20 requests for a third email, spread over both instances at once.
    const concurrentEmail = `race-${run}@example.com`;
    const concurrent = await Promise.all(
      Array.from({ length: 20 }, (_, i) => reset(i % 2 === 0 ? a : b, concurrentEmail)),
    );
    // Case and surrounding spaces do not make a new target.
    const variants = [` ${DEMO_EMAIL.toUpperCase()} `, 'Demo@Example.com'];
    const variantAnswers = await Promise.all(variants.map((email, i) => reset(i % 2 === 0 ? a : b, email)));

    const knownTally = tally(known);
    const unknownTally = tally(unknown);
    const concurrentTally = tally(concurrent);
    const variantTally = tally(variantAnswers);
    const upstreamKnown = await upstreamFor([DEMO_EMAIL]);
    const upstreamUnknown = await upstreamFor([unknownEmail]);
    const upstreamConcurrent = await upstreamFor([concurrentEmail]);
    const upstreamVariants = await upstreamFor(variants.map((email) => email.trim()));
    summary(`${GROUP} per-target`, {
      instances: 2,
      known_successes: knownTally.successes,
      known_limited: knownTally.limited,
      known_upstream: upstreamKnown,
      unknown_successes: unknownTally.successes,
      unknown_limited: unknownTally.limited,
      unknown_upstream: upstreamUnknown,
      concurrent_successes: concurrentTally.successes,
      concurrent_limited: concurrentTally.limited,
      concurrent_upstream: upstreamConcurrent,
      case_variants_limited: variantTally.limited,
      retry_after_min: Math.min(...knownTally.retryAfter, ...unknownTally.retryAfter),
    });

    for (const t of [knownTally, unknownTally]) {
      expect(t.other).toEqual([]);
      expect(t.successes).toBe(5);
      expect(t.limited).toBe(5);
      for (const retryAfter of t.retryAfter) {
        expect(retryAfter).toBeGreaterThan(0);
        expect(retryAfter).toBeLessThanOrEqual(600);
      }
    }
    // The first five pass, whichever instance they hit; everything after is limited.
    expect(known.map((x) => typenameOf(x.json))).toEqual(unknown.map((x) => typenameOf(x.json)));
    expect(known.slice(0, 5).every((x) => typenameOf(x.json) === 'RequestPasswordResetSuccess')).toBe(true);
    expect(upstreamKnown).toBe(5);
    expect(upstreamUnknown).toBe(5);
    expect(concurrentTally.other).toEqual([]);
    expect(concurrentTally.successes).toBe(5);
    expect(concurrentTally.limited).toBe(15);
    expect(upstreamConcurrent).toBe(5);
    expect(variantTally.limited).toBe(2);
    expect(upstreamVariants).toBe(0);
    expect(a.alive() && b.alive()).toBe(true);
    await Promise.all([stopProc(a), stopProc(b)]);
  });

  it('holds the per-IP limit across both instances', async () => {
    await clearCounters();
    const [a, b] = await pair('ip', { RATE_LIMIT_PER_TARGET: '5/600', RATE_LIMIT_PER_IP: '6/60' });
    await clearUpstreamRequests(emulator.url);
    const emails = Array.from({ length: 12 }, (_, i) => `ip-${run}-${i}@example.com`);
    const answers: Answer[] = [];
    for (const [i, email] of emails.entries()) answers.push(await reset(i % 2 === 0 ? a : b, email));
    const t = tally(answers);
    const upstream = await upstreamFor(emails);
    summary(`${GROUP} per-ip`, {
      instances: 2,
      requests: answers.length,
      successes: t.successes,
      limited: t.limited,
      upstream,
      retry_after_max: Math.max(...t.retryAfter),
    });
    expect(t.other).toEqual([]);
    expect(t.successes).toBe(6);
    expect(t.limited).toBe(6);
    expect(answers.slice(0, 6).every((x) => typenameOf(x.json) === 'RequestPasswordResetSuccess')).toBe(true);
    for (const retryAfter of t.retryAfter) {
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    expect(upstream).toBe(6);
    expect(a.alive() && b.alive()).toBe(true);
    await Promise.all([stopProc(a), stopProc(b)]);
  });

  // A redis-server of its own, killed by its PID: also in CI, where REDIS_URL's server must stay up.
  it('keeps answering, and limiting per instance, when Redis goes away', async () => {
    const own = await startRedis({ own: true });
    const ownClient = new Redis(own.url, { maxRetriesPerRequest: 2, lazyConnect: false });
    ownClient.on('error', () => undefined);
    const [a, b] = await pair(
      'redis-down',
      { RATE_LIMIT_PER_TARGET: '5/600', RATE_LIMIT_PER_IP: '1000/60' },
      { handle: own, client: ownClient },
    );
    const email = `down-${run}@example.com`;
    expect(typenameOf((await reset(a, email)).json)).toBe('RequestPasswordResetSuccess');
    ownClient.disconnect();
    expect(own.proc, 'the redis-server this test started').toBeDefined();
    if (own.proc) await stopProc(own.proc);
    await clearUpstreamRequests(emulator.url);
    const started = Date.now();
    const answers: Answer[] = [];
    for (let i = 0; i < 14; i += 1) answers.push(await reset(i % 2 === 0 ? a : b, email));
    const ms = Date.now() - started;
    const t = tally(answers);
    const upstream = await upstreamFor([email]);
    summary(`${GROUP} redis-down`, {
      requests: answers.length,
      successes: t.successes,
      limited: t.limited,
      other: t.other.length,
      upstream,
      ms,
      gateways_alive: a.alive() && b.alive(),
    });
    expect(t.other).toEqual([]);
    // Each instance falls back to its own in-memory counters: at most 5 per instance get through.
    expect(t.successes).toBeLessThanOrEqual(10);
    expect(t.limited).toBeGreaterThanOrEqual(4);
    expect(upstream).toBe(t.successes);
    expect(ms, 'requests must not wait for the missing Redis').toBeLessThan(10_000);
    expect(a.alive() && b.alive()).toBe(true);
    await Promise.all([stopProc(a), stopProc(b)]);
  });

  it('logged no secret', async () => {
    await stopAll();
    const report = scanLogs();
    expect([...report.leaks, ...report.patternLeaks]).toEqual([]);
  });
});
