import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { errorBody, parseJson, type Reply } from './http.js';
import { dispatch, type Route } from './router.js';
import { authRoutes } from './routes/auth.js';
import { credentialRoutes } from './routes/credentials.js';
import { customerRoutes } from './routes/customer.js';
import { adminRoutes } from './routes/emulator-admin.js';
import { signupRoutes } from './routes/signup.js';
import { socialRoutes } from './routes/social.js';
import { defaultSeed } from './seed.js';
import { EmulatorState } from './state.js';
import type { Emulator, EmulatorOptions, Fault } from './types.js';

export {
  defaultSeed,
  type EmulatorSeed,
  type SeedCustomer,
  type SeedPendingSignUp,
  type SeedTenant,
} from './seed.js';
export type {
  Emulator,
  EmulatorDemo,
  EmulatorOptions,
  EmulatorTtl,
  ExternalTokenOptions,
  Fault,
  IssueTokenOptions,
  OutboxMail,
  PendingSignUp,
  RecordedRequest,
  SocialCodeOptions,
} from './types.js';

const apiRoutes: readonly Route[] = [
  ...authRoutes,
  ...signupRoutes,
  ...socialRoutes,
  ...customerRoutes,
  ...credentialRoutes,
];
const MAX_BODY_BYTES = 1024 * 1024;

interface ReceivedBody {
  text: string;
  tooLarge: boolean;
}

function readBody(req: IncomingMessage): Promise<ReceivedBody> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Keep draining an oversized body so the connection stays usable for the 413 answer.
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () =>
      resolve({ text: Buffer.concat(chunks).toString('utf8'), tooLarge: size > MAX_BODY_BYTES }),
    );
    req.on('error', reject);
    req.on('close', () => {
      if (!req.complete) reject(new Error('Request aborted by the client'));
    });
  });
}

function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function send(res: ServerResponse, reply: Reply): void {
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.statusCode = reply.status;
  if (reply.body === undefined) {
    res.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-length', Buffer.byteLength(text));
  res.end(text);
}

function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const host = options.host ?? '127.0.0.1';
  const seed = options.seed ?? defaultSeed;
  const firstTenant = seed.tenants[0];
  const firstCustomer = firstTenant?.customers[0];
  const firstClientId = firstTenant?.clientIds[0];
  if (!firstTenant || !firstCustomer || firstClientId === undefined) {
    throw new Error('The emulator seed needs a first tenant with at least one client id and one customer');
  }
  const state = new EmulatorState(seed, {
    customerToken: options.ttl?.customerToken ?? 86400,
    anonymousToken: options.ttl?.anonymousToken ?? 3600,
    mailToken: options.ttl?.mailToken ?? 3600,
    refreshToken: options.ttl?.refreshToken ?? 86400,
  });
  // Aborting wakes delayed faults so that close() never waits for them.
  const shutdown = new AbortController();

  async function answerFault(fault: Fault, res: ServerResponse): Promise<void> {
    if (fault.delayMs) {
      try {
        await sleep(fault.delayMs, undefined, { signal: shutdown.signal });
      } catch {
        return;
      }
    }
    if (res.destroyed) return;
    if (fault.destroySocket) {
      res.socket?.destroy();
      return;
    }
    const status = fault.status ?? 500;
    let payload = '';
    if (typeof fault.body === 'string') {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      payload = fault.body;
    } else if (fault.body !== undefined) {
      res.setHeader('content-type', 'application/json');
      payload = JSON.stringify(fault.body);
    } else if (status !== 204 && status !== 304) {
      res.setHeader('content-type', 'application/json');
      payload = JSON.stringify(errorBody(status, 'injected_fault', 'Fault injected by the emulator.'));
    }
    for (const [name, value] of Object.entries(fault.headers ?? {})) res.setHeader(name, value);
    res.statusCode = status;
    if (payload !== '') res.setHeader('content-length', Buffer.byteLength(payload));
    res.end(payload);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const path = url.pathname;
    const received = await readBody(req);
    const json = parseJson(received.text);
    const admin = path === '/_emulator' || path.startsWith('/_emulator/');
    if (!admin) {
      state.record({
        method,
        path,
        query: Object.fromEntries(url.searchParams),
        headers: flattenHeaders(req.headers),
        body: received.text === '' ? undefined : json.ok ? json.value : received.text,
        rawBody: received.text,
      });
      const fault = state.faults.take(method, path);
      if (fault) {
        await answerFault(fault, res);
        return;
      }
    }
    if (received.tooLarge) {
      send(res, { status: 413, body: errorBody(413, 'payload_too_large', 'Request body is too large.') });
      return;
    }
    send(
      res,
      dispatch(admin ? adminRoutes : apiRoutes, {
        state,
        method,
        path,
        query: url.searchParams,
        headers: req.headers,
        rawBody: received.text,
        json,
      }),
    );
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      send(res, { status: 500, body: errorBody(500, 'internal_server_error', message) });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('Emulator did not bind to a TCP port');
  const url = `http://${hostForUrl(host)}:${address.port}`;

  const customerId =
    state.findCustomerByEmail(firstTenant.tenant, firstCustomer.email)?.id ?? firstCustomer.id;
  const pending = state.seededSignUps.find((p) => p.tenant === firstTenant.tenant);
  let closing: Promise<void> | undefined;

  return {
    url,
    port: address.port,
    seed,
    demo: {
      tenant: firstTenant.tenant,
      clientId: firstClientId,
      email: firstCustomer.email,
      password: firstCustomer.password,
      customerToken: state.issueCustomerToken(firstTenant.tenant, customerId),
      anonymousToken: state.issueAnonymousToken(firstTenant.tenant),
      ...(pending && {
        pendingSignUp: {
          email: pending.email,
          password: pending.password,
          confirmationToken: pending.confirmationToken,
        },
      }),
    },
    requests: () => state.requests(),
    clearRequests: () => state.clearRequests(),
    outbox: () => state.outbox(),
    clearOutbox: () => state.clearOutbox(),
    issueToken({ tenant, kind, email, ttlSeconds, scopes }) {
      if (!state.tenants.has(tenant)) throw new Error(`Unknown tenant '${tenant}'`);
      if (kind === 'anonymous') return state.issueAnonymousToken(tenant, ttlSeconds);
      if (email === undefined) throw new Error('A customer token needs the email of a customer');
      const customer = state.findCustomerByEmail(tenant, email);
      if (!customer) throw new Error(`No customer with email '${email}' in tenant '${tenant}'`);
      return state.issueCustomerToken(tenant, customer.id, ttlSeconds, scopes);
    },
    advanceClock: (seconds) => state.advanceClock(seconds),
    setTtl: (ttl) => state.setTtl(ttl),
    ttl: () => ({ ...state.ttl }),
    mintSocialCode: (opts) => state.mintSocialCode(opts),
    mintExternalToken: (opts) => state.mintExternalToken(opts),
    injectFault: (fault) => state.faults.add(fault),
    clearFaults: () => state.faults.clear(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        shutdown.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
