/** The package's public API: embed the gateway in your own server, or start it with `npm start`. */

export { type Config, ConfigError, loadConfig } from './config.js';
export {
  ForbiddenError,
  RateLimitedError,
  type UnauthorizedCode,
  UnauthorizedError,
  UpstreamError,
  ValidationError,
  type ValidationIssue,
} from './errors.js';
export {
  connectRedis,
  createGateway,
  defaultGraphQLLimits,
  type Gateway,
  type GatewayOptions,
  type GraphQLLimits,
} from './gateway.js';
export { createGatewayServer, guardRequests } from './http-guard.js';
export { createLogger, type Logger, type LoggerOptions } from './logger.js';
