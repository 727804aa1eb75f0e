// Position-based queries over a document's text, for the editor: what is under the cursor (hover and
// the full decode), a CodeLens above each certificate reference, links from path references to the
// files they resolve to, outline entries and folds for PEM blocks. They take the document's text, so
// they also work on files the engine does not keep (a plain .crt, a Secret manifest).
import * as path from 'node:path';
import type { Engine } from '../workspace/engine';
import { MAX_CONFIG_BYTES, MAX_FILE_BYTES, type Range, type Severity, type Finding } from '../types';
import { parseFile, LineIndex, unitReferences, type ParsedFile, type Reference, type Span, type Unit } from '../parse';
import { parseCertificate } from '../pki/certificate';
import {
  describeBase64,
  describeCertificate,
  describePemText,
  type CertificateView,
  type Decoded,
  type DecodedItem,
  type PairedKey,
} from '../decode/describe';
import { pemRegions, type PemRegion } from '../decode/regions';
import { decodedMarkdown, type DecodeContext } from '../decode/markdown';
import { decodedText } from '../decode/text';
import { shortValidityPhrase } from '../decode/time';
import { base64Values, type Base64Value } from './values';
import { contextFindings, displayLocation, findingsOn, referenceAt, referencesTo, roleOf } from './context';
import { certKeyPairs } from '../cluster';
import { materialProblem } from '../resolve/material';
import { isKubeadmConfig } from '../resolve/paths';
import { unplacedSentences, whatPathIs } from '../resolve/notFound';

export interface HoverInfo {
  markdown: string;
  range: Range;
}

export interface LensInfo {
  range: Range;
  /** "CN=kube-apiserver · expires 2027-11-28 (in 364 d) · issuer kubernetes" (adapters may add an icon for the severity). */
  title: string;
  /** The worst finding on the reference, when there is one. */
  severity?: Severity;
  /** The codes of the findings on the reference. */
  codes: string[];
  /** Where to ask for the full decode (an offset in the document). */
  offset: number;
}

export interface LinkInfo {
  range: Range;
  /** Absolute path the reference resolves to. */
  target: string;
  tooltip: string;
}

export type SymbolKindName = 'certificate' | 'private-key' | 'public-key' | 'csr' | 'undecodable';

export interface SymbolInfo {
  name: string;
  detail: string;
  kind: SymbolKindName;
  range: Range;
  /** The BEGIN line. */
  selectionRange: Range;
}

export interface FoldInfo {
  startLine: number;
  endLine: number;
}

export interface DecodeResult {
  /** A short title for the decode's document: "apiserver.crt", "CN=kube-apiserver". */
  title: string;
  text: string;
}

// ------------------------------------------------------------------------------------------------

interface Target {
  range: Range;
  decoded: Decoded;
  context?: DecodeContext;
  /** The PEM block the cursor is on (an index into decoded.items / decoded.regions). */
  focus?: number;
  /** A short name for the full decode's document: the file, or the field. */
  title: string;
}

const NON_PEM_DOCS = /\.(ya?ml|md|markdown|json|conf|kubeconfig)$/i;

/** A file that is PEM (and openssl text) rather than YAML or Markdown holding PEM. */
export function isPemDocument(file: string, text: string): boolean {
  if (NON_PEM_DOCS.test(file)) return false;
  if (/\.(pem|crt|cer|key|csr|pub)$/i.test(file)) return true;
  // Any other name: PEM when the first non-blank line is an armor line or an openssl text dump.
  const first = text.trimStart().split(/\r?\n/, 1)[0] ?? '';
  return /^-----BEGIN /.test(first) || /^(Certificate|Certificate Request|Private-Key|Public-Key):/.test(first);
}

function parsedFor(engine: Engine, file: string, text: string): { parsed: ParsedFile; current: boolean } {
  const known = engine.parsed(file);
  if (known && known.text === text) return { parsed: known, current: engine.isRecognised(file) };
  return { parsed: parseFile(file, text), current: false };
}

function check(engine: Engine, file: string, current: boolean): Finding[] {
  return current ? engine.check(file) : [];
}

function readText(engine: Engine, file: string): { text: string; bytes: Buffer } | { error: string } {
  const r = engine.fileSystem.readFile(file, MAX_FILE_BYTES);
  if (!r.ok) return { error: r.reason };
  return { text: r.data.toString('latin1'), bytes: r.data };
}

