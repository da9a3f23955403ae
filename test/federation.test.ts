/**
 * The gateway as an Apollo Federation v2 subgraph, composed with the example orders subgraph and served by a real
 * Hive Gateway runtime: entity resolution, the credential mutations, header propagation and the typed unions,
 * all through the federation gateway; and browser sessions, whose cookie the router forwards to the customer
 * subgraph and whose Set-Cookie it returns to the client.
 */
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { GraphQLClient } from 'graphql-request';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFederationGateway } from '../examples/hive-gateway.js';
import { startOrdersSubgraph } from '../examples/orders-subgraph.js';
import { composeSupergraph } from '../examples/supergraph.js';
import { createCustomerClient } from '../src/client/index.js';

import { expectTypename } from './assert.js';
import { type Stack, startStack } from './harness.js';

let stack: Stack;
let orders: { server: Server; url: string };
let federation: { server: Server; url: string };

beforeAll(async () => {
  stack = await startStack();
  orders = await startOrdersSubgraph();
  federation = await startFederationGateway(composeSupergraph({ customers: stack.url, orders: orders.url }));
});
afterAll(async () => {
  for (const server of [federation.server, orders.server]) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await stack.close();
});
beforeEach(() => stack.emulator.clearRequests());

/** The typed SDK, pointed at the federation gateway. */
function throughFederation(headers: Record<string, string> = {}) {
  return createCustomerClient({ url: federation.url, headers });
}

/** A plain client for supergraph documents (orders) that are not SDK operations. */
function rawThroughFederation(headers: Record<string, string> = {}) {
  return new GraphQLClient(federation.url, { headers });
}

const orderWithCustomer = /* GraphQL */ `
  query OrderWithCustomer($id: ID!) {
    order(id: $id) {
      id
      total
      customer {
        id
        contactEmail
        firstName
      }
    }
  }
`;

interface OrderWithCustomer {
  order: {
    id: string;
    total: number;
    customer: { id: string; contactEmail: string | null; firstName: string | null } | null;
  } | null;
}

