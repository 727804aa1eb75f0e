// textDocument/codeAction, one handler for every quick fix: generating or re-issuing a certificate (trusted
// workspaces only; handlers/generation.ts plans them), then, on every kube-pki diagnostic, "Ignore CODE on this
// line" and "Ignore CODE in this file" (a `# kube-pki-ignore` comment), and "Remove this kube-pki-ignore" on an
// ignore-unused one. The engine computes the ignores' edits (policy/edits.ts, its comments read once per
// request); this only wraps them in a WorkspaceEdit of the document's own URI. Codes that are not ignorable
// (codes.ts: a config's own problems) get none.
import type { CodeAction, CodeActionParams, Connection, Diagnostic, ServerCapabilities } from 'vscode-languageserver/node';
import { isIgnorable, policy } from '../../engine';
import { SOURCE } from '../diagnostics';
import { handle, type Log } from '../guard';
import { MAX_FEATURE_TEXT, type WorkspaceState } from '../state';
import type { GenerationFixes } from './generation';

export const codeActionCapabilities: ServerCapabilities = {
  codeActionProvider: { codeActionKinds: ['quickfix'] },
};

export function registerCodeActions(connection: Connection, state: WorkspaceState, generation: GenerationFixes, log: Log): void {
  connection.onCodeAction(
    handle(
      log,
      'codeAction',
      (): CodeAction[] => [],
      async (params) => {
        // Each kind on its own: a failure planning the generation still leaves the ignores, and the other way round.
        const generated = await generation.codeActions(params);
        const ignores = await handle(
          log,
          'codeAction',
          (): CodeAction[] => [],
          async () => {
            await state.whenIndexed();
            return ignoreCodeActions(params, state);
          },
        )();
        return [...generated, ...ignores];
      },
    ),
  );
}

function ignoreCodeActions(params: CodeActionParams, state: WorkspaceState): CodeAction[] {
  const uri = params.textDocument.uri;
  const doc = state.document(uri);
  if (!doc || doc.text.length > MAX_FEATURE_TEXT || policy.isConfigName(doc.file)) return [];
  const out: CodeAction[] = [];
  const edit = (d: Diagnostic, title: string, e: policy.TextEdit | undefined) => {
    if (!e) return;
    out.push({ title, kind: 'quickfix', diagnostics: [d], edit: { changes: { [uri]: [{ range: e.range, newText: e.newText }] } } });
  };
  const seen = new Set<string>();
  const editor = new policy.IgnoreEditor(doc.text);
  for (const d of params.context.diagnostics) {
    if (d.source !== SOURCE || typeof d.code !== 'string' || !isIgnorable(d.code)) continue;
    const code = d.code;
    if (code === 'ignore-unused') {
      edit(d, 'Remove this kube-pki-ignore', editor.removeIgnoreEdit(d.range.start));
      continue;
    }
    const finding = { code, range: d.range };
    const lineKey = `${code}:${d.range.start.line}`;
    if (!seen.has(lineKey)) {
      seen.add(lineKey);
      edit(d, `Ignore ${code} on this line`, editor.ignoreEdit(finding, 'line'));
    }
    if (!seen.has(code)) {
      seen.add(code);
      edit(d, `Ignore ${code} in this file`, editor.ignoreEdit(finding, 'file'));
    }
  }
  return out;
}
