// The index of the workspace: a fresh engine built from the workspace folders in the background (the files the
// configs' excludes leave, then the open buffers, then what the watcher reported meanwhile), swapped in whole.
// The first index does not make the open documents wait for the whole workspace: it fills the engine in use (which
// held only the open buffers), the node trees around the open documents first (their folders up to the tree's root,
// bounded; a document opened meanwhile has its own read before it is published), so they are published at once;
// the rest of the workspace follows into the same engine, and everything is re-checked when it is in (until then
// `state.partial`: no summary, no diagnostics of closed files). The walk itself goes in steps (a folder each), like
// the reading, with turns for the event loop between them (INDEX_SLICE_MS), so requests and keystrokes are answered
// meanwhile, and the diagnostics of an edited document are published before the index goes on (turn());
// `$/progress` reports the files found, then the percentage read. What a limit of the walk left out (the bound on
// files: kubePki.maxFiles or a .kube-pki.yaml's maxFiles; folders too deep) is said in the log and in the summary
// the status bar shows (state.limits).
import type { Connection } from 'vscode-languageserver/node';
import * as path from 'node:path';
import { DEFAULT_MAX_FILES, discoverFiles, discoverSteps, Engine, isWithin, type policy, type WalkReport } from '../engine';
import type { Summary } from '../../../shared/protocol';
import type { Log } from './guard';
import type { Publisher } from './publisher';
import { readSettings, RestrictedModeNotes } from './settings';
import { INDEX_SLICE_MS, slicer, yieldToEventLoop } from './slices';
import { loadFile, updateOpenText, type WorkspaceState } from './state';

/** Files read around the open documents before the rest of the workspace (the first index). */
const NEAR_MAX_FILES = 2000;

/**
 * The folder of a node tree holding `file`: the folder above its `etc/kubernetes` or `var/lib/kubelet`, else two
 * folders up from it (a kubeconfig's certificates and the manifests beside it), never above the workspace folder.
 */
export function nearRoot(file: string, folder: string): string {
  const parts = file.split(path.sep);
  for (let i = parts.length - 2; i > 0; i--) {
    if ((parts[i] === 'etc' && parts[i + 1] === 'kubernetes') || (parts[i] === 'var' && parts[i + 1] === 'lib')) {
      const root = parts.slice(0, i).join(path.sep) || path.sep;
      return isWithin(folder, root) ? root : folder;
    }
  }
  const up = path.dirname(path.dirname(file));
  return isWithin(folder, up) ? up : folder;
}

/** A change of a .kube-pki.yaml's exclude re-reads the workspace this long after the last one. */
const CONFIG_REINDEX_DELAY_MS = 400;

/** What of a config decides which files are read: its exclude globs and the folder they are relative to. */
function excludeKey(c: policy.PolicyConfig): string {
  return c.exclude.length ? `${c.globBase}\0${c.exclude.map((g) => g.pattern).join('\0')}` : '';
}

export class WorkspaceIndex {
  private generation = 0;
  /** Paths the watcher reported while an index was being built (re-applied to the new engine). */
  private changedDuringIndex: Set<string> | undefined;
  private configReindexTimer: NodeJS.Timeout | undefined;
  /** Each config's exclude as the workspace was last read with it (excludeKey); a config not in it had none. */
  private indexedExcludes = new Map<string, string>();
  /** Configs changed since the last index, whose exclude may differ from indexedExcludes. */
  private readonly configsToCompare = new Set<string>();
  /** A `.git` changed: re-read anyway. */
  private reindexForced = false;
  private readonly restricted = new RestrictedModeNotes();
  /** An index was built once: later ones are swapped in whole (the engine in use holds the workspace meanwhile). */
  private indexedOnce = false;

  constructor(
    private readonly connection: Connection,
    private readonly state: WorkspaceState,
    private readonly publisher: Publisher,
    private readonly log: Log,
  ) {}

  // ---------------------------------------------------------------- settings

  /** Reads the settings from the client and gives them to the engine. */
  async applySettings(): Promise<void> {
    const state = this.state;
    const settings = await readSettings(this.connection, this.log, {
      folders: state.folders,
      configuration: state.caps.configuration,
      pushed: state.pushedSettings,
      trusted: state.trusted,
    });
    state.options = settings.options;
    state.maxFiles = settings.maxFiles;
    this.log.guard('setOptions', () => state.current().setOptions(state.options), undefined);
    this.publisher.invalidateAll();
  }

