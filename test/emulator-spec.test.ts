/**
 * Every emulator answer against the response the official Emporix description documents for its operation and
 * status (the zod schemas of src/emulator/responses.ts, written from that description; the description itself
 * is not in this repository and is never read here).
 *
 * Each case drives one operation over HTTP and checks that
 *   - the status is one the description documents for that operation (or one listed in DELIBERATE below), and
 *   - the body is the documented one for that status: empty for the no-content answers, else the schema, and
 *     an ErrorMessage's `status` equals the HTTP status.
 * At the end, every documented status must have been produced by some case, except the few in NEVER_ANSWERED
 * (statuses the emulator has no reason to answer), so that a case cannot silently go missing.
 *
 * Not per operation, and so not here: 404 for an unknown path, 405 (with Allow) for a wrong method and 413 for a
 * body over 1 MiB, which every path answers; and injected faults, which answer whatever a test asks for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEmulator, defaultSeed, type Emulator, type EmulatorSeed } from '../src/emulator/index.js';
import {
  type DocumentedBody,
  type DocumentedOperationKey,
  documentedResponses,
  errorMessage,
  NO_CONTENT,
  unauthorizedFault,
} from '../src/emulator/responses.js';
import type { Route } from '../src/emulator/router.js';
import { authRoutes } from '../src/emulator/routes/auth.js';
import { credentialRoutes } from '../src/emulator/routes/credentials.js';
import { customerRoutes } from '../src/emulator/routes/customer.js';
import { signupRoutes } from '../src/emulator/routes/signup.js';
import { socialRoutes } from '../src/emulator/routes/social.js';

type Op = DocumentedOperationKey;

/**
 * Answers the emulator gives on purpose outside the documented set (or with another body than documented), and
 * why. Each one must also be produced by a case below.
 */
const DELIBERATE: Partial<Record<Op, Record<number, { body: DocumentedBody; why: string }>>> = {
  'GET /customerlogin/auth/anonymous/login': {
    400: {
      body: errorMessage,
      why: 'An unknown tenant or client_id: the operation documents 200 only, but the shared 400_bad_request example is exactly this refusal ("The tenant information provided with the request is not valid.").',
    },
  },
  'GET /customerlogin/auth/anonymous/refresh': {
    400: {
      body: errorMessage,
      why: 'An unknown tenant, client_id, refresh_token or anonymous_token: as for the anonymous login.',
    },
  },
  'GET /customer/{tenant}/validateauthtoken': {
    401: {
      body: unauthorizedFault,
      why: 'Documented as "Unauthorized" without content; the 401 comes from the API gateway in front of the service, which answers its fault object as on every other operation.',
    },
  },
  'POST /customer/{tenant}/signup/optin/refresh_token': {
    404: {
      body: errorMessage,
      why: 'No account has the email: the operation documents 202, 400 and 401 only, but the service has to say something; the gateway takes it as success.',
    },
    409: {
      body: errorMessage,
      why: 'The account is already confirmed: as for 404, the gateway takes it as success.',
    },
  },
};

/** Documented statuses the emulator never answers, and why; every other one is produced by a case below. */
const NEVER_ANSWERED: Partial<Record<Op, Record<number, string>>> = {
  'POST /customer/{tenant}/signup': {
    403: 'Scopes of anonymous tokens are not modelled: any token may sign up.',
  },
  'POST /customer/{tenant}/exchangeauthtoken': { 403: 'Scopes of anonymous tokens are not modelled.' },
  'GET /customer/{tenant}/me': {
    400: 'No query parameter is refused: unknown expand values are ignored.',
    403: 'An anonymous token gets the anonymous profile (200), as documented.',
  },
  'GET /customer/{tenant}/me/addresses': { 400: 'The operation takes no input to refuse.' },
  'GET /customer/{tenant}/me/addresses/{addressId}': {
    400: 'An unknown address id is a 404, nothing is a 400.',
  },
  'DELETE /customer/{tenant}/me/addresses/{addressId}': {
    400: 'An unknown address id is a 404, nothing is a 400.',
  },
  'POST /customer/{tenant}/me/accounts/internal/email/change/confirm': {
    403: 'Any token of the tenant may confirm: the mail token is the credential.',
  },
  'POST /customer/{tenant}/password/reset': { 403: 'Any token of the tenant may ask for a reset mail.' },
  'POST /customer/{tenant}/password/reset/update': {
    403: 'Any token of the tenant may reset: the mail token is the credential.',
  },
};

const PASSWORD = 'Spec-Passw0rd!';
const REDIRECT_URI = 'https://shop.example.com/callback';

function seedCustomer(id: string, email: string) {
  return { id, email, password: PASSWORD, firstName: `First${id}`, lastName: `Last${id}` };
}

