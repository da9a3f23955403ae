/**
 * Shared machinery of the reliability suite: real processes on loopback (the compiled gateway, the compiled
 * emulator, redis-server), a bounded load runner, a misbehaving upstream, and the bookkeeping group 6 needs
 * (every gateway's log file, every secret the suite used, one per line in `<group>.secrets.txt`).
 *
 * Every process started here is registered and killed by its PID in `stopAll()` (call it from afterAll) and, as
 * a last resort, when the test worker exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
// The emulator's own admin shapes, read over HTTP here.
import type { Fault, OutboxMail, RecordedRequest } from '../../src/emulator/index.js';

export type { Fault, OutboxMail, RecordedRequest };

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** Log files of every gateway process and the secrets each group used: group 6 reads them all. */
export const logDir = join(repoRoot, 'test', 'reliability', '.logs');
const gatewayEntry = join(repoRoot, 'dist', 'main.js');
const emulatorEntry = join(repoRoot, 'dist', 'emulator', 'main.js');
const heapProbeEntry = join(repoRoot, 'test', 'reliability', 'heap-probe.mjs');

export const DEMO_TENANT = 'demo';
export const DEMO_CLIENT_ID = 'demo-storefront';
export const DEMO_EMAIL = 'demo@example.com';
export const DEMO_PASSWORD = 'Demo-Passw0rd!';

// ---------------------------------------------------------------------------------------------------------------
// Processes

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Proc {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** Set once it has exited. */
  exit: Exit | undefined;
  alive(): boolean;
}

const running = new Set<Proc>();

function track(name: string, child: ChildProcess): Proc {
  const { pid } = child;
  if (pid === undefined) throw new Error(`${name} did not start`);
  const proc: Proc = {
    name,
    pid,
    child,
    exit: undefined,
    exited: new Promise<Exit>((resolve) => {
      child.once('exit', (code, signal) => {
        proc.exit = { code, signal };
        running.delete(proc);
        resolve(proc.exit);
      });
    }),
    alive: () => proc.exit === undefined,
  };
  running.add(proc);
  return proc;
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProc(proc: Proc, graceMs = 3000): Promise<Exit> {
  if (proc.exit) return proc.exit;
  signal(proc, 'SIGTERM');
  const exit = await Promise.race([proc.exited, sleep(graceMs).then(() => undefined)]);
  if (exit) return exit;
  signal(proc, 'SIGKILL');
  return proc.exited;
}

export function signal(proc: Proc, name: NodeJS.Signals): void {
  if (proc.exit) return;
  try {
    process.kill(proc.pid, name);
  } catch {
    // Already gone.
  }
}

/** Stops every process this worker started, by PID. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((proc) => stopProc(proc, 2000)));
}

process.once('exit', () => {
  for (const proc of running) {
    try {
      process.kill(proc.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createNetServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `check` every `everyMs` until it is true or `timeoutMs` has passed (then throws `what`). */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  everyMs = 25,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > until) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** The PIDs of every process under `pid` (children, grandchildren, …), from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // After the command name, which is in parentheses and may contain spaces: state, then the parent's PID.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Whether a process exists and has not exited (a zombie, exited but not yet reaped, counts as gone). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Starts an npm script (`npm run <script>`) in the repository with `env`, its output in a log file like a
 * gateway's; registered like every other process, so stopAll() ends it by its PID.
 */
export function startNpmScript(options: {
  group: string;
  name: string;
  script: string;
  env: Record<string, string>;
}): Proc & { logPath: string; logLines(): string[] } {
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, `${options.group}-gateway-${options.name}.log`);
  const fd = openSync(logPath, 'w');
  const child = spawn('npm', ['run', '--silent', options.script], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      npm_config_update_notifier: 'false',
      ...options.env,
    },
    stdio: ['ignore', fd, fd],
    cwd: repoRoot,
  });
  closeSync(fd);
  return Object.assign(track(`npm run ${options.script}`, child), {
    logPath,
    logLines: () => readLines(logPath),
  });
}

