// When the language server dies anyway (killed, out of memory, a bug the server's own guards miss), the client
// starts it again and says so once: one notification for the first restart of the session, the later ones
// only in the output. vscode-languageclient's default handler instead pops "connection to server is erroring"
// messages and gives up after 5 crashes with another; here a crash loop (over MAX_RESTARTS within WINDOW_MS)
// still stops the restarts, with one error message saying so.
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type Message,
} from 'vscode-languageclient/node';

const WINDOW_MS = 3 * 60 * 1000;
const MAX_RESTARTS = 5;

export const RESTARTED_MESSAGE = 'Kube PKI: the language server stopped unexpectedly and was restarted. Later restarts are only noted in the output.';

export interface RestartHandler extends ErrorHandler {
  /** The notifications this handler showed, in order (read by the extension-host tests through the API). */
  readonly shown: string[];
}

export function restartingErrorHandler(output: vscode.LogOutputChannel, showOutputCommand: string): RestartHandler {
  const closes: number[] = [];
  const shown: string[] = [];
  let restarts = 0;

  function notify(kind: 'warning' | 'error', message: string): void {
    shown.push(message);
    const show = kind === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(message, 'Show Output').then((choice) => {
      if (choice) void vscode.commands.executeCommand(showOutputCommand);
    });
  }

  return {
    shown,
    error(error: Error, _message: Message | undefined, count: number | undefined): ErrorHandlerResult {
      output.warn(`Connection to the language server: ${error?.message ?? error}${count ? ` (${count})` : ''}`);
      // Write errors happen while a dying server's channel closes: logged, no popup; closed() then restarts it.
      return { action: ErrorAction.Continue, handled: true };
    },
    closed(): CloseHandlerResult {
      const now = Date.now();
      closes.push(now);
      while (closes.length && closes[0] < now - WINDOW_MS) closes.shift();
      if (closes.length > MAX_RESTARTS) {
        const message = `Kube PKI: the language server stopped ${closes.length} times in 3 minutes and is not restarted again; see the output, and reload the window to start it.`;
        output.error(message);
        notify('error', message);
        return { action: CloseAction.DoNotRestart, handled: true };
      }
      restarts++;
      output.warn(`The language server stopped unexpectedly; restarting it (restart ${restarts} of this session).`);
      if (restarts === 1) notify('warning', RESTARTED_MESSAGE);
      return { action: CloseAction.Restart, handled: true };
    },
  };
}
