import { randomBytes } from 'node:crypto';
import { FaultQueue } from './faults.js';
import type { EmulatorSeed } from './seed.js';
import { randomToken } from './tokens.js';
import type { OutboxMail, RecordedRequest } from './types.js';

export const PROFILE_EDIT_SCOPE = 'customer.customerprofile_edit';

export interface Ttl {
  customerToken: number;
  anonymousToken: number;
  mailToken: number;
}

export interface CustomerRecord {
  id: string;
  customerNumber: string;
  loginEmail: string;
  password: string;
  title?: string;
  firstName: string;
  lastName: string;
  contactEmail?: string;
  contactPhone?: string;
  company?: string;
  preferredLanguage: string;
  preferredCurrency: string;
  preferredSite: string;
  middleName?: string;
  businessModel: 'B2B' | 'B2C';
  /** `b2b.companyRegistrationId` */
  companyRegistrationId?: string;
  /** ISO instant of the last successful log-in, on the emulator clock. */
  lastLogin?: string;
  /** False for a sign-up whose double opt-in is not confirmed yet: it cannot log in. */
  confirmed: boolean;
  /** `metadata.version`, bumped by every write to the profile. */
  version: number;
  /** The address book, in insertion order; at most one has `isDefault`. */
  addresses: AddressRecord[];
}

export interface AddressRecord {
  id: string;
  contactName: string;
  companyName?: string;
  street?: string;
  streetNumber?: string;
  streetAppendix?: string;
  extraLine1?: string;
  extraLine2?: string;
  extraLine3?: string;
  extraLine4?: string;
  zipCode?: string;
  city?: string;
  state?: string;
  country?: string;
  contactPhone?: string;
  isDefault: boolean;
  tags: string[];
  version: number;
}

export interface TenantRecord {
  name: string;
  clientIds: Set<string>;
  customers: Map<string, CustomerRecord>;
}

export interface AccessTokenRecord {
  tenant: string;
  kind: 'anonymous' | 'customer';
  customerId?: string;
  scopes: string[];
  expiresAtMs: number;
}

export type TokenLookup =
  | { status: 'valid'; token: AccessTokenRecord }
  | { status: 'invalid' }
  | { status: 'expired'; token: AccessTokenRecord };

export interface MailTokenRecord {
  tenant: string;
  kind: OutboxMail['kind'];
  customerId: string;
  newEmail?: string;
  syncContactEmail?: boolean;
  expiresAtMs: number;
}

