// Other distributions: a k3s (or RKE2) server's tree as k3s lays it out (pkg/daemons/control/deps/deps.go:
// <data-dir>/server/tls, <data-dir>/server/cred/*.kubeconfig, /etc/rancher/k3s/k3s.yaml and config.yaml), made at
// run time, and kind's Cluster config. A healthy tree gives no finding; a broken one the expected code on the line
// to edit.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tempDir, write, checkTree, summary, lineOf, cleanup, ca, leaf, b64 } from './helpers/engine.mjs';
import { buildCluster } from './helpers/cluster.mjs';

const NODE_IP = '192.168.50.10';
const readText = (f) => readFileSync(f, 'utf8');

/** The CAs and leaves a k3s server makes (deps.go), with the names server.go puts in the serving certificate. */
async function k3sPki({ tlsSans = ['k3s.example.com'] } = {}) {
  const serverCa = await ca('k3s-server-ca@1700000000');
  const clientCa = await ca('k3s-client-ca@1700000000');
  const serving = await leaf(serverCa, {
    commonName: 'kube-apiserver',
    extKeyUsage: ['serverAuth'],
    dnsNames: [
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      'kubernetes.default.svc.cluster.local',
      'localhost',
      'k3s-1',
      ...tlsSans,
    ],
    ipAddresses: ['127.0.0.1', '::1', NODE_IP, '10.43.0.1'],
  });
  const admin = await leaf(clientCa, { commonName: 'system:admin', organizations: ['system:masters'] });
  return { serverCa, clientCa, serving, admin };
}

/** Writes a k3s server's files below `root` (a copy of the node's `/`); `dataDir` is the distribution's. */
function writeK3sNode(root, pki, { dataDir = 'var/lib/rancher/k3s', etc = 'etc/rancher/k3s', admin = pki.admin, server = pki.serving } = {}) {
  const tls = `${dataDir}/server/tls`;
  const abs = (f) => `/${tls}/${f}`;
  // k3s writes each leaf followed by its CA (util.EncodeCertsPEM(cert, caCerts)).
  write(root, `${tls}/server-ca.crt`, pki.serverCa.certPem);
  write(root, `${tls}/server-ca.key`, pki.serverCa.key.privateKeyPem);
  write(root, `${tls}/client-ca.crt`, pki.clientCa.certPem);
  write(root, `${tls}/client-ca.key`, pki.clientCa.key.privateKeyPem);
  write(root, `${tls}/serving-kube-apiserver.crt`, server.certPem + pki.serverCa.certPem);
  write(root, `${tls}/serving-kube-apiserver.key`, server.key.privateKeyPem);
  write(root, `${tls}/client-admin.crt`, admin.certPem + pki.clientCa.certPem);
  write(root, `${tls}/client-admin.key`, admin.key.privateKeyPem);
  write(
    root,
    `${dataDir}/server/cred/admin.kubeconfig`,
    `apiVersion: v1
clusters:
- cluster:
    server: https://127.0.0.1:6444
    certificate-authority: ${abs('server-ca.crt')}
  name: local
contexts:
- context:
    cluster: local
    namespace: default
    user: user
  name: Default
current-context: Default
kind: Config
preferences: {}
users:
- name: user
  user:
    client-certificate: ${abs('client-admin.crt')}
    client-key: ${abs('client-admin.key')}
`,
  );
  write(
    root,
    `${etc}/k3s.yaml`,
    `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: ${b64(pki.serverCa.certPem)}
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: ${b64(admin.certPem + pki.clientCa.certPem)}
    client-key-data: ${b64(admin.key.privateKeyPem)}
`,
  );
}

function k3sConfig({ tlsSan = ['k3s.example.com'], extra = '' } = {}) {
  return `write-kubeconfig-mode: "0644"
node-ip: ${NODE_IP}
node-name: k3s-1
tls-san:
${tlsSan.map((s) => `  - ${s}`).join('\n')}
cluster-domain: cluster.local
service-cidr: 10.43.0.0/16
disable:
  - traefik
${extra}`;
}

