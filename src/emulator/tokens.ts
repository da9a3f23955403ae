import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** base64url, so every token can travel in a path segment or query string without encoding. */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function encodeSegment(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function hs256(secret: Buffer, signingInput: string): Buffer {
  return createHmac('sha256', secret).update(signingInput).digest();
}

/**
 * The real saas_token is a signed JWT; clients treat it as opaque, but a JWT-looking value keeps
 * code that logs or decodes it honest.
 */
export function fakeSaasToken(secret: Buffer, subject: string, expiresAtMs: number): string {
  const header = encodeSegment({ alg: 'HS256' });
  const payload = encodeSegment({ sub: subject, exp: Math.floor(expiresAtMs / 1000) });
  return `${header}.${payload}.${hs256(secret, `${header}.${payload}`).toString('base64url')}`;
}

/** A compact JWS (RFC 7515) signed with HS256. */
export function signJws(secret: Buffer, payload: Record<string, unknown>): string {
  const signingInput = `${encodeSegment({ alg: 'HS256', typ: 'JWT' })}.${encodeSegment(payload)}`;
  return `${signingInput}.${hs256(secret, signingInput).toString('base64url')}`;
}

const base64url = /^[A-Za-z0-9_-]+$/;

function decodeSegment(segment: string): unknown {
  if (!base64url.test(segment)) return undefined;
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The payload of a well-formed HS256 JWS whose signature matches `secret`, else undefined. Only HS256 is
 * accepted, so a token cannot downgrade itself to `alg: none`. Claims such as exp are the caller's to check.
 */
export function verifyJws(secret: Buffer, token: string): Record<string, unknown> | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  const decodedHeader = decodeSegment(header);
  if (typeof decodedHeader !== 'object' || decodedHeader === null) return undefined;
  if ((decodedHeader as Record<string, unknown>).alg !== 'HS256') return undefined;
  // Compared as text: decoding would ignore the spare bits of the last character, so two spellings would pass.
  const expected = Buffer.from(hs256(secret, `${header}.${payload}`).toString('base64url'));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = decodeSegment(payload);
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return undefined;
  return claims as Record<string, unknown>;
}

/** The S256 PKCE code challenge of a verifier (RFC 7636 §4.2). */
export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}
