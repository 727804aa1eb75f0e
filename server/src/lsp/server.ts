// Entry point of the kube-pki language server (dist/server.js).
// `node dist/server.js --stdio` for any LSP client; the VS Code extension starts it with --node-ipc.
import { setFlagsFromString } from 'node:v8';
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './kubePkiServer';

// A long-lived server re-parses big documents per keystroke, and each parse leaves ~15 MB of dead syntax tree
// in the old generation: V8's default heap growth then lets the heap triple before collecting it. Growing by
// half keeps the peak near what is live (bench: 300 -> 150 MB over 40 keystrokes in a 2 MB kubeconfig, for
// ~5 ms more per keystroke). Read when the heap grows, so setting it here takes effect.
setFlagsFromString('--heap-growing-percent=50');

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
