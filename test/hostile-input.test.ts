/**
 * Requests Node's HTTP parser accepts but no ordinary client sends: unusual request targets, odd Host values,
 * transfer codings, methods, CONNECT, and bodies or parameters that are not JSON. Each gets a deliberate 4xx with
 * a short JSON body that quotes nothing of the request; none is a 500, none reaches Emporix. The server is the
 * one `npm start` runs: `createGatewayServer(gateway.yoga)`.
 */
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../src/emulator/index.js';
import { createGateway, type Gateway } from '../src/gateway.js';
import { createGatewayServer, invalidJsonMessage } from '../src/http-guard.js';
import { createLogger } from '../src/logger.js';

let emulator: Emulator;
let gateway: Gateway;
let server: ReturnType<typeof createGatewayServer>;
let port: number;
const logs: string[] = [];

beforeAll(async () => {
  emulator = await createEmulator();
  gateway = createGateway({
    emporixApiUrl: emulator.url,
    defaultTenant: 'demo',
    rateLimits: false,
    logger: createLogger({ level: 'trace', destination: { write: (line: string) => void logs.push(line) } }),
  });
  server = createGatewayServer(gateway.yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await gateway.close();
  await emulator.close();
});

beforeEach(() => {
  emulator.clearRequests();
});

interface RawAnswer {
  status: number | null;
  headers: string;
  body: string;
}

/** Writes `bytes` on a fresh connection and reads the first response (or nothing, on close or after 5 s). */
function sendRaw(bytes: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const split = received.indexOf('\r\n\r\n');
      const head = split < 0 ? received : received.slice(0, split);
      let body = split < 0 ? '' : received.slice(split + 4);
      if (/\r\ntransfer-encoding: chunked/i.test(head)) body = unchunk(body);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      resolve({ status: status === undefined ? null : Number(status), headers: head, body });
    };
    socket.setTimeout(5000, done);
    socket.on('connect', () =>
      socket.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes),
    );
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const split = received.indexOf('\r\n\r\n');
      if (split < 0) return;
      const length = /\r\ncontent-length: (\d+)/i.exec(received.slice(0, split))?.[1];
      if (length !== undefined && received.length - split - 4 >= Number(length)) done();
      if (received.endsWith('\r\n0\r\n\r\n')) done();
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
}

function unchunk(text: string): string {
  let out = '';
  let rest = text;
  for (;;) {
    const line = rest.indexOf('\r\n');
    if (line < 0) return out;
    const size = Number.parseInt(rest.slice(0, line), 16);
    if (!(size > 0)) return out;
    out += rest.slice(line + 2, line + 2 + size);
    rest = rest.slice(line + 2 + size + 2);
  }
}

const QUERY = '{"query":"{ __typename }"}';
const TYPENAME = '{"data":{"__typename":"Query"}}';

