/**
 * The one status table of `src/emporix/map-response.ts`, for real: the emulator is made to answer each status
 * (through injected faults, and where it can, through its normal behaviour), and every operation must map it to
 * the same union member, after exactly one upstream request (the gateway never retries).
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  ChangeCustomerEmailMutation,
  ChangePasswordMutation,
  ConfirmCustomerEmailChangeMutation,
  CustomerClient,
  MeQuery,
  RequestPasswordResetMutation,
  ResetPasswordMutation,
} from '../src/client/index.js';
import type { Fault } from '../src/emulator/index.js';
import { expectTypename } from './assert.js';
import { type Stack, startStack } from './harness.js';

type OperationResult =
  | ChangePasswordMutation['changePassword']
  | ChangeCustomerEmailMutation['changeCustomerEmail']
  | ConfirmCustomerEmailChangeMutation['confirmCustomerEmailChange']
  | RequestPasswordResetMutation['requestPasswordReset']
  | ResetPasswordMutation['resetPassword']
  | MeQuery['me'];

interface Operation {
  /** The root field. */
  name: string;
  method: 'GET' | 'POST';
  /** The upstream path for tenant demo. */
  path: string;
  /** Which of the emulator's demo tokens the caller sends. */
  token: 'customer' | 'anonymous';
  /** The exact body the gateway must send upstream. */
  body: unknown;
  requiredScopes: string[];
  run(client: CustomerClient): Promise<OperationResult>;
}

const operations: Operation[] = [
  {
    name: 'changePassword',
    method: 'POST',
    path: '/customer/demo/password/change',
    token: 'customer',
    body: { currentPassword: 'Demo-Passw0rd!', newPassword: 'Other-Passw0rd!' },
    requiredScopes: [],
    run: async (client) =>
      (
        await client.ChangePassword({
          input: { currentPassword: 'Demo-Passw0rd!', newPassword: 'Other-Passw0rd!' },
        })
      ).changePassword,
  },
  {
    name: 'changeCustomerEmail',
    method: 'POST',
    path: '/customer/demo/me/accounts/internal/email/change',
    token: 'customer',
    body: {
      email: 'demo@example.com',
      password: 'Demo-Passw0rd!',
      newEmail: 'new@example.com',
      syncContactEmail: false,
    },
    requiredScopes: ['customer.customerprofile_edit'],
    run: async (client) =>
      (
        await client.ChangeCustomerEmail({
          input: { email: 'demo@example.com', password: 'Demo-Passw0rd!', newEmail: 'new@example.com' },
        })
      ).changeCustomerEmail,
  },
  {
    name: 'confirmCustomerEmailChange',
    method: 'POST',
    path: '/customer/demo/me/accounts/internal/email/change/confirm',
    token: 'anonymous',
    body: { token: 'email-change-token' },
    requiredScopes: [],
    run: async (client) =>
      (await client.ConfirmCustomerEmailChange({ input: { token: 'email-change-token' } }))
        .confirmCustomerEmailChange,
  },
  {
    name: 'requestPasswordReset',
    method: 'POST',
    path: '/customer/demo/password/reset',
    token: 'anonymous',
    body: { email: 'demo@example.com', site: 'main' },
    requiredScopes: [],
    run: async (client) =>
      (
        await client.RequestPasswordReset({
          input: { email: 'demo@example.com', site: 'main' },
        })
      ).requestPasswordReset,
  },
  {
    name: 'resetPassword',
    method: 'POST',
    path: '/customer/demo/password/reset/update',
    token: 'anonymous',
    body: { token: 'reset-token', password: 'Reset-Passw0rd!' },
    requiredScopes: [],
    run: async (client) =>
      (
        await client.ResetPassword({
          input: { token: 'reset-token', password: 'Reset-Passw0rd!' },
        })
      ).resetPassword,
  },
  {
    name: 'me',
    method: 'GET',
    path: '/customer/demo/me',
    token: 'customer',
    body: undefined,
    requiredScopes: [],
    run: async (client) => (await client.Me()).me,
  },
];

const mutations = operations.filter((op) => op.method === 'POST');

function operation(name: string): Operation {
  const found = operations.find((op) => op.name === name);
  if (found === undefined) throw new Error(`no operation ${name}`);
  return found;
}

