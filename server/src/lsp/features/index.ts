// Editor features beyond diagnostics: hover, CodeLens, document links, outline, folding, the
// kubePki/decode request and kubePki/inventory (the PKI tree and the expiry timeline). Each handler is a
// thin adapter over an engine function.
import type { Connection, ServerCapabilities } from 'vscode-languageserver/node';
import type { FeatureHost } from './host';
import { registerHover } from './hover';
import { registerCodeLens } from './codeLens';
import { registerDocumentLinks } from './documentLinks';
import { registerSymbols } from './symbols';
import { registerDecode } from './decode';
import { registerInventory } from './inventory';

export { DECODE_REQUEST, DECODE_COMMAND, INVENTORY_REQUEST } from '../../../../shared/protocol';
export type { FeatureHost } from './host';

/** PEM files and Markdown get our folds; YAML keeps its indentation folding (a provider would replace it). */
export const FOLDING_SELECTOR = [
  { language: 'pem' },
  { language: 'markdown' },
  { scheme: 'file', pattern: '**/*.{pem,crt,cer,key,csr}' },
];

export const featureCapabilities: ServerCapabilities = {
  hoverProvider: true,
  codeLensProvider: { resolveProvider: false },
  documentLinkProvider: { resolveProvider: false },
  documentSymbolProvider: true,
  foldingRangeProvider: { documentSelector: FOLDING_SELECTOR },
};

export function registerFeatures(connection: Connection, host: FeatureHost): void {
  registerHover(connection, host);
  registerCodeLens(connection, host);
  registerDocumentLinks(connection, host);
  registerSymbols(connection, host);
  registerDecode(connection, host);
  registerInventory(connection, host);
}
