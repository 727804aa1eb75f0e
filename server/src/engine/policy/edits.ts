// The edits behind the editor's "Ignore CODE on this line", "Ignore CODE in this file" and "Remove this
// ignore" quick fixes. The engine computes them so every adapter writes the same comment; the language server
// only wraps them in a WorkspaceEdit. An IgnoreEditor reads the text's comments once for every edit asked of it
// (a code-action request covers several diagnostics); the new ignore goes where scanDocument's ignores look, so
// the quick fix and the matching agree (an ignore above a `---` covers the next document's first line).
import type { Position, Range } from '../types';
import { IGNORE, IGNORE_FILE, ownerLine, scanDocument, type DocumentComments, type IgnoreComment } from './comments';

export interface TextEdit {
  range: Range;
  newText: string;
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Adds `code` to an ignore comment: after its last code (undefined when it already names it). */
function addTo(ig: IgnoreComment, code: string): TextEdit | undefined {
  if (ig.codes.some((c) => c.code === code)) return undefined;
  const last = ig.codes[ig.codes.length - 1];
  if (last) return { range: { start: last.range.end, end: last.range.end }, newText: `,${code}` };
  return undefined;
}

/** The quick fixes' edits for one text, its comments read once. */
export class IgnoreEditor {
  private scanned: DocumentComments | undefined;

  constructor(private readonly text: string) {}

  private get scan(): DocumentComments {
    return (this.scanned ??= scanDocument(this.text));
  }

  /**
   * The edit that makes a finding (its code, where it starts) ignored: `# kube-pki-ignore CODE` alone on the line
   * above, with that line's indentation (above the key that owns a multi-line scalar, never inside a block
   * scalar), or added to the ignore already covering that line; for `file`, `# kube-pki-ignore-file CODE` at the
   * top. Undefined when the finding is ignored that way already.
   */
  ignoreEdit(finding: { code: string; range: Range }, scope: 'line' | 'file'): TextEdit | undefined {
    const scan = this.scan;
    const eol = eolOf(this.text);
    if (scope === 'file') {
      const existing = scan.ignores.find((ig) => ig.scope === 'file' && !ig.misplaced && ig.codes.length > 0);
      if (existing) return addTo(existing, finding.code);
      return { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: `# ${IGNORE_FILE} ${finding.code}${eol}` };
    }
    const anchor = ownerLine(scan.scalars, finding.range.start.line);
    const existing = scan.ignores.find((ig) => ig.scope === 'line' && ig.target === anchor && ig.codes.length > 0);
    if (existing) return addTo(existing, finding.code);
    const line = scan.lines.lineText(anchor);
    const indent = /^[ \t]*/.exec(line)![0];
    const at: Position = { line: anchor, character: 0 };
    return { range: { start: at, end: at }, newText: `${indent}# ${IGNORE} ${finding.code}${eol}` };
  }

  /**
   * The edit that removes what an ignore-unused finding (starting at `at`) points at: the one code from a comment
   * that names others too, else the whole comment (its whole line when it is alone on it).
   */
  removeIgnoreEdit(at: Position): TextEdit | undefined {
    const scan = this.scan;
    const inside = (r: Range) =>
      (at.line > r.start.line || (at.line === r.start.line && at.character >= r.start.character)) &&
      (at.line < r.end.line || (at.line === r.end.line && at.character <= r.end.character));
    const ig = scan.ignores.find((i) => inside(i.range));
    if (!ig) return undefined;
    const idx = ig.codes.findIndex((c) => inside(c.range));
    if (idx >= 0 && ig.codes.length > 1 && !ig.misplaced) {
      // `a,b,c` -> drop `b` and the separator before it (after it, for the first).
      const code = ig.codes[idx];
      const start = idx > 0 ? ig.codes[idx - 1].range.end : code.range.start;
      const end = idx > 0 ? code.range.end : ig.codes[idx + 1].range.start;
      return { range: { start, end }, newText: '' };
    }
    const line = ig.range.start.line;
    if (ig.ownLine) {
      const next = line + 1 < scan.lines.lineCount ? { line: line + 1, character: 0 } : { line, character: scan.lines.lineText(line).length };
      return { range: { start: { line, character: 0 }, end: next }, newText: '' };
    }
    // At the end of a line of content: the comment and the blanks before it.
    const before = scan.lines.lineText(line).slice(0, ig.range.start.character);
    const start = before.replace(/[ \t]+$/, '').length;
    return { range: { start: { line, character: start }, end: ig.range.end }, newText: '' };
  }
}

/** IgnoreEditor.ignoreEdit for a single edit. */
export function ignoreEdit(text: string, finding: { code: string; range: Range }, scope: 'line' | 'file'): TextEdit | undefined {
  return new IgnoreEditor(text).ignoreEdit(finding, scope);
}

/** IgnoreEditor.removeIgnoreEdit for a single edit. */
export function removeIgnoreEdit(text: string, at: Position): TextEdit | undefined {
  return new IgnoreEditor(text).removeIgnoreEdit(at);
}
