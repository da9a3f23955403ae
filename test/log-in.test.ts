/**
 * Log-in and the customer's tokens, through a real gateway against the emulator: logIn, refreshCustomerToken,
 * logOut, accessTokenInfo, startAnonymousSession and refreshAnonymousSession. Every case checks the GraphQL answer
 * and the exact request Emporix received (or that none was sent), and no token, password or email ever reaches
 * the gateway's log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SeedCustomer } from '../src/emulator/index.js';
import { expectTypename } from './assert.js';
import { type Stack, type StackOptions, seedWith, startStack } from './harness.js';

const LOGIN_PATH = '/customer/demo/login';
const ANONYMOUS_LOGIN_PATH = '/customerlogin/auth/anonymous/login';
const ANONYMOUS_REFRESH_PATH = '/customerlogin/auth/anonymous/refresh';
const CUSTOMER_TTL = 1800;
const REFRESH_TTL = 7200;
const ANONYMOUS_TTL = 900;

const PASSWORD = 'Login-Passw0rd!';
const SPACED_PASSWORD = ' Spaced Passw0rd ';
const LONG_PASSWORD = `L0ng-${'p'.repeat(1019)}`;

function customer(id: string, email: string, password = PASSWORD): SeedCustomer {
  return { id, email, password, firstName: `First${id}`, lastName: `Last${id}` };
}

const seed = seedWith({
  customers: [
    customer('4001', 'login@example.com'),
    customer('4002', 'spaced@example.com', SPACED_PASSWORD),
    customer('4003', 'long@example.com', LONG_PASSWORD),
    customer('4004', 'refresh@example.com'),
    customer('4005', 'logout@example.com'),
    customer('4006', 'info@example.com'),
  ],
});

const emulatorOptions: StackOptions['emulator'] = {
  seed,
  ttl: { customerToken: CUSTOMER_TTL, refreshToken: REFRESH_TTL, anonymousToken: ANONYMOUS_TTL },
};

/** Every token, password and email this file used: none may appear in any log line. */
const secrets = new Set<string>([PASSWORD, SPACED_PASSWORD, LONG_PASSWORD]);
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