describe('through Hive Gateway', () => {
  it('serves me from the customer subgraph with the caller’s headers', async () => {
    const token = stack.emulator.demo.customerToken;
    const { me } = await throughFederation({
      authorization: `Bearer ${token}`,
      'x-emporix-tenant': 'DEMO',
      'x-request-id': 'federated-req-1',
      cookie: 'not-for-emporix=1',
    }).Me();
    expect(expectTypename(me, 'Customer').contactEmail).toBe('demo@example.com');

    const [request] = stack.upstream();
    expect(request?.path).toBe('/customer/demo/me');
    expect(request?.headers.authorization).toBe(`Bearer ${token}`);
    expect(request?.headers['x-request-id']).toBe('federated-req-1');
    expect(request?.headers.cookie).toBeUndefined();
  });

  it('resolves Order.customer through the Customer entity: the caller’s own profile, fetched once', async () => {
    const token = stack.emulator.demo.customerToken;
    const client = rawThroughFederation({ authorization: `Bearer ${token}` });
    const own = await client.request<OrderWithCustomer>(orderWithCustomer, { id: 'order-1' });
    expect(own.order).toEqual({
      id: 'order-1',
      total: 42.5,
      customer: { id: '13869000', contactEmail: 'demo@example.com', firstName: 'Demo' },
    });
    expect(stack.upstream().map((request) => request.path)).toEqual(['/customer/demo/me']);
  });

  it('resolves another customer’s id to nothing: the entity never reads someone else’s profile', async () => {
    const client = rawThroughFederation({ authorization: `Bearer ${stack.emulator.demo.customerToken}` });
    const other = await client.request<OrderWithCustomer>(orderWithCustomer, { id: 'order-2' });
    // The id is the orders subgraph's own reference; every profile field stays empty.
    expect(other.order?.customer).toEqual({ id: '99999999', contactEmail: null, firstName: null });
    // The only call made is for the caller's own profile, with the caller's token.
    expect(stack.upstream().map((request) => request.path)).toEqual(['/customer/demo/me']);
  });

  it('resolves the entity to nothing without a token, and calls nothing upstream', async () => {
    const anonymous = await rawThroughFederation().request<OrderWithCustomer>(orderWithCustomer, {
      id: 'order-1',
    });
    expect(anonymous.order?.customer).toEqual({ id: '13869000', contactEmail: null, firstName: null });
    expect(stack.upstream()).toEqual([]);
  });

  it('batches several references in one request into one upstream call', async () => {
    const client = rawThroughFederation({ authorization: `Bearer ${stack.emulator.demo.customerToken}` });
    const result = await client.request<{ a: OrderWithCustomer['order']; b: OrderWithCustomer['order'] }>(
      /* GraphQL */ `
        query {
          a: order(id: "order-1") { customer { contactEmail } }
          b: order(id: "order-2") { customer { contactEmail } }
        }
      `,
    );
    expect(result.a?.customer?.contactEmail).toBe('demo@example.com');
    expect(result.b?.customer).toEqual({ contactEmail: null });
    expect(stack.upstream().map((request) => request.path)).toEqual(['/customer/demo/me']);
  });

  it('runs a credential mutation and returns its typed success', async () => {
    const { requestPasswordReset } = await throughFederation({
      authorization: `Bearer ${stack.emulator.demo.anonymousToken}`,
      'x-request-id': 'federated-req-2',
    }).RequestPasswordReset({ input: { email: 'demo@example.com' } });
    expect(requestPasswordReset).toEqual({ __typename: 'RequestPasswordResetSuccess', success: true });
    expect(stack.upstream()).toMatchObject([
      {
        path: '/customer/demo/password/reset',
        body: { email: 'demo@example.com' },
        headers: {
          'x-request-id': 'federated-req-2',
          authorization: `Bearer ${stack.emulator.demo.anonymousToken}`,
        },
      },
    ]);
  });

  it('returns the error unions intact: ValidationError with issues, UnauthorizedError with its code', async () => {
    const client = throughFederation({ 'x-emporix-tenant': '9bad' });
    const { changePassword } = await client.ChangePassword({
      input: { currentPassword: 'same', newPassword: 'same' },
    });
    expect(expectTypename(changePassword, 'ValidationError').issues.map((issue) => issue.path)).toEqual([
      ['input', 'newPassword'],
      ['tenant'],
    ]);

    const noToken = await throughFederation().ChangePassword({
      input: { currentPassword: 'a', newPassword: 'b' },
    });
    expect(expectTypename(noToken.changePassword, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
    expect(stack.upstream()).toEqual([]);
  });

  it('maps an upstream failure to UpstreamError through the federation gateway', async () => {
    stack.emulator.injectFault({ method: 'POST', path: '/customer/demo/password/change', status: 503 });
    const { changePassword } = await throughFederation({
      authorization: `Bearer ${stack.emulator.demo.customerToken}`,
    }).ChangePassword({
      input: { currentPassword: 'Demo-Passw0rd!', newPassword: 'Other-Passw0rd!' },
    });
    expect(expectTypename(changePassword, 'UpstreamError')).toMatchObject({ status: 503, retryable: true });
  });
});

describe('the subgraph itself', () => {
  it('publishes its SDL with @link and the Customer @key through _service', async () => {
    const { _service } = await stack.graphql().request<{ _service: { sdl: string } }>('{ _service { sdl } }');
    expect(_service.sdl).toContain(
      '@link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])',
    );
    expect(_service.sdl).toMatch(/type Customer\s+@key\(fields: "id"\)/);
  });
});

describe('browser sessions through Hive Gateway (SESSIONS=on on the customer subgraph)', () => {
  let sessions: Stack;
  let router: { server: Server; url: string };
  beforeAll(async () => {
    sessions = await startStack({
      gateway: {
        clientId: 'demo-storefront',
        sessions: { secrets: [randomBytes(32)], secureCookie: false },
        corsOrigins: ['http://localhost:4040'],
      },
    });
    router = await startFederationGateway(composeSupergraph({ customers: sessions.url, orders: orders.url }));
  });
  afterAll(async () => {
    router.server.closeAllConnections();
    await new Promise((resolve) => router.server.close(resolve));
    await sessions.close();
  });

  async function post(query: string, headers: Record<string, string> = {}, variables?: unknown) {
    const response = await fetch(router.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
    });
    return {
      status: response.status,
      setCookies: response.headers.getSetCookie(),
      body: await response.json(),
    };
  }

  it('logs in through the router, gets the cookie back, and reads me and Order.customer with the cookie alone', async () => {
    const logIn = await post(
      /* GraphQL */ `
        mutation LogIn($email: String!, $password: String!) {
          logIn(input: { email: $email, password: $password }) {
            __typename
            ... on LogInSuccess { tokens { accessToken } }
          }
        }
      `,
      {},
      { email: 'demo@example.com', password: 'Demo-Passw0rd!' },
    );
    expect(logIn.body.data.logIn).toEqual({ __typename: 'LogInSuccess', tokens: null });
    // The subgraph's Set-Cookie reached the client intact.
    expect(logIn.setCookies).toHaveLength(1);
    const [setCookie = ''] = logIn.setCookies;
    expect(setCookie).toMatch(
      /^emporix_session=[A-Za-z0-9_-]{43}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/,
    );
    const cookie = setCookie.split(';')[0] ?? '';

    sessions.emulator.clearRequests();
    const me = await post('{ me { __typename ... on Customer { contactEmail } } }', { cookie });
    expect(me.body.data.me).toEqual({ __typename: 'Customer', contactEmail: 'demo@example.com' });
    const order = await post(orderWithCustomer, { cookie }, { id: 'order-1' });
    expect(order.body.data.order.customer).toEqual({
      id: '13869000',
      contactEmail: 'demo@example.com',
      firstName: 'Demo',
    });
    // Each went upstream with the session's token; the cookie itself never left the customer subgraph.
    const upstream = sessions.upstream();
    expect(upstream.map((request) => request.path)).toEqual(['/customer/demo/me', '/customer/demo/me']);
    expect(upstream[0]?.headers.authorization).toMatch(/^Bearer \S+$/);
    expect(upstream.every((request) => request.headers.cookie === undefined)).toBe(true);

    // A foreign page's request is refused by the subgraph (the router forwards Origin): nothing upstream.
    sessions.emulator.clearRequests();
    const foreign = await post('{ me { __typename } }', { cookie, origin: 'https://evil.example' });
    expect(foreign.body.data).toBeNull();
    expect(foreign.body.errors[0].extensions).toMatchObject({
      code: 'SESSION_ORIGIN_REFUSED',
      serviceName: 'customers',
    });
    expect(sessions.upstream()).toEqual([]);

    // Log-out through the router expires the cookie at the client.
    const out = await post('mutation { logOut { __typename } }', { cookie });
    expect(out.body.data.logOut).toEqual({ __typename: 'LogOutSuccess' });
    expect(out.setCookies).toEqual(['emporix_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
    const after = await post('{ session { kind } }', { cookie });
    expect(after.body.data.session).toEqual({ kind: 'NONE' });
  });
});
