// kubePki/inventory: the workspace's PKI (every certificate, its CA, who uses it, when it expires, what is
// wrong with it), for the editor's "Kubernetes PKI" tree and expiry timeline. A thin adapter over the
// engine's buildInventory; a failure is an error response, never a crash of the server.
import { ResponseError, type Connection } from 'vscode-languageserver/node';
import { buildInventory } from '../../engine';
import { INVENTORY_REQUEST, type Inventory } from '../protocol';
import type { FeatureHost } from './host';

export { INVENTORY_REQUEST };

/** The error code of a failed inventory (JSON-RPC's "request failed"). */
const REQUEST_FAILED = -32803;

export function registerInventory(connection: Connection, host: FeatureHost): void {
  connection.onRequest(INVENTORY_REQUEST, async (): Promise<Inventory | ResponseError<void>> => {
    try {
      await host.whenReady();
      const roots = host.folders?.() ?? [];
      return buildInventory(host.engine(), roots.length ? { roots } : {});
    } catch (err) {
      host.logError('inventory', err);
      // No message text from the engine: it may quote file content.
      return new ResponseError(REQUEST_FAILED, `kube-pki could not list the workspace's certificates (${(err as Error)?.name ?? 'error'}); see the output.`);
    }
  });
}
