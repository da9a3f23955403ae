/**
 * The signed-in customer's address book: one address by id, and the writes. Emporix answers writes without a
 * body, so an `address` on a success is read again after the write, only when selected.
 */
import { type Context, requireTenant } from '../context.js';
import type { AddressBody } from '../emporix/types.js';
import { emporixAddress, emporixResourceLocation } from '../emporix/types.js';
import { NotFoundError, UpstreamError } from '../errors.js';
import { builder } from './builder.js';
import { CustomerAddress, withoutAbsent } from './customer.js';
import { resultUnion } from './success.js';
import {
  addCustomerAddressInput,
  addressIdInput,
  addressTagsInput,
  parsedBy,
  updateCustomerAddressInput,
} from './validation.js';

const addressErrors = (field: string) => ({ ...resultUnion(field), types: [NotFoundError] });

async function readAddress(context: Context, tenant: string, id: string) {
  const { status, json } = await context.emporix.call('getAddress', tenant, { params: { addressId: id } });
  const address = emporixAddress.safeParse(json);
  if (!address.success) throw new UpstreamError('Emporix answered with an unreadable address', status, false);
  return address.data;
}

/** After a write, nothing the request's loaders read before it may answer for the customer. */
function written(context: Context, tenant: string, id: string): AddressWritten {
  context.loaders.me.clearAll();
  return { success: true, tenant, id };
}

interface AddressWritten {
  success: true;
  tenant: string;
  id: string;
}

function addressSuccess(name: string, description: string) {
  return builder.objectRef<AddressWritten>(name).implement({
    description,
    fields: (t) => ({
      success: t.exposeBoolean('success', { description: 'Always true.' }),
      address: t.field({
        type: CustomerAddress,
        description: 'The address as it is after the change (read again from Emporix, only when selected).',
        resolve: (result, _args, context) => readAddress(context, result.tenant, result.id),
      }),
    }),
  });
}

/**
 * `extraLines` as Emporix's four fields; on update, the given lines replace all four (the rest cleared), and null
 * clears all four, like [].
 */
function extraLineFields(lines: string[] | null | undefined, clearRest: boolean): Partial<AddressBody> {
  if (lines === undefined) return {};
  const slot = (index: number) => lines?.[index] ?? (clearRest ? null : undefined);
  return { extraLine1: slot(0), extraLine2: slot(1), extraLine3: slot(2), extraLine4: slot(3) };
}

builder.queryField('customerAddress', (t) =>
  t.field({
    type: CustomerAddress,
    description:
      "One address of the signed-in customer's address book (GET /customer/{tenant}/me/addresses/{addressId}, customer token).",
    args: {
      id: t.arg.id({
        required: true,
        description: 'The address id: 1 to 128 letters, digits, ".", "_", "~", "-".',
        validate: { schema: addressIdInput.shape.id },
      }),
    },
    errors: addressErrors('customerAddress'),
    resolve: (_root, args, context) => readAddress(context, requireTenant(context), String(args.id).trim()),
  }),
);

const addressInputFields = {
  companyName: 'Company name: trimmed, 1 to 256 characters.',
  street: 'Street: trimmed, 1 to 256 characters.',
  streetNumber: 'House number: trimmed, 1 to 256 characters.',
  streetAppendix: 'Addition to the street: trimmed, 1 to 256 characters.',
  zipCode: 'Postal code: trimmed, 1 to 32 characters.',
  city: 'City: trimmed, 1 to 256 characters.',
  state: 'State or region: trimmed, 1 to 256 characters.',
  contactPhone: 'Phone for delivery: 1 to 64 characters of digits, spaces and + - ( ) . / only.',
} as const;

