/**
 * Throttling of the sign-up, log-in and token operations, with the rate limits turned on and small explicit
 * windows: the per-IP budget, the per-target budget (email, mail token, refresh token, code, external token), and
 * failed log-ins per (IP, email) and per email from all addresses. A throttled request is answered with
 * RateLimitedError and never reaches Emporix, alike for known and unknown emails. With two gateway instances on one
 * Redis (REDIS_URL), failed log-in counts are shared.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type CustomerClient, createCustomerClient } from '../src/client/index.js';
import { connectRedis, createGateway, type Gateway, type GatewayOptions } from '../src/gateway.js';
import { createLogger } from '../src/logger.js';
import { expectTypename } from './assert.js';
import { type Stack, seedWith, startStack } from './harness.js';

const LOGIN_PATH = '/customer/demo/login';
const CALLBACK = 'https://shop.example.com/callback';
const PASSWORD = 'Throttle-Passw0rd!';
const WRONG = 'Wrong-Passw0rd!';

const seed = seedWith({
  customers: Array.from({ length: 12 }, (_, i) => ({
    id: String(5001 + i),
    email: `throttle${i + 1}@example.com`,
    password: PASSWORD,
    firstName: 'Throttle',
    lastName: String(i + 1),
  })),
});

/** Every address is its own client behind a trusted proxy. */
let nextAddress = 0;
function address(): string {
  nextAddress += 1;
  return `198.51.100.${nextAddress}`;
}

function clientOf(stack: Stack, ip: string, token = stack.emulator.demo.anonymousToken): CustomerClient {
  return stack.client({ token, headers: { 'x-forwarded-for': ip } });
}

type Limits = Exclude<GatewayOptions['rateLimits'], false | undefined>;
const roomy = { points: 1000, durationSeconds: 60 };

function limits(overrides: Partial<Limits>): Limits {
  return {
    perIp: roomy,
    perTarget: roomy,
    logInFailuresPerIpEmail: roomy,
    logInFailuresPerEmail: roomy,
    ...overrides,
  };
}

async function withStack(
  rateLimits: Limits,
  run: (stack: Stack) => Promise<void>,
  gateway: Partial<GatewayOptions> = {},
): Promise<void> {
  const stack = await startStack({
    emulator: { seed },
    gateway: { rateLimits, trustProxy: true, socialRedirectUris: [CALLBACK], ...gateway },
  });
  try {
    await run(stack);
  } finally {
    await stack.close();
  }
}

function expectRetryAfter(result: { __typename: string }, maxSeconds: number): void {
  const limited = expectTypename(
    result as { __typename: 'RateLimitedError'; retryAfterSeconds: number | null },
    'RateLimitedError',
  );
  expect(limited.retryAfterSeconds).toBeGreaterThan(0);
  expect(limited.retryAfterSeconds).toBeLessThanOrEqual(maxSeconds);
}

async function logInAttempt(client: CustomerClient, email: string, password: string) {
  return (await client.LogIn({ input: { email, password } })).logIn;
}

function logInCalls(stack: Stack): unknown[] {
  return stack
    .upstream()
    .filter((request) => request.method === 'POST' && request.path === LOGIN_PATH)
    .map((request) => request.body);
}

