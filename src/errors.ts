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

export class ValidationError extends Error {
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

export const unauthorizedCodes = ['MISSING_TOKEN', 'INVALID_TOKEN', 'TOKEN_EXPIRED'] as const;
export type UnauthorizedCode = (typeof unauthorizedCodes)[number];

export class UnauthorizedError extends Error {
  override name = 'UnauthorizedError';
  constructor(
    message: string,
    readonly code: UnauthorizedCode,
  ) {
    super(message);
  }
}

export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
  constructor(
    message: string,
    readonly requiredScopes: string[],
  ) {
    super(message);
  }
}

export class RateLimitedError extends Error {
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

/** The union members every operation can answer with, in the order the schema lists them. */
export const operationErrorClasses = [
  ValidationError,
  UnauthorizedError,
  ForbiddenError,
  RateLimitedError,
  UpstreamError,
] as const;

export type OperationError = InstanceType<(typeof operationErrorClasses)[number]>;
