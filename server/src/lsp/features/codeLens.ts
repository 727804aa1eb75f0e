// textDocument/codeLens: one lens above each certificate reference; clicking it opens the full decode
// (the client's kubePki.decodeCertificate command, with the document and the reference's position).
import type { CodeLens, Connection } from 'vscode-languageserver/node';
import { DECODE_COMMAND } from '../../../../shared/protocol';
import { codeLenses } from '../../engine';
import { guarded, MAX_FEATURE_TEXT, type FeatureHost } from './host';


const ICON: Record<string, string> = { error: '$(error) ', warning: '$(warning) ', info: '$(info) ' };

export function registerCodeLens(connection: Connection, host: FeatureHost): void {
  connection.onCodeLens((params) =>
    guarded<CodeLens[]>(host, 'codeLens', [], () => {
      const doc = host.document(params.textDocument.uri);
      if (!doc || doc.text.length > MAX_FEATURE_TEXT) return [];
      return codeLenses(host.engine(), doc.file, doc.text).map((l) => {
        const title = `${l.severity ? ICON[l.severity] : ''}${l.title}${l.codes.length ? ` · ${l.codes.join(', ')}` : ''}`;
        return {
          range: { start: l.range.start, end: l.range.start },
          command: { title, command: DECODE_COMMAND, arguments: [params.textDocument.uri, l.range.start] },
        };
      });
    }),
  );
}
