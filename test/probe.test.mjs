// kube-pki probe against real servers on 127.0.0.1: Debian's etcd serving an old certificate while the file holds
// the renewed one, Node TLS servers in the apiserver's role (the files' certificate: no finding; another CA's:
// served-cert-untrusted), a closed port, a server that accepts TCP and never answers the handshake, a plain HTTP
// port. Certificates are made at run time; etcd runs in its own process group, ended whatever happens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { E, g, tempDir, write, cleanup, lineOf, b64 } from './helpers/engine.mjs';
import { freePort, startGroup } from './helpers/vscode-host.mjs';
import { tool } from './helpers/tools.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(repo, 'dist', 'cli.js');

let tmp;
const closers = [];
const pems = {};

/** Runs the CLI asynchronously (the servers it dials live in this process). */
function cli(args, cwd = tmp) {
  return new Promise((resolve) => {
    const started = Date.now();
    const p = spawn(process.execPath, [CLI, ...args], { cwd });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    const kill = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (status) => {
      clearTimeout(kill);
      resolve({ status, stdout, stderr, ms: Date.now() - started });
    });
  });
}

async function issue(issuer, cn, extra = {}) {
  return g.issueCertificate({ keyType: 'ecdsa-p256', issuer, commonName: cn, ...extra });
}

function tlsServer(cert, caCert) {
  return new Promise((resolve) => {
    const srv = tls.createServer({ cert: cert.certPem + (caCert ? caCert.certPem : ''), key: cert.key.privateKeyPem }, (s) => s.end());
    srv.listen(0, '127.0.0.1', () => {
      closers.push(() => new Promise((r) => srv.close(r)));
      resolve(srv.address().port);
    });
  });
}

function kubeconfigFor(server, caPem) {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c1',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${b64(caPem)}`,
    'contexts:',
    '- name: ctx',
    '  context: {cluster: c1, user: u}',
    'current-context: ctx',
    'users:',
    '- name: u',
    '  user: {token: abc}',
    '',
  ].join('\n');
}