const changePassword = operation('changePassword');
const changeCustomerEmail = operation('changeCustomerEmail');
const requestPasswordReset = operation('requestPasswordReset');
const me = operation('me');

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.close();
});

beforeEach(() => {
  stack.emulator.clearFaults();
  stack.emulator.clearRequests();
});

function tokenFor(op: Operation, target: Stack = stack): string {
  return op.token === 'customer' ? target.emulator.demo.customerToken : target.emulator.demo.anonymousToken;
}

/** Runs `op` with its demo token against `target`, after making the emulator answer with `fault` once. */
async function runWithFault(
  op: Operation,
  fault: Omit<Fault, 'path' | 'method'>,
  target: Stack = stack,
): Promise<OperationResult> {
  target.emulator.injectFault({ method: op.method, path: op.path, ...fault });
  return op.run(target.client({ token: tokenFor(op, target) }));
}

/** Exactly one request reached Emporix: the operation's endpoint, with the caller's token and the exact body. */
function expectOneUpstreamRequest(op: Operation, target: Stack = stack, token = tokenFor(op, target)): void {
  const requests = target.upstream();
  expect(requests).toHaveLength(1);
  expect(requests[0]).toMatchObject({
    method: op.method,
    path: op.path,
    query: {},
    headers: { authorization: `Bearer ${token}` },
    body: op.body,
  });
}

const successTypename: Record<string, string> = {
  changePassword: 'ChangePasswordSuccess',
  changeCustomerEmail: 'ChangeCustomerEmailSuccess',
  confirmCustomerEmailChange: 'ConfirmCustomerEmailChangeSuccess',
  requestPasswordReset: 'RequestPasswordResetSuccess',
  resetPassword: 'ResetPasswordSuccess',
};

describe('2xx', () => {
  it.each(mutations.flatMap((op) => [200, 204].map((status) => ({ ...op, status }))))(
    '$name: $status is the success member',
    async (op) => {
      const result = await runWithFault(op, { status: op.status });
      expect(result).toEqual({ __typename: successTypename[op.name], success: true });
      expectOneUpstreamRequest(op);
    },
  );

  it('me: 200 with a profile is the Customer', async () => {
    const result = await runWithFault(me, {
      status: 200,
      body: {
        id: '4711',
        customerNumber: 'C-4711',
        firstName: 'Fault',
        lastName: 'Profile',
        contactEmail: 'contact@example.com',
        accounts: [{ id: 'login@example.com' }],
      },
    });
    expect(result).toMatchInlineSnapshot(`
      {
        "__typename": "Customer",
        "contactEmail": "contact@example.com",
        "customerNumber": "C-4711",
        "firstName": "Fault",
        "id": "4711",
        "lastName": "Profile",
        "loginEmail": "login@example.com",
      }
    `);
    expectOneUpstreamRequest(me);
  });
});

describe('400', () => {
  const body = {
    type: 'bad_request',
    status: 400,
    message: 'The new password is too weak.',
    details: [{ field: 'newPassword', type: 'invalid_value', message: 'Must contain a digit.' }],
  };

  it.each(operations)(
    '$name: ValidationError with the upstream message, and issues under input when the operation has one',
    async (op) => {
      const result = await runWithFault(op, { status: 400, body });
      expect(result).toEqual({
        __typename: 'ValidationError',
        message: 'The new password is too weak.',
        issues: [
          {
            path: op.name === 'me' ? ['newPassword'] : ['input', 'newPassword'],
            message: 'Must contain a digit.',
            code: 'invalid_value',
          },
        ],
      });
      expectOneUpstreamRequest(op);
    },
  );

  it.each([changePassword, requestPasswordReset])('$name: without details, no issues', async (op) => {
    const result = await runWithFault(op, {
      status: 400,
      body: { type: 'bad_request', status: 400, message: 'Request body is invalid.' },
    });
    const error = expectTypename(result, 'ValidationError');
    expect(error.message).toBe('Request body is invalid.');
    expect(error.issues).toEqual([]);
    expectOneUpstreamRequest(op);
  });

  it('a detail without a field has an empty path', async () => {
    const result = await runWithFault(changePassword, {
      status: 400,
      body: {
        type: 'bad_request',
        status: 400,
        message: 'Refused.',
        details: [{ type: 'policy', message: 'Password was used before.' }],
      },
    });
    expect(expectTypename(result, 'ValidationError').issues).toEqual([
      { path: [], message: 'Password was used before.', code: 'policy' },
    ]);
    expectOneUpstreamRequest(changePassword);
  });

  it('a real refusal: a wrong current password', async () => {
    const op = {
      ...changePassword,
      body: { currentPassword: 'Not-The-Passw0rd', newPassword: 'Other-Passw0rd!' },
    };
    const { changePassword: result } = await stack
      .client({ token: stack.emulator.demo.customerToken })
      .ChangePassword({
        input: { currentPassword: 'Not-The-Passw0rd', newPassword: 'Other-Passw0rd!' },
      });
    expect(result).toMatchInlineSnapshot(`
      {
        "__typename": "ValidationError",
        "issues": [
          {
            "code": "invalid_value",
            "message": "Wrong password.",
            "path": [
              "input",
              "currentPassword",
            ],
          },
        ],
        "message": "The current password is not correct.",
      }
    `);
    expectOneUpstreamRequest(op);
  });
});

