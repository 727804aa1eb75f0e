// Entry point of the kube-pki language server (dist/server.js).
// `node dist/server.js --stdio` for any LSP client; the VS Code extension starts it with --node-ipc.
import { setFlagsFromString } from 'node:v8';
import { createConnection, ProposedFeatures, type Connection } from 'vscode-languageserver/node';
import { startServer } from './kubePkiServer';
import { FrameGuard } from './frameGuard';

// A long-lived server re-parses big documents per keystroke, and each parse leaves ~15 MB of dead syntax tree
// in the old generation: V8's default heap growth then lets the heap triple before collecting it. Growing by
// half keeps the peak near what is live (bench: 300 -> 150 MB over 40 keystrokes in a 2 MB kubeconfig, for
// ~5 ms more per keystroke). Read when the heap grows, so setting it here takes effect.
setFlagsFromString('--heap-growing-percent=50');

/**
 * Over stdio the input goes through a FrameGuard (frameGuard.ts): vscode-jsonrpc's reader stops reading for
 * good after a negative or absurd Content-Length, so such a frame is dropped before it gets there. (Node IPC
 * carries whole messages, no headers: nothing to guard.)
 */
function connect(): Connection {
  if (!process.argv.slice(2).includes('--stdio')) return createConnection(ProposedFeatures.all);
  // Set once the connection exists; the guard is made before it (it is the connection's input).
  // eslint-disable-next-line prefer-const
  let log: ((line: string) => void) | undefined;
  const guard = new FrameGuard({ onDrop: (reason) => log?.(`kube-pki: dropped a message from the client: ${reason}`) });
  process.stdin.pipe(guard);
  const c = createConnection(ProposedFeatures.all, guard, process.stdout);
  log = (line) => c.console.warn(line);
  // What createConnection does for --stdio itself: console output must not corrupt the protocol on stdout.
  console.log = (...args: unknown[]) => c.console.log(args.map(String).join(' '));
  console.info = (...args: unknown[]) => c.console.info(args.map(String).join(' '));
  console.warn = (...args: unknown[]) => c.console.warn(args.map(String).join(' '));
  console.error = (...args: unknown[]) => c.console.error(args.map(String).join(' '));
  console.debug = (...args: unknown[]) => c.console.log(args.map(String).join(' '));
  return c;
}

const connection = connect();

// Never die on a bug: log it (no file content, see errorSummary) and keep answering.
process.on('uncaughtException', (err) => {
  try {
    connection.console.error(
      `kube-pki: unexpected ${err?.name ?? 'error'}\n${(err?.stack ?? '')
        .split('\n')
        .filter((l) => /^\s+at /.test(l))
        .slice(0, 8)
        .join('\n')}`,
    );
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
