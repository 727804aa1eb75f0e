// Kubernetes The Hard Way (kelseyhightower/kubernetes-the-hard-way), followed as its documents say, checked end
// to end. The tree is built at run time on the "jumpbox" with the real programs the tutorial uses:
//   docs/04-certificate-authority.md  `openssl genrsa`, `openssl req -x509 -config ca.conf`, then for each
//                                     component `openssl req -new -config ca.conf -section <name>` and
//                                     `openssl x509 -req -copy_extensions copyall -CA ca.crt`;
//   docs/05-kubernetes-configuration-files.md  `kubectl config set-cluster/set-credentials --embed-certs=true`,
//                                     `set-context default`, `use-context default` for each kubeconfig;
//   docs/06-data-encryption-keys.md   encryption-config.yaml;
//   units/*.service, configs/*.yaml   laid out as on the machines: server (/etc/systemd/system,
//                                     /var/lib/kubernetes, /etc/etcd, /etc/kubernetes/config), node-0 and node-1
//                                     (/etc/systemd/system, /var/lib/kubelet, /var/lib/kube-proxy).
// The tutorial is licensed CC BY-NC-SA 4.0, so nothing of it is copied here: the openssl configuration is
// written from a table of the names, groups, SANs and usages its ca.conf gives each certificate, and the units
// carry the flags its units pass.
//
// What is really wrong in it: units/kube-apiserver.service sets no --service-cluster-ip-range, so the
// apiserver takes its default 10.0.0.0/24 and the `kubernetes` Service gets 10.0.0.1, which the serving
// certificate (ca.conf: 127.0.0.1 and 10.32.0.1) does not hold: a pod's in-cluster client fails with
// "x509: certificate is valid for 127.0.0.1, 10.32.0.1, not 10.0.0.1" (kelseyhightower/kubernetes-the-hard-way#905).
// Everything else verifies, as `openssl verify` and the real kubectl's handshakes below confirm (etcd listens on
// plain http://127.0.0.1 in the tutorial: no TLS to judge there). Then the classic mistakes a student makes are
// planted one at a time, each found on the line to edit.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readFileSync, copyFileSync, rmSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import https from 'node:https';
import { checkTree, summary, lineOf } from './helpers/engine.mjs';
import { runAsync, tool } from './helpers/tools.mjs';

// ------------------------------------------------------------------------------- the openssl configuration

const PLACE = { C: 'US', ST: 'Washington', L: 'Seattle' };
// Per certificate: its subject and the extensions its request carries (ca.conf's sections).
const CLIENT_AND_SERVER = {
  basicConstraints: 'CA:FALSE',
  extendedKeyUsage: 'clientAuth, serverAuth',
  keyUsage: 'critical, digitalSignature, keyEncipherment',
  nsCertType: 'client',
  subjectKeyIdentifier: 'hash',
};
const CLIENT_ONLY = {
  basicConstraints: 'CA:FALSE',
  extendedKeyUsage: 'clientAuth',
  keyUsage: 'critical, digitalSignature, keyEncipherment',
  nsCertType: 'client',
  subjectKeyIdentifier: 'hash',
};
const API_SERVER_NAMES = [
  'IP.0 = 127.0.0.1',
  'IP.1 = 10.32.0.1',
  'DNS.0 = kubernetes',
  'DNS.1 = kubernetes.default',
  'DNS.2 = kubernetes.default.svc',
  'DNS.3 = kubernetes.default.svc.cluster',
  'DNS.4 = kubernetes.svc.cluster.local',
  'DNS.5 = server.kubernetes.local',
  'DNS.6 = api-server.kubernetes.local',
];
const node = (n) => ({
  subject: { CN: `system:node:${n}`, O: 'system:nodes', ...PLACE },
  ext: { ...CLIENT_AND_SERVER, subjectAltName: `DNS:${n}, IP:127.0.0.1` },
});
const SECTIONS = {
  admin: { subject: { CN: 'admin', O: 'system:masters' }, ext: CLIENT_ONLY },
  'service-accounts': { subject: { CN: 'service-accounts' }, ext: CLIENT_ONLY },
  'node-0': node('node-0'),
  'node-1': node('node-1'),
  'kube-proxy': {
    subject: { CN: 'system:kube-proxy', O: 'system:node-proxier', ...PLACE },
    ext: { ...CLIENT_AND_SERVER, subjectAltName: 'DNS:kube-proxy, IP:127.0.0.1' },
  },
  'kube-controller-manager': {
    subject: { CN: 'system:kube-controller-manager', O: 'system:kube-controller-manager', ...PLACE },
    ext: { ...CLIENT_AND_SERVER, subjectAltName: 'DNS:kube-controller-manager, IP:127.0.0.1' },
  },
  // The tutorial's organisation here is "system:system:kube-scheduler"; RBAC binds the scheduler's user
  // (system:kube-scheduler, the CN), so the group changes nothing.
  'kube-scheduler': {
    subject: { CN: 'system:kube-scheduler', O: 'system:system:kube-scheduler', ...PLACE },
    ext: { ...CLIENT_AND_SERVER, subjectAltName: 'DNS:kube-scheduler, IP:127.0.0.1' },
  },
  'kube-api-server': {
    subject: { CN: 'kubernetes', ...PLACE },
    ext: { ...CLIENT_AND_SERVER, subjectAltName: '@kube-api-server_alt_names' },
    altNames: API_SERVER_NAMES,
  },
};

