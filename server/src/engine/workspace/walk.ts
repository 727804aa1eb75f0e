// The one folder walk of the engine: discovery of the candidate documents (discover.ts), the suffix index
// (resolve/fileIndex.ts) and the inventory's loose certificate files (inventory/looseFiles.ts) enter the same
// folders, skip the same names and stop at the same depth:
//
//   - never entered: SKIP_DIRS (version control and installed packages), whatever the config's `exclude` (and the
//     CLI's --exclude) leaves out, and what a `.gitignore` between the walk's root and the file ignores (read with
//     the `ignore` package, git's own rules: negations, anchored and folder-only patterns, `**`);
//   - a folder is never skipped for its name alone: `dist/` or `out/` often hold the rendered manifests a project
//     ships (kubebuilder's dist/install.yaml), and are walked unless .gitignore or `exclude` leave them out;
//   - limits: MAX_WALK_DEPTH folders below a root, and the caller's bound on files (`maxFiles`). A walk that stops
//     at one says so in its WalkReport, for the adapters to tell the user (the CLI's note, the server's status):
//     nothing is left out silently.
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import type { DirEntry, FileSystem } from '../types';

/** Folders no walk enters: version control and installed packages only (exclude and .gitignore leave out more). */
export const SKIP_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', '.hg', '.svn']);
/** How many folders below a root a walk goes (deeper ones are not entered, and the report says so). */
export const MAX_WALK_DEPTH = 32;
/** The default bound on candidate documents read from the folders given (the CLI's --max-files, `maxFiles`, kubePki.maxFiles). */
export const DEFAULT_MAX_FILES = 250_000;
/** .gitignore files bigger than this are not read (none is that big). */
const MAX_GITIGNORE_BYTES = 1024 * 1024;

/** What a walk left out because of a limit (undefined fields: not reached). */
export interface WalkReport {
  /** The bound on files was reached: `limit` files were taken, those after `after` (in walk order) were not. */
  files?: { limit: number; after: string };
  /** Folders deeper than `limit` below a root that were not entered (the first few), and how many. */
  depth?: { limit: number; folders: string[]; count: number };
}

/** Merges what several walks left out into one report. */
export function mergeReports(into: WalkReport, from: WalkReport): WalkReport {
  if (from.files && !into.files) into.files = from.files;
  if (from.depth) {
    if (!into.depth) into.depth = { limit: from.depth.limit, folders: [], count: 0 };
    into.depth.count += from.depth.count;
    for (const f of from.depth.folders) if (into.depth.folders.length < 5) into.depth.folders.push(f);
  }
  return into;
}

/** The .gitignore rules of the folders on the way down, read once per folder per walk. */
export class GitIgnores {
  private readonly byDir = new Map<string, Ignore | null>();
  constructor(private readonly fs: FileSystem) {}

  /** A folder's entries as the walk listed them: without a .gitignore among them, none is read there. */
  listed(dir: string, names: readonly string[]): void {
    if (!this.byDir.has(dir) && !names.includes('.gitignore')) this.byDir.set(dir, null);
  }

  private rulesOf(dir: string): Ignore | null {
    let rules = this.byDir.get(dir);
    if (rules === undefined) {
      rules = null;
      const read = this.fs.readFile(path.join(dir, '.gitignore'), MAX_GITIGNORE_BYTES);
      if (read.ok) {
        const text = read.data.toString('utf8');
        if (text.trim()) rules = ignore({ allowRelativePaths: true }).add(text);
      }
      this.byDir.set(dir, rules);
    }
    return rules;
  }

  /**
   * Whether a .gitignore of a folder from `root` down to the entry's parent ignores it (`isFolder`: a folder, so
   * that `build/` patterns apply). The nearest .gitignore that says anything wins, as in git.
   */
  ignores(root: string, full: string, isFolder: boolean): boolean {
    let dir = path.dirname(full);
    for (;;) {
      const rules = this.rulesOf(dir);
      if (rules) {
        const rel = path.relative(dir, full).split(path.sep).join('/') + (isFolder ? '/' : '');
        const r = rules.test(rel);
        if (r.ignored) return true;
        if (r.unignored) return false;
      }
      if (dir === root || dir.length <= root.length) return false;
      const up = path.dirname(dir);
      if (up === dir) return false;
      dir = up;
    }
  }
}

