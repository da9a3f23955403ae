/**
 * The one generic call over the catalogue (`endpoints.ts`): it fills the path template, adds the query and JSON
 * body, and sends through the single `request()` of `http.ts`. What an answer means is decided by
 * `map-response.ts`; which token to send, by `session.ts`.
 */
import { type EndpointName, endpoints } from './endpoints.js';
import type { UpstreamAnswer, UpstreamCallRecord, UpstreamHttp } from './http.js';
import type { EndpointBodies } from './types.js';

/** Who is calling, for which tenant, with which token: what every call carries. */
export interface EndpointCall {
  tenant: string;
  requestId: string;
  /** The full `Authorization` header value; absent for endpoints that take no token. */
  authorization?: string;
  record?: (call: UpstreamCallRecord) => void;
}

/** What one call sends besides the tenant and token; `body` is typed by the endpoint (see `EndpointBodies`). */
export interface EndpointRequest<N extends EndpointName = EndpointName> {
  /** Values of the path template's `{name}` segments other than `{tenant}`. */
  params?: Record<string, string>;
  /** Query parameters; undefined ones are left out. Tokens may be among them: nothing logs a query. */
  query?: Record<string, string | undefined>;
  /** Sent as JSON when present. */
  body?: N extends keyof EndpointBodies ? EndpointBodies[N] : never;
  /** Extra request headers the endpoint documents (e.g. `session-id`). */
  headers?: Record<string, string>;
}

export type EmporixClient = ReturnType<typeof createEmporixClient>;

export function createEmporixClient(http: UpstreamHttp) {
  return {
    call<N extends EndpointName>(
      name: N,
      call: EndpointCall,
      request: EndpointRequest<N> = {},
    ): Promise<UpstreamAnswer> {
      const endpoint = endpoints[name];
      const values: Record<string, string> = { ...request.params, tenant: call.tenant };
      const path = endpoint.path.replace(/\{(\w+)\}/g, (_segment, key: string) => {
        const value = values[key];
        if (value === undefined) throw new Error(`No value for {${key}} of ${name}`);
        return encodeURIComponent(value);
      });
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(request.query ?? {})) {
        if (value !== undefined) query.set(key, value);
      }
      const search = query.size === 0 ? '' : `?${query}`;
      return http.request(
        {
          endpoint: name,
          method: endpoint.method,
          path: path + search,
          pathTemplate: endpoint.path,
          authorization: call.authorization,
          requestId: call.requestId,
          body: request.body,
          headers: request.headers,
        },
        call.record,
      );
    },
  };
}