/** The expiry the gateway computed must be "arrival + lifetime": between send + lifetime and answer + lifetime. */
function expectExpiry(value: unknown, before: number, after: number, seconds: number): void {
  const at = Date.parse(String(value));
  expect(Number.isNaN(at)).toBe(false);
  expect(at).toBeGreaterThanOrEqual(before + seconds * 1000);
  expect(at).toBeLessThanOrEqual(after + seconds * 1000);
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const jws = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const tokenFault = (errorcode: string, faultstring = 'Invalid access token') => ({
  fault: { faultstring, detail: { errorcode } },
});

let stack: Stack;
let anonymous: string;

beforeAll(async () => {
  stack = await startStack({ emulator: emulatorOptions });
  anonymous = stack.emulator.demo.anonymousToken;
  remember(anonymous, stack.emulator.demo.customerToken, stack.emulator.demo.password);
  remember(...(seed.tenants[0]?.customers ?? []).map((c) => c.email));
  remember(stack.emulator.demo.pendingSignUp?.email, stack.emulator.demo.pendingSignUp?.password);
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.clearRequests();
  stack.emulator.clearFaults();
});

async function logInAs(email: string, password: string, token = anonymous) {
  const { logIn } = await stack.client({ token }).LogIn({ input: { email, password } });
  const success = expectTypename(logIn, 'LogInSuccess');
  const tokens = success.tokens;
  if (tokens === null) throw new Error('no tokens');
  remember(tokens.accessToken, tokens.refreshToken, tokens.saasToken);
  return tokens;
}

describe('logIn', () => {
  it('is exactly POST /customer/{tenant}/login {email, password} with the caller’s token, and answers its tokens', async () => {
    const before = Date.now();
    const { logIn } = await stack
      .client({ token: anonymous })
      .LogIn({ input: { email: 'login@example.com', password: PASSWORD } });
    const after = Date.now();
    const success = expectTypename(logIn, 'LogInSuccess');
    expect(success.success).toBe(true);
    expect(success.initialPassword).toBe(false);
    expect(success.customer).toBeUndefined();
    const tokens = success.tokens;
    if (tokens === null) throw new Error('no tokens');
    remember(tokens.accessToken, tokens.refreshToken, tokens.saasToken);
    expect(tokens.accessToken).toMatch(/^\S{16,}$/);
    expect(tokens.refreshToken).toMatch(/^\S{16,}$/);
    expect(tokens.saasToken).toMatch(jws);
    expect(tokens.sessionId).toMatch(uuid);
    expectExpiry(tokens.accessTokenExpiresAt, before, after, CUSTOMER_TTL);
    expectExpiry(tokens.refreshTokenExpiresAt, before, after, REFRESH_TTL);

    // `customer` not selected: only the log-in went upstream.
    const requests = stack.upstream();
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(LOGIN_PATH);
    expect(request?.query).toEqual({});
    expect(request?.body).toStrictEqual({ email: 'login@example.com', password: PASSWORD });
    expect(request?.headers.authorization).toBe(`Bearer ${anonymous}`);
    expect(request?.headers['content-type']).toBe('application/json');

    // The access token is live and is the session's.
    const { accessTokenInfo } = await stack.client({ token: tokens.accessToken }).AccessTokenInfo();
    expect(expectTypename(accessTokenInfo, 'AccessTokenInfo').sessionId).toBe(tokens.sessionId);
  });

  it('trims the email and never the password', async () => {
    await logInAs('  Spaced@Example.com ', SPACED_PASSWORD);
    const [request] = stack.upstream();
    expect(request?.body).toStrictEqual({ email: 'Spaced@Example.com', password: SPACED_PASSWORD });

    stack.emulator.clearRequests();
    const { logIn } = await stack
      .client({ token: anonymous })
      .LogIn({ input: { email: 'spaced@example.com', password: SPACED_PASSWORD.trim() } });
    expectTypename(logIn, 'InvalidCredentialsError');
    expect(stack.upstream().map((r) => r.body)).toStrictEqual([
      { email: 'spaced@example.com', password: SPACED_PASSWORD.trim() },
    ]);
  });

  it('accepts a password of 1024 characters and refuses one of 1025 without a call', async () => {
    await logInAs('long@example.com', LONG_PASSWORD);
    expect(stack.upstream().map((r) => r.body)).toStrictEqual([
      { email: 'long@example.com', password: LONG_PASSWORD },
    ]);

    stack.emulator.clearRequests();
    const { logIn } = await stack
      .client({ token: anonymous })
      .LogIn({ input: { email: 'long@example.com', password: `${LONG_PASSWORD}x` } });
    const error = expectTypename(logIn, 'ValidationError');
    expect(pathsOf(error.issues)).toEqual(['input.password']);
    expect(stack.upstream()).toEqual([]);
  });

  it('reports every failing field in one ValidationError, and sends nothing', async () => {
    const client = stack.client({ token: anonymous });
    const both = (await client.LogIn({ input: { email: 'not-an-email', password: '' } })).logIn;
    expect(pathsOf(expectTypename(both, 'ValidationError').issues)).toEqual([
      'input.email',
      'input.password',
    ]);

    const long = (
      await client.LogIn({ input: { email: `${'a'.repeat(243)}@example.com`, password: PASSWORD } })
    ).logIn;
    expect(pathsOf(expectTypename(long, 'ValidationError').issues)).toEqual(['input.email']);

    const blank = (await client.LogIn({ input: { email: '   ', password: PASSWORD } })).logIn;
    expect(pathsOf(expectTypename(blank, 'ValidationError').issues)).toEqual(['input.email']);
    expect(stack.upstream()).toEqual([]);
  });

  it('a password shorter than 6 characters is InvalidCredentialsError with no upstream call', async () => {
    const { logIn: short } = await stack
      .client({ token: anonymous })
      .LogIn({ input: { email: 'login@example.com', password: '12345' } });
    const shortError = expectTypename(short, 'InvalidCredentialsError');
    expect(stack.upstream()).toEqual([]);

    const { logIn: wrong } = await stack
      .client({ token: anonymous })
      .LogIn({ input: { email: 'login@example.com', password: 'wrong-password' } });
    // Told apart by nothing: the same type and the same message as a wrong password.
    expect(expectTypename(wrong, 'InvalidCredentialsError').message).toBe(shortError.message);
  });

  it('an unknown email and a wrong password get the same InvalidCredentialsError, each after one POST', async () => {
    const client = stack.client({ token: anonymous });
    const unknown = (await client.LogIn({ input: { email: 'nobody@example.com', password: PASSWORD } }))
      .logIn;
    const wrong = (await client.LogIn({ input: { email: 'login@example.com', password: 'Wrong-Passw0rd!' } }))
      .logIn;
    expect(unknown).toEqual(wrong);
    expect(expectTypename(unknown, 'InvalidCredentialsError').message).not.toMatch(/nobody|exist|unknown/i);
    expect(stack.upstream().map((r) => [r.method, r.path, r.body])).toStrictEqual([
      ['POST', LOGIN_PATH, { email: 'nobody@example.com', password: PASSWORD }],
      ['POST', LOGIN_PATH, { email: 'login@example.com', password: 'Wrong-Passw0rd!' }],
    ]);
  });

  it('an unconfirmed sign-up cannot log in', async () => {
    const pending = stack.emulator.demo.pendingSignUp;
    if (pending === undefined) throw new Error('the seed has no pending sign-up');
    const { logIn } = await stack
      .client({ token: anonymous })
      .LogIn({ input: { email: pending.email, password: pending.password } });
    const error = expectTypename(logIn, 'InvalidCredentialsError');
    const { logIn: wrong } = await stack
      .client({ token: anonymous })
      .LogIn({ input: { email: 'login@example.com', password: 'Wrong-Passw0rd!' } });
    expect(error.message).toBe(expectTypename(wrong, 'InvalidCredentialsError').message);
    expect(stack.upstream().filter((r) => r.path === LOGIN_PATH)).toHaveLength(2);
  });

  it('a 401 for the caller’s token is the token’s UnauthorizedError, not refused credentials, and is not retried', async () => {
    const { logIn: revoked } = await stack
      .client({ token: 'revoked-token-123' })
      .LogIn({ input: { email: 'login@example.com', password: PASSWORD } });
    expect(expectTypename(revoked, 'UnauthorizedError').code).toBe('INVALID_TOKEN');
    expect(stack.upstream().map((r) => [r.path, r.headers.authorization])).toEqual([
      [LOGIN_PATH, 'Bearer revoked-token-123'],
    ]);

    stack.emulator.clearRequests();
    stack.emulator.injectFault({
      method: 'POST',
      path: LOGIN_PATH,
      status: 401,
      body: tokenFault('keymanagement.service.access_token_expired', 'Access Token expired'),
    });
    const { logIn: expired } = await stack
      .client({ token: anonymous })
      .LogIn({ input: { email: 'login@example.com', password: PASSWORD } });
    expect(expectTypename(expired, 'UnauthorizedError').code).toBe('TOKEN_EXPIRED');
    expect(stack.upstream()).toHaveLength(1);
  });

  it('without a token and without a client id: MISSING_TOKEN, nothing sent', async () => {
    const { logIn } = await stack
      .client()
      .LogIn({ input: { email: 'login@example.com', password: PASSWORD } });
    expect(expectTypename(logIn, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
    expect(stack.upstream()).toEqual([]);
  });

  it('initialPassword is true for Emporix’s true and "true", false otherwise', async () => {
    const answers: boolean[] = [];
    for (const initialPassword of [true, 'true', 'TRUE', false, 'false', null]) {
      stack.emulator.injectFault({
        method: 'POST',
        path: LOGIN_PATH,
        status: 200,
        body: { access_token: 'injected-access-token', expires_in: 60, initialPassword },
      });
      const { logIn } = await stack
        .client({ token: anonymous })
        .LogIn({ input: { email: 'login@example.com', password: PASSWORD } });
      const success = expectTypename(logIn, 'LogInSuccess');
      expect(success.tokens).toMatchObject({
        accessToken: 'injected-access-token',
        refreshToken: null,
        refreshTokenExpiresAt: null,
        saasToken: null,
        sessionId: null,
      });
      answers.push(success.initialPassword);
    }
    expect(answers).toEqual([true, true, true, false, false, false]);
  });

  it('an answer without a token is an UpstreamError, not a success with null tokens', async () => {
    stack.emulator.injectFault({
      method: 'POST',
      path: LOGIN_PATH,
      status: 200,
      body: { token_type: 'Bearer' },
    });
    const { logIn } = await stack
      .client({ token: anonymous })
      .LogIn({ input: { email: 'login@example.com', password: PASSWORD } });
    expect(expectTypename(logIn, 'UpstreamError')).toMatchObject({ status: 200, retryable: false });
  });

  it('customer, when selected, is read once with the NEW access token', async () => {
    const { logIn } = await stack
      .client({ token: anonymous })
      .LogIn({ input: { email: 'login@example.com', password: PASSWORD }, withCustomer: true });
    const success = expectTypename(logIn, 'LogInSuccess');
    remember(success.tokens?.accessToken, success.tokens?.refreshToken, success.tokens?.saasToken);
    expect(success.customer).toMatchObject({
      id: '4001',
      firstName: 'First4001',
      lastName: 'Last4001',
      loginEmail: 'login@example.com',
    });
    const requests = stack.upstream();
    expect(requests.map((r) => [r.method, r.path])).toEqual([
      ['POST', LOGIN_PATH],
      ['GET', '/customer/demo/me'],
    ]);
    expect(requests[1]?.headers.authorization).toBe(`Bearer ${success.tokens?.accessToken}`);
    expect(requests[1]?.query).toEqual({});
  });

  it('customer asked under two aliases is still one GET /me', async () => {
    const document = /* GraphQL */ `
      mutation LogInTwice($input: LogInInput!) {
        logIn(input: $input) {
          __typename
          ... on LogInSuccess {
            tokens { accessToken }
            first: customer { id }
            second: customer { loginEmail }
          }
        }
      }
    `;
    const answer = await stack.graphql({ token: anonymous }).request<{
      logIn: {
        __typename: string;
        tokens: { accessToken: string };
        first: { id: string };
        second: { loginEmail: string };
      };
    }>(document, { input: { email: 'login@example.com', password: PASSWORD } });
    remember(answer.logIn.tokens.accessToken);
    expect(answer.logIn).toMatchObject({
      __typename: 'LogInSuccess',
      first: { id: '4001' },
      second: { loginEmail: 'login@example.com' },
    });
    const me = stack.upstream().filter((r) => r.path === '/customer/demo/me');
    expect(me).toHaveLength(1);
    expect(me[0]?.headers.authorization).toBe(`Bearer ${answer.logIn.tokens.accessToken}`);
  });
});

describe('logIn with the gateway’s own anonymous token', () => {
  async function withClientId(run: (stack: Stack) => Promise<void>): Promise<void> {
    const own = await startStack({ emulator: emulatorOptions, gateway: { clientId: 'demo-storefront' } });
    try {
      await run(own);
      expectNoSecretsIn(own.logs);
    } finally {
      await own.close();
    }
  }

  it('fetches one, and sends it as the Authorization of the log-in', async () => {
    await withClientId(async (own) => {
      const { logIn } = await own
        .client()
        .LogIn({ input: { email: 'login@example.com', password: PASSWORD } });
      const success = expectTypename(logIn, 'LogInSuccess');
      remember(success.tokens?.accessToken, success.tokens?.refreshToken, success.tokens?.saasToken);
      const [fetch, login] = own.upstream();
      expect(fetch).toMatchObject({ method: 'GET', path: ANONYMOUS_LOGIN_PATH });
      expect(fetch?.query).toEqual({ tenant: 'demo', client_id: 'demo-storefront' });
      expect(fetch?.headers.authorization).toBeUndefined();
      expect(login).toMatchObject({ method: 'POST', path: LOGIN_PATH });
      expect(login?.headers.authorization).toMatch(/^Bearer \S+$/);
      remember(login?.headers.authorization?.slice(7));
      expect(own.upstream()).toHaveLength(2);
    });
  });

  it('a 401 naming its token is refreshed and retried exactly once', async () => {
    await withClientId(async (own) => {
      own.emulator.injectFault({
        method: 'POST',
        path: LOGIN_PATH,
        status: 401,
        body: tokenFault('oauth.v2.InvalidAccessToken'),
      });
      const { logIn } = await own
        .client()
        .LogIn({ input: { email: 'login@example.com', password: PASSWORD } });
      const success = expectTypename(logIn, 'LogInSuccess');
      remember(success.tokens?.accessToken, success.tokens?.refreshToken, success.tokens?.saasToken);
      const requests = own.upstream();
      expect(requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', ANONYMOUS_LOGIN_PATH],
        ['POST', LOGIN_PATH],
        ['GET', ANONYMOUS_LOGIN_PATH],
        ['POST', LOGIN_PATH],
      ]);
      expect(requests[1]?.headers.authorization).not.toBe(requests[3]?.headers.authorization);
      expect(requests[1]?.body).toStrictEqual({ email: 'login@example.com', password: PASSWORD });
      expect(requests[3]?.body).toStrictEqual({ email: 'login@example.com', password: PASSWORD });
    });
  });

  it('a second token 401 is the token’s UnauthorizedError, after two POST /login and no third', async () => {
    await withClientId(async (own) => {
      own.emulator.injectFault({
        method: 'POST',
        path: LOGIN_PATH,
        status: 401,
        body: tokenFault('keymanagement.service.access_token_expired', 'Access Token expired'),
        times: 2,
      });
      const { logIn } = await own
        .client()
        .LogIn({ input: { email: 'login@example.com', password: PASSWORD } });
      expect(expectTypename(logIn, 'UnauthorizedError').code).toBe('TOKEN_EXPIRED');
      expect(own.upstream().map((r) => r.path)).toEqual([
        ANONYMOUS_LOGIN_PATH,
        LOGIN_PATH,
        ANONYMOUS_LOGIN_PATH,
        LOGIN_PATH,
      ]);
    });
  });

  it('refused credentials (customer.invalid_credentials) are never retried', async () => {
    await withClientId(async (own) => {
      const { logIn } = await own
        .client()
        .LogIn({ input: { email: 'login@example.com', password: 'Wrong-Passw0rd!' } });
      expectTypename(logIn, 'InvalidCredentialsError');
      expect(own.upstream().map((r) => r.path)).toEqual([ANONYMOUS_LOGIN_PATH, LOGIN_PATH]);

      // Also an injected 401 of that kind, with a cached token.
      own.emulator.clearRequests();
      own.emulator.injectFault({
        method: 'POST',
        path: LOGIN_PATH,
        status: 401,
        body: tokenFault('customer.invalid_credentials', 'Invalid customer credentials'),
        times: 2,
      });
      const { logIn: again } = await own
        .client()
        .LogIn({ input: { email: 'login@example.com', password: PASSWORD } });
      expectTypename(again, 'InvalidCredentialsError');
      expect(own.upstream().map((r) => r.path)).toEqual([LOGIN_PATH]);
    });
  });

  it('a short password is refused without fetching a token either', async () => {
    await withClientId(async (own) => {
      const { logIn } = await own.client().LogIn({ input: { email: 'login@example.com', password: 'abc' } });
      expectTypename(logIn, 'InvalidCredentialsError');
      expect(own.upstream()).toEqual([]);
    });
  });

  it('a failed token fetch is an UpstreamError: retryable for 5xx, 429 and the network, not for 400', async () => {
    await withClientId(async (own) => {
      const logInOnce = async () =>
        (await own.client().LogIn({ input: { email: 'login@example.com', password: PASSWORD } })).logIn;

      own.emulator.injectFault({ method: 'GET', path: ANONYMOUS_LOGIN_PATH, status: 500 });
      expect(expectTypename(await logInOnce(), 'UpstreamError')).toMatchObject({
        status: 500,
        retryable: true,
      });
      own.emulator.injectFault({ method: 'GET', path: ANONYMOUS_LOGIN_PATH, status: 503 });
      expect(expectTypename(await logInOnce(), 'UpstreamError')).toMatchObject({
        status: 503,
        retryable: true,
      });
      own.emulator.injectFault({ method: 'GET', path: ANONYMOUS_LOGIN_PATH, status: 429 });
      expect(expectTypename(await logInOnce(), 'UpstreamError')).toMatchObject({
        status: 429,
        retryable: true,
      });
      own.emulator.injectFault({ method: 'GET', path: ANONYMOUS_LOGIN_PATH, destroySocket: true });
      expect(expectTypename(await logInOnce(), 'UpstreamError')).toMatchObject({
        status: null,
        retryable: true,
      });
      own.emulator.injectFault({
        method: 'GET',
        path: ANONYMOUS_LOGIN_PATH,
        status: 400,
        body: { type: 'bad_request', status: 400, message: 'The client_id provided is not valid.' },
      });
      expect(expectTypename(await logInOnce(), 'UpstreamError')).toMatchObject({
        status: 400,
        retryable: false,
      });
      // The log-in itself was never sent.
      expect(own.upstream().filter((r) => r.path === LOGIN_PATH)).toEqual([]);
      expect(own.upstream().every((r) => r.path === ANONYMOUS_LOGIN_PATH)).toBe(true);
    });
  });
});

describe('refreshCustomerToken', () => {
  it('with the caller’s expired access token: sent as it is, then once more with the gateway’s own anonymous token', async () => {
    const own = await startStack({ emulator: emulatorOptions, gateway: { clientId: 'demo-storefront' } });
    try {
      const { logIn } = await own
        .client({ token: own.emulator.demo.anonymousToken })
        .LogIn({ input: { email: 'refresh@example.com', password: PASSWORD } });
      const tokens = expectTypename(logIn, 'LogInSuccess').tokens;
      if (tokens?.refreshToken == null) throw new Error('no refresh token');
      remember(tokens.accessToken, tokens.refreshToken, tokens.saasToken);
      // The storefront refreshes because its access token expired; it sends that very token along.
      own.emulator.advanceClock(CUSTOMER_TTL + 60);
      own.emulator.clearRequests();
      const { refreshCustomerToken } = await own
        .client({ token: tokens.accessToken })
        .RefreshCustomerToken({ input: { refreshToken: tokens.refreshToken } });
      const renewed = expectTypename(refreshCustomerToken, 'RefreshCustomerTokenSuccess').tokens;
      remember(renewed?.accessToken, renewed?.refreshToken, renewed?.saasToken);
      expect(renewed?.accessToken).not.toBe(tokens.accessToken);
      const refreshes = own
        .upstream()
        .filter((request) => request.path === '/customer/demo/refreshauthtoken');
      expect(refreshes.map((request) => request.query)).toEqual([
        { refreshToken: tokens.refreshToken },
        { refreshToken: tokens.refreshToken },
      ]);
      const [callers, gateways] = refreshes.map((request) => request.headers.authorization);
      expect(callers).toBe(`Bearer ${tokens.accessToken}`);
      expect(gateways).toMatch(/^Bearer \S+$/);
      expect(gateways).not.toBe(callers);
    } finally {
      await own.close();
    }
  });

  it('with the caller’s expired access token and no client id: TOKEN_EXPIRED, sent once', async () => {
    // A stack of its own: the clock only moves forward, and the other cases need theirs as it is.
    const own = await startStack({ emulator: emulatorOptions });
    try {
      const { logIn } = await own
        .client({ token: own.emulator.demo.anonymousToken })
        .LogIn({ input: { email: 'refresh@example.com', password: PASSWORD } });
      const tokens = expectTypename(logIn, 'LogInSuccess').tokens;
      remember(tokens?.accessToken, tokens?.refreshToken, tokens?.saasToken);
      own.emulator.advanceClock(CUSTOMER_TTL + 60);
      own.emulator.clearRequests();
      const { refreshCustomerToken } = await own
        .client({ token: tokens?.accessToken })
        .RefreshCustomerToken({ input: { refreshToken: tokens?.refreshToken ?? '' } });
      expect(expectTypename(refreshCustomerToken, 'UnauthorizedError').code).toBe('TOKEN_EXPIRED');
      expect(own.upstream().map((request) => request.path)).toEqual(['/customer/demo/refreshauthtoken']);
    } finally {
      await own.close();
    }
  });

  it('is GET /customer/{tenant}/refreshauthtoken?refreshToken=… with the caller’s Authorization as it is; the old refresh token then fails', async () => {
    const first = await logInAs('refresh@example.com', PASSWORD);
    stack.emulator.clearRequests();
    const authorization = `bearer ${anonymous}`;
    const before = Date.now();
    const { refreshCustomerToken } = await stack
      .client({ headers: { authorization } })
      .RefreshCustomerToken({ input: { refreshToken: `  ${first.refreshToken}  ` } });
    const after = Date.now();
    const refreshed = expectTypename(refreshCustomerToken, 'RefreshCustomerTokenSuccess');
    const tokens = refreshed.tokens;
    if (tokens === null) throw new Error('no tokens');
    remember(tokens.accessToken, tokens.refreshToken, tokens.saasToken);
    expect(tokens.accessToken).not.toBe(first.accessToken);
    expect(tokens.refreshToken).not.toBe(first.refreshToken);
    expect(tokens.sessionId).toBe(first.sessionId);
    expectExpiry(tokens.accessTokenExpiresAt, before, after, CUSTOMER_TTL);
    expectExpiry(tokens.refreshTokenExpiresAt, before, after, REFRESH_TTL);

    const requests = stack.upstream();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'GET',
      path: '/customer/demo/refreshauthtoken',
      rawBody: '',
    });
    expect(requests[0]?.query).toEqual({ refreshToken: first.refreshToken });
    expect(requests[0]?.headers.authorization).toBe(authorization);

    // Rotation: the used refresh token is refused (a ValidationError on it), the new one works.
    stack.emulator.clearRequests();
    const { refreshCustomerToken: reused } = await stack
      .client({ token: anonymous })
      .RefreshCustomerToken({ input: { refreshToken: first.refreshToken ?? '' } });
    const error = expectTypename(reused, 'ValidationError');
    expect(pathsOf(error.issues)).toEqual(['input.refreshToken']);
    expect(stack.upstream().map((r) => r.query)).toEqual([{ refreshToken: first.refreshToken }]);

    const { refreshCustomerToken: next } = await stack
      .client({ token: anonymous })
      .RefreshCustomerToken({ input: { refreshToken: tokens.refreshToken ?? '' } });
    const nextTokens = expectTypename(next, 'RefreshCustomerTokenSuccess').tokens;
    remember(nextTokens?.accessToken, nextTokens?.refreshToken);

    // And then accessTokenInfo on the refreshed access token.
    const { accessTokenInfo } = await stack.client({ token: nextTokens?.accessToken }).AccessTokenInfo();
    expect(expectTypename(accessTokenInfo, 'AccessTokenInfo')).toMatchObject({
      email: 'refresh@example.com',
      sessionId: first.sessionId,
    });
  });

  it('validates the refresh token (trimmed, 1 to 4096) before anything is sent', async () => {
    const client = stack.client({ token: anonymous });
    for (const refreshToken of ['', '   ', 'x'.repeat(4097)]) {
      const { refreshCustomerToken } = await client.RefreshCustomerToken({ input: { refreshToken } });
      expect(pathsOf(expectTypename(refreshCustomerToken, 'ValidationError').issues)).toEqual([
        'input.refreshToken',
      ]);
    }
    expect(stack.upstream()).toEqual([]);
  });

  it('without a token and without a client id: MISSING_TOKEN, nothing sent', async () => {
    const { refreshCustomerToken } = await stack
      .client()
      .RefreshCustomerToken({ input: { refreshToken: 'some-refresh-token' } });
    expect(expectTypename(refreshCustomerToken, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
    expect(stack.upstream()).toEqual([]);
  });

  it('with a client id and no caller token, uses the gateway’s anonymous token', async () => {
    const own = await startStack({ emulator: emulatorOptions, gateway: { clientId: 'demo-storefront' } });
    try {
      const { logIn } = await own
        .client()
        .LogIn({ input: { email: 'refresh@example.com', password: PASSWORD } });
      const tokens = expectTypename(logIn, 'LogInSuccess').tokens;
      remember(tokens?.accessToken, tokens?.refreshToken, tokens?.saasToken);
      own.emulator.clearRequests();
      const { refreshCustomerToken } = await own
        .client()
        .RefreshCustomerToken({ input: { refreshToken: tokens?.refreshToken ?? '' } });
      const refreshed = expectTypename(refreshCustomerToken, 'RefreshCustomerTokenSuccess').tokens;
      remember(refreshed?.accessToken, refreshed?.refreshToken);
      // The cached anonymous token: no second anonymous login.
      const requests = own.upstream();
      expect(requests.map((r) => [r.method, r.path])).toEqual([['GET', '/customer/demo/refreshauthtoken']]);
      expect(requests[0]?.headers.authorization).toMatch(/^Bearer \S+$/);
      expect(requests[0]?.headers.authorization).not.toBe(`Bearer ${tokens?.accessToken}`);
      expectNoSecretsIn(own.logs);
    } finally {
      await own.close();
    }
  });
});

describe('logOut', () => {
  it('is GET /customer/{tenant}/logout?accessToken=<the caller’s own token>; the token and its session then stop working', async () => {
    const tokens = await logInAs('logout@example.com', PASSWORD);
    stack.emulator.clearRequests();
    const client = stack.client({ token: tokens.accessToken });
    const { logOut } = await client.LogOut();
    expect(expectTypename(logOut, 'LogOutSuccess').success).toBe(true);
    const requests = stack.upstream();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'GET', path: '/customer/demo/logout', rawBody: '' });
    expect(requests[0]?.query).toEqual({ accessToken: tokens.accessToken });
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${tokens.accessToken}`);

    const { me } = await client.Me();
    expectTypename(me, 'UnauthorizedError');
    const { refreshCustomerToken } = await stack
      .client({ token: anonymous })
      .RefreshCustomerToken({ input: { refreshToken: tokens.refreshToken ?? '' } });
    expectTypename(refreshCustomerToken, 'ValidationError');
  });

  it('without Authorization: MISSING_TOKEN, nothing sent; a header that is not Bearer: INVALID_TOKEN', async () => {
    const missing = (await stack.client().LogOut()).logOut;
    expect(expectTypename(missing, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
    const basic = (await stack.client({ headers: { authorization: 'Basic dXNlcjpwdw==' } }).LogOut()).logOut;
    expect(expectTypename(basic, 'UnauthorizedError').code).toBe('INVALID_TOKEN');
    expect(stack.upstream()).toEqual([]);
  });

  it('needs a customer token even when the gateway has a client id', async () => {
    const own = await startStack({ emulator: emulatorOptions, gateway: { clientId: 'demo-storefront' } });
    try {
      const { logOut } = await own.client().LogOut();
      expect(expectTypename(logOut, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
      expect(own.upstream()).toEqual([]);
    } finally {
      await own.close();
    }
  });
});

describe('accessTokenInfo', () => {
  it('is GET /customer/{tenant}/validateauthtoken: lifetime, scopes without tenant=…, email and session', async () => {
    const tokens = await logInAs('info@example.com', PASSWORD);
    stack.emulator.clearRequests();
    const { accessTokenInfo } = await stack.client({ token: tokens.accessToken }).AccessTokenInfo();
    const info = expectTypename(accessTokenInfo, 'AccessTokenInfo');
    expect(info).toMatchObject({
      scopes: ['customer.customerprofile_edit'],
      email: 'info@example.com',
      sessionId: tokens.sessionId,
      legalEntityId: null,
    });
    expect(info.expiresInSeconds).toBeGreaterThan(CUSTOMER_TTL - 10);
    expect(info.expiresInSeconds).toBeLessThanOrEqual(CUSTOMER_TTL);
    const requests = stack.upstream();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({
      method: 'GET',
      path: '/customer/demo/validateauthtoken',
      rawBody: '',
    });
    expect(requests[0]?.query).toEqual({});
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${tokens.accessToken}`);
  });

  it('drops only the tenant=… entry of Emporix’s scope', async () => {
    stack.emulator.injectFault({
      method: 'GET',
      path: '/customer/demo/validateauthtoken',
      status: 200,
      body: { expires_in: 42, scope: 'tenant=demo a.b  c tenant=other', sessionId: 's-1' },
    });
    const { accessTokenInfo } = await stack.client({ token: 'some-token' }).AccessTokenInfo();
    expect(expectTypename(accessTokenInfo, 'AccessTokenInfo')).toMatchObject({
      expiresInSeconds: 42,
      scopes: ['a.b', 'c'],
      email: null,
      sessionId: 's-1',
    });
  });

  it('without a token: MISSING_TOKEN, nothing sent; an unknown token: UnauthorizedError', async () => {
    const { accessTokenInfo } = await stack.client().AccessTokenInfo();
    expect(expectTypename(accessTokenInfo, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
    expect(stack.upstream()).toEqual([]);
    const { accessTokenInfo: unknown } = await stack.client({ token: 'unknown-token' }).AccessTokenInfo();
    expect(expectTypename(unknown, 'UnauthorizedError').code).toBe('INVALID_TOKEN');
  });
});

describe('anonymous sessions', () => {
  let own: Stack;
  beforeAll(async () => {
    own = await startStack({ emulator: emulatorOptions, gateway: { clientId: 'demo-storefront' } });
  });
  afterAll(async () => {
    expectNoSecretsIn(own.logs);
    await own.close();
  });
  beforeEach(() => own.emulator.clearRequests());

  it('startAnonymousSession is GET /customerlogin/auth/anonymous/login with the context, and no Authorization', async () => {
    const before = Date.now();
    const { startAnonymousSession } = await own
      .client({ token: anonymous, headers: { 'x-forwarded-for': '198.51.100.7' } })
      .StartAnonymousSession({
        input: { currency: 'eur', siteCode: 'main', language: 'en-US', targetLocation: 'de' },
      });
    const after = Date.now();
    const tokens = expectTypename(startAnonymousSession, 'StartAnonymousSessionSuccess').tokens;
    if (tokens === null) throw new Error('no tokens');
    remember(tokens.accessToken, tokens.refreshToken);
    expect(tokens.sessionId).toMatch(uuid);
    expectExpiry(tokens.accessTokenExpiresAt, before, after, ANONYMOUS_TTL);
    expectExpiry(tokens.refreshTokenExpiresAt, before, after, REFRESH_TTL);

    const requests = own.upstream();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'GET', path: ANONYMOUS_LOGIN_PATH, rawBody: '' });
    expect(requests[0]?.query).toStrictEqual({
      tenant: 'demo',
      client_id: 'demo-storefront',
      currency: 'EUR',
      siteCode: 'main',
      language: 'en-US',
      targetLocation: 'DE',
    });
    expect(requests[0]?.headers.authorization).toBeUndefined();

    // Each call is a new session.
    own.emulator.clearRequests();
    const again = (await own.client().StartAnonymousSession()).startAnonymousSession;
    const second = expectTypename(again, 'StartAnonymousSessionSuccess').tokens;
    remember(second?.accessToken, second?.refreshToken);
    expect(second?.sessionId).not.toBe(tokens.sessionId);
    expect(own.upstream().map((r) => r.query)).toStrictEqual([
      { tenant: 'demo', client_id: 'demo-storefront' },
    ]);
    expect(own.upstream()[0]?.headers.authorization).toBeUndefined();
  });

  it('startAnonymousSession reports every bad context value in one ValidationError, nothing sent', async () => {
    const { startAnonymousSession } = await own.client().StartAnonymousSession({
      input: { currency: 'ABC', siteCode: 'a b', language: 'english', targetLocation: 'XX' },
    });
    expect(pathsOf(expectTypename(startAnonymousSession, 'ValidationError').issues)).toEqual([
      'input.currency',
      'input.language',
      'input.siteCode',
      'input.targetLocation',
    ]);
    const tooLong = (await own.client().StartAnonymousSession({ input: { siteCode: 's'.repeat(65) } }))
      .startAnonymousSession;
    expect(pathsOf(expectTypename(tooLong, 'ValidationError').issues)).toEqual(['input.siteCode']);
    expect(own.upstream()).toEqual([]);
  });

  it('refreshAnonymousSession is GET /customerlogin/auth/anonymous/refresh; anonymous_token only when given', async () => {
    const { startAnonymousSession } = await own.client().StartAnonymousSession();
    const started = expectTypename(startAnonymousSession, 'StartAnonymousSessionSuccess').tokens;
    if (started === null || started.refreshToken === null) throw new Error('no tokens');
    remember(started.accessToken, started.refreshToken);
    own.emulator.clearRequests();

    const before = Date.now();
    const { refreshAnonymousSession } = await own
      .client({ token: anonymous })
      .RefreshAnonymousSession({ input: { refreshToken: ` ${started.refreshToken} ` } });
    const after = Date.now();
    const refreshed = expectTypename(refreshAnonymousSession, 'RefreshAnonymousSessionSuccess').tokens;
    if (refreshed === null) throw new Error('no tokens');
    remember(refreshed.accessToken, refreshed.refreshToken);
    expect(refreshed.sessionId).toBe(started.sessionId);
    expect(refreshed.accessToken).not.toBe(started.accessToken);
    expectExpiry(refreshed.accessTokenExpiresAt, before, after, ANONYMOUS_TTL);
    let requests = own.upstream();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'GET', path: ANONYMOUS_REFRESH_PATH, rawBody: '' });
    expect(requests[0]?.query).toStrictEqual({
      tenant: 'demo',
      client_id: 'demo-storefront',
      refresh_token: started.refreshToken,
    });
    expect(requests[0]?.headers.authorization).toBeUndefined();

    own.emulator.clearRequests();
    const { refreshAnonymousSession: withToken } = await own.client().RefreshAnonymousSession({
      input: { refreshToken: started.refreshToken, anonymousToken: ` ${refreshed.accessToken} ` },
    });
    const third = expectTypename(withToken, 'RefreshAnonymousSessionSuccess').tokens;
    remember(third?.accessToken);
    expect(third?.sessionId).toBe(started.sessionId);
    requests = own.upstream();
    expect(requests[0]?.query).toStrictEqual({
      tenant: 'demo',
      client_id: 'demo-storefront',
      refresh_token: started.refreshToken,
      anonymous_token: refreshed.accessToken,
    });
  });

  it('refreshAnonymousSession validates its tokens, nothing sent; an unknown refresh token is a ValidationError', async () => {
    const { refreshAnonymousSession } = await own
      .client()
      .RefreshAnonymousSession({ input: { refreshToken: ' ', anonymousToken: 'x'.repeat(4097) } });
    expect(pathsOf(expectTypename(refreshAnonymousSession, 'ValidationError').issues)).toEqual([
      'input.anonymousToken',
      'input.refreshToken',
    ]);
    expect(own.upstream()).toEqual([]);

    const { refreshAnonymousSession: unknown } = await own
      .client()
      .RefreshAnonymousSession({ input: { refreshToken: 'no-such-refresh-token' } });
    expectTypename(unknown, 'ValidationError');
    expect(own.upstream().map((r) => r.path)).toEqual([ANONYMOUS_REFRESH_PATH]);
  });

  it('without a client id, both are a ValidationError on ["clientId"] and nothing is sent', async () => {
    const { startAnonymousSession } = await stack
      .client({ token: anonymous })
      .StartAnonymousSession({ input: { currency: 'EUR' } });
    const startError = expectTypename(startAnonymousSession, 'ValidationError');
    expect(startError.issues.map((issue) => issue.path)).toEqual([['clientId']]);
    const { refreshAnonymousSession } = await stack
      .client({ token: anonymous })
      .RefreshAnonymousSession({ input: { refreshToken: 'some-refresh-token' } });
    expect(expectTypename(refreshAnonymousSession, 'ValidationError').issues.map((i) => i.path)).toEqual([
      ['clientId'],
    ]);
    expect(stack.upstream()).toEqual([]);
  });

  it('without a client id, with a bad tenant and bad input besides: every failing field in one ValidationError', async () => {
    const client = stack.client({ token: anonymous, tenant: 'not a tenant!' });
    const { startAnonymousSession } = await client.StartAnonymousSession({ input: { currency: 'euro' } });
    expect(pathsOf(expectTypename(startAnonymousSession, 'ValidationError').issues)).toEqual([
      'clientId',
      'input.currency',
      'tenant',
    ]);
    const { startAnonymousSession: validInput } = await client.StartAnonymousSession({
      input: { currency: 'EUR' },
    });
    expect(pathsOf(expectTypename(validInput, 'ValidationError').issues)).toEqual(['clientId', 'tenant']);
    const { refreshAnonymousSession } = await client.RefreshAnonymousSession({ input: { refreshToken: '' } });
    expect(pathsOf(expectTypename(refreshAnonymousSession, 'ValidationError').issues)).toEqual([
      'clientId',
      'input.refreshToken',
      'tenant',
    ]);
    expect(stack.upstream()).toEqual([]);
  });
});

describe('the error types of the result unions', () => {
  it('InvalidCredentialsError is only in logIn’s and the two SSO results; AccountExistsError only in signUp’s', async () => {
    const answer = await stack.graphql().request<{
      __schema: { types: { name: string; kind: string; possibleTypes: { name: string }[] | null }[] };
    }>('{ __schema { types { name kind possibleTypes { name } } } }');
    const unionsWith = (member: string) =>
      answer.__schema.types
        .filter((type) => type.kind === 'UNION' && type.possibleTypes?.some((t) => t.name === member))
        .map((type) => type.name)
        .sort();
    expect(unionsWith('InvalidCredentialsError')).toEqual([
      'ExchangeExternalTokenResult',
      'LogInResult',
      'LogInWithSocialProviderResult',
    ]);
    expect(unionsWith('AccountExistsError')).toEqual(['SignUpResult']);
    expect(stack.upstream()).toEqual([]);
  });
});

describe('the log', () => {
  it('holds no token, password or email of any flow above, at trace level', () => {
    expect(secrets.size).toBeGreaterThan(20);
    expectNoSecretsIn(stack.logs);
  });
});
