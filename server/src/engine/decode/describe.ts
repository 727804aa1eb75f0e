// What a certificate, bundle, private key, public key or CSR holds, as structured data: the input of
// the hover's Markdown and of the full text decode. A private key is described by its type and size
// only; nothing derived from its bytes is ever part of a description.
import { createHash } from 'node:crypto';
import { readTlv } from '../pki/der';
import { certInternals, parseCertificate, type Certificate } from '../pki/certificate';
import { parsePrivateKey, parsePublicKey, sameKey } from '../pki/key';
import { isIssuedBy } from '../pki/verify';
import type { PemBlock } from '../pki/pem';
import { parseCertificateRequest } from './csr';
import { nameAttributes, formatAttributes, type NameAttribute } from './names';
import { pemRegions, type PemRegion } from './regions';
import { lookupTable } from '../lookup';
import { validityPhrase, validityStatus, type ValidityStatus } from './time';

export interface KubernetesIdentity {
  /** The user the apiserver sees (the CN); undefined when the CN is empty. */
  user?: string;
  /** The groups (the O values). */
  groups: string[];
}

export interface SubjectAltNames {
  dns: string[];
  ip: string[];
  uri: string[];
  email: string[];
}

export interface CertificateView {
  kind: 'certificate';
  label: string;
  subject: NameAttribute[];
  /** "CN=kube-apiserver, O=…" in RFC 4514 order. */
  subjectText: string;
  issuer: NameAttribute[];
  issuerText: string;
  /** Short name for titles: the CN, else the first O, else the serial. */
  name: string;
  /** The issuer's CN (or its DN) for "issuer kubernetes". */
  issuerName: string;
  kubernetes: KubernetesIdentity;
  version: number;
  /** Colon-separated upper-case hex. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  validity: ValidityStatus;
  /** "expires in 41 days" / "expired 3 days ago" / "not valid yet: …". */
  validityPhrase: string;
  sans: SubjectAltNames;
  /** "RSA 2048", "ECDSA P-256", "Ed25519". */
  publicKey: string;
  signatureAlgorithm: string;
  keyUsage?: string[];
  extKeyUsage?: string[];
  isCA: boolean;
  basicConstraintsPresent: boolean;
  pathLen?: number;
  subjectKeyId?: string;
  authorityKeyId?: string;
  /** SHA-256 of the DER, colon-separated upper-case hex (as openssl -fingerprint -sha256). */
  sha256: string;
  selfIssued: boolean;
  /** Extensions that do not decode, by OID (the rest still show). */
  undecodableExtensions: string[];
  /** Critical extensions Go does not handle: Kubernetes components refuse the certificate. */
  unhandledCriticalExtensions: string[];
  /** Why Go's crypto/x509 (every Kubernetes component) would refuse these bytes. */
  goParseError?: string;
  /** The certificate re-encoded as PEM (for the full decode). */
  pem: string;
  /** The parsed certificate, for chain and key checks (not for display). */
  cert: Certificate;
}

export interface KeyMatch {
  /** What the key was compared with: "CN=kube-apiserver (--tls-cert-file)". */
  against: string;
  matches: boolean;
}

export interface PrivateKeyView {
  kind: 'private-key';
  label: string;
  /** "RSA 2048", "ECDSA P-256", "Ed25519"; "encrypted private key (PKCS#8)" when encrypted. */
  description: string;
  encrypted: boolean;
  /** The cipher of a legacy encrypted key (DEK-Info), or "PKCS#8". */
  encryption?: string;
  /** Whether it is the private key of the certificate it is paired with; absent when unknown. */
  match?: KeyMatch;
  /** The public half, for matching (not for display). */
  spkiDer?: Buffer;
}

export interface PublicKeyView {
  kind: 'public-key';
  label: string;
  description: string;
  /** SHA-256 of the SubjectPublicKeyInfo, colon-separated. */
  sha256: string;
  spkiDer: Buffer;
}

export interface CsrView {
  kind: 'csr';
  label: string;
  subject: NameAttribute[];
  subjectText: string;
  kubernetes: KubernetesIdentity;
  publicKey: string;
  signatureAlgorithm: string;
  /** The request's signature by its own key; undefined when not checked. */
  signatureValid?: boolean;
  sans: SubjectAltNames;
  keyUsage?: string[];
  extKeyUsage?: string[];
  basicConstraints?: { isCA: boolean; pathLen?: number };
  /** Every requested extension by name (or OID), "(critical)" marked. */
  requestedExtensions: string[];
  undecodableExtensions: string[];
  otherAttributes: string[];
}

