import { builder } from './builder.js';

export interface Success {
  success: true;
}

export const success: Success = { success: true };

/** The success member of a credential mutation's result union: `<Mutation>Success { success: Boolean! }`. */
export function successType(name: string, description: string) {
  return builder.objectRef<Success>(name).implement({
    description,
    fields: (t) => ({
      success: t.exposeBoolean('success', { description: 'Always true.' }),
    }),
  });
}

/**
 * The errors option of every operation: the five error types come from the builder's defaults; this only
 * describes the union, which the plugin names `<Field>Result`.
 */
export function resultUnion(field: string) {
  return {
    union: {
      description: `What \`${field}\` answers: its success type, or one of the error types that implement \`Error\`.`,
    },
  };
}
