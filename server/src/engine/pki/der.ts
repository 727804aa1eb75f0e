// A small, strict-enough DER reader. Every read is bounds-checked; anything malformed throws DerError,
// which callers turn into a message a user understands. No recursion depth is unbounded: callers walk
// the structures they expect, one level at a time.

export class DerError extends Error {}

export interface Tlv {
  /** Class bits (0 universal, 1 application, 2 context, 3 private). */
  cls: number;
  constructed: boolean;
  /** Tag number within the class. */
  tagNumber: number;
  /** Offset of the identifier octet in buf. */
  start: number;
  /** Offset of the first content octet. */
  valueStart: number;
  /** Offset just past the element. */
  end: number;
  buf: Buffer;
}

export const TAG = {
  BOOLEAN: 1,
  INTEGER: 2,
  BIT_STRING: 3,
  OCTET_STRING: 4,
  NULL: 5,
  OID: 6,
  UTF8String: 12,
  SEQUENCE: 16,
  SET: 17,
  NumericString: 18,
  PrintableString: 19,
  T61String: 20,
  IA5String: 22,
  UTCTime: 23,
  GeneralizedTime: 24,
  VisibleString: 26,
  UniversalString: 28,
  BMPString: 30,
} as const;

/** Reads one TLV starting at pos; the element must end at or before limit. */
export function readTlv(buf: Buffer, pos: number, limit: number = buf.length): Tlv {
  if (pos >= limit) throw new DerError('unexpected end of data');
  const start = pos;
  const first = buf[pos++];
  const cls = first >> 6;
  const constructed = (first & 0x20) !== 0;
  let tagNumber = first & 0x1f;
  if (tagNumber === 0x1f) {
    tagNumber = 0;
    let count = 0;
    for (;;) {
      if (pos >= limit) throw new DerError('truncated tag');
      const b = buf[pos++];
      tagNumber = tagNumber * 128 + (b & 0x7f);
      if (++count > 4) throw new DerError('tag number too large');
      if ((b & 0x80) === 0) break;
    }
  }
  if (pos >= limit) throw new DerError('truncated length');
  let len = buf[pos++];
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError('indefinite length is not allowed in DER');
    if (n > 4) throw new DerError('length too large');
    len = 0;
    for (let i = 0; i < n; i++) {
      if (pos >= limit) throw new DerError('truncated length');
      len = len * 256 + buf[pos++];
    }
  }
  const end = pos + len;
  if (end > limit) throw new DerError('element runs past the end of its container (truncated?)');
  return { cls, constructed, tagNumber, start, valueStart: pos, end, buf };
}

export function value(t: Tlv): Buffer {
  return t.buf.subarray(t.valueStart, t.end);
}

export function element(t: Tlv): Buffer {
  return t.buf.subarray(t.start, t.end);
}

/** The TLVs inside a constructed element (or inside an arbitrary byte range). */
export function children(t: Tlv, max = 100_000): Tlv[] {
  const out: Tlv[] = [];
  let pos = t.valueStart;
  while (pos < t.end) {
    const c = readTlv(t.buf, pos, t.end);
    out.push(c);
    pos = c.end;
    if (out.length > max) throw new DerError('too many elements');
  }
  return out;
}

/** Parses a whole buffer as exactly one element. */
export function parseOne(buf: Buffer, what = 'value'): Tlv {
  const t = readTlv(buf, 0, buf.length);
  if (t.end !== buf.length) throw new DerError(`trailing data after ${what}`);
  return t;
}

export function isUniversal(t: Tlv, tag: number): boolean {
  return t.cls === 0 && t.tagNumber === tag;
}

export function isContext(t: Tlv, n: number): boolean {
  return t.cls === 2 && t.tagNumber === n;
}

export function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || !isUniversal(t, tag)) throw new DerError(`${what}: unexpected ${t ? describeTag(t) : 'end of data'}`);
  return t;
}

export function describeTag(t: Tlv): string {
  const names: Record<number, string> = {
    1: 'BOOLEAN',
    2: 'INTEGER',
    3: 'BIT STRING',
    4: 'OCTET STRING',
    5: 'NULL',
    6: 'OBJECT IDENTIFIER',
    12: 'UTF8String',
    16: 'SEQUENCE',
    17: 'SET',
    19: 'PrintableString',
    22: 'IA5String',
    23: 'UTCTime',
    24: 'GeneralizedTime',
  };
  if (t.cls === 0) return names[t.tagNumber] ?? `universal tag ${t.tagNumber}`;
  if (t.cls === 2) return `[${t.tagNumber}]`;
  return `tag class ${t.cls} number ${t.tagNumber}`;
}

export function readOid(t: Tlv): string {
  const v = value(t);
  if (v.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  if (v.length > 128) throw new DerError('OBJECT IDENTIFIER too long');
  const parts: number[] = [];
  let acc = 0;
  let started = false;
  for (let i = 0; i < v.length; i++) {
    const b = v[i];
    if (!started && b === 0x80) throw new DerError('non-minimal OBJECT IDENTIFIER encoding');
    started = true;
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER / 256) throw new DerError('OBJECT IDENTIFIER arc too large');
    if ((b & 0x80) === 0) {
      parts.push(acc);
      acc = 0;
      started = false;
    } else if (i === v.length - 1) {
      throw new DerError('truncated OBJECT IDENTIFIER');
    }
  }
  const first = parts[0];
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts.slice(1)].join('.');
}

