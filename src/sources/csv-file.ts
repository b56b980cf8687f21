/**
 * Backfill source for CSV exports (social-listening tools, spreadsheets of reported posts): the first row
 * names the columns, a column mapping from the pipeline file says which column is which post field, and
 * every row becomes a post or a dead letter with its exact bytes and `file:line`. Same batching, progress
 * and guarantees as the JSONL backfill: resolves once the broker acknowledged every row.
 */
import { createReadStream } from 'node:fs';
import { z } from 'zod';
import { PantauError } from '../core/errors.ts';
import { backfillRetryFields, languageSchema, platformSchema, regionSchema, sourceNameSchema } from './config-common.ts';
import { csvRecords, type CsvRecord } from './csv-records.ts';
import { toPostOrDeadLetter } from './edge-validate.ts';
import { fieldMappingSchema, mapRecord, type FieldMapping } from './field-mapping.ts';
import { ingestRecords, type FileIngestOptions, type FileRecord, type IngestProgress } from './file-ingest.ts';

const columnName = z.string().min(1).max(200);

export const csvFileSourceSchema = z
  .object({
    type: z.literal('csv_file'),
    name: sourceNameSchema,
    path: z.string().min(1).describe('The file (absolute, or relative to the working directory of the process).'),
    delimiter: z.string().regex(/^[\x20-\x7e\t]$/, 'one ASCII character').refine((d) => d !== '"', 'not the quote character').default(',').describe('One ASCII character; "," by default, ";" for Excel exports in Indonesian locale.'),
    columns: fieldMappingSchema(columnName).describe('Which column holds each post field (names from the header row).'),
    idPrefix: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/).optional().describe('Post ids are `<idPrefix>-<id column>`; defaults to the source name.'),
    platform: platformSchema,
    language: languageSchema.nullable().default(null).describe('Language of rows without a language column; null when unknown.'),
    region: regionSchema.nullable().default(null).describe('Region of rows without a region column.'),
    batchSize: z.number().int().min(1).max(10_000).default(500).describe('Rows per sink call.'),
    ...backfillRetryFields,
  })
  .strict();

export type CsvFileSourceConfig = z.infer<typeof csvFileSourceSchema>;

export interface CsvMapping {
  columns: FieldMapping;
  delimiter?: string;
  idPrefix: string;
  platform: string;
  language?: string | null;
  region?: string | null;
}

export interface CsvIngestOptions extends FileIngestOptions {
  mapping: CsvMapping;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function referencedColumns(columns: FieldMapping): string[] {
  const refs = [columns.id, ...(Array.isArray(columns.text) ? columns.text : [columns.text]), columns.createdAt];
  for (const key of ['author', 'url', 'likes', 'shares', 'replies', 'views', 'region', 'language'] as const) {
    const ref = columns[key];
    if (ref !== undefined) refs.push(ref);
  }
  return [...new Set(refs)];
}

async function* rows(file: string, mapping: CsvMapping, onBytes: (n: number) => void): AsyncGenerator<FileRecord> {
  const chunks = (async function* () {
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      onBytes(chunk.length);
      yield chunk;
    }
  })();
  const defaults = { idPrefix: mapping.idPrefix, platform: mapping.platform, language: mapping.language ?? null, region: mapping.region ?? null };
  let header: string[] | null = null;
  for await (const record of csvRecords(chunks, (mapping.delimiter ?? ',').charCodeAt(0))) {
    if (header === null) {
      header = readHeader(file, record);
      const missing = referencedColumns(mapping.columns).filter((c) => !header!.includes(c));
      if (missing.length > 0) {
        throw new PantauError(`${file}: the header has no column ${missing.map((c) => `"${c}"`).join(', ')} (it has ${header.map((c) => `"${c}"`).join(', ')})`, {
          stage: 'receiving',
          code: 'csv_columns_missing',
          retriable: false,
        });
      }
      continue;
    }
    yield { lineNo: record.lineNo, result: rowToPost(file, record, header, mapping.columns, defaults) };
  }
}

function readHeader(file: string, record: CsvRecord): string[] {
  let text: string[];
  try {
    if (record.fields === null) throw new Error(record.error);
    text = record.fields.map((f) => utf8.decode(f).trim());
  } catch (cause) {
    throw new PantauError(`${file}: unreadable header row: ${(cause as Error).message}`, { stage: 'receiving', code: 'csv_header_invalid', retriable: false, cause });
  }
  if (text[0]?.startsWith('\ufeff')) text[0] = text[0].slice(1); // byte-order mark of Excel's "CSV UTF-8"
  return text;
}

function rowToPost(
  file: string,
  record: CsvRecord,
  header: string[],
  columns: FieldMapping,
  defaults: { idPrefix: string; platform: string; language: string | null; region: string | null },
): FileRecord['result'] {
  const origin = { source: `${file}:${record.lineNo}`, label: `line ${record.lineNo}`, bytes: record.bytes, key: null };
  const letter = (reason: 'invalid_utf8' | 'schema_mismatch', detail: string): FileRecord['result'] => ({
    ok: false,
    letter: { reason, detail: `line ${record.lineNo}: ${detail}`, stage: 'receiving', key: null, value: record.bytes, source: origin.source },
  });
  if (record.fields === null) return letter('schema_mismatch', record.error ?? 'malformed CSV record');
  if (record.fields.length !== header.length) return letter('schema_mismatch', `expected ${header.length} columns, found ${record.fields.length}`);
  const row: Record<string, string> = {};
  try {
    record.fields.forEach((f, i) => (row[header[i]!] = utf8.decode(f)));
  } catch {
    return letter('invalid_utf8', 'row is not valid UTF-8');
  }
  const { candidate } = mapRecord((column) => (row[column] === '' ? undefined : row[column]), columns, defaults, row);
  return toPostOrDeadLetter(candidate, { ...origin, key: typeof candidate.id === 'string' ? candidate.id : null });
}

export function ingestCsvFile(file: string, options: CsvIngestOptions): Promise<IngestProgress> {
  return ingestRecords(file, (onBytes) => rows(file, options.mapping, onBytes), options);
}
