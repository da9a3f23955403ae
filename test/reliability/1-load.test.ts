/**
 * Group 1, load: 20,000 credential mutations at concurrency 200 through a real gateway process to a real emulator
 * process. Every request must be answered with a well-formed union member, every answer must match exactly one
 * upstream request (by request id), and the gateway's RSS must stay bounded.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANGE_PASSWORD,
  clearUpstreamRequests,
  countBy,
  DEMO_CLIENT_ID,
  type EmulatorProc,
  type GatewayProc,
  type LoadRequest,
  type Outcome,
  percentile,
  REQUEST_PASSWORD_RESET,
  recordSecrets,
  resetGroupFiles,
  rssMiB,
  runLoad,
  scanLogs,
  secretsInUpstream,
  startEmulator,
  startGateway,
  startLoad,
  stopAll,
  summary,
  upstreamRequests,
} from './support.js';

const GROUP = 'load';
const TOTAL = 20_000;
const WARMUP = 2_000;
const CONCURRENCY = 200;
const DEADLINE_MS = 150_000;
const MAX_RSS_GROWTH_MIB = 150;
const CREDENTIAL_PATHS = new Set(['/customer/demo/password/reset', '/customer/demo/password/change']);

const run = randomUUID().slice(0, 8);
const wrongPassword = `Load-Wrong-${run}-Pw!`;
const newPassword = `Load-New-${run}-Pw!`;

let emulator: EmulatorProc;
let gateway: GatewayProc;

/** Even: requestPasswordReset for an unknown email (Emporix 204, no mail → success); odd: changePassword, wrong password. */
function mutation(prefix: string, customerToken: string) {
  return (index: number): LoadRequest => {
    const requestId = `${prefix}-${index}`;
    if (index % 2 === 0) {
      return {
        body: JSON.stringify({
          query: REQUEST_PASSWORD_RESET,
          variables: { input: { email: `load-${run}-${index}@example.com` } },
        }),
        headers: { 'x-request-id': requestId },
      };
    }
    return {
      body: JSON.stringify({
        query: CHANGE_PASSWORD,
        variables: { input: { currentPassword: wrongPassword, newPassword } },
      }),
      headers: { 'x-request-id': requestId, authorization: `Bearer ${customerToken}` },
    };
  };
}

/** What a well-formed answer of request `index` looks like. */
function wellFormed(outcome: Outcome): boolean {
  if (outcome.status !== 200 || outcome.error !== null || outcome.graphqlErrors !== 0) return false;
  if (outcome.index % 2 === 0) return outcome.typename === 'RequestPasswordResetSuccess';
  return (
    outcome.typename === 'ValidationError' &&
    typeof outcome.result?.message === 'string' &&
    Array.isArray(outcome.result.issues)
  );
}

beforeAll(async () => {
  resetGroupFiles(GROUP);
  emulator = await startEmulator();
  gateway = await startGateway({
    group: GROUP,
    name: 'main',
    upstreamUrl: emulator.url,
    env: { RATE_LIMITS: 'off', EMPORIX_CLIENT_ID: DEMO_CLIENT_ID },
  });
  recordSecrets(GROUP, [
    wrongPassword,
    newPassword,
    emulator.customerToken,
    emulator.anonymousToken,
    `Bearer ${emulator.customerToken}`,
  ]);
});

afterAll(async () => {
  await stopAll();
});

