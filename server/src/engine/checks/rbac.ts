// rbac-unbound: kubeadm (1.29 and later) gives admin.conf's user the group kubeadm:cluster-admins (O) instead of
// system:masters, and `kubeadm init` binds that group to the cluster-admin ClusterRole with the ClusterRoleBinding
// kubeadm:cluster-admins (cmd/kubeadm/app/phases/kubeconfig/kubeconfig.go, EnsureAdminClusterRoleBinding; the
// group is kubeadmconstants.ClusterAdminsGroupAndClusterRoleBinding). Without that binding the user has no rights:
// every request is refused with 403 Forbidden (kubeadm#2414 when upgrading by hand). The verdict is given only
// when the workspace clearly holds the cluster's ClusterRoleBindings: it holds the binding every cluster has,
// cluster-admin to the group system:masters (the RBAC bootstrap policy), as a dump of
// `kubectl get clusterrolebindings -o yaml` does. RBAC manifests of an application say nothing of the cluster's.
import * as path from 'node:path';
import { flag, type ClusterRoleBindingUnit } from '../parse';
import type { CheckContext } from './context';
import { componentUnits, nearest } from '../cluster';

const KUBEADM_ADMINS = 'kubeadm:cluster-admins';
const MASTERS = 'system:masters';

/** The RBAC bootstrap policy's cluster-admin binding: its presence says the bindings are the cluster's. */
function isBootstrapAdminBinding(b: ClusterRoleBindingUnit): boolean {
  return b.meta.name === 'cluster-admin' && b.clusterRole === 'cluster-admin' && b.groups.includes(MASTERS);
}

export function rbac(ctx: CheckContext): void {
  const kubeconfigs = ctx.unitsHere('kubeconfig');
  if (kubeconfigs.length === 0) return;
  const bindings = ctx.units('cluster-role-binding');
  for (const kc of kubeconfigs) {
    const dumps = nearest(bindings.filter(isBootstrapAdminBinding), kc.file);
    if (dumps.length === 0) continue;
    // An apiserver beside it that does not authorize with RBAC (--authorization-mode without RBAC) grants otherwise.
    const apis = nearest(componentUnits(ctx, 'kube-apiserver'), kc.file);
    if (
      apis.some((api) => {
        const mode = flag(api, 'authorization-mode');
        return api.unread || (mode && !mode.value.split(',').some((m) => m.trim() === 'RBAC'));
      })
    ) {
      continue;
    }
    for (const user of kc.users) {
      if (!user.cert) continue;
      const cert = ctx.leaf(user.cert);
      const groups = cert?.subject.organizations ?? [];
      if (!cert || !groups.includes(KUBEADM_ADMINS) || groups.includes(MASTERS)) continue;
      // Any ClusterRoleBinding of the workspace granting one of the user's groups a ClusterRole counts.
      if (bindings.some((b) => b.clusterRole && b.groups.some((g) => groups.includes(g)))) continue;
      const who = cert.subject.commonName ?? user.name;
      ctx.report(
        'rbac-unbound',
        user.cert.span,
        `The client certificate's groups (O=${groups.join(', ')}) are bound to no ClusterRole: no ClusterRoleBinding of the cluster's (${path.basename(dumps[0].file)}) grants ${KUBEADM_ADMINS}, which kubeadm binds to cluster-admin (ClusterRoleBinding ${KUBEADM_ADMINS}, made by kubeadm init). kubectl with this user gets 403 Forbidden: "User \\"${who}\\" cannot list resource \\"nodes\\" in API group \\"\\" at the cluster scope". Create the binding (kubectl create clusterrolebinding ${KUBEADM_ADMINS} --clusterrole=cluster-admin --group=${KUBEADM_ADMINS} --kubeconfig=/etc/kubernetes/super-admin.conf).`,
        [ctx.related(dumps[0].file, dumps[0].meta.span, "the cluster's ClusterRoleBindings (cluster-admin binds only system:masters)")],
      );
    }
  }
}
