import {
  GraphQLIncludeDirective,
  type GraphQLNamedType,
  type GraphQLResolveInfo,
  GraphQLSkipDirective,
  getDirectiveValues,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  print,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { requireTenant } from '../context.js';
import type { EmporixAddress, EmporixCustomer, UpdateProfileBody } from '../emporix/types.js';
import { isOperationError } from '../errors.js';
import { builder } from './builder.js';
import { resultUnion } from './success.js';
import { parsedBy, updateCustomerProfileInput } from './validation.js';

const BusinessModel = builder.enumType('BusinessModel', {
  description: 'Whether the customer buys for a company (B2B) or for themselves (B2C).',
  values: {
    B2B: { description: 'Assigned to a company (a registration id is on the profile).' },
    B2C: { description: 'Not assigned to any company.' },
  },
});

export const CustomerAddress = builder.objectRef<EmporixAddress>('CustomerAddress').implement({
  description: "An address in the signed-in customer's address book.",
  fields: (t) => ({
    id: t.exposeID('id', {
      description: 'The id Emporix gave the address; use it in the address operations.',
    }),
    contactName: t.exposeString('contactName', { nullable: true, description: 'Who receives mail there.' }),
    companyName: t.exposeString('companyName', { nullable: true, description: 'Company name.' }),
    street: t.exposeString('street', { nullable: true, description: 'Street.' }),
    streetNumber: t.exposeString('streetNumber', { nullable: true, description: 'House number.' }),
    streetAppendix: t.exposeString('streetAppendix', {
      nullable: true,
      description: 'Addition to the street, e.g. a flat.',
    }),
    extraLines: t.stringList({
      description: "Emporix's extraLine1 to extraLine4, in order, empty ones left out.",
      resolve: (address) =>
        [address.extraLine1, address.extraLine2, address.extraLine3, address.extraLine4].filter(
          (line): line is string => line !== undefined && line !== '',
        ),
    }),
    zipCode: t.exposeString('zipCode', { nullable: true, description: 'Postal code.' }),
    city: t.exposeString('city', { nullable: true, description: 'City.' }),
    state: t.exposeString('state', { nullable: true, description: 'State or region.' }),
    country: t.exposeString('country', { nullable: true, description: 'ISO 3166-1 alpha-2 country code.' }),
    contactPhone: t.exposeString('contactPhone', {
      nullable: true,
      description: 'Phone number for delivery.',
    }),
    isDefault: t.exposeBoolean('isDefault', {
      description: 'Whether this is the default address; at most one address is.',
    }),
    tags: t.exposeStringList('tags', { description: 'Tags such as SHIPPING or BILLING.' }),
  }),
});

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
    businessModel: t.field({
      type: BusinessModel,
      nullable: true,
      description: 'B2B or B2C; null when Emporix did not say.',
      resolve: (customer) =>
        customer.businessModel === 'B2B' || customer.businessModel === 'B2C' ? customer.businessModel : null,
    }),
    companyRegistrationId: t.string({
      nullable: true,
      description: "The company's registration id (Emporix `b2b.companyRegistrationId`), for B2B customers.",
      resolve: (customer) => customer.b2b?.companyRegistrationId ?? null,
    }),
    lastLogin: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the customer last logged in; null when Emporix did not say.',
      resolve: (customer) => {
        const at = customer.lastLogin === undefined ? Number.NaN : Date.parse(customer.lastLogin);
        return Number.isNaN(at) ? null : new Date(at);
      },
    }),
    version: t.int({
      nullable: true,
      description:
        'The version of the profile (Emporix `metadata.version`): send it back as `expectedVersion` to change the profile only if nobody changed it since.',
      resolve: (customer) => customer.metadata?.version ?? null,
    }),
    addresses: t.field({
      type: [CustomerAddress],
      description:
        'The address book. Selecting it (or `defaultAddress`) reads the profile with its addresses in the same single call.',
      resolve: (customer) => customer.addresses ?? [],
    }),
    defaultAddress: t.field({
      type: CustomerAddress,
      nullable: true,
      description: 'The default address; null when none is the default.',
      resolve: (customer) =>
        customer.defaultAddress ?? customer.addresses?.find((address) => address.isDefault) ?? null,
    }),
  }),
});

const addressBookSelected = new WeakMap<OperationDefinitionNode, boolean | 'depends on variables'>();

/**
 * Whether the operation selects the address book of a Customer anywhere (through aliases and fragments too, and
 * honouring @include/@skip), so that its single `me` call asks for `?expand=addresses` only then. Decided once per
 * parsed operation, or per request when @include/@skip decide it.
 */
