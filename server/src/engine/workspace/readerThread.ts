// A reader thread (dist/reader.js): reads the files the folder walk found, while the walk goes on, and applies the
// prefilter (mightMatter) where they are read, so the main thread receives only the texts that can matter. A file
// it turned away is reported read, without its text. A chunk the main thread took first (its claim) is left to it.
// ParallelReader (parallelRead.ts) is its other end.
import { parentPort, workerData } from 'node:worker_threads';
import { readForThreads, type ReaderAnswer, type ReaderChunk, type ReaderData } from './parallelRead';

const { maxBytes } = workerData as ReaderData;

parentPort!.on('message', (m: ReaderChunk | { end: true }) => {
  if ('end' in m) {
    parentPort!.postMessage({ done: true });
    return;
  }
  if (Atomics.compareExchange(m.claim, 0, 0, 1) !== 0) return;
  // Only what the main thread needs: the files kept or not read (a file turned away is one it infers).
  const answer: ReaderAnswer = { id: m.id, kept: [] };
  for (let i = 0; i < m.files.length; i++) {
    const r = readForThreads(m.files[i], m.listed[i], maxBytes);
    if (r[1] !== 0) answer.kept.push(r);
  }
  parentPort!.postMessage(answer);
});
