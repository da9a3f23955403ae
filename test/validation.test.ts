/**
 * Input validation: every rule, all failing fields in one ValidationError, the tenant merged in, and nothing sent
 * upstream (not even the token check runs first).
 */
import { ClientError } from 'graphql-request';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { expectTypename } from './assert.js';
import { type Stack, startStack } from './harness.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.emulator.clearRequests());

const validEmailChange = {
  email: 'demo@example.com',
  password: 'Demo-Passw0rd!',
  newEmail: 'new@example.com',
};

function issuesOf(result: { __typename: string }) {
  return expectTypename(result as { __typename: 'ValidationError'; issues: unknown[] }, 'ValidationError')
    .issues;
}

describe('a ValidationError lists every failing field and nothing goes upstream', () => {
  it('changeCustomerEmail: bad emails, empty password, and the tenant, all in one answer, before the token check', async () => {
    // No Authorization header: validation must answer before MISSING_TOKEN would.
    const { changeCustomerEmail } = await stack.client({ tenant: '9x' }).ChangeCustomerEmail({
      input: { email: ' not-an-email ', password: '', newEmail: `${'a'.repeat(250)}@example.com` },
    });
    expect(issuesOf(changeCustomerEmail)).toMatchInlineSnapshot(`
      [
        {
          "code": "invalid_format",
          "message": "Must be a valid email address",
          "path": [
            "input",
            "email",
          ],
        },
        {
          "code": "too_small",
          "message": "Must not be empty",
          "path": [
            "input",
            "password",
          ],
        },
        {
          "code": "too_big",
          "message": "Must be at most 254 characters",
          "path": [
            "input",
            "newEmail",
          ],
        },
        {
          "code": "too_small",
          "message": "Must be at least 3 characters",
          "path": [
            "tenant",
          ],
        },
        {
          "code": "invalid_format",
          "message": "Must start with a letter and contain only letters and digits",
          "path": [
            "tenant",
          ],
        },
      ]
    `);
    expect(stack.upstream()).toEqual([]);
  });

  it('changeCustomerEmail: newEmail must differ from email, ignoring case and surrounding spaces', async () => {
    const { changeCustomerEmail } = await stack
      .client({ token: stack.emulator.demo.customerToken })
      .ChangeCustomerEmail({
        input: { ...validEmailChange, newEmail: '  DEMO@Example.com ' },
      });
    expect(issuesOf(changeCustomerEmail)).toEqual([
      { path: ['input', 'newEmail'], message: 'Must differ from the current email', code: 'custom' },
    ]);
    expect(stack.upstream()).toEqual([]);
  });

  it('changePassword: newPassword must differ from currentPassword; passwords are never trimmed', async () => {
    const client = stack.client({ token: stack.emulator.demo.customerToken });
    const same = await client.ChangePassword({
      input: { currentPassword: ' secret ', newPassword: ' secret ' },
    });
    expect(issuesOf(same.changePassword)).toEqual([
      { path: ['input', 'newPassword'], message: 'Must differ from the current password', code: 'custom' },
    ]);
    const tooLong = await client.ChangePassword({
      input: { currentPassword: 'x'.repeat(1025), newPassword: '' },
    });
    expect(issuesOf(tooLong.changePassword)).toEqual([
      { path: ['input', 'currentPassword'], message: 'Must be at most 1024 characters', code: 'too_big' },
      { path: ['input', 'newPassword'], message: 'Must not be empty', code: 'too_small' },
    ]);
    expect(stack.upstream()).toEqual([]);
  });

  it('tokens are trimmed, must not be blank and are at most 4096 characters', async () => {
    const client = stack.client({ token: stack.emulator.demo.anonymousToken });
    const blank = await client.ConfirmCustomerEmailChange({ input: { token: '   ' } });
    expect(issuesOf(blank.confirmCustomerEmailChange)).toEqual([
      { path: ['input', 'token'], message: 'Must not be empty', code: 'too_small' },
    ]);
    const long = await client.ResetPassword({
      input: { token: ` ${'t'.repeat(4097)} `, password: 'New-Passw0rd!' },
    });
    expect(issuesOf(long.resetPassword)).toEqual([
      { path: ['input', 'token'], message: 'Must be at most 4096 characters', code: 'too_big' },
    ]);
    expect(stack.upstream()).toEqual([]);
  });

  it('site, when given, is 1 to 64 letters, digits, "-" or "_": the empty string is refused', async () => {
    const client = stack.client({ token: stack.emulator.demo.anonymousToken });
    const empty = await client.RequestPasswordReset({
      input: { email: 'a@example.com', site: '' },
    });
    expect(issuesOf(empty.requestPasswordReset)).toEqual([
      { path: ['input', 'site'], message: 'Must not be empty', code: 'too_small' },
      {
        path: ['input', 'site'],
        message: 'Must contain only letters, digits, "-" and "_"',
        code: 'invalid_format',
      },
    ]);
    const spaced = await client.RequestPasswordReset({
      input: { email: 'a@example.com', site: 'main site' },
    });
    expect(issuesOf(spaced.requestPasswordReset)).toHaveLength(1);
    const long = await client.RequestPasswordReset({
      input: { email: 'a@example.com', site: 's'.repeat(65) },
    });
    expect(issuesOf(long.requestPasswordReset)).toEqual([
      { path: ['input', 'site'], message: 'Must be at most 64 characters', code: 'too_big' },
    ]);
    expect(stack.upstream()).toEqual([]);
  });

  it('a bad tenant alone is a ValidationError for every operation, me included', async () => {
    const client = stack.client({ token: stack.emulator.demo.customerToken, tenant: 'Tenant-With-Dash' });
    const { me } = await client.Me();
    expect(issuesOf(me)).toEqual([
      {
        path: ['tenant'],
        message: 'Must start with a letter and contain only letters and digits',
        code: 'invalid_format',
      },
    ]);
    const { changePassword } = await client.ChangePassword({
      input: { currentPassword: 'a', newPassword: 'b' },
    });
    expect(issuesOf(changePassword)).toHaveLength(1);
    const tooLong = await stack
      .client({ token: stack.emulator.demo.customerToken, tenant: 'abcdefghijklmnopq' })
      .Me();
    expect(issuesOf(tooLong.me)).toEqual([
      { path: ['tenant'], message: 'Must be at most 16 characters', code: 'too_big' },
    ]);
    expect(stack.upstream()).toEqual([]);
  });

  it("values GraphQL's own type system refuses stay GraphQL request errors", async () => {
    const client = stack.graphql({ token: stack.emulator.demo.customerToken });
    const missingField = client.request(
      'mutation { changePassword(input: { currentPassword: "a" }) { __typename } }',
    );
    await expect(missingField).rejects.toBeInstanceOf(ClientError);
    const wrongScalar = client.request(
      'mutation($input: ChangePasswordInput!) { changePassword(input: $input) { __typename } }',
      {
        input: { currentPassword: 1, newPassword: null },
      },
    );
    await expect(wrongScalar).rejects.toThrow(/currentPassword|newPassword/);
    expect(stack.upstream()).toEqual([]);
  });
});

