/**
 * A customer's way in and out: sign-up and its double opt-in, log-in, token refresh, log-out, token details, and
 * anonymous sessions. Each answers a union of its success type and the error types; tokens are never logged.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { createGraphQLError } from 'graphql-yoga';
import { type Context, requireTenant, requireTenantAndConfiguration } from '../context.js';
import {
  type AnonymousTokensShape,
  type CustomerTokensShape,
  readAnonymousToken,
  readCustomerToken,
} from '../emporix/token-answers.js';
import { emporixTokenInfo } from '../emporix/types.js';
import { AccountExistsError, InvalidCredentialsError, UpstreamError } from '../errors.js';
import { sessionTokensFrom } from '../sessions/sessions.js';
import { builder } from './builder.js';
import { Customer, loadProfile, profileInputFields } from './customer.js';
import { resultUnion, success, successType } from './success.js';
import { AnonymousTokens, CustomerTokens } from './tokens.js';
import {
  confirmSignUpInput,
  logInInput,
  parsedBy,
  refreshAnonymousSessionInput,
  refreshCustomerTokenInput,
  resendSignUpConfirmationInput,
  signUpInput,
  startAnonymousSessionInput,
} from './validation.js';

/** Emporix's minimum log-in password length (`PasswordAuthentication`). */
const EMPORIX_MIN_LOGIN_PASSWORD = 6;

/** A success that carries fresh customer tokens; `customer` is read with them, only when selected. */
export interface SignedIn {
  success: true;
  tenant: string;
  tokens: CustomerTokensShape;
  /** The gateway keeps the tokens in a browser session: they are not answered. */
  keptInSession: boolean;
}

/**
 * With SESSIONS=on and no Authorization header, the tokens go into a new gateway session (its cookie is set on
 * the response) instead of the answer. Answers whether they did.
 */
export async function keepInSession(
  context: Context,
  tenant: string,
  tokens: CustomerTokensShape,
): Promise<boolean> {
  if (context.browserSession === undefined) return false;
  await context.browserSession.start(tenant, sessionTokensFrom(tokens, Date.now()));
  return true;
}

/** A signed-in success: the tokens, kept in a browser session when the gateway holds sessions for this caller. */
export async function signedIn(
  context: Context,
  tenant: string,
  tokens: CustomerTokensShape,
): Promise<SignedIn> {
  return { success: true, tenant, tokens, keptInSession: await keepInSession(context, tenant, tokens) };
}

/** `customer` of a signed-in success: the profile the new access token belongs to (one `me` per token). */
export function signedInCustomer(result: SignedIn, context: Context, info: GraphQLResolveInfo) {
  return loadProfile(context, info, result.tokens.accessToken);
}

type Types = typeof builder.$inferSchemaTypes;

function signedInFields<T extends SignedIn>(t: PothosSchemaTypes.ObjectFieldBuilder<Types, T>) {
  return {
    success: t.boolean({ description: 'Always true.', resolve: (result) => result.success }),
    tokens: t.field({
      type: CustomerTokens,
      nullable: true,
      description:
        "The customer's tokens; null when the gateway keeps them in its own session (SESSIONS=on, no Authorization header): the browser then has the session cookie.",
      resolve: (result) => (result.keptInSession ? null : result.tokens),
    }),
    customer: t.field({
      type: Customer,
      description: 'The signed-in profile, read with the new access token (only when selected).',
      resolve: (result, _args, context, info) => signedInCustomer(result, context, info),
    }),
  };
}

// Sign-up

const SignUpInput = builder.inputType('SignUpInput', {
  description:
    'A new customer account. Emporix mails a confirmation link; the account logs in once confirmed.',
  fields: (t) => ({
    email: t.string({
      required: true,
      description: 'The login email (also the contact email). Trimmed; at most 254.',
    }),
    password: t.string({
      required: true,
      description: '1 to 1024 characters, never trimmed; Emporix asks at least 6.',
    }),
    ...profileInputFields(t),
  }),
});

