/**
 * Anonymous access tokens the gateway fetches itself (only when a client id is configured), cached per tenant and
 * shared by every request of that tenant. Concurrent requests share one fetch; a token is refreshed a little
 * before it expires (60 s or 10 % of its lifetime, whichever is less).
 */
import { UpstreamError } from '../errors.js';
import type { EmporixClient } from './client.js';
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
}): AnonymousTokenProvider {
  const now = options.now ?? Date.now;
  const cached = new Map<string, CachedToken>();
  const inFlight = new Map<string, Promise<string>>();

  async function fetchToken(
    tenant: string,
    requestId: string,
    record?: (call: UpstreamCallRecord) => void,
  ): Promise<string> {
    const answer = await options.client.anonymousLogin(
      { tenant, clientId: options.clientId, requestId },
      record,
    );
    const mapped = mapAnswer(answer, { requiredScopes: [] });
    if (!mapped.ok) throw mapped.error;
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
    cached.set(tenant, { accessToken, refreshAt: now() + (expiresIn - margin) * 1000 });
    return accessToken;
  }

  return {
    get(tenant, requestId, record) {
      const hit = cached.get(tenant);
      if (hit && now() < hit.refreshAt) return Promise.resolve(hit.accessToken);
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
