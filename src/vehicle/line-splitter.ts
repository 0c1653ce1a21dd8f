/**
 * Splits text arriving in arbitrary chunks into LF-terminated lines (a trailing CR is dropped, so CR LF works).
 * A run longer than `maxLine` without a newline is dropped up to the next newline and counted, so a
 * babbling device cannot grow the buffer without bound.
 */
export class LineSplitter {
  private carry = "";
  private skipping = false;
  /** Overlong runs dropped so far. */
  dropped = 0;

  constructor(private readonly maxLine: number) {}

  /** The complete lines in `chunk` (empty lines left out); a partial last line waits for the next chunk. */
  push(chunk: string): string[] {
    let text = this.carry + chunk;
    this.carry = "";
    if (this.skipping) {
      const nl = text.indexOf("\n");
      if (nl < 0) return [];
      this.skipping = false;
      text = text.slice(nl + 1);
    }
    const parts = text.split("\n");
    const rest = parts.pop() ?? "";
    if (rest.length > this.maxLine) {
      this.skipping = true;
      this.dropped++;
    } else {
      this.carry = rest;
    }
    const lines: string[] = [];
    for (const p of parts) {
      const line = p.endsWith("\r") ? p.slice(0, -1) : p;
      if (line.length > 0) lines.push(line);
    }
    return lines;
  }

  /** The unterminated last line, if any (end of a file). */
  end(): string[] {
    const rest = this.carry;
    this.carry = "";
    this.skipping = false;
    return rest.length > 0 ? [rest] : [];
  }

  /** Forget a partial line (the device was reconnected). */
  reset(): void {
    this.carry = "";
    this.skipping = false;
  }
}
