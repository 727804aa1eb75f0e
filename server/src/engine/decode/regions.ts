// Where PEM blocks are in a text, with their offsets, including blocks that do not decode (an END
// line missing, bad base64): a hover, a fold or an outline entry needs the place even then.
import { parsePem, type PemBlock } from '../pki/pem';

export interface PemRegion {
  /** Offset of "-----BEGIN". */
  start: number;
  /** Offset just past the END marker (or the end of the last body line when there is none). */
  end: number;
  label: string;
  block?: PemBlock;
  /** Why the block does not decode as PEM (never quotes its content beyond one character). */
  problem?: string;
}

const MARKER_RE = /-----(BEGIN|END) ([^\r\n]*?)-----/g;
const MAX_REGIONS = 10_000;

/** Where the body of an unterminated block ends: the last line (before `limit`) that looks like base64 or a header. */
function bodyEnd(text: string, begin: number, limit: number): number {
  let end = text.indexOf('\n', begin);
  if (end < 0 || end > limit) return trimEnd(text, limit, begin);
  let pos = end + 1;
  let headers = true; // RFC 1421 headers (Proc-Type, DEK-Info) come first, then a blank line, then the base64
  let sawHeader = false;
  while (pos < limit) {
    let next = text.indexOf('\n', pos);
    if (next < 0 || next > limit) next = limit;
    const line = text.slice(pos, next).trim();
    const isHeader = headers && /^[A-Za-z0-9-]+:/.test(line) && !/^[A-Za-z0-9+/=]+$/.test(line);
    const blankAfterHeaders = headers && sawHeader && line === '';
    if (!isHeader && !blankAfterHeaders && !/^[A-Za-z0-9+/=]+$/.test(line)) break;
    if (isHeader) sawHeader = true;
    else headers = false;
    end = next;
    pos = next + 1;
  }
  return trimEnd(text, end, begin);
}

function trimEnd(text: string, end: number, floor: number): number {
  while (end > floor && /\s/.test(text[end - 1])) end--;
  return end;
}

function decodeRegion(text: string, start: number, end: number, label: string): PemRegion {
  const parsed = parsePem(text.slice(start, end));
  const block = parsed.blocks[0];
  if (block) return { start, end, label, block: { ...block, start: block.start + start, end: block.end + start } };
  const problem = (parsed.problems[0] ?? `PEM block '${label}' does not decode`).replace(/ at line \d+/, '');
  return { start, end, label, problem };
}

export function pemRegions(text: string): PemRegion[] {
  const out: PemRegion[] = [];
  if (!text.includes('-----BEGIN ')) return out;
  let open: { label: string; start: number } | undefined;
  MARKER_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = MARKER_RE.exec(text)) !== null && out.length < MAX_REGIONS) {
    const label = m[2].trim();
    if (m[1] === 'BEGIN') {
      if (open) {
        out.push({
          start: open.start,
          end: bodyEnd(text, open.start, m.index),
          label: open.label,
          problem: `PEM block '${open.label}' has no END line`,
        });
      }
      open = { label, start: m.index };
      continue;
    }
    if (!open) continue;
    const end = m.index + m[0].length;
    if (label !== open.label) {
      out.push({
        start: open.start,
        end,
        label: open.label,
        problem: `PEM block '${open.label}' ends with 'END ${label}' instead of 'END ${open.label}'`,
      });
    } else {
      out.push(decodeRegion(text, open.start, end, open.label));
    }
    open = undefined;
  }
  if (open && out.length < MAX_REGIONS) {
    out.push({
      start: open.start,
      end: bodyEnd(text, open.start, text.length),
      label: open.label,
      problem: `PEM block '${open.label}' has no END line`,
    });
  }
  return out;
}
