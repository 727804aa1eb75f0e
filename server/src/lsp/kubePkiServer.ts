// The language server: a thin adapter that feeds editor buffers and workspace files to the engine and
// turns its findings into diagnostics. It knows nothing about certificates itself.
import * as path from 'node:path';
import {
  ConfigurationRequest,
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Engine, discoverFiles, isCandidateName, isWithin, nodeFileSystem, overlayFileSystem, policy, SKIP_DIRS } from '../engine';
import { MAX_CONFIG_BYTES, type EngineOptions, type FileSystem, type Finding } from '../engine/types';
import { displayPath, toDiagnostic } from './diagnostics';
import {
  defaultSettings,
  sanitizeSettings,
  toEngineOptions,
  type FolderSettings,
  type WorkspaceFolderInfo,
} from './settings';
import { isFileUri, isUntitledUri, pathToUri, untitledPath, uriToPath } from './uris';
import { featureCapabilities, registerFeatures, type FeatureHost } from './features';
import { ignoreCodeActions } from './features/ignores';
import { RECHECK_COMMAND, SERVER_RECHECK_COMMAND, SUMMARY_NOTIFICATION, SUMMARY_REQUEST, TRUST_NOTIFICATION, type InitializationOptions, type Summary } from '../../../shared/protocol';

export { RECHECK_COMMAND, SERVER_RECHECK_COMMAND, SUMMARY_NOTIFICATION, SUMMARY_REQUEST, type Summary };
import { generationCapabilities, registerGeneration } from './features/generate';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../../../package.json') as { version: string };



/**
 * Publish at most this long after a change (the editor expects diagnostics within ~100 ms).
 * $KUBE_PKI_PUBLISH_DELAY_MS overrides it (the benchmark sets 0 to time the work without the wait).
 */
const PUBLISH_DELAY_MS = delayFromEnv(process.env.KUBE_PKI_PUBLISH_DELAY_MS, 50);

function delayFromEnv(value: string | undefined, fallback: number): number {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 && n <= 10_000 ? n : fallback;
}
/** kubePki/summaryChanged waits this long for more changes, but never longer than the max in total. */
const SUMMARY_DELAY_MS = 150;
const SUMMARY_MAX_WAIT_MS = 1000;
/** Files indexed between two yields to the event loop. */
const BATCH = 50;
/** A client that never answers workspace/configuration must not stall the server. */
const CONFIGURATION_TIMEOUT_MS = 5000;
/** A change of a .kube-pki.yaml's exclude re-reads the workspace this long after the last one. */
const CONFIG_REINDEX_DELAY_MS = 400;

interface OpenDoc {
  uri: string;
  file: string;
}

interface Capabilities {
  configuration: boolean;
  relatedInformation: boolean;
  dynamicWatchedFiles: boolean;
  dynamicConfiguration: boolean;
  workspaceFolders: boolean;
  workDoneProgress: boolean;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Long loops give the event loop a turn every BATCH items or SLICE_MS, whichever comes first. */
const SLICE_MS = 15;
function slicer(): () => boolean {
  let count = 0;
  let since = Date.now();
  return () => {
    if (++count < BATCH && Date.now() - since < SLICE_MS) return false;
    count = 0;
    since = Date.now();
    return true;
  };
}

function errorSummary(err: unknown): string {
  // No message text: an engine error message may quote file content (a YAML snippet, a PEM line).
  if (err instanceof Error) {
    const frames = (err.stack ?? '')
      .split('\n')
      .filter((l) => /^\s+at /.test(l))
      .slice(0, 8)
      .join('\n');
    return `${err.name}${frames ? `\n${frames}` : ''}`;
  }
  return typeof err;
}

export function startServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const baseFs: FileSystem = nodeFileSystem();
  /** Open buffers by absolute path: the engine reads these instead of the disk. */
  const openTexts = new Map<string, string>();
  const fs = overlayFileSystem(baseFs, openTexts);
  /** Open documents by URI and by path. */
  const openByUri = new Map<string, OpenDoc>();
  const openByFile = new Map<string, OpenDoc>();

