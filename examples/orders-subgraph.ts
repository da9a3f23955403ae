/**
 * A tiny example subgraph, as a storefront team's order service might be: `Order.customer` is a reference to the
 * gateway's `Customer` entity, which the supergraph resolves through this repository's subgraph.
 * `npm run example:orders` serves it on ORDERS_PORT (4020).
 */
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { serveOnLoopback } from './serve.js';

export const ordersTypeDefs = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])

  type Query {
    "An order by its id; null when there is none."
    order(id: ID!): Order
  }

  "An order placed by a customer."
  type Order @key(fields: "id") {
    id: ID!
    total: Float!
    "Who placed the order; its fields come from the customer gateway."
    customer: Customer!
  }

  "The customer entity, owned and resolved by the customer gateway."
  type Customer @key(fields: "id", resolvable: false) {
    id: ID!
  }
`);

interface Order {
  id: string;
  total: number;
  customerId: string;
}

/** Orders of the emulator's demo customer (13869000) and of someone else (99999999). */
export const exampleOrders: Order[] = [
  { id: 'order-1', total: 42.5, customerId: '13869000' },
  { id: 'order-2', total: 7, customerId: '99999999' },
];

export function createOrdersSubgraph() {
  const schema = buildSubgraphSchema({
    typeDefs: ordersTypeDefs,
    resolvers: {
      Query: {
        order: (_root: unknown, args: { id: string }) => exampleOrders.find((order) => order.id === args.id),
      },
      Order: { customer: (order: Order) => ({ __typename: 'Customer', id: order.customerId }) },
    },
  });
  return createYoga({ schema, graphiql: false, landingPage: false, logging: false });
}

/** Serves the subgraph on loopback; answers the server and its URL. */
export function startOrdersSubgraph(port = 0): Promise<{ server: Server; url: string }> {
  return serveOnLoopback(createOrdersSubgraph(), port);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { url } = await startOrdersSubgraph(Number(process.env.ORDERS_PORT ?? 4020));
  console.log(`orders subgraph on ${url}`);
}
