import { requireToken } from '../guards.js';
import {
  badRequest,
  externalAuthenticationFailed,
  type HttpError,
  type RequestContext,
  requiredQuery,
  socialLoginFailed,
} from '../http.js';
import { type Route, route } from '../router.js';
import type { CustomerRecord } from '../state.js';
import { pkceChallenge, randomToken } from '../tokens.js';
import { saasToken, scopeString } from './auth.js';

/** The documented example's value; the emulator does not end idle sessions. */
const SESSION_IDLE_TIME_SECONDS = 120;
/** Lifetime of the id token the emulated identity provider hands back with a social log-in. */
const SOCIAL_ID_TOKEN_TTL_SECONDS = 300;

/**
 * The identity provider vouches for the email, so the first log-in creates a confirmed account (with a random
 * password nobody knows). A pending sign-up of that email must finish its own double opt-in first.
 */
function externalCustomer(
  ctx: RequestContext,
  tenant: string,
  email: string,
  fail: (reason: string) => HttpError,
): CustomerRecord {
  const existing = ctx.state.findCustomerByEmail(tenant, email);
  if (existing && !existing.confirmed) throw fail('the account has not confirmed its sign-up yet');
  return (
    existing ??
    ctx.state.createCustomer(tenant, { loginEmail: email, password: randomToken(24), confirmed: true })
  );
}

export const socialRoutes: Route[] = [
  // Auth0-style authorization-code log-in. The optional session-id header is accepted and ignored.
  route('POST', '/customer/:tenant/socialLogin', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    requireToken(ctx, tenant);
    const code = requiredQuery(ctx, 'code');
    const redirectUri = requiredQuery(ctx, 'redirect_uri');
    // Taken before any check, so a code is spent by every attempt, right or wrong (as OAuth servers do).
    const record = ctx.state.takeSocialCode(code);
    if (!record) throw socialLoginFailed('unknown, used or expired authorization code');
    if (record.redirectUri !== redirectUri) throw socialLoginFailed('redirect_uri does not match the code');
    if (record.codeChallenge !== undefined) {
      const verifier = ctx.query.get('code_verifier');
      if (!verifier || pkceChallenge(verifier) !== record.codeChallenge) {
        throw socialLoginFailed('code_verifier does not match the code challenge');
      }
    }
    const customer = externalCustomer(ctx, tenant, record.email, socialLoginFailed);
    const session = ctx.state.startCustomerSession(tenant, customer);
    return {
      status: 200,
      body: {
        social_access_token: randomToken(24),
        social_id_token: ctx.state.signIdpToken(customer.loginEmail, SOCIAL_ID_TOKEN_TTL_SECONDS, {
          aud: tenant,
        }),
        refresh_token: session.refreshToken,
        // The spec types both lifetimes of this answer as strings, unlike every other token answer.
        refresh_token_expires_in: String(session.refreshExpiresIn),
        session_idle_time: SESSION_IDLE_TIME_SECONDS,
        token_type: 'Bearer',
        access_token: session.accessToken,
        saas_token: saasToken(ctx.state, customer, session),
        expires_in: String(session.expiresIn),
        scope: scopeString(session.scopes, tenant),
      },
    };
  }),

  route('POST', '/customer/:tenant/exchangeauthtoken', (ctx) => {
    const tenant = ctx.params.tenant ?? '';
    requireToken(ctx, tenant);
    const subjectAccessToken = requiredQuery(ctx, 'subjectAccessToken');
    const config = ctx.query.get('config');
    if (config !== null && !ctx.state.tenants.get(tenant)?.exchangeConfigs.has(config)) {
      throw badRequest(`Configuration '${config}' does not exist.`, [
        { field: 'config', type: 'invalid_value', message: 'Unknown configuration.' },
      ]);
    }
    const verified = ctx.state.verifyExternalToken(subjectAccessToken);
    if ('error' in verified) throw externalAuthenticationFailed(verified.error);
    const customer = externalCustomer(ctx, tenant, verified.email, externalAuthenticationFailed);
    const session = ctx.state.startCustomerSession(tenant, customer);
    return {
      status: 200,
      body: {
        subject_access_token: subjectAccessToken,
        access_token: session.accessToken,
        saas_token: saasToken(ctx.state, customer, session),
        refresh_token: session.refreshToken,
        refresh_token_expires_in: session.refreshExpiresIn,
        session_idle_time: SESSION_IDLE_TIME_SECONDS,
        token_type: 'Bearer',
        expires_in: session.expiresIn,
        scope: scopeString(session.scopes, tenant),
        session_id: session.sessionId,
      },
    };
  }),
];
