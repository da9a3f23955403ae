/**
 * Serves a supergraph with Hive Gateway (its runtime, in-process), propagating the three headers the customer
 * subgraph needs. `npm run example:gateway` serves `supergraph.graphql` on FEDERATION_PORT (4030).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createGatewayRuntime, type PropagateHeadersOpts } from '@graphql-hive/gateway-runtime';
import httpTransport from '@graphql-mesh/transport-http';
import { serveOnLoopback } from './serve.js';
import { supergraphFile } from './supergraph.js';

/** The caller's headers the customer subgraph needs; every other client header stays at the federation gateway. */
export const propagatedHeaders = ['authorization', 'x-emporix-tenant', 'x-request-id'] as const;

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
