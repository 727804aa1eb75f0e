// kind's apiserver certificate, as far as files tell it. kubeadm issues it inside the node container from the config
// kind generates (sigs.k8s.io/kind pkg/cluster/internal/kubeadm/config.go: apiServer.certSANs [localhost,
// apiServerAddress], controlPlaneEndpoint <name>-control-plane:6443, or <name>-external-load-balancer:6443 with
// several control planes; node names <name>-control-plane, <name>-control-plane2, ...) merged with the
// kubeadmConfigPatches (pkg/internal/patch/kubeadm_merge.go: certSANs are appended, not replaced), and kubeadm adds the
// node name, kubernetes, kubernetes.default, kubernetes.default.svc and kubernetes.default.svc.<dnsDomain>
// (cmd/kubeadm/app/util/pkiutil/pki_helpers.go GetAPIServerAltNames) and IPs (the service IP, the node container's
// address, which no file tells). So the certificate's DNS names are known from the config; its IPs are not.
import type { KindClusterUnit } from '../parse';
import { hostOf } from './net';

/** The name kind gives the cluster, user and context it writes in the kubeconfig. */
export function kindKubeconfigName(unit: KindClusterUnit): string {
  return `kind-${unit.name}`;
}

/**
 * The DNS names of the apiserver certificate of a kind cluster, or undefined when the config does not tell them all
 * (a JSON 6902 patch, whose effect is not read, or a patch that does not parse).
 */
export function kindCertDnsNames(unit: KindClusterUnit): { names: string[]; nodePattern: RegExp } | undefined {
  if (unit.json6902 || unit.patches.some((p) => p.error)) return undefined;
  const names = new Set(['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc']);
  names.add(`${unit.name}-external-load-balancer`);
  let domains = 0;
  for (const p of unit.patches) {
    for (const s of p.certSANs) names.add(s.value);
    for (const n of p.nodeNames) names.add(n.value);
    const cpe = p.controlPlaneEndpoint ? hostOf(p.controlPlaneEndpoint.value) : undefined;
    if (cpe) names.add(cpe);
    if (p.dnsDomain) {
      names.add(`kubernetes.default.svc.${p.dnsDomain.value}`);
      domains++;
    }
  }
  if (domains === 0) names.add('kubernetes.default.svc.cluster.local');
  if (unit.apiServerAddress) names.add(unit.apiServerAddress.value);
  const escaped = unit.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return { names: [...names], nodePattern: new RegExp(`^${escaped}-control-plane\\d*$`, 'i') };
}

/** Whether a DNS name is among the names, as Go matches a host (case-insensitive, a wildcard covers one label). */
export function kindNamesHold(names: string[], nodePattern: RegExp, host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  if (nodePattern.test(h)) return true;
  return names.some((n) => {
    const name = n.toLowerCase();
    if (name === h) return true;
    if (!name.startsWith('*.')) return false;
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot) === name.slice(1);
  });
}