  /** In Restricted Mode a config's rootDir and pathMappings are ignored: said once per config in the log. */
  noteRestrictedConfigs(): void {
    if (this.state.trusted) return;
    this.restricted.note(this.state.loadedConfigs(), this.log);
  }

  /** The workspace was trusted: reads go outside its folders again, with every setting. */
  async trustGranted(): Promise<void> {
    this.state.trusted = true;
    this.restricted.reset();
    this.log.info('kube-pki: the workspace is trusted now: reading outside the workspace folders again');
    await this.state.whenIndexed();
    await this.applySettings();
    await this.reindex();
  }

  // ---------------------------------------------------------------- configs

  private currentExcludes(): Map<string, string> {
    const out = new Map<string, string>();
    for (const c of this.state.loadedConfigs()) {
      const key = excludeKey(c);
      if (key) out.set(c.file, key);
    }
    return out;
  }

  /**
   * .kube-pki.yaml files changed (edited, saved, created, deleted), or a `.git` (`force`: which config governs
   * what may have moved): the engine already judges with their new rules and settings, so what they govern is
   * re-checked now. The workspace is read again only when an exclude changed, once the edits settle: a config
   * whose YAML is broken mid-edit keeps its last valid exclude (policy/store.ts), so typing does not flip the
   * file set back and forth, and a save or an unchanged text costs no re-index.
   */
  configChanged(files: Iterable<string>, force = false): void {
    this.publisher.invalidateAll();
    this.publisher.scheduleAll();
    for (const f of files) this.configsToCompare.add(f);
    this.reindexForced ||= force;
    if (this.configReindexTimer) clearTimeout(this.configReindexTimer);
    this.configReindexTimer = setTimeout(() => {
      this.configReindexTimer = undefined;
      if (this.state.shuttingDown) return;
      const now = this.currentExcludes();
      const moved = this.reindexForced || [...this.configsToCompare].some((f) => (now.get(f) ?? '') !== (this.indexedExcludes.get(f) ?? ''));
      this.configsToCompare.clear();
      this.reindexForced = false;
      if (moved) void this.reindex();
    }, CONFIG_REINDEX_DELAY_MS);
  }

  // ---------------------------------------------------------------- the index

  /**
   * The index's turn for the event loop between two slices: requests are answered meanwhile, and diagnostics of an
   * edited document due (Publisher.editsDue) are published before the index goes on: a keystroke never waits for it.
   */
  private async turn(): Promise<void> {
    await yieldToEventLoop();
    while (this.publisher.editsDue && !this.state.shuttingDown) await this.publisher.whenEditsPublished();
  }

  /** The watcher reported `file`: an index being built re-reads it at the end. */
  noteChanged(file: string): void {
    this.changedDuringIndex?.add(file);
  }

  private async beginProgress(title: string) {
    if (!this.state.caps.workDoneProgress) return undefined;
    try {
      const p = await this.connection.window.createWorkDoneProgress();
      p.begin(title, 0, undefined, false);
      return p;
    } catch {
      return undefined;
    }
  }

  /** The bound on files of a workspace folder: kubePki.maxFiles, else its .kube-pki.yaml's maxFiles, else the default. */
  private maxFilesOf(engine: Engine, folder: string): { max: number; setBy: string } {
    const config = this.log.guard('configFor', () => engine.configFor(path.join(folder, '.kube-pki.yaml')), undefined);
    if (config?.maxFiles !== undefined) return { max: config.maxFiles, setBy: `maxFiles in ${config.file}` };
    if (this.state.maxFiles !== undefined) return { max: this.state.maxFiles, setBy: 'the kubePki.maxFiles setting' };
    return { max: DEFAULT_MAX_FILES, setBy: 'the default bound (raise it with the kubePki.maxFiles setting, or maxFiles in .kube-pki.yaml)' };
  }

