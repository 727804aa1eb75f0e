// Phase 3: which node each certificate belongs to. Reads each Entry's files and referencing lines and finds
// the folder holding the kubeadm tree each lies in (the parent of pki/ or manifests/, the folder of a *.conf,
// the /etc/kubernetes beside a /var/lib/kubelet), stat'ing folders through the file system. Produces each
// certificate's node folders (absolute; its files' first, then its references'), which the choice of an
// issuer among look-alike CAs prefers (issuers.ts) and the records show relative to the roots
// (certificates.ts, through nodeNames()).
import * as path from 'node:path';
import type { FileSystem } from '../types';
import { isWithin } from '../fs/confined';
import { filesOf, type Entry } from './collection';

/** Each certificate's node folders (absolute), its files' first, then its references'. */
export function nodeFolders(fs: FileSystem, entries: Iterable<Entry>): Map<Entry, string[]> {
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
  const nodeDirs = new Map<Entry, string[]>();
  for (const e of entries) {
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
  return nodeDirs;
}

/** How a node folder is shown: relative to the root that gives the shortest path ('.' for a root itself). */
export function nodeNames(roots: string[]): (dir: string) => string {
  const shown = new Map<string, string>();
  return (p: string) => {
    let v = shown.get(p);
    if (v === undefined) shown.set(p, (v = relativeTo(roots, p)));
    return v;
  };
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
