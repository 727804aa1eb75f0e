// What the commands that read a whole tree (`check`, `expiration`, `generate`) share: the paths the user gave,
// how to show them, and an engine set up with the tree options (args.ts, treeCommandOptions) over every config found
// below them. One place, so `--root` means the same to each command.
import * as path from 'node:path';
import { Engine, discoverFiles, policy } from '../engine';
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
  display(file: string): string;
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
  { stdin = false }: { stdin?: boolean } = {},
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
  const tooBig = onTooBig && ((file: string, bytes: number) => onTooBig(display(file), bytes));
  // What the configs and --exclude leave out is never entered: it costs no reads and does not count toward the
  // bound on files.
  const isExcluded = (p: string, isFolder: boolean) => engine.excludedBy(p, isFolder) !== undefined;
  for (const g of given) {
    if (g.kind !== 'directory') continue;
    if (isExcluded(g.abs, true)) excludedFolders.push(g.abs);
    else for (const f of discoverFiles(fs, [g.abs], tooBig, isExcluded)) files.add(f);
  }
  return { engine, given, explicit, excludedFolders, files: [...files].sort(), display };
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
  for (const file of read) {
    if (policy.isConfigName(file) || tree.engine.excludedBy(file)) continue;
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