describe('the per-IP budget', () => {
  const operations: [string, (client: CustomerClient, stack: Stack) => Promise<{ __typename: string }>][] = [
    ['logIn', async (client) => logInAttempt(client, 'throttle1@example.com', PASSWORD)],
    [
      'signUp',
      async (client) =>
        (await client.SignUp({ input: { email: `${randomUUID()}@example.com`, password: PASSWORD } })).signUp,
    ],
    [
      'resendSignUpConfirmation',
      async (client) =>
        (await client.ResendSignUpConfirmation({ input: { email: `${randomUUID()}@example.com` } }))
          .resendSignUpConfirmation,
    ],
    [
      'confirmSignUp',
      async (client) => (await client.ConfirmSignUp({ input: { token: randomUUID() } })).confirmSignUp,
    ],
    [
      'logInWithSocialProvider',
      async (client, stack) =>
        (
          await client.LogInWithSocialProvider({
            input: {
              code: stack.emulator.mintSocialCode({ email: 'social@example.com', redirectUri: CALLBACK }),
              redirectUri: CALLBACK,
            },
          })
        ).logInWithSocialProvider,
    ],
    [
      'exchangeExternalToken',
      async (client, stack) =>
        (
          await client.ExchangeExternalToken({
            input: {
              subjectAccessToken: stack.emulator.mintExternalToken({ email: 'external@example.com' }),
            },
          })
        ).exchangeExternalToken,
    ],
  ];

  for (const [name, send] of operations) {
    it(`${name} counts against it: the next mutation from that address is RateLimitedError, not sent`, async () => {
      await withStack(limits({ perIp: { points: 1, durationSeconds: 60 } }), async (stack) => {
        const ip = address();
        const first = await send(clientOf(stack, ip), stack);
        expect(first.__typename).not.toBe('RateLimitedError');
        expect(stack.upstream()).toHaveLength(1);

        stack.emulator.clearRequests();
        // The same operation and another one from the same address are both over the budget.
        const again = await send(clientOf(stack, ip), stack);
        expectRetryAfter(again, 60);
        const probe =
          name === 'logIn'
            ? (
                await clientOf(stack, ip).SignUp({
                  input: { email: 'probe@example.com', password: PASSWORD },
                })
              ).signUp
            : await logInAttempt(clientOf(stack, ip), 'throttle1@example.com', PASSWORD);
        expectRetryAfter(probe, 60);
        expect(stack.upstream()).toEqual([]);

        // Another address has its own budget.
        const other = await send(clientOf(stack, address()), stack);
        expect(other.__typename).not.toBe('RateLimitedError');
      });
    });
  }

  it('is shared by logIn, signUp, resendSignUpConfirmation and confirmSignUp', async () => {
    await withStack(limits({ perIp: { points: 4, durationSeconds: 60 } }), async (stack) => {
      const ip = address();
      const client = clientOf(stack, ip);
      const answers = [
        await logInAttempt(client, 'throttle1@example.com', PASSWORD),
        (await client.SignUp({ input: { email: 'shared.budget@example.com', password: PASSWORD } })).signUp,
        (await client.ResendSignUpConfirmation({ input: { email: 'shared.budget@example.com' } }))
          .resendSignUpConfirmation,
        (await client.ConfirmSignUp({ input: { token: 'shared-budget-token' } })).confirmSignUp,
        await logInAttempt(client, 'throttle1@example.com', PASSWORD),
      ];
      expect(answers.map((answer) => answer.__typename)).toEqual([
        'LogInSuccess',
        'SignUpSuccess',
        'ResendSignUpConfirmationSuccess',
        'ValidationError',
        'RateLimitedError',
      ]);
      expect(stack.upstream()).toHaveLength(4);
    });
  });
});

