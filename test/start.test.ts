/**
 * `npm start` as a user runs it: the real process, with the embedded emulator, serving GraphiQL and answering
 * an anonymous operation without any token (the emulator's demo client id is used).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, describe, expect, it } from 'vitest';

const started: ChildProcess[] = [];
afterAll(() => {
  for (const child of started) if (child.exitCode === null) child.kill('SIGTERM');
});

function startGateway(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  return { child, output: () => output };
}

async function waitFor(read: () => string, pattern: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = read().match(pattern);
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${pattern}; output so far:\n${read()}`);
}

describe('npm start', () => {
  it('runs the gateway on the embedded emulator, with GraphiQL and /health', async () => {
    const { child, output } = startGateway({ PORT: '0', EMULATOR_PORT: '0', LOG_LEVEL: 'info' });
    const [, url] = await waitFor(output, /"url":"(http:\/\/127\.0\.0\.1:\d+\/graphql)"/);
    expect(output()).toContain('built-in Emporix emulator');

    const graphiql = await fetch(`${url}`, { headers: { accept: 'text/html' } });
    expect(graphiql.status).toBe(200);
    expect(await graphiql.text()).toContain('GraphiQL');
    const health = await fetch(`${url?.replace('/graphql', '/health')}`);
    expect(health.status).toBe(200);

    const response = await fetch(`${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: 'mutation { requestPasswordReset(input: { email: "demo@example.com" }) { __typename } }',
      }),
    });
    expect(await response.json()).toEqual({
      data: { requestPasswordReset: { __typename: 'RequestPasswordResetSuccess' } },
    });

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('stops with a message naming the variable when the configuration is bad', async () => {
    const { child, output } = startGateway({ PORT: 'eighty', NODE_ENV: 'production' });
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(output()).toContain('PORT:');
    expect(output()).toContain('EMPORIX_API_URL: Is required when NODE_ENV is production');
  });
});
