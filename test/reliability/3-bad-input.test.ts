/**
 * Group 3, bad input: more than 1,000 generated hostile requests. Each must be answered with a 4xx, a GraphQL
 * request error (no data), or a typed error member; none may reach the upstream; the process must stay up and
 * keep serving valid requests.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHANGE_PASSWORD,
  clearUpstreamRequests,
  countBy,
  cpuMs,
  DEMO_CLIENT_ID,
  type EmulatorProc,
  type GatewayProc,
  gql,
  healthStatus,
  type LoadRequest,
  ME,
  type Outcome,
  REQUEST_PASSWORD_RESET,
  RESULT_FIELDS,
  recordSecrets,
  resetGroupFiles,
  runLoad,
  scanLogs,
  secretsInUpstream,
  send,
  startEmulator,
  startGateway,
  stopAll,
  stopProc,
  summary,
  typenameOf,
  upstreamRequests,
} from './support.js';

const GROUP = 'bad-input';
const run = randomUUID().slice(0, 8);
const hostilePassword = `Hostile-${run}-Pw!`;
const MiB = 1024 * 1024;

/** What an acceptable answer is, beyond "answered, not 5xx, nothing upstream". */
type Expectation =
  | '4xx' // any client error status
  | 'rejected' // a 4xx, or 200 with GraphQL errors and no data
  | 'typed'; // 200 with data whose root member is one of the gateway's error types

interface Hostile extends LoadRequest {
  kind: string;
  expect: Expectation;
  /** An exact status, when the kind has one. */
  status?: number;
  /**
   * The body is over the limit: the gateway answers 413 before reading it and closes the connection, so a
   * client still uploading may see the connection reset instead of the 413. That is a refusal too (counted apart).
   */
  oversized?: boolean;
}

/** Transport errors of a client whose upload was cut off by the server. */
const UPLOAD_CUT = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

const TYPED_ERRORS = new Set(['ValidationError', 'UnauthorizedError']);

let emulator: EmulatorProc;
let gateway: GatewayProc;
let hostile: { specs: Hostile[]; outcomes: Outcome[] } | undefined;

function body(value: unknown): string {
  return JSON.stringify(value);
}

