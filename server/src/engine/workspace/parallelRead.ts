// Reading a large tree on more than one core: the files the folder walk finds are handed, in chunks, to reader
// threads (readerThread.ts, bundled as dist/reader.js beside the bundle that uses it) while the walk goes on; they
// read each file (the disk's own checks: regular files only, the size limit) and apply the prefilter (mightMatter),
// and send back only the texts that can matter. The main thread then gives those to the engine; a file a thread
// turned away is one Engine.acceptUnread agrees changes nothing. Small trees (fewer than PARALLEL_MIN_FILES) are read
// on the main thread, as is anything a thread did not answer for (a thread that failed, no dist/reader.js). The
// command line uses it; the language server does not: its index already runs in slices beside the user's typing,
// and a reader thread competing for the cores made keystrokes slower (npm run bench, monorepo) without shortening
// the index.
import * as os from 'node:os';
import * as path from 'node:path';
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { readRegularFile } from '../fs/nodeFileSystem';
import { mightMatter } from '../parse/index';
import { isConfigName } from '../policy/config';

/** What a reader thread is started with. */
export interface ReaderData {
  maxBytes: number;
}

/**
 * A chunk of files for a reader thread; `listed[i]`: a folder listing typed files[i] as a regular file; `claim`: 0
 * until the thread (1) or the main thread (2) takes the chunk (Atomics.compareExchange), so each is read once.
 */
export interface ReaderChunk {
  /** Its place among the chunks handed out (the thread's answer names it). */
  id: number;
  files: string[];
  listed: boolean[];
  claim: Int32Array;
}

/** [file, 0]: read, turned away by the prefilter; [file, 1, text]: read; [file, 2, reason, tooBig]: not read. */
export type ReaderResult = [string, 0] | [string, 1, string] | [string, 2, string, number | undefined];

/** A file read as a reader thread reads it: its text only when the prefilter keeps it (or it is a config). */
export function readForThreads(file: string, listed: boolean, maxBytes: number): ReaderResult {
  const r = readRegularFile(file, maxBytes, listed);
  if (!r.ok) return [file, 2, r.reason, r.tooBig];
  const text = r.data.toString('utf8');
  let matters = true;
  try {
    matters = isConfigName(file) || mightMatter(file, text);
  } catch {
    // The prefilter never decides against a text it could not judge: the main thread parses it.
  }
  return matters ? [file, 1, text] : [file, 0];
}

/** A thread's answer for a chunk: the files it kept or could not read; every other file of the chunk was turned away. */
export interface ReaderAnswer {
  id: number;
  kept: ReaderResult[];
}

/** A file read and turned away by the prefilter (one object for all). */
const TURNED_AWAY: ParallelRead = Object.freeze({ ok: true as const });

/** What the threads made of a file: its text (undefined: read, and turned away by the prefilter), or why it was not read. */
export type ParallelRead = { ok: true; text?: string } | { ok: false; reason: string; tooBig?: number };

/**
 * One reader thread per core beyond the main thread's, at most 2 (none on one core); $KUBE_PKI_THREADS sets it
 * (0: every file is read on the main thread).
 */
export function defaultThreads(): number {
  const set = process.env.KUBE_PKI_THREADS?.trim();
  if (set && /^\d+$/.test(set)) return Math.min(8, Number(set));
  return Math.min(2, (os.availableParallelism?.() ?? os.cpus().length) - 1);
}

/** Below this many files a thread's start costs more than it saves. */
export const PARALLEL_MIN_FILES = 2000;
const CHUNK = 256;

export class ParallelReader {
  private readonly workers: Worker[] = [];
  private readonly results = new Map<string, ParallelRead>();
  private files: string[] = [];
  private count = 0;
  private turn = 0;
  private failed = false;
  private readonly pending = new Set<Promise<void>>();
  private readonly chunks: ReaderChunk[] = [];

  /**
   * `listed(file)`: whether a folder listing typed the file as a regular file (FileSystem.takeListed), asked when the
   * file is handed to a thread; `workerFile`: the reader thread's script (default: reader.js beside the running
   * bundle); `threads`: how many (defaultThreads).
   */
  constructor(
    private readonly maxBytes: number,
    private readonly listed: (file: string) => boolean = () => false,
    private readonly workerFile = path.join(__dirname, 'reader.js'),
    private readonly threads = defaultThreads(),
    private readonly minFiles = PARALLEL_MIN_FILES,
  ) {}

  /** A file the walk found. */
  add(file: string): void {
    this.files.push(file);
    this.count++;
    if (this.files.length >= CHUNK && this.count >= this.minFiles) this.flush();
  }

  /**
   * Every result, once the threads are done (files missing from it are for the caller to read). Meanwhile the
   * calling thread reads the chunks no thread has begun, from the last one back.
   */
  async finish(): Promise<Map<string, ParallelRead>> {
    if (this.workers.length === 0) return this.results;
    this.flush();
    for (const w of this.workers) w.postMessage({ end: true });
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const c = this.chunks[i];
      if (Atomics.compareExchange(c.claim, 0, 0, 2) !== 0) continue;
      for (let j = 0; j < c.files.length; j++) this.take(readForThreads(c.files[j], c.listed[j], this.maxBytes));
    }
    await Promise.all(this.pending);
    for (const w of this.workers) void w.terminate();
    return this.results;
  }

  /** Ends the threads (also when finish() was never reached). */
  close(): void {
    for (const w of this.workers) void w.terminate();
  }

  private take(r: ReaderResult): void {
    if (r[1] === 0) this.results.set(r[0], TURNED_AWAY);
    else if (r[1] === 1) this.results.set(r[0], { ok: true, text: r[2] });
    else this.results.set(r[0], { ok: false, reason: r[2], ...(r[3] !== undefined ? { tooBig: r[3] } : {}) });
  }

  private flush(): void {
    if (this.failed || this.files.length === 0) return;
    if (this.workers.length === 0 && !this.start()) return;
    const chunk: ReaderChunk = {
      id: this.chunks.length,
      files: this.files,
      listed: this.files.map(this.listed),
      claim: new Int32Array(new SharedArrayBuffer(4)),
    };
    this.chunks.push(chunk);
    this.files = [];
    this.workers[this.turn++ % this.workers.length].postMessage(chunk);
  }

  private start(): boolean {
    if (this.threads < 1 || !existsSync(this.workerFile)) {
      this.failed = true;
      return false;
    }
    for (let i = 0; i < this.threads; i++) {
      let worker: Worker;
      try {
        worker = new Worker(this.workerFile, { workerData: { maxBytes: this.maxBytes } satisfies ReaderData });
      } catch {
        break;
      }
      this.workers.push(worker);
      const done = new Promise<void>((resolve) => {
        worker.on('message', (m: ReaderAnswer | { done: true }) => {
          if ('done' in m) return resolve();
          const chunk = this.chunks[m.id];
          if (!chunk) return;
          for (const file of chunk.files) this.results.set(file, TURNED_AWAY);
          for (const r of m.kept) this.take(r);
        });
        // A thread that failed: what it did not answer for is read by the caller.
        worker.on('error', () => resolve());
        worker.on('exit', () => resolve());
      });
      this.pending.add(done);
    }
    if (this.workers.length === 0) this.failed = true;
    return this.workers.length > 0;
  }
}
