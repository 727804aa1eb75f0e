// The engine: every recognised document of the workspace, the material their references load,
// and the checks run over them. Adapters (language server, CLI) feed it text and ask for findings.
import * as path from 'node:path';
import { defaultOptions, MAX_CONFIG_BYTES, type EngineOptions, type FileSystem, type Finding, type Range, type SuppressedFinding } from '../types';
import {
  LineIndex,
  locate,
  mightMatter,
  parseFile,
  plainServices,
  unitReferences,
  type EnvFileLookup,
  type KubeconfigUnit,
  type ParsedFile,
  type Reference,
} from '../parse';
import { loadFile, loadInline, type Loaded } from '../resolve/material';
import { isKubeadmConfig, isUnplaced, resolveReferencePath, type Resolution } from '../resolve/paths';
import { notFoundMessage, pathNote, unplacedMessage, type NamedBy, type PathNote } from '../resolve/notFound';
import { commonPrefixLength, FileIndex } from '../resolve/fileIndex';
import type { WalkReport } from './walk';
import { confinedFileSystem, isBelow, isWithin, refusalReason } from '../fs/confined';
import { CheckContext, type CheckDependencies } from '../checks/context';
import { WorkspaceQuery, type ClusterQuery, type UnitsByKind, type WorkspaceView } from '../cluster/query';
import { allChecks } from '../checks';
import { ConfigStore, type Exclusion } from '../policy/store';
import { isConfigName, type PolicyConfig } from '../policy/config';
import { applyPolicy, type PolicyResult, type UnreadLines } from '../policy/apply';
import { scanDocument, scanLeadingComments, IGNORE, type DocumentComments } from '../policy/comments';
import { mergeOptions } from '../policy/options';

/** Inline `*-data` values whose loaded material is kept, by content: at most this many, and this many characters. */
const MAX_CACHED_INLINE = 20_000;
const MAX_CACHED_INLINE_CHARS = 32 * 1024 * 1024;
/**
 * Findings taken against the real clock are taken again after this long: their messages count days ("expires in
 * 10 days"). A verdict that flips at a known instant (a certificate expiring) is re-taken at that instant.
 */
const MAX_VERDICT_AGE_MS = 10 * 60 * 1000;

/**
 * A path reference found nowhere whose place nothing tells (resolve/paths.ts): not judged, said once by the
 * adapters. `origin`: a node's path, one on the node a kubeadm config sets up, or one in a home folder of the
 * machine that wrote the config; `note`: what the path is and how to have it checked, in parts (resolve/notFound.ts).
 */
export interface UnplacedReference {
  file: string;
  range: Range;
  field: string;
  path: string;
  origin: 'node' | 'kubeadm-node' | 'home';
  note: PathNote;
}

/** The fields of a kubeconfig that name files (parse/kubeconfig.ts). */
const KUBECONFIG_PATH_FIELDS = new Set(['certificate-authority', 'client-certificate', 'client-key']);

/**
 * What the engine keeps per Reference object, so that the checks' several load()/resolve() calls for one
 * reference cost one lookup: its resolution (placed beside its folder's other references when unplaced by
 * itself), what names it, and load()'s failure once made.
 */
interface RefEntry {
  resolution: Resolution | undefined;
  by: NamedBy;
  /** An absolute path found and placed nowhere by itself: its folder, whose references placed it (or not), at this generation. */
  folder?: string;
  generation?: number;
  failure?: Loaded;
}

interface Verdict {
  findings: Finding[];
  /** The clock (ms) when it was taken, and until when it holds. */
  takenAt: number;
  until: number;
}

export class Engine implements WorkspaceView {
  private opts: EngineOptions;
  private readonly files = new Map<string, ParsedFile>();
  /**
   * Documents holding only Services (parse/index.ts plainServices), by text: recognised, with no finding of their
   * own, parsed (into `files`) only when a relation asks for Services (units('service'), parsed(file)).
   */
  private readonly lazy = new Map<string, string>();
  /** Kubeconfigs read from disk because a --kubeconfig flag names them, though not in the workspace. */
  private readonly onDemand = new Map<string, ParsedFile>();
  private readonly fileMaterial = new Map<string, Loaded>();
  /** Inline material by the value's text (a copy of it: never a slice that would keep a whole old document alive). */
  private readonly inlineMaterial = new Map<string, Loaded>();
  private inlineChars = 0;
  /** The same, per reference object: a check asks for each reference several times. */
  private readonly refMaterial = new WeakMap<Reference, Loaded>();
  private readonly resolutions = new Map<string, Resolution>();
  /** The same per Reference object (RefEntry); dropped with `resolutions` and the placements. */
  private refEntries = new WeakMap<Reference, RefEntry>();
  /**
   * Resolutions of unplaced paths as the other references see them (a path of a folder another reference found
   * in the workspace belongs beside it), by absolute folder: until a document changes that folder's references,
   * or files, options or configs change.
   */
  private readonly beside = new Map<string, Map<string, Resolution>>();
  /**
   * The absolute path references of the recognised documents by folder, then by document; per document, a
   * signature of its references in each folder (what placeBeside reads of them). Kept as documents change.
   */
  private readonly pathRefs = new Map<string, Map<string, Reference[]>>();
  private readonly docFolders = new Map<string, Map<string, string>>();
  /** Per folder, bumped when its references change: a RefEntry placed with an older one is made again. */
  private readonly folderGeneration = new Map<string, number>();
  private placeGeneration = 0;
  private readonly kubeadmFiles = new WeakMap<ParsedFile, boolean>();
  private readonly deps = new Map<string, CheckDependencies>();
  /** Findings per document, until the document, a file or a kind of unit they depend on changes. */
  private readonly verdicts = new Map<string, Verdict>();
  private unitCache: { [K in keyof UnitsByKind]?: UnitsByKind[K][] } = {};
  /**
   * The workspace as the cluster model reads it (cluster/query.ts), for generation, the inventory and the hovers:
   * the checks read it through their context instead, which records what they read.
   */
  readonly cluster: ClusterQuery = new WorkspaceQuery(this);
  private readonly index: FileIndex;
  /** Every read of the engine: the file system it was given, limited to options.readOnlyWithin when set. */
  private readonly fs: FileSystem;
  /** The .kube-pki.yaml files (policy/): which one governs a file, parsed. */
  private readonly configs: ConfigStore;
  /** The texts of config files given by updateDocument (an unchanged one changes nothing). */
  private readonly configTexts = new Map<string, string>();
  /** Options per governing config (the engine's own when no config sets anything). */
  private readonly mergedOptions = new Map<string, EngineOptions>();
  /** The policy applied to a verdict: kept while the verdict and the configs are the same. */
  private readonly policies = new Map<string, { raw: Finding[]; generation: number; result: PolicyResult }>();
  private readonly comments = new WeakMap<ParsedFile, DocumentComments | null>();
  /**
   * systemd units' EnvironmentFile= texts (ParsedFile.sources): which unit files read each env file, and the env
   * files as documents of their own (their findings are the units' findings on their lines).
   */
  private readonly envUsers = new Map<string, Set<string>>();
  private readonly envDocs = new Map<string, ParsedFile>();
  /** Env files whose borrowed findings are being gathered (no cycle between units naming each other). */
  private readonly borrowing = new Set<string>();
  /** A verdict's findings located in its own file (a unit's raw verdict also holds its env files'). */
  private readonly ownFindings = new WeakMap<Finding[], Finding[]>();

