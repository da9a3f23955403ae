/**
 * The address book (issue "Customer profile and address book"): `customerAddress` and the address mutations, each
 * with the exact upstream request it sends (method, path, query, JSON body, Authorization) or the proof that it
 * sent none; the address a success reads again after the write; the default rules; NotFoundError, ForbiddenError,
 * UnauthorizedError; the validation of ids, tags and fields; and that no address value reaches a log line.
 * Customers whose address book a test changes are the test's own, so that the order of the tests does not matter.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CustomerAddressFieldsFragment } from '../src/client/index.js';
import type { SeedCustomer } from '../src/emulator/index.js';

import { expectTypename } from './assert.js';
import { type Stack, seedWith, startStack } from './harness.js';

type SeedAddress = NonNullable<SeedCustomer['addresses']>[number];

const PASSWORD = 'Address-Passw0rd!';

function customer(id: string, email: string, addresses: SeedAddress[] = []): SeedCustomer {
  return { id, email, password: PASSWORD, firstName: `First${id}`, lastName: `Last${id}`, addresses };
}

const reader = {
  id: 'r-1',
  contactName: 'Philippa Wolkenstein',
  companyName: 'Wolkenstein KG',
  street: 'Kastanienallee',
  streetNumber: '17b',
  streetAppendix: 'Seitenflügel',
  extraLine1: 'c/o Hausmeister',
  extraLine2: '',
  extraLine4: 'Briefkasten 3',
  zipCode: '10435',
  city: 'Berlin',
  state: 'BE',
  country: 'DE',
  contactPhone: '+49 30 4444 555',
  isDefault: true,
  tags: ['SHIPPING', 'gift_wrap'],
} satisfies SeedAddress;

const seed = seedWith({
  customers: [
    customer('7001', 'reader@example.com', [reader]),
    customer('7002', 'adder@example.com'),
    customer('7003', 'updater@example.com', [
      {
        id: 'u-1',
        contactName: 'Updater One',
        companyName: 'Old Company',
        street: 'Alte Strasse',
        extraLine1: 'old 1',
        extraLine2: 'old 2',
        extraLine3: 'old 3',
        extraLine4: 'old 4',
        city: 'Hamburg',
        country: 'DE',
        tags: ['OLD'],
      },
    ]),
    customer('7004', 'defaults@example.com', [
      { id: 'd-1', contactName: 'D One', country: 'DE', isDefault: true },
      { id: 'd-2', contactName: 'D Two', country: 'FR' },
      { id: 'd-3', contactName: 'D Three', country: 'IT' },
    ]),
    customer('7005', 'remover@example.com', [
      { id: 'x-1', contactName: 'X One', country: 'DE', isDefault: true },
      { id: 'x-2', contactName: 'X Two', country: 'DE' },
      { id: 'x-3', contactName: 'X Three', country: 'DE' },
    ]),
    customer('7006', 'tagger@example.com', [
      { id: 't-1', contactName: 'T One', country: 'DE', tags: ['KEEP'] },
      { id: 't-2', contactName: 'T Two', country: 'DE', tags: ['KEEP', 'NEW', 'gift_1'] },
    ]),
    customer('7007', 'other@example.com', [
      { id: 'other-1', contactName: 'Someone Else', street: 'Geheimweg', country: 'DE' },
    ]),
    customer('7008', 'dots@example.com', [{ id: 'dot-1', contactName: 'Dot One', country: 'DE' }]),
    customer('7009', 'clearer@example.com', [
      {
        id: 'c-1',
        contactName: 'Clemens Leerbach',
        companyName: 'Leerbach OHG',
        street: 'Räumweg',
        streetNumber: '0',
        streetAppendix: 'Hof',
        extraLine1: 'erste',
        extraLine2: 'zweite',
        extraLine3: 'dritte',
        extraLine4: 'vierte',
        zipCode: '53111',
        city: 'Bonn',
        state: 'NW',
        country: 'DE',
        contactPhone: '+49 228 000',
        isDefault: true,
        tags: ['SHIPPING', 'BILLING'],
      },
      {
        id: 'c-2',
        contactName: 'Clara Repro',
        street: 'Reprostrasse',
        extraLine1: 'repro 1',
        extraLine3: 'repro 3',
        city: 'Köln',
        country: 'DE',
        tags: ['REPRO'],
      },
    ]),
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

const base = '/customer/demo/me/addresses';

function call(method: string, path: string, token: string, extra: { query?: object; body?: unknown } = {}) {
  return { method, path, query: extra.query ?? {}, authorization: `Bearer ${token}`, body: extra.body };
}

const getAddress = (token: string, id: string) => call('GET', `${base}/${id}`, token);

/** The distinct `input.<field>` (or argument) paths of a ValidationError, sorted. */
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

