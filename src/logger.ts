import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger };

/**
 * Paths that are censored wherever they appear in a log object. The gateway never logs request bodies, headers or
 * variables; this is the second line of defence for a log call that one day passes one of them.
 */
export const redactedPaths = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'password',
  '*.password',
  'currentPassword',
  '*.currentPassword',
  'newPassword',
  '*.newPassword',
  'token',
  '*.token',
  'access_token',
  '*.access_token',
  'variables',
  '*.variables',
];

export interface LoggerOptions {
  /** @default 'info' */
  level?: string;
  /** Where JSON lines go. @default stdout, written asynchronously */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: redactedPaths, censor: '[redacted]' },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
