// The language server's error guard. Every handler the server registers is wrapped by `handle`: an error thrown
// inside it is logged (its name and stack frames, never its message, which may quote file content: a YAML
// snippet, a PEM line, key bytes) and answered with the handler's fallback (an empty result, or an LSP error
// that quotes nothing either), so no request, notification or event ever takes the server down. Inside a
// handler, `log.guard` keeps one failing step (one engine call) from spoiling the rest.
// (The bytes before the JSON-RPC reader have their own guard: frameGuard.ts.)
import type { Connection } from 'vscode-languageserver/node';

/** An error as the log shows it: its name and up to 8 stack frames, no message text. */
export function errorSummary(err: unknown): string {
  if (err instanceof Error) {
    const frames = (err.stack ?? '')
      .split('\n')
      .filter((l) => /^\s+at /.test(l))
      .slice(0, 8)
      .join('\n');
    return `${err.name}${frames ? `\n${frames}` : ''}`;
  }
  return typeof err;
}

/** The client's output channel (window/logMessage); a connection that is gone swallows the line. */
export class Log {
  constructor(private readonly connection: Connection) {}

  /** `what` failed: logged without the error's message. */
  error(what: string, err: unknown): void {
    this.send('error', `kube-pki: ${what} failed: ${errorSummary(err)}`);
  }

  info(line: string): void {
    this.send('info', line);
  }

  warn(line: string): void {
    this.send('warn', line);
  }

  /** fn(), or `fallback` (the failure logged) when it throws. */
  guard<T>(what: string, fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (err) {
      this.error(what, err);
      return fallback;
    }
  }

  private send(level: 'error' | 'info' | 'warn', line: string): void {
    try {
      this.connection.console[level](line);
    } catch {
      // the connection is gone
    }
  }
}

/**
 * A handler that cannot throw: `fn`'s answer, or, when it throws (or its promise rejects), the failure logged as
 * `what` and `onError(err)` answered instead (an empty result, an `{ error }` the client shows, a ResponseError).
 * A synchronous `fn` still runs synchronously when the handler is called.
 */
export function handle<A extends unknown[], R, F = R>(
  log: Log,
  what: string,
  onError: (err: unknown) => F,
  fn: (...args: A) => R | Promise<R>,
): (...args: A) => Promise<R | F> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      log.error(what, err);
      return onError(err);
    }
  };
}

/** The name of an error, for an answer that must not quote its message. */
export function errorName(err: unknown): string {
  return (err as Error)?.name ?? 'error';
}