function resetBody(email: unknown): string {
  return body({ query: REQUEST_PASSWORD_RESET, variables: { input: { email } } });
}

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function generator(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** Builds the hostile requests: every kind several times, with variations. */
function hostileRequests(): Hostile[] {
  const random = generator(0xbad1);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const requests: Hostile[] = [];
  const add = (count: number, make: (i: number) => Hostile) => {
    for (let i = 0; i < count; i += 1) requests.push(make(i));
  };
  const fields = ['me', 'requestPasswordReset', '__typename', 'a', '__schema'];

  // Deep nesting in the query: 5,000 levels (token limit), and just over the depth limit.
  add(30, (i) => ({
    kind: 'deep-query',
    expect: 'rejected',
    body: body({
      query: `${i % 2 ? 'mutation' : 'query'} { ${`${pick(fields)} { `.repeat(5000)}__typename${' }'.repeat(5001)}`,
    }),
  }));
  add(30, (i) => ({
    kind: 'depth-over-limit',
    expect: 'rejected',
    body: body({
      query: `{ ${'me { ... on Customer { '.repeat(2 + (i % 4))}id${' } }'.repeat(2 + (i % 4))} }`,
    }),
  }));
  add(20, (i) => ({
    kind: 'deep-fragments',
    expect: 'rejected',
    body: body({
      query: `query { me { ...F0 } } ${Array.from({ length: 50 + i }, (_, n) => `fragment F${n} on Customer { id ...F${n + 1} }`).join(' ')} fragment F${50 + i} on Customer { id }`,
    }),
  }));
  // Deep nesting in a variable's value: arrays and objects 5,000 (and 100,000) levels deep.
  add(40, (i) => {
    const depth = i % 4 === 3 ? 100_000 : 5000;
    const nested =
      i % 2 ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    return {
      kind: 'deep-variables',
      expect: 'rejected',
      body: `{"query":${JSON.stringify(REQUEST_PASSWORD_RESET)},"variables":{"input":{"email":${nested}}}}`,
    };
  });
  // Thousands of aliases (token limit), and just over the alias limit on a field that would go upstream.
  add(30, (i) => ({
    kind: 'aliases-5000',
    expect: 'rejected',
    body: body({
      query: `{ ${Array.from({ length: 5000 }, (_, n) => `a${n}: ${i % 2 ? 'me { __typename }' : '__typename'}`).join(' ')} }`,
    }),
  }));
  add(30, (i) => ({
    kind: 'aliases-over-limit',
    expect: 'rejected',
    body: body({
      query:
        i % 2
          ? `{ ${Array.from({ length: 16 + i }, (_, n) => `m${n}: me { __typename }`).join(' ')} }`
          : `mutation { ${Array.from({ length: 16 + i }, (_, n) => `r${n}: requestPasswordReset(input: { email: "alias${n}@example.com" }) { __typename }`).join(' ')} }`,
    }),
  }));
  add(20, (i) => ({
    kind: 'directives-over-limit',
    expect: 'rejected',
    body: body({ query: `{ me ${'@include(if: true) '.repeat(11 + i)}{ __typename } }` }),
  }));
  // Huge strings: over the body limit (413), and just under it in a valid mutation (ValidationError).
  add(15, (i) => ({
    kind: 'string-2mib',
    oversized: true,
    expect: '4xx',
    status: 413,
    reset: true,
    body: resetBody(`${'x'.repeat(2 * MiB + i)}@example.com`),
  }));
  add(30, (i) => ({
    kind: 'string-900kib',
    expect: 'typed',
    body:
      i % 3 === 0
        ? resetBody(`${'x'.repeat(900 * 1024)}@example.com`)
        : i % 3 === 1
          ? body({
              query: CHANGE_PASSWORD,
              variables: { input: { currentPassword: 'p'.repeat(900 * 1024), newPassword: hostilePassword } },
            })
          : body({
              query: `mutation { resetPassword(input: { token: "${'t'.repeat(900 * 1024)}", password: "${hostilePassword}" }) { ${RESULT_FIELDS} } }`,
            }),
  }));
  // Bodies over the limit: declared, chunked, and a body of nothing but whitespace.
  add(15, (i) => ({
    kind: 'oversized-declared',
    oversized: true,
    expect: '4xx',
    status: 413,
    reset: true,
    body: Buffer.alloc(MiB + 1 + i * 4096, i % 2 ? ' ' : '{'),
  }));
  add(15, (i) => ({
    kind: 'oversized-chunked',
    oversized: true,
    expect: '4xx',
    status: 413,
    reset: true,
    body: (async function* () {
      for (let n = 0; n < 5 + (i % 3); n += 1) yield Buffer.alloc(256 * 1024, 'x');
    })(),
  }));
  // Wrong content types: simple ones are refused by CSRF prevention, others are not GraphQL.
  const contentTypes = [
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'text/html',
    'image/png',
    'application/octet-stream',
    'application/jsonx',
    'json',
  ];
  add(120, (i) => {
    const contentType = contentTypes[i % contentTypes.length] as string;
    return {
      kind: `content-type:${contentType.split(';')[0]}`,
      expect: '4xx',
      exactHeaders: true,
      headers: { 'content-type': contentType },
      body: contentType.startsWith('application/x-www-form-urlencoded')
        ? `query=${encodeURIComponent(REQUEST_PASSWORD_RESET)}&variables=${encodeURIComponent('{"input":{"email":"a@example.com"}}')}`
        : contentType.startsWith('multipart')
          ? `--x\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${resetBody('a@example.com')}\r\n--x--\r\n`
          : resetBody(`ct${i}@example.com`),
    };
  });
  add(10, () => ({
    kind: 'content-type:none',
    expect: '4xx',
    exactHeaders: true,
    headers: {},
    body: resetBody('none@example.com'),
  }));
  // Invalid JSON: truncations and corruptions of a valid body.
  const valid = resetBody('json@example.com');
  add(120, (i) => {
    const variants = [
      () => valid.slice(0, 1 + Math.floor(random() * (valid.length - 2))),
      () => valid.replace('{', '['),
      () => `${valid},`,
      () => valid.replace(/"/g, "'"),
      () => `{"query": ${REQUEST_PASSWORD_RESET}}`,
      () => '',
      () => '   ',
      () => 'null',
      () => '"just a string"',
      () => '{"query": "{ __typename }", "query": }',
      () => `\u0000${valid}`,
      () => Array.from({ length: 64 }, () => String.fromCharCode(Math.floor(random() * 256))).join(''),
    ];
    return { kind: 'invalid-json', expect: '4xx', body: (variants[i % variants.length] as () => string)() };
  });
  // Invalid UTF-8: in the query's syntax, in an email value, in a variable name.
  add(60, (i) => {
    const bad = Buffer.from(
      [[0xff], [0xc3, 0x28], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0xbc], [0xed, 0xa0, 0x80]][i % 5] ?? [0xff],
    );
    const parts: Array<[string, string]> = [
      ['{"query":"mut', 'ation { __typename }"}'],
      [
        '{"query":"mutation { requestPasswordReset(input: { email: \\"',
        '@example.com\\" }) { __typename ... on ValidationError { message } } }"}',
      ],
      [
        `{"query":${JSON.stringify(REQUEST_PASSWORD_RESET)},"variables":{"in`,
        'put":{"email":"a@example.com"}}}',
      ],
      [`{"query":${JSON.stringify(REQUEST_PASSWORD_RESET)},"variables":{"input":{"email":"`, '"}}}'],
    ];
    const [before, after] = parts[i % parts.length] as [string, string];
    return {
      kind: 'invalid-utf8',
      expect: i % 4 === 1 || i % 4 === 3 ? 'typed' : 'rejected',
      body: Buffer.concat([Buffer.from(before), bad, Buffer.from(after)]),
    };
  });
  // Mutations over GET, with and without the CSRF header.
  add(60, (i) => ({
    kind: 'get-mutation',
    expect: '4xx',
    method: 'GET',
    exactHeaders: true,
    headers: {
      accept: 'application/json',
      ...(i % 2 ? { 'x-graphql-yoga-csrf': '1' } : {}),
    } as Record<string, string>,
    search: `?query=${encodeURIComponent(`mutation { requestPasswordReset(input: { email: "get${i}@example.com" }) { __typename } }`)}`,
  }));
  // Unknown operations and fields, subscriptions, missing or wrong `query`.
  const unknown = [
    () =>
      body({
        query: REQUEST_PASSWORD_RESET,
        operationName: 'Nope',
        variables: { input: { email: 'a@example.com' } },
      }),
    () => body({ query: 'mutation { dropAllCustomers { __typename } }' }),
    () => body({ query: 'query { customer(id: "1") { id } }' }),
    () => body({ query: 'query { me { password } }' }),
    () => body({ query: 'subscription { me { __typename } }' }),
    () => body({ query: `query A { me { __typename } } query B { me { __typename } }` }),
    () => body({ query: 'query ($x: Unknown) { me { __typename } }', variables: { x: 1 } }),
    () => body({ query: null }),
    () => body({ query: 42 }),
    () => body({ variables: { input: { email: 'a@example.com' } } }),
    () => body({ extensions: { persistedQuery: { version: 1, sha256Hash: 'ab'.repeat(32) } } }),
    () =>
      body({
        query: 'query { me { ...F } } fragment F on Customer { ...G } fragment G on Customer { ...F }',
      }),
    () => body({ query: 'mutation { requestPasswordReset { __typename } }' }),
    () => body({ query: 'mutation { requestPasswordReset(input: { email: 42 }) { __typename } }' }),
    () =>
      body({
        query:
          'mutation { requestPasswordReset(input: { email: "a@example.com", admin: true }) { __typename } }',
      }),
  ];
  add(150, (i) => ({
    kind: 'unknown-operation',
    expect: 'rejected',
    body: (unknown[i % unknown.length] as () => string)(),
  }));
  // Batches (batching is off).
  add(30, (i) => ({
    kind: 'batched',
    expect: 'rejected',
    body: body(
      Array.from({ length: 2 + i }, (_, n) => ({
        query: REQUEST_PASSWORD_RESET,
        variables: { input: { email: `batch${n}@example.com` } },
      })),
    ),
  }));
  // Huge variable objects: many unknown keys, long arrays, unused variables next to an invalid operation.
  add(30, (i) => ({
    kind: 'huge-variables',
    expect: 'rejected',
    body:
      i % 3 === 0
        ? body({
            query: REQUEST_PASSWORD_RESET,
            variables: { input: Object.fromEntries(Array.from({ length: 20_000 }, (_, n) => [`k${n}`, n])) },
          })
        : i % 3 === 1
          ? body({
              query: REQUEST_PASSWORD_RESET,
              variables: { input: { email: Array.from({ length: 40_000 }, (_, n) => `e${n}@example.com`) } },
            })
          : body({
              query: 'query ($a: String) { nope }',
              variables: Object.fromEntries(
                Array.from({ length: 20_000 }, (_, n) => [`v${n}`, 'x'.repeat(10)]),
              ),
            }),
  }));
  // Null bytes and control characters.
  add(60, (i) => {
    const variants = [
      { expect: 'rejected' as const, text: body({ query: 'mutation\u0000{ __typename }' }) },
      { expect: 'typed' as const, text: resetBody('a\u0000@example.com') },
      { expect: 'typed' as const, text: resetBody('\u0000') },
      {
        expect: 'rejected' as const,
        text: body({ query: `{ me { __typename } }\u0000${'\u0000'.repeat(100)}` }),
      },
      {
        expect: 'typed' as const,
        text: body({
          query: CHANGE_PASSWORD,
          variables: { input: { currentPassword: hostilePassword, newPassword: hostilePassword } },
        }),
      },
      { expect: 'typed' as const, text: resetBody('\u202e@example.com\u0007') },
    ];
    const variant = variants[i % variants.length] as { expect: Expectation; text: string };
    return { kind: 'null-bytes', expect: variant.expect, body: variant.text };
  });
  // Hostile headers: bad tenants, malformed Authorization, oversized headers, bad request ids.
  const tenants = [
    '../../admin',
    'DEMO; DROP TABLE',
    'a',
    'x'.repeat(100),
    '1demo',
    'demo\u00e9',
    '%2e%2e',
    'demo demo',
  ];
  add(60, (i) => ({
    kind: 'bad-tenant',
    expect: 'typed',
    headers: { 'x-emporix-tenant': encodeURI(tenants[i % tenants.length] as string) },
    body: resetBody(`tenant${i}@example.com`),
  }));
  const authorizations = [
    'Basic ZGVtbzpzZWNyZXQ=',
    'Bearer',
    'Bearer  ',
    'Token abc',
    'bearer',
    `Digest ${hostilePassword}`,
  ];
  add(60, (i) => ({
    kind: 'malformed-authorization',
    expect: 'typed',
    headers: { authorization: authorizations[i % authorizations.length] as string },
    body:
      i % 2
        ? resetBody(`auth${i}@example.com`)
        : body({
            query: CHANGE_PASSWORD,
            variables: { input: { currentPassword: 'whatever1', newPassword: hostilePassword } },
          }),
  }));
  add(10, (i) => ({
    kind: 'oversized-header',
    expect: '4xx',
    status: 431,
    reset: true,
    headers: { 'x-junk': 'j'.repeat(20_000 + i * 1000) },
    body: resetBody('header@example.com'),
  }));
  add(20, (i) => ({
    kind: 'bad-request-id',
    expect: 'rejected',
    headers: { 'x-request-id': i % 2 ? 'x'.repeat(5000) : '<script>alert(1)</script>' },
    body: body({ query: 'query { me { __typename } ' }),
  }));
  return requests;
}

function refusedByReset(spec: Hostile, o: Outcome): boolean {
  return spec.oversized === true && o.status === null && o.error !== null && UPLOAD_CUT.has(o.error);
}

function acceptable(spec: Hostile, o: Outcome): boolean {
  if (refusedByReset(spec, o)) return true;
  if (o.status === null || o.error === 'not-sent') return false;
  if (spec.status !== undefined && o.status !== spec.status) return false;
  const clientError = o.status >= 400 && o.status < 500;
  const noData = o.result === null && o.typename === null;
  switch (spec.expect) {
    case '4xx':
      return clientError;
    case 'rejected':
      return clientError || (o.status === 200 && o.graphqlErrors > 0 && noData);
    case 'typed':
      return o.status === 200 && o.graphqlErrors === 0 && o.typename !== null && TYPED_ERRORS.has(o.typename);
  }
}

/** Raw HTTP that no client library would send: request smuggling shapes, garbage, broken chunking. */
const rawRequests: Array<{ kind: string; bytes: string }> = [
  { kind: 'raw-garbage', bytes: 'GARBAGE\r\n\r\n' },
  { kind: 'raw-bad-header', bytes: 'POST /graphql HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n' },
  {
    kind: 'raw-cl-and-te',
    bytes:
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
  },
  {
    kind: 'raw-bad-chunk',
    bytes:
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  },
  {
    kind: 'raw-two-content-lengths',
    bytes:
      'POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}',
  },
  { kind: 'raw-http-0.9', bytes: 'GET /graphql\r\n\r\n' },
  { kind: 'raw-bad-version', bytes: 'POST /graphql HTTP/9.9\r\nHost: x\r\n\r\n' },
  { kind: 'raw-nul-in-header', bytes: 'POST /graphql HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n' },
];

function sendRaw(port: number, bytes: string): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    const done = () => {
      socket.destroy();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
      resolve(status === undefined ? null : Number(status));
    };
    socket.setTimeout(5000, done);
    socket.on('connect', () => socket.write(Buffer.from(bytes, 'latin1')));
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
    });
    socket.on('close', done);
    socket.on('error', () => undefined);
  });
}

