import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEmulator, defaultSeed, type Emulator, type EmulatorSeed } from '../src/emulator/index.js';

const PASSWORD = 'Secret-123';

function customer(id: string, email: string) {
  return { id, email, password: PASSWORD, firstName: `First${id}`, lastName: `Last${id}` };
}

// Each flow gets its own customer so that tests changing credentials do not disturb each other.
const seed: EmulatorSeed = {
  tenants: [
    {
      tenant: 'demo',
      clientIds: ['demo-storefront'],
      customers: [
        {
          id: '13869000',
          email: 'demo@example.com',
          password: 'Demo-Passw0rd!',
          firstName: 'Demo',
          lastName: 'Customer',
          contactEmail: 'demo@example.com',
          preferredLanguage: 'en_US',
          preferredCurrency: 'EUR',
          preferredSite: 'main',
        },
        customer('1001', 'reset@example.com'),
        customer('1002', 'change@example.com'),
        customer('1003', 'pwchange@example.com'),
        customer('1004', 'taken@example.com'),
        customer('1005', 'nosync@example.com'),
        customer('1006', 'expiry@example.com'),
        customer('1007', 'resetmany@example.com'),
        customer('1008', 'bystander@example.com'),
        customer('1009', 'resetchange@example.com'),
      ],
    },
    {
      tenant: 'acme',
      clientIds: ['acme-web'],
      customers: [customer('2001', 'ann@acme.test')],
    },
  ],
};

const anonymousTokenShape = z.object({
  access_token: z.string().min(20),
  token_type: z.literal('Bearer'),
  expires_in: z.number(),
  refresh_token: z.string(),
  refresh_token_expires_in: z.number(),
  sessionId: z.string(),
  scope: z.string(),
});

const customerTokenShape = z.object({
  access_token: z.string().min(20),
  saas_token: z.string().min(1),
  expires_in: z.number(),
  refresh_token: z.string(),
  refresh_token_expires_in: z.number(),
  token_type: z.literal('Bearer'),
  session_id: z.string(),
  initialPassword: z.literal(false),
});

const faultShape = z.object({
  fault: z.object({ faultstring: z.string(), detail: z.object({ errorcode: z.string() }) }),
});

const errorShape = z.object({
  type: z.string(),
  status: z.number(),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), type: z.string(), message: z.string() })).optional(),
});

interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

let emu: Emulator;

async function call(
  method: string,
  path: string,
  opts: CallOptions = {},
  base = emu.url,
): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] ??= 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body, signal: opts.signal });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

async function anonymousToken(
  tenant = 'demo',
  clientId = 'demo-storefront',
  base = emu.url,
): Promise<string> {
  const res = await call(
    'GET',
    `/customerlogin/auth/anonymous/login?tenant=${tenant}&client_id=${clientId}`,
    {},
    base,
  );
  expect(res.status).toBe(200);
  return anonymousTokenShape.parse(res.json).access_token;
}

async function login(email: string, password: string, tenant = 'demo', base = emu.url): Promise<CallResult> {
  const token = await anonymousToken(tenant, tenant === 'demo' ? 'demo-storefront' : 'acme-web', base);
  return call('POST', `/customer/${tenant}/login`, { token, body: { email, password } }, base);
}

async function customerToken(email: string, password: string, tenant = 'demo'): Promise<string> {
  const res = await login(email, password, tenant);
  expect(res.status).toBe(200);
  return customerTokenShape.parse(res.json).access_token;
}

function errorcode(res: CallResult): string {
  return faultShape.parse(res.json).fault.detail.errorcode;
}

function detailFields(res: CallResult): string[] {
  return (errorShape.parse(res.json).details ?? []).map((d) => d.field);
}

function lastMail(to: string, kind: 'password-reset' | 'email-change') {
  const mail = emu
    .outbox()
    .filter((m) => m.to === to && m.kind === kind)
    .at(-1);
  if (!mail) throw new Error(`no ${kind} mail to ${to}`);
  return mail;
}

