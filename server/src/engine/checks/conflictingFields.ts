// conflicting-fields: kubectl refuses a kubeconfig that sets both `client-certificate` and
// `client-certificate-data` (likewise for the key and the CA).
import type { CheckContext } from './context';

export function conflictingFields(ctx: CheckContext): void {
  for (const kc of ctx.unitsHere('kubeconfig')) {
    for (const c of kc.conflicts) {
      ctx.report(
        'conflicting-fields',
        c.span,
        `Both ${c.field} and ${c.twin} are set; kubectl refuses this kubeconfig ("${c.twin} and ${c.field} are both specified"). Keep one.`,
        [ctx.related(ctx.file, c.twinSpan, `${c.twin} is set here`)],
      );
    }
  }
}