export function selectsAddressBook(info: GraphQLResolveInfo): boolean {
  let known = addressBookSelected.get(info.operation);
  if (known === undefined) {
    const anywhere = selectsIn(
      info.operation.selectionSet,
      info.schema.getRootType(info.operation.operation) ?? undefined,
      info,
      new Set(),
      undefined,
    );
    known = !anywhere
      ? false
      : print(info.operation).match(/@(include|skip)\b/)
        ? 'depends on variables'
        : true;
    if (
      !known ||
      Object.values(info.fragments).every((fragment) => !/@(include|skip)\b/.test(print(fragment)))
    ) {
      addressBookSelected.set(info.operation, known);
    } else {
      addressBookSelected.set(info.operation, 'depends on variables');
      known = 'depends on variables';
    }
  }
  if (known !== 'depends on variables') return known;
  return selectsIn(
    info.operation.selectionSet,
    info.schema.getRootType(info.operation.operation) ?? undefined,
    info,
    new Set(),
    info.variableValues,
  );
}

function selectsIn(
  selectionSet: SelectionSetNode,
  parentType: GraphQLNamedType | undefined,
  info: GraphQLResolveInfo,
  fragmentsSeen: Set<string>,
  variables: Record<string, unknown> | undefined,
): boolean {
  for (const selection of selectionSet.selections) {
    if (variables !== undefined && !included(selection, variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (parentType?.name === 'Customer' && (name === 'addresses' || name === 'defaultAddress')) return true;
      if (selection.selectionSet === undefined) continue;
      const field =
        isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
      if (
        field &&
        selectsIn(selection.selectionSet, getNamedType(field.type), info, fragmentsSeen, variables)
      ) {
        return true;
      }
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      const type = selection.typeCondition
        ? info.schema.getType(selection.typeCondition.name.value)
        : parentType;
      if (selectsIn(selection.selectionSet, type ?? undefined, info, fragmentsSeen, variables)) return true;
    } else {
      const name = selection.name.value;
      const fragment = info.fragments[name];
      if (fragment === undefined || fragmentsSeen.has(name)) continue;
      const type = info.schema.getType(fragment.typeCondition.name.value);
      if (
        selectsIn(
          fragment.selectionSet,
          type ?? undefined,
          info,
          new Set([...fragmentsSeen, name]),
          variables,
        )
      ) {
        return true;
      }
    }
  }
  return false;
}

function included(selection: SelectionNode, variables: Record<string, unknown>): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, selection, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, variables)?.if !== false;
}

/** The profile a token belongs to, through the request's loader (one call per token and request). */
export function loadProfile(
  context: Parameters<typeof requireTenant>[0],
  info: GraphQLResolveInfo,
  accessToken?: string,
) {
  return context.loaders.me.load({
    tenant: requireTenant(context),
    accessToken,
    expand: selectsAddressBook(info),
  });
}

builder.asEntity(Customer, {
  key: builder.selection<{ id: string }>('id'),
  // Only ever the caller's own profile, found with the caller's token: another customer's id resolves to null, so a
  // supergraph cannot be used to read someone else's data. All references of a request share one `me` load.
  resolveReference: async (reference, context, info) => {
    if (!context.tenant.ok) return null;
    try {
      const profile = await loadProfile(context, info);
      return profile.id === reference.id ? profile : null;
    } catch (error) {
      if (isOperationError(error)) return null;
      throw error;
    }
  },
});

builder.queryType({ description: 'Reads.' });

builder.queryField('me', (t) =>
  t.field({
    type: Customer,
    description:
      "The caller's own profile (GET /customer/{tenant}/me, customer or anonymous token; `?expand=addresses` only when the address book is selected). Asked several times in one request, it is fetched once.",
    errors: resultUnion('me'),
    resolve: (_root, _args, context, info) => loadProfile(context, info),
  }),
);

/** What `null` does to a profile field in updateCustomerProfile (see validation.ts). */
const NULL_ON_UPDATE = {
  title: '`null` clears it.',
  firstName: '`null` is sent as null; Emporix keeps a first name, so it answers a ValidationError.',
  middleName: '`null` clears it.',
  lastName: '`null` is sent as null; Emporix keeps a last name, so it answers a ValidationError.',
  contactPhone: '`null` clears it.',
  company: '`null` clears it (refused while setting companyRegistrationId: a B2B profile needs a company).',
  preferredLanguage:
    '`null` is sent as null; Emporix keeps a preferred language, so it answers a ValidationError.',
  preferredCurrency:
    '`null` is sent as null; Emporix keeps a preferred currency, so it answers a ValidationError.',
  preferredSite: '`null` is sent as null; Emporix keeps a preferred site, so it answers a ValidationError.',
  contactEmail:
    'Cannot be cleared: `null` is a ValidationError (Emporix keeps a contact email once it has one).',
  companyRegistrationId:
    '`null` clears it (sent as `b2b.companyRegistrationId: null`; the customer becomes B2C).',
} as const;

