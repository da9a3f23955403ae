/**
 * Rate limits on the credential mutations, per client IP and per target (the email, reset or email-change token,
 * or access token the mutation is about), with rate-limiter-flexible: in memory by default, in Redis when the
 * gateway is given a client, so several instances share the counters.
 *
 * A limit is decided before anything is sent upstream and never depends on what Emporix would answer, so for
 * `requestPasswordReset` it reveals nothing about whether an account exists.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import { RateLimitedError } from './errors.js';

/** `points` requests per `durationSeconds`. */
export interface RateLimitWindow {
  points: number;
  durationSeconds: number;
}

export interface RateLimitOptions {
  /** Credential mutations per client IP, all mutations together. @default 20 per 60 s */
  perIp?: RateLimitWindow;
  /** Calls of one mutation for one target (email, token or access token) in one tenant. @default 5 per 900 s */
  perTarget?: RateLimitWindow;
  /** Failed log-ins per (client IP, email). @default 5 per 900 s */
  logInFailuresPerIpEmail?: RateLimitWindow;
  /** Failed log-ins per email, from all addresses together. @default 30 per 3600 s */
  logInFailuresPerEmail?: RateLimitWindow;
  /** Share counters through this Redis client; in memory when absent. */
  redis?: Redis;
}

export const defaultRateLimits = {
  perIp: { points: 20, durationSeconds: 60 },
  perTarget: { points: 5, durationSeconds: 900 },
  logInFailuresPerIpEmail: { points: 5, durationSeconds: 900 },
  logInFailuresPerEmail: { points: 30, durationSeconds: 3600 },
} as const satisfies Required<Omit<RateLimitOptions, 'redis'>>;

/** Whose failed log-ins are counted: the email (any case) in a tenant, from one client address. */
export interface LogInAttempt {
  tenant: string;
  email: string;
  clientIp: string | undefined;
}

export interface RateLimitRequest {
  operation: string;
  tenant: string;
  /**
   * The client's address; undefined when the gateway cannot know it (served as a fetch handler), and then only
   * the target is limited, rather than every client sharing one budget.
   */
  clientIp: string | undefined;
  /** What the mutation is about; hashed before it is used as a key, so no email or token is stored. */
  target: string | undefined;
}

export interface RateLimiter {
  /** Counts the request; throws RateLimitedError when a limit is exceeded. */
  consume(request: RateLimitRequest): Promise<void>;
  /**
   * Reserves one failed log-in for this email, from this address and from all, before the log-in is sent: the
   * points are taken atomically, so attempts sent together cannot all pass a check made before any of them failed.
   * Throws RateLimitedError when either budget is spent, alike for known and unknown emails. The log-in's outcome
   * then settles the reservation (see LogInReservation).
   */
  reserveLogInAttempt(attempt: LogInAttempt): Promise<LogInReservation>;
}

/** A reserved log-in attempt; exactly one of these is called, once the outcome is known. */
export interface LogInReservation {
  /** Emporix refused the credentials: the points stay taken. */
  refused(): Promise<void>;
  /** A successful log-in forgives this address's failures for the email (not those from other addresses). */
  succeeded(): Promise<void>;
  /** Neither (Emporix failed, the request was invalid, …): both points are given back. */
  abandoned(): Promise<void>;
}