/** Findings in the tree, as "file:line code". */
function findings(root) {
  return summary(checkTree(root).findings, root);
}

function messageAt(root, file, line) {
  return checkTree(root).findings.find((f) => f.file === file && f.range.start.line + 1 === line)?.message;
}

let pki;
const dirs = [];
function node() {
  const d = tempDir('kube-pki-k3s-');
  dirs.push(d);
  return d;
}

before(async () => {
  pki = await k3sPki();
});
after(() => dirs.forEach((d) => cleanup(d)));

describe('k3s and RKE2 server configuration', () => {
  test('a config whose names the serving certificate holds: no finding', () => {
    const root = node();
    writeK3sNode(root, pki);
    write(root, 'etc/rancher/k3s/config.yaml', k3sConfig());
    assert.deepEqual(findings(root), []);
  });

  test('a tls-san added after the certificate was issued: san-missing on its line, saying to restart k3s', () => {
    const root = node();
    writeK3sNode(root, pki);
    const f = write(root, 'etc/rancher/k3s/config.yaml', k3sConfig({ tlsSan: ['k3s.example.com', '203.0.113.7'] }));
    const line = lineOf(f, '- 203.0.113.7');
    assert.deepEqual(findings(root), [`etc/rancher/k3s/config.yaml:${line} san-missing`]);
    const msg = messageAt(root, f, line);
    assert.match(msg, /tls-san asks for 203\.0\.113\.7/);
    assert.match(msg, /x509: certificate is valid for .*, not 203\.0\.113\.7/);
    assert.match(msg, /systemctl restart k3s/);
    assert.match(msg, /fieldsChanged/);
  });

  test('tls-san as a comma-separated string in a config.yaml.d drop-in, and another cluster-domain: one finding per line', () => {
    const root = node();
    writeK3sNode(root, pki);
    const f = write(root, 'etc/rancher/k3s/config.yaml.d/50-extra.yaml', 'tls-san+: "k3s.example.com,api.example.org"\ncluster-domain: corp.local\n');
    assert.deepEqual(findings(root), [
      `etc/rancher/k3s/config.yaml.d/50-extra.yaml:1 san-missing`,
      `etc/rancher/k3s/config.yaml.d/50-extra.yaml:2 san-missing`,
    ]);
    assert.match(messageAt(root, f, 1), /asks for api\.example\.org,/);
    assert.match(messageAt(root, f, 2), /kubernetes\.default\.svc\.corp\.local/);
  });

  test('RKE2: /etc/rancher/rke2/config.yaml against /var/lib/rancher/rke2/server/tls', () => {
    const root = node();
    writeK3sNode(root, pki, { dataDir: 'var/lib/rancher/rke2', etc: 'etc/rancher/rke2' });
    const f = write(root, 'etc/rancher/rke2/config.yaml', k3sConfig({ tlsSan: ['rke2.example.com'] }));
    const line = lineOf(f, '- rke2.example.com');
    assert.deepEqual(findings(root), [`etc/rancher/rke2/config.yaml:${line} san-missing`]);
    assert.match(messageAt(root, f, line), /systemctl restart rke2-server/);
  });

  test("the server's own files: a leaf its CA does not verify, a key that is not its key, an expired leaf, each on the certificate's first line; on the config's first line when the config is checked alone", async () => {
    const root = node();
    writeK3sNode(root, pki);
    const tls = 'var/lib/rancher/k3s/server/tls';
    const other = await ca('k3s-client-ca@1600000000');
    const proxy = await leaf(other, { commonName: 'system:kube-proxy' });
    write(root, `${tls}/client-kube-proxy.crt`, proxy.certPem + other.certPem);
    write(root, `${tls}/client-kube-proxy.key`, proxy.key.privateKeyPem);
    write(root, `${tls}/serving-kube-apiserver.key`, pki.admin.key.privateKeyPem);
    const old = await leaf(pki.clientCa, {
      commonName: 'system:kube-controller-manager',
      notBefore: new Date(Date.now() - 400 * 86400000),
      notAfter: new Date(Date.now() - 86400000),
    });
    write(root, `${tls}/client-controller.crt`, old.certPem + pki.clientCa.certPem);
    write(root, `${tls}/client-controller.key`, old.key.privateKeyPem);
    const f = write(root, 'etc/rancher/k3s/config.yaml', k3sConfig());
    // Each on the certificate to replace (no kubeconfig here names these client certificates).
    assert.deepEqual(findings(root), [
      `${tls}/client-controller.crt:1 cert-expired`,
      `${tls}/client-kube-proxy.crt:1 untrusted-issuer`,
      `${tls}/serving-kube-apiserver.crt:1 key-mismatch`,
    ]);
    // The config checked alone (its folder's leaves not read as documents): the same findings on its first line.
    const alone = checkTree(root, {}, [f]).findings;
    assert.deepEqual(summary(alone, root), [
      'etc/rancher/k3s/config.yaml:1 cert-expired',
      'etc/rancher/k3s/config.yaml:1 key-mismatch',
      'etc/rancher/k3s/config.yaml:1 untrusted-issuer',
    ]);
    const all = alone.filter((x) => x.file === f);
    assert.match(
      all.find((x) => x.code === 'untrusted-issuer').message,
      /client-kube-proxy\.crt.*client-ca\.crt.*401 Unauthorized.*systemctl restart k3s/,
    );
    assert.match(all.find((x) => x.code === 'key-mismatch').message, /serving-kube-apiserver\.key is not the private key/);
    assert.match(all.find((x) => x.code === 'cert-expired').message, /client-controller\.crt/);
  });

  test('a config with no server tree beside it, and YAML that only looks like one: nothing judged', () => {
    const root = node();
    write(root, 'etc/rancher/k3s/config.yaml', k3sConfig({ tlsSan: ['anything.example.com'] }));
    // A Helm values file with a tls-san key is no k3s config (camelCase keys).
    write(root, 'values.yaml', 'tls-san: [x.example.com]\nreplicaCount: 2\n');
    const { engine } = checkTree(root);
    assert.deepEqual(findings(root), []);
    assert.equal(engine.isRecognised(path.join(root, 'etc/rancher/k3s/config.yaml')), true);
    assert.equal(engine.isRecognised(path.join(root, 'values.yaml')), false);
  });
});

