/**
 * Slow hashes for passwords and API-token secrets: scrypt (node:crypto, no dependency), N = 2^15, r = 8,
 * p = 1, a 16-byte random salt and a 32-byte key; about 60–100 ms per hash on this machine, so a stolen
 * users index costs an attacker that much per guess. Stored as `scrypt$<logN>$<r>$<p>$<salt b64>$<hash b64>`,
 * so the cost can be raised later and old hashes still verify.
 */
import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const LOG_N = 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;

function scrypt(secret: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r };
  return new Promise((resolve, reject) => scryptCallback(secret.normalize('NFKC'), salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export async function hashSecret(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(secret, salt, LOG_N, R, P);
  return `scrypt$${LOG_N}$${R}$${P}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** True when `secret` matches `stored`; false for a wrong secret or a malformed stored hash (never throws for those). */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every((v) => Number.isInteger(v) && v > 0) || logN > 20 || r > 32 || p > 4) return false;
  const expected = Buffer.from(parts[5]!, 'base64');
  if (expected.length !== KEY_BYTES) return false;
  const key = await scrypt(secret, Buffer.from(parts[4]!, 'base64'), logN, r, p);
  return timingSafeEqual(key, expected);
}

/** A hash of a random secret, verified against when a user does not exist, so timing does not tell who does. */
let dummyHash: Promise<string> | undefined;
export function dummySecretHash(): Promise<string> {
  dummyHash ??= hashSecret(randomBytes(16).toString('hex'));
  return dummyHash;
}

/** The rules for a password people choose: long enough to resist guessing; no composition rules (NIST 800-63B). */
export function passwordProblem(password: string): string | null {
  if (password.length < 12) return 'kata sandi minimal 12 karakter';
  if (password.length > 256) return 'kata sandi maksimal 256 karakter';
  return null;
}
