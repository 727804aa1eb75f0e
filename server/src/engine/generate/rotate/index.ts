// Rotating a CA without an outage, in three stages, each written only after kube-pki has judged the tree it
// leaves (and every mix of old and new files a rolling restart produces):
//   1. trust both: a new CA (same subject, kept beside the old one as NAME-new.crt/.key); every file and
//      kubeconfig that trusts the old CA trusts old and new (the CA file itself becomes the bundle old + new;
//      the old CA stays first, so whatever signs with NAME.crt/NAME.key, the controller-manager's
//      --cluster-signing-*, still signs with the old one: Go's tls.X509KeyPair pairs the key with the first
//      certificate);
//   2. re-issue: every leaf the old CA signed (files, and kubeconfigs' embedded client certificates) signed by the
//      new CA with the same subject, SANs, key usages and EKU, keys kept unless asked; NAME.crt becomes new + old
//      and NAME.key the new key, so the signers switch to the new CA; the old CA is kept as NAME-old.crt/.key;
//   3. trust only the new: the old CA removed from every bundle; NAME-old.crt/.key archived in rotated/.
// The stage reached is read from the files (which CAs the CA file holds, which key NAME.key is, whether
// NAME-new.key or NAME-old.key is there), never from saved state. Kubernetes' "Manual Rotation of CA
// Certificates" (kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates) is the procedure followed.
//
// Nothing here writes: prepareRotation makes the stage's files in memory (keys included: 0600, never printed) and
// the verdicts; the caller writes them with writeBatch and then applies `moves` and `removals` (finishRotation).
import * as path from 'node:path';
import { MAX_CONFIG_BYTES, type FileSystem } from '../../types';
import type { Engine } from '../../workspace/engine';
import {
  WorkspaceQuery,
  caBundleFillers,
  clientLabel,
  objectName,
  flagRef,
  componentUnits,
  components,
  flagsOf,
  type CaFamily,
  type ClusterQuery,
  type Component,
} from '../../cluster';
import { unitReferences, type KubeconfigUnit, type Reference, type Span } from '../../parse';
import type { Certificate } from '../../pki/certificate';
import { certInternals } from '../../pki/certificate';
import { sameKey } from '../../pki/key';
import { isIssuedBy } from '../../pki/verify';
import { materialFromText, type Material } from '../../resolve/material';
import { overlayFileSystem } from '../../fs/nodeFileSystem';
import { issueCertificate, loadIssuer, type IssuedCertificate, type KeyUsageName, type ExtKeyUsageName } from '../certs';
import { generateKey, loadKey } from '../keys';
import { CA_KEY_USAGE } from '../profiles';
import { nodeWriter, type FileWriter } from '../write';
import {
  emptyRotation,
  newErrorsAfter,
  readText,
  type RotateOptions,
  type RotationFile,
  type RotationResult,
  type RotatedCa,
  type Stage,
} from './common';
import { prepareServiceAccountRotation } from './serviceAccount';
import { connectionsOf, describeLoc, encodedEntry, entryLabel, judge, readersOf, type Connection } from './connections';
import { applyScalarEdits } from './inline';
import { DAY } from '../../decode/time';
import { injectorOf } from '../../parse/injection';

const TITLES: Record<RotatedCa, string> = { cluster: 'the cluster CA', etcd: 'the etcd CA', 'front-proxy': 'the front-proxy CA' };

/** Which of kubeadm's CAs each --ca names (the catalog's CA families). */
const FAMILY: Record<RotatedCa, CaFamily> = { cluster: 'ca', etcd: 'etcd-ca', 'front-proxy': 'front-proxy-ca' };

/** The component flags that name the CA's file (the catalog's CA flags of that family). */
function caFlags(ca: RotatedCa): { component: Component; flag: string; key?: string }[] {
  return (Object.keys(components) as Component[]).flatMap((component) =>
    flagsOf(component)
      .filter(([, spec]) => spec.names === 'ca' && spec.ca === FAMILY[ca])
      .map(([flag, spec]) => ({ component, flag, key: spec.key })),
  );
}

interface Site {
  certPath: string;
  keyPath: string;
  newCert: string;
  newKey: string;
  oldCert: string;
  oldKey: string;
  archiveDir: string;
  certs: Certificate[];
  keyMaterial: Material;
  current: 0 | 1 | 2;
  old: Certificate;
  next?: Certificate;
  problem?: string;
}

const read = readText;

function spkiOfKey(m: Material | undefined): Buffer | undefined {
  return m?.privateKeys.find((k) => !k.encrypted && k.spkiDer)?.spkiDer;
}

function matches(cert: Certificate, keySpki: Buffer | undefined): boolean {
  return !!keySpki && sameKey(cert.publicKey.spkiDer, keySpki);
}

