// The index of the workspace: a fresh engine built from the workspace folders in the background (the files the
// configs' excludes leave, then the open buffers, then what the watcher reported meanwhile), swapped in whole.
// It is rebuilt when the folders, the settings or the trust change, on the re-check command, and when a
// .kube-pki.yaml's exclude changes (once its edits settle). The settings are applied here too: every engine,
// the current one and the next, judges with them.
import type { Connection } from 'vscode-languageserver/node';
import { discoverFiles, Engine, type policy } from '../engine';
import type { Summary } from '../../../shared/protocol';
import type { Log } from './guard';
import type { Publisher } from './publisher';
import { readSettings, RestrictedModeNotes } from './settings';
import { slicer, yieldToEventLoop } from './slices';
import { loadFile, updateOpenText, type WorkspaceState } from './state';

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
    state.options = await readSettings(this.connection, this.log, {
      folders: state.folders,
      configuration: state.caps.configuration,
      pushed: state.pushedSettings,
      trusted: state.trusted,
    });
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

  /** Builds a fresh engine from the workspace folders in the background, then swaps it in. */
  reindex(): Promise<void> {
    const state = this.state;
    const guard = this.log.guard.bind(this.log);
    const generation = ++this.generation;
    const run = (async () => {
      const started = Date.now();
      const next = new Engine(state.fs, state.options);
      // The exclude of a config whose YAML is broken mid-edit stays the last valid one in the new engine too.
      guard('carryConfigsFrom', () => next.carryConfigsFrom(state.engine), undefined);
      const changedDuringIndex = new Set<string>();
      this.changedDuringIndex = changedDuringIndex;
      const progress = await this.beginProgress('Kube PKI: indexing');
      let files: string[] = [];
      // What the configs exclude is not walked: it is neither read nor counted toward the bound on files.
      const excluded = (p: string, isFolder: boolean) => next.excludedBy(p, isFolder) !== undefined;
      for (const folder of state.folderPaths()) {
        files.push(...guard('discoverFiles', () => discoverFiles(next.fileSystem, [folder], undefined, excluded), [] as string[]));
        await yieldToEventLoop();
        if (generation !== this.generation) return progress?.done();
      }
      files = [...new Set(files)];
      const due = slicer();
      for (let i = 0; i < files.length; i++) {
        guard('index', () => loadFile(next, files[i]), undefined);
        if (due()) {
          progress?.report(Math.round((100 * (i + 1)) / files.length), `${i + 1}/${files.length} files`);
          await yieldToEventLoop();
          if (generation !== this.generation) return progress?.done();
        }
      }
      // Open buffers win (also those outside the workspace folders), then what changed meanwhile.
      for (const [file, text] of state.openTexts) guard('index', () => updateOpenText(next, file, text), undefined);
      for (const file of changedDuringIndex) {
        guard('index', () => next.fileChanged(file), undefined);
        if (!state.openTexts.has(file) && files.includes(file)) guard('index', () => loadFile(next, file), undefined);
      }
      if (this.changedDuringIndex === changedDuringIndex) this.changedDuringIndex = undefined;
      guard('setOptions', () => next.setOptions(state.options), undefined);
      // Every open buffer's latest text went into the new engine above.
      state.unapplied.clear();
      state.engine = next;
      this.indexedExcludes = this.currentExcludes();
      this.publisher.invalidateAll();
      progress?.done();
      this.log.info(
        `kube-pki: indexed ${files.length} candidate files in ${state.folders.length} folder(s), ` +
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
