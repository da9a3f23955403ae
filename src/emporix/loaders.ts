/**
 * Request-scoped DataLoaders. A new set is made for every GraphQL request (in the context factory), so nothing
 * one caller loaded can reach another, and the caller's token is the one its session carries.
 */
import DataLoader from 'dataloader';
import type { EmporixSession } from './session.js';
import type { EmporixCustomer } from './types.js';

export type Loaders = ReturnType<typeof createLoaders>;

export function createLoaders(session: EmporixSession) {
  return {
    /** The caller's own profile, keyed by tenant: `me` asked under several aliases is one upstream call. */
    me: new DataLoader<string, EmporixCustomer>((tenants) =>
      Promise.all(tenants.map((tenant) => session.getMe(tenant).catch((error: Error) => error))),
    ),
  };
}