  constructor(fs: FileSystem, options: Partial<EngineOptions> = {}) {
    this.opts = { ...defaultOptions, ...options };
    this.fs = confinedFileSystem(fs, () => this.opts.readOnlyWithin);
    this.configs = new ConfigStore(
      this.fs,
      () => this.opts.configFile,
      () => this.opts.configBase,
    );
    // The suffix search never looks into what the configs and --exclude leave out.
    this.index = new FileIndex(this.fs, this.opts.searchRoots, (p, isFolder) => this.excludedBy(p, isFolder) !== undefined);
  }

  // ---- adapter API ---------------------------------------------------------------------------

  setOptions(options: Partial<EngineOptions>): void {
    this.opts = { ...this.opts, ...options };
    this.index.setRoots(this.opts.searchRoots);
    this.resolutions.clear();
    this.forgetPlaces();
    this.fileMaterial.clear();
    this.verdicts.clear();
    this.forgetConfigs();
  }

  get options(): EngineOptions {
    return this.opts;
  }

  get now(): Date {
    return this.opts.now ?? new Date();
  }

  /**
   * The files below a search root as a walk of it with the engine's excludes met them (discoverFiles' `listing`,
   * complete: no limit stopped it): the suffix index takes them instead of walking the folder again.
   */
  adoptListing(root: string, files: string[]): void {
    if (this.opts.searchRoots.some((r) => path.resolve(r) === path.resolve(root))) this.index.adopt(path.resolve(root), files);
  }

  /** A folder's entries as a walk listed them (walk.ts onFolder): finding its config needs no stat. */
  noteFolder(dir: string, names: readonly string[]): void {
    this.configs.noteFolder(dir, names);
  }

  /** What the suffix index's walk left out (walk.ts's report), when it stopped at a limit. */
  indexLimits(): WalkReport | undefined {
    const r = this.index.report;
    return r.files || r.depth ? r : undefined;
  }

  /** The file system the engine reads (open buffers over the disk, in the language server). */
  get fileSystem(): FileSystem {
    return this.fs;
  }

  /**
   * updateDocument for a text the prefilter (mightMatter) turned away where it was read (a reader thread,
   * parallelRead.ts): true when that changes nothing but what updateDocument's prefilter changes (done here); false
   * when the engine needs the text (a config, a file it holds already, an env file a unit reads): give it with
   * updateDocument.
   */
  acceptUnread(file: string): boolean {
    if (isConfigName(file) || !this.newAndUnused(file)) return false;
    this.forgetReadsOf(file);
    return true;
  }

  /** A text at `file` is new to the engine and no unit reads it: the prefilter may turn it away. */
  private newAndUnused(file: string): boolean {
    return !this.files.has(file) && !this.lazy.has(file) && !this.envUsers.has(file);
  }

  /** What a new text of `file` changes before any parse: the material and on-demand reads of its path. */
  private forgetReadsOf(file: string): void {
    this.forgetMaterial(file);
    this.onDemand.delete(file);
  }