export interface UndecodableView {
  kind: 'undecodable';
  label?: string;
  /** A short reason a user understands; never a stack trace, never key material. */
  reason: string;
}

export type DecodedItem = CertificateView | PrivateKeyView | PublicKeyView | CsrView | UndecodableView;

export interface ChainLink {
  /** 1-based positions among the certificates of the bundle. */
  from: number;
  to: number;
  /** Certificate `from` is issued (and signed) by certificate `to`. */
  issuedBy: boolean;
}

export interface Decoded {
  items: DecodedItem[];
  /** Between consecutive certificates, in order (empty with fewer than two). */
  chain: ChainLink[];
  /** Where each item's PEM block is in the text it came from (same order as items; undefined for DER input). */
  regions?: PemRegion[];
  /** Notes about the input as a whole ("base64 of DER, not of PEM"). */
  notes: string[];
}

export interface PairedKey {
  /** SubjectPublicKeyInfo DER of the certificate or public key the private key is paired with. */
  spkiDer: Buffer;
  /** "CN=kube-apiserver (--tls-cert-file)" */
  label: string;
}

export interface DescribeOptions {
  now: Date;
  /**
   * The public key a private key in this input should match: its certificate's (by a reference, or a
   * file beside it), or a public key file's. Else the input's own first certificate.
   */
  paired?: PairedKey;
}

const CERT_LABELS = new Set(['CERTIFICATE', 'X509 CERTIFICATE', 'TRUSTED CERTIFICATE']);
const CSR_LABELS = new Set(['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST']);
const PRIVATE_LABELS = new Set([
  'RSA PRIVATE KEY',
  'EC PRIVATE KEY',
  'PRIVATE KEY',
  'ENCRYPTED PRIVATE KEY',
  'DSA PRIVATE KEY',
  'OPENSSH PRIVATE KEY',
]);
const PUBLIC_LABELS = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);
const OTHER_LABELS = lookupTable<string>({
  'X509 CRL': 'a certificate revocation list (X509 CRL): kube-pki decodes certificates, keys and certificate requests, not CRLs',
  'EC PARAMETERS': 'EC parameters (the curve name only; the key is in the next block)',
  'DH PARAMETERS': 'Diffie-Hellman parameters: not a certificate or key',
  PKCS7: 'a PKCS#7 structure: kube-pki decodes PEM certificates; split it with `openssl pkcs7 -print_certs`',
  CMS: 'a CMS structure: not a certificate or key',
  'OPENSSH PUBLIC KEY': 'an OpenSSH public key: Kubernetes needs a PEM public key',
});

export function hexColons(hex: string): string {
  const h = hex.replace(/^-/, '').toUpperCase();
  const even = h.length % 2 ? '0' + h : h;
  return (hex.startsWith('-') ? '-' : '') + (even.match(/.{2}/g) ?? []).join(':');
}

function toPem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

function attributesOf(raw: Buffer, fallback: string): NameAttribute[] {
  try {
    return nameAttributes(readTlv(raw, 0, raw.length));
  } catch {
    return fallback ? [{ type: 'DN', oid: '', value: fallback }] : [];
  }
}

function identityOf(attrs: NameAttribute[]): KubernetesIdentity {
  // The apiserver takes the first CN (Go's pkix.Name keeps the last one set; certificates carry one).
  const cn = attrs.filter((a) => a.oid === '2.5.4.3').map((a) => a.value);
  const user = cn[cn.length - 1];
  return { ...(user ? { user } : {}), groups: attrs.filter((a) => a.oid === '2.5.4.10').map((a) => a.value) };
}

