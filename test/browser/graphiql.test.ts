/**
 * GraphiQL in a real browser that can reach nothing but the gateway: the page renders from the gateway alone
 * (scripts, styles, fonts and the Monaco workers are our own dependencies, not a CDN's), a query typed into the
 * editor runs through the run button, and the result pane shows the answer. Any request to another host fails
 * the test. `npm run test:browser`; needs Debian's Chromium at /usr/bin/chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../harness.js';
import { type OfflineBrowser, openOfflineBrowser, outsideRequests, runInGraphiQL } from './browser.js';

let stack: Stack;
let browser: OfflineBrowser;
let origin: string;

beforeAll(async () => {
  stack = await startStack();
  origin = new URL(stack.url).origin;
  browser = await openOfflineBrowser(origin);
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

describe('GraphiQL with every other host blocked', () => {
  it('renders, runs a typed query through the run button and shows the result', async () => {
    const { page } = browser;
    const started = performance.now();
    const navigation = await page.goto(stack.url);
    expect(navigation?.status()).toBe(200);
    await page.locator('.graphiql-query-editor .monaco-editor').first().waitFor({ timeout: 30_000 });
    const renderedMs = Math.round(performance.now() - started);
    const pageBytes = (await navigation?.body())?.length ?? 0;
    // The schema came through introspection, from the gateway.
    await expect(page.title()).resolves.toBe('Emporix customer gateway');

    stack.emulator.clearRequests();
    const token = stack.emulator.demo.customerToken;
    const { result } = await runInGraphiQL(page, {
      query: 'query Typed { me { __typename ... on Customer { loginEmail } } }',
      headers: JSON.stringify({ Authorization: `Bearer ${token}` }),
      expect: /"loginEmail":\s*"demo@example\.com"/,
    });
    const ranMs = Math.round(performance.now() - started);
    expect(result).toContain('"__typename": "Customer"');
    // It went all the way: the gateway asked the emulator for the profile with the pasted token.
    expect(stack.upstream().map((request) => `${request.method} ${request.path}`)).toContain(
      'GET /customer/demo/me',
    );

    // Monaco's workers ran from blob: URLs made by the page itself.
    expect(browser.requests.some((request) => request.url.startsWith(`${origin}/graphql`))).toBe(true);
    expect(browser.pageErrors).toEqual([]);
    expect(outsideRequests(browser, origin)).toEqual([]);

    const byType: Record<string, number> = {};
    for (const request of browser.requests)
      byType[request.resourceType] = (byType[request.resourceType] ?? 0) + 1;
    console.info(
      `GraphiQL offline: a ${(pageBytes / 1e6).toFixed(1)} MB page, editor ready after ${renderedMs} ms, ` +
        `result after ${ranMs} ms; ` +
        `${browser.requests.length} requests, all to ${origin} (${JSON.stringify(byType)}); ` +
        `${browser.blocked.length} blocked`,
    );
  });

  it('would have caught an outside request: the wall works', async () => {
    // A browser of its own, so that the one above keeps its record clean.
    const canary = await openOfflineBrowser(origin);
    try {
      await canary.page.goto(`${origin}/health`);
      const outcome = await canary.page.evaluate(() =>
        fetch('https://unpkg.com/@graphql-yoga/graphiql').then(
          () => 'sent',
          () => 'refused',
        ),
      );
      // And from a worker, like Monaco's.
      const fromWorker = await canary.page.evaluate(
        () =>
          new Promise<string>((resolve) => {
            const source =
              "fetch('https://cdn.jsdelivr.net/npm/x').then(() => postMessage('sent'), () => postMessage('refused'))";
            const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
            worker.onmessage = (event) => resolve(String(event.data));
          }),
      );
      expect([outcome, fromWorker]).toEqual(['refused', 'refused']);
      expect(outsideRequests(canary, origin).sort()).toEqual([
        'https://cdn.jsdelivr.net/npm/x',
        'https://unpkg.com/@graphql-yoga/graphiql',
      ]);
    } finally {
      await canary.close();
    }
  });
});
