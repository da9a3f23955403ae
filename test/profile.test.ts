/**
 * The profile (issue "Customer profile and address book"): `me` with every field and its single upstream call
 * (with `?expand=addresses` only when the address book is selected), and `updateCustomerProfile`: the exact PATCH
 * it sends, its validation (nothing sent), its version conflicts, its error mapping, and the profile it reads
 * after the write. Every case checks the GraphQL answer and the upstream request (or that there was none).
 * Customers whose profile a test changes are the test's own, so that the order of the tests does not matter.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SeedCustomer } from '../src/emulator/index.js';

import { expectTypename } from './assert.js';
import { logIn, type Stack, seedWith, startStack } from './harness.js';

const PASSWORD = 'Profile-Passw0rd!';

/** A B2B customer with every profile field, and an address book with a default and blank extra lines. */
const rich: SeedCustomer = {
  id: '6001',
  customerNumber: 'C-6001',
  email: 'rich@example.com',
  password: PASSWORD,
  title: 'DR',
  firstName: 'Ottilie',
  middleName: 'Maria',
  lastName: 'Quendelbach',
  contactEmail: 'ottilie.contact@example.com',
  contactPhone: '+41 44 987 65 43',
  company: 'Quendelbach AG',
  preferredLanguage: 'de_CH',
  preferredCurrency: 'CHF',
  preferredSite: 'ch',
  companyRegistrationId: 'CHE-123.456.789',
  addresses: [
    {
      id: 'rich-office',
      contactName: 'Ottilie Quendelbach',
      companyName: 'Quendelbach AG',
      street: 'Bahnhofstrasse',
      streetNumber: '42',
      streetAppendix: 'Hinterhaus',
      extraLine1: 'Empfang',
      extraLine2: '',
      extraLine4: '4. OG',
      zipCode: '8001',
      city: 'Zürich',
      state: 'ZH',
      country: 'CH',
      contactPhone: '+41 44 000 00 00',
      tags: ['BILLING'],
    },
    {
      id: 'rich-home',
      contactName: 'Ottilie Quendelbach',
      street: 'Seefeldstrasse',
      city: 'Zürich',
      country: 'CH',
      isDefault: true,
      tags: ['SHIPPING'],
    },
  ],
};

function customer(id: string, email: string, extra: Partial<SeedCustomer> = {}): SeedCustomer {
  return { id, email, password: PASSWORD, firstName: `First${id}`, lastName: `Last${id}`, ...extra };
}

const seed = seedWith({
  customers: [
    rich,
    customer('6002', 'patch@example.com', { title: 'MS', middleName: 'Mid', company: 'Patch Ltd' }),
    customer('6003', 'readback@example.com'),
    customer('6004', 'b2b@example.com', { company: 'Becoming B2B GmbH' }),
    customer('6005', 'version@example.com'),
    customer('6006', 'twice@example.com'),
    customer('6007', 'unb2b@example.com', { company: 'Leaving B2B', companyRegistrationId: 'HRB 1' }),
    customer('6008', 'stale@example.com'),
    customer('6009', 'clearall@example.com', {
      title: 'PROF',
      middleName: 'Mittel',
      contactPhone: '+49 40 111 222',
      company: 'Leerlauf GmbH',
      companyRegistrationId: 'HRB 999',
    }),
    customer('6010', 'keepall@example.com', {
      contactEmail: 'keep.contact@example.com',
      preferredLanguage: 'de_DE',
      preferredCurrency: 'EUR',
      preferredSite: 'de',
    }),
  ],
});

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ emulator: { seed } });
});

afterAll(async () => {
  await stack.close();
});

beforeEach(() => {
  stack.emulator.clearRequests();
  stack.emulator.clearFaults();
});

function tokenOf(email: string): string {
  return stack.emulator.issueToken({ tenant: 'demo', kind: 'customer', email });
}

/** Every upstream request since the last clear, as the tests compare them. */
const upstreamCalls = () => stack.upstreamCalls();

function getMe(token: string, expand: boolean) {
  return {
    method: 'GET',
    path: '/customer/demo/me',
    query: expand ? { expand: 'addresses' } : {},
    authorization: `Bearer ${token}`,
    body: undefined,
  };
}

function patchMe(token: string, body: unknown) {
  return { method: 'PATCH', path: '/customer/demo/me', query: {}, authorization: `Bearer ${token}`, body };
}

/** The distinct `input.<field>` paths of a ValidationError, sorted. */
function issuePaths(result: { __typename: string }): string[] {
  const error = expectTypename(
    result as { __typename: 'ValidationError'; issues: { path: string[] }[] },
    'ValidationError',
  );
  return [...new Set(error.issues.map((issue) => issue.path.join('.')))].sort();
}

