// The language server: a thin adapter that feeds editor buffers and workspace files to the engine and turns its
// findings into diagnostics. It knows nothing about certificates itself. Its parts:
//   state.ts        the workspace: the engine, the open buffers (handed to the engine by current()), the folders,
//                   the client's capabilities, trust, settings, readiness
//   publisher.ts    diagnostics (debounced publish rounds) and the workspace summary (kubePki/summaryChanged)
//   indexer.ts      the index of the workspace (a fresh engine swapped in), settings applied, configs' excludes
//   settings.ts     the kubePki settings -> engine options; Restricted Mode
//   guard.ts        the error guard every handler goes through (logged without message text, answered with a fallback)
//   handlers/       one file per family of requests and notifications:
//     lifecycle.ts     initialize, initialized, shutdown, workspace folders, trust, settings changed
//     documents.ts     buffers opened, changed, closed; files changed on disk
//     viewing.ts       hover, CodeLens, document links, outline, folding, kubePki/decode
//     codeActions.ts   quick fixes: generate or re-issue, ignore comments
//     generation.ts    kubePki/generate/plan, /apply, /defaults
//     rotation.ts      kubePki/rotate/plan, /apply (Kube PKI: Rotate CA…)
//     inventory.ts     kubePki/inventory (the PKI tree and the expiry timeline)
//     example.ts       kubePki/example/create (the example cluster, written into a new folder)
//     commands.ts      kubePki/summary and the re-check command
//     probe.ts         kubePki/probe/endpoints, /run (Probe Live Endpoints: what the endpoints serve)
//   diagnostics.ts  Finding -> Diagnostic;  uris.ts  URIs <-> paths;  server.ts  the entry point (stdio or IPC)
import type { Connection } from 'vscode-languageserver/node';
import { isCandidateName, policy } from '../engine';
import { Log } from './guard';
import { WorkspaceIndex } from './indexer';
import { Publisher } from './publisher';
import { WorkspaceState } from './state';
import { codeActionCapabilities, registerCodeActions } from './handlers/codeActions';
import { COMMANDS, registerCommands } from './handlers/commands';
import { registerDocuments } from './handlers/documents';
import { registerExample } from './handlers/example';
import { registerGeneration } from './handlers/generation';
import { registerRotation } from './handlers/rotation';
import { registerInventory } from './handlers/inventory';
import { registerLifecycle } from './handlers/lifecycle';
import { registerProbe } from './handlers/probe';
import { registerViewing, viewingCapabilities } from './handlers/viewing';

export function startServer(connection: Connection): void {
  const log = new Log(connection);
  const state = new WorkspaceState(log);
  const publisher = new Publisher(connection, state, log);
  const index = new WorkspaceIndex(connection, state, publisher, log);

  // An edited buffer, once the engine has read it: what depended on it is stale, the open ones are re-published,
  // and a .kube-pki.yaml may change what the workspace reads.
  state.onEdit = (file, before, after, affected) => {
    publisher.invalidate([file, ...before, ...after, ...affected]);
    publisher.schedule([file, ...before, ...after]);
    if (policy.isConfigName(file)) index.configChanged([file]);
  };

  registerLifecycle(connection, state, publisher, index, log, {
    executeCommandProvider: { commands: COMMANDS },
    ...viewingCapabilities,
    ...codeActionCapabilities,
  });
  registerDocuments(connection, state, publisher, index, log);
  registerViewing(connection, state, log);
  registerInventory(connection, state, log);
  registerProbe(connection, state, log);
  registerExample(connection, state, log);
  registerCommands(connection, state, publisher, index, log);
  const afterWrite = (written: string[]) => {
    // Files were written: the engine re-reads them, and everything is re-checked.
    state.current();
    for (const f of written) {
      state.fileChanged(f);
      if (!state.openTexts.has(f) && isCandidateName(f)) state.reload(f);
    }
    publisher.invalidateAll();
    publisher.scheduleAll();
    publisher.scheduleSummary();
  };
  const generation = registerGeneration(connection, state, log, afterWrite);
  registerRotation(connection, state, log, afterWrite);
  registerCodeActions(connection, state, generation, log);

  state.documents.listen(connection);
  connection.listen();
}
