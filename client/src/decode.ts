// "Kube PKI: Decode Certificate" and "Kube PKI: Decode Selection": ask the server (kubePki/decode) and
// show the answer in a read-only virtual document (scheme kube-pki-decode). CodeLenses call the first
// with the document and the reference's position.
import * as vscode from 'vscode';
import { DECODE_COMMAND, DECODE_REQUEST, type DecodeResponse } from '../../shared/protocol';
import type { LanguageClient } from 'vscode-languageclient/node';

export const DECODE_SCHEME = 'kube-pki-decode';
export const DECODE_SELECTION_COMMAND = 'kubePki.decodeSelection';
/** Bigger documents are not sent along with the request. */
const MAX_SENT_TEXT = 5 * 1024 * 1024;

class DecodeDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This decode is gone: run "Kube PKI: Decode Certificate" again.\n';
  }

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    // Keep the last few decodes only.
    while (this.texts.size > 50) this.texts.delete(this.texts.keys().next().value as string);
    this.changed.fire(uri);
  }

  dispose(): void {
    this.changed.dispose();
  }
}

function decodeUri(title: string, source: string): vscode.Uri {
  const name = title.replace(/[\\/:*?"<>|\u0000-\u001f]+/g, '_').slice(0, 80) || 'decode';
  // One document per source and title: decoding the same thing again refreshes it instead of piling up tabs.
  let h = 0;
  for (const ch of `${source}\0${title}`) h = (Math.imul(h, 31) + ch.charCodeAt(0)) | 0;
  return vscode.Uri.from({ scheme: DECODE_SCHEME, path: `/${name} (decoded).txt`, query: (h >>> 0).toString(16) });
}

function toUri(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string') {
    try {
      return vscode.Uri.parse(arg, true);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

function toPosition(arg: unknown): vscode.Position | undefined {
  if (arg instanceof vscode.Position) return arg;
  const p = arg as { line?: unknown; character?: unknown } | undefined;
  return p && typeof p.line === 'number' && typeof p.character === 'number' ? new vscode.Position(p.line, p.character) : undefined;
}

export function registerDecodeCommands(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
  output: vscode.LogOutputChannel,
): void {
  const docs = new DecodeDocuments();
  context.subscriptions.push(docs, vscode.workspace.registerTextDocumentContentProvider(DECODE_SCHEME, docs));

  async function show(
    document: vscode.TextDocument,
    params: { position?: vscode.Position; range?: vscode.Range },
    beside: boolean,
  ): Promise<string | undefined> {
    const c = client();
    if (!c || !c.isRunning()) {
      void vscode.window.showWarningMessage('Kube PKI: the language server is not running.');
      return undefined;
    }
    const text = document.getText();
    let answer: DecodeResponse;
    try {
      answer = await c.sendRequest<DecodeResponse>(DECODE_REQUEST, {
        uri: document.uri.toString(),
        ...(params.position ? { position: { line: params.position.line, character: params.position.character } } : {}),
        ...(params.range ? { range: c.code2ProtocolConverter.asRange(params.range) } : {}),
        // The server may not have this document (a language it is not sent): it decodes this text then.
        ...(text.length <= MAX_SENT_TEXT ? { text } : {}),
      });
    } catch (err) {
      output.error(`Decode failed: ${err instanceof Error ? err.message : String(err)}`);
      void vscode.window.showErrorMessage('Kube PKI: decoding failed; see the output.');
      return undefined;
    }
    if (!answer || 'error' in answer) {
      void vscode.window.showInformationMessage(`Kube PKI: ${answer?.error ?? 'nothing to decode here.'}`);
      return undefined;
    }
    const uri = decodeUri(answer.title, document.uri.toString());
    docs.set(uri, answer.text);
    let decoded = await vscode.workspace.openTextDocument(uri);
    try {
      decoded = await vscode.languages.setTextDocumentLanguage(decoded, 'pem');
    } catch {
      // plain text is fine too
    }
    await vscode.window.showTextDocument(decoded, { preview: true, viewColumn: beside ? vscode.ViewColumn.Beside : vscode.ViewColumn.Active });
    return uri.toString();
  }

  context.subscriptions.push(
    // From the palette: the active editor's cursor. From a CodeLens: (uri, position) of the reference.
    vscode.commands.registerCommand(DECODE_COMMAND, async (uriArg?: unknown, positionArg?: unknown) => {
      const uri = toUri(uriArg);
      const editor = vscode.window.activeTextEditor;
      const document = uri ? await vscode.workspace.openTextDocument(uri) : editor?.document;
      if (!document) {
        void vscode.window.showInformationMessage('Kube PKI: open a certificate, key or Kubernetes config first.');
        return undefined;
      }
      const position = toPosition(positionArg) ?? (editor && editor.document === document ? editor.selection.active : new vscode.Position(0, 0));
      return show(document, { position }, !!uri);
    }),
    vscode.commands.registerCommand(DECODE_SELECTION_COMMAND, async () => {
      const editor = vscode.window.activeTextEditor;
      if (!editor || editor.selection.isEmpty) {
        void vscode.window.showInformationMessage('Kube PKI: select a PEM block or a base64 value first.');
        return undefined;
      }
      return show(editor.document, { range: editor.selection }, false);
    }),
  );
}