  let folders: WorkspaceFolderInfo[] = [];
  let caps: Capabilities = {
    configuration: false,
    relatedInformation: false,
    dynamicWatchedFiles: false,
    dynamicConfiguration: false,
    workspaceFolders: false,
    workDoneProgress: false,
  };
  /** Settings pushed by didChangeConfiguration, for clients without workspace/configuration. */
  let pushedSettings: unknown = undefined;
  /** false in an untrusted workspace (initializationOptions.trusted): read only inside the folders, never generate. */
  let trusted = true;
  let options: Partial<EngineOptions> = {};
  let engine = new Engine(fs, options);

  /** Settles once `initialized` has been handled and the first index is built (or failed). */
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });

  let indexGeneration = 0;
  let indexing: Promise<void> | undefined;
  /** Paths the watcher reported while an index was being built (re-applied to the new engine). */
  let changedDuringIndex: Set<string> | undefined;

  /**
   * Open buffers whose latest text the engine has not read yet: a keystroke only records the text, and the
   * engine parses it when diagnostics or a request need it, so a burst of edits costs one parse, not one each.
   * `true` when the buffer was just opened (the disk's version of the file is then forgotten first).
   */
  const unapplied = new Map<string, boolean>();
  const pendingPublish = new Set<string>();
  let publishTimer: NodeJS.Timeout | undefined;
  const countsCache = new Map<string, { errors: number; warnings: number }>();
  let shuttingDown = false;
  let settingsLoaded = false;
  let configReindexTimer: NodeJS.Timeout | undefined;
  /** Each config's exclude as the workspace was last read with it (excludeKey); a config not in it had none. */
  let indexedExcludes = new Map<string, string>();
  /** Configs changed since the last index, whose exclude may differ from indexedExcludes; true: re-read anyway (.git). */
  const configsToCompare = new Set<string>();
  let reindexForced = false;
  /** Configs whose rootDir/pathMappings Restricted Mode ignores, already noted in the log. */
  const restrictedNoted = new Set<string>();

  // ---------------------------------------------------------------- helpers

  function logError(what: string, err: unknown): void {
    try {
      connection.console.error(`kube-pki: ${what} failed: ${errorSummary(err)}`);
    } catch {
      // the connection is gone
    }
  }

  function guard<T>(what: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (err) {
      logError(what, err);
      return fallback;
    }
  }

  function folderPaths(): string[] {
    return folders.map((f) => f.path);
  }

  function uriOf(file: string): string {
    return openByFile.get(file)?.uri ?? pathToUri(file);
  }

  /** The engine's path for a document URI; undefined for schemes we do not check. */
  function fileOfUri(uri: string): string | undefined {
    if (isFileUri(uri)) return uriToPath(uri);
    if (isUntitledUri(uri)) return untitledPath(uri, folders[0]?.path);
    return undefined;
  }

  /** Below .git, node_modules and the like (judged inside the workspace folder, not above it). */
  function isSkippedPath(file: string): boolean {
    const folder = folderPaths().find((f) => isWithin(f, file));
    const rel = folder ? path.relative(folder, file) : file;
    return rel.split(/[\\/]/).some((seg) => SKIP_DIRS.has(seg));
  }

  /** Gives the engine the buffers edited since it last looked; every use of the engine goes through here. */
  function current(): Engine {
    if (unapplied.size === 0) return engine;
    const edits = [...unapplied];
    unapplied.clear();
    for (const [file, opening] of edits) {
      const text = openTexts.get(file);
      if (text === undefined) continue;
      const before = affectedOpen(file);
      // On open the buffer may differ from the disk (or exist only in the editor): forget what was read.
      // Later edits only need updateDocument, which drops this file's cached material itself.
      if (opening) guard('fileChanged', () => engine.fileChanged(file), undefined);
      guard('updateDocument', () => updateOpenText(engine, file, text), undefined);
      const after = affectedOpen(file);
      invalidateCounts([file, ...before, ...after, ...guard('affectedBy', () => engine.affectedBy(file), [] as string[])]);
      schedulePublish([file, ...before, ...after]);
      if (policy.isConfigName(file)) configChanged([file]);
    }
    return engine;
  }

  /** What of a config decides which files are read: its exclude globs and the folder they are relative to. */
  function excludeKey(c: policy.PolicyConfig): string {
    return c.exclude.length ? `${c.globBase}\0${c.exclude.map((g) => g.pattern).join('\0')}` : '';
  }

  function currentExcludes(): Map<string, string> {
    const out = new Map<string, string>();
    for (const c of guard('configs', () => engine.loadedConfigs(), [] as policy.PolicyConfig[])) {
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
  function configChanged(files: Iterable<string>, force = false): void {
    countsCache.clear();
    publishAllOpen();
    for (const f of files) configsToCompare.add(f);
    reindexForced ||= force;
    if (configReindexTimer) clearTimeout(configReindexTimer);
    configReindexTimer = setTimeout(() => {
      configReindexTimer = undefined;
      if (shuttingDown) return;
      const now = currentExcludes();
      const moved = reindexForced || [...configsToCompare].some((f) => (now.get(f) ?? '') !== (indexedExcludes.get(f) ?? ''));
      configsToCompare.clear();
      reindexForced = false;
      if (moved) void reindex();
    }, CONFIG_REINDEX_DELAY_MS);
  }

  /** In Restricted Mode a config's rootDir and pathMappings are ignored: said once per config in the log. */
  function noteRestrictedConfigs(): void {
    if (trusted) return;
    for (const c of guard('configs', () => engine.loadedConfigs(), [] as policy.PolicyConfig[])) {
      const ignored = policy.ignoredInRestrictedMode(c.settings);
      if (ignored.length === 0 || restrictedNoted.has(c.file)) continue;
      restrictedNoted.add(c.file);
      connection.console.info(
        `kube-pki: Restricted Mode: ${ignored.join(' and ')} of ${c.file} ${ignored.length > 1 ? 'are' : 'is'} ignored until the workspace is trusted (a repository must not steer what kube-pki reads)`,
      );
    }
  }

  function affectedOpen(file: string): string[] {
    const out: string[] = [];
    for (const f of guard('affectedBy', () => engine.affectedBy(file), [] as string[])) {
      if (openByFile.has(f)) out.push(f);
    }
    return out;
  }

  function invalidateCounts(files: Iterable<string>): void {
    for (const f of files) countsCache.delete(f);
  }

  /** Reads a file (through the overlay, within the engine's bounds) into an engine; anything unreadable or binary is no document. */
  function loadFile(target: Engine, file: string): void {
    const r = target.fileSystem.readFile(file, MAX_CONFIG_BYTES);
    if (!r.ok) {
      target.removeDocument(file);
      return;
    }
    const head = r.data.subarray(0, 8192);
    if (head.includes(0)) {
      target.removeDocument(file);
      return;
    }
    target.updateDocument(file, r.data.toString('utf8'));
  }

  function updateOpenText(target: Engine, file: string, text: string): void {
    // Markdown reaches the server for hovers on pasted PEM only: a kubeconfig quoted in a README is no config.
    if (/\.(md|markdown)$/i.test(file)) {
      target.removeDocument(file);
      return;
    }
    // Over MAX_CONFIG_BYTES the engine does not parse it, and says so when it reads like a config.
    target.updateDocument(file, text);
  }

  // ---------------------------------------------------------------- diagnostics

  function checkFile(file: string): Finding[] {
    return guard('check', () => current().check(file), [] as Finding[]);
  }

  function countOf(findings: Finding[]): { errors: number; warnings: number } {
    let errors = 0;
    let warnings = 0;
    for (const f of findings) {
      if (f.severity === 'error') errors++;
      else if (f.severity === 'warning') warnings++;
    }
    return { errors, warnings };
  }

  function schedulePublish(files: Iterable<string>): void {
    // Open documents, and .kube-pki.yaml files open or not (their config-invalid diagnostics).
    for (const f of files) if (openByFile.has(f) || policy.isConfigName(f)) pendingPublish.add(f);
    // Before the settings are known a rootDir or path mapping may be missing: no false alarms meanwhile.
    if (pendingPublish.size === 0 || publishTimer || shuttingDown || !settingsLoaded) return;
    // Not reset by later changes: a burst of keystrokes still publishes within PUBLISH_DELAY_MS.
    publishTimer = setTimeout(() => {
      publishTimer = undefined;
      void publishPending();
    }, PUBLISH_DELAY_MS);
  }

  function publishAllOpen(): void {
    schedulePublish(openByFile.keys());
    schedulePublish(guard('configs', () => engine.loadedConfigs().map((c) => c.file), [] as string[]));
  }

  async function publishPending(): Promise<void> {
    current();
    // What current() just scheduled is published now.
    if (publishTimer) clearTimeout(publishTimer);
    publishTimer = undefined;
    const files = [...pendingPublish];
    pendingPublish.clear();
    for (let i = 0; i < files.length; i++) {
      if (unapplied.size > 0) {
        // A newer edit came in while this round was sending: the rest waits for the round it scheduled,
        // instead of being checked against a text that is already stale.
        schedulePublish(files.slice(i));
        break;
      }
      const file = files[i];
      const doc = openByFile.get(file) ?? (policy.isConfigName(file) ? { uri: pathToUri(file), file } : undefined);
      if (!doc) continue;
      const findings = checkFile(file);
      if (openByFile.has(file)) countsCache.set(file, countOf(findings));
      const diagnostics: Diagnostic[] = [];
      for (const f of findings) {
        const d = guard(
          'diagnostic',
          () =>
            toDiagnostic(f, {
              relatedInformation: caps.relatedInformation,
              uriOf,
              displayOf: (p) => displayPath(p, folderPaths()),
            }),
          undefined,
        );
        if (d) diagnostics.push(d);
      }
      const version = documents.get(doc.uri)?.version;
      try {
        await connection.sendDiagnostics({ uri: doc.uri, version, diagnostics });
      } catch (err) {
        logError('publishDiagnostics', err);
      }
    }
    scheduleSummary();
  }

  let summaryRun: Promise<Summary> | undefined;

  /** Errors and warnings over every recognised document, checked in slices so the server keeps answering. */
  let summaryQueued: Promise<Summary> | undefined;
  function computeSummary(): Promise<Summary> {
    if (summaryRun) {
      // One more run after the current one serves every caller that arrives meanwhile.
      summaryQueued ??= summaryRun.then(() => {
        summaryQueued = undefined;
        return computeSummary();
      });
      return summaryQueued;
    }
    const run = (async () => {
      const docs = guard('documents', () => current().documents(), [] as string[]);
      const s: Summary = { errors: 0, warnings: 0, files: docs.length, filesWithProblems: 0 };
      const due = slicer();
      for (const file of docs) {
        let c = countsCache.get(file);
        if (!c) {
          c = countOf(checkFile(file));
          countsCache.set(file, c);
          if (due()) await yieldToEventLoop();
        }
        s.errors += c.errors;
        s.warnings += c.warnings;
        if (c.errors + c.warnings > 0) s.filesWithProblems++;
      }
      return s;
    })();
    summaryRun = run;
    return run.finally(() => {
      summaryRun = undefined;
    });
  }

  let summaryTimer: NodeJS.Timeout | undefined;
  let summaryFirstAsked = 0;
  /**
   * kubePki/summaryChanged follows each publish round, coalesced: a keystroke can invalidate every
   * document's counts, and re-counting the whole workspace per keystroke would only burn CPU.
   */
  function scheduleSummary(): void {
    if (shuttingDown) return;
    const now = Date.now();
    if (summaryTimer) clearTimeout(summaryTimer);
    else summaryFirstAsked = now;
    const wait = Math.max(0, Math.min(SUMMARY_DELAY_MS, summaryFirstAsked + SUMMARY_MAX_WAIT_MS - now));
    summaryTimer = setTimeout(() => {
      summaryTimer = undefined;
      void sendSummary();
    }, wait);
  }

  async function sendSummary(): Promise<void> {
    try {
      const s = await computeSummary();
      if (!shuttingDown) await connection.sendNotification(SUMMARY_NOTIFICATION, s);
    } catch (err) {
      logError('summary', err);
    }
  }

  // ---------------------------------------------------------------- settings and indexing

  async function readSettings(): Promise<Partial<EngineOptions>> {
    let perFolder: Array<{ folder: WorkspaceFolderInfo | undefined; settings: FolderSettings }>;
    const targets: Array<WorkspaceFolderInfo | undefined> = folders.length > 0 ? folders : [undefined];
    if (caps.configuration) {
      let answers: unknown[] = [];
      try {
        const request = connection.sendRequest(ConfigurationRequest.type, {
          items: targets.map((f) => (f ? { scopeUri: f.uri, section: 'kubePki' } : { section: 'kubePki' })),
        });
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<null>((resolve) => {
          timer = setTimeout(() => resolve(null), CONFIGURATION_TIMEOUT_MS);
        });
        const result = await Promise.race([request, timeout]);
        clearTimeout(timer);
        if (result === null) connection.console.warn('kube-pki: workspace/configuration got no answer; using defaults');
        answers = Array.isArray(result) ? result : [];
      } catch (err) {
        logError('workspace/configuration', err);
      }
      perFolder = targets.map((folder, i) => ({ folder, settings: sanitizeSettings(answers[i]) }));
    } else {
      const s = pushedSettings === undefined ? defaultSettings : sanitizeSettings(pushedSettings);
      perFolder = targets.map((folder) => ({ folder, settings: s }));
    }
    return toEngineOptions(perFolder, folders, trusted);
  }

  async function applySettings(): Promise<void> {
    options = await readSettings();
    guard('setOptions', () => current().setOptions(options), undefined);
    countsCache.clear();
  }

  async function beginProgress(title: string) {
    if (!caps.workDoneProgress) return undefined;
    try {
      const p = await connection.window.createWorkDoneProgress();
      p.begin(title, 0, undefined, false);
      return p;
    } catch {
      return undefined;
    }
  }

  /** Builds a fresh engine from the workspace folders in the background, then swaps it in. */
  function reindex(): Promise<void> {
    const generation = ++indexGeneration;
    const run = (async () => {
      const started = Date.now();
      const next = new Engine(fs, options);
      // The exclude of a config whose YAML is broken mid-edit stays the last valid one in the new engine too.
      guard('carryConfigsFrom', () => next.carryConfigsFrom(engine), undefined);
      changedDuringIndex = new Set();
      const progress = await beginProgress('Kube PKI: indexing');
      let files: string[] = [];
      // What the configs exclude is not walked: it is neither read nor counted toward the bound on files.
      const excluded = (p: string, isFolder: boolean) => next.excludedBy(p, isFolder) !== undefined;
      for (const folder of folderPaths()) {
        files.push(...guard('discoverFiles', () => discoverFiles(next.fileSystem, [folder], undefined, excluded), [] as string[]));
        await yieldToEventLoop();
        if (generation !== indexGeneration) return progress?.done();
      }
      files = [...new Set(files)];
      const due = slicer();
      for (let i = 0; i < files.length; i++) {
        guard('index', () => loadFile(next, files[i]), undefined);
        if (due()) {
          progress?.report(Math.round((100 * (i + 1)) / files.length), `${i + 1}/${files.length} files`);
          await yieldToEventLoop();
          if (generation !== indexGeneration) return progress?.done();
        }
      }
      // Open buffers win (also those outside the workspace folders), then what changed meanwhile.
      for (const [file, text] of openTexts) guard('index', () => updateOpenText(next, file, text), undefined);
      for (const file of changedDuringIndex) {
        guard('index', () => next.fileChanged(file), undefined);
        if (!openTexts.has(file) && files.includes(file)) guard('index', () => loadFile(next, file), undefined);
      }
      changedDuringIndex = undefined;
      guard('setOptions', () => next.setOptions(options), undefined);
      // Every open buffer's latest text went into the new engine above.
      unapplied.clear();
      engine = next;
      indexedExcludes = currentExcludes();
      countsCache.clear();
      progress?.done();
      connection.console.info(
        `kube-pki: indexed ${files.length} candidate files in ${folders.length} folder(s), ` +
          `${guard('documents', () => engine.documents().length, 0)} recognised, in ${Date.now() - started} ms`,
      );
      noteRestrictedConfigs();
      publishAllOpen();
      scheduleSummary();
    })();
    const tracked = run.catch((err) => logError('indexing', err));
    indexing = tracked.finally(() => {
      if (generation === indexGeneration) indexing = undefined;
    });
    return tracked;
  }

  async function whenIndexed(): Promise<void> {
    await ready;
    while (indexing) await indexing;
  }

  async function recheckWorkspace(): Promise<Summary> {
    await applySettings();
    await reindex();
    await whenIndexed();
    await publishPending();
    return computeSummary();
  }

  // ---------------------------------------------------------------- lifecycle

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    const c = params.capabilities ?? {};
    caps = {
      configuration: c.workspace?.configuration === true,
      relatedInformation: c.textDocument?.publishDiagnostics?.relatedInformation === true,
      dynamicWatchedFiles: c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
      dynamicConfiguration: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
      workspaceFolders: c.workspace?.workspaceFolders === true,
      workDoneProgress: c.window?.workDoneProgress === true,
    };
    folders = toFolders(params.workspaceFolders, params.rootUri, params.rootPath);
    const init = params.initializationOptions as InitializationOptions | undefined;
    pushedSettings = init?.settings;
    trusted = init?.trusted !== false;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        executeCommandProvider: { commands: [SERVER_RECHECK_COMMAND] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
        ...featureCapabilities,
        ...generationCapabilities,
      },
      serverInfo: { name: 'kube-pki', version: pkg.version },
    };
  });

  connection.onInitialized(async () => {
    try {
      if (caps.dynamicWatchedFiles) {
        await connection.client
          .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*' }] })
          .catch((err) => logError('register didChangeWatchedFiles', err));
      }
      if (caps.dynamicConfiguration) {
        await connection.client
          .register(DidChangeConfigurationNotification.type, { section: 'kubePki' })
          .catch((err) => logError('register didChangeConfiguration', err));
      }
      if (caps.workspaceFolders) {
        guard(
          'workspace folders',
          () =>
            connection.workspace.onDidChangeWorkspaceFolders((e) => {
              const removed = new Set(e.removed.map((f) => f.uri));
              const kept = folders.filter((f) => !removed.has(f.uri));
              folders = [...kept, ...toFolders(e.added, null, null)];
              void applySettings().then(() => reindex());
            }),
          undefined,
        );
      }
      connection.console.info(
        `kube-pki ${pkg.version}: workspace ${folderPaths().join(', ') || '(none)'}${trusted ? '' : ' (Restricted Mode: nothing outside it is read)'}; server pid ${process.pid}`,
      );
      await applySettings();
      settingsLoaded = true;
      // Open documents are checked right away; the index of the workspace follows and re-publishes them.
      publishAllOpen();
      await reindex();
    } catch (err) {
      logError('initialized', err);
    } finally {
      settingsLoaded = true;
      markReady();
      publishAllOpen();
    }
  });

  connection.onShutdown(() => {
    shuttingDown = true;
    if (publishTimer) clearTimeout(publishTimer);
    publishTimer = undefined;
    if (summaryTimer) clearTimeout(summaryTimer);
    summaryTimer = undefined;
    if (configReindexTimer) clearTimeout(configReindexTimer);
    configReindexTimer = undefined;
    indexGeneration++;
  });

  // ---------------------------------------------------------------- documents

  documents.onDidChangeContent((e) => {
    guard(
      'didChange',
      () => {
        const uri = e.document.uri;
        const file = fileOfUri(uri);
        if (!file) return;
        const opening = !openByUri.has(uri);
        const doc: OpenDoc = { uri, file };
        openByUri.set(uri, doc);
        openByFile.set(file, doc);
        openTexts.set(file, e.document.getText());
        // The engine reads the text when it is next asked (current()): newer edits replace older ones unparsed.
        unapplied.set(file, opening || unapplied.get(file) === true);
        countsCache.delete(file);
        schedulePublish([file]);
      },
      undefined,
    );
  });

  documents.onDidClose((e) => {
    guard(
      'didClose',
      () => {
        const uri = e.document.uri;
        const doc = openByUri.get(uri);
        current();
        openByUri.delete(uri);
        if (!doc) return;
        const file = doc.file;
        // Another URI spelling of the same file may still be open.
        const other = [...openByUri.values()].find((d) => d.file === file);
        if (other) {
          openByFile.set(file, other);
        } else {
          openByFile.delete(file);
          openTexts.delete(file);
        }
        pendingPublish.delete(file);
        void connection.sendDiagnostics({ uri, diagnostics: [] }).catch((err) => logError('publishDiagnostics', err));
        if (other) return;
        const before = affectedOpen(file);
        const beforeAll = guard('affectedBy', () => engine.affectedBy(file), [] as string[]);
        guard('fileChanged', () => engine.fileChanged(file), undefined);
        // Back to what the disk says: re-read a workspace file, forget anything else.
        const st = isFileUri(uri) ? baseFs.stat(file) : { kind: 'missing' as const };
        const inWorkspace = folderPaths().some((f) => isWithin(f, file)) && !isSkippedPath(file) && isCandidateName(file);
        if (st.kind === 'file' && inWorkspace) guard('reload', () => loadFile(engine, file), undefined);
        else guard('removeDocument', () => engine.removeDocument(file), undefined);
        invalidateCounts([file, ...beforeAll, ...guard('affectedBy', () => engine.affectedBy(file), [] as string[])]);
        schedulePublish([...before, ...affectedOpen(file)]);
        // A config keeps its diagnostics closed; unsaved edits discarded may change what it excludes.
        if (policy.isConfigName(file)) {
          schedulePublish([file]);
          configChanged([file]);
        }
        scheduleSummary();
      },
      undefined,
    );
  });

  // ---------------------------------------------------------------- the disk

  connection.onDidChangeWatchedFiles((params) => {
    guard(
      'didChangeWatchedFiles',
      () => {
        const toPublish = new Set<string>();
        const toInvalidate = new Set<string>();
        const seen = new Set<string>();
        const known = new Set(guard('documents', () => current().documents(), [] as string[]));
        for (const change of params.changes ?? []) {
          const file = uriToPath(change.uri);
          if (!file || seen.has(`${change.type}:${file}`)) continue;
          seen.add(`${change.type}:${file}`);
          changedDuringIndex?.add(file);
          const touched = new Set<string>([file]);
          if (change.type === FileChangeType.Deleted) {
            // A deleted folder takes every document below it along.
            for (const d of known) {
              if (d !== file && isWithin(file, d) && !openTexts.has(d)) touched.add(d);
            }
          } else if (baseFs.stat(file).kind === 'directory') {
            const excluded = (p: string, isFolder: boolean) => engine.excludedBy(p, isFolder) !== undefined;
            if (!excluded(file, true)) {
              for (const d of guard('discoverFiles', () => discoverFiles(engine.fileSystem, [file], undefined, excluded), [] as string[])) touched.add(d);
            }
          }
          for (const f of touched) {
            for (const a of guard('affectedBy', () => engine.affectedBy(f), [] as string[])) toInvalidate.add(a);
            // A save of an open buffer changes nothing the engine sees (the buffer already wins).
            if (openTexts.has(f) && change.type === FileChangeType.Changed) continue;
            guard('fileChanged', () => engine.fileChanged(f), undefined);
            if (!openTexts.has(f)) {
              const st = baseFs.stat(f);
              if (st.kind === 'file' && !isSkippedPath(f) && (known.has(f) || isCandidateName(f))) {
                guard('reload', () => loadFile(engine, f), undefined);
              } else if (st.kind !== 'directory' && known.has(f)) {
                guard('removeDocument', () => engine.removeDocument(f), undefined);
              }
            }
            toInvalidate.add(f);
            for (const a of guard('affectedBy', () => engine.affectedBy(f), [] as string[])) toInvalidate.add(a);
          }
        }
        const configs = (params.changes ?? []).map((ch) => uriToPath(ch.uri)).filter((f): f is string => !!f && (policy.isConfigName(f) || path.basename(f) === '.git'));
        if (configs.length) {
          // Its own diagnostics (config-invalid, or none once it is gone), then everything it governs.
          for (const f of configs) if (policy.isConfigName(f)) toPublish.add(f);
          configChanged(
            configs.filter((f) => policy.isConfigName(f)),
            configs.some((f) => path.basename(f) === '.git'),
          );
        }
        if (params.changes?.some((ch) => ch.type !== FileChangeType.Changed)) {
          // A new file can satisfy a reference that resolved to nothing, which no dependency recorded, and a
          // deleted folder takes files along that were never reported one by one: re-check everything
          // (creations and deletions are rare, and only open documents are published).
          countsCache.clear();
          for (const f of openByFile.keys()) toPublish.add(f);
        }
        invalidateCounts(toInvalidate);
        for (const f of toInvalidate) if (openByFile.has(f)) toPublish.add(f);
        schedulePublish(toPublish);
        if (configs.length) noteRestrictedConfigs();
        if (toInvalidate.size > 0) scheduleSummary();
      },
      undefined,
    );
  });

  connection.onNotification(TRUST_NOTIFICATION, async () => {
    if (trusted) return;
    try {
      trusted = true;
      restrictedNoted.clear();
      connection.console.info('kube-pki: the workspace is trusted now: reading outside the workspace folders again');
      await whenIndexed();
      await applySettings();
      await reindex();
    } catch (err) {
      logError('workspaceTrusted', err);
    }
  });

  connection.onDidChangeConfiguration(async (params) => {
    try {
      const s = (params?.settings as { kubePki?: unknown } | undefined)?.kubePki;
      if (s !== undefined) pushedSettings = s;
      await applySettings();
      publishAllOpen();
      scheduleSummary();
    } catch (err) {
      logError('didChangeConfiguration', err);
    }
  });

  // ---------------------------------------------------------------- requests

  connection.onRequest(SUMMARY_REQUEST, async () => {
    try {
      await whenIndexed();
      return await computeSummary();
    } catch (err) {
      logError('summary', err);
      return { errors: 0, warnings: 0, files: 0, filesWithProblems: 0 };
    }
  });

  connection.onExecuteCommand(async (params) => {
    try {
      if (params.command === RECHECK_COMMAND || params.command === SERVER_RECHECK_COMMAND) {
        connection.console.info('kube-pki: re-checking the workspace');
        return await recheckWorkspace();
      }
      connection.console.warn(`kube-pki: unknown command ${params.command}`);
      return null;
    } catch (err) {
      logError('executeCommand', err);
      return null;
    }
  });

  // Hover, CodeLens, links, outline, folding and kubePki/decode (server/src/lsp/features/).
  const featureHost: FeatureHost = {
    engine: current,
    document: (uri) => {
      const doc = documents.get(uri);
      const file = doc ? fileOfUri(uri) : undefined;
      return doc && file ? { file, text: doc.getText(), offsetAt: (p) => doc.offsetAt(p) } : undefined;
    },
    fileOfUri,
    // An open buffer's own URI (an untitled one too), else the file's.
    pathToUri: uriOf,
    whenReady: whenIndexed,
    logError,
  };
  registerFeatures(connection, featureHost);

  // Quick fixes and the generation commands (server/src/lsp/features/generate.ts).
  const generation = registerGeneration(connection, {
    engine: current,
    fs,
    diskFs: baseFs,
    fileOfUri,
    // An open buffer's own URI (an untitled one too), else the file's.
    pathToUri: uriOf,
    folders: folderPaths,
    trusted: () => trusted,
    whenReady: whenIndexed,
    logError,
    afterWrite: (written) => {
      current();
      for (const f of written) {
        guard('fileChanged', () => engine.fileChanged(f), undefined);
        if (!openTexts.has(f) && isCandidateName(f)) guard('reload', () => loadFile(engine, f), undefined);
      }
      countsCache.clear();
      publishAllOpen();
      scheduleSummary();
    },
  });

  // One code action handler: generating or re-issuing (trusted workspaces only), then the ignore comments.
  connection.onCodeAction(async (params) => {
    const generated = await generation.codeActions(params);
    let ignores: ReturnType<typeof ignoreCodeActions> = [];
    try {
      await whenIndexed();
      ignores = ignoreCodeActions(params, featureHost);
    } catch (err) {
      logError('codeAction', err);
    }
    return [...generated, ...ignores];
  });

  documents.listen(connection);
  connection.listen();
}

function toFolders(
  workspaceFolders: WorkspaceFolder[] | null | undefined,
  rootUri: string | null | undefined,
  rootPath: string | null | undefined,
): WorkspaceFolderInfo[] {
  const out: WorkspaceFolderInfo[] = [];
  const add = (uri: string, name: string | undefined) => {
    const p = uriToPath(uri);
    if (!p || out.some((f) => f.path === p)) return;
    out.push({ uri, path: p, name: name ?? path.basename(p) });
  };
  if (workspaceFolders && workspaceFolders.length > 0) {
    for (const f of workspaceFolders) add(f.uri, f.name);
  } else if (rootUri) {
    add(rootUri, undefined);
  } else if (rootPath) {
    add(pathToUri(path.resolve(rootPath)), undefined);
  }
  return out;
}
