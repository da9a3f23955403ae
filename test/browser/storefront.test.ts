/**
 * The example storefront (examples/storefront) in a real, headless Chromium against a real gateway with
 * SESSIONS=on: the page on http://localhost:P1 calls the gateway on http://localhost:P2/graphql (cross-origin, same
 * site) with credentials: 'include'. Log in, reload (still signed in), the session cookie out of document.cookie's
 * reach, no token ever in what the page's JavaScript received, the access token expired through the emulator's
 * clock (the gateway refreshes), log out (signed out after a reload). Only these two loopback origins are reachable.
 * `npm run test:browser`; needs Debian's Chromium at /usr/bin/chromium.
 */

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStorefront } from '../../examples/storefront/server.js';
import { createEmulator, type Emulator } from '../../src/emulator/index.js';
import { createGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logger.js';
import { startRecordingProxy, tokensIn } from '../sessions-support.js';
import { type OfflineBrowser, openOfflineBrowser } from './browser.js';

let emulator: Emulator;
let proxy: Awaited<ReturnType<typeof startRecordingProxy>>;
let gateway: Gateway;
let gatewayServer: Server;
let storefront: { server: Server; url: string };
let browser: OfflineBrowser;
let storefrontOrigin: string;
let gatewayOrigin: string;
const logs: string[] = [];
/** Every response body the page's JavaScript read from fetch, across reloads. */
const received: string[] = [];

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  // A 10-minute access token: the gateway thinks it fresh until the emulator's clock says otherwise.
  emulator = await createEmulator({ ttl: { customerToken: 600 } });
  // Between the gateway and the emulator: every token Emporix handed out, to look for it in the browser.
  proxy = await startRecordingProxy(emulator.url);
  const storefrontPort = await freePort();
  storefrontOrigin = `http://localhost:${storefrontPort}`;
  gateway = createGateway({
    emporixApiUrl: proxy.url,
    defaultTenant: 'demo',
    clientId: 'demo-storefront',
    rateLimits: false,
    corsOrigins: [storefrontOrigin],
    sessions: { secrets: [randomBytes(32)], secureCookie: false },
    logger: createLogger({ level: 'trace', destination: { write: (line: string) => void logs.push(line) } }),
  });
  gatewayServer = createServer(gateway.yoga);
  await new Promise<void>((resolve) => gatewayServer.listen(0, '127.0.0.1', resolve));
  gatewayOrigin = `http://localhost:${(gatewayServer.address() as AddressInfo).port}`;
  storefront = await startStorefront({ gatewayUrl: `${gatewayOrigin}/graphql`, port: storefrontPort });

  browser = await openOfflineBrowser(storefrontOrigin);
  // The gateway is the one other origin the page may reach (registered last: it is asked first).
  await browser.context.route(`${gatewayOrigin}/**`, (route) => route.continue());
  // What the page's own JavaScript receives from every fetch, recorded before the page's script runs.
  await browser.context.exposeFunction('__recordReceived', (text: string) => void received.push(text));
  await browser.context.addInitScript(() => {
    const record = (window as unknown as { __recordReceived: (text: string) => Promise<void> })
      .__recordReceived;
    const original = window.fetch.bind(window);
    window.fetch = async (...args) => {
      const response = await original(...args);
      await record(await response.clone().text());
      return response;
    };
  });
});

