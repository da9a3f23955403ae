/**
 * What a process manager sees: it signals the PID it started. For `npm start` that PID is npm's, not the
 * gateway's; SIGTERM (or SIGINT) to it must stop the gateway and its emulator, leave no process behind and free
 * the ports. (The compiled production command is tested the same way in test/reliability/5-shutdown.test.ts.)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';

const started: ChildProcess[] = [];
const seen = new Set<number>();
afterAll(() => {
  // Only what this file started, by PID: npm, and every process seen under it.
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const pid of seen) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
});

/**
 * The processes under `pid`, from /proc: its direct `children`, and `all` of them (grandchildren too, such as the
 * esbuild service tsx's loader starts while its cache is cold).
 */
function processTree(pid: number): { children: number[]; all: number[] } {
  const parents = new Map<number, number[]>();
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
    const list = parents.get(ppid) ?? [];
    list.push(Number(entry));
    parents.set(ppid, list);
  }
  const all: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift() as number) ?? []) {
      all.push(child);
      queue.push(child);
    }
  }
  return { children: parents.get(pid) ?? [], all };
}

function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
}

function isAlive(pid: number): boolean {
  try {
    // A zombie (exited, not yet reaped by its parent) counts as gone.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function startNpm(script: string[]) {
  const child = spawn('npm', script, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      PORT: '0',
      EMULATOR_PORT: '0',
      LOG_LEVEL: 'info',
      npm_config_update_notifier: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    if (output.length < 256 * 1024) output += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    if (output.length < 256 * 1024) output += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

describe.skipIf(process.platform !== 'linux')('npm start under a process manager', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the PID of npm start stops the gateway and the emulator, and frees their ports`, async () => {
      const npm = startNpm(['start']);
      const found = await until(() => /"msg":"gateway listening"/.test(npm.output()), 15_000);
      expect(found, `no "gateway listening" in:\n${npm.output()}`).toBe(true);
      const gatewayPort = Number(/"url":"http:\/\/127\.0\.0\.1:(\d+)\/graphql"/.exec(npm.output())?.[1]);
      const emulatorPort = Number(/"emulatorUrl":"http:\/\/127\.0\.0\.1:(\d+)"/.exec(npm.output())?.[1]);
      expect(await listening(gatewayPort)).toBe(true);
      expect(await listening(emulatorPort)).toBe(true);
      const npmPid = npm.child.pid as number;
      const { children, all: under } = processTree(npmPid);
      for (const pid of under) seen.add(pid);
      // npm, then the gateway: one Node process with the TypeScript loader, no shell or tsx CLI in between.
      expect(children.map(commandLine)).toEqual([expect.stringContaining('node --import tsx src/main.ts')]);

      const signalledAt = Date.now();
      process.kill(npmPid, signal);
      const exit = await Promise.race([
        npm.exited,
        new Promise<'timeout'>((resolve) => setTimeout(resolve, 8000, 'timeout')),
      ]);
      const gone = await until(() => under.every((pid) => !isAlive(pid)), 3000);
      const ms = Date.now() - signalledAt;
      expect(exit, npm.output()).toEqual({ code: 0, signal: null });
      expect(gone, `still running: ${under.filter(isAlive).join(', ')}`).toBe(true);
      expect(await listening(gatewayPort)).toBe(false);
      expect(await listening(emulatorPort)).toBe(false);
      expect(ms).toBeLessThan(5000);
      expect(npm.output()).toContain(`"signal":"${signal}"`);
      expect(npm.output()).toContain('"msg":"stopped"');
    });
  }
});

describe.skipIf(process.platform !== 'linux')('npm run emulator under a process manager', () => {
  it('SIGTERM to the PID of npm run emulator stops the emulator and frees its port', async () => {
    const npm = startNpm(['run', 'emulator']);
    const found = await until(() => /URL:\s+http:\/\/127\.0\.0\.1:\d+/.test(npm.output()), 15_000);
    expect(found, `no emulator URL in:\n${npm.output()}`).toBe(true);
    const port = Number(/URL:\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(npm.output())?.[1]);
    expect(await listening(port)).toBe(true);
    const npmPid = npm.child.pid as number;
    const { children, all: under } = processTree(npmPid);
    for (const pid of under) seen.add(pid);
    // As for npm start: npm, then one Node process, so that the signal npm passes on reaches the emulator itself.
    expect(children.map(commandLine)).toEqual([
      expect.stringContaining('node --import tsx src/emulator/main.ts'),
    ]);

    process.kill(npmPid, 'SIGTERM');
    const exit = await Promise.race([
      npm.exited,
      new Promise<'timeout'>((resolve) => setTimeout(resolve, 8000, 'timeout')),
    ]);
    const gone = await until(() => under.every((pid) => !isAlive(pid)), 3000);
    expect(exit, npm.output()).toEqual({ code: 0, signal: null });
    expect(gone, `still running: ${under.filter(isAlive).join(', ')}`).toBe(true);
    expect(await listening(port)).toBe(false);
    expect(npm.output()).toContain('Received SIGTERM, stopping the emulator');
  });
});
