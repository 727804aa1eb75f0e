// PEM blocks found in arbitrary text: files written by openssl (with a `-text` dump in front), PEM pasted
// into YAML block scalars (indented), CRLF line ends, several blocks in one file, RFC 1421 headers.

export interface PemBlock {
  label: string;
  der: Buffer;
  headers: Record<string, string>;
  /** Character offset of the "-----BEGIN" marker in the text. */
  start: number;
  /** Character offset just past the "-----END ...-----" marker. */
  end: number;
}

export interface PemParse {
  blocks: PemBlock[];
  problems: string[];
}

const MARKER_RE = /-----(BEGIN|END) ([^\r\n]*?)-----/g;
const MAX_BLOCKS = 10_000;
const MAX_PROBLEMS = 100;

export function looksLikePem(text: string): boolean {
  return /-----BEGIN [^\r\n]*-----/.test(text);
}

/** 1-based line number of a character offset (for messages). */
function lineAt(lineStarts: number[], offset: number): number {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function parsePem(text: string): PemParse {
  const blocks: PemBlock[] = [];
  const problems: string[] = [];
  if (!text.includes('-----BEGIN ')) return { blocks, problems };
  let lineStarts: number[] | undefined;
  const line = (off: number) => lineAt((lineStarts ??= computeLineStarts(text)), off);

  let suppressed = 0;
  const problem = (p: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
    else suppressed++;
  };

  // One pass over all markers, so the work stays linear whatever the text holds.
  MARKER_RE.lastIndex = 0;
  let open: { label: string; start: number; bodyStart: number } | undefined;
  let m: RegExpExecArray | null;
  while ((m = MARKER_RE.exec(text)) !== null) {
    if (blocks.length + problems.length + suppressed >= MAX_BLOCKS) {
      problems.push(`more than ${MAX_BLOCKS} PEM blocks; the rest were ignored`);
      open = undefined;
      break;
    }
    const label = m[2].trim();
    if (m[1] === 'BEGIN') {
      if (open) problem(`PEM block '${open.label}' at line ${line(open.start)} has no END line`);
      open = { label, start: m.index, bodyStart: m.index + m[0].length };
      continue;
    }
    if (!open) {
      problem(`'END ${label}' at line ${line(m.index)} has no BEGIN line`);
      continue;
    }
    const { start, bodyStart } = open;
    const beginLabel = open.label;
    open = undefined;
    const end = m.index + m[0].length;
    const where = `PEM block '${beginLabel}' at line ${line(start)}`;
    if (label !== beginLabel) {
      problem(`${where} ends with 'END ${label}' instead of 'END ${beginLabel}'`);
      continue;
    }
    const result = decodeBody(text.slice(bodyStart, m.index), where);
    if (typeof result === 'string') problem(result);
    else blocks.push({ label: beginLabel, der: result.der, headers: result.headers, start, end });
  }
  if (open) problem(`PEM block '${open.label}' at line ${line(open.start)} has no END line`);
  if (suppressed) problems.push(`${suppressed} more PEM problems not listed`);
  return { blocks, problems };
}

/** Headers and DER of a block body, or the problem with it. */
function decodeBody(rawBody: string, where: string): { der: Buffer; headers: Record<string, string> } | string {
  let body = rawBody;
  // PEM inside a JSON or double-quoted YAML string: literal \n escapes stand for line breaks.
  if (body.includes('\\n')) body = body.replace(/\\r|\\n/g, (e) => (e === '\\n' ? '\n' : ''));
  const lines = body.split(/\r?\n|\r/).map((l) => l.trim());
  // A BEGIN marker at the end of a line leaves an empty first entry.
  let i = 0;
  while (i < lines.length && lines[i] === '') i++;
  const headers: Record<string, string> = {};
  // RFC 1421 headers (Proc-Type, DEK-Info): "Name: value" lines up to a blank line.
  if (i < lines.length && /^[A-Za-z0-9-]+:/.test(lines[i]) && !/^[A-Za-z0-9+/=]+$/.test(lines[i])) {
    for (; i < lines.length; i++) {
      const l = lines[i];
      if (l === '') {
        i++;
        break;
      }
      const h = l.match(/^([A-Za-z0-9-]+):\s*(.*)$/);
      if (!h) break;
      headers[h[1]] = h[2];
    }
  }
  const b64 = lines.slice(i).join('').replace(/\s+/g, '');
  if (b64 === '') return `${where} is empty`;
  const bad = b64.search(/[^A-Za-z0-9+/=]/);
  if (bad !== -1) return `bad base64 in ${where}: unexpected character '${printableChar(b64[bad])}'`;
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return `bad base64 in ${where}: '=' padding in the middle of the data`;
  if (b64.length % 4 !== 0) return `bad base64 in ${where}: ${b64.length} characters is not a multiple of 4 (truncated or missing padding)`;
  return { der: Buffer.from(b64, 'base64'), headers };
}

function printableChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 32 || code === 127) return `\\x${code.toString(16).padStart(2, '0')}`;
  return c;
}
