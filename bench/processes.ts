/**
 * The processes of a benchmark run: CPU pinning with taskset, the stub, the gateway started as production starts
 * it, its start-up time and RSS, and a clean-up that ends exactly the processes started here (by pid).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';

export interface Pinning {
  /** True when the gateway has a core of its own and the stub and load generator share the other. */
  pinned: boolean;
  gatewayCpu?: number;
  loadCpu?: number;
  description: string;
}

/** Every child this run started, so that a failure or Ctrl-C can end them all. */
const children = new Set<ChildProcess>();

/** The CPUs this process may run on, from the kernel (`0-1`, `0,2`, ...), not merely the machine's count. */
function allowedCpus(): number[] {
  const list = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';
  return list.split(',').flatMap((range) => {
    const [from, to] = range.split('-').map(Number);
    if (from === undefined || Number.isNaN(from)) return [];
    const last = to === undefined || Number.isNaN(to) ? from : to;
    return Array.from({ length: Math.min(last - from + 1, 1024) }, (_, index) => from + index);
  });
}

function hasTaskset(): boolean {
  return spawnSync('taskset', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Gateway on the first allowed core, stub and load generator on the second; then this process (the load
 * generator) is moved to its core, every thread of it (`-a`), so that it never steals the gateway's core.
 */
export function pinProcesses(): Pinning {
  const cpus = existsSync('/proc/self/status') ? allowedCpus() : [];
  const [gatewayCpu, loadCpu] = cpus;
  if (!hasTaskset() || gatewayCpu === undefined || loadCpu === undefined) {
    return {
      pinned: false,
      description: `not pinned (${hasTaskset() ? `only ${cpus.length} CPU allowed` : 'taskset not found'}): gateway, stub and load generator share all cores`,
    };
  }
  const result = spawnSync('taskset', ['-a', '-p', '-c', String(loadCpu), String(process.pid)], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    return { pinned: false, description: `not pinned (taskset failed: ${result.stderr.trim()})` };
  }
  return {
    pinned: true,
    gatewayCpu,
    loadCpu,
    description: `taskset: gateway on CPU ${gatewayCpu}; stub and load generator (autocannon in the orchestrator) on CPU ${loadCpu}`,
  };
}

function spawnPinned(cpu: number | undefined, args: string[], options: Parameters<typeof spawn>[2]) {
  // taskset execs node in place, so the child's pid is node's pid (what /proc/<pid>/status must read).
  const child =
    cpu === undefined
      ? spawn(process.execPath, args, options)
      : spawn('taskset', ['-c', String(cpu), process.execPath, ...args], options);
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export async function startStubProcess(pinning: Pinning): Promise<{ child: ChildProcess; url: string }> {
  return startUrlPrinter(pinning.loadCpu, ['--import', 'tsx', 'bench/stub-main.ts'], 'stub');
}

/**
 * The reference peer (bench/bare.ts), on the gateway's core: it is measured as the gateway is, never at the same
 * time, so the two share that core without competing.
 */
export async function startBareProcess(
  pinning: Pinning,
  stubUrl: string,
  tenant: string,
): Promise<{ child: ChildProcess; pid: number; url: string }> {
  const started = await startUrlPrinter(
    pinning.gatewayCpu,
    ['--import', 'tsx', 'bench/bare.ts'],
    'bare handler',
    {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      STUB_URL: stubUrl,
      TENANT: tenant,
    },
  );
  return { ...started, pid: started.child.pid as number };
}

/** A child that prints `{"url":…}` as its first line on stdout once it listens. */
async function startUrlPrinter(
  cpu: number | undefined,
  args: string[],
  name: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnPinned(cpu, args, { stdio: ['ignore', 'pipe', 'inherit'], ...(env ? { env } : {}) });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 15 s: ${output}`)), 15_000);
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}: ${output}`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n')[0];
      if (output.includes('\n') && line !== undefined) {
        clearTimeout(timer);
        try {
          resolve((JSON.parse(line) as { url: string }).url);
        } catch {
          reject(new Error(`${name} printed no URL: ${line}`));
        }
      }
    });
  });
  return { child, url };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== 'object' || address === null) throw new Error('no free port');
  return address.port;
}

/** See startGateway: the limiter runs on every request but never answers RateLimitedError. */
export const benchRateLimits = {
  RATE_LIMIT_PER_IP: '1000000000/1',
  RATE_LIMIT_PER_TARGET: '1000000000/1',
};

export interface GatewayProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  /** From spawn to the first 200 of GET /health. */
  startupMs: number;
}

/**
 * `node dist/main.js` as production runs it: NODE_ENV=production, the default log level, JSON logs to a file
 * (logging is part of what a request costs), every other setting at its default but the rate-limit budgets. The
 * environment is built from scratch so that a LOG_LEVEL or NODE_OPTIONS of the caller's shell cannot change what
 * is measured.
 */
export async function startGateway(options: {
  pinning: Pinning;
  emporixApiUrl: string;
  tenant: string;
  logFd: number;
  nodeArgs?: string[];
  /** Further settings (the sessions gateway's SESSIONS=on…), on top of the production ones. */
  env?: Record<string, string>;
  /** Another build's entry point (an A/B variant). @default dist/main.js */
  main?: string;
}): Promise<GatewayProcess> {
  const port = await freePort();
  const started = performance.now();
  const child = spawnPinned(
    options.pinning.gatewayCpu,
    [...(options.nodeArgs ?? []), options.main ?? 'dist/main.js'],
    {
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(port),
        EMPORIX_API_URL: options.emporixApiUrl,
        EMPORIX_TENANT: options.tenant,
        // The rate limits stay on, as in production, so that their cost is measured; their budgets are only made
        // too large to ever refuse, since the whole load comes from one IP and asks for one target.
        ...benchRateLimits,
        ...options.env,
      },
      stdio: ['ignore', options.logFd, options.logFd],
    },
  );
  const origin = `http://127.0.0.1:${port}`;
  const deadline = started + 15_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode}) before /health answered`);
    }
    if ((await healthStatus(origin)) === 200) {
      return { child, pid: child.pid as number, url: origin, startupMs: performance.now() - started };
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the gateway did not answer /health within 15 s');
}

function healthStatus(origin: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = request(`${origin}/health`, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode);
    });
    req.once('error', () => resolve(undefined));
    req.once('timeout', () => req.destroy());
    req.end();
  });
}

/** Resident set size of a process, from the kernel. */
export function rssMiB(pid: number): number | undefined {
  try {
    const kib = /^VmRSS:\s*(\d+)\s*kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) / 1024;
  } catch {
    return undefined;
  }
}

/** SIGTERM (the gateway then closes its pools and, with --cpu-prof, writes its profile), SIGKILL after 10 s. */
export async function stopProcess(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => stopProcess(child)));
}

/** Last resort on exit: synchronous, so only a signal to each pid still running. */
export function killAllNow(): void {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

const clockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100;

/** CPU time (user + system) a process has used so far, in seconds. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // Fields after the command name, which is in parentheses and may itself contain spaces.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return Number.isFinite(utime) && Number.isFinite(stime) ? (utime + stime) / clockTicks : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time the whole machine spent busy so far, in seconds (all cores; steal included, as it is time the host
 * took from this VM). Minus what the run's own processes used, it tells whether something else disturbed a window.
 */
export function machineBusySeconds(): number | undefined {
  const fields = /^cpu\s+(.+)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1]?.split(/\s+/).map(Number);
  if (!fields || fields.length < 8) return undefined;
  const [user, nice, system, , , irq, softirq, steal] = fields as number[];
  return (
    ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / clockTicks
  );
}
