/**
 * `npm run docs:screenshots`: the README's screenshot of GraphiQL answering, taken like the browser test runs
 * (a real emulator and gateway on loopback, Chromium with every other host blocked). Writes docs/graphiql.png;
 * the tests never write into tracked files, this script is the only one that does.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startStack } from '../harness.js';
import { openOfflineBrowser, outsideRequests, runInGraphiQL } from './browser.js';

const output = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'graphiql.png');

const stack = await startStack();
const origin = new URL(stack.url).origin;
const browser = await openOfflineBrowser(origin, { width: 1280, height: 640 });
try {
  await browser.page.goto(stack.url);
  await runInGraphiQL(browser.page, {
    query: 'query Me { me { __typename ... on Customer { loginEmail firstName lastName } } }',
    headers: `{"Authorization": "Bearer ${stack.emulator.demo.customerToken}"}`,
    expect: /"loginEmail":\s*"demo@example\.com"/,
  });
  // Prettified, as a reader would before taking a picture.
  await browser.page.locator('button[aria-label^="Prettify"]').click();
  await browser.page.mouse.click(30, 300);
  await browser.page.waitForTimeout(300);
  const outside = outsideRequests(browser, origin);
  if (outside.length > 0) throw new Error(`GraphiQL tried to reach other hosts: ${outside.join(', ')}`);
  await mkdir(dirname(output), { recursive: true });
  await browser.page.screenshot({ path: output });
  process.stdout.write(`wrote ${output}\n`);
} finally {
  await browser.close();
  await stack.close();
}
