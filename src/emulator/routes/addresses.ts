import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { requireCustomer } from '../guards.js';
import { badRequest, type ErrorDetail, notFound, parseBody, type RequestContext } from '../http.js';
import { type Route, route } from '../router.js';
import type { AddressRecord, CustomerRecord } from '../state.js';

/** The optional text fields of an address, in the order the answers list them. */
const OPTIONAL_FIELDS = [
  'companyName',
  'street',
  'streetNumber',
  'streetAppendix',
  'extraLine1',
  'extraLine2',
  'extraLine3',
  'extraLine4',
  'zipCode',
  'city',
  'state',
  'country',
  'contactPhone',
] as const;

/** AddressDto: the fields that are set (never null), plus the flags every address has. */
export function addressDto(a: AddressRecord) {
  const set: Record<string, string> = {};
  for (const field of OPTIONAL_FIELDS) {
    const value = a[field];
    if (value !== undefined) set[field] = value;
  }
  return {
    id: a.id,
    contactName: a.contactName,
    ...set,
    isDefault: a.isDefault,
    tags: [...a.tags],
    metadata: { version: a.version },
  };
}

// A tag travels in a comma-separated query parameter, so one with a comma or edge blanks could never be removed.
const tag = z
  .string()
  .regex(/^[^,\s](?:[^,]*[^,\s])?$/, 'A tag must be non-empty, without commas or surrounding blanks.');
const contactName = z.string().regex(/\S/, 'contactName must not be blank.');
const country = z
  .string()
  .regex(/^[A-Z]{2}$/, 'country must be an ISO 3166-1 alpha-2 code (two upper-case letters).');
const mixins = z.record(z.string(), z.unknown());

const text = z.string();
/** `AddressCreateDto`; sign-up's `customerAddress` is the same with `isDefault` (see signup.ts). */
export const addressCreateBody = z.strictObject({
  contactName,
  companyName: text.optional(),
  street: text.optional(),
  streetNumber: text.optional(),
  streetAppendix: text.optional(),
  extraLine1: text.optional(),
  extraLine2: text.optional(),
  extraLine3: text.optional(),
  extraLine4: text.optional(),
  zipCode: text.optional(),
  city: text.optional(),
  state: text.optional(),
  country: country.optional(),
  contactPhone: text.optional(),
  tags: z.array(tag).optional(),
  // Mixins are not modelled: accepted so that a conforming body passes, then dropped.
  mixins: mixins.optional(),
  metadata: z.strictObject({ mixins: mixins.optional() }).optional(),
});

const nullableText = text.nullable().optional();
const updateBody = z.strictObject({
  // null means "clear", which an address cannot do with the one field it requires.
  contactName: contactName
    .nullable()
    .optional()
    .refine(
      (value) => value !== null,
      "Field 'contactName' cannot be unset: an address needs a contact name.",
    ),
  companyName: nullableText,
  street: nullableText,
  streetNumber: nullableText,
  streetAppendix: nullableText,
  extraLine1: nullableText,
  extraLine2: nullableText,
  extraLine3: nullableText,
  extraLine4: nullableText,
  zipCode: nullableText,
  city: nullableText,
  state: nullableText,
  country: country.nullable().optional(),
  contactPhone: nullableText,
  tags: z.array(tag).nullable().optional(),
  isDefault: z.boolean().optional(),
  mixins: mixins.optional(),
  metadata: z.strictObject({ version: z.number().int().optional(), mixins: mixins.optional() }).optional(),
});

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function addressNotFound(customer: CustomerRecord, addressId: string) {
  return notFound(
    'resource_not_found',
    `Address ${addressId} of customer ${customer.customerNumber} not found.`,
  );
}

/** Only the token's own book is searched, so another customer's address id is as unknown as a made-up one. */
function addressOf(customer: CustomerRecord, addressId: string): AddressRecord {
  const address = customer.addresses.find((a) => a.id === addressId);
  if (!address) throw addressNotFound(customer, addressId);
  return address;
}

/** Short, URL-safe ids in the shape of the documented example ('b05c20e034'). */
function newAddressId(customer: CustomerRecord): string {
  for (;;) {
    const id = randomBytes(5).toString('hex');
    if (!customer.addresses.some((a) => a.id === id)) return id;
  }
}

