// Writing generated files so that nothing is lost and nothing is half-written:
//  - an existing file is replaced only with permission, and is kept beside it as NAME.bak-YYYYMMDDhhmmss;
//  - a new file is never created over one that appeared meanwhile (link(2) fails instead of clobbering);
//  - every file is written to a temporary file in its own folder (created with its final mode, so a
//    private key is 0600 from its first byte), fsynced, then renamed into place, and the folder fsynced;
//  - all temporary files are written before the first rename, so a failure while writing leaves every
//    file as it was; a failure while renaming leaves each file old or new, and the report says which.
// Reads go through the engine's FileSystem; writes through a small FileWriter, so tests can inject faults.
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FileSystem } from '../types';

/** The few write operations the batch writer needs. Every method throws on failure. */
export interface FileWriter {
  /** mkdir -p, new folders 0755. */
  mkdirp(dir: string): void;
  /** Creates `file` exclusively (O_CREAT|O_EXCL) with `mode`, writes `data`, fsyncs and closes it. */
  writeNew(file: string, data: Buffer, mode: number): void;
  /** Hard link; fails when `to` exists. */
  link(from: string, to: string): void;
  /** Exclusive copy (fallback for backups where hard links are not possible); keeps `mode`. */
  copyNew(from: string, to: string, mode: number): void;
  rename(from: string, to: string): void;
  unlink(file: string): void;
  /** fsync a folder so the renames in it are durable. */
  syncDir(dir: string): void;
  /** The permission bits of an existing file. */
  modeOf(file: string): number;
}

export function nodeWriter(): FileWriter {
  return {
    mkdirp(dir) {
      nodeFs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    },
    writeNew(file, data, mode) {
      // The mode is given to open(2): the file never exists with wider permissions.
      const fd = nodeFs.openSync(file, nodeFs.constants.O_WRONLY | nodeFs.constants.O_CREAT | nodeFs.constants.O_EXCL, mode);
      try {
        // Certificates should be 0644 whatever the umask; a key's 0600 needs nothing (umask only removes bits).
        if ((mode & 0o077) !== 0) nodeFs.fchmodSync(fd, mode);
        let off = 0;
        while (off < data.length) off += nodeFs.writeSync(fd, data, off, data.length - off);
        nodeFs.fsyncSync(fd);
      } finally {
        nodeFs.closeSync(fd);
      }
    },
    link(from, to) {
      nodeFs.linkSync(from, to);
    },
    copyNew(from, to, mode) {
      const data = nodeFs.readFileSync(from);
      this.writeNew(to, data, mode);
    },
    rename(from, to) {
      nodeFs.renameSync(from, to);
    },
    unlink(file) {
      nodeFs.unlinkSync(file);
    },
    syncDir(dir) {
      let fd: number | undefined;
      try {
        fd = nodeFs.openSync(dir, nodeFs.constants.O_RDONLY);
        nodeFs.fsyncSync(fd);
      } catch {
        // Some file systems refuse fsync on a folder; the rename is still atomic.
      } finally {
        if (fd !== undefined) nodeFs.closeSync(fd);
      }
    },
    modeOf(file) {
      return nodeFs.statSync(file).mode & 0o7777;
    },
  };
}

export interface WriteRequest {
  path: string;
  contents: string | Buffer;
  mode: number;
  /** The caller expects the file to exist and be replaced (false: it must not exist). */
  replace: boolean;
}

export interface WriteOptions {
  fs: FileSystem;
  writer?: FileWriter;
  /** Permission to replace existing files (CLI --fix/--renew, the editor's confirmation). */
  allowReplace: boolean;
  /** The time in backup names (default now). */
  now?: Date;
}

export interface WrittenFile {
  path: string;
  /** Where the previous content was kept. */
  backup?: string;
  replaced: boolean;
}

export interface WriteReport {
  ok: boolean;
  written: WrittenFile[];
  /** Untouched: refused before anything was written, or not reached after a failure. */
  notWritten: string[];
  /** The file whose write failed, and why; or why the batch was refused. */
  error?: { path?: string; message: string };
}

/** Temporary files are hidden and recognisable, so a later run can clear what a killed one left. */
export const TEMP_MARK = '.kube-pki-tmp-';

export function backupStamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

