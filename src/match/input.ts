/**
 * The JSONL inputs of `eval:match` (and of anyone feeding the matcher from files): knowledge-base lines
 * `{"id","claim", …}` and query lines `{"text","expected_id"}`. A bad line fails with its file and line number
 * and what is wrong with it; extra fields are allowed (the knowledge-base entry has many optional ones).
 */
import { readFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { PantauError } from '../core/errors.ts';
import type { KbEntry } from './types.ts';

const kbLine = z.looseObject({
  id: z.union([z.string().min(1), z.number()]).transform((v) => String(v)),
  claim: z.string().refine((s) => s.trim().length > 0, 'claim is empty'),
});

const queryLine = z.looseObject({
  text: z.string().refine((s) => s.trim().length > 0, 'text is empty'),
  expected_id: z.union([z.string().min(1), z.number()]).transform((v) => String(v)),
});

export interface MatchQuery {
  text: string;
  expectedId: string;
}

function inputError(message: string): PantauError {
  return new PantauError(message, { stage: 'config', code: 'input_invalid', retriable: false });
}

function parseLines<T>(content: string, origin: string, schema: z.ZodType<T>, what: string): T[] {
  const out: T[] = [];
  const lines = content.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.length === 0) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw inputError(`${origin}:${i + 1}: not JSON (${err instanceof Error ? err.message : String(err)})`);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const field = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'line';
      throw inputError(`${origin}:${i + 1}: not a ${what} (${field}: ${issue.message})`);
    }
    out.push(parsed.data);
  }
  return out;
}

/** Knowledge-base entries of a JSONL text. Ids must be unique. */
export function parseKbJsonl(content: string, origin: string): KbEntry[] {
  const rows = parseLines(content, origin, kbLine, 'knowledge-base entry {"id","claim"}');
  const seen = new Set<string>();
  for (const r of rows) {
    if (seen.has(r.id)) throw inputError(`${origin}: id "${r.id}" appears more than once`);
    seen.add(r.id);
  }
  return rows as KbEntry[];
}

export function parseQueriesJsonl(content: string, origin: string): MatchQuery[] {
  return parseLines(content, origin, queryLine, 'query {"text","expected_id"}').map((q) => ({ text: q.text, expectedId: q.expected_id }));
}

function readInput(path: string): string {
  if (!existsSync(path)) throw inputError(`File not found: ${path}`);
  return readFileSync(path, 'utf8');
}

export function readKbJsonl(path: string): KbEntry[] {
  const kb = parseKbJsonl(readInput(path), path);
  if (kb.length === 0) throw inputError(`${path}: no knowledge-base entries`);
  return kb;
}

export function readQueriesJsonl(path: string): MatchQuery[] {
  const q = parseQueriesJsonl(readInput(path), path);
  if (q.length === 0) throw inputError(`${path}: no queries`);
  return q;
}
