// Paths in the client's messages: a file shown relative to the workspace folder that holds it. Whether a path lies
// inside a folder is judged as the engine judges it (server/src/engine/fs/confined.ts isWithin): by the relative
// path, so a folder named `..foo` is inside and `..` or `../x` are not.
import * as path from 'node:path';

/** Whether `p` is `root` or lies below it. */
export function isWithin(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** `p` relative to the first of `folders` it lies below, else `p` itself. */
export function relativeToFolders(p: string, folders: readonly string[]): string {
  for (const f of folders) if (isWithin(f, p) && path.relative(f, p) !== '') return path.relative(f, p);
  return p;
}
