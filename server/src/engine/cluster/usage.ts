// What each certificate reference is used for: serving TLS, authenticating as a client, or both (the catalog's
// certificates say which, cluster/catalog.ts).
import type { Reference, Unit } from '../parse';
import { memoByObject } from '../memo';
import { nameOf, objectName } from './objects';
import { certificate, componentFlag, kubeletFields, type Usage } from './catalog';

const kubeletServing = certificate(kubeletFields.tlsCertFile.certificate!);
const kubeconfigUser = certificate('user');
/** kubeadm passes etcd.external.certFile to the apiserver as --etcd-certfile. */
const etcdClient = certificate(componentFlag('kube-apiserver', 'etcd-certfile')!.certificate!);

export type { Usage };

export interface CertUse {
  ref: Reference;
  usages: Usage[];
  /** Who presents it, for messages: "kube-apiserver's serving certificate". */
  role: string;
}

/**
 * The certificate references of a unit and what each is used for (computed once per unit: do not mutate). A Secret's
 * values and a caBundle have a role (for hovers) and no usage: nothing says how they are used.
 */
export const certUses: (unit: Unit) => CertUse[] = memoByObject((unit: Unit): CertUse[] => {
  switch (unit.kind) {
    case 'component': {
      return unit.refs.flatMap((ref) => {
        const name = componentFlag(unit.component, ref.field)?.certificate;
        if (!name) return [];
        const c = certificate(name);
        return [{ ref, usages: c.usages, role: c.title }];
      });
    }
    case 'kubelet-config':
    case 'kubelet-flags':
      return unit.tlsCert ? [{ ref: unit.tlsCert, usages: kubeletServing.usages, role: kubeletServing.title }] : [];
    case 'kubeadm-config':
      return unit.etcdExternal?.cert ? [{ ref: unit.etcdExternal.cert, usages: etcdClient.usages, role: etcdClient.title }] : [];
    case 'kubeconfig':
      return unit.users.flatMap((u) =>
        u.cert ? [{ ref: u.cert, usages: kubeconfigUser.usages, role: `user "${u.name}"'s client certificate` }] : [],
      );
    case 'secret': {
      // What a Secret's values are for is not written in it: a role for hovers, no usage demanded.
      const what = `${unit.objectKind} ${objectName(unit.meta)}`;
      return unit.entries.map((e) => ({ ref: e.ref, usages: [] as Usage[], role: `${e.key} of ${what}` }));
    }
    case 'webhook':
      return unit.clients.flatMap((c) => {
        if (!c.caBundle) return [];
        const who =
          unit.objectKind === 'APIService' || unit.objectKind === 'CustomResourceDefinition'
            ? `${unit.objectKind} ${nameOf(unit.meta)}`
            : `webhook "${c.name}"`;
        return [{ ref: c.caBundle, usages: [] as Usage[], role: `the CA bundle kube-apiserver verifies ${who} with` }];
      });
    default:
      return [];
  }
});
