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
  'refresh_token',
  '*.refresh_token',
  'saas_token',
  '*.saas_token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'saasToken',
  '*.saasToken',
  'anonymousToken',
  '*.anonymousToken',
  'subjectAccessToken',
  '*.subjectAccessToken',
  'codeVerifier',
  '*.codeVerifier',
  'email',
  '*.email',
  'socialAccessToken',
  '*.socialAccessToken',
  'socialIdToken',
  '*.socialIdToken',
  'social_access_token',
  '*.social_access_token',
  'social_id_token',
  '*.social_id_token',
  'input',
  '*.input',
  // Customer data: profile and address fields.
  ...[
    'firstName',
    'middleName',
    'lastName',
    'contactEmail',
    'contactPhone',
    'contactName',
    'company',
    'companyName',
    'companyRegistrationId',
    'street',
    'streetNumber',
    'streetAppendix',
    'extraLines',
    'zipCode',
    'city',
  ].flatMap((field) => [field, `*.${field}`]),
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
