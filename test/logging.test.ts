/**
 * What the gateway logs: exactly one `operation` line per GraphQL operation, with the request id that also goes
 * upstream and back to the caller, and never a password or a token, whatever the outcome.
 */
import { print } from 'graphql';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MeDocument, type MeQuery } from '../src/client/index.js';
import { createLogger } from '../src/logger.js';
import { expectTypename } from './assert.js';
import { type MeTwiceQuery, meTwice } from './documents.js';
import { logIn, readOutbox, type Stack, seedWith, startStack } from './harness.js';

const CURRENT = 'Sekr3t-Current!';
const TIMEOUT_MS = 500;

const seed = seedWith({
  customers: [
    { id: '5001', email: 'lines@example.com', password: CURRENT, firstName: 'Log', lastName: 'Lines' },
    { id: '5002', email: 'secrets@example.com', password: CURRENT, firstName: 'Log', lastName: 'Secrets' },
  ],
});

let stack: Stack;

beforeAll(async () => {
  // A short deadline, so that one test can make an upstream call time out quickly.
  stack = await startStack({ emulator: { seed }, gateway: { timeoutMs: TIMEOUT_MS } });
});

afterAll(async () => {
  await stack.close();
});

beforeEach(() => {
  stack.emulator.clearFaults();
  stack.emulator.clearRequests();
});

type LogLine = Record<string, unknown>;