/** Every address field, with the nulls of the ones left out. */
function address(
  fields: Partial<CustomerAddressFieldsFragment> & { id: string },
): CustomerAddressFieldsFragment {
  return {
    contactName: null,
    companyName: null,
    street: null,
    streetNumber: null,
    streetAppendix: null,
    extraLines: [],
    zipCode: null,
    city: null,
    state: null,
    country: null,
    contactPhone: null,
    isDefault: false,
    tags: [],
    ...fields,
  };
}

async function addressBook(token: string) {
  const { me } = await stack.client({ token }).MeWithAddressBook();
  const profile = expectTypename(me, 'Customer');
  return { addresses: profile.addresses, defaultAddress: profile.defaultAddress };
}

describe('customerAddress', () => {
  it('is GET /me/addresses/{id} with the caller’s token; extraLines in order, empty ones left out', async () => {
    const token = tokenOf('reader@example.com');
    const { customerAddress } = await stack.client({ token }).CustomerAddress({ id: ' r-1 ' });
    expect(customerAddress).toEqual({
      __typename: 'CustomerAddress',
      ...address({
        id: 'r-1',
        contactName: 'Philippa Wolkenstein',
        companyName: 'Wolkenstein KG',
        street: 'Kastanienallee',
        streetNumber: '17b',
        streetAppendix: 'Seitenflügel',
        extraLines: ['c/o Hausmeister', 'Briefkasten 3'],
        zipCode: '10435',
        city: 'Berlin',
        state: 'BE',
        country: 'DE',
        contactPhone: '+49 30 4444 555',
        isDefault: true,
        tags: ['SHIPPING', 'gift_wrap'],
      }),
    });
    expect(upstreamCalls()).toEqual([getAddress(token, 'r-1')]);
    expect(stack.upstream()[0]?.rawBody).toBe('');
  });

  it('the demo customer’s default address', async () => {
    const token = stack.emulator.demo.customerToken;
    const { customerAddress } = await stack.client({ token }).CustomerAddress({ id: 'addr-home' });
    expect(customerAddress).toEqual({
      __typename: 'CustomerAddress',
      ...address({
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
      }),
    });
    expect(upstreamCalls()).toEqual([getAddress(token, 'addr-home')]);
  });

  it('an unknown id, and another customer’s address, are NotFoundError with the id', async () => {
    const token = tokenOf('reader@example.com');
    for (const id of ['no-such-address', 'other-1', 'addr-home']) {
      stack.emulator.clearRequests();
      const { customerAddress } = await stack.client({ token }).CustomerAddress({ id });
      expect(expectTypename(customerAddress, 'NotFoundError').id).toBe(id);
      expect(upstreamCalls()).toEqual([getAddress(token, id)]);
    }
  });

  it('an id of 128 URL-safe characters is sent as it is', async () => {
    const token = tokenOf('reader@example.com');
    const id = `Aa0._~-${'z'.repeat(121)}`;
    expect(id).toHaveLength(128);
    const { customerAddress } = await stack.client({ token }).CustomerAddress({ id });
    expect(expectTypename(customerAddress, 'NotFoundError').id).toBe(id);
    expect(upstreamCalls()).toEqual([getAddress(token, id)]);
  });

  it('an unreadable address from Emporix is a non-retryable UpstreamError', async () => {
    const token = tokenOf('reader@example.com');
    stack.emulator.injectFault({ method: 'GET', path: `${base}/r-1`, status: 200, body: { street: 'x' } });
    const { customerAddress } = await stack.client({ token }).CustomerAddress({ id: 'r-1' });
    expect(expectTypename(customerAddress, 'UpstreamError')).toMatchObject({ status: 200, retryable: false });
    expect(upstreamCalls()).toEqual([getAddress(token, 'r-1')]);
  });
});

