/**
 * `npm start`: reads the environment, starts the built-in Emporix emulator when no EMPORIX_API_URL is set, and
 * serves the gateway over HTTP.
 */
import { randomBytes } from 'node:crypto';
import { type Config, ConfigError, loadConfig } from './config.js';
import type { Emulator } from './emulator/index.js';
import { connectRedis, createGateway } from './gateway.js';
import { createGatewayServer } from './http-guard.js';
import { createLogger } from './logger.js';
import { formatStartupBanner, shouldPrintStartupBanner, writeAfterLogs } from './startup-banner.js';

async function main(config: Config): Promise<void> {
  const logger = createLogger({ level: config.LOG_LEVEL });
  const tracing = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? (await import('./tracing-sdk.js')).startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT })
    : undefined;
  let emulator: Emulator | undefined;
  if (config.useEmulator) {
    // Loaded only here, so a production start does not pay for it.
    const { createEmulator } = await import('./emulator/index.js');
    emulator = await createEmulator({ host: '127.0.0.1', port: config.EMULATOR_PORT });
    // No password or token here: log lines are collected. The start-up block shows them in a terminal.
    logger.warn(
      {
        emulatorUrl: emulator.url,
        outboxUrl: `${emulator.url}/_emulator/outbox`,
        demoTenant: emulator.demo.tenant,
      },
      'EMPORIX_API_URL is not set: using the built-in Emporix emulator (development only, state is in memory)',
    );
  }
  const redis = config.REDIS_URL ? await connectRedis(config.REDIS_URL, logger) : undefined;
  const emporixApiUrl = config.EMPORIX_API_URL ?? (emulator as Emulator).url;
  const gateway = createGateway({
    emporixApiUrl,
    defaultTenant: config.EMPORIX_TENANT ?? emulator?.demo.tenant,
    clientId: config.EMPORIX_CLIENT_ID ?? emulator?.demo.clientId,
    timeoutMs: config.EMPORIX_TIMEOUT_MS,
    graphiql: config.graphiql,
    introspection: config.introspection,
    logger,
    rateLimits:
      config.RATE_LIMITS === 'off'
        ? false
        : {
            perIp: config.RATE_LIMIT_PER_IP,
            perTarget: config.RATE_LIMIT_PER_TARGET,
            logInFailuresPerIpEmail: config.LOGIN_FAILURES_PER_IP_EMAIL,
            logInFailuresPerEmail: config.LOGIN_FAILURES_PER_EMAIL,
          },
    redis,
    trustProxy: config.TRUST_PROXY,
    limits: {
      maxDepth: config.MAX_DEPTH,
      maxAliases: config.MAX_ALIASES,
      maxTokens: config.MAX_TOKENS,
      maxDirectives: config.MAX_DIRECTIVES,
      maxCost: config.MAX_COST,
      maxBodyBytes: config.MAX_BODY_BYTES,
      maxVariableValues: config.MAX_VARIABLE_VALUES,
    },
    corsOrigins: config.CORS_ORIGINS,
    persistedOperationsOnly: config.PERSISTED_OPERATIONS === 'only',
    tracing: tracing !== undefined,
    processMetrics: true,
    sessions: config.SESSIONS === 'on' ? sessionOptions(config, logger) : undefined,
    signUpConflicts: config.SIGNUP_CONFLICTS,
    socialRedirectUris: config.SOCIAL_REDIRECT_URIS,
    production: config.NODE_ENV === 'production',
  });
  // Behind the guard that gives every request Node's parser accepts a deliberate answer (see http-guard.ts).
  const server = createGatewayServer(gateway.yoga);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.PORT;
  logger.info(
    {
      url: `http://${config.HOST}:${port}/graphql`,
      emporixApiUrl: withoutCredentials(emporixApiUrl),
      graphiql: config.graphiql,
      rateLimits: config.RATE_LIMITS,
      redis: redis !== undefined,
      tracing: tracing !== undefined,
    },
    'gateway listening',
  );
  if (shouldPrintStartupBanner({ isTTY: process.stdout.isTTY, nodeEnv: config.NODE_ENV })) {
    const block = formatStartupBanner({
      graphqlUrl: `http://${config.HOST}:${port}/graphql`,
      graphiql: config.graphiql,
      rateLimits: config.RATE_LIMITS === 'off' ? false : { perTarget: config.RATE_LIMIT_PER_TARGET },
      emulator: emulator && {
        url: emulator.url,
        demo: emulator.demo,
        ttl: emulator.ttl(),
      },
    });
    // After the JSON lines written so far, so that the block is what the terminal ends on.
    writeAfterLogs(logger, `\n${block}\n\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    logger.info(
      { signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS },
      'shutting down: finishing in-flight requests',
    );
    // Stop accepting; in-flight requests finish and their responses close their connections (startDraining);
    // whatever is still open at the deadline is cut.
    gateway.startDraining();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const deadline = setTimeout(() => server.closeAllConnections(), config.SHUTDOWN_TIMEOUT_MS);
    await closed;
    clearTimeout(deadline);
    // Emporix calls still running for callers already answered or cut are awaited only until the deadline, then
    // abandoned.
    const left = Math.max(0, config.SHUTDOWN_TIMEOUT_MS - (Date.now() - started));
    const pool = gateway.close();
    const inTime = await Promise.race([
      pool.then(() => true),
      new Promise<boolean>((resolve) => setTimeout(resolve, left, false).unref()),
    ]);
    if (!inTime) await gateway.close({ force: true });
    try {
      await redis?.quit().catch(() => redis.disconnect());
      await emulator?.close();
      await tracing?.shutdown();
    } catch (error) {
      logger.warn({ err: error }, 'shutdown step failed');
    }
    logger.info({ inTime, durationMs: Date.now() - started }, 'stopped');
    logger.flush(() => process.exit(0));
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/** SESSIONS=on: the configured secrets, or (outside production, where config refuses it) a random one. */
function sessionOptions(config: Config, logger: ReturnType<typeof createLogger>) {
  if (config.SESSION_SECRET === undefined) {
    logger.warn(
      'SESSIONS=on without SESSION_SECRET: using a random secret, so sessions end at every restart and are not shared between instances',
    );
  }
  return {
    secrets: config.SESSION_SECRET ?? randomBytes(32).toString('hex'),
    maxAgeSeconds: config.SESSION_MAX_AGE_SECONDS,
    secureCookie: config.sessionCookieSecure,
  };
}

/** A URL fit for a log line: any user and password in it are dropped. */
function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = '';
  parsed.password = '';
  return parsed.toString();
}

try {
  await main(loadConfig());
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
