/**
 * `npm start`: reads the environment, starts the built-in Emporix emulator when no EMPORIX_API_URL is set, and
 * serves the gateway over HTTP.
 */
import { createServer } from 'node:http';
import { type Config, ConfigError, loadConfig } from './config.js';
import type { Emulator } from './emulator/index.js';
import { connectRedis, createGateway } from './gateway.js';
import { createLogger } from './logger.js';

async function main(config: Config): Promise<void> {
  const logger = createLogger({ level: config.LOG_LEVEL });
  const tracing = config.OTEL_EXPORTER_OTLP_ENDPOINT
    ? (await import('./tracing-sdk.js')).startTracing({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT })
    : undefined;
  let emulator: Emulator | undefined;
  if (config.useEmulator) {
    // Loaded only here, so a production start does not pay for it.
    const { createEmulator } = await import('./emulator/index.js');
    const { formatBanner } = await import('./emulator/banner.js');
    emulator = await createEmulator({ host: '127.0.0.1', port: config.EMULATOR_PORT });
    // The one place demo credentials are printed: they are the emulator's own, and useless anywhere else.
    process.stdout.write(`${formatBanner(emulator)}\n\n`);
    logger.warn(
      { emulatorUrl: emulator.url },
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
        : { perIp: config.RATE_LIMIT_PER_IP, perTarget: config.RATE_LIMIT_PER_TARGET },
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
  });
  const server = createServer(gateway.yoga);
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
