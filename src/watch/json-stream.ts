/**
 * Splits kubectl's watch output into JSON values. kubectl 1.32 prints one compact line per event,
 * older releases pretty-print each event over many lines, so values are cut by brace depth rather
 * than by line.
 */
export class JsonValueSplitter {
  private buffer = '';
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Feeds one line (without its newline); returns the complete values it closed. */
  push(line: string): string[] {
    const complete: string[] = [];
    for (const ch of line) {
      if (this.depth === 0 && ch !== '{' && ch !== '[') {
        // Text between values (blank lines, stray output) is not part of any value.
        continue;
      }
      this.buffer += ch;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') this.depth += 1;
      else if (ch === '}' || ch === ']') {
        this.depth -= 1;
        if (this.depth === 0) {
          complete.push(this.buffer);
          this.buffer = '';
        }
      }
    }
    if (this.depth > 0) this.buffer += '\n';
    return complete;
  }

  /** True when a value was started but not finished (the stream was cut mid-event). */
  get pending(): boolean {
    return this.depth > 0;
  }
}
