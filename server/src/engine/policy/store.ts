// Which `.kube-pki.yaml` governs a file: the nearest one in the file's folder or above it, the walk stopping at
// the repository's root (a folder holding `.git`), never above it. The nearest one wins whole for rules, overrides
// and settings (no merging with configs further up, as yamllint and Prettier do). `exclude` adds up, as nested
// .gitignore files do: a path is left out when any config from the repository's root down to its own excludes it,
// so a folder a config excludes is never entered, and a config inside it is not read. Lookups are cached per
// folder, parsed configs per file, until a config file (or a `.git`) appears, changes or goes (clear()).
import * as path from 'node:path';
import { MAX_FILE_BYTES, type FileSystem } from '../types';
import { CONFIG_NAMES, parseConfig, type PolicyConfig } from './config';
import { compileGlob, relativeTo, type Glob } from './glob';

export interface Exclusion {
  /** The config file whose `exclude:` matched, or undefined for the command line's --exclude. */
  config?: string;
  pattern: string;
}

export class ConfigStore {
  /** Folder -> the config that governs files in it (null: none). */
  private readonly byDir = new Map<string, string | null>();
  /** Folder -> the configs whose `exclude` applies to the entries of that folder, the outermost first. */
  private readonly chains = new Map<string, string[]>();
  private readonly parsed = new Map<string, PolicyConfig>();
  /** What a walk saw in a folder (noteFolder): its config file, whether it holds a `.git`; no stat needed then. */
  private readonly listed = new Map<string, { config: string | undefined; git: boolean }>();
  /**
   * The exclude of each config's last version that parsed: kept while its YAML is broken (a config being typed
   * in the editor must not flip the file set back and forth). Survives clear().
   */
  private readonly lastExclude = new Map<string, Glob[]>();
  /** Bumped whenever what a lookup answers may have changed. */
  private gen = 0;

  constructor(
    private readonly fs: FileSystem,
    /** EngineOptions.configFile: undefined discover, a path that file for everything, false none. */
    private readonly mode: () => string | false | undefined,
    /** EngineOptions.configBase: the folder the globs of the config given by path are relative to. */
    private readonly base: () => string | undefined = () => undefined,
  ) {}

  get generation(): number {
    return this.gen;
  }

  clear(): void {
    this.byDir.clear();
    this.chains.clear();
    this.listed.clear();
    this.parsed.clear();
    this.gen++;
  }

  /** Takes over another store's memory of valid excludes (a new engine replacing this one). */
  adoptKeptExcludes(other: ConfigStore): void {
    for (const [file, globs] of other.lastExclude) if (!this.lastExclude.has(file)) this.lastExclude.set(file, globs);
  }

  /**
   * A folder's entries as a walk just listed them: its lookups need no stat (until clear(): a config or a `.git`
   * that appears later is a change the engine is told about).
   */
  noteFolder(dir: string, names: readonly string[]): void {
    let config: string | undefined;
    let git = false;
    for (const n of names) {
      if (n === '.git') git = true;
      else if (config === undefined && (n === CONFIG_NAMES[0] || n === CONFIG_NAMES[1])) config = n;
    }
    // .kube-pki.yaml wins over .kube-pki.yml, as the lookup tries them.
    if (config === CONFIG_NAMES[1] && names.includes(CONFIG_NAMES[0])) config = CONFIG_NAMES[0];
    this.listed.set(path.resolve(dir), { config: config && path.join(path.resolve(dir), config), git });
  }

  /** The config that governs `file`, or undefined. */
  forFile(file: string): PolicyConfig | undefined {
    const mode = this.mode();
    if (mode === false) return undefined;
    if (typeof mode === 'string') return this.load(mode);
    const found = this.lookup(path.dirname(file));
    return found ? this.load(found) : undefined;
  }

  /** The configs that apply to `file`: those whose exclude is consulted, the outermost first, the governing one last. */
  configsFor(file: string): PolicyConfig[] {
    return this.chain(path.dirname(file)).map((c) => this.load(c));
  }

  /** Every config read so far (those that govern a file looked up, and those loaded by name). */
  loaded(): PolicyConfig[] {
    return [...this.parsed.values()];
  }

