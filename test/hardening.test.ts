/**
 * Abuse protection and GraphQL limits, in-process: rate limits per client IP and per target, the document limits,
 * the body limit, CSRF, CORS, introspection, batching and the persisted-operations mode. Nothing refused here may
 * reach Emporix.
 */
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { print } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MeDocument } from '../src/client/index.js';
import { expectTypename } from './assert.js';
import { type Stack, type StackOptions, startStack } from './harness.js';

async function withStack(options: StackOptions, run: (stack: Stack) => Promise<void>): Promise<void> {
  const stack = await startStack(options);
  try {
    await run(stack);
  } finally {
    await stack.close();
  }
}

function post(stack: Stack, body: string, headers: Record<string, string> = {}) {
  return fetch(stack.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
}

describe('rate limits', () => {
  const limited = {
    rateLimits: {
      perIp: { points: 100, durationSeconds: 60 },
      perTarget: { points: 3, durationSeconds: 600 },
    },
  };

  it('per target: the fourth reset for one email is RateLimitedError, and is not sent upstream', async () => {
    await withStack({ gateway: limited }, async (stack) => {
      const client = stack.client({ token: stack.emulator.demo.anonymousToken });
      const typenames: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        const { requestPasswordReset } = await client.RequestPasswordReset({
          input: { email: ' Demo@Example.com ' },
        });
        typenames.push(requestPasswordReset.__typename);
        if (requestPasswordReset.__typename === 'RateLimitedError') {
          expect(requestPasswordReset.retryAfterSeconds).toBeGreaterThan(0);
          expect(requestPasswordReset.retryAfterSeconds).toBeLessThanOrEqual(600);
        }
      }
      expect(typenames).toEqual([
        'RequestPasswordResetSuccess',
        'RequestPasswordResetSuccess',
        'RequestPasswordResetSuccess',
        'RateLimitedError',
      ]);
      expect(stack.upstream()).toHaveLength(3);
      // Another target is not affected.
      const other = await client.RequestPasswordReset({ input: { email: 'someone.else@example.com' } });
      expectTypename(other.requestPasswordReset, 'RequestPasswordResetSuccess');
    });
  });

  it('per target: an unknown email is limited exactly like a known one, so limits reveal nothing', async () => {
    await withStack({ gateway: limited }, async (stack) => {
      const client = stack.client({ token: stack.emulator.demo.anonymousToken });
      const answers = async (email: string) => {
        const typenames: string[] = [];
        for (let i = 0; i < 4; i += 1) {
          typenames.push(
            (await client.RequestPasswordReset({ input: { email } })).requestPasswordReset.__typename,
          );
        }
        return typenames;
      };
      expect(await answers('nobody@example.com')).toEqual(await answers('demo@example.com'));
    });
  });

  it('per target: tokens and access tokens are targets too', async () => {
    await withStack({ gateway: limited }, async (stack) => {
      const anonymous = stack.client({ token: stack.emulator.demo.anonymousToken });
      const reset = [];
      for (let i = 0; i < 4; i += 1) {
        reset.push(
          (await anonymous.ResetPassword({ input: { token: 'same-token', password: 'Passw0rd!' } }))
            .resetPassword.__typename,
        );
      }
      expect(reset.at(-1)).toBe('RateLimitedError');
      const customer = stack.client({ token: stack.emulator.demo.customerToken });
      const change = [];
      for (let i = 0; i < 4; i += 1) {
        change.push(
          (
            await customer.ChangePassword({
              input: { currentPassword: `wrong-${i}`, newPassword: 'Passw0rd!' },
            })
          ).changePassword.__typename,
        );
      }
      expect(change).toEqual(['ValidationError', 'ValidationError', 'ValidationError', 'RateLimitedError']);
    });
  });

  it('per client IP, across targets; X-Forwarded-For is ignored unless the proxy is trusted', async () => {
    const perIp = {
      rateLimits: {
        perIp: { points: 2, durationSeconds: 60 },
        perTarget: { points: 100, durationSeconds: 60 },
      },
    };
    await withStack({ gateway: perIp }, async (stack) => {
      const send = (email: string, forwardedFor: string) =>
        stack
          .client({ token: stack.emulator.demo.anonymousToken, headers: { 'x-forwarded-for': forwardedFor } })
          .RequestPasswordReset({ input: { email } })
          .then((result) => result.requestPasswordReset.__typename);
      expect([
        await send('a@example.com', '198.51.100.1'),
        await send('b@example.com', '198.51.100.2'),
      ]).toEqual(['RequestPasswordResetSuccess', 'RequestPasswordResetSuccess']);
      // A made-up X-Forwarded-For does not give an untrusted client a new budget.
      expect(await send('c@example.com', '198.51.100.3')).toBe('RateLimitedError');
    });
    await withStack({ gateway: { ...perIp, trustProxy: 1 } }, async (stack) => {
      const send = (email: string, forwardedFor: string) =>
        stack
          .client({ token: stack.emulator.demo.anonymousToken, headers: { 'x-forwarded-for': forwardedFor } })
          .RequestPasswordReset({ input: { email } })
          .then((result) => result.requestPasswordReset.__typename);
      expect(await send('a@example.com', '198.51.100.1')).toBe('RequestPasswordResetSuccess');
      expect(await send('b@example.com', '198.51.100.1')).toBe('RequestPasswordResetSuccess');
      expect(await send('c@example.com', '198.51.100.1')).toBe('RateLimitedError');
      // Behind one trusted proxy, another client's address has its own budget.
      expect(await send('d@example.com', '198.51.100.2')).toBe('RequestPasswordResetSuccess');
    });
  });

  it('validation failures are answered before the limit is counted', async () => {
    await withStack({ gateway: limited }, async (stack) => {
      const client = stack.client({ token: stack.emulator.demo.anonymousToken });
      for (let i = 0; i < 5; i += 1) {
        expectTypename(
          (await client.RequestPasswordReset({ input: { email: 'not-an-email' } })).requestPasswordReset,
          'ValidationError',
        );
      }
      expectTypename(
        (await client.RequestPasswordReset({ input: { email: 'demo@example.com' } })).requestPasswordReset,
        'RequestPasswordResetSuccess',
      );
    });
  });
});

