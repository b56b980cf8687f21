/**
 * Bytes of a fetched document to text, in the charset the server or the XML declaration names (feeds of
 * older Indonesian portals still come as ISO-8859-1 / windows-1252), UTF-8 otherwise. Not fatal: one bad
 * byte in a feed becomes U+FFFD instead of losing the whole feed.
 */
export function decodeDocument(bytes: Buffer, contentType: string | null): string {
  const fromHeader = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '')?.[1];
  const fromProlog = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([\w.:-]+)["']/i.exec(bytes.subarray(0, 256).toString('latin1'))?.[1];
  const label = fromHeader ?? fromProlog ?? 'utf-8';
  try {
    return new TextDecoder(label).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes); // a charset label TextDecoder does not know
  }
}
