/**
 * The one status table of `src/emporix/map-response.ts` for the account operations (sign-up, log-in and tokens,
 * profile and address book, single sign-on): the emulator is made to answer each outcome through an injected
 * fault on the operation's own path, and every operation must map it to the union member the README's error model
 * names, after exactly one upstream request with the exact method, path, query, token and body (nothing is
 * retried when the caller sent its own token). One row per operation, one loop over the outcomes.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Fault } from '../src/emulator/index.js';
import { type Stack, type StackOptions, startStack } from './harness.js';

const TENANT = 'demo';
/** The demo tenant's storefront client id in the emulator's default seed (checked in `beforeAll`). */
const CLIENT_ID = 'demo-storefront';
const CALLBACK = 'https://shop.example.com/callback';
const ADDRESS_ID = 'addr-4711';
const SESSION_UUID = '2f1c6f0e-8d3b-4c5e-9a7d-0b6e5f4a3c21';
const CODE_VERIFIER = 'dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
const EXTERNAL_JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZW1vQGV4YW1wbGUuY29tIn0.c2lnbmF0dXJl';

const gatewayOptions: StackOptions['gateway'] = {
  clientId: CLIENT_ID,
  socialRedirectUris: [CALLBACK],
  production: false,
};

type Json = Record<string, unknown>;
type FaultAnswer = Omit<Fault, 'path' | 'method'>;

/** Every error member's fields; the union of each operation decides which of them can occur. */
const errorFields = /* GraphQL */ `
  fragment ErrorFields on Error {
    __typename
    message
    ... on ValidationError { issues { path message code } }
    ... on UnauthorizedError { code }
    ... on ForbiddenError { requiredScopes }
    ... on RateLimitedError { retryAfterSeconds }
    ... on UpstreamError { status retryable }
    ... on NotFoundError { id }
  }
`;

const customerTokenFields =
  'accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt saasToken sessionId';
const anonymousTokenFields = 'accessToken accessTokenExpiresAt refreshToken refreshTokenExpiresAt sessionId';

interface Row {
  /** The root field. */
  field: string;
  /** The whole GraphQL document: the success member's fields and ...ErrorFields (never a read after the write). */
  document: string;
  variables?: Json;
  /** Which demo token the caller sends; `none`: no Authorization header (the endpoint takes no token). */
  token: 'customer' | 'anonymous' | 'none';
  /** The exact upstream request. */
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  /** The query parameter that carries the caller's own access token (logOut). */
  callerTokenIn?: string;
  /** Whether the operation has an `input` argument: Emporix's `details` fields are put under it. */
  hasInput: boolean;
  /** logIn and the single sign-on mutations: a 401 that is not a token fault is InvalidCredentialsError. */
  logInLike?: boolean;
  /** The single sign-on mutations: a 400 is the provider's code or token refused, InvalidCredentialsError. */
  badRequestIsCredentials?: boolean;
  /** The address id in the path: a 404 is NotFoundError with it. */
  addressId?: string;
  /** Emporix's documented success, and what the gateway answers for it. */
  success: { answer: FaultAnswer; expected: Json };
  /** The UpstreamError message when a 2xx body cannot be read; absent when the success does not read the body. */
  unreadable?: string;
}

function document(
  kind: 'query' | 'mutation',
  field: string,
  call: { variables?: string; args?: string },
  successSelection: string,
): string {
  const name = field.charAt(0).toUpperCase() + field.slice(1);
  return `${kind} ${name}${call.variables ?? ''} {
    ${field}${call.args ?? ''} { __typename ${successSelection} ...ErrorFields }
  } ${errorFields}`;
}

/** An ISO instant about `seconds` from now (the expiry instants are counted from the answer's arrival). */
function inSeconds(seconds: number) {
  const describe = () => `an instant about ${seconds} s from now`;
  return {
    asymmetricMatch: (actual: unknown) =>
      typeof actual === 'string' && Math.abs(Date.parse(actual) - Date.now() - seconds * 1000) < 15_000,
    toString: describe,
    toAsymmetricMatcher: describe,
  };
}

/** Emporix's `CustomerToken`, and the `tokens` the gateway makes of it. */
const customerToken = {
  access_token: 'fresh-access-token',
  expires_in: 3600,
  refresh_token: 'fresh-refresh-token',
  refresh_token_expires_in: 86400,
  saas_token: 'fresh-saas-token',
  session_id: 'session-42',
  initialPassword: 'true',
};
const customerTokens = {
  accessToken: 'fresh-access-token',
  accessTokenExpiresAt: inSeconds(3600),
  refreshToken: 'fresh-refresh-token',
  refreshTokenExpiresAt: inSeconds(86400),
  saasToken: 'fresh-saas-token',
  sessionId: 'session-42',
};
const anonymousToken = {
  access_token: 'fresh-anonymous-token',
  expires_in: 3599,
  refresh_token: 'fresh-anonymous-refresh',
  refresh_token_expires_in: 86399,
  sessionId: 'anonymous-session-7',
};
const anonymousTokens = {
  accessToken: 'fresh-anonymous-token',
  accessTokenExpiresAt: inSeconds(3599),
  refreshToken: 'fresh-anonymous-refresh',
  refreshTokenExpiresAt: inSeconds(86399),
  sessionId: 'anonymous-session-7',
};
const unreadableToken = 'Emporix answered without a readable token';
const addressPath = `/customer/${TENANT}/me/addresses/${ADDRESS_ID}`;

