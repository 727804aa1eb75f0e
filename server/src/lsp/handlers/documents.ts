// Documents and file events: the editor's buffers opening, changing and closing (textDocument/didOpen,
// didChange, didClose through TextDocuments), and the files on disk (workspace/didChangeWatchedFiles). Each tells
// the engine what changed, marks stale what depends on it, and schedules the open documents that may read
// differently now; a .kube-pki.yaml (or a `.git`) also goes to the index (WorkspaceIndex.configChanged).
// File events are batched: those arriving within WATCH_BATCH_MS are handled together, and a burst (a `git
// checkout` touching thousands of files) is handled in one pass, in slices with turns for the event loop: the
// engine forgets what the files held once (Engine.filesChanged), the files are read again, and everything is
// re-checked once.
import * as path from 'node:path';
import { FileChangeType, type Connection, type FileEvent } from 'vscode-languageserver/node';
import { discoverFiles, isCandidateName, isJsonCandidate, isWithin, policy } from '../../engine';
import { slicer, yieldToEventLoop } from '../slices';
import { handle, type Log } from '../guard';
import type { WorkspaceIndex } from '../indexer';
import type { Publisher } from '../publisher';
import type { WorkspaceState } from '../state';
import { isFileUri, uriToPath } from '../uris';

/** A `.git` (where a repository, and the search for configs, stops) or a `.gitignore`: which files the walk reads. */
const isWalkRule = (f: string) => path.basename(f) === '.git' || path.basename(f) === '.gitignore';

/** File events arriving within this long are handled together. */
const WATCH_BATCH_MS = 30;
/** More events than this in one batch are a burst: one pass for all (bulkChanged), not one per file. */
const BURST = 200;