/** Same answer as a profile version conflict, so a client handles both alike. */
export function versionConflict(sent: number, current: number) {
  const message = `metadata.version ${sent} is not the current version ${current}.`;
  const details: ErrorDetail[] = [{ field: 'metadata.version', type: 'version_conflict', message }];
  return badRequest(`Version conflict: ${message} Read the resource again and retry.`, details);
}

/** `?tags=a,b`, also repeated; blanks around entries and empty entries are dropped. */
function tagsParam(ctx: RequestContext): string[] {
  const tags = ctx.query
    .getAll('tags')
    .flatMap((value) => value.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (tags.length === 0) {
    throw badRequest('Query parameter tags is required.', [
      {
        field: 'tags',
        type: 'missing_value',
        message: 'A comma-separated, non-empty list of tags is required.',
      },
    ]);
  }
  return unique(tags);
}

function makeOnlyDefault(customer: CustomerRecord, address: AddressRecord): void {
  for (const other of customer.addresses) other.isDefault = other === address;
}

const base = '/customer/:tenant/me/addresses';
const tenantOf = (ctx: RequestContext) => ctx.params.tenant ?? '';
const addressIdOf = (ctx: RequestContext) => ctx.params.addressId ?? '';

export const addressRoutes: Route[] = [
  route('GET', base, (ctx) => {
    const { customer } = requireCustomer(ctx, tenantOf(ctx));
    return { status: 200, body: customer.addresses.map(addressDto) };
  }),

  route('POST', base, (ctx) => {
    const { customer } = requireCustomer(ctx, tenantOf(ctx));
    const { tags, mixins: _mixins, metadata: _metadata, ...fields } = parseBody(ctx, addressCreateBody);
    const id = newAddressId(customer);
    // Never default implicitly, not even the first address: only PATCH isDefault true makes one default.
    customer.addresses.push({ ...fields, id, isDefault: false, tags: unique(tags ?? []), version: 1 });
    return { status: 201, body: { id } };
  }),

  route('GET', `${base}/:addressId`, (ctx) => {
    const { customer } = requireCustomer(ctx, tenantOf(ctx));
    return { status: 200, body: addressDto(addressOf(customer, addressIdOf(ctx))) };
  }),

  route('PATCH', `${base}/:addressId`, (ctx) => {
    const { customer } = requireCustomer(ctx, tenantOf(ctx));
    // Like a Spring controller, a malformed body is refused before the address is looked up.
    const body = parseBody(ctx, updateBody);
    const address = addressOf(customer, addressIdOf(ctx));
    const sentVersion = body.metadata?.version;
    if (sentVersion !== undefined && sentVersion !== address.version) {
      throw versionConflict(sentVersion, address.version);
    }
    if (body.contactName !== undefined && body.contactName !== null) address.contactName = body.contactName;
    for (const field of OPTIONAL_FIELDS) {
      const value = body[field];
      if (value !== undefined) address[field] = value ?? undefined;
    }
    if (body.tags !== undefined) address.tags = unique(body.tags ?? []);
    if (body.isDefault === true) makeOnlyDefault(customer, address);
    // Un-defaulting the default leaves the book without one; nothing is promoted in its place.
    if (body.isDefault === false) address.isDefault = false;
    address.version += 1;
    return { status: 200 };
  }),

  route('DELETE', `${base}/:addressId`, (ctx) => {
    const { customer } = requireCustomer(ctx, tenantOf(ctx));
    const address = addressOf(customer, addressIdOf(ctx));
    // Deleting the default leaves no default: promoting another one would be a guess about the customer's wish.
    customer.addresses = customer.addresses.filter((a) => a !== address);
    return { status: 204 };
  }),

  route('POST', `${base}/:addressId/tags`, (ctx) => {
    const { customer } = requireCustomer(ctx, tenantOf(ctx));
    const tags = tagsParam(ctx);
    const address = addressOf(customer, addressIdOf(ctx));
    address.tags = unique([...address.tags, ...tags]);
    address.version += 1;
    return { status: 204 };
  }),

  route('DELETE', `${base}/:addressId/tags`, (ctx) => {
    const { customer } = requireCustomer(ctx, tenantOf(ctx));
    const tags = new Set(tagsParam(ctx));
    const address = addressOf(customer, addressIdOf(ctx));
    // Removing a tag the address does not carry is not an error: the set ends up as asked either way.
    address.tags = address.tags.filter((t) => !tags.has(t));
    address.version += 1;
    return { status: 204 };
  }),
];