/**
 * The profile fields a sign-up and a profile change share, with their rules (see validation.ts); `onUpdate` adds
 * what `null` does to each in a profile change (in a sign-up, null means not given).
 */
export function profileInputFields(
  t: PothosSchemaTypes.InputFieldBuilder<typeof builder.$inferSchemaTypes, 'InputObject'>,
  onUpdate = false,
) {
  const optionalText = (field: keyof typeof NULL_ON_UPDATE, description: string) =>
    t.string({
      required: false,
      description: onUpdate
        ? `${description}${description.endsWith('.') ? '' : ';'} ${NULL_ON_UPDATE[field]}`
        : description,
    });
  return {
    title: optionalText('title', 'Form of address, e.g. MR: trimmed, 1 to 256 characters.'),
    firstName: optionalText('firstName', 'Trimmed, 1 to 256 characters.'),
    lastName: optionalText('lastName', 'Trimmed, 1 to 256 characters.'),
    contactPhone: optionalText('contactPhone', '1 to 64 characters of digits, spaces and + - ( ) . /'),
    company: optionalText('company', 'Trimmed, 1 to 256 characters.'),
    preferredLanguage: optionalText('preferredLanguage', 'A language like en, en_US or en-US.'),
    preferredCurrency: optionalText('preferredCurrency', 'An ISO 4217 code; upper-cased.'),
    preferredSite: optionalText('preferredSite', 'A site code: 1 to 64 letters, digits, "-", "_".'),
  };
}

const UpdateCustomerProfileInput = builder.inputType('UpdateCustomerProfileInput', {
  description:
    "What to change on the signed-in customer's profile (PATCH semantics). A field left out stays as it is and is not sent. A field given as `null` is sent as `null`: Emporix clears `title`, `middleName`, `contactPhone`, `company` and `companyRegistrationId`, and refuses to clear `firstName`, `lastName` and the three preferences (its ValidationError). `contactEmail: null` is refused before anything is sent (Emporix keeps a contact email once it has one). At least one field besides `expectedVersion`.",
  fields: (t) => ({
    ...profileInputFields(t, true),
    middleName: t.string({
      required: false,
      description: `Trimmed, 1 to 256 characters. ${NULL_ON_UPDATE.middleName}`,
    }),
    contactEmail: t.string({
      required: false,
      description: `A valid email. ${NULL_ON_UPDATE.contactEmail}`,
    }),
    companyRegistrationId: t.string({
      required: false,
      description: `The company's registration id (makes the customer B2B): the profile must then have firstName, lastName and company. ${NULL_ON_UPDATE.companyRegistrationId}`,
    }),
    expectedVersion: t.int({
      required: false,
      description:
        "The profile's `version` as last read: the change is refused with a ValidationError on this field if the profile changed since.",
    }),
  }),
});

interface ProfileWritten {
  success: true;
  tenant: string;
}

const UpdateCustomerProfileSuccess = builder
  .objectRef<ProfileWritten>('UpdateCustomerProfileSuccess')
  .implement({
    description: 'The profile was changed.',
    fields: (t) => ({
      success: t.exposeBoolean('success', { description: 'Always true.' }),
      customer: t.field({
        type: Customer,
        description: 'The profile as it is after the change (read again from Emporix, only when selected).',
        resolve: (_written, _args, context, info) => loadProfile(context, info),
      }),
    }),
  });

builder.mutationField('updateCustomerProfile', (t) =>
  t.field({
    type: UpdateCustomerProfileSuccess,
    description:
      "Changes the signed-in customer's profile (PATCH /customer/{tenant}/me, customer token). A stale `expectedVersion` is a ValidationError on `input.expectedVersion`.",
    args: {
      input: t.arg({
        type: UpdateCustomerProfileInput,
        required: true,
        description: 'What to change on the profile, and the `expectedVersion` it was read at.',
        validate: { schema: updateCustomerProfileInput },
      }),
    },
    errors: resultUnion('updateCustomerProfile'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const { expectedVersion, companyRegistrationId, contactEmail, ...names } = parsedBy(
        updateCustomerProfileInput,
        args.input,
      );
      // Validation refused null for the fields that cannot be cleared: a null left here is sent, and clears.
      const body: UpdateProfileBody = { ...names };
      if (contactEmail !== undefined) body.contactEmail = contactEmail;
      if (companyRegistrationId !== undefined) body.b2b = { companyRegistrationId };
      if (expectedVersion !== undefined) body.metadata = { version: expectedVersion };
      await context.emporix.call('updateMe', tenant, { body: withoutAbsent(body) });
      // The profile changed: nothing read before the write in this request may answer for it.
      context.loaders.me.clearAll();
      return { success: true, tenant } as const;
    },
  }),
);

/** The object without its undefined entries: absent means "leave as it is", and must not be sent. */
export function withoutAbsent<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
