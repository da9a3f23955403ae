/**
 * Encryption of the tokens a session holds: AES-256-GCM from node:crypto, a fresh 96-bit IV each write, and the
 * session-id digest as additional data, so a blob copied to another session's key does not decrypt. Several
 * secrets may be configured for rotation: the first encrypts, all decrypt.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface SessionCipher {
  encrypt(plain: string, additionalData: Buffer): string;
  /** undefined when no configured secret decrypts it (a rotated-out secret, or a tampered blob). */
  decrypt(blob: string, additionalData: Buffer): string | undefined;
}

/**
 * `SESSION_SECRET`: comma-separated secrets, each at least 32 bytes as hex or base64 (base64url too). Throws with a
 * message naming what is wrong; the secrets themselves never appear in it.
 */
export function parseSessionSecrets(value: string): Buffer[] {
  const secrets = value
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
  if (secrets.length === 0) throw new Error('Must hold at least one secret');
  return secrets.map((secret, index) => {
    const bytes =
      /^[0-9a-fA-F]+$/.test(secret) && secret.length % 2 === 0
        ? Buffer.from(secret, 'hex')
        : /^[A-Za-z0-9+/_-]+={0,2}$/.test(secret)
          ? Buffer.from(secret, 'base64')
          : undefined;
    if (bytes === undefined || bytes.length < 32) {
      throw new Error(`Secret ${index + 1} must be at least 32 bytes, as hex or base64`);
    }
    return bytes;
  });
}

export function createSessionCipher(secrets: Buffer[]): SessionCipher {
  // A key per secret, derived so that the configured bytes are never used as the AES key directly.
  const keys = secrets.map((secret) =>
    Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'emporix-gateway session tokens v1', 32)),
  );
  const [encryptionKey] = keys;
  if (encryptionKey === undefined) throw new Error('A session cipher needs at least one secret');
  return {
    encrypt(plain, additionalData) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
      cipher.setAAD(additionalData);
      const sealed = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url');
    },
    decrypt(blob, additionalData) {
      const bytes = Buffer.from(blob, 'base64url');
      if (bytes.length <= IV_BYTES + TAG_BYTES) return undefined;
      const iv = bytes.subarray(0, IV_BYTES);
      const tag = bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
      const sealed = bytes.subarray(IV_BYTES + TAG_BYTES);
      for (const key of keys) {
        try {
          const decipher = createDecipheriv('aes-256-gcm', key, iv);
          decipher.setAAD(additionalData);
          decipher.setAuthTag(tag);
          return Buffer.concat([decipher.update(sealed), decipher.final()]).toString('utf8');
        } catch {
          // Not this key: try the next one.
        }
      }
      return undefined;
    },
  };
}
