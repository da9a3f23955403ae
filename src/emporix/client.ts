/**
 * One function per Emporix endpoint the gateway uses, over the single `request()` of `http.ts`. Each sends exactly
 * the documented path and body; what an answer means is decided by `map-response.ts` with the facts listed here.
 */
import type { UpstreamAnswer, UpstreamCallRecord, UpstreamHttp } from './http.js';
import type { EndpointOutcomes } from './map-response.js';
import type {
  ChangeCustomerEmailBody,
  ChangePasswordBody,
  ConfirmCustomerEmailChangeBody,
  RequestPasswordResetBody,
  ResetPasswordBody,
} from './types.js';

/** Who is calling and for which tenant: what every endpoint call carries. */
export interface EndpointCall {
  tenant: string;
  requestId: string;
  /** The full `Authorization` header value. */
  authorization: string;
  record?: (call: UpstreamCallRecord) => void;
}

export type EndpointName = keyof typeof endpoints;

/** The facts of each endpoint that the mapping and the token choice need. */
export const endpoints = {
  anonymousLogin: { requiredScopes: [], token: 'none' },
  getMe: { requiredScopes: [], token: 'anonymous' },
  changeCustomerEmail: {
    requiredScopes: ['customer.customerprofile_edit'],
    token: 'customer',
    inputArgument: 'input',
  },
  confirmCustomerEmailChange: { requiredScopes: [], token: 'anonymous', inputArgument: 'input' },
  // A 404 is reported as success so that the answer never tells whether an account exists for the email.
  requestPasswordReset: {
    requiredScopes: [],
    token: 'anonymous',
    alsoSuccess: [404],
    inputArgument: 'input',
  },
  resetPassword: { requiredScopes: [], token: 'anonymous', inputArgument: 'input' },
  changePassword: { requiredScopes: [], token: 'customer', inputArgument: 'input' },
} as const satisfies Record<string, EndpointOutcomes & { token: 'none' | 'anonymous' | 'customer' }>;

export type EmporixClient = ReturnType<typeof createEmporixClient>;

export function createEmporixClient(http: UpstreamHttp) {
  function post(
    endpoint: EndpointName,
    call: EndpointCall,
    path: string,
    body: object,
  ): Promise<UpstreamAnswer> {
    return http.request(
      {
        endpoint,
        method: 'POST',
        path: `/customer/${encodeURIComponent(call.tenant)}${path}`,
        authorization: call.authorization,
        requestId: call.requestId,
        body,
      },
      call.record,
    );
  }

  return {
    anonymousLogin: (
      params: { tenant: string; clientId: string; requestId: string },
      record?: (call: UpstreamCallRecord) => void,
    ) =>
      http.request(
        {
          endpoint: 'anonymousLogin',
          method: 'GET',
          path: `/customerlogin/auth/anonymous/login?${new URLSearchParams({ tenant: params.tenant, client_id: params.clientId })}`,
          requestId: params.requestId,
        },
        record,
      ),

    getMe: (call: EndpointCall) =>
      http.request(
        {
          endpoint: 'getMe',
          method: 'GET',
          path: `/customer/${encodeURIComponent(call.tenant)}/me`,
          authorization: call.authorization,
          requestId: call.requestId,
        },
        call.record,
      ),

    changeCustomerEmail: (call: EndpointCall, body: ChangeCustomerEmailBody) =>
      post('changeCustomerEmail', call, '/me/accounts/internal/email/change', body),

    confirmCustomerEmailChange: (call: EndpointCall, body: ConfirmCustomerEmailChangeBody) =>
      post('confirmCustomerEmailChange', call, '/me/accounts/internal/email/change/confirm', body),

    requestPasswordReset: (call: EndpointCall, body: RequestPasswordResetBody) =>
      post('requestPasswordReset', call, '/password/reset', body),

    resetPassword: (call: EndpointCall, body: ResetPasswordBody) =>
      post('resetPassword', call, '/password/reset/update', body),

    changePassword: (call: EndpointCall, body: ChangePasswordBody) =>
      post('changePassword', call, '/password/change', body),
  };
}
