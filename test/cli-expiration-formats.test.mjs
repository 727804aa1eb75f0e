// `kube-pki expiration -o prometheus` (validated by the real `promtool check metrics`, Debian's prometheus
// package) and `-o kubeadm-json` / `-o kubeadm-yaml` (kubeadm's output.kubeadm.k8s.io/v1alpha3
// CertificateExpirationInfo, as cmd/kubeadm/app/cmd/certs.go fills it) over kubeadm node trees generated at run
// time, --now pinned. Expected values come from the files (node:crypto), never from the engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCluster, generatorOf } from './helpers/cluster.mjs';

const require = createRequire(import.meta.url);
const YAML = require('yaml');
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const NOW = '2026-11-29T12:00:00Z';
let tmp;
let node; // controller-manager.conf expired, front-proxy-client.crt gone, a loose certificate with an awkward CN
let second;

function cli(args, cwd = tmp) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function promtool(input) {
  const r = spawnSync('promtool', ['check', 'metrics'], { input, encoding: 'utf8', timeout: 60_000 });
  assert.ok(!r.error, `promtool: ${r.error?.message} (scripts/setup-test-tools.sh installs Debian's prometheus)`);
  return { code: r.status, out: r.stdout + r.stderr };
}

const certOf = (file) => new X509Certificate(readFileSync(file));
const clientCertOf = (kubeconfig) => {
  const cfg = YAML.parse(readFileSync(kubeconfig, 'utf8'));
  return new X509Certificate(Buffer.from(cfg.users[0].user['client-certificate-data'], 'base64'));
};

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-expiration-formats-'));
  node = await buildCluster(path.join(tmp, 'node'), { now: new Date(NOW), defects: ['controller-manager-expired'] });
  await unlink(node.files['pki/front-proxy-client.crt']);
  const g = generatorOf();
  const odd = await g.issueCertificate({ commonName: 'we"ird name', keyType: 'ecdsa-p256', isCA: false });
  await writeFile(path.join(node.dir, 'odd.crt'), odd.certPem);
  second = await buildCluster(path.join(tmp, 'two', 'cp2'), { now: new Date(NOW), nodeName: 'cp2' });
  await buildCluster(path.join(tmp, 'two', 'cp3'), { now: new Date(NOW), nodeName: 'cp3' });
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The exposition format's samples: [name, labels, value]. */
function samples(text) {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^(\w+)\{(.*)\} (-?\d+)$/.exec(l);
      assert.ok(m, l);
      const labels = {};
      for (const [, k, v] of m[2].matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[k] = v.replace(/\\(.)/g, (_, c) => (c === 'n' ? '\n' : c));
      return [m[1], labels, Number(m[3])];
    });
}