  /** What a limit of the walk left out, in sentences naming the limit and what changes it. */
  private limitSentences(folder: string, report: WalkReport, bound: { max: number; setBy: string }): string[] {
    const out: string[] = [];
    if (report.files)
      out.push(
        `${folder}: indexing stopped after ${report.files.limit} candidate files, ${bound.setBy}; the files after ${report.files.after} are not checked`,
      );
    if (report.depth) {
      const d = report.depth;
      out.push(
        `${folder}: ${d.count === 1 ? '1 folder is' : `${d.count} folders are`} nested more than ${d.limit} deep and not checked (${d.folders.join(', ')}${d.count > d.folders.length ? ', ...' : ''}); leave them out with exclude in .kube-pki.yaml, or open such a folder as a workspace folder`,
      );
    }
    return out;
  }

  /**
   * The first index reads into the engine in use (it held nothing but the open buffers), the node trees around
   * the open documents first: `near` are the folders read so far, `read` the files.
   */
  private first: { engine: Engine; near: Set<string>; read: Set<string> } | undefined;

  /**
   * A document was opened: during the first index, the node tree around it is read now (bounded), before its
   * diagnostics are published, so they do not wait for the whole workspace.
   */
  opened(file: string): void {
    const first = this.first;
    if (!first || first.engine !== this.state.engine) return;
    const folder = this.state.folderPaths().find((f) => isWithin(f, file));
    if (!folder) return;
    this.readNear(first, nearRoot(file, folder));
  }

  /** Reads a node tree's folder into the first index's engine, and lets the suffix search look there meanwhile. */
  private readNear(first: { engine: Engine; near: Set<string>; read: Set<string> }, root: string): void {
    if ([...first.near].some((n) => isWithin(n, root))) return;
    const started = Date.now();
    first.near.add(root);
    const engine = first.engine;
    const excluded = (p: string, isFolder: boolean) => engine.excludedBy(p, isFolder) !== undefined;
    this.log.guard('setOptions', () => engine.setOptions({ ...this.state.options, searchRoots: [...first.near] }), undefined);
    const files = this.log.guard(
      'discoverFiles',
      () => discoverFiles(engine.fileSystem, [root], undefined, { isExcluded: excluded, maxFiles: NEAR_MAX_FILES }),
      [] as string[],
    );
    for (const f of files) {
      if (first.read.has(f) || this.state.openTexts.has(f)) continue;
      first.read.add(f);
      this.log.guard('index', () => loadFile(engine, f), undefined);
    }
    this.publisher.invalidateAll();
    this.log.info(`kube-pki: read ${files.length} files around an open document (${root}) in ${Date.now() - started} ms`);
  }

