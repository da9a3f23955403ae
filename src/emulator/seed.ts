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
}

export interface SeedTenant {
  /** Lower-case tenant name, as it appears in paths. */
  tenant: string;
  /** Storefront client ids accepted by the anonymous login of this tenant. */
  clientIds: string[];
  customers: SeedCustomer[];
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
        },
      ],
    },
  ],
};
