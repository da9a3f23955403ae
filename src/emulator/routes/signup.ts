import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { requireToken } from '../guards.js';
import { badRequest, conflict, type ErrorDetail, notFound, parseBody } from '../http.js';
import { type Route, route } from '../router.js';
import { type AddressRecord, sameEmail } from '../state.js';
import { addressCreateBody } from './addresses.js';
import { customerTokenBody, MIN_PASSWORD_LENGTH, passwordMessage } from './auth.js';

// Deliberately loose: the emulator only needs to refuse obvious non-addresses.
const emailAddress = z.string().regex(/^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'Must be an email address.');
const password = z.string().min(MIN_PASSWORD_LENGTH, passwordMessage);
const text = z.string();
const mixins = z.record(z.string(), z.unknown());
// Mixins are not modelled: accepted so that a conforming body passes, then dropped (as the address book does).
const mixinFields = {
  mixins: mixins.optional(),
  metadata: z.strictObject({ mixins: mixins.optional() }).optional(),
};

/** CustomerUpdateDto (CustomerCommonDto + contactEmail). */
const customerDetails = z.strictObject({
  title: text.optional(),
  firstName: text.optional(),
  middleName: text.optional(),
  lastName: text.optional(),
  contactEmail: text.optional(),
  contactPhone: text.optional(),
  company: text.optional(),
  preferredLanguage: text.optional(),
  preferredCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'preferredCurrency must be an ISO 4217 code.')
    .optional(),
  preferredSite: text.optional(),
  b2b: z.strictObject({ companyRegistrationId: text.optional() }).optional(),
  ...mixinFields,
});

/** Address, minus what the server assigns (id, metadata.version): the address book's create body and `isDefault`. */
const customerAddress = addressCreateBody.extend({ isDefault: z.boolean().optional() });

const signupBody = z.strictObject({
  email: emailAddress,
  password,
  customerDetails: customerDetails.optional(),
  customerAddress: customerAddress.optional(),
  signup: z.strictObject({ email: emailAddress, password }).optional(),
});

const resendBody = z.strictObject({ email: z.string() });

type SignupAddress = z.infer<typeof customerAddress>;

function toAddressRecord(address: SignupAddress): AddressRecord {
  const { mixins: _mixins, metadata: _metadata, tags, isDefault, ...fields } = address;
  return {
    ...fields,
    id: randomBytes(5).toString('hex'),
    isDefault: isDefault ?? false,
    tags: [...new Set(tags ?? [])],
    version: 1,
  };
}

function fail(field: string, message: string): ErrorDetail {
  return { field, type: 'invalid_value', message };
}

/** The rules the schema cannot say: the contact email is the account's email, B2B needs names and company. */
function checkDetails(body: z.infer<typeof signupBody>): void {
  const details = body.customerDetails;
  if (!details) return;
  if (details.contactEmail !== undefined && !sameEmail(details.contactEmail, body.email)) {
    throw badRequest('customerDetails.contactEmail must be the same as email.', [
      fail('customerDetails.contactEmail', 'Must be the same as email.'),
    ]);
  }
  if (details.b2b?.companyRegistrationId === undefined) return;
  const missing = (['firstName', 'lastName', 'company'] as const).filter((f) => !details[f]?.trim());
  if (missing.length > 0) {
    throw badRequest(
      'A B2B customer (b2b.companyRegistrationId) needs firstName, lastName and company.',
      missing.map((f) => ({
        field: `customerDetails.${f}`,
        type: 'missing_value',
        message: `Field 'customerDetails.${f}' is required for a B2B customer.`,
      })),
    );
  }
}

const invalidOptInToken = () =>
  badRequest('The token is invalid, has already been used or has expired.', [
    { field: 'token', type: 'invalid_value', message: 'Unknown, used or expired token.' },
  ]);

export const signupRoutes: Route[] = [
  route('POST', '/customer/:tenant/signup', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    requireToken(ctx, tenant);
    const body = parseBody(ctx, signupBody);
    checkDetails(body);
    // `signup` carries separate log-in credentials; `email` then stays the contact email only.
    const login = body.signup ?? { email: body.email, password: body.password };
    if (ctx.state.findCustomerByEmail(tenant, login.email)) {
      throw conflict(`Duplicate account '${login.email}' for tenant '${tenant}'.`);
    }
    const {
      mixins: _mixins,
      metadata: _metadata,
      b2b,
      contactEmail,
      ...details
    } = body.customerDetails ?? {};
    const customer = ctx.state.createCustomer(tenant, {
      ...details,
      loginEmail: login.email,
      password: login.password,
      contactEmail: contactEmail ?? body.email,
      companyRegistrationId: b2b?.companyRegistrationId,
      addresses: body.customerAddress ? [toAddressRecord(body.customerAddress)] : [],
      confirmed: false,
    });
    ctx.state.sendSignUpConfirmation(tenant, customer);
    return { status: 201, body: { id: customer.id } };
  }),

  // The token comes from the confirmation mail; confirming logs the customer in.
  route('GET', '/customer/:tenant/signup/optin/:token', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    requireToken(ctx, tenant);
    const token = ctx.params.token ?? '';
    const record = ctx.state.findMailToken(tenant, 'signup-confirmation', token);
    const customer = ctx.state.findCustomer(tenant, record?.customerId);
    if (!record || !customer) throw invalidOptInToken();
    ctx.state.consumeMailToken(token);
    customer.confirmed = true;
    const session = ctx.state.startCustomerSession(tenant, customer);
    return { status: 200, body: customerTokenBody(ctx.state, customer, session) };
  }),

  // 404 and 409 are not documented; the real service has to say something for these cases.
  route('POST', '/customer/:tenant/signup/optin/refresh_token', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    requireToken(ctx, tenant);
    const body = parseBody(ctx, resendBody);
    const customer = ctx.state.findCustomerByEmail(tenant, body.email);
    if (!customer) throw notFound('resource_not_found', 'Customer account not found.');
    if (customer.confirmed) {
      throw conflict(`Account '${customer.loginEmail}' for tenant '${tenant}' is already confirmed.`);
    }
    ctx.state.sendSignUpConfirmation(tenant, customer);
    return { status: 202 };
  }),
];
