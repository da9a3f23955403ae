/**
 * The expected outcomes of an operation that are not a success. Each class is a member of every result union
 * (see `src/schema/errors.ts`); anything else that is thrown is a bug, and yoga masks it.
 */

/** One failing input field. `path` is relative to the field's arguments, e.g. `["input", "newEmail"]`. */
export interface ValidationIssue {
  path: string[];
  message: string;
  code: string;
}

/**
 * The base of the expected outcomes a caller's request causes: they are answers, not bugs, so they capture no stack
 * trace. Capturing one, and formatting it (the errors plugin copies every own property of an answered error,
 * `stack` included), cost about 15 % of the validation-failure path's throughput in the benchmark.
 */
class CallerOutcome extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message, options);
    Error.stackTraceLimit = limit;
  }
}

export class ValidationError extends CallerOutcome {
  override name = 'ValidationError';
  constructor(
    message: string,
    readonly issues: ValidationIssue[],
  ) {
    super(message);
  }

  static fromIssues(issues: ValidationIssue[]): ValidationError {
    const listed = issues
      .map((issue) => `${issue.path.join('.') || '(request)'}: ${issue.message}`)
      .join('; ');
    return new ValidationError(`Invalid request: ${listed}`, issues);
  }
}

export const unauthorizedCodes = [
  'MISSING_TOKEN',
  'INVALID_TOKEN',
  'TOKEN_EXPIRED',
  'SESSION_EXPIRED',
] as const;
export type UnauthorizedCode = (typeof unauthorizedCodes)[number];

export class UnauthorizedError extends CallerOutcome {
  override name = 'UnauthorizedError';
  constructor(
    message: string,
    readonly code: UnauthorizedCode,
  ) {
    super(message);
  }
}

export class ForbiddenError extends CallerOutcome {
  override name = 'ForbiddenError';
  constructor(
    message: string,
    readonly requiredScopes: string[],
  ) {
    super(message);
  }
}

export class RateLimitedError extends CallerOutcome {
  override name = 'RateLimitedError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number | null,
  ) {
    super(message);
  }
}

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly retryable: boolean,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** `logIn` and the single sign-on operations: the credentials, code or external token were refused. */
export class InvalidCredentialsError extends CallerOutcome {
  override name = 'InvalidCredentialsError';
}

/** `signUp` with SIGNUP_CONFLICTS=reveal: the email already has an account. */
export class AccountExistsError extends CallerOutcome {
  override name = 'AccountExistsError';
}

/** An address that does not exist or is not the caller's (Emporix's 404). */
export class NotFoundError extends CallerOutcome {
  override name = 'NotFoundError';
  constructor(
    message: string,
    readonly id: string,
  ) {
    super(message);
  }
}

/** The union members every operation can answer with, in the order the schema lists them. */
export const operationErrorClasses = [
  ValidationError,
  UnauthorizedError,
  ForbiddenError,
  RateLimitedError,
  UpstreamError,
] as const;

/** Errors only some operations answer with; each is listed on the fields that can return it. */
export const particularErrorClasses = [InvalidCredentialsError, AccountExistsError, NotFoundError] as const;

export type OperationError =
  | InstanceType<(typeof operationErrorClasses)[number]>
  | InstanceType<(typeof particularErrorClasses)[number]>;

/** Whether `error` is an expected outcome (a union member) rather than a bug. */
export function isOperationError(error: unknown): error is OperationError {
  return (
    operationErrorClasses.some((errorClass) => error instanceof errorClass) ||
    particularErrorClasses.some((errorClass) => error instanceof errorClass)
  );
}
