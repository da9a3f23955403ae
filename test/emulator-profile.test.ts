/**
 * The emulator's "Account and profile" and "Addresses" endpoints over HTTP: statuses and exact bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createEmulator,
  defaultSeed,
  type Emulator,
  type EmulatorSeed,
  type SeedCustomer,
} from '../src/emulator/index.js';

const PASSWORD = 'Secret-123';

function customer(id: string, email: string, extra: Partial<SeedCustomer> = {}): SeedCustomer {
  return { id, email, password: PASSWORD, firstName: `First${id}`, lastName: `Last${id}`, ...extra };
}

// Each flow gets its own customer so that tests writing to one do not disturb the others; the demo customer is
// only read.
const extraCustomers: SeedCustomer[] = [
  customer('3001', 'patch@example.com', { contactPhone: '+1 555 0100' }),
  customer('3002', 'b2b@example.com', {
    middleName: 'Middle',
    company: 'Acme',
    companyRegistrationId: 'REG-1',
  }),
  customer('3003', 'b2c@example.com'),
  customer('3004', 'book@example.com', {
    addresses: [
      {
        id: 'b-1',
        contactName: 'Book One',
        street: 'Main Street',
        city: 'Berlin',
        isDefault: true,
        tags: ['A'],
      },
      { id: 'b-2', contactName: 'Book Two', city: 'Munich' },
      { id: 'b-3', contactName: 'Book Three' },
      {
        id: 'b-4',
        contactName: 'Book Four',
        companyName: 'Four Ltd',
        street: 'Fourth Street',
        extraLine1: 'line 1',
        extraLine2: 'line 2',
        extraLine3: 'line 3',
        extraLine4: 'line 4',
        zipCode: '4444',
        city: 'Bonn',
        country: 'DE',
        contactPhone: '+49 228 4444',
        tags: ['FOUR', 'SHIPPING'],
      },
    ],
  }),
  customer('3005', 'tags@example.com', {
    addresses: [{ id: 't-1', contactName: 'Tag Owner', tags: ['A', 'B'] }],
  }),
  customer('3006', 'empty@example.com'),
  customer('3007', 'other@example.com', {
    customerNumber: 'C-3007',
    addresses: [{ id: 'o-1', contactName: 'Other Owner', isDefault: true, tags: ['KEEP'] }],
  }),
  customer('3009', 'login@example.com'),
  customer('3008', 'delete@example.com', {
    addresses: [
      { id: 'd-1', contactName: 'Default One', isDefault: true },
      { id: 'd-2', contactName: 'Second' },
    ],
  }),
];

function seedWithExtraCustomers(): EmulatorSeed {
  const [demo, ...others] = defaultSeed.tenants;
  if (demo === undefined) throw new Error('the default seed has no tenant');
  return { tenants: [{ ...demo, customers: [...demo.customers, ...extraCustomers] }, ...others] };
}

interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
}

interface CallResult {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

let emu: Emulator;

beforeAll(async () => {
  emu = await createEmulator({ seed: seedWithExtraCustomers() });
});

afterAll(async () => {
  await emu.close();
});

async function call(method: string, path: string, opts: CallOptions = {}): Promise<CallResult> {
  const headers: Record<string, string> = {};
  if (opts.token !== undefined) headers.authorization = `Bearer ${opts.token}`;
  const body = opts.body === undefined ? opts.rawBody : JSON.stringify(opts.body);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${emu.url}${path}`, { method, headers, body });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function tokenFor(email: string): string {
  return emu.issueToken({ tenant: 'demo', kind: 'customer', email });
}

function anonymous(): string {
  return emu.issueToken({ tenant: 'demo', kind: 'anonymous' });
}

async function profile(token: string, query = ''): Promise<Record<string, unknown>> {
  const res = await call('GET', `/customer/demo/me${query}`, { token });
  expect(res.status).toBe(200);
  return res.json as Record<string, unknown>;
}

async function address(token: string, id: string): Promise<Record<string, unknown>> {
  const res = await call('GET', `/customer/demo/me/addresses/${id}`, { token });
  expect(res.status).toBe(200);
  return res.json as Record<string, unknown>;
}

async function patchMe(token: string, body: unknown): Promise<CallResult> {
  return call('PATCH', '/customer/demo/me', { token, body });
}

function detailsOf(res: CallResult): { field: string; type: string }[] {
  const body = res.json as { details?: { field: string; type: string }[] };
  return (body.details ?? []).map(({ field, type }) => ({ field, type }));
}

const FORBIDDEN = { type: 'Forbidden', status: 403, message: 'User not authorized.' };

const HOME = {
  id: 'addr-home',
  contactName: 'Demo Customer',
  street: 'Platz der Republik',
  streetNumber: '1',
  zipCode: '11011',
  city: 'Berlin',
  country: 'DE',
  contactPhone: '+49 30 1234567',
  isDefault: true,
  tags: ['SHIPPING', 'BILLING'],
  metadata: { version: 1 },
};

const OFFICE = {
  id: 'addr-office',
  contactName: 'Demo Customer',
  companyName: 'Example GmbH',
  street: 'Friedrichstrasse',
  streetNumber: '100',
  zipCode: '10117',
  city: 'Berlin',
  country: 'DE',
  isDefault: false,
  tags: [],
  metadata: { version: 1 },
};

const DEMO_PROFILE = {
  id: '13869000',
  customerNumber: '13869000',
  title: 'MR',
  firstName: 'Demo',
  lastName: 'Customer',
  contactEmail: 'demo@example.com',
  contactPhone: '+49 30 1234567',
  preferredLanguage: 'en_US',
  preferredCurrency: 'EUR',
  preferredSite: 'main',
  accounts: [{ id: 'demo@example.com' }],
  businessModel: 'B2C',
  mixins: {},
  metadata: { mixins: {}, version: 1 },
};

describe('GET /customer/{tenant}/me', () => {
  it('answers the full profile without addresses when nothing is expanded', async () => {
    expect(await profile(emu.demo.customerToken)).toEqual(DEMO_PROFILE);
  });

  it('adds addresses and defaultAddress with ?expand=addresses', async () => {
    expect(await profile(emu.demo.customerToken, '?expand=addresses')).toEqual({
      ...DEMO_PROFILE,
      addresses: [HOME, OFFICE],
      defaultAddress: HOME,
    });
  });

  it('reads expand as a comma-separated list and ignores values it does not model', async () => {
    const mixed = await profile(emu.demo.customerToken, '?expand=mixin:*,%20addresses');
    expect(mixed.addresses).toEqual([HOME, OFFICE]);
    for (const query of ['?expand=mixin:*', '?expand=addressesX', '?expand=']) {
      const body = await profile(emu.demo.customerToken, query);
      expect(body).toEqual(DEMO_PROFILE);
    }
  });

  it('leaves defaultAddress out when the book has no default', async () => {
    const body = await profile(tokenFor('b2c@example.com'), '?expand=addresses');
    expect(body.addresses).toEqual([]);
    expect(body).not.toHaveProperty('defaultAddress');
  });

  it('carries middleName, businessModel B2B and b2b for a B2B customer', async () => {
    expect(await profile(tokenFor('b2b@example.com'))).toEqual({
      id: '3002',
      customerNumber: '3002',
      firstName: 'First3002',
      middleName: 'Middle',
      lastName: 'Last3002',
      contactEmail: 'b2b@example.com',
      company: 'Acme',
      preferredLanguage: 'en_US',
      preferredCurrency: 'EUR',
      preferredSite: 'main',
      accounts: [{ id: 'b2b@example.com' }],
      businessModel: 'B2B',
      b2b: { companyRegistrationId: 'REG-1' },
      mixins: {},
      metadata: { mixins: {}, version: 1 },
    });
  });

  it('carries lastLogin once the customer has logged in', async () => {
    const before = await profile(tokenFor('login@example.com'));
    expect(before).not.toHaveProperty('lastLogin');
    const login = await call('POST', '/customer/demo/login', {
      token: anonymous(),
      body: { email: 'login@example.com', password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const { access_token } = login.json as { access_token: string };
    const after = await profile(access_token);
    expect(after).toEqual({ ...before, lastLogin: expect.any(String) });
    const lastLogin = Date.parse(after.lastLogin as string);
    expect(new Date(lastLogin).toISOString()).toBe(after.lastLogin);
    expect(Math.abs(lastLogin - Date.now())).toBeLessThan(60_000);
  });

  it('answers the anonymous profile unchanged, even with expand', async () => {
    expect(await profile(anonymous(), '?expand=addresses')).toEqual({
      firstName: 'Anonymous',
      lastName: 'Anonymous',
      preferredSite: 'main',
      customerNumber: '00000000',
      id: '00000000',
      accounts: [],
    });
  });
});

describe('PATCH /customer/{tenant}/me', () => {
  const patchToken = () => tokenFor('patch@example.com');

  it('sets and clears fields, answers 200 without a body and bumps the version', async () => {
    const res = await patchMe(patchToken(), {
      title: 'DR',
      middleName: 'Q',
      contactPhone: null,
      company: 'Pat Co',
      contactEmail: 'pat@work.example',
      preferredLanguage: 'de_DE',
      preferredCurrency: 'USD',
      preferredSite: 'b2b',
      mixins: { loyalty: { level: 2 } },
      metadata: { version: 1, mixins: {} },
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await profile(patchToken())).toEqual({
      id: '3001',
      customerNumber: '3001',
      title: 'DR',
      firstName: 'First3001',
      middleName: 'Q',
      lastName: 'Last3001',
      contactEmail: 'pat@work.example',
      company: 'Pat Co',
      preferredLanguage: 'de_DE',
      preferredCurrency: 'USD',
      preferredSite: 'b2b',
      // The login email is an account, not the contact email: a profile patch never changes it.
      accounts: [{ id: 'patch@example.com' }],
      businessModel: 'B2C',
      mixins: {},
      metadata: { mixins: {}, version: 2 },
    });
  });

  it('leaves absent fields unchanged and applies without a version', async () => {
    const before = await profile(patchToken());
    const version = (before.metadata as { version: number }).version;
    expect((await patchMe(patchToken(), { firstName: 'Patty', metadata: {} })).status).toBe(200);
    expect(await profile(patchToken())).toEqual({
      ...before,
      firstName: 'Patty',
      metadata: { mixins: {}, version: version + 1 },
    });
  });

  it('refuses a stale metadata.version with a version_conflict detail and changes nothing', async () => {
    const before = await profile(patchToken());
    const version = (before.metadata as { version: number }).version;
    const res = await patchMe(patchToken(), { firstName: 'Stale', metadata: { version: version - 1 } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'bad_request',
      status: 400,
      message: `Version conflict: metadata.version ${version - 1} is not the current version ${version}. Read the resource again and retry.`,
      details: [
        {
          field: 'metadata.version',
          type: 'version_conflict',
          message: `metadata.version ${version - 1} is not the current version ${version}.`,
        },
      ],
    });
    expect(await profile(patchToken())).toEqual(before);
    expect((await patchMe(patchToken(), { firstName: 'Fresh', metadata: { version } })).status).toBe(200);
  });

  it('refuses to unset contactEmail once it is present', async () => {
    const before = await profile(patchToken());
    const res = await patchMe(patchToken(), { contactEmail: null, title: 'MS' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'bad_request',
      status: 400,
      message: 'contactEmail cannot be unset once a value is present.',
      details: [
        { field: 'contactEmail', type: 'invalid_value', message: "Field 'contactEmail' cannot be unset." },
      ],
    });
    expect(await profile(patchToken())).toEqual(before);
  });

  it('refuses null for the fields every profile has', async () => {
    for (const field of [
      'firstName',
      'lastName',
      'preferredLanguage',
      'preferredCurrency',
      'preferredSite',
    ]) {
      const res = await patchMe(patchToken(), { [field]: null });
      expect(res.status).toBe(400);
      expect(res.json).toEqual({
        type: 'bad_request',
        status: 400,
        message: 'Request body is invalid.',
        details: [{ field, type: 'invalid_value', message: `Field '${field}' cannot be unset.` }],
      });
    }
  });

  it('refuses unknown fields, wrong types and malformed values with details', async () => {
    const unknown = await patchMe(patchToken(), {
      customerNumber: 'X',
      businessModel: 'B2B',
      firstName: 'Ok',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual({
      type: 'bad_request',
      status: 400,
      message: 'Request body is invalid.',
      details: [
        { field: 'customerNumber', type: 'unknown_field', message: "Field 'customerNumber' is not allowed." },
        { field: 'businessModel', type: 'unknown_field', message: "Field 'businessModel' is not allowed." },
      ],
    });
    expect(detailsOf(await patchMe(patchToken(), { firstName: 5 }))).toEqual([
      { field: 'firstName', type: 'invalid_type' },
    ]);
    for (const currency of ['eur', 'EU', 'EURO']) {
      expect(detailsOf(await patchMe(patchToken(), { preferredCurrency: currency }))).toEqual([
        { field: 'preferredCurrency', type: 'invalid_value' },
      ]);
    }
    expect(detailsOf(await patchMe(patchToken(), { contactEmail: 'not-an-email' }))).toEqual([
      { field: 'contactEmail', type: 'invalid_value' },
    ]);
    expect(detailsOf(await patchMe(patchToken(), { b2b: { companyRegistrationId: '' } }))).toEqual([
      { field: 'b2b.companyRegistrationId', type: 'invalid_value' },
    ]);
    expect((await profile(patchToken())).firstName).not.toBe('Ok');
  });

  it('refuses a missing or non-JSON body', async () => {
    const empty = await call('PATCH', '/customer/demo/me', { token: patchToken() });
    expect(empty.status).toBe(400);
    expect(empty.json).toEqual({ type: 'bad_request', status: 400, message: 'Request body is required.' });
    const broken = await call('PATCH', '/customer/demo/me', { token: patchToken(), rawBody: '{nope' });
    expect(broken.json).toEqual({
      type: 'bad_request',
      status: 400,
      message: 'Request body is not valid JSON.',
    });
    const array = await call('PATCH', '/customer/demo/me', { token: patchToken(), body: [] });
    expect(array.status).toBe(400);
  });

  it('refuses an anonymous token with 403 and a missing, unknown or expired token with 401', async () => {
    const anon = await patchMe(anonymous(), { firstName: 'Anon' });
    expect(anon.status).toBe(403);
    expect(anon.json).toEqual(FORBIDDEN);
    const missing = await call('PATCH', '/customer/demo/me', { body: { firstName: 'X' } });
    expect(missing.status).toBe(401);
    expect(missing.json).toMatchObject({
      fault: { detail: { errorcode: 'steps.oauth.v2.FailedToResolveAccessToken' } },
    });
    const invalid = await patchMe('not-a-token', { firstName: 'X' });
    expect(invalid.status).toBe(401);
    expect(invalid.json).toMatchObject({ fault: { detail: { errorcode: 'oauth.v2.InvalidAccessToken' } } });
  });
});

describe('PATCH /customer/{tenant}/me: the B2B rule', () => {
  const b2cToken = () => tokenFor('b2c@example.com');
  const b2bToken = () => tokenFor('b2b@example.com');

  it('refuses a registration id without company, naming every missing field', async () => {
    const res = await patchMe(b2cToken(), { b2b: { companyRegistrationId: 'R-9' }, firstName: '  ' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'bad_request',
      status: 400,
      message: 'A B2B customer needs firstName, lastName and company.',
      details: [
        {
          field: 'firstName',
          type: 'missing_value',
          message: "Field 'firstName' is required for a B2B customer (one with b2b.companyRegistrationId).",
        },
        {
          field: 'company',
          type: 'missing_value',
          message: "Field 'company' is required for a B2B customer (one with b2b.companyRegistrationId).",
        },
      ],
    });
    const after = await profile(b2cToken());
    expect(after).toMatchObject({ businessModel: 'B2C', firstName: 'First3003', metadata: { version: 1 } });
    expect(after).not.toHaveProperty('b2b');
  });

  it('makes the customer B2B when the registration id comes with a company', async () => {
    const res = await patchMe(b2cToken(), { b2b: { companyRegistrationId: 'R-9' }, company: 'Nine Ltd' });
    expect(res.status).toBe(200);
    expect(await profile(b2cToken())).toMatchObject({
      businessModel: 'B2B',
      b2b: { companyRegistrationId: 'R-9' },
      company: 'Nine Ltd',
    });
    // An empty b2b object changes nothing.
    expect((await patchMe(b2cToken(), { b2b: {} })).status).toBe(200);
    expect((await profile(b2cToken())).b2b).toEqual({ companyRegistrationId: 'R-9' });
  });

  it('keeps a B2B customer from losing its company, and clearing the registration id makes it B2C', async () => {
    expect(detailsOf(await patchMe(b2bToken(), { company: null }))).toEqual([
      { field: 'company', type: 'missing_value' },
    ]);
    expect((await profile(b2bToken())).company).toBe('Acme');

    expect((await patchMe(b2bToken(), { b2b: { companyRegistrationId: null }, company: null })).status).toBe(
      200,
    );
    const b2c = await profile(b2bToken());
    expect(b2c.businessModel).toBe('B2C');
    expect(b2c).not.toHaveProperty('b2b');
    expect(b2c).not.toHaveProperty('company');

    expect((await patchMe(b2bToken(), { b2b: { companyRegistrationId: 'REG-2' } })).status).toBe(400);
    expect(
      (await patchMe(b2bToken(), { b2b: { companyRegistrationId: 'REG-2' }, company: 'Acme 2' })).status,
    ).toBe(200);
    expect(await profile(b2bToken())).toMatchObject({
      businessModel: 'B2B',
      b2b: { companyRegistrationId: 'REG-2' },
    });

    // b2b null clears the whole object, hence the registration id.
    expect((await patchMe(b2bToken(), { b2b: null })).status).toBe(200);
    const cleared = await profile(b2bToken());
    expect(cleared.businessModel).toBe('B2C');
    expect(cleared).not.toHaveProperty('b2b');
  });
});

describe('GET /customer/{tenant}/me/addresses[/{addressId}]', () => {
  it('lists the book in order as AddressDto', async () => {
    const res = await call('GET', '/customer/demo/me/addresses', { token: emu.demo.customerToken });
    expect(res.status).toBe(200);
    expect(res.json).toEqual([HOME, OFFICE]);
  });

  it('answers one address', async () => {
    expect(await address(emu.demo.customerToken, 'addr-office')).toEqual(OFFICE);
  });

  it('answers an empty list for an empty book', async () => {
    const res = await call('GET', '/customer/demo/me/addresses', { token: tokenFor('empty@example.com') });
    expect(res.json).toEqual([]);
  });

  it('answers 404_address for an unknown id', async () => {
    const res = await call('GET', '/customer/demo/me/addresses/nope', { token: emu.demo.customerToken });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({
      type: 'resource_not_found',
      status: 404,
      message: 'Address nope of customer 13869000 not found.',
    });
  });
});

describe('POST /customer/{tenant}/me/addresses', () => {
  const emptyToken = () => tokenFor('empty@example.com');
  const post = (body: unknown) => call('POST', '/customer/demo/me/addresses', { token: emptyToken(), body });

  it('creates an address with a new URL-safe id, never default, tags as a set, mixins dropped', async () => {
    const res = await post({
      contactName: 'John Doe',
      companyName: 'Emporix',
      street: 'Platz der Republik',
      streetNumber: '1',
      streetAppendix: '',
      extraLine1: 'Floor 3',
      extraLine2: '',
      extraLine3: '',
      extraLine4: 'Desk 7',
      zipCode: '11011',
      city: 'Berlin',
      country: 'DE',
      state: 'Berlin',
      contactPhone: '123456789',
      tags: ['BILLING', 'SHIPPING', 'BILLING'],
      mixins: { note: 'ignored' },
      metadata: { mixins: {} },
    });
    expect(res.status).toBe(201);
    const { id } = res.json as { id: string };
    expect(res.json).toEqual({ id });
    expect(id).toMatch(/^[A-Za-z0-9_-]{6,}$/);
    expect(await address(emptyToken(), id)).toEqual({
      id,
      contactName: 'John Doe',
      companyName: 'Emporix',
      street: 'Platz der Republik',
      streetNumber: '1',
      streetAppendix: '',
      extraLine1: 'Floor 3',
      extraLine2: '',
      extraLine3: '',
      extraLine4: 'Desk 7',
      zipCode: '11011',
      city: 'Berlin',
      country: 'DE',
      state: 'Berlin',
      contactPhone: '123456789',
      isDefault: false,
      tags: ['BILLING', 'SHIPPING'],
      metadata: { version: 1 },
    });
    // Even the first address of a book is not made default.
    expect(await profile(emptyToken(), '?expand=addresses')).not.toHaveProperty('defaultAddress');
  });

  it('needs only contactName, and gives every address its own id', async () => {
    const first = await post({ contactName: 'Min' });
    const second = await post({ contactName: 'Min' });
    expect([first.status, second.status]).toEqual([201, 201]);
    const a = (first.json as { id: string }).id;
    const b = (second.json as { id: string }).id;
    expect(a).not.toBe(b);
    expect(await address(emptyToken(), a)).toEqual({
      id: a,
      contactName: 'Min',
      isDefault: false,
      tags: [],
      metadata: { version: 1 },
    });
    const list = (await call('GET', '/customer/demo/me/addresses', { token: emptyToken() })).json as {
      id: string;
    }[];
    expect(list.map((entry) => entry.id).slice(-2)).toEqual([a, b]);
  });

  it('refuses a body without contactName with a missing_value detail', async () => {
    const res = await post({ city: 'Berlin' });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'bad_request',
      status: 400,
      message: 'Request body is invalid.',
      details: [{ field: 'contactName', type: 'missing_value', message: "Field 'contactName' is required." }],
    });
  });

  it('refuses bad values, unknown fields and missing bodies', async () => {
    const before = (await call('GET', '/customer/demo/me/addresses', { token: emptyToken() })).json;
    const cases: [unknown, { field: string; type: string }[]][] = [
      [{ contactName: '  ' }, [{ field: 'contactName', type: 'invalid_value' }]],
      [{ contactName: 'X', country: 'de' }, [{ field: 'country', type: 'invalid_value' }]],
      [{ contactName: 'X', country: 'DEU' }, [{ field: 'country', type: 'invalid_value' }]],
      [{ contactName: 'X', tags: 'A' }, [{ field: 'tags', type: 'invalid_type' }]],
      [{ contactName: 'X', tags: ['A,B'] }, [{ field: 'tags.0', type: 'invalid_value' }]],
      [{ contactName: 'X', tags: [' A'] }, [{ field: 'tags.0', type: 'invalid_value' }]],
      [{ contactName: 'X', isDefault: true }, [{ field: 'isDefault', type: 'unknown_field' }]],
      [{ contactName: 'X', id: 'mine' }, [{ field: 'id', type: 'unknown_field' }]],
      [{ contactName: 'X', city: null }, [{ field: 'city', type: 'invalid_type' }]],
    ];
    for (const [body, details] of cases) {
      const res = await post(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(detailsOf(res), JSON.stringify(body)).toEqual(details);
    }
    const empty = await call('POST', '/customer/demo/me/addresses', { token: emptyToken() });
    expect(empty.json).toEqual({ type: 'bad_request', status: 400, message: 'Request body is required.' });
    expect((await call('GET', '/customer/demo/me/addresses', { token: emptyToken() })).json).toEqual(before);
  });
});

describe('PATCH /customer/{tenant}/me/addresses/{addressId}', () => {
  const bookToken = () => tokenFor('book@example.com');
  const patch = (id: string, body: unknown) =>
    call('PATCH', `/customer/demo/me/addresses/${id}`, { token: bookToken(), body });
  const defaults = async () => {
    const list = (await call('GET', '/customer/demo/me/addresses', { token: bookToken() })).json as {
      id: string;
      isDefault: boolean;
    }[];
    return list.filter((entry) => entry.isDefault).map((entry) => entry.id);
  };

  it('sets and clears fields, replaces tags as a set, answers 200 without a body and bumps the version', async () => {
    const res = await patch('b-1', {
      city: 'Hamburg',
      street: null,
      country: 'DE',
      tags: ['X', 'Y', 'X'],
      metadata: { version: 1 },
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await address(bookToken(), 'b-1')).toEqual({
      id: 'b-1',
      contactName: 'Book One',
      city: 'Hamburg',
      country: 'DE',
      isDefault: true,
      tags: ['X', 'Y'],
      metadata: { version: 2 },
    });
  });

  it('clears tags with null and leaves absent fields unchanged', async () => {
    expect((await patch('b-1', { tags: null })).status).toBe(200);
    expect(await address(bookToken(), 'b-1')).toMatchObject({
      city: 'Hamburg',
      tags: [],
      metadata: { version: 3 },
    });
  });

  it('clears the four extra lines with null and the tags with an empty list, as the gateway sends them', async () => {
    const res = await patch('b-4', {
      companyName: null,
      extraLine1: null,
      extraLine2: null,
      extraLine3: null,
      extraLine4: null,
      zipCode: null,
      contactPhone: null,
      tags: [],
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(await address(bookToken(), 'b-4')).toEqual({
      id: 'b-4',
      contactName: 'Book Four',
      street: 'Fourth Street',
      city: 'Bonn',
      country: 'DE',
      isDefault: false,
      tags: [],
      metadata: { version: 2 },
    });
  });

  it('isDefault true makes the address the only default', async () => {
    expect(await defaults()).toEqual(['b-1']);
    expect((await patch('b-2', { isDefault: true })).status).toBe(200);
    expect(await defaults()).toEqual(['b-2']);
    const me = await profile(bookToken(), '?expand=addresses');
    expect((me.defaultAddress as { id: string }).id).toBe('b-2');
    // Making the default default again changes nothing else.
    expect((await patch('b-2', { isDefault: true })).status).toBe(200);
    expect(await defaults()).toEqual(['b-2']);
  });

  it('isDefault false on the default leaves the book without a default', async () => {
    expect((await patch('b-3', { isDefault: false })).status).toBe(200);
    expect(await defaults()).toEqual(['b-2']);
    expect((await patch('b-2', { isDefault: false })).status).toBe(200);
    expect(await defaults()).toEqual([]);
    expect(await profile(bookToken(), '?expand=addresses')).not.toHaveProperty('defaultAddress');
  });

  it('refuses to clear contactName, bad values and unknown fields', async () => {
    const before = await address(bookToken(), 'b-3');
    const cleared = await patch('b-3', { contactName: null });
    expect(cleared.status).toBe(400);
    expect(cleared.json).toEqual({
      type: 'bad_request',
      status: 400,
      message: 'Request body is invalid.',
      details: [
        {
          field: 'contactName',
          type: 'invalid_value',
          message: "Field 'contactName' cannot be unset: an address needs a contact name.",
        },
      ],
    });
    expect(detailsOf(await patch('b-3', { country: 'xx' }))).toEqual([
      { field: 'country', type: 'invalid_value' },
    ]);
    expect(detailsOf(await patch('b-3', { isDefault: null }))).toEqual([
      { field: 'isDefault', type: 'invalid_type' },
    ]);
    expect(detailsOf(await patch('b-3', { id: 'other' }))).toEqual([{ field: 'id', type: 'unknown_field' }]);
    expect(await address(bookToken(), 'b-3')).toEqual(before);
  });

  it('refuses a stale metadata.version with a version_conflict detail', async () => {
    const res = await patch('b-3', { city: 'Late', metadata: { version: 7 } });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      type: 'bad_request',
      status: 400,
      message:
        'Version conflict: metadata.version 7 is not the current version 2. Read the resource again and retry.',
      details: [
        {
          field: 'metadata.version',
          type: 'version_conflict',
          message: 'metadata.version 7 is not the current version 2.',
        },
      ],
    });
    expect(await address(bookToken(), 'b-3')).not.toHaveProperty('city');
  });

  it('answers 404_address for an unknown id, after refusing a malformed body first', async () => {
    const res = await patch('b-404', { city: 'Nowhere' });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({
      type: 'resource_not_found',
      status: 404,
      message: 'Address b-404 of customer 3004 not found.',
    });
    expect((await patch('b-404', { city: 5 })).status).toBe(400);
  });
});

describe('DELETE /customer/{tenant}/me/addresses/{addressId}', () => {
  const deleteToken = () => tokenFor('delete@example.com');

  it('removes the default without promoting another one, then answers 404 for it', async () => {
    const res = await call('DELETE', '/customer/demo/me/addresses/d-1', { token: deleteToken() });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const list = (await call('GET', '/customer/demo/me/addresses', { token: deleteToken() })).json;
    expect(list).toEqual([
      { id: 'd-2', contactName: 'Second', isDefault: false, tags: [], metadata: { version: 1 } },
    ]);
    expect(await profile(deleteToken(), '?expand=addresses')).not.toHaveProperty('defaultAddress');
    const again = await call('DELETE', '/customer/demo/me/addresses/d-1', { token: deleteToken() });
    expect(again.status).toBe(404);
    expect(again.json).toEqual({
      type: 'resource_not_found',
      status: 404,
      message: 'Address d-1 of customer 3008 not found.',
    });
    expect((await call('GET', '/customer/demo/me/addresses/d-1', { token: deleteToken() })).status).toBe(404);
  });
});

describe('POST and DELETE /customer/{tenant}/me/addresses/{addressId}/tags', () => {
  const tagsToken = () => tokenFor('tags@example.com');
  const tags = (method: string, query: string, id = 't-1') =>
    call(method, `/customer/demo/me/addresses/${id}/tags${query}`, { token: tagsToken() });
  const current = async () => (await address(tagsToken(), 't-1')) as { tags: string[]; metadata: unknown };

  it('adds tags as a set, keeping the order, and bumps the version', async () => {
    const res = await tags('POST', '?tags=C,A');
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(await current()).toMatchObject({ tags: ['A', 'B', 'C'], metadata: { version: 2 } });
    expect((await tags('POST', '?tags=%20D%20,,E,D')).status).toBe(204);
    expect((await current()).tags).toEqual(['A', 'B', 'C', 'D', 'E']);
  });

  it('removes tags as a set; tags the address lacks are no error', async () => {
    const res = await tags('DELETE', '?tags=B,Z,D');
    expect(res.status).toBe(204);
    expect(await current()).toMatchObject({ tags: ['A', 'C', 'E'], metadata: { version: 4 } });
    expect((await tags('DELETE', '?tags=A&tags=E')).status).toBe(204);
    expect((await current()).tags).toEqual(['C']);
  });

  it('refuses a missing or empty tags parameter with 400', async () => {
    for (const method of ['POST', 'DELETE']) {
      for (const query of ['', '?tags=', '?tags=,%20,', '?tag=A']) {
        const res = await tags(method, query);
        expect(res.status, `${method} ${query}`).toBe(400);
        expect(res.json).toEqual({
          type: 'bad_request',
          status: 400,
          message: 'Query parameter tags is required.',
          details: [
            {
              field: 'tags',
              type: 'missing_value',
              message: 'A comma-separated, non-empty list of tags is required.',
            },
          ],
        });
      }
    }
    expect((await current()).tags).toEqual(['C']);
  });

  it('answers 404_address for an unknown address', async () => {
    for (const method of ['POST', 'DELETE']) {
      const res = await tags(method, '?tags=A', 'nope');
      expect(res.status).toBe(404);
      expect(res.json).toEqual({
        type: 'resource_not_found',
        status: 404,
        message: 'Address nope of customer 3005 not found.',
      });
    }
  });
});

describe('another customer’s address', () => {
  it('is unknown to every address route, and stays untouched', async () => {
    const token = emu.demo.customerToken;
    const notFound = {
      type: 'resource_not_found',
      status: 404,
      message: 'Address o-1 of customer 13869000 not found.',
    };
    const attempts: [string, string, unknown][] = [
      ['GET', '', undefined],
      ['PATCH', '', { city: 'Stolen' }],
      ['DELETE', '', undefined],
      ['POST', '/tags?tags=MINE', undefined],
      ['DELETE', '/tags?tags=KEEP', undefined],
    ];
    for (const [method, suffix, body] of attempts) {
      const res = await call(method, `/customer/demo/me/addresses/o-1${suffix}`, { token, body });
      expect(res.status, `${method} ${suffix}`).toBe(404);
      expect(res.json).toEqual(notFound);
    }
    expect(await address(tokenFor('other@example.com'), 'o-1')).toEqual({
      id: 'o-1',
      contactName: 'Other Owner',
      isDefault: true,
      tags: ['KEEP'],
      metadata: { version: 1 },
    });
  });

  it('is not touched by making an address of one customer default', async () => {
    const res = await call('PATCH', '/customer/demo/me/addresses/t-1', {
      token: tokenFor('tags@example.com'),
      body: { isDefault: true },
    });
    expect(res.status).toBe(200);
    expect((await address(tokenFor('other@example.com'), 'o-1')).isDefault).toBe(true);
  });
});

describe('address routes: tokens', () => {
  const routes: [string, string, unknown][] = [
    ['GET', '/customer/demo/me/addresses', undefined],
    ['POST', '/customer/demo/me/addresses', { contactName: 'Anon' }],
    ['GET', '/customer/demo/me/addresses/addr-home', undefined],
    ['PATCH', '/customer/demo/me/addresses/addr-home', { city: 'Anon' }],
    ['DELETE', '/customer/demo/me/addresses/addr-home', undefined],
    ['POST', '/customer/demo/me/addresses/addr-home/tags?tags=X', undefined],
    ['DELETE', '/customer/demo/me/addresses/addr-home/tags?tags=SHIPPING', undefined],
  ];

  it('refuses an anonymous token with 403', async () => {
    for (const [method, path, body] of routes) {
      const res = await call(method, path, { token: anonymous(), body });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.json).toEqual(FORBIDDEN);
    }
  });

  it('refuses a missing, unknown or expired token with 401', async () => {
    const expiring = emu.issueToken({
      tenant: 'demo',
      kind: 'customer',
      email: 'demo@example.com',
      ttlSeconds: 1,
    });
    emu.advanceClock(2);
    const expected: [string | undefined, string][] = [
      [undefined, 'steps.oauth.v2.FailedToResolveAccessToken'],
      ['not-a-token', 'oauth.v2.InvalidAccessToken'],
      [expiring, 'keymanagement.service.access_token_expired'],
    ];
    for (const [method, path, body] of routes) {
      for (const [token, errorcode] of expected) {
        const res = await call(method, path, { token, body });
        expect(res.status, `${method} ${path}`).toBe(401);
        expect(res.json).toMatchObject({ fault: { detail: { errorcode } } });
      }
    }
    // Nothing of the demo book was changed by the refused calls.
    expect(
      (await call('GET', '/customer/demo/me/addresses', { token: emu.demo.customerToken })).json,
    ).toEqual([HOME, OFFICE]);
  });

  it('answers 405 with the allowed methods for a method the path lacks', async () => {
    const res = await call('PUT', '/customer/demo/me/addresses', { token: emu.demo.customerToken });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, POST');
    const me = await call('DELETE', '/customer/demo/me', { token: emu.demo.customerToken });
    expect(me.headers.get('allow')).toBe('GET, PATCH');
  });
});
