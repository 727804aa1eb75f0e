// The workspace's PKI as one list (types.ts): every certificate a recognised config references (a file, a CA
// bundle, inline *-data) or that lies in the workspace as a .crt/.pem/.cer file, deduplicated by the SHA-256 of
// its DER; who signed it (signature verified), what it is for, which key is its own, when it expires and the
// findings on the lines that reference it; and the private keys no certificate matches.
//
// Cheap to call again: material comes from the engine's caches (referenced files, inline values) or from a
// cache of loose files keyed by path, size and mtime; certificates are parsed once per content hash
// (pki/certificate.ts), signatures checked once per pair (pki/verify.ts), findings are the engine's cached
// verdicts. No private key byte ever enters the result.
import * as path from 'node:path';
import { MAX_FILE_BYTES, type FileSystem, type Finding, type Range } from '../types';
import { unitReferences, type ParsedFile, type Reference, type Unit } from '../parse';
import type { Engine } from '../workspace/engine';
import { SKIP_DIRS } from '../workspace/discover';
import { isWithin } from '../fs/confined';
import { loadFile, type Material } from '../resolve/material';
import { certInternals, type Certificate, type PublicKeyInfo } from '../pki/certificate';
import type { PrivateKeyInfo } from '../pki/key';
import { sameKey } from '../pki/key';
import { isIssuedBy, isSelfSigned } from '../pki/verify';
import { CheckContext } from '../checks/context';
import { findingsOn } from '../features/context';
import { kubeconfigRole, mainUser, roleByFileName } from '../checks/roles';
import { certKeyPairs } from '../checks/keyPairs';
import { literalName } from '../checks/objects';
import type {
  ExpiryStatus,
  Inventory,
  InventoryCertificate,
  InventoryLocation,
  InventoryObject,
  InventoryOrphanKey,
  InventoryProblem,
} from './types';
import {
  caRefRole,
  componentFlagRole,
  componentOfKubeconfigRole,
  kubeadmFileRole,
  kubeadmKubeconfigs,
  type RoleEvidence,
} from './roles';

export type * from './types';
export { kubeadmExpiryTime, shortHumanDuration } from './kubeadm';

export interface InventoryOptions {
  /**
   * Folders searched for loose certificate and key files (*.crt, *.pem, *.cer, *.key, *.pub; default: the
   * engine's searchRoots); a file given here is read whatever its name. Node names are shown relative to them.
   */
  roots?: string[];
}

const DAY = 86_400_000;
/** Loose certificate/key files read per inventory at most, how deep below a root, and how many folders. */
const MAX_LOOSE_FILES = 10_000;
const MAX_DEPTH = 20;
const MAX_DIRS = 20_000;
const LOOSE_FILE = /\.(crt|pem|cer|key|pub)$/i;

// ---------------------------------------------------------------------------------------------------------
// Loose files and folder listings, kept per path while the size and mtime stay. Open editor buffers (mtime 0
// in the overlay) are read again.

/** Per file system: path -> what was made from it, and the stat it was made at. */
class StatCache<V> {
  private readonly byFs = new WeakMap<FileSystem, Map<string, { stamp: string; value: V }>>();

  /** The value for `key` made at this size and mtime, made now when there is none; `seen` keeps it through prune(). */
  get(fs: FileSystem, key: string, size: number, mtimeMs: number, seen: Set<string>, make: () => V): V {
    let cache = this.byFs.get(fs);
    if (!cache) this.byFs.set(fs, (cache = new Map()));
    seen.add(key);
    const stamp = `${size}:${mtimeMs}`;
    const hit = cache.get(key);
    if (hit && mtimeMs !== 0 && hit.stamp === stamp) return hit.value;
    const value = make();
    if (mtimeMs !== 0) cache.set(key, { stamp, value });
    return value;
  }

  /** Forgets every path the last inventory did not see. */
  prune(fs: FileSystem, seen: Set<string>): void {
    const cache = this.byFs.get(fs);
    if (!cache) return;
    for (const k of cache.keys()) if (!seen.has(k)) cache.delete(k);
  }
}

const looseCache = new StatCache<Material | undefined>();