const AddCustomerAddressInput = builder.inputType('AddCustomerAddressInput', {
  description:
    'A new address for the address book. An optional field left out or given as `null` is not sent (there is nothing to clear yet).',
  fields: (t) => ({
    contactName: t.string({
      required: true,
      description: 'Who receives mail there: trimmed, 1 to 256 characters.',
    }),
    ...Object.fromEntries(
      Object.entries(addressInputFields).map(([name, description]) => [
        name,
        t.string({ required: false, description }),
      ]),
    ),
    extraLines: t.stringList({
      required: false,
      description: 'Up to 4 further lines, each 1 to 256 characters.',
    }),
    country: t.string({ required: true, description: 'An ISO 3166-1 alpha-2 code, e.g. DE; upper-cased.' }),
    tags: t.stringList({
      required: false,
      description: 'Up to 20 tags of 1 to 64 letters, digits, "_", "-"; duplicates removed.',
    }),
  }),
});

builder.mutationField('addCustomerAddress', (t) =>
  t.field({
    type: addressSuccess('AddCustomerAddressSuccess', 'The address was added.'),
    description:
      "Adds an address to the signed-in customer's address book (POST /customer/{tenant}/me/addresses, customer token). A new address is not the default: use setDefaultCustomerAddress.",
    args: {
      input: t.arg({
        type: AddCustomerAddressInput,
        required: true,
        description: 'The address to add.',
        validate: { schema: addCustomerAddressInput },
      }),
    },
    errors: resultUnion('addCustomerAddress'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const { extraLines, ...fields } = parsedBy(addCustomerAddressInput, args.input);
      const { status, json } = await context.emporix.call('addAddress', tenant, {
        body: withoutAbsent({ ...fields, ...extraLineFields(extraLines, false) }),
      });
      const created = emporixResourceLocation.safeParse(json);
      if (!created.success)
        throw new UpstreamError('Emporix answered without the new address id', status, false);
      return written(context, tenant, created.data.id);
    },
  }),
);

const UpdateCustomerAddressInput = builder.inputType('UpdateCustomerAddressInput', {
  description:
    'What to change on an address (PATCH semantics). A field left out stays as it is and is not sent. A field given as `null` is cleared (sent as `null`); Emporix requires a contact name, so `contactName: null` is its ValidationError. `extraLines: null` clears all four lines; `tags: null` removes every tag. At least one field besides `id`.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The address id.' }),
    contactName: t.string({
      required: false,
      description:
        'Who receives mail there: trimmed, 1 to 256 characters. `null` is sent as null; Emporix requires a contact name, so it answers a ValidationError.',
    }),
    ...Object.fromEntries(
      Object.entries(addressInputFields).map(([name, description]) => [
        name,
        t.string({ required: false, description: `${description} \`null\` clears it.` }),
      ]),
    ),
    extraLines: t.stringList({
      required: false,
      description:
        'Up to 4 lines, each 1 to 256 characters; the given lines replace all four (the rest cleared). `null` or `[]` clears all four.',
    }),
    country: t.string({
      required: false,
      description: 'An ISO 3166-1 alpha-2 code; upper-cased. `null` clears it.',
    }),
    tags: t.stringList({
      required: false,
      description:
        'Replace the tags: up to 20 of 1 to 64 letters, digits, "_", "-"; duplicates removed. `null` or `[]` removes every tag. To add or remove single tags, use addCustomerAddressTags and removeCustomerAddressTags.',
    }),
  }),
});

builder.mutationField('updateCustomerAddress', (t) =>
  t.field({
    type: addressSuccess('UpdateCustomerAddressSuccess', 'The address was changed.'),
    description: 'Changes an address (PATCH /customer/{tenant}/me/addresses/{addressId}, customer token).',
    args: {
      input: t.arg({
        type: UpdateCustomerAddressInput,
        required: true,
        description: 'Which address, and what to change on it.',
        validate: { schema: updateCustomerAddressInput },
      }),
    },
    errors: addressErrors('updateCustomerAddress'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const { id, extraLines, ...fields } = parsedBy(updateCustomerAddressInput, args.input);
      await context.emporix.call('updateAddress', tenant, {
        params: { addressId: id },
        body: withoutAbsent({ ...fields, ...extraLineFields(extraLines, true) }),
      });
      return written(context, tenant, id);
    },
  }),
);