  /** A config file by path, parsed (cached); an unreadable one is a config with that one issue. */
  load(file: string): PolicyConfig {
    let config = this.parsed.get(file);
    if (!config) {
      const mode = this.mode();
      const globBase = typeof mode === 'string' && file === mode ? this.base() : undefined;
      const read = this.fs.readFile(file, MAX_FILE_BYTES);
      if (read.ok) config = parseConfig(file, read.data.toString('utf8'), this.fs, globBase);
      else {
        config = parseConfig(file, '', this.fs, globBase);
        config.issues.push({
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          message: `cannot be read: ${read.reason}`,
        });
      }
      const kept = this.lastExclude.get(file);
      if (config.broken && kept?.length) {
        config.exclude = kept;
        config.keptExclude = true;
        const first = config.issues[0];
        if (first)
          first.message += `; meanwhile the exclude of its last version that parsed still applies (${kept.map((g) => `'${g.pattern}'`).join(', ')})`;
      } else if (!config.broken && read.ok) this.lastExclude.set(file, config.exclude);
      this.parsed.set(file, config);
    }
    return config;
  }

  /**
   * Why `p` is not read: an exclude glob of a config from the repository's root down to the one governing it, or
   * of `extra` (the CLI's --exclude). `isFolder`: `p` is a folder (a walk asking whether to enter it).
   */
  excludedBy(p: string, extra?: { base: string; patterns: string[] }, isFolder = false): Exclusion | undefined {
    for (const file of this.chain(path.dirname(p))) {
      const config = this.load(file);
      if (config.exclude.length === 0) continue;
      const rel = relativeTo(config.globBase, p);
      const hit = config.exclude.find((g) => g.test(rel, isFolder));
      if (hit) return { config: config.file, pattern: hit.pattern };
    }
    if (extra && extra.patterns.length) {
      const rel = relativeTo(extra.base, p);
      for (const pattern of extra.patterns) if (compiled(pattern).test(rel, isFolder)) return { pattern };
    }
    return undefined;
  }

  /** Whether an exclude of the configs that apply to the entries of `dir`, or of `extra`, can leave one out. */
  mayExclude(dir: string, extra?: { base: string; patterns: string[] }): boolean {
    if (extra && extra.patterns.length) return true;
    return this.chain(dir).some((file) => this.load(file).exclude.length > 0);
  }

  /** The configs whose exclude applies to the entries of `dir`: the outermost first, the governing one last. */
  private chain(dir: string): string[] {
    const mode = this.mode();
    if (mode === false) return [];
    if (typeof mode === 'string') return [mode];
    // Asked once or more per file read (the walk, the read, the check): the folder as given is looked up first,
    // without normalizing it again.
    const known = this.chains.get(dir);
    if (known) return known;
    const key = path.resolve(dir);
    let chain = this.chains.get(key);
    if (chain) this.chains.set(dir, chain);
    else {
      chain = [];
      let config = this.lookup(key);
      while (config) {
        chain.unshift(config);
        // A config at the repository's root is the last one; above it configs belong to something else.
        const configDir = path.dirname(config);
        const parent = path.dirname(configDir);
        if (parent === configDir || this.fs.stat(path.join(configDir, '.git')).kind !== 'missing') break;
        config = this.lookup(parent);
      }
      this.chains.set(key, chain);
      this.chains.set(dir, chain);
    }
    return chain;
  }

  private lookup(start: string): string | null {
    const visited: string[] = [];
    let dir = path.resolve(start);
    let result: string | null = null;
    for (;;) {
      const cached = this.byDir.get(dir);
      if (cached !== undefined) {
        result = cached;
        break;
      }
      visited.push(dir);
      const listed = this.listed.get(dir);
      const here = listed ? listed.config : CONFIG_NAMES.map((n) => path.join(dir, n)).find((p) => this.fs.stat(p).kind === 'file');
      if (here) {
        result = here;
        break;
      }
      // The repository's root: a config above it belongs to something else.
      if (listed ? listed.git : this.fs.stat(path.join(dir, '.git')).kind !== 'missing') break;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    for (const d of visited) this.byDir.set(d, result);
    return result;
  }
}

const globCache = new Map<string, Glob>();
function compiled(pattern: string): Glob {
  let g = globCache.get(pattern);
  if (!g) {
    g = compileGlob(pattern);
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, g);
  }
  return g;
}
