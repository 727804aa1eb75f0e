// Descriptions as compact Markdown, for hovers. Every value that comes from a certificate is escaped:
// a subject is attacker-controlled text and must not become a link, an image or HTML.
import type { Severity } from '../types';
import type { NameAttribute } from './names';
import { formatInstant } from './time';
import type {
  CertificateView,
  ChainLink,
  CsrView,
  Decoded,
  DecodedItem,
  KubernetesIdentity,
  PrivateKeyView,
  PublicKeyView,
  SubjectAltNames,
  UndecodableView,
} from './describe';

/** What kube-pki knows about where the decoded material is used. */
export interface DecodeContext {
  /** "kube-apiserver's serving certificate" */
  role?: string;
  /** The field or flag as written: "--tls-cert-file", "client-certificate-data". */
  field?: string;
  /** The path as written in the reference. */
  path?: string;
  /** Where that path resolved to. */
  resolvedPath?: string;
  /** Findings on the reference. */
  findings?: ContextFinding[];
  /** Other places that reference this file (when the file itself is hovered). */
  usedBy?: { role: string; where: string; findings: ContextFinding[] }[];
}

export interface ContextFinding {
  severity: Severity;
  code: string;
  message: string;
}

const MAX_VALUE = 300;
const MAX_LIST = 50;

export function escapeMarkdown(s: string): string {
  const short = s.length > MAX_VALUE ? s.slice(0, MAX_VALUE) + '…' : s;
  return short
    .replace(/[\r\n\t]+/g, ' ')

    .replace(/[\x00-\x1f\x7f-\x9f]/g, '\ufffd')
    .replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
}

/** Escaped items joined, at most MAX_LIST of them. */
function joined(xs: string[], sep = ', '): string {
  const shown = xs.slice(0, MAX_LIST).map(escapeMarkdown).join(sep);
  return xs.length > MAX_LIST ? `${shown}${sep}… (${xs.length - MAX_LIST} more)` : shown;
}

const e = escapeMarkdown;

const ICON: Record<Severity, string> = { error: '❌', warning: '⚠️', info: 'ℹ️' };

function row(name: string, value: string | undefined): string {
  return value ? `| ${name} | ${value} |` : '';
}

function table(rows: string[]): string {
  const kept = rows.filter(Boolean);
  return kept.length ? ['| | |', '|:--|:--|', ...kept].join('\n') : '';
}

function list(xs: string[] | undefined): string | undefined {
  return xs && xs.length ? joined(xs) : undefined;
}

export function attributesMarkdown(attrs: NameAttribute[]): string {
  return attrs.length ? joined(attrs.map((a) => `${a.type}=${a.value}`)) : '*(empty)*';
}

function identity(k: KubernetesIdentity): string {
  const user = k.user ? `user **${e(k.user)}**` : 'no user (the CN is empty: the apiserver does not authenticate it)';
  const groups = k.groups.length
    ? `groups ${k.groups
        .slice(0, MAX_LIST)
        .map((g) => `**${e(g)}**`)
        .join(', ')}`
    : 'no groups';
  return `${user}, ${groups}`;
}

export function sansMarkdown(s: SubjectAltNames): string | undefined {
  const parts: string[] = [];
  if (s.dns.length) parts.push(`DNS: ${joined(s.dns)}`);
  if (s.ip.length) parts.push(`IP: ${joined(s.ip)}`);
  if (s.uri.length) parts.push(`URI: ${joined(s.uri)}`);
  if (s.email.length) parts.push(`email: ${joined(s.email)}`);
  return parts.length ? parts.join(' · ') : undefined;
}

/**
 * What the headline says before the validity phrase: ✅ only for a valid certificate no finding is about;
 * with findings, the worst one's icon and their codes (the messages are in the editor's own diagnostic hover).
 */
