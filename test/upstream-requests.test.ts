/**
 * The exact request each operation sends to Emporix: the documented path and JSON body, the caller's
 * Authorization, Content-Type, and an X-Request-Id; no other header of the caller's.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { expectTypename } from './assert.js';
import { type MeTwiceQuery, meTwice } from './documents.js';
import { type Stack, startStack } from './harness.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => {
  stack.emulator.clearRequests();
  stack.emulator.clearFaults();
});

/** Headers a browser or storefront might send, none of which may reach Emporix. */
const callerHeaders = {
  cookie: 'session=abc',
  'x-emporix-tenant': 'demo',
  'x-forwarded-for': '203.0.113.9',
  'x-custom': 'nope',
  'x-request-id': 'req-1234',
};

function answerWith204(path: string) {
  stack.emulator.injectFault({ method: 'POST', path, status: 204 });
}

describe('each mutation sends exactly the documented request', () => {
  const cases = [
    {
      name: 'changeCustomerEmail',
      path: '/customer/demo/me/accounts/internal/email/change',
      send: async (token: string) => {
        const { changeCustomerEmail } = await stack
          .client({ token, headers: callerHeaders })
          .ChangeCustomerEmail({
            input: { email: 'demo@example.com', password: 'Demo-Passw0rd!', newEmail: 'next@example.com' },
          });
        return changeCustomerEmail;
      },
      body: {
        email: 'demo@example.com',
        password: 'Demo-Passw0rd!',
        newEmail: 'next@example.com',
        syncContactEmail: false,
      },
    },
    {
      name: 'confirmCustomerEmailChange',
      path: '/customer/demo/me/accounts/internal/email/change/confirm',
      send: async (token: string) => {
        const { confirmCustomerEmailChange } = await stack
          .client({ token, headers: callerHeaders })
          .ConfirmCustomerEmailChange({ input: { token: '  mail-token  ' } });
        return confirmCustomerEmailChange;
      },
      body: { token: 'mail-token' },
    },
    {
      name: 'requestPasswordReset',
      path: '/customer/demo/password/reset',
      send: async (token: string) => {
        const { requestPasswordReset } = await stack
          .client({ token, headers: callerHeaders })
          .RequestPasswordReset({ input: { email: 'demo@example.com', site: 'main' } });
        return requestPasswordReset;
      },
      body: { email: 'demo@example.com', site: 'main' },
    },
    {
      name: 'resetPassword',
      path: '/customer/demo/password/reset/update',
      send: async (token: string) => {
        const { resetPassword } = await stack
          .client({ token, headers: callerHeaders })
          .ResetPassword({ input: { token: 'reset-token', password: ' New Passw0rd ' } });
        return resetPassword;
      },
      body: { token: 'reset-token', password: ' New Passw0rd ' },
    },
    {
      name: 'changePassword',
      path: '/customer/demo/password/change',
      send: async (token: string) => {
        const { changePassword } = await stack.client({ token, headers: callerHeaders }).ChangePassword({
          input: { currentPassword: 'Demo-Passw0rd!', newPassword: 'Next-Passw0rd!' },
        });
        return changePassword;
      },
      body: { currentPassword: 'Demo-Passw0rd!', newPassword: 'Next-Passw0rd!' },
    },
  ];

  for (const { name, path, send, body } of cases) {
    it(`${name}: POST ${path}`, async () => {
      answerWith204(path);
      const token = 'caller-token-123';
      const result = await send(token);
      expect(result.__typename).toBe(`${name.charAt(0).toUpperCase()}${name.slice(1)}Success`);

      const requests = stack.upstream();
      expect(requests).toHaveLength(1);
      const [request] = requests;
      expect(request?.method).toBe('POST');
      expect(request?.path).toBe(path);
      expect(request?.query).toEqual({});
      expect(request?.body).toEqual(body);
      expect(request?.headers).toMatchObject({
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-request-id': 'req-1234',
      });
      expect(Object.keys(request?.headers ?? {}).sort()).toEqual([
        'authorization',
        'connection',
        'content-length',
        'content-type',
        'host',
        'x-request-id',
      ]);
    });
  }
});

describe('me', () => {
  it('is GET /customer/{tenant}/me with the caller’s token and no body', async () => {
    const token = stack.emulator.demo.customerToken;
    const { me } = await stack.client({ token, headers: callerHeaders }).Me();
    expect(expectTypename(me, 'Customer')).toEqual({
      __typename: 'Customer',
      id: '13869000',
      customerNumber: '13869000',
      firstName: 'Demo',
      lastName: 'Customer',
      contactEmail: 'demo@example.com',
      loginEmail: 'demo@example.com',
    });
    const [request] = stack.upstream();
    expect(request).toMatchObject({ method: 'GET', path: '/customer/demo/me', rawBody: '' });
    expect(Object.keys(request?.headers ?? {}).sort()).toEqual([
      'authorization',
      'connection',
      'host',
      'x-request-id',
    ]);
  });

  it('asked under several aliases, is one upstream call', async () => {
    const { first, second } = await stack
      .graphql({ token: stack.emulator.demo.customerToken })
      .request<MeTwiceQuery>(meTwice);
    expect(expectTypename(first, 'Customer').id).toBe('13869000');
    expect(expectTypename(second, 'Customer').contactEmail).toBe('demo@example.com');
    expect(stack.upstream().map((request) => request.path)).toEqual(['/customer/demo/me']);
  });

  it('is loaded again by the next request: nothing is shared between requests', async () => {
    const client = stack.client({ token: stack.emulator.demo.customerToken });
    await client.Me();
    await client.Me();
    expect(stack.upstream()).toHaveLength(2);
  });

  it('a profile of the wrong shape is an UpstreamError, not a field that fails later', async () => {
    for (const body of [{ id: '1', accounts: {} }, { id: '1', firstName: { nested: true } }, { id: 7 }]) {
      stack.emulator.injectFault({ method: 'GET', path: '/customer/demo/me', status: 200, body });
      const { me } = await stack.client({ token: stack.emulator.demo.customerToken }).Me();
      expect(expectTypename(me, 'UpstreamError')).toMatchObject({ status: 200, retryable: false });
    }
    stack.emulator.injectFault({
      method: 'GET',
      path: '/customer/demo/me',
      status: 200,
      body: { id: '1', title: null },
    });
    const { me } = await stack.client({ token: stack.emulator.demo.customerToken }).Me();
    expect(expectTypename(me, 'Customer').id).toBe('1');
  });

  it('a 200 that is not a profile is an UpstreamError, not a crash', async () => {
    stack.emulator.injectFault({
      method: 'GET',
      path: '/customer/demo/me',
      status: 200,
      body: { unexpected: true },
    });
    const { me } = await stack.client({ token: stack.emulator.demo.customerToken }).Me();
    expect(expectTypename(me, 'UpstreamError')).toMatchObject({ status: 200, retryable: false });
  });
});

describe('the request id', () => {
  it('is the caller’s X-Request-Id when it is a plain token, else a new UUID', async () => {
    const token = stack.emulator.demo.customerToken;
    await stack.client({ token, headers: { 'x-request-id': 'abc.DEF-123:x_y' } }).Me();
    await stack.client({ token, headers: { 'x-request-id': 'has spaces and "quotes"' } }).Me();
    await stack.client({ token }).Me();
    const [kept, replaced, generated] = stack.upstream().map((request) => request.headers['x-request-id']);
    expect(kept).toBe('abc.DEF-123:x_y');
    expect(replaced).toMatch(/^[0-9a-f-]{36}$/);
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    expect(new Set([replaced, generated]).size).toBe(2);
  });
});
