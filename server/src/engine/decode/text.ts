// The full decode as plain text, in the spirit of `openssl x509 -text`, with each certificate's PEM
// block appended (never a private key's).
import { formatAttributes } from './names';
import { formatInstant } from './time';
import type { CertificateView, CsrView, Decoded, DecodedItem, PrivateKeyView, PublicKeyView, SubjectAltNames, UndecodableView } from './describe';
import type { DecodeContext } from './markdown';

const KEY_USAGE_TEXT: Record<string, string> = {
  digitalSignature: 'Digital Signature',
  contentCommitment: 'Non Repudiation',
  keyEncipherment: 'Key Encipherment',
  dataEncipherment: 'Data Encipherment',
  keyAgreement: 'Key Agreement',
  keyCertSign: 'Certificate Sign',
  cRLSign: 'CRL Sign',
  encipherOnly: 'Encipher Only',
  decipherOnly: 'Decipher Only',
};

const EKU_TEXT: Record<string, string> = {
  serverAuth: 'TLS Web Server Authentication',
  clientAuth: 'TLS Web Client Authentication',
  codeSigning: 'Code Signing',
  emailProtection: 'E-mail Protection',
  timeStamping: 'Time Stamping',
  OCSPSigning: 'OCSP Signing',
  any: 'Any Extended Key Usage',
};

function sanText(s: SubjectAltNames): string {
  return [
    ...s.dns.map((d) => `DNS:${d}`),
    ...s.ip.map((i) => `IP Address:${i}`),
    ...s.uri.map((u) => `URI:${u}`),
    ...s.email.map((m) => `email:${m}`),
  ].join(', ');
}

function identityText(user: string | undefined, groups: string[]): string {
  return `user ${user ? JSON.stringify(user) : '(none: empty CN)'}, groups ${groups.length ? groups.map((g) => JSON.stringify(g)).join(', ') : '(none)'}`;
}

function certificateText(c: CertificateView): string[] {
  const out = [
    'Certificate:',
    '    Data:',
    `        Version: ${c.version} (0x${(c.version - 1).toString(16)})`,
    `        Serial Number: ${c.serialNumber}`,
    `        Signature Algorithm: ${c.signatureAlgorithm}`,
    `        Issuer: ${formatAttributes(c.issuer) || '(empty)'}`,
    '        Validity',
    `            Not Before: ${formatInstant(c.notBefore)}`,
    `            Not After : ${formatInstant(c.notAfter)}  (${c.validityPhrase})`,
    `        Subject: ${formatAttributes(c.subject) || '(empty)'}`,
  ];
  if (!c.isCA) out.push(`        Kubernetes sees: ${identityText(c.kubernetes.user, c.kubernetes.groups)}`);
  out.push('        Subject Public Key Info:', `            Public Key Algorithm: ${c.publicKey}`);
  const ext: string[] = [];
  if (c.basicConstraintsPresent)
    ext.push(
      '            X509v3 Basic Constraints:',
      `                CA:${c.isCA ? 'TRUE' : 'FALSE'}${c.pathLen !== undefined ? `, pathlen:${c.pathLen}` : ''}`,
    );
  if (c.keyUsage)
    ext.push('            X509v3 Key Usage:', `                ${c.keyUsage.map((k) => KEY_USAGE_TEXT[k] ?? k).join(', ') || '(none)'}`);
  if (c.extKeyUsage)
    ext.push('            X509v3 Extended Key Usage:', `                ${c.extKeyUsage.map((k) => EKU_TEXT[k] ?? k).join(', ') || '(none)'}`);
  if (c.subjectKeyId) ext.push('            X509v3 Subject Key Identifier:', `                ${c.subjectKeyId}`);
  if (c.authorityKeyId) ext.push('            X509v3 Authority Key Identifier:', `                ${c.authorityKeyId}`);
  const sans = sanText(c.sans);
  if (sans) ext.push('            X509v3 Subject Alternative Name:', `                ${sans}`);
  if (c.undecodableExtensions.length) ext.push('            Undecodable extensions:', `                ${c.undecodableExtensions.join(', ')}`);
  if (ext.length) out.push('        X509v3 extensions:', ...ext);
  out.push(`    SHA-256 Fingerprint: ${c.sha256}`);
  if (c.goParseError) out.push(`    Kubernetes components (Go crypto/x509) refuse it: ${c.goParseError}`);
  else if (c.unhandledCriticalExtensions.length)
    out.push(`    Kubernetes components refuse it: unhandled critical extension ${c.unhandledCriticalExtensions.join(', ')}`);
  return out;
}

