import type { EmulatorSeed } from './seed.js';

export interface EmulatorOptions {
  /** @default '127.0.0.1' */
  host?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Seed data; @default defaultSeed (see seed.ts) */
  seed?: EmulatorSeed;
  /**
   * Lifetimes in seconds. @default customer 86400, anonymous 3600, mail tokens 3600, refresh tokens 86400.
   * Can be changed later with `Emulator.setTtl` or PUT /_emulator/ttl.
   */
  ttl?: Partial<EmulatorTtl>;
}

/** Token lifetimes in seconds; each applies to tokens minted after it is set. */
export interface EmulatorTtl {
  customerToken: number;
  anonymousToken: number;
  /** Password-reset, email-change and sign-up confirmation tokens. */
  mailToken: number;
  /** Refresh tokens of customer and anonymous sessions. */
  refreshToken: number;
}

/** A seeded sign-up whose double opt-in is still open: its confirmation mail is in the outbox at start. */
export interface PendingSignUp {
  email: string;
  password: string;
  /** The opt-in token of the confirmation mail (GET /customer/{tenant}/signup/optin/{token}). */
  confirmationToken: string;
}

export interface EmulatorDemo {
  tenant: string;
  clientId: string;
  email: string;
  password: string;
  customerToken: string;
  anonymousToken: string;
  /** The first seeded pending sign-up of the demo tenant; absent when the seed has none. */
  pendingSignUp?: PendingSignUp;
}

export interface SocialCodeOptions {
  /** The customer the identity provider vouches for; an account is created on first use. */
  email: string;
  /** The socialLogin call must send exactly this redirect_uri. */
  redirectUri: string;
  /** S256 PKCE challenge: base64url(SHA-256(code_verifier)), without padding. */
  codeChallenge?: string;
  /** @default 300 */
  ttlSeconds?: number;
}

export interface ExternalTokenOptions {
  email: string;
  /** @default 300 */
  ttlSeconds?: number;
}

export interface IssueTokenOptions {
  tenant: string;
  kind: 'customer' | 'anonymous';
  email?: string;
  ttlSeconds?: number;
  scopes?: string[];
}

export interface Emulator {
  /** e.g. 'http://127.0.0.1:40123' (no trailing slash) */
  url: string;
  port: number;
  /** The seed in use. */
  seed: EmulatorSeed;
  /** Tokens minted at start for the first seeded tenant/customer. */
  demo: EmulatorDemo;
  /** Every request received, oldest first, recorded before handling (/_emulator/* ones are NOT recorded). */
  requests(): RecordedRequest[];
  clearRequests(): void;
  /** Mails "sent", oldest first. Same data as GET /_emulator/outbox. */
  outbox(): OutboxMail[];
  /** Forget every mail "sent" so far (same as DELETE /_emulator/outbox); mail tokens stay valid. */
  clearOutbox(): void;
  /** Mint a token directly (for tests): kind 'customer' needs email of a seeded/known customer. */
  issueToken(opts: IssueTokenOptions): string;
  /** Move the emulator's clock forward (token and mail-token expiry use this clock). */
  advanceClock(seconds: number): void;
  /** Change lifetimes for tokens minted from now on; answers the lifetimes in force. */
  setTtl(ttl: Partial<EmulatorTtl>): EmulatorTtl;
  /** The lifetimes in force, in seconds. */
  ttl(): EmulatorTtl;
  /** An authorization code of the emulated identity provider, for POST /customer/{tenant}/socialLogin. */
  mintSocialCode(opts: SocialCodeOptions): string;
  /** A JWS (HS256) of the emulated identity provider, for POST /customer/{tenant}/exchangeauthtoken. */
  mintExternalToken(opts: ExternalTokenOptions): string;
  /** Queue a fault: the next `times` requests matching method+path get this answer instead of normal handling. */
  injectFault(fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON, or the raw string if not JSON, or undefined if empty. */
  body: unknown;
  rawBody: string;
}

export interface OutboxMail {
  to: string;
  kind: 'password-reset' | 'email-change' | 'signup-confirmation';
  token: string;
  /** ISO timestamp on the emulator clock. */
  sentAt: string;
}

export interface Fault {
  /** Default: any method. */
  method?: string;
  /** Exact pathname, e.g. '/customer/demo/password/change'. */
  path: string;
  /** Default 500. */
  status?: number;
  headers?: Record<string, string>;
  /** Object → JSON; string sent as-is (lets tests send non-JSON). */
  body?: string | object;
  /** Wait before answering (for timeout tests). */
  delayMs?: number;
  /** Destroy the connection without answering (network failure). */
  destroySocket?: boolean;
  /** Default 1. */
  times?: number;
}