builder.mutationField('signUp', (t) =>
  t.field({
    type: successType(
      'SignUpSuccess',
      'The sign-up was accepted and Emporix mails a confirmation link (double opt-in). With SIGNUP_CONFLICTS=hide (the default) it is also the answer for an email that already has an account, so sign-up never tells whether an email has one.',
    ),
    description:
      'Creates a customer account, unconfirmed until `confirmSignUp` (POST /customer/{tenant}/signup, anonymous token). Works without an Authorization header when the gateway has EMPORIX_CLIENT_ID.',
    args: {
      input: t.arg({
        type: SignUpInput,
        required: true,
        description: 'The new account: its login email and password, and its profile.',
        validate: { schema: signUpInput },
      }),
    },
    errors: { ...resultUnion('signUp'), types: [AccountExistsError] },
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const { email, password, ...details } = parsedBy(signUpInput, args.input);
      await context.limitRate('signUp', tenant, undefined);
      try {
        await context.emporix.call('signUp', tenant, {
          // Emporix requires the contact email to match the login email.
          body: { email, password, customerDetails: { ...details, contactEmail: email } },
        });
      } catch (error) {
        if (!(error instanceof AccountExistsError) || context.settings.signUpConflicts === 'reveal')
          throw error;
      }
      return success;
    },
  }),
);

const ConfirmSignUpSuccess = builder.objectRef<SignedIn>('ConfirmSignUpSuccess').implement({
  description: 'The account is confirmed and the customer is logged in.',
  fields: (t) => signedInFields(t),
});

const ConfirmSignUpInput = builder.inputType('ConfirmSignUpInput', {
  description: 'The token from the confirmation mail.',
  fields: (t) => ({
    token: t.string({
      required: true,
      description: 'Trimmed; 1 to 4096 URL-safe characters (letters, digits, ".", "_", "~", "-").',
    }),
  }),
});

builder.mutationField('confirmSignUp', (t) =>
  t.field({
    type: ConfirmSignUpSuccess,
    description:
      'Confirms a sign-up with the token from its mail and logs the customer in (GET /customer/{tenant}/signup/optin/{token}, anonymous token). A used, unknown or expired token is a ValidationError.',
    args: {
      input: t.arg({
        type: ConfirmSignUpInput,
        required: true,
        description: 'The token from the confirmation mail.',
        validate: { schema: confirmSignUpInput },
      }),
    },
    errors: resultUnion('confirmSignUp'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const { token } = parsedBy(confirmSignUpInput, args.input);
      await context.limitRate('confirmSignUp', tenant, token);
      const { status, json } = await context.emporix.call('confirmSignUp', tenant, { params: { token } });
      return signedIn(context, tenant, readCustomerToken(json, status).tokens);
    },
  }),
);

const ResendSignUpConfirmationInput = builder.inputType('ResendSignUpConfirmationInput', {
  description: 'Whose confirmation mail to send again.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'The sign-up email. Trimmed; at most 254.' }),
  }),
});

builder.mutationField('resendSignUpConfirmation', (t) =>
  t.field({
    type: successType(
      'ResendSignUpConfirmationSuccess',
      'Accepted. It is the answer whether or not an unconfirmed sign-up exists for the email (Emporix 202, 404 or 409), so that it reveals nothing about accounts; when one exists, a new mail is sent and the old link stops working.',
    ),
    description:
      'Mails a new confirmation link for an unconfirmed sign-up (POST /customer/{tenant}/signup/optin/refresh_token, anonymous token).',
    args: {
      input: t.arg({
        type: ResendSignUpConfirmationInput,
        required: true,
        description: 'The email of the unconfirmed sign-up.',
        validate: { schema: resendSignUpConfirmationInput },
      }),
    },
    errors: resultUnion('resendSignUpConfirmation'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const { email } = parsedBy(resendSignUpConfirmationInput, args.input);
      await context.limitRate('resendSignUpConfirmation', tenant, email.toLowerCase());
      await context.emporix.call('resendSignUpConfirmation', tenant, { body: { email } });
      return success;
    },
  }),
);

// Log-in

interface LoggedIn extends SignedIn {
  initialPassword: boolean;
}

const LogInSuccess = builder.objectRef<LoggedIn>('LogInSuccess').implement({
  description: 'The customer is logged in.',
  fields: (t) => ({
    ...signedInFields(t),
    initialPassword: t.exposeBoolean('initialPassword', {
      description: 'True when the password was set by an employee: ask the customer to choose their own.',
    }),
  }),
});

const LogInInput = builder.inputType('LogInInput', {
  description: "A customer's email and password.",
  fields: (t) => ({
    email: t.string({ required: true, description: 'The login email. Trimmed; at most 254 characters.' }),
    password: t.string({ required: true, description: '1 to 1024 characters, never trimmed.' }),
  }),
});