function manifest(name, flags) {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: kube-system
spec:
  containers:
  - name: ${name}
    image: registry.k8s.io/${name}:v1.31.1
    command:
    - ${name}
${flags.map((f) => `    - ${f}`).join('\n')}
`;
}

/** Resolves once a TLS handshake with 127.0.0.1:port completes (etcd is up), or rejects after the deadline. */
async function waitForTls(port, server, timeout = 30_000) {
  const end = Date.now() + timeout;
  for (;;) {
    if (server.exited) throw new Error('etcd exited');
    const ok = await new Promise((resolve) => {
      const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => (s.destroy(), resolve(true)));
      s.on('error', () => resolve(false));
      s.setTimeout(1000, () => (s.destroy(), resolve(false)));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`etcd did not serve TLS on ${port} within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let etcd;
let ports;
const node = () => path.join(tmp, 'cp', 'node');

before(async () => {
  tmp = tempDir('kube-pki-probe-');
  ports = { etcd: await freePort(), peer: await freePort(), metrics: await freePort() };
  const ca = await issue(undefined, 'kubernetes', { isCA: true });
  const etcdCa = await issue(undefined, 'etcd-ca', { isCA: true });
  const other = await issue(undefined, 'kubernetes', { isCA: true }); // same name, another key
  const serving = { extKeyUsage: ['serverAuth'], ipAddresses: ['127.0.0.1'], dnsNames: ['kubernetes', 'localhost'] };
  pems.apiserver = await issue(ca, 'kube-apiserver', serving);
  pems.impostor = await issue(other, 'kube-apiserver', serving);
  const etcdServing = { extKeyUsage: ['serverAuth', 'clientAuth'], ipAddresses: ['127.0.0.1'], dnsNames: ['localhost', 'cp1'] };
  // Last year's etcd certificate, still served; the file holds the one renewed today (another key, as kubeadm
  // certs renew keeps the key, a new serial and a later notAfter either way).
  pems.etcdOld = await issue(etcdCa, 'cp1', { ...etcdServing, notBefore: new Date(Date.now() - 200 * 86_400_000), validityDays: 365 });
  pems.etcdNew = await issue(etcdCa, 'cp1', { ...etcdServing, key: pems.etcdOld.key });
  pems.peer = await issue(etcdCa, 'cp1', etcdServing);

  const pki = (rel, text) => write(node(), `etc/kubernetes/pki/${rel}`, text, rel.endsWith('.key') ? 0o600 : undefined);
  pki('ca.crt', ca.certPem);
  pki('apiserver.crt', pems.apiserver.certPem);
  pki('apiserver.key', pems.apiserver.key.privateKeyPem);
  pki('etcd/ca.crt', etcdCa.certPem);
  pki('etcd/server.crt', pems.etcdNew.certPem);
  pki('etcd/server.key', pems.etcdNew.key.privateKeyPem);
  pki('etcd/peer.crt', pems.peer.certPem);
  pki('etcd/peer.key', pems.peer.key.privateKeyPem);
  // What etcd was started with, before the renewal: kept where no config names it.
  const running = path.join(tmp, 'running');
  mkdirSync(running);
  write(running, 'server.crt', pems.etcdOld.certPem);
  write(running, 'server.key', pems.etcdOld.key.privateKeyPem, 0o600);

  const apiPort = await tlsServer(pems.apiserver);
  pems.apiPort = apiPort;
  const url = (p) => `https://127.0.0.1:${p}`;
  write(
    node(),
    'etc/kubernetes/manifests/etcd.yaml',
    manifest('etcd', [
      '--name=cp1',
      `--advertise-client-urls=${url(ports.etcd)}`,
      `--listen-client-urls=${url(ports.etcd)}`,
      `--initial-advertise-peer-urls=${url(ports.peer)}`,
      `--listen-peer-urls=${url(ports.peer)}`,
      '--cert-file=/etc/kubernetes/pki/etcd/server.crt',
      '--key-file=/etc/kubernetes/pki/etcd/server.key',
      '--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
      '--client-cert-auth=true',
      '--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt',
      '--peer-key-file=/etc/kubernetes/pki/etcd/peer.key',
      '--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt',
      '--peer-client-cert-auth=true',
    ]),
  );
  write(
    node(),
    'etc/kubernetes/manifests/kube-apiserver.yaml',
    manifest('kube-apiserver', [
      '--advertise-address=127.0.0.1',
      '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
      '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
      '--client-ca-file=/etc/kubernetes/pki/ca.crt',
      `--etcd-servers=${url(ports.etcd)}`,
      '--etcd-cafile=/etc/kubernetes/pki/etcd/ca.crt',
    ]),
  );
  write(node(), 'etc/kubernetes/admin.conf', kubeconfigFor(url(apiPort), ca.certPem));

  // Debian's etcd with last year's certificate, in a process group of its own.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD')));
  etcd = startGroup(
    tool('etcd'),
    [
      '--name=cp1',
      `--data-dir=${path.join(tmp, 'etcd-data')}`,
      `--listen-client-urls=${url(ports.etcd)}`,
      `--advertise-client-urls=${url(ports.etcd)}`,
      `--listen-peer-urls=${url(ports.peer)}`,
      `--initial-advertise-peer-urls=${url(ports.peer)}`,
      `--initial-cluster=cp1=${url(ports.peer)}`,
      `--listen-metrics-urls=http://127.0.0.1:${ports.metrics}`,
      `--cert-file=${path.join(running, 'server.crt')}`,
      `--key-file=${path.join(running, 'server.key')}`,
      `--trusted-ca-file=${path.join(node(), 'etc/kubernetes/pki/etcd/ca.crt')}`,
      '--client-cert-auth',
      `--peer-cert-file=${path.join(node(), 'etc/kubernetes/pki/etcd/peer.crt')}`,
      `--peer-key-file=${path.join(node(), 'etc/kubernetes/pki/etcd/peer.key')}`,
      `--peer-trusted-ca-file=${path.join(node(), 'etc/kubernetes/pki/etcd/ca.crt')}`,
      '--peer-client-cert-auth',
    ],
    { env, cwd: tmp, logFile: path.join(tmp, 'etcd.log') },
  );
  await waitForTls(ports.etcd, etcd);

  // Another tree: a kubeconfig dialling a server whose certificate another CA (of the same name) issued.
  const impostorPort = await tlsServer(pems.impostor);
  write(tmp, 'untrusted/kubeconfig', kubeconfigFor(url(impostorPort), ca.certPem));

  // A tree of endpoints that give no certificate: a closed port, a silent one, a plain HTTP one.
  const closed = await freePort();
  const silent = net.createServer(() => {}); // accepts, never answers
  await new Promise((r) => silent.listen(0, '127.0.0.1', r));
  const sockets = new Set();
  silent.on('connection', (s) => sockets.add(s));
  closers.push(() => new Promise((r) => (sockets.forEach((s) => s.destroy()), silent.close(r))));
  const plain = http.createServer((_, res) => res.end('ok'));
  await new Promise((r) => plain.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise((r) => (plain.closeAllConnections(), plain.close(r))));
  write(tmp, 'down/closed.conf', kubeconfigFor(url(closed), ca.certPem));
  write(tmp, 'down/silent.conf', kubeconfigFor(url(silent.address().port), ca.certPem));
  write(tmp, 'down/plain.conf', kubeconfigFor(url(plain.address().port), ca.certPem));
});

after(async () => {
  await etcd?.stop();
  for (const c of closers) await c();
  if (tmp) cleanup(tmp);
});

test("etcd serving last year's certificate while the file holds the renewed one: served-cert-differs on the line naming the endpoint, with both serials and dates; the apiserver serving its file: nothing", async () => {
  const r = await cli(['probe', 'cp', '--root', 'cp/node', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const findings = JSON.parse(r.stdout);
  const etcdYaml = path.join(node(), 'etc/kubernetes/manifests/etcd.yaml');
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line} ${f.code}`),
    [`cp/node/etc/kubernetes/manifests/etcd.yaml:${lineOf(etcdYaml, '--advertise-client-urls')} served-cert-differs`],
    r.stdout,
  );
  const m = findings[0].message;
  const oldCert = E.pki.parseCertificate(Buffer.from(pems.etcdOld.cert.rawData));
  const newCert = E.pki.parseCertificate(Buffer.from(pems.etcdNew.cert.rawData));
  assert.match(m, new RegExp(`serves CN=cp1, serial ${oldCert.serialNumber}, not after ${oldCert.notAfter.toISOString().slice(0, 19)}`));
  assert.match(m, new RegExp(`holds CN=cp1, serial ${newCert.serialNumber}, not after ${newCert.notAfter.toISOString().slice(0, 19)}`));
  assert.match(m, /restart etcd/);
  assert.match(m, /holds CN=cp1.*restart etcd so that it reads cp\/node\/etc\/kubernetes\/pki\/etcd\/server\.crt\.$/);
  assert.match(m, /cp\/node\/etc\/kubernetes\/pki\/etcd\/server\.crt \(--cert-file in cp\/node\/etc\/kubernetes\/manifests\/etcd\.yaml\)/);
  assert.equal(findings[0].severity, 'warning');
  // The other lines naming the same address (listen URL, the apiserver's --etcd-servers) are related notes.
  assert.ok(
    findings[0].related.some((x) => x.file.endsWith('kube-apiserver.yaml') && /--etcd-servers/.test(x.message)),
    JSON.stringify(findings[0].related),
  );
  assert.match(r.stderr, new RegExp(`probing 3 endpoints .*127\\.0\\.0\\.1:${ports.etcd}`));
});

test('the text report lists each endpoint and what it serves; the peer URL serves the file and is not reported', async () => {
  const r = await cli(['probe', 'cp', '--root', 'cp/node', '--no-color']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`127\\.0\\.0\\.1:${ports.etcd} \\(etcd \\(client URL\\)\\): serves CN=cp1 .* NOT the file’s certificate`));
  assert.match(r.stdout, new RegExp(`127\\.0\\.0\\.1:${ports.peer} \\(etcd \\(peer URL\\)\\): serves CN=cp1 .* the file’s certificate`));
  assert.match(r.stdout, new RegExp(`127\\.0\\.0\\.1:${pems.apiPort} \\(kube-apiserver\\): serves CN=kube-apiserver .* the file’s certificate`));
  assert.match(r.stdout, /served-cert-differs/);
  assert.match(r.stdout, /0 errors, 1 warning, 0 infos/);
});

test('a served certificate past its notAfter (--now): cert-expired on the line naming the endpoint', async () => {
  const r = await cli(['probe', 'cp', '--root', 'cp/node', '--format', 'json', '--now', '2099-01-01']);
  assert.equal(r.status, 1, r.stderr);
  const expired = JSON.parse(r.stdout).filter((f) => f.code === 'cert-expired');
  assert.ok(
    expired.some((f) => f.file.endsWith('admin.conf') && /CN=kube-apiserver/.test(f.message) && /expired on/.test(f.message)),
    r.stdout,
  );
});

test("a server whose chain another CA of the same name issued: served-cert-untrusted with Go's error, exit 1", async () => {
  const r = await cli(['probe', 'untrusted', '--format', 'json']);
  assert.equal(r.status, 1, r.stderr + r.stdout);
  const findings = JSON.parse(r.stdout);
  assert.deepEqual(
    findings.map((f) => `${f.file}:${f.line} ${f.code}`),
    [`untrusted/kubeconfig:${lineOf(path.join(tmp, 'untrusted/kubeconfig'), 'server:')} served-cert-untrusted`],
  );
  assert.equal(findings[0].severity, 'error');
  assert.match(
    findings[0].message,
    /certificate-authority-data \(CN=kubernetes\) refuse: "tls: failed to verify certificate: x509: certificate signed by unknown authority/,
  );
});

test('a closed port, a server that never answers the handshake and a plain HTTP port: endpoint-unreachable (info) with the reason, within the timeout', async () => {
  const r = await cli(['probe', 'down', '--timeout', '1s', '--format', 'json']);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const byFile = Object.fromEntries(JSON.parse(r.stdout).map((f) => [path.basename(f.file), f]));
  assert.deepEqual(Object.keys(byFile).sort(), ['closed.conf', 'plain.conf', 'silent.conf']);
  for (const f of Object.values(byFile)) {
    assert.equal(f.code, 'endpoint-unreachable');
    assert.equal(f.severity, 'info');
    assert.equal(f.line, 6); // the server: line
  }
  assert.match(byFile['closed.conf'].message, /could not be probed: connection refused: nothing listens on the port \(ECONNREFUSED\)/);
  assert.match(byFile['silent.conf'].message, /timed out: the TCP connection was accepted, but no TLS handshake completed within 1 s;/);
  assert.match(byFile['plain.conf'].message, /could not be probed: not TLS: the port answered, but not with TLS/);
  // Dialled concurrently, each bounded by --timeout: well under the sum of the timeouts plus start-up.
  assert.ok(r.ms < 8000, `took ${r.ms} ms`);
});

test('usage: a bad --timeout, --client-cert without --client-key: exit 2; --help lists the codes', async () => {
  for (const args of [
    ['--timeout', 'soon'],
    ['--timeout', '0'],
    ['--client-cert', 'a.crt'],
  ]) {
    const r = await cli(['probe', 'down', ...args]);
    assert.equal(r.status, 2, `${args}: ${r.stderr}`);
    assert.match(r.stderr, /kube-pki probe --help/);
  }
  const h = await cli(['probe', '--help']);
  assert.equal(h.status, 0);
  assert.match(h.stdout, /served-cert-differs/);
  assert.match(h.stdout, /endpoint-unreachable/);
});

test('the endpoints a tree names: kubeconfig servers, --etcd-servers, etcd URLs (wildcards left out), the kubelet at --node-ip, webhook urls; service-backed webhooks are not dialled', async () => {
  const dir = tempDir('kube-pki-probe-targets-');
  try {
    write(dir, 'node/etc/kubernetes/admin.conf', kubeconfigFor('https://10.0.0.10:6443', pems.apiserver.certPem));
    write(
      dir,
      'node/etc/kubernetes/manifests/etcd.yaml',
      manifest('etcd', [
        '--advertise-client-urls=https://10.0.0.10:2379',
        '--listen-client-urls=https://127.0.0.1:2379,https://0.0.0.0:2379,http://127.0.0.1:2381',
      ]),
    );
    write(
      dir,
      'node/etc/systemd/system/kubelet.service',
      '[Service]\nExecStart=/usr/bin/kubelet --node-ip=10.0.0.11 --config=/etc/kubelet/node.yaml\n',
    );
    // A control-plane node's tree: its kubelet listens on the apiserver's --advertise-address.
    write(
      dir,
      'cp2/etc/kubernetes/manifests/kube-apiserver.yaml',
      manifest('kube-apiserver', ['--advertise-address=10.0.0.20', '--secure-port=6443']),
    );
    write(
      dir,
      'cp2/var/lib/kubelet/config.yaml',
      'apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\ntlsCertFile: /var/lib/kubelet/pki/kubelet.crt\n',
    );
    write(
      dir,
      'webhooks.yaml',
      `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: w}
webhooks:
- name: by-url.example.com
  clientConfig:
    url: https://hooks.example.com:8443/validate
- name: by-service.example.com
  clientConfig:
    service: {name: s, namespace: n}
`,
    );
    const { engine } = (await import('./helpers/engine.mjs')).checkTree(dir);
    const t = E.probe.probeTargets(engine).map((x) => `${path.relative(dir, x.file)} ${x.field} ${x.address} ${x.role}`);
    assert.deepEqual(t, [
      'cp2/etc/kubernetes/manifests/kube-apiserver.yaml --advertise-address 10.0.0.20:10250 kubelet',
      'node/etc/kubernetes/admin.conf server 10.0.0.10:6443 kube-apiserver',
      'node/etc/kubernetes/manifests/etcd.yaml --advertise-client-urls 10.0.0.10:2379 etcd (client URL)',
      'node/etc/kubernetes/manifests/etcd.yaml --listen-client-urls 127.0.0.1:2379 etcd (client URL)',
      'node/etc/systemd/system/kubelet.service --node-ip 10.0.0.11:10250 kubelet',
      'webhooks.yaml url hooks.example.com:8443 ValidatingWebhookConfiguration by-url.example.com',
    ]);
  } finally {
    cleanup(dir);
  }
});

test('the language server: kubePki/probe/endpoints lists the addresses without dialling; kubePki/probe/run dials only those confirmed that the workspace names', async () => {
  const { start } = await import('./helpers/lsp-client.mjs');
  const c = await start(path.join(tmp, 'cp'), { rootDir: node() });
  try {
    const listed = await c.connection.sendRequest('kubePki/probe/endpoints');
    assert.equal(listed.error, undefined);
    assert.deepEqual(
      listed.endpoints.map((e) => e.address).sort(),
      [`127.0.0.1:${pems.apiPort}`, `127.0.0.1:${ports.etcd}`, `127.0.0.1:${ports.peer}`].sort(),
    );
    const etcdEntry = listed.endpoints.find((e) => e.address === `127.0.0.1:${ports.etcd}`);
    assert.deepEqual(etcdEntry.names.map((n) => n.field).sort(), ['--advertise-client-urls', '--etcd-servers', '--listen-client-urls']);
    assert.ok(etcdEntry.names.every((n) => n.uri?.startsWith('file://')));

    // A silent server the workspace does not name: asked for, never dialled.
    let dialled = false;
    const stray = net.createServer((s) => ((dialled = true), s.destroy()));
    await new Promise((r) => stray.listen(0, '127.0.0.1', r));
    try {
      const r = await c.connection.sendRequest('kubePki/probe/run', {
        addresses: [`127.0.0.1:${ports.etcd}`, `127.0.0.1:${stray.address().port}`],
        timeoutMs: 2000,
      });
      assert.equal(r.error, undefined);
      assert.deepEqual(
        r.endpoints.map((e) => e.address),
        [`127.0.0.1:${ports.etcd}`],
      );
      assert.equal(r.endpoints[0].outcome.kind, 'served');
      assert.equal(r.endpoints[0].outcome.matchesFile, false);
      assert.deepEqual(
        r.findings.map((f) => f.code),
        ['served-cert-differs'],
      );
      assert.ok(r.findings[0].uri.endsWith('/manifests/etcd.yaml'), r.findings[0].uri);
      assert.equal(dialled, false, 'the address no file names was not dialled');
    } finally {
      stray.close();
    }
  } finally {
    await c.shutdown();
  }
});

test('the language server in Restricted Mode: both probe requests refuse, saying why, and nothing is dialled', async () => {
  const { start } = await import('./helpers/lsp-client.mjs');
  const c = await start(path.join(tmp, 'down'), {}, { initializationOptions: { trusted: false } });
  try {
    const listed = await c.connection.sendRequest('kubePki/probe/endpoints');
    assert.deepEqual(listed.endpoints, []);
    assert.match(listed.error, /untrusted workspace \(Restricted Mode\)/);
    const r = await c.connection.sendRequest('kubePki/probe/run', { addresses: ['127.0.0.1:1'] });
    assert.deepEqual(r.endpoints, []);
    assert.match(r.error, /trust the workspace first/);
  } finally {
    await c.shutdown();
  }
});

test('endpoints are dialled concurrently, never more at once than the bound, each once however many lines name it', async () => {
  const mk = (i, line) => ({
    address: `10.0.0.${i}:443`,
    host: `10.0.0.${i}`,
    port: 443,
    file: '/x/kubeconfig',
    range: { start: { line, character: 0 }, end: { line, character: 1 } },
    field: 'server',
    url: `https://10.0.0.${i}`,
    role: 'kube-apiserver',
    component: 'kube-apiserver',
  });
  const targets = [...Array.from({ length: 10 }, (_, i) => mk(i, i)), mk(3, 20)];
  let open = 0;
  let most = 0;
  const dialled = [];
  const dialer = async (req) => {
    dialled.push(req.host);
    open++;
    most = Math.max(most, open);
    await new Promise((r) => setTimeout(r, 20));
    open--;
    assert.equal(req.timeoutMs, 1234);
    assert.equal(req.clientCert, undefined, 'no client certificate unless asked');
    return { kind: 'unreachable', reason: 'refused', detail: 'nothing listens on the port (ECONNREFUSED)' };
  };
  const r = await E.probe.probe(targets, { dialer, concurrency: 3, timeoutMs: 1234 });
  assert.equal(most, 3);
  assert.equal(dialled.length, 10);
  assert.equal(r.findings.length, 10);
  const three = r.findings.find((f) => f.message.startsWith('10.0.0.3:443'));
  assert.deepEqual(
    three.related.map((x) => x.range.start.line),
    [20],
  );
  // Only the addresses asked for (what the user confirmed) are dialled.
  dialled.length = 0;
  await E.probe.probe(targets, { dialer, addresses: ['10.0.0.1:443', '192.0.2.1:443'], timeoutMs: 1234 });
  assert.deepEqual(dialled, ['10.0.0.1']);
});
