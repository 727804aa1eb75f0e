// kubePki/inventory: the workspace's PKI (every certificate, its CA, who uses it, when it expires, what is
// wrong with it), for the editor's "Kubernetes PKI" tree and expiry timeline. A thin adapter over the
// engine's buildInventory (loose certificates are looked for below the engine's search roots: the workspace
// folders); a failure is an error response, never a crash of the server.
import { LSPErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { buildInventory } from '../../engine';
import { INVENTORY_REQUEST, type Inventory } from '../../../../shared/protocol';
import type { FeatureHost } from './host';

export function registerInventory(connection: Connection, host: FeatureHost): void {
  connection.onRequest(INVENTORY_REQUEST, async (): Promise<Inventory | ResponseError<void>> => {
    try {
      await host.whenReady();
      const inventory = buildInventory(host.engine());
      // The editor opens what the tree points at by URI: an untitled buffer has no file to open.
      for (const c of inventory.certificates) for (const r of c.references) r.uri = host.pathToUri(r.file);
      for (const k of inventory.orphanKeys) for (const r of k.references) r.uri = host.pathToUri(r.file);
      return inventory;
    } catch (err) {
      host.logError('inventory', err);
      // No message text from the engine: it may quote file content.
      return new ResponseError(LSPErrorCodes.RequestFailed, `kube-pki could not list the workspace's certificates (${(err as Error)?.name ?? 'error'}); see the output.`);
    }
  });
}