builder.mutationField('logIn', (t) =>
  t.field({
    type: LogInSuccess,
    description:
      'Logs a customer in with email and password (POST /customer/{tenant}/login, anonymous token). A wrong password and an unknown email get the same InvalidCredentialsError; failed log-ins are throttled per address and email (LOGIN_FAILURES_PER_IP_EMAIL) and per email (LOGIN_FAILURES_PER_EMAIL). Never retried.',
    args: {
      input: t.arg({
        type: LogInInput,
        required: true,
        description: "The customer's email and password.",
        validate: { schema: logInInput },
      }),
    },
    errors: { ...resultUnion('logIn'), types: [InvalidCredentialsError] },
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const { email, password } = parsedBy(logInInput, args.input);
      await context.limitRate('logIn', tenant, undefined);
      const attempt = await context.logInFailures.reserve(tenant, email);
      let answer: Awaited<ReturnType<typeof context.emporix.call>>;
      try {
        // Emporix refuses a password under its minimum with a 400: answered like a wrong one, without a call.
        if (password.length < EMPORIX_MIN_LOGIN_PASSWORD) {
          throw new InvalidCredentialsError('The credentials were not accepted');
        }
        answer = await context.emporix.call('logIn', tenant, { body: { email, password } });
      } catch (error) {
        await (error instanceof InvalidCredentialsError ? attempt.refused() : attempt.abandoned());
        throw error;
      }
      // Emporix accepted the credentials: whatever follows is not a failed log-in.
      await attempt.succeeded();
      const { token, tokens } = readCustomerToken(answer.json, answer.status);
      return { ...(await signedIn(context, tenant, tokens)), initialPassword: token.initialPassword };
    },
  }),
);

interface Refreshed {
  success: true;
  tokens: CustomerTokensShape;
}

const RefreshCustomerTokenSuccess = builder.objectRef<Refreshed>('RefreshCustomerTokenSuccess').implement({
  description: 'New customer tokens. Use the new refresh token next time: the used one may no longer work.',
  fields: (t) => ({
    success: t.exposeBoolean('success', { description: 'Always true.' }),
    tokens: t.field({
      type: CustomerTokens,
      nullable: true,
      description: 'The new tokens; null only where the gateway keeps the session itself.',
      resolve: (result) => result.tokens,
    }),
  }),
});

const RefreshCustomerTokenInput = builder.inputType('RefreshCustomerTokenInput', {
  description: 'The refresh token of a customer log-in.',
  fields: (t) => ({
    refreshToken: t.string({ required: true, description: 'Trimmed; at most 4096 characters.' }),
  }),
});

builder.mutationField('refreshCustomerToken', (t) =>
  t.field({
    type: RefreshCustomerTokenSuccess,
    description:
      "Renews a customer's access token with its refresh token (GET /customer/{tenant}/refreshauthtoken, the caller's token as it is, or the gateway's anonymous one). When Emporix refuses the caller's token as expired or revoked and the gateway has a client id, it is sent again with the gateway's own anonymous token, so a storefront may send the expired access token it is renewing. An unknown, used or expired refresh token is a ValidationError.",
    args: {
      input: t.arg({
        type: RefreshCustomerTokenInput,
        required: true,
        description: 'The refresh token that came with the customer tokens.',
        validate: { schema: refreshCustomerTokenInput },
      }),
    },
    errors: resultUnion('refreshCustomerToken'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenant(context);
      const { refreshToken } = parsedBy(refreshCustomerTokenInput, args.input);
      await context.limitRate('refreshCustomerToken', tenant, refreshToken, { perIp: false });
      const { status, json } = await context.emporix.call('refreshCustomerToken', tenant, {
        query: { refreshToken },
      });
      return { success: true, tokens: readCustomerToken(json, status).tokens } as const;
    },
  }),
);

builder.mutationField('logOut', (t) =>
  t.field({
    type: successType(
      'LogOutSuccess',
      'The access token (and Emporix session) is ended: later calls with it are refused.',
    ),
    description:
      "Logs the caller out: Emporix invalidates the caller's own access token (GET /customer/{tenant}/logout?accessToken=…, customer token).",
    errors: resultUnion('logOut'),
    resolve: async (_root, _args, context) => {
      const tenant = requireTenant(context);
      // The token to end is the one the call is sent with (the catalogue puts it in the query): the caller's own,
      // or the session's, renewed first when it has expired and once more when Emporix says so, like any call's,
      // so that Emporix ends a live token and its refresh tokens. Without one: MISSING_TOKEN or SESSION_EXPIRED.
      if (context.caller.kind !== 'session') {
        await context.emporix.call('logOut', tenant);
        return success;
      }
      try {
        await context.emporix.call('logOut', tenant);
      } finally {
        // The gateway's session ends whatever happened; the answer is still Emporix's outcome.
        await context.caller.session.end();
      }
      return success;
    },
  }),
);

