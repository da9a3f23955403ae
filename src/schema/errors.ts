import {
  AccountExistsError,
  ForbiddenError,
  InvalidCredentialsError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  UpstreamError,
  unauthorizedCodes,
  ValidationError,
  type ValidationIssue,
} from '../errors.js';
import { builder } from './builder.js';

const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'Implemented by every error member of an operation result union.',
  fields: (t) => ({
    message: t.exposeString('message', { description: 'What went wrong, for people; not for matching on.' }),
  }),
});

const ValidationIssueRef = builder.objectRef<ValidationIssue>('ValidationIssue').implement({
  description: 'One problem with one input value.',
  fields: (t) => ({
    path: t.exposeStringList('path', {
      description:
        'Where the problem is: `["input", "<field>"]` for a field of the input, `["tenant"]` for the X-Emporix-Tenant header, the bare field Emporix named when the operation has no input, empty when Emporix named no field.',
    }),
    message: t.exposeString('message', { description: 'What is wrong with the value.' }),
    code: t.exposeString('code', {
      description:
        "A machine-readable code: zod's issue code (`too_small`, `too_big`, `invalid_format`, `custom`, ...) for the gateway's own checks, or the Emporix detail type for a refusal by Emporix.",
    }),
  }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description:
    'Returned when the input or the tenant is invalid (nothing is sent to Emporix), or when Emporix refuses the request with 400 (a wrong current password, an unknown or used token, ...).',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    issues: t.field({
      type: [ValidationIssueRef],
      description: 'Every failing value; a field may have several issues.',
      resolve: (error) => error.issues,
    }),
  }),
});

const UnauthorizedCodeRef = builder.enumType('UnauthorizedCode', {
  description: 'Why the request is not authenticated.',
  values: {
    MISSING_TOKEN: {
      value: unauthorizedCodes[0],
      description: 'No Authorization header was sent, and the gateway has no anonymous token to use instead.',
    },
    INVALID_TOKEN: {
      value: unauthorizedCodes[1],
      description: 'The Authorization header is not "Bearer <token>", or Emporix does not accept the token.',
    },
    TOKEN_EXPIRED: { value: unauthorizedCodes[2], description: 'Emporix says the token has expired.' },
    SESSION_EXPIRED: {
      value: unauthorizedCodes[3],
      description:
        'The gateway session the cookie names does not exist, has ended, or could not be renewed (SESSIONS=on): the response expires the cookie; log in again.',
    },
  },
});

builder.objectType(UnauthorizedError, {
  name: 'UnauthorizedError',
  description:
    'Returned when the operation needs a token and none was sent (nothing is sent to Emporix), or when Emporix answers 401.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    code: t.field({ type: UnauthorizedCodeRef, description: 'Why.', resolve: (error) => error.code }),
  }),
});

builder.objectType(ForbiddenError, {
  name: 'ForbiddenError',
  description:
    'Returned when Emporix answers 403: the token is valid but lacks a scope, e.g. an anonymous token used where a customer token is needed.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    requiredScopes: t.exposeStringList('requiredScopes', {
      description: 'The scopes the endpoint documents; empty when Emporix documents none.',
    }),
  }),
});

builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  description:
    "Returned when the gateway's own rate limit for the client or the target is exceeded (nothing is sent to Emporix), or when Emporix answers 429.",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    retryAfterSeconds: t.exposeInt('retryAfterSeconds', {
      nullable: true,
      description:
        "Seconds to wait before trying again: from the gateway's limit, or from Emporix's Retry-After (null when it sent none).",
    }),
  }),
});

builder.objectType(UpstreamError, {
  name: 'UpstreamError',
  description:
    'Returned when Emporix fails (5xx), cannot be reached, does not answer within the timeout, or answers with a status the gateway does not expect.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    status: t.exposeInt('status', {
      nullable: true,
      description: 'The HTTP status Emporix answered with; null when there was no answer (timeout, network).',
    }),
    retryable: t.exposeBoolean('retryable', {
      description:
        'Whether the same request may succeed later (true for 5xx, timeouts and network failures). The gateway itself never retries a credential operation.',
    }),
  }),
});

builder.objectType(InvalidCredentialsError, {
  name: 'InvalidCredentialsError',
  description:
    "Returned by `logIn` when the email or password is wrong, or the account cannot log in yet (an unconfirmed sign-up: Emporix does not say which), the same for an unknown email as for a wrong password; and by the single sign-on operations when Emporix refuses the provider's code or token (its 400, or a 401 that is not about the access token).",
  interfaces: [ErrorInterface],
  fields: () => ({}),
});

builder.objectType(AccountExistsError, {
  name: 'AccountExistsError',
  description:
    "Returned by `signUp` only when the gateway runs with SIGNUP_CONFLICTS=reveal and the email already has an account (Emporix's 409). With the default, SIGNUP_CONFLICTS=hide, such a sign-up answers SignUpSuccess, so that sign-up never tells whether an email has an account.",
  interfaces: [ErrorInterface],
  fields: () => ({}),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description:
    "Returned by an address operation when the address does not exist or is not the caller's (Emporix's 404).",
  interfaces: [ErrorInterface],
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The id that was not found.' }),
  }),
});
