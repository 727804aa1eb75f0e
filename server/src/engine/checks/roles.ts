// Which identity a kubeconfig's user must have: from the component that loads the file
// (--kubeconfig), else the file's kubeadm name, else the user's name. Shared by the identity
// check and by generation, so both agree on what "scheduler.conf's certificate" must be.
import * as path from 'node:path';
import type { KubeconfigUnit, KubeconfigUser } from '../parse';
import type { CheckContext } from './context';
import { componentsLoading } from './relations';
import { memoByObject } from '../memo';
import { lookupTable } from '../lookup';

export type KubeconfigRole = 'admin' | 'super-admin' | 'kubelet' | 'controller-manager' | 'scheduler' | 'kube-proxy';

const roleOfFileName = lookupTable<KubeconfigRole>({
  'admin.conf': 'admin',
  'super-admin.conf': 'super-admin',
  'kubelet.conf': 'kubelet',
  'controller-manager.conf': 'controller-manager',
  'scheduler.conf': 'scheduler',
  'kube-proxy.conf': 'kube-proxy',
  'kubeproxy.conf': 'kube-proxy',
  'proxy.conf': 'kube-proxy',
});

const roleByComponent = lookupTable<KubeconfigRole>({
  'kube-scheduler': 'scheduler',
  'kube-controller-manager': 'controller-manager',
});

/** The role kubeadm's name for a kubeconfig file says ('scheduler.conf' -> scheduler). */
export function roleByFileName(file: string): KubeconfigRole | undefined {
  return roleOfFileName[path.basename(file)];
}

export function roleByUserName(name: string): KubeconfigRole | undefined {
  if (name === 'system:kube-scheduler') return 'scheduler';
  if (name === 'system:kube-controller-manager') return 'controller-manager';
  if (name === 'system:kube-proxy') return 'kube-proxy';
  if (name.startsWith('system:node:')) return 'kubelet';
  if (name === 'kubernetes-admin') return 'admin';
  if (name === 'kubernetes-super-admin') return 'super-admin';
  return undefined;
}

/** The user the file's role belongs to: the current context's, or the only one. */
export const mainUser: (kc: KubeconfigUnit) => KubeconfigUser | undefined = memoByObject((kc: KubeconfigUnit) => {
  const current = kc.contexts.find((c) => c.name === kc.currentContext)?.user;
  return kc.users.find((u) => u.name === current) ?? (kc.users.length === 1 ? kc.users[0] : undefined);
});

/** The role of one user of a kubeconfig, and why kube-pki thinks so (for messages). */
export function kubeconfigRole(
  ctx: CheckContext,
  kc: KubeconfigUnit,
  user: KubeconfigUser,
): { role: KubeconfigRole; source: string } | undefined {
  if (user === mainUser(kc)) {
    for (const comp of componentsLoading(ctx, kc.file)) {
      const role = roleByComponent[comp.component];
      if (role) return { role, source: `${comp.component} loads this kubeconfig` };
    }
    const byName = roleByFileName(kc.file);
    if (byName) return { role: byName, source: `this is ${path.basename(kc.file)}` };
  }
  const byUser = roleByUserName(user.name);
  return byUser ? { role: byUser, source: `the user is named ${user.name}` } : undefined;
}
