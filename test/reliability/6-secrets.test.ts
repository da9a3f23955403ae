/**
 * Group 6, secrets: no password, token or Authorization value used anywhere in the suite may appear in any log
 * line. This group replays representative traffic of every group (successes, upstream errors and timeouts, bad
 * input, rate limits, SIGTERM) with known secrets through a gateway logging at `trace`, then scans its log and
 * the log of every gateway the other groups started (test/reliability/.logs), against every secret they recorded.
 *
 * Vitest orders files by size and past duration, not by name, so each group also scans the logs in its own last
 * test; this one covers whatever the others left, and its own replay.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Answer,
  addFault,
  CHANGE_PASSWORD,
  clearFaults,
  DEMO_CLIENT_ID,
  DEMO_EMAIL,
  DEMO_PASSWORD,
  type EmulatorProc,
  type Exit,
  type GatewayProc,
  gql,
  logDir,
  ME,
  outbox,
  REQUEST_PASSWORD_RESET,
  RESULT_FIELDS,
  recordSecrets,
  resetGroupFiles,
  rootResult,
  scanLogs,
  secretsInUpstream,
  send,
  signal,
  startEmulator,
  startGateway,
  startLoad,
  stopAll,
  summary,
  typenameOf,
  upstreamRequests,
  waitFor,
} from './support.js';

const GROUP = 'secrets';
const run = randomUUID().replaceAll('-', '').slice(0, 12);
const password = (name: string) => `${name}-${run}-Pw!`;
const passwords = {
  first: password('First'),
  second: password('Second'),
  unused: password('Unused'),
  wrong: password('Wrong'),
  echoed: password('Echoed'),
  inBody: password('InBody'),
  inQuery: password('InQuery'),
  inVariables: password('InVariables'),
  huge: password('Huge'),
  draining: password('Draining'),
};
const invalidToken = `invalid-token-${randomUUID()}`;
const basic = `Basic ${Buffer.from(`${DEMO_EMAIL}:${passwords.first}`).toString('base64')}`;
const newEmail = `changed-${run}@example.com`;

const CHANGE_EMAIL = `mutation ChangeEmail($input: ChangeCustomerEmailInput!) { changeCustomerEmail(input: $input) { ${RESULT_FIELDS} } }`;
const CONFIRM_EMAIL = `mutation Confirm($input: ConfirmCustomerEmailChangeInput!) { confirmCustomerEmailChange(input: $input) { ${RESULT_FIELDS} } }`;
const RESET_PASSWORD = `mutation Reset($input: ResetPasswordInput!) { resetPassword(input: $input) { ${RESULT_FIELDS} } }`;

let emulator: EmulatorProc;
let gateway: GatewayProc;
const seen: Record<string, number> = {};

function note(answer: Answer): Answer {
  const typename = typenameOf(answer.json) ?? (answer.json?.errors ? 'errors' : `status-${answer.status}`);
  seen[typename] = (seen[typename] ?? 0) + 1;
  return answer;
}

async function op(query: string, variables?: Record<string, unknown>, token?: string): Promise<Answer> {
  return note(await gql(gateway.url, query, variables, token === undefined ? {} : { authorization: token }));
}

async function raw(body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  return note(await send(gateway.url, { body, headers: { 'content-type': 'application/json', ...headers } }));
}

/** A fresh customer token from the emulator's login (each access token is its own rate-limit target). */
async function login(): Promise<string> {
  const answer = await send(`${emulator.url}/customer/demo/login`, {
    body: JSON.stringify({ email: newEmail, password: passwords.second }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.anonymousToken}` },
  });
  const token = (answer.json as { access_token?: unknown } | undefined)?.access_token;
  if (answer.status !== 200 || typeof token !== 'string') throw new Error(`login failed: ${answer.status}`);
  recordSecrets(GROUP, [token, `Bearer ${token}`]);
  return `Bearer ${token}`;
}

async function latestMail(kind: 'password-reset' | 'email-change', to: string): Promise<string> {
  const mails = (await outbox(emulator.url)).filter((mail) => mail.kind === kind && mail.to === to);
  const token = mails.at(-1)?.token;
  if (token === undefined) throw new Error(`no ${kind} mail to ${to}`);
  return token;
}

beforeAll(async () => {
  resetGroupFiles(GROUP);
  emulator = await startEmulator();
  gateway = await startGateway({
    group: GROUP,
    name: 'replay',
    upstreamUrl: emulator.url,
    env: {
      LOG_LEVEL: 'trace',
      EMPORIX_CLIENT_ID: DEMO_CLIENT_ID,
      EMPORIX_TIMEOUT_MS: '1000',
      RATE_LIMIT_PER_TARGET: '5/600',
      RATE_LIMIT_PER_IP: '1000/60',
      SHUTDOWN_TIMEOUT_MS: '5000',
    },
  });
  recordSecrets(GROUP, [
    DEMO_PASSWORD,
    ...Object.values(passwords),
    emulator.customerToken,
    emulator.anonymousToken,
    `Bearer ${emulator.customerToken}`,
    invalidToken,
    basic,
    basic.slice('Basic '.length),
  ]);
});

afterAll(async () => {
  await stopAll();
});

describe('reliability 6: no secret in any log line', () => {
  const customer = () => `Bearer ${emulator.customerToken}`;

  it('replays the credential flows', async () => {
    expect(typenameOf((await op(ME, undefined, customer())).json)).toBe('Customer');
    expect(typenameOf((await op(ME, undefined, `Bearer ${emulator.anonymousToken}`)).json)).toBe('Customer');

    // Password reset by mail, then the used token again.
    await op(REQUEST_PASSWORD_RESET, { input: { email: DEMO_EMAIL } });
    const resetToken = await latestMail('password-reset', DEMO_EMAIL);
    recordSecrets(GROUP, [resetToken]);
    const resetDone = await op(RESET_PASSWORD, { input: { token: resetToken, password: passwords.first } });
    expect(typenameOf(resetDone.json)).toBe('ResetPasswordSuccess');
    const reused = await op(RESET_PASSWORD, { input: { token: resetToken, password: passwords.unused } });
    expect(typenameOf(reused.json)).toBe('ValidationError');

    // Password change: right, wrong, and the same twice (refused before anything is sent).
    const changed = await op(
      CHANGE_PASSWORD,
      { input: { currentPassword: passwords.first, newPassword: passwords.second } },
      customer(),
    );
    expect(typenameOf(changed.json)).toBe('ChangePasswordSuccess');
    const wrong = await op(
      CHANGE_PASSWORD,
      { input: { currentPassword: passwords.wrong, newPassword: passwords.unused } },
      customer(),
    );
    expect(typenameOf(wrong.json)).toBe('ValidationError');
    const same = await op(
      CHANGE_PASSWORD,
      { input: { currentPassword: passwords.second, newPassword: passwords.second } },
      customer(),
    );
    expect(typenameOf(same.json)).toBe('ValidationError');

    // Email change and its confirmation, twice.
    const emailChange = await op(
      CHANGE_EMAIL,
      { input: { email: DEMO_EMAIL, password: passwords.second, newEmail, syncContactEmail: true } },
      customer(),
    );
    expect(typenameOf(emailChange.json)).toBe('ChangeCustomerEmailSuccess');
    const confirmToken = await latestMail('email-change', newEmail);
    recordSecrets(GROUP, [confirmToken]);
    expect(typenameOf((await op(CONFIRM_EMAIL, { input: { token: confirmToken } })).json)).toBe(
      'ConfirmCustomerEmailChangeSuccess',
    );
    expect(typenameOf((await op(CONFIRM_EMAIL, { input: { token: confirmToken } })).json)).toBe(
      'ValidationError',
    );

    // Tokens that are not accepted.
    expect(typenameOf((await op(ME, undefined, `Bearer ${invalidToken}`)).json)).toBe('UnauthorizedError');
    expect(typenameOf((await op(ME, undefined, basic)).json)).toBe('UnauthorizedError');
    expect(typenameOf((await op(ME)).json)).toBe('Customer');
  });

  it('replays upstream failures whose bodies echo secrets', async () => {
    const token = await login();
    const change = '/customer/demo/password/change';
    const me = '/customer/demo/me';
    const echo = `password ${passwords.echoed} token ${emulator.customerToken}`;
    await addFault(emulator.url, { path: change, status: 500, body: { message: echo } });
    await addFault(emulator.url, {
      path: change,
      status: 400,
      body: { message: echo, details: [{ field: 'newPassword', type: 'weak', message: echo }] },
    });
    await addFault(emulator.url, { path: change, status: 429, headers: { 'retry-after': '7' }, body: echo });
    await addFault(emulator.url, { path: change, status: 418, body: echo });
    await addFault(emulator.url, { path: me, status: 200, body: `{"id": "${emulator.customerToken}` });
    await addFault(emulator.url, { path: me, destroySocket: true });
    await addFault(emulator.url, { path: me, status: 200, delayMs: 2000 });
    await addFault(emulator.url, { path: me, status: 401, body: { fault: { faultstring: echo } } });
    const typenames: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const answer = await op(
        CHANGE_PASSWORD,
        { input: { currentPassword: passwords.echoed, newPassword: passwords.unused } },
        token,
      );
      typenames.push(String(typenameOf(answer.json)));
    }
    for (let i = 0; i < 4; i += 1)
      typenames.push(String(typenameOf((await op(ME, undefined, customer())).json)));
    // The gateway's own anonymous token refused once: dropped, fetched again, retried once.
    await addFault(emulator.url, {
      path: '/customer/demo/password/reset',
      status: 401,
      body: { fault: { faultstring: echo } },
    });
    typenames.push(
      String(typenameOf((await op(REQUEST_PASSWORD_RESET, { input: { email: DEMO_EMAIL } })).json)),
    );
    await clearFaults(emulator.url);
    expect(typenames).toEqual([
      'UpstreamError',
      'ValidationError',
      'RateLimitedError',
      'UpstreamError',
      'UpstreamError',
      'UpstreamError',
      'UpstreamError',
      'UnauthorizedError',
      'RequestPasswordResetSuccess',
    ]);
  });

  it('replays bad input carrying secrets', async () => {
    const secretQuery = `mutation { changePassword(input: { currentPassword: "${passwords.inQuery}", newPassword: "${passwords.unused}" }) { __typename } `;
    const answers = [
      await raw(`{"query": "mutation { changePassword(input: {currentPassword: \\"${passwords.inBody}\\"`),
      await raw(JSON.stringify({ query: secretQuery })),
      await raw(
        JSON.stringify({
          query: CHANGE_PASSWORD,
          variables: {
            input: { currentPassword: { value: passwords.inVariables }, newPassword: passwords.unused },
          },
        }),
        { authorization: customer() },
      ),
      await raw(
        JSON.stringify({
          query: CHANGE_PASSWORD,
          operationName: 'Nope',
          variables: { input: { currentPassword: passwords.inVariables, newPassword: passwords.unused } },
        }),
        { authorization: customer() },
      ),
      await raw(
        JSON.stringify({
          query: CHANGE_PASSWORD,
          variables: {
            input: { currentPassword: passwords.huge.repeat(200), newPassword: passwords.unused },
          },
        }),
        { authorization: customer() },
      ),
      await raw(
        `${JSON.stringify({ query: '{ __typename }', password: passwords.huge })}${' '.repeat(2 * 1024 * 1024)}`,
      ),
      await raw(
        JSON.stringify({
          query: REQUEST_PASSWORD_RESET,
          variables: { input: { email: passwords.inVariables } },
        }),
        { authorization: `Bearer ${invalidToken}` },
      ),
      await raw(
        JSON.stringify({ query: REQUEST_PASSWORD_RESET, variables: { input: { email: DEMO_EMAIL } } }),
        {
          authorization: basic,
        },
      ),
    ];
    const statuses = answers.map((a) =>
      a.status === 200 ? (typenameOf(a.json) ?? 'errors') : String(a.status),
    );
    expect(statuses).toEqual([
      '400',
      'errors',
      '400',
      '400',
      'ValidationError',
      '413',
      'ValidationError',
      'UnauthorizedError',
    ]);
  });

  it('replays rate limits', async () => {
    const email = `limited-${run}@example.com`;
    const answers: Answer[] = [];
    for (let i = 0; i < 7; i += 1) answers.push(await op(REQUEST_PASSWORD_RESET, { input: { email } }));
    const bogusToken = `bogus-reset-token-${randomUUID()}`;
    recordSecrets(GROUP, [bogusToken]);
    for (let i = 0; i < 7; i += 1) {
      answers.push(await op(RESET_PASSWORD, { input: { token: bogusToken, password: passwords.unused } }));
    }
    const limited = answers.filter((a) => typenameOf(a.json) === 'RateLimitedError');
    expect(limited.length).toBe(4);
    expect(limited.every((a) => Number(rootResult(a.json)?.retryAfterSeconds) > 0)).toBe(true);
  });

  it('replays a SIGTERM with requests in flight', async () => {
    const tokens = await Promise.all(Array.from({ length: 4 }, () => login()));
    await addFault(emulator.url, {
      path: '/customer/demo/password/change',
      status: 204,
      delayMs: 500,
      times: 20,
    });
    const load = startLoad({
      url: gateway.url,
      total: 20,
      concurrency: 20,
      deadlineMs: 20_000,
      build: (i) => ({
        body: JSON.stringify({
          query: CHANGE_PASSWORD,
          variables: { input: { currentPassword: passwords.draining, newPassword: passwords.unused } },
        }),
        headers: { authorization: tokens[i % tokens.length] ?? customer() },
      }),
    });
    await waitFor(
      'requests in flight',
      async () =>
        (await upstreamRequests(emulator.url)).filter(
          (r) =>
            r.path === '/customer/demo/password/change' &&
            JSON.stringify(r.body).includes(passwords.draining),
        ).length >= 20,
      10_000,
      50,
    );
    signal(gateway, 'SIGTERM');
    const outcomes = await load.done;
    const exit: Exit | 'timeout' = await Promise.race([
      gateway.exited,
      sleep(10_000).then(() => 'timeout' as const),
    ]);
    for (const o of outcomes)
      seen[o.typename ?? `error-${o.error}`] = (seen[o.typename ?? `error-${o.error}`] ?? 0) + 1;
    expect(exit).not.toBe('timeout');
  });

  it('finds no secret in any gateway log line of the suite', async () => {
    recordSecrets(GROUP, secretsInUpstream(await upstreamRequests(emulator.url)));
    await stopAll();
    const report = scanLogs();
    const own = gateway.logLines();
    const notJson = own.filter((line) => {
      try {
        JSON.parse(line);
        return false;
      } catch {
        return true;
      }
    });
    summary(GROUP, {
      log_files: report.files,
      log_lines: report.lines,
      secrets_checked: report.secrets,
      leaks: report.leaks.length,
      replay_lines: own.length,
      replay_outcomes: Object.entries(seen)
        .map(([typename, count]) => `${typename}:${count}`)
        .join(','),
      log_dir: logDir.slice(logDir.indexOf('test/')),
    });
    // The replay must have been logged at all, or the scan proves nothing.
    expect(own.filter((line) => line.includes('"msg":"operation"')).length).toBeGreaterThanOrEqual(40);
    expect(report.leaks).toEqual([]);
    expect(report.patternLeaks).toEqual([]);
    expect(notJson, 'log lines that are not JSON').toEqual([]);
  });
});