/** A file's content described: PEM blocks, or a DER certificate (which Kubernetes cannot read). */
function describeFile(engine: Engine, file: string, paired: PairedKey | undefined): Decoded {
  const read = readText(engine, file);
  if ('error' in read) return { items: [{ kind: 'undecodable', reason: read.error }], chain: [], notes: [] };
  if (read.bytes.length === 0) return { items: [{ kind: 'undecodable', reason: 'the file is empty' }], chain: [], notes: [] };
  const d = describePemText(read.text, { now: engine.now, ...(paired ? { paired } : {}) });
  if (d.items.length > 0) return d;
  if (read.bytes[0] === 0x30) {
    try {
      const cert = parseCertificate(read.bytes);
      return {
        items: [describeCertificate(cert, engine.now)],
        chain: [],
        notes: ['the file is DER, not PEM: Kubernetes components read PEM only (openssl x509 -inform der -in FILE -out FILE.pem)'],
      };
    } catch {
      return { items: [{ kind: 'undecodable', reason: 'binary data that is not a DER certificate, and no PEM block' }], chain: [], notes: [] };
    }
  }
  return { items: [{ kind: 'undecodable', reason: 'the file holds no PEM block' }], chain: [], notes: [] };
}

/** A relative reference to a file beside `file`, resolved and loaded by the engine. */
function besideRef(file: string, name: string): Reference {
  return { file, span: { start: 0, end: 0 }, field: name, expect: 'cert', source: { kind: 'path', path: name, baseDir: path.dirname(file) } };
}

function pairedOfRef(engine: Engine, unit: Unit, keyRef: Reference): PairedKey | undefined {
  const pair = certKeyPairs(unit).find((p) => p.key === keyRef);
  if (!pair) return undefined;
  const loaded = engine.load(pair.cert);
  const cert = loaded.ok ? loaded.material.certs[0] : undefined;
  return cert ? { spkiDer: cert.publicKey.spkiDer, label: `${cert.subject.text || '(empty subject)'} (${pair.cert.field})` } : undefined;
}

/**
 * The public key a private key file should match: the certificate of the reference pairs that use it as
 * their key, else a certificate (or public key) beside it with the same name: apiserver.key and
 * apiserver.crt, sa.key and sa.pub.
 */
function pairedOfKeyFile(engine: Engine, file: string): PairedKey | undefined {
  for (const site of referencesTo(engine, file)) {
    if (site.ref.expect !== 'key') continue;
    const p = pairedOfRef(engine, site.unit, site.ref);
    if (p) return p;
  }
  const m = /^(.*)\.(key|pem)$/i.exec(path.basename(file));
  if (!m) return undefined;
  for (const ext of ['.crt', '.cer', '.pem', '.pub']) {
    const name = m[1] + ext;
    if (name === path.basename(file)) continue;
    const loaded = engine.load(besideRef(file, name));
    if (!loaded.ok) continue;
    const cert = loaded.material.certs[0];
    if (cert) return { spkiDer: cert.publicKey.spkiDer, label: `${cert.subject.text || '(empty subject)'} (${name}, beside it)` };
    const pub = loaded.material.publicKeys[0];
    if (pub) return { spkiDer: pub.spkiDer, label: `the public key in ${name}, beside it` };
  }
  return undefined;
}

/**
 * The references of units that read `file` as a source (a value a systemd unit takes from its EnvironmentFile= or a
 * drop-in), with their spans in `text` when it is what the unit read: a flag's value written in an env file gets there
 * what it gets in the unit.
 */
function sourceReferences(engine: Engine, file: string, text: string): { parsed: ParsedFile; unit: Unit; ref: Reference; span: Span }[] {
  const out: { parsed: ParsedFile; unit: Unit; ref: Reference; span: Span }[] = [];
  for (const parsed of engine.readers(file)) {
    const source = parsed.sources?.find((s) => s.file === file && s.text === text);
    if (!source) continue;
    for (const unit of parsed.units) {
      for (const ref of unitReferences(unit)) {
        if (ref.span.start < source.base || ref.span.end > source.base + source.text.length) continue;
        out.push({ parsed, unit, ref, span: { start: ref.span.start - source.base, end: ref.span.end - source.base } });
      }
    }
  }
  return out;
}

