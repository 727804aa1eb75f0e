// What the commands that read a whole tree (`check`, `expiration`, `generate`) share: the paths the user gave,
// how to show them, and an engine set up with the tree options (args.ts, treeCommandOptions) over every config found
// below them. One place, so `--root` means the same to each command.
import * as path from 'node:path';
import { Engine, discoverFiles, policy } from '../engine';
import { MAX_CONFIG_BYTES, type ConfigurableSetting, type EngineOptions, type FileSystem } from '../engine/types';
import { UsageError, type TreeArgs } from './args';

export interface GivenPath {
  given: string;
  abs: string;
  kind: 'file' | 'directory';
}

function isUnder(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Relative to the current folder when under it; else under the path the user gave, as they gave it. */
export function displayPath(file: string, cwd: string, given: GivenPath[]): string {
  if (isUnder(file, cwd)) return path.relative(cwd, file) || '.';
  let best: GivenPath | undefined;
  for (const g of given) {
    if (g.abs === file || (g.kind === 'directory' && isUnder(file, g.abs))) {
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
  /** Those, and the candidate configs found below the folders given, sorted. */
  files: string[];
  display(file: string): string;
}

/**
 * Checks what the user pointed at (a usage error otherwise, before any work) and makes the engine that judges
 * it; the files are found, not yet read (each command reports unreadable ones in its own way).
 */
export function openTree(args: TreeArgs, cwd: string, fs: FileSystem, onTooBig?: (shown: string, bytes: number) => void): OpenTree {
  const given: GivenPath[] = [];
  for (const p of args.paths.length ? args.paths : ['.']) {
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
  }
  if (args.exclude?.length) {
    for (const g of args.exclude) {
      const problem = policy.globProblem(g);
      if (problem) throw new UsageError(`--exclude: ${problem.replace(/config file's folder/g, 'current folder')}`);
    }
    options.exclude = { base: cwd, patterns: args.exclude };
  }

  const display = (file: string) => displayPath(file, cwd, given);
  const explicit = new Set(given.filter((g) => g.kind === 'file').map((g) => g.abs));
  const files = new Set(explicit);
  const tooBig = onTooBig && ((file: string, bytes: number) => onTooBig(display(file), bytes));
  for (const g of given) if (g.kind === 'directory') for (const f of discoverFiles(fs, [g.abs], tooBig)) files.add(f);
  return { engine: new Engine(fs, options), given, explicit, files: [...files].sort(), display };
}

/**
 * The problems of the .kube-pki.yaml files the tree's files are governed by (read while the files were read),
 * as `FILE:LINE:COL: message` lines; empty when they are valid.
 */
export function configProblems(tree: OpenTree): string[] {
  const out: string[] = [];
  const configs = tree.engine.loadedConfigs().slice().sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  for (const c of configs) {
    for (const i of c.issues) out.push(`${tree.display(c.file)}:${i.range.start.line + 1}:${i.range.start.character + 1}: ${i.message}`);
  }
  return out;
}

/** Why a file the user named was not checked: excluded (by which config and glob), or holding nothing kube-pki reads. */
export function notCheckedNote(tree: OpenTree, file: string, what = 'nothing to check'): string {
  const shown = tree.display(file);
  if (policy.isConfigName(file)) return `kube-pki: note: ${shown} is a kube-pki config: it governs the files below its folder (--config FILE makes it govern every file); ${what}\n`;
  const excluded = tree.engine.excludedBy(file);
  if (excluded) {
    const by = excluded.config ? `${tree.display(excluded.config)} (exclude: '${excluded.pattern}')` : `--exclude '${excluded.pattern}'`;
    return `kube-pki: note: ${shown} is excluded by ${by}; not checked\n`;
  }
  return `kube-pki: note: ${shown} holds nothing kube-pki reads (see "What it reads" in the README: kubeconfigs, static pod manifests, kubelet configs, Secrets, webhooks, cert-manager objects...); ${what}\n`;
}

/** Reads the files found into the engine; the unreadable are skipped (for the commands that do not report them: `check` does). */
export function readTree(tree: OpenTree, fs: FileSystem): void {
  for (const file of tree.files) {
    const r = fs.readFile(file, MAX_CONFIG_BYTES);
    if (r.ok) tree.engine.updateDocument(file, r.data.toString('utf8'));
  }
}

/** A note for a config over the size limit, as every command words it. */
export function tooBigNote(display: string, bytes: number, what: string): string {
  return `kube-pki: note: ${display} is ${(bytes / 1048576).toFixed(1)} MB, over the ${MAX_CONFIG_BYTES / 1048576} MB limit for configs; ${what}\n`;
}
