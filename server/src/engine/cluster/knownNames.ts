// The user, group and role names Kubernetes and kubeadm define, each with its kind. The apiserver takes a client
// certificate's CN as the user name and each O as a group name, character for character; RBAC and the
// authorizers act on those. A role name (a ClusterRole, ClusterRoleBinding, Role or RoleBinding name) is no
// identity at all: nothing in Kubernetes authenticates a user or a group by it. The identities RBAC and the
// authorizers act on (`suggestUsers`, `suggestGroups`) are what a near-miss is corrected to (identity.ts).

import { certificates, type CertificateSpec } from './catalog';

/** What a name is in Kubernetes: a user the apiserver authenticates, a group, or the name of an RBAC role or binding. */
export type NameKind = 'user' | 'group' | 'role';

/**
 * Users and groups the apiserver itself defines.
 * staging/src/k8s.io/apiserver/pkg/authentication/user/user.go (the well-known user and group names:
 * system:anonymous, system:apiserver, system:kube-proxy, system:kube-controller-manager, system:kube-scheduler)
 * and staging/src/k8s.io/apiserver/pkg/authentication/serviceaccount/util.go (`system:serviceaccounts`).
 */
const apiserverUsers = ['system:anonymous', 'system:apiserver', 'system:kube-proxy', 'system:kube-controller-manager', 'system:kube-scheduler'];

/**
 * The cloud-controller-manager's user when it runs as a static pod with its own credentials: kubernetes/cloud-provider-gcp
 * deploy/src/base/rolebindings-staticpod.yaml binds the ClusterRole system:cloud-controller-manager to the User
 * system:cloud-controller-manager (kubernetes cluster/gce/gci/configure-helper.sh issues that user its token).
 * Cloud providers' manifests define the ClusterRole and ClusterRoleBinding of the same name.
 */
const cloudProviderUsers = ['system:cloud-controller-manager'];
const cloudProviderRoles = ['system:cloud-controller-manager'];
const apiserverGroups = [
  'system:masters',
  'system:nodes',
  'system:monitoring',
  'system:authenticated',
  'system:unauthenticated',
  'system:serviceaccounts',
  // The bootstrap token authenticator's group (k8s.io/cluster-bootstrap/token/api: BootstrapDefaultGroup).
  'system:bootstrappers',
];

/**
 * The ClusterRoles and ClusterRoleBindings kube-apiserver creates at start:
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go (clusterRoles, ClusterRoleBindings), older releases
 * included (system:heapster, system:persistent-volume-provisioner, system:csi-external-*, system:aws-cloud-provider).
 * Their subjects are the users and groups above, plus ServiceAccounts.
 */
const bootstrapClusterRoles = [
  'cluster-admin',
  'admin',
  'edit',
  'view',
  'system:aggregate-to-admin',
  'system:aggregate-to-edit',
  'system:aggregate-to-view',
  'system:discovery',
  'system:basic-user',
  'system:public-info-viewer',
  'system:monitoring',
  'system:heapster',
  'system:node',
  'system:node-problem-detector',
  'system:kubelet-api-admin',
  'system:node-bootstrapper',
  'system:auth-delegator',
  'system:kube-aggregator',
  'system:kube-controller-manager',
  'system:kube-dns',
  'system:persistent-volume-provisioner',
  'system:volume-scheduler',
  'system:service-account-issuer-discovery',
  'system:node-proxier',
  'system:kube-scheduler',
  'system:csi-external-provisioner',
  'system:csi-external-attacher',
  'system:aws-cloud-provider',
];

/**
 * The Roles and RoleBindings kube-apiserver creates in kube-system and kube-public:
 * plugin/pkg/auth/authorizer/rbac/bootstrappolicy/namespace_policy.go.
 */
const bootstrapNamespaceRoles = [
  'extension-apiserver-authentication-reader',
  'system::extension-apiserver-authentication-reader',
  'system::leader-locking-kube-controller-manager',
  'system::leader-locking-kube-scheduler',
];

/**
 * kubeadm's certificate CNs (the catalog's certificates kubeadm issues, cluster/catalog.ts), groups, ClusterRoles and ClusterRoleBindings: cmd/kubeadm/app/constants/constants.go
 * (APIServerKubeletClientCertCommonName, FrontProxyClientCertCommonName, ..., ClusterAdminsGroupAndClusterRoleBinding,
 * NodeBootstrapTokenAuthGroup, KubeProxyClusterRoleBindingName, NodeKubeletBootstrap, GetNodesClusterRoleName,
 * NodeAutoApprove*ClusterRoleBinding, KubeletBaseConfigMapRole) and cmd/kubeadm/app/phases (kubeconfig: the admin
 * CNs; bootstraptoken/clusterinfo: kubeadm:bootstrap-signer-clusterinfo; uploadconfig: kubeadm:nodes-kubeadm-config).
 */