export function createRateLimiter(options: RateLimitOptions = {}): RateLimiter {
  const perIp = options.perIp ?? defaultRateLimits.perIp;
  const perTarget = options.perTarget ?? defaultRateLimits.perTarget;
  const limiter = (prefix: string, window: RateLimitWindow) => {
    const base = {
      keyPrefix: `emporix-gateway:${prefix}`,
      points: window.points,
      duration: window.durationSeconds,
    };
    const memory = new RateLimiterMemory(base);
    // When Redis is unreachable each instance keeps limiting on its own rather than letting everything through.
    return options.redis
      ? new RateLimiterRedis({
          ...base,
          storeClient: options.redis,
          insuranceLimiter: memory,
          // Straight to the in-memory counters while Redis is down, instead of waiting on it.
          rejectIfRedisNotReady: true,
        })
      : memory;
  };
  const ipLimiter = limiter('ip', perIp);
  const targetLimiter = limiter('target', perTarget);
  const failureWindows = {
    perIpEmail: options.logInFailuresPerIpEmail ?? defaultRateLimits.logInFailuresPerIpEmail,
    perEmail: options.logInFailuresPerEmail ?? defaultRateLimits.logInFailuresPerEmail,
  };
  const ipEmailFailures = limiter('login-failures-ip-email', failureWindows.perIpEmail);
  const emailFailures = limiter('login-failures-email', failureWindows.perEmail);
  // Keys hold digests only: no email or address is stored.
  const failureKeys = ({ tenant, email, clientIp }: LogInAttempt) => {
    const emailKey = `${tenant}:${digest(email.toLowerCase())}`;
    return {
      perEmail: emailKey,
      perIpEmail: clientIp === undefined ? undefined : `${emailKey}:${digest(clientIp)}`,
    };
  };

  return {
    async consume({ operation, tenant, clientIp, target }) {
      const results = await Promise.allSettled([
        clientIp === undefined ? Promise.resolve() : ipLimiter.consume(clientIp),
        target === undefined
          ? Promise.resolve()
          : targetLimiter.consume(`${operation}:${tenant}:${digest(target)}`),
      ]);
      let waitMs = 0;
      for (const result of results) {
        if (result.status === 'fulfilled') continue;
        if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
        waitMs = Math.max(waitMs, result.reason.msBeforeNext);
      }
      if (waitMs > 0) {
        throw new RateLimitedError(
          'Too many attempts: try again later',
          Math.max(1, Math.ceil(waitMs / 1000)),
        );
      }
    },

    async reserveLogInAttempt(attempt) {
      const { perEmail, perIpEmail } = failureKeys(attempt);
      const budgets: [RateLimiterAbstract, string][] = [[emailFailures, perEmail]];
      if (perIpEmail !== undefined) budgets.push([ipEmailFailures, perIpEmail]);
      const taken = await Promise.allSettled(budgets.map(([limiter, key]) => limiter.consume(key)));
      const giveBackAll = () => Promise.all(budgets.map(([limiter, key]) => giveBack(limiter, key)));
      let waitMs = 0;
      for (const result of taken) {
        if (result.status === 'fulfilled') continue;
        if (!(result.reason instanceof RateLimiterRes)) {
          await giveBackAll();
          throw result.reason;
        }
        waitMs = Math.max(waitMs, result.reason.msBeforeNext);
      }
      if (waitMs > 0) {
        // The attempt is not made. A refused consume counts its point too: every budget gets it back, so that
        // attempts refused while others were in flight do not outlive those others' outcome.
        await giveBackAll();
        throw new RateLimitedError(
          'Too many failed log-ins for this email: try again later',
          Math.max(1, Math.ceil(waitMs / 1000)),
        );
      }
      const giveBackEmail = () => giveBack(emailFailures, perEmail);
      return {
        refused: async () => {},
        succeeded: async () => {
          await Promise.all([
            giveBackEmail(),
            perIpEmail === undefined ? undefined : ipEmailFailures.delete(perIpEmail),
          ]);
        },
        abandoned: async () => {
          await giveBackAll();
        },
      };
    },
  };
}

/**
 * One point back, unless the window it was taken in has ended meanwhile: rewarding a key that is gone would start a
 * new window one point below zero, one free attempt. (A window ending between the check and the reward is a race
 * of milliseconds, against a window of minutes.)
 */
async function giveBack(limiter: RateLimiterAbstract, key: string): Promise<void> {
  const current = await limiter.get(key);
  if (current !== null && current.consumedPoints > 0) await limiter.reward(key);
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
