// What is said when a CA cannot be made or replaced in place (its key lost, weak or not its own):
// a CA key is never regenerated, so the advice is to restore it, or to rotate the CA, with what
// this workspace holds that the CA signed.
import * as path from 'node:path';
import { chainsTo } from '../../cluster';
import { caProfiles } from '../profiles';
import type { Planner } from './planner';
import type { CaSlot } from './slots';

/** What this workspace holds that the CA signed: certificate files, or kubeconfigs embedding one. */
function signedBy(planner: Planner, ca: CaSlot): string[] {
  const out = new Set<string>();
  for (const l of planner.leaves.values()) {
    if (!l.cert || !ca.cert || !chainsTo(l.cert, [ca.cert])) continue;
    out.add(l.inline ? `${path.basename(l.inline.file)} (user ${l.user?.name ?? '?'})` : path.basename(l.certPath!));
  }
  return [...out];
}

/** How a CA is replaced: everything it signed is re-issued, everything that trusts it is told. */
export function rotationAdvice(planner: Planner, ca: CaSlot): string {
  const signed = signedBy(planner, ca);
  const list = signed.length ? ` (here: ${signed.slice(0, 8).join(', ')}${signed.length > 8 ? ` and ${signed.length - 8} more` : ''})` : '';
  return (
    `rotating a CA means re-issuing everything it signed${list} and giving the new CA certificate to everything that trusts it ` +
    `(the CA flags naming ${path.basename(ca.certPath)}, kubeconfigs' certificate-authority-data, kubelets' clientCAFile), which kube-pki does not do on its own. ` +
    `With kube-pki: move ${path.basename(ca.certPath)}${ca.keyExists ? ` and ${path.basename(ca.keyPath)}` : ''} aside together with the certificates and keys it signed ` +
    `(and the kubeconfigs embedding them), then run kube-pki generate (a new CA, and everything the configs reference issued by it), ` +
    `then kube-pki generate --fix (for kubeconfigs still embedding the old CA); make the kubeconfigs nothing references (admin.conf) with kube-pki kubeconfig. ` +
    `On a running cluster, follow https://kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates/ (trust the old and the new CA while switching).`
  );
}

/** A CA certificate whose key is gone: said once, with what to do. */
export function lostCaKeyTitle(planner: Planner, ca: CaSlot): string {
  return `${caProfiles[ca.family].title}'s private key (${path.basename(ca.keyPath)})`;
}

export function lostCaKey(planner: Planner, ca: CaSlot): void {
  const key = path.basename(ca.keyPath);
  planner.skip({
    title: lostCaKeyTitle(planner, ca),
    paths: [ca.keyPath],
    reason:
      `${key} is missing while its certificate ${path.basename(ca.certPath)} remains: a CA key is never regenerated (a new key under the same name verifies nothing it signed). ` +
      `Restore it from a backup, or copy it from another control-plane node (kubeadm keeps the same CAs on each, under /etc/kubernetes/pki). ` +
      `If it is lost for good, the CA must be replaced: ${rotationAdvice(planner, ca)}`,
  });
}
