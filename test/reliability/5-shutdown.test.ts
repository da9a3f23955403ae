/**
 * Group 5, SIGTERM during load: requests the gateway has accepted all complete, with a well-formed answer and
 * `Connection: close`; the process exits 0 within SHUTDOWN_TIMEOUT_MS and logs "stopped". Requests that arrive
 * after the signal are refused at the door (connection refused), which is expected, not a loss.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addFault,
  clearFaults,
  clearUpstreamRequests,
  countBy,
  DEMO_CLIENT_ID,
  DEMO_TENANT,
  descendants,
  type EmulatorProc,
  type Exit,
  freePort,
  gql,
  healthStatus,
  type Outcome,
  pidAlive,
  REQUEST_PASSWORD_RESET,
  recordSecrets,
  resetGroupFiles,
  scanLogs,
  secretsInUpstream,
  send,
  signal,
  startEmulator,
  startGateway,
  startLoad,
  startNpmScript,
  stopAll,
  stopProc,
  summary,
  typenameOf,
  upstreamRequests,
  waitFor,
} from './support.js';

const GROUP = 'shutdown';
const RESET_PATH = '/customer/demo/password/reset';
const IN_FLIGHT = 150;
const SHUTDOWN_TIMEOUT_MS = 10_000;
const run = randomUUID().slice(0, 8);

let emulator: EmulatorProc;

beforeAll(async () => {
  resetGroupFiles(GROUP);
  emulator = await startEmulator();
  recordSecrets(GROUP, [emulator.customerToken, emulator.anonymousToken]);
});

afterAll(async () => {
  await stopAll();
});

function reset(prefix: string) {
  return (index: number) => ({
    body: JSON.stringify({
      query: REQUEST_PASSWORD_RESET,
      variables: { input: { email: `${prefix}-${run}-${index}@example.com` } },
    }),
  });
}

/** Whether a new connection is refused (or answered) right now; never counts as a loss. */
async function probeNewConnection(url: string): Promise<string> {
  try {
    const answer = await send(url, {
      body: JSON.stringify({ query: '{ __typename }' }),
      headers: { 'content-type': 'application/json' },
      timeoutMs: 3000,
    });
    return `answered-${answer.status}`;
  } catch (error) {
    const code = (error as { code?: unknown; cause?: { code?: unknown } }).code;
    return typeof code === 'string' ? code : 'error';
  }
}

function describeOutcome(o: Outcome): string {
  return `status=${o.status} typename=${o.typename} error=${o.error} close=${o.connectionClose}`;
}

