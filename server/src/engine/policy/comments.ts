// Inline ignores in a YAML document's comments:
//   key: value   # kube-pki-ignore CODE[,CODE] [-- reason]     the findings on this line
//   # kube-pki-ignore CODE[,CODE] [-- reason]                  alone on a line: the findings on the next line
//   # kube-pki-ignore-file CODE[,CODE] [-- reason]             among the file's leading comments: the whole file
// Comments are found with the yaml library's CST (a `#` inside a block scalar or a quoted string is content, not a
// comment). A multi-line scalar (a PEM block scalar, a folded base64 value) belongs to the line it starts on, so
// an ignore above `tls.crt: |` covers the findings inside its block.
import { Parser } from 'yaml';
import type { Range } from '../types';
import { LineIndex } from '../parse/text';

export const IGNORE = 'kube-pki-ignore';
export const IGNORE_FILE = 'kube-pki-ignore-file';

export interface IgnoreCode {
  code: string;
  range: Range;
}

export interface IgnoreComment {
  scope: 'line' | 'file';
  codes: IgnoreCode[];
  reason?: string;
  /** The whole comment. */
  range: Range;
  /** The line (0-based) whose findings it covers; -1 when none (a comment alone at the end of the file). */
  target: number;
  /** A -file ignore below the file's leading comments: it suppresses nothing. */
  misplaced?: boolean;
  /** Alone on its line (else at the end of a line of content). */
  ownLine: boolean;
}

/** The lines of a multi-line scalar after its first, and the line it starts on (where its key usually is). */
export interface ScalarLines {
  first: number;
  last: number;
  owner: number;
}

export interface DocumentComments {
  ignores: IgnoreComment[];
  scalars: ScalarLines[];
  /** Positions and lines of the text. */
  lines: LineIndex;
  /** Lines (0-based) holding only a comment or nothing. */
  isBlankOrComment(line: number): boolean;
}

const IGNORE_RE = /^#\s*kube-pki-ignore(-file)?(?![\w-])\s*:?(.*)$/;

/** The kube-pki-ignore comments and the multi-line scalars of a YAML text. */
export function scanDocument(text: string): DocumentComments {
  const lines = new LineIndex(text);
  const comments: Array<{ offset: number; source: string }> = [];
  const scalars: ScalarLines[] = [];
  const at = (offset: number) => lines.positionAt(offset);
  const walk = (t: unknown): void => {
    if (Array.isArray(t)) {
      for (const x of t) walk(x);
      return;
    }
    if (!t || typeof t !== 'object') return;
    const token = t as { type?: string; offset?: number; source?: string };
    if (token.type === 'comment' && typeof token.offset === 'number' && typeof token.source === 'string') {
      comments.push({ offset: token.offset, source: token.source });
    } else if (typeof token.offset === 'number' && typeof token.source === 'string' && token.source.includes('\n')) {
      const owner = at(token.offset).line;
      if (token.type === 'block-scalar') {
        // The source is the content below the header line.
        const n = token.source.endsWith('\n') ? token.source.split('\n').length - 1 : token.source.split('\n').length;
        if (n > 0) scalars.push({ first: owner + 1, last: owner + n, owner });
      } else if (token.type === 'scalar' || token.type === 'single-quoted-scalar' || token.type === 'double-quoted-scalar') {
        const end = at(token.offset + token.source.length).line;
        if (end > owner) scalars.push({ first: owner + 1, last: end, owner });
      }
    }
    for (const key of Object.keys(token)) {
      const v = (token as Record<string, unknown>)[key];
      if (v && typeof v === 'object') walk(v);
    }
  };
  try {
    for (const token of new Parser().parse(text)) walk(token);
  } catch {
    // A text the CST cannot read has no ignores we can trust.
  }

  const lineCache = new Map<number, boolean>();
  const isBlankOrComment = (line: number): boolean => {
    let v = lineCache.get(line);
    if (v === undefined) {
      const s = lines.lineText(line).trim();
      v = s === '' || s.startsWith('#');
      lineCache.set(line, v);
    }
    return v;
  };
  // The leading region: blank lines, comments, `---` and directives before the first line of content.
  let leadingEnd = lines.lineCount;
  for (let line = 0; line < lines.lineCount; line++) {
    const s = lines.lineText(line).trim();
    if (s === '' || s.startsWith('#') || s.startsWith('%') || /^---(\s+#.*)?$/.test(s)) continue;
    leadingEnd = line;
    break;
  }

  const ignores: IgnoreComment[] = [];
  for (const c of comments) {
    const m = IGNORE_RE.exec(c.source);
    if (!m) continue;
    const start = at(c.offset);
    const range = { start, end: at(c.offset + c.source.length) };
    const ownLine = lines.lineText(start.line).slice(0, start.character).trim() === '';
    const rest = m[2];
    const sep = rest.search(/\s--(\s|$)/);
    const codesPart = sep >= 0 ? rest.slice(0, sep) : rest;
    const reason = sep >= 0 ? rest.slice(sep).replace(/^\s--\s*/, '').trim() : undefined;
    const codes: IgnoreCode[] = [];
    const base = c.offset + c.source.length - rest.length;
    for (const cm of codesPart.matchAll(/[^\s,]+/g)) {
      const offset = base + (cm.index ?? 0);
      codes.push({ code: cm[0], range: { start: at(offset), end: at(offset + cm[0].length) } });
    }
    const scope = m[1] ? 'file' : 'line';
    let target = -1;
    if (scope === 'line') {
      if (!ownLine) target = start.line;
      else {
        for (let line = start.line + 1; line < lines.lineCount; line++) {
          if (!isBlankOrComment(line)) {
            target = line;
            break;
          }
        }
      }
    }
    ignores.push({
      scope,
      codes,
      reason: reason || undefined,
      range,
      target,
      misplaced: scope === 'file' && (!ownLine || start.line >= leadingEnd) ? true : undefined,
      ownLine,
    });
  }
  return { ignores, scalars, lines, isBlankOrComment };
}

/** The line a finding starting on `line` belongs to: the first line of the multi-line scalar holding it, or itself. */
export function ownerLine(scalars: ScalarLines[], line: number): number {
  for (const s of scalars) if (line >= s.first && line <= s.last) return s.owner;
  return line;
}