beforeAll(async () => {
  emu = await createEmulator({ seed });
});

afterAll(async () => {
  await emu.close();
});

describe('anonymous login', () => {
  it('returns an anonymous token for a known tenant and client id', async () => {
    const res = await call(
      'GET',
      '/customerlogin/auth/anonymous/login?tenant=demo&client_id=demo-storefront',
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const body = anonymousTokenShape.parse(res.json);
    expect(body.scope).toBe('tenant=demo');
    expect(body.expires_in).toBe(3600);
  });

  it('refuses an unknown client id, an unknown tenant and missing parameters with 400', async () => {
    for (const query of [
      'tenant=demo&client_id=nope',
      'tenant=nope&client_id=demo-storefront',
      'tenant=demo',
      '',
    ]) {
      const res = await call('GET', `/customerlogin/auth/anonymous/login?${query}`);
      expect(res.status, query).toBe(400);
      expect(errorShape.parse(res.json)).toMatchObject({ type: 'bad_request', status: 400 });
    }
  });

  it('does not accept the client id of another tenant', async () => {
    const res = await call('GET', '/customerlogin/auth/anonymous/login?tenant=demo&client_id=acme-web');
    expect(res.status).toBe(400);
  });
});

describe('customer login', () => {
  it('logs in with the seed credentials, matching the email case-insensitively', async () => {
    const res = await login('DEMO@Example.com', 'Demo-Passw0rd!');
    expect(res.status).toBe(200);
    customerTokenShape.parse(res.json);
  });

  it('refuses wrong credentials with a 401 fault that is not about expiry', async () => {
    const attempts = [
      { email: 'demo@example.com', password: 'wrong-password' },
      { email: 'nobody@example.com', password: 'Demo-Passw0rd!' },
    ];
    for (const { email, password } of attempts) {
      const res = await login(email, password);
      expect(res.status).toBe(401);
      expect(errorcode(res)).not.toContain('expired');
    }
  });

  it('needs a token of the tenant', async () => {
    const body = { email: 'demo@example.com', password: 'Demo-Passw0rd!' };
    const missing = await call('POST', '/customer/demo/login', { body });
    expect(missing.status).toBe(401);
    expect(errorcode(missing)).not.toContain('expired');

    const foreign = await call('POST', '/customer/demo/login', {
      token: await anonymousToken('acme', 'acme-web'),
      body,
    });
    expect(foreign.status).toBe(401);
    expect(faultShape.parse(foreign.json).fault).toEqual({
      faultstring: 'Invalid access token',
      detail: { errorcode: 'oauth.v2.InvalidAccessToken' },
    });
  });

  it('accepts a customer token as well', async () => {
    const res = await call('POST', '/customer/demo/login', {
      token: emu.demo.customerToken,
      body: { email: 'demo@example.com', password: 'Demo-Passw0rd!' },
    });
    expect(res.status).toBe(200);
  });

  it('logs in customers of a second tenant', async () => {
    const res = await login('ann@acme.test', PASSWORD, 'acme');
    expect(res.status).toBe(200);
  });
});

describe('GET /customer/{tenant}/me', () => {
  it('returns the profile for a customer token', async () => {
    const res = await call('GET', '/customer/demo/me', {
      token: await customerToken('demo@example.com', 'Demo-Passw0rd!'),
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      id: '13869000',
      customerNumber: '13869000',
      firstName: 'Demo',
      lastName: 'Customer',
      contactEmail: 'demo@example.com',
      preferredLanguage: 'en_US',
      preferredCurrency: 'EUR',
      preferredSite: 'main',
      accounts: [{ id: 'demo@example.com' }],
      businessModel: 'B2C',
      metadata: { version: 1 },
    });
  });

  it('returns the anonymous profile for an anonymous token', async () => {
    const res = await call('GET', '/customer/demo/me', { token: await anonymousToken() });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      firstName: 'Anonymous',
      lastName: 'Anonymous',
      id: '00000000',
      customerNumber: '00000000',
      accounts: [],
    });
    expect(res.json).not.toHaveProperty('contactEmail');
  });

  it('refuses unknown tokens and tokens of another tenant with 401 invalid token', async () => {
    for (const token of ['not-a-token', emu.demo.customerToken]) {
      const res = await call('GET', token === 'not-a-token' ? '/customer/demo/me' : '/customer/acme/me', {
        token,
      });
      expect(res.status).toBe(401);
      expect(errorcode(res)).toBe('oauth.v2.InvalidAccessToken');
    }
  });

  it('serves the demo tokens minted at start', async () => {
    expect(emu.demo).toMatchObject({
      tenant: 'demo',
      clientId: 'demo-storefront',
      email: 'demo@example.com',
    });
    const res = await call('GET', '/customer/demo/me', { token: emu.demo.customerToken });
    expect(res.json).toMatchObject({ id: '13869000' });
    const anon = await call('GET', '/customer/demo/me', { token: emu.demo.anonymousToken });
    expect(anon.json).toMatchObject({ id: '00000000' });
  });
});

