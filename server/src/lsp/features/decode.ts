// kubePki/decode: the full decode of what is at a position (or of a selection), for the client's
// "Kube PKI: Decode Certificate" command, which shows it in a read-only document.
import type { Connection } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { decodeAt } from '../../engine';
import { DECODE_REQUEST, type DecodeParams, type DecodeResponse } from '../../../../shared/protocol';
import { guarded, MAX_FEATURE_TEXT, type FeatureHost, type OpenText, type Position, type Range } from './host';



/** A document the client sent along: named after its URI's last segment when it is no file. */
function sentDocument(host: FeatureHost, uri: string, text: string): OpenText {
  const doc = TextDocument.create(uri, 'plaintext', 0, text);
  let name = uri.replace(/[?#].*$/, '').split('/').pop() || 'document';
  try {
    name = decodeURIComponent(name);
  } catch {
    // keep it encoded
  }
  const file = host.fileOfUri(uri) ?? `/${name}`;
  return { file, text, offsetAt: (p) => doc.offsetAt(p) };
}


export function registerDecode(connection: Connection, host: FeatureHost): void {
  connection.onRequest(DECODE_REQUEST, (params: DecodeParams) =>
    guarded<DecodeResponse>(host, 'decode', { error: 'kube-pki could not decode this (see the output for details).' }, () => {
      const doc = params?.uri ? host.document(params.uri) ?? (typeof params.text === 'string' ? sentDocument(host, params.uri, params.text) : undefined) : undefined;
      if (!doc) return { error: 'The document is not open in the kube-pki language server.' };
      if (doc.text.length > MAX_FEATURE_TEXT) return { error: 'The document is too big to decode.' };
      const selection = params.range ? { start: doc.offsetAt(params.range.start), end: doc.offsetAt(params.range.end) } : undefined;
      const offset = params.position ? doc.offsetAt(params.position) : undefined;
      return decodeAt(host.engine(), doc.file, doc.text, { ...(offset !== undefined ? { offset } : {}), ...(selection ? { selection } : {}) });
    }),
  );
}