/** Resident set size of a process, in MiB, from /proc/<pid>/status (VmRSS). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match?.[1]) throw new Error(`No VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (100 ticks a second). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

// ---------------------------------------------------------------------------------------------------------------
// Gateway

export interface GatewayProc extends Proc {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  /** http://127.0.0.1:PORT/graphql */
  url: string;
  /** stdout and stderr, JSON lines. */
  logPath: string;
  logLines(): string[];
  /** Only with `heapProbe`: asks the process to collect garbage fully, then reads what is still live. */
  liveHeap(): Promise<LiveHeap>;
}

export interface GatewayOptions {
  /** Names the log file: `<group>-gateway-<name>-<pid>.log`. */
  group: string;
  name: string;
  upstreamUrl: string;
  /** Extra environment; the defaults are tenant demo, LOG_LEVEL info, loopback and a free port. */
  env?: Record<string, string>;
  /** Run it under `heap-probe.mjs`, so that `liveHeap()` can read the live heap after a full collection. */
  heapProbe?: boolean;
}

/** The gateway's memory right after a full garbage collection, in MiB. */
export interface LiveHeap {
  heapUsed: number;
  external: number;
  rss: number;
  /** V8's heap spaces (old_space, code_space, …), each's used size in MiB. */
  spaces: Record<string, number>;
}

/** Starts `node dist/main.js`, waits until GET /health answers 200. */
export async function startGateway(options: GatewayOptions): Promise<GatewayProc> {
  mkdirSync(logDir, { recursive: true });
  const port = await freePort();
  const logPath = join(logDir, `${options.group}-gateway-${options.name}-${port}.log`);
  const fd = openSync(logPath, 'w');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    EMPORIX_API_URL: options.upstreamUrl,
    EMPORIX_TENANT: DEMO_TENANT,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...options.env,
  };
  const heapReportPath = join(logDir, `${options.group}-gateway-${options.name}-${port}.heap.json`);
  const args = options.heapProbe ? ['--expose-gc', heapProbeEntry] : [gatewayEntry];
  if (options.heapProbe)
    Object.assign(env, { GATEWAY_ENTRY: gatewayEntry, HEAP_REPORT_PATH: heapReportPath });
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', fd, fd], cwd: repoRoot });
  closeSync(fd);
  const proc = track(`gateway ${options.name}`, child);
  const origin = `http://127.0.0.1:${port}`;
  let heapReports = 0;
  const gateway: GatewayProc = Object.assign(proc, {
    port,
    origin,
    url: `${origin}/graphql`,
    logPath,
    logLines: () => readLines(logPath),
    liveHeap: async (): Promise<LiveHeap> => {
      if (!options.heapProbe) throw new Error(`gateway ${options.name} was started without heapProbe`);
      heapReports += 1;
      const wanted = heapReports;
      child.kill('SIGUSR2');
      let report:
        | {
            sequence: number;
            heapUsed: number;
            external: number;
            rss: number;
            spaces: Record<string, number>;
          }
        | undefined;
      await waitFor(
        `gateway ${options.name} heap report ${wanted}`,
        async () => {
          if (!existsSync(heapReportPath)) return false;
          report = JSON.parse(readFileSync(heapReportPath, 'utf8'));
          return report?.sequence === wanted;
        },
        10_000,
      );
      if (!report) throw new Error('unreachable: waitFor returned without a report');
      const mib = (bytes: number) => bytes / 1024 / 1024;
      const spaces = Object.fromEntries(
        Object.entries(report.spaces).map(([name, bytes]) => [name, mib(bytes)]),
      );
      return { heapUsed: mib(report.heapUsed), external: mib(report.external), rss: mib(report.rss), spaces };
    },
  });
  try {
    await waitFor(
      `gateway ${options.name} /health`,
      async () => {
        if (!proc.alive()) {
          throw new Error(`gateway ${options.name} exited at start: ${readFileSync(logPath, 'utf8')}`);
        }
        return (await healthStatus(origin)) === 200;
      },
      15_000,
    );
  } catch (error) {
    await stopProc(proc, 500);
    throw error;
  }
  return gateway;
}

