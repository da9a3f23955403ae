import type { Plugin } from 'graphql-yoga';

export interface ReadinessOptions {
  /** Whether Emporix answers at all (any HTTP status counts). */
  probe: () => Promise<boolean>;
  /** True once shutdown has begun: the instance must leave the load balancer. */
  isDraining: () => boolean;
  /** How long one probe's answer is reused, so a busy health checker cannot load Emporix. @default 1000 */
  cacheMs?: number;
}

/** `GET /readiness`: 200 when Emporix answers and the gateway is not shutting down, else 503. */
export function useReadiness(options: ReadinessOptions): Plugin {
  const cacheMs = options.cacheMs ?? 1000;
  let last: { at: number; upstream: Promise<boolean> } | undefined;

  return {
    // Not `async`: every other request returns at once, without paying for a promise.
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/readiness') return;
      const now = Date.now();
      if (last === undefined || now - last.at > cacheMs) last = { at: now, upstream: options.probe() };
      return last.upstream.then((upstream) => {
        const draining = options.isDraining();
        const ready = upstream && !draining;
        endResponse(
          new fetchAPI.Response(JSON.stringify({ ready, upstream: upstream ? 'up' : 'down', draining }), {
            status: ready ? 200 : 503,
            headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
          }),
        );
      });
    },
  };
}
