// Which identity a kubeconfig's user must have: from the component that loads the file
// (--kubeconfig), else the file's kubeadm name, else the user's name. Shared by the identity
// check and by generation, so both agree on what "scheduler.conf's certificate" must be.
import * as path from 'node:path';
import type { KubeconfigUnit, KubeconfigUser } from '../parse';
import type { ClusterQuery } from './query';
import { componentsLoading } from './relations';
import { memoByObject } from '../memo';
import { lookupTable } from '../lookup';
import { certificate, certificates, type CertificateName, type KubeconfigRole } from './catalog';

export type { KubeconfigRole };

/** The catalog's kubeconfig clients (cluster/catalog.ts), each with what says a kubeconfig is theirs. */
const kubeconfigClients = (Object.keys(certificates) as CertificateName[]).flatMap((role) => {
  const c = certificate(role);
  return c.kubeconfig ? [{ role: role as KubeconfigRole, cert: c, kubeconfig: c.kubeconfig }] : [];
});

const roleOfFileName = lookupTable<KubeconfigRole>(Object.fromEntries(kubeconfigClients.flatMap((k) => k.kubeconfig.files.map((f) => [f, k.role]))));

const roleByComponent = lookupTable<KubeconfigRole>(
  Object.fromEntries(kubeconfigClients.flatMap((k) => (k.kubeconfig.loadedBy ? [[k.kubeconfig.loadedBy, k.role]] : []))),
);

/** The kubeconfig role of the client a component loads its kubeconfig as (kube-scheduler: scheduler). */
export function kubeconfigRoleOfComponent(component: string): KubeconfigRole | undefined {
  return roleByComponent[component];
}

/** The role kubeadm's name for a kubeconfig file says ('scheduler.conf' -> scheduler). */
export function roleByFileName(file: string): KubeconfigRole | undefined {
  return roleOfFileName[path.basename(file)];
}

/** The role a kubeconfig user's name says: the CN kubeadm gives that role's certificate ('system:kube-scheduler', 'system:node:…'). */
export function roleByUserName(name: string): KubeconfigRole | undefined {
  for (const k of kubeconfigClients) {
    if (k.cert.commonName !== undefined ? name === k.cert.commonName : k.cert.nodePrefix && name.startsWith(k.cert.nodePrefix)) return k.role;
  }
  return undefined;
}

/** The user the file's role belongs to: the current context's, or the only one. */
export const mainUser: (kc: KubeconfigUnit) => KubeconfigUser | undefined = memoByObject((kc: KubeconfigUnit) => {
  const current = kc.contexts.find((c) => c.name === kc.currentContext)?.user;
  return kc.users.find((u) => u.name === current) ?? (kc.users.length === 1 ? kc.users[0] : undefined);
});

/** The role of one user of a kubeconfig, and why kube-pki thinks so (for messages). */
export function kubeconfigRole(q: ClusterQuery, kc: KubeconfigUnit, user: KubeconfigUser): { role: KubeconfigRole; source: string } | undefined {
  if (user === mainUser(kc)) {
    for (const comp of componentsLoading(q, kc.file)) {
      const role = roleByComponent[comp.component];
      if (role) return { role, source: `${comp.component} loads this kubeconfig` };
    }
    const byName = roleByFileName(kc.file);
    if (byName) return { role: byName, source: `this is ${path.basename(kc.file)}` };
  }
  const byUser = roleByUserName(user.name);
  return byUser ? { role: byUser, source: `the user is named ${user.name}` } : undefined;
}
