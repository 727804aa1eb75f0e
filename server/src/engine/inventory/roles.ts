// What a certificate is for, in words, from the line that references it (a component flag, a kubeconfig
// user, a kubelet config field) or, for files no config references, from kubeadm's file names.
import * as path from 'node:path';
import { lookupTable } from '../lookup';

export interface RoleEvidence {
  /** Lower wins: 0 the certificate's own use (a serving or client flag), 1 a kubeadm file name, 2 a CA flag, 3 a chain. */
  rank: number;
  role: string;
  component?: string;
}

/** Leaf flags of the control-plane components: flag (no dashes) -> role. */
const componentLeafRoles = lookupTable<Readonly<Record<string, string | undefined>>>({
  'kube-apiserver': lookupTable({
    'tls-cert-file': 'kube-apiserver serving',
    'kubelet-client-certificate': 'apiserver → kubelet client',
    'etcd-certfile': 'apiserver → etcd client',
    'proxy-client-cert-file': 'front-proxy client',
  }),
  etcd: lookupTable({
    'cert-file': 'etcd serving',
    'peer-cert-file': 'etcd peer',
  }),
  'kube-controller-manager': lookupTable({ 'tls-cert-file': 'kube-controller-manager serving' }),
  'kube-scheduler': lookupTable({ 'tls-cert-file': 'kube-scheduler serving' }),
});

/** CA flags and fields (any component) -> the CA's role. */
const caRoles = lookupTable<string>({
  '--client-ca-file': 'cluster CA',
  '--root-ca-file': 'cluster CA',
  '--cluster-signing-cert-file': 'cluster CA',
  '--cluster-signing-kubelet-serving-cert-file': 'kubelet serving signer CA',
  '--cluster-signing-kubelet-client-cert-file': 'kubelet client signer CA',
  '--cluster-signing-kube-apiserver-client-cert-file': 'apiserver client signer CA',
  '--cluster-signing-legacy-unknown-cert-file': 'legacy-unknown signer CA',
  '--kubelet-certificate-authority': 'kubelet CA',
  '--etcd-cafile': 'etcd CA',
  '--trusted-ca-file': 'etcd CA',
  '--peer-trusted-ca-file': 'etcd CA',
  '--requestheader-client-ca-file': 'front-proxy CA',
  '--oidc-ca-file': 'OIDC CA',
  'certificate-authority': 'cluster CA',
  'certificate-authority-data': 'cluster CA',
  'authentication.x509.clientCAFile': 'cluster CA',
  caBundle: 'webhook CA bundle',
});

export function componentFlagRole(component: string, field: string): RoleEvidence {
  const flag = field.replace(/^--/, '');
  const role = componentLeafRoles[component]?.[flag];
  return role ? { rank: 0, role, component } : { rank: 0, role: `${component} ${field}`, component };
}

export function caRefRole(field: string): RoleEvidence {
  return { rank: 2, role: caRoles[field] ?? `CA (${field})` };
}

/** kubeadm's certificates, by their path below the pki folder: the name `kubeadm certs check-expiration` prints. */
const kubeadmPki = lookupTable<{ name: string; role: string; component?: string }>({
  'ca.crt': { name: 'ca', role: 'cluster CA' },
  'front-proxy-ca.crt': { name: 'front-proxy-ca', role: 'front-proxy CA' },
  'etcd/ca.crt': { name: 'etcd-ca', role: 'etcd CA' },
  'apiserver.crt': { name: 'apiserver', role: 'kube-apiserver serving', component: 'kube-apiserver' },
  'apiserver-kubelet-client.crt': { name: 'apiserver-kubelet-client', role: 'apiserver → kubelet client', component: 'kube-apiserver' },
  'front-proxy-client.crt': { name: 'front-proxy-client', role: 'front-proxy client', component: 'kube-apiserver' },
  'apiserver-etcd-client.crt': { name: 'apiserver-etcd-client', role: 'apiserver → etcd client', component: 'kube-apiserver' },
  'etcd/server.crt': { name: 'etcd-server', role: 'etcd serving', component: 'etcd' },
  'etcd/peer.crt': { name: 'etcd-peer', role: 'etcd peer', component: 'etcd' },
  'etcd/healthcheck-client.crt': { name: 'etcd-healthcheck-client', role: 'etcd healthcheck client', component: 'etcd' },
});

/** The kubeconfigs kubeadm lists in check-expiration (their embedded client certificates). */
export const kubeadmKubeconfigs = new Set(['admin.conf', 'super-admin.conf', 'controller-manager.conf', 'scheduler.conf']);

/** The path of a file below its nearest `pki` folder ('etcd/ca.crt'), when there is one within two levels. */
function underPki(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  for (let i = parts.length - 2; i >= Math.max(0, parts.length - 3); i--) {
    if (parts[i] === 'pki') return parts.slice(i + 1).join('/');
  }
  return undefined;
}

/** kubeadm's name and role for a certificate file, from where it lies ('…/pki/etcd/server.crt'). */
export function kubeadmFileRole(file: string): (RoleEvidence & { kubeadmName?: string }) | undefined {
  const rel = underPki(file);
  if (rel !== undefined) {
    const k = kubeadmPki[rel];
    if (k) return { rank: 1, role: k.role, component: k.component, kubeadmName: k.name };
  }
  const base = path.basename(file);
  if (/[\\/]var[\\/]lib[\\/]kubelet[\\/]pki[\\/]/.test(file) || /[\\/]kubelet[\\/]pki[\\/]/.test(file)) {
    if (base === 'kubelet.crt') return { rank: 1, role: 'kubelet serving', component: 'kubelet' };
    if (/^kubelet-server-.*\.pem$/.test(base)) return { rank: 1, role: 'kubelet serving', component: 'kubelet' };
    if (/^kubelet-client-.*\.pem$/.test(base)) return { rank: 1, role: 'kubelet client', component: 'kubelet' };
  }
  return undefined;
}

/** The component a kubeconfig role belongs to (roles.ts's KubeconfigRole). */
export const componentOfKubeconfigRole = lookupTable<string>({
  kubelet: 'kubelet',
  'controller-manager': 'kube-controller-manager',
  scheduler: 'kube-scheduler',
  'kube-proxy': 'kube-proxy',
});
