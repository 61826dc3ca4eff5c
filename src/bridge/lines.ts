/**
 * Newline-delimited input with a bound on line length. A line over the bound is reported once
 * and then skipped up to its newline without being kept: a runaway writer (10 MiB without a
 * newline, or no newline at all) costs the bridge at most `maxLineBytes` of memory, and the next
 * line is read normally. Works on bytes, so a multi-byte character split across chunks is joined
 * before decoding.
 */
const NEWLINE = 0x0a;

export interface LineSplitterOptions {
  /** Bytes per line, without the newline (and a `\r` before it). Infinity for no bound. */
  readonly maxLineBytes: number;
  readonly onLine: (line: string) => void;
  /** Called once per oversized line, as soon as it passes the bound. */
  readonly onTooLong: (bytesSeen: number) => void;
}

export class LineSplitter {
  readonly #options: LineSplitterOptions;
  #parts: Buffer[] = [];
  #length = 0;
  #discarding = false;

  constructor(options: LineSplitterOptions) {
    this.#options = options;
  }

  push(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    while (start <= bytes.length) {
      const newline = bytes.indexOf(NEWLINE, start);
      const end = newline === -1 ? bytes.length : newline;
      this.#take(bytes.subarray(start, end));
      if (newline === -1) return;
      this.#endLine();
      start = newline + 1;
    }
  }

  /** The input ended: a last line without a newline still counts. */
  end(): void {
    if (this.#length > 0 || this.#discarding) this.#endLine();
  }

  #take(segment: Buffer): void {
    if (segment.length === 0 || this.#discarding) return;
    // One byte of slack: a `\r` of a CRLF ending is not part of the line's length.
    if (this.#length + segment.length > this.#options.maxLineBytes + 1) {
      this.#discarding = true;
      const seen = this.#length + segment.length;
      this.#parts = [];
      this.#length = 0;
      this.#options.onTooLong(seen);
      return;
    }
    this.#parts.push(segment);
    this.#length += segment.length;
  }

  #endLine(): void {
    if (this.#discarding) {
      this.#discarding = false;
      return;
    }
    const bytes = this.#parts.length === 1 ? (this.#parts[0] ?? Buffer.alloc(0)) : Buffer.concat(this.#parts, this.#length);
    this.#parts = [];
    this.#length = 0;
    const withoutCr = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.subarray(0, -1) : bytes;
    if (withoutCr.length > this.#options.maxLineBytes) {
      this.#options.onTooLong(withoutCr.length);
      return;
    }
    this.#options.onLine(withoutCr.toString('utf8'));
  }
}