const kubeadmUsers = Object.values(certificates as Record<string, CertificateSpec>).flatMap((c) =>
  c.commonName !== undefined && (c.kubeadm || c.kubeconfig?.kubeadm) ? [c.commonName] : [],
);
const kubeadmGroups = ['kubeadm:cluster-admins', 'system:bootstrappers:kubeadm:default-node-token'];
const kubeadmRoles = [
  'kubeadm:node-proxier',
  'kubeadm:kubelet-bootstrap',
  'kubeadm:get-nodes',
  'kubeadm:node-autoapprove-bootstrap',
  'kubeadm:node-autoapprove-certificate-rotation',
  'kubeadm:kubelet-config',
  'kubeadm:nodes-kubeadm-config',
  'kubeadm:bootstrap-signer-clusterinfo',
];

/**
 * Families of real names, each a prefix and what may follow it:
 * - `system:serviceaccount:<namespace>:<name>` users and `system:serviceaccounts:<namespace>` groups
 *   (staging/src/k8s.io/apiserver/pkg/authentication/serviceaccount/util.go: MakeUsername, MakeNamespaceGroupName);
 * - `system:node:<nodeName>` users (the Node authorizer: plugin/pkg/auth/authorizer/node; kubeadm's NodesUserPrefix);
 * - `system:bootstrap:<token-id>` users and `system:bootstrappers:<...>` groups (the bootstrap token authenticator,
 *   plugin/pkg/auth/authenticator/token/bootstrap: the token's auth-extra-groups must start with system:bootstrappers:);
 * - `system:controller:<controller>` roles, one per kube-controller-manager controller
 *   (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/controller_policy.go: saRolePrefix), and the roles of the
 *   CSR approvers `system:certificates.k8s.io:...` (policy.go).
 */
const families: { re: RegExp; kind: NameKind }[] = [
  { re: /^system:serviceaccount:[^:]+:[^:]+$/, kind: 'user' },
  { re: /^system:serviceaccounts:[^:]+$/, kind: 'group' },
  { re: /^system:node:.+$/, kind: 'user' },
  { re: /^system:bootstrap:[^:]+$/, kind: 'user' },
  { re: /^system:bootstrappers:.+$/, kind: 'group' },
  { re: /^system:controller:.+$/, kind: 'role' },
  { re: /^system:certificates\.k8s\.io:.+$/, kind: 'role' },
];

const byName = new Map<string, Set<NameKind>>();
function add(kind: NameKind, names: readonly string[]): void {
  for (const n of names) {
    const kinds = byName.get(n) ?? new Set<NameKind>();
    kinds.add(kind);
    byName.set(n, kinds);
  }
}
add('user', [...apiserverUsers, ...cloudProviderUsers, ...kubeadmUsers]);
add('group', [...apiserverGroups, ...kubeadmGroups]);
add('role', [...bootstrapClusterRoles, ...bootstrapNamespaceRoles, ...cloudProviderRoles, ...kubeadmRoles]);

/** Exact names: every user, group and role name above. */
export const knownNames: ReadonlySet<string> = new Set(byName.keys());

/** What a name is (several kinds: system:kube-scheduler is a user and a ClusterRole); empty for a name nobody defines. */
export function kindsOfName(value: string): ReadonlySet<NameKind> {
  const exact = byName.get(value);
  const family = families.filter((f) => f.re.test(value));
  if (family.length === 0) return exact ?? new Set();
  return new Set([...(exact ?? []), ...family.map((f) => f.kind)]);
}

/** A name Kubernetes or kubeadm defines (of this kind, when one is given), or one of the families of real names. */
export function isKnownName(value: string, kind?: NameKind): boolean {
  const kinds = kindsOfName(value);
  return kind ? kinds.has(kind) : kinds.size > 0;
}

/**
 * What a near-miss of a CN is corrected to: the users RBAC's default bindings, the authorizers and the aggregation
 * layer act on (the apiserver's own identities, kubeadm's apiserver client CNs whose names matter).
 */
export const suggestUsers: readonly string[] = [
  ...apiserverUsers,
  ...cloudProviderUsers,
  certificates['apiserver-kubelet-client'].commonName,
  certificates['front-proxy-client'].commonName,
];

/** What a near-miss of an O is corrected to: the groups RBAC's default bindings and the authorizers act on. */
export const suggestGroups: readonly string[] = [...apiserverGroups, ...kubeadmGroups];

/** A node name as the Node object's name must be (a DNS-1123 subdomain: apimachinery's IsDNS1123Subdomain). */
export function isNodeName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}
