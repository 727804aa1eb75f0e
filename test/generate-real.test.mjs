// Generated certificates proven by the programs that will use them: openssl, Debian's etcd and
// etcdctl, Debian's kubectl against a local HTTPS endpoint, and kube-pki check. A kubeadm node tree
// is built at run time, files are deleted, `kube-pki generate` (dist/cli.js) makes them again.
// Everything listens on 127.0.0.1 only, on free ports, and every process started is stopped.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm, readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { buildCluster } from './helpers/cluster.mjs';
import { runAsync, tool } from './helpers/tools.mjs';
import { freePort } from './helpers/vscode-host.mjs';
import { referServingCerts } from './helpers/serving.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(repo, 'dist', 'cli.js');

let tmp;
let cluster;
let generated; // stdout of kube-pki generate
let serving; // the serving certificates the configs name (kubelet, controller-manager, scheduler), made by generate
const stoppers = [];

function cli(args, opts = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? tmp, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function openssl(args) {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const DELETED = [
  'pki/apiserver.crt',
  'pki/apiserver.key',
  'pki/apiserver-etcd-client.crt',
  'pki/apiserver-etcd-client.key',
  'pki/front-proxy-ca.crt',
  'pki/front-proxy-ca.key',
  'pki/front-proxy-client.crt',
  'pki/front-proxy-client.key',
  'pki/etcd/server.crt',
  'pki/etcd/server.key',
  'pki/etcd/peer.crt',
  'pki/etcd/peer.key',
  'pki/sa.pub',
  'scheduler.conf',
  'controller-manager.conf',
  'kubelet-client-current.pem',
];

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-real-'));
  // The node advertises 127.0.0.1, so the generated certificates name the loopback address the
  // test servers listen on. ECDSA keys: RSA is not the point here.
  cluster = await buildCluster(path.join(tmp, 'node'), { advertiseAddress: '127.0.0.1', keyType: 'ecdsa-p256', reuseKeys: false });
  for (const f of DELETED) await rm(cluster.files[f]);
  serving = await referServingCerts(cluster);
  const r = cli(['generate', 'node', '--key-type', 'ecdsa-p256']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  generated = r.stdout;
});

after(async () => {
  for (const stop of stoppers.reverse()) await stop().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const pki = (rel) => path.join(cluster.paths.pki, rel);

test('kube-pki generate printed every file with subject, SANs, issuer and expiry, and no key material', () => {
  for (const f of DELETED) {
    const shown = path.relative(tmp, cluster.files[f]);
    const esc = shown.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(generated, new RegExp(`^created ${esc} \\(0(600|644)\\): `, 'm'), `${shown} not listed:\n${generated}`);
  }
  assert.match(
    generated,
    /created node\/etc\/kubernetes\/pki\/apiserver\.crt \(0644\): CN=kube-apiserver; SANs cp1, kubernetes, .*127\.0\.0\.1; issued by CN=kubernetes; expires 20\d\d-/,
  );
  assert.match(generated, /created node\/etc\/kubernetes\/pki\/apiserver\.key \(0600\)/);
  assert.match(
    generated,
    /^created node\/var\/lib\/kubelet\/pki\/kubelet-server\.crt \(0644\): CN=system:node:cp1, O=system:nodes; SANs cp1, 127\.0\.0\.1; issued by CN=kubernetes; /m,
  );
  assert.match(
    generated,
    /^created node\/etc\/kubernetes\/pki\/kube-controller-manager\.crt \(0644\): CN=kube-controller-manager; SANs cp1, localhost, 127\.0\.0\.1; issued by CN=kubernetes; /m,
  );
  assert.match(
    generated,
    /^created node\/etc\/kubernetes\/pki\/kube-scheduler\.crt \(0644\): CN=kube-scheduler; SANs cp1, localhost, 127\.0\.0\.1; issued by CN=kubernetes; /m,
  );
  assert.doesNotMatch(generated, /PRIVATE KEY|BEGIN/);
});

test('kube-pki check reports zero errors on the regenerated tree', () => {
  const r = cli(['check', 'node']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^0 errors, 0 warnings, 0 infos in \d+ files$/m);
});

test('keys are 0600, certificates 0644, and a second run has nothing to do', async () => {
  for (const f of DELETED) {
    const st = await stat(cluster.files[f]);
    const secret = /\.(key|conf|pem)$/.test(f);
    assert.equal(st.mode & 0o777, secret ? 0o600 : 0o644, f);
  }
  const again = cli(['generate', 'node']);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /nothing to generate/);
});

test('openssl verify accepts every generated certificate with its CA; x509 -text shows subject, SANs, EKU, validity', () => {
  const cases = [
    [
      'pki/apiserver.crt',
      'pki/ca.crt',
      'sslserver',
      /Subject: CN ?= ?kube-apiserver/,
      /TLS Web Server Authentication/,
      /DNS:kubernetes\.default\.svc\.cluster\.local/,
      /IP Address:10\.96\.0\.1/,
      /IP Address:127\.0\.0\.1/,
    ],
    ['pki/apiserver-etcd-client.crt', 'pki/etcd/ca.crt', 'sslclient', /Subject: CN ?= ?kube-apiserver-etcd-client/, /TLS Web Client Authentication/],
    ['pki/front-proxy-ca.crt', 'pki/front-proxy-ca.crt', undefined, /CA:TRUE/, /Certificate Sign/],
    ['pki/front-proxy-client.crt', 'pki/front-proxy-ca.crt', 'sslclient', /Subject: CN ?= ?front-proxy-client/],
    [
      'pki/etcd/server.crt',
      'pki/etcd/ca.crt',
      'sslserver',
      /Subject: CN ?= ?cp1/,
      /TLS Web Server Authentication, TLS Web Client Authentication/,
      /DNS:localhost/,
      /IP Address:0:0:0:0:0:0:0:1/,
    ],
    ['pki/etcd/peer.crt', 'pki/etcd/ca.crt', 'sslclient', /Subject: CN ?= ?cp1/, /TLS Web Server Authentication, TLS Web Client Authentication/],
  ];
  for (const [cert, ca, purpose, ...patterns] of cases) {
    const v = openssl(['verify', '-CAfile', pki(ca.slice(4)), ...(purpose ? ['-purpose', purpose] : []), pki(cert.slice(4))]);
    assert.equal(v.status, 0, `${cert}: ${v.out}`);
    const t = openssl(['x509', '-in', pki(cert.slice(4)), '-noout', '-text']);
    assert.equal(t.status, 0, t.out);
    for (const p of patterns) assert.match(t.out, p, `${cert}`);
    // One year for leaves, ten for CAs, backdated five minutes as kubeadm does.
    const dates = openssl(['x509', '-in', pki(cert.slice(4)), '-noout', '-startdate', '-enddate']).out;
    const start = new Date(/notBefore=(.*)/.exec(dates)[1]);
    const end = new Date(/notAfter=(.*)/.exec(dates)[1]);
    const days = Math.round((end - start) / 86_400_000);
    assert.equal(days, ca === cert ? 3650 : 365, `${cert}: ${dates}`);
    assert.ok(Date.now() - start.getTime() >= 4 * 60_000 && Date.now() - start.getTime() < 30 * 60_000, `${cert} backdated ~5 min: ${dates}`);
  }
  // The kubelet's cert+key file and the generated kubeconfigs verify against the cluster CA too.
  const v = openssl(['verify', '-CAfile', pki('ca.crt'), '-purpose', 'sslclient', cluster.files['kubelet-client-current.pem']]);
  assert.equal(v.status, 0, v.out);
});

async function kubeconfigMaterial(file) {
  const kc = YAML.parse(await readFile(file, 'utf8'));
  const dec = (s) => Buffer.from(s, 'base64').toString('utf8');
  return {
    server: kc.clusters[0].cluster.server,
    ca: dec(kc.clusters[0].cluster['certificate-authority-data']),
    cert: dec(kc.users[0].user['client-certificate-data']),
    key: dec(kc.users[0].user['client-key-data']),
    user: kc.users[0].name,
  };
}

// ------------------------------------------------------------------------------------ etcd

function startEtcd(args) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD')));
  const proc = spawn(tool('etcd'), args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  proc.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  stoppers.push(stop);
  return { proc, stop, log: () => log, exited };
}

function etcdctl(endpoint, cert, key, ca) {
  const r = spawnSync(
    tool('etcdctl'),
    ['--endpoints', endpoint, '--cacert', ca, '--cert', cert, '--key', key, '--dial-timeout=3s', '--command-timeout=5s', 'endpoint', 'health'],
    {
      encoding: 'utf8',
      env: { ...process.env, ETCDCTL_API: '3' },
      timeout: 30_000,
    },
  );
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

test("etcd starts with the generated server and peer certificates and --client-cert-auth; etcdctl with the generated apiserver-etcd-client is healthy, with another CA's certificate it is refused", async () => {
  const [client, peer, metrics] = [await freePort(), await freePort(), await freePort()];
  const dataDir = path.join(tmp, 'etcd-data');
  const endpoint = `https://127.0.0.1:${client}`;
  const etcd = startEtcd([
    '--name',
    'cp1',
    '--data-dir',
    dataDir,
    '--listen-client-urls',
    endpoint,
    '--advertise-client-urls',
    endpoint,
    '--listen-peer-urls',
    `https://127.0.0.1:${peer}`,
    '--initial-advertise-peer-urls',
    `https://127.0.0.1:${peer}`,
    '--initial-cluster',
    `cp1=https://127.0.0.1:${peer}`,
    '--listen-metrics-urls',
    `http://127.0.0.1:${metrics}`,
    '--cert-file',
    pki('etcd/server.crt'),
    '--key-file',
    pki('etcd/server.key'),
    '--trusted-ca-file',
    pki('etcd/ca.crt'),
    '--client-cert-auth',
    '--peer-cert-file',
    pki('etcd/peer.crt'),
    '--peer-key-file',
    pki('etcd/peer.key'),
    '--peer-trusted-ca-file',
    pki('etcd/ca.crt'),
    '--peer-client-cert-auth',
    '--snapshot-count',
    '10000',
  ]);
  try {
    let ok;
    const deadline = Date.now() + 30_000;
    for (;;) {
      ok = etcdctl(endpoint, pki('apiserver-etcd-client.crt'), pki('apiserver-etcd-client.key'), pki('etcd/ca.crt'));
      if (ok.status === 0 || Date.now() > deadline || etcd.proc.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    assert.equal(ok.status, 0, `etcdctl: ${ok.out}\netcd log:\n${etcd.log().slice(-3000)}`);
    assert.match(ok.out, /is healthy/);

    // A client certificate from another CA (same CN): etcd refuses the handshake.
    const other = path.join(tmp, 'other');
    let r = cli(['new-ca', '--out', path.join(other, 'ca.crt'), '--cn', 'etcd-ca', '--key-type', 'ecdsa-p256']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    r = cli([
      'new-client',
      '--cn',
      'kube-apiserver-etcd-client',
      '--ca',
      path.join(other, 'ca.crt'),
      '--out',
      path.join(other, 'client.crt'),
      '--key-type',
      'ecdsa-p256',
    ]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const bad = etcdctl(endpoint, path.join(other, 'client.crt'), path.join(other, 'client.key'), pki('etcd/ca.crt'));
    assert.notEqual(bad.status, 0, bad.out);
    assert.match(bad.out, /unhealthy|bad certificate|certificate|deadline exceeded/i);
    await new Promise((r) => setTimeout(r, 500)); // let etcd's log arrive (etcdctl ran synchronously)
    assert.match(etcd.log(), /rejected connection.*(unknown authority|bad certificate)/i);
  } finally {
    await etcd.stop();
  }
});

// ------------------------------------------------------------------------------------ kubectl

/** An HTTPS endpoint on 127.0.0.1 serving this certificate; with `clientCA`, requiring client certificates from it. */
async function startTlsEndpoint({ cert, key, clientCA }) {
  const seen = [];
  const server = https.createServer(
    {
      cert: await readFile(cert),
      key: await readFile(key),
      ...(clientCA ? { ca: await readFile(clientCA), requestCert: true, rejectUnauthorized: true } : {}),
    },
    (req, res) => {
      const peer = req.socket.getPeerCertificate();
      seen.push({ url: req.url, cn: peer?.subject?.CN, authorized: req.client.authorized });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
    },
  );
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const stop = () =>
    new Promise((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  stoppers.push(stop);
  return { port: server.address().port, seen, stop };
}

const startApiEndpoint = () => startTlsEndpoint({ cert: pki('apiserver.crt'), key: pki('apiserver.key'), clientCA: pki('ca.crt') });

/** Asynchronous: the HTTPS endpoint runs in this process and must keep answering meanwhile. */
const kubectl = (args) => runAsync(tool('kubectl'), args, { env: { ...process.env, HOME: tmp, KUBECONFIG: '' } });

test('kubectl with a generated kubeconfig completes the TLS handshake against the generated apiserver certificate, with its client certificate', async () => {
  const api = await startApiEndpoint();
  try {
    const conf = cluster.files['scheduler.conf'];
    const m = await kubeconfigMaterial(conf);
    assert.equal(m.user, 'system:kube-scheduler');
    assert.equal(m.server, 'https://127.0.0.1:6443');
    const r = await kubectl(['--kubeconfig', conf, '--server', `https://127.0.0.1:${api.port}`, 'get', '--raw', '/healthz']);
    assert.equal(r.status, 0, r.out);
    assert.equal(r.out.trim(), 'ok');
    assert.deepEqual(api.seen.at(-1), { url: '/healthz', cn: 'system:kube-scheduler', authorized: true });

    // A kubeconfig made on request (kube-pki kubeconfig) works the same way.
    const admin = path.join(tmp, 'admin.conf');
    const g = cli([
      'kubeconfig',
      '--cn',
      'jane',
      '--group',
      'kubeadm:cluster-admins',
      '--ca',
      pki('ca.crt'),
      '--server',
      `https://127.0.0.1:${api.port}`,
      '--out',
      admin,
      '--key-type',
      'ecdsa-p256',
    ]);
    assert.equal(g.code, 0, g.stdout + g.stderr);
    assert.match(g.stdout, /created .*admin\.conf \(0600\): kubeconfig for https:\/\/127\.0\.0\.1:\d+, user CN=jane, O=kubeadm:cluster-admins/);
    const r2 = await kubectl(['--kubeconfig', admin, 'get', '--raw', '/healthz']);
    assert.equal(r2.status, 0, r2.out);
    assert.equal(api.seen.at(-1).cn, 'jane');
  } finally {
    await api.stop();
  }
});

test("kubectl fails with its own x509 error when the server's name is not among the SANs", async () => {
  const api = await startApiEndpoint();
  try {
    const conf = cluster.files['controller-manager.conf'];
    const r = await kubectl([
      '--kubeconfig',
      conf,
      '--server',
      `https://127.0.0.1:${api.port}`,
      '--tls-server-name',
      'cp.not-a-san.example',
      'get',
      '--raw',
      '/healthz',
    ]);
    assert.notEqual(r.status, 0, r.out);
    assert.match(r.out, /x509: certificate is valid for .*kubernetes.*, not cp\.not-a-san\.example/);
    assert.equal(api.seen.length, 0, 'no request got through');
  } finally {
    await api.stop();
  }
});

test('kubectl verifies the generated serving certificates of the kubelet, the controller-manager and the scheduler with the cluster CA, at the names their clients dial', async () => {
  for (const [who, host] of [
    ['kubelet', '127.0.0.1'],
    ['kube-controller-manager', 'localhost'],
    ['kube-controller-manager', '127.0.0.1'],
    ['kube-scheduler', 'localhost'],
  ]) {
    const endpoint = await startTlsEndpoint(serving[who]);
    // No kubeconfig: the server, the CA and a token (else kubectl asks for a user name).
    const raw = (...extra) =>
      kubectl([
        '--server',
        `https://${host}:${endpoint.port}`,
        '--certificate-authority',
        pki('ca.crt'),
        '--token',
        'none',
        ...extra,
        'get',
        '--raw',
        '/healthz',
      ]);
    try {
      const r = await raw();
      assert.equal(r.status, 0, `${who} at ${host}: ${r.out}`);
      assert.equal(r.out.trim(), 'ok');
      // A name the certificate lacks fails as its clients would see it.
      const bad = await raw('--tls-server-name', 'not-a-san.example');
      assert.notEqual(bad.status, 0, bad.out);
      assert.match(bad.out, /x509: certificate is valid for .*, not not-a-san\.example/);
    } finally {
      await endpoint.stop();
    }
  }
});