  updateDocument(file: string, text: string): boolean {
    if (isConfigName(file)) {
      // A config's settings, rules or excludes changed: every verdict and resolution below it may move.
      if (this.configTexts.get(file) !== text) {
        this.configTexts.set(file, text);
        this.configChanged();
      }
      // Read now when configs are discovered (its problems are then known even with nothing below it), unless a
      // config above it excludes its folder; with --config or --no-config it governs nothing.
      if (this.opts.configFile === undefined && !this.excludedBy(file)) this.configs.load(file);
    }
    const previous = this.files.get(file);
    if (previous && previous.text === text) return true;
    const wasLazy = this.lazy.get(file);
    if (wasLazy !== undefined && wasLazy === text) return true;
    // The prefilter: a text nothing of kube-pki's can be made of, new to the engine, changes nothing but the
    // material read from its path (no parse, no config lookup).
    if (this.newAndUnused(file) && !mightMatter(file, text)) {
      this.forgetReadsOf(file);
      return false;
    }
    if (wasLazy !== undefined) this.dropLazy(file);
    if (!previous && !this.envUsers.has(file) && plainServices(text) && !this.dropInOwner(file)) {
      if (this.excludedBy(file)) return false;
      this.forgetReadsOf(file);
      this.lazy.set(file, text);
      // A check that looked through the Services sees one more.
      this.unitCache.service = undefined;
      this.forgetKind('service');
      return true;
    }
    if (this.excludedBy(file)) {
      // Not read as a document at all: not checked, and not used to relate others.
      if (previous) this.removeDocument(file);
      return false;
    }
    this.forgetReadsOf(file);
    const parsed = this.parseDocument(file, text);
    if (parsed.recognised) this.files.set(file, parsed);
    else this.files.delete(file);
    this.noteEnvFiles(file, parsed.recognised ? parsed : undefined);
    this.absorbDropIns(parsed);
    if (previous || parsed.recognised) this.unitCache = {};
    const moved = previous || parsed.recognised ? this.indexPathRefs(file, parsed.recognised ? parsed : undefined) : [];
    this.forgetVerdicts(file, previous, parsed, moved);
    // An env file or drop-in a unit reads: the unit is read again with its new text.
    this.reexpand(this.envUsers.get(file));
    const owner = this.dropInOwner(file);
    if (owner) this.reexpand([owner]);
    return parsed.recognised;
  }

  /**
   * parseFile, with a systemd unit's drop-ins and EnvironmentFile= values read from the workspace; a drop-in of a
   * unit the workspace holds is part of that unit (read with it), no unit of its own.
   */
  private parseDocument(file: string, text: string): ParsedFile {
    if (this.dropInOwner(file)) return sourceOnly(file, text);
    const parsed = parseFile(file, text);
    const dropIns = file.endsWith('.service') ? this.dropInsOf(file) : [];
    if (!parsed.envFiles?.length && dropIns.length === 0) return parsed;
    return parseFile(file, text, (ref) => this.lookupEnvFile(file, ref), dropIns);
  }

  /**
   * The unit a drop-in (`<name>.service.d/*.conf`) belongs to, when the workspace holds it: beside it, or (in a copy
   * of a node's tree) in any of systemd's unit folders of the same tree (systemdUnitFolders).
   */
  private dropInOwner(file: string): string | undefined {
    const m = /^(.+)[\\/]([^\\/]+\.service)\.d[\\/][^\\/]+\.conf$/.exec(file);
    if (!m) return undefined;
    const tree = unitTree(path.join(m[1], m[2]));
    const candidates = tree ? tree.folders.map((f) => path.join(f, m[2])) : [path.join(m[1], m[2])];
    return candidates.find((c) => this.fs.stat(c).kind === 'file');
  }

  /**
   * A unit's drop-ins (`<unit>.d/*.conf`), in the order systemd applies them (systemd.unit(5) "drop-in"; src/shared/
   * dropin.c unit_file_find_dropin_conf_paths, conf_files_list_strv): from every unit folder of the node's tree (the
   * unit's own folder when it is in none), sorted by file name across all of them; of drop-ins with the same name, the
   * one of the folder that comes first in the search path (/etc over /run over /usr/lib over /lib) is read and the
   * others are masked.
   */
  private dropInsOf(unit: string): { file: string; text: string }[] {
    const tree = unitTree(unit);
    const name = path.basename(unit);
    const folders = tree ? tree.folders : [path.dirname(unit)];
    const byName = new Map<string, string>();
    for (const folder of folders) {
      const dir = path.join(folder, `${name}.d`);
      for (const n of this.fs.readDir(dir)) if (n.endsWith('.conf') && !byName.has(n)) byName.set(n, path.join(dir, n));
    }
    const out: { file: string; text: string }[] = [];
    for (const n of [...byName.keys()].sort()) {
      const file = byName.get(n)!;
      const read = this.fs.readFile(file, MAX_CONFIG_BYTES);
      if (read.ok) out.push({ file, text: read.data.toString('utf8') });
    }
    return out;
  }

