/**
 * A streaming CSV reader (RFC 4180: quoted fields, "" for a quote, line breaks inside quotes, CRLF or LF)
 * that works on raw bytes, like the JSONL reader: each record comes with its exact bytes and the line it
 * starts on, and fields stay bytes, so a row with invalid UTF-8 can be dead-lettered as it was written.
 * Delimiter and quote are ASCII, so splitting bytes is safe for UTF-8 text. A quote opens a quoted field
 * only at the start of a field; elsewhere it is kept as a character.
 */

export interface CsvRecord {
  /** Line (1-based) the record starts on. */
  lineNo: number;
  /** The record as written, without its final line break. */
  bytes: Buffer;
  /** Field contents (quotes removed, "" unescaped); null when the record is malformed. */
  fields: Buffer[] | null;
  /** Why `fields` is null. */
  error?: string;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Splits one record's bytes into fields; null with a reason when a quote is never closed. */
export function splitRecord(record: Buffer, delimiter: number): { fields: Buffer[] } | { error: string } {
  const fields: Buffer[] = [];
  let i = 0;
  for (;;) {
    if (record[i] === QUOTE) {
      const parts: Buffer[] = [];
      let start = i + 1;
      let j = start;
      let closed = false;
      while (j < record.length) {
        if (record[j] === QUOTE) {
          parts.push(record.subarray(start, j));
          if (record[j + 1] === QUOTE) {
            parts.push(Buffer.from('"'));
            j += 2;
            start = j;
            continue;
          }
          closed = true;
          j++;
          break;
        }
        j++;
      }
      if (!closed) return { error: `a quoted field starting at byte ${i} is never closed` };
      // Anything between the closing quote and the delimiter is kept, as most spreadsheet tools do.
      let end = j;
      while (end < record.length && record[end] !== delimiter) end++;
      if (end > j) parts.push(record.subarray(j, end));
      fields.push(Buffer.concat(parts));
      i = end;
    } else {
      let end = i;
      while (end < record.length && record[end] !== delimiter) end++;
      fields.push(record.subarray(i, end));
      i = end;
    }
    if (i >= record.length) return { fields };
    i++; // past the delimiter
    if (i === record.length) {
      fields.push(Buffer.alloc(0)); // a trailing delimiter means one more, empty, field
      return { fields };
    }
  }
}

/** Records of a CSV byte stream; blank lines are skipped. */
export async function* csvRecords(chunks: AsyncIterable<Buffer>, delimiter = 0x2c): AsyncGenerator<CsvRecord> {
  let buf: Buffer = Buffer.alloc(0);
  let scan = 0; // where scanning for the record's end resumes in `buf`
  let inQuotes = false;
  let fieldStart = true;
  let afterClose = false;
  let lineNo = 1; // line the current record starts on
  let breaks = 0; // line breaks inside the current record (within quotes)

  const emit = (raw: Buffer): CsvRecord | null => {
    const bytes = raw.at(-1) === CR ? raw.subarray(0, -1) : raw;
    if (bytes.length === 0) return null;
    const split = splitRecord(bytes, delimiter);
    return 'fields' in split ? { lineNo, bytes: Buffer.from(bytes), fields: split.fields } : { lineNo, bytes: Buffer.from(bytes), fields: null, error: split.error };
  };

  for await (const chunk of chunks) {
    buf = buf.length > 0 ? Buffer.concat([buf, chunk]) : chunk;
    let start = 0;
    for (let i = scan; i < buf.length; i++) {
      const byte = buf[i];
      if (byte === QUOTE) {
        // A quote opens a quoted field only at the field's start ("" inside one closes and reopens it);
        // elsewhere it is a literal character, so one stray quote cannot swallow the rest of the file.
        if (inQuotes) {
          inQuotes = false;
          afterClose = true;
        } else if (fieldStart || afterClose) {
          inQuotes = true;
          afterClose = false;
        }
        fieldStart = false;
        continue;
      }
      afterClose = false;
      if (inQuotes) {
        if (byte === LF) breaks++;
        continue;
      }
      if (byte === delimiter) {
        fieldStart = true;
      } else if (byte === LF) {
        const record = emit(buf.subarray(start, i));
        if (record) yield record;
        lineNo += breaks + 1;
        breaks = 0;
        start = i + 1;
        fieldStart = true;
      } else {
        fieldStart = false;
      }
    }
    buf = Buffer.from(buf.subarray(start));
    scan = buf.length;
  }
  const last = emit(buf);
  if (last) yield last;
}