describe('addCustomerAddress', () => {
  it('POSTs the normalised fields, extraLines as extraLine1.., absent ones left out; reads the new address after', async () => {
    const token = tokenOf('adder@example.com');
    const { addCustomerAddress } = await stack.client({ token }).AddCustomerAddress({
      input: {
        contactName: '  Bartholomew Nightingale ',
        companyName: ' Nightingale & Söhne ',
        street: ' Lerchenweg ',
        streetNumber: ' 5a ',
        streetAppendix: null,
        extraLines: [' Gartenhaus ', 'Tür links'],
        zipCode: ' 80331 ',
        city: ' München ',
        state: null,
        country: ' de ',
        contactPhone: ' +49 (89) 765-4321 ',
        tags: ['SHIPPING', ' SHIPPING ', 'home-1', 'home-1'],
      },
    });
    const success = expectTypename(addCustomerAddress, 'AddCustomerAddressSuccess');
    const id = success.address?.id ?? '';
    expect(id).toMatch(/^[0-9a-f]{10}$/);
    expect(success).toEqual({
      __typename: 'AddCustomerAddressSuccess',
      success: true,
      address: address({
        id,
        contactName: 'Bartholomew Nightingale',
        companyName: 'Nightingale & Söhne',
        street: 'Lerchenweg',
        streetNumber: '5a',
        extraLines: ['Gartenhaus', 'Tür links'],
        zipCode: '80331',
        city: 'München',
        country: 'DE',
        contactPhone: '+49 (89) 765-4321',
        // A new address is never the default.
        isDefault: false,
        tags: ['SHIPPING', 'home-1'],
      }),
    });
    expect(upstreamCalls()).toEqual([
      call('POST', base, token, {
        body: {
          contactName: 'Bartholomew Nightingale',
          companyName: 'Nightingale & Söhne',
          street: 'Lerchenweg',
          streetNumber: '5a',
          extraLine1: 'Gartenhaus',
          extraLine2: 'Tür links',
          zipCode: '80331',
          city: 'München',
          country: 'DE',
          contactPhone: '+49 (89) 765-4321',
          tags: ['SHIPPING', 'home-1'],
        },
      }),
      getAddress(token, id),
    ]);
    expect(stack.upstream()[0]?.headers['content-type']).toBe('application/json');
    expectNotLogged(['Bartholomew', 'Nightingale', 'Lerchenweg', 'Gartenhaus', '765-4321', '80331']);
  });

  it('the minimum is contactName and country; without address selected, nothing is read after', async () => {
    const token = tokenOf('adder@example.com');
    const { addCustomerAddress } = await stack.client({ token }).AddCustomerAddress({
      input: { contactName: 'Minimal Mia', country: 'fr' },
      withAddress: false,
    });
    expect(addCustomerAddress).toEqual({ __typename: 'AddCustomerAddressSuccess', success: true });
    expect(upstreamCalls()).toEqual([
      call('POST', base, token, { body: { contactName: 'Minimal Mia', country: 'FR' } }),
    ]);
  });

  it('a 201 without an id is a non-retryable UpstreamError', async () => {
    const token = tokenOf('adder@example.com');
    stack.emulator.injectFault({ method: 'POST', path: base, status: 201, body: {} });
    const { addCustomerAddress } = await stack
      .client({ token })
      .AddCustomerAddress({ input: { contactName: 'No Id', country: 'DE' } });
    expect(expectTypename(addCustomerAddress, 'UpstreamError')).toMatchObject({
      status: 201,
      retryable: false,
    });
    expect(upstreamCalls()).toEqual([
      call('POST', base, token, { body: { contactName: 'No Id', country: 'DE' } }),
    ]);
  });

  it('every bad field in one ValidationError, nothing sent', async () => {
    const token = tokenOf('adder@example.com');
    const { addCustomerAddress } = await stack.client({ token }).AddCustomerAddress({
      input: {
        contactName: '   ',
        companyName: 'c'.repeat(257),
        street: '',
        streetNumber: 'n'.repeat(257),
        streetAppendix: ' ',
        extraLines: ['one', 'two', 'three', 'four', 'five'],
        zipCode: '9'.repeat(33),
        city: '',
        state: 's'.repeat(257),
        country: 'XX',
        contactPhone: 'ring Zacharias',
        tags: ['ok', 'a,b'],
      },
    });
    expect(issuePaths(addCustomerAddress)).toEqual(
      [
        'input.city',
        'input.companyName',
        'input.contactName',
        'input.contactPhone',
        'input.country',
        'input.extraLines',
        'input.state',
        'input.street',
        'input.streetAppendix',
        'input.streetNumber',
        'input.tags.1',
        'input.zipCode',
      ].sort(),
    );
    expect(upstreamCalls()).toEqual([]);
    expectNotLogged(['Zacharias']);
  });

  it('countries, tags, extra lines and zip codes at and over their limits', async () => {
    const token = tokenOf('adder@example.com');
    const client = stack.client({ token });
    const refused = [
      { input: { country: 'XX' }, path: 'input.country' },
      { input: { country: 'DEU' }, path: 'input.country' },
      { input: { country: 'D' }, path: 'input.country' },
      { input: { zipCode: '1'.repeat(33) }, path: 'input.zipCode' },
      { input: { zipCode: '  ' }, path: 'input.zipCode' },
      { input: { extraLines: ['a', 'b', 'c', 'd', 'e'] }, path: 'input.extraLines' },
      { input: { extraLines: ['fine', '  '] }, path: 'input.extraLines.1' },
      { input: { tags: Array.from({ length: 21 }, (_, i) => `T${i}`) }, path: 'input.tags' },
      { input: { tags: ['t'.repeat(65)] }, path: 'input.tags.0' },
      { input: { tags: ['has space'] }, path: 'input.tags.0' },
      { input: { tags: [''] }, path: 'input.tags.0' },
      { input: { tags: ['ümlaut'] }, path: 'input.tags.0' },
    ];
    for (const { input, path } of refused) {
      const { addCustomerAddress } = await client.AddCustomerAddress({
        input: { contactName: 'Limit Lou', country: 'DE', ...input },
      });
      expect({ input, paths: issuePaths(addCustomerAddress) }).toEqual({ input, paths: [path] });
    }
    expect(upstreamCalls()).toEqual([]);

    const tags = Array.from({ length: 20 }, (_, i) => `${'t'.repeat(62)}${String(i).padStart(2, '0')}`);
    const { addCustomerAddress } = await client.AddCustomerAddress({
      input: {
        contactName: 'Limit Lou',
        country: 'ch',
        zipCode: '1'.repeat(32),
        extraLines: ['a', 'b', 'c', 'd'],
        tags,
      },
      withAddress: false,
    });
    expect(addCustomerAddress.__typename).toBe('AddCustomerAddressSuccess');
    expect(upstreamCalls()).toEqual([
      call('POST', base, token, {
        body: {
          contactName: 'Limit Lou',
          country: 'CH',
          zipCode: '1'.repeat(32),
          extraLine1: 'a',
          extraLine2: 'b',
          extraLine3: 'c',
          extraLine4: 'd',
          tags,
        },
      }),
    ]);
  });
});