describe('the per-target budget', () => {
  const perTarget = limits({ perTarget: { points: 2, durationSeconds: 600 } });

  it('resendSignUpConfirmation: per email, in any case and spacing; alike for unknown and confirmed emails', async () => {
    await withStack(perTarget, async (stack) => {
      const typenames = async (emails: string[]) => {
        const client = clientOf(stack, address());
        const answers: { __typename: string }[] = [];
        for (const email of emails) {
          answers.push(
            (await client.ResendSignUpConfirmation({ input: { email } })).resendSignUpConfirmation,
          );
        }
        const last = answers.at(-1);
        if (last) expectRetryAfter(last, 600);
        return answers.map((answer) => answer.__typename);
      };
      const expected = [
        'ResendSignUpConfirmationSuccess',
        'ResendSignUpConfirmationSuccess',
        'RateLimitedError',
      ];
      expect(await typenames(['nobody@example.com', ' Nobody@Example.com ', 'NOBODY@example.com'])).toEqual(
        expected,
      );
      expect(stack.upstream().map((r) => r.body)).toStrictEqual([
        { email: 'nobody@example.com' },
        { email: 'Nobody@Example.com' },
      ]);
      stack.emulator.clearRequests();
      expect(
        await typenames(['throttle2@example.com', 'throttle2@example.com', 'throttle2@example.com']),
      ).toEqual(expected);
      expect(stack.upstream()).toHaveLength(2);
      // Another email is not affected.
      stack.emulator.clearRequests();
      const other = await clientOf(stack, address()).ResendSignUpConfirmation({
        input: { email: 'someone.else@example.com' },
      });
      expectTypename(other.resendSignUpConfirmation, 'ResendSignUpConfirmationSuccess');
      expect(stack.upstream()).toHaveLength(1);
    });
  });

  it('confirmSignUp: per token', async () => {
    await withStack(perTarget, async (stack) => {
      const answers: { __typename: string }[] = [];
      for (let i = 0; i < 3; i += 1) {
        answers.push(
          (await clientOf(stack, address()).ConfirmSignUp({ input: { token: 'same-token' } })).confirmSignUp,
        );
      }
      expect(answers.map((answer) => answer.__typename)).toEqual([
        'ValidationError',
        'ValidationError',
        'RateLimitedError',
      ]);
      expectRetryAfter(answers[2] as { __typename: string }, 600);
      expect(stack.upstream().map((r) => r.path)).toEqual([
        '/customer/demo/signup/optin/same-token',
        '/customer/demo/signup/optin/same-token',
      ]);
      const other = await clientOf(stack, address()).ConfirmSignUp({ input: { token: 'other-token' } });
      expectTypename(other.confirmSignUp, 'ValidationError');
    });
  });

  it('refreshCustomerToken: per refresh token, whatever the address', async () => {
    await withStack(perTarget, async (stack) => {
      const answers: { __typename: string }[] = [];
      for (let i = 0; i < 3; i += 1) {
        answers.push(
          (
            await clientOf(stack, address()).RefreshCustomerToken({
              input: { refreshToken: 'same-refresh-token' },
            })
          ).refreshCustomerToken,
        );
      }
      expect(answers.map((answer) => answer.__typename)).toEqual([
        'ValidationError',
        'ValidationError',
        'RateLimitedError',
      ]);
      expectRetryAfter(answers[2] as { __typename: string }, 600);
      expect(stack.upstream().map((r) => r.query)).toEqual([
        { refreshToken: 'same-refresh-token' },
        { refreshToken: 'same-refresh-token' },
      ]);
      const other = await clientOf(stack, address()).RefreshCustomerToken({
        input: { refreshToken: 'other' },
      });
      expectTypename(other.refreshCustomerToken, 'ValidationError');
    });
  });

  it('refreshAnonymousSession: per refresh token, whatever the address', async () => {
    await withStack(
      perTarget,
      async (stack) => {
        const answers: { __typename: string }[] = [];
        for (let i = 0; i < 3; i += 1) {
          answers.push(
            (
              await clientOf(stack, address()).RefreshAnonymousSession({
                input: { refreshToken: 'same-anonymous-refresh' },
              })
            ).refreshAnonymousSession,
          );
        }
        expect(answers.map((answer) => answer.__typename)).toEqual([
          'ValidationError',
          'ValidationError',
          'RateLimitedError',
        ]);
        expectRetryAfter(answers[2] as { __typename: string }, 600);
        expect(stack.upstream().map((r) => r.path)).toEqual([
          '/customerlogin/auth/anonymous/refresh',
          '/customerlogin/auth/anonymous/refresh',
        ]);
      },
      { clientId: 'demo-storefront' },
    );
  });

  it('logInWithSocialProvider: per code; exchangeExternalToken: per external token', async () => {
    await withStack(perTarget, async (stack) => {
      const social: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        social.push(
          (
            await clientOf(stack, address()).LogInWithSocialProvider({
              input: { code: 'same-social-code', redirectUri: CALLBACK },
            })
          ).logInWithSocialProvider.__typename,
        );
      }
      expect(social).toEqual(['InvalidCredentialsError', 'InvalidCredentialsError', 'RateLimitedError']);
      const exchange: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        exchange.push(
          (
            await clientOf(stack, address()).ExchangeExternalToken({
              input: { subjectAccessToken: 'aaa.bbb.ccc' },
            })
          ).exchangeExternalToken.__typename,
        );
      }
      expect(exchange).toEqual(['InvalidCredentialsError', 'InvalidCredentialsError', 'RateLimitedError']);
      expect(stack.upstream().map((r) => r.path)).toEqual([
        '/customer/demo/socialLogin',
        '/customer/demo/socialLogin',
        '/customer/demo/exchangeauthtoken',
        '/customer/demo/exchangeauthtoken',
      ]);
    });
  });

  it('successful log-ins of one email are not throttled per target', async () => {
    await withStack(perTarget, async (stack) => {
      const answers: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        answers.push(
          (await logInAttempt(clientOf(stack, address()), 'throttle3@example.com', PASSWORD)).__typename,
        );
      }
      expect(answers).toEqual(['LogInSuccess', 'LogInSuccess', 'LogInSuccess', 'LogInSuccess']);
      expect(logInCalls(stack)).toHaveLength(4);
    });
  });
});

