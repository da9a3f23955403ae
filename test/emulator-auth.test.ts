import { createHash, createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEmulator, type Emulator } from '../src/emulator/index.js';

// Authentication, double opt-in and single sign-on, driven over HTTP against one emulator with the default seed.

let emu: Emulator;

beforeAll(async () => {
  emu = await createEmulator();
});

afterAll(async () => {
  await emu.close();
});

interface CallResult {
  status: number;
  text: string;
  json: unknown;
}

async function call(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<CallResult> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  const res = await fetch(`${emu.url}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

function qs(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

const anonymousShape = z.strictObject({
  access_token: z.string().min(20),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  refresh_token: z.string().min(20),
  refresh_token_expires_in: z.number().int(),
  sessionId: z.string().uuid(),
  scope: z.string(),
});

const refreshShape = z.strictObject({
  access_token: z.string().min(20),
  expires_in: z.number().int(),
  refresh_token: z.string().min(20),
  refresh_token_expires_in: z.number().int(),
  token_type: z.literal('Bearer'),
  session_id: z.string().uuid(),
  accessToken: z.string(),
  expiresIn: z.number(),
  refreshToken: z.string(),
  refreshTokenExpiresIn: z.number(),
});

const customerTokenShape = refreshShape.extend({
  saas_token: z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/),
  saasToken: z.string(),
  initialPassword: z.literal(false),
});

type CustomerToken = z.infer<typeof customerTokenShape>;

/** The deprecated camelCase fields carry the same values as the snake_case ones. */
function expectCamelCaseCopies(t: CustomerToken | z.infer<typeof refreshShape>): void {
  expect(t.accessToken).toBe(t.access_token);
  expect(t.expiresIn).toBe(t.expires_in);
  expect(t.refreshToken).toBe(t.refresh_token);
  expect(t.refreshTokenExpiresIn).toBe(t.refresh_token_expires_in);
  if ('saasToken' in t) expect(t.saasToken).toBe(t.saas_token);
}

const errorShape = z.object({
  type: z.string(),
  status: z.number(),
  message: z.string(),
  details: z.array(z.object({ field: z.string(), type: z.string(), message: z.string() })).optional(),
});

const faultShape = z.strictObject({
  fault: z.strictObject({ faultstring: z.string(), detail: z.strictObject({ errorcode: z.string() }) }),
});

function errorcode(res: CallResult): string {
  return faultShape.parse(res.json).fault.detail.errorcode;
}

function detailFields(res: CallResult): string[] {
  return (errorShape.parse(res.json).details ?? []).map((d) => d.field);
}

const invalidCredentialsBody = {
  fault: {
    faultstring: 'Invalid customer credentials',
    detail: { errorcode: 'customer.invalid_credentials' },
  },
};
const invalidTokenBody = {
  fault: { faultstring: 'Invalid access token', detail: { errorcode: 'oauth.v2.InvalidAccessToken' } },
};

async function anonymousLogin(extra: Record<string, string> = {}) {
  const res = await call(
    'GET',
    `/customerlogin/auth/anonymous/login?${qs({ tenant: 'demo', client_id: 'demo-storefront', ...extra })}`,
  );
  expect(res.status).toBe(200);
  return anonymousShape.parse(res.json);
}

async function anon(): Promise<string> {
  return (await anonymousLogin()).access_token;
}

async function login(email: string, password: string): Promise<CallResult> {
  return call('POST', '/customer/demo/login', { token: await anon(), body: { email, password } });
}

async function loggedIn(email: string, password: string): Promise<CustomerToken> {
  const res = await login(email, password);
  expect(res.status).toBe(200);
  return customerTokenShape.parse(res.json);
}

function lastMail(to: string) {
  const mail = emu
    .outbox()
    .filter((m) => m.to === to && m.kind === 'signup-confirmation')
    .at(-1);
  if (!mail) throw new Error(`No signup-confirmation mail to ${to}`);
  return mail;
}

async function signUp(body: unknown, token?: string): Promise<CallResult> {
  return call('POST', '/customer/demo/signup', { token: token ?? (await anon()), body });
}

/** Signs up and confirms; answers the opt-in's customer token. */
async function confirmedAccount(email: string, password = 'Secret-123'): Promise<CustomerToken> {
  expect((await signUp({ email, password })).status).toBe(201);
  const res = await call('GET', `/customer/demo/signup/optin/${lastMail(email).token}`, {
    token: await anon(),
  });
  expect(res.status).toBe(200);
  return customerTokenShape.parse(res.json);
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function decodePayload(jws: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jws.split('.')[1] ?? '', 'base64url').toString('utf8'));
}

describe('anonymous login and refresh', () => {
  it('answers an AnonymousAccessToken and keeps the session context', async () => {
    const token = await anonymousLogin({
      currency: 'EUR',
      siteCode: 'main',
      language: 'en',
      targetLocation: 'DE',
    });
    expect(token).toMatchObject({ expires_in: 3600, refresh_token_expires_in: 86400, scope: 'tenant=demo' });
    expect((await call('GET', '/customer/demo/me', { token: token.access_token })).status).toBe(200);
  });

  it('refreshes into the same session with the same refresh token', async () => {
    const first = await anonymousLogin();
    const path = `/customerlogin/auth/anonymous/refresh?${qs({
      tenant: 'demo',
      client_id: 'demo-storefront',
      refresh_token: first.refresh_token,
    })}`;
    const res = await call('GET', path);
    expect(res.status).toBe(200);
    const second = anonymousShape.parse(res.json);
    expect(second).toEqual({
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: first.refresh_token,
      refresh_token_expires_in: expect.any(Number),
      sessionId: first.sessionId,
      scope: 'tenant=demo',
    });
    // The same refresh token, so its remaining lifetime (whole seconds) only goes down.
    expect(second.refresh_token_expires_in).toBeGreaterThanOrEqual(86390);
    expect(second.refresh_token_expires_in).toBeLessThanOrEqual(86400);
    expect(second.access_token).not.toBe(first.access_token);
    expect((await call('GET', '/customer/demo/me', { token: second.access_token })).status).toBe(200);
    // The previous access token is left to expire on its own.
    expect((await call('GET', '/customer/demo/me', { token: first.access_token })).status).toBe(200);

    // The deprecated anonymous_token must be the session's current access token.
    const withCurrent = await call('GET', `${path}&anonymous_token=${second.access_token}`);
    expect(withCurrent.status).toBe(200);
    const current = anonymousShape.parse(withCurrent.json).access_token;
    const withOld = await call('GET', `${path}&anonymous_token=${second.access_token}`);
    expect(withOld.status).toBe(400);
    expect(withOld.json).toEqual({
      type: 'bad_request',
      status: 400,
      message: 'The anonymous_token provided with the request is not valid.',
    });
    expect((await call('GET', `${path}&anonymous_token=${current}`)).status).toBe(200);
  });

  it('refuses a bad tenant, client id or refresh token with 400', async () => {
    const { refresh_token } = await anonymousLogin();
    const base = '/customerlogin/auth/anonymous/refresh';
    const cases: Array<[Record<string, string>, string]> = [
      [
        { tenant: 'nope', client_id: 'demo-storefront', refresh_token },
        'The tenant information provided with the request is not valid.',
      ],
      [
        { tenant: 'demo', client_id: 'other', refresh_token },
        'The client_id provided with the request is not valid for this tenant.',
      ],
      [
        { tenant: 'demo', client_id: 'demo-storefront', refresh_token: 'bogus' },
        'The refresh_token provided with the request is not valid.',
      ],
      [
        { tenant: 'demo', client_id: 'demo-storefront' },
        'The refresh_token provided with the request is not valid.',
      ],
    ];
    for (const [params, message] of cases) {
      const res = await call('GET', `${base}?${qs(params)}`);
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(res.json).toEqual({ type: 'bad_request', status: 400, message });
    }
    // A customer's refresh token is no anonymous one.
    const customer = await loggedIn(emu.demo.email, emu.demo.password);
    const res = await call(
      'GET',
      `${base}?${qs({ tenant: 'demo', client_id: 'demo-storefront', refresh_token: customer.refresh_token })}`,
    );
    expect(res.status).toBe(400);
  });
});

describe('POST /customer/{tenant}/login', () => {
  it('answers a CustomerToken with camelCase copies and records lastLogin', async () => {
    const before = Date.now();
    const token = await loggedIn('DEMO@example.com', emu.demo.password);
    expect(token).toMatchObject({ expires_in: 86400, refresh_token_expires_in: 86400, token_type: 'Bearer' });
    expectCamelCaseCopies(token);
    const me = await call('GET', '/customer/demo/me', { token: token.access_token });
    expect(me.status).toBe(200);
    const lastLogin = z.object({ lastLogin: z.string() }).parse(me.json).lastLogin;
    expect(Date.parse(lastLogin)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(lastLogin)).toBeLessThanOrEqual(Date.now() + 1000);
  });

  it('refuses a password shorter than 6 characters with 400', async () => {
    const res = await login(emu.demo.email, 'abc');
    expect(res.status).toBe(400);
    expect(errorShape.parse(res.json)).toMatchObject({ type: 'bad_request', status: 400 });
    expect(detailFields(res)).toEqual(['password']);
  });

  it('answers wrong passwords and unknown emails with a credentials fault that does not mention tokens', async () => {
    for (const [email, password] of [
      [emu.demo.email, 'Wrong-Password'],
      ['ghost@example.com', 'Whatever-1'],
    ] as const) {
      const res = await login(email, password);
      expect(res.status).toBe(401);
      expect(res.json).toEqual(invalidCredentialsBody);
      expect(errorcode(res)).not.toMatch(/token/i);
    }
  });

  it('needs a token', async () => {
    const res = await call('POST', '/customer/demo/login', {
      body: { email: emu.demo.email, password: emu.demo.password },
    });
    expect(res.status).toBe(401);
    expect(errorcode(res)).toBe('steps.oauth.v2.FailedToResolveAccessToken');
  });
});

describe('sign-up and double opt-in', () => {
  const full = {
    email: 'jane@example.com',
    password: 'Jane-Passw0rd',
    customerDetails: {
      title: 'MS',
      firstName: 'Jane',
      middleName: 'Q',
      lastName: 'Doe',
      contactEmail: 'jane@example.com',
      contactPhone: '123456789',
      company: 'Emporix',
      preferredLanguage: 'de_DE',
      preferredCurrency: 'CHF',
      preferredSite: 'ch',
      b2b: { companyRegistrationId: '123-456-789' },
    },
    customerAddress: {
      contactName: 'Jane Doe',
      street: 'Platz der Republik',
      streetNumber: '1',
      zipCode: '11011',
      city: 'Berlin',
      country: 'DE',
      tags: ['BILLING', 'SHIPPING'],
    },
  };

  it('creates an unconfirmed account, mails a URL-safe token and refuses the log-in until confirmed', async () => {
    const res = await signUp(full);
    expect(res.status).toBe(201);
    const { id } = z.strictObject({ id: z.string().regex(/^\d+$/) }).parse(res.json);
    const mail = lastMail('jane@example.com');
    expect(mail.token).toMatch(/^[A-Za-z0-9_-]{32,}$/);

    const early = await login('jane@example.com', 'Jane-Passw0rd');
    expect(early.status).toBe(401);
    expect(early.json).toEqual(invalidCredentialsBody);

    const confirmed = await call('GET', `/customer/demo/signup/optin/${mail.token}`, { token: await anon() });
    expect(confirmed.status).toBe(200);
    const token = customerTokenShape.parse(confirmed.json);
    expectCamelCaseCopies(token);

    const me = await call('GET', '/customer/demo/me?expand=addresses', { token: token.access_token });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({
      id,
      customerNumber: id,
      title: 'MS',
      firstName: 'Jane',
      middleName: 'Q',
      lastName: 'Doe',
      contactEmail: 'jane@example.com',
      contactPhone: '123456789',
      company: 'Emporix',
      preferredLanguage: 'de_DE',
      preferredCurrency: 'CHF',
      preferredSite: 'ch',
      accounts: [{ id: 'jane@example.com' }],
      businessModel: 'B2B',
      b2b: { companyRegistrationId: '123-456-789' },
      addresses: [{ contactName: 'Jane Doe', city: 'Berlin', country: 'DE', tags: ['BILLING', 'SHIPPING'] }],
    });
    expect(z.object({ lastLogin: z.string() }).safeParse(me.json).success).toBe(true);
    expect((await login('jane@example.com', 'Jane-Passw0rd')).status).toBe(200);

    const again = await call('GET', `/customer/demo/signup/optin/${mail.token}`, { token: await anon() });
    expect(again.status).toBe(400);
    expect(detailFields(again)).toEqual(['token']);
  });

  it('refuses unknown opt-in tokens and needs a token', async () => {
    const res = await call('GET', '/customer/demo/signup/optin/bogus', { token: await anon() });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'bad_request',
      status: 400,
      message: 'The token is invalid, has already been used or has expired.',
      details: [{ field: 'token', type: 'invalid_value', message: 'Unknown, used or expired token.' }],
    });
    expect((await call('GET', '/customer/demo/signup/optin/bogus')).status).toBe(401);
    expect(
      (
        await call('POST', '/customer/demo/signup', {
          body: { email: 'x@example.com', password: 'Secret-1' },
        })
      ).status,
    ).toBe(401);
  });

  it('answers 409 for an email that has an account, confirmed or not', async () => {
    expect((await signUp({ email: 'dup@example.com', password: 'Secret-123' })).status).toBe(201);
    const pending = await signUp({ email: 'DUP@example.com', password: 'Secret-123' });
    expect(pending.status).toBe(409);
    expect(pending.json).toEqual({
      type: 'conflict_resource',
      status: 409,
      message: "Duplicate account 'DUP@example.com' for tenant 'demo'.",
    });
    const confirmed = await signUp({ email: 'demo@example.com', password: 'Secret-123' });
    expect(confirmed.status).toBe(409);
    expect(confirmed.json).toEqual({
      type: 'conflict_resource',
      status: 409,
      message: "Duplicate account 'demo@example.com' for tenant 'demo'.",
    });
  });

  it('validates the body strictly', async () => {
    const cases: Array<[unknown, string[]]> = [
      [{ email: 'short@example.com', password: 'abc' }, ['password']],
      [{ password: 'Secret-123' }, ['email']],
      [{ email: 'not-an-email', password: 'Secret-123' }, ['email']],
      [{ email: 'x@example.com', password: 'Secret-123', extra: 1 }, ['extra']],
      [{ email: 'x@example.com', password: 'Secret-123', customerDetails: { nickname: 'x' } }, ['nickname']],
      [
        { email: 'x@example.com', password: 'Secret-123', customerDetails: { preferredCurrency: 'euro' } },
        ['customerDetails.preferredCurrency'],
      ],
      [
        { email: 'x@example.com', password: 'Secret-123', customerAddress: { city: 'Berlin' } },
        ['customerAddress.contactName'],
      ],
      [
        {
          email: 'x@example.com',
          password: 'Secret-123',
          signup: { email: 'y@example.com', password: 'abc' },
        },
        ['signup.password'],
      ],
      [
        {
          email: 'x@example.com',
          password: 'Secret-123',
          customerDetails: { contactEmail: 'other@example.com' },
        },
        ['customerDetails.contactEmail'],
      ],
      [
        {
          email: 'x@example.com',
          password: 'Secret-123',
          customerDetails: { firstName: 'X', b2b: { companyRegistrationId: '1' } },
        },
        ['customerDetails.lastName', 'customerDetails.company'],
      ],
    ];
    for (const [body, fields] of cases) {
      const res = await signUp(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(detailFields(res), JSON.stringify(body)).toEqual(fields);
    }
    expect(emu.outbox().filter((m) => m.to === 'x@example.com')).toEqual([]);
  });

  it('logs in with the separate sign-up credentials and keeps email as the contact email', async () => {
    const res = await signUp({
      email: 'contact@example.com',
      password: 'Contact-123',
      customerDetails: { firstName: 'Sep', lastName: 'Arate', contactEmail: 'contact@example.com' },
      signup: { email: 'login@example.com', password: 'Login-123' },
    });
    expect(res.status).toBe(201);
    expect(emu.outbox().filter((m) => m.to === 'contact@example.com')).toEqual([]);
    const mail = lastMail('login@example.com');
    expect(
      (await call('GET', `/customer/demo/signup/optin/${mail.token}`, { token: await anon() })).status,
    ).toBe(200);
    expect((await login('contact@example.com', 'Contact-123')).status).toBe(401);
    const token = await loggedIn('login@example.com', 'Login-123');
    const me = await call('GET', '/customer/demo/me', { token: token.access_token });
    expect(me.json).toMatchObject({
      contactEmail: 'contact@example.com',
      accounts: [{ id: 'login@example.com' }],
    });
  });

  it('resends the confirmation with 202, killing the previous token', async () => {
    expect((await signUp({ email: 'resend@example.com', password: 'Secret-123' })).status).toBe(201);
    const first = lastMail('resend@example.com');
    const resendPath = '/customer/demo/signup/optin/refresh_token';
    const res = await call('POST', resendPath, {
      token: await anon(),
      body: { email: 'Resend@example.com' },
    });
    expect(res.status).toBe(202);
    expect(res.text).toBe('');
    const second = lastMail('resend@example.com');
    expect(second.token).not.toBe(first.token);
    expect(
      (await call('GET', `/customer/demo/signup/optin/${first.token}`, { token: await anon() })).status,
    ).toBe(400);
    expect(
      (await call('GET', `/customer/demo/signup/optin/${second.token}`, { token: await anon() })).status,
    ).toBe(200);

    const confirmed = await call('POST', resendPath, {
      token: await anon(),
      body: { email: 'resend@example.com' },
    });
    expect(confirmed.status).toBe(409);
    expect(errorShape.parse(confirmed.json)).toMatchObject({ type: 'conflict_resource', status: 409 });
    const unknown = await call('POST', resendPath, {
      token: await anon(),
      body: { email: 'ghost@example.com' },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json).toEqual({
      type: 'resource_not_found',
      status: 404,
      message: 'Customer account not found.',
    });
    expect((await call('POST', resendPath, { token: await anon(), body: { mail: 'x' } })).status).toBe(400);
  });

  it('seeds a pending sign-up whose confirmation mail is in the outbox', async () => {
    const pending = emu.demo.pendingSignUp;
    expect(pending).toEqual({
      email: 'new.customer@example.com',
      password: 'Welcome-Passw0rd!',
      confirmationToken: expect.stringMatching(/^[A-Za-z0-9_-]+$/),
    });
    if (!pending) return;
    expect(emu.outbox()).toContainEqual(
      expect.objectContaining({
        to: pending.email,
        kind: 'signup-confirmation',
        token: pending.confirmationToken,
      }),
    );
    expect((await login(pending.email, pending.password)).status).toBe(401);
    const res = await call('GET', `/customer/demo/signup/optin/${pending.confirmationToken}`, {
      token: await anon(),
    });
    expect(res.status).toBe(200);
    expect((await login(pending.email, pending.password)).status).toBe(200);
  });
});

describe('GET /customer/{tenant}/refreshauthtoken', () => {
  const path = (refreshToken: string) => `/customer/demo/refreshauthtoken?${qs({ refreshToken })}`;

  it('rotates the refresh token within the same session', async () => {
    const first = await confirmedAccount('rotate@example.com');
    const res = await call('GET', path(first.refresh_token), { token: await anon() });
    expect(res.status).toBe(200);
    const second = refreshShape.parse(res.json);
    expectCamelCaseCopies(second);
    expect(second).toMatchObject({
      session_id: first.session_id,
      expires_in: 86400,
      refresh_token_expires_in: 86400,
    });
    expect(second.access_token).not.toBe(first.access_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);

    const reused = await call('GET', path(first.refresh_token), { token: await anon() });
    expect(reused.status).toBe(400);
    expect(reused.json).toEqual({
      type: 'bad_request',
      status: 400,
      message: 'The refresh token is invalid, has already been used or has expired.',
      details: [
        { field: 'refreshToken', type: 'invalid_value', message: 'Unknown, used or expired refresh token.' },
      ],
    });

    // The old access token lives on until it expires; the new one works; a customer token may authorize.
    expect((await call('GET', '/customer/demo/me', { token: first.access_token })).status).toBe(200);
    expect((await call('GET', '/customer/demo/me', { token: second.access_token })).status).toBe(200);
    const third = await call('GET', `${path(second.refresh_token)}&legalEntityId=ignored`, {
      token: second.access_token,
    });
    expect(third.status).toBe(200);
    expect(refreshShape.parse(third.json).session_id).toBe(first.session_id);
  });

  it('refuses missing, unknown and anonymous refresh tokens with 400 and needs a token', async () => {
    const missing = await call('GET', '/customer/demo/refreshauthtoken', { token: await anon() });
    expect(missing.status).toBe(400);
    expect(errorShape.parse(missing.json).details).toEqual([
      {
        field: 'refreshToken',
        type: 'missing_value',
        message: "Query parameter 'refreshToken' is required.",
      },
    ]);
    expect((await call('GET', path('bogus'), { token: await anon() })).status).toBe(400);
    const anonymous = await anonymousLogin();
    expect((await call('GET', path(anonymous.refresh_token), { token: anonymous.access_token })).status).toBe(
      400,
    );
    const customer = await loggedIn(emu.demo.email, emu.demo.password);
    expect((await call('GET', path(customer.refresh_token))).status).toBe(401);
  });
});

describe('GET /customer/{tenant}/logout', () => {
  const path = (accessToken: string) => `/customer/demo/logout?${qs({ accessToken })}`;

  it('kills the access token and its refresh token', async () => {
    const session = await loggedIn(emu.demo.email, emu.demo.password);
    const other = await loggedIn(emu.demo.email, emu.demo.password);
    const res = await call('GET', path(session.access_token), { token: session.access_token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const me = await call('GET', '/customer/demo/me', { token: session.access_token });
    expect(me.status).toBe(401);
    expect(me.json).toEqual(invalidTokenBody);
    const refresh = await call(
      'GET',
      `/customer/demo/refreshauthtoken?${qs({ refreshToken: session.refresh_token })}`,
      {
        token: await anon(),
      },
    );
    expect(refresh.status).toBe(400);
    expect((await call('GET', path(session.access_token), { token: session.access_token })).status).toBe(401);
    // Another session of the same customer is untouched.
    expect((await call('GET', '/customer/demo/me', { token: other.access_token })).status).toBe(200);
  });

  it('also ends refreshed tokens of the session', async () => {
    const first = await loggedIn(emu.demo.email, emu.demo.password);
    const res = await call(
      'GET',
      `/customer/demo/refreshauthtoken?${qs({ refreshToken: first.refresh_token })}`,
      {
        token: await anon(),
      },
    );
    const second = refreshShape.parse(res.json);
    expect((await call('GET', path(second.access_token), { token: second.access_token })).status).toBe(204);
    expect((await call('GET', '/customer/demo/me', { token: first.access_token })).status).toBe(401);
  });

  it('answers 401 for an anonymous token and 400 for a missing or foreign accessToken', async () => {
    const anonymous = await anon();
    const asAnonymous = await call('GET', path(anonymous), { token: anonymous });
    expect(asAnonymous.status).toBe(401);
    expect(asAnonymous.json).toEqual(invalidTokenBody);

    const session = await loggedIn(emu.demo.email, emu.demo.password);
    const missing = await call('GET', '/customer/demo/logout', { token: session.access_token });
    expect(missing.status).toBe(400);
    expect(detailFields(missing)).toEqual(['accessToken']);
    const bogus = await call('GET', path('bogus'), { token: session.access_token });
    expect(bogus.status).toBe(400);
    expect(detailFields(bogus)).toEqual(['accessToken']);
    expect((await call('GET', path(anonymous), { token: session.access_token })).status).toBe(400);
    const stranger = await confirmedAccount('stranger@example.com');
    expect((await call('GET', path(stranger.access_token), { token: session.access_token })).status).toBe(
      400,
    );
    expect((await call('GET', '/customer/demo/me', { token: stranger.access_token })).status).toBe(200);
  });
});

describe('GET /customer/{tenant}/validateauthtoken', () => {
  it('describes a customer token', async () => {
    const session = await loggedIn(emu.demo.email, emu.demo.password);
    const res = await call('GET', '/customer/demo/validateauthtoken', { token: session.access_token });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      token_type: 'Bearer',
      expires_in: expect.any(Number),
      scope: 'customer.customerprofile_edit tenant=demo',
      sessionId: session.session_id,
      email: 'demo@example.com',
    });
    const { expires_in } = z.object({ expires_in: z.number().int() }).parse(res.json);
    expect(expires_in).toBeGreaterThanOrEqual(86390);
    expect(expires_in).toBeLessThanOrEqual(86400);

    const scoped = emu.issueToken({
      tenant: 'demo',
      kind: 'customer',
      email: emu.demo.email,
      scopes: ['a.b', 'c.d'],
    });
    const other = await call('GET', '/customer/demo/validateauthtoken', { token: scoped });
    expect(other.json).toMatchObject({ scope: 'a.b c.d tenant=demo', email: 'demo@example.com' });
  });

  it('answers 401 for anonymous, unknown and missing tokens', async () => {
    const anonymous = await call('GET', '/customer/demo/validateauthtoken', { token: await anon() });
    expect(anonymous.status).toBe(401);
    expect(anonymous.json).toEqual(invalidTokenBody);
    expect((await call('GET', '/customer/demo/validateauthtoken', { token: 'bogus' })).status).toBe(401);
    expect((await call('GET', '/customer/demo/validateauthtoken')).status).toBe(401);
  });
});

const socialShape = z.strictObject({
  social_access_token: z.string().min(1),
  social_id_token: z.string().regex(/^[\w-]+\.[\w-]+\.[\w-]+$/),
  refresh_token: z.string().min(20),
  refresh_token_expires_in: z.string().regex(/^\d+$/),
  session_idle_time: z.number().int(),
  token_type: z.literal('Bearer'),
  access_token: z.string().min(20),
  saas_token: z.string().min(1),
  expires_in: z.string().regex(/^\d+$/),
  scope: z.string(),
});

describe('POST /customer/{tenant}/socialLogin', () => {
  const redirectUri = 'https://shop.example.com/callback';
  const socialLogin = async (params: Record<string, string>, token?: string) =>
    call('POST', `/customer/demo/socialLogin?${qs(params)}`, { token: token ?? (await anon()) });

  function expectSocialFault(res: CallResult): void {
    expect(res.status).toBe(401);
    const body = faultShape.parse(res.json);
    expect(body.fault.detail.errorcode).toBe('customer.social_login_failed');
    expect(body.fault.detail.errorcode).not.toMatch(/token/i);
  }

  it('mints codes over HTTP and logs in, creating a confirmed account on first use', async () => {
    const minted = await call('POST', '/_emulator/social/codes', {
      body: { email: 'social@example.com', redirectUri },
    });
    expect(minted.status).toBe(201);
    const { code } = z.strictObject({ code: z.string().regex(/^[A-Za-z0-9_-]+$/) }).parse(minted.json);

    const res = await call('POST', `/customer/demo/socialLogin?${qs({ code, redirect_uri: redirectUri })}`, {
      token: await anon(),
      headers: { 'session-id': 'some-anonymous-session' },
    });
    expect(res.status).toBe(200);
    const body = socialShape.parse(res.json);
    expect(body).toMatchObject({
      refresh_token_expires_in: '86400',
      expires_in: '86400',
      session_idle_time: 120,
      scope: 'customer.customerprofile_edit tenant=demo',
    });
    expect(decodePayload(body.social_id_token)).toMatchObject({
      email: 'social@example.com',
      iss: 'emporix-emulator-idp',
    });
    const me = await call('GET', '/customer/demo/me', { token: body.access_token });
    expect(me.status).toBe(200);
    const { id } = z.object({ id: z.string() }).parse(me.json);
    expect(me.json).toMatchObject({
      accounts: [{ id: 'social@example.com' }],
      contactEmail: 'social@example.com',
    });

    // Second log-in: same account.
    const again = await socialLogin({
      code: emu.mintSocialCode({ email: 'social@example.com', redirectUri }),
      redirect_uri: redirectUri,
    });
    expect(again.status).toBe(200);
    const me2 = await call('GET', '/customer/demo/me', { token: socialShape.parse(again.json).access_token });
    expect(me2.json).toMatchObject({ id });
    // The refresh token is a real one.
    const refreshed = await call(
      'GET',
      `/customer/demo/refreshauthtoken?${qs({ refreshToken: body.refresh_token })}`,
      {
        token: await anon(),
      },
    );
    expect(refreshed.status).toBe(200);
  });

  it('spends a code on every attempt and refuses a wrong redirect URI', async () => {
    const code = emu.mintSocialCode({ email: 'social2@example.com', redirectUri });
    expectSocialFault(await socialLogin({ code, redirect_uri: 'https://evil.example.com/callback' }));
    expectSocialFault(await socialLogin({ code, redirect_uri: redirectUri }));

    const once = emu.mintSocialCode({ email: 'social2@example.com', redirectUri });
    expect((await socialLogin({ code: once, redirect_uri: redirectUri })).status).toBe(200);
    expectSocialFault(await socialLogin({ code: once, redirect_uri: redirectUri }));
    expectSocialFault(await socialLogin({ code: 'unknown', redirect_uri: redirectUri }));
  });

  it('checks the PKCE verifier against the S256 challenge', async () => {
    const { verifier, challenge } = pkce();
    const mint = () =>
      emu.mintSocialCode({ email: 'pkce@example.com', redirectUri, codeChallenge: challenge });
    expectSocialFault(await socialLogin({ code: mint(), redirect_uri: redirectUri }));
    expectSocialFault(
      await socialLogin({ code: mint(), redirect_uri: redirectUri, code_verifier: pkce().verifier }),
    );
    // The challenge itself is no verifier.
    expectSocialFault(
      await socialLogin({ code: mint(), redirect_uri: redirectUri, code_verifier: challenge }),
    );
    const ok = await socialLogin({ code: mint(), redirect_uri: redirectUri, code_verifier: verifier });
    expect(ok.status).toBe(200);
  });

  it('answers 400 for a missing code or redirect_uri and 401 without a token', async () => {
    const code = emu.mintSocialCode({ email: 'social3@example.com', redirectUri });
    const noCode = await socialLogin({ redirect_uri: redirectUri });
    expect(noCode.status).toBe(400);
    expect(detailFields(noCode)).toEqual(['code']);
    const noRedirect = await socialLogin({ code });
    expect(noRedirect.status).toBe(400);
    expect(detailFields(noRedirect)).toEqual(['redirect_uri']);
    const noToken = await call(
      'POST',
      `/customer/demo/socialLogin?${qs({ code, redirect_uri: redirectUri })}`,
    );
    expect(noToken.status).toBe(401);
    // None of these reached the check, so the code is still good.
    expect((await socialLogin({ code, redirect_uri: redirectUri })).status).toBe(200);
  });

  it('refuses an email whose sign-up is not confirmed yet', async () => {
    expect((await signUp({ email: 'halfway@example.com', password: 'Secret-123' })).status).toBe(201);
    const code = emu.mintSocialCode({ email: 'halfway@example.com', redirectUri });
    expectSocialFault(await socialLogin({ code, redirect_uri: redirectUri }));
  });

  it('validates the admin request', async () => {
    for (const body of [
      { redirectUri },
      { email: 'a@example.com' },
      { email: 'a@example.com', redirectUri, codeChallenge: 'short' },
      { email: 'a@example.com', redirectUri, ttlSeconds: 0 },
      { email: 'a@example.com', redirectUri, extra: true },
    ]) {
      expect((await call('POST', '/_emulator/social/codes', { body })).status, JSON.stringify(body)).toBe(
        400,
      );
    }
    expect(() =>
      emu.mintSocialCode({ email: 'a@example.com', redirectUri, codeChallenge: 'short' }),
    ).toThrow();
  });
});

const exchangeShape = z.strictObject({
  subject_access_token: z.string(),
  access_token: z.string().min(20),
  saas_token: z.string().min(1),
  refresh_token: z.string().min(20),
  refresh_token_expires_in: z.number().int(),
  session_idle_time: z.number().int(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  scope: z.string(),
  session_id: z.string().uuid(),
});

describe('POST /customer/{tenant}/exchangeauthtoken', () => {
  const exchange = async (params: Record<string, string>, token?: string) =>
    call('POST', `/customer/demo/exchangeauthtoken?${qs(params)}`, { token: token ?? (await anon()) });

  function expectExternalFault(res: CallResult): void {
    expect(res.status).toBe(401);
    const body = faultShape.parse(res.json);
    expect(body.fault.detail.errorcode).toBe('customer.external_authentication_failed');
    expect(body.fault.detail.errorcode).not.toMatch(/token/i);
  }

  it('mints a JWS over HTTP and exchanges it for a customer token', async () => {
    const minted = await call('POST', '/_emulator/idp/tokens', { body: { email: 'keycloak@example.com' } });
    expect(minted.status).toBe(201);
    const { token } = z.strictObject({ token: z.string() }).parse(minted.json);
    const [header] = token.split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8'))).toMatchObject({
      alg: 'HS256',
    });
    const claims = decodePayload(token);
    expect(claims).toMatchObject({ email: 'keycloak@example.com', iss: 'emporix-emulator-idp' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(300);
    expect(typeof claims.sub).toBe('string');

    const res = await exchange({ subjectAccessToken: token });
    expect(res.status).toBe(200);
    const body = exchangeShape.parse(res.json);
    expect(body).toMatchObject({
      subject_access_token: token,
      expires_in: 86400,
      refresh_token_expires_in: 86400,
      scope: 'customer.customerprofile_edit tenant=demo',
    });
    const me = await call('GET', '/customer/demo/me', { token: body.access_token });
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({ accounts: [{ id: 'keycloak@example.com' }] });
    const validated = await call('GET', '/customer/demo/validateauthtoken', { token: body.access_token });
    expect(validated.json).toMatchObject({ sessionId: body.session_id, email: 'keycloak@example.com' });
  });

  it('accepts seeded configs and refuses unknown ones with 400', async () => {
    const token = emu.mintExternalToken({ email: emu.demo.email });
    expect((await exchange({ subjectAccessToken: token, config: 'site_PL' })).status).toBe(200);
    const unknown = await exchange({ subjectAccessToken: token, config: 'site_XX' });
    expect(unknown.status).toBe(400);
    expect(errorShape.parse(unknown.json)).toMatchObject({ type: 'bad_request', status: 400 });
    expect(detailFields(unknown)).toEqual(['config']);
    const missing = await exchange({});
    expect(missing.status).toBe(400);
    expect(detailFields(missing)).toEqual(['subjectAccessToken']);
    expect(
      (await call('POST', `/customer/demo/exchangeauthtoken?${qs({ subjectAccessToken: token })}`)).status,
    ).toBe(401);
  });

  it('refuses malformed, tampered, foreign and unsigned tokens with 401', async () => {
    const token = emu.mintExternalToken({ email: 'victim@example.com' });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const forgedPayload = Buffer.from(
      JSON.stringify({ ...decodePayload(token), email: 'demo@example.com' }),
    ).toString('base64url');
    const foreignKey = randomBytes(32);
    const foreignSignature = createHmac('sha256', foreignKey)
      .update(`${header}.${payload}`)
      .digest('base64url');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    for (const bad of [
      'not-a-jws',
      `${header}.${payload}`,
      `${header}.${forgedPayload}.${signature}`,
      `${header}.${payload}.${foreignSignature}`,
      `${noneHeader}.${payload}.`,
      `${header}.${payload}.${signature}x`,
    ]) {
      expectExternalFault(await exchange({ subjectAccessToken: bad }));
    }
    expect((await exchange({ subjectAccessToken: token })).status).toBe(200);
  });
});

describe('lifetimes', () => {
  it('serves and changes the lifetimes over HTTP', async () => {
    const current = await call('GET', '/_emulator/ttl');
    expect(current.json).toEqual({
      customerToken: 86400,
      anonymousToken: 3600,
      mailToken: 3600,
      refreshToken: 86400,
    });
    const changed = await call('PUT', '/_emulator/ttl', { body: { customerToken: 600, refreshToken: 1200 } });
    expect(changed.status).toBe(200);
    expect(changed.json).toEqual({
      customerToken: 600,
      anonymousToken: 3600,
      mailToken: 3600,
      refreshToken: 1200,
    });
    const token = await loggedIn(emu.demo.email, emu.demo.password);
    expect(token).toMatchObject({ expires_in: 600, refresh_token_expires_in: 1200 });
    expect((await anonymousLogin()).refresh_token_expires_in).toBe(1200);

    for (const body of [{ customerToken: -1 }, { customerToken: '60' }, { sessionToken: 60 }]) {
      expect((await call('PUT', '/_emulator/ttl', { body })).status, JSON.stringify(body)).toBe(400);
    }
    expect(emu.setTtl({ customerToken: 86400, refreshToken: 86400 })).toEqual({
      customerToken: 86400,
      anonymousToken: 3600,
      mailToken: 3600,
      refreshToken: 86400,
    });
    expect(() => emu.setTtl({ mailToken: Number.NaN })).toThrow();
  });
});

// Runs last because moving the clock affects every token of the emulator.
describe('expiry (emulator clock)', () => {
  afterAll(() => {
    emu.setTtl({ customerToken: 86400, anonymousToken: 3600, mailToken: 3600, refreshToken: 86400 });
  });

  it('expires access tokens before refresh tokens, and refresh tokens in turn', async () => {
    emu.setTtl({ customerToken: 60, refreshToken: 120 });
    const session = await loggedIn(emu.demo.email, emu.demo.password);
    emu.advanceClock(30);
    const validated = await call('GET', '/customer/demo/validateauthtoken', { token: session.access_token });
    expect(z.object({ expires_in: z.number() }).parse(validated.json).expires_in).toBeLessThanOrEqual(30);
    emu.advanceClock(31);
    const me = await call('GET', '/customer/demo/me', { token: session.access_token });
    expect(me.status).toBe(401);
    expect(errorcode(me)).toBe('keymanagement.service.access_token_expired');
    // An expired token in Authorization is refused, but the refresh token still works with a fresh one.
    const withExpired = await call(
      'GET',
      `/customer/demo/refreshauthtoken?${qs({ refreshToken: session.refresh_token })}`,
      { token: session.access_token },
    );
    expect(withExpired.status).toBe(401);
    expect(errorcode(withExpired)).toBe('keymanagement.service.access_token_expired');
    const refreshed = await call(
      'GET',
      `/customer/demo/refreshauthtoken?${qs({ refreshToken: session.refresh_token })}`,
      {
        token: await anon(),
      },
    );
    expect(refreshed.status).toBe(200);
    const next = refreshShape.parse(refreshed.json);
    emu.advanceClock(121);
    const late = await call(
      'GET',
      `/customer/demo/refreshauthtoken?${qs({ refreshToken: next.refresh_token })}`,
      {
        token: await anon(),
      },
    );
    expect(late.status).toBe(400);
    expect(detailFields(late)).toEqual(['refreshToken']);
  });

  it('expires anonymous refresh tokens', async () => {
    emu.setTtl({ refreshToken: 100 });
    const session = await anonymousLogin();
    const path = `/customerlogin/auth/anonymous/refresh?${qs({
      tenant: 'demo',
      client_id: 'demo-storefront',
      refresh_token: session.refresh_token,
    })}`;
    emu.advanceClock(40);
    const early = await call('GET', path);
    expect(early.status).toBe(200);
    expect(anonymousShape.parse(early.json).refresh_token_expires_in).toBeLessThanOrEqual(60);
    emu.advanceClock(61);
    expect((await call('GET', path)).status).toBe(400);
  });

  it('expires sign-up confirmations; a resend gives a fresh one', async () => {
    emu.setTtl({ mailToken: 60 });
    expect((await signUp({ email: 'slow@example.com', password: 'Secret-123' })).status).toBe(201);
    const mail = lastMail('slow@example.com');
    emu.advanceClock(61);
    expect(
      (await call('GET', `/customer/demo/signup/optin/${mail.token}`, { token: await anon() })).status,
    ).toBe(400);
    const resend = await call('POST', '/customer/demo/signup/optin/refresh_token', {
      token: await anon(),
      body: { email: 'slow@example.com' },
    });
    expect(resend.status).toBe(202);
    const fresh = lastMail('slow@example.com');
    expect(
      (await call('GET', `/customer/demo/signup/optin/${fresh.token}`, { token: await anon() })).status,
    ).toBe(200);
  });

  it('expires social codes and identity-provider tokens', async () => {
    const redirectUri = 'https://shop.example.com/callback';
    const code = emu.mintSocialCode({ email: 'late@example.com', redirectUri, ttlSeconds: 30 });
    const token = emu.mintExternalToken({ email: 'late@example.com', ttlSeconds: 30 });
    emu.advanceClock(31);
    const social = await call(
      'POST',
      `/customer/demo/socialLogin?${qs({ code, redirect_uri: redirectUri })}`,
      {
        token: await anon(),
      },
    );
    expect(social.status).toBe(401);
    expect(errorcode(social)).toBe('customer.social_login_failed');
    const exchanged = await call(
      'POST',
      `/customer/demo/exchangeauthtoken?${qs({ subjectAccessToken: token })}`,
      {
        token: await anon(),
      },
    );
    expect(exchanged.status).toBe(401);
    expect(exchanged.json).toEqual({
      fault: {
        faultstring: 'External authentication failed: the subject access token has expired',
        detail: { errorcode: 'customer.external_authentication_failed' },
      },
    });
  });
});

describe('clearOutbox', () => {
  it('forgets the mails but not their tokens', async () => {
    expect((await signUp({ email: 'cleared@example.com', password: 'Secret-123' })).status).toBe(201);
    const mail = lastMail('cleared@example.com');
    emu.clearOutbox();
    expect(emu.outbox()).toEqual([]);
    expect(
      (await call('GET', `/customer/demo/signup/optin/${mail.token}`, { token: await anon() })).status,
    ).toBe(200);
  });
});