describe('routing', () => {
  it('answers unknown paths with 404 JSON and wrong methods with 405 JSON', async () => {
    const unknown = await call('GET', '/nope');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toBe('application/json');
    errorShape.parse(unknown.json);

    const wrong = await call('DELETE', '/customer/demo/me');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, PATCH');
    errorShape.parse(wrong.json);
  });
});

describe('POST /customer/{tenant}/password/change', () => {
  const path = '/customer/demo/password/change';

  it('refuses anonymous tokens with 403', async () => {
    const res = await call('POST', path, {
      token: await anonymousToken(),
      body: { currentPassword: PASSWORD, newPassword: 'whatever-1' },
    });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ type: 'Forbidden', status: 403, message: 'User not authorized.' });
  });

  it('checks the token before the body', async () => {
    const invalid = await call('POST', path, { token: 'garbage', rawBody: 'not json' });
    expect(invalid.status).toBe(401);
    const missing = await call('POST', path, { body: { unexpected: true } });
    expect(missing.status).toBe(401);
    const anonymous = await call('POST', path, { token: await anonymousToken(), rawBody: 'not json' });
    expect(anonymous.status).toBe(403);
  });

  it('refuses broken bodies with 400', async () => {
    const token = await customerToken('pwchange@example.com', PASSWORD);
    const cases: CallOptions[] = [
      { rawBody: 'not json' },
      { rawBody: '' },
      { body: ['currentPassword'] },
      { body: { currentPassword: PASSWORD } },
      { body: { currentPassword: PASSWORD, newPassword: 12345678 } },
      { body: { currentPassword: PASSWORD, newPassword: 'long-enough', extra: 'x' } },
    ];
    for (const opts of cases) {
      const res = await call('POST', path, { token, ...opts });
      expect(res.status, JSON.stringify(opts)).toBe(400);
      expect(errorShape.parse(res.json)).toMatchObject({ type: 'bad_request', status: 400 });
    }
    const unknown = await call('POST', path, {
      token,
      body: { currentPassword: PASSWORD, newPassword: 'long-enough', extra: 'x' },
    });
    expect(detailFields(unknown)).toEqual(['extra']);
  });

  it('refuses a wrong current password and a short new password', async () => {
    const token = await customerToken('pwchange@example.com', PASSWORD);
    const wrong = await call('POST', path, {
      token,
      body: { currentPassword: 'not-it', newPassword: 'long-enough' },
    });
    expect(wrong.status).toBe(400);
    const short = await call('POST', path, {
      token,
      body: { currentPassword: PASSWORD, newPassword: '12345' },
    });
    expect(short.status).toBe(400);
    expect(detailFields(short)).toEqual(['newPassword']);
  });

  it('changes the password', async () => {
    const token = await customerToken('pwchange@example.com', PASSWORD);
    const res = await call('POST', path, {
      token,
      body: { currentPassword: PASSWORD, newPassword: 'Changed-456' },
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await login('pwchange@example.com', PASSWORD)).status).toBe(401);
    expect((await login('pwchange@example.com', 'Changed-456')).status).toBe(200);
    // The session that changed the password stays usable.
    expect((await call('GET', '/customer/demo/me', { token })).status).toBe(200);
  });
});

