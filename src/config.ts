/**
 * The gateway's configuration, read from the environment once at start-up. A bad value stops start-up with a
 * message that names the variable.
 */
import { z } from 'zod';
import { tenantSchema } from './schema/validation.js';

const port = z.coerce.number().int('Must be a whole number').min(0).max(65535);
const optionalText = z.string().trim().optional();

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
});

export type Config = z.output<typeof environmentSchema> & {
  /** True when no EMPORIX_API_URL is set: `npm start` then embeds the emulator. */
  useEmulator: boolean;
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
  if (!parsed.success || problems.length > 0) {
    throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return { ...parsed.data, useEmulator: parsed.data.EMPORIX_API_URL === undefined };
}
