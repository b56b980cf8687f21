/**
 * Where each post of a pushed batch sits in the raw body, so an invalid one is dead-lettered with exactly
 * the bytes the sender sent (not a re-serialisation, which would change whitespace, escapes and number
 * forms).
 *
 * Runs only on a body that JSON.parse has already accepted, so it trusts the syntax and only has to find
 * boundaries. JSON's structural characters ( [ ] { } , : " \ and whitespace) are ASCII, and no byte of a
 * multi-byte UTF-8 sequence is below 0x80, so scanning bytes is safe: inside a string, a byte is either
 * `\`, `"` or content.
 */

/** A byte range [start, end) of the body. */
export type Span = readonly [start: number, end: number];

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;
const COLON = 0x3a;

const isWhitespace = (b: number | undefined) => b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d;

class Scanner {
  pos = 0;
  private readonly body: Buffer;

  constructor(body: Buffer) {
    this.body = body;
    // A UTF-8 byte order mark, which the decoder drops before JSON.parse sees the text.
    if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) this.pos = 3;
  }

  peek(): number | undefined {
    return this.body[this.pos];
  }

  skipWhitespace(): void {
    while (isWhitespace(this.body[this.pos])) this.pos++;
  }

  expect(byte: number): void {
    if (this.body[this.pos] !== byte) throw new SyntaxError(`expected "${String.fromCharCode(byte)}" at byte ${this.pos}`);
    this.pos++;
  }

  /** From an opening quote to just past its closing quote. */
  skipString(): void {
    this.expect(QUOTE);
    for (;;) {
      const b = this.body[this.pos++];
      if (b === undefined) throw new SyntaxError('unterminated string');
      if (b === BACKSLASH) this.pos++; // the escaped character, whatever it is (\" \\ \u…: the hex digits are plain)
      else if (b === QUOTE) return;
    }
  }

  /** Past one value of any kind, nested arrays and objects included. */
  skipValue(): void {
    const first = this.peek();
    if (first === QUOTE) return this.skipString();
    if (first === OPEN_ARRAY || first === OPEN_OBJECT) {
      let depth = 0;
      for (;;) {
        const b = this.peek();
        if (b === undefined) throw new SyntaxError('unterminated array or object');
        if (b === QUOTE) {
          this.skipString();
          continue;
        }
        this.pos++;
        if (b === OPEN_ARRAY || b === OPEN_OBJECT) depth++;
        else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
          if (--depth === 0) return;
        }
      }
    }
    // A number, true, false or null: runs up to the next delimiter.
    const start = this.pos;
    while (this.pos < this.body.length) {
      const b = this.body[this.pos]!;
      if (b === COMMA || b === CLOSE_ARRAY || b === CLOSE_OBJECT || isWhitespace(b)) break;
      this.pos++;
    }
    if (this.pos === start) throw new SyntaxError(`expected a value at byte ${start}`);
  }

  /** The spans of the elements of the array that starts here. */
  arrayElements(): Span[] {
    this.expect(OPEN_ARRAY);
    const spans: Span[] = [];
    this.skipWhitespace();
    if (this.peek() === CLOSE_ARRAY) {
      this.pos++;
      return spans;
    }
    for (;;) {
      this.skipWhitespace();
      const start = this.pos;
      this.skipValue();
      spans.push([start, this.pos]);
      this.skipWhitespace();
      if (this.peek() === COMMA) {
        this.pos++;
        continue;
      }
      this.expect(CLOSE_ARRAY);
      return spans;
    }
  }
}

/**
 * The byte spans of the posts of a batch body: the elements of the top-level array (`[...]`), or of the
 * `posts` member of the top-level object (`{"posts": [...]}`; when the key appears twice, the last one, as
 * JSON.parse does). Null when the body has neither shape. Throws a SyntaxError only on a body that is not
 * JSON (which callers never pass: they parse first).
 */
export function batchItemSpans(body: Buffer): Span[] | null {
  const scanner = new Scanner(body);
  scanner.skipWhitespace();
  const first = scanner.peek();
  if (first === OPEN_ARRAY) return scanner.arrayElements();
  if (first !== OPEN_OBJECT) return null;
  scanner.expect(OPEN_OBJECT);
  let posts: Span[] | null = null;
  scanner.skipWhitespace();
  if (scanner.peek() === CLOSE_OBJECT) return null;
  for (;;) {
    scanner.skipWhitespace();
    const keyStart = scanner.pos;
    scanner.skipString();
    // The key decoded as JSON.parse decodes it ("po\u0073ts" is "posts").
    const key = JSON.parse(body.toString('utf8', keyStart, scanner.pos)) as string;
    scanner.skipWhitespace();
    scanner.expect(COLON);
    scanner.skipWhitespace();
    if (key === 'posts' && scanner.peek() === OPEN_ARRAY) posts = scanner.arrayElements();
    else {
      if (key === 'posts') posts = null;
      scanner.skipValue();
    }
    scanner.skipWhitespace();
    if (scanner.peek() === COMMA) {
      scanner.pos++;
      continue;
    }
    scanner.expect(CLOSE_OBJECT);
    return posts;
  }
}
