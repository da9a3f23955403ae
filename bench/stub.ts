/**
 * A fast stand-in for the Emporix API, for the benchmark only: it answers the credential endpoints with 204 and
 * `GET /customer/{tenant}/me` with a small customer, the anonymous and customer log-ins with fixed tokens, from
 * pre-built buffers, so that the figures measure the
 * gateway and not the upstream. It counts what it receives per `METHOD path`, so the run can check that every
 * gateway response cost exactly one upstream call (and a validation failure none).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const benchCustomer = {
  id: '13869000',
  customerNumber: '13869000',
  firstName: 'Bench',
  lastName: 'Customer',
  contactEmail: 'bench@example.com',
  accounts: [{ id: 'bench@example.com' }],
};

const customerBody = Buffer.from(JSON.stringify(benchCustomer));
const customerHeaders = { 'content-type': 'application/json', 'content-length': customerBody.length };

/** The POST endpoints the gateway calls; all of them answer 204 like Emporix does on success. */
const noContentPaths = new Set([
  'password/reset',
  'password/reset/update',
  'password/change',
  'me/accounts/internal/email/change',
  'me/accounts/internal/email/change/confirm',
]);

const customerPath = /^\/customer\/[a-z][a-z0-9]+\/(.+)$/;

/** The tokens a log-in answers (the cookie `me` scenario logs in once, through the gateway, to get its session). */
export const benchTokens = { anonymous: 'bench-anonymous-token', customer: 'bench-customer-token' };
const jsonHeaders = (body: Buffer) => ({ 'content-type': 'application/json', 'content-length': body.length });
const anonymousTokenBody = Buffer.from(
  JSON.stringify({ access_token: benchTokens.anonymous, expires_in: 3600, token_type: 'Bearer' }),
);
const customerTokenBody = Buffer.from(
  JSON.stringify({
    access_token: benchTokens.customer,
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: 'bench-refresh-token',
    refresh_token_expires_in: 86_400,
    saas_token: 'bench-saas-token',
    session_id: 'bench-session',
  }),
);

export interface Stub {
  url: string;
  counts: Map<string, number>;
  close(): Promise<void>;
}

export async function startStub(): Promise<Stub> {
  const counts = new Map<string, number>();

  function answer(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    // `GET /_stats`: the counts so far; `POST /_stats`: start counting again (before each measured scenario).
    if (path === '/_stats') {
      if (request.method === 'POST') counts.clear();
      const body = JSON.stringify({ counts: Object.fromEntries(counts) });
      response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      return;
    }
    const key = `${request.method} ${path}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    const endpoint = customerPath.exec(path)?.[1];
    // What Emporix would refuse, the stub refuses too: a gateway that stopped forwarding the caller's token or
    // the JSON content type then shows up as a wrong body in the benchmark instead of as throughput.
    if (request.method === 'GET' && path === '/customerlogin/auth/anonymous/login') {
      response.writeHead(200, jsonHeaders(anonymousTokenBody)).end(anonymousTokenBody);
    } else if (endpoint !== undefined && !/^Bearer \S+$/.test(request.headers.authorization ?? '')) {
      response.writeHead(401).end();
    } else if (request.method === 'POST' && endpoint === 'login') {
      response.writeHead(200, jsonHeaders(customerTokenBody)).end(customerTokenBody);
    } else if (request.method === 'GET' && endpoint === 'me') {
      response.writeHead(200, customerHeaders).end(customerBody);
    } else if (request.method === 'POST' && endpoint !== undefined && noContentPaths.has(endpoint)) {
      const json = request.headers['content-type']?.startsWith('application/json') === true;
      response.writeHead(json ? 204 : 415).end();
    } else {
      response.writeHead(404).end();
    }
  }

  const server = createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    // Read the whole request before answering, as a real server does, so keep-alive connections stay in step.
    request.resume();
    request.once('end', () => answer(request, response));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
