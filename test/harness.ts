/**
 * A real emulator and a real gateway, each on its own loopback port, for one test file. The gateway's log lines
 * are kept so tests can read them.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLClient } from 'graphql-request';
import { type CustomerClient, createCustomerClient } from '../src/client/index.js';
import {
  createEmulator,
  defaultSeed,
  type Emulator,
  type EmulatorOptions,
  type EmulatorSeed,
  type SeedCustomer,
  type SeedTenant,
} from '../src/emulator/index.js';
import { createGateway, type Gateway, type GatewayOptions } from '../src/gateway.js';
import { createGatewayServer } from '../src/http-guard.js';
import { createLogger } from '../src/logger.js';

export interface Stack {
  emulator: Emulator;
  gateway: Gateway;
  /** e.g. http://127.0.0.1:PORT/graphql */
  url: string;
  /** Every JSON line the gateway logged, at every level. */
  logs: string[];
  /** The typed SDK of `./client`; `token` becomes `Authorization: Bearer <token>`. */
  client(options?: ClientOptions): CustomerClient;
  /** A plain graphql-request client, for documents that are not SDK operations. */
  graphql(options?: ClientOptions): GraphQLClient;
  /** Upstream requests the emulator received, without the admin ones. */
  upstream(): ReturnType<Emulator['requests']>;
  /** Method, path, query, Authorization and JSON body of each upstream request: what a test compares exactly. */
  upstreamCalls(): UpstreamCall[];
  close(): Promise<void>;
}

export interface UpstreamCall {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  body: unknown;
}

export interface ClientOptions {
  token?: string;
  tenant?: string;
  headers?: Record<string, string>;
}

export interface StackOptions {
  emulator?: EmulatorOptions;
  /** Gateway options; `emporixApiUrl` defaults to the emulator's URL. */
  gateway?: Partial<GatewayOptions>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const emulator = await createEmulator(options.emulator);
  const logs: string[] = [];
  const gateway = createGateway({
    emporixApiUrl: emulator.url,
    defaultTenant: 'demo',
    // Test files send many requests from one address; the specs of the limits turn them on.
    rateLimits: false,
    logger: createLogger({ level: 'trace', destination: { write: (line: string) => void logs.push(line) } }),
    ...options.gateway,
  });
  // The server main.ts runs: every spec goes through the same request guard as production.
  const server = createGatewayServer(gateway.yoga);
  await listen(server);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

  return {
    emulator,
    gateway,
    url,
    logs,
    client: (clientOptions = {}) => createCustomerClient({ url, ...clientOptions }),
    graphql({ token, tenant, headers } = {}) {
      return new GraphQLClient(url, {
        headers: {
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          ...(tenant === undefined ? {} : { 'x-emporix-tenant': tenant }),
          ...headers,
        },
      });
    },
    upstream: () => emulator.requests(),
    upstreamCalls: () =>
      emulator.requests().map((request) => ({
        method: request.method,
        path: request.path,
        query: request.query,
        authorization: request.headers.authorization,
        body: request.body,
      })),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await gateway.close();
      await emulator.close();
    },
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
}

/** Logs in through the emulator like a storefront does, and answers the customer's access token. */
export async function logIn(
  emulator: Emulator,
  email: string,
  password: string,
  tenant = 'demo',
): Promise<string> {
  const anonymous = emulator.issueToken({ tenant, kind: 'anonymous' });
  const response = await fetch(`${emulator.url}/customer/${tenant}/login`, {
    method: 'POST',
    headers: { authorization: `Bearer ${anonymous}`, 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`login as ${email} failed with ${response.status}`);
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

/** The emulator's outbox, newest last, as a storefront developer would read it. */
export async function readOutbox(emulator: Emulator): Promise<{ to: string; kind: string; token: string }[]> {
  const response = await fetch(`${emulator.url}/_emulator/outbox`);
  return (await response.json()) as { to: string; kind: string; token: string }[];
}

/** The default seed, with more customers in the demo tenant and more tenants after it. */
export function seedWith(extra: { customers?: SeedCustomer[]; tenants?: SeedTenant[] }): EmulatorSeed {
  const [demo, ...others] = defaultSeed.tenants;
  if (demo === undefined) throw new Error('the default seed has no tenant');
  return {
    tenants: [
      { ...demo, customers: [...demo.customers, ...(extra.customers ?? [])] },
      ...others,
      ...(extra.tenants ?? []),
    ],
  };
}
