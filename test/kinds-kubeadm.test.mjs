// kubeadm's own configuration (kubeadm.k8s.io/v1beta3 and v1beta4 ClusterConfiguration, InitConfiguration,
// JoinConfiguration), judged against the node's certificates when the workspace holds them: a name the config asks
// for that the certificate lacks (san-missing on the config line), a join CA pin that is not the CA's public key
// (ca-pin-mismatch). A config with no certificates beside it is read and judged quiet.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, write, checkTree, summary, lineOf, cleanup } from './helpers/engine.mjs';
import { buildCluster } from './helpers/cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
let dir;

let pin;

before(async () => {
  dir = tempDir('kube-pki-kubeadm-');
  await buildCluster(dir, { nodeName: 'cp1', advertiseAddress: '192.168.10.11' });
  const der = new X509Certificate(readFileSync(path.join(dir, 'etc/kubernetes/pki/ca.crt'))).publicKey.export({ type: 'spki', format: 'der' });
  pin = `sha256:${createHash('sha256').update(der).digest('hex')}`;
});
after(() => cleanup(dir));

function v1beta4({
  certSANs = ['192.168.10.11', 'cp1'],
  endpoint = '192.168.10.11:6443',
  serverCertSANs = ['localhost'],
  peerCertSANs = ['cp1'],
} = {}) {
  return `apiVersion: kubeadm.k8s.io/v1beta4
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: 192.168.10.11
  bindPort: 6443
nodeRegistration:
  name: cp1
---
apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
certificatesDir: /etc/kubernetes/pki
controlPlaneEndpoint: ${endpoint}
apiServer:
  certSANs:
${certSANs.map((s) => `  - ${s}`).join('\n')}
  extraArgs:
  - name: authorization-mode
    value: Node,RBAC
etcd:
  local:
    dataDir: /var/lib/etcd
    serverCertSANs: [${serverCertSANs.join(', ')}]
    peerCertSANs: [${peerCertSANs.join(', ')}]
networking:
  dnsDomain: cluster.local
  serviceSubnet: 10.96.0.0/12
`;
}

function join(hashes) {
  return `apiVersion: kubeadm.k8s.io/v1beta3
kind: JoinConfiguration
discovery:
  bootstrapToken:
    apiServerEndpoint: 192.168.10.11:6443
    token: abcdef.0123456789abcdef
    caCertHashes:
${hashes.map((h) => `    - "${h}"`).join('\n')}
nodeRegistration:
  name: worker1
`;
}

/** Findings in one file of the node tree, as "file:line code". */
function findingsIn(file) {
  const { findings } = checkTree(dir);
  return summary(
    findings.filter((f) => f.file === file),
    dir,
  );
}