const rows: Row[] = [
  {
    field: 'signUp',
    document: document(
      'mutation',
      'signUp',
      { variables: '($input: SignUpInput!)', args: '(input: $input)' },
      '... on SignUpSuccess { success }',
    ),
    variables: {
      input: { email: ' new.one@example.com ', password: ' Welcome-Passw0rd! ', firstName: ' Ada ' },
    },
    token: 'anonymous',
    method: 'POST',
    path: `/customer/${TENANT}/signup`,
    body: {
      email: 'new.one@example.com',
      password: ' Welcome-Passw0rd! ',
      customerDetails: { firstName: 'Ada', contactEmail: 'new.one@example.com' },
    },
    hasInput: true,
    success: {
      answer: { status: 201, body: { id: 'C-0001' } },
      expected: { __typename: 'SignUpSuccess', success: true },
    },
  },
  {
    field: 'confirmSignUp',
    document: document(
      'mutation',
      'confirmSignUp',
      { variables: '($input: ConfirmSignUpInput!)', args: '(input: $input)' },
      `... on ConfirmSignUpSuccess { success tokens { ${customerTokenFields} } }`,
    ),
    variables: { input: { token: ' optin-token-1 ' } },
    token: 'anonymous',
    method: 'GET',
    path: `/customer/${TENANT}/signup/optin/optin-token-1`,
    hasInput: true,
    success: {
      answer: { status: 200, body: customerToken },
      expected: { __typename: 'ConfirmSignUpSuccess', success: true, tokens: customerTokens },
    },
    unreadable: unreadableToken,
  },
  {
    field: 'resendSignUpConfirmation',
    document: document(
      'mutation',
      'resendSignUpConfirmation',
      { variables: '($input: ResendSignUpConfirmationInput!)', args: '(input: $input)' },
      '... on ResendSignUpConfirmationSuccess { success }',
    ),
    variables: { input: { email: 'new.one@example.com' } },
    token: 'anonymous',
    method: 'POST',
    path: `/customer/${TENANT}/signup/optin/refresh_token`,
    body: { email: 'new.one@example.com' },
    hasInput: true,
    success: {
      answer: { status: 202 },
      expected: { __typename: 'ResendSignUpConfirmationSuccess', success: true },
    },
  },
  {
    field: 'logIn',
    document: document(
      'mutation',
      'logIn',
      { variables: '($input: LogInInput!)', args: '(input: $input)' },
      `... on LogInSuccess { success initialPassword tokens { ${customerTokenFields} } }`,
    ),
    variables: { input: { email: 'demo@example.com', password: 'Demo-Passw0rd!' } },
    token: 'anonymous',
    method: 'POST',
    path: `/customer/${TENANT}/login`,
    body: { email: 'demo@example.com', password: 'Demo-Passw0rd!' },
    hasInput: true,
    logInLike: true,
    success: {
      answer: { status: 200, body: customerToken },
      expected: { __typename: 'LogInSuccess', success: true, initialPassword: true, tokens: customerTokens },
    },
    unreadable: unreadableToken,
  },
  {
    field: 'refreshCustomerToken',
    document: document(
      'mutation',
      'refreshCustomerToken',
      { variables: '($input: RefreshCustomerTokenInput!)', args: '(input: $input)' },
      `... on RefreshCustomerTokenSuccess { success tokens { ${customerTokenFields} } }`,
    ),
    variables: { input: { refreshToken: ' old-refresh-token ' } },
    token: 'anonymous',
    method: 'GET',
    path: `/customer/${TENANT}/refreshauthtoken`,
    query: { refreshToken: 'old-refresh-token' },
    hasInput: true,
    success: {
      answer: { status: 200, body: customerToken },
      expected: { __typename: 'RefreshCustomerTokenSuccess', success: true, tokens: customerTokens },
    },
    unreadable: unreadableToken,
  },
  {
    field: 'logOut',
    document: document('mutation', 'logOut', {}, '... on LogOutSuccess { success }'),
    token: 'customer',
    method: 'GET',
    path: `/customer/${TENANT}/logout`,
    callerTokenIn: 'accessToken',
    hasInput: false,
    success: { answer: { status: 204 }, expected: { __typename: 'LogOutSuccess', success: true } },
  },
  {
    field: 'accessTokenInfo',
    document: document(
      'query',
      'accessTokenInfo',
      {},
      '... on AccessTokenInfo { expiresInSeconds scopes email sessionId legalEntityId }',
    ),
    token: 'customer',
    method: 'GET',
    path: `/customer/${TENANT}/validateauthtoken`,
    hasInput: false,
    success: {
      answer: {
        status: 200,
        body: {
          expires_in: 1200,
          scope: 'customer.customer_read customer.customerprofile_edit tenant=demo',
          email: 'demo@example.com',
          sessionId: 'session-42',
        },
      },
      expected: {
        __typename: 'AccessTokenInfo',
        expiresInSeconds: 1200,
        scopes: ['customer.customer_read', 'customer.customerprofile_edit'],
        email: 'demo@example.com',
        sessionId: 'session-42',
        legalEntityId: null,
      },
    },
    unreadable: 'Emporix answered with unreadable token details',
  },
  {
    field: 'startAnonymousSession',
    document: document(
      'mutation',
      'startAnonymousSession',
      { variables: '($input: StartAnonymousSessionInput)', args: '(input: $input)' },
      `... on StartAnonymousSessionSuccess { success tokens { ${anonymousTokenFields} } }`,
    ),
    variables: { input: { currency: 'eur', siteCode: 'main', targetLocation: 'de' } },
    token: 'none',
    method: 'GET',
    path: '/customerlogin/auth/anonymous/login',
    query: { tenant: TENANT, client_id: CLIENT_ID, currency: 'EUR', siteCode: 'main', targetLocation: 'DE' },
    hasInput: true,
    success: {
      answer: { status: 200, body: anonymousToken },
      expected: { __typename: 'StartAnonymousSessionSuccess', success: true, tokens: anonymousTokens },
    },
    unreadable: unreadableToken,
  },
  {
    field: 'refreshAnonymousSession',
    document: document(
      'mutation',
      'refreshAnonymousSession',
      { variables: '($input: RefreshAnonymousSessionInput!)', args: '(input: $input)' },
      `... on RefreshAnonymousSessionSuccess { success tokens { ${anonymousTokenFields} } }`,
    ),
    variables: { input: { refreshToken: 'anonymous-refresh-1', anonymousToken: 'anonymous-access-1' } },
    token: 'none',
    method: 'GET',
    path: '/customerlogin/auth/anonymous/refresh',
    query: {
      tenant: TENANT,
      client_id: CLIENT_ID,
      refresh_token: 'anonymous-refresh-1',
      anonymous_token: 'anonymous-access-1',
    },
    hasInput: true,
    success: {
      answer: { status: 200, body: anonymousToken },
      expected: { __typename: 'RefreshAnonymousSessionSuccess', success: true, tokens: anonymousTokens },
    },
    unreadable: unreadableToken,
  },
  {
    field: 'updateCustomerProfile',
    document: document(
      'mutation',
      'updateCustomerProfile',
      { variables: '($input: UpdateCustomerProfileInput!)', args: '(input: $input)' },
      '... on UpdateCustomerProfileSuccess { success }',
    ),
    variables: {
      input: { firstName: ' Dana ', company: null, preferredCurrency: 'chf', expectedVersion: 3 },
    },
    token: 'customer',
    method: 'PATCH',
    path: `/customer/${TENANT}/me`,
    body: { firstName: 'Dana', company: null, preferredCurrency: 'CHF', metadata: { version: 3 } },
    hasInput: true,
    success: {
      answer: { status: 200 },
      expected: { __typename: 'UpdateCustomerProfileSuccess', success: true },
    },
  },
  {
    field: 'customerAddress',
    document: document(
      'query',
      'customerAddress',
      { variables: '($id: ID!)', args: '(id: $id)' },
      '... on CustomerAddress { id contactName country extraLines isDefault tags }',
    ),
    variables: { id: ADDRESS_ID },
    token: 'customer',
    method: 'GET',
    path: addressPath,
    hasInput: false,
    addressId: ADDRESS_ID,
    success: {
      answer: {
        status: 200,
        body: {
          id: ADDRESS_ID,
          contactName: 'Dana Customer',
          country: 'DE',
          extraLine1: 'c/o Reception',
          extraLine2: '',
          extraLine3: 'Floor 2',
          isDefault: true,
          tags: ['SHIPPING'],
        },
      },
      expected: {
        __typename: 'CustomerAddress',
        id: ADDRESS_ID,
        contactName: 'Dana Customer',
        country: 'DE',
        extraLines: ['c/o Reception', 'Floor 2'],
        isDefault: true,
        tags: ['SHIPPING'],
      },
    },
    unreadable: 'Emporix answered with an unreadable address',
  },
  {
    field: 'addCustomerAddress',
    document: document(
      'mutation',
      'addCustomerAddress',
      { variables: '($input: AddCustomerAddressInput!)', args: '(input: $input)' },
      '... on AddCustomerAddressSuccess { success }',
    ),
    variables: {
      input: {
        contactName: ' Dana Customer ',
        street: 'Unter den Linden',
        zipCode: '10117',
        city: 'Berlin',
        country: 'de',
        extraLines: ['c/o Reception'],
        tags: ['SHIPPING', 'SHIPPING'],
      },
    },
    token: 'customer',
    method: 'POST',
    path: `/customer/${TENANT}/me/addresses`,
    body: {
      contactName: 'Dana Customer',
      street: 'Unter den Linden',
      zipCode: '10117',
      city: 'Berlin',
      country: 'DE',
      extraLine1: 'c/o Reception',
      tags: ['SHIPPING'],
    },
    hasInput: true,
    success: {
      answer: { status: 201, body: { id: 'addr-new' } },
      expected: { __typename: 'AddCustomerAddressSuccess', success: true },
    },
    unreadable: 'Emporix answered without the new address id',
  },
  {
    field: 'updateCustomerAddress',
    document: document(
      'mutation',
      'updateCustomerAddress',
      { variables: '($input: UpdateCustomerAddressInput!)', args: '(input: $input)' },
      '... on UpdateCustomerAddressSuccess { success }',
    ),
    variables: { input: { id: ADDRESS_ID, state: null, city: ' Potsdam ', extraLines: ['Floor 2'] } },
    token: 'customer',
    method: 'PATCH',
    path: addressPath,
    body: {
      state: null,
      city: 'Potsdam',
      extraLine1: 'Floor 2',
      extraLine2: null,
      extraLine3: null,
      extraLine4: null,
    },
    hasInput: true,
    addressId: ADDRESS_ID,
    success: {
      answer: { status: 204 },
      expected: { __typename: 'UpdateCustomerAddressSuccess', success: true },
    },
  },
  {
    field: 'setDefaultCustomerAddress',
    document: document(
      'mutation',
      'setDefaultCustomerAddress',
      { variables: '($input: AddressIdInput!)', args: '(input: $input)' },
      '... on SetDefaultCustomerAddressSuccess { success }',
    ),
    variables: { input: { id: ADDRESS_ID } },
    token: 'customer',
    method: 'PATCH',
    path: addressPath,
    body: { isDefault: true },
    hasInput: true,
    addressId: ADDRESS_ID,
    success: {
      answer: { status: 200 },
      expected: { __typename: 'SetDefaultCustomerAddressSuccess', success: true },
    },
  },
  {
    field: 'removeCustomerAddress',
    document: document(
      'mutation',
      'removeCustomerAddress',
      { variables: '($input: AddressIdInput!)', args: '(input: $input)' },
      '... on RemoveCustomerAddressSuccess { success id }',
    ),
    variables: { input: { id: ADDRESS_ID } },
    token: 'customer',
    method: 'DELETE',
    path: addressPath,
    hasInput: true,
    addressId: ADDRESS_ID,
    success: {
      answer: { status: 204 },
      expected: { __typename: 'RemoveCustomerAddressSuccess', success: true, id: ADDRESS_ID },
    },
  },
  {
    field: 'addCustomerAddressTags',
    document: document(
      'mutation',
      'addCustomerAddressTags',
      { variables: '($input: AddressTagsInput!)', args: '(input: $input)' },
      '... on AddCustomerAddressTagsSuccess { success }',
    ),
    variables: { input: { id: ADDRESS_ID, tags: ['SHIPPING', ' BILLING ', 'SHIPPING'] } },
    token: 'customer',
    method: 'POST',
    path: `${addressPath}/tags`,
    query: { tags: 'SHIPPING,BILLING' },
    hasInput: true,
    addressId: ADDRESS_ID,
    success: {
      answer: { status: 204 },
      expected: { __typename: 'AddCustomerAddressTagsSuccess', success: true },
    },
  },
  {
    field: 'removeCustomerAddressTags',
    document: document(
      'mutation',
      'removeCustomerAddressTags',
      { variables: '($input: AddressTagsInput!)', args: '(input: $input)' },
      '... on RemoveCustomerAddressTagsSuccess { success }',
    ),
    variables: { input: { id: ADDRESS_ID, tags: ['BILLING'] } },
    token: 'customer',
    method: 'DELETE',
    path: `${addressPath}/tags`,
    query: { tags: 'BILLING' },
    hasInput: true,
    addressId: ADDRESS_ID,
    success: {
      answer: { status: 200 },
      expected: { __typename: 'RemoveCustomerAddressTagsSuccess', success: true },
    },
  },
  {
    field: 'logInWithSocialProvider',
    document: document(
      'mutation',
      'logInWithSocialProvider',
      { variables: '($input: LogInWithSocialProviderInput!)', args: '(input: $input)' },
      `... on LogInWithSocialProviderSuccess {
        success socialAccessToken socialIdToken sessionIdleTimeSeconds tokens { ${customerTokenFields} }
      }`,
    ),
    variables: {
      input: {
        code: 'auth0-code-1',
        redirectUri: CALLBACK,
        codeVerifier: CODE_VERIFIER,
        anonymousSessionId: SESSION_UUID,
      },
    },
    token: 'anonymous',
    method: 'POST',
    path: `/customer/${TENANT}/socialLogin`,
    query: { code: 'auth0-code-1', redirect_uri: CALLBACK, code_verifier: CODE_VERIFIER },
    headers: { 'session-id': SESSION_UUID },
    hasInput: true,
    logInLike: true,
    badRequestIsCredentials: true,
    success: {
      answer: {
        status: 200,
        // The spec types this answer's lifetimes as strings.
        body: {
          ...customerToken,
          expires_in: '3600',
          refresh_token_expires_in: '86400',
          social_access_token: 'social-access',
          social_id_token: 'social-id',
          session_idle_time: 1800,
        },
      },
      expected: {
        __typename: 'LogInWithSocialProviderSuccess',
        success: true,
        socialAccessToken: 'social-access',
        socialIdToken: 'social-id',
        sessionIdleTimeSeconds: 1800,
        tokens: customerTokens,
      },
    },
    unreadable: unreadableToken,
  },
  {
    field: 'exchangeExternalToken',
    document: document(
      'mutation',
      'exchangeExternalToken',
      { variables: '($input: ExchangeExternalTokenInput!)', args: '(input: $input)' },
      `... on ExchangeExternalTokenSuccess { success sessionIdleTimeSeconds tokens { ${customerTokenFields} } }`,
    ),
    variables: { input: { subjectAccessToken: EXTERNAL_JWT, config: 'site_PL' } },
    token: 'anonymous',
    method: 'POST',
    path: `/customer/${TENANT}/exchangeauthtoken`,
    query: { subjectAccessToken: EXTERNAL_JWT, config: 'site_PL' },
    hasInput: true,
    logInLike: true,
    badRequestIsCredentials: true,
    success: {
      answer: { status: 200, body: customerToken },
      expected: {
        __typename: 'ExchangeExternalTokenSuccess',
        success: true,
        sessionIdleTimeSeconds: null,
        tokens: customerTokens,
      },
    },
    unreadable: unreadableToken,
  },
];

