/**
 * Whole credential flows, run the way a storefront runs them: through the gateway against the stateful emulator,
 * reading the mailed tokens from its outbox. Each flow that changes credentials has its own customer, so that the
 * flows do not depend on each other's order (the demo customer's password is reset in one test only).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SeedCustomer } from '../src/emulator/index.js';

import { expectTypename } from './assert.js';
import { logIn, readOutbox, type Stack, seedWith, startStack } from './harness.js';

const PASSWORD = 'Flow-Passw0rd!';
const MAIL_TOKEN_TTL_SECONDS = 600;

function customer(id: string, email: string): SeedCustomer {
  return { id, email, password: PASSWORD, firstName: `First${id}`, lastName: `Last${id}` };
}

const seed = seedWith({
  customers: [
    customer('2001', 'change@example.com'),
    customer('2002', 'nosync@example.com'),
    customer('2003', 'pwchange@example.com'),
    customer('2004', 'pwwrong@example.com'),
    customer('2005', 'expiry@example.com'),
  ],
  tenants: [{ tenant: 'acme', clientIds: ['acme-web'], customers: [customer('3001', 'ann@acme.test')] }],
});

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ emulator: { seed, ttl: { mailToken: MAIL_TOKEN_TTL_SECONDS } } });
});

afterAll(async () => {
  await stack.close();
});

beforeEach(() => {
  stack.emulator.clearRequests();
});

function anonymousToken(tenant = 'demo'): string {
  return stack.emulator.issueToken({ tenant, kind: 'anonymous' });
}

/** The token of the newest mail of `kind` to `to`, read as a storefront developer would. */
async function mailedToken(to: string, kind: 'password-reset' | 'email-change'): Promise<string> {
  const mails = (await readOutbox(stack.emulator)).filter((mail) => mail.to === to && mail.kind === kind);
  const mail = mails.at(-1);
  if (mail === undefined) throw new Error(`no ${kind} mail to ${to}`);
  return mail.token;
}

/** Method, path, Authorization and body of every upstream request since the last clear. */
function upstreamCalls() {
  return stack.upstream().map((request) => ({
    method: request.method,
    path: request.path,
    authorization: request.headers.authorization,
    body: request.body,
  }));
}

describe('password reset', () => {
  it('mails a token to the customer; the token sets the new password, once', async () => {
    const anonymous = anonymousToken();
    const client = stack.client({ token: anonymous });

    const { requestPasswordReset } = await client.RequestPasswordReset({
      input: { email: ' demo@example.com ' },
    });
    expect(requestPasswordReset).toEqual({ __typename: 'RequestPasswordResetSuccess', success: true });
    const resetMails = (await readOutbox(stack.emulator)).filter((mail) => mail.kind === 'password-reset');
    expect(resetMails.map((mail) => mail.to)).toEqual(['demo@example.com']);
    const token = await mailedToken('demo@example.com', 'password-reset');

    const { resetPassword } = await client.ResetPassword({
      input: { token: `  ${token}\n`, password: 'Brand-New-Passw0rd!' },
    });
    expect(resetPassword).toEqual({ __typename: 'ResetPasswordSuccess', success: true });
    expect(upstreamCalls()).toEqual([
      {
        method: 'POST',
        path: '/customer/demo/password/reset',
        authorization: `Bearer ${anonymous}`,
        body: { email: 'demo@example.com' },
      },
      {
        method: 'POST',
        path: '/customer/demo/password/reset/update',
        authorization: `Bearer ${anonymous}`,
        body: { token, password: 'Brand-New-Passw0rd!' },
      },
    ]);

    await expect(logIn(stack.emulator, 'demo@example.com', 'Brand-New-Passw0rd!')).resolves.toEqual(
      expect.any(String),
    );
    await expect(logIn(stack.emulator, 'demo@example.com', 'Demo-Passw0rd!')).rejects.toThrow(/401/);

    const { resetPassword: again } = await client.ResetPassword({
      input: { token, password: 'Third-Passw0rd!' },
    });
    expect(again).toMatchInlineSnapshot(`
      {
        "__typename": "ValidationError",
        "issues": [
          {
            "code": "invalid_value",
            "message": "Unknown, used or expired token.",
            "path": [
              "input",
              "token",
            ],
          },
        ],
        "message": "The token is invalid, has already been used or has expired.",
      }
    `);
    await expect(logIn(stack.emulator, 'demo@example.com', 'Third-Passw0rd!')).rejects.toThrow(/401/);
    await expect(logIn(stack.emulator, 'demo@example.com', 'Brand-New-Passw0rd!')).resolves.toEqual(
      expect.any(String),
    );
  });
});

