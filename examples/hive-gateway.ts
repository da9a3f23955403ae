/**
 * Serves a supergraph with Hive Gateway (its runtime, in-process), propagating the headers the customer subgraph
 * needs to it, and its Set-Cookie (browser sessions) back to the client. `npm run example:gateway` serves
 * `supergraph.graphql` on FEDERATION_PORT (4030).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createGatewayRuntime, type PropagateHeadersOpts } from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import { serveOnLoopback } from './serve.js';
import { supergraphFile } from './supergraph.js';

/**
 * The caller's headers the customer subgraph needs; every other client header stays at the federation gateway.
 * `cookie` carries the gateway-held session (SESSIONS=on); `origin` and `sec-fetch-site` let the subgraph apply its
 * cross-site rule to the browser's request (without them every cookie request would look same-origin to it).
 */
export const propagatedHeaders = [
  'authorization',
  'x-emporix-tenant',
  'x-request-id',
  'cookie',
  'origin',
  'sec-fetch-site',
] as const;

export const propagateHeaders: PropagateHeadersOpts<Record<string, unknown>> = {
  fromClientToSubgraphs({ request, subgraphName }) {
    if (subgraphName !== 'customers') return;
    const headers: Record<string, string> = {};
    for (const name of propagatedHeaders) {
      const value = request.headers.get(name);
      if (value !== null) headers[name] = value;
    }
    return headers;
  },
  // The session cookie the customer subgraph sets (log-in, refresh) or expires (log-out, an ended session) must
  // reach the browser; Hive Gateway appends every subgraph's Set-Cookie.
  fromSubgraphsToClient({ response, subgraphName }) {
    if (subgraphName !== 'customers') return;
    const cookies = response.headers.getSetCookie();
    return cookies.length === 0 ? undefined : { 'set-cookie': cookies };
  },
};

export function createFederationGateway(supergraph: string) {
  return createGatewayRuntime({
    supergraph,
    transports: { http: httpTransport },
    propagateHeaders,
    graphiql: true,
    logging: false,
  });
}

export async function startFederationGateway(
  supergraph: string,
  port = 0,
): Promise<{ server: Server; url: string }> {
  const gateway = createFederationGateway(supergraph);
  const served = await serveOnLoopback(gateway, port);
  served.server.on('close', () => void gateway.dispose());
  return served;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await startFederationGateway(
    readFileSync(supergraphFile, 'utf8'),
    Number(process.env.FEDERATION_PORT ?? 4030),
  );
  console.log(`Hive Gateway serving ${supergraphFile} on ${url}`);
}
