/** The committed contract files are what the code produces: a schema change always shows in review. */
import { readFileSync } from 'node:fs';
import { buildSchema, isObjectType, isUnionType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { printGatewaySchema, schemaFile } from '../src/schema/print.js';

describe('schema.graphql', () => {
  it('is up to date (run `npm run codegen` after a schema change)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(printGatewaySchema());
  });

  it('gives every operation a union of exactly its success type and the five error types', () => {
    const schema = buildSchema(printGatewaySchema());
    const errors = [
      'ForbiddenError',
      'RateLimitedError',
      'UnauthorizedError',
      'UpstreamError',
      'ValidationError',
    ];
    const expected: Record<string, string> = {
      me: 'Customer',
      changeCustomerEmail: 'ChangeCustomerEmailSuccess',
      confirmCustomerEmailChange: 'ConfirmCustomerEmailChangeSuccess',
      requestPasswordReset: 'RequestPasswordResetSuccess',
      resetPassword: 'ResetPasswordSuccess',
      changePassword: 'ChangePasswordSuccess',
    };
    // Federation's own fields (_service, _entities) are not operations of the contract.
    const fields = Object.fromEntries(
      Object.entries({
        ...schema.getQueryType()?.getFields(),
        ...schema.getMutationType()?.getFields(),
      }).filter(([name]) => !name.startsWith('_')),
    );
    expect(Object.keys(fields).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, field] of Object.entries(fields)) {
      const union = field.type.toString().replace(/!$/, '');
      expect(union).toBe(`${name.charAt(0).toUpperCase()}${name.slice(1)}Result`);
      const type = schema.getType(union);
      if (!isUnionType(type)) throw new Error(`${union} is not a union`);
      expect(
        type
          .getTypes()
          .map((member) => member.name)
          .sort(),
      ).toEqual([...errors, expected[name]].sort());
    }
  });

  it('describes every type and field', () => {
    const schema = buildSchema(printGatewaySchema());
    const undescribed: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      // Built-in scalars, introspection and federation's own types (_Any, _Entity, _Service) come from libraries.
      if (type.name.startsWith('_') || ['String', 'Boolean', 'Int', 'ID', 'Float'].includes(type.name))
        continue;
      if (!type.description) undescribed.push(type.name);
      if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description && !field.name.startsWith('_'))
            undescribed.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(undescribed).toEqual([]);
  });
});
