/**
 * The SDK's result types are unions discriminated on `__typename`. The assertions below are checked by `tsc`
 * (npm run typecheck, in CI); the runtime part proves the same narrowing on a real answer.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import type { ChangePasswordMutation, UnauthorizedCode } from '../src/client/index.js';
import { type Stack, startStack } from './harness.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

describe('the typed client', () => {
  it('narrows a result to ValidationError, with its issues, by checking __typename', async () => {
    const { changePassword } = await stack
      .client({ token: stack.emulator.demo.customerToken })
      .ChangePassword({ input: { currentPassword: 'same', newPassword: 'same' } });

    // @ts-expect-error: `issues` exists only on the ValidationError member, so it needs narrowing first.
    expect(changePassword.issues).toBeDefined();

    if (changePassword.__typename !== 'ValidationError') throw new Error(`got ${changePassword.__typename}`);
    expectTypeOf(changePassword.issues).toEqualTypeOf<{ path: string[]; message: string; code: string }[]>();
    expect(changePassword.issues.map((issue) => issue.path)).toEqual([['input', 'newPassword']]);
  });

  it('types every member of the union', () => {
    type Member = ChangePasswordMutation['changePassword'];
    expectTypeOf<Member['__typename']>().toEqualTypeOf<
      | 'ChangePasswordSuccess'
      | 'ValidationError'
      | 'UnauthorizedError'
      | 'ForbiddenError'
      | 'RateLimitedError'
      | 'UpstreamError'
    >();
    expectTypeOf<
      Extract<Member, { __typename: 'UnauthorizedError' }>['code']
    >().toEqualTypeOf<UnauthorizedCode>();
    expectTypeOf<Extract<Member, { __typename: 'UpstreamError' }>['status']>().toEqualTypeOf<number | null>();
  });
});
