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
  /**
   * Writes only while the key still exists (`SET … XX`): false when it is gone. A refresh stores its result this
   * way, so that a session ended while the refresh was in flight (a log-out) stays ended.
   */
  replace(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Deletes the key only while it holds `expected` (compare-and-delete): false when it holds anything else. */
  deleteIf(key: string, expected: string): Promise<boolean>;
  /** Takes a lock (`SET NX PX`) in the name of `owner`: true when this caller holds it. */
  lock(key: string, owner: string, ttlMs: number): Promise<boolean>;
  /** Releases the lock only while `owner` still holds it: an expired lock may be someone else's by now. */
  unlock(key: string, owner: string): Promise<void>;
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

  function deleteIfHolds(key: string, expected: string): boolean {
    if (live(key) !== expected) return false;
    entries.delete(key);
    return true;
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
    async replace(key, value, ttlMs) {
      if (live(key) === undefined) return false;
      entries.set(key, { value, expiresAt: now() + ttlMs });
      return true;
    },
    async delete(key) {
      entries.delete(key);
    },
    async deleteIf(key, expected) {
      return deleteIfHolds(key, expected);
    },
    async lock(key, owner, ttlMs) {
      if (live(key) !== undefined) return false;
      entries.set(key, { value: owner, expiresAt: now() + ttlMs });
      return true;
    },
    async unlock(key, owner) {
      deleteIfHolds(key, owner);
    },
    entries: () =>
      [...entries].filter(([key]) => live(key) !== undefined).map(([key, entry]) => [key, entry.value]),
  };
}

/** Deletes KEYS[1] only while it holds ARGV[1], in one step: nothing can write it between the compare and the delete. */
const DELETE_IF_HOLDS = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

export function createRedisSessionStore(redis: Redis): SessionStore {
  async function guarded<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (cause) {
      throw new SessionStoreUnavailable('The session store is unavailable', { cause });
    }
  }
  const px = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs));
  const deleteIfHolds = async (key: string, expected: string) =>
    (await redis.eval(DELETE_IF_HOLDS, 1, key, expected)) === 1;
  return {
    get: (key) => guarded(async () => (await redis.get(key)) ?? undefined),
    set: (key, value, ttlMs) =>
      guarded(async () => {
        await redis.set(key, value, 'PX', px(ttlMs));
      }),
    replace: (key, value, ttlMs) =>
      guarded(async () => (await redis.set(key, value, 'PX', px(ttlMs), 'XX')) === 'OK'),
    delete: (key) =>
      guarded(async () => {
        await redis.del(key);
      }),
    deleteIf: (key, expected) => guarded(() => deleteIfHolds(key, expected)),
    lock: (key, owner, ttlMs) =>
      guarded(async () => (await redis.set(key, owner, 'PX', px(ttlMs), 'NX')) === 'OK'),
    unlock: (key, owner) =>
      guarded(async () => {
        await deleteIfHolds(key, owner);
      }),
  };
}