function looseMaterial(fs: FileSystem, file: string, size: number, mtimeMs: number, seen: Set<string>): Material | undefined {
  return looseCache.get(fs, file, size, mtimeMs, seen, () => {
    const loaded = loadFile(fs, file);
    return loaded.ok ? loaded.material : undefined;
  });
}

/**
 * A folder's sub-folders and candidate files, kept while the folder's mtime stays (adding, removing or
 * renaming an entry changes it), so a walk of an unchanged tree stats only folders and candidate files.
 */
interface DirListing {
  dirs: string[];
  files: string[];
}
const listingCache = new StatCache<DirListing>();

function listDir(fs: FileSystem, dir: string, mtimeMs: number, seen: Set<string>): DirListing {
  return listingCache.get(fs, dir, 0, mtimeMs, seen, () => {
    const listing: DirListing = { dirs: [], files: [] };
    for (const name of fs.readDir(dir).slice().sort()) {
      if (SKIP_DIRS.has(name)) continue;
      const full = path.join(dir, name);
      if (LOOSE_FILE.test(name)) {
        // A folder named like a certificate is rare; decided by the stat the walk makes anyway.
        listing.files.push(full);
        continue;
      }
      if (fs.stat(full).kind === 'directory') listing.dirs.push(full);
    }
    return listing;
  });
}

// ---------------------------------------------------------------------------------------------------------

interface Entry {
  cert: Certificate;
  files: Set<string>;
  /** Files a config reference resolved to (listed first). */
  referencedFiles: Set<string>;
  refs: InventoryLocation[];
  refKeys: Set<string>;
  roles: RoleEvidence[];
  kubeadmName?: string;
  /** Key sources referenced beside this certificate (the flag pair, the kubeconfig user's key). */
  pairedKeys: Set<string>;
  /** Those references' lines: a finding there (key-mismatch) concerns the certificate too. */
  pairedKeyLocs: InventoryLocation[];
}

interface KeyRecord {
  /** The file holding it (for inline data: the kubeconfig). */
  file: string;
  /** A file path, or `file#offset` for inline data. */
  source: string;
  inline: boolean;
  info: PrivateKeyInfo;
  refs: InventoryLocation[];
  refKeys: Set<string>;
}

function locKey(l: InventoryLocation): string {
  return `${l.file}\0${l.range.start.line}:${l.range.start.character}`;
}

function statusOf(cert: Certificate, now: number, warnDays: number): ExpiryStatus {
  if (now < cert.notBefore.getTime()) return 'not-yet-valid';
  if (now > cert.notAfter.getTime()) return 'expired';
  if (cert.notAfter.getTime() - now <= warnDays * DAY) return 'expiring';
  return 'ok';
}

/** The folder holding a node's kubeadm tree: the parent of pki/ or manifests/, the folder of a *.conf. */
function nodeDir(file: string, isDir: (p: string) => boolean): string | undefined {
  const norm = path.resolve(file);
  const sep = path.sep;
  const kubelet = norm.lastIndexOf(`${sep}var${sep}lib${sep}kubelet${sep}`);
  if (kubelet >= 0) {
    // The kubelet's files belong to the node whose /etc/kubernetes lies beside them.
    const root = norm.slice(0, kubelet) || sep;
    const ek = path.join(root, 'etc', 'kubernetes');
    return isDir(ek) ? ek : path.join(root, 'var', 'lib', 'kubelet');
  }
  let d = path.dirname(norm);
  for (let i = 0; i < 3 && d !== path.dirname(d); i++, d = path.dirname(d)) {
    const b = path.basename(d);
    if (b === 'pki' || b === 'manifests') return path.dirname(d);
  }
  const dir = path.dirname(norm);
  if (/\.conf$/i.test(norm)) return dir;
  if (path.basename(dir) === 'kubernetes' && path.basename(path.dirname(dir)) === 'etc') return dir;
  return undefined;
}

function relativeTo(roots: string[], p: string): string {
  let best: string | undefined;
  for (const r of roots) {
    if (!isWithin(r, p)) continue;
    const rel = path.relative(r, p);
    if (best === undefined || rel.length < best.length) best = rel;
  }
  return best === undefined ? p : best || '.';
}

/** kubeadm's NAME.key beside a NAME.crt (.cer, .pem). */
function kubeadmKeyOf(certFile: string): string | undefined {
  return /\.(crt|cer|pem)$/i.test(certFile) ? certFile.replace(/\.(crt|cer|pem)$/i, '.key') : undefined;
}