describe('updateCustomerAddress', () => {
  it('PATCHes only the given fields (null clears), given extraLines replace all four; reads the address after', async () => {
    const token = tokenOf('updater@example.com');
    const { updateCustomerAddress } = await stack.client({ token }).UpdateCustomerAddress({
      input: {
        id: ' u-1 ',
        street: ' Neue Strasse ',
        companyName: null,
        extraLines: [' Only line '],
        country: 'at',
        contactPhone: ' +43 1 999 ',
        tags: ['NEW', 'NEW', 'B'],
      },
    });
    expect(updateCustomerAddress).toEqual({
      __typename: 'UpdateCustomerAddressSuccess',
      success: true,
      address: address({
        id: 'u-1',
        contactName: 'Updater One',
        street: 'Neue Strasse',
        extraLines: ['Only line'],
        city: 'Hamburg',
        country: 'AT',
        contactPhone: '+43 1 999',
        tags: ['NEW', 'B'],
      }),
    });
    expect(upstreamCalls()).toEqual([
      call('PATCH', `${base}/u-1`, token, {
        body: {
          street: 'Neue Strasse',
          companyName: null,
          extraLine1: 'Only line',
          extraLine2: null,
          extraLine3: null,
          extraLine4: null,
          country: 'AT',
          contactPhone: '+43 1 999',
          tags: ['NEW', 'B'],
        },
      }),
      getAddress(token, 'u-1'),
    ]);
    expectNotLogged(['Neue Strasse', '+43 1 999', 'Only line']);
  });

  it('null clears every optional field: sent as null, extraLines null as extraLine1..4 null', async () => {
    const token = tokenOf('clearer@example.com');
    const { updateCustomerAddress } = await stack.client({ token }).UpdateCustomerAddress({
      input: {
        id: 'c-1',
        companyName: null,
        street: null,
        streetNumber: null,
        streetAppendix: null,
        extraLines: null,
        zipCode: null,
        city: null,
        state: null,
        contactPhone: null,
        tags: null,
      },
    });
    const cleared = address({ id: 'c-1', contactName: 'Clemens Leerbach', country: 'DE', isDefault: true });
    expect(updateCustomerAddress).toEqual({
      __typename: 'UpdateCustomerAddressSuccess',
      success: true,
      address: cleared,
    });
    expect(upstreamCalls()).toEqual([
      call('PATCH', `${base}/c-1`, token, {
        body: {
          companyName: null,
          street: null,
          streetNumber: null,
          streetAppendix: null,
          zipCode: null,
          city: null,
          state: null,
          contactPhone: null,
          tags: null,
          extraLine1: null,
          extraLine2: null,
          extraLine3: null,
          extraLine4: null,
        },
      }),
      getAddress(token, 'c-1'),
    ]);
    // The emulator stored it: a later request reads the cleared address.
    stack.emulator.clearRequests();
    const { customerAddress } = await stack.client({ token }).CustomerAddress({ id: 'c-1' });
    expect(customerAddress).toEqual({ __typename: 'CustomerAddress', ...cleared });
    expect(upstreamCalls()).toEqual([getAddress(token, 'c-1')]);
  });

  it('the review repro without contactName: extraLines null and tags null clear, city is set, nothing else sent', async () => {
    const token = tokenOf('clearer@example.com');
    const { updateCustomerAddress } = await stack.client({ token }).UpdateCustomerAddress({
      input: { id: 'c-2', extraLines: null, tags: null, city: 'Bonn' },
      withAddress: false,
    });
    expect(updateCustomerAddress).toEqual({ __typename: 'UpdateCustomerAddressSuccess', success: true });
    expect(upstreamCalls()).toEqual([
      call('PATCH', `${base}/c-2`, token, {
        body: {
          city: 'Bonn',
          tags: null,
          extraLine1: null,
          extraLine2: null,
          extraLine3: null,
          extraLine4: null,
        },
      }),
    ]);
    expect(stack.upstream()[0]?.rawBody).toBe(
      '{"city":"Bonn","tags":null,"extraLine1":null,"extraLine2":null,"extraLine3":null,"extraLine4":null}',
    );
    stack.emulator.clearRequests();
    const { customerAddress } = await stack.client({ token }).CustomerAddress({ id: 'c-2' });
    expect(customerAddress).toEqual({
      __typename: 'CustomerAddress',
      ...address({
        id: 'c-2',
        contactName: 'Clara Repro',
        street: 'Reprostrasse',
        city: 'Bonn',
        country: 'DE',
      }),
    });
  });

  it('contactName null is sent as null, and Emporix refuses it (an address needs one): its ValidationError, nothing changed', async () => {
    const token = tokenOf('updater@example.com');
    const client = stack.client({ token });
    const { customerAddress: before } = await client.CustomerAddress({ id: 'u-1' });
    expect(expectTypename(before, 'CustomerAddress')).toMatchObject({ contactName: 'Updater One' });
    stack.emulator.clearRequests();
    // The review's repro: nulls are sent as the contract says, and Emporix's 400 stops the whole change.
    const input = { id: 'u-1', extraLines: null, contactName: null, tags: null, city: 'Bonn' };
    const { updateCustomerAddress } = await client.UpdateCustomerAddress({ input });
    expect(issuePaths(updateCustomerAddress)).toEqual(['input.contactName']);
    expect(upstreamCalls()).toEqual([
      call('PATCH', `${base}/u-1`, token, {
        body: {
          contactName: null,
          city: 'Bonn',
          tags: null,
          extraLine1: null,
          extraLine2: null,
          extraLine3: null,
          extraLine4: null,
        },
      }),
    ]);
    const { customerAddress: after } = await client.CustomerAddress({ id: 'u-1' });
    expect(after).toEqual(before);
  });

  it('country null is sent as null and clears the country', async () => {
    const token = tokenOf('updater@example.com');
    const { updateCustomerAddress } = await stack.client({ token }).UpdateCustomerAddress({
      input: { id: 'u-1', country: null },
      withAddress: false,
    });
    expect(updateCustomerAddress).toEqual({ __typename: 'UpdateCustomerAddressSuccess', success: true });
    expect(upstreamCalls()).toEqual([call('PATCH', `${base}/u-1`, token, { body: { country: null } })]);
    const { customerAddress } = await stack.client({ token }).CustomerAddress({ id: 'u-1' });
    expect(expectTypename(customerAddress, 'CustomerAddress').country).toBeNull();
    // Put back for the cases after this one.
    await stack
      .client({ token })
      .UpdateCustomerAddress({ input: { id: 'u-1', country: 'AT' }, withAddress: false });
  });

  it('empty extraLines and tags clear them too; without address selected, no read', async () => {
    const token = tokenOf('updater@example.com');
    const { updateCustomerAddress } = await stack.client({ token }).UpdateCustomerAddress({
      input: { id: 'u-1', city: null, extraLines: [], tags: [], zipCode: ' 1010 ' },
      withAddress: false,
    });
    expect(updateCustomerAddress).toEqual({ __typename: 'UpdateCustomerAddressSuccess', success: true });
    expect(upstreamCalls()).toEqual([
      call('PATCH', `${base}/u-1`, token, {
        body: {
          city: null,
          zipCode: '1010',
          tags: [],
          extraLine1: null,
          extraLine2: null,
          extraLine3: null,
          extraLine4: null,
        },
      }),
    ]);
    stack.emulator.clearRequests();
    const { customerAddress } = await stack.client({ token }).CustomerAddress({ id: 'u-1' });
    expect(expectTypename(customerAddress, 'CustomerAddress')).toMatchObject({
      contactName: 'Updater One',
      country: expect.any(String),
      city: null,
      zipCode: '1010',
      extraLines: [],
      tags: [],
    });
  });

  it('nothing to change besides the id is refused, and so are bad fields; nothing sent', async () => {
    const token = tokenOf('updater@example.com');
    const client = stack.client({ token });
    for (const input of [{ id: 'u-1' }, { id: ' u-1 ', street: undefined }]) {
      const { updateCustomerAddress } = await client.UpdateCustomerAddress({ input });
      const error = expectTypename(updateCustomerAddress, 'ValidationError');
      expect(error.issues).toEqual([
        { path: ['input'], message: 'Nothing to change: give at least one field besides id', code: 'custom' },
      ]);
    }
    const { updateCustomerAddress } = await client.UpdateCustomerAddress({
      input: {
        id: 'u-1',
        contactName: ' ',
        country: 'de-DE',
        zipCode: '',
        street: 'x'.repeat(257),
        contactPhone: 'phone: Yggdrasil',
        extraLines: ['1', '2', '3', '4', '5'],
        tags: ['ok', 'not ok'],
      },
    });
    expect(issuePaths(updateCustomerAddress)).toEqual(
      [
        'input.contactName',
        'input.contactPhone',
        'input.country',
        'input.extraLines',
        'input.street',
        'input.tags.1',
        'input.zipCode',
      ].sort(),
    );
    expect(upstreamCalls()).toEqual([]);
    expectNotLogged(['Yggdrasil']);
  });
});

