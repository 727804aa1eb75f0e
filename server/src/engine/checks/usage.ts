// What each certificate reference is used for: serving TLS, authenticating as a client, or both.
// kubeadm's certlist.go gives etcd's server and peer certificates both usages.
import type { Reference, Unit } from '../parse';
import { memoByObject } from '../memo';
import { nameOf, objectName } from './objects';

export type Usage = 'serverAuth' | 'clientAuth';

export interface CertUse {
  ref: Reference;
  usages: Usage[];
  /** Who presents it, for messages: "kube-apiserver's serving certificate". */
  role: string;
}

const componentUses: Record<string, Record<string, [Usage[], string]>> = {
  'kube-apiserver': {
    '--tls-cert-file': [['serverAuth'], "kube-apiserver's serving certificate"],
    '--kubelet-client-certificate': [['clientAuth'], "kube-apiserver's client certificate for kubelets"],
    '--etcd-certfile': [['clientAuth'], "kube-apiserver's client certificate for etcd"],
    '--proxy-client-cert-file': [['clientAuth'], "kube-apiserver's front-proxy client certificate"],
  },
  etcd: {
    '--cert-file': [['serverAuth', 'clientAuth'], "etcd's server certificate"],
    '--peer-cert-file': [['serverAuth', 'clientAuth'], "etcd's peer certificate"],
  },
  'kube-controller-manager': { '--tls-cert-file': [['serverAuth'], "kube-controller-manager's serving certificate"] },
  'kube-scheduler': { '--tls-cert-file': [['serverAuth'], "kube-scheduler's serving certificate"] },
};

/**
 * The certificate references of a unit and what each is used for (computed once per unit: do not mutate). A Secret's
 * values and a caBundle have a role (for hovers) and no usage: nothing says how they are used.
 */
export const certUses: (unit: Unit) => CertUse[] = memoByObject((unit: Unit): CertUse[] => {
  switch (unit.kind) {
    case 'component': {
      const table = componentUses[unit.component] ?? {};
      return unit.refs.flatMap((ref) => {
        const use = table[ref.field];
        return use ? [{ ref, usages: use[0], role: use[1] }] : [];
      });
    }
    case 'kubelet-config':
      return unit.tlsCert ? [{ ref: unit.tlsCert, usages: ['serverAuth'], role: "the kubelet's serving certificate" }] : [];
    case 'kubeconfig':
      return unit.users.flatMap((u) =>
        u.cert ? [{ ref: u.cert, usages: ['clientAuth'] as Usage[], role: `user "${u.name}"'s client certificate` }] : [],
      );
    case 'secret': {
      // What a Secret's values are for is not written in it: a role for hovers, no usage demanded.
      const what = `${unit.objectKind} ${objectName(unit.meta)}`;
      return unit.entries.map((e) => ({ ref: e.ref, usages: [] as Usage[], role: `${e.key} of ${what}` }));
    }
    case 'webhook':
      return unit.clients.flatMap((c) => {
        if (!c.caBundle) return [];
        const who = unit.objectKind === 'APIService' || unit.objectKind === 'CustomResourceDefinition' ? `${unit.objectKind} ${nameOf(unit.meta)}` : `webhook "${c.name}"`;
        return [{ ref: c.caBundle, usages: [] as Usage[], role: `the CA bundle kube-apiserver verifies ${who} with` }];
      });
    default:
      return [];
  }
});