export function describeCertificate(cert: Certificate, now: Date, label = 'CERTIFICATE'): CertificateView {
  const internals = certInternals(cert);
  const subject = attributesOf(internals.rawSubject, cert.subject.text);
  const issuer = attributesOf(internals.rawIssuer, cert.issuer.text);
  const shortName =
    cert.subject.commonName || cert.subject.organizations[0] || (cert.subject.text ? cert.subject.text : `serial ${hexColons(cert.serialNumber)}`);
  const view: CertificateView = {
    kind: 'certificate',
    label,
    subject,
    subjectText: cert.subject.text,
    issuer,
    issuerText: cert.issuer.text,
    name: shortName,
    issuerName: cert.issuer.commonName || cert.issuer.organizations[0] || cert.issuer.text || '(empty issuer)',
    kubernetes: identityOf(subject),
    version: cert.version,
    serialNumber: hexColons(cert.serialNumber),
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    validity: validityStatus(cert.notBefore, cert.notAfter, now),
    validityPhrase: validityPhrase(cert.notBefore, cert.notAfter, now),
    sans: { dns: [...cert.dnsNames], ip: [...cert.ipAddresses], uri: [...cert.uris], email: [...cert.emails] },
    publicKey: cert.publicKey.description,
    signatureAlgorithm: cert.signatureAlgorithm.name,
    isCA: cert.isCA,
    basicConstraintsPresent: cert.basicConstraintsPresent,
    sha256: hexColons(cert.sha256),
    selfIssued: cert.selfIssued,
    undecodableExtensions: [...cert.undecodableExtensions],
    unhandledCriticalExtensions: [...cert.unhandledCriticalExtensions],
    pem: toPem('CERTIFICATE', cert.der),
    cert,
  };
  if (cert.keyUsage) view.keyUsage = [...cert.keyUsage];
  if (cert.extKeyUsage) view.extKeyUsage = [...cert.extKeyUsage];
  if (cert.pathLen !== undefined) view.pathLen = cert.pathLen;
  if (cert.subjectKeyId) view.subjectKeyId = hexColons(cert.subjectKeyId);
  if (cert.authorityKeyId) view.authorityKeyId = hexColons(cert.authorityKeyId);
  if (cert.goParseError) view.goParseError = cert.goParseError;
  return view;
}

function header(block: PemBlock, name: string): string | undefined {
  return Object.entries(block.headers).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
}

function describePrivateKey(block: PemBlock): PrivateKeyView {
  const info = parsePrivateKey(block);
  const view: PrivateKeyView = { kind: 'private-key', label: block.label, description: info.description, encrypted: info.encrypted };
  if (info.encrypted) {
    const dek = header(block, 'DEK-Info');
    // Only the cipher's name: the IV after the comma is not worth showing.
    view.encryption = dek
      ? dek
          .split(',')[0]
          .trim()
          .replace(/[^A-Za-z0-9-]/g, '') || 'legacy PEM encryption'
      : 'PKCS#8';
  }
  if (info.spkiDer) view.spkiDer = info.spkiDer;
  return view;
}

function describeCsr(block: PemBlock): CsrView {
  const req = parseCertificateRequest(block.der);
  const ext = req.extensions;
  const view: CsrView = {
    kind: 'csr',
    label: block.label,
    subject: req.subject,
    subjectText: formatAttributes([...req.subject].reverse()),
    kubernetes: identityOf(req.subject),
    publicKey: req.publicKey.description,
    signatureAlgorithm: req.signatureAlgorithm,
    sans: { dns: ext?.dnsNames ?? [], ip: ext?.ipAddresses ?? [], uri: ext?.uris ?? [], email: ext?.emails ?? [] },
    requestedExtensions: (ext?.present ?? []).map((p) => `${p.name}${p.critical ? ' (critical)' : ''}`),
    undecodableExtensions: ext?.undecodable ?? [],
    otherAttributes: req.otherAttributes,
  };
  if (req.signatureValid !== undefined) view.signatureValid = req.signatureValid;
  if (ext?.keyUsage) view.keyUsage = ext.keyUsage;
  if (ext?.extKeyUsage) view.extKeyUsage = ext.extKeyUsage;
  if (ext?.basicConstraints) view.basicConstraints = ext.basicConstraints;
  return view;
}

function reasonOf(err: unknown): string {
  // Our parsers' messages are written for users and never quote key material; anything else is a bug.
  if (err && typeof err === 'object' && 'name' in err && ['CertificateError', 'KeyError', 'Error'].includes(String((err as Error).name))) {
    const msg = (err as Error).message;
    if (msg && msg.length < 300 && !/-----BEGIN/.test(msg)) return msg;
  }
  return 'does not decode';
}