afterAll(async () => {
  await browser?.close();
  for (const server of [storefront?.server, gatewayServer]) {
    if (server === undefined) continue;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await gateway?.close();
  await proxy?.close();
  await emulator?.close();
});

/** Requests that went to neither of the two allowed origins. */
function outside(): string[] {
  const urls = [...browser.blocked, ...browser.requests.map((request) => request.url)];
  return [
    ...new Set(
      urls.filter(
        (url) =>
          !url.startsWith('data:') &&
          !url.startsWith('blob:') &&
          ![storefrontOrigin, gatewayOrigin].includes(new URL(url).origin),
      ),
    ),
  ];
}

describe('the example storefront in Chromium', () => {
  it('logs in, stays signed in, never sees a token, survives an expired token, and logs out', async () => {
    const { page, context } = browser;
    const paths = () => emulator.requests().map((request) => `${request.method} ${request.path}`);

    await page.goto(storefront.url);
    await page.locator('#log-in').waitFor({ state: 'visible' });

    // A typed error first: a wrong password is an InvalidCredentialsError, shown as such.
    await page.fill('input[name=email]', emulator.demo.email);
    await page.fill('input[name=password]', 'Wrong-Passw0rd!');
    await page.click('#log-in button[type=submit]');
    await expectText(page.locator('#error-type'), 'InvalidCredentialsError');
    expect(await page.locator('#account').isHidden()).toBe(true);

    await page.fill('input[name=password]', emulator.demo.password);
    await page.click('#log-in button[type=submit]');
    await page.locator('#account').waitFor({ state: 'visible' });
    expect(await page.locator('#name').textContent()).toBe('Demo Customer');
    expect(await page.locator('#error').isHidden()).toBe(true);
    const addresses = await page.locator('#addresses li').allTextContents();
    expect(addresses.length).toBeGreaterThan(0);

    // The browser holds the cookie: httpOnly, Lax, host-only; the page's script cannot read it.
    const cookies = await context.cookies(gatewayOrigin);
    const session = cookies.find((cookie) => cookie.name === 'emporix_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
    expect(await page.evaluate(() => document.cookie)).not.toContain('emporix_session');

    // Reload: still signed in, from the cookie alone.
    await page.reload();
    await page.locator('#account').waitFor({ state: 'visible' });
    expect(await page.locator('#name').textContent()).toBe('Demo Customer');
    expect(await page.evaluate(() => document.cookie)).not.toContain('emporix_session');

    // The access token expires at Emporix (its clock moves on); the page goes on working: the gateway refreshed.
    emulator.clearRequests();
    emulator.advanceClock(700);
    const before = received.length;
    await page.click('#reload-profile');
    // session, then me: two answers.
    for (let i = 0; i < 100 && received.length < before + 2; i++) await page.waitForTimeout(50);
    expect(JSON.parse(received.at(-1) ?? '{}').data.me.__typename).toBe('Customer');
    await expectText(page.locator('#name'), 'Demo Customer');
    expect(await page.locator('#error').isHidden()).toBe(true);
    for (let i = 0; i < 50 && !paths().includes('GET /customer/demo/refreshauthtoken'); i++) {
      await page.waitForTimeout(100);
    }
    expect(paths().filter((path) => path.endsWith('/refreshauthtoken'))).toHaveLength(1);
    await page.reload();
    await page.locator('#account').waitFor({ state: 'visible' });

    // Log out: signed out now, and after a reload; the cookie is gone from the browser.
    await page.click('#log-out');
    await page.locator('#log-in').waitFor({ state: 'visible' });
    await page.reload();
    await page.locator('#log-in').waitFor({ state: 'visible' });
    expect(await page.locator('#account').isHidden()).toBe(true);
    expect((await context.cookies(gatewayOrigin)).map((cookie) => cookie.name)).not.toContain(
      'emporix_session',
    );
    expect(paths()).toContain('GET /customer/demo/logout');

    // Nothing the page's JavaScript received, and nothing it stored, holds any token Emporix handed out.
    const tokens = tokensIn(proxy.bodies);
    expect(tokens.length).toBeGreaterThanOrEqual(4);
    expect(received.length).toBeGreaterThan(8);
    expect(received.some((text) => text.includes('"tokens":null'))).toBe(true);
    const storage = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
    expect(tokens.filter((token) => [...received, storage].some((text) => text.includes(token)))).toEqual([]);
    expect(logs.some((line) => tokens.some((token) => line.includes(token)))).toBe(false);

    expect(browser.pageErrors).toEqual([]);
    expect(outside()).toEqual([]);
  });
});

async function expectText(
  locator: ReturnType<OfflineBrowser['page']['locator']>,
  text: string,
): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if ((await locator.textContent()) === text) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(await locator.textContent()).toBe(text);
}