describe('setDefaultCustomerAddress', () => {
  it('PATCHes exactly {"isDefault":true}; the address becomes the only default', async () => {
    const token = tokenOf('defaults@example.com');
    const { setDefaultCustomerAddress } = await stack
      .client({ token })
      .SetDefaultCustomerAddress({ input: { id: 'd-2' } });
    expect(setDefaultCustomerAddress).toEqual({
      __typename: 'SetDefaultCustomerAddressSuccess',
      success: true,
      address: address({ id: 'd-2', contactName: 'D Two', country: 'FR', isDefault: true }),
    });
    expect(upstreamCalls()).toEqual([
      call('PATCH', `${base}/d-2`, token, { body: { isDefault: true } }),
      getAddress(token, 'd-2'),
    ]);
    expect(stack.upstream()[0]?.rawBody).toBe('{"isDefault":true}');

    const book = await addressBook(token);
    expect(book.addresses.map(({ id, isDefault }) => ({ id, isDefault }))).toEqual([
      { id: 'd-1', isDefault: false },
      { id: 'd-2', isDefault: true },
      { id: 'd-3', isDefault: false },
    ]);
    expect(book.defaultAddress?.id).toBe('d-2');
  });

  it('setting the default again keeps it the only one; without address selected, no read', async () => {
    const token = tokenOf('defaults@example.com');
    const { setDefaultCustomerAddress } = await stack
      .client({ token })
      .SetDefaultCustomerAddress({ input: { id: 'd-3' }, withAddress: false });
    expect(setDefaultCustomerAddress).toEqual({
      __typename: 'SetDefaultCustomerAddressSuccess',
      success: true,
    });
    expect(upstreamCalls()).toEqual([call('PATCH', `${base}/d-3`, token, { body: { isDefault: true } })]);
    const book = await addressBook(token);
    expect(book.addresses.filter((entry) => entry.isDefault).map((entry) => entry.id)).toEqual(['d-3']);
    expect(book.defaultAddress?.id).toBe('d-3');
  });
});