/** One PEM block, described. Never throws. */
export function describeBlock(block: PemBlock, now: Date): DecodedItem {
  const label = block.label;
  try {
    if (CERT_LABELS.has(label)) return describeCertificate(parseCertificate(block.der), now, label);
    if (CSR_LABELS.has(label)) return describeCsr(block);
    if (PRIVATE_LABELS.has(label)) return describePrivateKey(block);
    if (PUBLIC_LABELS.has(label)) {
      const info = parsePublicKey(block);
      return {
        kind: 'public-key',
        label,
        description: info.description,
        sha256: hexColons(createHash('sha256').update(info.spkiDer).digest('hex')),
        spkiDer: info.spkiDer,
      };
    }
  } catch (err) {
    return { kind: 'undecodable', label, reason: reasonOf(err) };
  }
  return {
    kind: 'undecodable',
    label,
    reason: OTHER_LABELS[label] ?? `a PEM block labelled '${label}': not a certificate, key or certificate request`,
  };
}

/** Links between consecutive certificates: does each one chain to the next? */
export function chainOf(items: DecodedItem[]): ChainLink[] {
  const certs = items.filter((i): i is CertificateView => i.kind === 'certificate');
  const links: ChainLink[] = [];
  for (let i = 0; i + 1 < certs.length; i++) {
    let issuedBy = false;
    try {
      issuedBy = isIssuedBy(certs[i].cert, certs[i + 1].cert);
    } catch {
      issuedBy = false;
    }
    links.push({ from: i + 1, to: i + 2, issuedBy });
  }
  return links;
}

/** Pairs each private key with a certificate: the one given, else the first certificate of the same input. */
export function matchKeys(items: DecodedItem[], paired?: PairedKey): void {
  const own = items.find((i): i is CertificateView => i.kind === 'certificate');
  const against = paired ?? (own ? { spkiDer: own.cert.publicKey.spkiDer, label: `${own.subjectText || own.name} (in the same text)` } : undefined);
  if (!against) return;
  for (const item of items) {
    if (item.kind !== 'private-key' || item.encrypted || !item.spkiDer) continue;
    item.match = { against: against.label, matches: sameKey(item.spkiDer, against.spkiDer) };
  }
}

/** Every PEM block of a text (a .crt file, a YAML block scalar, a Markdown code fence), in order. */
export function describePemText(text: string, opts: DescribeOptions): Decoded {
  const regions = pemRegions(text);
  const items = regions.map((r) =>
    r.block ? describeBlock(r.block, opts.now) : ({ kind: 'undecodable', label: r.label, reason: r.problem ?? 'does not decode' } as UndecodableView),
  );
  matchKeys(items, opts.paired);
  return { items, chain: chainOf(items), regions, notes: [] };
}

/** A base64 value (kubeconfig *-data, caBundle, a Secret's tls.crt): base64 of PEM, or of DER by mistake. */
export function describeBase64(data: string, opts: DescribeOptions): Decoded {
  const compact = data.replace(/\s+/g, '');
  if (compact === '') return { items: [{ kind: 'undecodable', reason: 'the value is empty' }], chain: [], notes: [] };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    return { items: [{ kind: 'undecodable', reason: 'not valid base64' }], chain: [], notes: [] };
  }
  const bytes = Buffer.from(compact, 'base64');
  const text = bytes.toString('latin1');
  if (text.includes('-----BEGIN')) {
    const d = describePemText(text, opts);
    if (d.items.length === 0) d.items.push({ kind: 'undecodable', reason: 'the decoded text holds no complete PEM block' });
    return { ...d, regions: undefined };
  }
  if (bytes[0] === 0x30) {
    const note = 'base64 of DER, not of PEM: Kubernetes expects base64 of the PEM text (e.g. `base64 -w0 cert.pem`)';
    try {
      const cert = parseCertificate(bytes);
      return { items: [describeCertificate(cert, opts.now)], chain: [], notes: [note] };
    } catch {
      // not a certificate: say what it is not, never what the bytes are
    }
    return { items: [{ kind: 'undecodable', reason: `decodes to DER that is not a certificate; ${note}` }], chain: [], notes: [] };
  }
  return { items: [{ kind: 'undecodable', reason: 'decodes to something that holds no PEM block' }], chain: [], notes: [] };
}
