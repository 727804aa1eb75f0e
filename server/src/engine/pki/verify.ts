// Certificate verification with the rules of Go's crypto/x509 (src/crypto/x509/verify.go), which every
// Kubernetes component uses: host names, chain building, CA and path-length checks, validity, extended key
// usage nesting and name constraints - with Go's error wording, so messages match what users see in logs.

import { type KeyObject } from 'node:crypto';
import { type Certificate, certificateName, certInternals, domainToReverseLabels } from './certificate';
import { children, parseOne } from './der';
import { formatCidr, formatIP, ipEqual, parseIP } from './ip';
import { OID } from './oids';
import { sameKey } from './key';

// ---------------------------------------------------------------------------------------------------------
// Host names (Go's VerifyHostname)

function toLowerAscii(s: string): string {
  return s.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

function validHostname(host: string, isPattern: boolean): boolean {
  if (!isPattern && host.endsWith('.')) host = host.slice(0, -1);
  if (host.length === 0 || host === '*') return false;
  const parts = host.split('.');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    if (part === '') return false;
    if (isPattern && i === 0 && part === '*') continue;
    for (let j = 0; j < part.length; j++) {
      const c = part[j];
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || c === '_') continue;
      if (c === '-' && j !== 0) continue;
      return false;
    }
  }
  return true;
}

function matchExactly(a: string, b: string): boolean {
  if (a === '' || a === '.' || b === '' || b === '.') return false;
  return toLowerAscii(a) === toLowerAscii(b);
}

function matchHostnames(pattern: string, host: string): boolean {
  pattern = toLowerAscii(pattern);
  host = toLowerAscii(host.endsWith('.') ? host.slice(0, -1) : host);
  if (pattern.length === 0 || host.length === 0) return false;
  const p = pattern.split('.');
  const h = host.split('.');
  if (p.length !== h.length) return false;
  for (let i = 0; i < p.length; i++) {
    if (i === 0 && p[i] === '*') continue;
    if (p[i] !== h[i]) return false;
  }
  return true;
}

