/** The classifier commands as a user runs them (child processes, shipped model, no network). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'pantau-cli-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// npm scripts run the project's Node 22 (devDependency `node`, which strips TypeScript types); the test runner
// itself may run on an older Node, so use that binary when present.
const projectNode = join(root, 'node_modules', '.bin', 'node');
const nodeBinary = existsSync(projectNode) ? projectNode : process.execPath;

function run(script: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const child = spawnSync(nodeBinary, [join(root, 'src/classifier/cli', script), ...args], { encoding: 'utf8', cwd: root, timeout: 120_000 });
  return { status: child.status, stdout: child.stdout, stderr: child.stderr };
}

describe('npm run eval', () => {
  const data = join(work, 'posts.jsonl');
  writeFileSync(
    data,
    [
      { text: 'Dasar anjing lo, goblok banget!', labels: { abusive: 1, hate_speech: 1 } },
      { text: 'Terima kasih atas informasinya, sangat membantu', labels: { abusive: 0, hate_speech: 0, sentiment: 'positive' } },
      { text: 'Pelayanannya lambat dan makanannya dingin', labels: { sentiment: 'negative' } },
    ]
      .map((r) => JSON.stringify(r))
      .join('\n'),
  );

  it('--json prints exactly one JSON object with the labels present in the file', () => {
    const { status, stdout } = run('eval.ts', ['--data', data, '--json']);
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const report = JSON.parse(lines[0]!) as { labels: Record<string, Record<string, unknown>>; macro_f1: number; posts_per_s: number };
    expect(Object.keys(report).sort()).toEqual(['labels', 'macro_f1', 'posts_per_s']);
    expect(Object.keys(report.labels).sort()).toEqual(['abusive', 'hate_speech', 'sentiment']);
    expect(Object.keys(report.labels.abusive!).sort()).toEqual(['f1', 'precision', 'recall', 'support', 'threshold']);
    expect(report.labels.abusive!.support).toBe(1);
    expect(report.posts_per_s).toBeGreaterThan(0);
  });

  it('prints a table by default and fails clearly without --data', () => {
    const table = run('eval.ts', ['--data', data]);
    expect(table.status).toBe(0);
    expect(table.stdout).toContain('| abusive |');
    const missing = run('eval.ts', []);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('--data');
  });
});

describe('npm run train', () => {
  it('--help explains the JSONL format', () => {
    const { status, stdout } = run('train.ts', ['--help']);
    expect(status).toBe(0);
    expect(stdout).toContain('--data FILE.jsonl');
    expect(stdout).toContain('"labels"');
  });
});
