// Phase 6: what is wrong with each certificate, as the findings say it. Reads the engine's verdicts
// (engine.check, cached; a failing check is an internal-error finding, never a throw) of each file that
// references a certificate, indexed by line once per file, so a kubeconfig with a thousand users does not
// compare each reference with every finding. Produces problemsOf(entry): the findings whose range overlaps
// a reference to the certificate or to the key referenced beside it (features/context.ts findingsOn), each
// once, copied (the engine's findings are cached and shared).
import type { Finding, Range } from '../types';
import type { Engine } from '../workspace/engine';
import { findingsOn } from '../features/context';
import type { InventoryLocation, InventoryProblem } from './types';
import type { Entry } from './collection';

export function problemFinder(engine: Engine): (e: Entry) => InventoryProblem[] {
  const on = problemsOnFinder(engine);
  return (e: Entry) => on([...e.refs, ...e.pairedKeyLocs]);
}

/** The findings on any of the given lines, each once (a key pair's: keyPairs.ts). */
export function problemsOnFinder(engine: Engine): (locs: InventoryLocation[]) => InventoryProblem[] {
  const findingsByFile = new Map<string, Map<number, Finding[]>>();
  const findingsNear = (file: string, range: Range): Finding[] => {
    let byLine = findingsByFile.get(file);
    if (!byLine) {
      byLine = new Map();
      // engine.check turns a failing check into an internal-error finding: it does not throw.
      for (const f of engine.check(file)) {
        const last = Math.min(f.range.end.line, f.range.start.line + 200);
        for (let l = f.range.start.line; l <= last; l++) {
          const list = byLine.get(l);
          if (list) list.push(f);
          else byLine.set(l, [f]);
        }
      }
      findingsByFile.set(file, byLine);
    }
    const out = new Set<Finding>();
    for (let l = range.start.line; l <= range.end.line; l++) for (const f of byLine.get(l) ?? []) out.add(f);
    return [...out];
  };

  return (locs: InventoryLocation[]): InventoryProblem[] => {
    const problems: InventoryProblem[] = [];
    const seenProblems = new Set<string>();
    for (const loc of locs) {
      for (const f of findingsOn(findingsNear(loc.file, loc.range), loc.range)) {
        const k = `${f.file}\0${f.range.start.line}:${f.range.start.character}\0${f.code}\0${f.message}`;
        if (seenProblems.has(k)) continue;
        seenProblems.add(k);
        // Copies: the engine's findings are cached and shared.
        const range = { start: { ...f.range.start }, end: { ...f.range.end } };
        problems.push({ severity: f.severity, code: f.code, message: f.message, file: f.file, range });
      }
    }
    return problems;
  };
}
