import type { Plugin } from 'graphql-yoga';
import type { RequestSession } from '../sessions/request-session.js';
import type { SessionManager } from '../sessions/sessions.js';

/**
 * The browser-session plugin (SESSIONS=on): a request that carries the session cookie from another site is refused
 * before anything runs, and each response carries the Set-Cookie headers its request's session collected.
 *
 * A cookie request is accepted only when its `Origin` is the gateway's own or one of CORS_ORIGINS; without an
 * `Origin`, only when `Sec-Fetch-Site` is absent (not a browser, or an old one) or `same-origin`. "The gateway's
 * own" is the origin of the request as it reached the gateway: behind a proxy that terminates TLS that is
 * `http://…`, so the public `https://…` origin of a page served by the gateway itself must be in CORS_ORIGINS (no
 * forwarded header is trusted to say otherwise). SameSite=Lax
 * already keeps the cookie off cross-site POSTs; this also covers same-site pages that are not allowed origins.
 */
export function useSessionCookies(options: { manager: SessionManager; allowedOrigins: readonly string[] }): {
  plugin: Plugin;
  track(request: Request, session: RequestSession): void;
} {
  const { manager } = options;
  const allowed = new Set(options.allowedOrigins);
  const sessionsByRequest = new WeakMap<Request, RequestSession>();

  function refused(request: Request, url: URL): string | undefined {
    const origin = request.headers.get('origin');
    if (origin !== null) {
      return origin === url.origin || allowed.has(origin)
        ? undefined
        : // Shown cut, like the CORS refusal: the caller chose this header's length.
          `Origin ${origin.slice(0, 200)} may not use the session cookie: it is not this gateway's origin nor in CORS_ORIGINS.`;
    }
    const site = request.headers.get('sec-fetch-site');
    return site === null || site === 'same-origin'
      ? undefined
      : `A ${site} request without an Origin header may not use the session cookie.`;
  }

  return {
    track: (request, session) => sessionsByRequest.set(request, session),
    plugin: {
      onRequest({ request, url, endResponse, fetchAPI }) {
        if (!manager.carriesCookie(request.headers.get('cookie'))) return;
        const reason = refused(request, url);
        if (reason === undefined) return;
        manager.emit('refused_origin');
        endResponse(
          new fetchAPI.Response(
            JSON.stringify({ errors: [{ message: reason, extensions: { code: 'SESSION_ORIGIN_REFUSED' } }] }),
            { status: 403, headers: { 'content-type': 'application/json; charset=utf-8' } },
          ),
        );
      },
      onResponse({ request, response }) {
        const session = sessionsByRequest.get(request);
        if (session === undefined) return;
        for (const cookie of session.setCookies) response.headers.append('set-cookie', cookie);
        // A response that sets or clears a session cookie is the caller's alone.
        if (session.setCookies.length > 0) response.headers.set('cache-control', 'no-store');
      },
    },
  };
}
