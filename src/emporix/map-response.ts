/**
 * The single table from an Emporix answer to an operation's outcome. Every endpoint goes through it, so a status
 * means the same thing for every operation.
 */
import {
  AccountExistsError,
  ForbiddenError,
  InvalidCredentialsError,
  NotFoundError,
  type OperationError,
  RateLimitedError,
  UnauthorizedError,
  UpstreamError,
  ValidationError,
  type ValidationIssue,
} from '../errors.js';
import type { UpstreamAnswer } from './http.js';

/** What the mapping needs to know of an endpoint beyond its answer. */
export interface EndpointOutcomes {
  /** Scopes the endpoint documents, reported by a 403. */
  requiredScopes: readonly string[];
  /** Statuses that count as success besides 2xx. */
  alsoSuccess?: readonly number[];
  /** The GraphQL argument holding the fields Emporix names in a 400's `details`; absent when there is none. */
  inputArgument?: string;
  /**
   * Statuses that mean the caller's credentials (password, provider code, external token) were refused, unless
   * a 401's fault names a token problem: that is the access token's fault, as everywhere.
   */
  invalidCredentialsOn?: readonly number[];
  /** What a 409 means, when it is an expected outcome. */
  on409?: 'accountExists';
  /** A 409, or a 400 naming the version, is a stale `expectedVersion`. */
  versionConflict?: boolean;
  /** The path parameter naming the resource: a 404 is a NotFoundError with its value. */
  notFoundParam?: string;
}

/** What the mapping needs to know of the call itself. */
export interface CallFacts {
  params?: Record<string, string>;
}

export type MappedAnswer = { ok: true; status: number; json: unknown } | { ok: false; error: OperationError };

export function mapAnswer(
  answer: UpstreamAnswer,
  endpoint: EndpointOutcomes,
  call: CallFacts = {},
): MappedAnswer {
  if (answer.kind === 'failure') {
    const message =
      answer.reason === 'timeout' ? 'Emporix did not answer in time' : 'Emporix could not be reached';
    return { ok: false, error: new UpstreamError(message, null, true, { cause: answer.error }) };
  }
  const { status, json } = answer;
  if ((status >= 200 && status < 300) || endpoint.alsoSuccess?.includes(status)) {
    return { ok: true, status, json };
  }
  return { ok: false, error: errorForStatus(status, json, answer.headers['retry-after'], endpoint, call) };
}

/**
 * Whether a 401 is about the access token (invalid, expired, missing) rather than the caller's credentials:
 * Emporix's API gateway names token faults in `fault.detail.errorcode`, e.g. `oauth.v2.InvalidAccessToken` or
 * `keymanagement.service.access_token_expired`.
 */
export function isTokenFault(json: unknown): boolean {
  const errorcode = stringField(objectField(objectField(json, 'fault'), 'detail'), 'errorcode');
  return errorcode !== undefined && /token/i.test(errorcode);
}

/** Whether this 401 answer will be reported as refused credentials rather than as the token's fault. */
export function isCredentialsRefusal(status: number, json: unknown, endpoint: EndpointOutcomes): boolean {
  if (!endpoint.invalidCredentialsOn?.includes(status)) return false;
  return status !== 401 || !isTokenFault(json);
}

function errorForStatus(
  status: number,
  json: unknown,
  retryAfter: string | string[] | undefined,
  endpoint: EndpointOutcomes,
  call: CallFacts,
): OperationError {
  switch (true) {
    case isCredentialsRefusal(status, json, endpoint):
      return new InvalidCredentialsError(
        status === 401 ? 'The credentials were not accepted' : (stringField(json, 'message') ?? 'Refused'),
      );
    case endpoint.versionConflict === true && (status === 409 || (status === 400 && namesVersion(json))):
      return new ValidationError('The profile changed since it was read: read it again and retry', [
        {
          path: ['input', 'expectedVersion'],
          message: 'Is not the current version of the profile',
          code: 'version_conflict',
        },
      ]);
    case status === 409 && endpoint.on409 === 'accountExists':
      return new AccountExistsError('An account with this email already exists');
    case status === 404 && endpoint.notFoundParam !== undefined: {
      const id = call.params?.[endpoint.notFoundParam] ?? '';
      return new NotFoundError(`No address ${id} in the customer's address book`, id);
    }
    case status === 400:
      return new ValidationError(
        stringField(json, 'message') ?? 'Emporix refused the request',
        issuesFromDetails(json, endpoint.inputArgument),
      );
    case status === 401: {
      const fault = objectField(json, 'fault');
      const errorcode = stringField(objectField(fault, 'detail'), 'errorcode') ?? '';
      const expired = /expired/i.test(errorcode);
      return new UnauthorizedError(
        stringField(fault, 'faultstring') ?? (expired ? 'Access token expired' : 'Invalid access token'),
        expired ? 'TOKEN_EXPIRED' : 'INVALID_TOKEN',
      );
    }
    case status === 403:
      return new ForbiddenError('The access token lacks a scope this operation needs', [
        ...endpoint.requiredScopes,
      ]);
    case status === 429:
      return new RateLimitedError('Emporix is rate limiting these requests', parseRetryAfter(retryAfter));
    case status >= 500 && status <= 599:
      return new UpstreamError(`Emporix failed with status ${status}`, status, true);
    default:
      return new UpstreamError(`Emporix answered with unexpected status ${status}`, status, false);
  }
}

/** Emporix `details` of a 400 as issues; a detail's `field` names an input field, so it is put under the argument. */
function issuesFromDetails(json: unknown, inputArgument: string | undefined): ValidationIssue[] {
  const details = objectField(json, 'details');
  if (!Array.isArray(details)) return [];
  return details.flatMap((detail: unknown) => {
    const message = stringField(detail, 'message');
    if (message === undefined) return [];
    const field = stringField(detail, 'field');
    return [
      {
        path: field ? [...(inputArgument === undefined ? [] : [inputArgument]), ...field.split('.')] : [],
        message,
        code: stringField(detail, 'type') ?? 'upstream',
      },
    ];
  });
}

/** `Retry-After` as whole seconds from now: either delta-seconds or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | null {
  const raw = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!raw) return null;
  const seconds = /^\d+$/.test(raw) ? Number(raw) : Math.ceil((Date.parse(raw) - now) / 1000);
  if (Number.isNaN(seconds)) return null;
  // GraphQL's Int is 32-bit; an absurd value must not turn the whole answer into a serialisation error.
  return Math.min(Math.max(0, seconds), MAX_GRAPHQL_INT);
}

const MAX_GRAPHQL_INT = 2 ** 31 - 1;

function namesVersion(json: unknown): boolean {
  const details = objectField(json, 'details');
  const texts = [
    stringField(json, 'message'),
    ...(Array.isArray(details)
      ? details.flatMap((detail: unknown) => [stringField(detail, 'field'), stringField(detail, 'message')])
      : []),
  ];
  return texts.some((text) => text !== undefined && /version/i.test(text));
}

function objectField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const field = objectField(value, key);
  return typeof field === 'string' ? field : undefined;
}