function stripBrackets(host: string): string {
  return host.length >= 3 && host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Go's Certificate.VerifyHostname == nil: SANs only (never the CN), IPs only against IP SANs. */
export function matchesHost(cert: Certificate, host: string): boolean {
  return hostMatches(cert.dnsNames, (ip) => certInternals(cert).ipBytes.some((c) => ipEqual(ip, c)), host);
}

/**
 * VerifyHostname of a certificate that would carry these DNS names and IP addresses (a cert-manager Certificate's
 * spec): whether the certificate issued for them is valid for `host`.
 */
export function namesMatchHost(dnsNames: readonly string[], ipAddresses: readonly string[], host: string): boolean {
  return hostMatches(
    dnsNames,
    (ip) =>
      ipAddresses.some((a) => {
        const b = parseIP(a);
        return b !== undefined && ipEqual(ip, b);
      }),
    host,
  );
}

function hostMatches(dnsNames: readonly string[], ipMatches: (ip: Buffer) => boolean, host: string): boolean {
  const ip = parseIP(stripBrackets(host));
  if (ip) return ipMatches(ip);
  const candidate = toLowerAscii(host);
  const validCandidate = validHostname(candidate, false);
  for (const name of dnsNames) {
    if (validCandidate && validHostname(name, true)) {
      if (matchHostnames(name, candidate)) return true;
    } else if (matchExactly(name, candidate)) {
      return true;
    }
  }
  return false;
}

/** The DNS and IP names a certificate is valid for, e.g. "kubernetes, kubernetes.default, 10.96.0.1". */
export function describeNames(cert: Certificate): string {
  const names = [...cert.dnsNames, ...cert.ipAddresses];
  return names.length ? names.join(', ') : 'no DNS or IP names';
}

/** Go's HostnameError text for host, or '' when the certificate is valid for host. */
export function hostMismatchMessage(cert: Certificate, host: string): string {
  if (matchesHost(cert, host)) return '';
  const stripped = stripBrackets(host);
  const isIP = parseIP(stripped) !== undefined;
  // Go reports the bracket-less form for IP literals.
  const h = isIP ? stripped : host;
  const hasSan = certInternals(cert).sanValue !== undefined;
  if (!hasSan && cert.subject.commonName !== undefined && matchHostnames(cert.subject.commonName, h)) {
    return 'x509: certificate relies on legacy Common Name field, use SANs instead';
  }
  let valid: string;
  if (isIP) {
    if (cert.ipAddresses.length === 0) return `x509: cannot validate certificate for ${h} because it doesn't contain any IP SANs`;
    valid = cert.ipAddresses.join(', ');
  } else {
    valid = cert.dnsNames.join(', ');
  }
  if (valid.length === 0) return `x509: certificate is not valid for any names, but wanted to match ${h}`;
  return `x509: certificate is valid for ${valid}, not ${h}`;
}

// ---------------------------------------------------------------------------------------------------------
// Signatures

const publicKeys = new WeakMap<Certificate, KeyObject | null>();

function publicKeyOf(cert: Certificate): KeyObject | null {
  let k = publicKeys.get(cert);
  if (k === undefined) {
    try {
      k = cert.x509.publicKey;
    } catch {
      k = null;
    }
    publicKeys.set(cert, k);
  }
  return k;
}

const SIG_CACHE_LIMIT = 20_000;
const sigCache = new Map<string, boolean>();

/** Whether parent's key produced child's signature (cryptographic check only, any algorithm OpenSSL knows). */
function signatureValid(child: Certificate, parent: Certificate): boolean {
  const key = child.sha256 + parent.sha256;
  const hit = sigCache.get(key);
  if (hit !== undefined) return hit;
  let ok = false;
  const pk = publicKeyOf(parent);
  if (pk) {
    try {
      ok = child.x509.verify(pk);
    } catch {
      ok = false;
    }
  }
  if (sigCache.size >= SIG_CACHE_LIMIT) sigCache.clear();
  sigCache.set(key, ok);
  return ok;
}

/** child names parent as its issuer (byte-for-byte, as Go compares) and parent's key signed child. */
export function isIssuedBy(child: Certificate, parent: Certificate): boolean {
  if (!certInternals(child).rawIssuer.equals(certInternals(parent).rawSubject)) return false;
  return signatureValid(child, parent);
}

/** Self-signed: it names itself as issuer and its own key signed it (a root, or a server's own certificate). */
export function isSelfSigned(cert: Certificate): boolean {
  return cert.selfIssued && isIssuedBy(cert, cert);
}

const CONSTRAINT_VIOLATION = 'x509: invalid signature: parent certificate cannot sign this kind of certificate';
const GO_PUBLIC_KEY_TYPES: Record<string, string> = {
  rsa: '*rsa.PublicKey',
  ec: '*ecdsa.PublicKey',
  ed25519: 'ed25519.PublicKey',
  dsa: '*dsa.PublicKey',
};
const GO_KEY_ALGO_NAMES: Record<string, string> = { rsa: 'RSA', ec: 'ECDSA', ed25519: 'Ed25519', dsa: 'DSA' };

/**
 * Whether Go lets this certificate sign others (the constraint checks at the top of CheckSignatureFrom,
 * src/crypto/x509/x509.go): basicConstraints CA:TRUE, or a version 1 or 2 certificate, which has no extensions
 * at all (what `openssl x509 -req -signkey` makes). Go checks nothing more of a root (isValid in verify.go
 * refuses only intermediates without CA:TRUE), so such a certificate in a CA file is a trust anchor.
 */
export function canSignCertificates(cert: Certificate): boolean {
  if (cert.basicConstraintsPresent) return cert.isCA;
  return cert.version < 3;
}

/**
 * Go's child.CheckSignatureFrom(parent): undefined when Go accepts parent as the signer of child, else Go's
 * error text (e.g. "x509: cannot verify signature: insecure algorithm SHA1-RSA").
 */
export function checkSignatureFrom(child: Certificate, parent: Certificate): string | undefined {
  const pi = certInternals(parent);
  const ci = certInternals(child);
  if ((parent.version === 3 && !parent.basicConstraintsPresent) || (parent.basicConstraintsPresent && !parent.isCA)) {
    return CONSTRAINT_VIOLATION;
  }
  if (pi.keyUsageBits !== 0 && !parent.keyUsage?.includes('keyCertSign')) {
    return CONSTRAINT_VIOLATION;
  }
  const keyAlg = parent.publicKey.algorithm;
  if (!GO_PUBLIC_KEY_TYPES[keyAlg]) return 'x509: cannot verify signature: algorithm unimplemented';
  const goName = ci.goSignatureAlgorithm;
  if (!goName || goName === 'MD2-RSA') return 'x509: cannot verify signature: algorithm unimplemented';
  const hash = child.signatureAlgorithm.hash;
  if (hash === 'md5' || hash === 'sha1') return `x509: cannot verify signature: insecure algorithm ${goName}`;
  const family = ci.sigKeyFamily;
  if (keyAlg === 'dsa') return 'x509: cannot verify signature: algorithm unimplemented';
  if (family !== keyAlg) {
    return `x509: signature algorithm specifies an ${GO_KEY_ALGO_NAMES[family ?? ''] ?? family} public key, but have public key of type ${GO_PUBLIC_KEY_TYPES[keyAlg]}`;
  }
  if (keyAlg === 'rsa' && parent.publicKey.bits !== undefined && parent.publicKey.bits < 1024) {
    return `crypto/rsa: ${parent.publicKey.bits}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)`;
  }
  if (!signatureValid(child, parent)) {
    if (keyAlg === 'rsa') return 'crypto/rsa: verification error';
    if (keyAlg === 'ec') return 'x509: ECDSA verification failure';
    return 'x509: Ed25519 verification failure';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Verification

export type VerifyErrorKind =
  | 'unknown-authority'
  | 'expired'
  | 'not-yet-valid'
  | 'eku'
  | 'hostname'
  | 'not-ca'
  | 'path-len'
  | 'name-constraints'
  | 'bad-signature'
  /** Go refuses a certificate with a critical extension it does not understand. */
  | 'critical-extension'
  /** Go's x509.ParseCertificate refuses the leaf's bytes. */
  | 'malformed';

export interface VerifyOptions {
  roots: Certificate[];
  intermediates?: Certificate[];
  at?: Date;
  ignoreTime?: boolean;
  usages?: string[];
  host?: string;
}

export interface VerifyError {
  kind: VerifyErrorKind;
  message: string;
  /** The certificate the error is about (Go's CertificateInvalidError.Cert / the leaf). */
  cert?: Certificate;
}

export interface VerifyResult {
  ok: boolean;
  chains: Certificate[][];
  error?: VerifyError;
  warnings: string[];
}

const MAX_SIGNATURE_CHECKS = 100; // Go's maxChainSignatureChecks
const MAX_CONSTRAINT_COMPARISONS = 250_000; // Go's default MaxConstraintComparisions
const MAX_POOL = 10_000;

type CertType = 'leaf' | 'intermediate' | 'root';

interface Ctx {
  now: Date;
  ignoreTime: boolean;
  roots: Pool;
  intermediates: Pool;
  sigChecks: number;
}

class Pool {
  private byName = new Map<string, Certificate[]>();
  private hashes = new Set<string>();
  constructor(certs: Certificate[]) {
    for (const c of certs.slice(0, MAX_POOL)) {
      if (this.hashes.has(c.sha256)) continue;
      this.hashes.add(c.sha256);
      const k = certInternals(c).rawSubject.toString('latin1');
      const list = this.byName.get(k);
      if (list) list.push(c);
      else this.byName.set(k, [c]);
    }
  }
  contains(c: Certificate): boolean {
    return this.hashes.has(c.sha256);
  }
  /** Go's findPotentialParents: same raw subject as cert's issuer, best key-id matches first. */
  potentialParents(cert: Certificate): Certificate[] {
    const list = this.byName.get(certInternals(cert).rawIssuer.toString('latin1'));
    if (!list) return [];
    const aki = cert.authorityKeyId ?? '';
    const matching: Certificate[] = [];
    const one: Certificate[] = [];
    const mismatch: Certificate[] = [];
    for (const c of list) {
      const ski = c.subjectKeyId ?? '';
      if (ski === aki) matching.push(c);
      else if ((ski === '' && aki !== '') || (ski !== '' && aki === '')) one.push(c);
      else mismatch.push(c);
    }
    return [...matching, ...one, ...mismatch];
  }
}

function rfc3339(d: Date): string {
  if (isNaN(d.getTime())) return String(d);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function invalid(kind: VerifyErrorKind, message: string, cert: Certificate): VerifyError {
  return { kind, message, cert };
}

/** Go's isValid for a certificate about to be appended to currentChain. */
function isValid(c: Certificate, certType: CertType, currentChain: Certificate[], ctx: Ctx): VerifyError | undefined {
  if (c.unhandledCriticalExtensions.length > 0) return invalid('critical-extension', 'x509: unhandled critical extension', c);
  if (currentChain.length > 0) {
    const child = currentChain[currentChain.length - 1];
    if (!certInternals(child).rawIssuer.equals(certInternals(c).rawSubject)) {
      return invalid('unknown-authority', 'x509: issuer name does not match subject from issuing certificate', c);
    }
  }
  if (!ctx.ignoreTime) {
    const now = ctx.now.getTime();
    if (now < c.notBefore.getTime()) {
      return invalid(
        'not-yet-valid',
        `x509: certificate has expired or is not yet valid: current time ${rfc3339(ctx.now)} is before ${rfc3339(c.notBefore)}`,
        c,
      );
    }
    if (now > c.notAfter.getTime()) {
      return invalid(
        'expired',
        `x509: certificate has expired or is not yet valid: current time ${rfc3339(ctx.now)} is after ${rfc3339(c.notAfter)}`,
        c,
      );
    }
  }
  if (certType !== 'leaf' && certInternals(c).nc) {
    const err = checkNameConstraintsOf(c, currentChain);
    if (err) return err;
  }
  if (certType === 'intermediate' && (!c.basicConstraintsPresent || !c.isCA)) {
    return invalid('not-ca', 'x509: certificate is not authorized to sign other certificates', c);
  }
  if (c.basicConstraintsPresent && c.pathLen !== undefined) {
    const numIntermediates = currentChain.length - 1;
    if (numIntermediates > c.pathLen) return invalid('path-len', 'x509: too many intermediates for path length constraint', c);
  }
  return undefined;
}

/** Go's alreadyInChain: same subject, same public key and same SAN extension (or both without). */
function alreadyInChain(candidate: Certificate, chain: Certificate[]): boolean {
  const ci = certInternals(candidate);
  for (const c of chain) {
    const i = certInternals(c);
    if (!ci.rawSubject.equals(i.rawSubject)) continue;
    if (!sameKey(candidate.publicKey.spkiDer, c.publicKey.spkiDer)) continue;
    if (!ci.sanValue && !i.sanValue) return true;
    if (!ci.sanValue || !i.sanValue) return false;
    if (ci.sanValue.equals(i.sanValue)) return true;
  }
  return false;
}

interface BuildResult {
  chains: Certificate[][];
  err?: VerifyError;
}

/** Go's buildChains, including how the returned error is chosen. */
function buildChains(c: Certificate, currentChain: Certificate[], ctx: Ctx): BuildResult {
  let chains: Certificate[][] = [];
  let err: VerifyError | undefined;
  let hintErr: string | undefined;
  let hintCert: Certificate | undefined;
  let limitReached = false;

  const consider = (certType: CertType, candidate: Certificate) => {
    if (alreadyInChain(candidate, currentChain)) return;
    ctx.sigChecks++;
    if (ctx.sigChecks > MAX_SIGNATURE_CHECKS) {
      err = invalid('unknown-authority', 'x509: signature check attempts limit reached while verifying certificate chain', c);
      limitReached = true;
      return;
    }
    const sigErr = checkSignatureFrom(c, candidate);
    if (sigErr) {
      if (hintErr === undefined) {
        hintErr = sigErr;
        hintCert = candidate;
      }
      return;
    }
    err = isValid(candidate, certType, currentChain, ctx);
    if (err) {
      if (hintErr === undefined) {
        hintErr = err.message;
        hintCert = candidate;
      }
      return;
    }
    if (certType === 'root') {
      chains.push([...currentChain, candidate]);
    } else {
      const child = buildChains(candidate, [...currentChain, candidate], ctx);
      err = child.err;
      chains = chains.concat(child.chains);
    }
  };

  outer: for (const [certType, pool] of [
    ['root', ctx.roots],
    ['intermediate', ctx.intermediates],
  ] as const) {
    for (const p of pool.potentialParents(c)) {
      consider(certType, p);
      if (limitReached) break outer;
    }
  }

  if (chains.length > 0) err = undefined;
  if (chains.length === 0 && !err) {
    let message = 'x509: certificate signed by unknown authority';
    if (hintErr !== undefined && hintCert) {
      message += ` (possibly because of ${goQuote(hintErr)} while trying to verify candidate authority certificate ${goQuote(certificateName(hintCert))})`;
    }
    // Go has one error for all of these; the kind says why the candidate with the right name was refused.
    let kind: VerifyErrorKind = 'unknown-authority';
    if (hintErr !== undefined && /verification (error|failure)$/.test(hintErr)) kind = 'bad-signature';
    else if (hintErr === CONSTRAINT_VIOLATION) kind = 'not-ca';
    err = invalid(kind, message, c);
  }
  return { chains, err };
}

/** Go's %q for the strings that appear in messages. */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

/** Go's checkChainForKeyUsage. */
function checkChainForKeyUsage(chain: Certificate[], usages: string[]): boolean {
  const remaining = [...usages];
  let left = remaining.length;
  for (let i = chain.length - 1; i >= 0; i--) {
    const eku = chain[i].extKeyUsage;
    if (!eku || eku.length === 0) continue;
    if (eku.includes('any')) continue;
    for (let j = 0; j < remaining.length; j++) {
      const u = remaining[j];
      if (u === '') continue;
      if (eku.includes(u)) continue;
      remaining[j] = '';
      if (--left === 0) return false;
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------------------
// Name constraints (Go's isValid for CAs with name constraints)

function matchDomainConstraint(domain: string, constraint: string): boolean | string {
  if (constraint.length === 0) return true;
  const domainLabels = domainToReverseLabels(domain);
  if (!domainLabels) return `x509: internal error: cannot parse domain ${goQuote(domain)}`;
  let mustHaveSubdomains = false;
  if (constraint[0] === '.') {
    mustHaveSubdomains = true;
    constraint = constraint.slice(1);
  }
  const constraintLabels = domainToReverseLabels(constraint);
  if (!constraintLabels) return `x509: internal error: cannot parse domain ${goQuote(constraint)}`;
  if (domainLabels.length < constraintLabels.length || (mustHaveSubdomains && domainLabels.length === constraintLabels.length)) return false;
  for (let i = 0; i < constraintLabels.length; i++) {
    if (toLowerAscii(constraintLabels[i]) !== toLowerAscii(domainLabels[i])) return false;
  }
  return true;
}

function trimFirstLabel(name: string): string {
  const i = name.indexOf('.');
  return i < 0 ? '' : name.slice(i);
}

/**
 * Go since the CVE-2025-61727 fix (1.24.11 / 1.25.5): a wildcard SAN such as *.example.com is excluded by an
 * excluded constraint one label below its parent (bar.example.com), since the wildcard would match that name.
 */
function wildcardMayMatch(san: string, excludedConstraint: string): boolean {
  if (!san.startsWith('*')) return false;
  const parent = trimFirstLabel(excludedConstraint);
  return parent !== '' && trimFirstLabel(san) === parent;
}

function matchIPConstraint(ip: Buffer, c: { ip: Buffer; mask: Buffer }): boolean {
  if (ip.length !== c.ip.length) return false;
  for (let i = 0; i < ip.length; i++) if ((ip[i] & c.mask[i]) !== (c.ip[i] & c.mask[i])) return false;
  return true;
}

/** Simplified RFC 2821 mailbox split (local@domain); undefined when Go could not parse it. */
function parseMailbox(s: string): { local: string; domain: string } | undefined {
  const at = s.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  if (!domainToReverseLabels(domain)) return undefined;
  return { local, domain };
}

function matchEmailConstraint(mailbox: { local: string; domain: string }, constraint: string): boolean | string {
  if (constraint.includes('@')) {
    const c = parseMailbox(constraint);
    if (!c) return `x509: internal error: cannot parse constraint ${goQuote(constraint)}`;
    return mailbox.local === c.local && toLowerAscii(mailbox.domain) === toLowerAscii(c.domain);
  }
  return matchDomainConstraint(mailbox.domain, constraint);
}

function uriHost(uri: string): string | undefined {
  const m = uri.match(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/([^/?#]*)/);
  if (!m) return '';
  let host = m[1];
  const at = host.lastIndexOf('@');
  if (at !== -1) host = host.slice(at + 1);
  return host;
}

function matchURIConstraint(uri: string, constraint: string): boolean | string {
  let host = uriHost(uri) ?? '';
  if (host.length === 0) return `URI with empty host (${goQuote(uri)}) cannot be matched against constraints`;
  if (host.includes(':') && !host.endsWith(']')) host = host.slice(0, host.lastIndexOf(':'));
  if ((host.startsWith('[') && host.endsWith(']')) || parseIP(host)) {
    return `URI with IP (${goQuote(uri)}) cannot be matched against constraints`;
  }
  return matchDomainConstraint(host, constraint);
}

function forEachSan(san: Buffer, cb: (tag: number, data: Buffer) => VerifyError | undefined): VerifyError | undefined {
  try {
    const seq = parseOne(san);
    for (const gn of children(seq, 10_000)) {
      const err = cb(gn.tagNumber, gn.buf.subarray(gn.valueStart, gn.end));
      if (err) return err;
    }
  } catch {
    return undefined;
  }
  return undefined;
}

function checkNameConstraintsOf(ca: Certificate, currentChain: Certificate[]): VerifyError | undefined {
  const nc = certInternals(ca).nc!;
  let count = 0;
  const nameErr = (detail: string) =>
    invalid('name-constraints', `x509: a root or intermediate certificate is not authorized to sign for this name: ${detail}`, ca);

  function check<N, C>(
    nameType: string,
    name: string,
    parsed: N,
    match: (n: N, c: C) => boolean | string,
    permitted: C[],
    excluded: C[],
    show: (c: C) => string,
  ): VerifyError | undefined {
    count += excluded.length;
    if (count > MAX_CONSTRAINT_COMPARISONS)
      return invalid('name-constraints', 'x509: too many name constraints to check (Go stops after 250000 comparisons)', ca);
    for (const c of excluded) {
      const m = match(parsed, c);
      if (typeof m === 'string') return nameErr(m);
      if (m || (nameType === 'DNS name' && wildcardMayMatch(name, show(c)))) {
        return nameErr(`${nameType} ${goQuote(name)} is excluded by constraint ${goQuote(show(c))}`);
      }
    }
    count += permitted.length;
    if (count > MAX_CONSTRAINT_COMPARISONS)
      return invalid('name-constraints', 'x509: too many name constraints to check (Go stops after 250000 comparisons)', ca);
    let ok = true;
    for (const c of permitted) {
      const m = match(parsed, c);
      if (typeof m === 'string') return nameErr(m);
      ok = m;
      if (ok) break;
    }
    if (!ok) return nameErr(`${nameType} ${goQuote(name)} is not permitted by any constraint`);
    return undefined;
  }

  for (const sanCert of currentChain) {
    const san = certInternals(sanCert).sanValue;
    if (!san) continue;
    const err = forEachSan(san, (tag, data) => {
      const name = data.toString('latin1');
      switch (tag) {
        case 1: {
          const mailbox = parseMailbox(name);
          if (!mailbox) return invalid('name-constraints', `x509: cannot parse rfc822Name ${goQuote(name)}`, sanCert);
          return check('email address', name, mailbox, matchEmailConstraint, nc.permittedEmail, nc.excludedEmail, (c) => c);
        }
        case 2:
          if (!domainToReverseLabels(name)) return invalid('name-constraints', `x509: cannot parse dnsName ${goQuote(name)}`, sanCert);
          return check('DNS name', name, name, matchDomainConstraint, nc.permittedDNS, nc.excludedDNS, (c) => c);
        case 6:
          return check('URI', name, name, matchURIConstraint, nc.permittedURI, nc.excludedURI, (c) => c);
        case 7:
          if (data.length !== 4 && data.length !== 16)
            return invalid('name-constraints', `x509: internal error: IP SAN ${data.toString('hex')} failed to parse`, sanCert);
          return check('IP address', formatIP(data), data, matchIPConstraint, nc.permittedIP, nc.excludedIP, (c) => formatCidr(c.ip, c.mask));
        default:
          return undefined;
      }
    });
    if (err) return err;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------
// RFC 5280 violations Go tolerates

function label(c: Certificate): string {
  return c.subject.text ? `"${c.subject.text}"` : `(empty subject, serial ${c.serialNumber})`;
}

function rfcWarnings(chain: Certificate[]): string[] {
  const out: string[] = [];
  chain.forEach((c, i) => {
    const name = label(c);
    if (/^0+$/.test(c.serialNumber)) out.push(`RFC 5280 4.1.2.2: ${name} has serial number 0`);
    else if (c.serialNumber.length > 40 || (c.serialNumber.length === 40 && c.serialNumber[0] >= '8')) {
      out.push(`RFC 5280 4.1.2.2: ${name} has a serial number longer than 20 octets`);
    }
    const critical = certInternals(c).critical;
    if (i === 0) {
      if (c.pathLen !== undefined && !c.isCA) out.push(`RFC 5280 4.2.1.9: ${name} sets pathLenConstraint but is not a CA (Go ignores it)`);
      if (c.keyUsage?.includes('keyCertSign') && !c.isCA)
        out.push(`RFC 5280 4.2.1.3: ${name} asserts keyCertSign but basicConstraints does not say CA:TRUE`);
      if (!c.authorityKeyId && !c.selfIssued) out.push(`RFC 5280 4.2.1.1: ${name} has no authorityKeyIdentifier`);
      if (!c.subject.text && certInternals(c).sanValue && !critical.has(OID.subjectAltName)) {
        out.push(`RFC 5280 4.2.1.6: ${name} has an empty subject, so its subjectAltName must be critical`);
      }
    } else {
      if (c.version < 3 && !c.basicConstraintsPresent) {
        out.push(`RFC 5280 4.2.1.9: root ${name} is a version ${c.version} certificate without basicConstraints (Go accepts it as a trust anchor)`);
      } else {
        if (!c.keyUsage) out.push(`RFC 5280 4.2.1.3: CA certificate ${name} has no keyUsage extension (keyCertSign is required; Go accepts it)`);
        if (c.basicConstraintsPresent && !critical.has(OID.basicConstraints))
          out.push(`RFC 5280 4.2.1.9: CA certificate ${name} has basicConstraints not marked critical`);
      }
      if (!c.subjectKeyId) out.push(`RFC 5280 4.2.1.2: CA certificate ${name} has no subjectKeyIdentifier`);
      if (c.nameConstraints && !c.nameConstraints.critical)
        out.push(`RFC 5280 4.2.1.10: CA certificate ${name} has name constraints not marked critical (Go enforces them anyway)`);
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------

/** Go's (*Certificate).Verify with the given pools; chains are leaf-first, ending at a root. */
export function verify(leaf: Certificate, opts: VerifyOptions): VerifyResult {
  const warnings: string[] = [];
  const usable = (certs: Certificate[] | undefined, what: string) =>
    (certs ?? []).filter((c) => {
      if (!c.goParseError) return true;
      warnings.push(`${what} ${label(c)} is ignored: Go cannot parse it (${c.goParseError})`);
      return false;
    });
  const ctx: Ctx = {
    now: opts.at ?? new Date(),
    ignoreTime: !!opts.ignoreTime,
    roots: new Pool(usable(opts.roots, 'root certificate')),
    intermediates: new Pool(usable(opts.intermediates, 'intermediate certificate')),
    sigChecks: 0,
  };
  const fail = (error: VerifyError): VerifyResult => {
    warnings.push(...rfcWarnings([leaf]));
    return { ok: false, chains: [], error, warnings };
  };

  if (leaf.goParseError) return fail(invalid('malformed', leaf.goParseError, leaf));
  const leafErr = isValid(leaf, 'leaf', [], ctx);
  if (leafErr) return fail(leafErr);
  if (opts.host) {
    const msg = hostMismatchMessage(leaf, opts.host);
    if (msg) return fail(invalid('hostname', msg, leaf));
  }

  let candidates: Certificate[][];
  if (ctx.roots.contains(leaf)) {
    candidates = [[leaf]];
  } else {
    const built = buildChains(leaf, [leaf], ctx);
    if (built.chains.length === 0) return fail(built.err ?? invalid('unknown-authority', 'x509: certificate signed by unknown authority', leaf));
    candidates = built.chains;
  }

  const usages = opts.usages && opts.usages.length ? opts.usages : ['serverAuth'];
  let chains = candidates;
  if (!usages.includes('any')) {
    chains = candidates.filter((ch) => checkChainForKeyUsage(ch, usages));
    if (chains.length === 0) return fail(invalid('eku', 'x509: certificate specifies an incompatible key usage', leaf));
  }
  warnings.push(...rfcWarnings(chains[0]));
  return { ok: true, chains, warnings };
}
