// What the cluster does when the files are silent or unusual, judged as the real programs judge it: a version 1
// CA made by `openssl x509 -req -signkey` (Go accepts it as a root: proven with etcd and etcdctl), a kubeconfig
// user with a certificate and no key, openssl's 30-day default validity, kube-apiserver's default service CIDR,
// and the kubelet's default serving certificate. Everything is made at run time; etcd listens on 127.0.0.1 only.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { checkTree, summary, lineOf, write, tempDir, cleanup, apiserverManifest, kubeconfig, ca, leaf } from './helpers/engine.mjs';
import { tool } from './helpers/tools.mjs';
import { freePort } from './helpers/vscode-host.mjs';

const dirs = [];
const stoppers = [];
after(async () => {
  for (const s of stoppers) await s();
  for (const d of dirs) cleanup(d);
});
function dir() {
  const d = tempDir();
  dirs.push(d);
  return d;
}

// ------------------------------------------------------------------------------ a version 1 CA

/** The tutorial recipe: a self-signed version 1 CA (`openssl x509 -req -signkey`, no extensions) and leaves it signs. */
function v1Pki(d, prefix = '') {
  const run = (...args) => execFileSync('openssl', args, { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
  const p = (n) => path.join(d, prefix + n);
  run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p('ca.key'));
  run('req', '-new', '-key', p('ca.key'), '-subj', '/CN=KUBERNETES-CA', '-out', p('ca.csr'));
  run('x509', '-req', '-in', p('ca.csr'), '-signkey', p('ca.key'), '-days', '365', '-out', p('ca.crt'));
  const issue = (name, subj, ext) => {
    run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p(`${name}.key`));
    run('req', '-new', '-key', p(`${name}.key`), '-subj', subj, '-out', p(`${name}.csr`));
    write(d, `${prefix}${name}.ext`, ext);
    run(
      'x509',
      '-req',
      '-in',
      p(`${name}.csr`),
      '-CA',
      p('ca.crt'),
      '-CAkey',
      p('ca.key'),
      '-CAcreateserial',
      '-days',
      '100',
      '-extfile',
      p(`${name}.ext`),
      '-out',
      p(`${name}.crt`),
    );
  };
  issue('server', '/CN=etcd', 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n');
  issue('client', '/CN=kube-apiserver-etcd-client', 'extendedKeyUsage=clientAuth\n');
  return p;
}

function etcdManifest(p) {
  return `apiVersion: v1
kind: Pod
metadata:
  name: etcd
  namespace: kube-system
spec:
  containers:
  - name: etcd
    image: registry.k8s.io/etcd:3.5.15-0
    command:
    - etcd
    - --advertise-client-urls=https://127.0.0.1:2379
    - --listen-client-urls=https://127.0.0.1:2379
    - --cert-file=${p('server.crt')}
    - --key-file=${p('server.key')}
    - --trusted-ca-file=${p('ca.crt')}
    - --client-cert-auth=true
`;
}

test('a version 1 self-signed CA (openssl x509 -req -signkey) in a CA file is a trust anchor: no not-a-ca; a client of another CA is untrusted-issuer', () => {
  const d = dir();
  const p = v1Pki(d);
  assert.match(execFileSync('openssl', ['x509', '-in', p('ca.crt'), '-noout', '-text']).toString(), /Version: 1 \(0x0\)/);
  write(d, 'manifests/etcd.yaml', etcdManifest(p));
  const apiserver = (q) =>
    apiserverManifest([
      '--etcd-servers=https://127.0.0.1:2379',
      `--etcd-cafile=${p('ca.crt')}`,
      `--etcd-certfile=${q('client.crt')}`,
      `--etcd-keyfile=${q('client.key')}`,
    ]);
  write(d, 'manifests/kube-apiserver.yaml', apiserver(p));
  let r = checkTree(d);
  assert.deepEqual(summary(r.findings, d), []);

  // A client certificate from another version 1 CA: etcd's --trusted-ca-file cannot verify it.
  const q = v1Pki(d, 'other-');
  const file = write(d, 'manifests/kube-apiserver.yaml', apiserver(q));
  r = checkTree(d);
  assert.deepEqual(summary(r.findings, d), [`manifests/kube-apiserver.yaml:${lineOf(file, '--etcd-certfile')} untrusted-issuer`]);
});

function etcdctl(endpoint, p, q) {
  const r = spawnSync(
    tool('etcdctl'),
    [
      '--endpoints',
      endpoint,
      '--cacert',
      p('ca.crt'),
      '--cert',
      q('client.crt'),
      '--key',
      q('client.key'),
      '--dial-timeout=3s',
      '--command-timeout=5s',
      'endpoint',
      'health',
    ],
    { encoding: 'utf8', env: { ...process.env, ETCDCTL_API: '3' }, timeout: 30_000 },
  );
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

test('the real etcd and etcdctl complete the handshake through a version 1 CA on both sides, and refuse a client of another CA', async () => {
  const d = dir();
  const p = v1Pki(d);
  const q = v1Pki(d, 'other-');
  const [client, peer, metrics] = [await freePort(), await freePort(), await freePort()];
  const endpoint = `https://127.0.0.1:${client}`;
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD')));
  // etcd listens on 127.0.0.1 only, on free ports, and is stopped at the end.
  const proc = spawn(
    tool('etcd'),
    [
      '--name',
      'cp1',
      '--data-dir',
      path.join(d, 'etcd-data'),
      '--listen-client-urls',
      endpoint,
      '--advertise-client-urls',
      endpoint,
      '--listen-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peer}`,
      '--initial-cluster',
      `cp1=http://127.0.0.1:${peer}`,
      '--listen-metrics-urls',
      `http://127.0.0.1:${metrics}`,
      '--cert-file',
      p('server.crt'),
      '--key-file',
      p('server.key'),
      '--trusted-ca-file',
      p('ca.crt'),
      '--client-cert-auth',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env },
  );
  let log = '';
  proc.stdout.on('data', (x) => (log += x));
  proc.stderr.on('data', (x) => (log += x));
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  stoppers.push(stop);
  try {
    let ok;
    const deadline = Date.now() + 30_000;
    for (;;) {
      ok = etcdctl(endpoint, p, p);
      if (ok.status === 0 || Date.now() > deadline || proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.equal(ok.status, 0, `etcdctl: ${ok.out}\netcd log:\n${log.slice(-3000)}`);
    assert.match(ok.out, /is healthy/);
    const bad = etcdctl(endpoint, p, q);
    assert.notEqual(bad.status, 0, bad.out);
    await new Promise((r) => setTimeout(r, 500));
    assert.match(log, /rejected connection.*(unknown authority|bad certificate)/i);
  } finally {
    await stop();
  }
});

// ------------------------------------------------------------------------------ a client certificate without its key

test('a kubeconfig user with a client certificate and no key is client-key-missing on the certificate line; a key and no certificate on the key line; both: nothing', async () => {
  const d = dir();
  const root = await ca();
  const dev = await leaf(root, { commonName: 'dev', organization: ['devs'] });
  const file = (name, opts) => write(d, name, kubeconfig({ caPem: root.certPem, ...opts }));
  file('both.conf', { certPem: dev.certPem, keyPem: dev.key.privateKeyPem });
  const certOnly = file('cert-only.conf', { certPem: dev.certPem });
  const keyOnly = file('key-only.conf', { keyPem: dev.key.privateKeyPem });
  // A key beside a token: the token authenticates, the key is only unused.
  file('key-and-token.conf', { keyPem: dev.key.privateKeyPem, extraUser: '    token: abc' });
  const r = checkTree(d);
  assert.deepEqual(summary(r.findings, d), [
    `cert-only.conf:${lineOf(certOnly, 'client-certificate-data:')} client-key-missing`,
    `key-only.conf:${lineOf(keyOnly, 'client-key-data:')} client-key-missing`,
  ]);
  const msg = r.findings.find((f) => f.file.endsWith('cert-only.conf')).message;
  assert.match(msg, /client-key-data or client-key must be specified for dev to use the clientCert authentication method\./);
  assert.ok(!r.findings.some((f) => f.message.includes('PRIVATE KEY')));
});

// ------------------------------------------------------------------------------ openssl's default validity

test("a certificate valid for exactly 30 days (openssl without -days) is cert-expiring with openssl's default named; a 29-day one is not said to be", async () => {
  const d = dir();
  const run = (...args) => execFileSync('openssl', args, { cwd: d, stdio: ['ignore', 'pipe', 'pipe'] });
  run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'ca.key');
  run('req', '-new', '-key', 'ca.key', '-subj', '/CN=KUBERNETES-CA', '-out', 'ca.csr');
  run('x509', '-req', '-in', 'ca.csr', '-signkey', 'ca.key', '-out', 'ca.crt'); // no -days
  const root = await ca('other-ca', { validityDays: 29 });
  write(d, 'short-ca.crt', root.certPem);
  const conf = write(d, 'dev.conf', kubeconfig({ caPath: path.join(d, 'ca.crt') }));
  const other = write(d, 'other.conf', kubeconfig({ caPath: path.join(d, 'short-ca.crt') }));
  const r = checkTree(d);
  assert.deepEqual(summary(r.findings, d), [
    `dev.conf:${lineOf(conf, 'certificate-authority:')} cert-expiring`,
    `other.conf:${lineOf(other, 'certificate-authority:')} cert-expiring`,
  ]);
  const [thirty, short] = ['dev.conf', 'other.conf'].map((f) => r.findings.find((x) => x.file.endsWith(f)).message);
  assert.match(thirty, /exactly 30 days, openssl's default, so it was probably made without -days/);
  assert.doesNotMatch(short, /openssl/);
});

// ------------------------------------------------------------------------------ the default service CIDR

test('--service-cluster-ip-range unset: the kubernetes Service is 10.0.0.1 (the default 10.0.0.0/24), and the serving certificate must hold it (san-missing)', async () => {
  const root = await ca();
  const names = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];
  const serving = (ipAddresses) => leaf(root, { commonName: 'kube-apiserver', extKeyUsage: ['serverAuth'], dnsNames: names, ipAddresses });
  const tree = async (ipAddresses, flags = []) => {
    const d = dir();
    const cert = await serving(ipAddresses);
    write(d, 'pki/ca.crt', root.certPem);
    write(d, 'pki/apiserver.crt', cert.certPem);
    write(d, 'pki/apiserver.key', cert.key.privateKeyPem);
    const file = write(
      d,
      'manifests/kube-apiserver.yaml',
      apiserverManifest([
        `--tls-cert-file=${d}/pki/apiserver.crt`,
        `--tls-private-key-file=${d}/pki/apiserver.key`,
        `--client-ca-file=${d}/pki/ca.crt`,
        ...flags,
      ]),
    );
    return { d, file, ...checkTree(d) };
  };
  let r = await tree(['10.0.0.1']);
  assert.deepEqual(summary(r.findings, r.d), []);
  r = await tree(['10.96.0.1']);
  assert.deepEqual(summary(r.findings, r.d), [`manifests/kube-apiserver.yaml:${lineOf(r.file, '--tls-cert-file')} san-missing`]);
  assert.match(
    r.findings[0].message,
    /10\.0\.0\.1 \(the kubernetes Service: --service-cluster-ip-range is unset, so kube-apiserver uses its default 10\.0\.0\.0\/24\)/,
  );
  // Set, as kubeadm always sets it: its first IP, not the default.
  r = await tree(['10.96.0.1'], ['--service-cluster-ip-range=10.96.0.0/12']);
  assert.deepEqual(summary(r.findings, r.d), []);
  // A systemd unit whose arguments come from a variable the unit does not set (`$KUBE_API_ARGS` from an
  // EnvironmentFile= elsewhere): the range may be set there, so no default is assumed.
  const d = dir();
  const cert = await serving(['10.96.0.1']);
  write(d, 'pki/ca.crt', root.certPem);
  write(d, 'pki/apiserver.crt', cert.certPem);
  write(d, 'pki/apiserver.key', cert.key.privateKeyPem);
  write(
    d,
    'kube-apiserver.service',
    [
      '[Service]',
      'EnvironmentFile=-/etc/kubernetes/apiserver',
      `ExecStart=/usr/bin/kube-apiserver $KUBE_API_ARGS --tls-cert-file=${d}/pki/apiserver.crt --tls-private-key-file=${d}/pki/apiserver.key --client-ca-file=${d}/pki/ca.crt`,
      '',
    ].join('\n'),
  );
  const u = checkTree(d);
  assert.ok(
    u.engine.documents().some((f) => f.endsWith('kube-apiserver.service')),
    'the unit is recognised',
  );
  assert.deepEqual(summary(u.findings, d), []);
});

// ------------------------------------------------------------------------------ the kubelet's default serving certificate

test("tlsCertFile unset: the kubelet's own kubelet.crt (self-signed) or, with serverTLSBootstrap, kubelet-server-current.pem, against the apiserver's --kubelet-certificate-authority", async () => {
  const root = await ca();
  const other = await ca('other-ca');
  // What the kubelet makes at start: a CA of its own and a certificate for the host, both in kubelet.crt.
  const ownCa = await ca('cp1-ca@1700000000');
  const own = await leaf(ownCa, { commonName: 'cp1@1700000000', extKeyUsage: ['serverAuth'], dnsNames: ['cp1'] });
  const bootstrapped = (issuer) =>
    leaf(issuer, { commonName: 'system:node:cp1', organization: ['system:nodes'], extKeyUsage: ['serverAuth'], dnsNames: ['cp1'] });
  const node = async ({ config = '', files = {}, kubeletCA = true }) => {
    const d = dir();
    write(d, 'etc/kubernetes/pki/ca.crt', root.certPem);
    write(
      d,
      'etc/kubernetes/manifests/kube-apiserver.yaml',
      apiserverManifest(kubeletCA ? ['--kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt'] : ['--client-ca-file=/etc/kubernetes/pki/ca.crt']),
    );
    const file = write(d, 'var/lib/kubelet/config.yaml', `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\n${config}`);
    for (const [name, text] of Object.entries(files)) write(d, `var/lib/kubelet/pki/${name}`, text);
    return { d, file, ...checkTree(d) };
  };
  const selfMade = { 'kubelet.crt': own.certPem + ownCa.certPem, 'kubelet.key': own.key.privateKeyPem };

  let r = await node({ files: selfMade });
  assert.deepEqual(summary(r.findings, r.d), [`var/lib/kubelet/config.yaml:${lineOf(r.file, 'kind:')} untrusted-issuer`]);
  assert.match(
    r.findings[0].message,
    /without tlsCertFile the kubelet serves \/var\/lib\/kubelet\/pki\/kubelet\.crt, a self-signed certificate it makes at start/,
  );
  assert.match(r.findings[0].message, /kubectl logs\/exec fail/);
  assert.match(r.findings[0].message, /Set serverTLSBootstrap: true/);

  // The apiserver does not verify kubelets: nothing to say. The file not in the workspace: nothing either.
  r = await node({ files: selfMade, kubeletCA: false });
  assert.deepEqual(summary(r.findings, r.d), []);
  r = await node({});
  assert.deepEqual(summary(r.findings, r.d), []);

  // serverTLSBootstrap: the certificate the CSR got, signed by the cluster CA: verified. By another CA: reported there.
  const good = await bootstrapped(root);
  r = await node({
    config: 'serverTLSBootstrap: true\n',
    files: { ...selfMade, 'kubelet-server-current.pem': good.certPem + good.key.privateKeyPem },
  });
  assert.deepEqual(summary(r.findings, r.d), []);
  const bad = await bootstrapped(other);
  r = await node({ config: 'serverTLSBootstrap: true\n', files: { 'kubelet-server-current.pem': bad.certPem + bad.key.privateKeyPem } });
  assert.deepEqual(summary(r.findings, r.d), [`var/lib/kubelet/config.yaml:${lineOf(r.file, 'serverTLSBootstrap')} untrusted-issuer`]);
  assert.match(r.findings[0].message, /kubelet-server-current\.pem.*issued by CN=other-ca/);

  // tlsCertFile set: judged as before, on the apiserver's flag, not here.
  r = await node({ config: 'tlsCertFile: /var/lib/kubelet/pki/kubelet.crt\n', files: selfMade });
  assert.ok(!r.findings.some((f) => f.file.endsWith('config.yaml')), summary(r.findings, r.d).join('\n'));
});

test('a version 1 CA in a url webhook caBundle is a CA, not the server own certificate: no san-missing for the url host', () => {
  const d = dir();
  const p = v1Pki(d);
  const caBundle = Buffer.from(readFileSync(p('ca.crt'))).toString('base64');
  write(
    d,
    'hook.yaml',
    [
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingWebhookConfiguration',
      'metadata:',
      '  name: policy',
      'webhooks:',
      '- name: policy.example.com',
      '  admissionReviewVersions: [v1]',
      '  sideEffects: None',
      '  clientConfig:',
      '    url: https://hook.example.com:8443/validate',
      `    caBundle: ${caBundle}`,
      '',
    ].join('\n'),
  );
  assert.deepEqual(summary(checkTree(d).findings, d), []);
});