/** None of `values` appears in any line the gateway logged. */
function expectNotLogged(values: string[]) {
  expect(stack.logs.length).toBeGreaterThan(0);
  for (const value of values) {
    expect(stack.logs.filter((line) => line.includes(value))).toEqual([]);
  }
}

describe('me', () => {
  it('answers the whole profile and address book in one GET with ?expand=addresses', async () => {
    // A real log-in through the emulator, so that the profile has a lastLogin.
    const before = Date.now();
    const token = await logIn(stack.emulator, rich.email, PASSWORD);
    stack.emulator.clearRequests();

    const { me } = await stack.client({ token }).MeWithAddressBook();
    const profile = expectTypename(me, 'Customer');
    expect(typeof profile.lastLogin).toBe('string');
    const lastLogin = Date.parse(profile.lastLogin as string);
    expect(lastLogin).toBeGreaterThanOrEqual(before - 1000);
    expect(lastLogin).toBeLessThanOrEqual(Date.now() + 1000);
    expect(new Date(lastLogin).toISOString()).toBe(profile.lastLogin);
    const office = {
      id: 'rich-office',
      contactName: 'Ottilie Quendelbach',
      companyName: 'Quendelbach AG',
      street: 'Bahnhofstrasse',
      streetNumber: '42',
      streetAppendix: 'Hinterhaus',
      // extraLine2 is '' and extraLine3 absent: both left out, the order kept.
      extraLines: ['Empfang', '4. OG'],
      zipCode: '8001',
      city: 'Zürich',
      state: 'ZH',
      country: 'CH',
      contactPhone: '+41 44 000 00 00',
      isDefault: false,
      tags: ['BILLING'],
    };
    const home = {
      id: 'rich-home',
      contactName: 'Ottilie Quendelbach',
      companyName: null,
      street: 'Seefeldstrasse',
      streetNumber: null,
      streetAppendix: null,
      extraLines: [],
      zipCode: null,
      city: 'Zürich',
      state: null,
      country: 'CH',
      contactPhone: null,
      isDefault: true,
      tags: ['SHIPPING'],
    };
    expect(profile).toEqual({
      __typename: 'Customer',
      id: '6001',
      customerNumber: 'C-6001',
      title: 'DR',
      firstName: 'Ottilie',
      middleName: 'Maria',
      lastName: 'Quendelbach',
      contactEmail: 'ottilie.contact@example.com',
      loginEmail: 'rich@example.com',
      contactPhone: '+41 44 987 65 43',
      company: 'Quendelbach AG',
      preferredLanguage: 'de_CH',
      preferredCurrency: 'CHF',
      preferredSite: 'ch',
      businessModel: 'B2B',
      companyRegistrationId: 'CHE-123.456.789',
      lastLogin: profile.lastLogin,
      version: 1,
      addresses: [office, home],
      defaultAddress: home,
    });
    expect(upstreamCalls()).toEqual([getMe(token, true)]);
  });

  it('without the address book selected, is one GET without expand', async () => {
    const token = tokenOf(rich.email);
    const { me } = await stack.client({ token }).Me();
    expect(me).toEqual({
      __typename: 'Customer',
      id: '6001',
      customerNumber: 'C-6001',
      firstName: 'Ottilie',
      lastName: 'Quendelbach',
      contactEmail: 'ottilie.contact@example.com',
      loginEmail: 'rich@example.com',
    });
    expect(upstreamCalls()).toEqual([getMe(token, false)]);
    expect(stack.upstream()[0]?.rawBody).toBe('');
  });

  it('maps what Emporix answers: B2B/B2C, registration id, lastLogin, metadata.version, defaultAddress', async () => {
    const token = tokenOf(rich.email);
    const document = /* GraphQL */ `
      query {
        me {
          __typename
          ... on Customer {
            id
            businessModel
            companyRegistrationId
            lastLogin
            version
            addresses { id extraLines isDefault }
            defaultAddress { id }
          }
        }
      }
    `;
    const cases = [
      {
        body: {
          id: 'x1',
          businessModel: 'B2B',
          b2b: { companyRegistrationId: 'HRB 99' },
          lastLogin: '2024-05-01T10:00:00Z',
          metadata: { version: 7 },
          addresses: [
            { id: 'a1', extraLine1: 'one', extraLine2: '', extraLine4: 'four', isDefault: false },
            { id: 'a2', extraLine2: 'two', extraLine3: 'three', isDefault: true },
          ],
        },
        expected: {
          __typename: 'Customer',
          id: 'x1',
          businessModel: 'B2B',
          companyRegistrationId: 'HRB 99',
          lastLogin: '2024-05-01T10:00:00.000Z',
          version: 7,
          addresses: [
            { id: 'a1', extraLines: ['one', 'four'], isDefault: false },
            { id: 'a2', extraLines: ['two', 'three'], isDefault: true },
          ],
          // No defaultAddress in the answer: the one flagged isDefault.
          defaultAddress: { id: 'a2' },
        },
      },
      {
        body: {
          id: 'x2',
          businessModel: 'B2C',
          metadata: { version: '8' },
          addresses: [{ id: 'a1', isDefault: false }],
          defaultAddress: { id: 'a9' },
        },
        expected: {
          __typename: 'Customer',
          id: 'x2',
          businessModel: 'B2C',
          companyRegistrationId: null,
          lastLogin: null,
          version: 8,
          addresses: [{ id: 'a1', extraLines: [], isDefault: false }],
          defaultAddress: { id: 'a9' },
        },
      },
      {
        body: { id: 'x3', businessModel: 'SOMETHING', lastLogin: 'not a date', addresses: [] },
        expected: {
          __typename: 'Customer',
          id: 'x3',
          businessModel: null,
          companyRegistrationId: null,
          lastLogin: null,
          version: null,
          addresses: [],
          defaultAddress: null,
        },
      },
    ];
    for (const { body, expected } of cases) {
      stack.emulator.clearRequests();
      stack.emulator.injectFault({ method: 'GET', path: '/customer/demo/me', status: 200, body });
      const result = await stack.graphql({ token }).request<{ me: unknown }>(document);
      expect(result.me).toEqual(expected);
      expect(upstreamCalls()).toEqual([getMe(token, true)]);
    }
  });

  describe('asks for ?expand=addresses only when the address book is selected, in exactly one GET', () => {
    const cases = [
      {
        name: 'defaultAddress alone, through a named fragment',
        expand: true,
        document: /* GraphQL */ `
          query { me { ...Book } }
          fragment Book on Customer { defaultAddress { id } }
        `,
      },
      {
        name: 'addresses under an alias, in an inline fragment',
        expand: true,
        document: /* GraphQL */ `
          query { profile: me { ... on Customer { book: addresses { id } } } }
        `,
      },
      {
        name: 'addresses in a fragment nested in a fragment',
        expand: true,
        document: /* GraphQL */ `
          query { me { ...Outer } }
          fragment Outer on Customer { id ...Inner }
          fragment Inner on Customer { addresses { city } }
        `,
      },
      {
        name: 'several aliases, addresses and defaultAddress together',
        expand: true,
        document: /* GraphQL */ `
          query {
            plain: me { ... on Customer { id firstName } }
            book: me { ... on Customer { addresses { id } } }
            main: me { ... on Customer { defaultAddress { id } } }
            again: me { ... on Customer { addresses { id isDefault } defaultAddress { city } } }
          }
        `,
      },
      {
        name: 'an alias called addresses on another field',
        expand: false,
        document: /* GraphQL */ `
          query { me { ... on Customer { addresses: id defaultAddress: firstName } } }
        `,
      },
      {
        name: 'several aliases without the address book',
        expand: false,
        document: /* GraphQL */ `
          query {
            a: me { ... on Customer { id } }
            b: me { ... on Customer { firstName lastName } }
            c: me { __typename }
          }
        `,
      },
    ];
    for (const { name, expand, document } of cases) {
      it(`${name}: ${expand ? 'with' : 'without'} expand`, async () => {
        const token = tokenOf(rich.email);
        // graphql-request throws on any error: an answer is a Customer for every alias.
        const result = await stack.graphql({ token }).request<Record<string, unknown>>(document);
        expect(Object.keys(result).length).toBeGreaterThan(0);
        expect(upstreamCalls()).toEqual([getMe(token, expand)]);
      });
    }

    it('the aliases answer the same profile, each with its own selection', async () => {
      const token = tokenOf(rich.email);
      const result = await stack.graphql({ token }).request<Record<string, unknown>>(/* GraphQL */ `
        query {
          plain: me { ... on Customer { id firstName } }
          book: me { ... on Customer { addresses { id } } }
          main: me { ... on Customer { defaultAddress { id } } }
        }
      `);
      expect(result).toEqual({
        plain: { id: '6001', firstName: 'Ottilie' },
        book: { addresses: [{ id: 'rich-office' }, { id: 'rich-home' }] },
        main: { defaultAddress: { id: 'rich-home' } },
      });
      expect(upstreamCalls()).toEqual([getMe(token, true)]);
    });

    it('addresses skipped by @include(if: false) are not selected: no expand', async () => {
      const token = tokenOf(rich.email);
      const document = /* GraphQL */ `
        query Book($withBook: Boolean!) {
          me { ... on Customer { id addresses @include(if: $withBook) { id } } }
        }
      `;
      const without = await stack.graphql({ token }).request(document, { withBook: false });
      expect(without).toEqual({ me: { id: '6001' } });
      const withBook = await stack.graphql({ token }).request(document, { withBook: true });
      expect(withBook).toEqual({
        me: { id: '6001', addresses: [{ id: 'rich-office' }, { id: 'rich-home' }] },
      });
      expect(upstreamCalls()).toEqual([getMe(token, false), getMe(token, true)]);
    });
  });

  it('an anonymous token reads the anonymous profile, with that token', async () => {
    const anonymous = stack.emulator.issueToken({ tenant: 'demo', kind: 'anonymous' });
    const { me } = await stack.client({ token: anonymous }).Me();
    expect(me).toEqual({
      __typename: 'Customer',
      id: '00000000',
      customerNumber: '00000000',
      firstName: 'Anonymous',
      lastName: 'Anonymous',
      contactEmail: null,
      loginEmail: null,
    });
    expect(upstreamCalls()).toEqual([getMe(anonymous, false)]);
  });

  it('without a token is UnauthorizedError MISSING_TOKEN, and nothing is sent', async () => {
    const { me } = await stack.client().MeWithAddressBook();
    expect(expectTypename(me, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
    expect(upstreamCalls()).toEqual([]);
  });

  it('a 404 on the profile is a non-retryable UpstreamError', async () => {
    const token = tokenOf(rich.email);
    stack.emulator.injectFault({ method: 'GET', path: '/customer/demo/me', status: 404 });
    const { me } = await stack.client({ token }).Me();
    expect(expectTypename(me, 'UpstreamError')).toMatchObject({ status: 404, retryable: false });
    expect(upstreamCalls()).toEqual([getMe(token, false)]);
  });
});

describe('updateCustomerProfile', () => {
  it('sends exactly the given fields, normalised: absent left out, null sent as null; no GET when customer is not selected', async () => {
    const email = 'patch@example.com';
    const token = tokenOf(email);
    const { updateCustomerProfile } = await stack.client({ token }).UpdateCustomerProfile({
      input: {
        title: null,
        firstName: '  Zebulon  ',
        middleName: null,
        contactPhone: ' +49 (30) 555-01/23.4 ',
        company: null,
        preferredLanguage: 'de-AT',
        preferredCurrency: ' chf ',
        preferredSite: 'at',
        contactEmail: ' zebulon.contact@example.com ',
      },
    });
    expect(updateCustomerProfile).toEqual({ __typename: 'UpdateCustomerProfileSuccess', success: true });
    expect(upstreamCalls()).toEqual([
      patchMe(token, {
        title: null,
        firstName: 'Zebulon',
        middleName: null,
        contactPhone: '+49 (30) 555-01/23.4',
        company: null,
        preferredLanguage: 'de-AT',
        preferredCurrency: 'CHF',
        preferredSite: 'at',
        contactEmail: 'zebulon.contact@example.com',
      }),
    ]);
    expect(stack.upstream()[0]?.headers['content-type']).toBe('application/json');

    // The emulator applied it: the next request reads the new profile.
    stack.emulator.clearRequests();
    const { me } = await stack.client({ token }).MeWithAddressBook();
    expect(expectTypename(me, 'Customer')).toMatchObject({
      title: null,
      firstName: 'Zebulon',
      middleName: null,
      lastName: 'Last6002',
      contactPhone: '+49 (30) 555-01/23.4',
      company: null,
      preferredLanguage: 'de-AT',
      preferredCurrency: 'CHF',
      preferredSite: 'at',
      contactEmail: 'zebulon.contact@example.com',
      version: 2,
    });
    expect(upstreamCalls()).toEqual([getMe(token, true)]);
    expectNotLogged(['Zebulon', 'zebulon.contact', '555-01/23.4', 'Last6002']);
  });

  it('one field given is the only one sent', async () => {
    const token = tokenOf('patch@example.com');
    const { updateCustomerProfile } = await stack
      .client({ token })
      .UpdateCustomerProfile({ input: { lastName: 'Quaxley' } });
    expect(expectTypename(updateCustomerProfile, 'UpdateCustomerProfileSuccess').success).toBe(true);
    expect(upstreamCalls()).toEqual([patchMe(token, { lastName: 'Quaxley' })]);
  });

  it('with customer selected, reads the profile again after the write and answers the new one', async () => {
    const token = tokenOf('readback@example.com');
    const { updateCustomerProfile } = await stack.client({ token }).UpdateCustomerProfile({
      input: { firstName: 'Wilhelmina', middleName: 'Rosalind' },
      withCustomer: true,
    });
    const success = expectTypename(updateCustomerProfile, 'UpdateCustomerProfileSuccess');
    expect(success.customer).toMatchObject({
      id: '6003',
      firstName: 'Wilhelmina',
      middleName: 'Rosalind',
      lastName: 'Last6003',
      version: 2,
    });
    expect(upstreamCalls()).toEqual([
      patchMe(token, { firstName: 'Wilhelmina', middleName: 'Rosalind' }),
      getMe(token, false),
    ]);
    expectNotLogged(['Wilhelmina', 'Rosalind']);
  });

  it('the customer read after the write expands addresses only when they are selected', async () => {
    const token = tokenOf('readback@example.com');
    const result = await stack.graphql({ token }).request<{
      updateCustomerProfile: { __typename: string; customer?: { firstName: string; addresses: unknown[] } };
    }>(/* GraphQL */ `
      mutation {
        updateCustomerProfile(input: { firstName: "Wilma" }) {
          __typename
          ... on UpdateCustomerProfileSuccess { customer { firstName addresses { id } } }
        }
      }
    `);
    expect(result.updateCustomerProfile).toEqual({
      __typename: 'UpdateCustomerProfileSuccess',
      customer: { firstName: 'Wilma', addresses: [] },
    });
    expect(upstreamCalls()).toEqual([patchMe(token, { firstName: 'Wilma' }), getMe(token, true)]);
  });

  it('two updates in one request: each customer reflects its own write, never a copy read before it', async () => {
    const token = tokenOf('twice@example.com');
    const result = await stack.graphql({ token }).request(/* GraphQL */ `
      mutation {
        first: updateCustomerProfile(input: { firstName: "Primus" }) {
          __typename
          ... on UpdateCustomerProfileSuccess { customer { firstName lastName version } }
        }
        second: updateCustomerProfile(input: { lastName: "Secundus" }) {
          __typename
          ... on UpdateCustomerProfileSuccess { customer { firstName lastName version } }
        }
      }
    `);
    expect(result).toEqual({
      first: {
        __typename: 'UpdateCustomerProfileSuccess',
        customer: { firstName: 'Primus', lastName: 'Last6006', version: 2 },
      },
      second: {
        __typename: 'UpdateCustomerProfileSuccess',
        customer: { firstName: 'Primus', lastName: 'Secundus', version: 3 },
      },
    });
    expect(upstreamCalls()).toEqual([
      patchMe(token, { firstName: 'Primus' }),
      getMe(token, false),
      patchMe(token, { lastName: 'Secundus' }),
      getMe(token, false),
    ]);
  });

  it('companyRegistrationId goes as b2b.companyRegistrationId and makes the customer B2B; null clears it', async () => {
    const token = tokenOf('b2b@example.com');
    const client = stack.client({ token });
    const { updateCustomerProfile: set } = await client.UpdateCustomerProfile({
      input: { companyRegistrationId: ' HRB 12345 B ' },
      withCustomer: true,
    });
    expect(expectTypename(set, 'UpdateCustomerProfileSuccess').customer).toMatchObject({
      businessModel: 'B2B',
      companyRegistrationId: 'HRB 12345 B',
      company: 'Becoming B2B GmbH',
    });
    expect(upstreamCalls()).toEqual([
      patchMe(token, { b2b: { companyRegistrationId: 'HRB 12345 B' } }),
      getMe(token, false),
    ]);

    stack.emulator.clearRequests();
    const unb2b = tokenOf('unb2b@example.com');
    const { updateCustomerProfile: cleared } = await stack.client({ token: unb2b }).UpdateCustomerProfile({
      input: { companyRegistrationId: null },
      withCustomer: true,
    });
    expect(expectTypename(cleared, 'UpdateCustomerProfileSuccess').customer).toMatchObject({
      businessModel: 'B2C',
      companyRegistrationId: null,
    });
    expect(upstreamCalls()).toEqual([
      patchMe(unb2b, { b2b: { companyRegistrationId: null } }),
      getMe(unb2b, false),
    ]);
  });

  it('null clears title, middleName, contactPhone, company and companyRegistrationId: sent as null, and stored', async () => {
    const token = tokenOf('clearall@example.com');
    const { updateCustomerProfile } = await stack.client({ token }).UpdateCustomerProfile({
      input: {
        title: null,
        middleName: null,
        contactPhone: null,
        company: null,
        companyRegistrationId: null,
      },
      withCustomer: true,
    });
    const cleared = {
      id: '6009',
      firstName: 'First6009',
      lastName: 'Last6009',
      title: null,
      middleName: null,
      contactPhone: null,
      company: null,
      companyRegistrationId: null,
      businessModel: 'B2C',
      version: 2,
    };
    expect(expectTypename(updateCustomerProfile, 'UpdateCustomerProfileSuccess').customer).toMatchObject(
      cleared,
    );
    expect(upstreamCalls()).toEqual([
      patchMe(token, {
        title: null,
        middleName: null,
        contactPhone: null,
        company: null,
        b2b: { companyRegistrationId: null },
      }),
      getMe(token, false),
    ]);
    stack.emulator.clearRequests();
    const { me } = await stack.client({ token }).MeWithAddressBook();
    expect(expectTypename(me, 'Customer')).toMatchObject(cleared);
    expect(upstreamCalls()).toEqual([getMe(token, true)]);
  });

  describe('expectedVersion', () => {
    it('goes as metadata.version; the current version is accepted', async () => {
      const token = tokenOf('version@example.com');
      const { updateCustomerProfile } = await stack.client({ token }).UpdateCustomerProfile({
        input: { firstName: 'Versioned', expectedVersion: 1 },
        withCustomer: true,
      });
      expect(expectTypename(updateCustomerProfile, 'UpdateCustomerProfileSuccess').customer).toMatchObject({
        firstName: 'Versioned',
        version: 2,
      });
      expect(upstreamCalls()).toEqual([
        patchMe(token, { firstName: 'Versioned', metadata: { version: 1 } }),
        getMe(token, false),
      ]);
    });

    it('a stale version (Emporix 400 naming metadata.version) is a ValidationError on input.expectedVersion', async () => {
      const token = tokenOf('stale@example.com');
      // Someone else changes the profile: version 1 becomes 2.
      const { updateCustomerProfile: first } = await stack
        .client({ token })
        .UpdateCustomerProfile({ input: { firstName: 'Current' } });
      expect(first.__typename).toBe('UpdateCustomerProfileSuccess');
      stack.emulator.clearRequests();

      const { updateCustomerProfile } = await stack.client({ token }).UpdateCustomerProfile({
        input: { firstName: 'Stale', expectedVersion: 1 },
        withCustomer: true,
      });
      const error = expectTypename(updateCustomerProfile, 'ValidationError');
      expect(error.issues).toEqual([
        { path: ['input', 'expectedVersion'], code: 'version_conflict', message: expect.any(String) },
      ]);
      expect(upstreamCalls()).toEqual([patchMe(token, { firstName: 'Stale', metadata: { version: 1 } })]);

      // Nothing changed upstream.
      stack.emulator.clearRequests();
      const { me } = await stack.client({ token }).Me();
      expect(expectTypename(me, 'Customer').firstName).toBe('Current');
    });

    it('an injected 409 is the same ValidationError', async () => {
      const token = tokenOf('version@example.com');
      stack.emulator.injectFault({
        method: 'PATCH',
        path: '/customer/demo/me',
        status: 409,
        body: { status: 409, message: 'Conflict' },
      });
      const { updateCustomerProfile } = await stack.client({ token }).UpdateCustomerProfile({
        input: { firstName: 'Conflicted', expectedVersion: 2 },
        withCustomer: true,
      });
      const error = expectTypename(updateCustomerProfile, 'ValidationError');
      expect(error.issues).toEqual([
        { path: ['input', 'expectedVersion'], code: 'version_conflict', message: expect.any(String) },
      ]);
      expect(upstreamCalls()).toEqual([
        patchMe(token, { firstName: 'Conflicted', metadata: { version: 2 } }),
      ]);
    });
  });

  describe('Emporix errors', () => {
    const input = { firstName: 'Errorprone' };
    const body = { firstName: 'Errorprone' };

    it('a 404 is a non-retryable UpstreamError', async () => {
      const token = tokenOf('patch@example.com');
      stack.emulator.injectFault({ method: 'PATCH', path: '/customer/demo/me', status: 404 });
      const { updateCustomerProfile } = await stack
        .client({ token })
        .UpdateCustomerProfile({ input, withCustomer: true });
      expect(expectTypename(updateCustomerProfile, 'UpstreamError')).toMatchObject({
        status: 404,
        retryable: false,
      });
      expect(upstreamCalls()).toEqual([patchMe(token, body)]);
    });

    it('a 500 is a retryable UpstreamError', async () => {
      const token = tokenOf('patch@example.com');
      stack.emulator.injectFault({ method: 'PATCH', path: '/customer/demo/me', status: 500 });
      const { updateCustomerProfile } = await stack
        .client({ token })
        .UpdateCustomerProfile({ input, withCustomer: true });
      expect(expectTypename(updateCustomerProfile, 'UpstreamError')).toMatchObject({
        status: 500,
        retryable: true,
      });
      expect(upstreamCalls()).toEqual([patchMe(token, body)]);
    });

    it('a 403 with a body is a ForbiddenError with no required scopes', async () => {
      const token = tokenOf('patch@example.com');
      stack.emulator.injectFault({
        method: 'PATCH',
        path: '/customer/demo/me',
        status: 403,
        body: { status: 403, message: 'Forbidden', details: [{ field: 'firstName', message: 'no' }] },
      });
      const { updateCustomerProfile } = await stack.client({ token }).UpdateCustomerProfile({ input });
      expect(expectTypename(updateCustomerProfile, 'ForbiddenError').requiredScopes).toEqual([]);
      expect(upstreamCalls()).toEqual([patchMe(token, body)]);
    });

    it('an anonymous token: the emulator answers 403, a ForbiddenError', async () => {
      const anonymous = stack.emulator.issueToken({ tenant: 'demo', kind: 'anonymous' });
      const { updateCustomerProfile } = await stack
        .client({ token: anonymous })
        .UpdateCustomerProfile({ input, withCustomer: true });
      expect(expectTypename(updateCustomerProfile, 'ForbiddenError').requiredScopes).toEqual([]);
      expect(upstreamCalls()).toEqual([patchMe(anonymous, body)]);
    });

    it('a 400 Emporix refuses (a B2B profile without company) is a ValidationError on its field', async () => {
      const token = tokenOf('version@example.com');
      // The customer has no company: Emporix refuses to make it B2B.
      const { updateCustomerProfile } = await stack
        .client({ token })
        .UpdateCustomerProfile({ input: { companyRegistrationId: 'HRB 7' } });
      const error = expectTypename(updateCustomerProfile, 'ValidationError');
      expect(error.issues).toEqual([
        { path: ['input', 'company'], code: 'missing_value', message: expect.any(String) },
      ]);
      expect(upstreamCalls()).toEqual([patchMe(token, { b2b: { companyRegistrationId: 'HRB 7' } })]);
    });

    it('without a token is UnauthorizedError MISSING_TOKEN, and nothing is sent', async () => {
      const { updateCustomerProfile } = await stack
        .client()
        .UpdateCustomerProfile({ input, withCustomer: true });
      expect(expectTypename(updateCustomerProfile, 'UnauthorizedError').code).toBe('MISSING_TOKEN');
      expect(upstreamCalls()).toEqual([]);
    });
  });

  describe('validation: one ValidationError with every failing field, and nothing sent', () => {
    it('every bad field at once', async () => {
      const token = tokenOf('patch@example.com');
      const { updateCustomerProfile } = await stack.client({ token }).UpdateCustomerProfile({
        input: {
          title: '   ',
          firstName: 'x'.repeat(257),
          middleName: '',
          lastName: ` ${'y'.repeat(257)} `,
          company: '\t',
          contactPhone: 'call 0800-Quaxley',
          preferredLanguage: 'english',
          preferredCurrency: 'XXY',
          preferredSite: 'main site',
          contactEmail: 'quaxley-at-example.com',
          expectedVersion: -1,
        },
      });
      expect(issuePaths(updateCustomerProfile)).toEqual(
        [
          'input.company',
          'input.contactEmail',
          'input.contactPhone',
          'input.expectedVersion',
          'input.firstName',
          'input.lastName',
          'input.middleName',
          'input.preferredCurrency',
          'input.preferredLanguage',
          'input.preferredSite',
          'input.title',
        ].sort(),
      );
      expect(upstreamCalls()).toEqual([]);
      expectNotLogged(['0800-Quaxley', 'quaxley-at-example.com']);
    });

    it('contactEmail null cannot clear the contact email', async () => {
      const token = tokenOf('patch@example.com');
      const { updateCustomerProfile } = await stack
        .client({ token })
        .UpdateCustomerProfile({ input: { firstName: 'Fine', contactEmail: null } });
      expect(issuePaths(updateCustomerProfile)).toEqual(['input.contactEmail']);
      expect(upstreamCalls()).toEqual([]);
    });

    it('null for firstName, lastName or a preference is sent, and Emporix refuses it; contactEmail null is refused unsent', async () => {
      const token = tokenOf('keepall@example.com');
      const client = stack.client({ token });
      const { me: before } = await client.MeWithAddressBook();
      expect(expectTypename(before, 'Customer')).toMatchObject({
        firstName: 'First6010',
        lastName: 'Last6010',
        preferredLanguage: 'de_DE',
        preferredCurrency: 'EUR',
        preferredSite: 'de',
        contactEmail: 'keep.contact@example.com',
      });
      // The contract: null is sent as null, and Emporix decides (we assume it keeps these: README).
      for (const field of [
        'firstName',
        'lastName',
        'preferredLanguage',
        'preferredCurrency',
        'preferredSite',
      ] as const) {
        stack.emulator.clearRequests();
        const { updateCustomerProfile } = await client.UpdateCustomerProfile({ input: { [field]: null } });
        expect({ field, paths: issuePaths(updateCustomerProfile) }).toEqual({
          field,
          paths: [`input.${field}`],
        });
        expect(upstreamCalls()).toEqual([patchMe(token, { [field]: null })]);
      }
      // contactEmail: Emporix says it cannot be unset once present, so the gateway refuses it before sending.
      stack.emulator.clearRequests();
      const { updateCustomerProfile } = await client.UpdateCustomerProfile({
        input: { contactEmail: null, title: null, middleName: '  ' },
      });
      const error = expectTypename(updateCustomerProfile, 'ValidationError');
      expect(issuePaths(updateCustomerProfile)).toEqual(['input.contactEmail', 'input.middleName']);
      expect(error.issues.find((issue) => issue.path[1] === 'contactEmail')).toMatchObject({
        code: 'custom',
        message: expect.stringMatching(/^Cannot be cleared: /),
      });
      expect(upstreamCalls()).toEqual([]);
      const { me: after } = await client.MeWithAddressBook();
      expect(after).toEqual(before);
    });

    it('an empty input, or only expectedVersion, or only nulls of nothing, changes nothing: refused', async () => {
      const token = tokenOf('patch@example.com');
      for (const input of [{}, { expectedVersion: 3 }, { expectedVersion: null }]) {
        const { updateCustomerProfile } = await stack.client({ token }).UpdateCustomerProfile({ input });
        const error = expectTypename(updateCustomerProfile, 'ValidationError');
        expect(error.issues).toHaveLength(1);
        expect(error.issues[0]?.code).toBe('custom');
      }
      expect(upstreamCalls()).toEqual([]);
    });

    it('companyRegistrationId with firstName, lastName or company cleared in the same input', async () => {
      const token = tokenOf('patch@example.com');
      const { updateCustomerProfile } = await stack.client({ token }).UpdateCustomerProfile({
        input: { companyRegistrationId: 'HRB 1', firstName: null, lastName: null, company: null },
      });
      expect(issuePaths(updateCustomerProfile)).toEqual([
        'input.company',
        'input.firstName',
        'input.lastName',
      ]);
      expect(upstreamCalls()).toEqual([]);
    });

    it('currencies and languages: the valid forms pass, upper-cased; unknown codes are refused', async () => {
      const token = tokenOf('patch@example.com');
      const client = stack.client({ token });
      for (const [given, sent] of [
        ['en', 'en'],
        ['en_US', 'en_US'],
        ['en-US', 'en-US'],
      ] as const) {
        stack.emulator.clearRequests();
        const { updateCustomerProfile } = await client.UpdateCustomerProfile({
          input: { preferredLanguage: given, preferredCurrency: 'usd' },
        });
        expect(updateCustomerProfile.__typename).toBe('UpdateCustomerProfileSuccess');
        expect(upstreamCalls()).toEqual([
          patchMe(token, { preferredLanguage: sent, preferredCurrency: 'USD' }),
        ]);
      }
      stack.emulator.clearRequests();
      for (const input of [
        { preferredCurrency: 'XXY' },
        { preferredCurrency: 'EURO' },
        { preferredCurrency: 'E1' },
        { preferredLanguage: 'en_USA' },
        { preferredLanguage: 'e' },
        { preferredLanguage: 'en US' },
      ]) {
        const { updateCustomerProfile } = await client.UpdateCustomerProfile({ input });
        expect(issuePaths(updateCustomerProfile)).toEqual([`input.${Object.keys(input)[0]}`]);
      }
      expect(upstreamCalls()).toEqual([]);
    });

    it('lengths: 256 characters of a name and 64 of a phone pass; one more is refused', async () => {
      const token = tokenOf('patch@example.com');
      const client = stack.client({ token });
      const name = 'N'.repeat(256);
      const phone = `+${'1'.repeat(63)}`;
      const { updateCustomerProfile: ok } = await client.UpdateCustomerProfile({
        input: { middleName: ` ${name} `, contactPhone: phone },
      });
      expect(ok.__typename).toBe('UpdateCustomerProfileSuccess');
      expect(upstreamCalls()).toEqual([patchMe(token, { middleName: name, contactPhone: phone })]);

      stack.emulator.clearRequests();
      const { updateCustomerProfile: tooLong } = await client.UpdateCustomerProfile({
        input: { middleName: `${name}N`, contactPhone: `${phone}1` },
      });
      expect(issuePaths(tooLong)).toEqual(['input.contactPhone', 'input.middleName']);
      expect(upstreamCalls()).toEqual([]);
    });
  });
});