/** The one line the request with `requestId` wrote: no other line even mentions the id. */
function onlyLineOf(requestId: string): LogLine {
  const mentioning = stack.logs.filter((line) => line.includes(requestId));
  expect(mentioning).toHaveLength(1);
  const [line] = mentioning;
  const parsed = JSON.parse(line ?? '{}') as LogLine;
  expect(parsed).toMatchObject({ msg: 'operation', requestId });
  expect(typeof parsed.durationMs).toBe('number');
  return parsed;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('one operation line per operation', () => {
  it('has the whole shape, and nothing else', async () => {
    const token = await logIn(stack.emulator, 'lines@example.com', CURRENT);
    const { me } = await stack.client({ token, headers: { 'x-request-id': 'shape-1' } }).Me();
    expectTypename(me, 'Customer');

    const line = onlyLineOf('shape-1');
    expect({ ...line, time: 0, pid: 0, hostname: 'host', durationMs: 0 }).toMatchInlineSnapshot(`
      {
        "durationMs": 0,
        "hostname": "host",
        "level": 30,
        "msg": "operation",
        "operation": "Me",
        "pid": 0,
        "requestId": "shape-1",
        "rootField": "me",
        "time": 0,
        "typename": "Customer",
        "upstreamCalls": 1,
        "upstreamStatus": 200,
      }
    `);
  });

  it('a success with 204 upstream', async () => {
    const token = await logIn(stack.emulator, 'lines@example.com', CURRENT);
    const { changePassword } = await stack
      .client({ token, headers: { 'x-request-id': 'line-success' } })
      .ChangePassword({
        input: { currentPassword: CURRENT, newPassword: 'Sekr3t-Lines-2!' },
      });
    expect(changePassword.__typename).toBe('ChangePasswordSuccess');
    expect(onlyLineOf('line-success')).toMatchObject({
      operation: 'ChangePassword',
      rootField: 'changePassword',
      typename: 'ChangePasswordSuccess',
      upstreamStatus: 204,
      upstreamCalls: 1,
    });
    // Put the password back for the other tests.
    await stack.client({ token }).ChangePassword({
      input: { currentPassword: 'Sekr3t-Lines-2!', newPassword: CURRENT },
    });
  });

  it('an upstream refusal (400)', async () => {
    const token = await logIn(stack.emulator, 'lines@example.com', CURRENT);
    const { changePassword } = await stack
      .client({ token, headers: { 'x-request-id': 'line-refused' } })
      .ChangePassword({
        input: { currentPassword: 'Sekr3t-Wrong!', newPassword: 'Sekr3t-X!' },
      });
    expect(changePassword.__typename).toBe('ValidationError');
    expect(stack.upstream()).toHaveLength(2); // the login, and the refused change
    expect(onlyLineOf('line-refused')).toMatchObject({
      operation: 'ChangePassword',
      rootField: 'changePassword',
      typename: 'ValidationError',
      upstreamStatus: 400,
      upstreamCalls: 1,
    });
  });

  it('an invalid input: nothing went upstream, so the status is null', async () => {
    const { changePassword } = await stack
      .client({ token: stack.emulator.demo.customerToken, headers: { 'x-request-id': 'line-invalid' } })
      .ChangePassword({
        input: { currentPassword: 'Sekr3t-Same!', newPassword: 'Sekr3t-Same!' },
      });
    expect(changePassword.__typename).toBe('ValidationError');
    expect(stack.upstream()).toEqual([]);
    expect(onlyLineOf('line-invalid')).toMatchObject({
      operation: 'ChangePassword',
      rootField: 'changePassword',
      typename: 'ValidationError',
      upstreamStatus: null,
      upstreamCalls: 0,
    });
  });

  it('an upstream failure (500)', async () => {
    stack.emulator.injectFault({ method: 'POST', path: '/customer/demo/password/reset', status: 500 });
    const { requestPasswordReset } = await stack
      .client({ token: stack.emulator.demo.anonymousToken, headers: { 'x-request-id': 'line-500' } })
      .RequestPasswordReset({ input: { email: 'lines@example.com' } });
    expect(requestPasswordReset.__typename).toBe('UpstreamError');
    expect(stack.upstream()).toHaveLength(1);
    expect(onlyLineOf('line-500')).toMatchObject({
      operation: 'RequestPasswordReset',
      rootField: 'requestPasswordReset',
      typename: 'UpstreamError',
      upstreamStatus: 500,
      upstreamCalls: 1,
    });
  });

  it('a timeout: one call, no status', async () => {
    stack.emulator.injectFault({ method: 'GET', path: '/customer/demo/me', delayMs: TIMEOUT_MS * 3 });
    const { me } = await stack
      .client({ token: stack.emulator.demo.customerToken, headers: { 'x-request-id': 'line-timeout' } })
      .Me();
    expect(expectTypename(me, 'UpstreamError').status).toBeNull();
    expect(stack.upstream()).toHaveLength(1);
    expect(onlyLineOf('line-timeout')).toMatchObject({
      operation: 'Me',
      rootField: 'me',
      typename: 'UpstreamError',
      upstreamStatus: null,
      upstreamCalls: 1,
    });
  });

  it('an anonymous document is named by its root field', async () => {
    const token = await logIn(stack.emulator, 'lines@example.com', CURRENT);
    const result = await stack
      .graphql({ token, headers: { 'x-request-id': 'line-anonymous' } })
      .request<{ changePassword: { __typename: string } }>(
        'mutation ($input: ChangePasswordInput!) { changePassword(input: $input) { __typename } }',
        { input: { currentPassword: 'Sekr3t-Wrong!', newPassword: 'Sekr3t-Y!' } },
      );
    expect(result.changePassword.__typename).toBe('ValidationError');
    expect(onlyLineOf('line-anonymous')).toMatchObject({
      operation: 'changePassword',
      rootField: 'changePassword',
      typename: 'ValidationError',
      upstreamStatus: 400,
    });
  });

  it('an operation asking for me twice is still one line, after one upstream call', async () => {
    const result = await stack
      .graphql({ token: stack.emulator.demo.anonymousToken, headers: { 'x-request-id': 'line-twice' } })
      .request<MeTwiceQuery>(meTwice);
    expect(expectTypename(result.first, 'Customer').id).toBe('00000000');
    expect(stack.upstream()).toHaveLength(1);
    expect(onlyLineOf('line-twice')).toMatchObject({
      operation: 'MeTwice',
      rootField: 'me',
      typename: 'Customer',
      upstreamStatus: 200,
      upstreamCalls: 1,
    });
  });
});

describe('the request id', () => {
  it('the caller’s X-Request-Id goes upstream, back in the response and into the log line', async () => {
    const response = await stack
      .graphql({ token: stack.emulator.demo.customerToken, headers: { 'X-Request-Id': 'test-req-123' } })
      .rawRequest<MeQuery>(print(MeDocument));
    expect(expectTypename(response.data.me, 'Customer').id).toBe('13869000');
    expect(response.headers.get('x-request-id')).toBe('test-req-123');
    expect(stack.upstream().map((request) => request.headers['x-request-id'])).toEqual(['test-req-123']);
    expect(onlyLineOf('test-req-123').requestId).toBe('test-req-123');
  });

  const offered: { case: string; headers: Record<string, string> }[] = [
    { case: 'without one', headers: {} },
    { case: 'with one that is not a plain token', headers: { 'x-request-id': 'two words' } },
    { case: 'with one that is too long', headers: { 'x-request-id': 'x'.repeat(129) } },
  ];

  it.each(offered)('$case, one generated id is used in all three places', async ({ headers }) => {
    const response = await stack
      .graphql({ token: stack.emulator.demo.customerToken, headers })
      .rawRequest<MeQuery>(print(MeDocument));
    expectTypename(response.data.me, 'Customer');
    const id = response.headers.get('x-request-id') ?? '';
    expect(id).toMatch(uuid);
    expect(stack.upstream().map((request) => request.headers['x-request-id'])).toEqual([id]);
    expect(onlyLineOf(id).requestId).toBe(id);
    for (const value of Object.values(headers)) {
      expect(stack.logs.filter((line) => line.includes(value))).toEqual([]);
    }
  });
});

describe('secrets', () => {
  it('no password or token of any operation, failed or not, appears in any line', async () => {
    const emulator = stack.emulator;
    const secrets: string[] = [CURRENT];
    const remember = <T extends string>(value: T): T => {
      secrets.push(value);
      return value;
    };
    const linesBefore = stack.logs.length;
    let operationsRun = 0;
    const run = async <T>(operation: Promise<T>): Promise<T> => {
      const result = await operation;
      operationsRun += 1;
      return result;
    };

    const customerToken = remember(await logIn(emulator, 'secrets@example.com', CURRENT));
    const anonymousToken = remember(emulator.issueToken({ tenant: 'demo', kind: 'anonymous' }));
    const customer = stack.client({ token: customerToken });
    const anonymous = stack.client({ token: anonymousToken });

    // me, as customer and as anonymous.
    expectTypename((await run(customer.Me())).me, 'Customer');
    expectTypename((await run(anonymous.Me())).me, 'Customer');

    // changePassword: refused upstream, refused by the gateway, wrong token, 500, timeout, then success.
    const wrong = remember('Sekr3t-Wrong!');
    const fresh = remember('Sekr3t-New!');
    const same = remember('Sekr3t-Same!');
    const changePassword = (client: typeof customer, currentPassword: string, newPassword: string) =>
      run(client.ChangePassword({ input: { currentPassword, newPassword } }));
    expectTypename((await changePassword(customer, wrong, fresh)).changePassword, 'ValidationError');
    expectTypename((await changePassword(customer, same, same)).changePassword, 'ValidationError');
    const unknownToken = remember('Sekr3tUnknownToken0123456789');
    const unauthorized = await changePassword(stack.client({ token: unknownToken }), CURRENT, fresh);
    expect(expectTypename(unauthorized.changePassword, 'UnauthorizedError').code).toBe('INVALID_TOKEN');
    const basic = remember('Basic U2VrcjN0LUJhc2ljLUF1dGgh');
    const malformed = await changePassword(
      stack.client({ headers: { authorization: basic } }),
      CURRENT,
      fresh,
    );
    expect(expectTypename(malformed.changePassword, 'UnauthorizedError').code).toBe('INVALID_TOKEN');
    emulator.injectFault({ method: 'POST', path: '/customer/demo/password/change', status: 500 });
    expectTypename((await changePassword(customer, CURRENT, fresh)).changePassword, 'UpstreamError');
    emulator.injectFault({ method: 'POST', path: '/customer/demo/password/change', delayMs: TIMEOUT_MS * 3 });
    const timedOut = await changePassword(customer, CURRENT, fresh);
    expect(expectTypename(timedOut.changePassword, 'UpstreamError').status).toBeNull();
    expectTypename((await changePassword(customer, CURRENT, fresh)).changePassword, 'ChangePasswordSuccess');

    // Password reset: the mailed token, its reuse, and a 401 from Emporix.
    expectTypename(
      (
        await run(
          anonymous.RequestPasswordReset({
            input: { email: 'secrets@example.com', site: 'main' },
          }),
        )
      ).requestPasswordReset,
      'RequestPasswordResetSuccess',
    );
    const resetToken = remember(
      (await readOutbox(emulator)).filter((mail) => mail.kind === 'password-reset').at(-1)?.token ?? '',
    );
    expect(resetToken).not.toBe('');
    const resetTo = remember('Sekr3t-Reset!');
    const resetPassword = () =>
      run(anonymous.ResetPassword({ input: { token: resetToken, password: resetTo } }));
    expectTypename((await resetPassword()).resetPassword, 'ResetPasswordSuccess');
    expectTypename((await resetPassword()).resetPassword, 'ValidationError');
    emulator.injectFault({
      method: 'POST',
      path: '/customer/demo/password/reset/update',
      status: 401,
      body: {
        fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } },
      },
    });
    expectTypename((await resetPassword()).resetPassword, 'UnauthorizedError');

    // Email change: a wrong password, then the real change and its confirmation (and a reused confirmation).
    const changeEmail = (password: string) =>
      run(
        customer.ChangeCustomerEmail({
          input: {
            email: 'secrets@example.com',
            password,
            newEmail: 'secrets2@example.com',
            syncContactEmail: true,
          },
        }),
      );
    expectTypename((await changeEmail(wrong)).changeCustomerEmail, 'ValidationError');
    expectTypename((await changeEmail(resetTo)).changeCustomerEmail, 'ChangeCustomerEmailSuccess');
    const changeToken = remember(
      (await readOutbox(emulator)).filter((mail) => mail.kind === 'email-change').at(-1)?.token ?? '',
    );
    expect(changeToken).not.toBe('');
    const confirm = () => run(anonymous.ConfirmCustomerEmailChange({ input: { token: changeToken } }));
    expectTypename((await confirm()).confirmCustomerEmailChange, 'ConfirmCustomerEmailChangeSuccess');
    expectTypename((await confirm()).confirmCustomerEmailChange, 'ValidationError');

    const lines = stack.logs.slice(linesBefore);
    expect(lines.filter((line) => line.includes('"msg":"operation"'))).toHaveLength(operationsRun);
    for (const line of stack.logs) {
      for (const secret of secrets) expect(line).not.toContain(secret);
      expect(line).not.toMatch(/Bearer\s+\S/i);
    }
  });
});

