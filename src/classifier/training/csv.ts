/** A small RFC 4180 reader: quoted fields, doubled quotes, newlines inside quotes, any one-char delimiter. */

export function parseDelimited(text: string, delimiter = ','): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  let atFieldStart = true;
  const d = delimiter.charCodeAt(0);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inQuotes) {
      if (c === 34 /* " */) {
        if (text.charCodeAt(i + 1) === 34) {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        field += text[i];
      }
      continue;
    }
    if (c === 34 && atFieldStart) {
      inQuotes = true;
      atFieldStart = false;
    } else if (c === d) {
      row.push(field);
      field = '';
      atFieldStart = true;
    } else if (c === 10 /* \n */ || c === 13 /* \r */) {
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      atFieldStart = true;
    } else {
      field += text[i];
      atFieldStart = false;
    }
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Rows as records keyed by the header row; a leading BOM is dropped. */
export function parseDelimitedRecords(text: string, delimiter = ','): Record<string, string>[] {
  const rows = parseDelimited(text.replace(/^\uFEFF/, ''), delimiter);
  const header = rows[0];
  if (header === undefined) return [];
  return rows.slice(1).filter((r) => r.length > 1 || (r[0] ?? '') !== '').map((r) => {
    const record: Record<string, string> = {};
    header.forEach((name, i) => {
      record[name] = r[i] ?? '';
    });
    return record;
  });
}
