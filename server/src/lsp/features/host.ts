// What the feature handlers need from the server: the current engine, open documents' text, and a
// way to wait until settings and the first index are in (paths resolve with the user's settings).
import type { Position, Range } from 'vscode-languageserver/node';
import type { Engine } from '../../engine';
import { MAX_CONFIG_BYTES } from '../../engine/types';

export interface OpenText {
  /** The engine's path for the document. */
  file: string;
  text: string;
  offsetAt(position: Position): number;
}

export interface FeatureHost {
  engine(): Engine;
  document(uri: string): OpenText | undefined;
  /** The engine's path for a URI (file: and untitled:), undefined for other schemes. */
  fileOfUri(uri: string): string | undefined;
  pathToUri(file: string): string;
  whenReady(): Promise<void>;
  /** Logs a failure without its message text (which may quote file content). */
  logError(what: string, err: unknown): void;
}

/** Documents bigger than this get no hover, lens or outline (the engine does not parse such configs either). */
export const MAX_FEATURE_TEXT = MAX_CONFIG_BYTES;

export async function guarded<T>(host: FeatureHost, what: string, fallback: T, fn: () => T): Promise<T> {
  try {
    await host.whenReady();
    return fn();
  } catch (err) {
    host.logError(what, err);
    return fallback;
  }
}

export type { Position, Range };
