/**
 * Anonymous access tokens the gateway fetches itself (only when a client id is configured), cached per tenant and
 * shared by every request of that tenant. Concurrent requests share one fetch; a token is refreshed a little
 * before it expires (60 s or 10 % of its lifetime, whichever is less).
 */
import { UpstreamError } from '../errors.js';
import type { EmporixClient } from './client.js';
import { endpoints } from './endpoints.js';
import type { UpstreamCallRecord } from './http.js';
import { mapAnswer } from './map-response.js';

interface CachedToken {
  accessToken: string;
  refreshAt: number;
}

export interface AnonymousTokenProvider {
  /** A valid token for the tenant, fetched when none is cached. Throws an `OperationError` when the fetch fails. */
  get(tenant: string, requestId: string, record?: (call: UpstreamCallRecord) => void): Promise<string>;
  /** Forget `accessToken` (Emporix refused it), unless a newer token already replaced it. */
  invalidate(tenant: string, accessToken: string): void;
}

export function createAnonymousTokenProvider(options: {
  client: EmporixClient;
  clientId: string;
  now?: () => number;
  /**
   * Told of a failed fetch, at most once per tenant per minute: it is the gateway's configuration (its client
   * id) or Emporix that failed, not the caller, so it belongs in the error log.
   */
  onFailure?: (tenant: string, error: UpstreamError) => void;
}): AnonymousTokenProvider {
  const now = options.now ?? Date.now;
  const maxTenants = 1000;
  const refusedForMs = 5000;
  const cached = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<string>>();
  // A tenant Emporix refuses (400, 401, 403, 404: an unknown tenant or a wrong client id) is not asked again for
  // a few seconds: any caller can name any tenant, and each would otherwise cost an Emporix call.
  const refused = new Map<string, { error: Error; until: number }>();
  const reportedAt = new Map<string, number>();

  function remember<V>(map: Map<string, V>, tenant: string, value: V): void {
    map.delete(tenant);
    map.set(tenant, value);
    // Bounded, oldest first out, since the tenants come from callers.
    if (map.size > maxTenants) map.delete(map.keys().next().value as string);
  }

  async function fetchToken(
    tenant: string,
    requestId: string,
    record?: (call: UpstreamCallRecord) => void,
  ): Promise<string> {
    const answer = await options.client.call(
      'anonymousLogin',
      { tenant, requestId, record },
      { query: { tenant, client_id: options.clientId } },
    );
    const mapped = mapAnswer(answer, endpoints.anonymousLogin);
    if (!mapped.ok) {
      // Not the caller's fault, whatever the status: an UpstreamError, never the Validation or Unauthorized
      // answer the caller's own call would get.
      const status = answer.kind === 'response' ? answer.status : null;
      const retryable = status === null || status >= 500 || status === 429;
      const error = new UpstreamError(
        status === null
          ? 'The gateway could not get an anonymous token from Emporix'
          : `Emporix refused the gateway's anonymous token request with status ${status}`,
        status,
        retryable,
        { cause: mapped.error },
      );
      if (status !== null && [400, 401, 403, 404].includes(status)) {
        remember(refused, tenant, { error, until: now() + refusedForMs });
      }
      const last = reportedAt.get(tenant);
      if (last === undefined || now() - last >= 60_000) {
        remember(reportedAt, tenant, now());
        options.onFailure?.(tenant, error);
      }
      throw error;
    }
    const body = mapped.json as { access_token?: unknown; expires_in?: unknown } | undefined;
    const accessToken = body?.access_token;
    const expiresIn = body?.expires_in;
    if (typeof accessToken !== 'string' || accessToken === '' || typeof expiresIn !== 'number') {
      throw new UpstreamError(
        'Emporix answered the anonymous login with an unreadable token',
        mapped.status,
        false,
      );
    }
    const margin = Math.min(60, expiresIn * 0.1);
    remember(cached, tenant, { accessToken, refreshAt: now() + (expiresIn - margin) * 1000 });
    return accessToken;
  }

  return {
    get(tenant, requestId, record) {
      const hit = cached.get(tenant);
      if (hit && now() < hit.refreshAt) return Promise.resolve(hit.accessToken);
      const refusal = refused.get(tenant);
      if (refusal && now() < refusal.until) return Promise.reject(refusal.error);
      const pending = inFlight.get(tenant);
      if (pending) return pending;
      const fetching = fetchToken(tenant, requestId, record).finally(() => inFlight.delete(tenant));
      inFlight.set(tenant, fetching);
      return fetching;
    },
    invalidate(tenant, accessToken) {
      if (cached.get(tenant)?.accessToken === accessToken) cached.delete(tenant);
    },
  };
}
