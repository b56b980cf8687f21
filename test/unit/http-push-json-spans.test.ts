/**
 * Finding each post of a pushed body in its raw bytes (src/sources/http-push/json-spans.ts), so invalid posts
 * are dead-lettered exactly as sent.
 */
import { describe, expect, it } from 'vitest';
import { batchItemSpans } from '../../src/sources/http-push/json-spans.ts';

/** The items of `body` as the scanner cuts them, as text. */
function items(body: string | Buffer): string[] | null {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const spans = batchItemSpans(bytes);
  return spans === null ? null : spans.map(([start, end]) => bytes.subarray(start, end).toString('utf8'));
}

describe('batchItemSpans', () => {
  it('cuts the elements of a top-level array, whitespace outside them left out', () => {
    expect(items('[1,2,3]')).toEqual(['1', '2', '3']);
    expect(items(' \r\n\t[ {"a":1} ,\n  {"b" : [2, 3]}\t]\n')).toEqual(['{"a":1}', '{"b" : [2, 3]}']);
    expect(items('[]')).toEqual([]);
    expect(items('[ ]')).toEqual([]);
    expect(items('[null,true,false,-1.5e+3,"x",[],{}]')).toEqual(['null', 'true', 'false', '-1.5e+3', '"x"', '[]', '{}']);
  });

  it('follows nesting and does not stop at brackets, braces, commas or quotes inside strings', () => {
    const tricky = [
      '{"id":"a","text":"kurung ] dan } dan [ dan { , : tidak menutup apa pun"}',
      '{"id":"b","text":"kutip \\" di dalam, dan \\\\ lalu \\" lagi ]"}',
      '{"id":"c","text":"ends with a backslash \\\\"}',
      '{"id":"d","raw":{"deep":[[[{"x":"]]]"}]],{"y":[]}]}}',
      '["array", ["as", "an"], "item"]',
    ];
    expect(items(`[${tricky.join(', ')}]`)).toEqual(tricky);
  });

  it('keeps unicode and \\u escapes byte for byte', () => {
    const item = '{"id":"e","text":"Pemilu 🇮🇩 \\u00e9t\\u00E9 — “kutip” \\ud83d\\ude00","author":"Śląsk"}';
    const body = Buffer.from(`[${item},  {"id":"f"}]`, 'utf8');
    const [first, second] = batchItemSpans(body)!;
    expect(body.subarray(first![0], first![1]).equals(Buffer.from(item, 'utf8'))).toBe(true);
    expect(body.subarray(second![0], second![1]).toString()).toBe('{"id":"f"}');
  });

  it('finds the posts member of an object, with other keys before and after', () => {
    expect(items('{"posts":[{"id":"a"},{"id":"b"}]}')).toEqual(['{"id":"a"}', '{"id":"b"}']);
    expect(items('{ "sender" : {"posts": [9]}, "note": "posts: [1]", "posts" : [ {"id" : "a"} , 7 ], "after": [[]] }')).toEqual(['{"id" : "a"}', '7']);
    expect(items('{"posts":[]}')).toEqual([]);
  });

  it('takes the key as JSON.parse reads it, and the last one when it repeats (as JSON.parse does)', () => {
    expect(items('{"po\\u0073ts":[1]}')).toEqual(['1']);
    const body = '{"posts":[1],"posts":[2,3]}';
    expect(items(body)).toEqual(['2', '3']);
    expect((JSON.parse(body) as { posts: number[] }).posts).toEqual([2, 3]);
    expect(items('{"posts":[1],"posts":"none"}')).toBeNull();
  });

  it('answers null for bodies of another shape', () => {
    expect(items('{}')).toBeNull();
    expect(items('{"data":[1]}')).toBeNull();
    expect(items('{"posts":{"a":1}}')).toBeNull();
    expect(items('"posts"')).toBeNull();
    expect(items('42')).toBeNull();
  });

  it('skips a UTF-8 byte order mark, which the decoder drops too', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[{"id":"a"}]')]);
    expect(items(body)).toEqual(['{"id":"a"}']);
  });

  it('agrees with JSON.parse on every element of a large generated batch', () => {
    const posts = Array.from({ length: 200 }, (_, i) => ({ id: `p-${i}`, text: `teks ${'"]}'.repeat(i % 5)} ${'\\'.repeat(i % 3)}`, n: [i, { m: -(i + 1) / 7 }], u: '\u0000\u001f\u2028' }));
    const body = JSON.stringify({ meta: { count: posts.length }, posts }, null, 3);
    const cut = items(body)!;
    expect(cut.map((t) => JSON.parse(t) as unknown)).toEqual(posts);
  });
});