const AddressIdInput = builder.inputType('AddressIdInput', {
  description: 'Which address.',
  fields: (t) => ({ id: t.id({ required: true, description: 'The address id.' }) }),
});

builder.mutationField('setDefaultCustomerAddress', (t) =>
  t.field({
    type: addressSuccess('SetDefaultCustomerAddressSuccess', 'The address is now the only default address.'),
    description:
      'Makes an address the default, and the only one (PATCH /customer/{tenant}/me/addresses/{addressId} with {"isDefault": true}, customer token).',
    args: {
      input: t.arg({
        type: AddressIdInput,
        required: true,
        description: 'The address to make the default.',
        validate: { schema: addressIdInput },
      }),
    },
    errors: addressErrors('setDefaultCustomerAddress'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const { id } = parsedBy(addressIdInput, args.input);
      await context.emporix.call('updateAddress', tenant, {
        params: { addressId: id },
        body: { isDefault: true },
      });
      return written(context, tenant, id);
    },
  }),
);

const RemoveCustomerAddressSuccess = builder
  .objectRef<AddressWritten>('RemoveCustomerAddressSuccess')
  .implement({
    description: 'The address was removed. When it was the default, no address is the default now.',
    fields: (t) => ({
      success: t.exposeBoolean('success', { description: 'Always true.' }),
      id: t.exposeID('id', { description: 'The id of the removed address.' }),
    }),
  });

builder.mutationField('removeCustomerAddress', (t) =>
  t.field({
    type: RemoveCustomerAddressSuccess,
    description:
      'Removes an address (DELETE /customer/{tenant}/me/addresses/{addressId}, customer token). Removing the default leaves no default.',
    args: {
      input: t.arg({
        type: AddressIdInput,
        required: true,
        description: 'The address to remove.',
        validate: { schema: addressIdInput },
      }),
    },
    errors: addressErrors('removeCustomerAddress'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const { id } = parsedBy(addressIdInput, args.input);
      await context.emporix.call('removeAddress', tenant, { params: { addressId: id } });
      return written(context, tenant, id);
    },
  }),
);

const AddressTagsInput = builder.inputType('AddressTagsInput', {
  description: 'An address and tags.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'The address id.' }),
    tags: t.stringList({
      required: true,
      description: '1 to 20 tags of 1 to 64 letters, digits, "_", "-"; duplicates removed.',
    }),
  }),
});

for (const [field, endpoint, verb] of [
  ['addCustomerAddressTags', 'addAddressTags', 'Adds'],
  ['removeCustomerAddressTags', 'removeAddressTags', 'Removes'],
] as const) {
  const method = endpoint === 'addAddressTags' ? 'POST' : 'DELETE';
  builder.mutationField(field, (t) =>
    t.field({
      type: addressSuccess(
        `${field.charAt(0).toUpperCase()}${field.slice(1)}Success`,
        `The tags were ${verb === 'Adds' ? 'added to' : 'removed from'} the address (tags are a set).`,
      ),
      description: `${verb} tags ${verb === 'Adds' ? 'to' : 'from'} an address (${method} /customer/{tenant}/me/addresses/{addressId}/tags?tags=a,b, customer token).`,
      args: {
        input: t.arg({
          type: AddressTagsInput,
          required: true,
          description: `The address, and the tags to ${verb === 'Adds' ? 'add to' : 'remove from'} it.`,
          validate: { schema: addressTagsInput },
        }),
      },
      errors: addressErrors(field),
      resolve: async (_root, args, context) => {
        const tenant = requireTenant(context);
        const { id, tags } = parsedBy(addressTagsInput, args.input);
        await context.emporix.call(endpoint, tenant, {
          params: { addressId: id },
          query: { tags: tags.join(',') },
        });
        return written(context, tenant, id);
      },
    }),
  );
}