describe('kubeadm configuration', () => {
  test('a config that matches the certificates on the node: no finding', () => {
    const f = write(dir, 'kubeadm-config.yaml', v1beta4());
    try {
      assert.deepEqual(findingsIn(f), []);
    } finally {
      cleanup(f);
    }
  });

  test('a certSAN, a controlPlaneEndpoint host and an etcd serverCertSAN added after init: san-missing on each line', () => {
    const f = write(
      dir,
      'kubeadm-config.yaml',
      v1beta4({
        certSANs: ['192.168.10.11', 'k8s-api.example.com'],
        endpoint: 'lb.example.com:6443',
        serverCertSANs: ['localhost', 'etcd.example.com'],
      }),
    );
    try {
      assert.deepEqual(findingsIn(f), [
        `kubeadm-config.yaml:${lineOf(f, 'controlPlaneEndpoint:')} san-missing`,
        `kubeadm-config.yaml:${lineOf(f, '- k8s-api.example.com')} san-missing`,
        `kubeadm-config.yaml:${lineOf(f, 'serverCertSANs:')} san-missing`,
      ]);
      const { findings } = checkTree(dir);
      const msg = findings.find((x) => x.file === f && x.range.start.line + 1 === lineOf(f, 'k8s-api.example.com')).message;
      assert.match(msg, /issued before the name was added/);
      assert.match(msg, /x509: certificate is valid for .*, not k8s-api\.example\.com/);
      assert.match(msg, /kubeadm init phase certs apiserver/);
    } finally {
      cleanup(f);
    }
  });

  test('v1beta3 extraArgs (a map) setting tls-cert-file: the names are checked in that certificate', () => {
    const text = v1beta4({ certSANs: ['192.168.10.11'] })
      .replaceAll('v1beta4', 'v1beta3')
      .replace(
        '  extraArgs:\n  - name: authorization-mode\n    value: Node,RBAC',
        '  extraArgs:\n    tls-cert-file: /etc/kubernetes/pki/etcd/server.crt',
      );
    const f = write(dir, 'kubeadm-config.yaml', text);
    try {
      // etcd's server certificate holds cp1, localhost, 192.168.10.11: not the kubernetes Service's IP nor its names.
      assert.deepEqual(findingsIn(f), [
        `kubeadm-config.yaml:${lineOf(f, 'dnsDomain:')} san-missing`,
        `kubeadm-config.yaml:${lineOf(f, 'serviceSubnet:')} san-missing`,
      ]);
    } finally {
      cleanup(f);
    }
  });

  test("caCertHashes: the CA's pin is clean; another pin or a malformed one is ca-pin-mismatch on its line", () => {
    const f = write(dir, 'join.yaml', join([pin]));
    try {
      assert.deepEqual(findingsIn(f), []);
      const other = `sha256:${'ab'.repeat(32)}`;
      write(dir, 'join.yaml', join([other, 'sha256:1234']));
      const { findings } = checkTree(dir);
      const mine = findings.filter((x) => x.file === f);
      assert.deepEqual(summary(mine, dir), [
        `join.yaml:${lineOf(f, other)} ca-pin-mismatch`,
        `join.yaml:${lineOf(f, 'sha256:1234')} ca-pin-mismatch`,
      ]);
      assert.match(mine.find((x) => x.message.includes('none of the public keys')).message, new RegExp(pin.replace(':', ':')));
      assert.match(mine.find((x) => x.message.includes('1234')).message, /expected a 32 byte SHA-256 hash, found 2 bytes/);
      // Any one entry matching is enough for kubeadm (pubkeypin.CheckAny).
      write(dir, 'join.yaml', join([other, pin]));
      assert.deepEqual(findingsIn(f), []);
    } finally {
      cleanup(f);
    }
  });

  test("external etcd's files are judged as the apiserver's --etcd-* flags: key pair, usage, trust by etcd's CA", () => {
    const external = (cert, key) =>
      v1beta4().replace(
        /etcd:\n  local:\n(    .*\n)+/,
        `etcd:\n  external:\n    endpoints:\n    - https://192.168.10.11:2379\n    caFile: /etc/kubernetes/pki/etcd/ca.crt\n    certFile: /etc/kubernetes/pki/${cert}.crt\n    keyFile: /etc/kubernetes/pki/${key}.key\n`,
      );
    const f = write(dir, 'kubeadm-config.yaml', external('apiserver-etcd-client', 'apiserver-etcd-client'));
    try {
      assert.deepEqual(findingsIn(f), []);
      write(dir, 'kubeadm-config.yaml', external('apiserver-etcd-client', 'apiserver-kubelet-client'));
      assert.deepEqual(findingsIn(f), [`kubeadm-config.yaml:${lineOf(f, 'keyFile:')} key-mismatch`]);
      // The apiserver's serving certificate: serverAuth only, and issued by the cluster CA, not etcd's.
      write(dir, 'kubeadm-config.yaml', external('apiserver', 'apiserver'));
      assert.deepEqual(findingsIn(f), [
        `kubeadm-config.yaml:${lineOf(f, 'certFile:')} eku-missing`,
        `kubeadm-config.yaml:${lineOf(f, 'certFile:')} untrusted-issuer`,
      ]);
      write(dir, 'kubeadm-config.yaml', external('missing', 'missing'));
      assert.deepEqual(findingsIn(f), [
        `kubeadm-config.yaml:${lineOf(f, 'certFile:')} file-not-found`,
        `kubeadm-config.yaml:${lineOf(f, 'keyFile:')} file-not-found`,
      ]);
    } finally {
      cleanup(f);
    }
  });

  test('a real kubeadm config with no certificates beside it (minikube): read, nothing judged', () => {
    const file = path.join(here, 'corpora/realworld/minikube/pkg/minikube/bootstrapper/bsutil/testdata/v1.34/default.yaml');
    const { engine, findings } = checkTree(path.dirname(file), {}, [file]);
    assert.deepEqual(findings, []);
    assert.ok(engine.cluster.units('kubeadm-config').some((u) => u.objectKind === 'ClusterConfiguration' && u.certSANs.length === 3));
  });
});

