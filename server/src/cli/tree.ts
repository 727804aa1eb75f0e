// What the commands that read a whole tree (`check`, `expiration`, `generate`) share: the paths the user gave,
// how to show them, and an engine set up with the tree options (args.ts, treeCommandOptions) over every config found
// below them. One place, so `--root` means the same to each command.
import * as path from 'node:path';
import { Engine, DEFAULT_MAX_FILES, discoverFiles, policy, type WalkReport } from '../engine';
import { MAX_CONFIG_BYTES, type ConfigurableSetting, type EngineOptions, type FileSystem } from '../engine/types';
import { UsageError, type TreeArgs } from './args';
import { isWithin } from '../engine/fs/confined';

export interface GivenPath {
  given: string;
  abs: string;
  kind: 'file' | 'directory';
}

/** Relative to the current folder when under it; else under the path the user gave, as they gave it. */
export function displayPath(file: string, cwd: string, given: GivenPath[]): string {
  if (isWithin(cwd, file)) return path.relative(cwd, file) || '.';
  let best: GivenPath | undefined;
  for (const g of given) {
    if (g.abs === file || (g.kind === 'directory' && isWithin(g.abs, file))) {
      if (!best || g.abs.length > best.abs.length) best = g;
    }
  }
  if (best) return best.abs === file ? best.given : path.join(best.given, path.relative(best.abs, file));
  return file;
}

export interface OpenTree {
  engine: Engine;
  given: GivenPath[];
  /** Files the user named: read whatever they are called. */
  explicit: Set<string>;
  /** Folders the user named that a config or --exclude leaves out: not walked. */
  excludedFolders: string[];
  /** Those, and the candidate configs found below the folders given, sorted. */
  files: string[];
  /** What a limit of the folder walk left out, per folder given (walk.ts), and whether the user set the bound on files. */
  limits: WalkLimit[];
  display(file: string): string;
}

/**
 * The bound on files when neither --max-files nor a config sets it: $KUBE_PKI_MAX_FILES (a machine's default, e.g. a
 * CI image's; reaching it is still exit 3, as the built-in DEFAULT_MAX_FILES), else DEFAULT_MAX_FILES.
 */
function defaultMaxFiles(): number {
  const v = process.env.KUBE_PKI_MAX_FILES?.trim();
  const n = v ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n >= 1 ? n : DEFAULT_MAX_FILES;
}

export interface WalkLimit {
  folder: string;
  report: WalkReport;
  /** The bound on files in force, and who set it: --max-files, a .kube-pki.yaml's maxFiles, or the default. */
  maxFiles: number;
  setBy: { flag: true } | { config: string } | undefined;
}

/**
 * Checks what the user pointed at (a usage error otherwise, before any work) and makes the engine that judges
 * it; the files are found, not yet read (each command reports unreadable ones in its own way).
 */
