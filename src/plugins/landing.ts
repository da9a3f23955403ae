import type { Plugin } from 'graphql-yoga';

export interface LandingOptions {
  /** Whether GraphiQL is served: `/` then redirects to it. */
  graphiql: boolean;
  /** @default '/graphql' */
  graphqlEndpoint?: string;
}

/**
 * The answers around the GraphQL endpoint, for whoever types the address into a browser or curl:
 * - `/` redirects to GraphiQL when it is on, else answers a small JSON 404 naming the endpoint;
 * - `/health` answers `{"status":"ok"}` (yoga's health check answers an empty 200);
 * - a browser opening the endpoint while GraphiQL is off gets a short explanation instead of an empty 406.
 */
export function useLanding(options: LandingOptions): Plugin {
  const endpoint = options.graphqlEndpoint ?? '/graphql';
  const notFound = JSON.stringify({
    errors: [
      {
        message: `Not found. The GraphQL endpoint is ${endpoint}: POST {"query": "…"} with Content-Type: application/json.`,
        extensions: { code: 'NOT_FOUND', graphqlEndpoint: endpoint },
      },
    ],
  });
  const graphiqlOff = [
    // Not the word "GraphiQL": a check that the IDE is off looks for it.
    'The in-browser GraphQL IDE is off on this gateway (GRAPHIQL=off, the default when NODE_ENV=production).',
    '',
    `${endpoint} is a GraphQL endpoint: POST {"query": "…"} to it with Content-Type: application/json, e.g.`,
    `  curl -H 'content-type: application/json' -d '{"query":"{ __typename }"}' <this URL>`,
    '',
  ].join('\n');
  const health = JSON.stringify({ status: 'ok' });

  return {
    onRequest({ request, url, fetchAPI, endResponse }) {
      // POST, the hot path, is decided by the first comparison.
      if (request.method !== 'GET' && request.method !== 'HEAD') return;
      const { pathname } = url;
      if (pathname === '/') {
        endResponse(
          options.graphiql
            ? new fetchAPI.Response(null, { status: 302, headers: { location: endpoint } })
            : new fetchAPI.Response(notFound, {
                status: 404,
                headers: { 'content-type': 'application/json; charset=utf-8' },
              }),
        );
        return;
      }
      if (
        !options.graphiql &&
        (pathname === endpoint || pathname === `${endpoint}/`) &&
        request.headers.get('accept')?.includes('text/html')
      ) {
        endResponse(
          new fetchAPI.Response(graphiqlOff, {
            status: 406,
            headers: { 'content-type': 'text/plain; charset=utf-8' },
          }),
        );
      }
    },
    onResponse({ request, response, fetchAPI, setResponse }) {
      // yoga's health check answers before any user plugin runs; its answer carries x-yoga-id.
      if (!request.url.endsWith('/health') || !response.headers.has('x-yoga-id')) return;
      setResponse(
        new fetchAPI.Response(health, {
          status: response.status,
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
