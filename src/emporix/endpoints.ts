/**
 * The catalogue: one entry per Emporix endpoint the gateway calls, and everything the gateway needs to know about
 * it: method, path template, the token it takes, the scopes it documents, and how its answers map. `call()` in
 * `client.ts` reads it to send a request; `map-response.ts` reads it to decide what an answer means. Adding an
 * endpoint is one entry here, one schema field and one emulator route.
 */
import type { EndpointOutcomes } from './map-response.js';

/**
 * Which token an endpoint takes. `anonymous`: the caller's token when it sent one (customer or anonymous), else
 * the gateway's own anonymous token. `customer`: only the caller's. `none`: no Authorization header at all.
 */
export type TokenKind = 'none' | 'anonymous' | 'customer';

export interface Endpoint extends EndpointOutcomes {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `{tenant}` and other `{name}` segments are filled from the call's parameters, each encoded once. */
  path: string;
  token: TokenKind;
  /**
   * When Emporix refuses the caller's token as a token fault (expired, revoked), send once more with the gateway's
   * own anonymous token, if it has one. Only where the token is not the credential and the call has no effect
   * when refused: a refresh, whose caller's access token is usually the expired one being renewed.
   */
  gatewayTokenAfterCallerTokenFault?: true;
  /**
   * The query parameter that carries the access token the call is sent with (log-out names the token it ends),
   * filled from the Authorization header of each send: a token renewed and sent again carries itself.
   */
  tokenQueryParameter?: string;
}

const profileEdit = ['customer.customerprofile_edit'];

export const endpoints = {
  // Authentication and authorization
  anonymousLogin: {
    method: 'GET',
    path: '/customerlogin/auth/anonymous/login',
    token: 'none',
    requiredScopes: [],
    inputArgument: 'input',
  },
  anonymousRefresh: {
    method: 'GET',
    path: '/customerlogin/auth/anonymous/refresh',
    token: 'none',
    requiredScopes: [],
    inputArgument: 'input',
  },
  signUp: {
    method: 'POST',
    path: '/customer/{tenant}/signup',
    token: 'anonymous',
    requiredScopes: [],
    inputArgument: 'input',
    on409: 'accountExists',
  },
  logIn: {
    method: 'POST',
    path: '/customer/{tenant}/login',
    token: 'anonymous',
    requiredScopes: [],
    inputArgument: 'input',
    // A 401 that is not about the token means the email or password is wrong (or the account not confirmed).
    invalidCredentialsOn: [401],
  },
  logOut: {
    method: 'GET',
    path: '/customer/{tenant}/logout',
    token: 'customer',
    requiredScopes: [],
    tokenQueryParameter: 'accessToken',
  },
  refreshCustomerToken: {
    method: 'GET',
    path: '/customer/{tenant}/refreshauthtoken',
    token: 'anonymous',
    gatewayTokenAfterCallerTokenFault: true,
    requiredScopes: [],
    inputArgument: 'input',
  },
  validateToken: {
    method: 'GET',
    path: '/customer/{tenant}/validateauthtoken',
    token: 'customer',
    requiredScopes: [],
  },
  socialLogin: {
    method: 'POST',
    path: '/customer/{tenant}/socialLogin',
    token: 'anonymous',
    requiredScopes: [],
    inputArgument: 'input',
    invalidCredentialsOn: [400, 401],
  },
  exchangeToken: {
    method: 'POST',
    path: '/customer/{tenant}/exchangeauthtoken',
    token: 'anonymous',
    requiredScopes: [],
    inputArgument: 'input',
    invalidCredentialsOn: [400, 401],
  },

  // Double opt-in
  confirmSignUp: {
    method: 'GET',
    path: '/customer/{tenant}/signup/optin/{token}',
    token: 'anonymous',
    requiredScopes: [],
    inputArgument: 'input',
  },
  // 404 (no such sign-up) and 409 (already confirmed) are success: the answer never tells whether an email has an
  // account.
  resendSignUpConfirmation: {
    method: 'POST',
    path: '/customer/{tenant}/signup/optin/refresh_token',
    token: 'anonymous',
    requiredScopes: [],
    inputArgument: 'input',
    alsoSuccess: [404, 409],
  },

  // Account and profile
  getMe: { method: 'GET', path: '/customer/{tenant}/me', token: 'anonymous', requiredScopes: [] },
  updateMe: {
    method: 'PATCH',
    path: '/customer/{tenant}/me',
    token: 'customer',
    requiredScopes: [],
    inputArgument: 'input',
    versionConflict: true,
  },

  // Addresses
  getAddress: {
    method: 'GET',
    path: '/customer/{tenant}/me/addresses/{addressId}',
    token: 'customer',
    requiredScopes: [],
    notFoundParam: 'addressId',
  },
  addAddress: {
    method: 'POST',
    path: '/customer/{tenant}/me/addresses',
    token: 'customer',
    requiredScopes: [],
    inputArgument: 'input',
  },
  updateAddress: {
    method: 'PATCH',
    path: '/customer/{tenant}/me/addresses/{addressId}',
    token: 'customer',
    requiredScopes: [],
    inputArgument: 'input',
    notFoundParam: 'addressId',
  },
  removeAddress: {
    method: 'DELETE',
    path: '/customer/{tenant}/me/addresses/{addressId}',
    token: 'customer',
    requiredScopes: [],
    inputArgument: 'input',
    notFoundParam: 'addressId',
  },
  addAddressTags: {
    method: 'POST',
    path: '/customer/{tenant}/me/addresses/{addressId}/tags',
    token: 'customer',
    requiredScopes: [],
    inputArgument: 'input',
    notFoundParam: 'addressId',
  },
  removeAddressTags: {
    method: 'DELETE',
    path: '/customer/{tenant}/me/addresses/{addressId}/tags',
    token: 'customer',
    requiredScopes: [],
    inputArgument: 'input',
    notFoundParam: 'addressId',
  },

  // Credentials
  changeCustomerEmail: {
    method: 'POST',
    path: '/customer/{tenant}/me/accounts/internal/email/change',
    token: 'customer',
    requiredScopes: profileEdit,
    inputArgument: 'input',
  },
  confirmCustomerEmailChange: {
    method: 'POST',
    path: '/customer/{tenant}/me/accounts/internal/email/change/confirm',
    token: 'anonymous',
    requiredScopes: [],
    inputArgument: 'input',
  },
  // A 404 is reported as success so that the answer never tells whether an account exists for the email.
  requestPasswordReset: {
    method: 'POST',
    path: '/customer/{tenant}/password/reset',
    token: 'anonymous',
    requiredScopes: [],
    alsoSuccess: [404],
    inputArgument: 'input',
  },
  resetPassword: {
    method: 'POST',
    path: '/customer/{tenant}/password/reset/update',
    token: 'anonymous',
    requiredScopes: [],
    inputArgument: 'input',
  },
  changePassword: {
    method: 'POST',
    path: '/customer/{tenant}/password/change',
    token: 'customer',
    requiredScopes: [],
    inputArgument: 'input',
  },
} as const satisfies Record<string, Endpoint>;

export type EndpointName = keyof typeof endpoints;