export function openTree(
  args: TreeArgs,
  cwd: string,
  fs: FileSystem,
  onTooBig?: (shown: string, bytes: number) => void,
  /**
   * stdin: `-` among the paths reads a YAML stream from standard input. sizeOnRead: the caller reads every file and
   * notes those over the limit itself (ReadResult.tooBig): no stat in the walk.
   */
  {
    stdin = false,
    sizeOnRead = false,
    onTaken,
  }: {
    stdin?: boolean;
    sizeOnRead?: boolean;
    /** Each file as the walk takes it (a reader thread starts on it). */ onTaken?: (file: string) => void;
  } = {},
): OpenTree {
  const given: GivenPath[] = [];
  // '-' is standard input, which only `check` reads (the caller reads it); alone, no folder is walked.
  if (args.paths.includes('-') && !stdin) throw new UsageError("'-' (standard input) is read by kube-pki check only");
  if (args.paths.filter((p) => p === '-').length > 1) throw new UsageError("'-' (standard input) given more than once");
  for (const p of args.paths.length ? args.paths.filter((p) => p !== '-') : ['.']) {
    const abs = path.resolve(cwd, p);
    const st = fs.stat(abs);
    if (st.kind === 'missing') throw new UsageError(`${p}: ${st.reason === 'no such file' ? 'no such file or folder' : st.reason}`);
    if (st.kind === 'other') throw new UsageError(`${p}: not a regular file or folder`);
    given.push({ given: p, abs, kind: st.kind });
  }
  const options: Partial<EngineOptions> = { pathMappings: {}, searchRoots: [] };
  if (args.root !== undefined) {
    options.rootDir = path.resolve(cwd, args.root);
    if (fs.stat(options.rootDir).kind !== 'directory') throw new UsageError(`--root ${args.root}: not a folder`);
  }
  for (const m of args.pathMappings) {
    const dir = path.resolve(cwd, m.dir);
    if (fs.stat(dir).kind !== 'directory') throw new UsageError(`--path-mapping ${m.prefix}=${m.dir}: not a folder`);
    options.pathMappings![m.prefix] = dir;
  }
  for (const g of given) {
    const root = g.kind === 'directory' ? g.abs : path.dirname(g.abs);
    if (!options.searchRoots!.includes(root)) options.searchRoots!.push(root);
  }
  if (args.now) options.now = args.now;
  if (args.expiryDays !== undefined) options.expiryWarningDays = args.expiryDays;
  if (args.clusterDomain) options.clusterDomain = args.clusterDomain;
  // Flags win over a .kube-pki.yaml's settings; defaults give way to them.
  const pinned: ConfigurableSetting[] = [];
  if (args.root !== undefined) pinned.push('rootDir');
  if (args.pathMappings.length) pinned.push('pathMappings');
  if (args.expiryDays !== undefined) pinned.push('expiryWarningDays');
  if (args.clusterDomain) pinned.push('clusterDomain');
  options.pinned = pinned;
  if (args.config === false) options.configFile = false;
  else if (args.config !== undefined) {
    const file = path.resolve(cwd, args.config);
    const st = fs.stat(file);
    if (st.kind !== 'file') throw new UsageError(`--config ${args.config}: ${st.kind === 'missing' ? st.reason : 'not a regular file'}`);
    options.configFile = file;
    // Its globs are relative to the current folder, as ESLint takes those of a config given with -c.
    options.configBase = cwd;
  }
  if (args.exclude?.length) {
    const patterns: string[] = [];
    for (const g of args.exclude) {
      // An absolute path inside the current folder is taken relative to it; one outside it can match nothing.
      const taken = policy.commandLinePattern(g, cwd);
      const problem = 'problem' in taken ? taken.problem : policy.globProblem(taken.pattern, 'the current folder');
      if (problem) throw new UsageError(`--exclude: ${problem}`);
      patterns.push((taken as { pattern: string }).pattern);
    }
    options.exclude = { base: cwd, patterns };
  }

  const engine = new Engine(fs, options);
  const display = (file: string) => displayPath(file, cwd, given);
  const explicit = new Set(given.filter((g) => g.kind === 'file').map((g) => g.abs));
  const files = new Set(explicit);
  const excludedFolders: string[] = [];
  const limits: WalkLimit[] = [];
  const tooBig = onTooBig && ((file: string, bytes: number) => onTooBig(display(file), bytes));
  // What the configs and --exclude leave out is never entered: it costs no reads and does not count toward the
  // bound on files.
  const isExcluded = (p: string, isFolder: boolean) => engine.excludedBy(p, isFolder) !== undefined;
  for (const g of given) {
    if (g.kind !== 'directory') continue;
    if (isExcluded(g.abs, true)) {
      excludedFolders.push(g.abs);
      continue;
    }
    // The bound on files: --max-files, else the maxFiles of the config governing the folder, else the default.
    const config = args.maxFiles === undefined ? engine.configFor(path.join(g.abs, '.kube-pki.yaml')) : undefined;
    const maxFiles = args.maxFiles ?? config?.maxFiles ?? defaultMaxFiles();
    const setBy = args.maxFiles !== undefined ? { flag: true as const } : config?.maxFiles !== undefined ? { config: config.file } : undefined;
    const report: WalkReport = {};
    const listing: string[] = [];
    for (const f of discoverFiles(fs, [g.abs], tooBig, {
      isExcluded,
      mayExclude: (dir) => engine.mayExcludeIn(dir),
      maxFiles,
      report,
      listing,
      onFolder: (d, n) => engine.noteFolder(d, n),
      sizeOnRead,
      onTaken,
    }))
      files.add(f);
    // One walk: the suffix index takes what this one met (unless a limit cut it short).
    if (!report.files) engine.adoptListing(g.abs, listing);
    if (report.files || report.depth) limits.push({ folder: g.abs, report, maxFiles, setBy });
  }
  return { engine, given, explicit, excludedFolders, files: [...files].sort(), limits, display };
}

/**
 * The problems of the .kube-pki.yaml files in use, as `FILE:LINE:COL: message` lines (empty when they are valid).
 * A config is in use when it applies to a file that was read (`read`: the files given to the engine; configs and
 * excluded files do not count): the one governing it, and those above it whose `exclude` was consulted. A config
 * that governs nothing read (one in an excluded folder, or above no file of the tree) changes nothing, and is not
 * judged: as ESLint, the CLI refuses to run only with a broken config in use.
 */
