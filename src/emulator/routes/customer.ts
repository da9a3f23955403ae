import { z } from 'zod';
import { requireCustomer, requireToken } from '../guards.js';
import { badRequest, type ErrorDetail, invalidToken, parseBody, type RequestContext } from '../http.js';
import { type Route, route } from '../router.js';
import type { CustomerRecord } from '../state.js';
import { addressDto, addressRoutes, versionConflict } from './addresses.js';

export function customerProfile(c: CustomerRecord, options: { addresses?: boolean } = {}) {
  const defaultAddress = c.addresses.find((a) => a.isDefault);
  // Optional fields are left out rather than sent as null, as the real API does.
  return {
    id: c.id,
    customerNumber: c.customerNumber,
    ...(c.title !== undefined && { title: c.title }),
    firstName: c.firstName,
    ...(c.middleName !== undefined && { middleName: c.middleName }),
    lastName: c.lastName,
    ...(c.contactEmail !== undefined && { contactEmail: c.contactEmail }),
    ...(c.contactPhone !== undefined && { contactPhone: c.contactPhone }),
    ...(c.company !== undefined && { company: c.company }),
    preferredLanguage: c.preferredLanguage,
    preferredCurrency: c.preferredCurrency,
    preferredSite: c.preferredSite,
    accounts: [{ id: c.loginEmail }],
    businessModel: c.businessModel,
    ...(c.companyRegistrationId !== undefined && { b2b: { companyRegistrationId: c.companyRegistrationId } }),
    ...(c.lastLogin !== undefined && { lastLogin: c.lastLogin }),
    ...(options.addresses && { addresses: c.addresses.map(addressDto) }),
    ...(options.addresses && defaultAddress && { defaultAddress: addressDto(defaultAddress) }),
    mixins: {},
    metadata: { mixins: {}, version: c.version },
  };
}

const anonymousProfile = {
  firstName: 'Anonymous',
  lastName: 'Anonymous',
  preferredSite: 'main',
  customerNumber: '00000000',
  id: '00000000',
  accounts: [],
};

/** `?expand=addresses,mixin:*`: values it does not know (mixins are not modelled) are ignored, not refused. */
function expands(ctx: RequestContext, what: string): boolean {
  return ctx.query
    .getAll('expand')
    .flatMap((value) => value.split(','))
    .some((entry) => entry.trim() === what);
}

// Deliberately loose: the emulator only needs to refuse obvious non-addresses.
const emailShape = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const mixins = z.record(z.string(), z.unknown());
const nullableText = z.string().nullable().optional();
/** Fields every profile has: null cannot clear them, so it is refused rather than guessed into a default. */
const kept = (field: string, schema: z.ZodString = z.string()) =>
  schema
    .nullable()
    .optional()
    .refine((value) => value !== null, `Field '${field}' cannot be unset.`);

const profilePatch = z.strictObject({
  title: nullableText,
  firstName: kept('firstName'),
  middleName: nullableText,
  lastName: kept('lastName'),
  contactEmail: z.string().regex(emailShape, 'contactEmail must be an email address.').nullable().optional(),
  contactPhone: nullableText,
  company: nullableText,
  preferredLanguage: kept('preferredLanguage', z.string().min(1)),
  preferredCurrency: kept(
    'preferredCurrency',
    z.string().regex(/^[A-Z]{3}$/, 'preferredCurrency must be an ISO 4217 code (three upper-case letters).'),
  ),
  preferredSite: kept('preferredSite', z.string().min(1)),
  b2b: z
    .strictObject({
      companyRegistrationId: z
        .string()
        .min(1, 'b2b.companyRegistrationId must not be empty; send null to clear it.')
        .nullable()
        .optional(),
    })
    .nullable()
    .optional(),
  // Mixins are not modelled: accepted so that a conforming body passes, then dropped.
  mixins: mixins.optional(),
  metadata: z.strictObject({ version: z.number().int().optional(), mixins: mixins.optional() }).optional(),
});
type ProfilePatch = z.infer<typeof profilePatch>;

const CLEARABLE = ['title', 'middleName', 'contactEmail', 'contactPhone', 'company'] as const;
const KEPT = ['firstName', 'lastName', 'preferredLanguage', 'preferredCurrency', 'preferredSite'] as const;
const B2B_REQUIRED = ['firstName', 'lastName', 'company'] as const;

/** The profile as it would be after the patch; the stored one is untouched until every rule has passed. */
function patched(customer: CustomerRecord, body: ProfilePatch): CustomerRecord {
  const next = { ...customer };
  for (const field of CLEARABLE) {
    const value = body[field];
    if (value !== undefined) next[field] = value ?? undefined;
  }
  for (const field of KEPT) {
    const value = body[field];
    if (typeof value === 'string') next[field] = value;
  }
  // b2b null clears the whole object, hence its registration id.
  const registrationId = body.b2b === null ? null : body.b2b?.companyRegistrationId;
  if (registrationId !== undefined) {
    next.companyRegistrationId = registrationId ?? undefined;
    next.businessModel = registrationId === null ? 'B2C' : 'B2B';
  }
  return next;
}

/** The documented B2BCreate rule, checked on the resulting profile so that a patch cannot strip a B2B customer. */
function checkB2B(next: CustomerRecord): void {
  if (next.companyRegistrationId === undefined) return;
  const missing = B2B_REQUIRED.filter((field) => (next[field] ?? '').trim() === '');
  if (missing.length === 0) return;
  const details: ErrorDetail[] = missing.map((field) => ({
    field,
    type: 'missing_value',
    message: `Field '${field}' is required for a B2B customer (one with b2b.companyRegistrationId).`,
  }));
  throw badRequest('A B2B customer needs firstName, lastName and company.', details);
}

export const customerRoutes: Route[] = [
  route('GET', '/customer/:tenant/me', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    const token = requireToken(ctx, tenant);
    if (token.kind === 'anonymous') return { status: 200, body: anonymousProfile };
    const customer = ctx.state.findCustomer(tenant, token.customerId);
    if (!customer) throw invalidToken();
    return { status: 200, body: customerProfile(customer, { addresses: expands(ctx, 'addresses') }) };
  }),

  route('PATCH', '/customer/:tenant/me', (ctx) => {
    const { customer } = requireCustomer(ctx, ctx.params.tenant ?? '');
    const body = parseBody(ctx, profilePatch);
    // Optimistic locking only when the client sends a version; without one the patch always applies.
    const sentVersion = body.metadata?.version;
    if (sentVersion !== undefined && sentVersion !== customer.version) {
      throw versionConflict(sentVersion, customer.version);
    }
    if (body.contactEmail === null && customer.contactEmail !== undefined) {
      throw badRequest('contactEmail cannot be unset once a value is present.', [
        { field: 'contactEmail', type: 'invalid_value', message: "Field 'contactEmail' cannot be unset." },
      ]);
    }
    const next = patched(customer, body);
    checkB2B(next);
    Object.assign(customer, next, { version: customer.version + 1 });
    return { status: 200 };
  }),

  // Also registered here so that the address book is served without a change to index.ts.
  ...addressRoutes,
];