interface TokenInfo {
  expiresInSeconds: number;
  scopes: string[];
  email: string | null;
  sessionId: string | null;
  legalEntityId: string | null;
}

const AccessTokenInfo = builder.objectRef<TokenInfo>('AccessTokenInfo').implement({
  description: "What Emporix says of the caller's customer access token.",
  fields: (t) => ({
    expiresInSeconds: t.exposeInt('expiresInSeconds', { description: 'Seconds until the token expires.' }),
    scopes: t.exposeStringList('scopes', {
      description: "The token's scopes (Emporix's `scope`, without its `tenant=…` entry).",
    }),
    email: t.exposeString('email', { nullable: true, description: 'The email the customer logged in with.' }),
    sessionId: t.exposeString('sessionId', { nullable: true, description: 'The Emporix session id.' }),
    legalEntityId: t.exposeString('legalEntityId', {
      nullable: true,
      description: 'The legal entity of a B2B session; null otherwise.',
    }),
  }),
});

builder.queryField('accessTokenInfo', (t) =>
  t.field({
    type: AccessTokenInfo,
    description:
      "Checks the caller's customer access token and describes it (GET /customer/{tenant}/validateauthtoken, customer token). An invalid or expired token is an UnauthorizedError.",
    errors: resultUnion('accessTokenInfo'),
    resolve: async (_root, _args, context) => {
      const { status, json } = await context.emporix.call('validateToken', requireTenant(context));
      const info = emporixTokenInfo.safeParse(json);
      if (!info.success)
        throw new UpstreamError('Emporix answered with unreadable token details', status, false);
      return {
        expiresInSeconds: Math.min(info.data.expires_in, 2 ** 31 - 1),
        scopes: (info.data.scope ?? '')
          .split(/\s+/)
          .filter((scope) => scope !== '' && !scope.startsWith('tenant=')),
        email: info.data.email ?? null,
        sessionId: info.data.sessionId ?? null,
        legalEntityId: info.data.legalEntityId ?? null,
      };
    },
  }),
);

// Anonymous sessions

interface AnonymousSession {
  success: true;
  tokens: AnonymousTokensShape;
}

function anonymousSuccess(name: string, description: string) {
  return builder.objectRef<AnonymousSession>(name).implement({
    description,
    fields: (t) => ({
      success: t.exposeBoolean('success', { description: 'Always true.' }),
      tokens: t.field({
        type: AnonymousTokens,
        nullable: true,
        description: "The anonymous session's tokens.",
        resolve: (result) => result.tokens,
      }),
    }),
  });
}

/** The storefront client id the anonymous-session endpoints need; without one they cannot work. */
/** The client id, which requireTenantAndConfiguration has checked is configured. */
function clientIdOf(context: Context): string {
  if (context.clientId === undefined) throw new Error('unreachable: the client id was checked before');
  return context.clientId;
}

const StartAnonymousSessionInput = builder.inputType('StartAnonymousSessionInput', {
  description: "What to set in the new session's context; all optional.",
  fields: (t) => ({
    currency: t.string({ required: false, description: 'An ISO 4217 code, e.g. EUR; upper-cased.' }),
    siteCode: t.string({ required: false, description: 'A site code: 1 to 64 letters, digits, "-", "_".' }),
    language: t.string({ required: false, description: 'A language like en, en_US or en-US.' }),
    targetLocation: t.string({
      required: false,
      description: 'An ISO 3166-1 alpha-2 country code; upper-cased.',
    }),
  }),
});

builder.mutationField('startAnonymousSession', (t) =>
  t.field({
    type: anonymousSuccess('StartAnonymousSessionSuccess', 'A new anonymous Emporix session.'),
    description:
      "Starts an anonymous Emporix session for a shopper who has not logged in (GET /customerlogin/auth/anonymous/login, with the gateway's EMPORIX_CLIENT_ID; no token). Each call is a new session: the gateway does not cache it.",
    args: {
      input: t.arg({
        type: StartAnonymousSessionInput,
        required: false,
        description:
          "The new session's context (site, language, currency, target location); may be left out.",
        validate: { schema: startAnonymousSessionInput },
      }),
    },
    errors: resultUnion('startAnonymousSession'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenantAndConfiguration(context, 'startAnonymousSession', args);
      const input = parsedBy(startAnonymousSessionInput, args.input);
      const { status, json } = await context.emporix.call('anonymousLogin', tenant, {
        query: { tenant, client_id: clientIdOf(context), ...input },
      });
      return { success: true, tokens: readAnonymousToken(json, status) } as const;
    },
  }),
);

