/** The examples a storefront developer runs: each is a real command, checked by running it. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { compose, customerSubgraph } from '../examples/supergraph.js';

const run = promisify(execFile);
const tsx = ['--import', 'tsx'];

describe('npm run example:flows', () => {
  it('walks every flow with the typed client against the emulator', async () => {
    const { stdout } = await run(process.execPath, [...tsx, 'examples/storefront-flows.ts']);
    for (const step of [
      'StartAnonymousSessionSuccess',
      'SignUpSuccess',
      'ConfirmSignUpSuccess',
      '6. me after logOut (the token is dead)\n  {"__typename":"UnauthorizedError"',
      'LogInSuccess',
      'RefreshCustomerTokenSuccess',
      '"__typename":"AccessTokenInfo"',
      '"firstName":"Dana"',
      '"preferredCurrency":"CHF"',
      '"path":["input","expectedVersion"]',
      'AddCustomerAddressSuccess',
      '"isDefault":true,"tags":["SHIPPING"]',
      '"extraLines":["c/o Reception"]',
      'RemoveCustomerAddressSuccess',
      '"__typename":"NotFoundError"',
      'LogInWithSocialProviderSuccess',
      'ExchangeExternalTokenSuccess',
      'RequestPasswordResetSuccess',
      'ResetPasswordSuccess',
      'ChangeCustomerEmailSuccess',
      'ConfirmCustomerEmailChangeSuccess',
      '"contactEmail":"storefront.customer@example.com"',
      'All flows done.',
    ]) {
      expect(stdout).toContain(step);
    }
  });
});

describe('npm run supergraph', () => {
  it('writes a supergraph of both subgraphs, with their URLs', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'supergraph-'));
    try {
      const file = join(folder, 'supergraph.graphql');
      await run(process.execPath, [...tsx, 'examples/supergraph.ts'], {
        env: {
          ...process.env,
          SUPERGRAPH_FILE: file,
          CUSTOMER_SUBGRAPH_URL: 'http://127.0.0.1:5000/graphql',
        },
      });
      const supergraph = await readFile(file, 'utf8');
      expect(supergraph).toContain(
        'CUSTOMERS @join__graph(name: "customers", url: "http://127.0.0.1:5000/graphql")',
      );
      expect(supergraph).toContain(
        'ORDERS @join__graph(name: "orders", url: "http://127.0.0.1:4020/graphql")',
      );
      expect(supergraph).toMatch(/type Customer @join__type\(graph: CUSTOMERS, key: "id"\)/);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('fails with the composition errors when the subgraphs do not compose', () => {
    const conflicting = parse(/* GraphQL */ `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
      type Query { orderCount: Int! }
      type Customer @key(fields: "id") { id: ID! contactEmail: Int! }
    `);
    expect(() =>
      compose([customerSubgraph('http://127.0.0.1:4000/graphql'), { name: 'broken', typeDefs: conflicting }]),
    ).toThrow(/do not compose:\n.*contactEmail/);
  });
});
