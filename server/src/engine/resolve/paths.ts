// Where does `/etc/kubernetes/pki/ca.crt` live in the user's repository? Tried in order:
// kubePki.pathMappings, kubePki.rootDir (--root), the referencing file's own ancestors (a copy of a
// node's `/` in the repo), the longest suffix of the path found inside the searched folders, and
// last the literal path. The places tried go into the file-not-found message.
import * as path from 'node:path';
import type { EngineOptions, FileSystem, Refusal } from '../types';
import { FileIndex } from './fileIndex';
import { isWithin } from '../fs/confined';

export interface Resolution {
  found?: string;
  tried: string[];
  /**
   * Nothing found, and a place tried was out of bounds (EngineOptions.readOnlyWithin): the first such place, and
   * whether it is outside lexically or through a symbolic link. The engine reports it instead of plain not-found.
   */
  refused?: { path: string; kind: Refusal };
}

/** Something is there: a file, a folder, or an entry that cannot be followed (a symlink loop, no permission). */
function exists(fs: FileSystem, p: string, refusals?: Array<{ path: string; kind: Refusal }>): boolean {
  const st = fs.stat(p);
  if (st.kind === 'missing' && st.refused) {
    refusals?.push({ path: p, kind: st.refused });
    return false;
  }
  return st.kind !== 'missing' || !absent.has(st.reason);
}

const absent = new Set(['no such file', 'a parent of the path is not a folder']);

export function resolveReferencePath(
  fs: FileSystem,
  options: EngineOptions,
  index: FileIndex,
  refPath: string,
  baseDir: string,
): Resolution {
  const tried: string[] = [];
  const refusals: Array<{ path: string; kind: Refusal }> = [];
  const attempt = (p: string): string | undefined => {
    const normal = path.normalize(p);
    if (!tried.includes(normal)) tried.push(normal);
    return exists(fs, normal, refusals) ? normal : undefined;
  };
  const notFound = (): Resolution => (refusals.length ? { tried, refused: refusals[0] } : { tried });

  // Only POSIX-style absolute paths are node paths; a relative one is relative to the referencing file.
  if (!refPath.startsWith('/')) {
    const found = attempt(path.resolve(baseDir, refPath));
    return found ? { found, tried } : notFound();
  }

  const mappings = Object.entries(options.pathMappings ?? {}).sort((a, b) => b[0].length - a[0].length);
  for (const [prefix, target] of mappings) {
    const p = prefix.replace(/\/+$/, '');
    if (refPath === p || refPath.startsWith(p + '/')) {
      const found = attempt(path.join(target, refPath.slice(p.length)));
      if (found) return { found, tried };
    }
  }

  if (options.rootDir) {
    const found = attempt(path.join(options.rootDir, refPath));
    if (found) return { found, tried };
  }

  // A copy of a node's tree: node1/etc/kubernetes/manifests/kube-apiserver.yaml names
  // /etc/kubernetes/pki/ca.crt, which is node1/etc/kubernetes/pki/ca.crt.
  const roots = options.searchRoots ?? [];
  const boundary = roots.filter((r) => isWithin(r, baseDir)).sort((a, b) => b.length - a.length)[0];
  let dir = baseDir;
  for (let depth = 0; depth < 12; depth++) {
    if (dir !== '/') {
      const candidate = path.join(dir, refPath);
      // A refusal here is worth reporting only inside the workspace (a symlink in the node tree leading out).
      if (!tried.includes(candidate) && exists(fs, candidate, boundary ? refusals : undefined)) {
        tried.push(candidate);
        return { found: candidate, tried };
      }
    }
    if ((boundary && dir === boundary) || path.dirname(dir) === dir) break;
    dir = path.dirname(dir);
  }
  if (boundary) tried.push(`${path.join(boundary, '…', refPath)} (any folder from the file up to ${boundary})`);

  const bySuffix = index.longestSuffixMatch(refPath, baseDir);
  if (bySuffix) {
    tried.push(bySuffix);
    return { found: bySuffix, tried };
  }
  if (roots.length) tried.push(`files ending in ${lastTwo(refPath)} under ${roots.join(', ')}`);

  const found = attempt(refPath);
  return found ? { found, tried } : notFound();
}

function lastTwo(p: string): string {
  return p.split('/').filter(Boolean).slice(-2).join('/');
}