/** What in its file a reference belongs to: the Kubernetes object, the kubeconfig's user or cluster. */
function objectOf(unit: Unit, ref: Reference): InventoryObject | undefined {
  if (unit.kind === 'kubeconfig') {
    const user = unit.users.find((u) => u.cert === ref || u.key === ref);
    if (user) return { kind: 'user', name: user.name };
    const cluster = unit.clusters.find((c) => c.ca === ref);
    return cluster ? { kind: 'cluster', name: cluster.name } : undefined;
  }
  if (!('meta' in unit) || !('objectKind' in unit)) return undefined;
  const { meta } = unit;
  if (meta.templated) return { kind: unit.objectKind, ...(literalName(meta.templated.name) ? { name: meta.templated.name } : {}), templated: true };
  return { kind: unit.objectKind, ...(meta.name ? { name: meta.name } : {}), ...(meta.namespace ? { namespace: meta.namespace } : {}) };
}

/** Every certificate of the workspace, its issuer, role, key and expiry, and the keys no certificate matches. */
export function buildInventory(engine: Engine, options: InventoryOptions = {}): Inventory {
  const fs = engine.fileSystem;
  const nowDate = engine.now;
  const now = nowDate.getTime();
  const warnDays = engine.options.expiryWarningDays;
  const roots = (options.roots ?? engine.options.searchRoots).map((r) => path.resolve(r));

  const entries = new Map<string, Entry>();
  const keys = new Map<string, KeyRecord>();
  const publicKeys: PublicKeyInfo[] = [];
  const materialByPath = new Map<string, Material>();

  const entryOf = (cert: Certificate): Entry => {
    let e = entries.get(cert.sha256);
    if (!e) {
      e = { cert, files: new Set(), referencedFiles: new Set(), refs: [], refKeys: new Set(), roles: [], pairedKeys: new Set(), pairedKeyLocs: [] };
      entries.set(cert.sha256, e);
    }
    return e;
  };
  /** `index`: the certificate's place in the file (after the first, a leaf's file holds its chain). */
  const addFile = (e: Entry, file: string, index: number) => {
    if (e.files.has(file)) return;
    e.files.add(file);
    const k = kubeadmFileRole(file);
    if (!k) return;
    if (index === 0 || !k.component) {
      e.roles.push(k);
      if (k.kubeadmName && !e.kubeadmName) e.kubeadmName = k.kubeadmName;
    } else if (e.cert.isCA) {
      e.roles.push({ rank: 3, role: `${k.role} CA` });
    }
  };
  const addRef = (list: InventoryLocation[], seen: Set<string>, loc: InventoryLocation) => {
    const k = locKey(loc);
    if (seen.has(k)) return;
    seen.add(k);
    list.push(loc);
  };
  const addKey = (file: string, source: string, inline: boolean, info: PrivateKeyInfo, loc?: InventoryLocation) => {
    let k = keys.get(source);
    if (!k) keys.set(source, (k = { file, source, inline, info, refs: [], refKeys: new Set() }));
    if (loc) addRef(k.refs, k.refKeys, loc);
  };
  const seenPub = new Set<string>();
  const addPublic = (p: PublicKeyInfo) => {
    const h = p.spkiDer.toString('base64');
    if (seenPub.has(h)) return;
    seenPub.add(h);
    publicKeys.push(p);
  };
  const keySourceOf = (ref: Reference, file: string | undefined, i: number) =>
    file ? (i === 0 ? file : `${file}#${i}`) : `${ref.file}#${ref.span.start}${i ? '.' + i : ''}`;

  // ---- 1. what the recognised documents reference
  const visited = new Set<string>();
  const processUnit = (parsed: ParsedFile, unit: Unit) => {
    const refs = unitReferences(unit);
    // The key reference paired with each leaf certificate reference of this unit (as key-mismatch pairs them).
    const pairs = new Map<Reference, Reference>();
    for (const p of certKeyPairs(unit)) if (p.cert.expect === 'cert') pairs.set(p.cert, p.key);
    for (const ref of refs) {
      if (ref.expect === 'kubeconfig') {
        const found = engine.resolve(ref)?.found;
        if (found && !engine.isRecognised(found) && !visited.has(found)) {
          visited.add(found);
          const units = engine.kubeconfigOf(ref);
          const p = engine.parsed(found);
          if (p) for (const u of units) processUnit(p, u);
        }
        continue;
      }
      const loaded = engine.load(ref);
      if (!loaded.ok) continue;
      const m = loaded.material;
      const file = ref.source.kind === 'path' ? loaded.path : undefined;
      if (file) materialByPath.set(file, m);
      const object = objectOf(unit, ref);
      const loc: InventoryLocation = { file: ref.file, range: parsed.lines.range(ref.span.start, ref.span.end), field: ref.field, ...(object ? { object } : {}) };
      let leafRole: RoleEvidence | undefined;
      m.certs.forEach((cert, i) => {
        const e = entryOf(cert);
        if (file) {
          addFile(e, file, i);
          e.referencedFiles.add(file);
        }
        addRef(e.refs, e.refKeys, loc);
        const ev = roleOf(parsed, unit, ref, i, leafRole);
        if (ev) {
          e.roles.push(ev);
          if (i === 0) leafRole = ev;
          if (i === 0 && ev.rank === 0 && unit.kind === 'kubeconfig' && kubeadmKubeconfigs.has(path.basename(ref.file)) && !e.kubeadmName) {
            e.kubeadmName = path.basename(ref.file);
          }
        }
        const pair = pairs.get(ref);
        if (pair && i === 0) {
          e.pairedKeyLocs.push({ file: pair.file, range: parsed.lines.range(pair.span.start, pair.span.end), field: pair.field });
          const pl = engine.load(pair);
          const pfile = pair.source.kind === 'path' && pl.ok ? pl.path : undefined;
          if (pl.ok) pl.material.privateKeys.forEach((_, j) => e.pairedKeys.add(keySourceOf(pair, pfile, j)));
        }
      });
      m.privateKeys.forEach((k, j) => addKey(file ?? ref.file, keySourceOf(ref, file, j), !file, k, loc));
      for (const p of m.publicKeys) addPublic(p);
    }
  };

  const roleCtx = new Map<string, CheckContext>();
  const ctxFor = (parsed: ParsedFile) => {
    let c = roleCtx.get(parsed.file);
    if (!c) roleCtx.set(parsed.file, (c = new CheckContext(parsed, engine, { paths: new Set(), kinds: new Set(), unresolved: false })));
    return c;
  };

  function roleOf(parsed: ParsedFile, unit: Unit, ref: Reference, index: number, leafRole: RoleEvidence | undefined): RoleEvidence | undefined {
    if (ref.expect === 'ca') return caRefRole(ref.field);
    if (ref.expect !== 'cert') return undefined;
    if (index > 0) return leafRole ? { rank: 3, role: `${leafRole.role} CA` } : undefined;
    switch (unit.kind) {
      case 'component':
        return componentFlagRole(unit.component, ref.field);
      case 'kubelet-config':
        return { rank: 0, role: 'kubelet serving', component: 'kubelet' };
      case 'kubeconfig': {
        const user = unit.users.find((u) => u.cert === ref);
        const base = path.basename(unit.file);
        if (!user) return { rank: 0, role: `${base} client`, component: base };
        let r: ReturnType<typeof kubeconfigRole>;
        try {
          r = kubeconfigRole(ctxFor(parsed), unit, user);
        } catch {
          r = undefined;
        }
        const component = (r && componentOfKubeconfigRole[r.role]) ?? base;
        const multi = unit.users.length > 1 && user !== mainUser(unit);
        const who = multi ? `${base} (${user.name})` : base;
        if (r && roleByFileName(base) !== r.role) return { rank: 0, role: `${r.role} client (${who})`, component };
        return { rank: 0, role: `${who} client`, component };
      }
      default: {
        // Kubernetes objects (Secrets, webhooks, …): the field names the use; the object's name, if any (not one a
        // template fills in), the component.
        const name = 'meta' in unit ? (unit.meta.templated ? (literalName(unit.meta.templated.name) ? unit.meta.templated.name : undefined) : unit.meta.name || undefined) : undefined;
        const what = 'objectKind' in unit ? unit.objectKind : unit.kind;
        return { rank: 0, role: name ? `${what} ${name} ${ref.field}` : `${what} ${ref.field}`, ...(name ? { component: name } : {}) };
      }
    }
  }

  for (const doc of engine.documents().slice().sort()) {
    const parsed = engine.parsed(doc);
    if (!parsed) continue;
    visited.add(doc);
    for (const unit of parsed.units) processUnit(parsed, unit);
  }

  // ---- 2. certificate and key files lying in the workspace
  const seenLoose = new Set<string>();
  let looseCount = 0;
  const looseFile = (full: string, size: number, mtimeMs: number) => {
    if (size > MAX_FILE_BYTES || seenLoose.has(full)) return;
    looseCount++;
    const m = materialByPath.get(full) ?? looseMaterial(fs, full, size, mtimeMs, seenLoose);
    seenLoose.add(full);
    if (!m) return;
    m.certs.forEach((cert, i) => addFile(entryOf(cert), full, i));
    m.privateKeys.forEach((k, j) => addKey(full, j === 0 ? full : `${full}#${j}`, false, k));
    for (const p of m.publicKeys) addPublic(p);
  };
  const seenDirs = new Set<string>();
  const walk = (dir: string, mtimeMs: number, depth: number) => {
    if (depth > MAX_DEPTH || looseCount >= MAX_LOOSE_FILES || seenDirs.size >= MAX_DIRS || seenDirs.has(dir)) return;
    const listing = listDir(fs, dir, mtimeMs, seenDirs);
    for (const full of listing.files) {
      if (looseCount >= MAX_LOOSE_FILES) return;
      const st = fs.stat(full);
      if (st.kind === 'file') looseFile(full, st.size, st.mtimeMs);
      else if (st.kind === 'directory') walk(full, st.mtimeMs, depth + 1);
    }
    for (const sub of listing.dirs) {
      const st = fs.stat(sub);
      if (st.kind === 'directory') walk(sub, st.mtimeMs, depth + 1);
    }
  };
  for (const root of roots) {
    const st = fs.stat(root);
    if (st.kind === 'directory') walk(root, st.mtimeMs, 0);
    else if (st.kind === 'file') looseFile(root, st.size, st.mtimeMs); // a file named as a root is read whatever its name
  }

  /** A certificate's files: those configs reference first, then the others, each in path order. */
  const filesOf = (e: Entry) =>
    [...e.files].sort((a, b) => Number(!e.referencedFiles.has(a)) - Number(!e.referencedFiles.has(b)) || (a < b ? -1 : a > b ? 1 : 0));
  const dirCache = new Map<string, boolean>();
  const isDir = (p: string) => {
    let v = dirCache.get(p);
    if (v === undefined) dirCache.set(p, (v = fs.stat(p).kind === 'directory'));
    return v;
  };
  const nodeDirOf = new Map<string, string | undefined>();
  const nodeOfFile = (f: string) => {
    if (!nodeDirOf.has(f)) nodeDirOf.set(f, nodeDir(f, isDir));
    return nodeDirOf.get(f);
  };
  /** Each certificate's node folders (absolute), its files' first, then its references'. */
  const nodeDirs = new Map<Entry, string[]>();
  for (const e of entries.values()) {
    const dirs = new Set<string>();
    for (const f of filesOf(e)) {
      const n = nodeOfFile(f);
      if (n) dirs.add(n);
    }
    for (const r of e.refs) {
      const n = nodeOfFile(r.file);
      if (n) dirs.add(n);
    }
    nodeDirs.set(e, [...dirs]);
  }

  // ---- 3. issuers: the certificate of the inventory whose key signed each one
  const bySubject = new Map<string, Entry[]>();
  for (const e of entries.values()) {
    const k = certInternals(e.cert).rawSubject.toString('base64');
    const list = bySubject.get(k);
    if (list) list.push(e);
    else bySubject.set(k, [e]);
  }
  const issuerOf = (e: Entry): Entry | undefined => {
    if (isSelfSigned(e.cert)) return undefined; // a root: its own issuer
    const candidates = (bySubject.get(certInternals(e.cert).rawIssuer.toString('base64')) ?? []).filter(
      (c) => c !== e && isIssuedBy(e.cert, c.cert),
    );
    if (candidates.length <= 1) return candidates[0];
    // The same CA key in several certificates (a renewed CA, node trees made from one key): one in the same
    // node tree, then one valid now, a CA, the latest.
    const mine = nodeDirs.get(e) ?? [];
    const sameNode = (c: Entry) => ((nodeDirs.get(c) ?? []).some((n) => mine.includes(n)) ? 1 : 0);
    const valid = (c: Entry) => (now >= c.cert.notBefore.getTime() && now <= c.cert.notAfter.getTime() ? 1 : 0);
    return candidates.sort(
      (a, b) =>
        sameNode(b) - sameNode(a) ||
        valid(b) - valid(a) ||
        Number(b.cert.isCA) - Number(a.cert.isCA) ||
        b.cert.notAfter.getTime() - a.cert.notAfter.getTime() ||
        (a.cert.sha256 < b.cert.sha256 ? -1 : 1),
    )[0];
  };

  // ---- 4. keys: every private key by its public half; kubeadm's NAME.key beside each NAME.crt is read even when
  // it lies outside the roots (a certificate named on the command line, a path resolved through --root)
  for (const e of entries.values()) {
    for (const f of e.files) {
      const sibling = kubeadmKeyOf(f);
      if (!sibling || keys.has(sibling) || seenLoose.has(sibling)) continue;
      const st = fs.stat(sibling);
      if (st.kind !== 'file' || st.size > MAX_FILE_BYTES) continue;
      const m = materialByPath.get(sibling) ?? looseMaterial(fs, sibling, st.size, st.mtimeMs, seenLoose);
      seenLoose.add(sibling);
      m?.privateKeys.forEach((k, j) => addKey(sibling, j === 0 ? sibling : `${sibling}#${j}`, false, k));
    }
  }
  looseCache.prune(fs, seenLoose);
  listingCache.prune(fs, seenDirs);
  const keyList = [...keys.values()];
  const keysBySpki = new Map<string, KeyRecord[]>();
  for (const k of keyList) {
    if (!k.info.spkiDer) continue;
    const h = k.info.spkiDer.toString('base64');
    const list = keysBySpki.get(h);
    if (list) list.push(k);
    else keysBySpki.set(h, [k]);
  }
  const matched = new Set<KeyRecord>();
  const encryptedKeys = keyList.filter((k) => !k.info.spkiDer);
  const keysOf = (spki: Buffer): KeyRecord[] => {
    const exact = keysBySpki.get(spki.toString('base64'));
    if (exact) return exact;
    // The same key encoded differently (rare): compare the keys themselves, for a workspace of ordinary size.
    if (keyList.length > 500) return [];
    return keyList.filter((k) => k.info.spkiDer && sameKey(spki, k.info.spkiDer));
  };
  const keyFor = (e: Entry): KeyRecord | undefined => {
    const files = [...e.files];
    const beside = (k: KeyRecord) => !k.inline && files.some((f) => kubeadmKeyOf(f) === k.file);
    const score = (k: KeyRecord): number => {
      if (beside(k)) return 0; // kubeadm: apiserver.crt + apiserver.key
      if (!k.inline && e.files.has(k.file)) return 1; // certificate and key in one file
      if (e.pairedKeys.has(k.source)) return 2; // the key referenced beside it
      return k.inline ? 4 : 3;
    };
    let candidates = keysOf(e.cert.publicKey.spkiDer);
    if (candidates.length === 0) {
      // An encrypted key (its public half unknown) is the certificate's when it lies or is referenced beside it.
      candidates = encryptedKeys.filter((k) => score(k) <= 2);
    }
    for (const c of candidates) matched.add(c);
    if (candidates.length === 0) return undefined;
    return candidates.slice().sort((a, b) => score(a) - score(b) || (a.source < b.source ? -1 : 1))[0];
  };

  // ---- 5. findings on the referencing lines
  // Indexed by line, so a kubeconfig with a thousand users does not compare each reference with every finding.
  const findingsByFile = new Map<string, Map<number, Finding[]>>();
  const findingsNear = (file: string, range: Range): Finding[] => {
    let byLine = findingsByFile.get(file);
    if (!byLine) {
      byLine = new Map();
      // engine.check turns a failing check into an internal-error finding: it does not throw.
      for (const f of engine.check(file)) {
        const last = Math.min(f.range.end.line, f.range.start.line + 200);
        for (let l = f.range.start.line; l <= last; l++) {
          const list = byLine.get(l);
          if (list) list.push(f);
          else byLine.set(l, [f]);
        }
      }
      findingsByFile.set(file, byLine);
    }
    const out = new Set<Finding>();
    for (let l = range.start.line; l <= range.end.line; l++) for (const f of byLine.get(l) ?? []) out.add(f);
    return [...out];
  };

  const shownNodes = new Map<string, string>();
  const displayNode = (p: string) => {
    let v = shownNodes.get(p);
    if (v === undefined) shownNodes.set(p, (v = relativeTo(roots, p)));
    return v;
  };

  const certificates: InventoryCertificate[] = [];
  for (const e of entries.values()) {
    const cert = e.cert;
    const issuer = issuerOf(e);
    const key = keyFor(e);
    const files = filesOf(e);
    const problems: InventoryProblem[] = [];
    const seenProblems = new Set<string>();
    for (const loc of [...e.refs, ...e.pairedKeyLocs]) {
      for (const f of findingsOn(findingsNear(loc.file, loc.range), loc.range)) {
        const k = `${f.file}\0${f.range.start.line}:${f.range.start.character}\0${f.code}\0${f.message}`;
        if (seenProblems.has(k)) continue;
        seenProblems.add(k);
        // Copies: the engine's findings are cached and shared.
        const range = { start: { ...f.range.start }, end: { ...f.range.end } };
        problems.push({ severity: f.severity, code: f.code, message: f.message, file: f.file, range });
      }
    }
    const best = e.roles.length ? e.roles.reduce((a, b) => (b.rank < a.rank ? b : a)) : undefined;
    const dirs = nodeDirs.get(e) ?? [];
    const node = dirs.length ? displayNode(dirs[0]) : undefined;
    const nodes = dirs.map(displayNode).sort();
    const c: InventoryCertificate = {
      id: cert.sha256,
      subject: cert.subject.text,
      issuer: cert.issuer.text,
      ...(cert.subject.commonName !== undefined ? { commonName: cert.subject.commonName } : {}),
      organizations: [...cert.subject.organizations],
      sans: [...cert.dnsNames, ...cert.ipAddresses],
      isCA: cert.isCA,
      selfSigned: isSelfSigned(cert),
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
      daysLeft: Math.floor((cert.notAfter.getTime() - now) / DAY),
      status: statusOf(cert, now, warnDays),
      keyAlgorithm: cert.publicKey.description,
      ...(issuer ? { issuerId: issuer.cert.sha256 } : {}),
      ...(best ? { role: best.role } : cert.isCA ? { role: 'CA' } : {}),
      ...(node ? { node } : {}),
      ...(nodes.length > 1 ? { nodes } : {}),
      ...(best?.component ? { component: best.component } : {}),
      ...(e.kubeadmName ? { kubeadmName: e.kubeadmName } : {}),
      files,
      references: e.refs,
      problems,
      ...(key ? { keyFile: key.file } : {}),
      externallyManaged: cert.isCA && !key,
    };
    certificates.push(c);
  }
  certificates.sort(
    (a, b) =>
      Date.parse(a.notAfter) - Date.parse(b.notAfter) ||
      (a.kubeadmName ?? a.files[0] ?? a.subject).localeCompare(b.kubeadmName ?? b.files[0] ?? b.subject) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );

  // ---- 6. keys no certificate matches (a key whose public half is a .pub file, as sa.key/sa.pub, is paired)
  const orphanKeys: InventoryOrphanKey[] = [];
  // Whether a certificate holds the key encoded differently (keys matched above never get here), for a workspace of ordinary size.
  const certList = entries.size > 2000 ? [] : [...entries.values()];
  for (const k of keyList) {
    if (matched.has(k)) continue;
    if (k.info.spkiDer) {
      const spki = k.info.spkiDer;
      if (certList.some((e) => sameKey(e.cert.publicKey.spkiDer, spki))) continue;
      if (publicKeys.some((p) => sameKey(p.spkiDer, spki))) continue;
    }
    orphanKeys.push({ file: k.file, keyAlgorithm: k.info.description, references: k.refs });
  }
  orphanKeys.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));

  return { now: nowDate.toISOString(), warningDays: warnDays, certificates, orphanKeys };
}
