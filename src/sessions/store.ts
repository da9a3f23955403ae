/**
 * Where sessions live: in this process's memory, or in Redis, shared by every instance. Keys are the SHA-256 of
 * a session id, never the id; values are encrypted blobs (see crypto.ts). A Redis that cannot answer is a
 * `SessionStoreUnavailable`: never a silent log-out, never a fall-back to memory (which would split sessions
 * between instances).
 */
import type { Redis } from 'ioredis';

export class SessionStoreUnavailable extends Error {
  override name = 'SessionStoreUnavailable';
}

export interface SessionStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Takes a short lock (`SET NX PX`): true when this caller holds it. */
  lock(key: string, ttlMs: number): Promise<boolean>;
  unlock(key: string): Promise<void>;
}

/** In-process sessions: for one instance, or development. Expired entries are dropped as they are met. */
export function createMemorySessionStore(now: () => number = Date.now): SessionStore & {
  /** The raw entries, for tests that check what the store holds. */
  entries(): [string, string][];
} {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  let writesSinceSweep = 0;

  function live(key: string): string | undefined {
    const entry = entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  function sweep(): void {
    // Bounded work per write: a full pass every 1000 writes keeps abandoned sessions from piling up.
    writesSinceSweep += 1;
    if (writesSinceSweep < 1000) return;
    writesSinceSweep = 0;
    const at = now();
    for (const [key, entry] of entries) if (entry.expiresAt <= at) entries.delete(key);
  }

  return {
    async get(key) {
      return live(key);
    },
    async set(key, value, ttlMs) {
      sweep();
      entries.set(key, { value, expiresAt: now() + ttlMs });
    },
    async delete(key) {
      entries.delete(key);
    },
    async lock(key, ttlMs) {
      if (live(key) !== undefined) return false;
      entries.set(key, { value: '1', expiresAt: now() + ttlMs });
      return true;
    },
    async unlock(key) {
      entries.delete(key);
    },
    entries: () =>
      [...entries].filter(([key]) => live(key) !== undefined).map(([key, entry]) => [key, entry.value]),
  };
}

export function createRedisSessionStore(redis: Redis): SessionStore {
  async function guarded<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (cause) {
      throw new SessionStoreUnavailable('The session store is unavailable', { cause });
    }
  }
  return {
    get: (key) => guarded(async () => (await redis.get(key)) ?? undefined),
    set: (key, value, ttlMs) =>
      guarded(async () => {
        await redis.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs)));
      }),
    delete: (key) =>
      guarded(async () => {
        await redis.del(key);
      }),
    lock: (key, ttlMs) =>
      guarded(async () => (await redis.set(key, '1', 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX')) === 'OK'),
    unlock: (key) =>
      guarded(async () => {
        await redis.del(key);
      }),
  };
}