function row(field: string): Row {
  const found = rows.find((candidate) => candidate.field === field);
  if (found === undefined) throw new Error(`no row ${field}`);
  return found;
}

// Expected members, shared by the outcomes.

const upstreamError = (message: string, status: number | null, retryable: boolean) => ({
  __typename: 'UpstreamError',
  message,
  status,
  retryable,
});
const failed = (status: number) => upstreamError(`Emporix failed with status ${status}`, status, true);
const unexpected = (status: number) =>
  upstreamError(`Emporix answered with unexpected status ${status}`, status, false);
const unreachable = upstreamError('Emporix could not be reached', null, true);
const timedOut = upstreamError('Emporix did not answer in time', null, true);
const unauthorized = (message: string, code: 'INVALID_TOKEN' | 'TOKEN_EXPIRED') => ({
  __typename: 'UnauthorizedError',
  message,
  code,
});
const invalidCredentials = (message = 'The credentials were not accepted') => ({
  __typename: 'InvalidCredentialsError',
  message,
});
const rateLimited = (retryAfterSeconds: unknown) => ({
  __typename: 'RateLimitedError',
  message: 'Emporix is rate limiting these requests',
  retryAfterSeconds,
});
const versionConflict = {
  __typename: 'ValidationError',
  message: 'The profile changed since it was read: read it again and retry',
  issues: [
    {
      path: ['input', 'expectedVersion'],
      message: 'Is not the current version of the profile',
      code: 'version_conflict',
    },
  ],
};

