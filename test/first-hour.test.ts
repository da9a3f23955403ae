/**
 * What a newcomer meets in the first hour, over real HTTP: `/` and `/health`, the GraphiQL page (self-contained)
 * and its production stand-in, refusals that name their cause and their fix (CORS, CSRF, the document limits),
 * and the start-up block. Nothing refused here may reach Emporix.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../src/emulator/index.js';
import { documentLimitCodes } from '../src/plugins/document-limits.js';
import {
  browsableUrl,
  formatDuration,
  formatStartupBanner,
  type StartupBannerInput,
  shouldPrintStartupBanner,
} from '../src/startup-banner.js';
import { type Stack, startStack } from './harness.js';

interface ErrorBody {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

describe('/, /health and the GraphQL endpoint in a browser', () => {
  let development: Stack;
  let production: Stack;
  beforeAll(async () => {
    [development, production] = await Promise.all([
      startStack(),
      startStack({ gateway: { graphiql: false, introspection: false } }),
    ]);
  });
  afterAll(() => Promise.all([development.close(), production.close()]));
  const root = (stack: Stack) => stack.url.replace(/\/graphql$/, '');

  it('redirects / to GraphiQL when GraphiQL is on', async () => {
    const response = await fetch(`${root(development)}/`, {
      redirect: 'manual',
      headers: { accept: 'text/html' },
    });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/graphql');
  });

  it('answers / with a small JSON 404 naming the endpoint when GraphiQL is off', async () => {
    const response = await fetch(`${root(production)}/`, { redirect: 'manual' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as ErrorBody;
    expect(body.errors?.[0]?.message).toContain('The GraphQL endpoint is /graphql');
    expect(body.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', graphqlEndpoint: '/graphql' });
  });

  it('answers /health with {"status":"ok"}', async () => {
    for (const stack of [development, production]) {
      const response = await fetch(`${root(stack)}/health`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toContain('application/json');
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(await response.json()).toEqual({ status: 'ok' });
    }
  });

  it('serves a GraphiQL page that loads nothing from another host', async () => {
    const response = await fetch(development.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<title>Emporix customer gateway</title>');
    expect(page).toContain('YogaGraphiQL.renderYogaGraphiQL');
    // No script, stylesheet, icon or font from a URL: everything is inline (the browser test proves it runs).
    expect(page).not.toMatch(/<(script|link)\b[^>]*\b(src|href)=["']?(https?:)?\/\//i);
    expect(page).not.toContain('unpkg.com');
  });

  it('explains itself to a browser opening the endpoint while GraphiQL is off, instead of an empty 406', async () => {
    const response = await fetch(production.url, { headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(response.status).toBe(406);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('The in-browser GraphQL IDE is off on this gateway (GRAPHIQL=off');
    expect(text).toContain('Content-Type: application/json');
    // A GraphQL client still gets its answer.
    const answer = await fetch(production.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await answer.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('refusals name their cause and their fix', () => {
  let corsOff: Stack;
  let corsOn: Stack;
  beforeAll(async () => {
    [corsOff, corsOn] = await Promise.all([
      startStack(),
      startStack({ gateway: { corsOrigins: ['https://shop.example.com', 'https://other.example.com'] } }),
    ]);
  });
  afterAll(() => Promise.all([corsOff.close(), corsOn.close()]));
  beforeEach(() => {
    corsOff.emulator.clearRequests();
    corsOn.emulator.clearRequests();
  });

  const preflight = (stack: Stack, origin: string) =>
    fetch(stack.url, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });

  it('a preflight from an origin not allowed is a CORS refusal naming CORS_ORIGINS, not a CSRF one', async () => {
    for (const stack of [corsOff, corsOn]) {
      const response = await preflight(stack, 'https://evil.example.com');
      expect(response.status).toBe(403);
      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      const body = (await response.json()) as ErrorBody;
      const [error] = body.errors ?? [];
      expect(error?.extensions).toEqual({ code: 'CORS_ORIGIN_NOT_ALLOWED' });
      expect(error?.message).toContain('https://evil.example.com');
      expect(error?.message).toContain('CORS_ORIGINS');
      expect(error?.message).not.toMatch(/csrf/i);
    }
    const off = (await (await preflight(corsOff, 'https://shop.example.com')).json()) as ErrorBody;
    expect(off.errors?.[0]?.message).toBe(
      'CORS: pages of origin https://shop.example.com may not call this gateway, because CORS is off ' +
        '(CORS_ORIGINS is empty). Set CORS_ORIGINS=https://shop.example.com (a comma-separated list) to allow it.',
    );
    expect(corsOff.upstream()).toEqual([]);
    expect(corsOn.upstream()).toEqual([]);
  });

  it('a preflight from an allowed origin still gets its 204 and CORS headers', async () => {
    const response = await preflight(corsOn, 'https://other.example.com');
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://other.example.com');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
  });

  it('a form POST (curl -d) or a text/plain POST names the header and the JSON alternative', async () => {
    const cases = [
      ['application/x-www-form-urlencoded', 'query=%7B__typename%7D'],
      ['text/plain', '{"query":"{ __typename }"}'],
      ['multipart/form-data; boundary=x', '--x--'],
    ] as const;
    for (const [contentType, body] of cases) {
      const response = await fetch(corsOff.url, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
      });
      expect(response.status).toBe(403);
      const [error] = ((await response.json()) as ErrorBody).errors ?? [];
      expect(error?.extensions).toEqual({ code: 'CSRF_HEADER_REQUIRED', header: 'x-graphql-yoga-csrf' });
      expect(error?.message).toBe(
        `A POST with Content-Type: ${contentType.split(';')[0]} needs the header x-graphql-yoga-csrf (any value), ` +
          'since a form on any site can send one. Send the body as JSON with Content-Type: application/json, ' +
          'which needs no such header.',
      );
    }
    expect(corsOff.upstream()).toEqual([]);
  });

  it('a GET without the header is told the same, and the header or a JSON body lets it through', async () => {
    const get = await fetch(`${corsOff.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(get.status).toBe(403);
    const [error] = ((await get.json()) as ErrorBody).errors ?? [];
    expect(error?.extensions?.code).toBe('CSRF_HEADER_REQUIRED');
    expect(error?.message).toContain('needs the header x-graphql-yoga-csrf');
    expect(error?.message).toContain('Content-Type: application/json');

    const withHeader = await fetch(corsOff.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-graphql-yoga-csrf': '1' },
      body: 'query=%7B__typename%7D',
    });
    expect(await withHeader.json()).toEqual({ data: { __typename: 'Query' } });
    const json = await fetch(corsOff.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(await json.json()).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('document limits answer a code naming the limit and its configured value', () => {
  const limits = { maxDepth: 5, maxAliases: 3, maxTokens: 300, maxDirectives: 4, maxCost: 12 };
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: { limits } });
  });
  afterAll(() => stack.close());

  async function refusal(query: string) {
    const response = await fetch(stack.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    const body = (await response.json()) as ErrorBody;
    expect(body.data).toBeUndefined();
    expect(body.errors).toHaveLength(1);
    return body.errors?.[0];
  }

  it.each([
    [
      'maxDepth',
      `{ me { ${'a { '.repeat(6)}b${' }'.repeat(6)} } }`,
      /^Query depth limit of 5 exceeded, found 8\.$/,
    ],
    [
      'maxAliases',
      `{ ${['a', 'b', 'c', 'd'].map((a) => `${a}: me { __typename }`).join(' ')} }`,
      /^Aliases limit of 3 exceeded, found 4\.$/,
    ],
    ['maxTokens', `{ ${'__typename '.repeat(400)} }`, /^Token limit of 300 exceeded\.$/],
    [
      'maxDirectives',
      `{ __typename ${'@skip(if: false) '.repeat(5)} }`,
      /^Directives limit of 4 exceeded, found 5\.$/,
    ],
    [
      'maxCost',
      '{ me { ... on Customer { id loginEmail firstName lastName middleName preferredCurrency } } }',
      /^Query Cost limit of 12 exceeded, found \d+(\.\d+)?\.$/,
    ],
  ] as const)('%s', async (limit, query, message) => {
    stack.emulator.clearRequests();
    const error = await refusal(query);
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('Syntax Error');
    expect(error?.extensions).toMatchObject({ code: documentLimitCodes[limit], limit: limits[limit] });
    expect(stack.upstream()).toEqual([]);
  });

  it('leaves real syntax errors as they were', async () => {
    const error = await refusal('{ me { __typename }');
    expect(error?.message).toMatch(/^Syntax Error: Expected Name, found <EOF>/);
    expect(error?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('the start-up block', () => {
  const input: StartupBannerInput = {
    graphqlUrl: 'http://127.0.0.1:4000/graphql',
    graphiql: true,
    rateLimits: { perTarget: { points: 5, durationSeconds: 900 } },
    emulator: {
      url: 'http://127.0.0.1:4010',
      demo: {
        tenant: 'demo',
        clientId: 'demo-storefront',
        email: 'demo@example.com',
        password: 'Demo-Passw0rd!',
        customerToken: 'customer-token-1',
        anonymousToken: 'anonymous-token-1',
      },
      ttl: { customerToken: 86400, anonymousToken: 3600, mailToken: 3600 },
    },
  };

  it('shows GraphiQL, the headers to paste, lifetimes, the outbox, the demo login and the rate limits', () => {
    const block = formatStartupBanner(input);
    const lines = block.split('\n');
    expect(block).toContain('GraphiQL     http://127.0.0.1:4000/graphql');
    // The headers lines are exactly what GraphiQL's Headers tab takes.
    const headers = lines.map((line) => line.trim()).filter((line) => line.startsWith('{'));
    expect(headers.map((line) => JSON.parse(line))).toEqual([
      { Authorization: 'Bearer customer-token-1' },
      { Authorization: 'Bearer anonymous-token-1' },
    ]);
    expect(headers[0]).toBe('{"Authorization": "Bearer customer-token-1"}');
    expect(block).toContain('the customer demo@example.com, valid 24 h');
    expect(block).toContain('an anonymous session, valid 1 h');
    expect(block).toContain('http://127.0.0.1:4010/_emulator/outbox');
    expect(block).toContain('demo@example.com / Demo-Passw0rd!');
    expect(block).toContain(
      'a flow that changes the password or the email changes these until the next start',
    );
    expect(block).toContain('5 password resets (or other calls) for one email lock it for 15 min');
    expect(block).toContain('RATE_LIMITS=off npm start to try things repeatedly');
    expect(block).not.toContain('confirmSignUp');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(110);
  });

  it('points at a pending sign-up, says when rate limits are off, and does without the emulator', () => {
    const demo = input.emulator?.demo as NonNullable<StartupBannerInput['emulator']>['demo'];
    const withSignUp = formatStartupBanner({
      ...input,
      rateLimits: false,
      emulator: {
        url: 'http://127.0.0.1:4010',
        demo: { ...demo, pendingSignUp: { email: 'new@example.com', confirmationToken: 'optin-1' } },
      },
    });
    expect(withSignUp).toContain('new@example.com awaits its opt-in: try confirmSignUp with the token');
    expect(withSignUp).toContain('optin-1');
    expect(withSignUp).toContain('Rate limits  off (RATE_LIMITS=off)');
    // Without lifetimes from the emulator, none is made up.
    expect(withSignUp).not.toContain('valid');

    const real = formatStartupBanner({
      graphqlUrl: 'http://0.0.0.0:4000/graphql',
      graphiql: false,
      rateLimits: { perTarget: { points: 5, durationSeconds: 900 } },
    });
    expect(real).toContain('GraphQL      http://127.0.0.1:4000/graphql   (GraphiQL is off');
    expect(real).toContain('{"Authorization": "Bearer <your Emporix customer or anonymous token>"}');
    expect(real).not.toContain('outbox');
  });

  it('is printed only to a terminal, and never in production', () => {
    expect(shouldPrintStartupBanner({ isTTY: true, nodeEnv: undefined })).toBe(true);
    expect(shouldPrintStartupBanner({ isTTY: true, nodeEnv: 'development' })).toBe(true);
    expect(shouldPrintStartupBanner({ isTTY: true, nodeEnv: 'production' })).toBe(false);
    expect(shouldPrintStartupBanner({ isTTY: false, nodeEnv: undefined })).toBe(false);
    expect(shouldPrintStartupBanner({ isTTY: undefined, nodeEnv: undefined })).toBe(false);
  });

  it('formats durations and listen addresses', () => {
    expect([86400, 3600, 900, 90, 45].map(formatDuration)).toEqual(['24 h', '1 h', '15 min', '90 s', '45 s']);
    expect(browsableUrl('http://0.0.0.0:4000/graphql')).toBe('http://127.0.0.1:4000/graphql');
    expect(browsableUrl('http://[::]:4000/graphql')).toBe('http://[::1]:4000/graphql');
  });
});

describe('npm start, in a terminal and not', () => {
  const children: ChildProcess[] = [];
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await createEmulator();
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await emulator.close();
  });

  /** Starts `npm start`'s entry, through a pseudo-terminal (util-linux `script`) when `tty`. */
  async function start(env: Record<string, string>, tty: boolean) {
    const command = [process.execPath, '--import', 'tsx', 'src/main.ts'];
    const child = tty
      ? spawn('script', ['-qfec', command.join(' '), '/dev/null'], {
          env: { PATH: process.env.PATH, TERM: 'dumb', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
      : spawn(command[0] as string, command.slice(1), {
          env: { PATH: process.env.PATH, ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
    children.push(child);
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const deadline = Date.now() + 20_000;
    while (!output.includes('"msg":"gateway listening"')) {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no start; output:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The block, when there is one, follows the listening line.
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');
    await once(child, 'exit');
    return output.replaceAll('\r', '');
  }

  it('prints only JSON lines when stdout is not a terminal', async () => {
    const output = await start({ PORT: '0', EMULATOR_PORT: '0' }, false);
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(output).not.toContain('Demo-Passw0rd!');
  });

  it.skipIf(process.platform !== 'linux')(
    'prints the block in a terminal, and not in production',
    async () => {
      const development = await start({ PORT: '0', EMULATOR_PORT: '0' }, true);
      expect(development).toMatch(/GraphiQL {5}http:\/\/127\.0\.0\.1:\d+\/graphql/);
      expect(development).toContain('{"Authorization": "Bearer ');
      expect(development).toContain('/_emulator/outbox');
      expect(development).toMatch(/Demo login {3}\S+@\S+ \/ \S+/);
      expect(development).toContain('RATE_LIMITS=off npm start');

      const inProduction = await start(
        { PORT: '0', NODE_ENV: 'production', EMPORIX_API_URL: emulator.url, EMPORIX_TENANT: 'demo' },
        true,
      );
      expect(inProduction).toContain('"msg":"gateway listening"');
      expect(inProduction).not.toContain('GraphiQL     ');
      expect(inProduction).not.toContain('{"Authorization"');
    },
    40_000,
  );
});
