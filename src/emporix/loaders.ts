/**
 * Request-scoped DataLoaders. A new set is made for every GraphQL request (in the context factory), so nothing
 * one caller loaded can reach another, and the caller's token is the one its session carries.
 */
import DataLoader from 'dataloader';
import type { EmporixSession } from './session.js';
import type { EmporixCustomer } from './types.js';

export interface MeKey {
  tenant: string;
  /** Read with this access token instead of the caller's (e.g. the one a log-in just returned). */
  accessToken?: string;
  /** Whether the operation selects the address book (`?expand=addresses`). */
  expand: boolean;
}

export type Loaders = ReturnType<typeof createLoaders>;

export function createLoaders(session: EmporixSession) {
  return {
    /**
     * The profile a token belongs to, keyed by tenant and token: `me` asked under several aliases is one upstream
     * call, and a profile read with one token is never served for another. Keys that differ only in `expand`
     * share one call, made with the expansion when any of them asks for it. Writes clear it (`clearAll`).
     */
    me: new DataLoader<MeKey, EmporixCustomer, string>(
      async (keys) => {
        const groups = new Map<string, MeKey[]>();
        for (const key of keys) {
          const id = identity(key);
          groups.set(id, [...(groups.get(id) ?? []), key]);
        }
        const loaded = new Map<string, Promise<EmporixCustomer | Error>>();
        for (const [id, group] of groups) {
          const [first] = group as [MeKey];
          loaded.set(
            id,
            session
              .getMe(first.tenant, {
                expand: group.some((key) => key.expand),
                accessToken: first.accessToken,
              })
              .catch((error: Error) => error),
          );
        }
        return Promise.all(keys.map((key) => loaded.get(identity(key)) as Promise<EmporixCustomer | Error>));
      },
      { cacheKeyFn: identity },
    ),
  };
}

function identity(key: MeKey): string {
  return `${key.tenant}\n${key.accessToken ?? ''}`;
}
