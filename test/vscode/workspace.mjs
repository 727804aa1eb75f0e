// The workspace the extension-host tests open: a kubeadm node tree with planted defects, generated at run
// time (certificates expire), plus the material the tests use to fix them. Written to <root>/workspace;
// what the tests need to know is written to <root>/kube-pki-test.json, beside the workspace folder, where
// the suite (test/vscode/suite/) reads it. Needs the engine bundle (dist/engine.js).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { buildCluster, generatorOf, loadEngine } from '../helpers/cluster.mjs';

/** The defects planted; the suite expects each one's code on its line. */
export const TEST_DEFECTS = ['apiserver-san-missing', 'scheduler-cn-typo', 'kubelet-untrusted', 'controller-manager-expired'];
export const MANIFEST = 'kube-pki-test.json';
/**
 * The second node tree, for Fix All Problems and Renew Expiring Certificates… (generate.test.js, last): built beside
 * the workspace folder and copied into it by that test, so that the suites before it see only the first tree.
 */
export const FIX_ALL_DEFECTS = ['etcd-server-expiring', 'controller-manager-expired', 'scheduler-cn-typo', 'admin-org-typo'];

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');

export async function buildTestWorkspace(root) {
  const folder = path.join(root, 'workspace');
  const engine = loadEngine();
  const cluster = await buildCluster(folder, { defects: TEST_DEFECTS, engine });
  // Not Kubernetes at all: kube-pki must stay silent on it.
  const compose = path.join(folder, 'docker-compose.yaml');
  await writeFile(compose, 'services:\n  web:\n    image: nginx\n    ports: ["80:80"]\n');

  // Beside the node tree, two files with a key that is not their certificate's (key-mismatch), for the ranges of
  // findings outside YAML (extension.test.js): a second node's kubelet as a systemd unit (its paths found in the
  // node tree by suffix), and a kubeconfig of the node as `kubectl config view --raw -o json` writes it, with a
  // certificate of its own (the node's kubeconfigs stay as the PKI view's tests expect) and another one's key.
  const g0 = generatorOf(engine);
  const ops = await g0.issueCertificate({
    commonName: 'ops',
    issuer: cluster.certs.ca,
    extKeyUsage: ['clientAuth'],
    keyType: 'ecdsa-p256',
    now: cluster.now,
  });
  const otherKey = await g0.issueCertificate({ commonName: 'other', issuer: cluster.certs.ca, keyType: 'ecdsa-p256', now: cluster.now });
  const unitDir = path.join(folder, 'node2/etc/systemd/system');
  await mkdir(unitDir, { recursive: true });
  const unit = path.join(unitDir, 'kubelet.service');
  await writeFile(
    unit,
    [
      '[Unit]',
      'Description=Kubernetes Kubelet',
      '',
      '[Service]',
      'ExecStart=/usr/local/bin/kubelet \\',
      '  --tls-cert-file=/etc/kubernetes/pki/apiserver.crt \\',
      '  --tls-private-key-file=/etc/kubernetes/pki/apiserver-kubelet-client.key \\',
      '  --v=2',
      'Restart=on-failure',
      '',
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n'),
  );
  // A third node's kubelet whose serving pair comes from an EnvironmentFile= (features.test.js: the env file's line
  // gets the lens and link a flag gets in the unit). Healthy: the pair matches.
  const node3 = path.join(folder, 'node3/etc');
  await mkdir(path.join(node3, 'systemd/system'), { recursive: true });
  await mkdir(path.join(node3, 'sysconfig'), { recursive: true });
  const envUnit = path.join(node3, 'systemd/system/kubelet.service');
  await writeFile(envUnit, '[Service]\nEnvironmentFile=/etc/sysconfig/kubelet\nExecStart=/usr/bin/kubelet $KUBELET_TLS\n');
  const envFile = path.join(node3, 'sysconfig/kubelet');
  await writeFile(
    envFile,
    '# The kubelet serving pair\nKUBELET_TLS="--tls-cert-file=/etc/kubernetes/pki/apiserver.crt --tls-private-key-file=/etc/kubernetes/pki/apiserver.key"\n',
  );
  const admin = parseYaml(await readFile(cluster.files['admin.conf'], 'utf8'));
  admin.clusters[0].cluster.server = cluster.config.localEndpoint;
  admin.users[0].name = 'ops';
  admin.contexts[0].context.user = 'ops';
  admin.users[0].user['client-certificate-data'] = b64(ops.certPem);
  admin.users[0].user['client-key-data'] = b64(otherKey.key.privateKeyPem);
  const jsonKubeconfig = path.join(folder, 'etc/kubernetes/ops-admin.json');
  await mkdir(path.dirname(jsonKubeconfig), { recursive: true });
  await writeFile(jsonKubeconfig, JSON.stringify(admin, null, 2).replace(/\//g, '\\/') + '\n');

  // Any other JSON: opened, it gets nothing.
  const packageJson = path.join(folder, 'tools/package.json');
  await mkdir(path.dirname(packageJson), { recursive: true });
  await writeFile(packageJson, JSON.stringify({ name: 'tools', version: '1.0.0', scripts: { check: 'kube-pki check .' } }, null, 2) + '\n');

  // What the tests write to fix the defects: correctly named / correctly issued certificates.
  const g = generatorOf(engine);
  const scheduler = await g.issueCertificate({
    commonName: 'system:kube-scheduler',
    issuer: cluster.certs.ca,
    extKeyUsage: ['clientAuth'],
    now: cluster.now,
  });
  const kubelet = await g.issueCertificate({
    commonName: `system:node:${cluster.nodeName}`,
    organizations: ['system:nodes'],
    issuer: cluster.certs.ca,
    extKeyUsage: ['clientAuth'],
    keyType: 'ecdsa-p256',
    now: cluster.now,
  });
  // For the PKI explorer's test (explorer.test.js): the apiserver's etcd client certificate, same key and CN, but
  // signed by the cluster CA instead of etcd-ca, and expired 3 days ago.
  const DAY = 86_400_000;
  const wrongEtcdClient = await g.issueCertificate({
    commonName: 'kube-apiserver-etcd-client',
    issuer: cluster.certs.ca,
    key: cluster.certs['apiserver-etcd-client'].key,
    extKeyUsage: ['clientAuth'],
    notBefore: new Date(cluster.now.getTime() - 368 * DAY),
    notAfter: new Date(cluster.now.getTime() - 3 * DAY),
    now: cluster.now,
  });

  // Another node (its own name and address), so that its kubeconfigs dial its own apiserver, not the first tree's.
  const fixAll = await buildCluster(path.join(root, 'fix-all-tree'), {
    defects: FIX_ALL_DEFECTS,
    engine,
    keyType: 'ecdsa-p256',
    nodeName: 'cp2',
    advertiseAddress: '192.168.20.12',
  });

  const manifest = {
    folder,
    fixAll: {
      source: fixAll.dir,
      defects: fixAll.defects.map((d) => ({ defect: d.defect, code: d.code, file: path.relative(fixAll.dir, d.file), line: d.line })),
    },
    nodeName: cluster.nodeName,
    advertiseAddress: cluster.config.advertiseAddress,
    defects: cluster.defects.map((d) => ({ defect: d.defect, code: d.code, file: d.file, line: d.line, lineIncludes: d.lineIncludes })),
    files: {
      'admin.conf': cluster.files['admin.conf'],
      'scheduler.conf': cluster.files['scheduler.conf'],
      'kubelet.conf': cluster.files['kubelet.conf'],
      'controller-manager.conf': cluster.files['controller-manager.conf'],
      'super-admin.conf': cluster.files['super-admin.conf'],
      'kube-apiserver.yaml': cluster.files['kube-apiserver.yaml'],
      'kubelet-client-current.pem': cluster.files['kubelet-client-current.pem'],
      'docker-compose.yaml': compose,
      'kubelet.service': unit,
      'kubelet.env': envFile,
      'ops-admin.json': jsonKubeconfig,
      'package.json': packageJson,
    },
    fixes: {
      schedulerCertData: b64(scheduler.certPem),
      schedulerKeyData: b64(scheduler.key.privateKeyPem),
      kubeletClientPem: kubelet.certPem + kubelet.key.privateKeyPem,
      expiredEtcdClientFromClusterCaPem: wrongEtcdClient.certPem,
    },
  };
  await writeFile(path.join(root, MANIFEST), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
