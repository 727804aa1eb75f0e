// The server's lifecycle and the workspace around it: initialize (what the client can do, the folders, the
// trust and settings it sends along; answered with the server's capabilities), initialized (watchers and
// settings registered, the settings read, the open documents checked, the workspace indexed), shutdown,
// workspace folders added or removed, the workspace trusted (kubePki/workspaceTrusted), and the settings changed.
import * as path from 'node:path';
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type Connection,
  type InitializeError,
  type InitializeResult,
  type ServerCapabilities,
  type WorkspaceFolder,
} from 'vscode-languageserver/node';
import { TRUST_NOTIFICATION, type InitializationOptions } from '../../../../shared/protocol';
import { handle, type Log } from '../guard';
import type { WorkspaceIndex } from '../indexer';
import type { Publisher } from '../publisher';
import type { WorkspaceFolderInfo } from '../settings';
import type { WorkspaceState } from '../state';
import { pathToUri, uriToPath } from '../uris';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../../../../package.json') as { version: string };

/** `capabilities`: what the other handlers provide, announced in initialize. */
export function registerLifecycle(
  connection: Connection,
  state: WorkspaceState,
  publisher: Publisher,
  index: WorkspaceIndex,
  log: Log,
  capabilities: ServerCapabilities,
): void {
  connection.onInitialize(
    handle(
      log,
      'initialize',
      () => new ResponseError<InitializeError>(ErrorCodes.InternalError, 'kube-pki could not start (see its output)', { retry: false }),
      (params): InitializeResult => {
        const c = params.capabilities ?? {};
        state.caps = {
          configuration: c.workspace?.configuration === true,
          relatedInformation: c.textDocument?.publishDiagnostics?.relatedInformation === true,
          dynamicWatchedFiles: c.workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
          dynamicConfiguration: c.workspace?.didChangeConfiguration?.dynamicRegistration === true,
          workspaceFolders: c.workspace?.workspaceFolders === true,
          workDoneProgress: c.window?.workDoneProgress === true,
          codeLensRefresh: c.workspace?.codeLens?.refreshSupport === true,
        };
        state.folders = toFolders(params.workspaceFolders, params.rootUri, params.rootPath);
        const init = params.initializationOptions as InitializationOptions | undefined;
        state.pushedSettings = init?.settings;
        state.trusted = init?.trusted !== false;
        return {
          capabilities: {
            textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
            workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
            ...capabilities,
          },
          serverInfo: { name: 'kube-pki', version: pkg.version },
        };
      },
    ),
  );

  connection.onInitialized(
    handle(
      log,
      'initialized',
      () => undefined,
      async () => {
        try {
          if (state.caps.dynamicWatchedFiles) {
            await connection.client
              .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*' }] })
              .catch((err) => log.error('register didChangeWatchedFiles', err));
          }
          if (state.caps.dynamicConfiguration) {
            await connection.client
              .register(DidChangeConfigurationNotification.type, { section: 'kubePki' })
              .catch((err) => log.error('register didChangeConfiguration', err));
          }
          if (state.caps.workspaceFolders) {
            log.guard(
              'workspace folders',
              () =>
                connection.workspace.onDidChangeWorkspaceFolders(
                  handle(
                    log,
                    'workspace folders',
                    () => undefined,
                    async (e) => {
                      const removed = new Set(e.removed.map((f) => f.uri));
                      const kept = state.folders.filter((f) => !removed.has(f.uri));
                      state.folders = [...kept, ...toFolders(e.added, null, null)];
                      await index.applySettings();
                      await index.reindex();
                    },
                  ),
                ),
              undefined,
            );
          }
          log.info(
            `kube-pki ${pkg.version}: workspace ${state.folderPaths().join(', ') || '(none)'}${state.trusted ? '' : ' (Restricted Mode: nothing outside it is read)'}; server pid ${process.pid}`,
          );
          await index.applySettings();
          state.settingsLoaded = true;
          // Open documents are checked right away; the index of the workspace follows and re-publishes them.
          publisher.scheduleAll();
          await index.reindex();
        } finally {
          state.settingsLoaded = true;
          state.markReady();
          publisher.scheduleAll();
        }
      },
    ),
  );

  connection.onShutdown(
    handle(
      log,
      'shutdown',
      () => undefined,
      () => {
        state.shuttingDown = true;
        publisher.stop();
        index.stop();
      },
    ),
  );

  connection.onNotification(
    TRUST_NOTIFICATION,
    handle(
      log,
      'workspaceTrusted',
      () => undefined,
      async () => {
        if (state.trusted) return;
        await index.trustGranted();
      },
    ),
  );

  connection.onDidChangeConfiguration(
    handle(
      log,
      'didChangeConfiguration',
      () => undefined,
      async (params) => {
        const s = (params?.settings as { kubePki?: unknown } | undefined)?.kubePki;
        if (s !== undefined) state.pushedSettings = s;
        await index.applySettings();
        publisher.scheduleAll();
        publisher.scheduleSummary();
      },
    ),
  );
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
