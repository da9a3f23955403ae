/**
 * The reference peer: a bare graphql-yoga handler that answers the `requestPasswordReset` scenario with the same
 * undici request to the same stub as the gateway, and nothing else: no validation, no limits, no rate limiting,
 * no logging, no metrics, no request ids. It is what the gateway's features cost against (`x bare` in the table).
 * Run as its own process, pinned to the gateway's core: `STUB_URL=… TENANT=… node --import tsx bench/bare.ts`.
 * Prints `{"url":"http://127.0.0.1:PORT"}` as one line on stdout once it listens.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { Agent } from 'undici';

const stub = new URL(process.env.STUB_URL ?? 'http://127.0.0.1:1');
const path = `/customer/${process.env.TENANT ?? 'bench'}/password/reset`;
// The gateway's own Agent settings (src/emporix/http.ts).
const agent = new Agent({
  keepAliveTimeout: 30_000,
  connectTimeout: 10_000,
  headersTimeout: 10_000,
  bodyTimeout: 10_000,
});

const schema = createSchema<{ request: Request }>({
  typeDefs: /* GraphQL */ `
    type Query {
      ok: Boolean
    }
    input RequestPasswordResetInput {
      email: String!
    }
    type RequestPasswordResetSuccess {
      success: Boolean!
    }
    type Mutation {
      requestPasswordReset(input: RequestPasswordResetInput!): RequestPasswordResetSuccess!
    }
  `,
  resolvers: {
    Mutation: {
      requestPasswordReset: async (
        _root: unknown,
        args: { input: { email: string } },
        context: { request: Request },
      ) => {
        const response = await agent.request({
          origin: stub.origin,
          path,
          method: 'POST',
          headers: {
            authorization: context.request.headers.get('authorization') ?? '',
            'content-type': 'application/json',
          },
          body: JSON.stringify({ email: args.input.email }),
        });
        await response.body.dump();
        if (response.statusCode !== 204) throw new Error(`upstream answered ${response.statusCode}`);
        return { success: true };
      },
    },
  },
});

// yoga's defaults but for what production turns off anyway (GraphiQL, landing page, CORS when CORS_ORIGINS is
// empty, batching) and the body-size limit and logging, which are features the gateway is measured for.
const yoga = createYoga({
  schema,
  graphiql: false,
  landingPage: false,
  cors: false,
  batching: false,
  logging: false,
  maxRequestBodySize: false,
});

const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