describe('removeCustomerAddress', () => {
  it('DELETEs the address, with no body; answers its id', async () => {
    const token = tokenOf('remover@example.com');
    const { removeCustomerAddress } = await stack
      .client({ token })
      .RemoveCustomerAddress({ input: { id: 'x-2' } });
    expect(removeCustomerAddress).toEqual({
      __typename: 'RemoveCustomerAddressSuccess',
      success: true,
      id: 'x-2',
    });
    expect(upstreamCalls()).toEqual([call('DELETE', `${base}/x-2`, token)]);
    expect(stack.upstream()[0]?.rawBody).toBe('');
    expect((await addressBook(token)).addresses.map((entry) => entry.id)).toEqual(['x-1', 'x-3']);
  });

  it('removing the default leaves no default', async () => {
    const token = tokenOf('remover@example.com');
    const { removeCustomerAddress } = await stack
      .client({ token })
      .RemoveCustomerAddress({ input: { id: 'x-1' } });
    expect(expectTypename(removeCustomerAddress, 'RemoveCustomerAddressSuccess').id).toBe('x-1');
    expect(upstreamCalls()).toEqual([call('DELETE', `${base}/x-1`, token)]);
    const book = await addressBook(token);
    expect(book.addresses.map((entry) => entry.id)).not.toContain('x-1');
    expect(book.addresses.map((entry) => entry.id)).toContain('x-3');
    expect(book.addresses.filter((entry) => entry.isDefault)).toEqual([]);
    expect(book.defaultAddress).toBeNull();
  });

  it('an address already removed is NotFoundError', async () => {
    const token = tokenOf('remover@example.com');
    const client = stack.client({ token });
    const { removeCustomerAddress: first } = await client.RemoveCustomerAddress({ input: { id: 'x-3' } });
    expect(expectTypename(first, 'RemoveCustomerAddressSuccess').id).toBe('x-3');
    const { removeCustomerAddress: again } = await client.RemoveCustomerAddress({ input: { id: 'x-3' } });
    expect(expectTypename(again, 'NotFoundError').id).toBe('x-3');
    expect(upstreamCalls()).toEqual([
      call('DELETE', `${base}/x-3`, token),
      call('DELETE', `${base}/x-3`, token),
    ]);
  });
});

