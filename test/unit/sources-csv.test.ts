import { describe, expect, it } from 'vitest';
import { csvRecords, splitRecord } from '../../src/sources/csv-records.ts';

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(text: string | Buffer, chunkSize = 1_000_000, delimiter = ',') {
  const out: Array<{ line: number; fields: string[] | null; raw: string; error?: string }> = [];
  for await (const r of csvRecords(chunked(Buffer.from(text), chunkSize), delimiter.charCodeAt(0))) {
    out.push({ line: r.lineNo, fields: r.fields?.map((f) => f.toString('utf8')) ?? null, raw: r.bytes.toString('utf8'), ...(r.error ? { error: r.error } : {}) });
  }
  return out;
}

const SAMPLE =
  'id,text,author\r\n' +
  '1,"Hoaks ""surat suara"" tercoblos, sebarkan!",@a\r\n' +
  '\r\n' +
  '2,"Baris\nkedua\nketiga",@b\n' +
  '3,tanpa kutip,\n' +
  '4,kutip di tengah "aneh",@c';

describe('csvRecords', () => {
  it('reads quoted fields, doubled quotes, line breaks in quotes, CRLF, blank lines, a last line without break', async () => {
    expect(await read(SAMPLE)).toEqual([
      { line: 1, fields: ['id', 'text', 'author'], raw: 'id,text,author' },
      { line: 2, fields: ['1', 'Hoaks "surat suara" tercoblos, sebarkan!', '@a'], raw: '1,"Hoaks ""surat suara"" tercoblos, sebarkan!",@a' },
      { line: 4, fields: ['2', 'Baris\nkedua\nketiga', '@b'], raw: '2,"Baris\nkedua\nketiga",@b' },
      { line: 7, fields: ['3', 'tanpa kutip', ''], raw: '3,tanpa kutip,' },
      { line: 8, fields: ['4', 'kutip di tengah "aneh"', '@c'], raw: '4,kutip di tengah "aneh",@c' },
    ]);
  });

  it('gives the same records whatever the chunk boundaries', async () => {
    const whole = await read(SAMPLE);
    for (const size of [1, 2, 3, 7, 16]) expect(await read(SAMPLE, size)).toEqual(whole);
  });

  it('reports a quote that is never closed, without swallowing more than its own record', async () => {
    const records = await read('id,text\n1,"tidak ditutup\n');
    expect(records).toHaveLength(2);
    expect(records[1]).toMatchObject({ line: 2, fields: null });
    expect(records[1]!.error).toContain('never closed');
  });

  it('keeps multi-byte UTF-8 intact across chunks, and splits on another delimiter', async () => {
    const records = await read('a;b\n"Pemilu 🗳️ damai";Ñ\n', 3, ';');
    expect(records[1]!.fields).toEqual(['Pemilu 🗳️ damai', 'Ñ']);
  });
});

describe('splitRecord', () => {
  it.each([
    ['a,b,c', ['a', 'b', 'c']],
    ['a,,c,', ['a', '', 'c', '']],
    ['"a,b",c', ['a,b', 'c']],
    ['""', ['']],
    ['"x"y,z', ['xy', 'z']],
  ])('%j', (record, fields) => {
    const result = splitRecord(Buffer.from(record), 0x2c);
    expect('fields' in result ? result.fields.map(String) : result).toEqual(fields);
  });
});