describe('failed log-ins per (IP, email)', () => {
  const perIpEmail = limits({ logInFailuresPerIpEmail: { points: 3, durationSeconds: 600 } });

  it('after 3 failures from one address, even the right password is RateLimitedError without calling Emporix', async () => {
    await withStack(perIpEmail, async (stack) => {
      const ip = address();
      const client = clientOf(stack, ip);
      const answers = [];
      for (const email of ['throttle4@example.com', ' Throttle4@Example.com', 'THROTTLE4@example.com']) {
        answers.push(await logInAttempt(client, email, WRONG));
      }
      expect(answers.map((answer) => answer.__typename)).toEqual([
        'InvalidCredentialsError',
        'InvalidCredentialsError',
        'InvalidCredentialsError',
      ]);
      stack.emulator.clearRequests();
      const limited = await logInAttempt(client, 'throttle4@example.com', PASSWORD);
      expectRetryAfter(limited, 600);
      expect(stack.upstream()).toEqual([]);

      // Another address, or another email from this address, is not affected.
      const elsewhere = await logInAttempt(clientOf(stack, address()), 'throttle4@example.com', PASSWORD);
      expectTypename(elsewhere, 'LogInSuccess');
      const otherEmail = await logInAttempt(client, 'throttle5@example.com', PASSWORD);
      expectTypename(otherEmail, 'LogInSuccess');
      expect(logInCalls(stack)).toStrictEqual([
        { email: 'throttle4@example.com', password: PASSWORD },
        { email: 'throttle5@example.com', password: PASSWORD },
      ]);
    });
  });

  it('answers alike for a known and an unknown email', async () => {
    await withStack(perIpEmail, async (stack) => {
      const sequence = async (email: string) => {
        const client = clientOf(stack, address());
        const answers = [];
        for (let i = 0; i < 5; i += 1) answers.push(await logInAttempt(client, email, WRONG));
        // The retry-after may differ by a second between the two runs; the rest must not.
        return answers.map((answer) =>
          answer.__typename === 'RateLimitedError' || !('message' in answer)
            ? answer.__typename
            : `${answer.__typename}:${answer.message}`,
        );
      };
      const known = await sequence('throttle6@example.com');
      const unknown = await sequence('nobody.here@example.com');
      expect(known).toEqual(unknown);
      expect(known.map((entry) => entry.split(':')[0])).toEqual([
        'InvalidCredentialsError',
        'InvalidCredentialsError',
        'InvalidCredentialsError',
        'RateLimitedError',
        'RateLimitedError',
      ]);
      expect(logInCalls(stack)).toHaveLength(6);
    });
  });

  it('a successful log-in clears the count of its address and email', async () => {
    await withStack(perIpEmail, async (stack) => {
      const client = clientOf(stack, address());
      const email = 'throttle7@example.com';
      const answers = [];
      for (const password of [WRONG, WRONG, PASSWORD, WRONG, WRONG, WRONG, PASSWORD]) {
        answers.push((await logInAttempt(client, email, password)).__typename);
      }
      expect(answers).toEqual([
        'InvalidCredentialsError',
        'InvalidCredentialsError',
        'LogInSuccess',
        'InvalidCredentialsError',
        'InvalidCredentialsError',
        'InvalidCredentialsError',
        'RateLimitedError',
      ]);
      expect(logInCalls(stack)).toHaveLength(6);
    });
  });

  it('a refused input is not counted as a failed log-in', async () => {
    await withStack(perIpEmail, async (stack) => {
      const client = clientOf(stack, address());
      for (let i = 0; i < 5; i += 1) {
        expectTypename(await logInAttempt(client, 'throttle8@example.com', ''), 'ValidationError');
      }
      expectTypename(await logInAttempt(client, 'throttle8@example.com', PASSWORD), 'LogInSuccess');
    });
  });
});