describe('GraphQL and HTTP limits', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ gateway: { limits: { maxBodyBytes: 64 * 1024 } } });
  });
  afterAll(() => stack.close());
  beforeEach(() => stack.emulator.clearRequests());

  async function refused(body: string, headers: Record<string, string> = {}) {
    const response = await post(stack, body, headers);
    const payload = (await response.json()) as { data?: unknown; errors?: { message: string }[] };
    const messages = (payload.errors ?? []).map((error) => error.message).join(' | ');
    return { status: response.status, data: payload.data, message: messages };
  }

  it('refuses documents that are too deep, have too many aliases, tokens or directives', async () => {
    // Our schema is shallow: depth is counted on the document before field validation, so made-up fields do.
    const deep = `{ me { __typename ${'x { '.repeat(12)}y${' }'.repeat(12)} } }`;
    const aliases = `{ ${Array.from({ length: 20 }, (_, i) => `a${i}: me { __typename }`).join(' ')} }`;
    const directives = `{ me @include(if: true) ${'@skip(if: false) '.repeat(12)}{ __typename } }`;
    const tokens = `{ me { ${'__typename '.repeat(1200)} } }`;
    const messages: string[] = [];
    for (const query of [deep, aliases, directives, tokens]) {
      const answer = await refused(JSON.stringify({ query }));
      // GraphQL over HTTP: a document refused in validation is 200 with errors and no data for application/json.
      expect([200, 400]).toContain(answer.status);
      expect(answer.data).toBeUndefined();
      messages.push(answer.message);
    }
    expect(messages).toEqual([
      expect.stringMatching(/depth/i),
      expect.stringMatching(/aliases/i),
      expect.stringMatching(/directives/i),
      expect.stringMatching(/token/i),
    ]);
    expect(stack.upstream()).toEqual([]);
  });

  it('refuses input nested thousands deep without overflowing the stack', async () => {
    const nested = `${'{a:'.repeat(5000)}1${'}'.repeat(5000)}`;
    const answer = await refused(
      JSON.stringify({ query: `mutation { changePassword(input: ${nested}) { __typename } }` }),
    );
    expect([200, 400]).toContain(answer.status);
    expect(answer.data).toBeUndefined();
    expect(answer.message).toMatch(/token/i);
    expect((await stack.client({ token: stack.emulator.demo.customerToken }).Me()).me.__typename).toBe(
      'Customer',
    );
  });

  it('answers 413 to a body over the limit, declared or chunked, and sends nothing upstream', async () => {
    const big = JSON.stringify({ query: '{ me { __typename } }', variables: { pad: 'x'.repeat(70 * 1024) } });
    expect((await post(stack, big)).status).toBe(413);

    const url = new URL(stack.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      for (let i = 0; i < 10; i += 1) req.write(big.slice(i * 8000, (i + 1) * 8000));
      req.end(big.slice(80_000));
    });
    expect(status).toBe(413);
    expect(stack.upstream()).toEqual([]);
  });

  it('refuses variables with too many values cheaply, with a short answer, and sends nothing upstream', async () => {
    const input: Record<string, string> = { email: 'demo@example.com' };
    for (let i = 0; i < 2000; i += 1) input[`unknown${i}`] = 'x';
    const body = JSON.stringify({
      query:
        'mutation($input: RequestPasswordResetInput!) { requestPasswordReset(input: $input) { __typename } }',
      variables: { input },
    });
    const response = await post(stack, body);
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text.length).toBeLessThan(1000);
    expect(text).toContain('Variables are limited to 200 values');
    expect(stack.upstream()).toEqual([]);
  });

  it('closes the connection after a 413, since the rest of the body is never read', async () => {
    const big = JSON.stringify({ query: '{ me { __typename } }', variables: { pad: 'x'.repeat(70 * 1024) } });
    const response = await post(stack, big);
    expect(response.status).toBe(413);
    expect(response.headers.get('connection')).toBe('close');
  });

  it('turns batching off', async () => {
    const response = await post(
      stack,
      JSON.stringify([{ query: '{ me { __typename } }' }, { query: '{ me { __typename } }' }]),
    );
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(stack.upstream()).toEqual([]);
  });

  it('prevents CSRF: a GET query without the preflight header is refused', async () => {
    const response = await fetch(`${stack.url}?query=${encodeURIComponent('{ me { __typename } }')}`);
    expect(response.status).toBe(403);
    const allowed = await fetch(`${stack.url}?query=${encodeURIComponent('{ me { __typename } }')}`, {
      headers: { 'x-graphql-yoga-csrf': '1', authorization: `Bearer ${stack.emulator.demo.customerToken}` },
    });
    expect(allowed.status).toBe(200);
  });

  it('sends no CORS headers when no origin is allowed', async () => {
    const response = await fetch(stack.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS, introspection, GraphiQL and persisted operations', () => {
  it('allows only the configured origins', async () => {
    await withStack({ gateway: { corsOrigins: ['https://shop.example.com'] } }, async (stack) => {
      const preflight = (origin: string) =>
        fetch(stack.url, {
          method: 'OPTIONS',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,x-emporix-tenant',
          },
        });
      const allowed = await preflight('https://shop.example.com');
      expect(allowed.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
      expect(allowed.headers.get('access-control-allow-headers')).toContain('x-emporix-tenant');
      const other = await preflight('https://evil.example.com');
      expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example.com');
    });
  });

  it('can turn introspection and GraphiQL off', async () => {
    await withStack({ gateway: { introspection: false, graphiql: false } }, async (stack) => {
      const answer = await post(stack, JSON.stringify({ query: '{ __schema { types { name } } }' }));
      const payload = (await answer.json()) as { data?: unknown; errors?: unknown[] };
      expect(payload.errors?.length).toBeGreaterThan(0);
      expect(payload.data).toBeUndefined();
      const page = await fetch(stack.url, { headers: { accept: 'text/html' } });
      expect(await page.text()).not.toContain('GraphiQL');
      // Federation's _service is not introspection and keeps working.
      const service = await post(stack, JSON.stringify({ query: '{ _service { sdl } }' }));
      expect(((await service.json()) as { data?: unknown }).data).toBeDefined();
    });
  });

  it('in persisted-operations mode accepts only the SDK’s operations, by text or by hash', async () => {
    await withStack({ gateway: { persistedOperationsOnly: true } }, async (stack) => {
      const token = stack.emulator.demo.customerToken;
      const { me } = await stack.client({ token }).Me();
      expectTypename(me, 'Customer');

      const hash = createHash('sha256').update(print(MeDocument)).digest('hex');
      const byHash = JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
      const byId = await post(stack, byHash, { authorization: `Bearer ${token}` });
      expect(((await byId.json()) as { data: { me: { __typename: string } } }).data.me.__typename).toBe(
        'Customer',
      );

      stack.emulator.clearRequests();
      const arbitrary = await post(stack, JSON.stringify({ query: '{ me { __typename } }' }), {
        authorization: `Bearer ${token}`,
      });
      expect(arbitrary.status).toBe(400);
      const unknown = await post(
        stack,
        JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } }),
      );
      expect(unknown.status).toBe(400);
      expect(stack.upstream()).toEqual([]);
    });
  });
});
