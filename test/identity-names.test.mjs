// "did you mean" only for typos: the user, group and role names Kubernetes and kubeadm define
// (system:node-proxier, system:node-bootstrapper, system:unauthenticated, kubeadm:get-nodes, ...), a
// ServiceAccount's user, a node's user are real names and get no finding; near-misses of the identities
// RBAC acts on (system:master, system:kube-schedular, "system:nodes ", system-nodes, system:nodes:worker-1)
// still do, on the client certificate's line, and what is suggested is itself a real name.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { E, g, b64, tempDir, write, ca, leaf, checkTree, summary, lineOf, cleanup, kubeconfig } from './helpers/engine.mjs';

let dir;
let root;

before(async () => {
  dir = tempDir('kube-pki-names-');
  root = await ca('kubernetes');
});
after(() => cleanup(dir));

function sub(name) {
  const d = path.join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** A kubeconfig at `rel` whose user `user` holds a client certificate with this CN and these O values. */
async function clientKubeconfig(d, rel, { cn, orgs = [], user }) {
  const cert = await leaf(root, { commonName: cn, organizations: orgs });
  return write(
    d,
    rel,
    kubeconfig({ server: 'https://10.0.0.1:6443', caPem: root.certPem, certPem: cert.certPem, keyPem: cert.key.privateKeyPem, user }),
  );
}

describe('real names are never typos', () => {
  test('kube-proxy with O=system:node-proxier, an admin.conf with kubeadm groups, a client Secret: no finding', async () => {
    const d = sub('real');
    // Kubernetes The Hard Way's kube-proxy certificate: CN system:kube-proxy, O system:node-proxier.
    await clientKubeconfig(d, 'var/lib/kube-proxy/kubeconfig', { cn: 'system:kube-proxy', orgs: ['system:node-proxier'], user: 'system:kube-proxy' });
    await clientKubeconfig(d, 'kube-proxy.conf', { cn: 'system:kube-proxy', orgs: ['system:node-proxier'], user: 'kube-proxy' });
    // An admin.conf whose certificate also carries other real groups.
    await clientKubeconfig(d, 'etc/kubernetes/admin.conf', {
      cn: 'kubernetes-admin',
      orgs: ['kubeadm:cluster-admins', 'system:node-bootstrapper', 'system:unauthenticated', 'system:monitoring'],
      user: 'kubernetes-admin',
    });
    // node-problem-detector's own kubeconfig, and a bootstrap credential in kubeadm's groups.
    await clientKubeconfig(d, 'npd/kubeconfig', { cn: 'system:node-problem-detector', orgs: ['system:node-problem-detector'], user: 'npd' });
    await clientKubeconfig(d, 'bootstrap.conf', {
      cn: 'system:bootstrap:abcdef',
      orgs: [
        'system:bootstrappers',
        'system:bootstrappers:kubeadm:default-node-token',
        'kubeadm:kubelet-bootstrap',
        'kubeadm:get-nodes',
        'kubeadm:node-autoapprove-bootstrap',
      ],
      user: 'tls-bootstrap-token-user',
    });
    // Role and binding names, ServiceAccount users and groups, controller roles, CSR approver roles.
    const pairs = [
      ['system:public-info-viewer', ['system:authenticated']],
      ['system:serviceaccount:kube-system:kube-proxy', ['system:serviceaccounts', 'system:serviceaccounts:kube-system']],
      ['system:anonymous', ['system:unauthenticated']],
      ['system:apiserver', ['system:masters']],
      ['system:volume-scheduler', ['system:kube-dns']],
      ['system:controller:node-controller', ['system:certificates.k8s.io:certificatesigningrequests:nodeclient']],
      ['system:kube-dns', ['system:node-proxier', 'system:kubelet-api-admin']],
    ];
    for (const [i, [cn, orgs]] of pairs.entries()) await clientKubeconfig(d, `users/u${i}.conf`, { cn, orgs, user: `u${i}` });
    // A client certificate in a Secret, as kube-proxy's credentials are sometimes kept.
    const proxy = await leaf(root, { commonName: 'system:kube-proxy', organizations: ['system:node-proxier'] });
    write(
      d,
      'secrets/kube-proxy-client.yaml',
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: kube-proxy-client',
        '  namespace: kube-system',
        'type: kubernetes.io/tls',
        'data:',
        `  tls.crt: ${b64(proxy.certPem)}`,
        `  tls.key: ${b64(proxy.key.privateKeyPem)}`,
        `  ca.crt: ${b64(root.certPem)}`,
        '',
      ].join('\n'),
    );
    const { findings } = checkTree(d);
    assert.deepEqual(
      findings.map((f) => `${path.relative(d, f.file)} ${f.code}: ${f.message}`),
      [],
    );
  });

  test('a kubelet in a real group that is not system:nodes: org-mismatch without a made-up suggestion', async () => {
    const d = sub('kubelet-role-group');
    const f = await clientKubeconfig(d, 'etc/kubernetes/kubelet.conf', {
      cn: 'system:node:worker-1',
      orgs: ['system:node-bootstrapper'],
      user: 'system:node:worker-1',
    });
    const { findings } = checkTree(d);
    assert.deepEqual(summary(findings, d), [`etc/kubernetes/kubelet.conf:${lineOf(f, 'client-certificate-data')} org-mismatch`]);
    assert.doesNotMatch(findings[0].message, /did you mean/);
    assert.match(findings[0].message, /needs "system:nodes"/);
  });
});