describe('address tags', () => {
  it('addCustomerAddressTags: POST …/tags?tags=a,b, duplicates removed, no body; reads the address after', async () => {
    const token = tokenOf('tagger@example.com');
    const { addCustomerAddressTags } = await stack.client({ token }).AddCustomerAddressTags({
      input: { id: 't-1', tags: ['NEW', ' NEW ', 'gift_1', 'KEEP'] },
    });
    expect(addCustomerAddressTags).toEqual({
      __typename: 'AddCustomerAddressTagsSuccess',
      success: true,
      address: address({ id: 't-1', contactName: 'T One', country: 'DE', tags: ['KEEP', 'NEW', 'gift_1'] }),
    });
    expect(upstreamCalls()).toEqual([
      call('POST', `${base}/t-1/tags`, token, { query: { tags: 'NEW,gift_1,KEEP' } }),
      getAddress(token, 't-1'),
    ]);
    expect(stack.upstream()[0]?.rawBody).toBe('');
  });

  it('removeCustomerAddressTags: DELETE …/tags?tags=a,b; without address selected, no read', async () => {
    const token = tokenOf('tagger@example.com');
    const { removeCustomerAddressTags } = await stack.client({ token }).RemoveCustomerAddressTags({
      input: { id: 't-2', tags: ['KEEP', 'NEW', 'KEEP'] },
      withAddress: false,
    });
    expect(removeCustomerAddressTags).toEqual({
      __typename: 'RemoveCustomerAddressTagsSuccess',
      success: true,
    });
    expect(upstreamCalls()).toEqual([
      call('DELETE', `${base}/t-2/tags`, token, { query: { tags: 'KEEP,NEW' } }),
    ]);
    stack.emulator.clearRequests();
    const { customerAddress } = await stack.client({ token }).CustomerAddress({ id: 't-2' });
    expect(expectTypename(customerAddress, 'CustomerAddress').tags).toEqual(['gift_1']);
  });

  it('no tags, a tag with a comma, more than 20: ValidationError, nothing sent', async () => {
    const token = tokenOf('tagger@example.com');
    const client = stack.client({ token });
    for (const tags of [[], ['a,b'], ['ok', 'with space'], Array.from({ length: 21 }, (_, i) => `T${i}`)]) {
      const { addCustomerAddressTags } = await client.AddCustomerAddressTags({ input: { id: 't-1', tags } });
      expect(issuePaths(addCustomerAddressTags)[0]).toMatch(/^input\.tags/);
      const { removeCustomerAddressTags } = await client.RemoveCustomerAddressTags({
        input: { id: 't-1', tags },
      });
      expect(issuePaths(removeCustomerAddressTags)[0]).toMatch(/^input\.tags/);
    }
    expect(upstreamCalls()).toEqual([]);
  });
});

/** Every address operation, by a sample input for the id; each answers the union `{ __typename, id? }`. */
const operations = [
  {
    name: 'customerAddress',
    send: async (token: string | undefined, id: string) =>
      (await stack.client({ token }).CustomerAddress({ id })).customerAddress,
    request: (id: string) => ({ method: 'GET', path: `${base}/${id}`, query: {}, body: undefined }),
  },
  {
    name: 'updateCustomerAddress',
    send: async (token: string | undefined, id: string) =>
      (await stack.client({ token }).UpdateCustomerAddress({ input: { id, city: 'Quedlinburg' } }))
        .updateCustomerAddress,
    request: (id: string) => ({
      method: 'PATCH',
      path: `${base}/${id}`,
      query: {},
      body: { city: 'Quedlinburg' },
    }),
  },
  {
    name: 'setDefaultCustomerAddress',
    send: async (token: string | undefined, id: string) =>
      (await stack.client({ token }).SetDefaultCustomerAddress({ input: { id } })).setDefaultCustomerAddress,
    request: (id: string) => ({
      method: 'PATCH',
      path: `${base}/${id}`,
      query: {},
      body: { isDefault: true },
    }),
  },
  {
    name: 'removeCustomerAddress',
    send: async (token: string | undefined, id: string) =>
      (await stack.client({ token }).RemoveCustomerAddress({ input: { id } })).removeCustomerAddress,
    request: (id: string) => ({ method: 'DELETE', path: `${base}/${id}`, query: {}, body: undefined }),
  },
  {
    name: 'addCustomerAddressTags',
    send: async (token: string | undefined, id: string) =>
      (await stack.client({ token }).AddCustomerAddressTags({ input: { id, tags: ['X1', 'X2'] } }))
        .addCustomerAddressTags,
    request: (id: string) => ({
      method: 'POST',
      path: `${base}/${id}/tags`,
      query: { tags: 'X1,X2' },
      body: undefined,
    }),
  },
  {
    name: 'removeCustomerAddressTags',
    send: async (token: string | undefined, id: string) =>
      (await stack.client({ token }).RemoveCustomerAddressTags({ input: { id, tags: ['X1', 'X2'] } }))
        .removeCustomerAddressTags,
    request: (id: string) => ({
      method: 'DELETE',
      path: `${base}/${id}/tags`,
      query: { tags: 'X1,X2' },
      body: undefined,
    }),
  },
];