function privateKeyText(k: PrivateKeyView): string[] {
  const out = ['Private Key:', `    Type: ${k.description}`];
  if (k.encrypted) out.push(`    Encrypted: yes${k.encryption ? ` (${k.encryption})` : ''} - Kubernetes components cannot read encrypted keys`);
  if (k.match) out.push(`    ${k.match.matches ? 'Matches' : 'Does NOT match'}: ${k.match.against}`);
  out.push('    (kube-pki never shows a private key’s content)');
  return out;
}

function publicKeyText(k: PublicKeyView): string[] {
  return ['Public Key:', `    Type: ${k.description}`, `    SHA-256 of SubjectPublicKeyInfo: ${k.sha256}`];
}

function csrText(c: CsrView): string[] {
  const out = [
    'Certificate Request:',
    `    Subject: ${formatAttributes(c.subject) || '(empty)'}`,
    `    Kubernetes would see: ${identityText(c.kubernetes.user, c.kubernetes.groups)}`,
    `    Public Key Algorithm: ${c.publicKey}`,
    `    Signature Algorithm: ${c.signatureAlgorithm}${c.signatureValid === undefined ? '' : c.signatureValid ? ' (self-signature valid)' : ' (self-signature INVALID)'}`,
    `    Requested Extensions: ${c.requestedExtensions.join(', ') || '(none)'}`,
  ];
  const sans = sanText(c.sans);
  if (sans) out.push(`        Subject Alternative Name: ${sans}`);
  if (c.keyUsage) out.push(`        Key Usage: ${c.keyUsage.map((k) => KEY_USAGE_TEXT[k] ?? k).join(', ')}`);
  if (c.extKeyUsage) out.push(`        Extended Key Usage: ${c.extKeyUsage.map((k) => EKU_TEXT[k] ?? k).join(', ')}`);
  if (c.basicConstraints)
    out.push(
      `        Basic Constraints: CA:${c.basicConstraints.isCA ? 'TRUE' : 'FALSE'}${c.basicConstraints.pathLen !== undefined ? `, pathlen:${c.basicConstraints.pathLen}` : ''}`,
    );
  if (c.undecodableExtensions.length) out.push(`    Undecodable extensions: ${c.undecodableExtensions.join(', ')}`);
  if (c.otherAttributes.length) out.push(`    Other attributes: ${c.otherAttributes.join(', ')}`);
  return out;
}

function undecodableText(u: UndecodableView): string[] {
  return [`Cannot decode${u.label ? ` PEM block '${u.label}'` : ''}: ${u.reason}`];
}

function itemText(item: DecodedItem): string[] {
  switch (item.kind) {
    case 'certificate':
      return certificateText(item);
    case 'private-key':
      return privateKeyText(item);
    case 'public-key':
      return publicKeyText(item);
    case 'csr':
      return csrText(item);
    case 'undecodable':
      return undecodableText(item);
  }
}

/** The whole decode: a header (what and where), the findings, each item, and each certificate's PEM. */
export function decodedText(d: Decoded, opts: { title?: string; now: Date; context?: DecodeContext }): string {
  const out: string[] = [];
  if (opts.title) out.push(`# ${opts.title}`);
  out.push(`# decoded by kube-pki at ${formatInstant(opts.now)}`);
  const ctx = opts.context;
  if (ctx?.role || ctx?.field) out.push(`# ${[ctx.role, ctx.field].filter(Boolean).join(': ')}`);
  if (ctx?.resolvedPath) out.push(`# file: ${ctx.resolvedPath}`);
  for (const f of ctx?.findings ?? []) out.push(`# ${f.severity} ${f.code}: ${f.message}`);
  for (const u of ctx?.usedBy ?? []) {
    out.push(`# used as ${u.role} (${u.where})`);
    for (const f of u.findings) out.push(`#   ${f.severity} ${f.code}: ${f.message}`);
  }
  for (const n of d.notes) out.push(`# note: ${n}`);
  const certCount = d.items.filter((i) => i.kind === 'certificate').length;
  if (certCount > 1) {
    out.push(
      `# ${certCount} certificates: ${d.chain.map((l) => `${l.from} ${l.issuedBy ? 'is issued by' : 'is NOT issued by'} ${l.to}`).join('; ')}`,
    );
  }
  if (d.items.length === 0 && d.notes.length === 0) out.push('', 'Nothing to decode: no PEM block.');
  d.items.forEach((item, i) => {
    out.push('');
    if (d.items.length > 1) out.push(`## ${i + 1} of ${d.items.length}`);
    out.push(...itemText(item));
    if (item.kind === 'certificate') out.push(item.pem.trimEnd());
  });
  return out.join('\n') + '\n';
}
