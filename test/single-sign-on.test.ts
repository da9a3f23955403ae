/**
 * Single sign-on through a real gateway against the emulator: logInWithSocialProvider (an Auth0 authorization code,
 * with PKCE) and exchangeExternalToken (an external identity provider's JWT). Every case checks the GraphQL answer
 * and the exact request Emporix received (or that none was sent); no code, verifier, JWT or token reaches the log.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectTypename } from './assert.js';
import { type Stack, type StackOptions, startStack } from './harness.js';
import { cookieSet, gql, meQuery, sessionStack } from './sessions-support.js';

const SOCIAL_PATH = '/customer/demo/socialLogin';
const EXCHANGE_PATH = '/customer/demo/exchangeauthtoken';
const ANONYMOUS_LOGIN_PATH = '/customerlogin/auth/anonymous/login';
const CALLBACK = 'https://shop.example.com/callback';
const OTHER_CALLBACK = 'https://shop.example.com/other';
const LOCAL_CALLBACK = 'http://localhost:3000/callback';
const CUSTOMER_TTL = 86400;

const gatewayOptions: StackOptions['gateway'] = {
  socialRedirectUris: [CALLBACK, OTHER_CALLBACK, LOCAL_CALLBACK],
  production: false,
};

/** Every token, code, verifier and email this file used: none may appear in any log line. */
const secrets = new Set<string>();
function remember(...values: (string | null | undefined)[]): void {
  for (const value of values) if (value) secrets.add(value);
}

function expectNoSecretsIn(logs: readonly string[]): void {
  expect(logs.length).toBeGreaterThan(0);
  const leaks: string[] = [];
  for (const line of logs) {
    for (const secret of secrets) {
      if (secret.length >= 6 && line.includes(secret)) leaks.push(`${secret.slice(0, 6)}… in ${line}`);
    }
  }
  expect(leaks).toEqual([]);
}

/** The distinct paths of a ValidationError's issues (a field may have several), sorted. */
function pathsOf(issues: { path: string[] }[]): string[] {
  return [...new Set(issues.map((issue) => issue.path.join('.')))].sort();
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  remember(verifier);
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url') };
}

let counter = 0;
function freshEmail(label: string): string {
  counter += 1;
  const email = `${label}.${counter}@social.example.com`;
  remember(email);
  return email;
}

let stack: Stack;
let anonymous: string;

beforeAll(async () => {
  stack = await startStack({ gateway: gatewayOptions });
  anonymous = stack.emulator.demo.anonymousToken;
  remember(anonymous, stack.emulator.demo.customerToken, stack.emulator.demo.email);
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.clearRequests();
  stack.emulator.clearFaults();
});

function socialCode(email: string, redirectUri = CALLBACK, codeChallenge?: string): string {
  const code = stack.emulator.mintSocialCode({ email, redirectUri, codeChallenge });
  remember(code);
  return code;
}

function externalToken(email: string, ttlSeconds?: number): string {
  const token = stack.emulator.mintExternalToken({ email, ttlSeconds });
  remember(token);
  return token;
}