describe('401', () => {
  it.each(operations)('$name: oauth.v2.InvalidAccessToken is INVALID_TOKEN', async (op) => {
    const result = await runWithFault(op, {
      status: 401,
      body: {
        fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } },
      },
    });
    expect(result).toEqual({
      __typename: 'UnauthorizedError',
      message: 'Invalid access token',
      code: 'INVALID_TOKEN',
    });
    expectOneUpstreamRequest(op);
  });

  it.each([
    { errorcode: 'keymanagement.service.access_token_expired', code: 'TOKEN_EXPIRED' },
    { errorcode: 'SOMETHING_EXPIRED_X', code: 'TOKEN_EXPIRED' },
    { errorcode: 'something.Expired.x', code: 'TOKEN_EXPIRED' },
    { errorcode: 'steps.oauth.v2.FailedToResolveAccessToken', code: 'INVALID_TOKEN' },
  ])('errorcode $errorcode is $code', async ({ errorcode, code }) => {
    for (const op of [changePassword, me]) {
      stack.emulator.clearRequests();
      const result = await runWithFault(op, {
        status: 401,
        body: { fault: { faultstring: 'Token problem', detail: { errorcode } } },
      });
      expect(result).toEqual({ __typename: 'UnauthorizedError', message: 'Token problem', code });
      expectOneUpstreamRequest(op);
    }
  });

  it.each([changePassword, me])('$name: a 401 with a body that is not JSON is INVALID_TOKEN', async (op) => {
    const result = await runWithFault(op, { status: 401, body: 'Unauthorized' });
    expect(expectTypename(result, 'UnauthorizedError').code).toBe('INVALID_TOKEN');
    expectOneUpstreamRequest(op);
  });

  it('a token Emporix does not know is INVALID_TOKEN (no fault)', async () => {
    const result = await changePassword.run(stack.client({ token: 'not-a-real-token' }));
    expect(result).toEqual({
      __typename: 'UnauthorizedError',
      message: 'Invalid access token',
      code: 'INVALID_TOKEN',
    });
    expectOneUpstreamRequest(changePassword, stack, 'not-a-real-token');
  });
});

describe('403', () => {
  it.each(operations)('$name: ForbiddenError with the endpoint’s documented scopes', async (op) => {
    const result = await runWithFault(op, {
      status: 403,
      body: { type: 'Forbidden', status: 403, message: 'User not authorized.' },
    });
    expect(result).toEqual({
      __typename: 'ForbiddenError',
      message: 'The access token lacks a scope this operation needs',
      requiredScopes: op.requiredScopes,
    });
    expectOneUpstreamRequest(op);
  });

  it('a real 403: an anonymous token on changePassword', async () => {
    const token = stack.emulator.demo.anonymousToken;
    const result = await changePassword.run(stack.client({ token }));
    expect(expectTypename(result, 'ForbiddenError').requiredScopes).toEqual([]);
    expectOneUpstreamRequest(changePassword, stack, token);
  });

  it('a real 403: a customer token without the profile edit scope on changeCustomerEmail', async () => {
    const token = stack.emulator.issueToken({
      tenant: 'demo',
      kind: 'customer',
      email: 'demo@example.com',
      scopes: [],
    });
    const result = await changeCustomerEmail.run(stack.client({ token }));
    expect(expectTypename(result, 'ForbiddenError').requiredScopes).toEqual([
      'customer.customerprofile_edit',
    ]);
    expectOneUpstreamRequest(changeCustomerEmail, stack, token);
    expect(stack.emulator.outbox().filter((mail) => mail.kind === 'email-change')).toEqual([]);
  });
});

