// Long loops (indexing the workspace, counting its findings) give the event loop a turn now and then, so the
// server keeps answering requests meanwhile.

/** Files handled between two yields to the event loop. */
const BATCH = 50;
/** Long loops give the event loop a turn every BATCH items or SLICE_MS, whichever comes first. */
const SLICE_MS = 15;

/** A clock for one loop: true when it is time to yield (then await yieldToEventLoop()). */
export function slicer(): () => boolean {
  let count = 0;
  let since = Date.now();
  return () => {
    if (++count < BATCH && Date.now() - since < SLICE_MS) return false;
    count = 0;
    since = Date.now();
    return true;
  };
}

export const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
