/**
 * What the session tests share: a gateway with SESSIONS=on over a real emulator (through `startStack`), plain
 * `fetch` calls that keep the Set-Cookie headers, a recording proxy between the gateway and the emulator (so a
 * test knows every token Emporix handed out), and a redis-server of a test's own.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { createEmulator, type EmulatorOptions } from '../src/emulator/index.js';
import { connectRedis } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { type Stack, type StackOptions, startStack } from './harness.js';

export const secretHex = () => randomBytes(32).toString('hex');

/** The gateway's options for SESSIONS=on on plain http (cookie `emporix_session`), with the demo client id. */
export function sessionStack(options: StackOptions & { secrets?: string; secureCookie?: boolean } = {}) {
  return startStack({
    ...options,
    gateway: {
      clientId: 'demo-storefront',
      ...options.gateway,
      sessions: {
        secrets: options.secrets ?? secretHex(),
        secureCookie: options.secureCookie ?? false,
        ...options.gateway?.sessions,
      },
    },
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: GraphQL answers, read field by field in the tests
  body: any;
  setCookies: string[];
}

/** POSTs one operation as JSON, with these headers (e.g. `cookie`), and keeps every Set-Cookie. */
export async function gql(
  url: string,
  query: string,
  options: { variables?: Record<string, unknown>; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the text itself.
  }
  return {
    status: response.status,
    headers: response.headers,
    body,
    setCookies: response.headers.getSetCookie(),
  };
}

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names lower-cased; flags are `true`. */
  attributes: Record<string, string | true>;
}

export function parseSetCookie(line: string): SetCookie {
  const [pair = '', ...rest] = line.split(';').map((part) => part.trim());
  const at = pair.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const part of rest) {
    const eq = part.indexOf('=');
    if (eq === -1) attributes[part.toLowerCase()] = true;
    else attributes[part.slice(0, eq).toLowerCase()] = part.slice(eq + 1);
  }
  return { name: pair.slice(0, at), value: pair.slice(at + 1), attributes };
}

/** The one Set-Cookie of `name` in an answer; throws when there is none or more than one. */
export function cookieSet(answer: Answer, name = 'emporix_session'): SetCookie {
  const cookies = answer.setCookies.map(parseSetCookie).filter((cookie) => cookie.name === name);
  if (cookies.length !== 1) {
    throw new Error(`expected one Set-Cookie ${name}, got ${JSON.stringify(answer.setCookies)}`);
  }
  return cookies[0] as SetCookie;
}

export const logInMutation = /* GraphQL */ `
  mutation LogIn($email: String!, $password: String!) {
    logIn(input: { email: $email, password: $password }) {
      __typename
      ... on LogInSuccess { tokens { accessToken refreshToken } customer { contactEmail } }
      ... on UpstreamError { status retryable }
      ... on Error { message }
    }
  }
`;

export const meQuery = /* GraphQL */ `
  query Me {
    me {
      __typename
      ... on Customer { id contactEmail firstName }
      ... on UnauthorizedError { code message }
      ... on UpstreamError { status retryable message }
    }
  }
`;

export const sessionQuery = /* GraphQL */ `
  query { session { kind expiresAt } }
`;

export const logOutMutation = /* GraphQL */ `
  mutation LogOut {
    logOut {
      __typename
      ... on UnauthorizedError { code }
      ... on UpstreamError { status retryable }
    }
  }
`;

/** Logs the demo customer in without an Authorization header; answers the session cookie (`name=value`). */
export async function logInForCookie(
  stack: Pick<Stack, 'url' | 'emulator'>,
  options: { cookieName?: string; headers?: Record<string, string> } = {},
): Promise<{ cookie: string; answer: Answer; set: SetCookie }> {
  const answer = await gql(stack.url, logInMutation, {
    variables: { email: stack.emulator.demo.email, password: stack.emulator.demo.password },
    headers: options.headers,
  });
  if (answer.body?.data?.logIn?.__typename !== 'LogInSuccess') {
    throw new Error(`log-in failed: ${JSON.stringify(answer.body)}`);
  }
  const set = cookieSet(answer, options.cookieName);
  return { cookie: `${set.name}=${set.value}`, answer, set };
}

/** The upstream paths the emulator received, e.g. `GET /customer/demo/me`. */
export function upstreamPaths(stack: Stack): string[] {
  return stack.upstream().map((request) => `${request.method} ${request.path}`);
}

export function count(values: string[], value: string): number {
  return values.filter((entry) => entry === value).length;
}

