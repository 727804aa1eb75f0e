// Which findings an action resolves: the file-not-found findings on the references it creates, and
// the comparison that keeps one finding from being counted twice on the same action.
import type { FixedFinding } from '../types';
import type { Reference } from '../../parse';
import type { Planner } from './planner';

/** file-not-found findings on these references (what creating them resolves). */
export function notFoundFindings(planner: Planner, refs: (Reference | undefined)[]): FixedFinding[] {
  const out: FixedFinding[] = [];
  for (const r of refs) {
    if (!r) continue;
    const parsed = planner.engine.parsed(r.file);
    if (parsed) out.push({ file: r.file, range: parsed.lines.range(r.span.start, r.span.end), code: 'file-not-found' });
  }
  return out;
}

export function sameFinding(a: FixedFinding, b: FixedFinding): boolean {
  return (
    a.file === b.file &&
    a.code === b.code &&
    a.range.start.line === b.range.start.line &&
    a.range.start.character === b.range.start.character &&
    a.range.end.line === b.range.end.line &&
    a.range.end.character === b.range.end.character
  );
}
