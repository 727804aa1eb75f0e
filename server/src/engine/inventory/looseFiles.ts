// Phase 2: certificate and key files lying in the workspace, referenced or not. Walks the roots (the
// folders given, or the engine's searchRoots; a file given as a root is read whatever its name) for
// *.crt, *.pem, *.cer, *.key, *.pub files with the one walk's rules (workspace/walk.ts: SKIP_DIRS, .gitignore,
// the configs' exclude, MAX_WALK_DEPTH) and a bound on files, each limit reached said in the report; then reads kubeadm's NAME.key beside each certificate file found so far, even outside
// the roots. Adds to the Collection each certificate with its file, each private key and each public key;
// a file a reference already loaded (Collection.materialByPath) is not read again.
//
// Loose files and folder listings are kept per path while the size and mtime stay (StatCache), so a walk of
// an unchanged tree stats only folders and candidate files; forgetUnseen() drops what the last inventory did
// not meet. Open editor buffers (mtime 0 in the overlay) are read again.
import * as path from 'node:path';
import { MAX_FILE_BYTES, type FileSystem } from '../types';
import { GitIgnores, MAX_WALK_DEPTH, SKIP_DIRS, type WalkReport } from '../workspace/walk';
import { loadFile, type Material } from '../resolve/material';
import type { Collection } from './collection';
import { kubeadmKeyOf } from './keys';

/** Loose certificate/key files read per inventory at most (the walk's depth limit is walk.ts's). */
const MAX_LOOSE_FILES = 10_000;
const LOOSE_FILE = /\.(crt|pem|cer|key|pub)$/i;

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
 * renaming an entry changes it).
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

/** One inventory's reading of loose files: readRoots(), then readSiblingKeys(), then forgetUnseen(). */
export class LooseFiles {
  /** Files read (or found already loaded) by this inventory. */
  private readonly seenLoose = new Set<string>();
  private readonly seenDirs = new Set<string>();
  private looseCount = 0;
  /** What a limit left out (walk.ts's report). */
  readonly report: WalkReport = {};
  private readonly ignores: GitIgnores;
  private root = '';

  constructor(
    private readonly fs: FileSystem,
    private readonly c: Collection,
    /** What the configs exclude (Engine.excludedBy): not entered, not read. */
    private readonly isExcluded: (p: string, isFolder: boolean) => boolean = () => false,
  ) {
    this.ignores = new GitIgnores(fs);
  }

  /** Every candidate file below the roots (a root that is a file is read whatever its name). */
  readRoots(roots: string[]): void {
    for (const root of roots) {
      const st = this.fs.stat(root);
      if (st.kind === 'directory') {
        this.root = root;
        this.walk(root, st.mtimeMs, 0);
      } else if (st.kind === 'file') this.looseFile(root, st.size, st.mtimeMs); // a file named as a root is read whatever its name
    }
  }

  /**
   * kubeadm's NAME.key beside each NAME.crt of the Collection, read even when it lies outside the roots (a
   * certificate named on the command line, a path resolved through --root).
   */
  readSiblingKeys(): void {
    const { fs, c, seenLoose } = this;
    for (const e of c.entries.values()) {
      for (const f of e.files) {
        const sibling = kubeadmKeyOf(f);
        if (!sibling || c.keys.has(sibling) || seenLoose.has(sibling)) continue;
        const st = fs.stat(sibling);
        if (st.kind !== 'file' || st.size > MAX_FILE_BYTES) continue;
        const m = c.materialByPath.get(sibling) ?? looseMaterial(fs, sibling, st.size, st.mtimeMs, seenLoose);
        seenLoose.add(sibling);
        m?.privateKeys.forEach((k, j) => c.addKey(sibling, j === 0 ? sibling : `${sibling}#${j}`, false, k));
      }
    }
  }

  /** Drops the cached files and listings this inventory did not meet. */
  forgetUnseen(): void {
    looseCache.prune(this.fs, this.seenLoose);
    listingCache.prune(this.fs, this.seenDirs);
  }

  private looseFile(full: string, size: number, mtimeMs: number): void {
    const { fs, c, seenLoose } = this;
    if (size > MAX_FILE_BYTES || seenLoose.has(full)) return;
    if (this.looseCount >= MAX_LOOSE_FILES) {
      this.report.files ??= { limit: MAX_LOOSE_FILES, after: full };
      return;
    }
    this.looseCount++;
    const m = c.materialByPath.get(full) ?? looseMaterial(fs, full, size, mtimeMs, seenLoose);
    seenLoose.add(full);
    if (!m) return;
    m.certs.forEach((cert, i) => c.addFile(c.entryOf(cert), full, i));
    m.privateKeys.forEach((k, j) => c.addKey(full, j === 0 ? full : `${full}#${j}`, false, k));
    for (const p of m.publicKeys) c.addPublic(p, full);
  }

  private walk(dir: string, mtimeMs: number, depth: number): void {
    const { fs, seenDirs } = this;
    if (this.report.files || seenDirs.has(dir)) return;
    if (depth > MAX_WALK_DEPTH) {
      const d = (this.report.depth ??= { limit: MAX_WALK_DEPTH, folders: [], count: 0 });
      d.count++;
      if (d.folders.length < 5) d.folders.push(dir);
      return;
    }
    const listing = listDir(fs, dir, mtimeMs, seenDirs);
    const left = (full: string, isFolder: boolean) => this.isExcluded(full, isFolder) || this.ignores.ignores(this.root, full, isFolder);
    for (const full of listing.files) {
      if (this.report.files) return;
      const st = fs.stat(full);
      if (left(full, st.kind === 'directory')) continue;
      if (st.kind === 'file') this.looseFile(full, st.size, st.mtimeMs);
      else if (st.kind === 'directory') this.walk(full, st.mtimeMs, depth + 1);
    }
    for (const sub of listing.dirs) {
      if (left(sub, true)) continue;
      const st = fs.stat(sub);
      if (st.kind === 'directory') this.walk(sub, st.mtimeMs, depth + 1);
    }
  }
}