  /** Builds a fresh engine from the workspace folders in the background, then swaps it in. */
  reindex(): Promise<void> {
    const state = this.state;
    const guard = this.log.guard.bind(this.log);
    const generation = ++this.generation;
    const first = !this.indexedOnce && !this.first;
    const run = (async () => {
      const started = Date.now();
      // The first index fills the engine in use (see `first`); a later one builds a fresh engine, swapped in whole.
      const next = first ? state.engine : new Engine(state.fs, state.options);
      // The exclude of a config whose YAML is broken mid-edit stays the last valid one in the new engine too.
      if (!first) guard('carryConfigsFrom', () => next.carryConfigsFrom(state.engine), undefined);
      const read = new Set<string>();
      const firstIndex = first ? { engine: next, near: new Set<string>(), read } : undefined;
      this.first = firstIndex;
      const changedDuringIndex = new Set<string>();
      this.changedDuringIndex = changedDuringIndex;
      const progress = await this.beginProgress('Kube PKI: indexing');
      const cancelled = () => generation !== this.generation;
      // What the configs exclude is not walked: it is neither read nor counted toward the bound on files.
      const excluded = (p: string, isFolder: boolean) => next.excludedBy(p, isFolder) !== undefined;
      const folders = state.folderPaths();

      // 1. The first index: the node trees around the open documents, published as soon as they are read.
      if (firstIndex) {
        guard('setOptions', () => next.setOptions({ ...state.options, searchRoots: [] }), undefined);
        for (const file of state.openTexts.keys()) {
          const folder = folders.find((f) => isWithin(f, file));
          if (folder) this.readNear(firstIndex, nearRoot(file, folder));
        }
        state.partial = true;
        state.markUsable();
        this.publisher.scheduleAll();
        await yieldToEventLoop();
        if (cancelled()) return progress?.done();
      }

      // 2. The walk, a folder at a time.
      const files: string[] = [];
      const listings = new Map<string, string[]>();
      const limits: string[] = [];
      const due = slicer(INDEX_SLICE_MS, 1000);
      for (const folder of folders) {
        const report: WalkReport = {};
        const listing: string[] = [];
        const bound = this.maxFilesOf(next, folder);
        const found: string[] = [];
        const steps = discoverSteps(
          next.fileSystem,
          [folder],
          undefined,
          // sizeOnRead: no stat per file; the read turns away a file over the size limit.
          {
            isExcluded: excluded,
            mayExclude: (d) => next.mayExcludeIn(d),
            maxFiles: bound.max,
            report,
            listing,
            onFolder: (d, n) => next.noteFolder(d, n),
            sizeOnRead: true,
          },
          found,
        );
        for (;;) {
          const step = guard('discoverFiles', () => steps.next(), { done: true, value: undefined } as IteratorResult<void>);
          if (step.done) break;
          if (due()) {
            progress?.report(0, `${files.length + found.length} files found`);
            await this.turn();
            if (cancelled()) return progress?.done();
          }
        }
        files.push(...found);
        if (!report.files) listings.set(folder, listing);
        limits.push(...this.limitSentences(folder, report, bound));
      }
      const all = [...new Set(files)];

      // 3. Reading, in slices (reads are synchronous: a small file costs microseconds, its parse is what weighs;
      // off the thread, libuv's reads took 3 to 6 times as long here), and a keystroke's diagnostics before any
      // more of it (turn()).
      for (let i = 0; i < all.length; i++) {
        const file = all[i];
        if (!read.has(file)) {
          read.add(file);
          guard('index', () => loadFile(next, file), undefined);
        }
        if (due()) {
          progress?.report(Math.round((100 * (i + 1)) / all.length), `${i + 1}/${all.length} files`);
          await this.turn();
          if (cancelled()) return progress?.done();
        }
      }
      // Open buffers win (also those outside the workspace folders), then what changed meanwhile.
      for (const [file, text] of state.openTexts) guard('index', () => updateOpenText(next, file, text), undefined);
      for (const file of changedDuringIndex) {
        guard('index', () => next.fileChanged(file), undefined);
        if (!state.openTexts.has(file) && read.has(file)) guard('index', () => loadFile(next, file), undefined);
      }
      if (this.changedDuringIndex === changedDuringIndex) this.changedDuringIndex = undefined;
      guard('setOptions', () => next.setOptions(state.options), undefined);
      // One walk: the suffix index takes what discovery met (a folder the bound cut short is walked on its own).
      for (const [folder, listing] of listings) guard('adoptListing', () => next.adoptListing(folder, listing), undefined);
      // Every open buffer's latest text went into the new engine above.
      if (!first) state.unapplied.clear();
      state.engine = next;
      state.partial = false;
      this.first = undefined;
      this.indexedOnce = true;
      this.indexedExcludes = this.currentExcludes();
      state.limits = limits;
      for (const l of limits) this.log.warn(`kube-pki: ${l}`);
      this.publisher.invalidateAll();
      progress?.done();
      this.log.info(
        `kube-pki: indexed ${all.length} candidate files in ${state.folders.length} folder(s), ` +
          `${guard('documents', () => state.engine.documents().length, 0)} recognised, in ${Date.now() - started} ms`,
      );
      this.noteRestrictedConfigs();
      this.publisher.scheduleAll();
      this.publisher.scheduleSummary();
    })();
    const tracked = run.catch((err) => this.log.error('indexing', err));
    state.indexing = tracked.finally(() => {
      if (generation === this.generation) state.indexing = undefined;
    });
    return tracked;
  }

  /** The re-check command: settings read again, the workspace re-indexed, everything open re-published. */
  async recheck(): Promise<Summary> {
    await this.applySettings();
    await this.reindex();
    await this.state.whenIndexed();
    await this.publisher.publishPending();
    return this.publisher.summary();
  }

  /** Shutdown: no index is finished, no config re-read. */
  stop(): void {
    if (this.configReindexTimer) clearTimeout(this.configReindexTimer);
    this.configReindexTimer = undefined;
    this.generation++;
  }
}
