// `kube-pki expiration` (dist/cli.js) run as a process over kubeadm node trees generated at run time, --now
// pinned. The expected table is computed here from the generated files (node:crypto, the yaml library) and
// from kubeadm's own rules (Go's time format, duration.ShortHumanDuration re-implemented below on Go's
// integer nanoseconds and checked against the table cases of kubeadm's source), never from the engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, copyFile, mkdir, unlink } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCluster, loadEngine } from './helpers/cluster.mjs';

const require = createRequire(import.meta.url);
const YAML = require('yaml');
const E = loadEngine();
const repo = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(repo, 'dist', 'cli.js');
const NOW = '2026-11-29T12:00:00Z';
/** An hour later: residual times that are not round (364d, 9d). */
const LATER = '2026-11-29T13:00:00Z';

let tmp;
let broken; // controller-manager.conf expired, etcd's server certificate expiring, front-proxy-ca.key gone, ca.crt copied into backup/
let healthy;

function cli(args, cwd) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-expiration-'));
  const now = new Date(NOW);
  broken = await buildCluster(path.join(tmp, 'broken'), { now, defects: ['controller-manager-expired', 'etcd-server-expiring'] });
  await mkdir(path.join(broken.dir, 'backup'), { recursive: true });
  await copyFile(broken.files['pki/ca.crt'], path.join(broken.dir, 'backup', 'ca.crt'));
  await unlink(broken.files['pki/front-proxy-ca.key']);
  healthy = await buildCluster(path.join(tmp, 'healthy'), { now });
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------
// kubeadm's formats, independently

/**
 * k8s.io/apimachinery/pkg/util/duration.ShortHumanDuration on a Go time.Duration (int64 nanoseconds, here a
 * BigInt): int(d.Seconds()) etc. truncate toward zero, as BigInt division does.
 */
function goShortHumanDuration(ns) {
  const S = 1_000_000_000n;
  const seconds = ns / S;
  if (seconds < -1n) return '<invalid>';
  if (seconds < 0n) return '0s';
  if (seconds < 60n) return `${seconds}s`;
  const minutes = ns / (60n * S);
  if (minutes < 60n) return `${minutes}m`;
  const hours = ns / (3600n * S);
  if (hours < 24n) return `${hours}h`;
  if (hours < 24n * 365n) return `${hours / 24n}d`;
  return `${hours / 24n / 365n}y`;
}

const ms = (n) => BigInt(n) * 1_000_000n;
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

// TestShortHumanDurationBoundaries in staging/src/k8s.io/apimachinery/pkg/util/duration/duration_test.go
// (durations in ms here: Go's `-2*time.Second + 1` (1 ns) becomes -1999 ms, the nearest a millisecond clock has).
const KUBEADM_CASES = [
  [-2 * SEC, '<invalid>'],
  [-2 * SEC + 1, '0s'],
  [0, '0s'],
  [SEC - 1, '0s'],
  [SEC, '1s'],
  [2 * SEC - 1, '1s'],
  [MIN - 1, '59s'],
  [MIN, '1m'],
  [2 * MIN - 1, '1m'],
  [HOUR - 1, '59m'],
  [HOUR, '1h'],
  [2 * HOUR - 1, '1h'],
  [DAY - 1, '23h'],
  [DAY, '1d'],
  [2 * DAY - 1, '1d'],
  [365 * DAY - 1, '364d'],
  [365 * DAY, '1y'],
  [2 * 365 * DAY - 1, '1y'],
  [2 * 365 * DAY, '2y'],
  // From kubeadm's documented output: a fresh cluster's certificates and CAs.
  [360 * DAY + 23 * HOUR, '360d'],
  [9 * 365 * DAY + 300 * DAY, '9y'],
  // Expired long ago.
  [-35 * DAY, '<invalid>'],
];