  /**
   * An EnvironmentFile= path, placed as the unit's other node paths are (resolve/paths.ts): its text when found;
   * 'absent' when the file belongs where nothing is and the `-` prefix makes that no error; otherwise unknown.
   * systemd reads only absolute paths (systemd.exec(5)).
   */
  private lookupEnvFile(unit: string, ref: Parameters<EnvFileLookup>[0]): ReturnType<EnvFileLookup> {
    if (!ref.path.startsWith('/') || /[*?[]/.test(ref.path)) return undefined;
    const r = resolveReferencePath(this.fs, this.optionsFor(unit), this.index, ref.path, path.dirname(unit), { describesNode: false });
    if (r.found) {
      const read = this.fs.readFile(r.found, MAX_CONFIG_BYTES);
      return read.ok ? { file: r.found, text: read.data.toString('utf8') } : undefined;
    }
    return r.place && ref.optional ? 'absent' : undefined;
  }

  /** Records which env files a unit file read (none when it is gone), and keeps those env files as documents. */
  private noteEnvFiles(file: string, parsed: ParsedFile | undefined): void {
    for (const [env, users] of this.envUsers) {
      if (!users.delete(file) || users.size > 0) continue;
      this.envUsers.delete(env);
      this.envDocs.delete(env);
      this.verdicts.delete(env);
    }
    for (const source of parsed?.sources ?? []) {
      let users = this.envUsers.get(source.file);
      if (!users) this.envUsers.set(source.file, (users = new Set()));
      users.add(file);
      if (this.envDocs.get(source.file)?.text !== source.text) {
        this.envDocs.set(source.file, sourceOnly(source.file, source.text));
        this.verdicts.delete(source.file);
      }
    }
  }

  /** A unit's drop-ins read before it was there as units of their own are now part of it. */
  private absorbDropIns(parsed: ParsedFile): void {
    if (!parsed.file.endsWith('.service')) return;
    for (const source of parsed.sources ?? []) {
      const before = this.files.get(source.file);
      if (!before || this.dropInOwner(source.file) !== parsed.file) continue;
      this.files.delete(source.file);
      this.unitCache = {};
      const moved = this.indexPathRefs(source.file, undefined);
      this.forgetVerdicts(source.file, before, undefined, moved);
    }
  }

  /** Reads the given units again (an env file changed, or any file appeared or went: where one is may change). */
  private reexpand(units: Iterable<string> | undefined): void {
    for (const unit of [...(units ?? [])]) {
      const previous = this.files.get(unit);
      if (!previous?.envFiles && !unit.endsWith('.service')) continue;
      if (!previous) continue;
      const parsed = this.parseDocument(unit, previous.text);
      this.files.set(unit, parsed);
      this.noteEnvFiles(unit, parsed);
      this.absorbDropIns(parsed);
      this.unitCache = {};
      const moved = this.indexPathRefs(unit, parsed);
      this.forgetVerdicts(unit, previous, parsed, moved);
    }
  }

  removeDocument(file: string): void {
    if (isConfigName(file) && this.configTexts.delete(file)) this.configChanged();
    if (this.lazy.has(file)) this.dropLazy(file);
    const previous = this.files.get(file);
    if (this.files.delete(file)) this.unitCache = {};
    this.noteEnvFiles(file, undefined);
    const moved = this.indexPathRefs(file, undefined);
    this.forgetVerdicts(file, previous, undefined, moved);
    this.deps.delete(file);
    this.policies.delete(file);
    this.forgetMaterial(file);
    this.reexpand(this.envUsers.get(file));
  }

  fileChanged(file: string): void {
    this.filesChanged([file]);
  }

  /**
   * fileChanged for many files at once (a `git checkout` touching thousands): each file's material is dropped, and
   * what any change drops (resolutions, the suffix index, verdicts) is dropped once.
   */
  filesChanged(files: Iterable<string>): void {
    let configs = false;
    let any = false;
    for (const file of files) {
      any = true;
      // A config (or a .git that bounds the search for one) appeared, changed or went.
      const base = path.basename(file);
      if (isConfigName(file) || base === '.git') {
        this.configTexts.delete(file);
        configs = true;
      }
      this.forgetMaterial(file);
      this.onDemand.delete(file);
    }
    if (!any) return;
    if (configs) this.forgetConfigs();
    // A file that appeared or vanished can change where any absolute path resolves, so any verdict.
    this.resolutions.clear();
    this.forgetPlaces();
    this.index.invalidate();
    this.verdicts.clear();
    // Where a unit's EnvironmentFile= is, and what it holds, may have changed.
    this.reexpand([...this.files.values()].filter((p) => p.envFiles || p.file.endsWith('.service')).map((p) => p.file));
  }

  documents(): string[] {
    const out = [...this.files.keys(), ...this.lazy.keys()];
    for (const env of this.envDocs.keys()) if (!this.files.has(env)) out.push(env);
    return out;
  }

  isRecognised(file: string): boolean {
    return this.files.has(file) || this.lazy.has(file) || this.envDocs.has(file);
  }

  /** A lazy document leaves (its text changed, or it was removed): checks that looked through the Services may change. */
  private dropLazy(file: string): void {
    this.lazy.delete(file);
    this.unitCache.service = undefined;
    this.forgetKind('service');
  }

  /** Verdicts that looked through a kind of unit are taken again. */
  private forgetKind(kind: string): void {
    for (const [doc, d] of this.deps) if (d.kinds.has(kind)) this.verdicts.delete(doc);
  }

  /** The lazy documents parsed into `files` (a relation asks for Services): all of them, once. */
  private parseLazy(): void {
    if (this.lazy.size === 0) return;
    const lazy = [...this.lazy];
    this.lazy.clear();
    for (const [file, text] of lazy) {
      const parsed = this.parseDocument(file, text);
      if (!parsed.recognised) continue;
      this.files.set(file, parsed);
      this.indexPathRefs(file, parsed);
    }
    this.unitCache = {};
  }

  /**
   * The findings of a document as the user asked to see them: its config's rules and overrides and its inline
   * ignores applied, plus ignore-unused for each ignore that suppresses nothing. For a .kube-pki.yaml, its
   * config-invalid findings.
   */
  check(file: string): Finding[] {
    if (isConfigName(file) && !this.files.has(file)) return this.configFindings(file);
    const result = this.policyOf(file);
    return result ? result.shown.slice() : [];
  }

  /** The findings of a document that check() does not show, with the ignore or rule that suppressed each. */
  suppressed(file: string): SuppressedFinding[] {
    return this.policyOf(file)?.suppressed.slice() ?? [];
  }

  /** The options a document is judged with: its config's settings over the engine's (see policy/options.ts). */
  optionsFor(file: string): EngineOptions {
    const config = this.configs.forFile(file);
    if (!config || Object.keys(config.settings).length === 0) return this.opts;
    let merged = this.mergedOptions.get(config.file);
    if (!merged) {
      merged = mergeOptions(this.opts, config.settings);
      this.mergedOptions.set(config.file, merged);
    }
    return merged;
  }

  /** What a cache keyed by path resolution must tell apart: the config whose settings judge `file` (none: the engine's). */
  private configKey(file: string, options: EngineOptions): string {
    return options === this.opts ? '' : (this.configs.forFile(file)?.file ?? '');
  }

  /** The config that governs a file (undefined: none). */
  configFor(file: string): PolicyConfig | undefined {
    return this.configs.forFile(file);
  }

  /**
   * The configs that apply to a file: those whose `exclude` is consulted for it, from the repository's root down;
   * the last one governs it (configFor). With --config, that one; with --no-config, none.
   */
  configsFor(file: string): PolicyConfig[] {
    return this.configs.configsFor(file);
  }

  /** Every config read so far: those governing the files looked at, and those given as documents. */
  loadedConfigs(): PolicyConfig[] {
    return this.configs.loaded();
  }

  /** Whether an exclude (a config's, --exclude) can leave out any entry of the folder `dir` (see excludedBy). */
  mayExcludeIn(dir: string): boolean {
    return this.configs.mayExclude(dir, this.opts.exclude);
  }

  /**
   * Why a path is not read: a glob of the `exclude:` of its config or of a config above it (up to the repository's
   * root), or of EngineOptions.exclude. `isFolder`: the path is a folder (a walk asks whether to enter it). A
   * config file is excluded when its folder is (then it is not read either); never for its own name.
   */
  excludedBy(file: string, isFolder = false): Exclusion | undefined {
    if (!isFolder && isConfigName(file)) return this.configs.excludedBy(path.dirname(file), this.opts.exclude, true);
    return this.configs.excludedBy(file, this.opts.exclude, isFolder);
  }

  /**
   * Carries over from the engine this one replaces (the language server's re-index) what cannot be read from the
   * files: the exclude of a config's last version that parsed, kept while its YAML is broken.
   */
  carryConfigsFrom(previous: Engine): void {
    this.configs.adoptKeptExcludes(previous.configs);
    this.forgetConfigs();
  }

  private configFindings(file: string): Finding[] {
    // A config in an excluded folder is not read: it has no problems to show.
    if (this.fs.stat(file).kind !== 'file' || this.excludedBy(file)) return [];
    return this.configs
      .load(file)
      .issues.map((i) => ({ file, range: i.range, severity: 'error' as const, code: 'config-invalid', message: i.message }));
  }

  private policyOf(file: string): PolicyResult | undefined {
    const parsed = this.files.get(file) ?? this.envDocs.get(file);
    if (!parsed) return undefined;
    const all = this.rawCheck(file, parsed);
    let raw = this.ownFindings.get(all);
    if (!raw) this.ownFindings.set(all, (raw = all.every((f) => f.file === file) ? all : all.filter((f) => f.file === file)));
    const generation = this.configs.generation;
    const cached = this.policies.get(file);
    if (cached && cached.raw === raw && cached.generation === generation) return cached.result;
    let comments = this.comments.get(parsed);
    if (comments === undefined) {
      // A text over MAX_CONFIG_BYTES is never parsed: of its comments only the leading ones are read (a
      // kube-pki-ignore-file there applies), not the whole text.
      if (parsed.tooBig !== undefined) comments = scanLeadingComments(parsed.text) ?? null;
      else comments = parsed.text.includes(IGNORE) ? scanDocument(parsed.text) : null;
      this.comments.set(parsed, comments);
    }
    // The documents nothing was checked in: an ignore there is not reported unused (only needed when there are ignores).
    const unread: UnreadLines[] = !comments
      ? []
      : parsed.tooBig !== undefined
        ? [{ first: 0, last: Infinity }]
        : parsed.unread.map((span) => ({ first: parsed.lines.positionAt(span.start).line, last: parsed.lines.positionAt(span.end).line }));
    const result = applyPolicy(file, raw, comments ?? undefined, this.configs.forFile(file), unread);
    result.shown = sortFindings(result.shown);
    this.policies.set(file, { raw, generation, result });
    return result;
  }

  /** The checks' own findings (cached: see Verdict). */
  private rawCheck(file: string, parsed: ParsedFile): Finding[] {
    const now = this.now.getTime();
    const cached = this.verdicts.get(file);
    if (cached && now >= cached.takenAt && now < cached.until) return cached.findings;
    const deps: CheckDependencies = { paths: new Set(), kinds: new Set(), folders: new Set(), unresolved: false };
    const ctx = new CheckContext(parsed, this, deps);
    for (const check of allChecks) {
      try {
        check(ctx);
      } catch (err) {
        // One check's bug must not hide the others' findings, nor take the server down.
        ctx.findings.push({
          file,
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: 'info',
          code: 'internal-error',
          message: `kube-pki could not finish a check (${check.name}): ${(err as Error)?.message ?? err}`,
        });
      }
    }
    // A unit's env files: an edit of one re-checks it. An env file's findings are those of the units reading it.
    for (const source of parsed.sources ?? []) deps.paths.add(source.file);
    for (const unit of this.envUsers.get(file) ?? []) {
      const up = this.files.get(unit);
      if (unit === file || !up || this.borrowing.has(unit)) continue;
      deps.paths.add(unit);
      this.borrowing.add(file);
      try {
        for (const f of this.rawCheck(unit, up)) if (f.file === file) ctx.findings.push(f);
      } finally {
        this.borrowing.delete(file);
      }
    }
    this.deps.set(file, deps);
    const findings = sortFindings(ctx.findings);
    const maxAge = this.opts.now ? Infinity : now + MAX_VERDICT_AGE_MS;
    this.verdicts.set(file, { findings, takenAt: now, until: Math.min(deps.until ?? Infinity, maxAge) });
    return findings;
  }

  affectedBy(file: string): string[] {
    const out = new Set<string>();
    if (isConfigName(file)) {
      // Everything it may govern: the documents below its folder (all of them when it is the one given).
      const dir = path.dirname(file);
      const everything = this.opts.configFile === file;
      for (const doc of this.files.keys()) if (everything || isBelow(dir, doc)) out.add(doc);
      return [...out];
    }
    const changedKinds = new Set<string>();
    const parsed = this.files.get(file);
    if (parsed) {
      out.add(file);
      for (const u of parsed.units) changedKinds.add(u.kind);
    } else if (this.lazy.has(file)) {
      // Services not parsed yet: what looked through the Services depends on them.
      out.add(file);
      changedKinds.add('service');
    }
    if (this.envDocs.has(file)) out.add(file);
    // The folders its absolute path references name: an unplaced path there may be placed beside them.
    const folders = this.docFolders.get(file);
    for (const [doc, d] of this.deps) {
      if (!this.files.has(doc)) continue;
      if (d.paths.has(file)) out.add(doc);
      else if (changedKinds.size && [...changedKinds].some((k) => d.kinds.has(k))) out.add(doc);
      else if (folders && d.folders && [...d.folders].some((f) => folders.has(f))) out.add(doc);
    }
    // A file nobody depends on yet may be one a reference was looking for (by suffix, say).
    if (!parsed && out.size === 0) {
      for (const [doc, d] of this.deps) if (d.unresolved && this.files.has(doc)) out.add(doc);
    }
    return [...out];
  }

  // ---- services for checks -------------------------------------------------------------------

  units<K extends keyof UnitsByKind>(kind: K): UnitsByKind[K][] {
    if (kind === 'service') this.parseLazy();
    let list = this.unitCache[kind];
    if (!list) {
      list = [];
      for (const f of this.files.values()) for (const u of f.units) if (u.kind === kind) list.push(u as UnitsByKind[K]);
      (this.unitCache as Record<string, unknown>)[kind] = list;
    }
    return list;
  }

  parsed(file: string): ParsedFile | undefined {
    if (this.lazy.has(file)) this.parseLazy();
    return this.files.get(file) ?? this.onDemand.get(file);
  }

  /**
   * The documents whose units read `file` as a source (a systemd unit's EnvironmentFile= or drop-in): their units'
   * references with spans in `file` are at `span.start - source.base` there (ParsedFile.sources).
   */
  readers(file: string): ParsedFile[] {
    const out: ParsedFile[] = [];
    for (const user of this.envUsers.get(file) ?? []) {
      const parsed = this.files.get(user);
      if (parsed?.sources?.some((s) => s.file === file)) out.push(parsed);
    }
    return out;
  }

  resolve(ref: Reference): Resolution | undefined {
    return ref.source.kind === 'path' ? this.entry(ref).resolution : undefined;
  }

  /**
   * Path references of the recognised documents (or of one) found nowhere and placed nowhere: not judged (no
   * finding), for the adapters to mention once (the CLI's note) and the hover to explain.
   */
  unplacedReferences(file?: string): UnplacedReference[] {
    const out: UnplacedReference[] = [];
    for (const doc of file === undefined ? this.documents() : [file]) {
      const parsed = this.files.get(doc);
      if (!parsed) continue;
      for (const unit of parsed.units) {
        for (const ref of unitReferences(unit)) {
          if (ref.source.kind !== 'path' || !isUnplaced(this.entry(ref).resolution)) continue;
          const loaded = this.load(ref);
          if (loaded.ok || !loaded.unplaced) continue;
          const at = locate(parsed, ref.span);
          out.push({
            file: at.file,
            range: at.range,
            field: ref.field,
            path: ref.source.path,
            origin: loaded.unplaced.kind,
            note: loaded.unplaced,
          });
        }
      }
    }
    return out;
  }

  /** A path reference's entry: made once per Reference object, again when its folder's references change. */
  private entry(ref: Reference): RefEntry {
    const known = this.refEntries.get(ref);
    if (known && (known.folder === undefined || (this.folderGeneration.get(known.folder) ?? 0) === known.generation)) return known;
    const e = this.makeEntry(ref);
    this.refEntries.set(ref, e);
    return e;
  }

  private makeEntry(ref: Reference): RefEntry {
    const by = this.namedBy(ref);
    if (ref.source.kind !== 'path') return { resolution: undefined, by };
    const key = this.resolutionKey(ref, by);
    const r = this.resolvePath(ref, by, key);
    const folder = path.posix.dirname(ref.source.path);
    if (!r || !isUnplaced(r) || !ref.source.path.startsWith('/') || folder === '/') return { resolution: r, by };
    const generation = this.folderGeneration.get(folder) ?? 0;
    let placed = this.beside.get(folder);
    if (!placed) this.beside.set(folder, (placed = new Map()));
    let resolution = placed.get(key);
    if (!resolution) {
      resolution = this.placeBeside(ref.source.path, ref.source.baseDir, r);
      placed.set(key, resolution);
    }
    return { resolution, by, folder, generation };
  }

  /** What a resolution depends on besides the path: the config judging the file, the folder, a kubeadm node's. */
  private resolutionKey(ref: Reference, by: NamedBy): string {
    if (ref.source.kind !== 'path') return '';
    return `${this.configKey(ref.file, this.optionsFor(ref.file))}\0${ref.source.baseDir}\0${ref.source.path}${by.kubeadm ? '\0node' : ''}`;
  }

  /** The path's resolution on its own (resolve/paths.ts), cached by key until files, options or configs change. */
  private resolvePath(ref: Reference, by = this.namedBy(ref), key = this.resolutionKey(ref, by)): Resolution | undefined {
    if (ref.source.kind !== 'path') return undefined;
    let r = this.resolutions.get(key);
    if (!r) {
      r = resolveReferencePath(this.fs, this.optionsFor(ref.file), this.index, ref.source.path, ref.source.baseDir, { describesNode: by.kubeadm });
      this.resolutions.set(key, r);
    }
    return r;
  }

  /**
   * An unplaced absolute path whose folder other references name and found in the workspace (by suffix, say:
   * /etc/kubernetes/pki/ca.crt read as backup/pki/ca.crt) belongs in that folder, where the suffix search would
   * have found it: /etc/kubernetes/pki/front-proxy-ca.crt is backup/pki/front-proxy-ca.crt. The folder nearest
   * the referencing file wins. Otherwise the resolution as it is.
   */
  private placeBeside(refPath: string, baseDir: string, r: Resolution): Resolution {
    const folder = path.posix.dirname(refPath);
    if (folder === '/') return r;
    let best: { path: string; beside: string; near: number } | undefined;
    for (const other of this.pathRefsIn(folder)) {
      if (other.source.kind !== 'path' || other.source.path === refPath) continue;
      const found = this.resolvePath(other)?.found;
      if (!found || !this.opts.searchRoots.some((root) => isWithin(root, found))) continue;
      if (path.basename(found) !== path.posix.basename(other.source.path)) continue;
      const candidate = path.join(path.dirname(found), path.posix.basename(refPath));
      const near = commonPrefixLength(candidate, baseDir);
      if (!best || near > best.near || (near === best.near && candidate < best.path)) best = { path: candidate, beside: found, near };
    }
    return best ? { ...r, place: { path: best.path, by: 'sibling', beside: best.beside } } : r;
  }

  /** The absolute path references of the recognised documents whose folder is `folder`. */
  private *pathRefsIn(folder: string): Iterable<Reference> {
    for (const refs of this.pathRefs.get(folder)?.values() ?? []) yield* refs;
  }

  /**
   * Indexes a document's absolute path references by folder (undefined: the document is gone) and returns the
   * folders where what placeBeside reads changed: their placements are dropped, and the verdicts that looked at
   * them (CheckDependencies.folders) with them. A keystroke that leaves the document's paths alone moves nothing.
   */
  private indexPathRefs(file: string, parsed: ParsedFile | undefined): string[] {
    const byFolder = new Map<string, Reference[]>();
    for (const unit of parsed?.units ?? []) {
      for (const ref of unitReferences(unit)) {
        if (ref.source.kind !== 'path' || !ref.source.path.startsWith('/')) continue;
        const folder = path.posix.dirname(ref.source.path);
        const list = byFolder.get(folder);
        if (list) list.push(ref);
        else byFolder.set(folder, [ref]);
      }
    }
    const before = this.docFolders.get(file);
    if (!before && byFolder.size === 0) return [];
    // What placeBeside reads of a reference: its path, its folder and whether a kubeadm node names it.
    const node = parsed && byFolder.size && this.isKubeadm(parsed) ? 'node\n' : '';
    const after = new Map<string, string>();
    for (const [folder, refs] of byFolder) {
      after.set(
        folder,
        node +
          refs
            .map((r) => (r.source.kind === 'path' ? `${r.source.baseDir}\0${r.source.path}` : ''))
            .sort()
            .join('\n'),
      );
      let docs = this.pathRefs.get(folder);
      if (!docs) this.pathRefs.set(folder, (docs = new Map()));
      docs.set(file, refs);
    }
    const moved: string[] = [];
    for (const [folder, signature] of after) if (before?.get(folder) !== signature) moved.push(folder);
    for (const folder of before?.keys() ?? []) {
      if (after.has(folder)) continue;
      moved.push(folder);
      const docs = this.pathRefs.get(folder);
      docs?.delete(file);
      if (docs?.size === 0) this.pathRefs.delete(folder);
    }
    if (after.size) this.docFolders.set(file, after);
    else this.docFolders.delete(file);
    for (const folder of moved) {
      this.beside.delete(folder);
      this.folderGeneration.set(folder, ++this.placeGeneration);
    }
    return moved;
  }

  /** Every placement: files, options or configs changed (with `resolutions`). */
  private forgetPlaces(): void {
    this.beside.clear();
    this.refEntries = new WeakMap();
  }

  /**
   * What names the path: a kubeconfig field (its files can be embedded), and whether the file is a kubeadm
   * config, whose KubeletConfiguration kubeadm writes to the node's /var/lib/kubelet/config.yaml
   * (cmd/kubeadm/app/phases/kubelet/config.go): its paths are that node's, not this machine's.
   */
  private namedBy(ref: Reference): NamedBy {
    const parsed = this.files.get(ref.file) ?? this.onDemand.get(ref.file);
    return { kubeconfig: KUBECONFIG_PATH_FIELDS.has(ref.field), kubeadm: !!parsed && this.isKubeadm(parsed) };
  }

  private isKubeadm(parsed: ParsedFile): boolean {
    let kubeadm = this.kubeadmFiles.get(parsed);
    if (kubeadm === undefined) this.kubeadmFiles.set(parsed, (kubeadm = isKubeadmConfig(parsed.text)));
    return kubeadm;
  }

  load(ref: Reference): Loaded {
    if (ref.source.kind === 'inline') {
      let loaded = this.refMaterial.get(ref);
      if (!loaded) {
        loaded = this.loadInlineCached(ref.source.data);
        this.refMaterial.set(ref, loaded);
      }
      return loaded;
    }
    const e = this.entry(ref);
    const resolution = e.resolution!;
    if (!resolution.found) {
      e.failure ??= failure(ref.source.path, resolution, e.by);
      return e.failure;
    }
    let loaded = this.fileMaterial.get(resolution.found);
    if (!loaded) {
      loaded = loadFile(this.fs, resolution.found);
      this.fileMaterial.set(resolution.found, loaded);
    }
    return loaded;
  }

  kubeconfigOf(ref: Reference): KubeconfigUnit[] {
    const resolution = this.resolve(ref);
    if (!resolution?.found) return [];
    let parsed = this.files.get(resolution.found) ?? this.onDemand.get(resolution.found);
    if (!parsed) {
      const read = this.fs.readFile(resolution.found, MAX_CONFIG_BYTES);
      if (!read.ok) return [];
      parsed = parseFile(resolution.found, read.data.toString('utf8'));
      this.onDemand.set(resolution.found, parsed);
    }
    return parsed.units.filter((u): u is KubeconfigUnit => u.kind === 'kubeconfig');
  }

  /** A config's text changed: what it governs is judged again. */
  private configChanged(): void {
    this.forgetConfigs();
    this.resolutions.clear();
    // Sibling placements too: their keys hold the config's path, which stays when its pathMappings or rootDir change.
    this.forgetPlaces();
    this.verdicts.clear();
  }

  private forgetConfigs(): void {
    this.configs.clear();
    this.mergedOptions.clear();
    this.policies.clear();
    // What is excluded may have changed: the suffix index is built again without it.
    this.index.invalidate();
    // The configs given as documents stay known (their problems are reported whether or not they govern a file),
    // except those in a folder a config above them excludes.
    if (this.opts.configFile === undefined) for (const file of this.configTexts.keys()) if (!this.excludedBy(file)) this.configs.load(file);
  }

  private forgetMaterial(file: string): void {
    this.fileMaterial.delete(file);
  }

  /** Inline material by content: an unchanged value of an edited document is neither decoded nor parsed again. */
  private loadInlineCached(data: string): Loaded {
    const hit = this.inlineMaterial.get(data);
    if (hit) return hit;
    const loaded = loadInline(data);
    // Oldest first out; the key is a copy, so the cache never holds on to the text of an old version of a document.
    while (this.inlineMaterial.size && (this.inlineMaterial.size >= MAX_CACHED_INLINE || this.inlineChars + data.length > MAX_CACHED_INLINE_CHARS)) {
      const oldest = this.inlineMaterial.keys().next().value as string;
      this.inlineMaterial.delete(oldest);
      this.inlineChars -= oldest.length;
    }
    if (data.length <= MAX_CACHED_INLINE_CHARS) {
      this.inlineMaterial.set(ownCopy(data), loaded);
      this.inlineChars += data.length;
    }
    return loaded;
  }

  /**
   * Drops the verdicts a change of `file` can move: its own, those of documents that read it, and those of
   * documents that looked through a kind of unit it held before or holds now, and those whose unplaced or
   * sibling-placed paths are in a folder where its path references changed.
   */
  private forgetVerdicts(file: string, before: ParsedFile | undefined, after: ParsedFile | undefined, folders: string[]): void {
    this.verdicts.delete(file);
    const kinds = new Set<string>();
    for (const u of before?.units ?? []) kinds.add(u.kind);
    for (const u of after?.units ?? []) kinds.add(u.kind);
    for (const [doc, d] of this.deps) {
      if (!this.verdicts.has(doc)) continue;
      if (d.paths.has(file) || [...kinds].some((k) => d.kinds.has(k)) || (d.folders && folders.some((f) => d.folders!.has(f))))
        this.verdicts.delete(doc);
    }
  }
}

/** A text read into a unit (an env file, a drop-in): a document with no units of its own, for its findings. */
/**
 * systemd's unit search path for the system manager, as far as a copy of a node's tree shows it (systemd.unit(5)
 * "Unit File Load Path"; src/basic/path-lookup.c): /etc/systemd/system, /run/systemd/system, /usr/lib/systemd/system,
 * /lib/systemd/system, in that order of precedence.
 */
const UNIT_FOLDERS = ['etc/systemd/system', 'run/systemd/system', 'usr/lib/systemd/system', 'lib/systemd/system'];

/** The unit folders of the tree a unit file is in (the tree's root: what is above its unit folder), if it is in one. */
function unitTree(unit: string): { root: string; folders: string[] } | undefined {
  const dir = path.dirname(unit).split(path.sep).join('/');
  // The longest folder first: /usr/lib/systemd/system also ends in lib/systemd/system.
  for (const f of UNIT_FOLDERS) {
    if (dir !== `/${f}` && !dir.endsWith(`/${f}`)) continue;
    const root = path.dirname(unit).slice(0, dir.length - f.length - 1) || path.sep;
    return { root, folders: UNIT_FOLDERS.map((x) => path.join(root, ...x.split('/'))) };
  }
  return undefined;
}

function sourceOnly(file: string, text: string): ParsedFile {
  return { file, text, lines: new LineIndex(text), units: [], yamlErrors: [], recognised: false, unread: [] };
}

/** A flat copy of a string (a substring may keep its whole parent alive); exact for any UTF-16 content. */
function ownCopy(s: string): string {
  return JSON.parse(JSON.stringify(s)) as string;
}

/** load() of a path found nowhere: refused (Restricted Mode), unplaced, or file-not-found where it belongs. */
function failure(refPath: string, resolution: Resolution, by: NamedBy): Loaded {
  const refused = resolution.refused;
  if (refused?.kind === 'link') return { ok: false, code: 'file-unreadable', message: refusalReason('link'), path: refused.path };
  if (refused) return { ok: false, code: 'file-not-found', message: refusedMessage(refPath, resolution.tried, refused.path) };
  if (!resolution.place) {
    const note = pathNote(refPath, by);
    return { ok: false, code: 'file-not-found', message: unplacedMessage(note), unplaced: note };
  }
  return { ok: false, code: 'file-not-found', message: notFoundMessage(refPath, resolution.tried, resolution.place, by) };
}

/** Not in the workspace, and the place outside it that would have been read next was not looked at. */
function refusedMessage(refPath: string, tried: string[], outside: string): string {
  const inside = tried
    .filter((t) => t !== outside)
    .slice(0, 4)
    .map((t) => path.normalize(t));
  const where = inside.length ? ` (tried ${inside.join('; ')})` : '';
  const copy = outside === refPath ? 'no copy of it' : `nothing for ${refPath}`;
  return `${outside} ${refusalReason('outside')}, and ${copy} was found in the workspace${where}.`;
}

function sortFindings(findings: Finding[]): Finding[] {
  return findings.sort(
    (a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || a.code.localeCompare(b.code),
  );
}