/** A 400: ValidationError with Emporix's message and its details as issues under `input`; SSO: refused credentials. */
function badRequest(
  op: Row,
  message: string,
  details: { field: string; type: string; message: string }[],
): Json {
  if (op.badRequestIsCredentials) return invalidCredentials(message);
  return {
    __typename: 'ValidationError',
    message,
    issues: details.map((detail) => ({
      path: [...(op.hasInput ? ['input'] : []), ...detail.field.split('.')],
      message: detail.message,
      code: detail.type,
    })),
  };
}

const faultBody = (errorcode: string, faultstring: string) => ({
  fault: { faultstring, detail: { errorcode } },
});
const emailDetail = [{ field: 'email', type: 'invalid_value', message: 'Is not a valid email.' }];
const versionDetail = [
  { field: 'metadata.version', type: 'invalid_value', message: 'Does not match the current one.' },
];

interface Outcome {
  name: string;
  /** What the operation's endpoint answers (a function: it depends on the operation). */
  answer: FaultAnswer | ((op: Row) => FaultAnswer);
  expected(op: Row): unknown;
}

function answerOf(outcome: Outcome, op: Row): FaultAnswer {
  return typeof outcome.answer === 'function' ? outcome.answer(op) : outcome.answer;
}

const outcomes: Outcome[] = [
  { name: 'its documented 2xx', answer: (op) => op.success.answer, expected: (op) => op.success.expected },
  {
    name: 'a 200 whose body is not JSON',
    answer: { status: 200, body: '<html>maintenance</html>' },
    expected: (op) => (op.unreadable ? upstreamError(op.unreadable, 200, false) : op.success.expected),
  },
  {
    name: 'a 200 whose JSON is of another shape',
    answer: { status: 200, body: { unexpected: true } },
    expected: (op) => (op.unreadable ? upstreamError(op.unreadable, 200, false) : op.success.expected),
  },
  {
    name: 'a 400 with details',
    answer: {
      status: 400,
      body: { type: 'bad_request', status: 400, message: 'The request is invalid.', details: emailDetail },
    },
    expected: (op) => badRequest(op, 'The request is invalid.', emailDetail),
  },
  {
    name: 'a 400 without details',
    answer: { status: 400, body: { type: 'bad_request', status: 400, message: 'Request body is invalid.' } },
    expected: (op) => badRequest(op, 'Request body is invalid.', []),
  },
  {
    name: 'a 400 whose details name the version',
    answer: {
      status: 400,
      body: { type: 'bad_request', status: 400, message: 'The request is invalid.', details: versionDetail },
    },
    expected: (op) =>
      op.field === 'updateCustomerProfile'
        ? versionConflict
        : badRequest(op, 'The request is invalid.', versionDetail),
  },
  {
    name: 'a 401 about an invalid token',
    answer: { status: 401, body: faultBody('oauth.v2.InvalidAccessToken', 'Invalid access token') },
    expected: () => unauthorized('Invalid access token', 'INVALID_TOKEN'),
  },
  {
    name: 'a 401 about an expired token',
    answer: {
      status: 401,
      body: faultBody('keymanagement.service.access_token_expired', 'Access Token expired'),
    },
    expected: () => unauthorized('Access Token expired', 'TOKEN_EXPIRED'),
  },
  {
    name: 'a 401 refusing the credentials',
    answer: { status: 401, body: faultBody('customer.invalid_credentials', 'Invalid credentials') },
    expected: (op) =>
      op.logInLike ? invalidCredentials() : unauthorized('Invalid credentials', 'INVALID_TOKEN'),
  },
  {
    name: 'a 401 whose body is not JSON',
    answer: { status: 401, body: 'Unauthorized' },
    expected: (op) =>
      op.logInLike ? invalidCredentials() : unauthorized('Invalid access token', 'INVALID_TOKEN'),
  },
  {
    name: 'a 403',
    answer: { status: 403, body: { type: 'Forbidden', status: 403, message: 'User not authorized.' } },
    expected: () => ({
      __typename: 'ForbiddenError',
      message: 'The access token lacks a scope this operation needs',
      requiredScopes: [],
    }),
  },
  {
    name: 'a 404',
    answer: { status: 404, body: { type: 'resource_not_found', status: 404, message: 'Not found.' } },
    expected: (op) => {
      if (op.addressId !== undefined) {
        return {
          __typename: 'NotFoundError',
          message: `No address ${op.addressId} in the customer's address book`,
          id: op.addressId,
        };
      }
      // Never tells whether a sign-up exists for the email.
      if (op.field === 'resendSignUpConfirmation') return op.success.expected;
      return unexpected(404);
    },
  },
  {
    name: 'a 409',
    answer: { status: 409, body: { type: 'conflict_resource', status: 409, message: 'Conflict.' } },
    expected: (op) => {
      switch (op.field) {
        // SIGNUP_CONFLICTS=hide (the default) and resend: nothing is revealed about accounts.
        case 'signUp':
        case 'resendSignUpConfirmation':
          return op.success.expected;
        case 'updateCustomerProfile':
          return versionConflict;
        default:
          return unexpected(409);
      }
    },
  },
  {
    name: 'an unexpected 418',
    answer: { status: 418 },
    expected: () => unexpected(418),
  },
  {
    name: 'a 429 with Retry-After in seconds',
    answer: { status: 429, headers: { 'retry-after': '7' } },
    expected: () => rateLimited(7),
  },
  {
    name: 'a 429 with Retry-After as an HTTP date',
    answer: { status: 429, headers: { 'retry-after': new Date(Date.now() + 120_000).toUTCString() } },
    expected: () =>
      rateLimited({
        asymmetricMatch: (actual: unknown) => typeof actual === 'number' && actual > 60 && actual <= 121,
        toAsymmetricMatcher: () => 'about 120 seconds',
      }),
  },
  {
    name: 'a 429 without Retry-After',
    answer: { status: 429 },
    expected: () => rateLimited(null),
  },
  { name: 'a 500', answer: { status: 500 }, expected: () => failed(500) },
  {
    name: 'a 502 with an HTML body',
    answer: { status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad gateway</html>' },
    expected: () => failed(502),
  },
  { name: 'a 503', answer: { status: 503 }, expected: () => failed(503) },
  {
    name: 'a connection reset without an answer',
    answer: { destroySocket: true },
    expected: () => unreachable,
  },
];

// The stacks.

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ gateway: gatewayOptions });
  expect(stack.emulator.demo.clientId).toBe(CLIENT_ID);
});