describe('logInWithSocialProvider', () => {
  it('is POST /customer/{tenant}/socialLogin?code&redirect_uri&code_verifier with session-id, and answers tokens', async () => {
    const email = freshEmail('pkce');
    const { verifier, challenge } = pkce();
    const code = socialCode(email, CALLBACK, challenge);
    const sessionId = randomUUID();
    const before = Date.now();
    const { logInWithSocialProvider } = await stack.client({ token: anonymous }).LogInWithSocialProvider({
      input: {
        code: ` ${code} `,
        redirectUri: CALLBACK,
        codeVerifier: verifier,
        anonymousSessionId: sessionId,
      },
    });
    const after = Date.now();
    const success = expectTypename(logInWithSocialProvider, 'LogInWithSocialProviderSuccess');
    const tokens = success.tokens;
    if (tokens === null) throw new Error('no tokens');
    remember(
      tokens.accessToken,
      tokens.refreshToken,
      tokens.saasToken,
      success.socialAccessToken,
      success.socialIdToken,
    );
    expect(success.success).toBe(true);
    expect(success.customer).toBeUndefined();
    expect(success.socialAccessToken).toMatch(/^\S{16,}$/);
    expect(success.socialIdToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(success.sessionIdleTimeSeconds).toBe(120);
    expect(tokens.accessToken).toMatch(/^\S{16,}$/);
    expect(tokens.refreshToken).toMatch(/^\S{16,}$/);
    expect(tokens.saasToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    // Emporix types both lifetimes of this answer as strings: read as numbers all the same.
    const expiresAt = Date.parse(String(tokens.accessTokenExpiresAt));
    expect(expiresAt).toBeGreaterThanOrEqual(before + CUSTOMER_TTL * 1000);
    expect(expiresAt).toBeLessThanOrEqual(after + CUSTOMER_TTL * 1000);
    expect(Date.parse(String(tokens.refreshTokenExpiresAt))).toBeGreaterThanOrEqual(before + 86400_000);

    const requests = stack.upstream();
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({ method: 'POST', path: SOCIAL_PATH, rawBody: '' });
    expect(request?.query).toStrictEqual({ code, redirect_uri: CALLBACK, code_verifier: verifier });
    expect(request?.headers.authorization).toBe(`Bearer ${anonymous}`);
    expect(request?.headers['session-id']).toBe(sessionId);

    // The tokens are the customer's.
    const { me } = await stack.client({ token: tokens.accessToken }).Me();
    expect(expectTypename(me, 'Customer').loginEmail).toBe(email);
  });

  it('sends no session-id and no code_verifier when not given; customer, when selected, is read with the new token', async () => {
    const email = freshEmail('plain');
    const code = socialCode(email);
    const { logInWithSocialProvider } = await stack
      .client({ token: anonymous })
      .LogInWithSocialProvider({ input: { code, redirectUri: CALLBACK }, withCustomer: true });
    const success = expectTypename(logInWithSocialProvider, 'LogInWithSocialProviderSuccess');
    remember(success.tokens?.accessToken, success.tokens?.refreshToken, success.tokens?.saasToken);
    remember(success.socialAccessToken, success.socialIdToken);
    expect(success.customer).toMatchObject({ loginEmail: email, contactEmail: email });
    const requests = stack.upstream();
    expect(requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', SOCIAL_PATH],
      ['GET', '/customer/demo/me'],
    ]);
    expect(requests[0]?.query).toStrictEqual({ code, redirect_uri: CALLBACK });
    expect(requests[0]?.headers['session-id']).toBeUndefined();
    expect(requests[1]?.headers.authorization).toBe(`Bearer ${success.tokens?.accessToken}`);
  });

  it('a wrong verifier, a used code and a wrong redirect URI are each InvalidCredentialsError after one POST', async () => {
    const client = stack.client({ token: anonymous });
    const email = freshEmail('refused');
    const { challenge } = pkce();
    const wrongVerifier = pkce().verifier;
    const code = socialCode(email, CALLBACK, challenge);
    const wrong = (
      await client.LogInWithSocialProvider({
        input: { code, redirectUri: CALLBACK, codeVerifier: wrongVerifier },
      })
    ).logInWithSocialProvider;
    expectTypename(wrong, 'InvalidCredentialsError');

    // The code was spent by the failed attempt.
    const { verifier: goodVerifier, challenge: goodChallenge } = pkce();
    const spent = socialCode(email, CALLBACK, goodChallenge);
    const first = (
      await client.LogInWithSocialProvider({
        input: { code: spent, redirectUri: CALLBACK, codeVerifier: goodVerifier },
      })
    ).logInWithSocialProvider;
    const firstTokens = expectTypename(first, 'LogInWithSocialProviderSuccess');
    remember(
      firstTokens.tokens?.accessToken,
      firstTokens.tokens?.refreshToken,
      firstTokens.tokens?.saasToken,
    );
    remember(firstTokens.socialAccessToken, firstTokens.socialIdToken);
    const used = (
      await client.LogInWithSocialProvider({
        input: { code: spent, redirectUri: CALLBACK, codeVerifier: goodVerifier },
      })
    ).logInWithSocialProvider;
    expectTypename(used, 'InvalidCredentialsError');

    // Allowed by the gateway, but not the URI the code was issued for.
    const elsewhere = socialCode(email, CALLBACK);
    const redirect = (
      await client.LogInWithSocialProvider({ input: { code: elsewhere, redirectUri: OTHER_CALLBACK } })
    ).logInWithSocialProvider;
    expectTypename(redirect, 'InvalidCredentialsError');

    // A missing verifier for a code with a challenge.
    const needsVerifier = socialCode(email, CALLBACK, pkce().challenge);
    const missing = (
      await client.LogInWithSocialProvider({ input: { code: needsVerifier, redirectUri: CALLBACK } })
    ).logInWithSocialProvider;
    expectTypename(missing, 'InvalidCredentialsError');

    expect(stack.upstream().map((r) => [r.method, r.path, r.query])).toStrictEqual([
      ['POST', SOCIAL_PATH, { code, redirect_uri: CALLBACK, code_verifier: wrongVerifier }],
      ['POST', SOCIAL_PATH, { code: spent, redirect_uri: CALLBACK, code_verifier: goodVerifier }],
      ['POST', SOCIAL_PATH, { code: spent, redirect_uri: CALLBACK, code_verifier: goodVerifier }],
      ['POST', SOCIAL_PATH, { code: elsewhere, redirect_uri: OTHER_CALLBACK }],
      ['POST', SOCIAL_PATH, { code: needsVerifier, redirect_uri: CALLBACK }],
    ]);
  });

  it('a 401 naming the caller’s token is the token’s UnauthorizedError, not refused credentials', async () => {
    const code = socialCode(freshEmail('token'));
    const { logInWithSocialProvider } = await stack
      .client({ token: 'revoked-token-456' })
      .LogInWithSocialProvider({ input: { code, redirectUri: CALLBACK } });
    expect(expectTypename(logInWithSocialProvider, 'UnauthorizedError').code).toBe('INVALID_TOKEN');
    expect(stack.upstream()).toHaveLength(1);
  });

  it('accepts http://localhost outside production when listed', async () => {
    const email = freshEmail('local');
    const code = socialCode(email, LOCAL_CALLBACK);
    const { logInWithSocialProvider } = await stack
      .client({ token: anonymous })
      .LogInWithSocialProvider({ input: { code, redirectUri: LOCAL_CALLBACK } });
    const success = expectTypename(logInWithSocialProvider, 'LogInWithSocialProviderSuccess');
    remember(success.tokens?.accessToken, success.tokens?.refreshToken, success.tokens?.saasToken);
    remember(success.socialAccessToken, success.socialIdToken);
    expect(stack.upstream()[0]?.query).toStrictEqual({ code, redirect_uri: LOCAL_CALLBACK });
  });

  it('validates code, codeVerifier and anonymousSessionId together, and sends nothing', async () => {
    const client = stack.client({ token: anonymous });
    const all = (
      await client.LogInWithSocialProvider({
        input: {
          code: 'a/b',
          redirectUri: CALLBACK,
          codeVerifier: 'v'.repeat(42),
          anonymousSessionId: 'not-a-uuid',
        },
      })
    ).logInWithSocialProvider;
    expect(pathsOf(expectTypename(all, 'ValidationError').issues)).toEqual([
      'input.anonymousSessionId',
      'input.code',
      'input.codeVerifier',
    ]);
    const cases: [Record<string, string>, string][] = [
      [{ code: '' }, 'input.code'],
      [{ code: '   ' }, 'input.code'],
      [{ code: 'c'.repeat(2049) }, 'input.code'],
      [{ code: 'a%2Fb' }, 'input.code'],
      [{ codeVerifier: 'v'.repeat(129) }, 'input.codeVerifier'],
      [{ codeVerifier: `${'v'.repeat(42)}+` }, 'input.codeVerifier'],
      [{ redirectUri: '' }, 'input.redirectUri'],
      [{ redirectUri: `https://shop.example.com/${'p'.repeat(2040)}` }, 'input.redirectUri'],
    ];
    for (const [override, path] of cases) {
      const { logInWithSocialProvider } = await client.LogInWithSocialProvider({
        input: { code: 'good-code', redirectUri: CALLBACK, ...override },
      });
      expect(
        pathsOf(expectTypename(logInWithSocialProvider, 'ValidationError').issues),
        JSON.stringify(override),
      ).toEqual([path]);
    }
    // The limits themselves are accepted: a 2048-character code and 43- and 128-character verifiers.
    for (const input of [
      { code: 'c'.repeat(2048), redirectUri: CALLBACK },
      { code: 'good-code', redirectUri: CALLBACK, codeVerifier: 'v'.repeat(43) },
      { code: 'good-code', redirectUri: CALLBACK, codeVerifier: '-._~'.repeat(32) },
    ]) {
      const { logInWithSocialProvider } = await client.LogInWithSocialProvider({ input });
      expectTypename(logInWithSocialProvider, 'InvalidCredentialsError');
    }
    expect(stack.upstream().map((r) => r.query.code)).toEqual(['c'.repeat(2048), 'good-code', 'good-code']);
  });

  it('accepts only an absolute https redirect URI listed in SOCIAL_REDIRECT_URIS, exactly', async () => {
    const client = stack.client({ token: anonymous });
    const refused = [
      'not a url',
      '/callback',
      'http://shop.example.com/callback',
      'ftp://shop.example.com/callback',
      'https://evil.example.com/callback',
      `${CALLBACK}?next=https://evil.example.com`,
      `${CALLBACK}/`,
      'http://localhost:3001/callback',
    ];
    for (const redirectUri of refused) {
      const { logInWithSocialProvider } = await client.LogInWithSocialProvider({
        input: { code: 'some-code', redirectUri },
      });
      const error = expectTypename(logInWithSocialProvider, 'ValidationError');
      expect(
        error.issues.map((issue) => issue.path),
        redirectUri,
      ).toEqual([['input', 'redirectUri']]);
    }
    expect(stack.upstream()).toEqual([]);
  });

  it('reports a bad redirect URI together with the other failing fields, in one ValidationError', async () => {
    const { logInWithSocialProvider } = await stack.client({ token: anonymous }).LogInWithSocialProvider({
      input: { code: 'a/b', redirectUri: 'http://evil.example.com/callback' },
    });
    expect(pathsOf(expectTypename(logInWithSocialProvider, 'ValidationError').issues)).toEqual([
      'input.code',
      'input.redirectUri',
    ]);
    expect(stack.upstream()).toEqual([]);
  });

  it('reports a bad tenant together with a refused redirect URI, in one ValidationError', async () => {
    const { logInWithSocialProvider } = await stack
      .client({ token: anonymous, tenant: 'not a tenant!' })
      .LogInWithSocialProvider({
        input: { code: 'some-code', redirectUri: 'https://evil.example.com/callback' },
      });
    const issues = expectTypename(logInWithSocialProvider, 'ValidationError').issues;
    expect(pathsOf(issues)).toEqual(['input.redirectUri', 'tenant']);
    expect(stack.upstream()).toEqual([]);
  });

  it('with no redirect URI configured, every one is refused with a message saying so', async () => {
    const none = await startStack();
    try {
      const { logInWithSocialProvider } = await none
        .client({ token: none.emulator.demo.anonymousToken })
        .LogInWithSocialProvider({ input: { code: 'some-code', redirectUri: CALLBACK } });
      const error = expectTypename(logInWithSocialProvider, 'ValidationError');
      expect(error.issues).toEqual([
        {
          path: ['input', 'redirectUri'],
          message: expect.stringMatching(/allows no redirect URI/),
          code: 'custom',
        },
      ]);
      expect(error.message).toMatch(/allows no redirect URI/);
      expect(none.upstream()).toEqual([]);
    } finally {
      await none.close();
    }
  });

  it('in production, http://localhost is refused even when listed; https still works, with the gateway’s own token', async () => {
    const production = await startStack({
      gateway: { ...gatewayOptions, production: true, clientId: 'demo-storefront' },
    });
    try {
      const email = freshEmail('prod');
      const localCode = production.emulator.mintSocialCode({ email, redirectUri: LOCAL_CALLBACK });
      remember(localCode);
      const { logInWithSocialProvider: local } = await production
        .client()
        .LogInWithSocialProvider({ input: { code: localCode, redirectUri: LOCAL_CALLBACK } });
      expect(expectTypename(local, 'ValidationError').issues.map((issue) => issue.path)).toEqual([
        ['input', 'redirectUri'],
      ]);
      expect(production.upstream()).toEqual([]);

      const code = production.emulator.mintSocialCode({ email, redirectUri: CALLBACK });
      remember(code);
      const { logInWithSocialProvider } = await production
        .client()
        .LogInWithSocialProvider({ input: { code, redirectUri: CALLBACK } });
      const success = expectTypename(logInWithSocialProvider, 'LogInWithSocialProviderSuccess');
      remember(success.tokens?.accessToken, success.tokens?.refreshToken, success.tokens?.saasToken);
      remember(success.socialAccessToken, success.socialIdToken);
      const requests = production.upstream();
      expect(requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', ANONYMOUS_LOGIN_PATH],
        ['POST', SOCIAL_PATH],
      ]);
      expect(requests[1]?.headers.authorization).toMatch(/^Bearer \S+$/);
      remember(requests[1]?.headers.authorization?.slice(7));
      expectNoSecretsIn(production.logs);
    } finally {
      await production.close();
    }
  });
});