/** A metric's value from the /metrics text, 0 when absent. */
export async function metric(stack: Stack, line: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', stack.url))).text();
  const found = text.split('\n').find((entry) => entry.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

export interface RecordingProxyOptions {
  delayMs?: (path: string) => number;
  /** Rewrites an answer's body before it goes back (the recorded body is Emporix's, untouched). */
  transform?: (path: string, body: string) => string;
}

/**
 * A loopback proxy in front of the emulator that records every answer body: the tokens Emporix handed the gateway,
 * which no test can otherwise see once the gateway keeps them. `delayMs` holds chosen answers back (e.g. a refresh,
 * so that concurrent requests all meet it in flight).
 */
export async function startRecordingProxy(
  target: string,
  options: RecordingProxyOptions = {},
): Promise<{
  url: string;
  bodies: string[];
  close(): Promise<void>;
}> {
  const bodies: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value === undefined || ['host', 'connection', 'content-length'].includes(name)) continue;
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    const body = chunks.length === 0 ? undefined : Buffer.concat(chunks);
    const answer = await fetch(`${target}${req.url ?? '/'}`, { method: req.method, headers, body }).catch(
      () => undefined,
    );
    // Emporix dropped the connection (an injected fault): so does the proxy.
    if (answer === undefined) {
      req.socket.destroy();
      return;
    }
    const text = await answer.text();
    bodies.push(text);
    const path = new URL(req.url ?? '/', target).pathname;
    const delay = options.delayMs?.(path) ?? 0;
    if (delay > 0) await sleep(delay);
    const sent = options.transform ? options.transform(path, text) : text;
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!['content-length', 'content-encoding', 'transfer-encoding', 'connection'].includes(name))
        out[name] = value;
    });
    res.writeHead(answer.status, out);
    res.end(sent);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Every `access_token`, `refresh_token` and `saas_token` value in the recorded answers. */
export function tokensIn(bodies: string[]): string[] {
  const tokens = new Set<string>();
  for (const body of bodies) {
    for (const match of body.matchAll(
      /"(?:access_token|refresh_token|saas_token|accessToken|refreshToken)"\s*:\s*"([^"]+)"/g,
    )) {
      if (match[1]) tokens.add(match[1]);
    }
  }
  return [...tokens];
}

export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;

/** A redis-server of the test's own on a free loopback port, without persistence; stopped by its PID. */
export async function startOwnRedis(): Promise<{
  url: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Ready when it accepts a connection; bounded.
  const { Socket } = await import('node:net');
  const deadline = Date.now() + 5000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} did not start`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    child,
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      await exited;
    },
  };
}

/** An ioredis client as the gateway makes it (`connectRedis`), with a silent logger. */
export function redisClient(url: string): Promise<Redis> {
  return connectRedis(url, createLogger({ level: 'silent' }));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A session stack whose gateway talks to `emulator` (through `upstreamUrl`, e.g. a proxy in front of it) instead of
 * an emulator of its own: several gateways over one Emporix, as several instances are. `close` leaves `emulator`
 * running.
 */
export async function stackOver(
  emulator: Stack['emulator'],
  upstreamUrl: string,
  options: Parameters<typeof sessionStack>[0] = {},
): Promise<Stack> {
  const started = await sessionStack({
    ...options,
    gateway: { ...options.gateway, emporixApiUrl: upstreamUrl },
  });
  return { ...started, emulator, upstream: () => emulator.requests() };
}

/**
 * A session stack over an emulator of its own behind a recording proxy (`proxy`: held-back or rewritten answers);
 * `close` closes all three.
 */
export async function proxiedSessionStack(
  options: {
    emulator?: EmulatorOptions;
    proxy?: RecordingProxyOptions;
  } & Parameters<typeof sessionStack>[0] = {},
): Promise<{ stack: Stack; proxy: Awaited<ReturnType<typeof startRecordingProxy>> }> {
  const { emulator: emulatorOptions, proxy: proxyOptions, ...stackOptions } = options;
  const emulator = await createEmulator(emulatorOptions);
  const proxy = await startRecordingProxy(emulator.url, proxyOptions);
  const started = await stackOver(emulator, proxy.url, stackOptions);
  const stack = {
    ...started,
    close: async () => {
      await started.close();
      await proxy.close();
      await emulator.close();
    },
  };
  return { stack, proxy };
}

/** A proxy `transform` that drops these fields from the answers of paths ending in `pathEnd` (e.g. `/login`). */
export function dropFields(pathEnd: string, fields: string[]) {
  return (path: string, body: string): string => {
    if (!path.endsWith(pathEnd)) return body;
    const answer = JSON.parse(body) as Record<string, unknown>;
    for (const field of fields) delete answer[field];
    return JSON.stringify(answer);
  };
}
