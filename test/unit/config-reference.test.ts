/**
 * The pipeline file's reference is generated from the zod schemas that validate it: the committed JSON
 * Schema and README section must be what the schemas give now, and every key must say what it means.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PIPELINE_FILE, loadPipelineFile } from '../../src/config/pipeline.ts';
import { configReferenceMarkdown, generateConfigDocs, pipelineJsonSchema, SCHEMA_FILE } from '../../src/config/reference.ts';

describe('pipeline file reference', () => {
  it('is up to date in pipelines/ and README.md (run `npm run docs:config` after changing a schema)', () => {
    expect(generateConfigDocs({ check: true })).toEqual([]);
  });

  it('describes every key of the pipeline file and of every source type', () => {
    const rows = configReferenceMarkdown()
      .split('\n')
      .filter((l) => l.startsWith('| `'));
    expect(rows.length).toBeGreaterThan(100);
    const undescribed = rows.filter((row) => row.split(' | ')[3]!.replace(/\|\s*$/, '').trim() === '');
    expect(undescribed).toEqual([]);
    for (const type of ['rss', 'http_push', 'json_api', 'csv_file', 'jsonl_file']) expect(configReferenceMarkdown()).toContain(`\`"type": "${type}"\``);
  });

  it('is the schema the shipped pipeline file names, and that file is valid', () => {
    const file = JSON.parse(readFileSync(DEFAULT_PIPELINE_FILE, 'utf8')) as { $schema?: string };
    expect(file.$schema).toBe('./pantau.pipeline.schema.json');
    expect(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))).toEqual(pipelineJsonSchema());
    expect(() => loadPipelineFile(DEFAULT_PIPELINE_FILE)).not.toThrow();
  });

  it('follows the validator: defaults and limits in the reference are the ones zod applies', () => {
    const schema = pipelineJsonSchema() as { properties: Record<string, { properties: Record<string, { default?: unknown; maximum?: number }> }> };
    const parsed = loadPipelineFile(DEFAULT_PIPELINE_FILE);
    expect(schema.properties.kafka!.properties.sessionTimeoutMs!.default).toBe(30_000);
    expect(schema.properties.kafka!.properties.sessionTimeoutMs!.maximum).toBe(300_000);
    expect(parsed.kafka.sessionTimeoutMs).toBe(30_000);
    expect(configReferenceMarkdown()).toContain('| `index.maxAttempts` | integer 1–100 | `6` |');
  });
});
