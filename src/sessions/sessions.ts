/**
 * Gateway-held browser sessions: the Emporix tokens stay on the server, the browser carries only an opaque,
 * httpOnly cookie with a random session id. The store keys a session by the SHA-256 of its id and keeps its tokens
 * encrypted, so a store dump reveals no token and no live cookie. The rest of the gateway sees only "the
 * request's token" (see `RequestSession`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { parse as parseCookies, serialize as serializeCookie } from 'cookie';
import type { CustomerTokensShape } from '../emporix/token-answers.js';
import type { SessionCipher } from './crypto.js';
import { type SessionStore, SessionStoreUnavailable } from './store.js';

export { SessionStoreUnavailable };

/** The tokens of a session, as instants in epoch milliseconds. */
export interface SessionTokens {
  accessToken: string;
  accessTokenIssuedAt: number;
  accessTokenExpiresAt: number;
  refreshToken?: string;
  refreshTokenExpiresAt?: number;
  saasToken?: string;
  sessionId?: string;
}

/**
 * A customer's tokens as a session keeps them. `kept` is the session's own refresh token and its expiry: they stay
 * when a refresh answer brings no new refresh token.
 */
export function sessionTokensFrom(
  tokens: CustomerTokensShape,
  issuedAt: number,
  kept?: Pick<SessionTokens, 'refreshToken' | 'refreshTokenExpiresAt'>,
): SessionTokens {
  const rotated = tokens.refreshToken !== null;
  const refreshToken = rotated ? tokens.refreshToken : kept?.refreshToken;
  const refreshTokenExpiresAt = rotated
    ? tokens.refreshTokenExpiresAt?.getTime()
    : kept?.refreshTokenExpiresAt;
  return {
    accessToken: tokens.accessToken,
    accessTokenIssuedAt: issuedAt,
    accessTokenExpiresAt: tokens.accessTokenExpiresAt.getTime(),
    ...(refreshToken == null ? {} : { refreshToken }),
    ...(refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt }),
    ...(tokens.saasToken === null ? {} : { saasToken: tokens.saasToken }),
    ...(tokens.sessionId === null ? {} : { sessionId: tokens.sessionId }),
  };
}

export interface SessionRecord {
  tenant: string;
  tokens: SessionTokens;
  createdAt: number;
  /** The session ends at its maximum age or when its refresh token expires, whichever comes first. */
  endsAt: number;
}

export type SessionEvent = 'started' | 'refreshed' | 'ended' | 'expired' | 'refused_origin';

export interface SessionManagerOptions {
  store: SessionStore;
  cipher: SessionCipher;
  /** @default 2592000 (30 days) */
  maxAgeSeconds?: number;
  /** `__Host-emporix_session; Secure` when true, `emporix_session` (plain http on localhost) when false. */
  secureCookie: boolean;
  /** How long a refresh may hold the cross-instance lock. @default 5000 */
  refreshLockMs?: number;
  onEvent?: (event: SessionEvent) => void;
  now?: () => number;
}

/** Asked to renew a session's tokens: the new tokens, or `refused` when Emporix will not (the session ends). */
export type Refresher = (record: SessionRecord) => Promise<SessionTokens | 'refused'>;

export type SessionManager = ReturnType<typeof createSessionManager>;

