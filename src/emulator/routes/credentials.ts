import { z } from 'zod';
import { requireCustomer, requireToken } from '../guards.js';
import { badRequest, parseBody } from '../http.js';
import { type Route, route } from '../router.js';
import { type CustomerRecord, type EmulatorState, PROFILE_EDIT_SCOPE, sameEmail } from '../state.js';

const MIN_PASSWORD_LENGTH = 6;
const passwordMessage = `Password must be at least ${MIN_PASSWORD_LENGTH} characters long.`;
// Deliberately loose: the emulator only needs to refuse obvious non-addresses.
const emailShape = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

const emailChangeBody = z.strictObject({
  email: z.string(),
  password: z.string(),
  newEmail: z.string().regex(emailShape, 'newEmail must be an email address.'),
  syncContactEmail: z.boolean().optional(),
});
const emailConfirmBody = z.strictObject({ token: z.string() });
const resetRequestBody = z.strictObject({ email: z.string(), site: z.string().optional() });
const resetUpdateBody = z.strictObject({
  token: z.string(),
  password: z.string().min(MIN_PASSWORD_LENGTH, passwordMessage),
});
const passwordChangeBody = z.strictObject({
  currentPassword: z.string(),
  newPassword: z.string().min(MIN_PASSWORD_LENGTH, passwordMessage),
});

const invalidMailToken = () =>
  badRequest('The token is invalid, has already been used or has expired.', [
    { field: 'token', type: 'invalid_value', message: 'Unknown, used or expired token.' },
  ]);

const emailTaken = () =>
  badRequest('The new email address is already in use.', [
    { field: 'newEmail', type: 'already_in_use', message: 'An account with this email already exists.' },
  ]);

/**
 * A new password, by reset or by change, ends every outstanding reset token of the customer (the one just used
 * included): an older reset mail must not be able to set the password again behind the customer's back.
 */
function setPassword(state: EmulatorState, tenant: string, customer: CustomerRecord, password: string): void {
  customer.password = password;
  state.revokeMailTokens(tenant, 'password-reset', customer.id);
}

export const credentialRoutes: Route[] = [
  route('POST', '/customer/:tenant/me/accounts/internal/email/change', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    const { customer } = requireCustomer(ctx, tenant, PROFILE_EDIT_SCOPE);
    const body = parseBody(ctx, emailChangeBody);
    if (!sameEmail(body.email, customer.loginEmail)) {
      throw badRequest('The email does not match the login email of the customer.', [
        { field: 'email', type: 'invalid_value', message: 'Not the current login email.' },
      ]);
    }
    if (body.password !== customer.password) {
      throw badRequest('The password is not correct.', [
        { field: 'password', type: 'invalid_value', message: 'Wrong password.' },
      ]);
    }
    // Includes the customer's own address: a change to the same email is refused too.
    if (ctx.state.findCustomerByEmail(tenant, body.newEmail)) throw emailTaken();
    ctx.state.sendMailToken(body.newEmail, {
      tenant,
      kind: 'email-change',
      customerId: customer.id,
      newEmail: body.newEmail,
      syncContactEmail: body.syncContactEmail ?? false,
    });
    return { status: 204 };
  }),

  route('POST', '/customer/:tenant/me/accounts/internal/email/change/confirm', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    requireToken(ctx, tenant);
    const body = parseBody(ctx, emailConfirmBody);
    const record = ctx.state.findMailToken(tenant, 'email-change', body.token);
    const customer = ctx.state.findCustomer(tenant, record?.customerId);
    if (!record || !customer || record.newEmail === undefined) throw invalidMailToken();
    // Another account may have taken the address between request and confirmation.
    const holder = ctx.state.findCustomerByEmail(tenant, record.newEmail);
    if (holder && holder.id !== customer.id) throw emailTaken();
    customer.loginEmail = record.newEmail;
    if (record.syncContactEmail) customer.contactEmail = record.newEmail;
    customer.version += 1;
    ctx.state.consumeMailToken(body.token);
    return { status: 204 };
  }),

  route('POST', '/customer/:tenant/password/reset', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    requireToken(ctx, tenant);
    const body = parseBody(ctx, resetRequestBody);
    const customer = ctx.state.findCustomerByEmail(tenant, body.email);
    // The spec documents 204, 400, 401 and 403 only: an email no account has gets the same 204, with no mail, so
    // the answer never tells which emails have accounts. A 404 (which clients must take as success too) is played
    // with a fault, e.g. injectFault({ method: 'POST', path: '/customer/demo/password/reset', status: 404 }).
    if (!customer) return { status: 204 };
    ctx.state.sendMailToken(customer.loginEmail, {
      tenant,
      kind: 'password-reset',
      customerId: customer.id,
    });
    return { status: 204 };
  }),

  route('POST', '/customer/:tenant/password/reset/update', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    requireToken(ctx, tenant);
    const body = parseBody(ctx, resetUpdateBody);
    const record = ctx.state.findMailToken(tenant, 'password-reset', body.token);
    const customer = ctx.state.findCustomer(tenant, record?.customerId);
    if (!record || !customer) throw invalidMailToken();
    setPassword(ctx.state, tenant, customer, body.password);
    return { status: 204 };
  }),

  route('POST', '/customer/:tenant/password/change', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    const { customer } = requireCustomer(ctx, tenant);
    const body = parseBody(ctx, passwordChangeBody);
    if (body.currentPassword !== customer.password) {
      throw badRequest('The current password is not correct.', [
        { field: 'currentPassword', type: 'invalid_value', message: 'Wrong password.' },
      ]);
    }
    setPassword(ctx.state, tenant, customer, body.newPassword);
    return { status: 204 };
  }),
];