describe('password reset', () => {
  const resetPath = '/customer/demo/password/reset';
  const updatePath = '/customer/demo/password/reset/update';

  it('answers 204 without a mail for an unknown account, as the spec documents', async () => {
    const before = emu.outbox().length;
    const res = await call('POST', resetPath, {
      token: await anonymousToken(),
      body: { email: 'ghost@example.com' },
    });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(emu.outbox()).toHaveLength(before);
  });

  it('plays the 404 resource_not_found of an unknown account through a fault', async () => {
    emu.injectFault({
      method: 'POST',
      path: resetPath,
      status: 404,
      body: { type: 'resource_not_found', status: 404, message: 'Customer account not found.' },
    });
    const token = await anonymousToken();
    const res = await call('POST', resetPath, { token, body: { email: 'ghost@example.com' } });
    expect(res.status).toBe(404);
    expect(errorShape.parse(res.json)).toMatchObject({ type: 'resource_not_found', status: 404 });
    // The fault answers once; the next request is handled normally again.
    expect((await call('POST', resetPath, { token, body: { email: 'ghost@example.com' } })).status).toBe(204);
  });

  it('validates the request body strictly', async () => {
    const token = await anonymousToken();
    for (const body of [
      {},
      { email: 1 },
      { email: 'reset@example.com', site: 3 },
      { email: 'reset@example.com', x: 1 },
    ]) {
      expect((await call('POST', resetPath, { token, body })).status, JSON.stringify(body)).toBe(400);
    }
    expect((await call('POST', resetPath, { token, rawBody: '{"email":' })).status).toBe(400);
  });

  it('needs a token', async () => {
    const res = await call('POST', resetPath, { body: { email: 'reset@example.com' } });
    expect(res.status).toBe(401);
  });

  it('mails a token that resets the password once', async () => {
    const token = await anonymousToken();
    const requested = await call('POST', resetPath, {
      token,
      body: { email: 'RESET@example.com', site: 'main' },
    });
    expect(requested.status).toBe(204);
    const mail = lastMail('reset@example.com', 'password-reset');
    expect(Number.isNaN(Date.parse(mail.sentAt))).toBe(false);

    const short = await call('POST', updatePath, { token, body: { token: mail.token, password: 'abc' } });
    expect(short.status).toBe(400);
    expect(detailFields(short)).toEqual(['password']);

    const bogus = await call('POST', updatePath, { token, body: { token: 'bogus', password: 'Reset-789' } });
    expect(bogus.status).toBe(400);

    const updated = await call('POST', updatePath, {
      token,
      body: { token: mail.token, password: 'Reset-789' },
    });
    expect(updated.status).toBe(204);
    expect((await login('reset@example.com', 'Reset-789')).status).toBe(200);
    expect((await login('reset@example.com', PASSWORD)).status).toBe(401);

    const again = await call('POST', updatePath, {
      token,
      body: { token: mail.token, password: 'Reset-000' },
    });
    expect(again.status).toBe(400);
    expect((await login('reset@example.com', 'Reset-789')).status).toBe(200);
  });

  it('ends every outstanding reset token of the customer once one of them sets a new password', async () => {
    const token = await anonymousToken();
    const tokens: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      expect(
        (await call('POST', resetPath, { token, body: { email: 'resetmany@example.com' } })).status,
      ).toBe(204);
      tokens.push(lastMail('resetmany@example.com', 'password-reset').token);
    }
    expect(new Set(tokens).size).toBe(3);
    // Another customer's reset token is not touched.
    await call('POST', resetPath, { token, body: { email: 'bystander@example.com' } });
    const bystander = lastMail('bystander@example.com', 'password-reset').token;

    const [oldest, middle, newest] = tokens;
    const used = await call('POST', updatePath, { token, body: { token: middle, password: 'Reset-111' } });
    expect(used.status).toBe(204);
    for (const stale of [oldest, middle, newest]) {
      const again = await call('POST', updatePath, { token, body: { token: stale, password: 'Reset-222' } });
      expect(again.status).toBe(400);
      expect(detailFields(again)).toEqual(['token']);
    }
    expect((await login('resetmany@example.com', 'Reset-111')).status).toBe(200);
    expect((await login('resetmany@example.com', 'Reset-222')).status).toBe(401);

    const other = await call('POST', updatePath, {
      token,
      body: { token: bystander, password: 'Reset-333' },
    });
    expect(other.status).toBe(204);
    expect((await login('bystander@example.com', 'Reset-333')).status).toBe(200);
  });

  it('ends every outstanding reset token of the customer on a password change', async () => {
    const anon = await anonymousToken();
    expect(
      (await call('POST', resetPath, { token: anon, body: { email: 'resetchange@example.com' } })).status,
    ).toBe(204);
    const pending = lastMail('resetchange@example.com', 'password-reset').token;
    const customer = await customerToken('resetchange@example.com', PASSWORD);
    const changed = await call('POST', '/customer/demo/password/change', {
      token: customer,
      body: { currentPassword: PASSWORD, newPassword: 'Changed-789' },
    });
    expect(changed.status).toBe(204);
    const stale = await call('POST', updatePath, {
      token: anon,
      body: { token: pending, password: 'Reset-444' },
    });
    expect(stale.status).toBe(400);
    expect((await login('resetchange@example.com', 'Changed-789')).status).toBe(200);
    expect((await login('resetchange@example.com', 'Reset-444')).status).toBe(401);

    // A reset requested after the change works as usual.
    await call('POST', resetPath, { token: anon, body: { email: 'resetchange@example.com' } });
    const fresh = lastMail('resetchange@example.com', 'password-reset').token;
    expect(fresh).not.toBe(pending);
    const reset = await call('POST', updatePath, {
      token: anon,
      body: { token: fresh, password: 'Reset-555' },
    });
    expect(reset.status).toBe(204);
    expect((await login('resetchange@example.com', 'Reset-555')).status).toBe(200);
  });

  it('serves the outbox over HTTP too', async () => {
    const res = await call('GET', '/_emulator/outbox');
    expect(res.status).toBe(200);
    expect(res.json).toEqual(emu.outbox());
  });
});