function pemOf(cert: Certificate): string {
  return `-----BEGIN CERTIFICATE-----\n${cert.der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

function bundle(certs: Certificate[]): string {
  return certs.map(pemOf).join('');
}

function readSite(fs: FileSystem, certPath: string, keyPath: string): Site | string {
  const base = certPath.replace(/\.(crt|pem)$/i, '');
  const text = read(fs, certPath);
  const keyText = read(fs, keyPath);
  if (text === undefined) return `${certPath} cannot be read`;
  if (keyText === undefined) return `${keyPath} (the CA's key) is not there: a CA whose key is elsewhere (externally managed) cannot be rotated here`;
  const certs = materialFromText(text).certs;
  const keyMaterial = materialFromText(keyText);
  const keySpki = spkiOfKey(keyMaterial);
  const newKeyText = read(fs, `${base}-new.key`);
  const oldKeyText = read(fs, `${base}-old.key`);
  const site = {
    certPath,
    keyPath,
    newCert: `${base}-new.crt`,
    newKey: `${base}-new.key`,
    oldCert: `${base}-old.crt`,
    oldKey: `${base}-old.key`,
    archiveDir: path.join(path.dirname(certPath), 'rotated'),
    certs,
    keyMaterial,
  };
  const signing = certs.find((c) => matches(c, keySpki));
  if (!signing) return `${certPath} holds no certificate of the key in ${keyPath}`;
  if (newKeyText !== undefined) {
    const next = certs.find((c) => matches(c, spkiOfKey(materialFromText(newKeyText))));
    if (!next || certs[0] !== signing)
      return `${site.newKey} is there but ${certPath} does not hold its certificate after the old CA's: the files are not as stage 1 leaves them`;
    return { ...site, current: 1, old: signing, next };
  }
  if (oldKeyText !== undefined) {
    const old = certs.find((c) => matches(c, spkiOfKey(materialFromText(oldKeyText))));
    if (!old) return `${site.oldKey} is there but ${certPath} no longer holds its certificate: stage 3 is half done; move ${site.oldKey} away`;
    if (certs[0] !== signing) return `${certPath} does not start with the certificate of ${keyPath}: the files are not as stage 2 leaves them`;
    return { ...site, current: 2, old, next: signing };
  }
  return { ...site, current: 0, old: signing };
}

/**
 * The CA files of this CA in the workspace: those its flags name, with their key (the flag's key flag, or NAME.key
 * beside them). A CA file with no key beside it is a copy to trust, not where the CA lives.
 */
function findSites(q: ClusterQuery, fs: FileSystem, ca: RotatedCa): { certPath: string; keyPath: string }[] {
  const out = new Map<string, string>();
  for (const { component, flag, key } of caFlags(ca)) {
    for (const u of componentUnits(q, component)) {
      const ref = flagRef(u, flag);
      const found = ref && q.resolve(ref)?.found;
      if (!found || out.has(found)) continue;
      const keyRef = key ? flagRef(u, key) : undefined;
      const keyPath = (keyRef && q.resolve(keyRef)?.found) ?? found.replace(/\.(crt|pem)$/i, '.key');
      if (fs.stat(keyPath).kind === 'file') out.set(found, keyPath);
    }
  }
  return [...out].map(([certPath, keyPath]) => ({ certPath, keyPath }));
}

const SKIP_DIRS = new Set(['.git', 'node_modules', 'rotated']);
const CERT_FILE = /\.(crt|pem|cer)$/i;
const MAX_WALK = 10_000;

/** Certificate files below the roots (backups, kube-pki's temporaries and rotated/ left out). */
function certificateFiles(fs: FileSystem, roots: string[]): { files: string[]; truncated: boolean } {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (depth > 16 || out.length >= MAX_WALK) return;
    for (const name of fs.readDir(dir).sort()) {
      const full = path.join(dir, name);
      if (seen.has(full)) continue;
      seen.add(full);
      const st = fs.stat(full);
      if (st.kind === 'directory') {
        if (!SKIP_DIRS.has(name)) walk(full, depth + 1);
      } else if (st.kind === 'file' && CERT_FILE.test(name) && !name.includes('.bak-') && !name.startsWith('.')) out.push(full);
    }
  };
  for (const r of roots) {
    const st = fs.stat(r);
    if (st.kind === 'directory') walk(r, 0);
    else if (st.kind === 'file') out.push(r);
  }
  return { files: out, truncated: out.length >= MAX_WALK };
}

interface LeafFile {
  path: string;
  certs: Certificate[];
  keyPath?: string;
  /** Certificate and key in one file (the kubelet's kubelet-client-current.pem). */
  combined: boolean;
  keyPem?: string;
}

interface InlineLeaf {
  kc: KubeconfigUnit;
  user: string;
  cert: Certificate;
  certSpan: Span;
  keySpan?: Span;
}

/** A value of a Kubernetes object holding certificates: where it is, how it is written, what it holds. */
interface ObjectValue {
  file: string;
  span: Span;
  encoded: boolean;
  /** "ConfigMap kube-system/kube-root-ca.crt data.ca.crt". */
  what: string;
  certs: Certificate[];
}

