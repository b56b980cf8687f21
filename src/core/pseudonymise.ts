/**
 * Keyed pseudonyms for authors: the same handle always maps to the same pseudonym under one key (so reach
 * per account still counts), and without the key nobody can map it back or test a guess.
 */
import { createHmac } from 'node:crypto';

export function pseudonymiseAuthor(author: string | null, key: string | undefined): string | null {
  if (author === null || !key) return author;
  return 'anon:' + createHmac('sha256', key).update(author.trim().toLowerCase()).digest('hex').slice(0, 20);
}
