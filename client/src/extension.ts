// The VS Code side of kube-pki: starts the language server (dist/server.js) and shows its verdict in the
// status bar. All the checking happens in the server.
import * as vscode from 'vscode';
import {
  RECHECK_COMMAND,
  SUMMARY_NOTIFICATION,
  SUMMARY_REQUEST,
  TRUST_NOTIFICATION,
  type InitializationOptions,
  type Summary,
} from '../../shared/protocol';
import { ExecuteCommandRequest, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { registerDecodeCommands } from './decode';
import { registerExampleCommands } from './example';
import { registerGenerateCommands } from './generate';
import { registerRotateCommand } from './rotate';
import { restartingErrorHandler } from './restart';
import { registerPkiExplorer, type PkiExplorerApi } from './pkiTree';
import { registerProbeCommand, type ProbeApi } from './probe';
import { plural } from './words';

const SHOW_OUTPUT_COMMAND = 'kubePki.showOutput';

let client: LanguageClient | undefined;

function showSummary(item: vscode.StatusBarItem, s: Summary | undefined): void {
  showCounts(item, s);
  // A limit of the index that left files out is never silent: a warning sign, the sentences in the tooltip.
  const limits = Array.isArray(s?.limits) ? s.limits.filter((l) => typeof l === 'string') : [];
  if (limits.length) {
    item.text = `${item.text} $(warning)`;
    item.tooltip = `${typeof item.tooltip === 'string' ? item.tooltip : ''}\n\nNot everything was checked:\n${limits.map((l) => `- ${l}`).join('\n')}`;
    item.backgroundColor ??= new vscode.ThemeColor('statusBarItem.warningBackground');
  }
  if (s?.indexing === true && typeof item.tooltip === 'string') item.tooltip += '\n\nIndexing the workspace: the counts are of what was read so far.';
}

function showCounts(item: vscode.StatusBarItem, s: Summary | undefined): void {
  if (!s || typeof s.errors !== 'number' || typeof s.warnings !== 'number') {
    item.text = '$(sync~spin) PKI';
    item.tooltip = 'Kube PKI: checking the workspace…';
    item.backgroundColor = undefined;
  } else if (s.errors === 0 && s.warnings === 0) {
    item.text = '$(pass) PKI';
    item.tooltip = `Kube PKI: no problems in ${plural(s.files ?? 0, 'file')}`;
    item.backgroundColor = undefined;
  } else {
    item.text = `$(shield) PKI: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
    item.tooltip = `Kube PKI: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')} in the workspace — click to open the Problems panel`;
    item.backgroundColor =
      s.errors > 0 ? new vscode.ThemeColor('statusBarItem.errorBackground') : new vscode.ThemeColor('statusBarItem.warningBackground');
  }
  item.show();
}

/** What activate() returns: read by the extension-host tests (test/vscode/), usable by other extensions. */
export interface KubePkiApi {
  /** The status bar item's text as a person sees it, e.g. "$(shield) PKI: 3 errors, 0 warnings". */
  statusBarText(): string;
  /** The language server's summary of the workspace (kubePki/summary). */
  summary(): Promise<Summary>;
  /** The notifications kube-pki showed about its language server (the restart notice), in order. */
  serverNotices(): readonly string[];
  /** The Kube PKI view and the expiry timeline (client/src/pkiTree.ts, timeline.ts). */
  explorer: PkiExplorerApi;
  /** Probe Live Endpoints (client/src/probe.ts): its last result and diagnostics. */
  probe: ProbeApi;
}

export async function activate(context: vscode.ExtensionContext): Promise<KubePkiApi> {
  const output = vscode.window.createOutputChannel('Kube PKI', { log: true });
  context.subscriptions.push(output);

  const status = vscode.window.createStatusBarItem('kubePki.status', vscode.StatusBarAlignment.Left, 10);
  status.name = 'Kube PKI';
  status.command = 'workbench.actions.view.problems';
  showSummary(status, undefined);
  context.subscriptions.push(status);

  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  // Every change on disk: a certificate the server never opened can still be referenced by an open kubeconfig.
  const watcher = vscode.workspace.createFileSystemWatcher('**/*');
  const restarts = restartingErrorHandler(output, SHOW_OUTPUT_COMMAND);
  context.subscriptions.push(watcher);
  const clientOptions: LanguageClientOptions = {
    // The server decides by content what it recognises; these only choose what it gets to see.
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'file', pattern: '**/*.{conf,kubeconfig,service,manifest,env}' },
      { scheme: 'file', pattern: '**/{kubeconfig,config}' },
      // kubeconfigs written by `kubectl config view -o json` and JSON static pods; any other JSON (package.json)
      // is refused by the server's first look at its text, and gets nothing.
      { scheme: 'file', language: 'json' },
      { scheme: 'file', language: 'plaintext' },
      { scheme: 'untitled', language: 'yaml' },
      // Certificates, keys and CSRs (hover, outline, folding), and PEM pasted into Markdown.
      { scheme: 'file', language: 'pem' },
      { scheme: 'untitled', language: 'pem' },
      { scheme: 'file', pattern: '**/*.{pem,crt,cer,key,csr}' },
      { scheme: 'file', language: 'markdown' },
    ],
    synchronize: {
      configurationSection: 'kubePki',
      fileEvents: watcher,
    },
    outputChannel: output,
    // Restarted when it dies, said once (client/src/restart.ts).
    errorHandler: restarts,
    // Restricted Mode: the server reads nothing outside the workspace folders and does not generate. Asked at
    // each (re)start of the server.
    initializationOptions: () => ({ trusted: vscode.workspace.isTrusted }) satisfies InitializationOptions,
  };

  // The id 'kubePki' makes the client honour the kubePki.trace.server setting.
  client = new LanguageClient('kubePki', 'Kube PKI', serverOptions, clientOptions);
  const c = client;
  registerDecodeCommands(context, () => client, output);
  registerGenerateCommands(context, () => client, output);
  registerExampleCommands(context, () => client, output);
  registerRotateCommand(context, () => client, output);
  const explorer = registerPkiExplorer(context, () => client, output);
  const probe = registerProbeCommand(
    context,
    () => client,
    output,
    (result) => explorer.showLive(result),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand(SHOW_OUTPUT_COMMAND, () => output.show(true)),
    vscode.commands.registerCommand(RECHECK_COMMAND, async () => {
      if (!c.isRunning()) {
        void vscode.window.showWarningMessage('Kube PKI: the language server is not running.');
        return;
      }
      showSummary(status, undefined);
      try {
        const s = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Kube PKI: re-checking the workspace' }, () =>
          c.sendRequest(ExecuteCommandRequest.type, { command: RECHECK_COMMAND, arguments: [] }),
        );
        if (s) showSummary(status, s as Summary);
      } catch (err) {
        output.error(`Re-check failed: ${err instanceof Error ? err.message : String(err)}`);
        void vscode.window.showErrorMessage('Kube PKI: the re-check failed; see the output.');
      }
    }),
  );

  // The client keeps one handler per notification: this one also tells the PKI view and the timeline.
  context.subscriptions.push(
    c.onNotification(SUMMARY_NOTIFICATION, (s: Summary) => {
      showSummary(status, s);
      explorer.summaryChanged();
    }),
  );
  // Not awaited: activation must not wait for the first index of a large workspace.
  const started = c.start();
  started.then(
    () =>
      c.sendRequest<Summary>(SUMMARY_REQUEST).then(
        (s) => showSummary(status, s),
        (err) => output.warn(`kubePki/summary failed: ${err instanceof Error ? err.message : String(err)}`),
      ),
    (err) => {
      output.error(`The kube-pki language server did not start: ${err instanceof Error ? err.message : String(err)}`);
      status.text = '$(error) PKI';
      status.tooltip = 'Kube PKI: the language server did not start — click for the output';
      status.command = SHOW_OUTPUT_COMMAND;
      status.backgroundColor = undefined;
      status.show();
    },
  );

  context.subscriptions.push(
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      // Trust granted while the server is still starting: its initialize may have said untrusted, so tell it
      // once it runs (a server that started trusted ignores this).
      void started.then(() => c.sendNotification(TRUST_NOTIFICATION)).catch(() => undefined);
    }),
  );

  return {
    statusBarText: () => status.text,
    summary: () => c.sendRequest<Summary>(SUMMARY_REQUEST),
    explorer,
    probe,
    serverNotices: () => restarts.shown,
  };
}

export async function deactivate(): Promise<void> {
  if (client) {
    const c = client;
    client = undefined;
    await c.stop().catch(() => undefined);
  }
}
