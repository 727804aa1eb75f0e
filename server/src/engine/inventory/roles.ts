// What a certificate is for, in words, from the line that references it (a component flag, a kubeconfig
// user, a kubelet config field) or, for files no config references, from kubeadm's file names.
import * as path from 'node:path';
import { lookupTable } from '../lookup';
import { cas, certificate, certificates, componentFlag, components, kubeletFields, otherCaFields, type CertificateSpec } from '../cluster';

export interface RoleEvidence {
  /** Lower wins: 0 the certificate's own use (a serving or client flag), 1 a kubeadm file name, 2 a CA flag, 3 a chain. */
  rank: number;
  role: string;
  component?: string;
}

/** CA flags and fields (any component) -> the CA's role. */
const caRoles = lookupTable<string>({
  ...Object.fromEntries(
    [
      ...Object.values(components).flatMap((c) => Object.entries(c.flags).map(([name, f]) => [`--${name}`, f] as const)),
      ...Object.entries(kubeletFields),
    ].flatMap(([field, f]) => (f.label ? [[field, f.label]] : [])),
  ),
  ...otherCaFields,
});

export function componentFlagRole(component: string, field: string): RoleEvidence {
  const name = componentFlag(component, field)?.certificate;
  const role = name && certificate(name).label;
  return role ? { rank: 0, role, component } : { rank: 0, role: `${component} ${field}`, component };
}

export function caRefRole(field: string): RoleEvidence {
  return { rank: 2, role: caRoles[field] ?? `CA (${field})` };
}

/** kubeadm's certificates, by their path below the pki folder: the name `kubeadm certs check-expiration` prints. */
const kubeadmPki = lookupTable<{ name: string; role: string; component?: string }>({
  ...Object.fromEntries(
    Object.values(cas).flatMap((ca) => (ca.kubeadm ? [[`${ca.file}.crt`, { name: ca.kubeadm.name, role: ca.kubeadm.label }]] : [])),
  ),
  ...Object.fromEntries(
    Object.values(certificates as Record<string, CertificateSpec>).flatMap((c) =>
      c.kubeadm ? [[`${c.kubeadm.file}.crt`, { name: c.kubeadm.name, role: c.label ?? c.title, component: c.component }]] : [],
    ),
  ),
});

/** The kubeconfigs kubeadm lists in check-expiration (their embedded client certificates). */
export const kubeadmKubeconfigs = new Set(
  Object.values(certificates as Record<string, CertificateSpec>).flatMap((c) => (c.kubeconfig?.expiration ? [c.kubeconfig.files[0]] : [])),
);

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
export const componentOfKubeconfigRole = lookupTable<string>(
  Object.fromEntries(
    Object.entries(certificates as Record<string, CertificateSpec>).flatMap(([role, c]) =>
      c.kubeconfig && c.component ? [[role, c.component]] : [],
    ),
  ),
);