const probeAgent = new Agent({ connections: 4, keepAliveTimeout: 1000 });

/** Status of GET /health, or null when nothing answers. */
export async function healthStatus(origin: string): Promise<number | null> {
  try {
    const response = await request(`${origin}/health`, {
      dispatcher: probeAgent,
      signal: AbortSignal.timeout(2000),
      headers: { connection: 'close' },
    });
    await response.body.dump();
    return response.statusCode;
  } catch {
    return null;
  }
}

function readLines(path: string): string[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '');
}

// ---------------------------------------------------------------------------------------------------------------
// Emulator

export interface EmulatorProc extends Proc {
  port: number;
  /** http://127.0.0.1:PORT */
  url: string;
  customerToken: string;
  anonymousToken: string;
}

/** Starts `node dist/emulator/main.js` (on `port` when given) and reads the tokens from its banner. */
export async function startEmulator(port?: number): Promise<EmulatorProc> {
  const emulatorPort = port ?? (await freePort());
  const child = spawn(process.execPath, [emulatorEntry], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      EMULATOR_PORT: String(emulatorPort),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: repoRoot,
  });
  const proc = track('emulator', child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (output.length < 64 * 1024) output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (output.length < 64 * 1024) output += chunk;
  });
  const field = (label: string) => new RegExp(`^\\s*${label}:\\s+(\\S+)\\s*$`, 'm').exec(output)?.[1];
  try {
    await waitFor(
      'the emulator banner',
      () => {
        if (!proc.alive()) throw new Error(`emulator exited at start: ${output}`);
        return field('Anonymous token') !== undefined && field('Customer token') !== undefined;
      },
      15_000,
    );
  } catch (error) {
    await stopProc(proc, 500);
    throw error;
  }
  const customerToken = field('Customer token');
  const anonymousToken = field('Anonymous token');
  if (customerToken === undefined || anonymousToken === undefined) throw new Error('no tokens in the banner');
  return Object.assign(proc, {
    port: emulatorPort,
    url: `http://127.0.0.1:${emulatorPort}`,
    customerToken,
    anonymousToken,
  });
}

const adminAgent = new Agent({ connections: 2, keepAliveTimeout: 1000 });