interface RawAnswer {
  status: number | null;
  /** Bytes of the response body as received (chunk framing included), for the no-amplification check. */
  bodyBytes: number;
  body: string;
}

/** Like sendRaw, with the body: reads until the declared length, the last chunk, the close, or 10 s. */
function sendRawFull(port: number, bytes: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const done = () => {
      if (settled) return;
      settled = true;
      socket.destroy();
      const received = Buffer.concat(chunks).toString('latin1');
      const split = received.indexOf('\r\n\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1];
      const body = split < 0 ? '' : received.slice(split + 4);
      resolve({ status: status === undefined ? null : Number(status), bodyBytes: body.length, body });
    };
    socket.setTimeout(10_000, done);
    socket.on('connect', () => socket.end(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const length = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, split))?.[1];
      if (length !== undefined && size - split - 4 >= Number(length)) done();
      else if (text.endsWith('\r\n0\r\n\r\n')) done();
    });
    socket.on('close', done);
    // A reset after the answer (the server closing while we still send) still leaves the answer read.
    socket.on('error', () => undefined);
  });
}

const QUERY = '{"query":"{ __typename }"}';
const RESET_QUERY = resetBody('raw@example.com');

function rawPost(target: string, headers: string, body = QUERY, version = '1.1'): string {
  return `POST ${target} HTTP/${version}\r\n${headers}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/**
 * The raw-socket group: requests Node's parser accepts (or refuses itself) that no client library sends. Each
 * must be answered, never with a 5xx; `status` pins the answer where there is one deliberate answer.
 */
function rawSocketCases(port: number): Array<{ kind: string; bytes: string | Buffer; status?: number }> {
  const host = `Host: 127.0.0.1:${port}\r\n`;
  const cases: Array<{ kind: string; bytes: string | Buffer; status?: number }> = [
    // Request targets.
    { kind: 'target-asterisk', bytes: rawPost('*', host), status: 400 },
    { kind: 'target-options-asterisk', bytes: `OPTIONS * HTTP/1.1\r\n${host}\r\n`, status: 400 },
    { kind: 'target-absolute', bytes: rawPost('http://evil.example/graphql', host), status: 200 },
    {
      kind: 'target-absolute-https',
      bytes: rawPost('https://evil.example:8443/graphql?x=1', host),
      status: 200,
    },
    { kind: 'target-absolute-no-path', bytes: rawPost('http://evil.example', host) },
    { kind: 'target-absolute-ftp', bytes: rawPost('ftp://evil.example/graphql', host), status: 400 },
    {
      kind: 'target-absolute-bad-port',
      bytes: rawPost('http://evil.example:99999/graphql', host),
      status: 400,
    },
    { kind: 'target-authority', bytes: rawPost('evil.example:443', host), status: 400 },
    { kind: 'target-relative', bytes: rawPost('graphql', host), status: 400 },
    { kind: 'target-double-slash', bytes: rawPost('//evil.example/graphql', host) },
    { kind: 'target-backslash', bytes: rawPost('/\\evil.example/graphql', host) },
    { kind: 'target-dot-segments', bytes: rawPost('/a/../graphql', host), status: 200 },
    { kind: 'target-encoded', bytes: rawPost('/%67raphql', host) },
    { kind: 'target-fragment', bytes: rawPost('/graphql#x', host) },
    { kind: 'target-bad-percent', bytes: rawPost('/graphql?%zz=%', host) },
    { kind: 'target-byte-over-127', bytes: rawPost('/graphql\u00ff', host), status: 400 },
    {
      kind: 'connect',
      bytes: `CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n`,
      status: 400,
    },
    // Content-Length and Transfer-Encoding, duplicated and conflicting.
    {
      kind: 'cl-duplicate-equal',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: ${QUERY.length}\r\nContent-Length: ${QUERY.length}\r\n\r\n${QUERY}`,
      status: 400,
    },
    {
      kind: 'cl-list',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: ${QUERY.length}, ${QUERY.length}\r\n\r\n${QUERY}`,
      status: 400,
    },
    {
      kind: 'cl-signed',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: +${QUERY.length}\r\n\r\n${QUERY}`,
      status: 400,
    },
    {
      kind: 'cl-short',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 5\r\n\r\n${QUERY}`,
    },
    {
      kind: 'cl-and-te',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      status: 400,
    },
    {
      kind: 'te-duplicate',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      status: 400,
    },
    {
      kind: 'te-gzip-chunked',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n`,
      status: 400,
    },
    {
      kind: 'te-identity',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: identity\r\n\r\n${QUERY}`,
      status: 400,
    },
    {
      kind: 'te-space-before-colon',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n`,
      status: 400,
    },
    {
      kind: 'te-http-1.0',
      bytes: `POST /graphql HTTP/1.0\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${QUERY.length.toString(16)}\r\n${QUERY}\r\n0\r\n\r\n`,
    },
    {
      kind: 'chunk-size-overflow',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n{}\r\n0\r\n\r\n`,
      status: 400,
    },
    {
      kind: 'chunk-extension',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${QUERY.length.toString(16)};x=y\r\n${QUERY}\r\n0\r\n\r\n`,
      status: 200,
    },
    {
      kind: 'obsolete-line-folding',
      bytes: `POST /graphql HTTP/1.1\r\n${host}Content-Type: application/json\r\n X-Folded: b\r\nContent-Length: 2\r\n\r\n{}`,
      status: 400,
    },
    { kind: 'bare-lf', bytes: `GET /health HTTP/1.1\nHost: 127.0.0.1\n\n`, status: 400 },
    // Header and URL sizes.
    {
      kind: 'header-20kib',
      bytes: rawPost('/graphql', `${host}X-Junk: ${'j'.repeat(20_000)}\r\n`),
      status: 431,
    },
    {
      kind: 'headers-2000',
      bytes: rawPost(
        '/graphql',
        `${host}${Array.from({ length: 2000 }, (_, i) => `X-H${i}: v\r\n`).join('')}`,
      ),
    },
    {
      kind: 'url-20kib',
      bytes: `GET /graphql?query=${'a'.repeat(20_000)} HTTP/1.1\r\n${host}\r\n`,
      status: 431,
    },
    {
      kind: 'url-8kib-query',
      bytes: `GET /graphql?query=${encodeURIComponent(`{ ${'__typename '.repeat(600)}}`)} HTTP/1.1\r\n${host}Accept: application/json\r\nx-graphql-yoga-csrf: 1\r\n\r\n`,
    },
    // Methods.
    ...['PUT', 'DELETE', 'PATCH', 'PROPFIND', 'MKCOL', 'LOCK', 'SEARCH', 'PURGE'].map((method) => ({
      kind: `method-${method.toLowerCase()}`,
      bytes: rawPost('/graphql', host, RESET_QUERY).replace(/^POST/, method),
      status: 405,
    })),
    { kind: 'method-trace', bytes: `TRACE /graphql HTTP/1.1\r\n${host}\r\n`, status: 405 },
    { kind: 'method-unknown', bytes: rawPost('/graphql', host).replace(/^POST/, 'BREW'), status: 400 },
    { kind: 'method-lowercase', bytes: rawPost('/graphql', host).replace(/^POST/, 'post'), status: 400 },
    { kind: 'method-head', bytes: `HEAD /graphql HTTP/1.1\r\n${host}\r\n` },
    // Odd Host values.
    ...[
      ['host-path', 'x/admin?', 400],
      ['host-port-over-65535', '127.0.0.1:99999', 400],
      ['host-userinfo', 'user@127.0.0.1', 400],
      ['host-space', 'a b', 400],
      ['host-byte-over-127', 'a\u00ffb', 400],
      ['host-bad-ipv6', '[:::]', 400],
      ['host-bad-ipv4', '1.2.3.999', 400],
      ['host-empty', '', 200],
      ['host-ipv6', '[::1]:4000', 200],
      ['host-other-name', 'evil.example', 200],
      ['host-long', 'h'.repeat(4000), 200],
    ].map(([kind, value, status]) => ({
      kind: String(kind),
      bytes: rawPost('/graphql', `Host: ${value}\r\n`),
      status: Number(status),
    })),
    { kind: 'host-two', bytes: rawPost('/graphql', `${host}Host: x/admin?\r\n`) },
    { kind: 'host-missing-1.1', bytes: rawPost('/graphql', ''), status: 400 },
    { kind: 'host-missing-1.0', bytes: rawPost('/graphql', '', QUERY, '1.0'), status: 200 },
    // A body that is not JSON, 600 KB: answered without quoting it (checked below).
    {
      kind: 'invalid-json-600kb',
      bytes: rawPost('/graphql', host, `{"query": "${'x'.repeat(600_000)}`),
      status: 400,
    },
    {
      kind: 'get-variables-not-json',
      bytes: `GET /graphql?query=%7B__typename%7D&variables=%7Bnope HTTP/1.1\r\n${host}Accept: application/json\r\nx-graphql-yoga-csrf: 1\r\n\r\n`,
      status: 400,
    },
  ];
  return cases;
}

