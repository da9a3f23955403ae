import { z } from 'zod';
import { requireCustomerToken, requireToken } from '../guards.js';
import { badRequest, invalidCredentials, parseBody, type RequestContext, requiredQuery } from '../http.js';
import { type Route, route } from '../router.js';
import type { CustomerRecord, EmulatorState, SessionContext, SessionTokens, TenantRecord } from '../state.js';
import { fakeSaasToken } from '../tokens.js';

/** PasswordAuthentication.password has minLength 6; sign-up and password changes use the same floor. */
export const MIN_PASSWORD_LENGTH = 6;
export const passwordMessage = `Password must be at least ${MIN_PASSWORD_LENGTH} characters long.`;

const loginBody = z.strictObject({
  email: z.string().min(1, 'email must not be empty.'),
  password: z.string().min(MIN_PASSWORD_LENGTH, passwordMessage),
});

/** The `scope` string of the docs' examples: the token's scopes, then `tenant=<tenant>`. */
export function scopeString(scopes: readonly string[], tenant: string): string {
  return [...scopes, `tenant=${tenant}`].join(' ');
}

/** RefreshCustomerToken, with the deprecated camelCase duplicates the schema still lists. */
export function refreshTokenBody(session: SessionTokens) {
  return {
    access_token: session.accessToken,
    expires_in: session.expiresIn,
    refresh_token: session.refreshToken,
    refresh_token_expires_in: session.refreshExpiresIn,
    token_type: 'Bearer',
    session_id: session.sessionId,
    accessToken: session.accessToken,
    expiresIn: session.expiresIn,
    refreshToken: session.refreshToken,
    refreshTokenExpiresIn: session.refreshExpiresIn,
  };
}

export function saasToken(state: EmulatorState, customer: CustomerRecord, session: SessionTokens): string {
  return fakeSaasToken(state.saasSecret, customer.customerNumber, session.accessExpiresAtMs);
}

/** CustomerToken: what a password log-in and a confirmed opt-in answer. */
export function customerTokenBody(state: EmulatorState, customer: CustomerRecord, session: SessionTokens) {
  const saas = saasToken(state, customer, session);
  return {
    ...refreshTokenBody(session),
    saas_token: saas,
    saasToken: saas,
    // The schema types it as a string, but the documented example (and the live API) sends a boolean.
    initialPassword: false,
  };
}

/** The anonymous endpoints take the tenant and client id as query parameters and refuse them with these 400s. */
function storefrontTenant(ctx: RequestContext): TenantRecord {
  const tenantName = ctx.query.get('tenant');
  const tenant = tenantName ? ctx.state.tenants.get(tenantName) : undefined;
  if (!tenant) throw badRequest('The tenant information provided with the request is not valid.');
  const clientId = ctx.query.get('client_id');
  if (!clientId || !tenant.clientIds.has(clientId)) {
    throw badRequest('The client_id provided with the request is not valid for this tenant.');
  }
  return tenant;
}

function sessionContext(query: URLSearchParams): SessionContext {
  const context: SessionContext = {};
  for (const key of ['currency', 'siteCode', 'language', 'targetLocation'] as const) {
    const value = query.get(key);
    if (value !== null && value !== '') context[key] = value;
  }
  return context;
}

const invalidRefreshToken = () =>
  badRequest('The refresh token is invalid, has already been used or has expired.', [
    { field: 'refreshToken', type: 'invalid_value', message: 'Unknown, used or expired refresh token.' },
  ]);

export const authRoutes: Route[] = [
  route('GET', '/customerlogin/auth/anonymous/login', (ctx) => {
    const tenant = storefrontTenant(ctx);
    const session = ctx.state.startAnonymousSession(tenant.name, sessionContext(ctx.query));
    return {
      status: 200,
      body: {
        access_token: session.accessToken,
        token_type: 'Bearer',
        expires_in: session.expiresIn,
        refresh_token: session.refreshToken,
        refresh_token_expires_in: session.refreshExpiresIn,
        sessionId: session.sessionId,
        scope: scopeString([], tenant.name),
      },
    };
  }),

  route('GET', '/customerlogin/auth/anonymous/refresh', (ctx) => {
    const tenant = storefrontTenant(ctx);
    const refreshToken = ctx.query.get('refresh_token') ?? '';
    const record = ctx.state.findRefreshToken(tenant.name, 'anonymous', refreshToken);
    if (!record) throw badRequest('The refresh_token provided with the request is not valid.');
    // Deprecated, but when sent it must name the session's current access token, expired or not.
    const anonymousToken = ctx.query.get('anonymous_token');
    if (anonymousToken !== null && anonymousToken !== record.accessToken) {
      throw badRequest('The anonymous_token provided with the request is not valid.');
    }
    const renewed = ctx.state.refreshAnonymousSession(record);
    return {
      status: 200,
      body: {
        access_token: renewed.accessToken,
        token_type: 'Bearer',
        expires_in: renewed.expiresIn,
        // As in the documented example: the refresh token (and its expiry) stays the same.
        refresh_token: refreshToken,
        refresh_token_expires_in: ctx.state.secondsUntil(record.expiresAtMs),
        sessionId: record.sessionId,
        scope: scopeString([], tenant.name),
      },
    };
  }),

  route('POST', '/customer/:tenant/login', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    requireToken(ctx, tenant);
    const body = parseBody(ctx, loginBody);
    const customer = ctx.state.findCustomerByEmail(tenant, body.email);
    // One answer for all three, so that the response never tells which emails have (pending) accounts.
    if (!customer || customer.password !== body.password || !customer.confirmed) throw invalidCredentials();
    const session = ctx.state.startCustomerSession(tenant, customer);
    return { status: 200, body: customerTokenBody(ctx.state, customer, session) };
  }),

  route('GET', '/customer/:tenant/refreshauthtoken', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    requireToken(ctx, tenant);
    const refreshToken = requiredQuery(ctx, 'refreshToken');
    // legalEntityId is accepted and ignored: the emulator has no legal entities (B2C only).
    const record = ctx.state.findRefreshToken(tenant, 'customer', refreshToken);
    if (!record || !ctx.state.findCustomer(tenant, record.customerId)) throw invalidRefreshToken();
    return {
      status: 200,
      body: refreshTokenBody(ctx.state.rotateCustomerRefreshToken(refreshToken, record)),
    };
  }),

  route('GET', '/customer/:tenant/logout', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    const caller = requireCustomerToken(ctx, tenant);
    const accessToken = requiredQuery(ctx, 'accessToken');
    const lookup = ctx.state.lookupAccessToken(accessToken);
    // Only the caller's own live tokens: one customer cannot log another out.
    if (
      lookup.status !== 'valid' ||
      lookup.token.tenant !== tenant ||
      lookup.token.kind !== 'customer' ||
      lookup.token.customerId !== caller.customerId
    ) {
      throw badRequest('The access token to invalidate is not a live customer token of this customer.', [
        { field: 'accessToken', type: 'invalid_value', message: 'Unknown, expired or foreign access token.' },
      ]);
    }
    ctx.state.endSession(tenant, lookup.token.sessionId);
    return { status: 204 };
  }),

  route('GET', '/customer/:tenant/validateauthtoken', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    const token = requireCustomerToken(ctx, tenant);
    return {
      status: 200,
      body: {
        token_type: 'Bearer',
        expires_in: ctx.state.secondsUntil(token.expiresAtMs),
        scope: scopeString(token.scopes, tenant),
        sessionId: token.sessionId,
        ...(token.email !== undefined && { email: token.email }),
      },
    };
  }),
];
