/**
 * `npm run supergraph`: composes this repository's subgraph with the example orders subgraph into
 * `supergraph.graphql`, with @theguild/federation-composition (what Hive Gateway uses). Fails with the
 * composition errors when the subgraphs do not compose.
 *
 * Subgraph URLs (written into the supergraph, where the federation gateway will send requests):
 * CUSTOMER_SUBGRAPH_URL (http://127.0.0.1:4000/graphql), ORDERS_SUBGRAPH_URL (http://127.0.0.1:4020/graphql).
 * SUPERGRAPH_FILE names another output file.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { composeServices, type ServiceDefinition } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { printSubgraphSdl } from '../src/schema/print.js';
import { ordersTypeDefs } from './orders-subgraph.js';

export const supergraphFile =
  process.env.SUPERGRAPH_FILE ?? fileURLToPath(new URL('../supergraph.graphql', import.meta.url));

/** This repository's subgraph, as a composition input. */
export function customerSubgraph(url: string): ServiceDefinition {
  return { name: 'customers', typeDefs: parse(printSubgraphSdl()), url };
}

/** The supergraph SDL of `services`; throws with every composition error when they do not compose. */
export function compose(services: ServiceDefinition[]): string {
  const result = composeServices(services);
  if (result.errors) {
    throw new Error(
      `The subgraphs do not compose:\n${result.errors.map((error) => `  ${error.message}`).join('\n')}`,
    );
  }
  return result.supergraphSdl;
}

export function composeSupergraph(urls: { customers: string; orders: string }): string {
  return compose([
    customerSubgraph(urls.customers),
    { name: 'orders', typeDefs: ordersTypeDefs, url: urls.orders },
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const supergraph = composeSupergraph({
      customers: process.env.CUSTOMER_SUBGRAPH_URL ?? 'http://127.0.0.1:4000/graphql',
      orders: process.env.ORDERS_SUBGRAPH_URL ?? 'http://127.0.0.1:4020/graphql',
    });
    writeFileSync(supergraphFile, supergraph);
    console.log(`wrote ${supergraphFile}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