describe('failed log-ins sent together', () => {
  it('20 wrong log-ins at once from one address reach Emporix 3 times, with a per-(IP, email) limit of 3', async () => {
    await withStack(
      limits({ logInFailuresPerIpEmail: { points: 3, durationSeconds: 600 } }),
      async (stack) => {
        const client = clientOf(stack, address());
        const answers = await Promise.all(
          Array.from({ length: 20 }, () => logInAttempt(client, 'throttle11@example.com', WRONG)),
        );
        const kinds = countKinds(answers);
        expect(kinds).toEqual({ InvalidCredentialsError: 3, RateLimitedError: 17 });
        expect(logInCalls(stack)).toHaveLength(3);
      },
    );
  });

  it('40 wrong log-ins at once from 40 addresses reach Emporix 3 times, with a per-email limit of 3', async () => {
    await withStack(
      limits({ logInFailuresPerEmail: { points: 3, durationSeconds: 3600 } }),
      async (stack) => {
        const answers = await Promise.all(
          Array.from({ length: 40 }, () =>
            logInAttempt(clientOf(stack, address()), 'throttle12@example.com', WRONG),
          ),
        );
        expect(countKinds(answers)).toEqual({ InvalidCredentialsError: 3, RateLimitedError: 37 });
        expect(logInCalls(stack)).toHaveLength(3);
      },
    );
  });

  it('a log-in Emporix could not answer is not a failure: it gives its reservation back', async () => {
    await withStack(
      limits({ logInFailuresPerIpEmail: { points: 2, durationSeconds: 600 } }),
      async (stack) => {
        const client = clientOf(stack, address());
        stack.emulator.injectFault({ method: 'POST', path: LOGIN_PATH, status: 503, times: 3 });
        const failed = [];
        for (let i = 0; i < 3; i += 1)
          failed.push(await logInAttempt(client, 'throttle11@example.com', WRONG));
        expect(failed.map((answer) => answer.__typename)).toEqual([
          'UpstreamError',
          'UpstreamError',
          'UpstreamError',
        ]);
        // Two real refusals still fit in the budget of 2, and the third attempt is limited.
        const refused = [];
        for (let i = 0; i < 3; i += 1)
          refused.push(await logInAttempt(client, 'throttle11@example.com', WRONG));
        expect(refused.map((answer) => answer.__typename)).toEqual([
          'InvalidCredentialsError',
          'InvalidCredentialsError',
          'RateLimitedError',
        ]);
        expect(logInCalls(stack)).toHaveLength(5);
      },
    );
  });
});