test("RESIDUAL TIME: the engine rounds as kubeadm (ShortHumanDuration), on kubeadm's own table cases", () => {
  for (const [d, want] of KUBEADM_CASES) {
    assert.equal(goShortHumanDuration(ms(d)), want, `oracle, ${d} ms`);
    assert.equal(E.shortHumanDuration(d), want, `engine, ${d} ms`);
  }
  // And they agree everywhere near every boundary.
  for (const edge of [0, SEC, MIN, HOUR, DAY, 365 * DAY, 2 * 365 * DAY, 10 * 365 * DAY]) {
    for (const delta of [-1001, -1000, -999, -1, 0, 1, 999, 1000]) {
      const d = edge + delta;
      assert.equal(E.shortHumanDuration(d), goShortHumanDuration(ms(d)), `${d} ms`);
    }
  }
});

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Go's Format("Jan 02, 2006 15:04 MST") in UTC, from toUTCString ("Sun, 29 Nov 2027 18:51:00 GMT"). */
function goExpires(date) {
  const [, dd, mon, yyyy, hhmmss] = date.toUTCString().split(' ');
  assert.ok(MONTHS.includes(mon));
  return `${mon} ${dd.padStart(2, '0')}, ${yyyy} ${hhmmss.slice(0, 5)} UTC`;
}

test('EXPIRES: Go\'s "Jan 02, 2006 15:04 MST" in UTC', () => {
  assert.equal(E.kubeadmExpiryTime(new Date('2027-11-29T18:51:59Z')), 'Nov 29, 2027 18:51 UTC');
  assert.equal(E.kubeadmExpiryTime(new Date('2035-08-07T09:03:00Z')), 'Aug 07, 2035 09:03 UTC');
  assert.equal(goExpires(new Date('2035-08-07T09:03:00Z')), 'Aug 07, 2035 09:03 UTC');
});

// ---------------------------------------------------------------------------------------------------------
// The expected table of a generated tree

const pemCerts = (text) => (text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));

/** The rows kubeadm would print for this tree, computed from its files. */
function expectedTables(c, now, display) {
  const at = (rel) => c.files[rel];
  const caFiles = { 'pki/ca.crt': 'ca', 'pki/front-proxy-ca.crt': 'front-proxy-ca', 'pki/etcd/ca.crt': 'etcd-ca' };
  const cas = Object.entries(caFiles).map(([rel, name]) => ({
    rel,
    name,
    x: pemCerts(readFileSync(at(rel), 'utf8'))[0],
    external: !existsSync(at(rel).replace(/\.crt$/, '.key')),
  }));
  const leaves = [];
  const add = (label, x, chain = []) => {
    const ca = [...cas.map((k) => ({ x: k.x, name: k.name, external: k.external })), ...chain].find(
      (k) => x.checkIssued(k.x) && x.verify(k.x.publicKey),
    );
    assert.ok(ca, `${label}: a CA of the tree signed it`);
    leaves.push({ label, x, ca: ca.name, external: ca.external });
  };
  for (const rel of [
    'pki/apiserver.crt',
    'pki/apiserver-kubelet-client.crt',
    'pki/front-proxy-client.crt',
    'pki/apiserver-etcd-client.crt',
    'pki/etcd/server.crt',
    'pki/etcd/peer.crt',
    'pki/etcd/healthcheck-client.crt',
  ]) {
    add(display(at(rel)), pemCerts(readFileSync(at(rel), 'utf8'))[0]);
  }
  for (const name of ['admin.conf', 'super-admin.conf', 'controller-manager.conf', 'scheduler.conf']) {
    const data = YAML.parse(readFileSync(at(name), 'utf8')).users[0].user['client-certificate-data'];
    add(display(at(name)), pemCerts(Buffer.from(data, 'base64').toString('utf8'))[0]);
  }
  add(display(at('kubelet-client-current.pem')), pemCerts(readFileSync(at('kubelet-client-current.pem'), 'utf8'))[0]);
  const [serving, servingCa] = pemCerts(readFileSync(at('kubelet.crt'), 'utf8'));
  const servingCaName = servingCa.subject.replace(/^CN=/, '');
  add(display(at('kubelet.crt')), serving, [{ x: servingCa, name: servingCaName, external: true }]);

  const residual = (x) => goShortHumanDuration(ms(Date.parse(x.validTo) - now.getTime()));
  const byExpiry = (a, b) => Date.parse(a.x.validTo) - Date.parse(b.x.validTo) || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0);
  const certRows = leaves.sort(byExpiry).map((l) => [l.label, goExpires(new Date(l.x.validTo)), residual(l.x), l.ca, l.external ? 'yes' : 'no']);
  const caList = [
    ...cas.map((k) => ({ label: display(at(k.rel)), x: k.x, external: k.external })),
    { label: display(at('kubelet.crt')), x: servingCa, external: true },
  ];
  const caRows = caList.sort(byExpiry).map((k) => [k.label, goExpires(new Date(k.x.validTo)), residual(k.x), k.external ? 'yes' : 'no']);
  return { certRows, caRows };
}