describe('every address operation', () => {
  for (const { name, send, request } of operations) {
    describe(name, () => {
      it('an unknown id, and another customer’s address, are NotFoundError with the id', async () => {
        const token = tokenOf('dots@example.com');
        for (const id of ['missing-1', 'other-1']) {
          stack.emulator.clearRequests();
          const result = await send(token, id);
          expect(result).toMatchObject({ __typename: 'NotFoundError', id });
          expect(upstreamCalls()).toEqual([{ ...request(id), authorization: `Bearer ${token}` }]);
        }
        // The other customer's address is untouched.
        stack.emulator.clearRequests();
        const { customerAddress } = await stack
          .client({ token: tokenOf('other@example.com') })
          .CustomerAddress({ id: 'other-1' });
        expect(customerAddress).toEqual({
          __typename: 'CustomerAddress',
          ...address({ id: 'other-1', contactName: 'Someone Else', street: 'Geheimweg', country: 'DE' }),
        });
      });

      it('an anonymous token: Emporix answers 403, a ForbiddenError without required scopes', async () => {
        const anonymous = stack.emulator.issueToken({ tenant: 'demo', kind: 'anonymous' });
        const result = await send(anonymous, 'dot-1');
        expect(result).toMatchObject({ __typename: 'ForbiddenError', requiredScopes: [] });
        expect(upstreamCalls()).toEqual([{ ...request('dot-1'), authorization: `Bearer ${anonymous}` }]);
      });

      it('an injected 403 with a body is a ForbiddenError; a 500 a retryable UpstreamError', async () => {
        const token = tokenOf('dots@example.com');
        const { method, path } = request('dot-1');
        stack.emulator.injectFault({
          method,
          path,
          status: 403,
          body: { status: 403, message: 'Forbidden', details: [{ field: 'id', message: 'no' }] },
        });
        expect(await send(token, 'dot-1')).toMatchObject({
          __typename: 'ForbiddenError',
          requiredScopes: [],
        });
        stack.emulator.injectFault({ method, path, status: 500 });
        expect(await send(token, 'dot-1')).toMatchObject({
          __typename: 'UpstreamError',
          status: 500,
          retryable: true,
        });
        const sent = { ...request('dot-1'), authorization: `Bearer ${token}` };
        expect(upstreamCalls()).toEqual([sent, sent]);
      });

      it('without a token is UnauthorizedError MISSING_TOKEN, and nothing is sent', async () => {
        const result = await send(undefined, 'dot-1');
        expect(result).toMatchObject({ __typename: 'UnauthorizedError', code: 'MISSING_TOKEN' });
        expect(upstreamCalls()).toEqual([]);
      });

      it('an id that is not 1 to 128 URL-safe characters is a ValidationError, and nothing is sent', async () => {
        const token = tokenOf('dots@example.com');
        for (const id of [
          'a/b',
          '..%2F',
          '%2e%2e',
          'a b',
          '',
          '  ',
          'x'.repeat(129),
          'dot-1?x=1',
          'dot-1#x',
        ]) {
          const result = await send(token, id);
          expect({ id, typename: result.__typename }).toEqual({ id, typename: 'ValidationError' });
        }
        expect(upstreamCalls()).toEqual([]);
      });

      it('an id of dots only ("." or "..") never reaches another path', async () => {
        const token = tokenOf('dots@example.com');
        const outcomes = [];
        for (const id of ['.', '..']) {
          stack.emulator.clearRequests();
          const result = await send(token, id);
          outcomes.push({ id, typename: result.__typename, sent: upstreamCalls().map((sent) => sent.path) });
        }
        // `${base}/..` is `/customer/demo/me` to any URL parser, `${base}/.` is the address list.
        expect(outcomes).toEqual([
          { id: '.', typename: 'ValidationError', sent: [] },
          { id: '..', typename: 'ValidationError', sent: [] },
        ]);
      });
    });
  }
});

it('no address or profile value reaches a log line, whatever the outcome', async () => {
  const token = tokenOf('dots@example.com');
  const client = stack.client({ token });
  await client.AddCustomerAddress({
    input: {
      contactName: 'Hieronymus Fledermaus',
      street: 'Mondscheingasse',
      streetNumber: '99z',
      zipCode: 'ZIP-4711',
      city: 'Quakenbrück',
      country: 'DE',
      contactPhone: '+49 5431 12345',
      extraLines: ['Dachboden links'],
    },
  });
  stack.emulator.injectFault({ method: 'PATCH', path: `${base}/dot-1`, status: 500 });
  await client.UpdateCustomerAddress({ input: { id: 'dot-1', street: 'Sternschnuppenweg' } });
  await client.UpdateCustomerAddress({ input: { id: 'dot-1', street: 'Kometenweg', country: 'XX' } });
  await client.UpdateCustomerAddress({ input: { id: 'dot-1', street: 'Planetenring' } });
  await client.MeWithAddressBook();
  expectNotLogged([
    'Hieronymus',
    'Fledermaus',
    'Mondscheingasse',
    'ZIP-4711',
    'Quakenbrück',
    'Quakenbr',
    '5431 12345',
    'Dachboden',
    'Sternschnuppenweg',
    'Kometenweg',
    'Planetenring',
    'Wolkenstein',
    'Kastanienallee',
  ]);
});
