/**
 * The single table from an Emporix answer to an operation's outcome. Every endpoint goes through it, so a status
 * means the same thing for every operation.
 */
import {
  ForbiddenError,
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
}

export type MappedAnswer = { ok: true; status: number; json: unknown } | { ok: false; error: OperationError };

export function mapAnswer(answer: UpstreamAnswer, endpoint: EndpointOutcomes): MappedAnswer {
  if (answer.kind === 'failure') {
    const message =
      answer.reason === 'timeout' ? 'Emporix did not answer in time' : 'Emporix could not be reached';
    return { ok: false, error: new UpstreamError(message, null, true, { cause: answer.error }) };
  }
  const { status, json } = answer;
  if ((status >= 200 && status < 300) || endpoint.alsoSuccess?.includes(status)) {
    return { ok: true, status, json };
  }
  return { ok: false, error: errorForStatus(status, json, answer.headers['retry-after'], endpoint) };
}

function errorForStatus(
  status: number,
  json: unknown,
  retryAfter: string | string[] | undefined,
  endpoint: EndpointOutcomes,
): OperationError {
  switch (true) {
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

function objectField(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  const field = objectField(value, key);
  return typeof field === 'string' ? field : undefined;
}
