// Quick fixes on every kube-pki diagnostic: "Ignore CODE on this line" and "Ignore CODE in this file" (a
// `# kube-pki-ignore` comment), and "Remove this kube-pki-ignore" on an ignore-unused one. The engine computes the
// edits (policy/edits.ts, its comments read once per request); this only wraps them in a WorkspaceEdit of the
// document's own URI. Codes that are not ignorable (codes.ts: a config's own problems) get none.
import type { CodeAction, CodeActionParams, Diagnostic } from 'vscode-languageserver/node';
import { isIgnorable, policy } from '../../engine';
import { SOURCE } from '../diagnostics';
import type { FeatureHost } from './host';
import { MAX_FEATURE_TEXT } from './host';

export function ignoreCodeActions(params: CodeActionParams, host: FeatureHost): CodeAction[] {
  const uri = params.textDocument.uri;
  const doc = host.document(uri);
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