beforeAll(async () => {
  resetGroupFiles(GROUP);
  emulator = await startEmulator();
  gateway = await startGateway({
    group: GROUP,
    name: 'main',
    upstreamUrl: emulator.url,
    env: { EMPORIX_CLIENT_ID: DEMO_CLIENT_ID, RATE_LIMIT_PER_IP: '100000/60' },
  });
  recordSecrets(GROUP, [
    hostilePassword,
    emulator.customerToken,
    emulator.anonymousToken,
    'ZGVtbzpzZWNyZXQ=',
    `Digest ${hostilePassword}`,
  ]);
  await clearUpstreamRequests(emulator.url);
});

afterAll(async () => {
  await stopAll();
});

describe('reliability 3: bad input', () => {
  it('answers every hostile request with a 4xx or a typed error, and sends nothing upstream', async () => {
    const specs = hostileRequests();
    const started = Date.now();
    const outcomes = await runLoad({
      url: gateway.url,
      total: specs.length,
      concurrency: 20,
      deadlineMs: 150_000,
      requestTimeoutMs: 30_000,
      build: (i) => specs[i] as Hostile,
    });
    hostile = { specs, outcomes };
    const raw = await Promise.all(rawRequests.map((r) => sendRaw(gateway.port, r.bytes)));
    const seconds = (Date.now() - started) / 1000;
    const upstream = await upstreamRequests(emulator.url);
    recordSecrets(GROUP, secretsInUpstream(upstream));

    const failures = outcomes.filter((o) => !acceptable(specs[o.index] as Hostile, o));
    const rawFailures = rawRequests.filter((_, i) => {
      const status = raw[i];
      return status === null || status === undefined || status < 400 || status >= 500;
    });
    const total = specs.length + rawRequests.length;
    const statuses = countBy(outcomes, (o) => String(o.status ?? o.error));
    summary(GROUP, {
      requests: total,
      kinds: new Set([...specs.map((s) => s.kind), ...rawRequests.map((r) => r.kind)]).size,
      answered: outcomes.filter((o) => o.status !== null).length + raw.filter((s) => s !== null).length,
      lost: failures.length + rawFailures.length,
      upstream: upstream.length,
      refused_by_reset: outcomes.filter((o) => refusedByReset(specs[o.index] as Hostile, o)).length,
      typed_errors: outcomes.filter((o) => o.typename !== null).length,
      graphql_errors: outcomes.filter((o) => o.status === 200 && o.graphqlErrors > 0).length,
      largest_answer_kib: Math.round(Math.max(...outcomes.map((o) => o.bytes)) / 1024),
      statuses: Object.entries(statuses)
        .map(([status, count]) => `${status}:${count}`)
        .join(','),
      seconds: seconds.toFixed(1),
      gateway_alive: gateway.alive(),
    });

    expect(total).toBeGreaterThanOrEqual(1000);
    expect(
      countBy(
        failures,
        (o) =>
          `${(specs[o.index] as Hostile).kind} expected=${(specs[o.index] as Hostile).expect}${(specs[o.index] as Hostile).status ?? ''} got status=${o.status} typename=${o.typename} errors=${o.graphqlErrors} error=${o.error}`,
      ),
    ).toEqual({});
    expect(
      rawFailures.map((r) => r.kind),
      'raw requests not answered with a 4xx',
    ).toEqual([]);
    expect(
      upstream.map((r) => `${r.method} ${r.path}`),
      'hostile requests that reached the upstream',
    ).toEqual([]);
    expect(gateway.alive()).toBe(true);
  });

  it('answers every raw-socket request deliberately (never a 5xx), also with NODE_ENV=production', async () => {
    const production = await startGateway({
      group: GROUP,
      name: 'production',
      upstreamUrl: emulator.url,
      env: { EMPORIX_CLIENT_ID: DEMO_CLIENT_ID, RATE_LIMIT_PER_IP: '100000/60', NODE_ENV: 'production' },
    });
    await clearUpstreamRequests(emulator.url);
    const failures: string[] = [];
    const statuses: Record<string, number> = {};
    let largest = 0;
    let cases = 0;
    for (const target of [gateway, production]) {
      for (const spec of rawSocketCases(target.port)) {
        cases += 1;
        const answer = await sendRawFull(target.port, spec.bytes);
        const label = `${target === gateway ? 'development' : 'production'} ${spec.kind}`;
        statuses[String(answer.status)] = (statuses[String(answer.status)] ?? 0) + 1;
        largest = Math.max(largest, answer.bodyBytes);
        if (answer.status === null || answer.status >= 500) {
          failures.push(`${label}: status=${answer.status} body=${answer.body.slice(0, 200)}`);
        } else if (spec.status !== undefined && answer.status !== spec.status) {
          failures.push(
            `${label}: status=${answer.status}, expected ${spec.status}: ${answer.body.slice(0, 200)}`,
          );
        }
        if (spec.kind === 'invalid-json-600kb' && (answer.body.includes('xxxx') || answer.bodyBytes > 1024)) {
          failures.push(`${label}: the answer quotes the body (${answer.bodyBytes} bytes)`);
        }
      }
    }
    const upstream = await upstreamRequests(emulator.url);
    recordSecrets(GROUP, secretsInUpstream(upstream));
    const calls = upstream.filter((r) => r.path.startsWith('/customer/'));
    summary(`${GROUP} raw-socket`, {
      requests: cases,
      statuses: Object.entries(statuses)
        .map(([status, count]) => `${status}:${count}`)
        .join(','),
      failures: failures.length,
      upstream_customer_calls: calls.length,
      largest_answer_bytes: largest,
      gateways_alive: gateway.alive() && production.alive(),
    });
    expect(failures).toEqual([]);
    expect(
      upstream.map((r) => `${r.method} ${r.path}`),
      'raw requests that reached the upstream',
    ).toEqual([]);
    expect(largest, 'largest answer').toBeLessThan(4096);
    expect(gateway.alive() && production.alive()).toBe(true);
    await stopProc(production);
    await clearUpstreamRequests(emulator.url);
  });

  it('answers no hostile request with more than the body limit (no amplification)', () => {
    expect(hostile).toBeDefined();
    const { specs, outcomes } = hostile ?? { specs: [], outcomes: [] };
    const amplified = outcomes
      .filter((o) => o.bytes > MiB)
      .map((o) => `${(specs[o.index] as Hostile).kind} #${o.index}: ${o.bytes} bytes`);
    expect(amplified).toEqual([]);
  });

  it('spends bounded CPU on a variables object with thousands of unknown fields', async () => {
    // 270 KiB of `{"k0":0,"k1":1,…}` as an input object: graphql-js reports every unknown field, and each message
    // prints the whole value.
    const request = JSON.stringify({
      query: REQUEST_PASSWORD_RESET,
      variables: { input: Object.fromEntries(Array.from({ length: 20_000 }, (_, n) => [`k${n}`, n])) },
    });
    const rounds = 5;
    const cpuBefore = cpuMs(gateway.pid);
    const started = Date.now();
    let largest = 0;
    for (let round = 0; round < rounds; round += 1) {
      const answer = await send(gateway.url, { body: request, timeoutMs: 60_000 });
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      largest = Math.max(largest, answer.text.length);
    }
    const cpuPerRequest = (cpuMs(gateway.pid) - cpuBefore) / rounds;
    summary(`${GROUP} unknown-fields`, {
      request_kib: Math.round(request.length / 1024),
      answer_kib: Math.round(largest / 1024),
      cpu_ms_per_request: Math.round(cpuPerRequest),
      ms_per_request: Math.round((Date.now() - started) / rounds),
    });
    expect(largest, 'answer size').toBeLessThanOrEqual(MiB);
    expect(cpuPerRequest, 'gateway CPU per request').toBeLessThan(250);
  });

  it('still serves valid requests afterwards', async () => {
    expect(await healthStatus(gateway.origin)).toBe(200);
    const reset = await gql(gateway.url, REQUEST_PASSWORD_RESET, {
      input: { email: `after-${run}@example.com` },
    });
    expect(reset.status).toBe(200);
    expect(typenameOf(reset.json)).toBe('RequestPasswordResetSuccess');
    const me = await gql(gateway.url, ME, undefined, { authorization: `Bearer ${emulator.customerToken}` });
    expect(typenameOf(me.json)).toBe('Customer');
    const upstream = await upstreamRequests(emulator.url);
    recordSecrets(GROUP, secretsInUpstream(upstream));
    expect(upstream.filter((r) => r.path.startsWith('/customer/')).map((r) => r.path)).toEqual([
      '/customer/demo/password/reset',
      '/customer/demo/me',
    ]);
    expect(gateway.alive()).toBe(true);
  });

  it('keeps a connection usable (or closes it) after refusing an oversized chunked body', async () => {
    // A client (or a proxy's pool) that keeps its connection must not have its next request hang or reset.
    const { Agent, request } = await import('undici');
    const agent = new Agent({ connections: 1, keepAliveTimeout: 10_000 });
    try {
      const refused = await request(gateway.url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: Readable.from(
          (async function* () {
            for (let n = 0; n < 6; n += 1) yield Buffer.alloc(256 * 1024, 'x');
          })(),
        ),
      })
        .then(async (response) => ({
          status: response.statusCode as number | null,
          connection: String(response.headers.connection),
          code: undefined as string | undefined,
          text: await response.body.text(),
        }))
        // Also when the answer's headers came and its body did not: the connection went under the upload.
        .catch((error: unknown) => ({
          status: null,
          connection: 'closed under the upload',
          code: String((error as { code?: unknown }).code ?? error),
          text: '',
        }));
      // The 413 races the rest of the upload: a client still writing when the gateway closes the connection sees
      // EPIPE or ECONNRESET instead of the answer (Node's server closes at once; it does no lingering close). Both
      // are the refusal; anything else is not.
      if (refused.status === null) expect(['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET']).toContain(refused.code);
      else
        expect({ status: refused.status, connection: refused.connection }).toEqual({
          status: 413,
          connection: 'close',
        });
      const started = Date.now();
      const next = await request(gateway.url, {
        method: 'POST',
        dispatcher: agent,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
        signal: AbortSignal.timeout(10_000),
      }).then(
        async (response) => ({ status: response.statusCode, text: await response.body.text() }),
        (error: unknown) => ({ status: null, text: String((error as { code?: unknown }).code ?? error) }),
      );
      summary(`${GROUP} after-413`, {
        refused: refused.status ?? refused.code ?? 'unknown',
        connection_header: refused.connection,
        next_status: next.status ?? next.text,
        next_ms: Date.now() - started,
      });
      expect(next).toEqual({ status: 200, text: '{"data":{"__typename":"Query"}}' });
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      await agent.close();
    }
  });

  it('logged no secret', async () => {
    await stopAll();
    const report = scanLogs();
    expect([...report.leaks, ...report.patternLeaks]).toEqual([]);
  });
});
