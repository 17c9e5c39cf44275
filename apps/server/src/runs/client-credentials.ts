import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * What lets a client act as itself. Client ids are public (the API, the dashboard and the metrics list them);
 * they are names, never credentials. A client resumes its session only with the secret issued to it at hello
 * (256 random bits; the server keeps only its SHA-256, so a checkpoint read by someone else resumes nobody), and
 * fetches its shard only with the key in the shard link of its welcome.
 */
export function issueResumeSecret(): { secret: string; digest: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, digest: digestOf(secret) };
}

export function digestOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares a presented secret with a stored digest in constant time; false for a missing secret or digest. */
export function secretMatches(secret: string | undefined, digest: string | undefined): boolean {
  if (!secret || !digest) return false;
  return sameText(digestOf(secret), digest);
}

/** A fresh 128-bit key for one welcome's shard link. */
export function issueShardKey(): string {
  return randomBytes(16).toString('base64url');
}

/** Constant-time comparison; false for a missing value. */
export function keyMatches(presented: string | undefined, expected: string | undefined): boolean {
  if (!presented || !expected) return false;
  return sameText(presented, expected);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
