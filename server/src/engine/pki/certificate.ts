// X.509 certificates: node:crypto's native X509Certificate decides whether the bytes are a certificate and
// does signature checks; the fields are read with our own DER reader, so raw names, SANs and every
// extension come out exactly as encoded (and one malformed extension never hides the others).

import { createHash, X509Certificate } from 'node:crypto';
import {
  bitAt,
  children,
  DerError,
  element,
  expect,
  isContext,
  isUniversal,
  parseOne,
  readBigInt,
  readBitString,
  readBoolean,
  readOid,
  readSmallInt,
  readString,
  readTime,
  readTlv,
  TAG,
  type Tlv,
  value,
} from './der';
import { formatCidr, formatIP, maskPrefixLength } from './ip';
import {
  CURVES,
  DN_ATTRIBUTE_NAMES,
  EKU_NAMES,
  GO_HANDLED_EXTENSIONS,
  HASH_OIDS,
  KEY_USAGE_NAMES,
  OID,
  OTHER_KEY_ALGORITHMS,
  PUBLIC_KEY_ALGORITHMS,
  SIGNATURE_ALGORITHMS,
} from './oids';

export interface DistinguishedName {
  commonName?: string;
  organizations: string[];
  organizationalUnits: string[];
  /** RFC 4514 order (most specific first), e.g. "CN=kube-apiserver, O=system:masters". */
  text: string;
}

export interface PublicKeyInfo {
  algorithm: 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | 'unknown';
  bits?: number;
  curve?: string;
  spkiDer: Buffer;
  description: string;
}

export interface NameConstraints {
  permittedDNS: string[];
  excludedDNS: string[];
  permittedIP: string[];
  excludedIP: string[];
  critical: boolean;
}

export interface Certificate {
  der: Buffer;
  sha256: string;
  subject: DistinguishedName;
  issuer: DistinguishedName;
  /** Upper-case hex as `openssl x509 -serial` prints it ('-' prefix for the negative serials Go rejects). */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  basicConstraintsPresent: boolean;
  pathLen?: number;
  keyUsage?: string[];
  extKeyUsage?: string[];
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
  emails: string[];
  nameConstraints?: NameConstraints;
  publicKey: PublicKeyInfo;
  signatureAlgorithm: { name: string; hash?: string };
  subjectKeyId?: string;
  authorityKeyId?: string;
  selfIssued: boolean;
  undecodableExtensions: string[];
  x509: X509Certificate;
  // ---- beyond the agreed API (additions only) ----
  /** 1, 2 or 3. */
  version: number;
  /** Critical extensions Go's crypto/x509 does not understand: Go refuses such a certificate ("x509: unhandled critical extension"). */
  unhandledCriticalExtensions: string[];
  /** When Go's x509.ParseCertificate would refuse these bytes, its error (e.g. "x509: negative serial number"). */
  goParseError?: string;
}

export class CertificateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateError';
  }
}

/** What verify needs beyond the public fields. Not part of the API. */
export interface CertInternals {
  rawSubject: Buffer;
  rawIssuer: Buffer;
  /** Raw value of the subjectAltName extension (for Go's alreadyInChain). */
  sanValue?: Buffer;
  ipBytes: Buffer[];
  /** Raw name-constraint data, for Go's matching. */
  nc?: {
    permittedDNS: string[];
    excludedDNS: string[];
    permittedIP: { ip: Buffer; mask: Buffer }[];
    excludedIP: { ip: Buffer; mask: Buffer }[];
    permittedEmail: string[];
    excludedEmail: string[];
    permittedURI: string[];
    excludedURI: string[];
  };
  /** Go's SignatureAlgorithm name, when Go knows the algorithm. */
  goSignatureAlgorithm?: string;
  sigKeyFamily?: string;
  serialDecimal: string;
  /** Go's KeyUsage bit set is non-zero (the extension is present with at least one bit). */
  keyUsageBits: number;
  /** OIDs of the extensions marked critical. */
  critical: Set<string>;
}

const internalsMap = new WeakMap<Certificate, CertInternals>();

export function certInternals(cert: Certificate): CertInternals {
  const i = internalsMap.get(cert);
  if (!i) throw new Error('not a certificate made by parseCertificate');
  return i;
}

// ---------------------------------------------------------------------------------------------------------
// Bounded LRU keyed by the SHA-256 of the DER.

const CACHE_LIMIT = 5000;
const cache = new Map<string, Certificate | CertificateError>();