describe('email change', () => {
  it('with syncContactEmail: the confirmation switches login and contact email, old tokens stay valid', async () => {
    const customerToken = await logIn(stack.emulator, 'change@example.com', PASSWORD);
    stack.emulator.clearRequests();

    const { changeCustomerEmail } = await stack.client({ token: customerToken }).ChangeCustomerEmail({
      input: {
        email: 'change@example.com',
        password: PASSWORD,
        newEmail: 'Changed@Example.com ',
        syncContactEmail: true,
      },
    });
    expect(changeCustomerEmail).toEqual({ __typename: 'ChangeCustomerEmailSuccess', success: true });
    const token = await mailedToken('Changed@Example.com', 'email-change');

    const anonymous = anonymousToken();
    const { confirmCustomerEmailChange } = await stack
      .client({ token: anonymous })
      .ConfirmCustomerEmailChange({ input: { token } });
    expect(confirmCustomerEmailChange).toEqual({
      __typename: 'ConfirmCustomerEmailChangeSuccess',
      success: true,
    });

    const { me } = await stack.client({ token: customerToken }).Me();
    expect(me).toMatchInlineSnapshot(`
      {
        "__typename": "Customer",
        "contactEmail": "Changed@Example.com",
        "customerNumber": "2001",
        "firstName": "First2001",
        "id": "2001",
        "lastName": "Last2001",
        "loginEmail": "Changed@Example.com",
      }
    `);
    expect(upstreamCalls()).toEqual([
      {
        method: 'POST',
        path: '/customer/demo/me/accounts/internal/email/change',
        authorization: `Bearer ${customerToken}`,
        body: {
          email: 'change@example.com',
          password: PASSWORD,
          newEmail: 'Changed@Example.com',
          syncContactEmail: true,
        },
      },
      {
        method: 'POST',
        path: '/customer/demo/me/accounts/internal/email/change/confirm',
        authorization: `Bearer ${anonymous}`,
        body: { token },
      },
      { method: 'GET', path: '/customer/demo/me', authorization: `Bearer ${customerToken}`, body: undefined },
    ]);

    await expect(logIn(stack.emulator, 'changed@example.com', PASSWORD)).resolves.toEqual(expect.any(String));
    await expect(logIn(stack.emulator, 'change@example.com', PASSWORD)).rejects.toThrow(/401/);
  });

  it('without syncContactEmail: only the login email changes', async () => {
    const customerToken = await logIn(stack.emulator, 'nosync@example.com', PASSWORD);
    stack.emulator.clearRequests();
    const client = stack.client({ token: customerToken });

    const { changeCustomerEmail } = await client.ChangeCustomerEmail({
      input: { email: 'nosync@example.com', password: PASSWORD, newEmail: 'nosync2@example.com' },
    });
    expect(changeCustomerEmail).toEqual({ __typename: 'ChangeCustomerEmailSuccess', success: true });
    expect(stack.upstream()[0]?.body).toEqual({
      email: 'nosync@example.com',
      password: PASSWORD,
      newEmail: 'nosync2@example.com',
      syncContactEmail: false,
    });

    const token = await mailedToken('nosync2@example.com', 'email-change');
    const { confirmCustomerEmailChange } = await stack
      .client({ token: anonymousToken() })
      .ConfirmCustomerEmailChange({ input: { token } });
    expect(confirmCustomerEmailChange).toEqual({
      __typename: 'ConfirmCustomerEmailChangeSuccess',
      success: true,
    });

    const { me } = await client.Me();
    const profile = expectTypename(me, 'Customer');
    expect(profile.contactEmail).toBe('nosync@example.com');
    expect(profile.loginEmail).toBe('nosync2@example.com');
    await expect(logIn(stack.emulator, 'nosync2@example.com', PASSWORD)).resolves.toEqual(expect.any(String));
  });
});

