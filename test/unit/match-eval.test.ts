/**
 * `npm run eval:match` on a tiny fixture whose answers can be worked out by hand, the ranking metrics behind
 * it, and the input validation (bad lines name their file and line).
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseKbJsonl, parseQueriesJsonl } from '../../src/match/input.ts';
import { rankingMetrics } from '../../src/match/metrics.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/match/${name}`, import.meta.url));

function evalMatch(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['src/match/cli/eval.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('ranking metrics', () => {
  it('computes recall@1, recall@5 and MRR from the ranks (0 = not returned)', () => {
    const m = rankingMetrics([1, 2, 0, 6], 2);
    expect(m.recall_at_1).toBe(0.25);
    expect(m.recall_at_5).toBe(0.5);
    expect(m.mrr).toBeCloseTo((1 + 1 / 2 + 0 + 1 / 6) / 4, 12);
    expect(m.queries).toBe(4);
    expect(m.queries_per_s).toBe(2);
  });
});

describe('eval:match', () => {
  it('prints exactly the specified JSON: three narratives repeat their claim, one shares no word with any', () => {
    const r = evalMatch(['--kb', fixture('kb.jsonl'), '--queries', fixture('queries.jsonl'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!) as Record<string, number>;
    expect(Object.keys(out)).toEqual(['recall_at_1', 'recall_at_5', 'mrr', 'queries', 'queries_per_s']);
    // Queries 1-3 find their entry first; query 4 ("xyzzy qwx!!") shares not even a char n-gram with any claim and retrieves nothing.
    expect(out.recall_at_1).toBe(0.75);
    expect(out.recall_at_5).toBe(0.75);
    expect(out.mrr).toBe(0.75);
    expect(out.queries).toBe(4);
    expect(out.queries_per_s).toBeGreaterThan(0);
  });

  it('explains itself with --help', () => {
    const r = evalMatch(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--kb FILE');
    expect(r.stdout).toContain('"recall_at_1", "recall_at_5", "mrr", "queries", "queries_per_s"');
  });

  it('fails with the file and line of a bad knowledge-base or query line, and on missing options', () => {
    const kb = evalMatch(['--kb', fixture('bad-kb.jsonl'), '--queries', fixture('queries.jsonl'), '--json']);
    expect(kb.status).toBe(1);
    expect(kb.stdout).toBe('');
    expect(kb.stderr).toMatch(/bad-kb\.jsonl:3: not a knowledge-base entry .*"claim"/);
    const q = evalMatch(['--kb', fixture('kb.jsonl'), '--queries', fixture('bad-queries.jsonl')]);
    expect(q.status).toBe(1);
    expect(q.stderr).toMatch(/bad-queries\.jsonl:2: not JSON/);
    const missing = evalMatch(['--kb', fixture('kb.jsonl')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('--queries Q.jsonl are required');
  });
});

describe('input validation', () => {
  it('names the line and the field', () => {
    expect(() => parseKbJsonl('{"id":"a","claim":"x y z"}\n{"id":"b","claim":"  "}\n', 'kb.jsonl')).toThrow(/kb\.jsonl:2: .*"claim": claim is empty/);
    expect(() => parseKbJsonl('{"id":"a","claim":"satu"}\n{"id":"a","claim":"dua"}\n', 'kb.jsonl')).toThrow(/id "a" appears more than once/);
    expect(() => parseQueriesJsonl('{"text":"ok","expected_id":"a"}\n[1,2]\n', 'q.jsonl')).toThrow(/q\.jsonl:2: not a query/);
    expect(() => parseQueriesJsonl('{"text":"ok"}\n', 'q.jsonl')).toThrow(/q\.jsonl:1: .*"expected_id"/);
  });

  it('accepts extra knowledge-base fields and numeric ids', () => {
    const kb = parseKbJsonl('{"id":7,"claim":"Tinta babi","verdict":"hoaks","sources":["x"]}\n', 'kb.jsonl');
    expect(kb[0]!.id).toBe('7');
    expect(kb[0]!.verdict).toBe('hoaks');
    expect(parseQueriesJsonl('{"text":"tinta","expected_id":7}\n', 'q')[0]).toEqual({ text: 'tinta', expectedId: '7' });
  });
});
