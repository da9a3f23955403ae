import { createServer, type RequestListener, type Server } from 'node:http';

/** Serves `handler` on loopback at `port` (0: any free port); answers the server and its GraphQL URL. */
export async function serveOnLoopback(
  handler: RequestListener,
  port = 0,
): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address ? address.port : port;
  return { server, url: `http://127.0.0.1:${actualPort}/graphql` };
}
