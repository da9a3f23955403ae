/**
 * The browser session of one request, as the rest of the gateway sees it: a token to send, a way to renew it after
 * Emporix refuses it as expired, and start/end for log-in and log-out. It reads the store at most once per request
 * (plus what a refresh needs), and collects the Set-Cookie headers the response must carry.
 */
import { UpstreamError } from '../errors.js';
import {
  type Refresher,
  type SessionManager,
  type SessionRecord,
  SessionStoreUnavailable,
  type SessionTokens,
} from './sessions.js';

/** A store that cannot answer is the gateway's outage, never a silent log-out: a retryable UpstreamError. */
async function storeGuarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof SessionStoreUnavailable) {
      throw new UpstreamError('The session store is unavailable', null, true, { cause: error });
    }
    throw error;
  }
}

export interface RequestSession {
  /** Whether the request carries a session cookie (it may still name no live session). */
  readonly hasCookie: boolean;
  /**
   * A usable customer access token of the session for this tenant, refreshed first when about to expire;
   * undefined when there is no live session (the response then expires the cookie).
   */
  accessToken(tenant: string): Promise<string | undefined>;
  /**
   * The session's access token for this tenant as the store holds it, never refreshed and whether or not it has
   * expired; undefined without a live session of this tenant (the response then expires the cookie). For log-out,
   * which ends that token at Emporix: renewing it first would only hand Emporix a new token to end, and a refresh
   * that fails must not keep a customer from signing out.
   */
  storedAccessToken(tenant: string): Promise<string | undefined>;
  /** After Emporix refused `failedToken` as expired: the renewed token, or undefined when the session ended. */
  renewAfterExpiry(tenant: string, failedToken: string): Promise<string | undefined>;
  /** Starts a new session for these tokens (the old cookie's is deleted) and sets its cookie. */
  start(tenant: string, tokens: SessionTokens): Promise<void>;
  /** Ends the session and expires the cookie. */
  end(): Promise<void>;
  /** When the session ends, without any upstream call; undefined without a live session of this tenant. */
  endsAt(tenant: string): Promise<Date | undefined>;
  /** Set-Cookie values for the response. */
  readonly setCookies: string[];
}

export function createRequestSession(options: {
  manager: SessionManager;
  cookieHeader: string | null;
  refresher: Refresher;
}): RequestSession {
  const { manager, refresher } = options;
  const id = manager.idFrom(options.cookieHeader);
  const hasCookie = manager.carriesCookie(options.cookieHeader);
  const setCookies: string[] = [];
  let loaded: Promise<SessionRecord | undefined> | undefined;
  let expiredReported = false;

  function expireCookie(): void {
    if (expiredReported) return;
    expiredReported = true;
    setCookies.push(manager.expiredCookie());
    manager.emit('expired');
  }

  async function current(): Promise<SessionRecord | undefined> {
    loaded ??= id === undefined ? Promise.resolve(undefined) : manager.load(id);
    const record = await loaded;
    if (record === undefined && hasCookie) expireCookie();
    return record;
  }

  async function settle(
    record: SessionRecord | undefined,
    before: SessionRecord,
  ): Promise<string | undefined> {
    loaded = Promise.resolve(record);
    if (record === undefined) {
      expireCookie();
      return undefined;
    }
    // A refresh may move the session's end (a new refresh token): the cookie's Max-Age follows it.
    if (record.endsAt !== before.endsAt && id !== undefined)
      setCookies.push(manager.cookie(id, record.endsAt));
    return record.tokens.accessToken;
  }

  return {
    hasCookie,
    setCookies,
    accessToken: (tenant) =>
      storeGuarded(async () => {
        const record = await current();
        if (record === undefined || id === undefined || record.tenant !== tenant) return undefined;
        return settle(await manager.fresh(id, record, refresher), record);
      }),
    storedAccessToken: (tenant) =>
      storeGuarded(async () => {
        const record = await current();
        return record === undefined || record.tenant !== tenant ? undefined : record.tokens.accessToken;
      }),
    renewAfterExpiry: (tenant, failedToken) =>
      storeGuarded(async () => {
        const record = await current();
        if (record === undefined || id === undefined || record.tenant !== tenant) return undefined;
        return settle(await manager.fresh(id, record, refresher, failedToken), record);
      }),
    start: (tenant, tokens) =>
      storeGuarded(async () => {
        const cookie = await manager.start(tenant, tokens, id);
        // The new cookie replaces whatever this response would have said of the old one.
        setCookies.length = 0;
        setCookies.push(cookie);
        loaded = Promise.resolve(undefined);
      }),
    end: () =>
      storeGuarded(async () => {
        loaded = Promise.resolve(undefined);
        // The cookie goes whatever the store says: the browser is signed out either way.
        setCookies.splice(0, setCookies.length, manager.expiredCookie());
        if (id !== undefined) await manager.end(id);
      }),
    endsAt: (tenant) =>
      storeGuarded(async () => {
        const record = await current();
        // A cookie of another tenant's session signs nobody in here, as for every other operation.
        return record === undefined || record.tenant !== tenant ? undefined : new Date(record.endsAt);
      }),
  };
}
