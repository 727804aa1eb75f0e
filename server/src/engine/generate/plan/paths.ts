// Where files go: the key kubeadm keeps beside a certificate, and where a referenced path that does
// not exist is created (a path mapping, the root folder, or the copy of the node's tree the
// referencing file sits in). Used by the workspace plan and by the plans made on request.
import * as path from 'node:path';
import type { FileSystem } from '../../types';
import { isWithin } from '../../fs/confined';
import { mappedPaths } from '../../resolve/paths';

/** Whether anything (a file, a folder, something unreadable) is at this path. */
export function exists(fs: FileSystem, p: string): boolean {
  return fs.stat(p).kind !== 'missing';
}

/** kubeadm keeps a CA's key beside it: ca.crt -> ca.key (ca.pem -> ca-key.pem when that exists). */
export function siblingKey(fs: FileSystem, certPath: string): string {
  const base = certPath.replace(/\.(crt|cer|pem)$/i, '');
  if (/\.pem$/i.test(certPath) && fs.stat(`${base}-key.pem`).kind === 'file') return `${base}-key.pem`;
  return `${base}.key`;
}

/**
 * Where a referenced path that does not exist should be created. A relative path is relative to
 * the referencing file; an absolute one goes where the engine would look first: a path mapping,
 * the root folder, else the copy of the node's tree the referencing file sits in (the ancestor
 * folder under which the longest leading part of the path already exists). Undefined when
 * nothing says where it belongs (never a guess at the real /etc of this machine).
 */
export function targetPath(
  fs: FileSystem,
  options: { pathMappings?: Record<string, string>; rootDir?: string; searchRoots?: string[] },
  refPath: string,
  baseDir: string,
): string | undefined {
  if (!refPath.startsWith('/')) return path.resolve(baseDir, refPath);
  const mapped = mappedPaths(refPath, options.pathMappings)[0];
  if (mapped !== undefined) return mapped;
  if (options.rootDir) return path.join(options.rootDir, refPath);
  const dirParts = refPath.split('/').filter(Boolean).slice(0, -1);
  const isDir = (p: string) => fs.stat(p).kind === 'directory';
  const score = (root: string) => {
    for (let k = dirParts.length; k >= 1; k--) if (isDir(path.join(root, ...dirParts.slice(0, k)))) return k;
    return 0;
  };
  const roots = options.searchRoots ?? [];
  const boundary = roots.filter((r) => isWithin(r, baseDir)).sort((a, b) => b.length - a.length)[0];
  let best: { dir: string; score: number } | undefined;
  let dir = baseDir;
  for (let depth = 0; depth < 16; depth++) {
    if (dir !== '/') {
      const s = score(dir);
      if (s > (best?.score ?? 0)) best = { dir, score: s };
    }
    if ((boundary && dir === boundary) || path.dirname(dir) === dir) break;
    dir = path.dirname(dir);
  }
  // The workspace is the node itself (/etc/kubernetes/manifests/... names /etc/kubernetes/pki/...).
  if (dirParts.length && isWithin('/' + dirParts[0], baseDir)) {
    const s = score('/');
    if (s > (best?.score ?? 0)) best = { dir: '/', score: s };
  }
  return best ? path.join(best.dir, refPath) : undefined;
}