/** `at`: where the reference's value stands when it is not in `parsed`'s own text (an env file's line), and that file. */
function referenceTarget(
  engine: Engine,
  parsed: ParsedFile,
  current: boolean,
  unit: Unit,
  ref: Reference,
  at?: { file: string; range: Range },
): Target {
  const range = at?.range ?? parsed.lines.range(ref.span.start, ref.span.end);
  const findings = contextFindings(findingsOn(check(engine, at?.file ?? parsed.file, current), range));
  const context: DecodeContext = { role: roleOf(unit, ref), field: ref.field, findings };
  const paired = ref.expect === 'key' ? pairedOfRef(engine, unit, ref) : undefined;
  const opts = { now: engine.now, ...(paired ? { paired } : {}) };
  if (ref.source.kind === 'inline') {
    return { range, decoded: describeBase64(ref.source.data, opts), context, title: `${ref.field} in ${path.basename(parsed.file)}` };
  }
  context.path = ref.source.path;
  const loaded = engine.load(ref);
  if (!loaded.ok && loaded.unplaced) {
    // A path on the node (or on the machine that wrote a kubeconfig), not in the workspace: said, not judged.
    // One note per sentence: what the path is, then how to have it checked.
    return { range, decoded: { items: [], chain: [], notes: unplacedSentences(loaded.unplaced) }, context, title: path.basename(ref.source.path) };
  }
  if (!loaded.ok) {
    return {
      range,
      decoded: { items: [{ kind: 'undecodable', reason: loaded.message }], chain: [], notes: [] },
      context,
      title: path.basename(ref.source.path),
    };
  }
  const file = loaded.path ?? ref.source.path;
  context.resolvedPath = file;
  if (ref.expect === 'kubeconfig') return { range, decoded: kubeconfigDecoded(engine, ref), context, title: path.basename(file) };
  if (ref.expect === 'kubelet-config') {
    return { range, decoded: { items: [], chain: [], notes: [`the kubelet's config file, read as ${file}`] }, context, title: path.basename(file) };
  }
  const decoded = describeFile(engine, file, paired);
  if (unit.kind === 'kubelet-config' && isKubeadmConfig(parsed.text)) {
    decoded.notes.unshift(`${ref.source.path} ${whatPathIs('kubeadm-node', false)}; read here as ${file}`);
  }
  const problem = materialProblem(ref, loaded.material);
  if (problem && !findings.some((f) => f.code === 'pem-invalid')) decoded.notes.push(`${ref.field} ${problem}`);
  return { range, decoded, context, title: path.basename(file) };
}

/** A kubeconfig a component loads: the client certificate of each of its users. */
function kubeconfigDecoded(engine: Engine, ref: Reference): Decoded {
  const items: DecodedItem[] = [];
  const users: string[] = [];
  for (const kc of engine.kubeconfigOf(ref)) {
    for (const user of kc.users) {
      if (!user.cert) continue;
      const loaded = engine.load(user.cert);
      const cert = loaded.ok ? loaded.material.certs[0] : undefined;
      if (cert) items.push(describeCertificate(cert, engine.now));
      else items.push({ kind: 'undecodable', label: `user "${user.name}"`, reason: loaded.ok ? 'holds no certificate' : loaded.message });
      users.push(user.name);
    }
  }
  if (items.length === 0) items.push({ kind: 'undecodable', reason: 'a kubeconfig without client certificates' });
  const notes = users.length ? [`the client certificate of ${users.map((u) => `user "${u}"`).join(', ')}, in order`] : [];
  return { items, chain: [], notes };
}

function regionAt(regions: PemRegion[], offset: number): number {
  return regions.findIndex((r) => offset >= r.start && offset <= r.end);
}

