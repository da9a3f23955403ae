/**
 * The package as a user gets it: `npm pack`, installed into an empty project, importing `./client` (runtime and
 * types) and the root export, then calling a running gateway with the installed SDK.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from './harness.js';

const run = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');

let stack: Stack;
let project: string;

beforeAll(async () => {
  stack = await startStack();
  project = await mkdtemp(join(tmpdir(), 'gateway-package-'));
  // prepack builds dist/ first, so the tarball is what a publish would ship.
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', project], { cwd: repo });
  const [{ filename }] = JSON.parse(stdout) as [{ filename: string }];
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  await run(
    'npm',
    ['install', join(project, filename), '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts'],
    {
      cwd: project,
    },
  );
}, 240_000);

afterAll(async () => {
  await stack.close();
  await rm(project, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('ships ./client with its types: a consumer’s TypeScript narrows a result to ValidationError', async () => {
    await writeFile(
      join(project, 'check.ts'),
      `import { createCustomerClient, type ChangePasswordMutation } from 'emporix-customer-gateway/client';
export async function check(url: string): Promise<string[][]> {
  const client = createCustomerClient({ url, token: 'any' });
  const result: ChangePasswordMutation = await client.ChangePassword({ input: { currentPassword: 'a', newPassword: 'a' } });
  if (result.changePassword.__typename === 'ValidationError') return result.changePassword.issues.map((i) => i.path);
  return [];
}
`,
    );
    const typecheck = run(
      process.execPath,
      [
        tsc,
        '--noEmit',
        '--strict',
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--target',
        'es2022',
        '--skipLibCheck',
        '--lib',
        'es2022,dom',
        'check.ts',
      ],
      { cwd: project },
    );
    await expect(typecheck).resolves.toBeDefined();
  });

  it('runs: the installed SDK calls the gateway, and the root export loads', async () => {
    await writeFile(
      join(project, 'call.mjs'),
      `import { createCustomerClient } from 'emporix-customer-gateway/client';
import { createGateway } from 'emporix-customer-gateway';
const client = createCustomerClient({ url: process.argv[2], token: process.argv[3] });
const { changePassword } = await client.ChangePassword({ input: { currentPassword: 'same', newPassword: 'same' } });
console.log(JSON.stringify({ changePassword, createGateway: typeof createGateway }));
`,
    );
    const { stdout } = await run(
      process.execPath,
      ['call.mjs', stack.url, stack.emulator.demo.customerToken],
      {
        cwd: project,
      },
    );
    expect(JSON.parse(stdout)).toEqual({
      changePassword: {
        __typename: 'ValidationError',
        message: 'Invalid request: input.newPassword: Must differ from the current password',
        issues: [
          {
            path: ['input', 'newPassword'],
            message: 'Must differ from the current password',
            code: 'custom',
          },
        ],
      },
      createGateway: 'function',
    });
    const installed = JSON.parse(
      await readFile(join(project, 'node_modules', 'emporix-customer-gateway', 'package.json'), 'utf8'),
    ) as { exports: Record<string, unknown> };
    expect(Object.keys(installed.exports)).toEqual(['.', './client']);
  });
});
