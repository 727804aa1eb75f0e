// Documents and file events: the editor's buffers opening, changing and closing (textDocument/didOpen,
// didChange, didClose through TextDocuments), and the files on disk (workspace/didChangeWatchedFiles). Each tells
// the engine what changed, marks stale what depends on it, and schedules the open documents that may read
// differently now; a .kube-pki.yaml (or a `.git`) also goes to the index (WorkspaceIndex.configChanged).
import * as path from 'node:path';
import { FileChangeType, type Connection } from 'vscode-languageserver/node';
import { discoverFiles, isCandidateName, isJsonCandidate, isWithin, policy } from '../../engine';
import { handle, type Log } from '../guard';
import type { WorkspaceIndex } from '../indexer';
import type { Publisher } from '../publisher';
import type { WorkspaceState } from '../state';
import { isFileUri, uriToPath } from '../uris';

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
        // The engine reads the text when it is next asked (state.current()).
        state.bufferChanged(uri, file, e.document.getText());
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

  connection.onDidChangeWatchedFiles(
    handle(
      log,
      'didChangeWatchedFiles',
      () => undefined,
      (params) => {
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
          index.noteChanged(file);
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
        const configs = [...touchedAll].filter((f) => policy.isConfigName(f) || path.basename(f) === '.git');
        if (configs.length) {
          // Its own diagnostics (config-invalid, or none once it is gone), then everything it governs.
          for (const f of configs) if (policy.isConfigName(f)) toPublish.add(f);
          index.configChanged(
            configs.filter((f) => policy.isConfigName(f)),
            configs.some((f) => path.basename(f) === '.git'),
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
    ),
  );
}