describe("k3s and RKE2 kubeconfigs (server/cred/*.kubeconfig, k3s.yaml) against the server's tls folder", () => {
  test('a client certificate from another CA: untrusted-issuer on the client-certificate lines (401 from the apiserver)', async () => {
    const root = node();
    const stranger = await leaf(await ca('some-other-ca'), { commonName: 'system:admin', organizations: ['system:masters'] });
    writeK3sNode(root, pki, { admin: stranger });
    const cred = path.join(root, 'var/lib/rancher/k3s/server/cred/admin.kubeconfig');
    const k3sYaml = path.join(root, 'etc/rancher/k3s/k3s.yaml');
    assert.deepEqual(findings(root), [
      `etc/rancher/k3s/k3s.yaml:${lineOf(k3sYaml, 'client-certificate-data:')} untrusted-issuer`,
      `var/lib/rancher/k3s/server/cred/admin.kubeconfig:${lineOf(cred, 'client-certificate:')} untrusted-issuer`,
    ]);
    assert.match(messageAt(root, cred, lineOf(cred, 'client-certificate:')), /401 Unauthorized/);
  });

  test('k3s.yaml kept from before the server CA changed: untrusted-issuer on its certificate-authority-data', async () => {
    const root = node();
    writeK3sNode(root, pki);
    const k3sYaml = path.join(root, 'etc/rancher/k3s/k3s.yaml');
    const stale = await ca('k3s-server-ca@1600000000');
    write(root, 'etc/rancher/k3s/k3s.yaml', readText(k3sYaml).replace(b64(pki.serverCa.certPem), b64(stale.certPem)));
    assert.deepEqual(findings(root), [`etc/rancher/k3s/k3s.yaml:${lineOf(k3sYaml, 'certificate-authority-data:')} untrusted-issuer`]);
  });

  test('a kubeconfig dialling the apiserver by a name its certificate lacks: san-missing on server:, naming tls-san', () => {
    const root = node();
    writeK3sNode(root, pki);
    const cred = path.join(root, 'var/lib/rancher/k3s/server/cred/admin.kubeconfig');
    write(
      root,
      'var/lib/rancher/k3s/server/cred/admin.kubeconfig',
      readText(cred).replace('https://127.0.0.1:6444', 'https://api.internal.example:6444'),
    );
    // The supervisor on 6443 serves a certificate kept outside the tls folder: its names are not judged.
    const k3sYaml = path.join(root, 'etc/rancher/k3s/k3s.yaml');
    write(root, 'etc/rancher/k3s/k3s.yaml', readText(k3sYaml).replace('https://127.0.0.1:6443', 'https://api.internal.example:6443'));
    const line = lineOf(cred, 'server:');
    assert.deepEqual(findings(root), [`var/lib/rancher/k3s/server/cred/admin.kubeconfig:${line} san-missing`]);
    assert.match(messageAt(root, cred, line), /not api\.internal\.example.*tls-san in \/etc\/rancher\/k3s\/config\.yaml/);
  });

  test('RKE2: rke2.yaml dials the apiserver itself on 6443, so a name it lacks is san-missing', () => {
    const root = node();
    writeK3sNode(root, pki, { dataDir: 'var/lib/rancher/rke2', etc: 'etc/rancher/rke2' });
    const yaml = path.join(root, 'etc/rancher/rke2/k3s.yaml');
    write(root, 'etc/rancher/rke2/rke2.yaml', readText(yaml).replace('https://127.0.0.1:6443', 'https://rke2.lan:6443'));
    cleanup(yaml);
    const f = path.join(root, 'etc/rancher/rke2/rke2.yaml');
    assert.deepEqual(findings(root), [`etc/rancher/rke2/rke2.yaml:${lineOf(f, 'server:')} san-missing`]);
  });

  test('a kubeconfig of another cluster in the same tree: not taken for the k3s server', async () => {
    const root = node();
    writeK3sNode(root, pki);
    const other = await ca('other-cluster');
    write(
      root,
      'root/.kube/config',
      readText(path.join(root, 'etc/rancher/k3s/k3s.yaml'))
        .replace(b64(pki.serverCa.certPem), b64(other.certPem))
        .replace('https://127.0.0.1:6443', 'https://other.example.com:443'),
    );
    assert.deepEqual(findings(root), []);
  });
});