export function configProblems(tree: OpenTree, read: Iterable<string>): string[] {
  const inUse = new Map<string, policy.PolicyConfig>();
  // The configs that apply to a file are those of its folder: each folder is asked once (of a file not excluded).
  const folders = new Set<string>();
  for (const file of read) {
    if (policy.isConfigName(file)) continue;
    const folder = path.dirname(file);
    if (folders.has(folder) || tree.engine.excludedBy(file)) continue;
    folders.add(folder);
    for (const c of tree.engine.configsFor(file)) inUse.set(c.file, c);
  }
  const out: string[] = [];
  for (const c of [...inUse.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    for (const i of c.issues) out.push(`${tree.display(c.file)}:${i.range.start.line + 1}:${i.range.start.character + 1}: ${i.message}`);
  }
  return out;
}

/** The note for a folder the user named that a config or --exclude leaves out. */
export function excludedFolderNote(tree: OpenTree, folder: string, what = 'not checked'): string {
  const excluded = tree.engine.excludedBy(folder, true);
  const by = excluded?.config ? `${tree.display(excluded.config)} (exclude: '${excluded.pattern}')` : `--exclude '${excluded?.pattern}'`;
  return `kube-pki: note: ${tree.display(folder)} is excluded by ${by}; ${what}\n`;
}

/** Why a file the user named was not checked: excluded (by which config and glob), or holding nothing kube-pki reads. */
export function notCheckedNote(tree: OpenTree, file: string, what = 'nothing to check'): string {
  const shown = tree.display(file);
  if (policy.isConfigName(file))
    return `kube-pki: note: ${shown} is a kube-pki config: it governs the files below its folder (--config FILE makes it govern every file); ${what}\n`;
  const excluded = tree.engine.excludedBy(file);
  if (excluded) {
    const by = excluded.config ? `${tree.display(excluded.config)} (exclude: '${excluded.pattern}')` : `--exclude '${excluded.pattern}'`;
    return `kube-pki: note: ${shown} is excluded by ${by}; not checked\n`;
  }
  return `kube-pki: note: ${shown} holds nothing kube-pki reads (see "What it reads" in the README: kubeconfigs, static pod manifests, kubelet configs, Secrets, webhooks, cert-manager objects...); ${what}\n`;
}

/**
 * Reads the files found into the engine; the unreadable are skipped (for the commands that do not report them:
 * `check` does). Returns the files read.
 */
export function readTree(tree: OpenTree, fs: FileSystem): string[] {
  const read: string[] = [];
  for (const file of tree.files) {
    const r = fs.readFile(file, MAX_CONFIG_BYTES);
    if (!r.ok) continue;
    tree.engine.updateDocument(file, r.data.toString('utf8'));
    read.push(file);
  }
  return read;
}

/** A note for a config over the size limit, as every command words it. */
export function tooBigNote(display: string, bytes: number, what: string): string {
  return `kube-pki: note: ${display} is ${(bytes / 1048576).toFixed(1)} MB, over the ${MAX_CONFIG_BYTES / 1048576} MB limit for configs; ${what}\n`;
}

/**
 * The notes for what a limit of the folder walk left out (never silent), and whether the exit status must say so:
 * a bound on files the user did not set (--max-files, maxFiles), or folders nested too deep.
 */
export function walkLimitNotes(tree: OpenTree, what = 'not checked'): { notes: string; incomplete: boolean } {
  let notes = '';
  let incomplete = false;
  for (const l of tree.limits) {
    if (l.report.files) {
      const by =
        l.setBy === undefined
          ? `the default bound${process.env.KUBE_PKI_MAX_FILES?.trim() ? ' ($KUBE_PKI_MAX_FILES)' : ''} (raise it with --max-files N, or maxFiles: N in ${tree.display(path.join(l.folder, '.kube-pki.yaml'))}; exclude: leaves folders out)`
          : 'flag' in l.setBy
            ? '--max-files'
            : `maxFiles in ${tree.display(l.setBy.config)}`;
      notes += `kube-pki: note: ${tree.display(l.folder)}: stopped after ${l.maxFiles} candidate files, ${by}; the files after ${tree.display(l.report.files.after)} were ${what}\n`;
      if (l.setBy === undefined) incomplete = true;
    }
    if (l.report.depth) {
      const d = l.report.depth;
      notes += `kube-pki: note: ${tree.display(l.folder)}: ${d.count === 1 ? '1 folder is' : `${d.count} folders are`} nested more than ${d.limit} deep (${d.folders.map((f) => tree.display(f)).join(', ')}${d.count > d.folders.length ? ', ...' : ''}); ${what}: give such a folder as a PATH of its own, or leave it out with exclude\n`;
      incomplete = true;
    }
  }
  return { notes, incomplete };
}