async function admin(emulatorUrl: string, method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown) {
  const response = await request(`${emulatorUrl}${path}`, {
    method,
    dispatcher: adminAgent,
    signal: AbortSignal.timeout(30_000),
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.body.text();
  if (response.statusCode >= 300) throw new Error(`${method} ${path}: ${response.statusCode} ${text}`);
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

/** Every upstream request the emulator recorded (admin requests are not recorded). */
export async function upstreamRequests(emulatorUrl: string): Promise<RecordedRequest[]> {
  return (await admin(emulatorUrl, 'GET', '/_emulator/requests')) as RecordedRequest[];
}

export async function clearUpstreamRequests(emulatorUrl: string): Promise<void> {
  await admin(emulatorUrl, 'DELETE', '/_emulator/requests');
}

export async function outbox(emulatorUrl: string): Promise<OutboxMail[]> {
  return (await admin(emulatorUrl, 'GET', '/_emulator/outbox')) as OutboxMail[];
}

export async function addFault(emulatorUrl: string, fault: Fault): Promise<void> {
  await admin(emulatorUrl, 'POST', '/_emulator/faults', fault);
}

export async function clearFaults(emulatorUrl: string): Promise<void> {
  await admin(emulatorUrl, 'DELETE', '/_emulator/faults');
}

// ---------------------------------------------------------------------------------------------------------------
// Redis

export interface RedisHandle {
  url: string;
  /** The redis-server this suite started, or undefined when REDIS_URL was given. */
  proc: Proc | undefined;
}

/**
 * REDIS_URL when set (CI), else a fresh redis-server on a free loopback port without persistence. `own: true`
 * always starts one: for a test that kills it.
 */
export async function startRedis(options: { own?: boolean } = {}): Promise<RedisHandle> {
  const given = process.env.REDIS_URL?.trim();
  if (given && !options.own) return { url: given, proc: undefined };
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const proc = track('redis-server', child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (output.length < 64 * 1024) output += chunk;
  });
  child.stderr?.resume();
  await waitFor(
    'redis-server to accept connections',
    () => {
      if (!proc.alive()) throw new Error(`redis-server exited: ${output}`);
      return output.includes('Ready to accept connections');
    },
    10_000,
  );
  return { url: `redis://127.0.0.1:${port}`, proc };
}

// ---------------------------------------------------------------------------------------------------------------
// GraphQL

/** The selection every load query asks for on a result union. */
export const RESULT_FIELDS =
  '__typename ... on Error { message } ... on UpstreamError { status retryable } ... on RateLimitedError { retryAfterSeconds } ... on ValidationError { issues { path code } }';

export const REQUEST_PASSWORD_RESET = `mutation RequestPasswordReset($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { ${RESULT_FIELDS} } }`;
export const CHANGE_PASSWORD = `mutation ChangePassword($input: ChangePasswordInput!) { changePassword(input: $input) { ${RESULT_FIELDS} } }`;
export const ME = `query Me { me { ${RESULT_FIELDS} ... on Customer { id } } }`;

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message?: string }>;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: GraphQLBody | undefined;
}

const singleAgent = new Agent({ connections: 16, keepAliveTimeout: 2000 });

/** One request to the gateway; throws on a transport error. */
export async function send(
  url: string,
  init: {
    method?: 'GET' | 'POST';
    body?: string | Buffer;
    headers?: Record<string, string>;
    timeoutMs?: number;
    dispatcher?: Agent;
  },
): Promise<Answer> {
  const response = await request(url, {
    method: init.method ?? 'POST',
    body: init.body,
    headers: init.headers ?? { 'content-type': 'application/json' },
    dispatcher: init.dispatcher ?? singleAgent,
    signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
  });
  const text = await response.body.text();
  return { status: response.statusCode, headers: response.headers, text, json: parseBody(text) };
}

export function gql(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
  timeoutMs?: number,
): Promise<Answer> {
  return send(url, {
    body: JSON.stringify({ query, variables }),
    headers: { 'content-type': 'application/json', ...headers },
    timeoutMs,
  });
}

function parseBody(text: string): GraphQLBody | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as GraphQLBody)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The first root field of a GraphQL answer, when it is an object (a union member). */
export function rootResult(json: GraphQLBody | undefined): Record<string, unknown> | undefined {
  const data = json?.data;
  if (data === null || data === undefined) return undefined;
  const first = Object.values(data)[0];
  return typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : undefined;
}

