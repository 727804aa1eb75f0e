// Inline ignores in a YAML document's comments:
//   key: value   # kube-pki-ignore CODE[,CODE] [-- reason]     the findings on this line
//   # kube-pki-ignore CODE[,CODE] [-- reason]                  alone on a line: the findings on the next line
//   # kube-pki-ignore-file CODE[,CODE] [-- reason]             among the file's leading comments: the whole file
// Comments are found with the yaml library's CST (a `#` inside a block scalar or a quoted string is content, not a
// comment). A multi-line scalar (a PEM block scalar, a folded base64 value) belongs to the line it starts on, so
// an ignore above `tls.crt: |` covers the findings inside its block. An ignore alone on its line covers the next
// line of content: blank lines, comments, `---`/`...` markers and `%` directives are skipped, so one above a
// document separator covers the first line of the next document.
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
  /** Sorted by line (they never overlap): ownerLine searches them. */
  scalars: ScalarLines[];
  /** Positions and lines of the text. */
  lines: LineIndex;
  /** Lines (0-based) holding no content: blank, a comment, a `---` or `...` marker, a `%` directive. */
  isBlankOrComment(line: number): boolean;
}

/**
 * A line that holds no content of a document: blank, a comment, a document marker (`---`, `...`, with a comment
 * at most) or a directive (`%YAML`); markers and directives start at the first column.
 */
function holdsNoContent(line: string): boolean {
  const trimmed = line.trim();
  return trimmed === '' || trimmed.startsWith('#') || line.startsWith('%') || /^(---|\.\.\.)(\s+#.*)?\s*$/.test(line);
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

  // The CST lists them in document order; sorted anyway, as ownerLine's binary search needs.
  scalars.sort((a, b) => a.first - b.first);

  const lineCache = new Map<number, boolean>();
  const isBlankOrComment = (line: number): boolean => {
    let v = lineCache.get(line);
    if (v === undefined) {
      v = holdsNoContent(lines.lineText(line));
      lineCache.set(line, v);
    }
    return v;
  };
  // The leading region: blank lines, comments, `---` and directives before the first line of content.
  let leadingEnd = lines.lineCount;
  for (let line = 0; line < lines.lineCount; line++) {
    if (isBlankOrComment(line)) continue;
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
    const reason =
      sep >= 0
        ? rest
            .slice(sep)
            .replace(/^\s--\s*/, '')
            .trim()
        : undefined;
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

/**
 * The comments at the top of a text that is never parsed as a whole (over MAX_CONFIG_BYTES): only the leading
 * comments (at most 64 KB) are read, so a `kube-pki-ignore-file` there still applies; undefined when they hold no
 * ignore.
 */
export function scanLeadingComments(text: string): DocumentComments | undefined {
  const limit = Math.min(text.length, 64 * 1024);
  let end = 0;
  while (end < limit) {
    const nl = text.indexOf('\n', end);
    const next = nl < 0 || nl >= limit ? limit : nl + 1;
    if (!holdsNoContent(text.slice(end, next).replace(/\r?\n$/, ''))) break;
    end = next;
  }
  const head = text.slice(0, end);
  return head.includes(IGNORE) ? scanDocument(head) : undefined;
}

/**
 * The line a finding starting on `line` belongs to: the first line of the multi-line scalar holding it, or itself.
 * `scalars` sorted by `first` (scanDocument's): a binary search.
 */
export function ownerLine(scalars: ScalarLines[], line: number): number {
  let lo = 0;
  let hi = scalars.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = scalars[mid];
    if (line < s.first) hi = mid - 1;
    else if (line > s.last) lo = mid + 1;
    else return s.owner;
  }
  return line;
}
