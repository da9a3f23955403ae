/**
 * A real Chromium (Debian's, /usr/bin/chromium, driven by playwright-core; nothing downloads a browser) that may
 * talk to one loopback origin only: every request to any other host is aborted and recorded, so a test can fail
 * on it. DNS for every other name fails too, as a second wall. Each launch gets a fresh temporary profile.
 */
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface OfflineBrowser {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Requests to any origin but the allowed one: aborted before they left the browser. */
  blocked: string[];
  /** Every request the pages and their workers made, allowed or not. */
  requests: { method: string; url: string; resourceType: string }[];
  /** Uncaught errors of the page. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** Opens a page that may reach `allowedOrigin` (e.g. http://127.0.0.1:PORT) and nothing else. */
export async function openOfflineBrowser(
  allowedOrigin: string,
  viewport = { width: 1280, height: 720 },
): Promise<OfflineBrowser> {
  const { hostname } = new URL(allowedOrigin);
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    // playwright gives the browser a fresh temporary --user-data-dir and removes it on close.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${hostname}`,
    ],
  });
  const context = await browser.newContext({ viewport });
  const blocked: string[] = [];
  const requests: OfflineBrowser['requests'] = [];
  const pageErrors: string[] = [];
  context.on('request', (request) =>
    requests.push({ method: request.method(), url: request.url(), resourceType: request.resourceType() }),
  );
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === allowedOrigin) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  return {
    browser,
    context,
    page,
    blocked,
    requests,
    pageErrors,
    close: () => browser.close(),
  };
}

/** Requests that went anywhere but `allowedOrigin` (blob: and data: URLs never leave the browser). */
export function outsideRequests(browser: OfflineBrowser, allowedOrigin: string): string[] {
  const outside = browser.requests
    .map((request) => request.url)
    .filter(
      (url) => !url.startsWith('blob:') && !url.startsWith('data:') && new URL(url).origin !== allowedOrigin,
    );
  return [...new Set([...browser.blocked, ...outside])];
}

export interface GraphiQLRun {
  /** The text of the result pane, with Monaco's non-breaking spaces made plain. */
  result: string;
}

/**
 * Types `query` into GraphiQL's query editor and `headers` into its headers editor, presses the run button and
 * waits until the result pane shows text matching `expect`.
 */
export async function runInGraphiQL(
  page: Page,
  options: { query: string; headers?: string; expect: RegExp; timeoutMs?: number },
): Promise<GraphiQLRun> {
  const timeout = options.timeoutMs ?? 30_000;
  const queryEditor = page.locator('.graphiql-query-editor .monaco-editor').first();
  await queryEditor.waitFor({ timeout });
  await replaceEditorText(page, queryEditor, options.query);
  if (options.headers !== undefined) {
    await page.getByRole('button', { name: 'Headers' }).click();
    const headersEditor = page.locator('.graphiql-editor-tool .graphiql-editor:not(.hidden) .monaco-editor');
    await headersEditor.waitFor({ timeout });
    await replaceEditorText(page, headersEditor, options.headers);
  }
  await page.locator('.graphiql-execute-button').click();
  const response = page.locator('.graphiql-response');
  let result = '';
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    // biome-ignore lint/performance/useDomNodeTextContent: the text as shown, one line per Monaco line
    result = (await response.innerText()).replaceAll('\u00a0', ' ');
    if (options.expect.test(result)) return { result };
    await page.waitForTimeout(100);
  }
  throw new Error(`the result pane never matched ${options.expect}; it shows:\n${result}`);
}

async function replaceEditorText(
  page: Page,
  editor: ReturnType<Page['locator']>,
  text: string,
): Promise<void> {
  await editor.click();
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.press('Delete');
  // Like a paste: typing key by key would have Monaco close every bracket a second time. One line: a newline
  // inserted this way gets Monaco's auto-indentation and bracket completion.
  await page.keyboard.insertText(text);
  // Back to the start of the line, so that a long one shows its beginning.
  await page.keyboard.press('Home');
}
