// Commands and the re-check: kubePki/summary (errors and warnings over the workspace, for the status bar) and
// workspace/executeCommand kubePki.recheckWorkspace (settings read again, the workspace re-indexed, every open
// document re-published; answered with the new summary).
import type { Connection } from 'vscode-languageserver/node';
import { RECHECK_COMMAND, SERVER_RECHECK_COMMAND, SUMMARY_REQUEST, type Summary } from '../../../../shared/protocol';
import { handle, type Log } from '../guard';
import type { WorkspaceIndex } from '../indexer';
import type { Publisher } from '../publisher';
import type { WorkspaceState } from '../state';

/** The commands workspace/executeCommand runs (announced in initialize). */
export const COMMANDS = [SERVER_RECHECK_COMMAND];

export function registerCommands(connection: Connection, state: WorkspaceState, publisher: Publisher, index: WorkspaceIndex, log: Log): void {
  connection.onRequest(
    SUMMARY_REQUEST,
    handle(
      log,
      'summary',
      (): Summary => ({ errors: 0, warnings: 0, files: 0, filesWithProblems: 0 }),
      async () => {
        await state.whenIndexed();
        return await publisher.summary();
      },
    ),
  );

  connection.onExecuteCommand(
    handle(
      log,
      'executeCommand',
      (): Summary | null => null,
      async (params) => {
        if (params.command === RECHECK_COMMAND || params.command === SERVER_RECHECK_COMMAND) {
          log.info('kube-pki: re-checking the workspace');
          return await index.recheck();
        }
        log.warn(`kube-pki: unknown command ${params.command}`);
        return null;
      },
    ),
  );
}