afterAll(async () => {
  await stack.close();
});

beforeEach(() => {
  stack.emulator.clearFaults();
  stack.emulator.clearRequests();
});

function tokenOf(op: Row, target: Stack): string | undefined {
  if (op.token === 'none') return undefined;
  return op.token === 'customer' ? target.emulator.demo.customerToken : target.emulator.demo.anonymousToken;
}

/** Runs the row's document against `target` with `token` (default: the row's; null: no Authorization header). */
async function run(op: Row, target: Stack = stack, token: string | null = tokenOf(op, target) ?? null) {
  const data = await target.graphql({ token: token ?? undefined }).request<Json>(op.document, op.variables);
  return data[op.field];
}

/** Makes the operation's own endpoint answer `answer` once, then runs the operation. */
async function runWithFault(op: Row, answer: FaultAnswer, target: Stack = stack): Promise<unknown> {
  target.emulator.injectFault({ method: op.method, path: op.path, ...answer });
  return run(op, target);
}

/** The exact request the row sends upstream, with `token` as the caller's. */
function expectedRequest(op: Row, token: string | undefined) {
  return {
    method: op.method,
    path: op.path,
    query: { ...op.query, ...(op.callerTokenIn === undefined ? {} : { [op.callerTokenIn]: token }) },
    authorization: token === undefined ? undefined : `Bearer ${token}`,
    body: op.body,
  };
}