function cacheGet(key: string): Certificate | CertificateError | undefined {
  const hit = cache.get(key);
  if (hit !== undefined) {
    cache.delete(key);
    cache.set(key, hit);
  }
  return hit;
}

function cachePut(key: string, v: Certificate | CertificateError): void {
  cache.set(key, v);
  if (cache.size > CACHE_LIMIT) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}

/** For tests and memory-pressure handlers. */
export function clearCertificateCache(): void {
  cache.clear();
}

export function parseCertificate(der: Buffer): Certificate {
  if (!Buffer.isBuffer(der)) der = Buffer.from(der as Uint8Array);
  const sha256 = createHash('sha256').update(der).digest('hex');
  const hit = cacheGet(sha256);
  if (hit instanceof CertificateError) throw new CertificateError(hit.message);
  if (hit) return hit;
  try {
    const cert = parseUncached(der, sha256);
    cachePut(sha256, cert);
    return cert;
  } catch (e) {
    const err = e instanceof CertificateError ? e : new CertificateError(`not a certificate: ${(e as Error).message}`);
    cachePut(sha256, err);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------

function parseUncached(input: Buffer, sha256: string): Certificate {
  // Own copy: callers may reuse their buffers.
  const der = Buffer.from(input);
  if (der.length === 0) throw new CertificateError('not a certificate: no data');
  if (der.subarray(0, 64).toString('latin1').includes('-----BEGIN')) {
    throw new CertificateError('not a certificate: got PEM text where DER was expected (decode it with parsePem first)');
  }
  let goParseError: string | undefined;
  const goFail = (msg: string) => {
    goParseError ??= msg;
  };

  let outer: Tlv;
  try {
    outer = readTlv(der, 0, der.length);
  } catch (e) {
    throw new CertificateError(`not a certificate: DER does not decode (${(e as Error).message})`);
  }
  if (!isUniversal(outer, TAG.SEQUENCE)) throw new CertificateError('not a certificate: DER does not start with a SEQUENCE');
  if (outer.end !== der.length) goFail('x509: trailing data');

  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(outer.end === der.length ? der : der.subarray(0, outer.end));
  } catch {
    throw new CertificateError('not a certificate: DER does not decode (truncated or not an X.509 certificate?)');
  }

  let parts: Tlv[];
  let tbsParts: Tlv[];
  try {
    parts = children(outer);
    if (parts.length !== 3) throw new DerError(`expected 3 elements in Certificate, found ${parts.length}`);
    expect(parts[0], TAG.SEQUENCE, 'tbsCertificate');
    expect(parts[1], TAG.SEQUENCE, 'signatureAlgorithm');
    expect(parts[2], TAG.BIT_STRING, 'signature');
    tbsParts = children(parts[0]);
  } catch (e) {
    throw new CertificateError(`not a certificate: DER does not decode (${(e as Error).message})`);
  }

  let idx = 0;
  let version = 1;
  try {
    if (tbsParts[0] && isContext(tbsParts[0], 0)) {
      const v = readBigInt(readTlv(der, tbsParts[0].valueStart, tbsParts[0].end));
      if (v < 0n) goFail('x509: malformed version');
      else if (v > 2n) goFail('x509: invalid version');
      version = Number(v < 0n || v > 2n ? 2n : v) + 1;
      idx++;
    }
  } catch {
    goFail('x509: malformed version');
  }
  const need = (what: string, tag: number): Tlv => {
    const t = tbsParts[idx++];
    try {
      return expect(t, tag, what);
    } catch (e) {
      throw new CertificateError(`not a certificate: DER does not decode (${(e as Error).message})`);
    }
  };

  const serialTlv = need('serialNumber', TAG.INTEGER);
  const serialValue = value(serialTlv);
  let serial = 0n;
  try {
    serial = readBigInt(serialTlv);
  } catch {
    goFail('x509: malformed serial number');
  }
  if (serial < 0n) goFail('x509: negative serial number');
  const serialNumber = formatSerial(serial, serialValue);

  const innerSigAlg = need('signature', TAG.SEQUENCE);
  if (!value(innerSigAlg).equals(value(parts[1]))) goFail("x509: inner and outer signature algorithm identifiers don't match");
  const sigInfo = describeSignatureAlgorithm(parts[1]);

  const issuerTlv = need('issuer', TAG.SEQUENCE);
  const issuer = parseName(issuerTlv, goFail);
  const validity = need('validity', TAG.SEQUENCE);
  let notBefore: Date;
  let notAfter: Date;
  try {
    const [nb, na] = children(validity);
    if (!nb || !na) throw new DerError('validity needs two times');
    checkGoTime(nb, goFail);
    checkGoTime(na, goFail);
    notBefore = readTime(nb);
    notAfter = readTime(na);
  } catch (e) {
    throw new CertificateError(`not a certificate: bad validity period (${(e as Error).message})`);
  }
  const subjectTlv = need('subject', TAG.SEQUENCE);
  const subject = parseName(subjectTlv, goFail);
  const spkiTlv = need('subjectPublicKeyInfo', TAG.SEQUENCE);
  const publicKey = parsePublicKeyInfo(element(spkiTlv), goFail);

  const cert: Certificate = {
    der,
    sha256,
    subject: subject.dn,
    issuer: issuer.dn,
    serialNumber,
    notBefore,
    notAfter,
    isCA: false,
    basicConstraintsPresent: false,
    dnsNames: [],
    ipAddresses: [],
    uris: [],
    emails: [],
    publicKey,
    signatureAlgorithm: sigInfo.hash ? { name: sigInfo.name, hash: sigInfo.hash } : { name: sigInfo.name },
    selfIssued: element(subjectTlv).equals(element(issuerTlv)),
    undecodableExtensions: [],
    x509,
    version,
    unhandledCriticalExtensions: [],
  };
  const internals: CertInternals = {
    rawSubject: element(subjectTlv),
    rawIssuer: element(issuerTlv),
    ipBytes: [],
    goSignatureAlgorithm: sigInfo.goName,
    sigKeyFamily: sigInfo.keyFamily,
    serialDecimal: serial.toString(),
    keyUsageBits: 0,
    critical: new Set(),
  };

  // What follows: optional issuer/subject unique IDs ([1], [2]), then the extensions ([3]).
  for (const t of tbsParts.slice(idx)) {
    if (isContext(t, 3)) parseExtensions(t, cert, internals, goFail, version);
  }

  if (goParseError) cert.goParseError = goParseError;
  internalsMap.set(cert, internals);
  return cert;
}

/** Hex as openssl prints it: minimal even-length upper-case hex, '-' for negative numbers. */
function formatSerial(n: bigint, raw: Buffer): string {
  if (raw.length === 0) return '00';
  const mag = n < 0n ? -n : n;
  let hex = mag.toString(16).toUpperCase();
  if (hex.length % 2) hex = '0' + hex;
  return (n < 0n ? '-' : '') + hex;
}

function checkGoTime(t: Tlv, goFail: (m: string) => void): void {
  const s = value(t).toString('latin1');
  if (isUniversal(t, TAG.UTCTime)) {
    if (!/^\d{10}(\d{2})?(Z|[+-](?!0000)\d{4})$/.test(s)) goFail('x509: malformed UTCTime');
  } else if (isUniversal(t, TAG.GeneralizedTime)) {
    if (!/^\d{14}(\.\d*[1-9])?(Z|[+-](?!0000)\d{4})$/.test(s)) goFail('x509: malformed GeneralizedTime');
  } else {
    goFail('x509: unsupported time format');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Names

const GO_STRING_TAGS = new Set<number>([TAG.T61String, TAG.PrintableString, TAG.UTF8String, TAG.BMPString, TAG.IA5String, TAG.NumericString]);

function escapeRdnValue(v: string): string {
  let s = v.replace(/([\\,+"<>;])/g, '\\$1');
  if (s.startsWith('#') || s.startsWith(' ')) s = '\\' + s;
  if (s.endsWith(' ') && s.length > 1) s = s.slice(0, -1) + '\\ ';

  return s.replace(/[\x00-\x1f]/g, (c) => '\\' + c.charCodeAt(0).toString(16).padStart(2, '0'));
}

function parseName(t: Tlv, goFail: (m: string) => void): { dn: DistinguishedName } {
  const dn: DistinguishedName = { organizations: [], organizationalUnits: [], text: '' };
  const rdnTexts: string[] = [];
  let rdns: Tlv[];
  try {
    rdns = children(t, 1000);
  } catch (e) {
    throw new CertificateError(`not a certificate: malformed name (${(e as Error).message})`);
  }
  for (const rdn of rdns) {
    if (!isUniversal(rdn, TAG.SET)) {
      goFail('x509: invalid RDNSequence');
      continue;
    }
    const atvTexts: string[] = [];
    let atvs: Tlv[] = [];
    try {
      atvs = children(rdn, 1000);
    } catch {
      goFail('x509: invalid RDNSequence');
    }
    for (const atv of atvs) {
      try {
        const [typeTlv, valTlv] = children(atv, 3);
        const oid = readOid(expect(typeTlv, TAG.OID, 'attribute type'));
        if (!valTlv) throw new DerError('attribute without a value');
        const name = DN_ATTRIBUTE_NAMES[oid] ?? oid;
        let text: string;
        if (valTlv.cls === 0 && !valTlv.constructed && GO_STRING_TAGS.has(valTlv.tagNumber)) {
          const s = readString(valTlv);
          text = s.text;
          if (!s.valid) {
            const kind =
              {
                [TAG.PrintableString]: 'PrintableString',
                [TAG.UTF8String]: 'UTF-8 string',
                [TAG.IA5String]: 'IA5String',
                [TAG.BMPString]: 'BMPString',
                [TAG.NumericString]: 'NumericString',
              }[valTlv.tagNumber] ?? 'string';
            goFail(`x509: invalid RDNSequence: invalid attribute value: invalid ${kind}`);
          }
        } else if (valTlv.cls === 0 && (valTlv.tagNumber === TAG.VisibleString || valTlv.tagNumber === TAG.UniversalString)) {
          text = readString(valTlv).text;
          goFail(`x509: invalid RDNSequence: invalid attribute value: unsupported string type: ${valTlv.buf[valTlv.start]}`);
        } else {
          text = '#' + element(valTlv).toString('hex');
          goFail(`x509: invalid RDNSequence: invalid attribute value: unsupported string type: ${valTlv.buf[valTlv.start]}`);
        }
        if (oid === '2.5.4.3') dn.commonName = text;
        else if (oid === '2.5.4.10') dn.organizations.push(text);
        else if (oid === '2.5.4.11') dn.organizationalUnits.push(text);
        atvTexts.push(`${name}=${text.startsWith('#') && !GO_STRING_TAGS.has(valTlv.tagNumber) ? text : escapeRdnValue(text)}`);
      } catch (e) {
        if (e instanceof CertificateError) throw e;
        goFail('x509: invalid RDNSequence: invalid attribute');
      }
    }
    if (atvTexts.length) rdnTexts.push(atvTexts.join('+'));
  }
  dn.text = rdnTexts.reverse().join(', ');
  return { dn };
}

// ---------------------------------------------------------------------------------------------------------
// Algorithms and keys

interface SigAlg {
  name: string;
  hash?: string;
  goName?: string;
  keyFamily?: string;
}

function describeSignatureAlgorithm(t: Tlv): SigAlg {
  try {
    const [oidTlv, params] = children(t, 4);
    const oid = readOid(expect(oidTlv, TAG.OID, 'algorithm'));
    const known = SIGNATURE_ALGORITHMS[oid];
    if (!known) return { name: oid };
    if (oid === '1.2.840.113549.1.1.10') return describePss(params);
    return { ...known };
  } catch {
    return { name: 'malformed algorithm identifier' };
  }
}

/** RSASSA-PSS: hash from the parameters; Go accepts SHA-256/384/512 with MGF1 of the same hash and salt = hash size. */
function describePss(params: Tlv | undefined): SigAlg {
  let hash = 'sha1';
  let mgfHash = 'sha1';
  let salt = 20;
  let trailer = 1;
  if (params && isUniversal(params, TAG.SEQUENCE)) {
    for (const f of children(params, 8)) {
      const inner = readTlv(f.buf, f.valueStart, f.end);
      if (isContext(f, 0)) {
        hash = HASH_OIDS[readOid(children(inner, 4)[0])] ?? 'unknown';
      } else if (isContext(f, 1)) {
        const [, mgfParams] = children(inner, 4);
        if (mgfParams) mgfHash = HASH_OIDS[readOid(children(mgfParams, 4)[0])] ?? 'unknown';
      } else if (isContext(f, 2)) {
        salt = readSmallInt(inner);
      } else if (isContext(f, 3)) {
        trailer = readSmallInt(inner);
      }
    }
  }
  const sizes: Record<string, number> = { sha256: 32, sha384: 48, sha512: 64 };
  const goOk = sizes[hash] !== undefined && mgfHash === hash && salt === sizes[hash] && trailer === 1;
  return {
    name: 'rsassaPss',
    hash,
    goName: goOk ? `${hash.toUpperCase()}-RSAPSS` : undefined,
    keyFamily: 'rsa',
  };
}

function bitLength(buf: Buffer): number {
  let i = 0;
  while (i < buf.length && buf[i] === 0) i++;
  if (i === buf.length) return 0;
  return (buf.length - i - 1) * 8 + (32 - Math.clz32(buf[i]));
}

/** Reads a SubjectPublicKeyInfo. Never throws for unusual keys: algorithm 'unknown' instead. */
export function parsePublicKeyInfo(spkiDer: Buffer, goFail: (m: string) => void = () => {}): PublicKeyInfo {
  const spki = Buffer.from(spkiDer);
  let algOid = '';
  try {
    const top = parseOne(spki, 'SubjectPublicKeyInfo');
    const [algTlv, keyTlv] = children(top, 4);
    const algParts = children(expect(algTlv, TAG.SEQUENCE, 'algorithm'), 4);
    algOid = readOid(expect(algParts[0], TAG.OID, 'algorithm'));
    const params = algParts[1];
    const key = readBitString(expect(keyTlv, TAG.BIT_STRING, 'subjectPublicKey')).bytes;
    const algorithm = PUBLIC_KEY_ALGORITHMS[algOid];
    switch (algorithm) {
      case 'rsa':
      case 'rsa-pss': {
        if (algorithm === 'rsa' && !(params && isUniversal(params, TAG.NULL) && params.end === params.valueStart)) {
          goFail('x509: RSA key missing NULL parameters');
        }
        const seq = parseOne(key, 'RSAPublicKey');
        const [n, e] = children(seq, 4);
        const modulus = value(expect(n, TAG.INTEGER, 'modulus'));
        const exp = readBigInt(expect(e, TAG.INTEGER, 'publicExponent'));
        if (readBigInt(n) <= 0n) goFail('x509: RSA modulus is not a positive number');
        if (exp <= 0n) goFail('x509: RSA public exponent is not a positive number');
        const bits = bitLength(modulus);
        return { algorithm, bits, spkiDer: spki, description: `${algorithm === 'rsa' ? 'RSA' : 'RSA-PSS'} ${bits}` };
      }
      case 'ec': {
        let curve: string | undefined;
        let bits: number | undefined;
        if (params && isUniversal(params, TAG.OID)) {
          const c = CURVES[readOid(params)];
          if (c) {
            curve = c.name;
            bits = c.bits;
            if (!c.go) goFail('x509: unsupported elliptic curve');
          } else {
            goFail('x509: unsupported elliptic curve');
          }
        } else {
          goFail('x509: invalid ECDSA parameters');
        }
        if (bits && (key[0] !== 4 || key.length !== 1 + 2 * Math.ceil(bits / 8))) {
          goFail('x509: failed to unmarshal elliptic curve point');
        }
        const description = curve ? `ECDSA ${curve}` : 'ECDSA (unnamed curve)';
        return curve ? { algorithm, bits, curve, spkiDer: spki, description } : { algorithm, spkiDer: spki, description };
      }
      case 'ed25519':
        if (params) goFail('x509: Ed25519 key encoded with illegal parameters');
        if (key.length !== 32) goFail('x509: wrong Ed25519 public key size');
        return { algorithm, bits: 256, spkiDer: spki, description: 'Ed25519' };
      case 'ed448':
        return { algorithm, bits: 456, spkiDer: spki, description: 'Ed448' };
      case 'dsa': {
        let bits: number | undefined;
        try {
          const [p] = children(params!, 4);
          bits = bitLength(value(p));
        } catch {
          goFail('x509: invalid DSA parameters');
        }
        return bits ? { algorithm, bits, spkiDer: spki, description: `DSA ${bits}` } : { algorithm, spkiDer: spki, description: 'DSA' };
      }
      default: {
        const other = OTHER_KEY_ALGORITHMS[algOid];
        return { algorithm: 'unknown', spkiDer: spki, description: other ?? `unknown key type ${algOid}` };
      }
    }
  } catch {
    goFail('x509: malformed spki');
    return { algorithm: 'unknown', spkiDer: spki, description: algOid ? `malformed key (${algOid})` : 'malformed key' };
  }
}

// ---------------------------------------------------------------------------------------------------------
// Extensions

function isIA5(b: Buffer): boolean {
  for (const c of b) if (c > 0x7f) return false;
  return true;
}

const GO_EXT_ERRORS: Record<string, string> = {
  [OID.keyUsage]: 'x509: invalid key usage',
  [OID.basicConstraints]: 'x509: invalid basic constraints',
  [OID.extKeyUsage]: 'x509: invalid extended key usages',
  [OID.subjectAltName]: 'x509: invalid subject alternative names',
  [OID.nameConstraints]: 'x509: invalid NameConstraints extension',
  [OID.subjectKeyId]: 'x509: invalid subject key identifier',
  [OID.authorityKeyId]: 'x509: invalid authority key identifier',
  [OID.crlDistributionPoints]: 'x509: invalid CRL distribution points',
  [OID.certificatePolicies]: 'x509: invalid certificate policies',
  [OID.authorityInfoAccess]: 'x509: invalid authority info access',
};

/** Thrown by an extension decoder when the bytes decode but Go refuses them; the extension is still usable. */
class GoReject extends Error {}

function parseExtensions(wrapper: Tlv, cert: Certificate, internals: CertInternals, goFail: (m: string) => void, version: number): void {
  let list: Tlv[];
  try {
    const seq = readTlv(wrapper.buf, wrapper.valueStart, wrapper.end);
    if (!isUniversal(seq, TAG.SEQUENCE)) throw new DerError('extensions are not a SEQUENCE');
    list = children(seq, 1000);
  } catch {
    goFail('x509: malformed extensions');
    cert.undecodableExtensions.push('extensions');
    return;
  }
  const seen = new Set<string>();
  for (const ext of list) {
    let oid = '?';
    let critical = false;
    let extValue: Buffer;
    try {
      const f = children(ext, 4);
      oid = readOid(expect(f[0], TAG.OID, 'extnID'));
      let i = 1;
      if (f[i] && isUniversal(f[i], TAG.BOOLEAN)) {
        const b = value(f[i]);
        if (b.length !== 1 || (b[0] !== 0 && b[0] !== 0xff)) goFail('x509: malformed extension critical field');
        critical = readBoolean(f[i++]);
      }
      extValue = value(expect(f[i], TAG.OCTET_STRING, 'extnValue'));
    } catch {
      goFail('x509: malformed extension');
      cert.undecodableExtensions.push(oid);
      continue;
    }
    if (critical) internals.critical.add(oid);
    if (seen.has(oid)) goFail(`x509: certificate contains duplicate extension with OID "${oid}"`);
    seen.add(oid);
    // Go ignores the extensions of v1/v2 certificates.
    const goSees = version === 3;
    try {
      const handled = decodeExtension(oid, critical, extValue, cert, internals, goSees ? goFail : () => {});
      if (goSees && critical && (!GO_HANDLED_EXTENSIONS.has(oid) || !handled)) cert.unhandledCriticalExtensions.push(oid);
    } catch (e) {
      if (goSees) goFail(e instanceof GoReject ? e.message : (GO_EXT_ERRORS[oid] ?? 'x509: malformed extension'));
      if (!(e instanceof GoReject)) cert.undecodableExtensions.push(oid);
    }
  }
}

/**
 * Decodes one extension into cert. Returns false when Go would treat it as unhandled (e.g. a SAN with no
 * names Go understands). Throws DerError when malformed, GoReject when usable but refused by Go.
 */
function decodeExtension(
  oid: string,
  critical: boolean,
  v: Buffer,
  cert: Certificate,
  internals: CertInternals,
  goFail: (m: string) => void,
): boolean {
  switch (oid) {
    case OID.basicConstraints: {
      const seq = parseOne(v, 'basicConstraints');
      if (!isUniversal(seq, TAG.SEQUENCE)) throw new DerError('basicConstraints is not a SEQUENCE');
      let isCA = false;
      let pathLen: number | undefined;
      for (const f of children(seq, 4)) {
        if (isUniversal(f, TAG.BOOLEAN)) isCA = readBoolean(f);
        else if (isUniversal(f, TAG.INTEGER)) {
          const n = readBigInt(f);
          if (n < 0n) throw new DerError('negative pathLenConstraint');
          pathLen = n > 0x7fffffffn ? 0x7fffffff : Number(n);
        } else throw new DerError('unexpected field in basicConstraints');
      }
      cert.basicConstraintsPresent = true;
      cert.isCA = isCA;
      if (pathLen !== undefined) cert.pathLen = pathLen;
      return true;
    }
    case OID.keyUsage: {
      const bs = readBitString(expect(parseOne(v, 'keyUsage'), TAG.BIT_STRING, 'keyUsage'));
      const names: string[] = [];
      let bits = 0;
      KEY_USAGE_NAMES.forEach((n, i) => {
        if (bitAt(bs, i)) {
          names.push(n);
          bits |= 1 << i;
        }
      });
      cert.keyUsage = names;
      internals.keyUsageBits = bits;
      return true;
    }
    case OID.extKeyUsage: {
      const seq = expect(parseOne(v, 'extKeyUsage'), TAG.SEQUENCE, 'extKeyUsage');
      cert.extKeyUsage = children(seq, 1000).map((t) => {
        const o = readOid(expect(t, TAG.OID, 'KeyPurposeId'));
        return EKU_NAMES[o] ?? o;
      });
      return true;
    }
    case OID.subjectAltName:
      return decodeSan(v, cert, internals);
    case OID.nameConstraints:
      return decodeNameConstraints(v, critical, cert, internals, goFail);
    case OID.subjectKeyId: {
      const t = expect(parseOne(v, 'subjectKeyIdentifier'), TAG.OCTET_STRING, 'subjectKeyIdentifier');
      cert.subjectKeyId = value(t).toString('hex');
      if (critical) throw new GoReject('x509: subject key identifier incorrectly marked critical');
      return true;
    }
    case OID.authorityKeyId: {
      const seq = expect(parseOne(v, 'authorityKeyIdentifier'), TAG.SEQUENCE, 'authorityKeyIdentifier');
      for (const f of children(seq, 4)) if (isContext(f, 0)) cert.authorityKeyId = value(f).toString('hex');
      if (critical) throw new GoReject('x509: authority key identifier incorrectly marked critical');
      return true;
    }
    case OID.authorityInfoAccess: {
      expect(parseOne(v, 'authorityInfoAccess'), TAG.SEQUENCE, 'authorityInfoAccess');
      if (critical) throw new GoReject('x509: authority info access incorrectly marked critical');
      return true;
    }
    case OID.certificatePolicies: {
      const seq = expect(parseOne(v, 'certificatePolicies'), TAG.SEQUENCE, 'certificatePolicies');
      const seenPolicies = new Set<string>();
      for (const p of children(seq, 1000)) {
        const o = readOid(expect(children(expect(p, TAG.SEQUENCE, 'PolicyInformation'), 4)[0], TAG.OID, 'policyIdentifier'));
        if (seenPolicies.has(o)) throw new GoReject('x509: invalid certificate policies');
        seenPolicies.add(o);
      }
      return true;
    }
    default:
      return GO_HANDLED_EXTENSIONS.has(oid);
  }
}

function decodeSan(v: Buffer, cert: Certificate, internals: CertInternals): boolean {
  const seq = expect(parseOne(v, 'subjectAltName'), TAG.SEQUENCE, 'subjectAltName');
  internals.sanValue = v;
  let goError: string | undefined;
  let understood = 0;
  for (const gn of children(seq, 10_000)) {
    if (gn.cls !== 2) throw new DerError('GeneralName is not context-specific');
    const data = value(gn);
    switch (gn.tagNumber) {
      case 1: // rfc822Name
        if (!isIA5(data)) goError ??= 'x509: SAN rfc822Name is malformed';
        cert.emails.push(data.toString('latin1'));
        understood++;
        break;
      case 2: // dNSName
        if (!isIA5(data)) goError ??= 'x509: SAN dNSName is malformed';
        cert.dnsNames.push(data.toString('latin1'));
        understood++;
        break;
      case 6: // URI
        if (!isIA5(data)) goError ??= 'x509: SAN uniformResourceIdentifier is malformed';
        cert.uris.push(data.toString('latin1'));
        understood++;
        break;
      case 7: // iPAddress
        if (data.length === 4 || data.length === 16) {
          cert.ipAddresses.push(formatIP(data));
          internals.ipBytes.push(Buffer.from(data));
          understood++;
        } else {
          goError ??= `x509: cannot parse IP address of length ${data.length}`;
        }
        break;
      default:
        break; // otherName, directoryName, ...: Go ignores them
    }
  }
  if (goError) throw new GoReject(goError);
  return understood > 0;
}

function decodeNameConstraints(v: Buffer, critical: boolean, cert: Certificate, internals: CertInternals, goFail: (m: string) => void): boolean {
  const seq = expect(parseOne(v, 'nameConstraints'), TAG.SEQUENCE, 'nameConstraints');
  const nc: NonNullable<CertInternals['nc']> = {
    permittedDNS: [],
    excludedDNS: [],
    permittedIP: [],
    excludedIP: [],
    permittedEmail: [],
    excludedEmail: [],
    permittedURI: [],
    excludedURI: [],
  };
  const pub: NameConstraints = { permittedDNS: [], excludedDNS: [], permittedIP: [], excludedIP: [], critical };
  let handled = true;
  let goError: string | undefined;
  let sawPermitted = false;
  let sawExcluded = false;
  let nonEmpty = false;
  for (const part of children(seq, 4)) {
    const permitted = isContext(part, 0);
    if (!permitted && !isContext(part, 1)) throw new DerError('unexpected field in nameConstraints');
    if (permitted) sawPermitted = true;
    else sawExcluded = true;
    for (const subtree of children(part, 10_000)) {
      nonEmpty = true;
      const base = children(expect(subtree, TAG.SEQUENCE, 'GeneralSubtree'), 4)[0];
      if (!base) throw new DerError('empty GeneralSubtree');
      const data = value(base);
      if (base.cls !== 2) throw new DerError('GeneralName is not context-specific');
      switch (base.tagNumber) {
        case 2: {
          const d = data.toString('latin1');
          if (!isIA5(data)) goError ??= 'x509: invalid constraint value: invalid IA5String';
          else if (!domainToReverseLabels(d.startsWith('.') ? d.slice(1) : d))
            goError ??= `x509: failed to parse dnsName constraint ${JSON.stringify(d)}`;
          (permitted ? nc.permittedDNS : nc.excludedDNS).push(d);
          (permitted ? pub.permittedDNS : pub.excludedDNS).push(d);
          break;
        }
        case 7: {
          if (data.length !== 8 && data.length !== 32) {
            goError ??= `x509: IP constraint contained value of length ${data.length}`;
            break;
          }
          const half = data.length / 2;
          const ip = Buffer.from(data.subarray(0, half));
          const mask = Buffer.from(data.subarray(half));
          if (maskPrefixLength(mask) === undefined) goError ??= `x509: IP constraint contained invalid mask ${mask.toString('hex')}`;
          (permitted ? nc.permittedIP : nc.excludedIP).push({ ip, mask });
          (permitted ? pub.permittedIP : pub.excludedIP).push(formatCidr(ip, mask));
          break;
        }
        case 1:
          (permitted ? nc.permittedEmail : nc.excludedEmail).push(data.toString('latin1'));
          break;
        case 6:
          (permitted ? nc.permittedURI : nc.excludedURI).push(data.toString('latin1'));
          break;
        default:
          handled = false; // directoryName and the rest: Go does not support them
      }
    }
  }
  if (!sawPermitted && !sawExcluded) goError ??= 'x509: empty name constraints extension';
  else if (!nonEmpty) goError ??= 'x509: empty name constraints extension';
  cert.nameConstraints = pub;
  internals.nc = nc;
  if (goError) goFail(goError);
  return handled;
}

/** Go's domainToReverseLabels: labels of a domain, last first; undefined when Go cannot parse it. */
export function domainToReverseLabels(domain: string): string[] | undefined {
  const labels: string[] = [];
  let d = domain;
  while (d.length > 0) {
    const i = d.lastIndexOf('.');
    if (i === -1) {
      labels.push(d);
      d = '';
    } else {
      labels.push(d.slice(i + 1));
      d = d.slice(0, i);
      if (i === 0) labels.push('');
    }
  }
  if (labels.length > 0 && labels[0].length === 0) return undefined;
  for (const l of labels) {
    if (l.length === 0) return undefined;
    for (let k = 0; k < l.length; k++) {
      const c = l.charCodeAt(k);
      if (c < 33 || c > 126) return undefined;
    }
  }
  return labels;
}

/** "CN=x" or the best short name for messages: CN, else first O, else "serial:<decimal>" (as Go names certificates). */
export function certificateName(cert: Certificate): string {
  if (cert.subject.commonName) return cert.subject.commonName;
  if (cert.subject.organizations.length) return cert.subject.organizations[0];
  return 'serial:' + certInternals(cert).serialDecimal;
}
