// Which group admin.conf's certificate is issued in. kubeadm 1.29 split the admin in two
// (cmd/kubeadm/app/phases/kubeconfig/kubeconfig.go, constants.go): admin.conf is O=kubeadm:cluster-admins
// (KubeadmClusterAdminsGroupAndClusterRoleBinding, bound to the cluster-admin ClusterRole by a
// ClusterRoleBinding kubeadm creates), and super-admin.conf, written on the first control-plane node only, is
// O=system:masters (SystemPrivilegedGroup). Before 1.29 admin.conf itself was in system:masters and no
// kubeadm:cluster-admins binding exists. system:masters is the apiserver's privileged group: the authorizer
// allows it everything before RBAC is asked, so no binding can be removed to revoke it; kubeadm:cluster-admins
// is an ordinary RBAC subject.
import * as path from 'node:path';
import type { KubeconfigUnit } from '../parse';
import type { ClusterQuery } from './query';

export const CLUSTER_ADMINS_GROUP = 'kubeadm:cluster-admins';
export const PRIVILEGED_GROUP = 'system:masters';

/** Why the two groups differ, for messages and fixes. */
export const ADMIN_GROUPS_DIFFERENCE =
  'system:masters bypasses RBAC and cannot be revoked (there is no binding to delete), while kubeadm:cluster-admins gets cluster-admin through an RBAC binding that can be';

/** What the workspace says about the kubeadm release an admin.conf belongs to. */
export interface AdminLayout {
  /** true: kubeadm 1.29 or later; false: earlier; undefined: the workspace does not say. */
  since129?: boolean;
  /** How it is told, for messages: 'super-admin.conf beside it', 'kubernetesVersion v1.31.1 in kubeadm.yaml'. */
  evidence?: string;
}

/** "v1.31.1", "1.28", "stable-1.30" → [1, 31]; "stable", "latest" → undefined. */
export function kubernetesMinor(version: string): [number, number] | undefined {
  const m = /(?:^|[^\d.])v?(\d+)\.(\d+)/.exec(` ${version.trim()}`);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The kubeadm release the admin kubeconfig `kc` belongs to: a super-admin.conf beside it, else a kubeadm config's kubernetesVersion. */
export function adminLayout(query: ClusterQuery, kc: KubeconfigUnit): AdminLayout {
  const dir = path.dirname(kc.file);
  const superAdmin = query.units('kubeconfig').find((u) => path.basename(u.file) === 'super-admin.conf' && path.dirname(u.file) === dir);
  if (superAdmin) return { since129: true, evidence: 'super-admin.conf beside it' };
  for (const u of query.units('kubeadm-config')) {
    const v = u.kubernetesVersion?.value;
    const minor = v ? kubernetesMinor(v) : undefined;
    if (!minor) continue;
    const since129 = minor[0] > 1 || (minor[0] === 1 && minor[1] >= 29);
    return { since129, evidence: `kubernetesVersion ${v} in ${path.basename(u.file)}` };
  }
  return {};
}

/**
 * The admin's groups, the one to issue first: kubeadm:cluster-admins from 1.29, system:masters before (no binding
 * grants kubeadm:cluster-admins anything there); when the workspace does not say, the group the certificate
 * meant (`intended`, a near-miss of its O) if it is one of them, else kubeadm:cluster-admins (least privilege).
 */
export function adminGroupsInOrder(layout: AdminLayout, intended?: string): string[] {
  const both = [CLUSTER_ADMINS_GROUP, PRIVILEGED_GROUP];
  if (layout.since129 === false || (layout.since129 === undefined && intended === PRIVILEGED_GROUP)) return both.reverse();
  return both;
}

/** What each admin group means, for a fix's title or a plan's reason. */
export const ADMIN_GROUP_NOTES: Record<string, string> = {
  [CLUSTER_ADMINS_GROUP]: "admin.conf's group since kubeadm 1.29, granted cluster-admin by an RBAC binding that can be revoked",
  [PRIVILEGED_GROUP]: "bypasses RBAC and cannot be revoked: super-admin.conf's group since kubeadm 1.29, admin.conf's before",
};
