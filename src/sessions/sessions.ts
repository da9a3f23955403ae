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
  /**
   * The session ends at its maximum age or when its refresh token expires, whichever comes first; without a
   * refresh token, when its access token expires.
   */
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
  /**
   * How long one Emporix call may take before it times out (the gateway's `timeoutMs`, EMPORIX_TIMEOUT_MS): the
   * refresh lock is sized from it. @default 10000, the upstream client's own default
   */
  upstreamTimeoutMs?: number;
  /**
   * How long a refresh may hold the cross-instance lock. It must outlive the slowest refresh, or a second instance
   * would refresh with the same (rotated, so then refused) refresh token and end the session.
   * @default REFRESH_UPSTREAM_CALLS × upstreamTimeoutMs
   */
  refreshLockMs?: number;
  onEvent?: (event: SessionEvent) => void;
  now?: () => number;
}

/**
 * The most Emporix calls one refresh makes one after the other: the gateway's anonymous token, the refresh, and,
 * when Emporix refuses that anonymous token, a new one and the refresh again. The lock outlives all of them.
 */
export const REFRESH_UPSTREAM_CALLS = 4;

/** The upstream client's timeout when none is configured (src/emporix/http.ts). */
const DEFAULT_UPSTREAM_TIMEOUT_MS = 10_000;

/** How often a request waiting for another instance's refresh looks at the store again. */
const REFRESH_POLL_MS = 25;

/** Asked to renew a session's tokens: the new tokens, or `refused` when Emporix will not (the session ends). */
export type Refresher = (record: SessionRecord) => Promise<SessionTokens | 'refused'>;

export type SessionManager = ReturnType<typeof createSessionManager>;