function pemTarget(engine: Engine, file: string, text: string, lines: LineIndex, regions: PemRegion[], index: number): Target {
  const hasKey = regions.some((r) => r.block && /PRIVATE KEY$/.test(r.label));
  const paired = hasKey && !regions.some((r) => r.label === 'CERTIFICATE') ? pairedOfKeyFile(engine, file) : undefined;
  const decoded = describePemText(text, { now: engine.now, ...(paired ? { paired } : {}) });
  const usedBy = referencesTo(engine, file).map((site) => {
    const current = engine.isRecognised(site.parsed.file);
    const range = site.parsed.lines.range(site.ref.span.start, site.ref.span.end);
    return {
      role: roleOf(site.unit, site.ref),
      where: displayLocation(engine, site.parsed.file, range.start.line),
      findings: contextFindings(findingsOn(check(engine, site.parsed.file, current), range)),
    };
  });
  const r = regions[index];
  return {
    range: lines.range(r.start, r.end),
    decoded,
    ...(usedBy.length ? { context: { usedBy } } : {}),
    focus: index,
    title: path.basename(file),
  };
}

function pairedOfValue(engine: Engine, values: Base64Value[], v: Base64Value): PairedKey | undefined {
  const certKey = v.key === 'tls.key' ? 'tls.crt' : v.key === 'client-key-data' ? 'client-certificate-data' : undefined;
  const sibling = certKey ? values.find((x) => x.mapId === v.mapId && x.key === certKey) : undefined;
  if (!sibling) return undefined;
  const cert = describeBase64(sibling.value, { now: engine.now }).items.find((i) => i.kind === 'certificate');
  return cert && cert.kind === 'certificate'
    ? { spkiDer: cert.cert.publicKey.spkiDer, label: `${cert.subjectText || cert.name} (${certKey})` }
    : undefined;
}