describe('reliability 5: SIGTERM during load', () => {
  it(`completes all ${IN_FLIGHT} in-flight requests, then exits 0 and logs "stopped"`, async () => {
    const gateway = await startGateway({
      group: GROUP,
      name: 'drain',
      upstreamUrl: emulator.url,
      env: {
        RATE_LIMITS: 'off',
        EMPORIX_CLIENT_ID: DEMO_CLIENT_ID,
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      },
    });
    // Warm the gateway's anonymous token, then make every reset take 2 s upstream.
    const warm = await gql(gateway.url, REQUEST_PASSWORD_RESET, {
      input: { email: `warm-${run}@example.com` },
    });
    expect(typenameOf(warm.json)).toBe('RequestPasswordResetSuccess');
    recordSecrets(GROUP, secretsInUpstream(await upstreamRequests(emulator.url)));
    await addFault(emulator.url, {
      method: 'POST',
      path: RESET_PATH,
      status: 204,
      delayMs: 2000,
      times: 10_000,
    });
    await clearUpstreamRequests(emulator.url);

    const load = startLoad({
      url: gateway.url,
      total: IN_FLIGHT,
      concurrency: IN_FLIGHT,
      deadlineMs: 60_000,
      requestTimeoutMs: 30_000,
      build: reset('drain'),
    });
    // All of them accepted and waiting on the upstream before the signal.
    await waitFor(
      `${IN_FLIGHT} requests in flight upstream`,
      async () =>
        (await upstreamRequests(emulator.url)).filter((r) => r.path === RESET_PATH).length >= IN_FLIGHT,
      20_000,
      50,
    );
    expect(load.progress.completed).toBe(0);
    const signalledAt = Date.now();
    signal(gateway, 'SIGTERM');
    await sleep(100);
    const afterSignal = await probeNewConnection(gateway.url);
    const outcomes = await load.done;
    const exit: Exit | 'timeout' = await Promise.race([
      gateway.exited,
      sleep(SHUTDOWN_TIMEOUT_MS + 5000).then(() => 'timeout' as const),
    ]);
    const exitMs = Date.now() - signalledAt;
    const lines = gateway.logLines();

    const good = (o: Outcome) =>
      o.status === 200 &&
      o.error === null &&
      o.graphqlErrors === 0 &&
      o.typename === 'RequestPasswordResetSuccess';
    const lost = outcomes.filter((o) => !good(o));
    summary(GROUP, {
      in_flight: IN_FLIGHT,
      completed: outcomes.filter(good).length,
      lost: lost.length,
      connection_close: outcomes.filter((o) => o.connectionClose).length,
      new_connection_after_sigterm: afterSignal,
      exit_code: exit === 'timeout' ? 'none' : String(exit.code ?? exit.signal),
      exit_ms: exitMs,
      stopped_logged: lines.some((line) => line.includes('"msg":"stopped"')),
    });

    expect(countBy(lost, describeOutcome), 'in-flight requests not completed').toEqual({});
    expect(exit).toEqual({ code: 0, signal: null });
    expect(exitMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS + 3000);
    expect(
      lines.some((line) => line.includes('"msg":"stopped"')),
      'a "stopped" log line',
    ).toBe(true);
    expect(outcomes.filter((o) => !o.connectionClose).length, 'answers without Connection: close').toBe(0);
    expect(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(afterSignal);
  });

  it('answers every request that reached the upstream when SIGTERM comes in the middle of continuous load', async () => {
    await clearFaults(emulator.url);
    const gateway = await startGateway({
      group: GROUP,
      name: 'continuous',
      upstreamUrl: emulator.url,
      env: {
        RATE_LIMITS: 'off',
        EMPORIX_CLIENT_ID: DEMO_CLIENT_ID,
        SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
      },
    });
    await gql(gateway.url, REQUEST_PASSWORD_RESET, { input: { email: `warm3-${run}@example.com` } });
    await addFault(emulator.url, {
      method: 'POST',
      path: RESET_PATH,
      status: 204,
      delayMs: 300,
      times: 10_000,
    });
    await clearUpstreamRequests(emulator.url);
    const total = 3000;
    const load = startLoad({
      url: gateway.url,
      total,
      concurrency: 50,
      deadlineMs: 60_000,
      requestTimeoutMs: 30_000,
      build: (index) => ({
        ...reset('continuous')(index),
        headers: { 'x-request-id': `continuous-${run}-${index}` },
      }),
    });
    await waitFor('some answers', () => load.progress.completed >= 200, 30_000);
    const signalledAt = Date.now();
    signal(gateway, 'SIGTERM');
    const outcomes = await load.done;
    const exit: Exit | 'timeout' = await Promise.race([
      gateway.exited,
      sleep(SHUTDOWN_TIMEOUT_MS + 5000).then(() => 'timeout' as const),
    ]);
    const exitMs = Date.now() - signalledAt;
    const upstream = await upstreamRequests(emulator.url);
    const forwarded = new Set(upstream.map((r) => r.headers['x-request-id']));
    const good = (o: Outcome) =>
      o.status === 200 && o.error === null && o.typename === 'RequestPasswordResetSuccess';
    // A request the upstream saw was accepted by the gateway: its caller must get the answer.
    const dropped = outcomes.filter((o) => forwarded.has(`continuous-${run}-${o.index}`) && !good(o));
    const refused = outcomes.filter(
      (o) => o.status === null && !forwarded.has(`continuous-${run}-${o.index}`),
    );
    const answeredBadly = outcomes.filter((o) => o.status !== null && !good(o));
    summary(`${GROUP} continuous`, {
      requests: total,
      answered: outcomes.filter(good).length,
      forwarded_upstream: forwarded.size,
      dropped_after_forwarding: dropped.length,
      answered_badly: answeredBadly.length,
      refused_after_sigterm: refused.length,
      exit_code: exit === 'timeout' ? 'none' : String(exit.code ?? exit.signal),
      exit_ms: exitMs,
    });
    expect(countBy(dropped, describeOutcome), 'requests forwarded upstream but not answered').toEqual({});
    expect(countBy(answeredBadly, describeOutcome), 'answers that are not a success').toEqual({});
    expect(exit).toEqual({ code: 0, signal: null });
  });

  it('exits within SHUTDOWN_TIMEOUT_MS even when in-flight requests never finish upstream', async () => {
    const shutdownTimeoutMs = 1500;
    const gateway = await startGateway({
      group: GROUP,
      name: 'stuck',
      upstreamUrl: emulator.url,
      env: {
        RATE_LIMITS: 'off',
        EMPORIX_CLIENT_ID: DEMO_CLIENT_ID,
        EMPORIX_TIMEOUT_MS: '60000',
        SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
      },
    });
    await clearFaults(emulator.url);
    await gql(gateway.url, REQUEST_PASSWORD_RESET, { input: { email: `warm2-${run}@example.com` } });
    await addFault(emulator.url, {
      method: 'POST',
      path: RESET_PATH,
      status: 204,
      delayMs: 30_000,
      times: 20,
    });
    await clearUpstreamRequests(emulator.url);
    const load = startLoad({
      url: gateway.url,
      total: 20,
      concurrency: 20,
      deadlineMs: 40_000,
      build: reset('stuck'),
    });
    await waitFor(
      '20 requests stuck upstream',
      async () => (await upstreamRequests(emulator.url)).filter((r) => r.path === RESET_PATH).length >= 20,
      20_000,
      50,
    );
    const signalledAt = Date.now();
    signal(gateway, 'SIGTERM');
    const exit: Exit | 'timeout' = await Promise.race([
      gateway.exited,
      sleep(shutdownTimeoutMs + 5000).then(() => 'timeout' as const),
    ]);
    const exitMs = Date.now() - signalledAt;
    if (exit === 'timeout') await stopProc(gateway, 0);
    const outcomes = await load.done;
    summary(`${GROUP} stuck-upstream`, {
      in_flight: 20,
      shutdown_timeout_ms: shutdownTimeoutMs,
      exit_code: exit === 'timeout' ? 'none' : String(exit.code ?? exit.signal),
      exit_ms: exitMs,
      answered: outcomes.filter((o) => o.status !== null).length,
    });
    expect(exit, 'the process exits by itself').not.toBe('timeout');
    expect(exitMs).toBeLessThan(shutdownTimeoutMs + 3000);
  });

  it("npm run start:prod is one Node process: SIGTERM to npm's PID stops it, and nothing is left listening", async () => {
    const port = await freePort();
    const npm = startNpmScript({
      group: GROUP,
      name: 'start-prod',
      script: 'start:prod',
      env: {
        NODE_ENV: 'production',
        EMPORIX_API_URL: emulator.url,
        EMPORIX_TENANT: DEMO_TENANT,
        EMPORIX_CLIENT_ID: DEMO_CLIENT_ID,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      },
    });
    const origin = `http://127.0.0.1:${port}`;
    await waitFor(
      'npm run start:prod /health',
      async () => {
        if (!npm.alive()) throw new Error(`npm run start:prod exited: ${npm.logLines().join('\n')}`);
        return (await healthStatus(origin)) === 200;
      },
      15_000,
    );
    const under = descendants(npm.pid);
    const commands = under.map((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(),
    );
    const warm = await gql(`${origin}/graphql`, REQUEST_PASSWORD_RESET, {
      input: { email: `prod-${run}@example.com` },
    });
    recordSecrets(GROUP, secretsInUpstream(await upstreamRequests(emulator.url)));
    const signalledAt = Date.now();
    signal(npm, 'SIGTERM');
    const exit: Exit | 'timeout' = await Promise.race([
      npm.exited,
      sleep(SHUTDOWN_TIMEOUT_MS).then(() => 'timeout' as const),
    ]);
    await waitFor('every process under npm to exit', () => under.every((pid) => !pidAlive(pid)), 3000).catch(
      () => undefined,
    );
    const exitMs = Date.now() - signalledAt;
    const left = under.filter(pidAlive);
    const afterwards = await healthStatus(origin);
    summary(`${GROUP} start-prod`, {
      processes_under_npm: commands.join(' | '),
      exit_code: exit === 'timeout' ? 'none' : String(exit.code ?? exit.signal),
      exit_ms: exitMs,
      left_running: left.length,
      health_after: String(afterwards),
    });
    expect(typenameOf(warm.json)).toBe('RequestPasswordResetSuccess');
    // npm execs the script: no shell between npm and the gateway, and no TypeScript loader in it.
    expect(commands).toEqual(['node dist/main.js']);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(left, 'processes still running after SIGTERM to npm').toEqual([]);
    expect(afterwards, 'the port still answers').toBeNull();
    expect(exitMs).toBeLessThan(5000);
    expect(npm.logLines().some((line) => line.includes('"signal":"SIGTERM"'))).toBe(true);
    expect(npm.logLines().some((line) => line.includes('"msg":"stopped"'))).toBe(true);
  });

  it('logged no secret', async () => {
    await stopAll();
    const report = scanLogs();
    expect([...report.leaks, ...report.patternLeaks]).toEqual([]);
  });
});
