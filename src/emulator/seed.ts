import type { AddressRecord } from './state.js';

export interface SeedCustomer {
  id: string;
  /** @default id */
  customerNumber?: string;
  /** Login email; it is also the single account id. */
  email: string;
  password: string;
  title?: string;
  firstName: string;
  lastName: string;
  /** @default email */
  contactEmail?: string;
  contactPhone?: string;
  company?: string;
  /** @default 'en_US' */
  preferredLanguage?: string;
  /** @default 'EUR' */
  preferredCurrency?: string;
  /** @default 'main' */
  preferredSite?: string;
  middleName?: string;
  /** Makes the customer B2B (`b2b.companyRegistrationId`). */
  companyRegistrationId?: string;
  addresses?: SeedAddress[];
}

export interface SeedAddress extends Omit<AddressRecord, 'isDefault' | 'tags' | 'version'> {
  /** @default false */
  isDefault?: boolean;
  tags?: string[];
}

/** A sign-up made before start whose double opt-in is still open (the account cannot log in yet). */
export interface SeedPendingSignUp {
  /** @default the next free numeric id */
  id?: string;
  email: string;
  password: string;
  /** @default '' */
  firstName?: string;
  /** @default '' */
  lastName?: string;
}

export interface SeedTenant {
  /** Lower-case tenant name, as it appears in paths. */
  tenant: string;
  /** Storefront client ids accepted by the anonymous login of this tenant. */
  clientIds: string[];
  customers: SeedCustomer[];
  /** Unconfirmed sign-ups; each one's confirmation mail is in the outbox at start. */
  pendingSignUps?: SeedPendingSignUp[];
  /**
   * Values accepted in the `config` query parameter of POST /customer/{tenant}/exchangeauthtoken, besides
   * leaving it out (the default configuration). @default []
   */
  exchangeConfigs?: string[];
}

export interface EmulatorSeed {
  /** The first tenant, its first client id and its first customer are the demo ones. */
  tenants: SeedTenant[];
}

export const defaultSeed: EmulatorSeed = {
  tenants: [
    {
      tenant: 'demo',
      clientIds: ['demo-storefront'],
      customers: [
        {
          id: '13869000',
          customerNumber: '13869000',
          email: 'demo@example.com',
          password: 'Demo-Passw0rd!',
          title: 'MR',
          firstName: 'Demo',
          lastName: 'Customer',
          contactEmail: 'demo@example.com',
          contactPhone: '+49 30 1234567',
          preferredLanguage: 'en_US',
          preferredCurrency: 'EUR',
          preferredSite: 'main',
          addresses: [
            {
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
            },
            {
              id: 'addr-office',
              contactName: 'Demo Customer',
              companyName: 'Example GmbH',
              street: 'Friedrichstrasse',
              streetNumber: '100',
              zipCode: '10117',
              city: 'Berlin',
              country: 'DE',
              tags: [],
            },
          ],
        },
      ],
      pendingSignUps: [
        {
          email: 'new.customer@example.com',
          password: 'Welcome-Passw0rd!',
          firstName: 'New',
          lastName: 'Customer',
        },
      ],
      exchangeConfigs: ['site_PL'],
    },
  ],
};