describe('429', () => {
  it.each(operations)('$name: RateLimitedError with Retry-After in seconds', async (op) => {
    const result = await runWithFault(op, { status: 429, headers: { 'retry-after': '7' } });
    expect(result).toEqual({
      __typename: 'RateLimitedError',
      message: 'Emporix is rate limiting these requests',
      retryAfterSeconds: 7,
    });
    expectOneUpstreamRequest(op);
  });

  it.each([changePassword, me])('$name: Retry-After as an HTTP date', async (op) => {
    const date = new Date(Date.now() + 30_000).toUTCString();
    const result = await runWithFault(op, { status: 429, headers: { 'Retry-After': date } });
    const seconds = expectTypename(result, 'RateLimitedError').retryAfterSeconds;
    expect(seconds).toBeGreaterThanOrEqual(28);
    expect(seconds).toBeLessThanOrEqual(31);
    expectOneUpstreamRequest(op);
  });

  it.each([changePassword, me])('$name: without Retry-After, retryAfterSeconds is null', async (op) => {
    const result = await runWithFault(op, { status: 429 });
    expect(expectTypename(result, 'RateLimitedError').retryAfterSeconds).toBeNull();
    expectOneUpstreamRequest(op);
  });
});

describe('5xx and unexpected statuses', () => {
  it.each(operations.flatMap((op) => [500, 503].map((status) => ({ ...op, status }))))(
    '$name: $status is a retryable UpstreamError, sent exactly once',
    async (op) => {
      const result = await runWithFault(op, { status: op.status });
      expect(result).toEqual({
        __typename: 'UpstreamError',
        message: `Emporix failed with status ${op.status}`,
        status: op.status,
        retryable: true,
      });
      expectOneUpstreamRequest(op);
    },
  );

  it.each([changePassword, me])('$name: 502 with an HTML body still maps by status', async (op) => {
    const result = await runWithFault(op, {
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html>oops</html>',
    });
    expect(result).toEqual({
      __typename: 'UpstreamError',
      message: 'Emporix failed with status 502',
      status: 502,
      retryable: true,
    });
    expectOneUpstreamRequest(op);
  });

  it.each([
    { ...changePassword, status: 404 },
    { ...changePassword, status: 409 },
    { ...changePassword, status: 418 },
    { ...me, status: 404 },
    { ...changeCustomerEmail, status: 409 },
    { ...requestPasswordReset, status: 418 },
  ])('$name: $status is an UpstreamError that is not retryable', async (op) => {
    const result = await runWithFault(op, { status: op.status });
    expect(result).toEqual({
      __typename: 'UpstreamError',
      message: `Emporix answered with unexpected status ${op.status}`,
      status: op.status,
      retryable: false,
    });
    expectOneUpstreamRequest(op);
  });

  it('me: a 200 that is not a profile is a non-retryable UpstreamError', async () => {
    const result = await runWithFault(me, { status: 200, body: { unexpected: true } });
    expect(result).toEqual({
      __typename: 'UpstreamError',
      message: 'Emporix answered with an unreadable profile',
      status: 200,
      retryable: false,
    });
    expectOneUpstreamRequest(me);
  });
});

