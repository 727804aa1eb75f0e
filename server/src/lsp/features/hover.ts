// textDocument/hover: the decode of what is under the cursor (a PEM block, a base64 value, a path reference).
import type { Connection, Hover } from 'vscode-languageserver/node';
import { hoverAt } from '../../engine';
import { guarded, MAX_FEATURE_TEXT, type FeatureHost } from './host';

export function registerHover(connection: Connection, host: FeatureHost): void {
  connection.onHover((params) =>
    guarded<Hover | null>(host, 'hover', null, () => {
      const doc = host.document(params.textDocument.uri);
      if (!doc || doc.text.length > MAX_FEATURE_TEXT) return null;
      const h = hoverAt(host.engine(), doc.file, doc.text, doc.offsetAt(params.position));
      return h ? { contents: { kind: 'markdown', value: h.markdown }, range: h.range } : null;
    }),
  );
}
