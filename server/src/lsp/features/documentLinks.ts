// textDocument/documentLink: Ctrl+click on a path reference opens the file it resolves to.
import type { Connection, DocumentLink } from 'vscode-languageserver/node';
import { documentLinks } from '../../engine';
import { guarded, MAX_FEATURE_TEXT, type FeatureHost } from './host';

export function registerDocumentLinks(connection: Connection, host: FeatureHost): void {
  connection.onDocumentLinks((params) =>
    guarded<DocumentLink[]>(host, 'documentLink', [], () => {
      const doc = host.document(params.textDocument.uri);
      if (!doc || doc.text.length > MAX_FEATURE_TEXT) return [];
      return documentLinks(host.engine(), doc.file, doc.text).map((l) => ({ range: l.range, target: host.pathToUri(l.target), tooltip: l.tooltip }));
    }),
  );
}
