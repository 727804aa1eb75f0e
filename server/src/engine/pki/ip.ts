// IP addresses the way Go's net package reads and prints them (net.ParseIP, net.IP.String, net.IP.Equal).

/** IPv4 dotted quad without leading zeros (Go rejects "010.0.0.1"); 4 bytes, or undefined. */
function parseIPv4(s: string): Buffer | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = Buffer.alloc(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i];
    if (!/^\d{1,3}$/.test(p)) return undefined;
    if (p.length > 1 && p[0] === '0') return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

/** IPv6 text (optionally with a trailing dotted IPv4); 16 bytes, or undefined. Zones are not accepted (as Go). */
function parseIPv6(s: string): Buffer | undefined {
  if (s.length < 2 || s.length > 45) return undefined;
  let tail: Buffer | undefined;
  let text = s;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    tail = parseIPv4(text.slice(lastColon + 1));
    if (!tail) return undefined;
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const dbl = text.indexOf('::');
  if (dbl !== -1 && text.indexOf('::', dbl + 1) !== -1) return undefined;
  const parseGroups = (g: string): number[] | undefined => {
    if (g === '') return [];
    const out: number[] = [];
    for (const h of g.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(h)) return undefined;
      out.push(parseInt(h, 16));
    }
    return out;
  };
  let groups: number[];
  if (dbl === -1) {
    const g = parseGroups(text);
    if (!g || g.length !== 8) return undefined;
    groups = g;
  } else {
    const head = parseGroups(text.slice(0, dbl));
    const rest = parseGroups(text.slice(dbl + 2));
    if (!head || !rest || head.length + rest.length > 7) return undefined;
    groups = [...head, ...new Array(8 - head.length - rest.length).fill(0), ...rest];
  }
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  if (tail) tail.copy(out, 12);
  return out;
}

/** Like Go's net.ParseIP: 4 bytes for IPv4 text, 16 bytes for IPv6 text, undefined when not an IP literal. */
export function parseIP(s: string): Buffer | undefined {
  if (s.includes(':')) return parseIPv6(s);
  if (s.includes('.')) return parseIPv4(s);
  return undefined;
}

const V4_MAPPED_PREFIX = Buffer.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff]);

/** The IPv4 bytes of a 4-byte address or an IPv4-mapped IPv6 address; otherwise undefined. */
export function toV4(ip: Buffer): Buffer | undefined {
  if (ip.length === 4) return ip;
  if (ip.length === 16 && ip.subarray(0, 12).equals(V4_MAPPED_PREFIX)) return ip.subarray(12);
  return undefined;
}

/** Go's net.IP.Equal: an IPv4 address equals its IPv4-mapped IPv6 form. */
export function ipEqual(a: Buffer, b: Buffer): boolean {
  if (a.length === b.length) return a.equals(b);
  const a4 = toV4(a);
  const b4 = toV4(b);
  return !!a4 && !!b4 && a4.equals(b4);
}

/** Go's net.IP.String: dotted IPv4 (also for IPv4-mapped IPv6), RFC 5952 IPv6, "?" + hex otherwise. */
export function formatIP(ip: Buffer): string {
  const v4 = toV4(ip);
  if (v4) return `${v4[0]}.${v4[1]}.${v4[2]}.${v4[3]}`;
  if (ip.length !== 16) return ip.length === 0 ? '<nil>' : '?' + ip.toString('hex');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(ip.readUInt16BE(i));
  // Longest run of zero groups (at least two), the first one when tied.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

/** Number of leading one bits when mask is a valid prefix mask (ones then zeros), else undefined. */
export function maskPrefixLength(mask: Buffer): number | undefined {
  let n = 0;
  let seenZero = false;
  for (const b of mask) {
    if (seenZero) {
      if (b !== 0) return undefined;
      continue;
    }
    if (b === 0xff) {
      n += 8;
      continue;
    }
    const ones = [0x00, 0x80, 0xc0, 0xe0, 0xf0, 0xf8, 0xfc, 0xfe].indexOf(b);
    if (ones === -1) return undefined;
    n += ones;
    seenZero = true;
  }
  return n;
}

/** CIDR text of an IP constraint, e.g. 10.0.0.0/8 (4-byte addresses printed dotted, like Go's IPNet.String). */
export function formatCidr(ip: Buffer, mask: Buffer): string {
  const prefix = maskPrefixLength(mask);
  const text = ip.length === 4 ? `${ip[0]}.${ip[1]}.${ip[2]}.${ip[3]}` : formatIP(ip);
  return prefix === undefined ? `${text}/${mask.toString('hex')}` : `${text}/${prefix}`;
}
