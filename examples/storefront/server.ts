/**
 * `npm run example:storefront`: serves the storefront page (index.html, app.js) on http://localhost:4040 and, unless
 * GATEWAY_URL names a gateway already running, starts the built-in emulator and a gateway on
 * http://localhost:4000/graphql with SESSIONS=on, CORS_ORIGINS=http://localhost:4040 and a plain-http cookie. The
 * page learns the gateway's URL from /config.json. Ports: STOREFRONT_PORT (4040), GATEWAY_PORT (4000).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const files: Record<string, { type: string; path: URL }> = {
  '/': { type: 'text/html; charset=utf-8', path: new URL('./index.html', import.meta.url) },
  '/app.js': { type: 'text/javascript; charset=utf-8', path: new URL('./app.js', import.meta.url) },
};

/** Serves the page on loopback; `port` 0 picks a free one. Answers the server and the page's URL (localhost). */
export async function startStorefront(options: {
  gatewayUrl: string;
  port?: number;
}): Promise<{ server: Server; url: string }> {
  const config = JSON.stringify({ gatewayUrl: options.gatewayUrl });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const file = files[path];
    if (req.method !== 'GET' || (file === undefined && path !== '/config.json')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
      return;
    }
    const headers = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };
    if (file === undefined) {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end(config);
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': file.type }).end(readFileSync(file.path));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  return { server, url: `http://localhost:${(server.address() as AddressInfo).port}/` };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const storefrontPort = Number(process.env.STOREFRONT_PORT ?? 4040);
  let gatewayUrl = process.env.GATEWAY_URL;
  if (gatewayUrl === undefined) {
    // Loaded only here: with GATEWAY_URL the script serves the page alone.
    const { createEmulator } = await import('../../src/emulator/index.js');
    const { createGateway } = await import('../../src/gateway.js');
    const { randomBytes } = await import('node:crypto');
    const emulator = await createEmulator();
    const gateway = createGateway({
      emporixApiUrl: emulator.url,
      defaultTenant: emulator.demo.tenant,
      clientId: emulator.demo.clientId,
      corsOrigins: [`http://localhost:${storefrontPort}`],
      // A random secret: sessions end when this script stops. Plain http on localhost: no Secure cookie.
      sessions: { secrets: [randomBytes(32)], secureCookie: false },
    });
    const gatewayPort = Number(process.env.GATEWAY_PORT ?? 4000);
    const gatewayServer = createServer(gateway.yoga);
    await new Promise<void>((resolve, reject) => {
      gatewayServer.once('error', reject);
      gatewayServer.listen(gatewayPort, '127.0.0.1', resolve);
    });
    gatewayUrl = `http://localhost:${gatewayPort}/graphql`;
    console.log(`gateway (SESSIONS=on, emulator ${emulator.url}) on ${gatewayUrl}`);
    console.log(`log in as ${emulator.demo.email} / ${emulator.demo.password}`);
  }
  const { url } = await startStorefront({ gatewayUrl, port: storefrontPort });
  console.log(`storefront on ${url}`);
}
