import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { EmulatorState } from './state.js';

export interface Reply {
  status: number;
  /** undefined → no body (e.g. 204); anything else is sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false };

export interface RequestContext {
  state: EmulatorState;
  method: string;
  path: string;
  params: Record<string, string>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  rawBody: string;
  json: ParsedJson;
}

export type Handler = (ctx: RequestContext) => Reply;

export interface ErrorDetail {
  field: string;
  type: string;
  message: string;
}

/** Thrown by handlers to answer with an error; the dispatcher turns it into the reply. */
export class HttpError extends Error {
  constructor(readonly reply: Reply) {
    super(`HTTP ${reply.status}`);
  }
}

export function errorBody(status: number, type: string, message: string, details?: ErrorDetail[]) {
  return details ? { type, status, message, details } : { type, status, message };
}

export function badRequest(message: string, details?: ErrorDetail[]): HttpError {
  return new HttpError({ status: 400, body: errorBody(400, 'bad_request', message, details) });
}

/** `409_conflict` in the spec: the resource (e.g. an account) already exists or is already in that state. */
export function conflict(message: string): HttpError {
  return new HttpError({ status: 409, body: errorBody(409, 'conflict_resource', message) });
}

export function forbidden(): HttpError {
  return new HttpError({ status: 403, body: errorBody(403, 'Forbidden', 'User not authorized.') });
}

export function notFound(type: string, message: string): HttpError {
  return new HttpError({ status: 404, body: errorBody(404, type, message) });
}

/** 401 answers come from the API gateway in front of Emporix, hence the different (Apigee) shape. */
export function unauthorized(faultstring: string, errorcode: string): HttpError {
  return new HttpError({ status: 401, body: { fault: { faultstring, detail: { errorcode } } } });
}

export const invalidToken = () => unauthorized('Invalid access token', 'oauth.v2.InvalidAccessToken');
export const expiredToken = () =>
  unauthorized('Access Token expired', 'keymanagement.service.access_token_expired');
export const missingToken = () =>
  unauthorized('Failed to resolve the access token', 'steps.oauth.v2.FailedToResolveAccessToken');
// Log-in refusals: their errorcodes never contain "token", which is how a client tells them from token faults.
export const invalidCredentials = () =>
  unauthorized('Invalid customer credentials', 'customer.invalid_credentials');
export const socialLoginFailed = (reason: string) =>
  unauthorized(`Social login failed: ${reason}`, 'customer.social_login_failed');
export const externalAuthenticationFailed = (reason: string) =>
  unauthorized(`External authentication failed: ${reason}`, 'customer.external_authentication_failed');

/** A required, non-empty query parameter; a missing one is a 400 naming it. */
export function requiredQuery(ctx: RequestContext, name: string): string {
  const value = ctx.query.get(name);
  if (value === null || value === '') {
    throw badRequest(`Query parameter ${name} is required.`, [
      { field: name, type: 'missing_value', message: `Query parameter '${name}' is required.` },
    ]);
  }
  return value;
}

export function parseJson(raw: string): ParsedJson {
  if (raw.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    return { ok: false };
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Strict body validation: the gateway's exact request bodies are what is under test. */
export function parseBody<S extends z.ZodType>(ctx: RequestContext, schema: S): z.infer<S> {
  if (ctx.rawBody.trim() === '') throw badRequest('Request body is required.');
  if (!ctx.json.ok) throw badRequest('Request body is not valid JSON.');
  const raw = ctx.json.value;
  if (!isPlainObject(raw)) throw badRequest('Request body must be a JSON object.');
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const details: ErrorDetail[] = [];
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        details.push({ field: key, type: 'unknown_field', message: `Field '${key}' is not allowed.` });
      }
    } else if (issue.code === 'invalid_type') {
      const missing = !(field in raw) || raw[field] === undefined;
      details.push(
        missing
          ? { field, type: 'missing_value', message: `Field '${field}' is required.` }
          : { field, type: 'invalid_type', message: `Field '${field}' must be of type ${issue.expected}.` },
      );
    } else {
      details.push({ field, type: 'invalid_value', message: issue.message });
    }
  }
  throw badRequest('Request body is invalid.', details);
}