describe("extraArgs naming files, judged as the static pod's flags when the node's static pod is not in the workspace", () => {
  let node;
  before(async () => {
    node = tempDir('kube-pki-kubeadm-extra-');
    await buildCluster(node, { nodeName: 'cp1', advertiseAddress: '192.168.10.11' });
    // The node before `kubeadm init` wrote its static pods (an external CA's files already in place).
    rmSync(path.join(node, 'etc/kubernetes/manifests'), { recursive: true, force: true });
  });
  after(() => cleanup(node));

  /** A ClusterConfiguration whose components' extraArgs are the given {name: value} maps (v1beta4's list form). */
  const config = ({ apiServer = {}, etcd = {}, controllerManager = {} } = {}) => {
    const list = (args, indent) =>
      Object.entries(args)
        .map(([name, value]) => `${indent}- name: ${name}\n${indent}  value: ${value}`)
        .join('\n');
    return `apiVersion: kubeadm.k8s.io/v1beta4
kind: ClusterConfiguration
certificatesDir: /etc/kubernetes/pki
apiServer:
  extraArgs:
  - name: authorization-mode
    value: Node,RBAC
${list(apiServer, '  ')}
controllerManager:
  extraArgs:
${list({ 'bind-address': '0.0.0.0', ...controllerManager }, '  ')}
etcd:
  local:
    dataDir: /var/lib/etcd
    extraArgs:
${list({ 'listen-metrics-urls': 'http://127.0.0.1:2381', ...etcd }, '    ')}
`;
  };
  const healthy = {
    apiServer: {
      'tls-private-key-file': '/etc/kubernetes/pki/apiserver.key',
      'etcd-certfile': '/etc/kubernetes/pki/apiserver-etcd-client.crt',
      'etcd-keyfile': '/etc/kubernetes/pki/apiserver-etcd-client.key',
      'requestheader-client-ca-file': '/etc/kubernetes/pki/front-proxy-ca.crt',
      'service-account-key-file': '/etc/kubernetes/pki/sa.pub',
    },
    etcd: { 'cert-file': '/etc/kubernetes/pki/etcd/server.crt', 'key-file': '/etc/kubernetes/pki/etcd/server.key' },
    controllerManager: { 'cluster-signing-key-file': '/etc/kubernetes/pki/ca.key' },
  };
  const findingsOf = (f) =>
    summary(
      checkTree(node).findings.filter((x) => x.file === f),
      node,
    );

  test('files that are there and pair up: no finding', () => {
    const f = write(node, 'kubeadm-config.yaml', config(healthy));
    try {
      assert.deepEqual(findingsOf(f), []);
    } finally {
      cleanup(f);
    }
  });

  test("a key that is not the certificate's (kubeadm's own apiserver.crt), a client certificate as etcd's serving one, a CA that is not there, a signing key of another CA: each on its extraArgs line", () => {
    const f = write(
      node,
      'kubeadm-config.yaml',
      config({
        apiServer: {
          ...healthy.apiServer,
          'tls-private-key-file': '/etc/kubernetes/pki/front-proxy-client.key',
          'client-ca-file': '/etc/kubernetes/pki/corp-ca.crt',
        },
        etcd: { 'cert-file': '/etc/kubernetes/pki/apiserver-etcd-client.crt', 'key-file': '/etc/kubernetes/pki/apiserver-etcd-client.key' },
        controllerManager: { 'cluster-signing-key-file': '/etc/kubernetes/pki/front-proxy-ca.key' },
      }),
    );
    try {
      const text = readFileSync(f, 'utf8');
      const valueLine = (needle) => text.split('\n').findIndex((l, i, all) => all[i - 1]?.includes(needle)) + 1;
      assert.deepEqual(
        findingsOf(f),
        [
          `kubeadm-config.yaml:${valueLine('name: tls-private-key-file')} key-mismatch`,
          `kubeadm-config.yaml:${valueLine('name: client-ca-file')} file-not-found`,
          `kubeadm-config.yaml:${valueLine('name: cluster-signing-key-file')} key-mismatch`,
          `kubeadm-config.yaml:${valueLine('name: cert-file')} eku-missing`,
        ].sort((a, b) => Number(a.split(':')[1].split(' ')[0]) - Number(b.split(':')[1].split(' ')[0])),
      );
      const { findings } = checkTree(node);
      const key = findings.find(
        (x) => x.file === f && x.code === 'key-mismatch' && x.range.start.line + 1 === valueLine('name: tls-private-key-file'),
      );
      assert.match(key.message, /^apiServer\.extraArgs \(kubeadm puts it on kube-apiserver's command line\): /);
      // Its line: the value.
      const line = text.split('\n')[key.range.start.line];
      assert.equal(line.slice(key.range.start.character, key.range.end.character), '/etc/kubernetes/pki/front-proxy-client.key');
    } finally {
      cleanup(f);
    }
  });

  test('a file kubeadm writes at init (sa.pub) that is not there yet: no finding; the static pod in the workspace: it is what is judged, not the config', async () => {
    const pub = path.join(node, 'etc/kubernetes/pki/sa.pub');
    const saved = readFileSync(pub);
    rmSync(pub);
    const f = write(
      node,
      'kubeadm-config.yaml',
      config({ ...healthy, apiServer: { ...healthy.apiServer, 'tls-private-key-file': '/etc/kubernetes/pki/front-proxy-client.key' } }),
    );
    try {
      const text = readFileSync(f, 'utf8');
      const at = text.split('\n').findIndex((l, i, all) => all[i - 1]?.includes('name: tls-private-key-file')) + 1;
      assert.deepEqual(findingsOf(f), [`kubeadm-config.yaml:${at} key-mismatch`]);
      // kubeadm's static pod for the apiserver is here: the manifest runs, the config's extraArgs are not judged twice.
      write(
        node,
        'etc/kubernetes/manifests/kube-apiserver.yaml',
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\n  namespace: kube-system\nspec:\n  containers:\n  - name: kube-apiserver\n    image: registry.k8s.io/kube-apiserver:v1.31.1\n    command:\n    - kube-apiserver\n    - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt\n    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key\n',
      );
      assert.deepEqual(findingsOf(f), []);
    } finally {
      cleanup(f);
      rmSync(path.join(node, 'etc/kubernetes/manifests'), { recursive: true, force: true });
      write(node, 'etc/kubernetes/pki/sa.pub', saved);
    }
  });
});
