/**
 * Sign-up and its double opt-in, through a real gateway against the emulator: signUp, confirmSignUp and
 * resendSignUpConfirmation. Every case checks the GraphQL answer and the exact request Emporix received (or that
 * none was sent); the flows run end to end through the emulator's outbox, and nothing secret reaches the log.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expectTypename } from './assert.js';
import { type Stack, startStack } from './harness.js';

const SIGNUP_PATH = '/customer/demo/signup';
const RESEND_PATH = '/customer/demo/signup/optin/refresh_token';
const ANONYMOUS_LOGIN_PATH = '/customerlogin/auth/anonymous/login';
const PASSWORD = 'Signup-Passw0rd!';

/** Every token, password and email this file used: none may appear in any log line. */
const secrets = new Set<string>([PASSWORD]);
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

let counter = 0;
function freshEmail(label: string): string {
  counter += 1;
  const email = `${label}.${counter}@example.com`;
  remember(email);
  return email;
}

let stack: Stack;
let anonymous: string;

beforeAll(async () => {
  stack = await startStack();
  anonymous = stack.emulator.demo.anonymousToken;
  remember(
    anonymous,
    stack.emulator.demo.customerToken,
    stack.emulator.demo.email,
    stack.emulator.demo.password,
  );
  const pending = stack.emulator.demo.pendingSignUp;
  remember(pending?.email, pending?.password, pending?.confirmationToken);
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.clearRequests();
  stack.emulator.clearFaults();
});

/** The newest confirmation mail's token to `email`, from the emulator's outbox. */
function confirmationToken(email: string): string {
  const mail = stack.emulator
    .outbox()
    .filter((entry) => entry.to === email && entry.kind === 'signup-confirmation')
    .at(-1);
  if (mail === undefined) throw new Error(`no confirmation mail to ${email}`);
  remember(mail.token);
  return mail.token;
}