/** Exactly one request reached Emporix: the row's, with the caller's token, query and body, nothing else. */
function expectOneUpstreamRequest(op: Row, target: Stack = stack, token = tokenOf(op, target)): void {
  expect(target.upstreamCalls()).toEqual([expectedRequest(op, token)]);
  const [request] = target.upstream();
  expect(request?.headers['x-request-id']).toEqual(expect.any(String));
  if (op.body !== undefined) expect(request?.headers['content-type']).toBe('application/json');
  if (op.headers !== undefined) expect(request?.headers).toMatchObject(op.headers);
  else expect(request?.headers).not.toHaveProperty('session-id');
}

/** `<outcome> › <field>` left out of the loop below. */
const leftOut = new Set([
  // Not one request: with EMPORIX_CLIENT_ID the refused caller's token is replaced by the gateway's once (the
  // README's operations table); see 'refreshCustomerToken after a token fault' below.
  'a 401 about an invalid token › refreshCustomerToken',
  'a 401 about an expired token › refreshCustomerToken',
]);

const tokenFaults = outcomes.filter((outcome) => /^a 401 about an? \w+ token$/.test(outcome.name));

describe.each(outcomes)('Emporix answers $name', (outcome) => {
  it.each(rows.filter((op) => !leftOut.has(`${outcome.name} › ${op.field}`)))('$field', async (op) => {
    const result = await runWithFault(op, answerOf(outcome, op));
    expect(result).toEqual(outcome.expected(op));
    expectOneUpstreamRequest(op);
  });
});

