// EngineOptions.readOnlyWithin, enforced in one place: every read of the engine goes through its FileSystem,
// and this wrapper refuses any path outside the allowed folders before the disk is touched. A path is judged
// twice: lexically (absolute paths and `..` leading out are refused without a single syscall), then, for one
// lexically inside, by its real path (realpath(3) resolves symbolic links, and `..` after them, as the kernel
// will when the file is opened), against the folders' real paths: a symlink in the workspace pointing at
// /etc/kubernetes/pki/ca.crt is refused too. (A symlink swapped in between this check and the open is not
// caught: that needs someone already running code on the machine.)
import * as path from 'node:path';
import type { FileSystem, MissingStat, ReadResult, Refusal } from '../types';

const LIFT = 'in Restricted Mode kube-pki reads nothing outside them (trusting the workspace lifts this)';

/** What a user reads about a refused path. */
export function refusalReason(kind: Refusal): string {
  return kind === 'link' ? `leads outside the workspace folders through a symbolic link: ${LIFT}` : `is outside the workspace folders: ${LIFT}`;
}

/**
 * Whether `p` is `root` or lies below it, by the path (no link followed). The one test of "inside a folder" for the
 * engine and its adapters: a folder named `..foo` is inside, `..` and `../x` are not.
 */
export function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Whether `p` lies below `root` (within it, and not `root` itself). */
export function isBelow(root: string, p: string): boolean {
  return path.relative(root, p) !== '' && isWithin(root, p);
}

/**
 * `base` limited to the folders `roots()` returns at the time of each call (undefined: no limit, `base` as it
 * is; an empty list: nothing at all may be read).
 */
export function confinedFileSystem(base: FileSystem, roots: () => string[] | undefined): FileSystem {
  let realRootsKey: string | undefined;
  let realRoots: string[] = [];

  /** The real path of p, or of its nearest ancestor that exists with the rest appended (nothing is there yet). */
  function realOf(p: string): string | undefined {
    if (!base.realpath) return undefined;
    const rest: string[] = [];
    let cur = p;
    for (let i = 0; i < 4096; i++) {
      const r = base.realpath(cur);
      if (r !== undefined) return rest.length ? path.join(r, ...rest.reverse()) : r;
      const parent = path.dirname(cur);
      if (parent === cur) return undefined;
      rest.push(path.basename(cur));
      cur = parent;
    }
    return undefined;
  }

  function refusal(p: string): Refusal | undefined {
    const allowed = roots();
    if (allowed === undefined) return undefined;
    if (!allowed.some((r) => isWithin(path.resolve(r), path.resolve(p)))) return 'outside';
    if (!base.realpath) return undefined;
    const key = allowed.join('\0');
    if (key !== realRootsKey) {
      realRoots = allowed.map((r) => realOf(path.resolve(r)) ?? path.resolve(r));
      realRootsKey = key;
    }
    // Not normalized first: `link/../x` is wherever the kernel takes it, not `x`.
    const real = realOf(p);
    if (real === undefined) return undefined;
    return realRoots.some((r) => isWithin(r, real)) ? undefined : 'link';
  }

  return {
    stat(p): ReturnType<FileSystem['stat']> {
      const refused = refusal(p);
      if (refused) return { kind: 'missing', reason: refusalReason(refused), refused } satisfies MissingStat;
      return base.stat(p);
    },
    readFile(p, maxBytes): ReadResult {
      const refused = refusal(p);
      if (refused) return { ok: false, reason: refusalReason(refused), refused };
      return base.readFile(p, maxBytes);
    },
    readDir(p) {
      return refusal(p) ? [] : base.readDir(p);
    },
    // Below a folder it may read, an entry that is no symlink is inside it too (a symlink is stat'ed: refused there).
    ...(base.readDirTyped ? { readDirTyped: (p: string) => (refusal(p) ? [] : base.readDirTyped!(p)) } : {}),
    ...(base.realpath ? { realpath: (p: string) => (refusal(p) ? undefined : base.realpath!(p)) } : {}),
  };
}