describe('failed log-ins sent together, abandoned', () => {
  it('six at once that Emporix cannot answer leave the budget whole: refused ones give their point back too', async () => {
    await withStack(
      limits({ logInFailuresPerIpEmail: { points: 3, durationSeconds: 600 } }),
      async (stack) => {
        const client = clientOf(stack, address());
        // Slow enough that all six are in flight together: three hold the budget, three are refused for it.
        stack.emulator.injectFault({ method: 'POST', path: LOGIN_PATH, status: 503, delayMs: 300, times: 6 });
        const answers = await Promise.all(
          Array.from({ length: 6 }, () => logInAttempt(client, 'throttle11@example.com', WRONG)),
        );
        expect(countKinds(answers)).toEqual({ UpstreamError: 3, RateLimitedError: 3 });
        stack.emulator.clearFaults();
        // Nothing was refused for its credentials: the full budget of 3 is there.
        const next = [];
        for (let i = 0; i < 4; i += 1) next.push(await logInAttempt(client, 'throttle11@example.com', WRONG));
        expect(next.map((answer) => answer.__typename)).toEqual([
          'InvalidCredentialsError',
          'InvalidCredentialsError',
          'InvalidCredentialsError',
          'RateLimitedError',
        ]);
      },
    );
  });
});

function countKinds(answers: { __typename: string }[]): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const answer of answers) kinds[answer.__typename] = (kinds[answer.__typename] ?? 0) + 1;
  return kinds;
}

describe('failed log-ins per email, from all addresses', () => {
  const perEmail = limits({ logInFailuresPerEmail: { points: 3, durationSeconds: 3600 } });

  it('after 3 failures from 3 addresses, a fourth address is RateLimitedError without calling Emporix; alike for unknown emails', async () => {
    await withStack(perEmail, async (stack) => {
      const sequence = async (email: string, lastPassword: string) => {
        const answers = [];
        for (let i = 0; i < 3; i += 1)
          answers.push(await logInAttempt(clientOf(stack, address()), email, WRONG));
        stack.emulator.clearRequests();
        const last = await logInAttempt(clientOf(stack, address()), email, lastPassword);
        expectRetryAfter(last, 3600);
        expect(stack.upstream()).toEqual([]);
        return [...answers, last].map((answer) => answer.__typename);
      };
      const known = await sequence('throttle9@example.com', PASSWORD);
      const unknown = await sequence('nobody.anywhere@example.com', PASSWORD);
      expect(known).toEqual([
        'InvalidCredentialsError',
        'InvalidCredentialsError',
        'InvalidCredentialsError',
        'RateLimitedError',
      ]);
      expect(unknown).toEqual(known);
    });
  });

  it('a successful log-in from one address does not clear the failures from the others', async () => {
    await withStack(perEmail, async (stack) => {
      const email = 'throttle10@example.com';
      const answers = [];
      for (const password of [WRONG, WRONG, PASSWORD, WRONG, PASSWORD]) {
        answers.push((await logInAttempt(clientOf(stack, address()), email, password)).__typename);
      }
      expect(answers).toEqual([
        'InvalidCredentialsError',
        'InvalidCredentialsError',
        'LogInSuccess',
        'InvalidCredentialsError',
        'RateLimitedError',
      ]);
      expect(logInCalls(stack)).toHaveLength(4);
    });
  });
});

