// URIs (what the LSP speaks) <-> absolute paths (what the engine speaks).
// No vscode-uri: node:url does the file: scheme; untitled buffers get a synthetic path.
import * as path from 'node:path';
import * as os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';

export function isFileUri(uri: string): boolean {
  return /^file:/i.test(uri);
}

export function isUntitledUri(uri: string): boolean {
  return /^untitled:/i.test(uri);
}

/** The absolute path of a file: URI; undefined when it is not one (or malformed). */
export function uriToPath(uri: string): string | undefined {
  if (!isFileUri(uri)) return undefined;
  try {
    return path.normalize(fileURLToPath(uri));
  } catch {
    return undefined;
  }
}

export function pathToUri(file: string): string {
  return pathToFileURL(file).href;
}

/**
 * An untitled buffer is checked as if it were a file named after its URI in the first workspace
 * folder, so relative paths inside it resolve against the workspace.
 */
export function untitledPath(uri: string, firstFolder: string | undefined): string {
  let name = uri.slice(uri.indexOf(':') + 1);
  try {
    name = decodeURIComponent(name);
  } catch {
    // keep it encoded
  }
  name = name.replace(/[\\/]+$/, '');
  name = name.split(/[\\/]/).pop() || 'Untitled';
  name = name.replace(/[\u0000-\u001f:*?"<>|]/g, '_');
  if (name === '.' || name === '..') name = 'Untitled';
  return path.join(firstFolder ?? os.tmpdir(), name);
}
