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

/** Where git keeps a repository's files, from the `.git` at its top (a folder, or a worktree's `gitdir:` file). */
function gitDirOf(fs: FileSystem, top: string): string | undefined {
  const dotGit = path.join(top, '.git');
  const st = fs.stat(dotGit);
  if (st.kind === 'directory') return dotGit;
  if (st.kind !== 'file') return undefined;
  const read = fs.readFile(dotGit, 4096);
  const m = read.ok ? /^gitdir:\s*(.+?)\s*$/m.exec(read.data.toString('utf8')) : null;
  if (!m) return undefined;
  const gitDir = path.resolve(top, m[1]);
  // A linked worktree keeps info/exclude in the common folder its `commondir` names.
  const common = fs.readFile(path.join(gitDir, 'commondir'), 4096);
  return common.ok ? path.resolve(gitDir, common.data.toString('utf8').trim()) : gitDir;
}

/** `core.excludesFile` of a git config file's text (the last one set wins), undefined when it sets none. */
export function excludesFileOf(text: string): string | undefined {
  let section = '';
  let found: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const head = /^\[\s*([A-Za-z0-9.-]+)(?:\s+"[^"]*")?\s*\]\s*(.*)$/.exec(line);
    if (head) {
      section = head[1].toLowerCase();
      if (!head[2]) continue;
    }
    const kv = /^(?:\[[^\]]*\]\s*)?([A-Za-z][A-Za-z0-9-]*)\s*=\s*(.*)$/.exec(line);
    if (section === 'core' && kv && kv[1].toLowerCase() === 'excludesfile') {
      let v = kv[2].replace(/\s+[#;].*$/, '').trim();
      if (v.startsWith('"') && v.endsWith('"') && v.length >= 2) v = v.slice(1, -1);
      found = v;
    }
  }
  return found;
}

/** The folders above a walk's root up to the repository's top, and the rules git reads there besides .gitignore. */
interface Above {
  /** The repository's top (the folder holding `.git`). */
  top: string;
  /** The folders from the root's parent up to `top`, nearest first. */
  folders: string[];
  /** `.git/info/exclude`, then `core.excludesFile` (lower precedence), their patterns relative to `top`. */
  repoRules: Ignore[];
}

/**
 * The .gitignore rules of the folders on the way down, read once per folder per walk. Inside a git repository
 * (a `.git` at the root or above it), as git does (gitignore(5)): also the .gitignore files of the folders from
 * the root up to the repository's top, then `.git/info/exclude`, then the file `core.excludesFile` names (the
 * repository's config, else the user's: `$GIT_CONFIG_GLOBAL`, `~/.gitconfig`, `$XDG_CONFIG_HOME/git/config`,
 * else the system's `/etc/gitconfig`; unset: `$XDG_CONFIG_HOME/git/ignore`, `~/.config/git/ignore`), each
 * file's patterns anchored at its own folder (the last two at the top). A folder given as a root is walked even
 * when a rule above it ignores the whole folder (the user asked for it): such a rule is not applied below it.
 */
export class GitIgnores {
  private readonly byDir = new Map<string, Ignore | null>();
  private readonly above = new Map<string, Above | null>();
  constructor(
    private readonly fs: FileSystem,
    /** The environment git reads its user config from (tests give their own). */
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** Per walk root, per folder below it: whether any rules apply to its entries (a .gitignore on the way, or above). */
  private readonly anyByDir = new Map<string, Map<string, boolean>>();

  private anyRules(root: string, dir: string): boolean {
    let byDir = this.anyByDir.get(root);
    if (!byDir) this.anyByDir.set(root, (byDir = new Map()));
    let any = byDir.get(dir);
    if (any === undefined) {
      const up = path.dirname(dir);
      if (this.rulesOf(dir)) any = true;
      else if (dir === root || dir.length <= root.length || up === dir) {
        const above = this.aboveOf(root);
        any = above !== null && (above.folders.length > 0 || above.repoRules.length > 0);
      } else any = this.anyRules(root, up);
      byDir.set(dir, any);
    }
    return any;
  }

  /** A folder's entries as the walk listed them: without a .gitignore among them, none is read there. */
  listed(dir: string, names: readonly string[]): void {
    if (!this.byDir.has(dir) && !names.includes('.gitignore')) this.byDir.set(dir, null);
  }

  private rulesFile(file: string): Ignore | null {
    const read = this.fs.readFile(file, MAX_GITIGNORE_BYTES);
    if (!read.ok) return null;
    const text = read.data.toString('utf8');
    return text.trim() ? ignore({ allowRelativePaths: true }).add(text) : null;
  }

  private rulesOf(dir: string): Ignore | null {
    let rules = this.byDir.get(dir);
    if (rules === undefined) {
      rules = this.rulesFile(path.join(dir, '.gitignore'));
      this.byDir.set(dir, rules);
    }
    return rules;
  }

  /** The file core.excludesFile names (or git's default), for the repository whose git folder is `gitDir`. */
  private excludesFile(top: string, gitDir: string): string | undefined {
    const env = this.env;
    const home = env.HOME || undefined;
    const xdg = env.XDG_CONFIG_HOME || (home ? path.join(home, '.config') : undefined);
    const expand = (p: string) => (p.startsWith('~/') && home ? path.join(home, p.slice(2)) : path.resolve(top, p));
    const configs = [
      path.join(gitDir, 'config'),
      ...(env.GIT_CONFIG_GLOBAL
        ? [env.GIT_CONFIG_GLOBAL]
        : [...(home ? [path.join(home, '.gitconfig')] : []), ...(xdg ? [path.join(xdg, 'git', 'config')] : [])]),
      ...(env.GIT_CONFIG_NOSYSTEM ? [] : ['/etc/gitconfig']),
    ];
    for (const config of configs) {
      const read = this.fs.readFile(config, MAX_GITIGNORE_BYTES);
      const set = read.ok ? excludesFileOf(read.data.toString('utf8')) : undefined;
      if (set !== undefined) return set ? expand(set) : undefined;
    }
    return xdg ? path.join(xdg, 'git', 'ignore') : undefined;
  }

  /** What git reads above `root` (undefined outside a repository). */
  private aboveOf(root: string): Above | null {
    let above = this.above.get(root);
    if (above !== undefined) return above;
    above = null;
    const folders: string[] = [];
    for (let dir = root; ;) {
      const gitDir = gitDirOf(this.fs, dir);
      if (gitDir) {
        const repoRules: Ignore[] = [];
        const exclude = this.rulesFile(path.join(gitDir, 'info', 'exclude'));
        if (exclude) repoRules.push(exclude);
        const excludesFile = this.excludesFile(dir, gitDir);
        const user = excludesFile ? this.rulesFile(excludesFile) : null;
        if (user) repoRules.push(user);
        above = { top: dir, folders, repoRules };
        break;
      }
      const up = path.dirname(dir);
      if (up === dir) break;
      dir = up;
      folders.push(dir);
    }
    // A rule that ignores the root itself is not applied: the folder was asked for.
    if (above) {
      const asked = (rules: Ignore, base: string) => !rules.ignores(path.relative(base, root).split(path.sep).join('/') + '/');
      above.folders = above.folders.filter((d) => {
        const rules = this.rulesOf(d);
        return rules && asked(rules, d);
      });
      above.repoRules = root === above.top ? above.repoRules : above.repoRules.filter((r) => asked(r, above!.top));
    }
    this.above.set(root, above);
    return above;
  }

  /**
   * Whether a .gitignore of a folder from the repository's top (or `root` outside a repository) down to the
   * entry's parent, `.git/info/exclude` or core.excludesFile ignores it (`isFolder`: a folder, so that `build/`
   * patterns apply). The nearest file that says anything wins, as in git.
   */
  ignores(root: string, full: string, isFolder: boolean): boolean {
    // Most folders have no rules on the way up: said once per folder.
    const parent = path.dirname(full);
    if (!this.anyRules(root, parent)) return false;
    const verdict = (rules: Ignore, base: string): boolean | undefined => {
      const rel = path.relative(base, full).split(path.sep).join('/') + (isFolder ? '/' : '');
      const r = rules.test(rel);
      return r.ignored ? true : r.unignored ? false : undefined;
    };
    let dir = parent;
    for (;;) {
      const rules = this.rulesOf(dir);
      if (rules) {
        const v = verdict(rules, dir);
        if (v !== undefined) return v;
      }
      if (dir === root || dir.length <= root.length) break;
      const up = path.dirname(dir);
      if (up === dir) return false;
      dir = up;
    }
    const above = this.aboveOf(root);
    if (!above) return false;
    for (const d of above.folders) {
      const v = verdict(this.rulesOf(d)!, d);
      if (v !== undefined) return v;
    }
    for (const rules of above.repoRules) {
      const v = verdict(rules, above.top);
      if (v !== undefined) return v;
    }
    return false;
  }
}

export interface WalkOptions {
  /** What the walk leaves out below the roots (Engine.excludedBy): an excluded folder is not entered. */
  isExcluded?: (p: string, isFolder: boolean) => boolean;
  /** false: no entry of the folder `dir` can be excluded (isExcluded is not asked of them); asked once a folder. */
  mayExclude?: (dir: string) => boolean;
  /** Whether a file is taken (counted toward maxFiles): its path, and its size (stat'ed when asked). Default: every file. */
  accept?: (file: string, size: () => number) => boolean;
  /** Every file the walk met (taken or not, within its limits): the suffix index is built from it (resolve/fileIndex.ts). */
  listing?: string[];
  /** Each folder's entry names, before any of them is judged (Engine.noteFolder: its config lookups need no stat). */
  onFolder?: (dir: string, names: string[]) => void;
  /** At most this many files are taken (default: no bound). */
  maxFiles?: number;
  /** Each file as it is taken (the walk goes on): a reader thread can start on it (parallelRead.ts). */
  onTaken?: (file: string) => void;
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
    const isExcluded = options.isExcluded && (options.mayExclude?.(dir) ?? true) ? options.isExcluded : undefined;
    for (const entry of list) {
      if (stopped) return;
      if (SKIP_DIRS.has(entry.name)) continue;
      // `dir` is normalized (the roots are resolved): joined without normalizing again.
      const full = dir.endsWith(path.sep) ? dir + entry.name : dir + path.sep + entry.name;
      let kind: string = entry.kind;
      let size: number | undefined;
      if (kind === 'symlink' || kind === 'other') {
        const st = fs.stat(full);
        kind = st.kind;
        if (st.kind === 'file') size = st.size;
      }
      if (kind === 'directory') {
        if (isExcluded?.(full, true) || ignores?.ignores(root, full, true)) continue;
        if (depth + 1 > MAX_WALK_DEPTH) {
          report.depth ??= { limit: MAX_WALK_DEPTH, folders: [], count: 0 };
          report.depth.count++;
          if (report.depth.folders.length < 5) report.depth.folders.push(full);
          continue;
        }
        // In name order with the files: a folder is entered where its name sorts.
        yield* walk(root, full, depth + 1);
      } else if (kind === 'file') {
        if (isExcluded?.(full, false) || ignores?.ignores(root, full, false)) continue;
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
        options.onTaken?.(full);
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
