// Entry point of the kube-pki language server (dist/server.js).
// `node dist/server.js --stdio` for any LSP client; the VS Code extension starts it with --node-ipc.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './kubePkiServer';

const connection = createConnection(ProposedFeatures.all);

// Never die on a bug: log it (no file content, see errorSummary) and keep answering.
process.on('uncaughtException', (err) => {
  try {
    connection.console.error(`kube-pki: unexpected ${err?.name ?? 'error'}\n${(err?.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 8).join('\n')}`);
  } catch {
    // nothing left to tell
  }
});
process.on('unhandledRejection', (reason) => {
  try {
    connection.console.error(`kube-pki: unhandled rejection (${reason instanceof Error ? reason.name : typeof reason})`);
  } catch {
    // nothing left to tell
  }
});

startServer(connection);
