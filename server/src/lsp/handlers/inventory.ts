// kubePki/inventory: the workspace's PKI (every certificate, its CA, who uses it, when it expires, what is
// wrong with it), for the editor's "Kube PKI" tree and expiry timeline. A thin adapter over the
// engine's buildInventory (loose certificates are looked for below the engine's search roots: the workspace
// folders); a failure is an error response, never a crash of the server.
import { LSPErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { buildInventory } from '../../engine';
import { INVENTORY_REQUEST, type Inventory } from '../../../../shared/protocol';
import { errorName, handle, type Log } from '../guard';
import type { WorkspaceState } from '../state';

export function registerInventory(connection: Connection, state: WorkspaceState, log: Log): void {
  connection.onRequest(
    INVENTORY_REQUEST,
    handle(
      log,
      'inventory',
      // No message text from the engine: it may quote file content.
      (err): ResponseError<void> =>
        new ResponseError(LSPErrorCodes.RequestFailed, `kube-pki could not list the workspace's certificates (${errorName(err)}); see the output.`),
      async (): Promise<Inventory> => {
        await state.whenIndexed();
        const inventory = buildInventory(state.current());
        // The editor opens what the tree points at by URI: an untitled buffer has no file to open.
        for (const c of inventory.certificates) for (const r of c.references) r.uri = state.uriOf(r.file);
        for (const k of inventory.orphanKeys) for (const r of k.references) r.uri = state.uriOf(r.file);
        for (const k of inventory.keyPairs) for (const r of k.references) r.uri = state.uriOf(r.file);
        return inventory;
      },
    ),
  );
}
