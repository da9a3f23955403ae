import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Refuses variables with more than `maxValues` values in all, or nested deeper than `maxDepth`, before graphql-js
 * coerces them. Coercion reports one error per unknown field and prints the whole value in each message, so a
 * body of tens of thousands of keys would otherwise cost a second of CPU and answer megabytes.
 */
export function useVariablesLimit(maxValues: number, maxDepth = 10): Plugin {
  return {
    onParams({ params }) {
      if (params.variables == null) return;
      let budget = maxValues;
      const stack: { value: unknown; depth: number }[] = [{ value: params.variables, depth: 0 }];
      while (stack.length > 0) {
        const next = stack.pop() as { value: unknown; depth: number };
        budget -= 1;
        if (budget < 0 || next.depth > maxDepth) {
          throw new GraphQLError(
            `Variables are limited to ${maxValues} values nested at most ${maxDepth} deep`,
            {
              extensions: { code: 'VARIABLES_TOO_LARGE', http: { status: 400 } },
            },
          );
        }
        if (typeof next.value === 'object' && next.value !== null) {
          for (const child of Object.values(next.value)) stack.push({ value: child, depth: next.depth + 1 });
        }
      }
    },
  };
}
