// textDocument/documentSymbol and textDocument/foldingRange for PEM blocks.
import { FoldingRangeKind, SymbolKind, type Connection, type DocumentSymbol, type FoldingRange } from 'vscode-languageserver/node';
import { documentSymbols, foldingRanges, type SymbolKindName } from '../../engine';
import { guarded, MAX_FEATURE_TEXT, type FeatureHost } from './host';

const KINDS: Record<SymbolKindName, SymbolKind> = {
  certificate: SymbolKind.Object,
  'private-key': SymbolKind.Key,
  'public-key': SymbolKind.Key,
  csr: SymbolKind.Struct,
  undecodable: SymbolKind.Null,
};

export function registerSymbols(connection: Connection, host: FeatureHost): void {
  connection.onDocumentSymbol((params) =>
    guarded<DocumentSymbol[]>(host, 'documentSymbol', [], () => {
      const doc = host.document(params.textDocument.uri);
      if (!doc || doc.text.length > MAX_FEATURE_TEXT) return [];
      return documentSymbols(host.engine(), doc.file, doc.text).map((s) => ({
        name: s.name,
        detail: s.detail,
        kind: KINDS[s.kind],
        range: s.range,
        selectionRange: s.selectionRange,
      }));
    }),
  );
  connection.onFoldingRanges((params) =>
    guarded<FoldingRange[]>(host, 'foldingRange', [], () => {
      const doc = host.document(params.textDocument.uri);
      if (!doc || doc.text.length > MAX_FEATURE_TEXT) return [];
      return foldingRanges(doc.text).map((f) => ({ startLine: f.startLine, endLine: f.endLine, kind: FoldingRangeKind.Region }));
    }),
  );
}
