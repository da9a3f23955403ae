import SchemaBuilder from '@pothos/core';
import DirectivePlugin from '@pothos/plugin-directives';
import ErrorsPlugin from '@pothos/plugin-errors';
import FederationPlugin from '@pothos/plugin-federation';
import ZodPlugin from '@pothos/plugin-zod';
import type { Context } from '../context.js';
import { operationErrorClasses, ValidationError } from '../errors.js';
import { configurationIssues, issuesFromZod } from './validation.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: { DateTime: { Input: Date; Output: Date | string } };
}>({
  // The errors plugin comes first so that it wraps outermost and turns the zod plugin's ValidationError into a
  // union member. Federation comes after the plugins that wrap resolvers, as its documentation asks.
  plugins: [ErrorsPlugin, ZodPlugin, DirectivePlugin, FederationPlugin],
  defaultFieldNullability: false,
  errors: {
    // Exactly our five outcome classes, never the base Error: anything else thrown is a bug and stays masked.
    defaultTypes: [...operationErrorClasses],
    directResult: true,
    defaultUnionOptions: {
      name: ({ fieldName }) => `${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}Result`,
    },
  },
  zod: {
    // A bad tenant is reported together with bad input, so that one answer lists everything to fix.
    validationError: (error, args, context, info) =>
      ValidationError.fromIssues([
        ...issuesFromZod(error),
        ...configurationIssues(info.fieldName, args, context),
        ...(context.tenant.ok ? [] : context.tenant.issues),
      ]),
  },
});
