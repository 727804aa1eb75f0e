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

const BEGIN_RE = /-----BEGIN ([^\r\n]*?)-----/g;
const END_RE = /-----END ([^\r\n]*?)-----/g;
const MAX_BLOCKS = 10_000;

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

  BEGIN_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let searchFrom = 0;
  while ((m = BEGIN_RE.exec(text)) !== null) {
    if (m.index < searchFrom) continue;
    if (blocks.length + problems.length >= MAX_BLOCKS) {
      problems.push(`more than ${MAX_BLOCKS} PEM blocks; the rest were ignored`);
      break;
    }
    const label = m[1].trim();
    const start = m.index;
    const bodyStart = m.index + m[0].length;
    const where = `PEM block '${label}' at line ${line(start)}`;

    // The END marker must come before the next BEGIN marker.
    END_RE.lastIndex = bodyStart;
    const endMatch = END_RE.exec(text);
    const nextBegin = text.indexOf('-----BEGIN ', bodyStart);
    if (!endMatch || (nextBegin !== -1 && nextBegin < endMatch.index)) {
      problems.push(`${where} has no END line`);
      BEGIN_RE.lastIndex = bodyStart;
      continue;
    }
    const end = endMatch.index + endMatch[0].length;
    searchFrom = end;
    BEGIN_RE.lastIndex = end;
    const endLabel = endMatch[1].trim();
    if (endLabel !== label) {
      problems.push(`${where} ends with 'END ${endLabel}' instead of 'END ${label}'`);
      continue;
    }

    let body = text.slice(bodyStart, endMatch.index);
    // PEM inside a JSON or double-quoted YAML string: literal \n escapes stand for line breaks.
    if (body.includes('\\n')) body = body.replace(/\\r|\\n/g, (e) => (e === '\\n' ? '\n' : ''));
    const lines = body.split(/\r?\n|\r/).map((l) => l.trim());
    // A BEGIN marker at the end of a line leaves an empty first entry.
    let i = 0;
    while (i < lines.length && lines[i] === '') i++;
    const headers: Record<string, string> = {};
    // RFC 1421 headers: "Name: value" lines (with continuation lines) up to a blank line.
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
    if (b64 === '') {
      problems.push(`${where} is empty`);
      continue;
    }
    const bad = b64.search(/[^A-Za-z0-9+/=]/);
    if (bad !== -1) {
      problems.push(`bad base64 in ${where}: unexpected character '${printableChar(b64[bad])}'`);
      continue;
    }
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) {
      problems.push(`bad base64 in ${where}: '=' padding in the middle of the data`);
      continue;
    }
    if (b64.length % 4 !== 0) {
      problems.push(`bad base64 in ${where}: ${b64.length} characters is not a multiple of 4 (truncated or missing padding)`);
      continue;
    }
    const der = Buffer.from(b64, 'base64');
    blocks.push({ label, der, headers, start, end });
  }
  return { blocks, problems };
}

function printableChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code < 32 || code === 127) return `\\x${code.toString(16).padStart(2, '0')}`;
  return c;
}
