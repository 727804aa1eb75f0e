// The real disk, read so that nothing a user points at can hang or exhaust the engine:
// stat before open (no device is ever opened), regular files only, a size limit, and O_NONBLOCK so a FIFO
// swapped in between stat and open cannot block the thread. A file a folder listing just typed as a regular file
// (readDirTyped's dirent, no stat of its own) is opened without that stat: O_NONBLOCK and the fstat of the open
// descriptor still turn away a FIFO swapped in meanwhile, unread. One read each: the next read of the path stats again.
import * as fs from 'node:fs';
import { sep } from 'node:path';
import type { DirEntry, FileStat, FileSystem, ReadResult } from '../types';

function describeError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'ENOTDIR':
      return 'a parent of the path is not a folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links (a symlink loop?)';
    case 'ENAMETOOLONG':
      return 'path too long';
    case 'EISDIR':
      return 'is a folder, not a file';
    default:
      return code ? `cannot read (${code})` : 'cannot read';
  }
}

/** Regular files a folder listing typed as such and no read has used yet (bounded: see readDirTyped). */
const MAX_LISTED = 500_000;

/**
 * Reads a regular file of at most maxBytes as nodeFileSystem does; `listed`: a folder listing just typed the path as
 * a regular file (no stat before the open). Also the reader threads' read (workspace/readerThread.ts).
 */
export function readRegularFile(path: string, maxBytes: number, listed: boolean): ReadResult {
  let fd: number | undefined;
  try {
    if (!listed) {
      const before = fs.statSync(path);
      if (before.isDirectory()) return { ok: false, reason: 'is a folder, not a file' };
      if (!before.isFile()) return { ok: false, reason: 'is not a regular file (a FIFO, socket or device)' };
      if (before.size > maxBytes) {
        return { ok: false, reason: `is ${before.size} bytes, over the ${maxBytes}-byte limit`, tooBig: before.size };
      }
    }
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) return { ok: false, reason: 'is a folder, not a file' };
    if (!st.isFile()) return { ok: false, reason: 'is not a regular file (a FIFO, socket or device)' };
    if (st.size > maxBytes) return { ok: false, reason: `is ${st.size} bytes, over the ${maxBytes}-byte limit`, tooBig: st.size };
    // Read at most maxBytes + 1 so a file that grew after stat is still caught.
    const buf = Buffer.allocUnsafe(Math.min(st.size, maxBytes) + 1);
    let total = 0;
    for (;;) {
      const asked = buf.length - total;
      const n = fs.readSync(fd, buf, total, asked, null);
      total += n;
      // A regular file reads short only at its end: no second read to learn that it is over.
      if (n === 0 || n < asked || total >= buf.length) break;
    }
    if (total > maxBytes) return { ok: false, reason: `is over the ${maxBytes}-byte limit` };
    return { ok: true, data: buf.subarray(0, total) };
  } catch (err) {
    return { ok: false, reason: describeError(err) };
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export function nodeFileSystem(): FileSystem {
  const listedRegular = new Set<string>();
  return {
    stat(path: string): FileStat | { kind: 'missing'; reason: string } {
      try {
        const st = fs.statSync(path);
        const kind = st.isFile() ? 'file' : st.isDirectory() ? 'directory' : 'other';
        return { kind, size: st.size, mtimeMs: st.mtimeMs };
      } catch (err) {
        return { kind: 'missing', reason: describeError(err) };
      }
    },
    readFile(path: string, maxBytes: number): ReadResult {
      return readRegularFile(path, maxBytes, listedRegular.delete(path));
    },
    takeListed(path: string): boolean {
      return listedRegular.delete(path);
    },
    readDir(path: string): string[] {
      try {
        return fs.readdirSync(path);
      } catch {
        return [];
      }
    },
    readDirTyped(path: string): DirEntry[] {
      try {
        const prefix = path.endsWith(sep) ? path : path + sep;
        return fs.readdirSync(path, { withFileTypes: true }).map((d) => {
          const file = d.isFile();
          if (file && listedRegular.size < MAX_LISTED) listedRegular.add(prefix + d.name);
          return { name: d.name, kind: file ? 'file' : d.isDirectory() ? 'directory' : d.isSymbolicLink() ? 'symlink' : 'other' };
        });
      } catch {
        return [];
      }
    },
    realpath(path: string): string | undefined {
      try {
        // The native one: realpath(3) resolves `..` after a symlink as the kernel does; the JS one normalizes first.
        return fs.realpathSync.native(path);
      } catch {
        return undefined;
      }
    },
  };
}

/** Open editor buffers take precedence over the disk: what the user sees is what is checked. */
export function overlayFileSystem(base: FileSystem, overlay: Map<string, string>): FileSystem {
  return {
    stat(path) {
      const text = overlay.get(path);
      if (text !== undefined) return { kind: 'file', size: Buffer.byteLength(text), mtimeMs: 0 };
      return base.stat(path);
    },
    readFile(path, maxBytes) {
      const text = overlay.get(path);
      if (text !== undefined) {
        const data = Buffer.from(text, 'utf8');
        if (data.length > maxBytes) return { ok: false, reason: `is over the ${maxBytes}-byte limit` };
        return { ok: true, data };
      }
      return base.readFile(path, maxBytes);
    },
    readDir(path) {
      return base.readDir(path);
    },
    ...(base.readDirTyped ? { readDirTyped: (path: string) => base.readDirTyped!(path) } : {}),
    // Where an open buffer is on disk (or would be: the confinement walks up to a folder that exists).
    ...(base.realpath ? { realpath: (path: string) => base.realpath!(path) } : {}),
  };
}
