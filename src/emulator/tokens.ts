import { createHmac, randomBytes } from 'node:crypto';

export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * The real saas_token is a signed JWT; clients treat it as opaque, but a JWT-looking value keeps
 * code that logs or decodes it honest.
 */
export function fakeSaasToken(secret: Buffer, subject: string, expiresAtMs: number): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ sub: subject, exp: Math.floor(expiresAtMs / 1000) })).toString(
    'base64url',
  );
  const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}
