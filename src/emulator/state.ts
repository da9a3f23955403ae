import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { FaultQueue } from './faults.js';
import type { EmulatorSeed } from './seed.js';
import { randomToken, signJws, verifyJws } from './tokens.js';
import type {
  EmulatorTtl,
  ExternalTokenOptions,
  OutboxMail,
  PendingSignUp,
  RecordedRequest,
  SocialCodeOptions,
} from './types.js';

export const PROFILE_EDIT_SCOPE = 'customer.customerprofile_edit';
/** `iss` of every token the emulated identity provider signs. */
export const IDP_ISSUER = 'emporix-emulator-idp';
const DEFAULT_IDP_TTL_SECONDS = 300;

export type Ttl = EmulatorTtl;

const TTL_KEYS = ['customerToken', 'anonymousToken', 'mailToken', 'refreshToken'] as const;

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
  /** Accepted `config` values of the token exchange, besides the default (no value). */
  exchangeConfigs: Set<string>;
}

/** What an anonymous login puts in its session context. */
export interface SessionContext {
  currency?: string;
  siteCode?: string;
  language?: string;
  targetLocation?: string;
}

export interface AccessTokenRecord {
  tenant: string;
  kind: 'anonymous' | 'customer';
  customerId?: string;
  scopes: string[];
  expiresAtMs: number;
  /** Shared by every access and refresh token of one log-in; refreshing keeps it. */
  sessionId: string;
  /** Customer tokens: the login email the token was issued for (validateauthtoken answers it). */
  email?: string;
  /** Anonymous tokens: the session context given at the anonymous login. */
  context?: SessionContext;
}

/** A new access token; without a session id it starts a session of its own. */
export type NewAccessToken = Omit<AccessTokenRecord, 'sessionId'> & { sessionId?: string };

export interface RefreshTokenRecord {
  tenant: string;
  kind: 'anonymous' | 'customer';
  customerId?: string;
  email?: string;
  scopes: string[];
  sessionId: string;
  context?: SessionContext;
  /** The access token issued with it (anonymous refresh compares `anonymous_token` with it). */
  accessToken: string;
  expiresAtMs: number;
}

/** An access token and its refresh token, as a log-in or refresh hands them out. */
export interface SessionTokens {
  accessToken: string;
  /** Seconds, as `expires_in` states them. */
  expiresIn: number;
  accessExpiresAtMs: number;
  refreshToken: string;
  refreshExpiresIn: number;
  sessionId: string;
  scopes: string[];
}

export interface SocialCodeRecord {
  email: string;
  redirectUri: string;
  codeChallenge?: string;
  expiresAtMs: number;
}

/** Everything a new account needs; the rest gets the seed's defaults. */
export type NewCustomer = Partial<Omit<CustomerRecord, 'customerNumber' | 'version' | 'lastLogin'>> &
  Pick<CustomerRecord, 'loginEmail' | 'password' | 'confirmed'>;

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

const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

function positiveTtl(ttlSeconds: number | undefined): number {
  const ttl = ttlSeconds ?? DEFAULT_IDP_TTL_SECONDS;
  if (!Number.isFinite(ttl) || ttl <= 0) throw new Error('ttlSeconds needs a finite, positive number');
  return ttl;
}

/** A stable subject per email, as an identity provider keeps one id per user. */
function idpSubject(email: string): string {
  return `idp|${createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 24)}`;
}

/** Spread-safe: an explicit undefined in `init` must not wipe a default. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Everything one emulator instance knows; never shared between instances. */
export class EmulatorState {
  readonly tenants = new Map<string, TenantRecord>();
  readonly faults = new FaultQueue();
  readonly saasSecret = randomBytes(32);
  /** Signs the emulated identity provider's tokens; per instance, so another emulator's tokens fail. */
  readonly idpSecret = randomBytes(32);
  /** The seeded sign-ups whose opt-in is open, in seed order, with the token of their confirmation mail. */
  readonly seededSignUps: Array<PendingSignUp & { tenant: string }> = [];
  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly mailTokens = new Map<string, MailTokenRecord>();
  private readonly socialCodes = new Map<string, SocialCodeRecord>();
  /** New accounts get numeric ids in the documented shape ('13730481'), above the seeded ones. */
  private nextCustomerNumber = 20_000_001;
  private readonly sentMails: OutboxMail[] = [];
  private readonly recorded: RecordedRequest[] = [];
  private clockOffsetMs = 0;

