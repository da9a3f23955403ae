/** The committed contract files are what the code produces: a schema change always shows in review. */
import { readFileSync } from 'node:fs';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { printGatewaySchema, schemaFile } from '../src/schema/print.js';

describe('schema.graphql', () => {
  it('is up to date (run `npm run codegen` after a schema change)', () => {
    expect(readFileSync(schemaFile, 'utf8')).toBe(printGatewaySchema());
  });

  it('gives every operation a union of exactly its success type, the five error types and its own', () => {
    const schema = buildSchema(printGatewaySchema());
    const errors = [
      'ForbiddenError',
      'RateLimitedError',
      'UnauthorizedError',
      'UpstreamError',
      'ValidationError',
    ];
    const success = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}Success`;
    const plain = [
      'changeCustomerEmail',
      'confirmCustomerEmailChange',
      'requestPasswordReset',
      'resetPassword',
      'changePassword',
      'confirmSignUp',
      'resendSignUpConfirmation',
      'refreshCustomerToken',
      'logOut',
      'startAnonymousSession',
      'refreshAnonymousSession',
      'updateCustomerProfile',
      'addCustomerAddress',
    ];
    const addressOperations = [
      'updateCustomerAddress',
      'setDefaultCustomerAddress',
      'removeCustomerAddress',
      'addCustomerAddressTags',
      'removeCustomerAddressTags',
    ];
    const expected: Record<string, string[]> = {
      me: ['Customer'],
      accessTokenInfo: ['AccessTokenInfo'],
      customerAddress: ['CustomerAddress', 'NotFoundError'],
      signUp: ['SignUpSuccess', 'AccountExistsError'],
      logIn: ['LogInSuccess', 'InvalidCredentialsError'],
      logInWithSocialProvider: ['LogInWithSocialProviderSuccess', 'InvalidCredentialsError'],
      exchangeExternalToken: ['ExchangeExternalTokenSuccess', 'InvalidCredentialsError'],
      ...Object.fromEntries(plain.map((name) => [name, [success(name)]])),
      ...Object.fromEntries(addressOperations.map((name) => [name, [success(name), 'NotFoundError']])),
    };
    // Federation's own fields (_service, _entities) are not operations of the contract, and `session` reads no
    // upstream: it answers SessionInfo itself.
    const fields = Object.fromEntries(
      Object.entries({
        ...schema.getQueryType()?.getFields(),
        ...schema.getMutationType()?.getFields(),
      }).filter(([name]) => !name.startsWith('_') && name !== 'session'),
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
      ).toEqual([...errors, ...(expected[name] ?? [])].sort());
    }
  });

  it('describes every type, field, argument, input field and enum value', () => {
    const schema = buildSchema(printGatewaySchema());
    const undescribed: string[] = [];
    const builtIn = ['String', 'Boolean', 'Int', 'ID', 'Float'];
    for (const type of Object.values(schema.getTypeMap())) {
      // Built-in scalars and introspection types come from graphql-js.
      if (builtIn.includes(type.name) || type.name.startsWith('__')) continue;
      if (!type.description) undescribed.push(type.name);
      if (isObjectType(type) || isInterfaceType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undescribed.push(`${type.name}.${field.name}`);
          for (const arg of field.args) {
            if (!arg.description) undescribed.push(`${type.name}.${field.name}(${arg.name}:)`);
          }
        }
      }
      if (isInputObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description) undescribed.push(`${type.name}.${field.name}`);
        }
      }
      if (isEnumType(type)) {
        for (const value of type.getValues()) {
          if (!value.description) undescribed.push(`${type.name}.${value.name}`);
        }
      }
    }
    expect(undescribed).toEqual([]);
  });
});