describe('valid input is normalised before it goes upstream', () => {
  it('trims emails but keeps their case, and sends syncContactEmail false when null', async () => {
    const { changeCustomerEmail } = await stack
      .client({ token: stack.emulator.demo.customerToken })
      .ChangeCustomerEmail({
        input: {
          email: '  Demo@Example.com ',
          password: ' Demo-Passw0rd! ',
          newEmail: ' New.Address@Example.com',
          syncContactEmail: null,
        },
      });
    // The emulator refuses the padded password, which proves the password was sent as typed.
    expectTypename(changeCustomerEmail, 'ValidationError');
    const [sent] = stack.upstream();
    expect(sent?.body).toEqual({
      email: 'Demo@Example.com',
      password: ' Demo-Passw0rd! ',
      newEmail: 'New.Address@Example.com',
      syncContactEmail: false,
    });
  });

  it('a null site is left out of the body; a tenant header is trimmed and lower-cased', async () => {
    const { requestPasswordReset } = await stack
      .client({ token: stack.emulator.demo.anonymousToken, tenant: '  DEMO ' })
      .RequestPasswordReset({ input: { email: ' demo@example.com ', site: null } });
    expectTypename(requestPasswordReset, 'RequestPasswordResetSuccess');
    const [sent] = stack.upstream();
    expect(sent?.path).toBe('/customer/demo/password/reset');
    expect(sent?.body).toEqual({ email: 'demo@example.com' });
  });
});