describe('kind cluster config', () => {
  function kindConfig({ sans = ['api.dev.example.com'], patchExtra = '' } = {}) {
    return `kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
name: dev
networking:
  apiServerAddress: 127.0.0.1
  apiServerPort: 6443
nodes:
- role: control-plane
  kubeadmConfigPatches:
  - |
    kind: InitConfiguration
    nodeRegistration:
      kubeletExtraArgs:
        node-labels: "ingress-ready=true"
kubeadmConfigPatches:
- |
  kind: ClusterConfiguration
  apiServer:
    certSANs:
${sans.map((s) => `    - ${s}`).join('\n')}
${patchExtra}`;
  }

  function kindKubeconfig(server) {
    return `apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: ${b64(pki.serverCa.certPem)}
    server: ${server}
  name: kind-dev
contexts:
- context:
    cluster: kind-dev
    user: kind-dev
  name: kind-dev
current-context: kind-dev
users:
- name: kind-dev
  user:
    token: abc
`;
  }

  test('kubeconfigs dialling 127.0.0.1, a certSAN of a patch, and the node name: no finding', () => {
    const root = node();
    write(root, 'kind.yaml', kindConfig());
    write(root, 'kubeconfig-local', kindKubeconfig('https://127.0.0.1:6443'));
    write(root, 'kubeconfig-remote', kindKubeconfig('https://api.dev.example.com:6443'));
    write(root, 'kubeconfig-internal', kindKubeconfig('https://dev-control-plane:6443'));
    const { engine } = checkTree(root);
    assert.equal(engine.isRecognised(path.join(root, 'kind.yaml')), true);
    assert.deepEqual(findings(root), []);
  });

  test('a kubeconfig dialling a name no patch adds: san-missing on its server: line', () => {
    const root = node();
    write(root, 'kind.yaml', kindConfig());
    const kc = write(root, 'kubeconfig', kindKubeconfig('https://kind.lan.example.com:6443'));
    const line = lineOf(kc, 'server:');
    assert.deepEqual(findings(root), [`kubeconfig:${line} san-missing`]);
    assert.match(messageAt(root, kc, line), /not kind\.lan\.example\.com.*apiServer\.certSANs/);
  });

  test('a patch that is not YAML: yaml-invalid on its line inside the block', () => {
    const root = node();
    const f = write(root, 'kind.yaml', kindConfig({ sans: ['[unclosed'] }));
    const line = lineOf(f, '[unclosed');
    assert.deepEqual(findings(root), [`kind.yaml:${line} yaml-invalid`]);
    assert.match(messageAt(root, f, line), /failed to parse patches/);
  });

  test("kube-pki generate on a kind node's tree: the apiserver certificate gets apiServerAddress and the patches' certSANs (and no load balancer's name with one control plane)", async () => {
    const root = node();
    const c = await buildCluster(path.join(root, 'node'), { nodeName: 'dev-control-plane', advertiseAddress: '172.18.0.2', keyType: 'ecdsa-p256' });
    write(root, 'kind.yaml', kindConfig({ sans: ['api.dev.example.com', '10.20.30.40'] }));
    rmSync(path.join(c.dir, 'etc/kubernetes/pki/apiserver.crt'));
    rmSync(path.join(c.dir, 'etc/kubernetes/pki/apiserver.key'));
    const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    const r = spawnSync(process.execPath, [cliPath, 'generate', root, '--key-type', 'ecdsa-p256'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const sans = spawnSync('openssl', ['x509', '-in', path.join(c.dir, 'etc/kubernetes/pki/apiserver.crt'), '-noout', '-ext', 'subjectAltName'], {
      encoding: 'utf8',
    }).stdout;
    for (const n of [
      'DNS:api.dev.example.com',
      'IP Address:10.20.30.40',
      'IP Address:127.0.0.1',
      'DNS:localhost',
      'DNS:dev-control-plane',
      'IP Address:172.18.0.2',
    ]) {
      assert.ok(sans.includes(n), `${n} in ${sans}`);
    }
    assert.ok(!sans.includes('external-load-balancer'), sans);
    // Another cluster's node (its name is not dev-control-plane*): the kind config is not this node's.
    const other = await buildCluster(path.join(root, 'other'), { nodeName: 'cp1', advertiseAddress: '192.168.10.11', keyType: 'ecdsa-p256' });
    rmSync(path.join(other.dir, 'etc/kubernetes/pki/apiserver.crt'));
    rmSync(path.join(other.dir, 'etc/kubernetes/pki/apiserver.key'));
    const again = spawnSync(process.execPath, [cliPath, 'generate', root, '--key-type', 'ecdsa-p256'], { encoding: 'utf8' });
    assert.equal(again.status, 0, again.stdout + again.stderr);
    const otherSans = spawnSync(
      'openssl',
      ['x509', '-in', path.join(other.dir, 'etc/kubernetes/pki/apiserver.crt'), '-noout', '-ext', 'subjectAltName'],
      {
        encoding: 'utf8',
      },
    ).stdout;
    assert.ok(!otherSans.includes('api.dev.example.com'), otherSans);
  });
});

describe("a k3s or RKE2 server's tls folder with no configuration beside it: each leaf judged by itself", () => {
  /** Only <data-dir>/server/tls, as k3s writes it (each leaf followed by its CA). */
  function tlsOnly(root, { dataDir = 'var/lib/rancher/k3s', serving = pki.serving, admin = pki.admin, adminKey = admin.key } = {}) {
    const tls = `${dataDir}/server/tls`;
    write(root, `${tls}/server-ca.crt`, pki.serverCa.certPem);
    write(root, `${tls}/server-ca.key`, pki.serverCa.key.privateKeyPem);
    write(root, `${tls}/client-ca.crt`, pki.clientCa.certPem);
    write(root, `${tls}/client-ca.key`, pki.clientCa.key.privateKeyPem);
    write(root, `${tls}/serving-kube-apiserver.crt`, serving.certPem + pki.serverCa.certPem);
    write(root, `${tls}/serving-kube-apiserver.key`, serving.key.privateKeyPem);
    write(root, `${tls}/client-admin.crt`, admin.certPem + pki.clientCa.certPem);
    write(root, `${tls}/client-admin.key`, adminKey.privateKeyPem);
    return tls;
  }

  test('healthy: no finding, and the leaves are read (the documents are the certificates)', () => {
    const root = node();
    const tls = tlsOnly(root);
    const { engine, findings } = checkTree(root);
    assert.deepEqual(summary(findings, root), []);
    assert.deepEqual(
      engine.cluster
        .units('distro-tls')
        .map((u) => u.name)
        .sort(),
      ['client-admin.crt', 'serving-kube-apiserver.crt'],
    );
    assert.ok(engine.isRecognised(path.join(root, tls, 'client-admin.crt')));
    assert.ok(!engine.isRecognised(path.join(root, tls, 'client-ca.crt')));
  });

  test("a serving certificate from the client CA, a key that is not the leaf's, an expired client certificate (RKE2): the code on each certificate's first line", async () => {
    const root = node();
    const wrongIssuer = await leaf(pki.clientCa, { commonName: 'kube-apiserver', extKeyUsage: ['serverAuth'], dnsNames: ['kubernetes'] });
    const tls = tlsOnly(root, { dataDir: 'var/lib/rancher/rke2', serving: wrongIssuer, adminKey: pki.serving.key });
    const old = await leaf(pki.clientCa, {
      commonName: 'system:k3s-controller',
      notBefore: new Date(Date.now() - 400 * 86400000),
      notAfter: new Date(Date.now() - 86400000),
    });
    write(root, `${tls}/client-k3s-controller.crt`, old.certPem + pki.clientCa.certPem);
    write(root, `${tls}/client-k3s-controller.key`, old.key.privateKeyPem);
    const { findings } = checkTree(root);
    assert.deepEqual(summary(findings, root), [
      `${tls}/client-admin.crt:1 key-mismatch`,
      `${tls}/client-k3s-controller.crt:1 cert-expired`,
      `${tls}/serving-kube-apiserver.crt:1 untrusted-issuer`,
    ]);
    const issuer = findings.find((f) => f.code === 'untrusted-issuer');
    assert.match(issuer.message, /server-ca\.crt .*verifies it.*systemctl restart rke2-server/);
  });

  test("with the server configuration in the workspace, a leaf is still judged on its own line, not again on the config's", async () => {
    const root = node();
    const wrongIssuer = await leaf(pki.clientCa, { commonName: 'kube-apiserver', extKeyUsage: ['serverAuth'], dnsNames: ['kubernetes'] });
    const tls = tlsOnly(root, { serving: wrongIssuer });
    write(root, 'etc/rancher/k3s/config.yaml', 'node-name: k3s-1\nwrite-kubeconfig-mode: "0644"\n');
    const got = summary(checkTree(root).findings, root);
    assert.ok(got.includes(`${tls}/serving-kube-apiserver.crt:1 untrusted-issuer`), got.join('\n'));
    assert.ok(!got.some((l) => l.includes('config.yaml:1 untrusted-issuer')), got.join('\n'));
  });
});

describe('kube-pki generate --fix on a k3s server: k3s names, signers and SANs', () => {
  const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  const cli = (args) => spawnSync(process.execPath, [cliPath, ...args], { encoding: 'utf8' });
  const openssl = (args) => spawnSync('openssl', args, { encoding: 'utf8' });

  test("an expired client-admin.crt and a tls-san the serving certificate lacks: re-issued in place by k3s's CAs, subjects kept, the config's names added; checked clean after", async () => {
    const root = node();
    const expired = await leaf(pki.clientCa, {
      commonName: 'system:admin',
      organizations: ['system:masters'],
      notBefore: new Date(Date.now() - 400 * 86400000),
      notAfter: new Date(Date.now() - 86400000),
    });
    writeK3sNode(root, pki, { admin: expired });
    const cfg = write(root, 'etc/rancher/k3s/config.yaml', k3sConfig({ tlsSan: ['k3s.example.com', 'api.k3s.example.com'] }));
    const tls = path.join(root, 'var/lib/rancher/k3s/server/tls');
    const before = findings(root);
    assert.ok(before.includes(`etc/rancher/k3s/config.yaml:${lineOf(cfg, 'api.k3s.example.com')} san-missing`), before.join('\n'));
    assert.ok(
      before.some((l) => / cert-expired$/.test(l)),
      before.join('\n'),
    );

    const dry = cli(['generate', root, '--fix', '--dry-run']);
    assert.match(
      dry.stdout,
      /would replace: The apiserver's serving certificate \(serving-kube-apiserver\.crt\) \(adds SAN api\.k3s\.example\.com\)/,
    );
    assert.match(dry.stdout, /CN=system:admin, O=system:masters; issued by CN=k3s-client-ca@1700000000/);
    assert.doesNotMatch(dry.stdout, /kubernetes-admin|front-proxy|pki\/apiserver/);
    // k3s.yaml's embedded admin certificate too: by client-ca, as k3s signs every client certificate.
    assert.match(
      dry.stdout,
      /in k3s\.yaml \(user default\) \(expired\)\n {4}CN=system:admin, O=system:masters; issued by CN=k3s-client-ca@1700000000/,
    );

    const r = cli(['generate', root, '--fix']);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    // openssl: each verifies against the k3s CA of its folder, with the subject and names it should have.
    const verify = (ca, cert) => openssl(['verify', '-CAfile', path.join(tls, ca), path.join(tls, cert)]);
    assert.match(verify('client-ca.crt', 'client-admin.crt').stdout, /OK/);
    assert.match(verify('server-ca.crt', 'serving-kube-apiserver.crt').stdout, /OK/);
    const admin = openssl(['x509', '-in', path.join(tls, 'client-admin.crt'), '-noout', '-subject']).stdout;
    assert.match(admin, /O ?= ?system:masters, CN ?= ?system:admin/);
    const serving = openssl(['x509', '-in', path.join(tls, 'serving-kube-apiserver.crt'), '-noout', '-ext', 'subjectAltName']).stdout;
    for (const n of [
      'DNS:api.k3s.example.com',
      'DNS:k3s.example.com',
      'DNS:k3s-1',
      'DNS:kubernetes.default.svc.cluster.local',
      `IP Address:${NODE_IP}`,
      'IP Address:10.43.0.1',
    ]) {
      assert.ok(serving.includes(n), `${n} in ${serving}`);
    }
    // The kubeconfigs name (admin.kubeconfig) or embed (k3s.yaml) the re-issued certificates: everything is clean now.
    assert.deepEqual(findings(root), []);
  });
});
