/** Reads a JSON configuration file; the error names the file and what it was for. */
import { readFileSync } from 'node:fs';
import { PantauError } from '../core/errors.ts';

export function readJsonFile(file: string, what: string, code: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new PantauError(`cannot read ${what} ${file}: ${(cause as Error).message}`, { stage: 'config', code, retriable: false, cause });
  }
}