describe('refreshCustomerToken after a token fault on the caller’s token', () => {
  it.each(tokenFaults)('$name: sent once more, with the gateway’s own anonymous token', async (outcome) => {
    const op = row('refreshCustomerToken');
    stack.emulator.injectFault({ method: op.method, path: op.path, ...answerOf(outcome, op) });
    stack.emulator.injectFault({ method: op.method, path: op.path, ...op.success.answer });
    const result = await run(op);
    expect(result).toEqual(op.success.expected);
    const calls = stack.upstreamCalls().filter((call) => call.path === op.path);
    const gatewayToken = calls[1]?.authorization?.replace(/^Bearer /, '');
    expect(gatewayToken).toEqual(expect.any(String));
    expect(gatewayToken).not.toBe(stack.emulator.demo.anonymousToken);
    expect(calls).toEqual([
      expectedRequest(op, stack.emulator.demo.anonymousToken),
      expectedRequest(op, gatewayToken),
    ]);
  });
});

describe('without EMPORIX_CLIENT_ID', () => {
  let bare: Stack;

  beforeAll(async () => {
    bare = await startStack({ gateway: { socialRedirectUris: [CALLBACK] } });
  });

  afterAll(async () => {
    await bare.close();
  });

  beforeEach(() => {
    bare.emulator.clearFaults();
    bare.emulator.clearRequests();
  });

  it.each(tokenFaults)('refreshCustomerToken: $name is the caller’s UnauthorizedError', async (outcome) => {
    const op = row('refreshCustomerToken');
    const result = await runWithFault(op, answerOf(outcome, op), bare);
    expect(result).toEqual(outcome.expected(op));
    expectOneUpstreamRequest(op, bare);
  });
});