describe('signUp', () => {
  it('is exactly POST /customer/{tenant}/signup {email, password, customerDetails} with every given field, trimmed', async () => {
    const email = freshEmail('full');
    const { signUp } = await stack.client({ token: anonymous }).SignUp({
      input: {
        email: `  ${email} `,
        password: ' Full Passw0rd ',
        firstName: ' Ada ',
        lastName: ' Lovelace ',
        title: ' MRS ',
        contactPhone: ' +44 (0)20 7946-0958 ./ ',
        company: ' Analytical Engines Ltd ',
        preferredLanguage: 'en_GB',
        preferredCurrency: 'gbp',
        preferredSite: 'uk-main_1',
      },
    });
    remember(' Full Passw0rd ');
    expect(expectTypename(signUp, 'SignUpSuccess').success).toBe(true);
    const requests = stack.upstream();
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request).toMatchObject({ method: 'POST', path: SIGNUP_PATH });
    expect(request?.query).toEqual({});
    expect(request?.body).toStrictEqual({
      email,
      password: ' Full Passw0rd ',
      customerDetails: {
        firstName: 'Ada',
        lastName: 'Lovelace',
        title: 'MRS',
        contactPhone: '+44 (0)20 7946-0958 ./',
        company: 'Analytical Engines Ltd',
        preferredLanguage: 'en_GB',
        preferredCurrency: 'GBP',
        preferredSite: 'uk-main_1',
        contactEmail: email,
      },
    });
    expect(request?.headers.authorization).toBe(`Bearer ${anonymous}`);
    expect(request?.headers['content-type']).toBe('application/json');
  });

  it('sends no field that was absent or null: only the contact email in customerDetails', async () => {
    const email = freshEmail('bare');
    const { signUp } = await stack
      .client({ token: anonymous })
      .SignUp({ input: { email, password: PASSWORD } });
    expectTypename(signUp, 'SignUpSuccess');
    const nulls = freshEmail('nulls');
    const { signUp: withNulls } = await stack.client({ token: anonymous }).SignUp({
      input: {
        email: nulls,
        password: PASSWORD,
        firstName: null,
        lastName: null,
        title: null,
        contactPhone: null,
        company: null,
        preferredLanguage: null,
        preferredCurrency: null,
        preferredSite: null,
      },
    });
    expectTypename(withNulls, 'SignUpSuccess');
    const requests = stack.upstream();
    expect(requests.map((r) => r.body)).toStrictEqual([
      { email, password: PASSWORD, customerDetails: { contactEmail: email } },
      { email: nulls, password: PASSWORD, customerDetails: { contactEmail: nulls } },
    ]);
    for (const request of requests) expect(request.rawBody).not.toMatch(/:\s*null/);
  });

  it('accepts the language forms en, en_US and en-US', async () => {
    for (const preferredLanguage of ['en', 'en_US', 'en-US']) {
      const email = freshEmail('lang');
      const { signUp } = await stack
        .client({ token: anonymous })
        .SignUp({ input: { email, password: PASSWORD, preferredLanguage } });
      expectTypename(signUp, 'SignUpSuccess');
    }
    expect(
      stack
        .upstream()
        .map((r) => (r.body as { customerDetails: { preferredLanguage: string } }).customerDetails),
    ).toMatchObject([
      { preferredLanguage: 'en' },
      { preferredLanguage: 'en_US' },
      { preferredLanguage: 'en-US' },
    ]);
  });

  it('reports every failing field in one ValidationError, and sends nothing', async () => {
    const { signUp } = await stack.client({ token: anonymous }).SignUp({
      input: {
        email: 'not-an-email',
        password: '',
        firstName: '   ',
        lastName: 'x'.repeat(257),
        title: '',
        contactPhone: '+49 30 CALL-ME',
        company: ' ',
        preferredLanguage: 'english',
        preferredCurrency: 'EURO',
        preferredSite: 'main site',
      },
    });
    expect(pathsOf(expectTypename(signUp, 'ValidationError').issues)).toEqual([
      'input.company',
      'input.contactPhone',
      'input.email',
      'input.firstName',
      'input.lastName',
      'input.password',
      'input.preferredCurrency',
      'input.preferredLanguage',
      'input.preferredSite',
      'input.title',
    ]);

    const { signUp: more } = await stack.client({ token: anonymous }).SignUp({
      input: {
        email: `${'a'.repeat(243)}@example.com`,
        password: 'p'.repeat(1025),
        preferredCurrency: 'ABC',
        preferredSite: 's'.repeat(65),
        contactPhone: '1'.repeat(65),
      },
    });
    expect(pathsOf(expectTypename(more, 'ValidationError').issues)).toEqual([
      'input.contactPhone',
      'input.email',
      'input.password',
      'input.preferredCurrency',
      'input.preferredSite',
    ]);
    expect(stack.upstream()).toEqual([]);
  });

  it('without a token and without a client id: MISSING_TOKEN, nothing sent', async () => {
    const { signUp } = await stack
      .client()
      .SignUp({ input: { email: freshEmail('notoken'), password: PASSWORD } });
    expect(expectTypename(signUp, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
    expect(stack.upstream()).toEqual([]);
  });

  it('with SIGNUP_CONFLICTS=hide (the default), Emporix’s 409 for an existing account is SignUpSuccess', async () => {
    const { signUp } = await stack
      .client({ token: anonymous })
      .SignUp({ input: { email: stack.emulator.demo.email, password: PASSWORD } });
    expect(expectTypename(signUp, 'SignUpSuccess').success).toBe(true);
    expect(stack.upstream().map((r) => [r.method, r.path])).toEqual([['POST', SIGNUP_PATH]]);

    // The same with an injected 409, and the same answer as for a new email.
    stack.emulator.injectFault({ method: 'POST', path: SIGNUP_PATH, status: 409 });
    const injected = (
      await stack
        .client({ token: anonymous })
        .SignUp({ input: { email: freshEmail('x'), password: PASSWORD } })
    ).signUp;
    const fresh = (
      await stack
        .client({ token: anonymous })
        .SignUp({ input: { email: freshEmail('y'), password: PASSWORD } })
    ).signUp;
    expect(injected).toEqual(fresh);
  });

  it('with SIGNUP_CONFLICTS=reveal, it is AccountExistsError', async () => {
    const revealing = await startStack({ gateway: { signUpConflicts: 'reveal' } });
    try {
      const { signUp } = await revealing
        .client({ token: revealing.emulator.demo.anonymousToken })
        .SignUp({ input: { email: ' DEMO@example.com ', password: PASSWORD } });
      expect(expectTypename(signUp, 'AccountExistsError').message).toMatch(/exist/i);
      expect(revealing.upstream().map((r) => [r.method, r.path, r.body])).toStrictEqual([
        [
          'POST',
          SIGNUP_PATH,
          {
            email: 'DEMO@example.com',
            password: PASSWORD,
            customerDetails: { contactEmail: 'DEMO@example.com' },
          },
        ],
      ]);
      // A new email is still SignUpSuccess there.
      const { signUp: fresh } = await revealing
        .client({ token: revealing.emulator.demo.anonymousToken })
        .SignUp({ input: { email: freshEmail('reveal'), password: PASSWORD } });
      expectTypename(fresh, 'SignUpSuccess');
      remember(revealing.emulator.demo.anonymousToken);
      expectNoSecretsIn(revealing.logs);
    } finally {
      await revealing.close();
    }
  });

  it('a failed fetch of the gateway’s own anonymous token is an UpstreamError, and sign-up is not sent', async () => {
    const own = await startStack({ gateway: { clientId: 'demo-storefront' } });
    try {
      own.emulator.injectFault({ method: 'GET', path: ANONYMOUS_LOGIN_PATH, status: 500 });
      const { signUp } = await own
        .client()
        .SignUp({ input: { email: freshEmail('own'), password: PASSWORD } });
      expect(expectTypename(signUp, 'UpstreamError')).toMatchObject({ status: 500, retryable: true });
      expect(own.upstream().map((r) => r.path)).toEqual([ANONYMOUS_LOGIN_PATH]);

      own.emulator.clearRequests();
      const email = freshEmail('own');
      const { signUp: next } = await own.client().SignUp({ input: { email, password: PASSWORD } });
      expectTypename(next, 'SignUpSuccess');
      const requests = own.upstream();
      expect(requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', ANONYMOUS_LOGIN_PATH],
        ['POST', SIGNUP_PATH],
      ]);
      expect(requests[0]?.query).toEqual({ tenant: 'demo', client_id: 'demo-storefront' });
      expect(requests[1]?.headers.authorization).toMatch(/^Bearer \S+$/);
      remember(requests[1]?.headers.authorization?.slice(7));

      // A 400 (wrong client id) is not retryable.
      const other = await startStack({ gateway: { clientId: 'demo-storefront' } });
      try {
        other.emulator.injectFault({ method: 'GET', path: ANONYMOUS_LOGIN_PATH, status: 400 });
        const { signUp: refused } = await other
          .client()
          .SignUp({ input: { email: freshEmail('own'), password: PASSWORD } });
        expect(expectTypename(refused, 'UpstreamError')).toMatchObject({ status: 400, retryable: false });
        expect(other.upstream().map((r) => r.path)).toEqual([ANONYMOUS_LOGIN_PATH]);
      } finally {
        await other.close();
      }
      expectNoSecretsIn(own.logs);
    } finally {
      await own.close();
    }
  });
});

