// Offsets to 0-based line/column and back, for the LSP edge and for `path:line:col` output.
// Columns count UTF-16 code units (what LSP positions use by default). A line ends at `\n`,
// `\r\n` or a lone `\r`, as editors see it.

export interface Position {
  line: number;
  character: number;
}

export class LineIndex {
  /** Offset at which each line starts. */
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) this.starts.push(i + 1);
      else if (c === 0x0d) {
        if (text.charCodeAt(i + 1) === 0x0a) i++;
        this.starts.push(i + 1);
      }
    }
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Position of `offset` (clamped to the text). */
  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - (this.starts[lo] as number) };
  }

  /** Offset of `position` (clamped to its line and to the text). */
  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.starts.length) return this.text.length;
    const start = this.starts[position.line] as number;
    const next = this.starts[position.line + 1];
    const end = next === undefined ? this.text.length : this.lineContentEnd(start, next);
    return Math.max(start, Math.min(start + position.character, end));
  }

  private lineContentEnd(start: number, next: number): number {
    let end = next;
    while (
      end > start &&
      (this.text.charCodeAt(end - 1) === 0x0a || this.text.charCodeAt(end - 1) === 0x0d)
    )
      end--;
    return end;
  }
}
