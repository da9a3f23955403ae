import { expect } from 'vitest';

/**
 * Asserts that a result union resolved to `typename` and narrows it, so a test reads the member's fields without
 * `!` or casts.
 */
export function expectTypename<T extends { __typename: string }, N extends T['__typename']>(
  value: T,
  typename: N,
): Extract<T, { __typename: N }> {
  expect(value.__typename).toBe(typename);
  return value as Extract<T, { __typename: N }>;
}