export function readBoolean(t: Tlv): boolean {
  const v = value(t);
  if (v.length !== 1) throw new DerError('BOOLEAN must be one octet');
  return v[0] !== 0;
}

/** INTEGER as a BigInt (two's complement). */
export function readBigInt(t: Tlv): bigint {
  const v = value(t);
  if (v.length === 0) throw new DerError('empty INTEGER');
  let n = 0n;
  for (const b of v) n = (n << 8n) | BigInt(b);
  if (v[0] & 0x80) n -= 1n << BigInt(v.length * 8);
  return n;
}

/** Small non-negative INTEGER; throws when negative or larger than 2^31. */
export function readSmallInt(t: Tlv): number {
  const n = readBigInt(t);
  if (n < 0n || n > 0x7fffffffn) throw new DerError('INTEGER out of range');
  return Number(n);
}

export interface BitString {
  unusedBits: number;
  bytes: Buffer;
}

export function readBitString(t: Tlv): BitString {
  const v = value(t);
  if (v.length === 0) throw new DerError('empty BIT STRING');
  const unusedBits = v[0];
  if (unusedBits > 7) throw new DerError('BIT STRING with more than 7 unused bits');
  if (v.length === 1 && unusedBits !== 0) throw new DerError('empty BIT STRING with unused bits');
  return { unusedBits, bytes: v.subarray(1) };
}

export function bitAt(bs: BitString, i: number): boolean {
  const byte = i >> 3;
  if (byte >= bs.bytes.length) return false;
  if (byte === bs.bytes.length - 1 && (i & 7) >= 8 - bs.unusedBits) return false;
  return (bs.bytes[byte] & (0x80 >> (i & 7))) !== 0;
}

/** UTCTime / GeneralizedTime, tolerant of missing seconds, fractions and +hhmm offsets. */
export function readTime(t: Tlv): Date {
  const s = value(t).toString('latin1');
  let m: RegExpMatchArray | null;
  let year: number;
  let rest: string;
  if (isUniversal(t, TAG.UTCTime)) {
    m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(Z|[+-]\d{4})$/);
    if (!m) throw new DerError(`malformed UTCTime "${printable(s)}"`);
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
    rest = '';
  } else if (isUniversal(t, TAG.GeneralizedTime)) {
    m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})?$/);
    if (!m) throw new DerError(`malformed GeneralizedTime "${printable(s)}"`);
    year = Number(m[1]);
    rest = m[7] ?? '';
  } else {
    throw new DerError(`expected a time, got ${describeTag(t)}`);
  }
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] ? Number(m[6]) : 0;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    throw new DerError(`time out of range "${printable(s)}"`);
  }
  const zone = isUniversal(t, TAG.UTCTime) ? m[7] : (m[8] ?? 'Z');
  const ms = rest ? Math.round(Number('0.' + rest) * 1000) : 0;
  let time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // Date.UTC maps years 0..99 to 1900..1999
  if (year < 100) {
    const d = new Date(time);
    d.setUTCFullYear(year);
    time = d.getTime();
  }
  if (zone !== 'Z') {
    const sign = zone[0] === '+' ? 1 : -1;
    const offMin = Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5));
    time -= sign * offMin * 60_000;
  }
  return new Date(time);
}

/** Makes arbitrary bytes safe to quote in a message. */
export function printable(s: string, max = 80): string {
  const clean = s.replace(/[\x00-\x1f\x7f-\x9f]/g, '?');
  return clean.length > max ? clean.slice(0, max) + '…' : clean;
}

/** Decodes the ASN.1 string types used in names. Returns undefined when the bytes are not valid for the type. */
export function readString(t: Tlv): { text: string; valid: boolean } {
  const v = value(t);
  if (t.cls !== 0) return { text: v.toString('latin1'), valid: false };
  switch (t.tagNumber) {
    case TAG.UTF8String: {
      const text = v.toString('utf8');
      return { text, valid: Buffer.from(text, 'utf8').equals(v) };
    }
    case TAG.PrintableString: {
      const text = v.toString('latin1');
      return { text, valid: /^[A-Za-z0-9 '()+,\-./:=?*&]*$/.test(text) };
    }
    case TAG.IA5String:
    case TAG.VisibleString:
    case TAG.NumericString: {
      const text = v.toString('latin1');

      return { text, valid: /^[\x00-\x7f]*$/.test(text) };
    }
    case TAG.T61String:
      return { text: v.toString('latin1'), valid: true };
    case TAG.BMPString: {
      if (v.length % 2 !== 0) return { text: v.toString('latin1'), valid: false };
      let text = '';
      for (let i = 0; i + 1 < v.length; i += 2) text += String.fromCharCode((v[i] << 8) | v[i + 1]);
      return { text: text.replace(/\0+$/, ''), valid: true };
    }
    case TAG.UniversalString: {
      if (v.length % 4 !== 0) return { text: v.toString('latin1'), valid: false };
      let text = '';
      for (let i = 0; i + 3 < v.length; i += 4) {
        const cp = v.readUInt32BE(i);
        text += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
      return { text, valid: true };
    }
    default:
      return { text: v.toString('latin1'), valid: false };
  }
}
