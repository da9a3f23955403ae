/**
 * Group 2, faults: the upstream dies and comes back mid-load, hangs, resets connections, answers malformed JSON or
 * a huge body. The gateway must never crash, answer every request with a union member (UpstreamError where the
 * upstream failed), and recover as soon as the upstream does.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countBy,
  DEMO_CLIENT_ID,
  type EmulatorProc,
  type FaultServer,
  type GatewayProc,
  gql,
  HUGE_BODY_BYTES,
  healthStatus,
  ME,
  type Outcome,
  REQUEST_PASSWORD_RESET,
  recordSecrets,
  resetGroupFiles,
  rssMiB,
  runLoad,
  scanLogs,
  secretsInUpstream,
  signal,
  startEmulator,
  startFaultServer,
  startGateway,
  startLoad,
  stopAll,
  summary,
  typenameOf,
  upstreamRequests,
  waitFor,
} from './support.js';

const GROUP = 'faults';
const run = randomUUID().slice(0, 8);
/** A token the fault server accepts as anything: it is never checked, but it must never be logged either. */
const faultToken = `fault-token-${randomUUID()}`;

afterAll(async () => {
  await stopAll();
});

beforeAll(() => {
  resetGroupFiles(GROUP);
  recordSecrets(GROUP, [faultToken, `Bearer ${faultToken}`, 'fault-server-anonymous-token']);
});

function reset(index: number) {
  return {
    body: JSON.stringify({
      query: REQUEST_PASSWORD_RESET,
      variables: { input: { email: `faults-${run}-${index}@example.com` } },
    }),
  };
}

/** An UpstreamError for a transport failure: no status, worth retrying. */
function transportFailure(o: Outcome): boolean {
  return (
    o.status === 200 &&
    o.error === null &&
    o.graphqlErrors === 0 &&
    o.typename === 'UpstreamError' &&
    o.result?.status === null &&
    o.result.retryable === true &&
    typeof o.result.message === 'string'
  );
}

function describeOutcome(o: Outcome): string {
  return `status=${o.status} typename=${o.typename} error=${o.error} upstreamStatus=${String(o.result?.status)} retryable=${String(o.result?.retryable)}`;
}