export function registerDocuments(connection: Connection, state: WorkspaceState, publisher: Publisher, index: WorkspaceIndex, log: Log): void {
  state.documents.onDidChangeContent(
    handle(
      log,
      'didChange',
      () => undefined,
      (e) => {
        const uri = e.document.uri;
        const file = state.fileOfUri(uri);
        if (!file) return;
        // Opened during the first index: the node tree around it is read first (WorkspaceIndex.opened).
        const opening = !state.openByUri.has(uri);
        // The engine reads the text when it is next asked (state.current()).
        state.bufferChanged(uri, file, e.document.getText());
        if (opening) index.opened(file);
        publisher.noteEdited(file);
        publisher.invalidate([file]);
        publisher.schedule([file]);
      },
    ),
  );

  state.documents.onDidClose(
    handle(
      log,
      'didClose',
      () => undefined,
      (e) => {
        const uri = e.document.uri;
        const { doc, stillOpen } = state.bufferClosed(uri);
        if (!doc) return;
        const file = doc.file;
        publisher.forget(file);
        publisher.closed(uri, file);
        // Another URI spelling of the same file is still open: its buffer still wins.
        if (stillOpen) return;
        const before = state.affectedOpen(file);
        const beforeAll = state.affectedBy(file);
        state.fileChanged(file);
        // Back to what the disk says: re-read a workspace file, forget anything else.
        const st = isFileUri(uri) ? state.diskFs.stat(file) : { kind: 'missing' as const };
        if (st.kind === 'file' && state.isIndexed(file)) state.reload(file);
        else state.removeDocument(file);
        publisher.invalidate([file, ...beforeAll, ...state.affectedBy(file)]);
        publisher.schedule([...before, ...state.affectedOpen(file)]);
        // A config keeps its diagnostics closed; unsaved edits discarded may change what it excludes.
        if (policy.isConfigName(file)) {
          publisher.schedule([file]);
          index.configChanged([file]);
        }
        publisher.scheduleSummary();
      },
    ),
  );

  // Events are queued and handled together (see the header).
  let queue: FileEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let bulk: Promise<void> | undefined;
  const flush = () => {
    timer = undefined;
    if (state.shuttingDown || queue.length === 0) return;
    // A burst being handled takes what came meanwhile when it is done.
    if (bulk) return void bulk.then(() => (timer ??= setTimeout(flush, 0)));
    const changes = queue;
    queue = [];
    if (changes.length > BURST) {
      bulk = bulkChanged(changes).finally(() => {
        bulk = undefined;
      });
      return;
    }
    watched({ changes });
  };
  // A request uses the engine: the events received before it are handled first (messages keep their order).
  state.pendingFileEvents = () => {
    if (queue.length === 0 || bulk) return;
    if (timer) clearTimeout(timer);
    flush();
  };
  connection.onDidChangeWatchedFiles(
    handle(
      log,
      'didChangeWatchedFiles',
      () => undefined,
      (params) => {
        for (const change of params.changes ?? []) {
          const file = uriToPath(change.uri);
          // An index being built reads these again at its end.
          if (file) index.noteChanged(file);
          queue.push(change);
        }
        timer ??= setTimeout(flush, WATCH_BATCH_MS);
      },
    ),
  );

  /**
   * A burst of file events: the engine forgets what every touched file held at once, the files are read again (a
   * created folder's candidates included) in slices, and everything is re-checked once.
   */
  const bulkChanged = async (changes: FileEvent[]): Promise<void> => {
    const started = Date.now();
    const engine = state.current();
    const touched = new Map<string, number>();
    const due = slicer();
    for (const change of changes) {
      const file = uriToPath(change.uri);
      if (!file) continue;
      touched.set(file, change.type);
      if (change.type !== FileChangeType.Deleted && state.diskFs.stat(file).kind === 'directory') {
        const excluded = (p: string, isFolder: boolean) => engine.excludedBy(p, isFolder) !== undefined;
        if (!excluded(file, true))
          for (const d of log.guard('discoverFiles', () => discoverFiles(engine.fileSystem, [file], undefined, excluded), [] as string[]))
            touched.set(d, FileChangeType.Created);
      }
      if (due()) await yieldToEventLoop();
    }
    const known = new Set(log.guard('documents', () => engine.documents(), [] as string[]));
    if (changes.some((c) => c.type === FileChangeType.Deleted)) {
      // A deleted folder takes every document below it along.
      const gone = [...touched].filter(([, type]) => type === FileChangeType.Deleted).map(([f]) => f);
      for (const d of known) if (!touched.has(d) && gone.some((g) => isWithin(g, d))) touched.set(d, FileChangeType.Deleted);
    }
    const files = [...touched.keys()].filter((f) => !(state.openTexts.has(f) && touched.get(f) === FileChangeType.Changed));
    log.guard('filesChanged', () => engine.filesChanged(files), undefined);
    for (const f of files) {
      if (!state.openTexts.has(f)) {
        const st = state.diskFs.stat(f);
        if (st.kind === 'file' && !state.isSkippedPath(f) && (known.has(f) || isCandidateName(f) || isJsonCandidate(state.diskFs, f, st.size)))
          state.reload(f);
        else if (st.kind !== 'directory' && known.has(f)) state.removeDocument(f);
      }
      if (due()) await yieldToEventLoop();
      if (state.shuttingDown) return;
    }
    const configs = files.filter((f) => policy.isConfigName(f) || isWalkRule(f));
    if (configs.some((f) => path.basename(f) === '.gitignore')) state.gitignoreChanged();
    if (configs.length) {
      index.configChanged(
        configs.filter((f) => policy.isConfigName(f)),
        configs.some(isWalkRule),
      );
      index.noteRestrictedConfigs();
    }
    publisher.invalidateAll();
    publisher.scheduleAll();
    publisher.scheduleSummary();
    log.info(`kube-pki: ${changes.length} file events handled together in ${Date.now() - started} ms`);
  };

  /** A batch of file events, each followed to what depends on it. */
  const watched = handle(
    log,
    'didChangeWatchedFiles',
    () => undefined,
    (params: { changes: FileEvent[] }) => {
      const toPublish = new Set<string>();
      const toInvalidate = new Set<string>();
      const seen = new Set<string>();
      const known = new Set(log.guard('documents', () => state.current().documents(), [] as string[]));
      const engine = state.engine;
      // Every path the changes touch, a reported folder's files included: a watcher can report a new folder
      // and miss the files written into it at once (inotify watches a folder only once it exists).
      const touchedAll = new Set<string>();
      for (const change of params.changes ?? []) {
        const file = uriToPath(change.uri);
        if (!file || seen.has(`${change.type}:${file}`)) continue;
        seen.add(`${change.type}:${file}`);
        const touched = new Set<string>([file]);
        if (change.type === FileChangeType.Deleted) {
          // A deleted folder takes every document below it along.
          for (const d of known) {
            if (d !== file && isWithin(file, d) && !state.openTexts.has(d)) touched.add(d);
          }
        } else if (state.diskFs.stat(file).kind === 'directory') {
          const excluded = (p: string, isFolder: boolean) => engine.excludedBy(p, isFolder) !== undefined;
          if (!excluded(file, true)) {
            for (const d of log.guard('discoverFiles', () => discoverFiles(engine.fileSystem, [file], undefined, excluded), [] as string[]))
              touched.add(d);
          }
        }
        for (const f of touched) {
          touchedAll.add(f);
          for (const a of state.affectedBy(f)) toInvalidate.add(a);
          // A save of an open buffer changes nothing the engine sees (the buffer already wins).
          if (state.openTexts.has(f) && change.type === FileChangeType.Changed) continue;
          state.fileChanged(f);
          if (!state.openTexts.has(f)) {
            const st = state.diskFs.stat(f);
            if (st.kind === 'file' && !state.isSkippedPath(f) && (known.has(f) || isCandidateName(f) || isJsonCandidate(state.diskFs, f, st.size)))
              state.reload(f);
            else if (st.kind !== 'directory' && known.has(f)) state.removeDocument(f);
          }
          toInvalidate.add(f);
          for (const a of state.affectedBy(f)) toInvalidate.add(a);
        }
      }
      const configs = [...touchedAll].filter((f) => policy.isConfigName(f) || isWalkRule(f));
      if (configs.some((f) => path.basename(f) === '.gitignore')) state.gitignoreChanged();
      if (configs.length) {
        // Its own diagnostics (config-invalid, or none once it is gone), then everything it governs; a .git or a
        // .gitignore changes which files the walk reads: the workspace is read again.
        for (const f of configs) if (policy.isConfigName(f)) toPublish.add(f);
        index.configChanged(
          configs.filter((f) => policy.isConfigName(f)),
          configs.some(isWalkRule),
        );
      }
      if (params.changes?.some((ch) => ch.type !== FileChangeType.Changed)) {
        // A new file can satisfy a reference that resolved to nothing, which no dependency recorded, and a
        // deleted folder takes files along that were never reported one by one: re-check everything
        // (creations and deletions are rare; open documents are published now, the others by the summary's
        // pass, which sends only what changed).
        publisher.invalidateAll();
        for (const f of state.openByFile.keys()) toPublish.add(f);
      }
      publisher.invalidate(toInvalidate);
      for (const f of toInvalidate) if (state.openByFile.has(f)) toPublish.add(f);
      publisher.schedule(toPublish);
      if (configs.length) index.noteRestrictedConfigs();
      if (toInvalidate.size > 0) publisher.scheduleSummary();
    },
  );
}
