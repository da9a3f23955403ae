/**
 * Single sign-on: an Auth0 authorization code (social log-in) or an external identity provider's access token
 * (token exchange), each turned into Emporix customer tokens, typed like `logIn`.
 */
import { type Context, requireTenant, requireTenantAndConfiguration } from '../context.js';
import { readCustomerToken } from '../emporix/token-answers.js';
import { InvalidCredentialsError } from '../errors.js';
import { builder } from './builder.js';
import { Customer } from './customer.js';
import { type SignedIn, signedIn, signedInCustomer } from './log-in.js';
import { resultUnion } from './success.js';
import { CustomerTokens } from './tokens.js';
import { exchangeExternalTokenInput, logInWithSocialProviderInput, parsedBy } from './validation.js';

interface SocialSignedIn extends SignedIn {
  socialAccessToken: string | null;
  socialIdToken: string | null;
  sessionIdleTimeSeconds: number | null;
}

type Types = typeof builder.$inferSchemaTypes;

function ssoFields(t: PothosSchemaTypes.ObjectFieldBuilder<Types, SocialSignedIn>) {
  return {
    success: t.exposeBoolean('success', { description: 'Always true.' }),
    tokens: t.field({
      type: CustomerTokens,
      nullable: true,
      description:
        "The customer's tokens; null when the gateway keeps them in its own session (SESSIONS=on, no Authorization header).",
      resolve: (result) => (result.keptInSession ? null : result.tokens),
    }),
    sessionIdleTimeSeconds: t.exposeInt('sessionIdleTimeSeconds', {
      nullable: true,
      description:
        "Emporix's `session_idle_time`: seconds of inactivity after which the session ends; null when not sent.",
    }),
    customer: t.field({
      type: Customer,
      description: 'The signed-in profile, read with the new access token (only when selected).',
      resolve: (result, _args, context, info) => signedInCustomer(result, context, info),
    }),
  };
}

const LogInWithSocialProviderSuccess = builder
  .objectRef<SocialSignedIn>('LogInWithSocialProviderSuccess')
  .implement({
    description: 'The customer is logged in through the social provider.',
    fields: (t) => ({
      ...ssoFields(t),
      socialAccessToken: t.exposeString('socialAccessToken', {
        nullable: true,
        description:
          "The provider's access token (Emporix `social_access_token`); null where the gateway keeps the session.",
      }),
      socialIdToken: t.exposeString('socialIdToken', {
        nullable: true,
        description:
          "The provider's ID token (Emporix `social_id_token`); null where the gateway keeps the session.",
      }),
    }),
  });

const ExchangeExternalTokenSuccess = builder
  .objectRef<SocialSignedIn>('ExchangeExternalTokenSuccess')
  .implement({
    description: "The external identity provider's token was exchanged: the customer is logged in.",
    fields: (t) => ssoFields(t),
  });

const LogInWithSocialProviderInput = builder.inputType('LogInWithSocialProviderInput', {
  description: 'What Auth0 handed the storefront on its redirect.',
  fields: (t) => ({
    code: t.string({ required: true, description: 'The authorization code: 1 to 2048 URL-safe characters.' }),
    redirectUri: t.string({
      required: true,
      description:
        'The redirect URI of the authorization request: an absolute https URL (or http://localhost outside production) listed in SOCIAL_REDIRECT_URIS.',
    }),
    codeVerifier: t.string({
      required: false,
      description: 'The PKCE code verifier (RFC 7636): 43 to 128 characters of A-Z a-z 0-9 - . _ ~',
    }),
    anonymousSessionId: t.string({
      required: false,
      description:
        "The shopper's anonymous session id (a UUID), sent as Emporix's `session-id` header to carry the session over.",
    }),
  }),
});

async function ssoSuccess(
  context: Context,
  tenant: string,
  json: unknown,
  status: number,
): Promise<SocialSignedIn> {
  const { token, tokens } = readCustomerToken(json, status);
  const success = await signedIn(context, tenant, tokens);
  // Where the gateway keeps the session, the provider's tokens stay out of the browser like Emporix's own.
  const answered = (value: string | undefined) => (success.keptInSession ? null : (value ?? null));
  return {
    ...success,
    socialAccessToken: answered(token.socialAccessToken),
    socialIdToken: answered(token.socialIdToken),
    sessionIdleTimeSeconds:
      token.sessionIdleTime === undefined ? null : Math.min(token.sessionIdleTime, 2 ** 31 - 1),
  };
}

builder.mutationField('logInWithSocialProvider', (t) =>
  t.field({
    type: LogInWithSocialProviderSuccess,
    description:
      'Logs a customer in with an Auth0 authorization code (POST /customer/{tenant}/socialLogin, anonymous token). A refused code, redirect URI or PKCE verifier is an InvalidCredentialsError. Never retried: a code is single-use.',
    args: {
      input: t.arg({
        type: LogInWithSocialProviderInput,
        required: true,
        description:
          'The authorization code Auth0 handed the storefront, with the redirect URI (and PKCE verifier) it was asked for.',
        validate: { schema: logInWithSocialProviderInput },
      }),
    },
    errors: { ...resultUnion('logInWithSocialProvider'), types: [InvalidCredentialsError] },
    resolve: async (_root, args, context) => {
      // Every failing field in one answer: the tenant beside a redirect URI the allow-list refuses.
      const tenant = requireTenantAndConfiguration(context, 'logInWithSocialProvider', args);
      const input = parsedBy(logInWithSocialProviderInput, args.input);
      await context.limitRate('logInWithSocialProvider', tenant, input.code);
      const { status, json } = await context.emporix.call('socialLogin', tenant, {
        query: { code: input.code, redirect_uri: input.redirectUri, code_verifier: input.codeVerifier },
        headers:
          input.anonymousSessionId === undefined ? undefined : { 'session-id': input.anonymousSessionId },
      });
      return ssoSuccess(context, tenant, json, status);
    },
  }),
);

const ExchangeExternalTokenInput = builder.inputType('ExchangeExternalTokenInput', {
  description: "An access token from the shop's own identity provider (Keycloak, Entra, Okta, ...).",
  fields: (t) => ({
    subjectAccessToken: t.string({
      required: true,
      description:
        'The external access token: a compact JWS (three base64url parts), at most 8192 characters.',
    }),
    config: t.string({
      required: false,
      description:
        'The Emporix exchange configuration, e.g. site_PL: 1 to 64 letters, digits, "-", "_". Default when absent.',
    }),
  }),
});

builder.mutationField('exchangeExternalToken', (t) =>
  t.field({
    type: ExchangeExternalTokenSuccess,
    description:
      "Exchanges an external identity provider's access token for Emporix customer tokens (POST /customer/{tenant}/exchangeauthtoken, anonymous token). A token Emporix refuses is an InvalidCredentialsError; its signature is Emporix's to check.",
    args: {
      input: t.arg({
        type: ExchangeExternalTokenInput,
        required: true,
        description: "The access token from the shop's own identity provider.",
        validate: { schema: exchangeExternalTokenInput },
      }),
    },
    errors: { ...resultUnion('exchangeExternalToken'), types: [InvalidCredentialsError] },
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const input = parsedBy(exchangeExternalTokenInput, args.input);
      await context.limitRate('exchangeExternalToken', tenant, input.subjectAccessToken);
      const { status, json } = await context.emporix.call('exchangeToken', tenant, {
        query: { subjectAccessToken: input.subjectAccessToken, config: input.config },
      });
      return ssoSuccess(context, tenant, json, status);
    },
  }),
);