// The default seed, plus a B2B customer (for the b2b part of Customer) and one customer per credential flow.
const seed: EmulatorSeed = structuredClone(defaultSeed);
seed.tenants[0]?.customers.push(
  {
    ...seedCustomer('7001', 'b2b@example.com'),
    middleName: 'Middle',
    company: 'Example AG',
    companyRegistrationId: 'HRB-123',
    addresses: [
      { id: 'b2b-hq', contactName: 'B2B Buyer', country: 'DE', isDefault: true, tags: ['BILLING'] },
    ],
  },
  seedCustomer('7002', 'email-change@example.com'),
  seedCustomer('7003', 'email-confirm@example.com'),
  seedCustomer('7004', 'reset@example.com'),
  seedCustomer('7005', 'pw-change@example.com'),
);

let emu: Emulator;

beforeAll(async () => {
  emu = await createEmulator({ seed });
});

afterAll(async () => {
  await emu?.close();
});

interface Request {
  path: string;
  query?: Record<string, string>;
  token?: string;
  body?: unknown;
  rawBody?: string;
}

interface Answer {
  status: number;
  contentType: string | null;
  text: string;
}

async function send(method: string, req: Request): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
  const body = req.body !== undefined ? JSON.stringify(req.body) : req.rawBody;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const query = req.query ? `?${new URLSearchParams(req.query)}` : '';
  const res = await fetch(`${emu.url}${req.path}${query}`, { method, headers, body });
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}

const anon = () => emu.issueToken({ tenant: 'demo', kind: 'anonymous' });
const customerOf = (email: string, scopes?: string[]) =>
  emu.issueToken({ tenant: 'demo', kind: 'customer', email, ...(scopes && { scopes }) });
const expiredCustomer = () =>
  emu.issueToken({ tenant: 'demo', kind: 'customer', email: emu.demo.email, ttlSeconds: 0 });
const expiredAnon = () => emu.issueToken({ tenant: 'demo', kind: 'anonymous', ttlSeconds: 0 });

async function json<T>(answer: Promise<Answer>, expected: number): Promise<T> {
  const res = await answer;
  expect(res.status, res.text).toBe(expected);
  return JSON.parse(res.text) as T;
}

async function passwordLogin(email: string, password: string) {
  return json<{ access_token: string; refresh_token: string }>(
    send('POST', { path: '/customer/demo/login', token: anon(), body: { email, password } }),
    200,
  );
}

async function anonymousSession() {
  return json<{ access_token: string; refresh_token: string }>(
    send('GET', {
      path: '/customerlogin/auth/anonymous/login',
      query: { tenant: 'demo', client_id: 'demo-storefront' },
    }),
    200,
  );
}

async function mailedToken(to: string, kind: 'password-reset' | 'email-change' | 'signup-confirmation') {
  const mail = emu
    .outbox()
    .filter((m) => m.to === to && m.kind === kind)
    .at(-1);
  if (!mail) throw new Error(`no ${kind} mail to ${to}`);
  return mail.token;
}

async function signUp(email: string): Promise<void> {
  const res = await send('POST', {
    path: '/customer/demo/signup',
    token: anon(),
    body: { email, password: PASSWORD },
  });
  expect(res.status, res.text).toBe(201);
}

async function newAddress(): Promise<string> {
  const created = await json<{ id: string }>(
    send('POST', {
      path: '/customer/demo/me/addresses',
      token: customerOf(emu.demo.email),
      body: { contactName: 'Spec Test', tags: ['SPEC'] },
    }),
    201,
  );
  return created.id;
}