describe('requestPasswordReset never reveals whether an account exists', () => {
  it('an injected 404 is success', async () => {
    const result = await runWithFault(requestPasswordReset, {
      status: 404,
      body: { type: 'resource_not_found', status: 404, message: 'Customer account not found.' },
    });
    expect(result).toEqual({ __typename: 'RequestPasswordResetSuccess', success: true });
    expectOneUpstreamRequest(requestPasswordReset);
  });

  async function resetUnknownEmail(requestId: string): Promise<void> {
    const mailsBefore = stack.emulator.outbox().length;
    const token = stack.emulator.demo.anonymousToken;
    const { requestPasswordReset: result } = await stack
      .client({ token, headers: { 'x-request-id': requestId } })
      .RequestPasswordReset({ input: { email: 'nobody@example.com' } });
    expect(result).toEqual({ __typename: 'RequestPasswordResetSuccess', success: true });
    expectOneUpstreamRequest({ ...requestPasswordReset, body: { email: 'nobody@example.com' } });
    expect(stack.emulator.outbox()).toHaveLength(mailsBefore);
  }

  /** The status Emporix answered is only visible in the operation's log line. */
  function operationLogLine(requestId: string): unknown {
    return stack.logs
      .map((raw) => JSON.parse(raw) as Record<string, unknown>)
      .find((entry) => entry.msg === 'operation' && entry.requestId === requestId);
  }

  it('an unknown email is success; Emporix answered 204 (as documented) and mailed nothing', async () => {
    await resetUnknownEmail('unknown-email-reset');
    expect(operationLogLine('unknown-email-reset')).toMatchObject({
      rootField: 'requestPasswordReset',
      upstreamStatus: 204,
      upstreamCalls: 1,
    });
  });

  it('an unknown email is success when Emporix answers it with a 404, and nothing is mailed', async () => {
    stack.emulator.injectFault({
      method: 'POST',
      path: '/customer/demo/password/reset',
      status: 404,
      body: { type: 'resource_not_found', status: 404, message: 'Customer account not found.' },
    });
    await resetUnknownEmail('unknown-email-reset-404');
    expect(operationLogLine('unknown-email-reset-404')).toMatchObject({
      rootField: 'requestPasswordReset',
      upstreamStatus: 404,
      upstreamCalls: 1,
    });
  });
});

describe('no answer', () => {
  it.each([changePassword, me])(
    '$name: a dropped connection is a retryable UpstreamError without status',
    async (op) => {
      const result = await runWithFault(op, { destroySocket: true });
      expect(result).toEqual({
        __typename: 'UpstreamError',
        message: 'Emporix could not be reached',
        status: null,
        retryable: true,
      });
      expectOneUpstreamRequest(op);
    },
  );

  describe('a timeout', () => {
    let slow: Stack;

    beforeAll(async () => {
      slow = await startStack({ gateway: { timeoutMs: 200 } });
    });

    afterAll(async () => {
      await slow.close();
    });

    beforeEach(() => {
      slow.emulator.clearFaults();
      slow.emulator.clearRequests();
    });

    it.each(operations)(
      '$name: a retryable UpstreamError without status, well before the answer',
      async (op) => {
        const started = performance.now();
        const result = await runWithFault(op, { status: 204, delayMs: 2000 }, slow);
        const elapsed = performance.now() - started;
        expect(result).toEqual({
          __typename: 'UpstreamError',
          message: 'Emporix did not answer in time',
          status: null,
          retryable: true,
        });
        expect(elapsed).toBeGreaterThanOrEqual(190);
        expect(elapsed).toBeLessThan(1500);
        expectOneUpstreamRequest(op, slow);
      },
    );
  });

  describe('a closed port', () => {
    let unreachable: Stack;

    beforeAll(async () => {
      const port = await closedPort();
      unreachable = await startStack({ gateway: { emporixApiUrl: `http://127.0.0.1:${port}` } });
    });

    afterAll(async () => {
      await unreachable.close();
    });

    it.each(operations)('$name: a retryable UpstreamError without status', async (op) => {
      const result = await op.run(unreachable.client({ token: tokenFor(op, unreachable) }));
      expect(result).toEqual({
        __typename: 'UpstreamError',
        message: 'Emporix could not be reached',
        status: null,
        retryable: true,
      });
      expect(unreachable.upstream()).toEqual([]);
    });
  });
});

// Runs last: moving the emulator's clock ages every token of this file's emulator.
describe('a token that really expired', () => {
  it('changePassword with an expired customer token is TOKEN_EXPIRED', async () => {
    const token = stack.emulator.issueToken({
      tenant: 'demo',
      kind: 'customer',
      email: 'demo@example.com',
      ttlSeconds: 60,
    });
    stack.emulator.advanceClock(61);
    const result = await changePassword.run(stack.client({ token }));
    expect(result).toEqual({
      __typename: 'UnauthorizedError',
      message: 'Access Token expired',
      code: 'TOKEN_EXPIRED',
    });
    expectOneUpstreamRequest(changePassword, stack, token);
  });
});

/** A loopback port nothing listens on: one a server had and gave back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}