describe('the redaction list (the second line of defence)', () => {
  it('censors the token, code and customer-data keys the issues name, where a log call might one day pass them', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'info',
      destination: { write: (line: string) => void lines.push(line) },
    });
    const secret = (name: string) => `secret-${name}-value`;
    const names = [
      'subjectAccessToken',
      'codeVerifier',
      'socialAccessToken',
      'socialIdToken',
      'anonymousToken',
      'refreshToken',
      'saasToken',
      'title',
      'state',
      'country',
      'tags',
      'preferredLanguage',
      'preferredCurrency',
      'preferredSite',
      'contactPhone',
    ];
    logger.info({ ...Object.fromEntries(names.map((name) => [name, secret(name)])) }, 'top level');
    logger.info({ call: Object.fromEntries(names.map((name) => [name, secret(name)])) }, 'one level down');
    logger.info(
      {
        query: {
          code: secret('code'),
          code_verifier: secret('verifier'),
          redirect_uri: 'https://shop.example/cb',
        },
      },
      'a socialLogin query',
    );
    // Outcome codes stay readable.
    logger.info({ code: 'TOKEN_EXPIRED' }, 'an outcome');
    const text = lines.join('');
    expect(text.match(/secret-[\w-]+-value/g) ?? []).toEqual([]);
    expect(text).toContain('https://shop.example/cb');
    expect(text).toContain('"code":"TOKEN_EXPIRED"');
  });
});