describe('email change', () => {
  const changePath = '/customer/demo/me/accounts/internal/email/change';
  const confirmPath = '/customer/demo/me/accounts/internal/email/change/confirm';

  it('needs a customer token with the profile edit scope', async () => {
    const body = { email: 'change@example.com', password: PASSWORD, newEmail: 'x@example.com' };
    const anonymous = await call('POST', changePath, { token: await anonymousToken(), body });
    expect(anonymous.status).toBe(403);
    const unscoped = emu.issueToken({
      tenant: 'demo',
      kind: 'customer',
      email: 'change@example.com',
      scopes: [],
    });
    const res = await call('POST', changePath, { token: unscoped, body });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ type: 'Forbidden', status: 403, message: 'User not authorized.' });
  });

  it('refuses wrong credentials, a taken address and broken bodies with 400', async () => {
    const token = await customerToken('change@example.com', PASSWORD);
    const send = (body: unknown) => call('POST', changePath, { token, body });

    expect(
      (await send({ email: 'change@example.com', password: 'wrong', newEmail: 'new@example.com' })).status,
    ).toBe(400);
    expect(
      (await send({ email: 'demo@example.com', password: PASSWORD, newEmail: 'new@example.com' })).status,
    ).toBe(400);
    const taken = await send({
      email: 'change@example.com',
      password: PASSWORD,
      newEmail: 'TAKEN@example.com',
    });
    expect(taken.status).toBe(400);
    expect(detailFields(taken)).toEqual(['newEmail']);
    const wrongType = await send({
      email: 'change@example.com',
      password: PASSWORD,
      newEmail: 'new@example.com',
      syncContactEmail: 'yes',
    });
    expect(wrongType.status).toBe(400);
    expect(detailFields(wrongType)).toEqual(['syncContactEmail']);
    expect((await send({ email: 'change@example.com', password: PASSWORD })).status).toBe(400);
    expect(emu.outbox().filter((m) => m.kind === 'email-change' && m.to === 'new@example.com')).toEqual([]);
  });

  it('refuses unknown confirmation tokens', async () => {
    const res = await call('POST', confirmPath, { token: await anonymousToken(), body: { token: 'bogus' } });
    expect(res.status).toBe(400);
    const extra = await call('POST', confirmPath, {
      token: await anonymousToken(),
      body: { token: 'bogus', x: 1 },
    });
    expect(extra.status).toBe(400);
  });

  it('mails the new address and switches login and contact email on confirmation', async () => {
    const oldToken = await customerToken('change@example.com', PASSWORD);
    const requested = await call('POST', changePath, {
      token: oldToken,
      body: {
        email: 'Change@example.com',
        password: PASSWORD,
        newEmail: 'changed@example.com',
        syncContactEmail: true,
      },
    });
    expect(requested.status).toBe(204);
    expect(requested.text).toBe('');
    const mail = lastMail('changed@example.com', 'email-change');

    const anon = await anonymousToken();
    const confirmed = await call('POST', confirmPath, { token: anon, body: { token: mail.token } });
    expect(confirmed.status).toBe(204);

    const me = await call('GET', '/customer/demo/me', { token: oldToken });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({
      contactEmail: 'changed@example.com',
      accounts: [{ id: 'changed@example.com' }],
    });
    expect((await login('changed@example.com', PASSWORD)).status).toBe(200);
    expect((await login('change@example.com', PASSWORD)).status).toBe(401);

    const reused = await call('POST', confirmPath, { token: anon, body: { token: mail.token } });
    expect(reused.status).toBe(400);
  });

  it('keeps the contact email unless asked to sync it', async () => {
    const token = await customerToken('nosync@example.com', PASSWORD);
    const requested = await call('POST', changePath, {
      token,
      body: { email: 'nosync@example.com', password: PASSWORD, newEmail: 'nosync2@example.com' },
    });
    expect(requested.status).toBe(204);
    const mail = lastMail('nosync2@example.com', 'email-change');
    // A customer token may confirm as well.
    expect((await call('POST', confirmPath, { token, body: { token: mail.token } })).status).toBe(204);
    const me = await call('GET', '/customer/demo/me', { token });
    expect(me.json).toMatchObject({
      contactEmail: 'nosync@example.com',
      accounts: [{ id: 'nosync2@example.com' }],
    });
  });
});

