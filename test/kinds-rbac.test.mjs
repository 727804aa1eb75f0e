// ClusterRoleBindings and kubeadm's admin group: since kubeadm 1.29 admin.conf's user is in kubeadm:cluster-admins
// (not system:masters), which `kubeadm init` binds to cluster-admin with the ClusterRoleBinding kubeadm:cluster-admins.
// A kubeadm node tree (made at run time) beside a dump of the cluster's ClusterRoleBindings (`kubectl get
// clusterrolebindings -o yaml`, a List holding the bootstrap cluster-admin binding): with the binding, no finding;
// without it, rbac-unbound on admin.conf's client certificate (kubectl would get 403 Forbidden). RBAC manifests that
// are not the cluster's (no cluster-admin bootstrap binding) and super-admin.conf (system:masters) get nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCluster } from './helpers/cluster.mjs';
import { checkTree, summary, lineOf } from './helpers/engine.mjs';

const binding = (name, role, groups) => `- apiVersion: rbac.authorization.k8s.io/v1
  kind: ClusterRoleBinding
  metadata:
    name: ${name}
  roleRef:
    apiGroup: rbac.authorization.k8s.io
    kind: ClusterRole
    name: ${role}
  subjects:
${groups.map((g) => `  - apiGroup: rbac.authorization.k8s.io\n    kind: Group\n    name: ${g}`).join('\n')}
`;

/** `kubectl get clusterrolebindings -o yaml` of a kubeadm cluster, with or without kubeadm's admin binding. */
const dump = (withKubeadmAdmins) =>
  'apiVersion: v1\nkind: List\nitems:\n' +
  binding('cluster-admin', 'cluster-admin', ['system:masters']) +
  binding('kubeadm:get-nodes', 'kubeadm:get-nodes', ['system:bootstrappers:kubeadm:default-node-token']) +
  (withKubeadmAdmins ? binding('kubeadm:cluster-admins', 'cluster-admin', ['kubeadm:cluster-admins']) : '') +
  'metadata:\n  resourceVersion: ""\n';

let base;
let c;
before(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'kube-pki-rbac-'));
  c = await buildCluster(path.join(base, 'node'), { keyType: 'ecdsa-p256' });
});
after(() => rmSync(base, { recursive: true, force: true }));

function check(rbacText, file = 'rbac/clusterrolebindings.yaml') {
  const f = path.join(c.dir, file);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, rbacText);
  try {
    return checkTree(c.dir, { now: c.now }).findings;
  } finally {
    rmSync(f);
  }
}

test("healthy: the cluster's bindings grant kubeadm:cluster-admins: no finding", () => {
  const found = check(dump(true));
  assert.deepEqual(summary(found, c.dir), []);
});

test('kubeadm:cluster-admins bound to nothing: rbac-unbound on admin.conf client-certificate-data, quoting the 403', () => {
  const found = check(dump(false));
  const admin = c.files['admin.conf'];
  assert.deepEqual(summary(found, c.dir), [`${path.relative(c.dir, admin)}:${lineOf(admin, 'client-certificate-data')} rbac-unbound`]);
  assert.match(found[0].message, /kubeadm:cluster-admins/);
  assert.match(found[0].message, /403 Forbidden/);
  assert.equal(found[0].severity, 'error');
});

test("RBAC manifests that are not the cluster's (no cluster-admin bootstrap binding): nothing is promised", () => {
  const app =
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: my-operator\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: my-operator\nsubjects:\n- kind: ServiceAccount\n  name: my-operator\n  namespace: ops\n';
  assert.deepEqual(summary(check(app), c.dir), []);
});