/** The two tables of the output: header and rows split on the column starts the header sets. */
function parseTables(stdout) {
  const blocks = stdout.replace(/\n$/, '').split('\n\n');
  assert.equal(blocks.length, 2, stdout);
  return blocks.map((block) => {
    const lines = block.split('\n');
    const header = lines[0];
    const starts = [0];
    for (const m of header.matchAll(/ {3,}(?=\S)/g)) starts.push(m.index + m[0].length);
    const cells = (line) => starts.map((s, i) => line.slice(s, starts[i + 1]).trimEnd());
    for (const line of lines.slice(1)) {
      // Aligned as Go's tabwriter aligns: each cell starts at its column, after at least 3 spaces.
      for (const s of starts.slice(1)) assert.match(line.slice(s - 3, s + 1), /^ {3}\S$/, `column at ${s} in: ${line}`);
    }
    return { header: cells(header), rows: lines.slice(1).map(cells), raw: lines };
  });
}

test("the table: kubeadm's columns, every certificate of the tree once, sorted by residual time, CAs apart", () => {
  const r = cli(['expiration', '--now', LATER], broken.dir);
  assert.equal(r.code, 1, `an expired certificate: exit 1\n${r.stderr}`);
  const [certs, cas] = parseTables(r.stdout);
  assert.deepEqual(certs.header, ['CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', 'EXTERNALLY MANAGED']);
  assert.deepEqual(cas.header, ['CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL TIME', 'EXTERNALLY MANAGED']);
  const display = (f) => path.relative(broken.dir, f);
  const want = expectedTables(broken, new Date(LATER), display);
  // The copy of ca.crt is the same certificate: one row, naming the referenced file and the other copy.
  want.caRows = want.caRows.map((row) => (row[0] === 'etc/kubernetes/pki/ca.crt' ? ['etc/kubernetes/pki/ca.crt (+1)', ...row.slice(1)] : row));
  assert.deepEqual(certs.rows, want.certRows);
  assert.deepEqual(cas.rows, want.caRows);
  // What the planted changes show.
  const cm = certs.rows.find((row) => row[0] === 'etc/kubernetes/controller-manager.conf');
  assert.equal(cm[2], '<invalid>');
  assert.equal(certs.rows[0], cm, 'the expired certificate first');
  assert.deepEqual(
    certs.rows[1].slice(0, 3),
    ['etc/kubernetes/pki/etcd/server.crt', want.certRows[1][1], '9d'],
    'then the one expiring in 10 days less an hour',
  );
  assert.equal(certs.rows[2][2], '364d');
  assert.equal(cas.rows[cas.rows.length - 1][2], '8y');
  assert.equal(certs.rows.find((row) => row[0] === 'etc/kubernetes/pki/front-proxy-client.crt')[4], 'yes', 'its CA is external');
  assert.equal(cas.rows.find((row) => row[0] === 'etc/kubernetes/pki/front-proxy-ca.crt')[3], 'yes');
  assert.equal(cas.rows.find((row) => row[0].startsWith('etc/kubernetes/pki/ca.crt'))[3], 'no');
  // kubeadm's "%-8v": yes/no padded to 8 characters.
  assert.ok(certs.raw.slice(1).every((l) => / (yes |no  ) {4}$/.test(l)));
});

