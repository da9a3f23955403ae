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
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
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
   * Throws RateLimitedError when this email has failed too often, from this address or from all: checked before
   * a log-in is sent, and answered alike for known and unknown emails.
   */
  checkLogInFailures(attempt: LogInAttempt): Promise<void>;
  /** Counts a refused log-in. */
  recordLogInFailure(attempt: LogInAttempt): Promise<void>;
  /** A successful log-in forgives this address's failures for the email (not those from other addresses). */
  clearLogInFailures(attempt: LogInAttempt): Promise<void>;
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

    async checkLogInFailures(attempt) {
      const keys = failureKeys(attempt);
      const [perEmail, perIpEmail] = await Promise.all([
        emailFailures.get(keys.perEmail),
        keys.perIpEmail === undefined ? null : ipEmailFailures.get(keys.perIpEmail),
      ]);
      let waitMs = 0;
      if (perEmail && perEmail.consumedPoints >= failureWindows.perEmail.points)
        waitMs = perEmail.msBeforeNext;
      if (perIpEmail && perIpEmail.consumedPoints >= failureWindows.perIpEmail.points) {
        waitMs = Math.max(waitMs, perIpEmail.msBeforeNext);
      }
      if (waitMs > 0) {
        throw new RateLimitedError(
          'Too many failed log-ins for this email: try again later',
          Math.max(1, Math.ceil(waitMs / 1000)),
        );
      }
    },

    async recordLogInFailure(attempt) {
      const keys = failureKeys(attempt);
      // Going over the limit rejects; the count is what matters here, the next check answers for it.
      const counted = (promise: Promise<unknown>) =>
        promise.catch((error: unknown) => {
          if (!(error instanceof RateLimiterRes)) throw error;
        });
      await Promise.all([
        counted(emailFailures.consume(keys.perEmail)),
        keys.perIpEmail === undefined ? undefined : counted(ipEmailFailures.consume(keys.perIpEmail)),
      ]);
    },

    async clearLogInFailures(attempt) {
      const { perIpEmail } = failureKeys(attempt);
      if (perIpEmail !== undefined) await ipEmailFailures.delete(perIpEmail);
    },
  };
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