export interface WalkOptions {
  /** What the walk leaves out below the roots (Engine.excludedBy): an excluded folder is not entered. */
  isExcluded?: (p: string, isFolder: boolean) => boolean;
  /** Whether a file is taken (counted toward maxFiles): its path, and its size (stat'ed when asked). Default: every file. */
  accept?: (file: string, size: () => number) => boolean;
  /** Every file the walk met (taken or not, within its limits): the suffix index is built from it (resolve/fileIndex.ts). */
  listing?: string[];
  /** Each folder's entry names, before any of them is judged (Engine.noteFolder: its config lookups need no stat). */
  onFolder?: (dir: string, names: string[]) => void;
  /** At most this many files are taken (default: no bound). */
  maxFiles?: number;
  /** Honour .gitignore files (default true). */
  gitignore?: boolean;
  /** Names sorted (default true: the same order on every machine). */
  sorted?: boolean;
}

/**
 * The files below the folders `roots`, in walk order (a folder's entries by name): what SKIP_DIRS, `isExcluded`
 * and .gitignore leave, what `accept` takes, within MAX_WALK_DEPTH and `maxFiles`. What a limit left out goes into
 * `report`. Entries are told apart by readdir's types where the FileSystem gives them (no stat per entry).
 */
export function walkFiles(fs: FileSystem, roots: string[], options: WalkOptions = {}, report: WalkReport = {}): string[] {
  const out: string[] = [];
  for (const step of walkSteps(fs, roots, options, report, out)) void step;
  return out;
}

/**
 * walkFiles in steps: it pauses after each folder (the language server gives the event loop a turn between
 * steps, so a walk of 100,000 files never blocks a request). The files taken are pushed onto `out`.
 */
export function* walkSteps(fs: FileSystem, roots: string[], options: WalkOptions, report: WalkReport, out: string[]): Generator<void> {
  const max = options.maxFiles ?? Infinity;
  const ignores = options.gitignore === false ? undefined : new GitIgnores(fs);
  const sorted = options.sorted !== false;
  const listing = options.listing;
  let stopped = false;
  const entries = (dir: string): DirEntry[] => {
    const list: DirEntry[] = fs.readDirTyped ? fs.readDirTyped(dir) : fs.readDir(dir).map((name) => ({ name, kind: 'symlink' as const }));
    if (sorted) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return list;
  };
  function* walk(root: string, dir: string, depth: number): Generator<void> {
    const list = entries(dir);
    ignores?.listed(
      dir,
      list.map((e) => e.name),
    );
    options.onFolder?.(
      dir,
      list.map((e) => e.name),
    );
    for (const entry of list) {
      if (stopped) return;
      if (SKIP_DIRS.has(entry.name)) continue;
      const full = path.join(dir, entry.name);
      let kind: string = entry.kind;
      let size: number | undefined;
      if (kind === 'symlink' || kind === 'other') {
        const st = fs.stat(full);
        kind = st.kind;
        if (st.kind === 'file') size = st.size;
      }
      if (kind === 'directory') {
        if (options.isExcluded?.(full, true) || ignores?.ignores(root, full, true)) continue;
        if (depth + 1 > MAX_WALK_DEPTH) {
          report.depth ??= { limit: MAX_WALK_DEPTH, folders: [], count: 0 };
          report.depth.count++;
          if (report.depth.folders.length < 5) report.depth.folders.push(full);
          continue;
        }
        // In name order with the files: a folder is entered where its name sorts.
        yield* walk(root, full, depth + 1);
      } else if (kind === 'file') {
        if (options.isExcluded?.(full, false) || ignores?.ignores(root, full, false)) continue;
        listing?.push(full);
        const sizeOf = () => {
          if (size === undefined) {
            const st = fs.stat(full);
            size = st.kind === 'file' ? st.size : 0;
          }
          return size;
        };
        if (options.accept && !options.accept(full, sizeOf)) continue;
        if (out.length >= max) {
          report.files = { limit: max, after: out[out.length - 1] ?? full };
          stopped = true;
          return;
        }
        out.push(full);
      }
    }
    yield;
  }
  for (const root of roots) {
    if (stopped) break;
    const abs = path.resolve(root);
    yield* walk(abs, abs, 0);
  }
}