describe('faults', () => {
  it('answers with the injected status and JSON body, then recovers', async () => {
    emu.injectFault({
      path: '/customer/demo/me',
      method: 'get',
      status: 503,
      body: { oops: true },
      times: 2,
    });
    const token = await anonymousToken();
    for (let i = 0; i < 2; i++) {
      const res = await call('GET', '/customer/demo/me', { token });
      expect(res.status).toBe(503);
      expect(res.json).toEqual({ oops: true });
    }
    expect((await call('GET', '/customer/demo/me', { token })).status).toBe(200);
  });

  it('ignores faults for another method', async () => {
    emu.injectFault({ path: '/customer/demo/me', method: 'POST' });
    expect((await call('GET', '/customer/demo/me', { token: await anonymousToken() })).status).toBe(200);
    emu.clearFaults();
  });

  it('can send a non-JSON body with custom headers', async () => {
    emu.injectFault({
      path: '/customer/demo/password/change',
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<html>Bad gateway</html>',
    });
    const res = await call('POST', '/customer/demo/password/change', { body: {} });
    expect(res.status).toBe(502);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(res.text).toBe('<html>Bad gateway</html>');
  });

  it('can drop the connection', async () => {
    emu.injectFault({ path: '/customer/demo/password/reset', destroySocket: true });
    await expect(
      call('POST', '/customer/demo/password/reset', { body: { email: 'x@example.com' } }),
    ).rejects.toThrow();
  });

  it('can delay the answer', async () => {
    emu.injectFault({ path: '/customer/demo/me', delayMs: 300, status: 200, body: { late: true } });
    await expect(call('GET', '/customer/demo/me', { signal: AbortSignal.timeout(50) })).rejects.toThrow();

    emu.injectFault({ path: '/customer/demo/me', delayMs: 100, status: 200, body: { late: true } });
    const started = Date.now();
    const res = await call('GET', '/customer/demo/me');
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(res.json).toEqual({ late: true });
  });

  it('can be managed over HTTP', async () => {
    const added = await call('POST', '/_emulator/faults', {
      body: { path: '/nowhere', status: 418, times: 3 },
    });
    expect(added.status).toBe(201);
    expect((await call('GET', '/nowhere')).status).toBe(418);
    expect((await call('DELETE', '/_emulator/faults')).status).toBe(204);
    expect((await call('GET', '/nowhere')).status).toBe(404);
    expect((await call('POST', '/_emulator/faults', { body: { status: 500 } })).status).toBe(400);
  });
});