  constructor(
    seed: EmulatorSeed,
    readonly ttl: Ttl,
  ) {
    this.setTtl(ttl);
    for (const seedTenant of seed.tenants) {
      if (this.tenants.has(seedTenant.tenant)) {
        throw new Error(`Seed lists tenant '${seedTenant.tenant}' twice`);
      }
      const tenant: TenantRecord = {
        name: seedTenant.tenant,
        clientIds: new Set(seedTenant.clientIds),
        customers: new Map(),
        exchangeConfigs: new Set(seedTenant.exchangeConfigs ?? []),
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
      for (const p of seedTenant.pendingSignUps ?? []) {
        if (p.id !== undefined && tenant.customers.has(p.id)) {
          throw new Error(`Seed lists customer id '${p.id}' twice in tenant '${tenant.name}'`);
        }
        if (this.findCustomerByEmail(tenant.name, p.email)) {
          throw new Error(`Seed lists email '${p.email}' twice in tenant '${tenant.name}'`);
        }
        const customer = this.createCustomer(tenant.name, {
          id: p.id,
          loginEmail: p.email,
          password: p.password,
          firstName: p.firstName,
          lastName: p.lastName,
          confirmed: false,
        });
        const mail = this.sendSignUpConfirmation(tenant.name, customer);
        this.seededSignUps.push({
          tenant: tenant.name,
          email: p.email,
          password: p.password,
          confirmationToken: mail.token,
        });
      }
    }
  }

  /** Lifetimes apply to tokens minted afterwards; tokens already out keep their expiry. */
  setTtl(changes: Partial<Ttl>): Ttl {
    for (const key of TTL_KEYS) {
      const value = changes[key];
      if (value !== undefined && (!Number.isFinite(value) || value < 0)) {
        throw new Error(`ttl.${key} needs a finite, non-negative number of seconds`);
      }
    }
    for (const key of TTL_KEYS) {
      const value = changes[key];
      if (value !== undefined) this.ttl[key] = value;
    }
    return { ...this.ttl };
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

  /** Creates an account in a seeded tenant; the caller has checked that the login email is free. */
  createCustomer(tenantName: string, init: NewCustomer): CustomerRecord {
    const tenant = this.tenants.get(tenantName);
    if (!tenant) throw new Error(`Unknown tenant '${tenantName}'`);
    const id = init.id ?? this.allocateCustomerId(tenant);
    const customer: CustomerRecord = {
      firstName: '',
      lastName: '',
      contactEmail: init.loginEmail,
      preferredLanguage: 'en_US',
      preferredCurrency: 'EUR',
      preferredSite: 'main',
      businessModel: init.companyRegistrationId === undefined ? 'B2C' : 'B2B',
      addresses: [],
      ...withoutUndefined(init),

      id,
      customerNumber: id,
      version: 1,
    };
    tenant.customers.set(id, customer);
    return customer;
  }

  private allocateCustomerId(tenant: TenantRecord): string {
    while (tenant.customers.has(String(this.nextCustomerNumber))) this.nextCustomerNumber += 1;
    const id = String(this.nextCustomerNumber);
    this.nextCustomerNumber += 1;
    return id;
  }

  /** Mails a fresh double opt-in token; earlier ones of the account stop working, so only the last mail counts. */
  sendSignUpConfirmation(tenant: string, customer: CustomerRecord): OutboxMail {
    this.revokeMailTokens(tenant, 'signup-confirmation', customer.id);
    return this.sendMailToken(customer.loginEmail, {
      tenant,
      kind: 'signup-confirmation',
      customerId: customer.id,
    });
  }

  issueAccessToken(record: NewAccessToken): string {
    const token = randomToken(21);
    this.accessTokens.set(token, { ...record, sessionId: record.sessionId ?? randomUUID() });
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

  /** Anonymous login: a new session with its context, an access token and a refresh token. */
  startAnonymousSession(tenant: string, context: SessionContext): SessionTokens {
    return this.issueSessionTokens(
      { tenant, kind: 'anonymous', scopes: [], sessionId: randomUUID(), context: { ...context } },
      this.ttl.anonymousToken,
    );
  }

  /** Customer log-in (password, opt-in, social, exchange): a new session; records the log-in time. */
  startCustomerSession(
    tenant: string,
    customer: CustomerRecord,
    scopes: string[] = [PROFILE_EDIT_SCOPE],
  ): SessionTokens {
    customer.lastLogin = new Date(this.now()).toISOString();
    return this.issueSessionTokens(
      {
        tenant,
        kind: 'customer',
        customerId: customer.id,
        email: customer.loginEmail,
        scopes: [...scopes],
        sessionId: randomUUID(),
      },
      this.ttl.customerToken,
    );
  }

  private issueSessionTokens(
    session: Omit<RefreshTokenRecord, 'accessToken' | 'expiresAtMs'>,
    accessTtlSeconds: number,
  ): SessionTokens {
    const accessExpiresAtMs = this.now() + accessTtlSeconds * 1000;
    const accessToken = this.issueAccessToken({ ...session, expiresAtMs: accessExpiresAtMs });
    const refreshToken = randomToken(24);
    this.refreshTokens.set(refreshToken, {
      ...session,
      accessToken,
      expiresAtMs: this.now() + this.ttl.refreshToken * 1000,
    });
    return {
      accessToken,
      expiresIn: accessTtlSeconds,
      accessExpiresAtMs,
      refreshToken,
      refreshExpiresIn: this.ttl.refreshToken,
      sessionId: session.sessionId,
      scopes: [...session.scopes],
    };
  }

  /** A live refresh token of this tenant and kind, else undefined (unknown, used, expired or foreign). */
  findRefreshToken(
    tenant: string,
    kind: RefreshTokenRecord['kind'],
    token: string,
  ): RefreshTokenRecord | undefined {
    const record = this.refreshTokens.get(token);
    if (!record || record.tenant !== tenant || record.kind !== kind) return undefined;
    if (this.now() >= record.expiresAtMs) return undefined;
    return record;
  }

  /**
   * Customer refresh with rotation: the used refresh token dies and the session continues with a new pair.
   * The previous access token is left alone: it stays valid until it expires.
   */
  rotateCustomerRefreshToken(token: string, record: RefreshTokenRecord): SessionTokens {
    this.refreshTokens.delete(token);
    const { accessToken: _previous, expiresAtMs: _expiry, ...session } = record;
    return this.issueSessionTokens(session, this.ttl.customerToken);
  }

  /** Anonymous refresh: a new access token in the same session; the refresh token itself is kept. */
  refreshAnonymousSession(record: RefreshTokenRecord): { accessToken: string; expiresIn: number } {
    const expiresIn = this.ttl.anonymousToken;
    record.accessToken = this.issueAccessToken({
      tenant: record.tenant,
      kind: 'anonymous',
      scopes: [...record.scopes],
      sessionId: record.sessionId,
      context: record.context ? { ...record.context } : undefined,
      expiresAtMs: this.now() + expiresIn * 1000,
    });
    return { accessToken: record.accessToken, expiresIn };
  }

  /** Log-out: every access and refresh token of the session stops working at once. */
  endSession(tenant: string, sessionId: string): void {
    for (const [token, record] of this.accessTokens) {
      if (record.tenant === tenant && record.sessionId === sessionId) this.accessTokens.delete(token);
    }
    for (const [token, record] of this.refreshTokens) {
      if (record.tenant === tenant && record.sessionId === sessionId) this.refreshTokens.delete(token);
    }
  }

  /** Whole seconds until the instant, never negative. */
  secondsUntil(instantMs: number): number {
    return Math.max(0, Math.floor((instantMs - this.now()) / 1000));
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
      email: this.findCustomer(tenant, customerId)?.loginEmail,
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

  revokeMailTokens(tenant: string, kind: OutboxMail['kind'], customerId: string): void {
    for (const [token, record] of this.mailTokens) {
      if (record.tenant === tenant && record.kind === kind && record.customerId === customerId) {
        this.mailTokens.delete(token);
      }
    }
  }

  /** An authorization code of the emulated identity provider; not tied to a tenant, like the IdP's users. */
  mintSocialCode(opts: SocialCodeOptions): string {
    if (opts.email.trim() === '') throw new Error('A social code needs the email of the customer');
    if (opts.redirectUri === '') throw new Error('A social code needs a redirect URI');
    if (opts.codeChallenge !== undefined && !S256_CHALLENGE.test(opts.codeChallenge)) {
      throw new Error('codeChallenge must be an S256 challenge: 43 base64url characters');
    }
    const code = randomToken(24);
    this.socialCodes.set(code, {
      email: opts.email,
      redirectUri: opts.redirectUri,
      codeChallenge: opts.codeChallenge,
      expiresAtMs: this.now() + positiveTtl(opts.ttlSeconds) * 1000,
    });
    return code;
  }

  /** Single use: the code is gone after this call, whatever the caller then decides about it. */
  takeSocialCode(code: string): SocialCodeRecord | undefined {
    const record = this.socialCodes.get(code);
    this.socialCodes.delete(code);
    if (!record || this.now() >= record.expiresAtMs) return undefined;
    return record;
  }

  /** A token of the emulated identity provider, as an app would get from Keycloak or the like. */
  mintExternalToken(opts: ExternalTokenOptions): string {
    if (opts.email.trim() === '') throw new Error('An external token needs the email of the customer');
    return this.signIdpToken(opts.email, positiveTtl(opts.ttlSeconds));
  }

  /** Signed by this emulator's identity provider, so `exchangeauthtoken` can verify it. */
  signIdpToken(email: string, ttlSeconds: number, extraClaims: Record<string, unknown> = {}): string {
    const iat = Math.floor(this.now() / 1000);
    return signJws(this.idpSecret, {
      sub: idpSubject(email),
      email,
      iss: IDP_ISSUER,
      iat,
      exp: iat + ttlSeconds,
      ...extraClaims,
    });
  }

  /** The email an identity-provider token vouches for, or why it does not vouch for anyone. */
  verifyExternalToken(token: string): { email: string } | { error: string } {
    const claims = verifyJws(this.idpSecret, token);
    if (!claims)
      return { error: 'the subject access token is malformed or not signed by the identity provider' };
    const { email, exp, iss } = claims;
    if (iss !== IDP_ISSUER || typeof email !== 'string' || email === '' || typeof exp !== 'number') {
      return { error: 'the subject access token lacks the iss, email or exp claim' };
    }
    if (this.now() >= exp * 1000) return { error: 'the subject access token has expired' };
    return { email };
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