describe('reliability 2: faults', () => {
  it('survives the upstream being killed mid-load and recovers when it restarts on the same port', async () => {
    let emulator: EmulatorProc = await startEmulator();
    const port = emulator.port;
    const gateway = await startGateway({
      group: GROUP,
      name: 'kill',
      upstreamUrl: emulator.url,
      env: { RATE_LIMITS: 'off', EMPORIX_CLIENT_ID: DEMO_CLIENT_ID, EMPORIX_TIMEOUT_MS: '3000' },
    });
    recordSecrets(GROUP, [emulator.customerToken, emulator.anonymousToken]);
    const total = 4000;
    const load = startLoad({
      url: gateway.url,
      total,
      concurrency: 50,
      deadlineMs: 120_000,
      requestTimeoutMs: 30_000,
      build: reset,
    });
    await waitFor('a third of the load', () => load.progress.completed >= total / 3, 60_000);
    recordSecrets(GROUP, secretsInUpstream(await upstreamRequests(emulator.url)));
    const killedAt = Date.now() - load.progress.startedAt;
    signal(emulator, 'SIGKILL');
    await emulator.exited;
    // Down long enough for a good share of requests to find it gone.
    const downFrom = load.progress.completed;
    await waitFor(
      'requests while the upstream is down',
      () => load.progress.completed >= downFrom + 300,
      30_000,
    ).catch(() => undefined);
    await sleep(500);
    emulator = await startEmulator(port);
    const restartedAt = Date.now() - load.progress.startedAt;
    recordSecrets(GROUP, [emulator.customerToken, emulator.anonymousToken]);
    const outcomes = await load.done;

    const after = await runLoad({
      url: gateway.url,
      total: 200,
      concurrency: 20,
      deadlineMs: 30_000,
      build: (i) => reset(total + i),
    });
    recordSecrets(GROUP, secretsInUpstream(await upstreamRequests(emulator.url)));

    const success = (o: Outcome) =>
      o.status === 200 && o.error === null && o.typename === 'RequestPasswordResetSuccess';
    const bad = outcomes.filter((o) => !success(o) && !transportFailure(o));
    const failed = outcomes.filter(transportFailure);
    const before = outcomes.filter((o) => success(o) && o.endedAt < killedAt);
    const recovered = outcomes.filter((o) => success(o) && o.endedAt > restartedAt);
    summary(`${GROUP} upstream-killed`, {
      requests: total,
      answered: outcomes.filter((o) => o.status !== null).length,
      lost: bad.length,
      successes_before_kill: before.length,
      upstream_errors: failed.length,
      successes_after_restart: recovered.length,
      followup_successes: after.filter(success).length,
      gateway_alive: gateway.alive(),
    });

    expect(countBy(bad, describeOutcome), 'requests without a success or a transport UpstreamError').toEqual(
      {},
    );
    expect(before.length).toBeGreaterThan(0);
    expect(failed.length, 'requests that found the upstream down').toBeGreaterThan(0);
    expect(recovered.length, 'successes after the restart').toBeGreaterThan(0);
    expect(
      countBy(
        after.filter((o) => !success(o)),
        describeOutcome,
      ),
      'follow-up requests',
    ).toEqual({});
    expect(gateway.alive()).toBe(true);
  });

  describe('against a misbehaving upstream', () => {
    let upstream: FaultServer;
    let gateway: GatewayProc;
    const bearer = { authorization: `Bearer ${faultToken}` };

    beforeAll(async () => {
      upstream = await startFaultServer();
      gateway = await startGateway({
        group: GROUP,
        name: 'faulty',
        upstreamUrl: upstream.url,
        env: { RATE_LIMITS: 'off', EMPORIX_CLIENT_ID: DEMO_CLIENT_ID, EMPORIX_TIMEOUT_MS: '1000' },
      });
    });

    afterAll(async () => {
      await upstream.close();
    });

    const me = () => ({ body: JSON.stringify({ query: ME }), headers: bearer });

    it('answers UpstreamError (no status, retryable) within the timeout when the upstream hangs', async () => {
      upstream.mode = 'hang';
      const received = upstream.received.hang;
      const started = Date.now();
      const load = startLoad({
        url: gateway.url,
        total: 60,
        concurrency: 30,
        deadlineMs: 30_000,
        build: (i) => (i % 3 === 0 ? me() : i % 3 === 1 ? reset(i) : { ...reset(i), headers: bearer }),
      });
      // The gateway keeps answering other requests while upstream calls hang.
      await sleep(300);
      const health = await healthStatus(gateway.origin);
      const outcomes = await load.done;
      const seconds = (Date.now() - started) / 1000;
      const bad = outcomes.filter((o) => !transportFailure(o));
      const slowest = Math.max(...outcomes.map((o) => o.ms));
      const fastest = Math.min(...outcomes.map((o) => o.ms));
      summary(`${GROUP} hang`, {
        requests: outcomes.length,
        upstream_errors: outcomes.length - bad.length,
        lost: bad.length,
        min_ms: fastest,
        max_ms: slowest,
        upstream_received: upstream.received.hang - received,
        health_during: health ?? 'none',
        seconds: seconds.toFixed(1),
      });
      expect(countBy(bad, describeOutcome)).toEqual({});
      expect(health).toBe(200);
      expect(fastest).toBeGreaterThanOrEqual(900);
      expect(slowest).toBeLessThan(3000);
      expect(upstream.received.hang - received).toBeGreaterThan(0);
      expect(gateway.alive()).toBe(true);
    });

    it('answers UpstreamError when the upstream resets connections', async () => {
      upstream.mode = 'reset';
      const received = upstream.received.reset;
      const outcomes = await runLoad({
        url: gateway.url,
        total: 300,
        concurrency: 30,
        deadlineMs: 30_000,
        build: (i) => (i % 2 === 0 ? me() : { ...reset(i), headers: bearer }),
      });
      const bad = outcomes.filter((o) => !transportFailure(o));
      summary(`${GROUP} reset`, {
        requests: outcomes.length,
        upstream_errors: outcomes.length - bad.length,
        lost: bad.length,
        upstream_received: upstream.received.reset - received,
      });
      expect(countBy(bad, describeOutcome)).toEqual({});
      expect(upstream.received.reset - received).toBeGreaterThanOrEqual(300);
      expect(gateway.alive()).toBe(true);
    });

    it('answers a non-retryable UpstreamError with status 200 when `me` gets malformed JSON', async () => {
      upstream.mode = 'malformed';
      const outcomes = await runLoad({
        url: gateway.url,
        total: 300,
        concurrency: 30,
        deadlineMs: 30_000,
        build: me,
      });
      const good = (o: Outcome) =>
        o.status === 200 &&
        o.error === null &&
        o.typename === 'UpstreamError' &&
        o.result?.status === 200 &&
        o.result.retryable === false;
      const bad = outcomes.filter((o) => !good(o));
      summary(`${GROUP} malformed-json`, {
        requests: outcomes.length,
        upstream_errors: outcomes.length - bad.length,
        lost: bad.length,
      });
      expect(countBy(bad, describeOutcome)).toEqual({});
      expect(gateway.alive()).toBe(true);
    });

    it('answers UpstreamError to a 20 MiB body without reading it, in bounded memory', async () => {
      upstream.mode = 'huge';
      const rssBefore = rssMiB(gateway.pid);
      let rssPeak = rssBefore;
      const sampler = setInterval(() => {
        if (gateway.alive()) rssPeak = Math.max(rssPeak, rssMiB(gateway.pid));
      }, 50);
      const written = upstream.hugeBytesWritten;
      const received = upstream.received.huge;
      let outcomes: Outcome[];
      try {
        outcomes = await runLoad({
          url: gateway.url,
          total: 40,
          concurrency: 10,
          deadlineMs: 60_000,
          build: me,
        });
      } finally {
        clearInterval(sampler);
      }
      rssPeak = Math.max(rssPeak, rssMiB(gateway.pid));
      const requests = upstream.received.huge - received;
      const writtenMiB = (upstream.hugeBytesWritten - written) / 1024 / 1024;
      const good = (o: Outcome) =>
        o.status === 200 && o.error === null && o.typename === 'UpstreamError' && o.ms < 5000;
      const bad = outcomes.filter((o) => !good(o));
      summary(`${GROUP} huge-body`, {
        requests: outcomes.length,
        upstream_errors: outcomes.length - bad.length,
        lost: bad.length,
        upstream_requests: requests,
        mib_offered: Math.round((requests * HUGE_BODY_BYTES) / 1024 / 1024),
        mib_written_before_hangup: Math.round(writtenMiB),
        rss_before_mib: Math.round(rssBefore),
        rss_peak_mib: Math.round(rssPeak),
      });
      expect(countBy(bad, describeOutcome)).toEqual({});
      expect(rssPeak - rssBefore, 'RSS growth while refusing huge bodies').toBeLessThan(100);
      // Each body is abandoned after about 1 MiB (plus socket buffers), not read to its 20 MiB end.
      expect(writtenMiB).toBeLessThan((requests * HUGE_BODY_BYTES) / 1024 / 1024 / 2);
      expect(gateway.alive()).toBe(true);
    });

    it('recovers as soon as the upstream is healthy again', async () => {
      upstream.mode = 'ok';
      const meAnswer = await gql(gateway.url, ME, undefined, bearer);
      const outcomes = await runLoad({
        url: gateway.url,
        total: 300,
        concurrency: 30,
        deadlineMs: 30_000,
        build: (i) => (i % 2 === 0 ? me() : reset(i)),
      });
      const good = (o: Outcome) =>
        o.status === 200 &&
        o.error === null &&
        o.typename === (o.index % 2 === 0 ? 'Customer' : 'RequestPasswordResetSuccess');
      const bad = outcomes.filter((o) => !good(o));
      summary(`${GROUP} recovery`, {
        requests: outcomes.length,
        successes: outcomes.length - bad.length,
        lost: bad.length,
        gateway_alive: gateway.alive(),
      });
      expect(typenameOf(meAnswer.json)).toBe('Customer');
      expect(countBy(bad, describeOutcome)).toEqual({});
      expect(await healthStatus(gateway.origin)).toBe(200);
      expect(gateway.alive()).toBe(true);
    });
  });

  it('logged no secret', async () => {
    await stopAll();
    const report = scanLogs();
    expect([...report.leaks, ...report.patternLeaks]).toEqual([]);
  });
});