/** An openssl configuration with ca.conf's layout: [req] for the CA, then one section per certificate. */
function caConf(sections = SECTIONS) {
  const out = [
    '[req]',
    'distinguished_name = req_distinguished_name',
    'prompt = no',
    'x509_extensions = ca_x509_extensions',
    '',
    '[ca_x509_extensions]',
    'basicConstraints = CA:TRUE',
    'keyUsage = cRLSign, keyCertSign',
    '',
    '[req_distinguished_name]',
    ...Object.entries({ ...PLACE, CN: 'CA' }).map(([k, v]) => `${k} = ${v}`),
    '',
  ];
  for (const [name, s] of Object.entries(sections)) {
    out.push(`[${name}]`, `distinguished_name = ${name}_dn`, 'prompt = no', `req_extensions = ${name}_ext`, '');
    out.push(`[${name}_dn]`, ...Object.entries(s.subject).map(([k, v]) => `${k} = ${v}`), '');
    out.push(`[${name}_ext]`, ...Object.entries(s.ext).map(([k, v]) => `${k} = ${v}`), '');
    if (s.altNames) out.push(`[${name}_alt_names]`, ...s.altNames, '');
  }
  return out.join('\n');
}

// ------------------------------------------------------------------------------------ the real programs

function run(cmd, args, cwd) {
  try {
    return execFileSync(tool(cmd), args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: cwd, KUBECONFIG: '' },
    });
  } catch (e) {
    throw new Error(`${cmd} ${args.join(' ')}: ${e.stderr || e.message}`);
  }
}
const openssl = (cwd, ...args) => run('openssl', args, cwd);
const kubectl = (cwd, ...args) => run('kubectl', args, cwd);

// RSA 2048 instead of the tutorial's 4096: the same certificates, made in a fraction of the time.
const BITS = '2048';

