/**
 * The backfill sources (CSV and JSONL files) through createSource and the real Kafka sink: mapping, dead
 * letters with file:line, and resuming after a stop or restart without publishing anything twice.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/log.ts';
import { csvFileSourceSchema, ingestCsvFile } from '../../src/sources/csv-file.ts';
import type { IngestProgress } from '../../src/sources/file-ingest.ts';
import { FileSource } from '../../src/sources/file-source.ts';
import { createSource, sourceDefinitionSchema } from '../../src/sources/index.ts';
import type { PostSink } from '../../src/sources/source.ts';
import { waitFor } from '../helpers/cluster.ts';
import { openSourceHarness, postsWithPrefix, type SourceHarness } from '../helpers/sources.ts';

const HEADER = 'Tweet Id;Text;Username;Url;Created At;Likes;Retweets;Kode Wilayah';
const row = (id: number, text: string, created = '2024-11-27T09:00:00+07:00') =>
  `${id};"${text.replaceAll('"', '""')}";@pemilih${id};https://x.example/pemilih${id}/status/${id};${created};${id * 3};${id};3578`;

const csvDefinition = (name: string, path: string, extra: Record<string, unknown> = {}) =>
  csvFileSourceSchema.parse({
    type: 'csv_file',
    name,
    path,
    delimiter: ';',
    columns: { id: 'Tweet Id', text: 'Text', author: 'Username', url: 'Url', createdAt: 'Created At', likes: 'Likes', shares: 'Retweets', region: 'Kode Wilayah' },
    idPrefix: `tw-${name}`,
    platform: 'twitter',
    language: 'id',
    retryBaseMs: 50,
    ...extra,
  });

describe('file backfill sources → real Kafka', () => {
  let h: SourceHarness;
  const dir = mkdtempSync(join(tmpdir(), 'pantau-files-'));
  const stateDir = join(dir, '.state');
  const deps = () => ({ stateDir, logger: silentLogger });
  const fileSource = (definition: ReturnType<typeof csvDefinition>) => {
    const source = createSource(definition, deps());
    if (!(source instanceof FileSource)) throw new Error('expected a FileSource');
    return source;
  };

  beforeAll(async () => {
    h = await openSourceHarness('src-files');
  });

  afterAll(async () => {
    await h?.close();
  });

  it('maps CSV rows to posts and dead-letters bad rows with file:line and their exact bytes', async () => {
    const file = join(dir, 'aduan.csv');
    const badUtf8 = Buffer.concat([Buffer.from('5;"Surat suara '), Buffer.from([0xff, 0xfe]), Buffer.from(' rusak";@p5;https://x.example/p5/status/5;2024-11-27T10:00:00+07:00;1;1;3578')]);
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from('\ufeff' + HEADER + '\r\n'),
        Buffer.from(row(1, 'Hoaks: "TPS 14 ditutup lebih awal", jangan percaya') + '\r\n'),
        Buffer.from(row(2, 'Baris pertama\nbaris kedua dari utas yang sama') + '\r\n'),
        Buffer.from('3;hanya dua kolom\r\n'),
        Buffer.from(row(4, 'Tanggal tanpa zona waktu', '2024-11-27 10:00') + '\r\n'),
        badUtf8,
        Buffer.from('\r\n\r\n' + row(6, 'Warga diminta mengecek DPT sebelum hari H') + '\r\n'),
      ]),
    );
    const progress: IngestProgress[] = [];
    const result = await ingestCsvFile(file, {
      sink: h.sink,
      batchSize: 2,
      onProgress: (p) => progress.push(p),
      mapping: { ...csvDefinition('aduan', file), idPrefix: 'tw-aduan' },
    });
    expect(result).toMatchObject({ lines: 6, produced: 3, deadLettered: 3, done: true });
    expect(progress.at(-1)).toMatchObject({ done: true, bytesRead: readFileSync(file).length, bytesTotal: readFileSync(file).length });

    await h.settle();
    const posts = postsWithPrefix(h, 'tw-aduan-');
    expect(posts.map((p) => p.id).sort()).toEqual(['tw-aduan-1', 'tw-aduan-2', 'tw-aduan-6']);
    expect(posts.find((p) => p.id === 'tw-aduan-1')).toMatchObject({
      text: 'Hoaks: "TPS 14 ditutup lebih awal", jangan percaya',
      author: '@pemilih1',
      url: 'https://x.example/pemilih1/status/1',
      created_at: '2024-11-27T02:00:00.000Z',
      engagement: { likes: 3, shares: 1 },
      region: '3578',
      language: 'id',
      platform: 'twitter',
    });
    expect(posts.find((p) => p.id === 'tw-aduan-2')!.text).toBe('Baris pertama\nbaris kedua dari utas yang sama');

    const letters = h.letters().filter((l) => l.headers['pantau-source']?.startsWith(`${file}:`));
    expect(letters.map((l) => [l.headers['pantau-source'], l.headers['pantau-reason']]).sort()).toEqual([
      [`${file}:5`, 'schema_mismatch'],
      [`${file}:6`, 'schema_mismatch'],
      [`${file}:7`, 'invalid_utf8'],
    ]);
    expect(letters.find((l) => l.headers['pantau-source'] === `${file}:5`)!.headers['pantau-detail']).toBe('line 5: expected 8 columns, found 2');
    expect(letters.find((l) => l.headers['pantau-source'] === `${file}:6`)!.headers['pantau-detail']).toContain('created_at');
    expect(letters.find((l) => l.headers['pantau-reason'] === 'invalid_utf8')!.value.equals(badUtf8)).toBe(true);
  });

  it('as a pipeline source: reads the file once, and not again after a restart', async () => {
    const file = join(dir, 'sekali.csv');
    writeFileSync(file, [HEADER, row(11, 'Isu politik uang di dapil 3'), row(12, 'Bantahan dari tim kampanye')].join('\n'));
    const first = fileSource(csvDefinition('sekali', file));
    await first.start(h.sink);
    expect(await first.finished()).toMatchObject({ produced: 2, deadLettered: 0, done: true });
    expect(first.health()).toMatchObject({ state: 'ok' });
    await first.stop();

    const second = fileSource(csvDefinition('sekali', file));
    await second.start(h.sink);
    expect(await second.finished()).toBeNull();
    expect(second.health().state).toBe('ok');
    await h.settle();
    expect(postsWithPrefix(h, 'tw-sekali-')).toHaveLength(2);
  });

  it('stopped half-way, resumes after the last acknowledged line: every row exactly once', async () => {
    const file = join(dir, 'besar.csv');
    const rows = Array.from({ length: 60 }, (_, i) => row(100 + i, `Laporan warga nomor ${i + 1} tentang pelanggaran kampanye`));
    writeFileSync(file, [HEADER, ...rows].join('\n') + '\n');
    // The real sink, a little slow, so that the stop lands in the middle of the file.
    const slow: PostSink = { ...h.sink, publish: async (posts) => (await new Promise((r) => setTimeout(r, 150)), h.sink.publish(posts)) };
    const first = fileSource(csvDefinition('besar', file, { batchSize: 10 }));
    await first.start(slow);
    const stateFile = join(stateDir, 'csv_file-besar.json');
    await waitFor('a committed batch', async () => {
      try {
        return (JSON.parse(readFileSync(stateFile, 'utf8')) as { committedLine: number }).committedLine > 0 ? true : undefined;
      } catch {
        return undefined;
      }
    });
    await first.stop();
    const partial = await first.finished();
    expect(partial!.done).toBe(false);
    expect(partial!.produced).toBeLessThan(60);
    const saved = JSON.parse(readFileSync(stateFile, 'utf8')) as { committedLine: number; done: boolean };
    expect(saved.done).toBe(false);
    expect(saved.committedLine).toBe(1 + partial!.produced);

    const second = fileSource(csvDefinition('besar', file, { batchSize: 10 }));
    await second.start(h.sink);
    const rest = await second.finished();
    expect(rest).toMatchObject({ done: true, skipped: partial!.produced, produced: 60 - partial!.produced });
    await h.settle();
    const ids = postsWithPrefix(h, 'tw-besar-').map((p) => p.id);
    expect(ids).toHaveLength(60);
    expect(new Set(ids).size).toBe(60);
  });

  it('a CSV whose header lacks a mapped column fails before publishing anything', async () => {
    const file = join(dir, 'kolom.csv');
    writeFileSync(file, 'Id;Isi\n1;Teks\n');
    const source = fileSource(csvDefinition('kolom', file));
    await source.start(h.sink);
    expect(await source.finished()).toBeNull();
    expect(source.health()).toMatchObject({ state: 'failing', consecutiveFailures: 1 });
    expect(source.health().lastError).toContain('csv_columns_missing');
    expect(source.health().lastError).toContain('"Text"');
  });

  it('JSONL through createSource, pseudonymised, with bad lines dead-lettered', async () => {
    const file = join(dir, 'posts.jsonl');
    const line = (id: string, text: string) => JSON.stringify({ id, platform: 'facebook', author: 'Ibu Sri', text, created_at: '2026-11-20T07:00:00+07:00' });
    writeFileSync(file, [line('fb-jsonl-1', 'Grup RT membagikan hoaks soal TPS'), 'bukan json', line('fb-jsonl-2', 'Klarifikasi dari KPU kota')].join('\n') + '\n');
    const source = createSource(sourceDefinitionSchema.parse({ type: 'jsonl_file', name: 'jsonl', path: file }), { ...deps(), authorKey: 'kunci' });
    await source.start(h.sink);
    await waitFor('the backfill to finish', async () => (source.health().state === 'ok' ? true : undefined));
    await h.settle();
    const posts = postsWithPrefix(h, 'fb-jsonl-');
    expect(posts).toHaveLength(2);
    expect(posts.every((p) => p.author?.startsWith('anon:'))).toBe(true);
    expect(h.letters().filter((l) => l.headers['pantau-source'] === `${file}:2`).map((l) => l.headers['pantau-reason'])).toEqual(['malformed_json']);
    await source.stop();
  });
});