test("run from the node's /etc/kubernetes: names as kubeadm prints them (admin.conf, pki/apiserver.crt)", () => {
  const ek = broken.paths.etcKubernetes;
  const r = cli(['expiration', '--root', '../..', '--now', NOW], ek);
  assert.equal(r.code, 1);
  const [certs] = parseTables(r.stdout);
  const names = certs.rows.map((row) => row[0]);
  for (const n of ['admin.conf', 'super-admin.conf', 'controller-manager.conf', 'scheduler.conf', 'pki/apiserver.crt', 'pki/etcd/server.crt']) {
    assert.ok(names.includes(n), `${n} in ${names}`);
  }
  assert.equal(certs.rows.find((row) => row[0] === 'admin.conf')[3], 'ca');
  assert.equal(certs.rows.find((row) => row[0] === 'pki/apiserver-etcd-client.crt')[3], 'etcd-ca');
});

test('a healthy tree exits 0; json is the inventory and matches the table; yaml is the same', () => {
  const table = cli(['expiration', '--now', NOW, '.'], healthy.dir);
  assert.equal(table.code, 0, table.stderr);
  const [certs, cas] = parseTables(table.stdout);
  const want = expectedTables(healthy, new Date(NOW), (f) => path.relative(healthy.dir, f));
  assert.deepEqual(certs.rows, want.certRows);
  assert.deepEqual(cas.rows, want.caRows);

  const json = cli(['expiration', '--now', NOW, '-o', 'json'], healthy.dir);
  assert.equal(json.code, 0);
  const inv = JSON.parse(json.stdout);
  assert.equal(inv.now, new Date(NOW).toISOString());
  assert.equal(inv.certificates.length, certs.rows.length + cas.rows.length);
  assert.deepEqual(inv.orphanKeys, []);
  // Row by row: the same certificate, expiry and CA.
  const label = (c) => (c.files.length ? path.relative(healthy.dir, c.files[0]) : path.relative(healthy.dir, c.references[0].file));
  const byId = new Map(inv.certificates.map((c) => [c.id, c]));
  for (const [rows, isCA] of [
    [certs.rows, false],
    [cas.rows, true],
  ]) {
    const list = inv.certificates.filter((c) => c.isCA === isCA);
    assert.deepEqual(list.map(label).sort(), rows.map((row) => row[0]).sort());
    for (const row of rows) {
      const c = list.find((x) => label(x) === row[0]);
      assert.equal(goExpires(new Date(c.notAfter)), row[1]);
      assert.equal(c.status, 'ok');
      if (!isCA) {
        const issuer = byId.get(c.issuerId);
        assert.equal(issuer.kubeadmName ?? issuer.commonName, row[3]);
      }
    }
  }
  const yaml = cli(['expiration', '--now', NOW, '--output=yaml'], healthy.dir);
  assert.equal(yaml.code, 0);
  assert.deepEqual(YAML.parse(yaml.stdout), inv);
  assert.ok(!/PRIVATE KEY/.test(json.stdout + yaml.stdout + table.stdout));
});

test('json of a tree with an expired certificate: status expired, negative daysLeft; exit 1', () => {
  const r = cli(['expiration', '--now', NOW, '-o', 'json'], broken.dir);
  assert.equal(r.code, 1);
  const inv = JSON.parse(r.stdout);
  const expired = inv.certificates.filter((c) => c.status === 'expired');
  assert.equal(expired.length, 1);
  assert.equal(expired[0].commonName, 'system:kube-controller-manager');
  assert.equal(expired[0].daysLeft, -35);
  assert.ok(expired[0].problems.some((p) => p.code === 'cert-expired'));
  // A day before the oldest leaf was issued (no certificate expired, some not valid yet): not 0 either.
  const early = cli(['expiration', '--now', '2024-01-01T00:00:00Z', '-o', 'json'], healthy.dir);
  assert.equal(early.code, 1);
  assert.ok(JSON.parse(early.stdout).certificates.every((c) => c.status === 'not-yet-valid'));
});