export function typenameOf(json: GraphQLBody | undefined): string | undefined {
  const typename = rootResult(json)?.__typename;
  return typeof typename === 'string' ? typename : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Load

export interface LoadRequest {
  /** @default 'POST' */
  method?: 'GET' | 'POST';
  /** Appended to the URL, e.g. `?query=…`. */
  search?: string;
  body?: string | Buffer | AsyncIterable<Buffer>;
  /** Added to `content-type: application/json`, unless `exactHeaders`. */
  headers?: Record<string, string>;
  /** Send `headers` alone, without the default content type. */
  exactHeaders?: boolean;
  /** Close the connection after this request. */
  reset?: boolean;
}

export interface Outcome {
  index: number;
  /** HTTP status, or null for a transport error / a request never sent. */
  status: number | null;
  /** The root field's union member. */
  typename: string | null;
  /** The root field's value (small objects only). */
  result: Record<string, unknown> | null;
  /** Number of GraphQL errors in the body. */
  graphqlErrors: number;
  /** Transport error code, 'malformed' for a body that is not a GraphQL answer, 'not-sent' past the deadline. */
  error: string | null;
  /** Milliseconds from send to the end of the body. */
  ms: number;
  /** Length of the response body, in UTF-16 code units (bytes for ASCII JSON). */
  bytes: number;
  /** When it finished, ms since the load started. */
  endedAt: number;
  connectionClose: boolean;
}

export interface LoadOptions {
  url: string;
  total: number;
  concurrency: number;
  /** Hard deadline for the whole run: no request is started after it, and requests still running are aborted. */
  deadlineMs: number;
  /** Per request. @default 30000 */
  requestTimeoutMs?: number;
  build(index: number): LoadRequest;
}

export interface LoadProgress {
  started: number;
  completed: number;
  startedAt: number;
}

export interface LoadRun {
  progress: LoadProgress;
  done: Promise<Outcome[]>;
}

/** A closed-loop load: `concurrency` workers send `total` requests between them, each over its own connection. */
export function startLoad(options: LoadOptions): LoadRun {
  const progress: LoadProgress = { started: 0, completed: 0, startedAt: Date.now() };
  const agent = new Agent({
    connections: options.concurrency,
    pipelining: 1,
    keepAliveTimeout: 30_000,
    headersTimeout: options.requestTimeoutMs ?? 30_000,
    bodyTimeout: options.requestTimeoutMs ?? 30_000,
  });
  const outcomes: Outcome[] = [];
  const deadline = AbortSignal.timeout(options.deadlineMs);
  let next = 0;

  async function one(index: number): Promise<Outcome> {
    const spec = options.build(index);
    const started = Date.now();
    const base = {
      index,
      status: null,
      typename: null,
      result: null,
      graphqlErrors: 0,
      bytes: 0,
      connectionClose: false,
    };
    try {
      const response = await request(`${options.url}${spec.search ?? ''}`, {
        method: spec.method ?? 'POST',
        body:
          typeof spec.body === 'string' || Buffer.isBuffer(spec.body) || spec.body === undefined
            ? spec.body
            : Readable.from(spec.body),
        headers: spec.exactHeaders ? spec.headers : { 'content-type': 'application/json', ...spec.headers },
        reset: spec.reset ?? false,
        dispatcher: agent,
        signal: AbortSignal.any([deadline, AbortSignal.timeout(options.requestTimeoutMs ?? 30_000)]),
      });
      const text = await response.body.text();
      const json = parseBody(text);
      const result = rootResult(json) ?? null;
      const typename = typeof result?.__typename === 'string' ? result.__typename : null;
      const finished = Date.now();
      return {
        ...base,
        status: response.statusCode,
        typename,
        result,
        graphqlErrors: json?.errors?.length ?? 0,
        bytes: text.length,
        error: json === undefined ? 'malformed' : null,
        ms: finished - started,
        endedAt: finished - progress.startedAt,
        connectionClose: String(response.headers.connection ?? '').toLowerCase() === 'close',
      };
    } catch (error) {
      const finished = Date.now();
      const code = (error as { code?: unknown }).code;
      return {
        ...base,
        error: typeof code === 'string' ? code : error instanceof Error ? error.name : String(error),
        ms: finished - started,
        endedAt: finished - progress.startedAt,
      };
    }
  }

  async function worker(): Promise<void> {
    for (;;) {
      const index = next;
      if (index >= options.total || deadline.aborted) return;
      next += 1;
      progress.started += 1;
      outcomes[index] = await one(index);
      progress.completed += 1;
    }
  }

  const done = (async () => {
    await Promise.all(Array.from({ length: Math.min(options.concurrency, options.total) }, () => worker()));
    await agent.close().catch(() => undefined);
    for (let index = 0; index < options.total; index += 1) {
      outcomes[index] ??= {
        index,
        status: null,
        typename: null,
        result: null,
        graphqlErrors: 0,
        bytes: 0,
        error: 'not-sent',
        ms: 0,
        endedAt: Date.now() - progress.startedAt,
        connectionClose: false,
      };
    }
    return outcomes;
  })();
  return { progress, done };
}

export function runLoad(options: LoadOptions): Promise<Outcome[]> {
  return startLoad(options).done;
}

/** Counts of a list by a key, for failure messages and summaries. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const k = key(item);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

// ---------------------------------------------------------------------------------------------------------------
// A misbehaving upstream

export type FaultMode = 'ok' | 'hang' | 'reset' | 'malformed' | 'huge';

export interface FaultServer {
  url: string;
  mode: FaultMode;
  /** Requests received, per mode they were answered in. */
  received: Record<FaultMode, number>;
  /** Bytes of huge bodies actually written before the gateway stopped reading. */
  hugeBytesWritten: number;
  close(): Promise<void>;
}