describe('request log', () => {
  it('records method, path, query, headers and body, but not admin requests', async () => {
    emu.clearRequests();
    await call('GET', '/customerlogin/auth/anonymous/login?tenant=demo&client_id=demo-storefront', {
      headers: { 'X-Trace': 'abc' },
    });
    await call('POST', '/customer/demo/login', { token: 'tok', body: { email: 'a@b.c', password: 'pw' } });
    await call('POST', '/customer/demo/login', { rawBody: 'plain text' });
    await call('GET', '/_emulator/outbox');

    const [anon, json, text, ...rest] = emu.requests();
    expect(rest).toEqual([]);
    expect(anon).toMatchObject({
      method: 'GET',
      path: '/customerlogin/auth/anonymous/login',
      query: { tenant: 'demo', client_id: 'demo-storefront' },
      headers: { 'x-trace': 'abc' },
      body: undefined,
      rawBody: '',
    });
    expect(json).toMatchObject({
      method: 'POST',
      path: '/customer/demo/login',
      headers: { authorization: 'Bearer tok', 'content-type': 'application/json' },
      body: { email: 'a@b.c', password: 'pw' },
    });
    expect(text).toMatchObject({ body: 'plain text', rawBody: 'plain text' });

    emu.clearRequests();
    expect(emu.requests()).toEqual([]);
  });
});