const RefreshAnonymousSessionInput = builder.inputType('RefreshAnonymousSessionInput', {
  description: 'The refresh token of an anonymous session.',
  fields: (t) => ({
    refreshToken: t.string({ required: true, description: 'Trimmed; at most 4096 characters.' }),
    anonymousToken: t.string({
      required: false,
      description:
        "The session's current access token, for Emporix's deprecated `anonymous_token` (sent only when given).",
    }),
  }),
});

builder.mutationField('refreshAnonymousSession', (t) =>
  t.field({
    type: anonymousSuccess(
      'RefreshAnonymousSessionSuccess',
      'A new anonymous access token for the same session id.',
    ),
    description:
      "Renews an anonymous session's access token, keeping its session id (GET /customerlogin/auth/anonymous/refresh, with the gateway's EMPORIX_CLIENT_ID; no token).",
    args: {
      input: t.arg({
        type: RefreshAnonymousSessionInput,
        required: true,
        description: 'The refresh token that came with the anonymous tokens.',
        validate: { schema: refreshAnonymousSessionInput },
      }),
    },
    errors: resultUnion('refreshAnonymousSession'),
    resolve: async (_root, args, context) => {
      const tenant = requireTenantAndConfiguration(context, 'refreshAnonymousSession', args);
      const { refreshToken, anonymousToken } = parsedBy(refreshAnonymousSessionInput, args.input);
      const clientId = clientIdOf(context);
      await context.limitRate('refreshAnonymousSession', tenant, refreshToken, { perIp: false });
      const { status, json } = await context.emporix.call('anonymousRefresh', tenant, {
        query: { tenant, client_id: clientId, refresh_token: refreshToken, anonymous_token: anonymousToken },
      });
      return { success: true, tokens: readAnonymousToken(json, status) } as const;
    },
  }),
);

// The gateway's own session

const SessionKind = builder.enumType('SessionKind', {
  description: 'What kind of gateway session the request has.',
  values: {
    NONE: {
      description: 'No gateway session: no cookie, an ended one, or a request with an Authorization header.',
    },
    CUSTOMER: { description: 'A signed-in customer, whose tokens the gateway keeps.' },
  },
});

interface SessionInfo {
  kind: 'NONE' | 'CUSTOMER';
  expiresAt: Date | null;
}

const SessionInfoRef = builder.objectRef<SessionInfo>('SessionInfo').implement({
  description: "The request's gateway session (SESSIONS=on), read without any call to Emporix.",
  fields: (t) => ({
    kind: t.field({ type: SessionKind, description: 'NONE or CUSTOMER.', resolve: (info) => info.kind }),
    expiresAt: t.field({
      type: 'DateTime',
      nullable: true,
      description:
        'When the session ends at the latest (its maximum age, or its refresh token expiry); null for NONE.',
      resolve: (info) => info.expiresAt,
    }),
  }),
});

builder.queryField('session', (t) =>
  t.field({
    type: SessionInfoRef,
    description:
      "The request's gateway session, without any call to Emporix: lets a storefront render its header (signed in or not) without a profile call. Always NONE with an Authorization header or with SESSIONS=off.",
    resolve: async (_root, _args, context): Promise<SessionInfo> => {
      if (context.caller.kind !== 'session' || !context.tenant.ok) return { kind: 'NONE', expiresAt: null };
      const session = context.caller.session;
      const endsAt = await session.endsAt(context.tenant.tenant).catch((error: unknown) => {
        // No union to answer with here: a store outage is a coded GraphQL error, not a masked one.
        if (error instanceof UpstreamError) {
          throw createGraphQLError(error.message, { extensions: { code: 'SESSION_STORE_UNAVAILABLE' } });
        }
        throw error;
      });
      return endsAt === undefined
        ? { kind: 'NONE', expiresAt: null }
        : { kind: 'CUSTOMER', expiresAt: endsAt };
    },
  }),
);