describe('reliability 1: load', () => {
  it(`answers ${TOTAL} mutations at concurrency ${CONCURRENCY}, each exactly once upstream, in bounded memory`, async () => {
    const warmup = await runLoad({
      url: gateway.url,
      total: WARMUP,
      concurrency: CONCURRENCY,
      deadlineMs: 90_000,
      requestTimeoutMs: 60_000,
      build: mutation(`warm-${run}`, emulator.customerToken),
    });
    expect(
      countBy(
        warmup.filter((o) => !wellFormed(o)),
        describeOutcome,
      ),
    ).toEqual({});
    recordSecrets(GROUP, secretsInUpstream(await upstreamRequests(emulator.url)));
    await clearUpstreamRequests(emulator.url);

    const rssBefore = rssMiB(gateway.pid);
    let rssPeak = rssBefore;
    const sampler = setInterval(() => {
      if (gateway.alive()) rssPeak = Math.max(rssPeak, rssMiB(gateway.pid));
    }, 250);
    const started = Date.now();
    const load = startLoad({
      url: gateway.url,
      total: TOTAL,
      concurrency: CONCURRENCY,
      deadlineMs: DEADLINE_MS,
      // Generous: under saturation Node accepts new connections slowly, so a few first requests wait long.
      requestTimeoutMs: 90_000,
      build: mutation(`load-${run}`, emulator.customerToken),
    });
    let outcomes: Outcome[];
    try {
      outcomes = await load.done;
    } finally {
      clearInterval(sampler);
    }
    const seconds = (Date.now() - started) / 1000;
    const rssAfter = rssMiB(gateway.pid);
    rssPeak = Math.max(rssPeak, rssAfter);

    const upstream = (await upstreamRequests(emulator.url)).filter((r) => CREDENTIAL_PATHS.has(r.path));
    const upstreamIds = countBy(upstream, (r) => r.headers['x-request-id'] ?? 'none');
    const answered = outcomes.filter((o) => o.status !== null);
    const good = outcomes.filter(wellFormed);
    const bad = outcomes.filter((o) => !wellFormed(o));
    // Every answer here went upstream: RequestPasswordResetSuccess and the ValidationError of Emporix's 400.
    const lostUpstream = outcomes.filter((o) => upstreamIds[`load-${run}-${o.index}`] !== 1);
    const duplicated = Object.entries(upstreamIds).filter(([, count]) => count !== 1);
    const growth = rssPeak - rssBefore;

    summary(GROUP, {
      requests: TOTAL,
      answered: answered.length,
      lost: TOTAL - good.length,
      upstream: upstream.length,
      successes: good.length,
      reset_success: good.filter((o) => o.typename === 'RequestPasswordResetSuccess').length,
      validation_error: good.filter((o) => o.typename === 'ValidationError').length,
      rss_before_mib: Math.round(rssBefore),
      rss_peak_mib: Math.round(rssPeak),
      rss_after_mib: Math.round(rssAfter),
      rss_growth_mib: Math.round(growth),
      p50_ms: percentile(
        outcomes.map((o) => o.ms),
        50,
      ),
      p99_ms: percentile(
        outcomes.map((o) => o.ms),
        99,
      ),
      seconds: seconds.toFixed(1),
      rps: Math.round(TOTAL / seconds),
    });

    expect(countBy(bad, describeOutcome), 'answers that are not a well-formed union member').toEqual({});
    expect(good.length).toBe(TOTAL);
    expect(upstream.length, 'upstream requests == gateway successes').toBe(good.length);
    expect(lostUpstream.length, 'answers without exactly one upstream request').toBe(0);
    expect(duplicated, 'request ids sent upstream more than once').toEqual([]);
    expect(gateway.alive()).toBe(true);
    expect(growth, `RSS growth ${growth.toFixed(1)} MiB`).toBeLessThan(MAX_RSS_GROWTH_MIB);
    recordSecrets(GROUP, secretsInUpstream(upstream.slice(0, 50)));
  });

  it('logged one operation line per request and no secret', async () => {
    await stopAll();
    const operations = gateway.logLines().filter((line) => line.includes('"msg":"operation"'));
    expect(operations.length).toBeGreaterThanOrEqual(TOTAL + WARMUP);
    const report = scanLogs();
    expect([...report.leaks, ...report.patternLeaks]).toEqual([]);
  });
});

function describeOutcome(o: Outcome): string {
  return `${o.index % 2 === 0 ? 'reset' : 'change'} status=${o.status} typename=${o.typename} error=${o.error} graphqlErrors=${o.graphqlErrors}`;
}