test('prometheus: promtool accepts it; enix-compatible series per certificate; exit 0 with an expired one', () => {
  const r = cli(['expiration', 'node', '--now', NOW, '-o', 'prometheus']);
  assert.equal(r.code, 0, r.stderr);
  const lint = promtool(r.stdout);
  assert.equal(lint.code, 0, lint.out);
  assert.equal(lint.out.trim(), '');
  for (const m of ['x509_cert_not_before', 'x509_cert_not_after', 'x509_cert_expired'])
    assert.match(r.stdout, new RegExp(`^# TYPE ${m} gauge$`, 'm'));
  const all = samples(r.stdout);
  const byName = (n) => all.filter(([name]) => name === n);
  assert.equal(byName('x509_cert_not_after').length, byName('x509_cert_expired').length);
  assert.equal(byName('x509_cert_not_after').length, byName('x509_cert_not_before').length);

  const apiserver = certOf(node.files['pki/apiserver.crt']);
  const [, labels, notAfter] = byName('x509_cert_not_after').find(([, l]) => l.filepath === node.files['pki/apiserver.crt']);
  assert.equal(notAfter, Math.floor(Date.parse(apiserver.validTo) / 1000));
  assert.equal(labels.filename, 'apiserver.crt');
  assert.equal(labels.subject_CN, 'kube-apiserver');
  assert.equal(labels.issuer_CN, 'kubernetes');
  assert.equal(labels.serial_number, BigInt(`0x${apiserver.serialNumber}`).toString());
  assert.equal(labels.role, 'kube-apiserver serving');
  assert.equal(labels.node, 'etc/kubernetes');

  const cm = clientCertOf(node.files['controller-manager.conf']);
  const expired = byName('x509_cert_expired').find(([, l]) => l.filepath === node.files['controller-manager.conf']);
  assert.deepEqual(
    [expired[1].embedded_kind, expired[1].embedded_key, expired[1].subject_CN, expired[2]],
    ['user', 'system:kube-controller-manager', cm.subject.split('=')[1], 1],
  );
  assert.equal(byName('x509_cert_expired').find(([, l]) => l.filepath === node.files['pki/apiserver.crt'])[2], 0);
  // The label value with a quote comes back whole (promtool parsed it above).
  assert.ok(byName('x509_cert_not_after').some(([, l]) => l.subject_CN === 'we"ird name'));
});

test('promtool does reject a broken exposition (the validation above can fail)', () => {
  const r = cli(['expiration', 'node', '--now', NOW, '-o', 'prometheus']);
  const broken = r.stdout.replace('we\\"ird', 'we"ird');
  assert.notEqual(broken, r.stdout);
  assert.notEqual(promtool(broken).code, 0);
});

const CERTS = [
  'admin.conf',
  'apiserver',
  'apiserver-etcd-client',
  'apiserver-kubelet-client',
  'controller-manager.conf',
  'etcd-healthcheck-client',
  'etcd-peer',
  'etcd-server',
  'front-proxy-client',
  'scheduler.conf',
  'super-admin.conf',
];
const CA_OF = {
  'apiserver-etcd-client': 'etcd-ca',
  'etcd-healthcheck-client': 'etcd-ca',
  'etcd-peer': 'etcd-ca',
  'etcd-server': 'etcd-ca',
  'front-proxy-client': 'front-proxy-ca',
};

