// Seeing inside certificates: textDocument/hover (the decode of what is under the cursor: a PEM block, a base64
// value, a path reference), codeLens (one lens above each certificate reference; clicking it opens the full
// decode through the client's kubePki.decodeCertificate command), documentLink (Ctrl+click on a path reference
// opens the file it resolves to), documentSymbol and foldingRange (PEM blocks), and kubePki/decode (the full
// decode of what is at a position or in a selection, for the client's "Kube PKI: Decode Certificate" command).
// Each is a thin adapter over an engine function (engine/features), answered once the workspace is indexed
// (paths resolve with the user's settings).
import {
  FoldingRangeKind,
  SymbolKind,
  type CodeLens,
  type Connection,
  type DocumentLink,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type ServerCapabilities,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { codeLenses, decodeAt, documentLinks, documentSymbols, foldingRanges, hoverAt, type SymbolKindName } from '../../engine';
import { DECODE_COMMAND, DECODE_REQUEST, type DecodeParams, type DecodeResponse } from '../../../../shared/protocol';
import { handle, type Log } from '../guard';
import { MAX_FEATURE_TEXT, type OpenText, type WorkspaceState } from '../state';

/** PEM files and Markdown get our folds; YAML keeps its indentation folding (a provider would replace it). */
export const FOLDING_SELECTOR = [{ language: 'pem' }, { language: 'markdown' }, { scheme: 'file', pattern: '**/*.{pem,crt,cer,key,csr}' }];

export const viewingCapabilities: ServerCapabilities = {
  hoverProvider: true,
  codeLensProvider: { resolveProvider: false },
  documentLinkProvider: { resolveProvider: false },
  documentSymbolProvider: true,
  foldingRangeProvider: { documentSelector: FOLDING_SELECTOR },
};

const ICON: Record<string, string> = { error: '$(error) ', warning: '$(warning) ', info: '$(info) ' };

const KINDS: Record<SymbolKindName, SymbolKind> = {
  certificate: SymbolKind.Object,
  'private-key': SymbolKind.Key,
  'public-key': SymbolKind.Key,
  csr: SymbolKind.Struct,
  undecodable: SymbolKind.Null,
};

export function registerViewing(connection: Connection, state: WorkspaceState, log: Log): void {
  /**
   * An open document small enough to look into, once the node trees around the open documents are read (the rest
   * of the workspace may still be being indexed: these requests do not wait for it).
   */
  const open = async (uri: string): Promise<OpenText | undefined> => {
    await state.whenUsable();
    const doc = state.document(uri);
    return doc && doc.text.length <= MAX_FEATURE_TEXT ? doc : undefined;
  };

  connection.onHover(
    handle(
      log,
      'hover',
      (): Hover | null => null,
      async (params) => {
        const doc = await open(params.textDocument.uri);
        if (!doc) return null;
        const h = hoverAt(state.current(), doc.file, doc.text, doc.offsetAt(params.position));
        return h ? { contents: { kind: 'markdown', value: h.markdown }, range: h.range } : null;
      },
    ),
  );

  connection.onCodeLens(
    handle(
      log,
      'codeLens',
      (): CodeLens[] => [],
      async (params) => {
        const doc = await open(params.textDocument.uri);
        if (!doc) return [];
        return codeLenses(state.current(), doc.file, doc.text).map((l) => {
          const title = `${l.severity ? ICON[l.severity] : ''}${l.title}${l.codes.length ? ` · ${l.codes.join(', ')}` : ''}`;
          return {
            range: { start: l.range.start, end: l.range.start },
            command: { title, command: DECODE_COMMAND, arguments: [params.textDocument.uri, l.range.start] },
          };
        });
      },
    ),
  );

  connection.onDocumentLinks(
    handle(
      log,
      'documentLink',
      (): DocumentLink[] => [],
      async (params) => {
        const doc = await open(params.textDocument.uri);
        if (!doc) return [];
        return documentLinks(state.current(), doc.file, doc.text).map((l) => ({ range: l.range, target: state.uriOf(l.target), tooltip: l.tooltip }));
      },
    ),
  );

  connection.onDocumentSymbol(
    handle(
      log,
      'documentSymbol',
      (): DocumentSymbol[] => [],
      async (params) => {
        const doc = await open(params.textDocument.uri);
        if (!doc) return [];
        return documentSymbols(state.current(), doc.file, doc.text).map((s) => ({
          name: s.name,
          detail: s.detail,
          kind: KINDS[s.kind],
          range: s.range,
          selectionRange: s.selectionRange,
        }));
      },
    ),
  );

  connection.onFoldingRanges(
    handle(
      log,
      'foldingRange',
      (): FoldingRange[] => [],
      async (params) => {
        const doc = await open(params.textDocument.uri);
        if (!doc) return [];
        return foldingRanges(doc.text).map((f) => ({ startLine: f.startLine, endLine: f.endLine, kind: FoldingRangeKind.Region }));
      },
    ),
  );

  connection.onRequest(
    DECODE_REQUEST,
    handle(
      log,
      'decode',
      (): DecodeResponse => ({ error: 'kube-pki could not decode this (see the output for details).' }),
      async (params: DecodeParams) => {
        await state.whenUsable();
        const doc = params?.uri
          ? (state.document(params.uri) ?? (typeof params.text === 'string' ? sentDocument(state, params.uri, params.text) : undefined))
          : undefined;
        if (!doc) return { error: 'The document is not open in the kube-pki language server.' };
        if (doc.text.length > MAX_FEATURE_TEXT) return { error: 'The document is too big to decode.' };
        const selection = params.range ? { start: doc.offsetAt(params.range.start), end: doc.offsetAt(params.range.end) } : undefined;
        const offset = params.position ? doc.offsetAt(params.position) : undefined;
        return decodeAt(state.current(), doc.file, doc.text, { ...(offset !== undefined ? { offset } : {}), ...(selection ? { selection } : {}) });
      },
    ),
  );
}

/** A document the client sent along with kubePki/decode: named after its URI's last segment when it is no file. */
function sentDocument(state: WorkspaceState, uri: string, text: string): OpenText {
  const doc = TextDocument.create(uri, 'plaintext', 0, text);
  let name =
    uri
      .replace(/[?#].*$/, '')
      .split('/')
      .pop() || 'document';
  try {
    name = decodeURIComponent(name);
  } catch {
    // keep it encoded
  }
  const file = state.fileOfUri(uri) ?? `/${name}`;
  return { file, text, offsetAt: (p) => doc.offsetAt(p) };
}