export const HUGE_BODY_BYTES = 20 * 1024 * 1024;

/**
 * An Emporix stand-in whose behaviour is switched by `mode`: `ok` answers like Emporix (anonymous login,
 * /me profile, 204 for POSTs), `hang` never answers, `reset` destroys the connection, `malformed` answers 200
 * with `{"id": `, `huge` answers GET /me with 200 and a 20 MiB JSON body.
 */
export async function startFaultServer(): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  const state: FaultServer = {
    url: '',
    mode: 'ok',
    received: { ok: 0, hang: 0, reset: 0, malformed: 0, huge: 0 },
    hugeBytesWritten: 0,
    close: async () => undefined,
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const mode = state.mode;
    state.received[mode] += 1;
    req.resume();
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    const path = new URL(req.url ?? '/', 'http://upstream.invalid').pathname;
    switch (mode) {
      case 'hang':
        return;
      case 'reset':
        req.socket.destroy();
        return;
      case 'malformed':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": ');
        return;
      case 'huge':
        if (req.method === 'GET' && path.endsWith('/me')) {
          writeHuge(res, state);
          return;
        }
        break;
      case 'ok':
        break;
    }
    if (path === '/customerlogin/auth/anonymous/login') {
      json(res, 200, {
        access_token: 'fault-server-anonymous-token',
        expires_in: 3600,
        token_type: 'Bearer',
      });
    } else if (req.method === 'GET' && path.endsWith('/me')) {
      json(res, 200, {
        id: 'C-1',
        customerNumber: '1',
        firstName: 'Ada',
        lastName: 'Lovelace',
        accounts: [],
      });
    } else if (req.method === 'POST') {
      req.on('end', () => {
        res.statusCode = 204;
        res.end();
      });
    } else {
      json(res, 404, { type: 'not_found', status: 404, message: 'Not found' });
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  state.url = `http://127.0.0.1:${port}`;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return state;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const hugeChunk = Buffer.alloc(1024 * 1024, 'a');

function writeHuge(res: ServerResponse, state: FaultServer): void {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': HUGE_BODY_BYTES });
  const opening = Buffer.from('{"id":"C-1","blob":"');
  const closing = Buffer.from('"}');
  const middle = HUGE_BODY_BYTES - opening.length - closing.length;
  let written = 0;
  const write = () => {
    while (written < middle && !res.destroyed) {
      const size = Math.min(hugeChunk.length, middle - written);
      const chunk =
        written === 0 ? Buffer.concat([opening, hugeChunk.subarray(0, size)]) : hugeChunk.subarray(0, size);
      written += size;
      state.hugeBytesWritten += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', write);
        return;
      }
    }
    if (!res.destroyed) res.end(closing);
  };
  write();
}

// ---------------------------------------------------------------------------------------------------------------
// Summary, secrets and logs

/** Prints one line per group: `reliability <group>: key=value ...`. */
export function summary(group: string, fields: Record<string, string | number | boolean>): string {
  const line = `reliability ${group}: ${Object.entries(fields)
    .map(([key, value]) => `${key}=${value}`)
    .join(' ')}`;
  console.log(line);
  return line;
}

/** Removes this group's files of an earlier run, so group 6 reads only what this run wrote for it. */
export function resetGroupFiles(group: string): void {
  mkdirSync(logDir, { recursive: true });
  for (const file of readdirSync(logDir)) {
    if (file.startsWith(`${group}-`) || file === `${group}.secrets.txt`) {
      rmSync(join(logDir, file), { force: true });
    }
  }
}

/**
 * Remembers the passwords, tokens and Authorization values a group used, for group 6. They are the emulator's
 * fake credentials; they are written next to the logs they must never appear in.
 */
export function recordSecrets(group: string, secrets: Iterable<string>): void {
  mkdirSync(logDir, { recursive: true });
  const path = join(logDir, `${group}.secrets.txt`);
  const known = new Set<string>(existsSync(path) ? readLines(path) : []);
  for (const secret of secrets) if (secret.trim() !== '' && !secret.includes('\n')) known.add(secret);
  writeFileSync(path, `${[...known].join('\n')}\n`);
}

/** The secrets in what the gateway sent upstream: Authorization values, their tokens, passwords and tokens. */
export function secretsInUpstream(requests: readonly RecordedRequest[]): Set<string> {
  const secrets = new Set<string>();
  for (const req of requests) {
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      secrets.add(authorization);
      const token = /^Bearer\s+(.+)$/i.exec(authorization)?.[1];
      if (token) secrets.add(token);
    }
    if (typeof req.body === 'object' && req.body !== null) {
      for (const [key, value] of Object.entries(req.body)) {
        if (typeof value === 'string' && /password|token/i.test(key)) secrets.add(value);
      }
    }
  }
  return secrets;
}