test("kubeadm-json: kubeadm's CertificateExpirationInfo, field for field", () => {
  const r = cli(['expiration', 'node', '--now', NOW, '-o', 'kubeadm-json']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^\{\n {4}"kind": "CertificateExpirationInfo",\n {4}"apiVersion": "output\.kubeadm\.k8s\.io\/v1alpha3",\n {4}"certificates": \[/,
  );
  const info = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(info), ['kind', 'apiVersion', 'certificates', 'certificateAuthorities']);
  const present = CERTS.filter((n) => n !== 'super-admin.conf' || node.files['super-admin.conf']);
  assert.deepEqual(
    info.certificates.map((c) => c.name),
    present,
  );
  assert.deepEqual(
    info.certificateAuthorities.map((c) => c.name),
    ['ca', 'etcd-ca', 'front-proxy-ca'],
  );
  const now = Date.parse(NOW);
  const expect = (name, cert, caName) => ({
    name,
    expirationDate: new Date(cert.validTo).toISOString().replace(/\.000Z$/, 'Z'),
    residualTime: Math.trunc((Date.parse(cert.validTo) - now) / 1000),
    externallyManaged: false,
    ...(caName ? { caName } : {}),
    missing: false,
  });
  const get = (name) => info.certificates.find((c) => c.name === name);
  assert.deepEqual(get('apiserver'), expect('apiserver', certOf(node.files['pki/apiserver.crt']), 'ca'));
  assert.deepEqual(Object.keys(get('apiserver')), ['name', 'expirationDate', 'residualTime', 'externallyManaged', 'caName', 'missing']);
  assert.deepEqual(get('etcd-peer'), expect('etcd-peer', certOf(node.files['pki/etcd/peer.crt']), 'etcd-ca'));
  const cm = get('controller-manager.conf');
  assert.deepEqual(cm, expect('controller-manager.conf', clientCertOf(node.files['controller-manager.conf']), 'ca'));
  assert.ok(cm.residualTime < 0, 'expired: negative seconds');
  assert.deepEqual(get('front-proxy-client'), {
    name: 'front-proxy-client',
    expirationDate: null,
    residualTime: 0,
    externallyManaged: false,
    missing: true,
  });
  for (const c of info.certificates.filter((c) => !c.missing)) assert.equal(c.caName, CA_OF[c.name] ?? 'ca', c.name);
  assert.deepEqual(info.certificateAuthorities[0], expect('ca', certOf(node.files['pki/ca.crt'])));
});

test('kubeadm-json: a CA without its key is externally managed, and so are the certificates it signed', async () => {
  const d = path.join(tmp, 'external');
  const c = await buildCluster(d, { now: new Date(NOW) });
  await unlink(c.files['pki/front-proxy-ca.key']);
  const info = JSON.parse(cli(['expiration', 'external', '--now', NOW, '-o', 'kubeadm-json']).stdout);
  assert.equal(info.certificateAuthorities.find((x) => x.name === 'front-proxy-ca').externallyManaged, true);
  assert.equal(info.certificates.find((x) => x.name === 'front-proxy-client').externallyManaged, true);
  assert.equal(info.certificates.find((x) => x.name === 'apiserver').externallyManaged, false);
});

test('kubeadm-yaml: the same object as sigs.k8s.io/yaml writes it (keys sorted, lists unindented, dates quoted)', () => {
  const json = JSON.parse(cli(['expiration', 'node', '--now', NOW, '-o', 'kubeadm-json']).stdout);
  const r = cli(['expiration', 'node', '--now', NOW, '-o', 'kubeadm-yaml']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(YAML.parse(r.stdout, { version: '1.1' }), json);
  assert.deepEqual(
    r.stdout.split('\n').filter((l) => /^[^\s-]/.test(l)),
    ['apiVersion: output.kubeadm.k8s.io/v1alpha3', 'certificateAuthorities:', 'certificates:', 'kind: CertificateExpirationInfo'],
  );
  assert.match(
    r.stdout,
    /^- expirationDate: "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"\n {2}externallyManaged: false\n {2}missing: false\n {2}name: ca\n {2}residualTime: \d+$/m,
  );
  assert.match(
    r.stdout,
    /^- expirationDate: null\n {2}externallyManaged: false\n {2}missing: true\n {2}name: front-proxy-client\n {2}residualTime: 0$/m,
  );
});

test('kubeadm-json over two node trees: one object each, named on stderr in that order', () => {
  const r = cli(['expiration', 'two', '--now', NOW, '-o', 'kubeadm-json']);
  assert.equal(r.code, 0, r.stderr);
  const objects = r.stdout
    .split(/(?<=^\})\n/m)
    .filter((s) => s.trim())
    .map((s) => JSON.parse(s));
  assert.equal(objects.length, 2);
  assert.match(r.stderr, /2 node trees, one CertificateExpirationInfo each, in this order: cp2\/etc\/kubernetes, cp3\/etc\/kubernetes/);
  assert.equal(
    objects[0].certificates.find((c) => c.name === 'apiserver').expirationDate,
    new Date(certOf(second.files['pki/apiserver.crt']).validTo).toISOString().replace(/\.000Z$/, 'Z'),
  );
  const y = cli(['expiration', 'two', '--now', NOW, '-o', 'kubeadm-yaml']);
  assert.equal(YAML.parseAllDocuments(y.stdout).length, 2);
});

test('-o names every output when given another', () => {
  const r = cli(['expiration', 'node', '-o', 'csv']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /expected table, json, yaml, prometheus, kubeadm-json or kubeadm-yaml, got 'csv'/);
});