interface InlineTrust {
  kc: KubeconfigUnit;
  cluster: string;
  certs: Certificate[];
  span: Span;
}

const KEY_USAGE: Record<string, KeyUsageName> = {
  digitalSignature: 'digitalSignature',
  contentCommitment: 'nonRepudiation',
  keyEncipherment: 'keyEncipherment',
  dataEncipherment: 'dataEncipherment',
  keyAgreement: 'keyAgreement',
  keyCertSign: 'keyCertSign',
  cRLSign: 'cRLSign',
  encipherOnly: 'encipherOnly',
  decipherOnly: 'decipherOnly',
};

function firstKeyPem(text: string): string | undefined {
  const m = /-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----[\s\S]*?-----END \1-----\n?/.exec(text);
  return m ? (m[0].endsWith('\n') ? m[0] : `${m[0]}\n`) : undefined;
}

function b64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

/** A kubeconfig's text with *-data values replaced (spans of the file as read). */
function replaceSpans(text: string, edits: { span: Span; value: string }[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.span.start - a.span.start)) {
    const old = out.slice(e.span.start, e.span.end);
    const quote = /^["']/.exec(old)?.[0] ?? '';
    out = out.slice(0, e.span.start) + quote + e.value + quote + (old.endsWith('\n') ? '\n' : '') + out.slice(e.span.end);
  }
  return out;
}

function sameCert(a: Certificate, b: Certificate | undefined): boolean {
  return !!b && a.sha256 === b.sha256;
}

/**
 * Plans a stage, makes its files in memory and judges the tree it leaves. The result says what to write, or
 * why not (refusal, broken connections, new errors): the caller writes only when all three are empty.
 */
