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
  /** Share counters through this Redis client; in memory when absent. */
  redis?: Redis;
}

export const defaultRateLimits = {
  perIp: { points: 20, durationSeconds: 60 },
  perTarget: { points: 5, durationSeconds: 900 },
} as const satisfies Required<Omit<RateLimitOptions, 'redis'>>;

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
  };
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}