export function createSessionManager(options: SessionManagerOptions) {
  const now = options.now ?? Date.now;
  const maxAgeMs = (options.maxAgeSeconds ?? 2_592_000) * 1000;
  const lockMs =
    options.refreshLockMs ??
    REFRESH_UPSTREAM_CALLS * (options.upstreamTimeoutMs ?? DEFAULT_UPSTREAM_TIMEOUT_MS);
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

  /**
   * A session lives until its maximum age, or until its refresh token expires when Emporix says when. Without a
   * refresh token it cannot be renewed, so it ends with its access token.
   */
  function endsAtOf(createdAt: number, tokens: SessionTokens): number {
    const renewableUntil =
      tokens.refreshToken === undefined
        ? tokens.accessTokenExpiresAt
        : (tokens.refreshTokenExpiresAt ?? Number.POSITIVE_INFINITY);
    return Math.min(createdAt + maxAgeMs, renewableUntil);
  }

  function sealed(id: string, record: SessionRecord): { key: string; blob: string; ttlMs: number } {
    const digest = digestOf(id);
    const blob = cipher.encrypt(JSON.stringify(record), digest);
    return { key: keyOf(digest), blob, ttlMs: record.endsAt - now() };
  }

  async function save(id: string, record: SessionRecord): Promise<void> {
    const { key, blob, ttlMs } = sealed(id, record);
    await store.set(key, blob, ttlMs);
  }

  /** Writes a refreshed record only while the session still exists: false when it ended meanwhile. */
  async function replace(id: string, record: SessionRecord): Promise<boolean> {
    const { key, blob, ttlMs } = sealed(id, record);
    return store.replace(key, blob, ttlMs);
  }

  /** The live session of an id with the blob it was read from (for a compare-and-delete). */
  async function readStored(id: string): Promise<{ record: SessionRecord; blob: string } | undefined> {
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
    return record.endsAt > now() ? { record, blob } : undefined;
  }

  async function read(id: string): Promise<SessionRecord | undefined> {
    return (await readStored(id))?.record;
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

  /**
   * Renews the session's `staleToken` under the cross-instance lock. While another instance holds it, waits for
   * its result in the store; when its lock goes without a result (its refresh failed, or it died and the lock
   * expired), takes the lock and refreshes itself.
   */
  async function refreshOnce(
    id: string,
    staleToken: string,
    refresher: Refresher,
  ): Promise<SessionRecord | undefined> {
    const lockKey = lockKeyOf(digestOf(id));
    const owner = randomBytes(16).toString('base64url');
    // A holder stores its result or lets the lock go within lockMs: no lock after two of those is a stuck store.
    const deadline = Date.now() + 2 * lockMs;
    while (!(await store.lock(lockKey, owner, lockMs))) {
      if (Date.now() > deadline) throw new SessionStoreUnavailable('The session refresh lock is never free');
      await new Promise((resolve) => setTimeout(resolve, REFRESH_POLL_MS));
      const record = await read(id);
      if (record === undefined || record.tokens.accessToken !== staleToken) return record;
    }
    try {
      return await refreshHoldingLock(id, staleToken, refresher);
    } finally {
      await store.unlock(lockKey, owner).catch(() => {});
    }
  }

  async function refreshHoldingLock(
    id: string,
    staleToken: string,
    refresher: Refresher,
  ): Promise<SessionRecord | undefined> {
    // Read again under the lock: another instance may have refreshed between our read and our lock.
    const stored = await readStored(id);
    if (stored === undefined) return undefined;
    const current = stored.record;
    if (current.tokens.accessToken !== staleToken) return current;
    const renewed = await refresher(current);
    if (renewed === 'refused') return endRefused(id, stored.blob);
    const record = { ...current, tokens: renewed, endsAt: endsAtOf(current.createdAt, renewed) };
    // A session ended while Emporix answered (a log-out) stays ended: the new tokens are dropped.
    if (!(await replace(id, record))) return undefined;
    emit('refreshed');
    return record;
  }

  /**
   * Emporix refused the refresh: the session ends, unless the store no longer holds what was refreshed (another
   * instance stored good tokens meanwhile, its lock having expired), which then is the session.
   */
  async function endRefused(id: string, refreshedBlob: string): Promise<SessionRecord | undefined> {
    if (await store.deleteIf(keyOf(digestOf(id)), refreshedBlob)) return undefined;
    return read(id);
  }

  /** One refresh of `staleToken` at a time in this instance: concurrent callers share it. */
  function sharedRefresh(id: string, staleToken: string, refresher: Refresher) {
    const key = keyOf(digestOf(id)) + staleToken;
    let pending = refreshing.get(key);
    if (pending === undefined) {
      pending = refreshOnce(id, staleToken, refresher).finally(() => refreshing.delete(key));
      refreshing.set(key, pending);
    }
    return pending;
  }

  /**
   * A refresh ahead of expiry that Emporix could not answer (5xx, timeout, network, …) is no reason to fail a
   * request its current token can still serve: that token, until it expires. A refusal ends the session as
   * always, and a store fault stays one.
   */
  async function refreshAhead(
    id: string,
    record: SessionRecord,
    refresher: Refresher,
  ): Promise<SessionRecord | undefined> {
    try {
      return await sharedRefresh(id, record.tokens.accessToken, refresher);
    } catch (error) {
      if (error instanceof SessionStoreUnavailable || now() >= record.tokens.accessTokenExpiresAt)
        throw error;
      return record;
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
     * Undefined when the session ended, also when it ended while the refresh was in flight (a log-out).
     */
    async fresh(
      id: string,
      record: SessionRecord,
      refresher: Refresher,
      staleToken?: string,
    ): Promise<SessionRecord | undefined> {
      if (staleToken !== undefined) {
        // A 401 for a token already replaced: the stored record is newer than the one that failed.
        if (staleToken !== record.tokens.accessToken) return read(id);
        return sharedRefresh(id, staleToken, refresher);
      }
      if (!needsRefresh(record.tokens)) return record;
      // Nothing to renew it with: it serves until its access token expires, which is also the session's end.
      if (record.tokens.refreshToken === undefined) return record;
      return refreshAhead(id, record, refresher);
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