function templateRegex(template: string): RegExp {
  const source = template
    .split('/')
    .map((segment) => (/^\{.+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${source}$`);
}

function split(op: Op): { method: string; template: string } {
  const [method = '', template = ''] = op.split(' ');
  return { method, template };
}

/** The body schema for an answer: the deliberate one, else the documented one; undefined when neither exists. */
function bodyFor(op: Op, status: number): DocumentedBody | undefined {
  const deliberate = DELIBERATE[op]?.[status];
  if (deliberate) return deliberate.body;
  const documented: Readonly<Record<number, DocumentedBody>> = documentedResponses[op];
  return documented[status];
}

const produced = new Map<Op, Set<number>>();

interface Case {
  status: number;
  title: string;
  request: () => Request | Promise<Request>;
}

function operation(op: Op, cases: Case[]): void {
  const { method, template } = split(op);
  describe(op, () => {
    for (const c of cases) {
      it(`${c.status}: ${c.title}`, async () => {
        const req = await c.request();
        expect(req.path, 'the case must call this operation').toMatch(templateRegex(template));
        const res = await send(method, req);
        expect(res.status, res.text).toBe(c.status);
        const body = bodyFor(op, res.status);
        expect(body, `${op} answered ${res.status}, which the spec does not document for it`).toBeDefined();
        if (body === NO_CONTENT) {
          expect(res.text).toBe('');
        } else if (body !== undefined) {
          expect(res.contentType).toMatch(/^application\/json\b/);
          const parsed = body.safeParse(JSON.parse(res.text));
          expect(parsed.error?.issues ?? [], res.text).toEqual([]);
          if (body === errorMessage) expect(errorMessage.parse(JSON.parse(res.text)).status).toBe(res.status);
        }
        let statuses = produced.get(op);
        if (!statuses) {
          statuses = new Set();
          produced.set(op, statuses);
        }
        statuses.add(res.status);
      });
    }
  });
}

const unauthorizedCases = (request: (token: string | undefined) => Request): Case[] => [
  { status: 401, title: 'no token', request: () => request(undefined) },
  { status: 401, title: 'an expired token', request: () => request(expiredAnon()) },
  { status: 401, title: 'an unknown token', request: () => request('not-a-token') },
];

describe('every answer is the documented one', () => {
  operation('GET /customerlogin/auth/anonymous/login', [
    {
      status: 200,
      title: 'a new anonymous session with its context',
      request: () => ({
        path: '/customerlogin/auth/anonymous/login',
        query: { tenant: 'demo', client_id: 'demo-storefront', currency: 'EUR', siteCode: 'main' },
      }),
    },
    {
      status: 400,
      title: 'an unknown tenant (deliberate)',
      request: () => ({
        path: '/customerlogin/auth/anonymous/login',
        query: { tenant: 'nope', client_id: 'demo-storefront' },
      }),
    },
    {
      status: 400,
      title: 'an unknown client_id (deliberate)',
      request: () => ({
        path: '/customerlogin/auth/anonymous/login',
        query: { tenant: 'demo', client_id: 'x' },
      }),
    },
  ]);

  operation('GET /customerlogin/auth/anonymous/refresh', [
    {
      status: 200,
      title: 'a new access token in the same session',
      request: async () => {
        const session = await anonymousSession();
        return {
          path: '/customerlogin/auth/anonymous/refresh',
          query: { tenant: 'demo', client_id: 'demo-storefront', refresh_token: session.refresh_token },
        };
      },
    },
    {
      status: 200,
      title: 'with the deprecated anonymous_token as well',
      request: async () => {
        const session = await anonymousSession();
        return {
          path: '/customerlogin/auth/anonymous/refresh',
          query: {
            tenant: 'demo',
            client_id: 'demo-storefront',
            refresh_token: session.refresh_token,
            anonymous_token: session.access_token,
          },
        };
      },
    },
    {
      status: 400,
      title: 'an unknown refresh_token (deliberate)',
      request: () => ({
        path: '/customerlogin/auth/anonymous/refresh',
        query: { tenant: 'demo', client_id: 'demo-storefront', refresh_token: 'nope' },
      }),
    },
  ]);

  operation('POST /customer/{tenant}/signup', [
    {
      status: 201,
      title: 'a new account with details and an address',
      request: () => ({
        path: '/customer/demo/signup',
        token: anon(),
        body: {
          email: 'spec.signup@example.com',
          password: PASSWORD,
          customerDetails: { firstName: 'Spec', lastName: 'Signup', contactEmail: 'spec.signup@example.com' },
          customerAddress: { contactName: 'Spec Signup', country: 'DE', tags: ['SHIPPING'] },
        },
      }),
    },
    {
      status: 400,
      title: 'an invalid body',
      request: () => ({ path: '/customer/demo/signup', token: anon(), body: { email: 'x@example.com' } }),
    },
    ...unauthorizedCases((token) => ({
      path: '/customer/demo/signup',
      token,
      body: { email: 'spec.unauth@example.com', password: PASSWORD },
    })),
    {
      status: 409,
      title: 'an email that has an account',
      request: () => ({
        path: '/customer/demo/signup',
        token: anon(),
        body: { email: emu.demo.email, password: PASSWORD },
      }),
    },
  ]);

  operation('GET /customer/{tenant}/signup/optin/{token}', [
    {
      status: 200,
      title: "the seeded pending sign-up's confirmation logs it in",
      request: () => ({
        path: `/customer/demo/signup/optin/${emu.demo.pendingSignUp?.confirmationToken}`,
        token: anon(),
      }),
    },
    {
      status: 400,
      title: 'an unknown opt-in token',
      request: () => ({ path: '/customer/demo/signup/optin/nope', token: anon() }),
    },
    ...unauthorizedCases((token) => ({ path: '/customer/demo/signup/optin/nope', token })),
  ]);

  operation('POST /customer/{tenant}/signup/optin/refresh_token', [
    {
      status: 202,
      title: 'a new confirmation mail for a pending sign-up',
      request: async () => {
        await signUp('spec.resend@example.com');
        return {
          path: '/customer/demo/signup/optin/refresh_token',
          token: anon(),
          body: { email: 'spec.resend@example.com' },
        };
      },
    },
    {
      status: 400,
      title: 'an invalid body',
      request: () => ({
        path: '/customer/demo/signup/optin/refresh_token',
        token: anon(),
        body: { mail: 'x' },
      }),
    },
    ...unauthorizedCases((token) => ({
      path: '/customer/demo/signup/optin/refresh_token',
      token,
      body: { email: 'spec.resend@example.com' },
    })),
    {
      status: 404,
      title: 'an email no account has (deliberate)',
      request: () => ({
        path: '/customer/demo/signup/optin/refresh_token',
        token: anon(),
        body: { email: 'ghost@example.com' },
      }),
    },
    {
      status: 409,
      title: 'an account that is confirmed already (deliberate)',
      request: () => ({
        path: '/customer/demo/signup/optin/refresh_token',
        token: anon(),
        body: { email: emu.demo.email },
      }),
    },
  ]);

  operation('POST /customer/{tenant}/login', [
    {
      status: 200,
      title: 'the right credentials',
      request: () => ({
        path: '/customer/demo/login',
        token: anon(),
        body: { email: emu.demo.email, password: emu.demo.password },
      }),
    },
    {
      status: 400,
      title: 'a password shorter than 6 characters',
      request: () => ({
        path: '/customer/demo/login',
        token: anon(),
        body: { email: emu.demo.email, password: 'abcde' },
      }),
    },
    {
      status: 400,
      title: 'no body',
      request: () => ({ path: '/customer/demo/login', token: anon() }),
    },
    {
      status: 401,
      title: 'a wrong password',
      request: () => ({
        path: '/customer/demo/login',
        token: anon(),
        body: { email: emu.demo.email, password: 'Wrong-Password' },
      }),
    },
    ...unauthorizedCases((token) => ({
      path: '/customer/demo/login',
      token,
      body: { email: emu.demo.email, password: emu.demo.password },
    })),
  ]);

  operation('GET /customer/{tenant}/logout', [
    {
      status: 204,
      title: "the caller's own session",
      request: async () => {
        const { access_token } = await passwordLogin(emu.demo.email, emu.demo.password);
        return { path: '/customer/demo/logout', token: access_token, query: { accessToken: access_token } };
      },
    },
    {
      status: 400,
      title: 'no accessToken',
      request: () => ({ path: '/customer/demo/logout', token: customerOf(emu.demo.email) }),
    },
    {
      status: 401,
      title: 'an anonymous token',
      request: () => ({ path: '/customer/demo/logout', token: anon(), query: { accessToken: 'x' } }),
    },
    {
      status: 401,
      title: 'an expired customer token',
      request: () => {
        const token = expiredCustomer();
        return { path: '/customer/demo/logout', token, query: { accessToken: token } };
      },
    },
  ]);

  operation('GET /customer/{tenant}/refreshauthtoken', [
    {
      status: 200,
      title: 'a live refresh token',
      request: async () => {
        const { refresh_token } = await passwordLogin(emu.demo.email, emu.demo.password);
        return {
          path: '/customer/demo/refreshauthtoken',
          token: anon(),
          query: { refreshToken: refresh_token },
        };
      },
    },
    {
      status: 400,
      title: 'an unknown refresh token',
      request: () => ({
        path: '/customer/demo/refreshauthtoken',
        token: anon(),
        query: { refreshToken: 'nope' },
      }),
    },
    {
      status: 400,
      title: 'no refresh token',
      request: () => ({ path: '/customer/demo/refreshauthtoken', token: anon() }),
    },
    ...unauthorizedCases((token) => ({
      path: '/customer/demo/refreshauthtoken',
      token,
      query: { refreshToken: 'nope' },
    })),
  ]);

  operation('GET /customer/{tenant}/validateauthtoken', [
    {
      status: 200,
      title: 'a live customer token',
      request: () => ({ path: '/customer/demo/validateauthtoken', token: customerOf(emu.demo.email) }),
    },
    {
      status: 401,
      title: 'an anonymous token (fault body: deliberate)',
      request: () => ({ path: '/customer/demo/validateauthtoken', token: anon() }),
    },
    {
      status: 401,
      title: 'an expired customer token (fault body: deliberate)',
      request: () => ({ path: '/customer/demo/validateauthtoken', token: expiredCustomer() }),
    },
  ]);

  operation('POST /customer/{tenant}/exchangeauthtoken', [
    {
      status: 200,
      title: "a token of the tenant's identity provider",
      request: () => ({
        path: '/customer/demo/exchangeauthtoken',
        token: anon(),
        query: { subjectAccessToken: emu.mintExternalToken({ email: emu.demo.email }) },
      }),
    },
    {
      status: 200,
      title: 'with a configuration of the tenant',
      request: () => ({
        path: '/customer/demo/exchangeauthtoken',
        token: anon(),
        query: {
          subjectAccessToken: emu.mintExternalToken({ email: 'spec.exchange@example.com' }),
          config: 'site_PL',
        },
      }),
    },
    {
      status: 400,
      title: 'an unknown configuration',
      request: () => ({
        path: '/customer/demo/exchangeauthtoken',
        token: anon(),
        query: { subjectAccessToken: emu.mintExternalToken({ email: emu.demo.email }), config: 'nope' },
      }),
    },
    {
      status: 400,
      title: 'no subject token',
      request: () => ({ path: '/customer/demo/exchangeauthtoken', token: anon() }),
    },
    {
      status: 401,
      title: 'a subject token the identity provider did not sign',
      request: () => ({
        path: '/customer/demo/exchangeauthtoken',
        token: anon(),
        query: { subjectAccessToken: 'a.b.c' },
      }),
    },
    ...unauthorizedCases((token) => ({
      path: '/customer/demo/exchangeauthtoken',
      token,
      query: { subjectAccessToken: 'a.b.c' },
    })),
  ]);

  operation('POST /customer/{tenant}/socialLogin', [
    {
      status: 200,
      title: 'a code of the identity provider',
      request: () => ({
        path: '/customer/demo/socialLogin',
        token: anon(),
        query: {
          code: emu.mintSocialCode({ email: 'spec.social@example.com', redirectUri: REDIRECT_URI }),
          redirect_uri: REDIRECT_URI,
        },
      }),
    },
    {
      status: 400,
      title: 'no code',
      request: () => ({
        path: '/customer/demo/socialLogin',
        token: anon(),
        query: { redirect_uri: REDIRECT_URI },
      }),
    },
    {
      status: 401,
      title: 'an unknown code',
      request: () => ({
        path: '/customer/demo/socialLogin',
        token: anon(),
        query: { code: 'nope', redirect_uri: REDIRECT_URI },
      }),
    },
    ...unauthorizedCases((token) => ({
      path: '/customer/demo/socialLogin',
      token,
      query: { code: 'nope', redirect_uri: REDIRECT_URI },
    })),
  ]);

  operation('GET /customer/{tenant}/me', [
    {
      status: 200,
      title: 'the profile of a customer',
      request: () => ({ path: '/customer/demo/me', token: customerOf(emu.demo.email) }),
    },
    {
      status: 200,
      title: 'with the address book (expand=addresses)',
      request: () => ({
        path: '/customer/demo/me',
        token: customerOf(emu.demo.email),
        query: { expand: 'addresses' },
      }),
    },
    {
      status: 200,
      title: 'a B2B customer with its address book',
      request: () => ({
        path: '/customer/demo/me',
        token: customerOf('b2b@example.com'),
        query: { expand: 'addresses,mixin:*' },
      }),
    },
    {
      status: 200,
      title: 'the anonymous profile',
      request: () => ({ path: '/customer/demo/me', token: anon() }),
    },
    ...unauthorizedCases((token) => ({ path: '/customer/demo/me', token })),
  ]);

  operation('PATCH /customer/{tenant}/me', [
    {
      status: 200,
      title: 'a change to the profile',
      request: () => ({
        path: '/customer/demo/me',
        token: customerOf('b2b@example.com'),
        body: { contactPhone: '+49 30 7654321' },
      }),
    },
    {
      status: 400,
      title: 'an unknown field',
      request: () => ({
        path: '/customer/demo/me',
        token: customerOf(emu.demo.email),
        body: { shoeSize: 44 },
      }),
    },
    {
      status: 400,
      title: 'a stale version',
      request: () => ({
        path: '/customer/demo/me',
        token: customerOf(emu.demo.email),
        body: { firstName: 'Demo', metadata: { version: 999 } },
      }),
    },
    ...unauthorizedCases((token) => ({ path: '/customer/demo/me', token, body: { firstName: 'X' } })),
    {
      status: 403,
      title: 'an anonymous token',
      request: () => ({ path: '/customer/demo/me', token: anon(), body: { firstName: 'X' } }),
    },
  ]);

  operation('GET /customer/{tenant}/me/addresses', [
    {
      status: 200,
      title: 'the address book',
      request: () => ({ path: '/customer/demo/me/addresses', token: customerOf(emu.demo.email) }),
    },
    ...unauthorizedCases((token) => ({ path: '/customer/demo/me/addresses', token })),
    {
      status: 403,
      title: 'an anonymous token',
      request: () => ({ path: '/customer/demo/me/addresses', token: anon() }),
    },
  ]);

  operation('POST /customer/{tenant}/me/addresses', [
    {
      status: 201,
      title: 'a new address',
      request: () => ({
        path: '/customer/demo/me/addresses',
        token: customerOf(emu.demo.email),
        body: { contactName: 'Spec Address', city: 'Hamburg', country: 'DE', tags: ['SHIPPING'] },
      }),
    },
    {
      status: 400,
      title: 'no contact name',
      request: () => ({
        path: '/customer/demo/me/addresses',
        token: customerOf(emu.demo.email),
        body: { city: 'X' },
      }),
    },
    ...unauthorizedCases((token) => ({
      path: '/customer/demo/me/addresses',
      token,
      body: { contactName: 'X' },
    })),
    {
      status: 403,
      title: 'an anonymous token',
      request: () => ({ path: '/customer/demo/me/addresses', token: anon(), body: { contactName: 'X' } }),
    },
  ]);

  const home = '/customer/demo/me/addresses/addr-home';
  const ghost = '/customer/demo/me/addresses/no-such-address';

  operation('GET /customer/{tenant}/me/addresses/{addressId}', [
    { status: 200, title: 'an address', request: () => ({ path: home, token: customerOf(emu.demo.email) }) },
    ...unauthorizedCases((token) => ({ path: home, token })),
    { status: 403, title: 'an anonymous token', request: () => ({ path: home, token: anon() }) },
    {
      status: 404,
      title: 'an unknown address',
      request: () => ({ path: ghost, token: customerOf(emu.demo.email) }),
    },
  ]);

  operation('PATCH /customer/{tenant}/me/addresses/{addressId}', [
    {
      status: 200,
      title: 'a change to an address',
      request: () => ({ path: home, token: customerOf(emu.demo.email), body: { city: 'Berlin-Mitte' } }),
    },
    {
      status: 400,
      title: 'an invalid country',
      request: () => ({ path: home, token: customerOf(emu.demo.email), body: { country: 'Germany' } }),
    },
    ...unauthorizedCases((token) => ({ path: home, token, body: { city: 'X' } })),
    {
      status: 403,
      title: 'an anonymous token',
      request: () => ({ path: home, token: anon(), body: { city: 'X' } }),
    },
    {
      status: 404,
      title: 'an unknown address',
      request: () => ({ path: ghost, token: customerOf(emu.demo.email), body: { city: 'X' } }),
    },
  ]);

  operation('DELETE /customer/{tenant}/me/addresses/{addressId}', [
    {
      status: 204,
      title: 'an address',
      request: async () => ({
        path: `/customer/demo/me/addresses/${await newAddress()}`,
        token: customerOf(emu.demo.email),
      }),
    },
    ...unauthorizedCases((token) => ({ path: home, token })),
    { status: 403, title: 'an anonymous token', request: () => ({ path: home, token: anon() }) },
    {
      status: 404,
      title: 'an unknown address',
      request: () => ({ path: ghost, token: customerOf(emu.demo.email) }),
    },
  ]);

  for (const method of ['POST', 'DELETE'] as const) {
    const tags = `${home}/tags`;
    operation(`${method} /customer/{tenant}/me/addresses/{addressId}/tags`, [
      {
        status: 204,
        title: 'tags of an address',
        request: () => ({ path: tags, token: customerOf(emu.demo.email), query: { tags: 'GIFT,PICKUP' } }),
      },
      {
        status: 400,
        title: 'no tags',
        request: () => ({ path: tags, token: customerOf(emu.demo.email) }),
      },
      ...unauthorizedCases((token) => ({ path: tags, token, query: { tags: 'GIFT' } })),
      {
        status: 403,
        title: 'an anonymous token',
        request: () => ({ path: tags, token: anon(), query: { tags: 'GIFT' } }),
      },
      {
        status: 404,
        title: 'an unknown address',
        request: () => ({
          path: `${ghost}/tags`,
          token: customerOf(emu.demo.email),
          query: { tags: 'GIFT' },
        }),
      },
    ]);
  }

  const emailChange = '/customer/demo/me/accounts/internal/email/change';
  const changeBody = {
    email: 'email-change@example.com',
    password: PASSWORD,
    newEmail: 'email-changed@example.com',
  };

  operation('POST /customer/{tenant}/me/accounts/internal/email/change', [
    {
      status: 204,
      title: 'a confirmation mail to the new address',
      request: () => ({ path: emailChange, token: customerOf('email-change@example.com'), body: changeBody }),
    },
    {
      status: 400,
      title: 'a wrong password',
      request: () => ({
        path: emailChange,
        token: customerOf('email-change@example.com'),
        body: { ...changeBody, password: 'Wrong-Password' },
      }),
    },
    ...unauthorizedCases((token) => ({ path: emailChange, token, body: changeBody })),
    {
      status: 403,
      title: 'an anonymous token',
      request: () => ({ path: emailChange, token: anon(), body: changeBody }),
    },
    {
      status: 403,
      title: 'a customer token without the profile edit scope',
      request: () => ({
        path: emailChange,
        token: customerOf('email-change@example.com', []),
        body: changeBody,
      }),
    },
  ]);

  operation('POST /customer/{tenant}/me/accounts/internal/email/change/confirm', [
    {
      status: 204,
      title: 'the token of the confirmation mail',
      request: async () => {
        const requested = await send('POST', {
          path: emailChange,
          token: customerOf('email-confirm@example.com'),
          body: {
            email: 'email-confirm@example.com',
            password: PASSWORD,
            newEmail: 'email-confirmed@example.com',
          },
        });
        expect(requested.status, requested.text).toBe(204);
        const token = await mailedToken('email-confirmed@example.com', 'email-change');
        return { path: `${emailChange}/confirm`, token: anon(), body: { token } };
      },
    },
    {
      status: 400,
      title: 'an unknown token',
      request: () => ({ path: `${emailChange}/confirm`, token: anon(), body: { token: 'nope' } }),
    },
    ...unauthorizedCases((token) => ({ path: `${emailChange}/confirm`, token, body: { token: 'nope' } })),
  ]);

  operation('POST /customer/{tenant}/password/reset', [
    {
      status: 204,
      title: 'a reset mail to an account',
      request: () => ({
        path: '/customer/demo/password/reset',
        token: anon(),
        body: { email: 'reset@example.com' },
      }),
    },
    {
      status: 204,
      title: 'an email no account has: the same 204, not a 404',
      request: () => ({
        path: '/customer/demo/password/reset',
        token: anon(),
        body: { email: 'ghost@example.com' },
      }),
    },
    {
      status: 400,
      title: 'an invalid body',
      request: () => ({ path: '/customer/demo/password/reset', token: anon(), body: { mail: 'x' } }),
    },
    ...unauthorizedCases((token) => ({
      path: '/customer/demo/password/reset',
      token,
      body: { email: 'reset@example.com' },
    })),
  ]);

  operation('POST /customer/{tenant}/password/reset/update', [
    {
      status: 204,
      title: 'the token of the reset mail',
      request: async () => {
        const requested = await send('POST', {
          path: '/customer/demo/password/reset',
          token: anon(),
          body: { email: 'reset@example.com' },
        });
        expect(requested.status).toBe(204);
        const token = await mailedToken('reset@example.com', 'password-reset');
        return {
          path: '/customer/demo/password/reset/update',
          token: anon(),
          body: { token, password: 'Reset-123' },
        };
      },
    },
    {
      status: 400,
      title: 'an unknown token',
      request: () => ({
        path: '/customer/demo/password/reset/update',
        token: anon(),
        body: { token: 'nope', password: 'Reset-123' },
      }),
    },
    {
      status: 400,
      title: 'a password shorter than 6 characters',
      request: () => ({
        path: '/customer/demo/password/reset/update',
        token: anon(),
        body: { token: 'nope', password: 'abc' },
      }),
    },
    ...unauthorizedCases((token) => ({
      path: '/customer/demo/password/reset/update',
      token,
      body: { token: 'nope', password: 'Reset-123' },
    })),
  ]);

  operation('POST /customer/{tenant}/password/change', [
    {
      status: 204,
      title: 'the current password and a new one',
      request: () => ({
        path: '/customer/demo/password/change',
        token: customerOf('pw-change@example.com'),
        body: { currentPassword: PASSWORD, newPassword: 'Changed-123' },
      }),
    },
    {
      status: 400,
      title: 'a wrong current password',
      request: () => ({
        path: '/customer/demo/password/change',
        token: customerOf(emu.demo.email),
        body: { currentPassword: 'Wrong-Password', newPassword: 'Changed-123' },
      }),
    },
    ...unauthorizedCases((token) => ({
      path: '/customer/demo/password/change',
      token,
      body: { currentPassword: PASSWORD, newPassword: 'Changed-123' },
    })),
    {
      status: 401,
      title: 'an expired customer token',
      request: () => ({
        path: '/customer/demo/password/change',
        token: expiredCustomer(),
        body: { currentPassword: PASSWORD, newPassword: 'Changed-123' },
      }),
    },
    {
      status: 403,
      title: 'an anonymous token',
      request: () => ({
        path: '/customer/demo/password/change',
        token: anon(),
        body: { currentPassword: PASSWORD, newPassword: 'Changed-123' },
      }),
    },
  ]);
});

describe('coverage', () => {
  const operations = Object.keys(documentedResponses) as Op[];

  it('produced every documented status, but for the ones the emulator never answers', () => {
    const missing: string[] = [];
    const unexpected: string[] = [];
    for (const op of operations) {
      const statuses = produced.get(op) ?? new Set<number>();
      const expected = new Set([
        ...Object.keys(documentedResponses[op]).map(Number),
        ...Object.keys(DELIBERATE[op] ?? {}).map(Number),
      ]);
      for (const status of Object.keys(NEVER_ANSWERED[op] ?? {}).map(Number)) {
        expect(expected.has(status), `${op} ${status} is not documented`).toBe(true);
        expected.delete(status);
        if (statuses.has(status)) unexpected.push(`${op} ${status}`);
      }
      for (const status of expected) if (!statuses.has(status)) missing.push(`${op} ${status}`);
    }
    expect({ missing, unexpected }).toEqual({ missing: [], unexpected: [] });
  });

  it('lists only documented operations in DELIBERATE and NEVER_ANSWERED, each with its reason', () => {
    const reasons: Array<[string, string]> = [
      ...Object.entries(DELIBERATE).flatMap(([op, statuses]) =>
        Object.values(statuses ?? {}).map((entry): [string, string] => [op, entry.why]),
      ),
      ...Object.entries(NEVER_ANSWERED).flatMap(([op, statuses]) =>
        Object.values(statuses ?? {}).map((why): [string, string] => [op, why]),
      ),
    ];
    expect(reasons.length).toBeGreaterThan(0);
    for (const [op, why] of reasons) {
      expect(operations).toContain(op);
      expect(why.length, op).toBeGreaterThan(10);
    }
  });

  it('serves every documented operation with exactly one route, and no route outside them', () => {
    const routes: Route[] = [
      ...authRoutes,
      ...signupRoutes,
      ...socialRoutes,
      ...customerRoutes,
      ...credentialRoutes,
    ];
    const sample = (template: string) =>
      template
        .replace(/\{tenant\}/g, 'demo')
        .replace(/\{addressId\}/g, 'a1')
        .replace(/\{token\}/g, 't1');
    for (const op of operations) {
      const { method, template } = split(op);
      const path = sample(template);
      const serving = routes.filter((r) => r.method === method && r.pattern.test(path));
      expect(serving, op).toHaveLength(1);
    }
    for (const r of routes) {
      const documented = operations.filter((op) => {
        const { method, template } = split(op);
        return r.method === method && r.pattern.test(sample(template));
      });
      expect(documented, `${r.method} ${r.pattern}`).toHaveLength(1);
    }
  });
});

describe('fidelity fixes', () => {
  it('refuses a log-in password shorter than 6 characters with a 400 ErrorMessage (PasswordAuthentication)', async () => {
    const short = await send('POST', {
      path: '/customer/demo/login',
      token: anon(),
      body: { email: emu.demo.email, password: 'x'.repeat(5) },
    });
    expect(short.status).toBe(400);
    const body = errorMessage.parse(JSON.parse(short.text));
    expect(body).toMatchObject({ type: 'bad_request', status: 400, message: expect.any(String) });
    expect(body.details?.map((d) => d.field)).toEqual(['password']);
    // Six characters pass the check and reach the credentials: a wrong password is then a 401.
    const six = await send('POST', {
      path: '/customer/demo/login',
      token: anon(),
      body: { email: emu.demo.email, password: 'x'.repeat(6) },
    });
    expect(six.status).toBe(401);
    expect(unauthorizedFault.safeParse(JSON.parse(six.text)).success).toBe(true);
  });

  it('answers initialPassword as the boolean the documented example shows, not a string', async () => {
    const res = await send('POST', {
      path: '/customer/demo/login',
      token: anon(),
      body: { email: emu.demo.email, password: emu.demo.password },
    });
    expect(res.status).toBe(200);
    expect(z.object({ initialPassword: z.literal(false) }).safeParse(JSON.parse(res.text)).success).toBe(
      true,
    );
  });

  it('answers 204 for a reset of an email no account has, with no mail; the 404 is a fault to inject', async () => {
    const path = '/customer/demo/password/reset';
    const before = emu.outbox().length;
    const unknown = await send('POST', { path, token: anon(), body: { email: 'nobody@example.com' } });
    expect(unknown).toMatchObject({ status: 204, text: '' });
    expect(emu.outbox()).toHaveLength(before);

    const notFound = { type: 'resource_not_found', status: 404, message: 'Customer account not found.' };
    emu.injectFault({ method: 'POST', path, status: 404, body: notFound });
    const injected = await send('POST', { path, token: anon(), body: { email: 'nobody@example.com' } });
    expect(injected.status).toBe(404);
    expect(JSON.parse(injected.text)).toEqual(notFound);
    expect(errorMessage.safeParse(JSON.parse(injected.text)).success).toBe(true);
  });
});
