// Kube PKI: Probe Live Endpoints. Never automatic and never in Restricted Mode (it opens network connections to
// addresses the workspace's files choose: the command says so and stops). It asks the language server for the
// endpoints the workspace names, shows them in a modal confirmation, and only then has the server dial those (a
// TLS handshake each, no request). The verdicts become diagnostics of their own ("kube-pki probe", beside the
// server's, cleared by the next probe) and a "Live endpoints" group at the top of the Kube PKI view.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  PROBE_COMMAND,
  PROBE_ENDPOINTS_REQUEST,
  PROBE_REQUEST,
  type ProbeEndpointsResult,
  type ProbeFinding,
  type ProbeParams,
  type ProbeResult,
} from '../../shared/protocol';
import { plural } from './words';

export const UNAVAILABLE_UNTRUSTED =
  'Kube PKI: Probe Live Endpoints is unavailable in Restricted Mode: it opens network connections to the addresses the workspace names. Trust the workspace to use it.';

export interface ProbeApi {
  /** The last probe's result (undefined before the first). */
  last(): ProbeResult | undefined;
  /** The text of the last confirmation shown (or that would have been, with `confirm: false`): the addresses. */
  lastConfirmation(): string | undefined;
  /** The diagnostics of the last probe for a file. */
  diagnostics(uri: vscode.Uri): readonly vscode.Diagnostic[];
}

/** Options a caller (a test, another extension) may pass to the command; a person gets the defaults. */
interface ProbeCommandOptions {
  /** false: dial without the modal confirmation (the addresses are still listed in lastConfirmation). */
  confirm?: boolean;
  timeoutMs?: number;
  /** Dial only these of the addresses the workspace names (others given are ignored, as the server ignores them). */
  only?: string[];
}

const SEVERITY: Record<ProbeFinding['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

function range(r: ProbeFinding['range']): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

function uriOf(x: { file: string; uri?: string }): vscode.Uri {
  return x.uri ? vscode.Uri.parse(x.uri) : vscode.Uri.file(x.file);
}

export function registerProbeCommand(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
  output: vscode.LogOutputChannel,
  showLive: (result: ProbeResult) => void,
): ProbeApi {
  const collection = vscode.languages.createDiagnosticCollection('kube-pki probe');
  context.subscriptions.push(collection);
  let last: ProbeResult | undefined;
  let confirmation: string | undefined;

  function publish(result: ProbeResult): void {
    collection.clear();
    const byUri = new Map<string, { uri: vscode.Uri; list: vscode.Diagnostic[] }>();
    for (const f of result.findings) {
      const uri = uriOf(f);
      const d = new vscode.Diagnostic(range(f.range), f.message, SEVERITY[f.severity] ?? vscode.DiagnosticSeverity.Information);
      d.source = 'kube-pki probe';
      d.code = f.code;
      if (f.related?.length)
        d.relatedInformation = f.related.map(
          (r) => new vscode.DiagnosticRelatedInformation(new vscode.Location(uriOf(r), range(r.range)), r.message),
        );
      let entry = byUri.get(uri.toString());
      if (!entry) byUri.set(uri.toString(), (entry = { uri, list: [] }));
      entry.list.push(d);
    }
    for (const { uri, list } of byUri.values()) collection.set(uri, list);
  }

  context.subscriptions.push(
    vscode.commands.registerCommand(PROBE_COMMAND, async (opts?: ProbeCommandOptions): Promise<ProbeResult | undefined> => {
      if (!vscode.workspace.isTrusted) {
        const manage = 'Manage Workspace Trust';
        void vscode.window.showWarningMessage(UNAVAILABLE_UNTRUSTED, manage).then((pick) => {
          if (pick === manage) void vscode.commands.executeCommand('workbench.trust.manage');
        });
        return undefined;
      }
      const c = getClient();
      if (!c || !c.isRunning()) {
        void vscode.window.showWarningMessage('Kube PKI: the language server is not running.');
        return undefined;
      }
      const listed = await c.sendRequest<ProbeEndpointsResult>(PROBE_ENDPOINTS_REQUEST);
      if (listed.error) {
        void vscode.window.showWarningMessage(`Kube PKI: ${listed.error}.`);
        return undefined;
      }
      if (opts?.only) listed.endpoints = listed.endpoints.filter((e) => opts.only!.includes(e.address));
      if (listed.endpoints.length === 0) {
        void vscode.window.showInformationMessage(
          'Kube PKI: the workspace names no endpoint to probe (a kubeconfig server:, --etcd-servers, etcd URLs, a node address, a webhook url:).',
        );
        return undefined;
      }
      const lines = listed.endpoints.map((e) => {
        const files = [...new Set(e.names.map((n) => vscode.workspace.asRelativePath(n.file, false)))];
        return `${e.address} — ${e.role} (${files.slice(0, 3).join(', ')}${files.length > 3 ? `, +${files.length - 3}` : ''})`;
      });
      confirmation = lines.join('\n');
      if (opts?.confirm !== false) {
        const go = 'Probe';
        const pick = await vscode.window.showWarningMessage(
          `Kube PKI: dial ${plural(listed.endpoints.length, 'endpoint')} the workspace names?`,
          {
            modal: true,
            detail: `A TLS handshake with each, then the connection is closed: no request is sent and no client certificate presented.\n\n${confirmation}`,
          },
          go,
        );
        if (pick !== go) return undefined;
      }
      const params: ProbeParams = { addresses: listed.endpoints.map((e) => e.address), ...(opts?.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) };
      output.info(`Probe Live Endpoints: dialling ${params.addresses.join(', ')}`);
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Kube PKI: probing ${plural(params.addresses.length, 'endpoint')}…` },
        () => c.sendRequest<ProbeResult>(PROBE_REQUEST, params),
      );
      if (result.error) {
        void vscode.window.showWarningMessage(`Kube PKI: ${result.error}.`);
        return undefined;
      }
      last = result;
      publish(result);
      showLive(result);
      for (const e of result.endpoints)
        output.info(
          `  ${e.address} (${e.role}): ${e.outcome.kind === 'served' ? `serves ${e.outcome.subject}, serial ${e.outcome.serial}, not after ${e.outcome.notAfter}` : `unreachable: ${e.outcome.detail}`}`,
        );
      const problems = result.findings.filter((f) => f.severity !== 'info').length;
      const unreachable = result.endpoints.filter((e) => e.outcome.kind === 'unreachable').length;
      const summary = `Kube PKI: probed ${plural(result.endpoints.length, 'endpoint')}: ${problems ? plural(problems, 'problem') : 'no problem'}${unreachable ? `, ${unreachable} unreachable` : ''} (see the Live endpoints group of the Kube PKI view).`;
      if (problems) void vscode.window.showWarningMessage(summary);
      else void vscode.window.showInformationMessage(summary);
      return result;
    }),
  );

  return {
    last: () => last,
    lastConfirmation: () => confirmation,
    diagnostics: (uri) => collection.get(uri) ?? [],
  };
}