test('bad usage exits 2 with the reason and a hint to the help; --help exits 0', () => {
  for (const args of [['-o', 'xml'], ['--now', 'yesterday'], ['--bogus'], ['no/such/dir'], ['--root', 'no/such/dir'], ['--expiry-days', '-3']]) {
    const r = cli(['expiration', ...args], healthy.dir);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, /^kube-pki: \S.*\nrun 'kube-pki expiration --help' for the options\n$/);
  }
  const help = cli(['expiration', '--help'], healthy.dir);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: kube-pki expiration/);
  assert.match(cli(['--help'], healthy.dir).stdout, /^  expiration +\S/m);
});

test('certificate files named on the command line: listed whatever else is there, their kubeadm .key beside them found', () => {
  const r = cli(['expiration', '--now', NOW, 'etc/kubernetes/pki/apiserver.crt', 'etc/kubernetes/pki/ca.crt'], healthy.dir);
  assert.equal(r.code, 0, r.stderr);
  const [certs, cas] = parseTables(r.stdout);
  const x = pemCerts(readFileSync(healthy.files['pki/apiserver.crt'], 'utf8'))[0];
  const ca = pemCerts(readFileSync(healthy.files['pki/ca.crt'], 'utf8'))[0];
  const residual = (c) => goShortHumanDuration(ms(Date.parse(c.validTo) - Date.parse(NOW)));
  assert.deepEqual(certs.rows, [['etc/kubernetes/pki/apiserver.crt', goExpires(new Date(x.validTo)), residual(x), 'ca', 'no']]);
  assert.deepEqual(cas.rows, [['etc/kubernetes/pki/ca.crt', goExpires(new Date(ca.validTo)), residual(ca), 'no']]);
});

