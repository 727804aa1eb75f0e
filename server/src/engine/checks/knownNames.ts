// The user, group and role names Kubernetes and kubeadm define. A certificate whose CN or O is one of these
// (or of the name families below) carries a real name: it is never "did you mean"-ed. The identities RBAC and
// the authorizers act on (`suggestUsers`, `suggestGroups`) are also what a near-miss is corrected to.

/**
 * Users and groups the apiserver itself defines.
 * staging/src/k8s.io/apiserver/pkg/authentication/user/user.go (the well-known user and group names) and
 * staging/src/k8s.io/apiserver/pkg/authentication/serviceaccount/util.go (`system:serviceaccounts`).
 */
const apiserverUsers = [
  'system:anonymous',
  'system:apiserver',
  'system:kube-proxy',
  'system:cloud-controller-manager',
  'system:kube-controller-manager',
  'system:kube-scheduler',
];
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
 * kubeadm's certificate CNs, groups, ClusterRoles and ClusterRoleBindings: cmd/kubeadm/app/constants/constants.go
 * (APIServerKubeletClientCertCommonName, FrontProxyClientCertCommonName, ..., ClusterAdminsGroupAndClusterRoleBinding,
 * NodeBootstrapTokenAuthGroup, KubeProxyClusterRoleBindingName, NodeKubeletBootstrap, GetNodesClusterRoleName,
 * NodeAutoApprove*ClusterRoleBinding, KubeletBaseConfigMapRole) and cmd/kubeadm/app/phases (kubeconfig: the admin
 * CNs; bootstraptoken/clusterinfo: kubeadm:bootstrap-signer-clusterinfo; uploadconfig: kubeadm:nodes-kubeadm-config).
 */
const kubeadmUsers = [
  'kube-apiserver',
  'kube-apiserver-kubelet-client',
  'kube-apiserver-etcd-client',
  'kube-etcd-healthcheck-client',
  'front-proxy-client',
  'kubernetes-admin',
  'kubernetes-super-admin',
];
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
const families: RegExp[] = [
  /^system:serviceaccount:[^:]+:[^:]+$/,
  /^system:serviceaccounts:[^:]+$/,
  /^system:node:.+$/,
  /^system:bootstrap:[^:]+$/,
  /^system:bootstrappers:.+$/,
  /^system:controller:.+$/,
  /^system:certificates\.k8s\.io:.+$/,
];

/** Exact names: every user, group and role name above. */
export const knownNames: ReadonlySet<string> = new Set([
  ...apiserverUsers,
  ...apiserverGroups,
  ...bootstrapClusterRoles,
  ...bootstrapNamespaceRoles,
  ...kubeadmUsers,
  ...kubeadmGroups,
  ...kubeadmRoles,
]);

/** A name Kubernetes or kubeadm defines, or one of the families of real names (a ServiceAccount, a node, ...). */
export function isKnownName(value: string): boolean {
  return knownNames.has(value) || families.some((re) => re.test(value));
}

/**
 * What a near-miss of a CN is corrected to: the users RBAC's default bindings, the authorizers and the aggregation
 * layer act on (the apiserver's own identities, kubeadm's apiserver client CNs whose names matter).
 */
export const suggestUsers: readonly string[] = [
  'system:kube-proxy',
  'system:kube-controller-manager',
  'system:kube-scheduler',
  'system:cloud-controller-manager',
  'system:anonymous',
  'system:apiserver',
  'kube-apiserver-kubelet-client',
  'front-proxy-client',
];

/** What a near-miss of an O is corrected to: the groups RBAC's default bindings and the authorizers act on. */
export const suggestGroups: readonly string[] = [...apiserverGroups, ...kubeadmGroups];

/** A node name as the Node object's name must be (a DNS-1123 subdomain: apimachinery's IsDNS1123Subdomain). */
export function isNodeName(name: string): boolean {
  return name.length <= 253 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(name);
}
