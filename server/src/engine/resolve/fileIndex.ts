// A lazily built index of file names under the searched folders, for finding
// `/etc/kubernetes/pki/etcd/ca.crt` as `cluster-backup/pki/etcd/ca.crt`. Bounded, so a huge or
// looping tree cannot stall the engine; rebuilt after files appear or vanish. What the configs exclude is never
// entered (it neither counts toward the bound nor is found).
import * as path from 'node:path';
import type { FileSystem } from '../types';
import { walkFiles, type WalkReport } from '../workspace/walk';

/** Files indexed at most (the walk's depth limit is walk.ts's); what a bound left out is in `report`. */
const MAX_ENTRIES = 200_000;

export class FileIndex {
  private byName: Map<string, string[]> | undefined;
  /** What the last build's walk left out (walk.ts). */
  report: WalkReport = {};
  /** Listings of roots made by another walk of the same folders (discovery), taken instead of walking again. */
  private adopted = new Map<string, string[]>();

  constructor(
    private readonly fs: FileSystem,
    private roots: string[],
    /** Paths left out (a config's exclude): a folder is not entered, a file not indexed. */
    private readonly isExcluded: (p: string, isFolder: boolean) => boolean = () => false,
  ) {}

  setRoots(roots: string[]): void {
    this.roots = roots;
    this.byName = undefined;
    this.adopted.clear();
  }

  invalidate(): void {
    this.byName = undefined;
    this.adopted.clear();
  }

  /**
   * Every file below `root` as the discovery walk met it (the same walk: skip list, .gitignore, excludes, depth),
   * so the index is built without walking the folder again; until files appear or vanish (invalidate).
   */
  adopt(root: string, files: string[]): void {
    this.adopted.set(root, files);
    this.byName = undefined;
  }

  private build(): Map<string, string[]> {
    const byName = new Map<string, string[]>();
    this.report = {};
    const add = (file: string) => {
      const name = path.basename(file);
      const list = byName.get(name);
      if (list) list.push(file);
      else byName.set(name, [file]);
    };
    for (const root of this.roots) {
      const adopted = this.adopted.get(path.resolve(root));
      if (adopted) adopted.forEach(add);
      else walkFiles(this.fs, [root], { isExcluded: this.isExcluded, maxFiles: MAX_ENTRIES }, this.report).forEach(add);
    }
    return byName;
  }

  /**
   * The indexed file sharing the longest tail of path components with `refPath` (at least the
   * file name and its folder), nearest to `nearDir` on ties.
   */
  longestSuffixMatch(refPath: string, nearDir: string): string | undefined {
    if (this.roots.length === 0) return undefined;
    this.byName ??= this.build();
    const parts = refPath.split('/').filter(Boolean);
    const candidates = this.byName.get(parts[parts.length - 1]) ?? [];
    let best: string | undefined;
    let bestScore = -1;
    let bestNear = -1;
    for (const c of candidates) {
      const cparts = c.split(path.sep).filter(Boolean);
      let n = 0;
      while (n < parts.length && n < cparts.length && parts[parts.length - 1 - n] === cparts[cparts.length - 1 - n]) n++;
      if (n < Math.min(2, parts.length)) continue;
      const near = commonPrefixLength(c, nearDir);
      if (n > bestScore || (n === bestScore && near > bestNear)) {
        best = c;
        bestScore = n;
        bestNear = near;
      }
    }
    return best;
  }
}

export function commonPrefixLength(a: string, b: string): number {
  const pa = a.split(path.sep);
  const pb = b.split(path.sep);
  let n = 0;
  while (n < pa.length && n < pb.length && pa[n] === pb[n]) n++;
  return n;
}
