// file-not-found, file-unreadable, pem-invalid: every reference must load and hold the kind of
// PEM its use expects. Other checks skip references that fail here, so each defect is said once. A path
// found nowhere whose place nothing tells (resolve/paths.ts: unplaced) is no finding at all.
import { unitReferences, type Reference } from '../parse';
import { materialProblem } from '../resolve/material';
import type { CheckContext } from './context';

/** " (read as /repo/node1/etc/kubernetes/pki/ca.crt)" when the path was found elsewhere. */
function readAs(ref: Reference, found: string | undefined): string {
  return found && ref.source.kind === 'path' && found !== ref.source.path ? ` (read as ${found})` : '';
}

function what(ref: Reference): string {
  return ref.source.kind === 'inline' ? ref.field : `${ref.field} ${ref.source.path}`;
}

export function references(ctx: CheckContext): void {
  for (const unit of ctx.parsed.units) {
    for (const ref of unitReferences(unit)) {
      if (ref.expect === 'kubeconfig' || ref.expect === 'kubelet-config') {
        const r = ctx.resolve(ref);
        if (r && !r.found) {
          const loaded = ctx.load(ref);
          if (!loaded.ok && !loaded.unplaced) ctx.report(loaded.code, ref.span, `${what(ref)}: ${loaded.message}`);
        }
        continue;
      }
      const loaded = ctx.load(ref);
      // Not found and no place known (a node's path with no copy of that node here): nothing kube-pki can see.
      if (!loaded.ok && loaded.unplaced) continue;
      if (!loaded.ok) {
        const msg =
          loaded.code === 'file-not-found' && !loaded.path
            ? `${ref.field}: ${loaded.message}`
            : `${what(ref)}${readAs(ref, loaded.path)} ${loaded.message}`;
        ctx.report(loaded.code, ref.span, msg);
        continue;
      }
      const problem = materialProblem(ref, loaded.material);
      if (problem) ctx.report('pem-invalid', ref.span, `${what(ref)}${readAs(ref, loaded.path)} ${problem}`);
    }
  }
}