function verdictOf(c: CertificateView, findings: ContextFinding[]): string {
  if (findings.length === 0) return c.validity === 'valid' ? '✅' : '❌';
  const worst = findings.reduce((w, f) => (RANK[f.severity] > RANK[w] ? f.severity : w), findings[0].severity);
  const codes = [...new Set(findings.map((f) => f.code))];
  return `${ICON[worst]} ${codes.map((code) => `**${e(code)}**`).join(', ')} ·`;
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

function certificateMarkdown(c: CertificateView, findings: ContextFinding[] = []): string {
  const ca = c.isCA
    ? `yes${c.pathLen !== undefined ? `, path length ${c.pathLen}` : ''}`
    : c.basicConstraintsPresent
      ? 'no'
      : 'no (no basic constraints)';
  // What one looks for first (who, by whom, until when, for which names, with which key) leads the table.
  const lines = [
    `**Certificate** ${e(c.cert.subject.commonName !== undefined ? `CN=${c.cert.subject.commonName}` : c.subjectText || c.name)} · ${verdictOf(c, findings)} ${e(c.validityPhrase)}`,
    '',
    table([
      row('Subject', attributesMarkdown(c.subject)),
      row('Issuer', attributesMarkdown(c.issuer) + (c.selfIssued ? ' (self-issued)' : '')),
      row('Not before', e(formatInstant(c.notBefore))),
      row('Not after', `${e(formatInstant(c.notAfter))} (${e(c.validityPhrase)})`),
      row('SANs', sansMarkdown(c.sans) ?? '*none*'),
      row('Public key', e(c.publicKey)),
      c.isCA ? '' : row('Kubernetes sees', identity(c.kubernetes)),
      row('Signature', e(c.signatureAlgorithm)),
      row('Key usage', list(c.keyUsage)),
      row('Extended key usage', list(c.extKeyUsage) ?? (c.isCA ? undefined : '*none (any usage)*')),
      row('CA', ca),
      row('Serial', e(c.serialNumber)),
      row('Subject key ID', c.subjectKeyId && e(c.subjectKeyId)),
      row('Authority key ID', c.authorityKeyId && e(c.authorityKeyId)),
      row('SHA-256', e(c.sha256)),
      row('Undecodable extensions', list(c.undecodableExtensions)),
    ]),
  ];
  if (c.goParseError) lines.push('', `❌ Kubernetes components (Go's crypto/x509) refuse it: ${e(c.goParseError)}`);
  else if (c.unhandledCriticalExtensions.length) {
    lines.push('', `❌ Kubernetes components refuse it: unhandled critical extension ${c.unhandledCriticalExtensions.map(e).join(', ')}`);
  }
  return lines.join('\n');
}

function privateKeyMarkdown(k: PrivateKeyView): string {
  const lines = [`**Private key** · ${e(k.description)}`];
  if (k.encrypted) {
    lines.push('', `🔒 Encrypted${k.encryption ? ` (${e(k.encryption)})` : ''}: Kubernetes components cannot read encrypted keys.`);
  } else if (k.match) {
    lines.push('', k.match.matches ? `✅ Matches ${e(k.match.against)}` : `❌ Does **not** match ${e(k.match.against)}`);
  }
  lines.push('', '*kube-pki never shows a private key’s content.*');
  return lines.join('\n');
}

function publicKeyMarkdown(k: PublicKeyView): string {
  return `**Public key** · ${e(k.description)}\n\n${table([row('SHA-256', e(k.sha256))])}`;
}

function csrMarkdown(c: CsrView): string {
  const sig = c.signatureValid === undefined ? '' : c.signatureValid ? ' (self-signature valid)' : ' (❌ self-signature invalid)';
  const bc = c.basicConstraints
    ? c.basicConstraints.isCA
      ? `CA${c.basicConstraints.pathLen !== undefined ? `, path length ${c.basicConstraints.pathLen}` : ''}`
      : 'not a CA'
    : undefined;
  return [
    `**Certificate signing request** ${e(c.subjectText || '(empty subject)')}`,
    '',
    table([
      row('Subject', attributesMarkdown(c.subject)),
      row('Kubernetes would see', identity(c.kubernetes)),
      row('SANs', sansMarkdown(c.sans) ?? '*none requested*'),
      row('Public key', e(c.publicKey)),
      row('Signature', e(c.signatureAlgorithm) + sig),
      row('Requested extensions', list(c.requestedExtensions) ?? '*none*'),
      row('Key usage', list(c.keyUsage)),
      row('Extended key usage', list(c.extKeyUsage)),
      row('Basic constraints', bc),
      row('Undecodable extensions', list(c.undecodableExtensions)),
      row('Other attributes', list(c.otherAttributes)),
    ]),
  ].join('\n');
}

function undecodableMarkdown(u: UndecodableView): string {
  return `**Cannot decode**${u.label ? ` PEM block '${e(u.label)}'` : ''}: ${e(u.reason)}`;
}

export function itemMarkdown(item: DecodedItem, findings: ContextFinding[] = []): string {
  switch (item.kind) {
    case 'certificate':
      return certificateMarkdown(item, findings);
    case 'private-key':
      return privateKeyMarkdown(item);
    case 'public-key':
      return publicKeyMarkdown(item);
    case 'csr':
      return csrMarkdown(item);
    case 'undecodable':
      return undecodableMarkdown(item);
  }
}

function linkText(l: ChainLink): string {
  return l.issuedBy ? `✅ ${l.from} is issued by ${l.to}` : `✖ ${l.from} is not issued by ${l.to}`;
}

/** "3 certificates: ✅ 1 is issued by 2 · ✖ 2 is not issued by 3" */
export function chainMarkdown(d: Decoded): string | undefined {
  const count = d.items.filter((i) => i.kind === 'certificate').length;
  if (count < 2) return undefined;
  const all = d.chain.every((l) => l.issuedBy);
  const none = d.chain.every((l) => !l.issuedBy);
  const verdict = all
    ? 'they form one chain, in order'
    : none
      ? 'none is issued by the next (separate certificates, as in a CA bundle of roots)'
      : 'only partly a chain';
  return `**${count} certificates**: ${verdict} — ${d.chain.map(linkText).join(' · ')}`;
}

function findingLines(findings: ContextFinding[] | undefined): string[] {
  return (findings ?? []).map((f) => `${ICON[f.severity]} **${e(f.code)}**: ${e(f.message)}`);
}

/** Every finding the hover is about: those on the hovered reference and those on the references to the hovered file. */
function allFindings(ctx: DecodeContext | undefined): ContextFinding[] {
  return [...(ctx?.findings ?? []), ...(ctx?.usedBy ?? []).flatMap((u) => u.findings)];
}

/**
 * Where the material is used, after it. The findings on the hovered reference are not repeated: the editor shows
 * their messages in its own hover over the same range (above this one), so here they are only the codes in the
 * certificate's headline, or, with no certificate to head, in this line. The findings on the references to a
 * hovered file are in other files, which the editor does not show here: one line each.
 */
export function contextMarkdown(ctx: DecodeContext | undefined, codesHere = true): string | undefined {
  if (!ctx) return undefined;
  const lines: string[] = [];
  const head: string[] = [];
  if (ctx.role) head.push(`**${e(ctx.role)}**`);
  const where: string[] = [];
  if (ctx.field) where.push(/`/.test(ctx.field) ? e(ctx.field) : `\`${ctx.field}\``);
  if (ctx.resolvedPath) where.push(`→ ${e(ctx.resolvedPath)}`);
  else if (ctx.path) where.push(e(ctx.path));
  if (where.length) head.push(where.join(' '));
  const findings = ctx.findings ?? [];
  if (codesHere && findings.length) {
    const worst = findings.reduce((w, f) => (RANK[f.severity] > RANK[w] ? f.severity : w), findings[0].severity);
    head.push(`${ICON[worst]} ${[...new Set(findings.map((f) => `**${e(f.code)}**`))].join(', ')}`);
  }
  if (head.length) lines.push(head.join(' · '));
  for (const u of ctx.usedBy ?? []) {
    lines.push(`Used as **${e(u.role)}** (${e(u.where)})`);
    lines.push(...findingLines(u.findings).map((l) => `  ${l}`));
  }
  return lines.length ? lines.join('\n\n') : undefined;
}

/**
 * The hover: the decoded material first (a certificate's subject, issuer, validity, SANs and key at the top),
 * then the notes, then where it is used. With `focus`, only that item is shown in full, with its place in the
 * bundle; otherwise every item, with the chain summary.
 */
export function decodedMarkdown(d: Decoded, ctx?: DecodeContext, focus?: number): string {
  const parts: string[] = [];
  const findings = allFindings(ctx);
  const shown = focus !== undefined && d.items[focus] ? [d.items[focus]] : d.items;
  const context = contextMarkdown(ctx, !shown.some((i) => i.kind === 'certificate'));
  const notes = d.notes.map((note) => `*${e(note)}*`);
  if (focus !== undefined && d.items[focus]) {
    const item = d.items[focus];
    if (d.items.length > 1) {
      const certIndex = d.items.slice(0, focus + 1).filter((i) => i.kind === 'certificate').length;
      const certCount = d.items.filter((i) => i.kind === 'certificate').length;
      const where = [`Block ${focus + 1} of ${d.items.length} in this text`];
      if (item.kind === 'certificate' && certCount > 1) {
        const links = d.chain.filter((l) => l.from === certIndex || l.to === certIndex);
        where.push(`certificate ${certIndex} of ${certCount}`, ...links.map(linkText));
      }
      parts.push(`${itemMarkdown(item, findings)}\n\n*${where.join(' · ')}*`);
    } else {
      parts.push(itemMarkdown(item, findings));
    }
    parts.push(...notes);
    if (context) parts.push(context);
    return parts.join('\n\n---\n\n');
  }
  d.items.forEach((item, i) => parts.push((d.items.length > 1 ? `*${i + 1} of ${d.items.length}*\n\n` : '') + itemMarkdown(item, findings)));
  const chain = chainMarkdown(d);
  if (chain) parts.push(chain);
  // With notes and no item, the notes say why (a path kube-pki does not see: features/index.ts).
  if (d.items.length === 0 && d.notes.length === 0) parts.push('**Nothing to decode**: no PEM block');
  parts.push(...notes);
  if (context) parts.push(context);
  return parts.join('\n\n---\n\n');
}