export async function prepareRotation(engine: Engine, options: RotateOptions): Promise<RotationResult> {
  if (options.ca === 'service-account') return prepareServiceAccountRotation(engine, options);
  const ca: RotatedCa = options.ca;
  const fs = engine.fileSystem;
  const q = new WorkspaceQuery(engine);
  const show = options.show ?? ((f: string) => f);
  const now = options.now ?? new Date();
  const title = TITLES[ca];
  const result = emptyRotation(ca, title, options.stage ?? 1);
  const refuse = (why: string) => ((result.refusal = why), result);

  const found = findSites(q, fs, ca);
  if (found.length === 0) {
    const flags = caFlags(ca)
      .map((f) => `${f.component} --${f.flag}`)
      .join(', ');
    return refuse(
      `no file of ${title} with its key found: kube-pki finds it through ${flags} in the static pod manifests read, and its key beside it (NAME.key); a CA whose key is elsewhere (externally managed) cannot be rotated here`,
    );
  }
  const sites: Site[] = [];
  for (const f of found) {
    const s = readSite(fs, f.certPath, f.keyPath);
    if (typeof s === 'string') return refuse(s);
    sites.push(s);
  }
  // Several clusters in the workspace: the one whose CA file was chosen (every copy of that CA), or a choice.
  const distinct = sites.filter((s, i) => sites.findIndex((t) => sameCert(t.old, s.old)) === i);
  if (options.site) {
    const chosen = sites.find((s) => s.certPath === options.site);
    if (!chosen) return refuse(`${show(options.site)} is not a file of ${title} kube-pki found (${sites.map((s) => show(s.certPath)).join(', ')})`);
    sites.splice(0, sites.length, ...sites.filter((s) => sameCert(s.old, chosen.old)));
  } else if (distinct.length > 1) {
    result.choices = distinct.map((s) => s.certPath);
    return refuse(
      `the workspace holds ${distinct.length} different ${title.replace(/^the /, '')}s (${distinct.map((s) => show(s.certPath)).join(', ')}): rotate one cluster at a time (give its folder as PATH)`,
    );
  }
  result.sites = sites.map((s) => s.certPath);
  const current = sites[0].current;
  for (const s of sites.slice(1)) {
    if (s.current !== current)
      return refuse(`${show(s.certPath)} is at stage ${s.current} and ${show(sites[0].certPath)} at stage ${current}: finish the other node first`);
    if (!sameCert(s.old, sites[0].old) || (s.next && !sameCert(s.next, sites[0].next)))
      return refuse(`${show(s.certPath)} and ${show(sites[0].certPath)} hold different CAs: rotate one cluster at a time (give its folder as PATH)`);
  }
  result.current = current;
  const stage: Stage = options.stage ?? ((current + 1) as Stage);
  result.stage = stage;
  if (stage <= current) return refuse(`stage ${stage} is already written (the files are at stage ${current}); the next is stage ${current + 1}`);
  if (stage > 1 && current === 0)
    return refuse(`stage ${stage} needs the new CA, which stage 1 makes (${show(sites[0].newKey)} is not there): run stage 1 first`);

  const old = sites[0].old;
  const oldKeyPem = firstKeyPem(read(fs, sites[0].keyPath) ?? '');
  if (!oldKeyPem) return refuse(`${show(sites[0].keyPath)} holds no private key`);

  // ------------------------------------------------------------ the new CA
  let next: IssuedCertificate;
  if (stage === 1) {
    const key = await generateKey(options.keyType ?? 'rsa-2048');
    next = await issueCertificate({
      subjectDer: certInternals(old).rawSubject,
      isCA: true,
      keyUsage: CA_KEY_USAGE,
      dnsNames: old.dnsNames,
      validityDays: options.days ?? 3650,
      now,
      key,
    });
  } else {
    const s = sites[0];
    const keyFile = current === 1 ? s.newKey : s.keyPath;
    const keyPem = firstKeyPem(read(fs, keyFile) ?? '');
    if (!keyPem) return refuse(`${show(keyFile)} holds no private key`);
    next = await loadIssuer(pemOf(s.next!), keyPem);
  }
  const nextCert = materialFromText(next.certPem).certs[0];
  const isOld = (c: Certificate) => sameCert(c, old);
  const isNext = (c: Certificate) => sameCert(c, nextCert);

  // ------------------------------------------------------------ what trusts it, what it signed
  const siteFiles = new Set(sites.flatMap((s) => [s.certPath, s.keyPath, s.newCert, s.newKey, s.oldCert, s.oldKey]));
  const roots = options.roots.length ? options.roots : engine.options.searchRoots;
  const trustFiles: { path: string; certs: Certificate[] }[] = [];
  const leafFiles: LeafFile[] = [];
  const inspected = new Set<string>();
  const inspect = (file: string) => {
    const real = fs.realpath?.(file) ?? file;
    if (inspected.has(real) || siteFiles.has(real)) return;
    inspected.add(real);
    const text = read(fs, real);
    if (text === undefined) return;
    const m = materialFromText(text);
    if (m.certs.length === 0) return;
    const first = m.certs[0];
    if (!first.isCA && (isIssuedBy(first, old) || isIssuedBy(first, nextCert))) {
      const leaf: LeafFile = { path: real, certs: m.certs, combined: false };
      if (matches(first, spkiOfKey(m))) {
        leaf.combined = true;
        leaf.keyPem = firstKeyPem(text);
      } else {
        const sibling = real.replace(/\.(crt|pem|cer)$/i, '.key');
        const keyText = sibling !== real ? read(fs, sibling) : undefined;
        if (keyText && matches(first, spkiOfKey(materialFromText(keyText)))) {
          leaf.keyPath = sibling;
          leaf.keyPem = firstKeyPem(keyText);
        }
      }
      leafFiles.push(leaf);
    } else if (m.certs.some((c) => isOld(c) || isNext(c))) trustFiles.push({ path: real, certs: m.certs });
  };
  const walked = certificateFiles(fs, roots);
  for (const f of walked.files) inspect(f);
  if (walked.truncated)
    result.byHand.push(
      `more than ${MAX_WALK} certificate files below ${roots.map(show).join(', ')}: only the first ${MAX_WALK} were read; give the node's folder as PATH`,
    );
  // Files the configs reference outside the roots' certificate files (another extension, another folder).
  const inlineLeaves: InlineLeaf[] = [];
  const inlineTrust: InlineTrust[] = [];
  for (const kind of ['component', 'kubelet-config', 'kubeconfig', 'kubelet-flags', 'secret', 'webhook', 'kubeadm-config'] as const) {
    for (const unit of q.units(kind)) {
      for (const ref of unitReferences(unit)) {
        if (ref.source.kind === 'path') {
          const p = q.resolve(ref)?.found;
          if (p && (ref.expect === 'cert' || ref.expect === 'ca')) inspect(p);
          continue;
        }
        if (unit.kind === 'kubeconfig' || unit.kind === 'secret' || unit.kind === 'webhook') continue; // below, value by value
        const certs = q.certs(ref);
        if (certs.some((c) => isOld(c) || isIssuedBy(c, old)))
          result.byHand.push(
            `${show(ref.file)}: ${ref.field} holds ${certs.some(isOld) ? `${title}` : `a certificate ${title} signed`} inline; kube-pki does not rewrite it: update it with each stage`,
          );
      }
    }
  }
  // Values of Kubernetes objects: CA bundles (ca.crt, caBundle) rewritten at stages 1 and 3, leaves (tls.crt with
  // its tls.key) re-issued at stage 2, each in place.
  const objectTrust: ObjectValue[] = [];
  const objectLeaves: (ObjectValue & { cert: Certificate; keyPem?: string })[] = [];
  for (const unit of q.units('secret')) {
    for (const entry of unit.entries) {
      if (entry.ref.expect !== 'ca' && entry.ref.expect !== 'cert') continue;
      const certs = q.certs(entry.ref);
      if (certs.length === 0) continue;
      const value = { file: unit.file, span: entry.ref.span, encoded: encodedEntry(unit, entry), what: entryLabel(unit, entry), certs };
      // A leaf first (a tls.crt may carry its chain, the CA included: it is re-issued, not made a bundle).
      const leaf = !certs[0].isCA && (isIssuedBy(certs[0], old) || isIssuedBy(certs[0], nextCert));
      if (!leaf && certs.some((c) => isOld(c) || isNext(c))) objectTrust.push(value);
      else if (leaf && isIssuedBy(certs[0], old)) {
        // The key beside it: tls.key beside tls.crt, NAME.key beside NAME.crt/.pem.
        const keyName = entry.key === 'tls.crt' ? 'tls.key' : entry.key.replace(/\.(crt|pem|cer)$/i, '.key');
        const keyEntry = unit.entries.find((e) => e.key === keyName && e.ref.expect === 'key');
        const keyData = keyEntry?.ref.source.kind === 'inline' ? keyEntry.ref.source.data : undefined;
        const keyPem = keyData ? firstKeyPem(Buffer.from(keyData.replace(/\s+/g, ''), 'base64').toString('latin1')) : undefined;
        objectLeaves.push({ ...value, cert: certs[0], keyPem });
      }
    }
  }
  for (const unit of q.units('webhook')) {
    for (const client of unit.clients) {
      if (!client.caBundle || client.templated) continue;
      const certs = q.certs(client.caBundle);
      const label = clientLabel(unit, client);
      if (certs.some((c) => isOld(c) || isNext(c))) {
        const fillers = caBundleFillers(q, unit, client);
        if (fillers.length) {
          result.refilled.push(
            `${show(unit.file)}: the caBundle of ${label} holds ${title} but is written at run time by ${fillers.map((f) => f.by).join(', ')}: kube-pki leaves it; the controller will refill it from what it injects`,
          );
          continue;
        }
        objectTrust.push({ file: unit.file, span: client.caBundle.span, encoded: true, what: `${label} caBundle`, certs });
      } else if (certs[0] && !certs[0].isCA && isIssuedBy(certs[0], old))
        result.byHand.push(
          `${show(unit.file)}: the caBundle of ${label} holds a certificate ${title} signed; kube-pki does not rewrite it: update it with each stage`,
        );
    }
    // An annotation makes a controller write the caBundle (the manifest's value, if any, is not what the apiserver uses).
    if (unit.injectFrom && ca === 'cluster')
      result.refilled.push(
        `${show(unit.file)}: the caBundle of ${unit.objectKind} ${objectName(unit.meta)} is written at run time by ${injectorOf(unit.injectFrom.annotation)} (annotation ${unit.injectFrom.annotation}): kube-pki leaves it; the controller will refill it${unit.injectFrom.annotation === 'cert-manager.io/inject-apiserver-ca' ? ' from its service account ca.crt (kube-root-ca.crt), which follows the stages' : ''}`,
      );
  }

  for (const kc of q.units('kubeconfig')) {
    for (const c of kc.clusters) {
      if (c.ca?.source.kind !== 'inline') continue;
      const certs = q.certs(c.ca);
      if (certs.some((x) => isOld(x) || isNext(x))) inlineTrust.push({ kc, cluster: c.name, certs, span: c.ca.span });
    }
    for (const u of kc.users) {
      if (u.cert?.source.kind !== 'inline') continue;
      const cert = q.leaf(u.cert);
      if (cert && !cert.isCA && isIssuedBy(cert, old))
        inlineLeaves.push({ kc, user: u.name, cert, certSpan: u.cert.span, keySpan: u.key?.source.kind === 'inline' ? u.key.span : undefined });
    }
  }

  // ------------------------------------------------------------ the stage's files
  const files = new Map<string, RotationFile>();
  const put = (f: RotationFile) => files.set(f.path, f);
  const kcEdits = new Map<string, { span: Span; value: string }[]>();
  const editKc = (file: string, span: Span, value: string) => kcEdits.set(file, [...(kcEdits.get(file) ?? []), { span, value }]);
  const kcSummaries = new Map<string, string[]>();
  const noteKc = (file: string, s: string) => kcSummaries.set(file, [...(kcSummaries.get(file) ?? []), s]);
  const serial = (c: Certificate) => `serial ${c.serialNumber}`;
  const oldName = `old CA (${serial(old)})`;
  const newName = `new CA (${serial(nextCert)})`;
  const describeList = (certs: Certificate[]) => certs.map((c) => (isOld(c) ? oldName : isNext(c) ? newName : c.subject.text)).join(' + ');

  /** Stage 1 adds the new CA after the old one; stage 3 drops the old one. */
  const retrust = (certs: Certificate[]): Certificate[] | undefined => {
    if (stage === 1) {
      if (certs.some(isNext)) return undefined;
      const out: Certificate[] = [];
      for (const c of certs) {
        out.push(c);
        if (isOld(c)) out.push(nextCert);
      }
      return out;
    }
    if (stage === 3) {
      if (!certs.some(isOld)) return undefined;
      const out = certs.filter((c) => !isOld(c));
      if (!out.some(isNext)) out.push(nextCert);
      return out;
    }
    return undefined;
  };

  for (const s of sites) {
    if (stage === 1) {
      put({
        path: s.newCert,
        contents: next.certPem,
        mode: 0o644,
        replace: false,
        summary: `${newName}: ${nextCert.subject.text}, expires ${nextCert.notAfter.toISOString()}`,
      });
      put({ path: s.newKey, contents: next.key.privateKeyPem, mode: 0o600, replace: false, summary: `private key of the ${newName}` });
      const certs = retrust(s.certs)!;
      put({
        path: s.certPath,
        contents: bundle(certs),
        mode: 0o644,
        replace: true,
        summary: `trusts both: ${describeList(certs)}; signing still with the old CA`,
      });
    } else if (stage === 2) {
      const certs = [nextCert, ...s.certs.filter((c) => !isNext(c))];
      put({
        path: s.certPath,
        contents: bundle(certs),
        mode: 0o644,
        replace: true,
        summary: `${describeList(certs)}: the new CA first, so whatever signs with it signs with the new CA`,
      });
      put({
        path: s.keyPath,
        contents: next.key.privateKeyPem,
        mode: 0o600,
        replace: true,
        summary: `the ${newName}'s key: the signers switch to the new CA`,
      });
      put({ path: s.oldCert, contents: pemOf(old), mode: 0o644, replace: false, summary: `the ${oldName}, kept until stage 3 archives it` });
      put({ path: s.oldKey, contents: oldKeyPem, mode: 0o600, replace: false, summary: `the ${oldName}'s key, kept until stage 3 archives it` });
      result.removals.push(s.newCert, s.newKey);
    } else {
      const certs = retrust(s.certs) ?? s.certs;
      put({ path: s.certPath, contents: bundle(certs), mode: 0o644, replace: true, summary: `trusts only ${describeList(certs)}` });
      if (current === 2) {
        const stamp = old.serialNumber.toLowerCase();
        const base = path.basename(s.certPath).replace(/\.(crt|pem)$/i, '');
        result.moves.push({ from: s.oldKey, to: path.join(s.archiveDir, `${base}-${stamp}.key`) });
        result.moves.push({ from: s.oldCert, to: path.join(s.archiveDir, `${base}-${stamp}.crt`) });
      }
    }
  }
  for (const t of trustFiles) {
    const certs = retrust(t.certs);
    if (certs) put({ path: t.path, contents: bundle(certs), mode: 0o644, replace: true, summary: `CA bundle: ${describeList(certs)}` });
  }
  for (const t of inlineTrust) {
    const certs = retrust(t.certs);
    if (!certs) continue;
    editKc(t.kc.file, t.span, b64(bundle(certs)));
    noteKc(t.kc.file, `cluster ${t.cluster}'s certificate-authority-data: ${describeList(certs)}`);
  }

  const objectEdits = new Map<string, { span: Span; pem: string; encoded: boolean }[]>();
  const objectSummaries = new Map<string, string[]>();
  const editObject = (v: ObjectValue, pem: string, summary: string) => {
    objectEdits.set(v.file, [...(objectEdits.get(v.file) ?? []), { span: v.span, pem, encoded: v.encoded }]);
    objectSummaries.set(v.file, [...(objectSummaries.get(v.file) ?? []), summary]);
  };
  for (const t of objectTrust) {
    const certs = retrust(t.certs);
    if (certs) editObject(t, bundle(certs), `${t.what}: ${describeList(certs)}`);
  }

  if (stage === 2) {
    const days = (c: Certificate) => options.days ?? Math.max(1, Math.round((c.notAfter.getTime() - c.notBefore.getTime()) / DAY));
    const reissue = async (cert: Certificate, keyPem: string, keepKey = false) => {
      const key = options.newKeys && !keepKey ? await generateKey(options.keyType ?? 'rsa-2048') : await loadKey(keyPem);
      return issueCertificate({
        subjectDer: certInternals(cert).rawSubject,
        keyUsage: (cert.keyUsage ?? []).map((u) => KEY_USAGE[u]).filter(Boolean),
        extKeyUsage: (cert.extKeyUsage ?? []).filter((e): e is ExtKeyUsageName => e === 'serverAuth' || e === 'clientAuth'),
        dnsNames: cert.dnsNames,
        ipAddresses: cert.ipAddresses,
        // kubeadm's certificates are backdated 5 minutes and last a whole number of days.
        validityDays: days(cert),
        now,
        key,
        issuer: next,
      });
    };
    const describe = (i: IssuedCertificate) => {
      const c = materialFromText(i.certPem).certs[0];
      const names = [...c.dnsNames, ...c.ipAddresses];
      return `${c.subject.text}${names.length ? `; SANs ${names.join(', ')}` : ''}; issued by the ${newName}; expires ${c.notAfter.toISOString()}; ${options.newKeys ? 'new key' : 'key kept'}`;
    };
    for (const leaf of leafFiles) {
      if (!isIssuedBy(leaf.certs[0], old)) continue; // already re-issued
      if (!leaf.keyPem) {
        result.notReissued.push(
          `${show(leaf.path)} (${leaf.certs[0].subject.text}): its key is not beside it (NAME.key) nor in it; re-issue it with the new CA by hand`,
        );
        continue;
      }
      const issued = await reissue(leaf.certs[0], leaf.keyPem);
      const rest = leaf.certs.slice(1).map((c) => (isOld(c) ? nextCert : c));
      if (leaf.combined) {
        put({
          path: leaf.path,
          contents: issued.certPem + bundle(rest) + issued.key.privateKeyPem,
          mode: 0o600,
          replace: true,
          summary: `certificate and key: ${describe(issued)}`,
        });
      } else {
        put({ path: leaf.path, contents: issued.certPem + bundle(rest), mode: 0o644, replace: true, summary: describe(issued) });
        if (options.newKeys && leaf.keyPath)
          put({
            path: leaf.keyPath,
            contents: issued.key.privateKeyPem,
            mode: 0o600,
            replace: true,
            summary: `new private key of ${leaf.certs[0].subject.text}`,
          });
      }
    }
    for (const l of inlineLeaves) {
      const text = read(fs, l.kc.file, MAX_CONFIG_BYTES) ?? '';
      const keyPem = l.keySpan
        ? firstKeyPem(Buffer.from(text.slice(l.keySpan.start, l.keySpan.end).replace(/["'\s]/g, ''), 'base64').toString('latin1'))
        : undefined;
      if (!keyPem) {
        result.notReissued.push(`${show(l.kc.file)} (user ${l.user}): its client-key-data is not there; re-issue it with the new CA by hand`);
        continue;
      }
      const issued = await reissue(l.cert, keyPem);
      editKc(l.kc.file, l.certSpan, b64(issued.certPem));
      if (options.newKeys && l.keySpan) editKc(l.kc.file, l.keySpan, b64(issued.key.privateKeyPem));
      noteKc(l.kc.file, `user ${l.user}'s client certificate: ${describe(issued)}`);
    }
    for (const l of objectLeaves) {
      if (!l.keyPem) {
        result.notReissued.push(
          `${show(l.file)} (${l.what}, ${l.cert.subject.text}): its key is not beside it in the object; re-issue it with the new CA by hand`,
        );
        continue;
      }
      const issued = await reissue(l.cert, l.keyPem, true);
      const rest = l.certs.slice(1).map((c) => (isOld(c) ? nextCert : c));
      editObject(l, issued.certPem + bundle(rest), `${l.what}: ${describe(issued)}`);
      if (options.newKeys)
        result.notReissued.push(`${show(l.file)} (${l.what}): --new-keys does not replace a key held in an object; its key is kept`);
    }
  }
  for (const [file, edits] of objectEdits) {
    const r = fs.readFile(file, MAX_CONFIG_BYTES);
    if (!r.ok) continue;
    put({
      path: file,
      contents: applyScalarEdits(r.data.toString('utf8'), edits),
      // A manifest holding a Secret may hold private keys: written 0600 as kube-pki writes every key.
      mode: q.units('secret').some((u) => u.file === file && u.objectKind === 'Secret') ? 0o600 : 0o644,
      replace: true,
      summary: (objectSummaries.get(file) ?? []).join('; '),
    });
  }
  for (const [file, edits] of kcEdits) {
    const text = read(fs, file, MAX_CONFIG_BYTES);
    if (text === undefined) continue;
    put({
      path: file,
      contents: replaceSpans(Buffer.from(text, 'latin1').toString('utf8'), edits),
      mode: 0o600,
      replace: true,
      summary: (kcSummaries.get(file) ?? []).join('; '),
    });
  }
  result.files = [...files.values()];

  // ------------------------------------------------------------ what restarts, what to check next
  const restart = new Set<string>();
  for (const f of result.files) for (const r of readersOf(q, f.path, show)) restart.add(r);
  for (const file of objectEdits.keys()) restart.add(`the objects of ${show(file)}: apply them to the cluster (kubectl apply -f)`);
  result.restart = [...restart].sort();
  result.verifyNext = verifyBeforeNext(
    stage,
    title,
    sites,
    show,
    ca,
    result.files.some((f) => !f.path.endsWith('.crt') && !f.path.endsWith('.key')),
  );

  // ------------------------------------------------------------ judge the tree the stage leaves
  const after = overlayFileSystem(fs, new Map(result.files.map((f) => [f.path, f.contents])));
  const conns: Connection[] = connectionsOf(q, show, fs);
  result.connectionsChecked = conns.length;
  const trees = { before: fs, after };
  const mixes: [keyof typeof trees, keyof typeof trees, string][] = [
    ['after', 'after', 'both sides restarted'],
    ['after', 'before', 'the presenting side restarted, the verifying side not yet'],
    ['before', 'after', 'the verifying side restarted, the presenting side not yet'],
  ];
  for (const conn of conns) {
    for (const check of conn.checks) {
      const was = judge(check, fs, fs);
      if (!was?.ok) continue; // broken already, or not visible: not the rotation's doing (kube-pki check reports it)
      for (const [certTree, trustTree, mix] of mixes) {
        const v = judge(check, trees[certTree], trees[trustTree]);
        if (v && !v.ok) {
          result.broken.push({
            connection: conn.name,
            check: `${check.what}: ${describeLoc(check.cert, show)} against ${describeLoc(check.trust, show)}`,
            mix,
            message: v.message,
          });
          break;
        }
      }
    }
  }
  result.newErrors = newErrorsAfter(engine, options.engineOver(after), after, show);
  if (stage > current + 1 && !result.refusal)
    result.refusal = `the files are at stage ${current}: stage ${stage} skips stage ${current + 1}${result.broken.length ? '' : ' (no connection kube-pki sees breaks, but a skipped stage leaves the signers or leaves behind)'}`;
  return result;
}

/** Where copies of a CA live outside the files kube-pki rewrites, for the stage's reminders. */
const COPIES: Record<RotatedCa, string> = {
  cluster: 'kube-root-ca.crt in each namespace, webhook caBundles, CI kubeconfigs',
  etcd: 'etcd clients outside the control plane: backup jobs, monitoring, etcdctl configs',
  'front-proxy':
    'aggregated API servers, which read it from the extension-apiserver-authentication ConfigMap kube-apiserver republishes when restarted',
};

function verifyBeforeNext(stage: Stage, title: string, sites: Site[], show: (p: string) => string, which: RotatedCa, kubeconfigs: boolean): string[] {
  const ca = show(sites[0].certPath);
  if (stage === 1)
    return [
      `every component listed above runs with the new files (restarted; copies on every node: ${ca}, ${show(sites[0].newCert)}, ${show(sites[0].newKey)}${kubeconfigs ? ' and the kubeconfigs' : ''})`,
      `every pod or program that keeps its own copy of ${title} (${COPIES[which]}) has old + new`,
      `kube-pki check reports no error; then stage 2: kube-pki rotate-ca --ca ${which} --stage 2`,
    ];
  if (stage === 2)
    return [
      'every component listed above runs with its re-issued certificate (restarted), on every node',
      ...(which === 'cluster'
        ? [`the kubelets' client certificates are renewed by the controller-manager, now signing with the new CA; wait for them or re-issue them`]
        : []),
      `openssl verify -CAfile ${show(sites[0].newCert.replace(/-new(\.crt)$/, '$1'))} on each re-issued certificate; kube-pki check reports no error; then stage 3: kube-pki rotate-ca --ca ${which} --stage 3`,
    ];
  return [
    'every component listed above runs with the new files (restarted), on every node',
    `${title}'s old key is archived (rotated/): delete it once nothing signed by it is in use anywhere`,
  ];
}

/**
 * The connections a rotation stage is judged over, as the stage names them: each check's certificate and CA bundle
 * located in the engine's workspace (its documents read). What `kube-pki rotate-ca` counts as "connections".
 */
export function rotationConnections(
  engine: Engine,
  show: (file: string) => string = (f) => f,
): { name: string; checks: { what: string; usage: 'serverAuth' | 'clientAuth'; cert: string; trust: string }[] }[] {
  return connectionsOf(new WorkspaceQuery(engine), show, engine.fileSystem).map((c) => ({
    name: c.name,
    checks: c.checks.map((k) => ({ what: k.what, usage: k.usage, cert: describeLoc(k.cert, show), trust: describeLoc(k.trust, show) })),
  }));
}

/** After the batch is written: stage 2's staging files removed, stage 3's old CA moved into rotated/. */
export function finishRotation(
  result: RotationResult,
  writer: FileWriter = nodeWriter(),
): { done: { verb: 'moved' | 'removed'; path: string; to?: string }[]; error?: string } {
  const done: { verb: 'moved' | 'removed'; path: string; to?: string }[] = [];
  try {
    for (const m of result.moves) {
      writer.mkdirp(path.dirname(m.to));
      writer.link(m.from, m.to); // fails rather than clobber an archived file
      writer.unlink(m.from);
      writer.syncDir(path.dirname(m.to));
      writer.syncDir(path.dirname(m.from));
      done.push({ verb: 'moved', path: m.from, to: m.to });
    }
    for (const r of result.removals) {
      writer.unlink(r);
      writer.syncDir(path.dirname(r));
      done.push({ verb: 'removed', path: r });
    }
  } catch (err) {
    return { done, error: (err as Error).message };
  }
  return { done };
}

export type { Connection, ConnectionCheck, Loc } from './connections';
export type { RotateOptions, RotationFile, RotationResult, RotatedCa, Stage, BrokenConnection } from './common';
export { emptyRotation } from './common';
export type { Reference };
