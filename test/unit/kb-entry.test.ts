/**
 * The knowledge base's input: validation with line numbers, the claim key that merges one claim from several
 * sources, CSV list cells, and the public debunk readers.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { claimKey, mergeDuplicates } from '../../src/kb/entry.ts';
import { parseKbCsv, parseKbJsonl, readKbFile, readSharedDebunks } from '../../src/kb/readers.ts';

const work = mkdtempSync(join(tmpdir(), 'pantau-kb-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('claim key', () => {
  it('is the same for one claim written with a verdict prefix, other case, punctuation or slang spelling', () => {
    const key = claimKey('Surat suara sudah dicoblos sebelum hari pemungutan');
    expect(claimKey('[HOAKS] Surat suara sudah dicoblos sebelum hari pemungutan')).toBe(key);
    expect(claimKey('SALAH: surat suara SUDAH dicoblos sebelum hari pemungutan!!')).toBe(key);
    expect(claimKey('Surat suara sudah dicoblos sebelum hari pemungutan suara')).not.toBe(key);
  });
});

describe('reading entries', () => {
  it('JSONL: valid lines are entries, bad ones are reported with their line and reason', () => {
    const text = [
      JSON.stringify({ claim: 'Surat suara sudah dicoblos sebelum hari pemungutan', verdict: 'hoaks', url: 'https://kpu.go.id/klarifikasi/1', regions: ['31', '3171'] }),
      '',
      '{"claim": "terlalu pendek", "verdict": "hoaks"',
      JSON.stringify({ claim: 'TPS dipindah ke balai desa tanpa pemberitahuan', verdict: 'bohong' }),
      JSON.stringify({ claim: 'TPS dipindah ke balai desa tanpa pemberitahuan', verdict: 'klarifikasi', url: 'javascript:alert(1)' }),
      JSON.stringify({ claim: 'TPS dipindah ke balai desa tanpa pemberitahuan', verdict: 'klarifikasi', regions: ['Jakarta'] }),
      JSON.stringify({ claim: 'TPS dipindah ke balai desa tanpa pemberitahuan', verdict: 'klarifikasi', rating: 3 }),
    ].join('\n');
    const result = parseKbJsonl(text, 'kb.jsonl');
    expect(result.entries).toHaveLength(1);
    expect(result.rejected.map((r) => r.line)).toEqual([3, 4, 5, 6, 7]);
    expect(result.rejected[0]!.reason).toContain('not JSON');
    expect(result.rejected[1]!.reason).toContain('verdict');
    expect(result.rejected[2]!.reason).toContain('url');
    expect(result.rejected[3]!.reason).toContain('BPS');
    expect(result.rejected[4]!.reason).toMatch(/rating|unrecognized/i);
  });

  it('CSV: a header names the fields; list cells split on "|"; bad rows are reported with their line', () => {
    const text = '\ufeffclaim,verdict,topics,institutions,url\n' + 'Bansos dihentikan jika tidak memilih paslon tertentu,hoaks,bansos|pemilu,Kemensos,https://kemensos.go.id/k/1\n' + 'Pendek,hoaks,,,\n';
    const result = parseKbCsv(text, 'kb.csv');
    expect(result.entries).toEqual([
      { entry: { claim: 'Bansos dihentikan jika tidak memilih paslon tertentu', verdict: 'hoaks', topics: ['bansos', 'pemilu'], institutions: ['Kemensos'], url: 'https://kemensos.go.id/k/1' }, origin: 'kb.csv' },
    ]);
    expect(result.rejected).toEqual([{ origin: 'kb.csv', line: 3, reason: expect.stringContaining('claim') }]);
  });

  it('tells the format by the file name, and says what to do when it cannot', () => {
    const file = join(work, 'kb.txt');
    writeFileSync(file, '');
    expect(() => readKbFile(file)).toThrow(/\.jsonl, \.csv or \.jsonld/);
    expect(() => readKbFile(join(work, 'missing.jsonl'))).toThrow(/not found/);
    expect(readKbFile(file, 'jsonl')).toEqual({ entries: [], rejected: [] });
  });
});

describe('merging duplicates', () => {
  it('keeps the first entry of a claim and adds the others\' origins and lists', () => {
    const { docs, merged } = mergeDuplicates(
      [
        { entry: { claim: 'Surat suara sudah dicoblos sebelum hari pemungutan', verdict: 'hoaks', topics: ['pemilu'] }, origin: 'turnbackhoax-2024' },
        { entry: { claim: '[HOAKS] Surat suara sudah dicoblos sebelum hari pemungutan', verdict: 'hoaks', topics: ['kpu'], url: 'https://turnbackhoax.id/a/1' }, origin: 'indonesia-false-news' },
        { entry: { claim: 'TPS dipindah ke balai desa tanpa pemberitahuan', verdict: 'klarifikasi' }, origin: 'kb.jsonl' },
      ],
      '2026-12-02T00:00:00.000Z',
    );
    expect(merged).toBe(1);
    expect(docs).toHaveLength(2);
    expect(docs[0]).toMatchObject({ claim: 'Surat suara sudah dicoblos sebelum hari pemungutan', origins: ['turnbackhoax-2024', 'indonesia-false-news'], topics: ['pemilu', 'kpu'], url: 'https://turnbackhoax.id/a/1', imported_at: '2026-12-02T00:00:00.000Z' });
  });
});

describe('public debunks', () => {
  it('reads TurnBackHoax 2025 and 2021 articles with verdict, explanation, date and topic, and names the sets it did not find', () => {
    const dir = join(work, 'shared', 'turnbackhoax-2025');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'turnbackhoax_articles.csv'),
      'url,classification,category,date,narasi,penjelasan,kesimpulan,hasil_periksa,link_source,referensi\n' +
        'https://turnbackhoax.id/articles/35352-salah-gunung-lawu-bakal-erupsi-besar,SALAH,Bencana,24/06/2026,narasi,"PVMBG menyatakan status normal.",Tidak benar.,,,\n' +
        'https://turnbackhoax.id/articles/35353-parodi-presiden-jadi-astronot,PARODI,Humor,25/06/2026,narasi,,,,,\n',
    );
    const dir2021 = join(work, 'shared', 'turnbackhoax-2021');
    mkdirSync(dir2021, { recursive: true });
    writeFileSync(
      join(dir2021, 'Scrapping.csv'),
      'Label;Headline;Body;;;;\n' +
        '0;“Surat Suara Tercoblos di Gudang KPU”;(NARASI): foto surat suara ====== PENJELASAN: Foto itu dari pemilu 2014. ======;;;;\n' +
        '1;KPU Klarifikasi Jadwal Pemungutan Suara;Debunk ini berisi klarifikasi;;;;\n',
    );
    const result = readSharedDebunks(join(work, 'shared'));
    expect(result.missing).toEqual(['turnbackhoax-2024', 'indonesia-false-news']);
    expect(result.entries.filter((e) => e.origin === 'turnbackhoax-2021').map((e) => e.entry)).toEqual([
      { id: 'tbh2021-1', claim: 'Surat Suara Tercoblos di Gudang KPU', verdict: 'hoaks', explanation: 'Foto itu dari pemilu 2014.', publisher: 'TurnBackHoax (Mafindo)' },
      { id: 'tbh2021-2', claim: 'KPU Klarifikasi Jadwal Pemungutan Suara', verdict: 'klarifikasi', publisher: 'TurnBackHoax (Mafindo)' },
    ]);
    expect(result.entries.filter((e) => e.origin === 'turnbackhoax-2025')).toEqual([
      {
        origin: 'turnbackhoax-2025',
        entry: {
          id: 'tbh2025-35352',
          claim: 'gunung lawu bakal erupsi besar',
          verdict: 'hoaks',
          explanation: 'PVMBG menyatakan status normal.\n\nTidak benar.',
          publisher: 'TurnBackHoax (Mafindo)',
          url: 'https://turnbackhoax.id/articles/35352-salah-gunung-lawu-bakal-erupsi-besar',
          published_at: '2026-06-24',
          topics: ['Bencana'],
        },
      },
    ]);
  });
});
