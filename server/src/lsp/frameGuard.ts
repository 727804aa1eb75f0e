// A guard in front of vscode-jsonrpc's stream reader. The reader trusts the Content-Length header: a negative
// one, or one that is not a number, leaves it waiting for a body that can never come (the server, alive, goes
// deaf), and a huge one makes it buffer whatever follows. This Transform parses the header blocks itself,
// passes well-formed frames through byte for byte (header block as received, then exactly Content-Length bytes
// of body, streamed without being buffered here), and drops a frame whose header is not usable: no
// Content-Length, one that is negative, not a plain integer, or over MAX_BODY_BYTES, a header line without
// ':', a header block that never ends. After a drop it discards bytes up to the next `Content-Length:` and
// reads on from there, so a confused client loses one message, not the connection.
import { Transform, type TransformCallback } from 'node:stream';

/** The largest body accepted: far above any real document (the server refuses to check configs over 16 MB). */
export const MAX_BODY_BYTES = 256 * 1024 * 1024;
/** A header block longer than this is not one. */
const MAX_HEADER_BYTES = 16 * 1024;
const TERMINATOR = Buffer.from('\r\n\r\n');
const MARKER = 'content-length:';

export interface FrameGuardOptions {
  maxBodyBytes?: number;
  /** Told once per dropped frame, with a reason that quotes none of the message's content. */
  onDrop?: (reason: string) => void;
}

export class FrameGuard extends Transform {
  private readonly maxBody: number;
  private readonly onDrop: (reason: string) => void;
  /** Bytes of a header block not yet complete (or, while resynchronising, the tail that may start a marker). */
  private pending: Buffer = Buffer.alloc(0);
  /** Body bytes still to pass through for the current frame. */
  private bodyLeft = 0;
  /** Discarding up to the next `Content-Length:`. */
  private resyncing = false;
  /** Frames dropped so far (for tests and logs). */
  dropped = 0;

  constructor(options: FrameGuardOptions = {}) {
    super();
    this.maxBody = options.maxBodyBytes ?? MAX_BODY_BYTES;
    this.onDrop = options.onDrop ?? (() => undefined);
  }

  override _transform(chunk: Buffer | string, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
      done();
    } catch (err) {
      // Never: every branch below is bounds-checked. Dropping what is pending keeps the stream alive.
      this.pending = Buffer.alloc(0);
      this.bodyLeft = 0;
      this.skipFrame(`internal error (${(err as Error)?.name ?? 'error'})`);
      done();
    }
  }

  private consume(data: Buffer): void {
    let buf = data;
    while (buf.length > 0) {
      if (this.bodyLeft > 0) {
        const n = Math.min(this.bodyLeft, buf.length);
        this.push(buf.subarray(0, n));
        this.bodyLeft -= n;
        buf = buf.subarray(n);
        continue;
      }
      const all = this.pending.length ? Buffer.concat([this.pending, buf]) : buf;
      this.pending = Buffer.alloc(0);
      buf = Buffer.alloc(0);
      if (this.resyncing) {
        const at = indexOfMarker(all);
        if (at < 0) {
          // Keep only what could be the start of a marker split across chunks.
          this.pending = Buffer.from(all.subarray(Math.max(0, all.length - (MARKER.length - 1))));
          return;
        }
        this.resyncing = false;
        buf = all.subarray(at);
        continue;
      }
      const end = all.indexOf(TERMINATOR);
      if (end < 0) {
        if (all.length > MAX_HEADER_BYTES) {
          this.skipFrame(`a header block over ${MAX_HEADER_BYTES} bytes without an end`);
          buf = all.subarray(1);
          continue;
        }
        this.pending = Buffer.from(all);
        return;
      }
      const headerEnd = end + TERMINATOR.length;
      const verdict = parseHeader(all.subarray(0, end).toString('latin1'), this.maxBody);
      if (typeof verdict === 'string') {
        this.skipFrame(verdict);
        // Looked for again from the next byte: junk glued before a good header costs only the junk.
        buf = all.subarray(1);
        continue;
      }
      this.push(Buffer.from(all.subarray(0, headerEnd)));
      this.bodyLeft = verdict;
      buf = all.subarray(headerEnd);
    }
  }

  override _flush(done: TransformCallback): void {
    // An incomplete header at the end of the stream is dropped silently: the client is gone.
    this.pending = Buffer.alloc(0);
    done();
  }

  private skipFrame(reason: string): void {
    this.dropped++;
    this.resyncing = true;
    try {
      this.onDrop(reason);
    } catch {
      // logging must not break the stream
    }
  }
}

/** The body length of a usable header block, or why it is not usable. */
function parseHeader(block: string, maxBody: number): number | string {
  let length: number | undefined;
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) return 'a header line without a name and ":"';
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,16}$/.test(value)) return `Content-Length is not a non-negative integer (${describe(value)})`;
    const n = Number(value);
    if (n > maxBody) return `Content-Length ${n} is over the ${maxBody}-byte limit`;
    if (length !== undefined && length !== n) return 'two different Content-Length headers';
    length = n;
  }
  if (length === undefined) return 'a header block without Content-Length';
  return length;
}

/** A header value for the log: short, printable ASCII only. */
function describe(value: string): string {
  const shown = value.slice(0, 24).replace(/[^\x20-\x7e]/g, '?');
  return `"${shown}"${value.length > 24 ? '…' : ''}`;
}

/** Where the next `Content-Length:` starts (any case), or -1. */
function indexOfMarker(buf: Buffer): number {
  const text = buf.toString('latin1').toLowerCase();
  return text.indexOf(MARKER);
}