/** docs/04: the CA, then one key, request and certificate per section, signed by `caName`. */
function makeCa(jump, caName = 'ca') {
  openssl(jump, 'genrsa', '-out', `${caName}.key`, BITS);
  openssl(jump, 'req', '-x509', '-new', '-sha512', '-noenc', '-key', `${caName}.key`, '-days', '3653', '-config', 'ca.conf', '-out', `${caName}.crt`);
}
function makeCert(jump, name, { ca = 'ca', conf = 'ca.conf', section = name, out = name } = {}) {
  openssl(jump, 'genrsa', '-out', `${out}.key`, BITS);
  openssl(jump, 'req', '-new', '-key', `${out}.key`, '-sha256', '-config', conf, '-section', section, '-out', `${out}.csr`);
  openssl(
    jump,
    'x509',
    '-req',
    '-days',
    '3653',
    '-in',
    `${out}.csr`,
    '-copy_extensions',
    'copyall',
    '-sha256',
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${out}.crt`,
  );
}

/**
 * docs/05: a kubeconfig with everything embedded, as the tutorial's kubectl steps write it; `embed: false`
 * leaves the client pair as paths (the step without --embed-certs=true).
 */
function makeKubeconfig(jump, file, { server, user, cert, key, embed = true }) {
  kubectl(
    jump,
    'config',
    'set-cluster',
    'kubernetes-the-hard-way',
    '--certificate-authority=ca.crt',
    '--embed-certs=true',
    `--server=${server}`,
    `--kubeconfig=${file}`,
  );
  try {
    kubectl(
      jump,
      'config',
      'set-credentials',
      user,
      `--client-certificate=${cert}`,
      `--client-key=${key}`,
      `--embed-certs=${embed}`,
      `--kubeconfig=${file}`,
    );
  } catch (e) {
    // Debian's kubectl (1.20 built with Go 1.19) panics in set-credentials whatever its flags (its vendored
    // reflect2 iterates maps wrongly); `config set` writes the same fields through the same writer.
    if (!/panic: runtime error/.test(e.message)) throw e;
    for (const [field, f] of [
      ['client-certificate', cert],
      ['client-key', key],
    ]) {
      if (embed)
        kubectl(jump, 'config', 'set', `users.${user}.${field}-data`, readFileSync(path.join(jump, f)).toString('base64'), `--kubeconfig=${file}`);
      else kubectl(jump, 'config', 'set', `users.${user}.${field}`, path.resolve(jump, f), `--kubeconfig=${file}`);
    }
  }
  kubectl(jump, 'config', 'set-context', 'default', '--cluster=kubernetes-the-hard-way', `--user=${user}`, `--kubeconfig=${file}`);
  kubectl(jump, 'config', 'use-context', 'default', `--kubeconfig=${file}`);
}

// ---------------------------------------------------------------------------------- units and configs

const unit = (description, exec, flags, extra = '') =>
  `[Unit]\nDescription=${description}\nDocumentation=https://github.com/kubernetes/kubernetes\n${extra}\n[Service]\n` +
  `ExecStart=${exec}${flags.map((f) => ` \\\n  ${f}`).join('')}\nRestart=on-failure\nRestartSec=5\n\n[Install]\nWantedBy=multi-user.target\n`;

const ETCD_FLAGS = [
  '--name controller',
  '--initial-advertise-peer-urls http://127.0.0.1:2380',
  '--listen-peer-urls http://127.0.0.1:2380',
  '--listen-client-urls http://127.0.0.1:2379',
  '--advertise-client-urls http://127.0.0.1:2379',
  '--initial-cluster-token etcd-cluster-0',
  '--initial-cluster controller=http://127.0.0.1:2380',
  '--initial-cluster-state new',
  '--data-dir=/var/lib/etcd',
];
const APISERVER_FLAGS = [
  '--allow-privileged=true',
  '--audit-log-maxage=30',
  '--audit-log-maxbackup=3',
  '--audit-log-maxsize=100',
  '--audit-log-path=/var/log/audit.log',
  '--authorization-mode=Node,RBAC',
  '--bind-address=0.0.0.0',
  '--client-ca-file=/var/lib/kubernetes/ca.crt',
  '--enable-admission-plugins=NamespaceLifecycle,NodeRestriction,LimitRanger,ServiceAccount,DefaultStorageClass,ResourceQuota',
  '--etcd-servers=http://127.0.0.1:2379',
  '--event-ttl=1h',
  '--encryption-provider-config=/var/lib/kubernetes/encryption-config.yaml',
  '--kubelet-certificate-authority=/var/lib/kubernetes/ca.crt',
  '--kubelet-client-certificate=/var/lib/kubernetes/kube-api-server.crt',
  '--kubelet-client-key=/var/lib/kubernetes/kube-api-server.key',
  "--runtime-config='api/all=true'",
  '--service-account-key-file=/var/lib/kubernetes/service-accounts.crt',
  '--service-account-signing-key-file=/var/lib/kubernetes/service-accounts.key',
  '--service-account-issuer=https://server.kubernetes.local:6443',
  '--service-node-port-range=30000-32767',
  '--tls-cert-file=/var/lib/kubernetes/kube-api-server.crt',
  '--tls-private-key-file=/var/lib/kubernetes/kube-api-server.key',
  '--v=2',
];
const CONTROLLER_MANAGER_FLAGS = [
  '--bind-address=0.0.0.0',
  '--cluster-cidr=10.200.0.0/16',
  '--cluster-name=kubernetes',
  '--cluster-signing-cert-file=/var/lib/kubernetes/ca.crt',
  '--cluster-signing-key-file=/var/lib/kubernetes/ca.key',
  '--kubeconfig=/var/lib/kubernetes/kube-controller-manager.kubeconfig',
  '--root-ca-file=/var/lib/kubernetes/ca.crt',
  '--service-account-private-key-file=/var/lib/kubernetes/service-accounts.key',
  '--service-cluster-ip-range=10.32.0.0/24',
  '--use-service-account-credentials=true',
  '--v=2',
];

const kubeletConfig = (subnet) =>
  [
    'kind: KubeletConfiguration',
    'apiVersion: kubelet.config.k8s.io/v1beta1',
    'authentication:',
    '  anonymous:',
    '    enabled: false',
    '  webhook:',
    '    enabled: true',
    '  x509:',
    '    clientCAFile: "/var/lib/kubelet/ca.crt"',
    'authorization:',
    '  mode: Webhook',
    'clusterDomain: "cluster.local"',
    'clusterDNS:',
    '  - "10.32.0.10"',
    'cgroupDriver: systemd',
    'containerRuntimeEndpoint: "unix:///var/run/containerd/containerd.sock"',
    `podCIDR: "${subnet}"`,
    'resolvConf: "/etc/resolv.conf"',
    'runtimeRequestTimeout: "15m"',
    'tlsCertFile: "/var/lib/kubelet/kubelet.crt"',
    'tlsPrivateKeyFile: "/var/lib/kubelet/kubelet.key"',
    '',
  ].join('\n');

// configs/kube-apiserver-to-kubelet.yaml: the apiserver's user (CN kubernetes) may reach the kubelets' API.
const APISERVER_TO_KUBELET = `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  annotations:
    rbac.authorization.kubernetes.io/autoupdate: "true"
  labels:
    kubernetes.io/bootstrapping: rbac-defaults
  name: system:kube-apiserver-to-kubelet
rules:
  - apiGroups: [""]
    resources: [nodes/proxy, nodes/stats, nodes/log, nodes/spec, nodes/metrics]
    verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: system:kube-apiserver
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: system:kube-apiserver-to-kubelet
subjects:
  - apiGroup: rbac.authorization.k8s.io
    kind: User
    name: kubernetes
`;

// ---------------------------------------------------------------------------------------------- the tree

function put(root, rel, text) {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}
function copy(jump, from, root, rel) {
  const file = path.join(root, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  copyFileSync(path.join(jump, from), file);
}

const NODES = { 'node-0': '10.200.0.0/24', 'node-1': '10.200.1.0/24' };

/** The jumpbox's work (docs 04-06), then every machine's files where the tutorial puts them. */
function buildHardWay(base) {
  const jump = path.join(base, 'jumpbox');
  const tree = path.join(base, 'tree');
  mkdirSync(jump, { recursive: true });
  writeFileSync(path.join(jump, 'ca.conf'), caConf());
  makeCa(jump);
  for (const name of Object.keys(SECTIONS)) makeCert(jump, name);

  for (const n of Object.keys(NODES)) {
    makeKubeconfig(jump, `${n}.kubeconfig`, {
      server: 'https://server.kubernetes.local:6443',
      user: `system:node:${n}`,
      cert: `${n}.crt`,
      key: `${n}.key`,
    });
  }
  for (const c of ['kube-proxy', 'kube-controller-manager', 'kube-scheduler']) {
    makeKubeconfig(jump, `${c}.kubeconfig`, {
      server: 'https://server.kubernetes.local:6443',
      user: `system:${c}`,
      cert: `${c}.crt`,
      key: `${c}.key`,
    });
  }
  makeKubeconfig(jump, 'admin.kubeconfig', { server: 'https://127.0.0.1:6443', user: 'admin', cert: 'admin.crt', key: 'admin.key' });
  // docs/06: a random 32-byte key for aescbc.
  const encryption = `kind: EncryptionConfig\napiVersion: v1\nresources:\n  - resources:\n      - secrets\n    providers:\n      - aescbc:\n          keys:\n            - name: key1\n              secret: ${Buffer.alloc(32, 7).toString('base64')}\n      - identity: {}\n`;

  // server: docs/07 (etcd), docs/08 (control plane).
  const server = path.join(tree, 'server');
  put(server, 'etc/systemd/system/etcd.service', unit('etcd', '/usr/local/bin/etcd', ETCD_FLAGS).replace('[Service]\n', '[Service]\nType=notify\n'));
  for (const f of ['ca.crt', 'kube-api-server.key', 'kube-api-server.crt']) copy(jump, f, server, `etc/etcd/${f}`);
  put(server, 'etc/systemd/system/kube-apiserver.service', unit('Kubernetes API Server', '/usr/local/bin/kube-apiserver', APISERVER_FLAGS));
  put(
    server,
    'etc/systemd/system/kube-controller-manager.service',
    unit('Kubernetes Controller Manager', '/usr/local/bin/kube-controller-manager', CONTROLLER_MANAGER_FLAGS),
  );
  put(
    server,
    'etc/systemd/system/kube-scheduler.service',
    unit('Kubernetes Scheduler', '/usr/local/bin/kube-scheduler', ['--config=/etc/kubernetes/config/kube-scheduler.yaml', '--v=2']),
  );
  for (const f of [
    'ca.crt',
    'ca.key',
    'kube-api-server.key',
    'kube-api-server.crt',
    'service-accounts.key',
    'service-accounts.crt',
    'kube-controller-manager.kubeconfig',
    'kube-scheduler.kubeconfig',
  ]) {
    copy(jump, f, server, `var/lib/kubernetes/${f}`);
  }
  put(server, 'var/lib/kubernetes/encryption-config.yaml', encryption);
  put(
    server,
    'etc/kubernetes/config/kube-scheduler.yaml',
    'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nclientConnection:\n  kubeconfig: "/var/lib/kubernetes/kube-scheduler.kubeconfig"\nleaderElection:\n  leaderElect: true\n',
  );
  copy(jump, 'admin.kubeconfig', server, 'root/admin.kubeconfig');
  put(server, 'root/kube-apiserver-to-kubelet.yaml', APISERVER_TO_KUBELET);

  // node-0, node-1: docs/04 and 05 (distribution), docs/09 (workers).
  for (const [n, subnet] of Object.entries(NODES)) {
    const m = path.join(tree, n);
    copy(jump, 'ca.crt', m, 'var/lib/kubelet/ca.crt');
    copy(jump, `${n}.crt`, m, 'var/lib/kubelet/kubelet.crt');
    copy(jump, `${n}.key`, m, 'var/lib/kubelet/kubelet.key');
    copy(jump, `${n}.kubeconfig`, m, 'var/lib/kubelet/kubeconfig');
    copy(jump, 'kube-proxy.kubeconfig', m, 'var/lib/kube-proxy/kubeconfig');
    put(m, 'var/lib/kubelet/kubelet-config.yaml', kubeletConfig(subnet));
    put(
      m,
      'var/lib/kube-proxy/kube-proxy-config.yaml',
      'kind: KubeProxyConfiguration\napiVersion: kubeproxy.config.k8s.io/v1alpha1\nclientConnection:\n  kubeconfig: "/var/lib/kube-proxy/kubeconfig"\nmode: "iptables"\nclusterCIDR: "10.200.0.0/16"\n',
    );
    put(
      m,
      'etc/systemd/system/kubelet.service',
      unit(
        'Kubernetes Kubelet',
        '/usr/local/bin/kubelet',
        ['--config=/var/lib/kubelet/kubelet-config.yaml', '--kubeconfig=/var/lib/kubelet/kubeconfig', '--v=2'],
        'After=containerd.service\nRequires=containerd.service\n',
      ),
    );
    put(
      m,
      'etc/systemd/system/kube-proxy.service',
      unit('Kubernetes Kube Proxy', '/usr/local/bin/kube-proxy', ['--config=/var/lib/kube-proxy/kube-proxy-config.yaml']),
    );
  }
  return { jump, tree, server };
}

/** An HTTPS endpoint on 127.0.0.1 with the apiserver's pair, asking for client certificates from the CA. */
async function apiEndpoint(server) {
  const lib = (f) => readFileSync(path.join(server, 'var/lib/kubernetes', f));
  const srv = https.createServer(
    { cert: lib('kube-api-server.crt'), key: lib('kube-api-server.key'), ca: lib('ca.crt'), requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    },
  );
  await new Promise((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const stop = () => new Promise((resolve) => (srv.closeAllConnections?.(), srv.close(() => resolve())));
  return { port: srv.address().port, stop };
}

/** kubectl run asynchronously: the endpoint answers from this process meanwhile. */
const kubectlAsync = (cwd, args) => runAsync(tool('kubectl'), args, { cwd, env: { ...process.env, HOME: cwd, KUBECONFIG: '' } });

// ------------------------------------------------------------------------------------------------ tests

let base;
let hw;
before(() => {
  base = mkdtempSync(path.join(tmpdir(), 'kube-pki-hardway-'));
  hw = buildHardWay(base);
});
after(() => rmSync(base, { recursive: true, force: true }));

/** A copy of the tree, with --service-cluster-ip-range set (the fix), to plant one mistake in. */
function variant(name) {
  const dir = path.join(base, `variant-${name}`);
  cpSync(hw.tree, dir, { recursive: true });
  const file = path.join(dir, APISERVER_UNIT);
  writeFileSync(
    file,
    readFileSync(file, 'utf8').replace('  --service-node-port-range', '  --service-cluster-ip-range=10.32.0.0/24 \\\n  --service-node-port-range'),
  );
  return dir;
}
/** "file:line code" of every finding; `messages` says them in full for a failing assertion. */
function check(dir) {
  const { findings } = checkTree(dir);
  return { found: summary(findings, dir), messages: findings.map((f) => `${path.relative(dir, f.file)}: ${f.code}: ${f.message}`).join('\n') };
}
const APISERVER_UNIT = 'server/etc/systemd/system/kube-apiserver.service';

describe('Kubernetes The Hard Way, as its documents build it', () => {
  test('openssl verifies every certificate against the CA, and each kubeconfig embeds the CA and its pair', () => {
    for (const name of Object.keys(SECTIONS)) assert.match(openssl(hw.jump, 'verify', '-CAfile', 'ca.crt', `${name}.crt`), /OK/);
    const cfg = JSON.parse(kubectl(hw.jump, 'config', 'view', '--raw', '-o', 'json', '--kubeconfig=node-0.kubeconfig'));
    assert.ok(cfg.clusters[0].cluster['certificate-authority-data'] && cfg.users[0].user['client-certificate-data']);
  });

  test('kubectl with each kubeconfig completes the handshake at the names they dial; at 10.0.0.1 it fails with x509', async () => {
    const api = await apiEndpoint(hw.server);
    try {
      const get = (kc, name) => {
        const args = [`--kubeconfig=${kc}`, `--server=https://127.0.0.1:${api.port}`, 'get', '--raw', '/healthz'];
        return kubectlAsync(hw.jump, name ? [...args, `--tls-server-name=${name}`] : args);
      };
      for (const [kc, name] of [
        ['admin.kubeconfig', undefined],
        ['node-0.kubeconfig', 'server.kubernetes.local'],
        ['kube-proxy.kubeconfig', 'server.kubernetes.local'],
        ['kube-scheduler.kubeconfig', '10.32.0.1'],
      ]) {
        const r = await get(kc, name);
        assert.equal(r.status, 0, `${kc}: ${r.out}`);
        assert.equal(r.out.trim(), 'ok');
      }
      const r = await get('admin.kubeconfig', '10.0.0.1');
      assert.notEqual(r.status, 0);
      assert.match(r.out, /x509: certificate is valid for 127\.0\.0\.1, 10\.32\.0\.1, not 10\.0\.0\.1/);
    } finally {
      await api.stop();
    }
  });

  test('the one real defect: no --service-cluster-ip-range, so 10.0.0.1 (the kubernetes Service) is not in the serving certificate', () => {
    const dir = hw.tree;
    const found = checkTree(dir).findings;
    assert.deepEqual(summary(found, dir), [`${APISERVER_UNIT}:${lineOf(path.join(dir, APISERVER_UNIT), '--tls-cert-file=')} san-missing`]);
    assert.match(found[0].message, /10\.0\.0\.1/);
  });

  test('with --service-cluster-ip-range=10.32.0.0/24 (the fix) the tree is healthy: no finding', () => {
    const dir = variant('fixed');
    const { found, messages } = check(dir);
    assert.deepEqual(found, [], messages);
  });
});

describe("a student's classic mistakes, one at a time, each found on the line to edit", () => {
  const at = (dir, rel, needle, code) => `${rel}:${lineOf(path.join(dir, rel), needle)} ${code}`;

  test('kube-scheduler signed by another CA (the CA made again): its kubeconfig user is not trusted by --client-ca-file', () => {
    makeCa(hw.jump, 'other-ca');
    makeCert(hw.jump, 'kube-scheduler', { ca: 'other-ca', out: 'kube-scheduler-other-ca' });
    makeKubeconfig(hw.jump, 'kube-scheduler-other-ca.kubeconfig', {
      server: 'https://server.kubernetes.local:6443',
      user: 'system:kube-scheduler',
      cert: 'kube-scheduler-other-ca.crt',
      key: 'kube-scheduler-other-ca.key',
    });
    const dir = variant('other-ca');
    const rel = 'server/var/lib/kubernetes/kube-scheduler.kubeconfig';
    copy(hw.jump, 'kube-scheduler-other-ca.kubeconfig', dir, rel);
    const { found, messages } = check(dir);
    assert.deepEqual(found, [at(dir, rel, 'client-certificate-data', 'untrusted-issuer')], messages);
  });

  test('the apiserver certificate without server.kubernetes.local: san-missing on --tls-cert-file and on every server: line that dials it', () => {
    writeFileSync(
      path.join(hw.jump, 'ca-no-server.conf'),
      caConf({
        'kube-api-server': { ...SECTIONS['kube-api-server'], altNames: API_SERVER_NAMES.filter((n) => !n.includes('server.kubernetes.local')) },
      }),
    );
    makeCert(hw.jump, 'kube-api-server', { conf: 'ca-no-server.conf', out: 'kube-api-server-no-server' });
    const dir = variant('no-server-san');
    for (const ext of ['crt', 'key']) {
      copy(hw.jump, `kube-api-server-no-server.${ext}`, dir, `server/var/lib/kubernetes/kube-api-server.${ext}`);
      copy(hw.jump, `kube-api-server-no-server.${ext}`, dir, `server/etc/etcd/kube-api-server.${ext}`);
    }
    const { found, messages } = check(dir);
    const dialling = [
      'node-0/var/lib/kube-proxy/kubeconfig',
      'node-0/var/lib/kubelet/kubeconfig',
      'node-1/var/lib/kube-proxy/kubeconfig',
      'node-1/var/lib/kubelet/kubeconfig',
      'server/var/lib/kubernetes/kube-controller-manager.kubeconfig',
      'server/var/lib/kubernetes/kube-scheduler.kubeconfig',
    ];
    assert.deepEqual(
      found,
      [
        ...dialling.map((rel) => at(dir, rel, 'server: https://server.kubernetes.local', 'san-missing')),
        at(dir, APISERVER_UNIT, '--tls-cert-file=', 'san-missing'),
      ].sort(),
      messages,
    );
    assert.match(messages, /not server\.kubernetes\.local/);
  });

  test("node-1's kubeconfig made with node-0's certificate: its user is system:node:node-0", () => {
    makeKubeconfig(hw.jump, 'node-1-swapped.kubeconfig', {
      server: 'https://server.kubernetes.local:6443',
      user: 'system:node:node-1',
      cert: 'node-0.crt',
      key: 'node-0.key',
    });
    const dir = variant('node-swap');
    const rel = 'node-1/var/lib/kubelet/kubeconfig';
    copy(hw.jump, 'node-1-swapped.kubeconfig', dir, rel);
    const { found, messages } = check(dir);
    assert.deepEqual(found, [at(dir, rel, 'client-certificate-data', 'cn-mismatch')], messages);
  });

  test("node-0's serving certificate copied to node-1 (kubelet.crt and kubelet.key): valid for node-0, not node-1", () => {
    const dir = variant('serving-swap');
    copy(hw.jump, 'node-0.crt', dir, 'node-1/var/lib/kubelet/kubelet.crt');
    copy(hw.jump, 'node-0.key', dir, 'node-1/var/lib/kubelet/kubelet.key');
    const { found, messages } = check(dir);
    assert.deepEqual(found, [at(dir, 'node-1/var/lib/kubelet/kubelet-config.yaml', 'tlsCertFile', 'san-missing')], messages);
  });

  test("kube-proxy's kubeconfig made without --embed-certs, naming files the nodes do not have: file-not-found on each path", () => {
    makeKubeconfig(hw.jump, 'kube-proxy-paths.kubeconfig', {
      server: 'https://server.kubernetes.local:6443',
      user: 'system:kube-proxy',
      cert: '/var/lib/kube-proxy/kube-proxy.crt',
      key: '/var/lib/kube-proxy/kube-proxy.key',
      embed: false,
    });
    const dir = variant('paths');
    const rel = 'node-0/var/lib/kube-proxy/kubeconfig';
    copy(hw.jump, 'kube-proxy-paths.kubeconfig', dir, rel);
    const { found, messages } = check(dir);
    assert.deepEqual(found, [at(dir, rel, 'client-certificate:', 'file-not-found'), at(dir, rel, 'client-key:', 'file-not-found')], messages);
  });
});