export function sameEmail(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** Everything one emulator instance knows; never shared between instances. */
export class EmulatorState {
  readonly tenants = new Map<string, TenantRecord>();
  readonly faults = new FaultQueue();
  readonly saasSecret = randomBytes(32);
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly mailTokens = new Map<string, MailTokenRecord>();
  private readonly sentMails: OutboxMail[] = [];
  private readonly recorded: RecordedRequest[] = [];
  private clockOffsetMs = 0;

  constructor(
    seed: EmulatorSeed,
    readonly ttl: Ttl,
  ) {
    for (const seedTenant of seed.tenants) {
      if (this.tenants.has(seedTenant.tenant)) {
        throw new Error(`Seed lists tenant '${seedTenant.tenant}' twice`);
      }
      const tenant: TenantRecord = {
        name: seedTenant.tenant,
        clientIds: new Set(seedTenant.clientIds),
        customers: new Map(),
      };
      this.tenants.set(tenant.name, tenant);
      for (const c of seedTenant.customers) {
        if (tenant.customers.has(c.id)) {
          throw new Error(`Seed lists customer id '${c.id}' twice in tenant '${tenant.name}'`);
        }
        if (this.findCustomerByEmail(tenant.name, c.email)) {
          throw new Error(`Seed lists email '${c.email}' twice in tenant '${tenant.name}'`);
        }
        // Copied field by field so that later mutations never reach the caller's seed object.
        tenant.customers.set(c.id, {
          id: c.id,
          customerNumber: c.customerNumber ?? c.id,
          loginEmail: c.email,
          password: c.password,
          title: c.title,
          firstName: c.firstName,
          lastName: c.lastName,
          contactEmail: c.contactEmail ?? c.email,
          contactPhone: c.contactPhone,
          company: c.company,
          preferredLanguage: c.preferredLanguage ?? 'en_US',
          preferredCurrency: c.preferredCurrency ?? 'EUR',
          preferredSite: c.preferredSite ?? 'main',
          middleName: c.middleName,
          businessModel: c.companyRegistrationId === undefined ? 'B2C' : 'B2B',
          companyRegistrationId: c.companyRegistrationId,
          confirmed: true,
          version: 1,
          addresses: (c.addresses ?? []).map((address) => ({
            ...address,
            isDefault: address.isDefault ?? false,
            tags: [...(address.tags ?? [])],
            version: 1,
          })),
        });
      }
    }
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  advanceClock(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) {
      throw new Error('advanceClock needs a finite, non-negative number of seconds');
    }
    this.clockOffsetMs += seconds * 1000;
  }

  findCustomerByEmail(tenant: string, email: string): CustomerRecord | undefined {
    const customers = this.tenants.get(tenant)?.customers;
    if (!customers) return undefined;
    for (const customer of customers.values()) {
      if (sameEmail(customer.loginEmail, email)) return customer;
    }
    return undefined;
  }

  findCustomer(tenant: string, id: string | undefined): CustomerRecord | undefined {
    if (id === undefined) return undefined;
    return this.tenants.get(tenant)?.customers.get(id);
  }

  issueAccessToken(record: AccessTokenRecord): string {
    const token = randomToken(21);
    this.accessTokens.set(token, record);
    return token;
  }

  issueAnonymousToken(tenant: string, ttlSeconds = this.ttl.anonymousToken): string {
    return this.issueAccessToken({
      tenant,
      kind: 'anonymous',
      scopes: [],
      expiresAtMs: this.now() + ttlSeconds * 1000,
    });
  }

  issueCustomerToken(
    tenant: string,
    customerId: string,
    ttlSeconds = this.ttl.customerToken,
    scopes: string[] = [PROFILE_EDIT_SCOPE],
  ): string {
    return this.issueAccessToken({
      tenant,
      kind: 'customer',
      customerId,
      scopes: [...scopes],
      expiresAtMs: this.now() + ttlSeconds * 1000,
    });
  }

  lookupAccessToken(token: string): TokenLookup {
    const record = this.accessTokens.get(token);
    if (!record) return { status: 'invalid' };
    if (this.now() >= record.expiresAtMs) return { status: 'expired', token: record };
    return { status: 'valid', token: record };
  }

  /** Creates a single-use mail token and "sends" it. */
  sendMailToken(to: string, record: Omit<MailTokenRecord, 'expiresAtMs'>): OutboxMail {
    const token = randomToken(48);
    this.mailTokens.set(token, { ...record, expiresAtMs: this.now() + this.ttl.mailToken * 1000 });
    const mail: OutboxMail = {
      to,
      kind: record.kind,
      token,
      sentAt: new Date(this.now()).toISOString(),
    };
    this.sentMails.push(mail);
    return mail;
  }

  /** Returns the token only if it is unused, unexpired and was issued for this tenant and purpose. */
  findMailToken(tenant: string, kind: OutboxMail['kind'], token: string): MailTokenRecord | undefined {
    const record = this.mailTokens.get(token);
    if (!record || record.tenant !== tenant || record.kind !== kind) return undefined;
    if (this.now() >= record.expiresAtMs) return undefined;
    return record;
  }

  consumeMailToken(token: string): void {
    this.mailTokens.delete(token);
  }

  outbox(): OutboxMail[] {
    return this.sentMails.map((mail) => ({ ...mail }));
  }

  clearOutbox(): void {
    this.sentMails.length = 0;
  }

  record(request: RecordedRequest): void {
    this.recorded.push(request);
  }

  requests(): RecordedRequest[] {
    return structuredClone(this.recorded);
  }

  clearRequests(): void {
    this.recorded.length = 0;
  }
}