function describe(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}: ${e.message}` : String(e?.message ?? err);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes temporary files a killed run left in these folders (only files carrying TEMP_MARK).
 * Returns what it removed.
 */
export function clearStaleTemps(dirs: string[], fs: FileSystem, writer: FileWriter = nodeWriter()): string[] {
  const removed: string[] = [];
  for (const dir of new Set(dirs)) {
    for (const name of fs.readDir(dir)) {
      if (!name.startsWith('.') || !name.includes(TEMP_MARK)) continue;
      // Another kube-pki still writing here keeps its files.
      const pid = Number(/\.kube-pki-tmp-(\d+)-/.exec(name)?.[1]);
      if (pid && pid !== process.pid && alive(pid)) continue;
      const full = path.join(dir, name);
      try {
        writer.unlink(full);
        removed.push(full);
      } catch {
        // gone already
      }
    }
  }
  return removed;
}

/** Keeps `file` as it is as FILE.bak-STAMP (a hard link, else an exclusive copy with its mode); returns the backup's path. */
function keepBackup(file: string, stamp: string, fs: FileSystem, writer: FileWriter): string {
  let backup = `${file}.bak-${stamp}`;
  for (let n = 1; fs.stat(backup).kind !== 'missing'; n++) backup = `${file}.bak-${stamp}-${n}`;
  try {
    writer.link(file, backup);
  } catch {
    writer.copyNew(file, backup, writer.modeOf(file));
  }
  return backup;
}

/**
 * Keeps each existing file as it is on disk as NAME.bak-YYYYMMDDhhmmss, as a replaced file is kept, before
 * something else changes it (the editor, applying a kubeconfig's *-data edits). Stops at the first failure.
 */
export function backupFiles(
  files: string[],
  options: { fs: FileSystem; writer?: FileWriter; now?: Date },
): { backups: { path: string; backup: string }[]; error?: { path: string; message: string } } {
  const writer = options.writer ?? nodeWriter();
  const stamp = backupStamp(options.now ?? new Date());
  const backups: { path: string; backup: string }[] = [];
  for (const file of files) {
    if (options.fs.stat(file).kind !== 'file') continue;
    try {
      backups.push({ path: file, backup: keepBackup(file, stamp, options.fs, writer) });
      writer.syncDir(path.dirname(file));
    } catch (err) {
      return { backups, error: { path: file, message: `keeping a backup failed (${describe(err)})` } };
    }
  }
  return { backups };
}

/** Writes a batch as described at the top of this file. */
export function writeBatch(requests: WriteRequest[], options: WriteOptions): WriteReport {
  const writer = options.writer ?? nodeWriter();
  const fs = options.fs;
  const all = requests.map((r) => r.path);
  const refuse = (message: string, p?: string): WriteReport => ({ ok: false, written: [], notWritten: all, error: { path: p, message } });

  // 1. Every check before any write.
  const seen = new Set<string>();
  for (const r of requests) {
    if (seen.has(r.path)) return refuse(`${r.path} is written twice in one batch`, r.path);
    seen.add(r.path);
    const st = fs.stat(r.path);
    if (st.kind === 'directory' || st.kind === 'other') return refuse(`${r.path} exists and is not a regular file`, r.path);
    if (st.kind === 'file') {
      if (!r.replace) return refuse(`${r.path} appeared since the plan was made; nothing was written`, r.path);
      if (!options.allowReplace)
        return refuse(`${r.path} exists: replacing it needs permission (--fix or --renew; in the editor, the confirmation)`, r.path);
    } else if (st.kind === 'missing' && st.reason !== 'no such file' && st.reason !== 'a parent of the path is not a folder') {
      return refuse(`${r.path}: ${st.reason}`, r.path);
    }
  }
  clearStaleTemps(
    requests.map((r) => path.dirname(r.path)),
    fs,
    writer,
  );

  // 2. Every temporary file, fully written and synced, before anything is renamed.
  const temps: string[] = [];
  const cleanup = (list: string[]) => {
    for (const t of list) {
      try {
        writer.unlink(t);
      } catch {
        // already gone
      }
    }
  };
  for (const r of requests) {
    const dir = path.dirname(r.path);
    const temp = path.join(dir, `.${path.basename(r.path)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      writer.mkdirp(dir);
      writer.writeNew(temp, Buffer.isBuffer(r.contents) ? r.contents : Buffer.from(r.contents, 'utf8'), r.mode);
      temps.push(temp);
    } catch (err) {
      cleanup(temps);
      try {
        writer.unlink(temp);
      } catch {
        // never created
      }
      return { ok: false, written: [], notWritten: all, error: { path: r.path, message: `writing failed (${describe(err)}); no file was changed` } };
    }
  }

  // 3. Into place, one by one: each file is old or new at every instant.
  const stamp = backupStamp(options.now ?? new Date());
  const written: WrittenFile[] = [];
  for (let i = 0; i < requests.length; i++) {
    const r = requests[i];
    const temp = temps[i];
    const dir = path.dirname(r.path);
    try {
      if (fs.stat(r.path).kind === 'file') {
        const backup = keepBackup(r.path, stamp, fs, writer);
        writer.rename(temp, r.path);
        written.push({ path: r.path, backup, replaced: true });
      } else {
        writer.link(temp, r.path); // fails rather than clobber a file that appeared meanwhile
        try {
          writer.unlink(temp);
        } catch {
          // the file is in place; a stray temporary is cleared by the next run
        }
        written.push({ path: r.path, replaced: false });
      }
      writer.syncDir(dir);
    } catch (err) {
      cleanup(temps.slice(i));
      return {
        ok: false,
        written,
        notWritten: requests.slice(i).map((x) => x.path),
        error: { path: r.path, message: `putting it in place failed (${describe(err)}); it is unchanged` },
      };
    }
  }
  return { ok: true, written, notWritten: [] };
}