function targetAt(engine: Engine, file: string, text: string, offset: number): Target | undefined {
  const { parsed, current } = parsedFor(engine, file, text);
  const at = referenceAt(parsed, offset);
  if (at) return referenceTarget(engine, parsed, current, at.unit, at.ref);
  const read = sourceReferences(engine, file, text).find((x) => offset >= x.span.start && offset <= x.span.end && x.span.end > x.span.start);
  if (read) {
    const range = parsed.lines.range(read.span.start, read.span.end);
    return referenceTarget(engine, read.parsed, engine.isRecognised(file), read.unit, read.ref, { file, range });
  }
  const regions = pemRegions(text);
  const index = regionAt(regions, offset);
  if (index >= 0) return pemTarget(engine, file, text, parsed.lines, regions, index);
  const values = base64Values(file, text);
  const v = values.find((x) => offset >= x.span.start && offset <= x.span.end);
  if (v) {
    const paired = pairedOfValue(engine, values, v);
    return {
      range: parsed.lines.range(v.span.start, v.span.end),
      decoded: describeBase64(v.value, { now: engine.now, ...(paired ? { paired } : {}) }),
      title: `${v.key} in ${path.basename(file)}`,
    };
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------------ API

/** The hover at `offset`: a PEM block, a base64 value of a known key, or a path reference. */
export function hoverAt(engine: Engine, file: string, text: string, offset: number): HoverInfo | undefined {
  const t = targetAt(engine, file, text, offset);
  if (!t) return undefined;
  return { markdown: decodedMarkdown(t.decoded, t.context, t.focus), range: t.range };
}

/**
 * The full decode, in the spirit of `openssl x509 -text` with the PEM appended. `selection` (offsets)
 * decodes the selected PEM or base64 text; otherwise what is at `offset`, and in a PEM file every block.
 */
export function decodeAt(
  engine: Engine,
  file: string,
  text: string,
  at: { offset?: number; selection?: { start: number; end: number } },
): DecodeResult | { error: string } {
  const now = engine.now;
  const sel = at.selection && at.selection.end > at.selection.start ? text.slice(at.selection.start, at.selection.end) : undefined;
  if (sel !== undefined) {
    let decoded: Decoded;
    if (sel.includes('-----BEGIN')) decoded = describePemText(sel, { now });
    else if (/^[\sA-Za-z0-9+/=]+$/.test(sel) && sel.replace(/\s+/g, '').length >= 16)
      decoded = describeBase64(sel.replace(/^\s+|\s+$/g, ''), { now });
    else return { error: 'The selection holds no PEM block and is not base64: select a PEM block or a base64 value.' };
    const title = `selection in ${path.basename(file)}`;
    return { title, text: decodedText(decoded, { title, now }) };
  }
  const pemFile = isPemDocument(file, text);
  const t = at.offset !== undefined ? targetAt(engine, file, text, at.offset) : undefined;
  if (t && !(pemFile && t.focus !== undefined)) {
    // A PEM block inside YAML or Markdown: that block only.
    let decoded = t.decoded;
    if (t.focus !== undefined && decoded.regions) {
      const r = decoded.regions[t.focus];
      decoded = describePemText(text.slice(r.start, r.end), { now });
    }
    return { title: t.title, text: decodedText(decoded, { title: t.title, now, ...(t.context ? { context: t.context } : {}) }) };
  }
  const regions = pemRegions(text);
  if (regions.length > 0) {
    const first = regions[0];
    const whole = targetAt(engine, file, text, first.start);
    const decoded = whole?.decoded ?? describePemText(text, { now });
    const title = path.basename(file);
    return { title, text: decodedText(decoded, { title, now, ...(whole?.context ? { context: whole.context } : {}) }) };
  }
  return {
    error:
      'No certificate, key or CSR here: put the cursor on a PEM block, a *-data or caBundle value or a certificate path, or select PEM or base64 text.',
  };
}

function lensTitle(d: Decoded, now: Date): string {
  const certs = d.items.filter((i): i is CertificateView => i.kind === 'certificate');
  const first = certs[0];
  if (!first) return 'no certificate';
  const who = first.cert.subject.commonName !== undefined ? `CN=${first.cert.subject.commonName}` : first.subjectText || '(empty subject)';
  const more = certs.length > 1 ? ` · +${certs.length - 1} more` : '';
  return `${who} · ${shortValidityPhrase(first.notBefore, first.notAfter, now)} · issuer ${first.issuerName}${more}`;
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/**
 * A lens above each certificate and CA reference of a recognised document, and above each such value a unit reads
 * from this file (an EnvironmentFile= or a drop-in of a systemd unit).
 */
export function codeLenses(engine: Engine, file: string, text?: string): LensInfo[] {
  const parsed = engine.parsed(file);
  const own = !!parsed && engine.isRecognised(file) && (text === undefined || parsed.text === text);
  const read = readerSites(engine, file, own ? parsed.text : text);
  if (!own && read.sites.length === 0) return [];
  const lines = own ? parsed.lines : read.lines!;
  const findings = engine.check(file);
  const sites: { ref: Reference; span: Span }[] = [];
  if (own) {
    for (const unit of parsed.units) {
      for (const ref of unitReferences(unit)) {
        // A value read from the unit's EnvironmentFile= stands in that file, not here: its lens is there.
        if (ref.span.start <= parsed.text.length) sites.push({ ref, span: ref.span });
      }
    }
  }
  sites.push(...read.sites);
  const out: LensInfo[] = [];
  for (const { ref, span } of sites) {
    if (ref.expect !== 'cert' && ref.expect !== 'ca') continue;
    const range = lines.range(span.start, span.end);
    const on = findingsOn(findings, range);
    let title: string;
    const loaded = engine.load(ref);
    if (!loaded.ok) {
      const named = ref.source.kind === 'path' ? ref.source.path : ref.field;
      title = loaded.unplaced
        ? `not in the workspace: ${named}`
        : loaded.code === 'file-not-found'
          ? `not found: ${named}`
          : `cannot read: ${loaded.message}`;
    } else if (loaded.material.certs.length === 0) {
      title = `no certificate (${loaded.material.labels.length ? `found ${[...new Set(loaded.material.labels)].join(', ')}` : 'no PEM block'})`;
    } else {
      const d: Decoded = { items: loaded.material.certs.map((c) => describeCertificate(c, engine.now)), chain: [], notes: [] };
      title = lensTitle(d, engine.now);
    }
    const worst = on.reduce<Severity | undefined>((w, f) => (!w || RANK[f.severity] > RANK[w] ? f.severity : w), undefined);
    const lens: LensInfo = { range, title, codes: [...new Set(on.map((f) => f.code))], offset: span.start };
    if (worst) lens.severity = worst;
    out.push(lens);
  }
  return out;
}

/** The references units read from `file` (sourceReferences), with their spans there; the file's text read when not given. */
function readerSites(engine: Engine, file: string, text: string | undefined): { sites: { ref: Reference; span: Span }[]; lines?: LineIndex } {
  if (engine.readers(file).length === 0) return { sites: [] };
  let t = text;
  if (t === undefined) {
    const r = engine.fileSystem.readFile(file, MAX_CONFIG_BYTES);
    if (!r.ok) return { sites: [] };
    t = r.data.toString('utf8');
  }
  return { sites: sourceReferences(engine, file, t).map(({ ref, span }) => ({ ref, span })), lines: new LineIndex(t) };
}

/**
 * Path references of a recognised document, linked to the files they resolve to; and the paths a unit reads from this
 * file (an EnvironmentFile= or a drop-in of a systemd unit).
 */
export function documentLinks(engine: Engine, file: string, text?: string): LinkInfo[] {
  const parsed = engine.parsed(file);
  const own = !!parsed && engine.isRecognised(file) && (text === undefined || parsed.text === text);
  const read = readerSites(engine, file, own ? parsed.text : text);
  if (!own && read.sites.length === 0) return [];
  const lines = own ? parsed.lines : read.lines!;
  const sites: { ref: Reference; span: Span }[] = [];
  if (own)
    for (const unit of parsed.units)
      for (const ref of unitReferences(unit)) if (ref.span.start <= parsed.text.length) sites.push({ ref, span: ref.span });
  sites.push(...read.sites);
  const out: LinkInfo[] = [];
  for (const { ref, span } of sites) {
    if (ref.source.kind !== 'path') continue;
    const found = engine.resolve(ref)?.found;
    if (!found) continue;
    const st = engine.fileSystem.stat(found);
    if (st.kind !== 'file') continue;
    const tooltip =
      found === path.resolve(ref.source.baseDir, ref.source.path) ? `Open ${found}` : `Open ${found} (${ref.source.path} resolves here)`;
    out.push({ range: lines.range(span.start, span.end), target: found, tooltip });
  }
  return out;
}

function symbolOf(item: DecodedItem, now: Date): { name: string; detail: string; kind: SymbolKindName } {
  switch (item.kind) {
    case 'certificate':
      return {
        name: item.subjectText || `(empty subject) serial ${item.serialNumber}`,
        detail: `${item.isCA ? 'CA certificate' : 'certificate'} · ${shortValidityPhrase(item.notBefore, item.notAfter, now)} · issuer ${item.issuerName}`,
        kind: 'certificate',
      };
    case 'private-key':
      return {
        name: `${item.encrypted ? 'encrypted ' : ''}private key${item.encrypted ? '' : ` (${item.description})`}`,
        detail: item.match ? (item.match.matches ? `matches ${item.match.against}` : `does NOT match ${item.match.against}`) : item.label,
        kind: 'private-key',
      };
    case 'public-key':
      return { name: `public key (${item.description})`, detail: item.label, kind: 'public-key' };
    case 'csr':
      return { name: `CSR ${item.subjectText || '(empty subject)'}`, detail: `certificate request · ${item.publicKey}`, kind: 'csr' };
    case 'undecodable':
      return { name: `${item.label ?? 'PEM block'} (does not decode)`, detail: item.reason, kind: 'undecodable' };
  }
}

/** Outline entries for a PEM file: one per block, named by its subject (or key type). */
export function documentSymbols(engine: Engine, file: string, text: string): SymbolInfo[] {
  if (!isPemDocument(file, text)) return [];
  const decoded = describePemText(text, { now: engine.now });
  const regions = decoded.regions ?? [];
  const lines = new LineIndex(text);
  return decoded.items.map((item, i) => {
    const r = regions[i];
    const s = symbolOf(item, engine.now);
    const begin = lines.positionAt(r.start);
    const lineEnd = text.indexOf('\n', r.start);
    const selEnd = lines.positionAt(lineEnd < 0 || lineEnd > r.end ? r.end : lineEnd);
    return { ...s, range: lines.range(r.start, r.end), selectionRange: { start: begin, end: selEnd.line === begin.line ? selEnd : begin } };
  });
}

/** One fold per PEM block of more than one line, in any text. */
export function foldingRanges(text: string): FoldInfo[] {
  const regions = pemRegions(text);
  if (regions.length === 0) return [];
  const lines = new LineIndex(text);
  const out: FoldInfo[] = [];
  for (const r of regions) {
    const startLine = lines.positionAt(r.start).line;
    const endLine = lines.positionAt(r.end).line;
    if (endLine > startLine) out.push({ startLine, endLine });
  }
  return out;
}