describe('SIGNUP_CONFLICTS=reveal', () => {
  let reveal: Stack;

  beforeAll(async () => {
    reveal = await startStack({ gateway: { ...gatewayOptions, signUpConflicts: 'reveal' } });
  });

  afterAll(async () => {
    await reveal.close();
  });

  it('signUp: a 409 is AccountExistsError', async () => {
    const op = row('signUp');
    const result = await runWithFault(
      op,
      { status: 409, body: { type: 'conflict_resource', status: 409, message: 'Customer already exists.' } },
      reveal,
    );
    expect(result).toEqual({
      __typename: 'AccountExistsError',
      message: 'An account with this email already exists',
    });
    expectOneUpstreamRequest(op, reveal);
  });
});

describe('the gateway’s own anonymous token (no Authorization header)', () => {
  const anonymousLogin = '/customerlogin/auth/anonymous/login';
  const logInLike = rows.filter((op) => op.logInLike);

  /** The calls of the operation's endpoint, ignoring the gateway's anonymous token fetches. */
  function endpointCalls() {
    return stack.upstreamCalls().filter((call) => call.path !== anonymousLogin);
  }

  it.each(logInLike)('$field: refused credentials are sent once, never retried', async (op) => {
    stack.emulator.injectFault({
      method: op.method,
      path: op.path,
      status: 401,
      body: faultBody('customer.invalid_credentials', 'Invalid credentials'),
      times: 2,
    });
    const result = await run(op, stack, null);
    expect(result).toEqual(invalidCredentials());
    const calls = endpointCalls();
    expect(calls).toHaveLength(1);
    const token = calls[0]?.authorization?.replace(/^Bearer /, '');
    expect(token).toEqual(expect.any(String));
    expect(token).not.toBe(stack.emulator.demo.anonymousToken);
    expect(calls).toEqual([expectedRequest(op, token)]);
  });

  it.each(logInLike)('$field: a token fault is retried once with a fresh token', async (op) => {
    stack.emulator.injectFault({
      method: op.method,
      path: op.path,
      status: 401,
      body: faultBody('oauth.v2.InvalidAccessToken', 'Invalid access token'),
      times: 2,
    });
    const result = await run(op, stack, null);
    expect(result).toEqual(unauthorized('Invalid access token', 'INVALID_TOKEN'));
    const calls = endpointCalls();
    expect(calls).toHaveLength(2);
    const [first, second] = calls.map((call) => call.authorization?.replace(/^Bearer /, ''));
    expect(second).not.toBe(first);
    expect(calls).toEqual([expectedRequest(op, first), expectedRequest(op, second)]);
  });
});

describe('a timeout', () => {
  let slow: Stack;

  beforeAll(async () => {
    slow = await startStack({ gateway: { ...gatewayOptions, timeoutMs: 150 } });
  });

  afterAll(async () => {
    await slow.close();
  });

  beforeEach(() => {
    slow.emulator.clearFaults();
    slow.emulator.clearRequests();
  });

  it.each(rows)('$field: a retryable UpstreamError without status, well before the answer', async (op) => {
    const started = performance.now();
    const result = await runWithFault(op, { ...op.success.answer, delayMs: 1500 }, slow);
    const elapsed = performance.now() - started;
    expect(result).toEqual(timedOut);
    expect(elapsed).toBeGreaterThanOrEqual(140);
    expect(elapsed).toBeLessThan(1200);
    expectOneUpstreamRequest(op, slow);
  });
});

describe('a network failure (nothing listens on the port)', () => {
  let down: Stack;

  beforeAll(async () => {
    const port = await closedPort();
    down = await startStack({ gateway: { ...gatewayOptions, emporixApiUrl: `http://127.0.0.1:${port}` } });
  });

  afterAll(async () => {
    await down.close();
  });

  it.each(rows)('$field: a retryable UpstreamError without status, nothing received', async (op) => {
    const result = await run(op, down);
    expect(result).toEqual(unreachable);
    expect(down.upstream()).toEqual([]);
  });
});

/** A loopback port nothing listens on: one a server had and gave back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return address.port;
}