describe('exchangeExternalToken', () => {
  it('is POST /customer/{tenant}/exchangeauthtoken?subjectAccessToken=…, and answers tokens', async () => {
    const email = freshEmail('exchange');
    const jwt = externalToken(email);
    const before = Date.now();
    const { exchangeExternalToken } = await stack
      .client({ token: anonymous })
      .ExchangeExternalToken({ input: { subjectAccessToken: `  ${jwt} ` } });
    const after = Date.now();
    const success = expectTypename(exchangeExternalToken, 'ExchangeExternalTokenSuccess');
    const tokens = success.tokens;
    if (tokens === null) throw new Error('no tokens');
    remember(tokens.accessToken, tokens.refreshToken, tokens.saasToken);
    expect(success.success).toBe(true);
    expect(success.sessionIdleTimeSeconds).toBe(120);
    expect(success.customer).toBeUndefined();
    expect(tokens.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const expiresAt = Date.parse(String(tokens.accessTokenExpiresAt));
    expect(expiresAt).toBeGreaterThanOrEqual(before + CUSTOMER_TTL * 1000);
    expect(expiresAt).toBeLessThanOrEqual(after + CUSTOMER_TTL * 1000);

    const requests = stack.upstream();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', path: EXCHANGE_PATH, rawBody: '' });
    expect(requests[0]?.query).toStrictEqual({ subjectAccessToken: jwt });
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${anonymous}`);

    const { accessTokenInfo } = await stack.client({ token: tokens.accessToken }).AccessTokenInfo();
    expect(expectTypename(accessTokenInfo, 'AccessTokenInfo')).toMatchObject({
      email,
      sessionId: tokens.sessionId,
    });
  });

  it('sends config when given; customer, when selected, is read with the new token', async () => {
    const email = freshEmail('config');
    const jwt = externalToken(email);
    const { exchangeExternalToken } = await stack
      .client({ token: anonymous })
      .ExchangeExternalToken({ input: { subjectAccessToken: jwt, config: 'site_PL' }, withCustomer: true });
    const success = expectTypename(exchangeExternalToken, 'ExchangeExternalTokenSuccess');
    remember(success.tokens?.accessToken, success.tokens?.refreshToken, success.tokens?.saasToken);
    expect(success.customer).toMatchObject({ loginEmail: email });
    const requests = stack.upstream();
    expect(requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', EXCHANGE_PATH],
      ['GET', '/customer/demo/me'],
    ]);
    expect(requests[0]?.query).toStrictEqual({ subjectAccessToken: jwt, config: 'site_PL' });
    expect(requests[1]?.headers.authorization).toBe(`Bearer ${success.tokens?.accessToken}`);
  });

  it('an unknown config is InvalidCredentialsError (Emporix 400)', async () => {
    const jwt = externalToken(freshEmail('noconfig'));
    const { exchangeExternalToken } = await stack
      .client({ token: anonymous })
      .ExchangeExternalToken({ input: { subjectAccessToken: jwt, config: 'site_XX' } });
    expectTypename(exchangeExternalToken, 'InvalidCredentialsError');
    expect(stack.upstream().map((r) => [r.method, r.path, r.query])).toStrictEqual([
      ['POST', EXCHANGE_PATH, { subjectAccessToken: jwt, config: 'site_XX' }],
    ]);
  });

  it('a forged JWT is InvalidCredentialsError after one POST', async () => {
    const jwt = externalToken(freshEmail('forged'));
    const [header, payload] = jwt.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    remember(forged);
    const { exchangeExternalToken } = await stack
      .client({ token: anonymous })
      .ExchangeExternalToken({ input: { subjectAccessToken: forged } });
    expectTypename(exchangeExternalToken, 'InvalidCredentialsError');
    expect(stack.upstream()).toHaveLength(1);
  });

  it('validates the JWT shape and the config together, and sends nothing', async () => {
    const client = stack.client({ token: anonymous });
    const both = (
      await client.ExchangeExternalToken({ input: { subjectAccessToken: 'not-a-jwt', config: 'a b' } })
    ).exchangeExternalToken;
    expect(pathsOf(expectTypename(both, 'ValidationError').issues)).toEqual([
      'input.config',
      'input.subjectAccessToken',
    ]);
    const cases: [Record<string, string>, string][] = [
      [{ subjectAccessToken: '' }, 'input.subjectAccessToken'],
      [{ subjectAccessToken: 'a.b' }, 'input.subjectAccessToken'],
      [{ subjectAccessToken: 'a.b.c.d' }, 'input.subjectAccessToken'],
      [{ subjectAccessToken: 'a.b+c.d' }, 'input.subjectAccessToken'],
      [{ subjectAccessToken: `${'a'.repeat(8190)}.b.c` }, 'input.subjectAccessToken'],
      [{ config: '' }, 'input.config'],
      [{ config: 'c'.repeat(65) }, 'input.config'],
      [{ config: 'site/PL' }, 'input.config'],
    ];
    for (const [override, path] of cases) {
      const { exchangeExternalToken } = await client.ExchangeExternalToken({
        input: { subjectAccessToken: 'aaa.bbb.ccc', ...override },
      });
      expect(
        pathsOf(expectTypename(exchangeExternalToken, 'ValidationError').issues),
        JSON.stringify(override),
      ).toEqual([path]);
    }
    expect(stack.upstream()).toEqual([]);
    // At the limit: 8192 characters is accepted (and then refused by Emporix).
    const { exchangeExternalToken } = await client.ExchangeExternalToken({
      input: { subjectAccessToken: `${'a'.repeat(8188)}.b.c` },
    });
    expectTypename(exchangeExternalToken, 'InvalidCredentialsError');
    expect(stack.upstream()).toHaveLength(1);
  });

  it('an expired JWT is InvalidCredentialsError', async () => {
    const jwt = externalToken(freshEmail('expired'), 60);
    stack.emulator.advanceClock(61);
    const { exchangeExternalToken } = await stack
      .client({ token: stack.emulator.issueToken({ tenant: 'demo', kind: 'anonymous' }) })
      .ExchangeExternalToken({ input: { subjectAccessToken: jwt } });
    expectTypename(exchangeExternalToken, 'InvalidCredentialsError');
    expect(stack.upstream().map((r) => [r.method, r.path, r.query])).toStrictEqual([
      ['POST', EXCHANGE_PATH, { subjectAccessToken: jwt }],
    ]);
  });
});

describe('the log', () => {
  it('holds no code, verifier, JWT, token or email of any flow above, at trace level', () => {
    expect(secrets.size).toBeGreaterThan(20);
    expectNoSecretsIn(stack.logs);
  });
});

describe('with SESSIONS=on and no Authorization header', () => {
  const signedInFields = /* GraphQL */ `
    tokens { accessToken }
    customer { contactEmail }
  `;
  const operations = [
    {
      name: 'logInWithSocialProvider',
      document: /* GraphQL */ `
        mutation ($code: String!, $uri: String!) {
          logInWithSocialProvider(input: { code: $code, redirectUri: $uri }) {
            __typename
            ... on LogInWithSocialProviderSuccess { ${signedInFields} socialAccessToken socialIdToken }
            ... on Error { message }
          }
        }
      `,
      variables: (session: Stack, email: string) => ({
        code: session.emulator.mintSocialCode({ email, redirectUri: CALLBACK }),
        uri: CALLBACK,
      }),
      hidden: { tokens: null, socialAccessToken: null, socialIdToken: null },
      upstreamPath: '/customer/demo/socialLogin',
    },
    {
      name: 'exchangeExternalToken',
      document: /* GraphQL */ `
        mutation ($token: String!) {
          exchangeExternalToken(input: { subjectAccessToken: $token }) {
            __typename
            ... on ExchangeExternalTokenSuccess { ${signedInFields} }
            ... on Error { message }
          }
        }
      `,
      variables: (session: Stack, email: string) => ({
        token: session.emulator.mintExternalToken({ email }),
      }),
      hidden: { tokens: null },
      upstreamPath: '/customer/demo/exchangeauthtoken',
    },
  ] as const;

  for (const operation of operations) {
    it(`${operation.name} starts a gateway session and answers none of the tokens, the provider's included`, async () => {
      const session = await sessionStack({ gateway: gatewayOptions });
      try {
        const email = freshEmail(`session-${operation.name}`);
        const answer = await gql(session.url, operation.document, {
          variables: operation.variables(session, email),
        });
        const success = answer.body.data[operation.name];
        expect(success).toMatchObject({ ...operation.hidden, customer: { contactEmail: email } });
        // One POST to Emporix, sent with the gateway's own anonymous token (no Authorization came in).
        const posted = session.upstream().filter((request) => request.path === operation.upstreamPath);
        expect(posted.map((request) => request.method)).toEqual(['POST']);
        expect(posted[0]?.headers.authorization).toMatch(/^Bearer \S+$/);
        const cookie = cookieSet(answer);
        expect(cookie.value).toMatch(/^[\w-]{43}$/);
        // The cookie alone signs the shopper in.
        const me = await gql(session.url, meQuery, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
        expect(me.body.data.me).toMatchObject({ __typename: 'Customer', contactEmail: email });
      } finally {
        await session.close();
      }
    });
  }
});
