// Base64 as the Kubernetes programs decode it: Go's encoding/base64 StdEncoding, which encoding/json (and
// sigs.k8s.io/json, its fork the apiserver, kubectl and client-go's kubeconfig loader use) applies to every
// []byte field: a webhook's caBundle, a Secret's data, a ConfigMap's binaryData, a kubeconfig's *-data.
// Follows src/encoding/base64/base64.go (Encoding.Decode, decodeQuantum) byte for byte: '\r' and '\n' are
// skipped anywhere, any other character outside the alphabet (a space, a tab, '-', '_') is illegal, padding
// is required ("QQ" is refused, "QQ==" is one byte), nothing may follow the padding but line breaks, and the
// error is Go's own: "illegal base64 data at input byte N" (N counts bytes of the UTF-8 text).

export type GoBase64 = { ok: true; bytes: Buffer } | { ok: false; offset: number; error: string };

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const VALUE = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) VALUE[ALPHABET.charCodeAt(i)] = i;
const PAD = 0x3d; // '='
const LF = 0x0a;
const CR = 0x0d;

function corrupt(offset: number): GoBase64 {
  return { ok: false, offset, error: `illegal base64 data at input byte ${offset}` };
}

/** base64.StdEncoding.DecodeString(text): the bytes, or Go's CorruptInputError with its offset. */
export function goBase64Decode(text: string): GoBase64 {
  const src = Buffer.from(text, 'utf8');
  const out = Buffer.alloc(Math.floor(src.length / 4) * 3 + 3);
  const len = src.length;
  const isNewline = (c: number) => c === LF || c === CR;
  let n = 0;
  let si = 0;
  while (si < len) {
    // decodeQuantum: up to four alphabet characters, line breaks skipped.
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let trailing: number | undefined;
    for (let j = 0; j < 4; j++) {
      if (si === len) {
        if (j === 0) return { ok: true, bytes: out.subarray(0, n) };
        // StdEncoding pads: a quantum cut short is corrupt where it started.
        return corrupt(si - j);
      }
      const c = src[si++];
      const v = VALUE[c];
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (isNewline(c)) {
        j--;
        continue;
      }
      if (c !== PAD) return corrupt(si - 1);
      // Padding: it ends the data.
      if (j === 0 || j === 1) return corrupt(si - 1);
      if (j === 2) {
        // "==" is expected; the first '=' is consumed.
        while (si < len && isNewline(src[si])) si++;
        if (si === len) return corrupt(len);
        if (src[si] !== PAD) return corrupt(si - 1);
        si++;
      }
      while (si < len && isNewline(src[si])) si++;
      if (si < len) trailing = si;
      dlen = j;
      break;
    }
    const val = (dbuf[0] << 18) | (dbuf[1] << 12) | (dbuf[2] << 6) | dbuf[3];
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    for (let k = 0; k < dlen - 1; k++) out[n++] = bytes[k];
    if (trailing !== undefined) return corrupt(trailing);
  }
  return { ok: true, bytes: out.subarray(0, n) };
}