describe.skipIf(!process.env.REDIS_URL)('two gateway instances on one Redis (REDIS_URL)', () => {
  // The key space is not configurable: a unique email and addresses for this run keep runs apart.
  const run = randomUUID();
  const email = `shared-${run}@example.com`;
  const otherEmail = `shared-other-${run}@example.com`;
  const unknownEmail = `nobody-${run}@example.com`;
  const sharedSeed = seedWith({
    customers: [
      { id: '6001', email, password: PASSWORD, firstName: 'Shared', lastName: 'Counts' },
      { id: '6002', email: otherEmail, password: PASSWORD, firstName: 'Shared', lastName: 'Other' },
    ],
  });
  const rateLimits = limits({
    logInFailuresPerIpEmail: { points: 3, durationSeconds: 600 },
    logInFailuresPerEmail: { points: 5, durationSeconds: 600 },
  });
  let redis: Redis;
  let stack: Stack;
  let second: { gateway: Gateway; server: Server; url: string };
  const ipBase = `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

  beforeAll(async () => {
    const logger = createLogger({ level: 'warn', destination: { write: () => undefined } });
    redis = await connectRedis(process.env.REDIS_URL as string, logger);
    stack = await startStack({
      emulator: { seed: sharedSeed },
      gateway: { rateLimits, trustProxy: true, redis },
    });
    const gateway = createGateway({
      emporixApiUrl: stack.emulator.url,
      defaultTenant: 'demo',
      rateLimits,
      trustProxy: true,
      redis,
      logger,
    });
    const server = createServer(gateway.yoga);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    second = { gateway, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
  });
  afterAll(async () => {
    second?.server.closeAllConnections();
    await new Promise<void>((resolve) => (second ? second.server.close(() => resolve()) : resolve()));
    await second?.gateway.close();
    await stack?.close();
    await redis?.quit();
  });
  beforeEach(() => stack.emulator.clearRequests());

  const viaFirst = (ip: string) => clientOf(stack, ip);
  const viaSecond = (ip: string) =>
    createCustomerClient({
      url: second.url,
      token: stack.emulator.demo.anonymousToken,
      headers: { 'x-forwarded-for': ip },
    });

  it('failures per (IP, email) counted on one instance hold on the other', async () => {
    const ip = `${ipBase}.1`;
    const answers = [
      await logInAttempt(viaFirst(ip), email, WRONG),
      await logInAttempt(viaSecond(ip), email, WRONG),
      await logInAttempt(viaFirst(ip), email, WRONG),
    ];
    expect(answers.map((answer) => answer.__typename)).toEqual([
      'InvalidCredentialsError',
      'InvalidCredentialsError',
      'InvalidCredentialsError',
    ]);
    stack.emulator.clearRequests();
    expectRetryAfter(await logInAttempt(viaSecond(ip), email, PASSWORD), 600);
    expectRetryAfter(await logInAttempt(viaFirst(ip), email, PASSWORD), 600);
    expect(stack.upstream()).toEqual([]);
  });

  it('failures per email from all addresses are shared too, alike for a known and an unknown email', async () => {
    /** Five failures, each from a new address, alternating instances; then the right password from two more. */
    const sequence = async (target: string, offset: number) => {
      const answers: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const ip = `${ipBase}.${offset + i}`;
        const client = i % 2 === 0 ? viaFirst(ip) : viaSecond(ip);
        answers.push((await logInAttempt(client, target, WRONG)).__typename);
      }
      stack.emulator.clearRequests();
      for (const [i, client] of [viaSecond, viaFirst].entries()) {
        const limited = await logInAttempt(client(`${ipBase}.${offset + 5 + i}`), target, PASSWORD);
        expectRetryAfter(limited, 600);
        answers.push(limited.__typename);
      }
      expect(stack.upstream()).toEqual([]);
      return answers;
    };
    const known = await sequence(otherEmail, 10);
    expect(known).toEqual([
      'InvalidCredentialsError',
      'InvalidCredentialsError',
      'InvalidCredentialsError',
      'InvalidCredentialsError',
      'InvalidCredentialsError',
      'RateLimitedError',
      'RateLimitedError',
    ]);
    expect(await sequence(unknownEmail, 20)).toEqual(known);
  });
});