test('several certificates in one file: each row names its object (Secrets of a manifest or a List, kubeconfig users); -o json carries it', async () => {
  const g = E.generate;
  const dir = path.join(tmp, 'objects');
  const ca = await g.issueCertificate({
    commonName: 'ingress-ca',
    isCA: true,
    keyType: 'ecdsa-p256',
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2030-01-01T00:00:00Z'),
  });
  const one = async (commonName) =>
    g.issueCertificate({
      commonName,
      issuer: ca,
      keyType: 'ecdsa-p256',
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2027-06-01T00:00:00Z'),
    });
  const [web, api, a, b, alice, bob, solo] = await Promise.all(['web', 'api', 'a', 'b', 'alice', 'bob', 'solo'].map(one));
  const b64 = (s) => Buffer.from(s).toString('base64');
  const secret = (name, ns, c, indent = '') =>
    [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      `  name: ${name}`,
      ...(ns ? [`  namespace: ${ns}`] : []),
      'type: kubernetes.io/tls',
      'data:',
      `  tls.crt: ${b64(c.certPem)}`,
      `  tls.key: ${b64(c.key.privateKeyPem)}`,
    ]
      .map((l, i) => (i === 0 ? `${indent.replace(/ {2}$/, '- ')}${l}` : `${indent}${l}`))
      .join('\n');
  const user = (name, c) =>
    [`- name: ${name}`, '  user:', `    client-certificate-data: ${b64(c.certPem)}`, `    client-key-data: ${b64(c.key.privateKeyPem)}`].join('\n');
  const kubeconfig = (users) =>
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: c',
      '  cluster:',
      '    server: https://10.0.0.1:6443',
      `    certificate-authority-data: ${b64(ca.certPem)}`,
      'users:',
      ...users,
      'contexts:',
      '- name: x',
      `  context: {cluster: c, user: ${users[0].slice(8, users[0].indexOf('\n'))}}`,
      'current-context: x',
      '',
    ].join('\n');
  await mkdir(dir, { recursive: true });
  const { writeFile } = await import('node:fs/promises');
  await writeFile(path.join(dir, 'deploy.yaml'), `${secret('web-tls', 'ingress', web)}\n---\n${secret('api-tls', 'ingress', api)}\n`);
  await writeFile(
    path.join(dir, 'list.yaml'),
    `apiVersion: v1\nkind: List\nitems:\n${secret('a-tls', '', a, '  ')}\n${secret('b-tls', '', b, '  ')}\n`,
  );
  await writeFile(path.join(dir, 'kubeconfig'), kubeconfig([user('alice', alice), user('bob', bob)]));
  await writeFile(path.join(dir, 'solo.conf'), kubeconfig([user('solo', solo)]));
  const r = cli(['expiration', '--now', NOW], dir);
  assert.equal(r.code, 0, r.stderr);
  const [certs, cas] = parseTables(r.stdout);
  assert.deepEqual(
    certs.rows.map((row) => row[0]),
    [
      'deploy.yaml (Secret ingress/api-tls)',
      'deploy.yaml (Secret ingress/web-tls)',
      'kubeconfig (user alice)',
      'kubeconfig (user bob)',
      'list.yaml (Secret a-tls)',
      'list.yaml (Secret b-tls)',
      // One user: the file, as kubeadm names admin.conf.
      'solo.conf',
    ],
  );
  assert.deepEqual(
    cas.rows.map((row) => row[0]),
    ['kubeconfig'],
  );
  const json = JSON.parse(cli(['expiration', '--now', NOW, '-o', 'json'], dir).stdout);
  const byCN = new Map(json.certificates.map((c) => [c.commonName, c]));
  assert.deepEqual(
    byCN.get('web').references.map((x) => x.object),
    [{ kind: 'Secret', name: 'web-tls', namespace: 'ingress' }],
  );
  assert.deepEqual(
    byCN.get('a').references.map((x) => x.object),
    [{ kind: 'Secret', name: 'a-tls' }],
  );
  assert.deepEqual(
    byCN.get('bob').references.map((x) => x.object),
    [{ kind: 'user', name: 'bob' }],
  );
  assert.deepEqual(
    byCN.get('ingress-ca').references.map((x) => x.object),
    [
      { kind: 'cluster', name: 'c' },
      { kind: 'cluster', name: 'c' },
    ],
  );
});

test("the kubelet's rotated client certificate close to expiry: a note says the kubelet renews it and what to check", () => {
  const notAfter = Date.parse(new X509Certificate(readFileSync(healthy.files['kubelet-client-current.pem'])).validTo);
  const r = cli(['expiration', '--now', new Date(notAfter - 10 * 86_400_000).toISOString()], healthy.dir);
  assert.equal(r.code, 0, r.stderr);
  const notes = r.stderr.split('\n').filter((l) => l.startsWith('kube-pki: note: '));
  assert.equal(notes.length, 1, r.stderr);
  assert.match(
    notes[0],
    /^kube-pki: note: var\/lib\/kubelet\/pki\/kubelet-client-current\.pem expires in \d+d: it is the kubelet's rotated client certificate, renewed by the kubelet itself .* not by kubeadm certs renew\. .*journalctl -u kubelet.*kubectl get csr.*--cluster-signing-cert-file/,
  );
  // Past expiry: how to recover.
  const late = cli(['expiration', '--now', new Date(notAfter + 86_400_000).toISOString()], healthy.dir);
  assert.equal(late.code, 1);
  assert.match(late.stderr, /kubelet-client-current\.pem has expired: .*re-bootstrap the kubelet/);
  // Nothing to say while it is far from expiry.
  assert.doesNotMatch(cli(['expiration', '--now', NOW], healthy.dir).stderr, /rotated client certificate/);
});
