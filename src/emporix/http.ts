/**
 * The one place that speaks HTTP to Emporix: undici's request API over a single pooled keep-alive Agent (on Node
 * 20 the global fetch alone costs more than half of a small gateway's CPU). It knows nothing of GraphQL; it
 * answers with the status and parsed JSON, or with the transport failure, and never throws for either.
 * It never retries and never logs a body.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, type Dispatcher } from 'undici';
import { traceUpstreamCall } from '../tracing.js';

export interface UpstreamRequest {
  /** Names the endpoint in logs, e.g. `changePassword`. */
  endpoint: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path and query, already encoded. Never logged: query strings may carry tokens. */
  path: string;
  /** The catalogue's path template (`/customer/{tenant}/logout`): what traces show instead of the path. */
  pathTemplate: string;
  /** The full `Authorization` header value to send, when the endpoint needs one. */
  authorization?: string;
  requestId: string;
  /** Sent as JSON when present. */
  body?: unknown;
  /** Further headers the endpoint documents. */
  headers?: Record<string, string>;
}

export type UpstreamAnswer =
  | {
      kind: 'response';
      status: number;
      headers: IncomingHttpHeaders;
      /** The parsed JSON body; undefined when empty, not JSON or larger than the limit. */
      json: unknown;
    }
  | { kind: 'failure'; reason: 'timeout' | 'network'; error: Error };

export interface UpstreamCallRecord {
  endpoint: string;
  status: number | null;
  durationMs: number;
}

export interface UpstreamHttpOptions {
  /** Base URL of the Emporix API, e.g. `https://api.emporix.io`. */
  baseUrl: string;
  /** Deadline for one whole call (connect, headers and body). @default 10000 */
  timeoutMs?: number;
  /** An undici dispatcher to use instead of the gateway's own pooled Agent (which is then not created). */
  dispatcher?: Dispatcher;
  /** Bodies larger than this are not read. @default 1 MiB */
  maxBodyBytes?: number;
  /** Make a client span per call and send its `traceparent` (see src/tracing.ts). @default false */
  tracing?: boolean;
}

export interface UpstreamHttp {
  request(request: UpstreamRequest, record?: (call: UpstreamCallRecord) => void): Promise<UpstreamAnswer>;
  /** Whether Emporix answers at all within `timeoutMs` (any HTTP status counts), for readiness. */
  probe(timeoutMs: number): Promise<boolean>;
  /** Waits for running calls, or with `force` aborts them. */
  close(options?: { force?: boolean }): Promise<void>;
}

export function createUpstreamHttp(options: UpstreamHttpOptions): UpstreamHttp {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const base = new URL(options.baseUrl);
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, '');
  const ownAgent = options.dispatcher
    ? undefined
    : new Agent({
        keepAliveTimeout: 30_000,
        connectTimeout: timeoutMs,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
  const dispatcher: Dispatcher = options.dispatcher ?? (ownAgent as Agent);

  async function request(
    req: UpstreamRequest,
    record?: (call: UpstreamCallRecord) => void,
  ): Promise<UpstreamAnswer> {
    const started = performance.now();
    const headers: Record<string, string> = { ...req.headers, 'x-request-id': req.requestId };
    if (req.authorization !== undefined) headers.authorization = req.authorization;
    let payload: string | undefined;
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(req.body);
    }
    const send = () => dispatch(req, headers, payload);
    const answer = options.tracing ? await traceUpstreamCall(req, headers, send, statusOf) : await send();
    record?.({ endpoint: req.endpoint, status: statusOf(answer), durationMs: performance.now() - started });
    return answer;
  }

  async function dispatch(
    req: UpstreamRequest,
    headers: Record<string, string>,
    payload: string | undefined,
  ): Promise<UpstreamAnswer> {
    // One deadline for the whole call, cleared as soon as it is over: AbortSignal.timeout would keep a timer alive
    // for the full timeout after every call (thousands at once under load).
    const signal = new Deadline();
    const timer = setTimeout(() => signal.abort(), timeoutMs);
    try {
      const response = await dispatcher.request({
        origin,
        path: basePath + req.path,
        method: req.method,
        headers,
        body: payload,
        signal,
      });
      // A 204 (every credential mutation's success) has no body: dump() frees the connection without an iterator.
      const json =
        response.statusCode === 204
          ? await response.body.dump().then(() => undefined)
          : await readJson(response.body, maxBodyBytes);
      return { kind: 'response', status: response.statusCode, headers: response.headers, json };
    } catch (cause) {
      const error = cause instanceof Error ? cause : new Error(String(cause));
      return { kind: 'failure', reason: signal.aborted || isTimeout(error) ? 'timeout' : 'network', error };
    } finally {
      clearTimeout(timer);
    }
  }

  async function probe(probeTimeoutMs: number): Promise<boolean> {
    try {
      const response = await dispatcher.request({
        origin,
        path: `${basePath}/`,
        method: 'HEAD',
        signal: AbortSignal.timeout(probeTimeoutMs),
      });
      await response.body.dump();
      return true;
    } catch {
      return false;
    }
  }

  return {
    request,
    probe,
    close: async ({ force = false } = {}) => {
      if (force) await ownAgent?.destroy();
      else await ownAgent?.close();
    },
  };
}

/**
 * The whole-call deadline as undici's request takes it: `aborted`, `reason` and the `on`/`once`/`removeListener` of
 * an 'abort' event, like an AbortSignal but without AbortController's EventTarget, which cost 10–14 % of the
 * gateway's CPU per upstream call in the benchmark. It aborts with the same reason an AbortController gives.
 */
class Deadline {
  aborted = false;
  reason: unknown = undefined;
  private listeners: Array<() => void> = [];

  /** undici checks that a signal has `on` (or `addEventListener`) and listens with `once`: an abort happens once. */
  on(_event: 'abort', listener: () => void): this {
    this.listeners.push(listener);
    return this;
  }

  once(event: 'abort', listener: () => void): this {
    return this.on(event, listener);
  }

  removeListener(_event: 'abort', listener: () => void): this {
    const index = this.listeners.indexOf(listener);
    if (index !== -1) this.listeners.splice(index, 1);
    return this;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener();
  }
}

async function readJson(body: Dispatcher.ResponseData['body'], maxBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > maxBytes) {
      // Stop reading: a body this large is not an Emporix answer we can use, and reading it costs memory.
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  if (size === 0) return undefined;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return undefined;
  }
}

function statusOf(answer: UpstreamAnswer): number | null {
  return answer.kind === 'response' ? answer.status : null;
}

function isTimeout(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  return (
    error.name === 'TimeoutError' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  );
}
