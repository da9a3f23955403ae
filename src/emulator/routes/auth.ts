import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { requireToken } from '../guards.js';
import { badRequest, parseBody, unauthorized } from '../http.js';
import { type Route, route } from '../router.js';
import { fakeSaasToken, randomToken } from '../tokens.js';

/** Refresh tokens are handed out for shape fidelity only; the emulator has no refresh endpoint. */
const REFRESH_TOKEN_TTL_SECONDS = 86400;

const loginBody = z.strictObject({ email: z.string(), password: z.string() });

export const authRoutes: Route[] = [
  route('GET', '/customerlogin/auth/anonymous/login', (ctx) => {
    const tenantName = ctx.query.get('tenant');
    const tenant = tenantName ? ctx.state.tenants.get(tenantName) : undefined;
    if (!tenant) throw badRequest('The tenant information provided with the request is not valid.');
    const clientId = ctx.query.get('client_id');
    if (!clientId || !tenant.clientIds.has(clientId)) {
      throw badRequest('The client_id provided with the request is not valid for this tenant.');
    }
    const ttl = ctx.state.ttl.anonymousToken;
    return {
      status: 200,
      body: {
        access_token: ctx.state.issueAnonymousToken(tenant.name, ttl),
        token_type: 'Bearer',
        expires_in: ttl,
        refresh_token: randomToken(24),
        refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS,
        sessionId: randomUUID(),
        scope: `tenant=${tenant.name}`,
      },
    };
  }),

  route('POST', '/customer/:tenant/login', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    requireToken(ctx, tenant);
    const body = parseBody(ctx, loginBody);
    const customer = ctx.state.findCustomerByEmail(tenant, body.email);
    if (!customer || customer.password !== body.password) {
      throw unauthorized('Invalid customer credentials', 'customer.invalid_credentials');
    }
    const ttl = ctx.state.ttl.customerToken;
    const expiresAtMs = ctx.state.now() + ttl * 1000;
    return {
      status: 200,
      body: {
        access_token: ctx.state.issueCustomerToken(tenant, customer.id, ttl),
        saas_token: fakeSaasToken(ctx.state.saasSecret, customer.customerNumber, expiresAtMs),
        expires_in: ttl,
        refresh_token: randomToken(24),
        refresh_token_expires_in: REFRESH_TOKEN_TTL_SECONDS,
        token_type: 'Bearer',
        session_id: randomUUID(),
        initialPassword: false,
      },
    };
  }),
];