function post(target: string, headers = 'Host: 127.0.0.1\r\n', body = QUERY): string {
  return `POST ${target} HTTP/1.1\r\n${headers}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function refusal(message: string, code = 'BAD_REQUEST'): string {
  return JSON.stringify({ errors: [{ message, extensions: { code } }] });
}

const notAPath = refusal('The request target must be a path such as /graphql (or an absolute http URL).');
const badHost = refusal('The Host header must be a host name or address, with an optional port.');

describe('request targets', () => {
  it.each([
    ['*', post('*')],
    ['OPTIONS *', 'OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'],
    ['a non-http absolute URL', post('ftp://evil.example/graphql')],
    ['an absolute URL with a bad port', post('http://evil.example:99999/graphql')],
    ['* with a port in Host', post('*', 'Host: 127.0.0.1:4000\r\n')],
  ])('%s: 400, a short JSON body, the connection closed', async (_name, bytes) => {
    const answer = await sendRaw(bytes);
    expect(answer.status).toBe(400);
    expect(answer.body).toBe(notAPath);
    expect(answer.headers).toMatch(/\r\nconnection: close/i);
    expect(emulator.requests()).toEqual([]);
  });

  it('serves an absolute-form target as its path; neither its authority nor Host decides anything', async () => {
    for (const target of [
      'http://evil.example/graphql',
      'HTTPS://evil.example:8443/graphql',
      'http://127.0.0.1:1/graphql?x=1',
    ]) {
      const answer = await sendRaw(post(target, 'Host: 127.0.0.1:4000\r\n'));
      expect({ target, status: answer.status, body: answer.body }).toEqual({
        target,
        status: 200,
        body: TYPENAME,
      });
    }
  });

  it('answers authority-form and garbage targets with 400 (from the HTTP parser)', async () => {
    for (const target of ['evil.example:443', 'graphql']) {
      expect((await sendRaw(post(target))).status).toBe(400);
    }
  });

  it('answers CONNECT with 400 instead of closing the connection silently', async () => {
    const answer = await sendRaw('CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n');
    expect(answer.status).toBe(400);
    expect(answer.body).toBe(refusal('CONNECT is not supported: this is a GraphQL endpoint, not a proxy.'));
  });
});

describe('Host values', () => {
  it.each([
    ['a path in it', 'x/admin?'],
    ['a port over 65535', '127.0.0.1:99999'],
    ['userinfo', 'user@127.0.0.1'],
    ['a space', 'a b'],
    ['a byte over 127', 'a\u00ffb'],
    ['malformed IPv6', '[:::]'],
    ['an IPv4 part over 255', '1.2.3.999'],
  ])('with %s: 400', async (_name, host) => {
    const answer = await sendRaw(post('/graphql', `Host: ${host}\r\n`));
    expect(answer.status).toBe(400);
    expect(answer.body).toBe(badHost);
    expect(emulator.requests()).toEqual([]);
  });

  it.each([
    ['a name and port', 'gateway.example:4000'],
    ['IPv6', '[::1]:4000'],
    ['an empty value', ''],
  ])('with %s: served', async (_name, host) => {
    expect(await sendRaw(post('/graphql', `Host: ${host}\r\n`))).toMatchObject({
      status: 200,
      body: TYPENAME,
    });
  });

  it('serves HTTP/1.0 without Host, and refuses HTTP/1.1 without it', async () => {
    const body = QUERY;
    const request = (version: string) =>
      `POST /graphql HTTP/${version}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    expect(await sendRaw(request('1.0'))).toMatchObject({ status: 200, body: TYPENAME });
    expect((await sendRaw(request('1.1'))).status).toBe(400);
  });
});

describe('methods and transfer codings', () => {
  it.each(['PUT', 'DELETE', 'PATCH', 'PROPFIND', 'MKCOL'])(
    '%s: 405 naming what is served',
    async (method) => {
      const answer = await sendRaw(post('/graphql').replace(/^POST/, method));
      expect(answer.status).toBe(405);
      expect(answer.body).toBe(
        refusal('Only POST (and GET for queries) is served here.', 'METHOD_NOT_ALLOWED'),
      );
      expect(answer.headers).toMatch(/\r\nallow: GET, POST, OPTIONS, HEAD/i);
    },
  );

  it.each(['identity', 'gzip, chunked', 'chunked, gzip'])('Transfer-Encoding: %s: 400', async (coding) => {
    const answer = await sendRaw(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: ${coding}\r\n\r\n0\r\n\r\n`,
    );
    expect(answer.status).toBe(400);
  });

  it('serves a chunked body', async () => {
    const answer = await sendRaw(
      `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: Chunked\r\n\r\n${QUERY.length.toString(16)}\r\n${QUERY}\r\n0\r\n\r\n`,
    );
    expect(answer).toMatchObject({ status: 200, body: TYPENAME });
  });
});

describe('input that is not JSON', () => {
  it('a 600 KB body that is not JSON: a short 400 that quotes nothing of it', async () => {
    const body = `{"query": "${'x'.repeat(600_000)}`;
    const answer = await sendRaw(post('/graphql', 'Host: 127.0.0.1\r\n', body));
    expect(answer.status).toBe(400);
    expect(answer.body).toBe(refusal(invalidJsonMessage));
    expect(emulator.requests()).toEqual([]);
  });

  it.each(['{"query": nope}', '{', '{"query": "{ __typename }",}'])(
    '%s: the same short 400',
    async (body) => {
      const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toBe(refusal(invalidJsonMessage));
    },
  );

  it('a GET whose variables or extensions are not JSON: 400, quoting nothing, logging no "unexpected error"', async () => {
    logs.length = 0;
    for (const parameter of ['variables', 'extensions']) {
      const response = await fetch(
        `http://127.0.0.1:${port}/graphql?query=${encodeURIComponent('{ __typename }')}&${parameter}=${encodeURIComponent('{secret-looking')}`,
        { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } },
      );
      expect(response.status).toBe(400);
      expect(await response.text()).toBe(refusal('The variables or extensions parameter is not valid JSON'));
    }
    expect(logs.filter((line) => line.includes('unexpected error'))).toEqual([]);
    expect(logs.filter((line) => line.includes('secret-looking'))).toEqual([]);
  });
});