describe('typos of the identities RBAC acts on are still found', () => {
  const typos = [
    // [file, CN, O, code, suggestion]
    ['admin.conf', 'kubernetes-admin', ['system:master'], 'org-mismatch', 'system:masters'],
    ['sched.conf', 'system:kube-schedular', [], 'cn-mismatch', 'system:kube-scheduler'],
    ['space.conf', 'worker', ['system:nodes '], 'org-mismatch', 'system:nodes'],
    ['dash.conf', 'worker', ['system-nodes'], 'org-mismatch', 'system:nodes'],
    ['prefix.conf', 'system:nodes:worker-1', [], 'cn-mismatch', 'system:node:worker-1'],
    ['prefix-dash.conf', 'system:node-worker-1', [], 'cn-mismatch', 'system:node:worker-1'],
    ['group-prefix.conf', 'worker', ['system:nodes:worker-1'], 'org-mismatch', 'system:nodes'],
    ['anon.conf', 'system:anonymus', [], 'cn-mismatch', 'system:anonymous'],
    ['unauth.conf', 'x', ['system:unauthenticted'], 'org-mismatch', 'system:unauthenticated'],
    // The ClusterRole system:node is no group: as an O it is the near-miss of the group system:nodes.
    ['role-as-group.conf', 'someone', ['system:node'], 'org-mismatch', 'system:nodes'],
    ['role-as-kubelet-group.conf', 'system:node:worker-1', ['system:node'], 'org-mismatch', 'system:nodes'],
  ];
  for (const [file, cn, orgs, code, suggestion] of typos) {
    test(`${cn}${orgs.length ? ` O=${JSON.stringify(orgs[0])}` : ''}: ${code}, did you mean "${suggestion}"`, async () => {
      const d = sub(`typo-${file}`);
      const f = await clientKubeconfig(d, file, { cn, orgs, user: 'someone' });
      const { findings } = checkTree(d);
      assert.deepEqual(summary(findings, d), [`${file}:${lineOf(f, 'client-certificate-data')} ${code}`]);
      assert.ok(findings[0].message.includes(`did you mean "${suggestion}"`), findings[0].message);
    });
  }

  test('a suggestion is a real name: no node user from a name that cannot be a node, nothing from a role-name typo', async () => {
    const d = sub('no-fake-suggestion');
    // system:node:Worker_1 cannot be a node (Node names are DNS subdomains); system:node-proxer is one edit from
    // the ClusterRole system:node-proxier, not from a user or group: neither gets a "did you mean".
    const files = [
      await clientKubeconfig(d, 'a.conf', { cn: 'system:node_Worker_1', user: 'a' }),
      await clientKubeconfig(d, 'b.conf', { cn: 'b', orgs: ['system:node-proxer'], user: 'b' }),
      await clientKubeconfig(d, 'c.conf', { cn: 'system:node-proxer', user: 'c' }),
    ];
    const { findings } = checkTree(d, {}, files);
    assert.deepEqual(
      findings.map((f) => f.message),
      [],
    );
  });

  test('a role name as CN or O is never rewritten into another name: system:node-proxier is no node user, system:node no CN typo', async () => {
    const d = sub('role-names');
    const files = [
      await clientKubeconfig(d, 'a.conf', { cn: 'system:node-proxier', user: 'a' }),
      await clientKubeconfig(d, 'b.conf', { cn: 'system:node-bootstrapper', orgs: ['system:node-problem-detector'], user: 'b' }),
      await clientKubeconfig(d, 'c.conf', { cn: 'system:node', orgs: ['system:kube-scheduler', 'system:cloud-controller-manager'], user: 'c' }),
    ];
    const { findings } = checkTree(d, {}, files);
    assert.deepEqual(
      findings.map((f) => f.message),
      [],
    );
  });

  test('generation follows: re-issuing a certificate with O=system:node corrects it to system:nodes, keeping the other groups', async () => {
    const d = sub('generate-role-as-group');
    const issuer = await ca('kubernetes');
    write(d, 'pki/ca.crt', issuer.certPem);
    write(d, 'pki/ca.key', issuer.key.privateKeyPem, 0o600);
    const cert = await leaf(issuer, { commonName: 'ops', organizations: ['ops-team', 'system:node'] });
    const f = write(d, 'ops.conf', kubeconfig({ caPath: 'pki/ca.crt', certPem: cert.certPem, keyPem: cert.key.privateKeyPem, user: 'ops' }));
    const { engine, findings } = checkTree(d, {}, [f]);
    assert.deepEqual(summary(findings, d), [`ops.conf:${lineOf(f, 'client-certificate-data')} org-mismatch`]);
    assert.match(findings[0].message, /O "system:node": did you mean "system:nodes"\?/);
    const plan = g.planGeneration(engine, E.nodeFileSystem(), { only: [{ file: f, range: findings[0].range, code: findings[0].code }] });
    assert.equal(plan.actions.length, 1, JSON.stringify(plan.skipped));
    assert.deepEqual(plan.actions[0].spec.organizations, ['ops-team', 'system:nodes']);
    assert.match(plan.actions[0].reason, /O ops-team\+system:node → ops-team\+system:nodes/);
  });
});
