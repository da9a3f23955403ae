import { expiredToken, forbidden, invalidToken, missingToken, type RequestContext } from './http.js';
import type { AccessTokenRecord, CustomerRecord } from './state.js';

/** Any valid token of the tenant in the path (anonymous or customer), as the API gateway checks it. */
export function requireToken(ctx: RequestContext, tenant: string): AccessTokenRecord {
  const header = ctx.headers.authorization;
  if (header === undefined || header.trim() === '') throw missingToken();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const value = match?.[1];
  if (value === undefined) throw invalidToken();
  const lookup = ctx.state.lookupAccessToken(value);
  if (lookup.status === 'invalid') throw invalidToken();
  // A token of another tenant is unknown there, whether or not it has expired.
  if (lookup.token.tenant !== tenant) throw invalidToken();
  if (lookup.status === 'expired') throw expiredToken();
  return lookup.token;
}

export function requireCustomer(
  ctx: RequestContext,
  tenant: string,
  scope?: string,
): { token: AccessTokenRecord; customer: CustomerRecord } {
  const token = requireToken(ctx, tenant);
  if (token.kind !== 'customer') throw forbidden();
  if (scope !== undefined && !token.scopes.includes(scope)) throw forbidden();
  const customer = ctx.state.findCustomer(tenant, token.customerId);
  if (!customer) throw invalidToken();
  return { token, customer };
}

/**
 * A customer token of the tenant, for endpoints that are about the caller's own session (log-out, validation):
 * an anonymous token has no such session, so it is answered like an invalid token (401), not with a 403.
 */
export function requireCustomerToken(ctx: RequestContext, tenant: string): AccessTokenRecord {
  const token = requireToken(ctx, tenant);
  if (token.kind !== 'customer' || !ctx.state.findCustomer(tenant, token.customerId)) throw invalidToken();
  return token;
}
