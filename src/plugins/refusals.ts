import { createGraphQLError, type Plugin } from 'graphql-yoga';

/** The header that lets a request through CSRF prevention; any value will do. */
export const csrfHeader = 'x-graphql-yoga-csrf';

/** Content types a browser sends without a preflight: a page on any site can POST them. */
const simpleContentTypes = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/**
 * CSRF prevention that says what it wants. The rule is yoga's (`useCSRFPrevention`, which stays after this
 * plugin as a backstop): a request a browser could send from any site without a preflight (a GET, a POST without
 * Content-Type, or a form or text/plain POST) must carry the `x-graphql-yoga-csrf` header. yoga answers all of them
 * "Required CSRF header(s) not present"; this names the header and the way around it, a JSON body.
 */
export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      const contentType = request.headers.get('content-type');
      let simple: string | undefined;
      if (contentType !== null) {
        const lower = contentType.toLowerCase();
        simple = simpleContentTypes.find((type) => lower.startsWith(type));
        // application/json and the like: a browser preflights those, so CORS has already decided.
        if (simple === undefined) return;
      }
      if (request.headers.has(csrfHeader)) return;
      throw createGraphQLError(csrfMessage(request.method, simple), {
        extensions: { code: 'CSRF_HEADER_REQUIRED', header: csrfHeader, http: { status: 403 } },
      });
    },
  };
}

function csrfMessage(method: string, simpleContentType: string | undefined): string {
  const json = 'Content-Type: application/json, which needs no such header';
  if (method === 'GET') {
    return `A GET request needs the header ${csrfHeader} (any value), so that no other site can make a browser send it. Or POST the operation with ${json}.`;
  }
  const what =
    simpleContentType === undefined ? 'without Content-Type' : `with Content-Type: ${simpleContentType}`;
  return `A POST ${what} needs the header ${csrfHeader} (any value), since a form on any site can send one. Send the body as JSON with ${json}.`;
}

/**
 * A browser's CORS preflight from an origin the gateway does not allow is answered 403 with a JSON body naming the
 * cause and the fix (`CORS_ORIGINS`), instead of yoga's CSRF message (CORS off) or a 204 with another origin's
 * Access-Control-Allow-Origin (CORS on). Same-origin pages (GraphiQL) send no preflight.
 */
export function useCorsRefusal(allowedOrigins: readonly string[]): Plugin {
  const allowed = new Set(allowedOrigins);
  const refusal = (request: Request, fetchAPI: { Response: typeof Response }): Response | undefined => {
    if (request.method !== 'OPTIONS') return undefined;
    const origin = request.headers.get('origin');
    if (origin === null || allowed.has(origin)) return undefined;
    // The caller's own Origin, echoed so the developer sees exactly what the browser sent; bounded.
    const shown = origin.slice(0, 200);
    const message =
      allowed.size === 0
        ? `CORS: pages of origin ${shown} may not call this gateway, because CORS is off (CORS_ORIGINS is empty). Set CORS_ORIGINS=${shown} (a comma-separated list) to allow it.`
        : `CORS: origin ${shown} is not in CORS_ORIGINS. Add it to that comma-separated list to allow pages of that origin to call this gateway.`;
    return new fetchAPI.Response(
      JSON.stringify({ errors: [{ message, extensions: { code: 'CORS_ORIGIN_NOT_ALLOWED' } }] }),
      { status: 403, headers: { 'content-type': 'application/json; charset=utf-8', vary: 'Origin' } },
    );
  };
  return {
    // With CORS off, preflights reach the user plugins: answer before any parsing.
    onRequest({ request, fetchAPI, endResponse }) {
      const response = refusal(request, fetchAPI);
      if (response !== undefined) endResponse(response);
    },
    // With CORS on, yoga's CORS plugin has already answered every OPTIONS with 204: replace that answer.
    onResponse({ request, response: answered, fetchAPI, setResponse }) {
      if (answered.status === 403) return;
      const response = refusal(request, fetchAPI);
      if (response !== undefined) setResponse(response);
    },
  };
}
