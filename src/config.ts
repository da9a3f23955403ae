/**
 * The gateway's configuration, read from the environment once at start-up. A bad value stops start-up with a
 * message that names the variable.
 */
import { z } from 'zod';
import { defaultGraphQLLimits } from './limits.js';
import { defaultRateLimits } from './rate-limit.js';
import { tenantSchema } from './schema/validation.js';
import { parseSessionSecrets } from './sessions/crypto.js';

const port = z.coerce.number().int('Must be a whole number').min(0).max(65535);
const optionalText = z.string().trim().optional();
const positive = (fallback: number) =>
  z.coerce.number().int('Must be a whole number').min(1).default(fallback);
/** `<requests>/<seconds>`, e.g. `20/60`. */
const window = z
  .string()
  .regex(/^\d+\/\d+$/, 'Must be <requests>/<seconds>, e.g. 20/60')
  .transform((value) => {
    const [points, durationSeconds] = value.split('/').map(Number) as [number, number];
    return { points, durationSeconds };
  })
  .refine((value) => value.points > 0 && value.durationSeconds > 0, 'Both numbers must be positive');

const environmentSchema = z.object({
  NODE_ENV: optionalText,
  PORT: port.default(4000),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  EMPORIX_API_URL: optionalText.pipe(
    z.url({ protocol: /^https?$/, message: 'Must be an http(s) URL' }).optional(),
  ),
  EMPORIX_TENANT: optionalText.pipe(tenantSchema.optional()),
  EMPORIX_CLIENT_ID: optionalText,
  EMPORIX_TIMEOUT_MS: z.coerce.number().int('Must be a whole number').min(1).max(600_000).default(10_000),
  EMULATOR_PORT: port.default(4010),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  RATE_LIMITS: z.enum(['on', 'off'], { message: 'Must be on or off' }).default('on'),
  RATE_LIMIT_PER_IP: window.default(defaultRateLimits.perIp),
  RATE_LIMIT_PER_TARGET: window.default(defaultRateLimits.perTarget),
  LOGIN_FAILURES_PER_IP_EMAIL: window.default(defaultRateLimits.logInFailuresPerIpEmail),
  LOGIN_FAILURES_PER_EMAIL: window.default(defaultRateLimits.logInFailuresPerEmail),
  SESSIONS: z.enum(['on', 'off'], { message: 'Must be on or off' }).default('off'),
  SESSION_SECRET: optionalText,
  SESSION_MAX_AGE_SECONDS: positive(2_592_000),
  SESSION_COOKIE_SECURE: z.enum(['true', 'false'], { message: 'Must be true or false' }).optional(),
  SIGNUP_CONFLICTS: z.enum(['hide', 'reveal'], { message: 'Must be hide or reveal' }).default('hide'),
  SOCIAL_REDIRECT_URIS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((uri) => uri.trim())
        .filter((uri) => uri !== ''),
    )
    .pipe(z.array(z.url({ message: 'Must be a comma-separated list of absolute redirect URIs' })))
    .default([]),
  REDIS_URL: optionalText.pipe(
    z.url({ protocol: /^rediss?$/, message: 'Must be a redis:// URL' }).optional(),
  ),
  TRUST_PROXY: z
    .string()
    .regex(/^(true|false|\d+)$/, 'Must be true, false or a number of proxies')
    .transform((value) => (value === 'true' ? true : value === 'false' ? false : Number(value)))
    .default(false),
  MAX_DEPTH: positive(defaultGraphQLLimits.maxDepth),
  MAX_ALIASES: positive(defaultGraphQLLimits.maxAliases),
  MAX_TOKENS: positive(defaultGraphQLLimits.maxTokens),
  MAX_DIRECTIVES: positive(defaultGraphQLLimits.maxDirectives),
  MAX_COST: positive(defaultGraphQLLimits.maxCost),
  MAX_BODY_BYTES: positive(defaultGraphQLLimits.maxBodyBytes),
  MAX_VARIABLE_VALUES: positive(defaultGraphQLLimits.maxVariableValues),
  CORS_ORIGINS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter((origin) => origin !== ''),
    )
    .pipe(
      z.array(
        z
          .url({ message: 'Must be a comma-separated list of origins, e.g. https://shop.example.com' })
          // A browser sends the bare origin: "https://shop.example.com/" must still match it.
          .transform((url) => new URL(url).origin),
      ),
    )
    .default([]),
  GRAPHIQL: z.enum(['on', 'off'], { message: 'Must be on or off' }).optional(),
  INTROSPECTION: z.enum(['on', 'off'], { message: 'Must be on or off' }).optional(),
  PERSISTED_OPERATIONS: z.enum(['off', 'only'], { message: 'Must be off or only' }).default('off'),
  SHUTDOWN_TIMEOUT_MS: positive(10_000),
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalText.pipe(z.url({ message: 'Must be a URL' }).optional()),
});

export type Config = z.output<typeof environmentSchema> & {
  /** True when no EMPORIX_API_URL is set: `npm start` then embeds the emulator. */
  useEmulator: boolean;
  /** GRAPHIQL, else on unless NODE_ENV is production. */
  graphiql: boolean;
  /** INTROSPECTION, else on unless NODE_ENV is production. */
  introspection: boolean;
  /** SESSION_COOKIE_SECURE, else true in production. */
  sessionCookieSecure: boolean;
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means unset, as in most shells' `VAR= npm start`.
  const set = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = environmentSchema.safeParse(set);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  // Checked apart from the schema so that it is reported together with any other bad variable.
  if (set.NODE_ENV?.trim() === 'production' && set.EMPORIX_API_URL === undefined) {
    problems.push(
      'EMPORIX_API_URL: Is required when NODE_ENV is production (the emulator is for development only)',
    );
  }
  if (set.SESSIONS === 'on' && set.NODE_ENV?.trim() === 'production' && set.SESSION_SECRET === undefined) {
    problems.push(
      'SESSION_SECRET: Is required when SESSIONS=on and NODE_ENV is production (a random one would end every session at each restart and differ between instances)',
    );
  }
  if (set.SESSION_SECRET !== undefined) {
    try {
      parseSessionSecrets(set.SESSION_SECRET);
    } catch (error) {
      problems.push(`SESSION_SECRET: ${(error as Error).message}`);
    }
  }
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const production = parsed.data.NODE_ENV === 'production';
  return {
    ...parsed.data,
    useEmulator: parsed.data.EMPORIX_API_URL === undefined,
    graphiql: parsed.data.GRAPHIQL === undefined ? !production : parsed.data.GRAPHIQL === 'on',
    introspection: parsed.data.INTROSPECTION === undefined ? !production : parsed.data.INTROSPECTION === 'on',
    sessionCookieSecure:
      parsed.data.SESSION_COOKIE_SECURE === undefined
        ? production
        : parsed.data.SESSION_COOKIE_SECURE === 'true',
  };
}