export function createSessionManager(options: SessionManagerOptions) {
  const now = options.now ?? Date.now;
  const maxAgeMs = (options.maxAgeSeconds ?? 2_592_000) * 1000;
  const lockMs = options.refreshLockMs ?? 5000;
  const cookieName = options.secureCookie ? '__Host-emporix_session' : 'emporix_session';
  const { store, cipher } = options;
  const emit = (event: SessionEvent) => options.onEvent?.(event);
  // One refresh per session at a time in this instance; the Redis lock covers the other instances.
  const refreshing = new Map<string, Promise<SessionRecord | undefined>>();

  // Every request of a session reads it: its id's digest and what its blob decrypted to are kept in memory
  // (bounded), so a request pays for neither again. A blob is new on every write (a fresh IV), so a changed
  // session is never served from the cache; the store is still read, so a session ended elsewhere ends here.
  const digests = new BoundedCache<string, Buffer>(10_000);
  const decrypted = new BoundedCache<string, SessionRecord>(10_000);
  const digestOf = (id: string) => {
    let digest = digests.get(id);
    if (digest === undefined) {
      digest = createHash('sha256').update(id).digest();
      digests.set(id, digest);
    }
    return digest;
  };
  const keyOf = (digest: Buffer) => `emporix-gateway:session:${digest.toString('base64url')}`;
  const lockKeyOf = (digest: Buffer) => `emporix-gateway:session-lock:${digest.toString('base64url')}`;

  function endsAtOf(createdAt: number, tokens: SessionTokens): number {
    return Math.min(createdAt + maxAgeMs, tokens.refreshTokenExpiresAt ?? tokens.accessTokenExpiresAt);
  }

  async function save(id: string, record: SessionRecord): Promise<void> {
    const digest = digestOf(id);
    await store.set(keyOf(digest), cipher.encrypt(JSON.stringify(record), digest), record.endsAt - now());
  }

  async function read(id: string): Promise<SessionRecord | undefined> {
    const digest = digestOf(id);
    const blob = await store.get(keyOf(digest));
    if (blob === undefined) return undefined;
    // Keyed by the store key too: a blob copied under another session's key must still fail its AAD check.
    const cacheKey = `${digest.toString('base64url')}:${blob}`;
    let record = decrypted.get(cacheKey);
    if (record === undefined) {
      const plain = cipher.decrypt(blob, digest);
      if (plain === undefined) return undefined;
      record = JSON.parse(plain) as SessionRecord;
      decrypted.set(cacheKey, record);
    }
    return record.endsAt > now() ? record : undefined;
  }

  function cookie(id: string, endsAt: number): string {
    return serializeCookie(cookieName, id, {
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: options.secureCookie,
      maxAge: Math.max(0, Math.ceil((endsAt - now()) / 1000)),
    });
  }

  function needsRefresh(tokens: SessionTokens): boolean {
    const lifetime = tokens.accessTokenExpiresAt - tokens.accessTokenIssuedAt;
    const margin = Math.min(60_000, lifetime * 0.1);
    return now() >= tokens.accessTokenExpiresAt - margin;
  }

  /** Waits for another instance's refresh to land in the store: a record with another access token. */
  async function awaitOtherRefresh(id: string, staleToken: string): Promise<SessionRecord | undefined> {
    const deadline = Date.now() + lockMs;
    while (Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      const record = await read(id);
      if (record === undefined) return undefined;
      if (record.tokens.accessToken !== staleToken) return record;
    }
    throw new SessionStoreUnavailable('Another instance is still refreshing this session');
  }

  async function refreshOnce(id: string, staleToken: string, refresher: Refresher) {
    const digest = digestOf(id);
    if (!(await store.lock(lockKeyOf(digest), lockMs))) return awaitOtherRefresh(id, staleToken);
    try {
      // Read again under the lock: another instance may have refreshed between our read and our lock.
      const current = await read(id);
      if (current === undefined) return undefined;
      if (current.tokens.accessToken !== staleToken) return current;
      const renewed = await refresher(current);
      if (renewed === 'refused') {
        await store.delete(keyOf(digest));
        return undefined;
      }
      const record = { ...current, tokens: renewed, endsAt: endsAtOf(current.createdAt, renewed) };
      await save(id, record);
      emit('refreshed');
      return record;
    } finally {
      await store.unlock(lockKeyOf(digest)).catch(() => {});
    }
  }

  return {
    cookieName,

    /** Whether the request carries our cookie (by its exact name; `my_emporix_session` is not it). */
    carriesCookie(cookieHeader: string | null): boolean {
      // The substring test is only the cheap way out for the requests that cannot carry it.
      return (
        cookieHeader !== null &&
        cookieHeader.includes(cookieName) &&
        parseCookies(cookieHeader)[cookieName] !== undefined
      );
    },

    /** The session id the request's cookie carries, if any. */
    idFrom(cookieHeader: string | null): string | undefined {
      if (cookieHeader === null || !cookieHeader.includes(cookieName)) return undefined;
      const id = parseCookies(cookieHeader)[cookieName];
      // Ours are 43 base64url characters; anything else cannot name a session and is not looked up.
      return id !== undefined && /^[A-Za-z0-9_-]{43,128}$/.test(id) ? id : undefined;
    },

    /** A new session with a new id (never the old cookie's: no fixation); answers its Set-Cookie. */
    async start(tenant: string, tokens: SessionTokens, previousId?: string): Promise<string> {
      if (previousId !== undefined) await store.delete(keyOf(digestOf(previousId)));
      const id = randomBytes(32).toString('base64url');
      const createdAt = now();
      const record: SessionRecord = { tenant, tokens, createdAt, endsAt: endsAtOf(createdAt, tokens) };
      await save(id, record);
      emit('started');
      return cookie(id, record.endsAt);
    },

    /** The live session of an id; undefined when it does not exist, has ended, or does not decrypt. */
    load: read,

    /**
     * The session with a usable access token: refreshed first when it is about to expire, or when `staleToken`
     * (the token Emporix just refused as expired) is still the stored one. Concurrent callers share one refresh.
     */
    async fresh(
      id: string,
      record: SessionRecord,
      refresher: Refresher,
      staleToken?: string,
    ): Promise<SessionRecord | undefined> {
      const stale = staleToken ?? (needsRefresh(record.tokens) ? record.tokens.accessToken : undefined);
      if (stale === undefined || stale !== record.tokens.accessToken) {
        // A 401 for a token already replaced: the stored record is newer than the one that failed.
        if (staleToken !== undefined) return read(id);
        return record;
      }
      const key = keyOf(digestOf(id)) + stale;
      let pending = refreshing.get(key);
      if (pending === undefined) {
        pending = refreshOnce(id, stale, refresher).finally(() => refreshing.delete(key));
        refreshing.set(key, pending);
      }
      return pending;
    },

    async end(id: string): Promise<void> {
      await store.delete(keyOf(digestOf(id)));
      emit('ended');
    },

    cookie,
    /** A Set-Cookie that removes the session cookie. */
    expiredCookie: () =>
      serializeCookie(cookieName, '', {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: options.secureCookie,
        maxAge: 0,
      }),
    emit,
  };
}

/** A Map that forgets its oldest entry beyond `capacity`. */
class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();
  constructor(private readonly capacity: number) {}
  get(key: K): V | undefined {
    return this.entries.get(key);
  }
  set(key: K, value: V): void {
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as K);
  }
}