describe('isolation and shutdown', () => {
  let other: Emulator;

  beforeAll(async () => {
    other = await createEmulator();
  });

  afterAll(async () => {
    await other.close();
  });

  it('uses the default seed when none is given', async () => {
    expect(other.seed).toBe(defaultSeed);
    expect(other.demo).toMatchObject({
      tenant: 'demo',
      clientId: 'demo-storefront',
      email: 'demo@example.com',
      password: 'Demo-Passw0rd!',
    });
    expect((await login('demo@example.com', 'Demo-Passw0rd!', 'demo', other.url)).status).toBe(200);
  });

  it('does not share tokens, credentials, outbox or request log between instances', async () => {
    const foreign = await call('GET', '/customer/demo/me', { token: emu.demo.customerToken }, other.url);
    expect(foreign.status).toBe(401);

    const token = other.issueToken({ tenant: 'demo', kind: 'customer', email: 'demo@example.com' });
    const changed = await call(
      'POST',
      '/customer/demo/password/change',
      { token, body: { currentPassword: 'Demo-Passw0rd!', newPassword: 'Other-Pass1' } },
      other.url,
    );
    expect(changed.status).toBe(204);
    expect((await login('demo@example.com', 'Demo-Passw0rd!')).status).toBe(200);
    expect((await login('demo@example.com', 'Other-Pass1')).status).toBe(401);

    const anon = other.issueToken({ tenant: 'demo', kind: 'anonymous' });
    await call(
      'POST',
      '/customer/demo/password/reset',
      { token: anon, body: { email: 'demo@example.com' } },
      other.url,
    );
    // Besides the seeded sign-up's confirmation mail, which every instance starts with.
    expect(other.outbox().filter((m) => m.kind !== 'signup-confirmation')).toHaveLength(1);
    expect(emu.outbox().filter((m) => m.to === 'demo@example.com')).toEqual([]);
    expect(other.requests().every((r) => r.path.startsWith('/customer'))).toBe(true);
  });

  it('closes promptly with a hanging fault and open connections', async () => {
    const third = await createEmulator();
    third.injectFault({ path: '/customer/demo/me', delayMs: 60_000 });
    const hanging = fetch(`${third.url}/customer/demo/me`).then(
      () => 'answered',
      () => 'failed',
    );
    await fetch(`${third.url}/nope`).then((r) => r.text());
    // Let the hanging request reach the server before closing.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await third.close();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await hanging).toBe('failed');
  });
});

// Runs last because moving the clock affects every token of the emulator.
describe('expiry (emulator clock)', () => {
  it('answers 401 with an expired fault for an expired access token', async () => {
    const token = emu.issueToken({
      tenant: 'demo',
      kind: 'customer',
      email: 'expiry@example.com',
      ttlSeconds: 60,
    });
    expect((await call('GET', '/customer/demo/me', { token })).status).toBe(200);
    emu.advanceClock(61);
    const res = await call('GET', '/customer/demo/me', { token });
    expect(res.status).toBe(401);
    expect(errorcode(res)).toContain('expired');
    expect(faultShape.parse(res.json).fault.faultstring).toBe('Access Token expired');
  });

  it('lets mail tokens expire', async () => {
    const anon = await anonymousToken();
    expect(
      (
        await call('POST', '/customer/demo/password/reset', {
          token: anon,
          body: { email: 'expiry@example.com' },
        })
      ).status,
    ).toBe(204);
    const reset = lastMail('expiry@example.com', 'password-reset');

    const customer = await customerToken('expiry@example.com', PASSWORD);
    const change = await call('POST', '/customer/demo/me/accounts/internal/email/change', {
      token: customer,
      body: { email: 'expiry@example.com', password: PASSWORD, newEmail: 'expired@example.com' },
    });
    expect(change.status).toBe(204);
    const confirm = lastMail('expired@example.com', 'email-change');

    emu.advanceClock(3601);
    const fresh = await anonymousToken();
    const update = await call('POST', '/customer/demo/password/reset/update', {
      token: fresh,
      body: { token: reset.token, password: 'Never-123' },
    });
    expect(update.status).toBe(400);
    const confirmed = await call('POST', '/customer/demo/me/accounts/internal/email/change/confirm', {
      token: fresh,
      body: { token: confirm.token },
    });
    expect(confirmed.status).toBe(400);
    expect((await login('expiry@example.com', PASSWORD)).status).toBe(200);
  });
});
