// Quick fixes on every kube-pki diagnostic: "Ignore CODE on this line" and "Ignore CODE in this file" (a
// `# kube-pki-ignore` comment), and "Remove this kube-pki-ignore" on an ignore-unused one. The engine computes the
// edits (policy/edits.ts); this only wraps them in a WorkspaceEdit of the document's own URI.
import type { CodeAction, CodeActionParams, Diagnostic } from 'vscode-languageserver/node';
import { policy } from '../../engine';
import { SOURCE } from '../diagnostics';
import type { FeatureHost } from './host';
import { MAX_FEATURE_TEXT } from './host';

/** Codes no comment can ignore: a config's own problems. */
const NOT_IGNORABLE = new Set(['config-invalid']);

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
  for (const d of params.context.diagnostics) {
    if (d.source !== SOURCE || typeof d.code !== 'string' || NOT_IGNORABLE.has(d.code)) continue;
    const code = d.code;
    if (code === 'ignore-unused') {
      edit(d, 'Remove this kube-pki-ignore', policy.removeIgnoreEdit(doc.text, d.range.start));
      continue;
    }
    const finding = { code, range: d.range };
    const lineKey = `${code}:${d.range.start.line}`;
    if (!seen.has(lineKey)) {
      seen.add(lineKey);
      edit(d, `Ignore ${code} on this line`, policy.ignoreEdit(doc.text, finding, 'line'));
    }
    if (!seen.has(code)) {
      seen.add(code);
      edit(d, `Ignore ${code} in this file`, policy.ignoreEdit(doc.text, finding, 'file'));
    }
  }
  return out;
}
