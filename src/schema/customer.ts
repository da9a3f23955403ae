import { requireTenant } from '../context.js';
import type { EmporixCustomer } from '../emporix/types.js';
import { operationErrorClasses } from '../errors.js';
import { builder } from './builder.js';
import { resultUnion } from './success.js';

export const Customer = builder.objectRef<EmporixCustomer>('Customer').implement({
  description:
    'A customer profile as Emporix keeps it. For an anonymous token it is the anonymous profile (id "00000000", no emails).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The unique identifier Emporix gave the customer.' }),
    customerNumber: t.exposeString('customerNumber', {
      nullable: true,
      description: "The customer's number.",
    }),
    title: t.exposeString('title', { nullable: true, description: 'Form of address, e.g. MR.' }),
    firstName: t.exposeString('firstName', { nullable: true, description: 'First name.' }),
    middleName: t.exposeString('middleName', { nullable: true, description: 'Middle name.' }),
    lastName: t.exposeString('lastName', { nullable: true, description: 'Last name.' }),
    contactEmail: t.exposeString('contactEmail', {
      nullable: true,
      description:
        'The email for contact; it follows a login email change only when that change asked for it.',
    }),
    loginEmail: t.string({
      nullable: true,
      description: 'The email the customer logs in with; null for an anonymous profile.',
      resolve: (customer) => customer.accounts?.find((account) => typeof account.id === 'string')?.id ?? null,
    }),
    contactPhone: t.exposeString('contactPhone', {
      nullable: true,
      description: 'Phone number for contact.',
    }),
    company: t.exposeString('company', { nullable: true, description: 'Company name.' }),
    preferredLanguage: t.exposeString('preferredLanguage', { nullable: true, description: 'E.g. en_US.' }),
    preferredCurrency: t.exposeString('preferredCurrency', { nullable: true, description: 'ISO 4217 code.' }),
    preferredSite: t.exposeString('preferredSite', {
      nullable: true,
      description: 'The preferred site code.',
    }),
    businessModel: t.exposeString('businessModel', { nullable: true, description: 'B2B or B2C.' }),
  }),
});

builder.asEntity(Customer, {
  key: builder.selection<{ id: string }>('id'),
  // Only ever the caller's own profile, found with the caller's token: another customer's id resolves to null, so a
  // supergraph cannot be used to read someone else's data. All references of a request share one `me` load.
  resolveReference: async (reference, context) => {
    if (!context.tenant.ok) return null;
    try {
      const profile = await context.loaders.me.load(context.tenant.tenant);
      return profile.id === reference.id ? profile : null;
    } catch (error) {
      if (operationErrorClasses.some((errorClass) => error instanceof errorClass)) return null;
      throw error;
    }
  },
});

builder.queryType({ description: 'Reads.' });

builder.queryField('me', (t) =>
  t.field({
    type: Customer,
    description:
      "The caller's own profile (GET /customer/{tenant}/me, customer or anonymous token). Asked several times in one request, it is fetched once.",
    errors: resultUnion('me'),
    resolve: (_root, _args, context) => context.loaders.me.load(requireTenant(context)),
  }),
);
