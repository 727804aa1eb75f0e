// Long loops (indexing the workspace, counting its findings) give the event loop a turn now and then, so the
// server keeps answering requests meanwhile.

/** Files handled between two yields to the event loop. */
const BATCH = 50;
/** Long loops give the event loop a turn every BATCH items or SLICE_MS, whichever comes first. */
const SLICE_MS = 15;

/**
 * The indexing of the workspace runs while the user types: its slices are shorter, so a keystroke waits at most
 * this long for the event loop (its diagnostics come after the slice under way).
 */
export const INDEX_SLICE_MS = 2;

/** A clock for one loop: true when it is time to yield (then await yieldToEventLoop()). */
export function slicer(sliceMs = SLICE_MS, batch = BATCH): () => boolean {
  let count = 0;
  let since = Date.now();
  return () => {
    if (++count < batch && Date.now() - since < sliceMs) return false;
    count = 0;
    since = Date.now();
    return true;
  };
}

export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