describe('confirmSignUp', () => {
  it('the whole flow: sign-up → mail → confirm (customer read with the new token) → me → logOut → me refused', async () => {
    const email = freshEmail('flow');
    const client = stack.client({ token: anonymous });
    expectTypename(
      (await client.SignUp({ input: { email, password: PASSWORD, firstName: 'Flow', lastName: 'Tester' } }))
        .signUp,
      'SignUpSuccess',
    );
    const mails = stack.emulator.outbox().filter((mail) => mail.to === email);
    expect(mails.map((mail) => mail.kind)).toEqual(['signup-confirmation']);
    const token = confirmationToken(email);

    // Not yet confirmed: log-in is refused.
    const { logIn } = await client.LogIn({ input: { email, password: PASSWORD } });
    expectTypename(logIn, 'InvalidCredentialsError');

    stack.emulator.clearRequests();
    const before = Date.now();
    const { confirmSignUp } = await client.ConfirmSignUp({
      input: { token: `  ${token} ` },
      withCustomer: true,
    });
    const after = Date.now();
    const confirmed = expectTypename(confirmSignUp, 'ConfirmSignUpSuccess');
    const tokens = confirmed.tokens;
    if (tokens === null) throw new Error('no tokens');
    remember(tokens.accessToken, tokens.refreshToken, tokens.saasToken);
    expect(confirmed.success).toBe(true);
    expect(tokens.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    const expiresAt = Date.parse(String(tokens.accessTokenExpiresAt));
    expect(expiresAt).toBeGreaterThanOrEqual(before + 86400_000);
    expect(expiresAt).toBeLessThanOrEqual(after + 86400_000);
    expect(confirmed.customer).toMatchObject({
      firstName: 'Flow',
      lastName: 'Tester',
      contactEmail: email,
      loginEmail: email,
    });
    const requests = stack.upstream();
    expect(requests.map((r) => [r.method, r.path])).toEqual([
      ['GET', `/customer/demo/signup/optin/${token}`],
      ['GET', '/customer/demo/me'],
    ]);
    expect(requests[0]?.query).toEqual({});
    expect(requests[0]?.rawBody).toBe('');
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${anonymous}`);
    expect(requests[1]?.headers.authorization).toBe(`Bearer ${tokens.accessToken}`);

    // The returned token is the customer's.
    const customerClient = stack.client({ token: tokens.accessToken });
    expect(expectTypename((await customerClient.Me()).me, 'Customer').loginEmail).toBe(email);

    // The token is single-use.
    stack.emulator.clearRequests();
    const { confirmSignUp: reused } = await client.ConfirmSignUp({ input: { token } });
    expect(pathsOf(expectTypename(reused, 'ValidationError').issues)).toEqual(['input.token']);
    expect(stack.upstream()).toHaveLength(1);

    // And the account now logs in with its password.
    const { logIn: loggedIn } = await client.LogIn({ input: { email, password: PASSWORD } });
    const session = expectTypename(loggedIn, 'LogInSuccess').tokens;
    remember(session?.accessToken, session?.refreshToken, session?.saasToken);

    expectTypename((await customerClient.LogOut()).logOut, 'LogOutSuccess');
    expectTypename((await customerClient.Me()).me, 'UnauthorizedError');
  });

  it('without customer selected, there is no GET /me', async () => {
    const email = freshEmail('nocustomer');
    const client = stack.client({ token: anonymous });
    await client.SignUp({ input: { email, password: PASSWORD } });
    const token = confirmationToken(email);
    stack.emulator.clearRequests();
    const { confirmSignUp } = await client.ConfirmSignUp({ input: { token } });
    const confirmed = expectTypename(confirmSignUp, 'ConfirmSignUpSuccess');
    remember(confirmed.tokens?.accessToken, confirmed.tokens?.refreshToken, confirmed.tokens?.saasToken);
    expect(confirmed.customer).toBeUndefined();
    expect(stack.upstream().map((r) => r.path)).toEqual([`/customer/demo/signup/optin/${token}`]);
  });

  it('the seeded pending sign-up confirms, and then logs in', async () => {
    const pending = stack.emulator.demo.pendingSignUp;
    if (pending === undefined) throw new Error('the seed has no pending sign-up');
    expect(
      stack.emulator
        .outbox()
        .some((mail) => mail.to === pending.email && mail.kind === 'signup-confirmation'),
    ).toBe(true);
    const client = stack.client({ token: anonymous });
    const { confirmSignUp } = await client.ConfirmSignUp({
      input: { token: pending.confirmationToken },
      withCustomer: true,
    });
    const confirmed = expectTypename(confirmSignUp, 'ConfirmSignUpSuccess');
    remember(confirmed.tokens?.accessToken, confirmed.tokens?.refreshToken, confirmed.tokens?.saasToken);
    expect(confirmed.customer).toMatchObject({
      firstName: 'New',
      lastName: 'Customer',
      loginEmail: pending.email,
    });
    expect(stack.upstream()[0]?.path).toBe(`/customer/demo/signup/optin/${pending.confirmationToken}`);

    const { logIn } = await client.LogIn({ input: { email: pending.email, password: pending.password } });
    const tokens = expectTypename(logIn, 'LogInSuccess').tokens;
    remember(tokens?.accessToken, tokens?.refreshToken, tokens?.saasToken);
  });

  it('refuses a token with characters that are not URL-safe, and sends nothing', async () => {
    const client = stack.client({ token: anonymous });
    for (const token of [
      'a/b',
      'a%2Fb',
      '../x',
      '..%2Fx',
      'a b',
      'a?b',
      'a#b',
      '',
      '   ',
      'x'.repeat(4097),
    ]) {
      const { confirmSignUp } = await client.ConfirmSignUp({ input: { token } });
      expect(pathsOf(expectTypename(confirmSignUp, 'ValidationError').issues), token).toEqual([
        'input.token',
      ]);
    }
    expect(stack.upstream()).toEqual([]);
  });

  it('an unknown token is a ValidationError from Emporix (400)', async () => {
    const { confirmSignUp } = await stack
      .client({ token: anonymous })
      .ConfirmSignUp({ input: { token: 'no-such_token.1~' } });
    expect(pathsOf(expectTypename(confirmSignUp, 'ValidationError').issues)).toEqual(['input.token']);
    expect(stack.upstream().map((r) => [r.method, r.path])).toEqual([
      ['GET', '/customer/demo/signup/optin/no-such_token.1~'],
    ]);
  });

  it('without a token and without a client id: MISSING_TOKEN, nothing sent', async () => {
    const { confirmSignUp } = await stack.client().ConfirmSignUp({ input: { token: 'abc' } });
    expect(expectTypename(confirmSignUp, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
    expect(stack.upstream()).toEqual([]);
  });
});

describe('resendSignUpConfirmation', () => {
  it('is POST …/signup/optin/refresh_token {email}: a new mail, and the old link stops working', async () => {
    const email = freshEmail('resend');
    const client = stack.client({ token: anonymous });
    await client.SignUp({ input: { email, password: PASSWORD } });
    const first = confirmationToken(email);
    stack.emulator.clearRequests();

    const { resendSignUpConfirmation } = await client.ResendSignUpConfirmation({
      input: { email: ` ${email}  ` },
    });
    expect(expectTypename(resendSignUpConfirmation, 'ResendSignUpConfirmationSuccess').success).toBe(true);
    const requests = stack.upstream();
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', path: RESEND_PATH });
    expect(requests[0]?.query).toEqual({});
    expect(requests[0]?.body).toStrictEqual({ email });
    expect(requests[0]?.headers.authorization).toBe(`Bearer ${anonymous}`);

    const second = confirmationToken(email);
    expect(second).not.toBe(first);
    expectTypename(
      (await client.ConfirmSignUp({ input: { token: first } })).confirmSignUp,
      'ValidationError',
    );
    const confirmed = expectTypename(
      (await client.ConfirmSignUp({ input: { token: second } })).confirmSignUp,
      'ConfirmSignUpSuccess',
    );
    remember(confirmed.tokens?.accessToken, confirmed.tokens?.refreshToken, confirmed.tokens?.saasToken);
  });

  it('answers success for an unknown email (404) and for a confirmed account (409): it reveals nothing', async () => {
    const client = stack.client({ token: anonymous });
    const unknownEmail = freshEmail('unknown');
    const unknown = (await client.ResendSignUpConfirmation({ input: { email: unknownEmail } }))
      .resendSignUpConfirmation;
    const confirmed = (await client.ResendSignUpConfirmation({ input: { email: stack.emulator.demo.email } }))
      .resendSignUpConfirmation;
    expectTypename(unknown, 'ResendSignUpConfirmationSuccess');
    expect(confirmed).toEqual(unknown);
    expect(stack.upstream().map((r) => [r.method, r.path, r.body])).toStrictEqual([
      ['POST', RESEND_PATH, { email: unknownEmail }],
      ['POST', RESEND_PATH, { email: stack.emulator.demo.email }],
    ]);
    // No mail was sent for either.
    expect(
      stack.emulator.outbox().filter((mail) => [unknownEmail, stack.emulator.demo.email].includes(mail.to)),
    ).toEqual([]);
  });

  it('validates the email before anything is sent', async () => {
    const client = stack.client({ token: anonymous });
    for (const email of ['not-an-email', '', '  ', `${'a'.repeat(243)}@example.com`]) {
      const { resendSignUpConfirmation } = await client.ResendSignUpConfirmation({ input: { email } });
      expect(pathsOf(expectTypename(resendSignUpConfirmation, 'ValidationError').issues)).toEqual([
        'input.email',
      ]);
    }
    expect(stack.upstream()).toEqual([]);
  });

  it('other Emporix failures are not hidden', async () => {
    stack.emulator.injectFault({ method: 'POST', path: RESEND_PATH, status: 503 });
    const { resendSignUpConfirmation } = await stack
      .client({ token: anonymous })
      .ResendSignUpConfirmation({ input: { email: freshEmail('fail') } });
    expect(expectTypename(resendSignUpConfirmation, 'UpstreamError')).toMatchObject({
      status: 503,
      retryable: true,
    });
  });
});

describe('the log', () => {
  it('holds no token, password or email of any flow above, at trace level', () => {
    expect(secrets.size).toBeGreaterThan(20);
    expectNoSecretsIn(stack.logs);
  });
});