export interface LeakReport {
  files: number;
  lines: number;
  secrets: number;
  /** Lines holding one of the recorded secrets. */
  leaks: string[];
  /** Lines that look like they hold a credential, whichever: a Bearer value, an unredacted secret field. */
  patternLeaks: string[];
}

const leakPatterns = [
  /Bearer\s+[^\s"\\[]{8,}/i,
  /Basic\s+[A-Za-z0-9+/=]{8,}/,
  /"(authorization|password|currentPassword|newPassword|token|access_token|refresh_token)"\s*:\s*"(?!\[redacted\])/i,
];

/** Every gateway log file in logDir, and every secret every group recorded. */
export function scanLogs(extraSecrets: Iterable<string> = []): LeakReport {
  mkdirSync(logDir, { recursive: true });
  const files = readdirSync(logDir);
  const secrets = new Set<string>(extraSecrets);
  for (const file of files.filter((name) => name.endsWith('.secrets.txt'))) {
    for (const secret of readLines(join(logDir, file))) secrets.add(secret);
  }
  // A secret this short would match by chance; none of the suite's are.
  const needles = [...secrets].filter((secret) => secret.length >= 6);
  const logs = files.filter((name) => name.endsWith('.log'));
  const leaks: string[] = [];
  const patternLeaks: string[] = [];
  let lines = 0;
  for (const file of logs) {
    for (const line of readLines(join(logDir, file))) {
      lines += 1;
      for (const needle of needles) {
        if (line.includes(needle)) leaks.push(`${file}: ${mask(needle)} in ${line.slice(0, 300)}`);
      }
      for (const pattern of leakPatterns) {
        const match = pattern.exec(line);
        if (match) patternLeaks.push(`${file}: ${pattern.source} matched ${mask(match[0])}`);
      }
    }
  }
  return { files: logs.length, lines, secrets: needles.length, leaks, patternLeaks };
}

function mask(secret: string): string {
  return `${secret.slice(0, 4)}…(${secret.length} chars)`;
}