describe('change password', () => {
  it('changes it: the new password logs in, the old one no longer does', async () => {
    const customerToken = await logIn(stack.emulator, 'pwchange@example.com', PASSWORD);
    stack.emulator.clearRequests();

    const { changePassword } = await stack.client({ token: customerToken }).ChangePassword({
      input: { currentPassword: PASSWORD, newPassword: 'Changed-Passw0rd!' },
    });
    expect(changePassword).toEqual({ __typename: 'ChangePasswordSuccess', success: true });
    expect(upstreamCalls()).toEqual([
      {
        method: 'POST',
        path: '/customer/demo/password/change',
        authorization: `Bearer ${customerToken}`,
        body: { currentPassword: PASSWORD, newPassword: 'Changed-Passw0rd!' },
      },
    ]);

    await expect(logIn(stack.emulator, 'pwchange@example.com', 'Changed-Passw0rd!')).resolves.toEqual(
      expect.any(String),
    );
    await expect(logIn(stack.emulator, 'pwchange@example.com', PASSWORD)).rejects.toThrow(/401/);
  });

  it('a wrong current password is a ValidationError, and nothing changes', async () => {
    const customerToken = await logIn(stack.emulator, 'pwwrong@example.com', PASSWORD);
    stack.emulator.clearRequests();

    const { changePassword } = await stack.client({ token: customerToken }).ChangePassword({
      input: { currentPassword: 'Not-My-Passw0rd!', newPassword: 'Changed-Passw0rd!' },
    });
    expect(changePassword).toMatchInlineSnapshot(`
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
    expect(upstreamCalls()).toEqual([
      {
        method: 'POST',
        path: '/customer/demo/password/change',
        authorization: `Bearer ${customerToken}`,
        body: { currentPassword: 'Not-My-Passw0rd!', newPassword: 'Changed-Passw0rd!' },
      },
    ]);

    await expect(logIn(stack.emulator, 'pwwrong@example.com', PASSWORD)).resolves.toEqual(expect.any(String));
    await expect(logIn(stack.emulator, 'pwwrong@example.com', 'Changed-Passw0rd!')).rejects.toThrow(/401/);
  });
});

describe('me', () => {
  it('with an anonymous token is the anonymous profile', async () => {
    const anonymous = anonymousToken();
    const { me } = await stack.client({ token: anonymous }).Me();
    expect(me).toMatchInlineSnapshot(`
      {
        "__typename": "Customer",
        "contactEmail": null,
        "customerNumber": "00000000",
        "firstName": "Anonymous",
        "id": "00000000",
        "lastName": "Anonymous",
        "loginEmail": null,
      }
    `);
    expect(upstreamCalls()).toEqual([
      { method: 'GET', path: '/customer/demo/me', authorization: `Bearer ${anonymous}`, body: undefined },
    ]);
  });
});

describe('a second tenant', () => {
  it('X-Emporix-Tenant picks the tenant of the upstream path, case-insensitively, and is not forwarded', async () => {
    const customerToken = await logIn(stack.emulator, 'ann@acme.test', PASSWORD, 'acme');
    stack.emulator.clearRequests();
    const client = stack.client({ token: customerToken, tenant: 'ACME ' });

    const { me } = await client.Me();
    expect(expectTypename(me, 'Customer')).toMatchObject({ id: '3001', loginEmail: 'ann@acme.test' });

    const { changePassword } = await client.ChangePassword({
      input: { currentPassword: PASSWORD, newPassword: 'Acme-Passw0rd!' },
    });
    expect(changePassword).toEqual({ __typename: 'ChangePasswordSuccess', success: true });

    const requests = stack.upstream();
    expect(requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'GET /customer/acme/me',
      'POST /customer/acme/password/change',
    ]);
    for (const request of requests) {
      expect(request.headers.authorization).toBe(`Bearer ${customerToken}`);
      expect(Object.keys(request.headers)).not.toContain('x-emporix-tenant');
    }
    await expect(logIn(stack.emulator, 'ann@acme.test', 'Acme-Passw0rd!', 'acme')).resolves.toEqual(
      expect.any(String),
    );
  });

  it('a token of one tenant is not valid for another', async () => {
    const { me } = await stack.client({ token: anonymousToken('demo'), tenant: 'acme' }).Me();
    expect(expectTypename(me, 'UnauthorizedError').code).toBe('INVALID_TOKEN');
    expect(stack.upstream().map((request) => request.path)).toEqual(['/customer/acme/me']);
  });
});

// Runs last: moving the emulator's clock ages every token of this file's emulator.
describe('expired mail tokens', () => {
  it('a reset token and an email-change token past their lifetime are ValidationErrors', async () => {
    const customerToken = await logIn(stack.emulator, 'expiry@example.com', PASSWORD);
    const requested = await stack
      .client({ token: anonymousToken() })
      .RequestPasswordReset({ input: { email: 'expiry@example.com' } });
    expect(requested.requestPasswordReset.__typename).toBe('RequestPasswordResetSuccess');
    const changed = await stack.client({ token: customerToken }).ChangeCustomerEmail({
      input: { email: 'expiry@example.com', password: PASSWORD, newEmail: 'expired@example.com' },
    });
    expect(changed.changeCustomerEmail.__typename).toBe('ChangeCustomerEmailSuccess');
    const resetToken = await mailedToken('expiry@example.com', 'password-reset');
    const changeToken = await mailedToken('expired@example.com', 'email-change');

    stack.emulator.advanceClock(MAIL_TOKEN_TTL_SECONDS + 1);
    stack.emulator.clearRequests();
    const client = stack.client({ token: anonymousToken() });

    const { resetPassword } = await client.ResetPassword({
      input: { token: resetToken, password: 'Too-Late-Passw0rd!' },
    });
    const { confirmCustomerEmailChange } = await client.ConfirmCustomerEmailChange({
      input: { token: changeToken },
    });
    const expired = {
      __typename: 'ValidationError',
      message: 'The token is invalid, has already been used or has expired.',
      issues: [
        { path: ['input', 'token'], message: 'Unknown, used or expired token.', code: 'invalid_value' },
      ],
    };
    expect(resetPassword).toEqual(expired);
    expect(confirmCustomerEmailChange).toEqual(expired);
    expect(stack.upstream().map((request) => request.path)).toEqual([
      '/customer/demo/password/reset/update',
      '/customer/demo/me/accounts/internal/email/change/confirm',
    ]);

    await expect(logIn(stack.emulator, 'expiry@example.com', PASSWORD)).resolves.toEqual(expect.any(String));
    await expect(logIn(stack.emulator, 'expired@example.com', PASSWORD)).rejects.toThrow(/401/);
  });
});
