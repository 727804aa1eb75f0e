// Offsets <-> positions for one text. yaml reports string offsets (UTF-16 units), as LSP counts.
import type { Position, Range } from '../types';

export class LineIndex {
  /** Offsets where lines start; found on first use (a re-parse per keystroke of a 5 MB file may never need them). */
  private lineStarts: number[] | undefined;

  constructor(readonly text: string) {}

  private get starts(): number[] {
    return (this.lineStarts ??= lineStarts(this.text));
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - starts[lo] };
  }

  range(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  /** How many lines the text has (a text without a line break has one). */
  get lineCount(): number {
    return this.starts.length;
  }

  /** The offset where line `line` starts (the text's length past the last line). */
  offsetAt(line: number): number {
    return this.starts[line] ?? this.text.length;
  }

  /** The text of line `line` without its line break ('' past the last line). */
  lineText(line: number): string {
    const starts = this.starts;
    if (line >= starts.length) return '';
    const start = starts[line];
    let end = line + 1 < starts.length ? starts[line + 1] : this.text.length;
    while (end > start && (this.text[end - 1] === '\n' || this.text[end - 1] === '\r')) end--;
    return this.text.slice(start, end);
  }

  /** The whole of line `line` without its line break. */
  lineRange(line: number): Range {
    const starts = this.starts;
    const start = starts[Math.min(line, starts.length - 1)];
    let end = line + 1 < starts.length ? starts[line + 1] : this.text.length;
    while (end > start && (this.text[end - 1] === '\n' || this.text[end - 1] === '\r')) end--;
    return this.range(start, end);
  }
}

/** Line starts after \n, \r\n and a lone \r, as LSP counts lines. */
function lineStarts(text: string): number[] {
  const starts = [0];
  if (!text.includes('\r')) {
    // The common case, with the native search: several times faster than a loop over every character.
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) starts.push(i + 1);
  }
  return starts;
}
