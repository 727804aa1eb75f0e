// The files a skipped leaf certificate concerns (its own, and its key when that is missing too): what
// a skipped item lists, whether the certificate was missing (missing.ts) or was to be re-issued
// (reissue.ts).
import type { Planner } from './planner';
import type { LeafSlot } from './slots';

/** The files a skipped certificate concerns: its own, and its key when that is missing too. */
export function slotPaths(planner: Planner, slot: LeafSlot): string[] {
  const cert = slot.certPath ?? slot.certRef.file;
  const keyMissing = !!slot.keyPath && slot.keyPath !== slot.certPath && planner.fs.stat(slot.keyPath).kind === 'missing';
  return keyMissing ? [cert, slot.keyPath!] : [cert];
}
