// buildInventory (server/src/engine/inventory) over kubeadm node trees generated at run time
// (test/helpers/cluster.mjs), with --now pinned. Every expected value (ids, issuers, expiry) is computed
// here from the generated files with node:crypto, never taken from the engine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, copyFile, mkdir, writeFile, unlink } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createHash, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCluster, loadEngine } from './helpers/cluster.mjs';

const require = createRequire(import.meta.url);
const YAML = require('yaml');
const E = loadEngine();
const DAY = 86_400_000;

let work;
let c; // one node: controller-manager.conf expired, etcd server expiring, front-proxy-ca.key gone, ca.crt copied, a lonely key
let lonelyKey;
let copyOfCa;

before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kube-pki-inventory-'));
  c = await buildCluster(path.join(work, 'one'), {
    now: new Date('2026-11-29T12:00:00Z'),
    defects: ['controller-manager-expired', 'etcd-server-expiring'],
  });
  // The same CA certificate in a second file: one entry with two files.
  copyOfCa = path.join(c.dir, 'backup', 'ca-copy.crt');
  await mkdir(path.dirname(copyOfCa), { recursive: true });
  await copyFile(c.files['pki/ca.crt'], copyOfCa);
  // An external front-proxy CA: its certificate without its key.
  await unlink(c.files['pki/front-proxy-ca.key']);
  // A key no certificate matches.
  lonelyKey = path.join(c.paths.pki, 'lonely.key');
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  await writeFile(lonelyKey, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

function engineFor(dir, now) {
  const fs = E.nodeFileSystem();
  const engine = new E.Engine(fs, { searchRoots: [dir], now });
  for (const f of E.discoverFiles(fs, [dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
  return engine;
}

function inventoryOf(dir, now) {
  return E.buildInventory(engineFor(dir, now), { roots: [dir] });
}

// ---- independent readings of the generated files (node:crypto and the yaml library only)

const pemCerts = (text) => (text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((p) => new X509Certificate(p));
const certOfFile = (file) => pemCerts(readFileSync(file, 'utf8'))[0];
const sha = (x) => createHash('sha256').update(x.raw).digest('hex');

/** The client certificate a kubeconfig embeds, and the 0-based line of its client-certificate-data. */
function embeddedCert(file) {
  const text = readFileSync(file, 'utf8');
  const doc = YAML.parse(text);
  const data = doc.users[0].user['client-certificate-data'];
  const line = text.split('\n').findIndex((l) => l.includes('client-certificate-data:'));
  return { x: pemCerts(Buffer.from(data, 'base64').toString('utf8'))[0], line };
}

/** Which of the given CA certificates signed x (subject/issuer names and the signature, checked by OpenSSL via node:crypto). */
function signerOf(x, cas) {
  return cas.find((ca) => x.checkIssued(ca) && x.verify(ca.publicKey));
}

const kubeadmLeaves = {
  'pki/apiserver.crt': { role: 'kube-apiserver serving', component: 'kube-apiserver', name: 'apiserver' },
  'pki/apiserver-kubelet-client.crt': { role: 'apiserver → kubelet client', component: 'kube-apiserver', name: 'apiserver-kubelet-client' },
  'pki/front-proxy-client.crt': { role: 'front-proxy client', component: 'kube-apiserver', name: 'front-proxy-client' },
  'pki/apiserver-etcd-client.crt': { role: 'apiserver → etcd client', component: 'kube-apiserver', name: 'apiserver-etcd-client' },
  'pki/etcd/server.crt': { role: 'etcd serving', component: 'etcd', name: 'etcd-server' },
  'pki/etcd/peer.crt': { role: 'etcd peer', component: 'etcd', name: 'etcd-peer' },
  'pki/etcd/healthcheck-client.crt': { role: 'etcd healthcheck client', component: 'etcd', name: 'etcd-healthcheck-client' },
};
const kubeadmCAs = {
  'pki/ca.crt': { role: 'cluster CA', name: 'ca' },
  'pki/front-proxy-ca.crt': { role: 'front-proxy CA', name: 'front-proxy-ca' },
  'pki/etcd/ca.crt': { role: 'etcd CA', name: 'etcd-ca' },
};

test('every kubeadm certificate is there once, with the CA that signed it, its role, component, node and key', () => {
  const inv = inventoryOf(c.dir, c.now);
  const ids = inv.certificates.map((x) => x.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  const byId = new Map(inv.certificates.map((x) => [x.id, x]));
  const cas = Object.keys(kubeadmCAs).map((rel) => ({ rel, x: certOfFile(c.files[rel]) }));
  for (const [rel, want] of Object.entries({ ...kubeadmLeaves, ...kubeadmCAs })) {
    const file = c.files[rel];
    const x = certOfFile(file);
    const entry = byId.get(sha(x));
    assert.ok(entry, `${rel} is in the inventory`);
    assert.ok(entry.files.includes(file), `${rel}: files ${entry.files}`);
    assert.equal(entry.role, want.role, rel);
    assert.equal(entry.kubeadmName, want.name, rel);
    assert.equal(entry.node, 'etc/kubernetes', rel);
    if (want.component) assert.equal(entry.component, want.component, rel);
    assert.equal(entry.isCA, x.ca, rel);
    assert.equal(entry.notAfter, new Date(x.validTo).toISOString(), rel);
    assert.equal(entry.subject, x.subject.split('\n').reverse().join(', '), rel);
    if (x.ca) {
      assert.equal(entry.selfSigned, true, rel);
      assert.equal(entry.issuerId, undefined, `${rel}: a root has no issuer but itself`);
    } else {
      const signer = signerOf(
        x,
        cas.map((ca) => ca.x),
      );
      assert.ok(signer, `${rel} has a signer among the CAs`);
      assert.equal(entry.issuerId, sha(signer), `${rel}: issuer`);
      assert.equal(entry.externallyManaged, false, `${rel}: leaves are never externally managed`);
      // kubeadm's pairs: the .key beside the .crt.
      assert.equal(entry.keyFile, file.replace(/\.crt$/, '.key'), `${rel}: keyFile`);
    }
  }
  // Leaves chain to the CA kubeadm names for them.
  const issuerName = (rel) => byId.get(byId.get(sha(certOfFile(c.files[rel]))).issuerId)?.kubeadmName;
  assert.equal(issuerName('pki/apiserver.crt'), 'ca');
  assert.equal(issuerName('pki/apiserver-kubelet-client.crt'), 'ca');
  assert.equal(issuerName('pki/front-proxy-client.crt'), 'front-proxy-ca');
  assert.equal(issuerName('pki/apiserver-etcd-client.crt'), 'etcd-ca');
  assert.equal(issuerName('pki/etcd/server.crt'), 'etcd-ca');
  assert.equal(issuerName('pki/etcd/peer.crt'), 'etcd-ca');
  assert.equal(issuerName('pki/etcd/healthcheck-client.crt'), 'etcd-ca');
  // The apiserver's serving certificate is referenced by --tls-cert-file, on the manifest's line.
  const api = byId.get(sha(certOfFile(c.files['pki/apiserver.crt'])));
  const ref = api.references.find((r) => r.field === '--tls-cert-file');
  assert.ok(ref, 'referenced by --tls-cert-file');
  assert.equal(ref.file, c.files['kube-apiserver.yaml']);
  assert.ok(readFileSync(ref.file, 'utf8').split('\n')[ref.range.start.line].includes('--tls-cert-file='));
  assert.deepEqual(api.sans.slice().sort(), [...x509Sans(certOfFile(c.files['pki/apiserver.crt']))].sort());
  assert.equal(api.keyAlgorithm, 'RSA 2048');
});

function x509Sans(x) {
  return (x.subjectAltName ?? '')
    .split(', ')
    .filter(Boolean)
    .map((s) => s.replace(/^(DNS|IP Address):/, ''));
}

test('kubeconfig-embedded client certificates appear with their kubeconfig as reference', () => {
  const inv = inventoryOf(c.dir, c.now);
  const byId = new Map(inv.certificates.map((x) => [x.id, x]));
  const ca = certOfFile(c.files['pki/ca.crt']);
  const want = {
    'admin.conf': 'admin.conf',
    'super-admin.conf': 'super-admin.conf',
    'controller-manager.conf': 'kube-controller-manager',
    'scheduler.conf': 'kube-scheduler',
  };
  for (const [name, component] of Object.entries(want)) {
    const file = c.files[name];
    const { x, line } = embeddedCert(file);
    const entry = byId.get(sha(x));
    assert.ok(entry, `${name}'s client certificate is in the inventory`);
    assert.deepEqual(entry.files, [], `${name}: inline only`);
    const ref = entry.references.find((r) => r.file === file && r.field === 'client-certificate-data');
    assert.ok(ref, `${name}: referenced by its client-certificate-data`);
    assert.equal(ref.range.start.line, line, `${name}: on the client-certificate-data line`);
    assert.equal(entry.role, `${name} client`);
    assert.equal(entry.component, component);
    assert.equal(entry.kubeadmName, name);
    assert.equal(entry.node, 'etc/kubernetes');
    assert.equal(entry.issuerId, sha(ca), `${name}: signed by the cluster CA`);
    assert.equal(entry.keyFile, file, `${name}: its key is the client-key-data beside it`);
  }
  // The cluster CA is also referenced by every kubeconfig's certificate-authority-data.
  const caEntry = byId.get(sha(ca));
  for (const name of Object.keys(want)) {
    assert.ok(
      caEntry.references.some((r) => r.file === c.files[name] && r.field === 'certificate-authority-data'),
      name,
    );
  }
  // kubelet.conf names the kubelet's rotated file: certificate and key in one file.
  const pem = c.files['kubelet-client-current.pem'];
  const kubelet = byId.get(sha(certOfFile(pem)));
  assert.equal(kubelet.role, 'kubelet.conf client');
  assert.equal(kubelet.component, 'kubelet');
  assert.deepEqual(kubelet.files, [pem]);
  assert.equal(kubelet.keyFile, pem);
  assert.ok(kubelet.references.some((r) => r.file === c.files['kubelet.conf'] && r.field === 'client-certificate'));
  assert.equal(kubelet.node, 'etc/kubernetes', 'the kubelet files belong to the node beside them');
  // kubelet.crt: the self-signed serving certificate and its throwaway CA, whose key is gone.
  const [serving, servingCa] = pemCerts(readFileSync(c.files['kubelet.crt'], 'utf8'));
  const s = byId.get(sha(serving));
  const sc = byId.get(sha(servingCa));
  assert.equal(s.role, 'kubelet serving');
  assert.equal(s.issuerId, sc.id);
  assert.equal(s.keyFile, c.files['kubelet.key']);
  assert.equal(sc.isCA, true);
  assert.equal(sc.externallyManaged, true);
});

test('the same certificate in two files is one entry with both files, the referenced one first', () => {
  const inv = inventoryOf(c.dir, c.now);
  const id = sha(certOfFile(copyOfCa));
  const hits = inv.certificates.filter((x) => x.id === id);
  assert.equal(hits.length, 1);
  assert.deepEqual(hits[0].files, [c.files['pki/ca.crt'], copyOfCa]);
  assert.equal(hits[0].kubeadmName, 'ca');
});

test('expiry: an expired certificate has status expired, negative daysLeft and its finding; expiring, ok; sorted by notAfter', () => {
  const inv = inventoryOf(c.dir, c.now);
  assert.equal(inv.now, c.now.toISOString());
  assert.equal(inv.warningDays, 30);
  const byId = new Map(inv.certificates.map((x) => [x.id, x]));
  const cm = byId.get(sha(embeddedCert(c.files['controller-manager.conf']).x));
  const x = embeddedCert(c.files['controller-manager.conf']).x;
  assert.equal(cm.status, 'expired');
  assert.equal(cm.daysLeft, Math.floor((Date.parse(x.validTo) - c.now.getTime()) / DAY));
  assert.equal(cm.daysLeft, -35);
  assert.ok(
    cm.problems.some((p) => p.code === 'cert-expired' && p.file === c.files['controller-manager.conf']),
    JSON.stringify(cm.problems),
  );
  const etcd = byId.get(sha(certOfFile(c.files['pki/etcd/server.crt'])));
  assert.equal(etcd.status, 'expiring');
  assert.equal(etcd.daysLeft, 10);
  assert.ok(etcd.problems.some((p) => p.code === 'cert-expiring'));
  const api = byId.get(sha(certOfFile(c.files['pki/apiserver.crt'])));
  assert.equal(api.status, 'ok');
  assert.deepEqual(api.problems, []);
  const times = inv.certificates.map((x) => Date.parse(x.notAfter));
  assert.deepEqual(
    times,
    times.slice().sort((a, b) => a - b),
  );
  // A later instant: the CAs are still fine, every leaf has expired.
  const later = inventoryOf(c.dir, new Date(c.now.getTime() + 400 * DAY));
  for (const x2 of later.certificates)
    assert.equal(x2.status, x2.isCA && x2.daysLeft >= 0 ? (x2.daysLeft < 30 ? 'expiring' : 'ok') : 'expired', x2.subject);
});

test('a CA whose key is not in the workspace is externally managed; one with its key is not', () => {
  const inv = inventoryOf(c.dir, c.now);
  const byId = new Map(inv.certificates.map((x) => [x.id, x]));
  const fp = byId.get(sha(certOfFile(c.files['pki/front-proxy-ca.crt'])));
  assert.equal(fp.externallyManaged, true);
  assert.equal(fp.keyFile, undefined);
  const ca = byId.get(sha(certOfFile(c.files['pki/ca.crt'])));
  assert.equal(ca.externallyManaged, false);
  assert.equal(ca.keyFile, c.files['pki/ca.key']);
  const etcd = byId.get(sha(certOfFile(c.files['pki/etcd/ca.crt'])));
  assert.equal(etcd.externallyManaged, false);
  assert.equal(etcd.keyFile, c.files['pki/etcd/ca.key']);
  for (const x of inv.certificates) if (!x.isCA) assert.equal(x.externallyManaged, false);
});

test("a lonely key is an orphan; sa.key (paired with sa.pub) and the certificates' keys are not", () => {
  const inv = inventoryOf(c.dir, c.now);
  assert.deepEqual(
    inv.orphanKeys.map((k) => k.file),
    [lonelyKey],
  );
  assert.equal(inv.orphanKeys[0].keyAlgorithm, 'ECDSA P-256');
  assert.deepEqual(inv.orphanKeys[0].references, []);
  // sa.key and sa.pub are a key pair, which match, with the lines that use them.
  assert.equal(inv.keyPairs.length, 1);
  const sa = inv.keyPairs[0];
  assert.deepEqual([sa.keyFile, sa.publicKeyFile, sa.matches], [c.files['pki/sa.key'], c.files['pki/sa.pub'], true]);
  assert.deepEqual(sa.references.map((r) => `${path.basename(r.file)} ${r.field}`).sort(), [
    'kube-apiserver.yaml --service-account-key-file',
    'kube-apiserver.yaml --service-account-signing-key-file',
    'kube-controller-manager.yaml --service-account-private-key-file',
  ]);
  assert.deepEqual(sa.problems, []);
});

test('sa.key and an sa.pub that is not its public half: a key pair that does not match, with its key-mismatch findings, and no orphan', async () => {
  const k = await buildCluster(path.join(work, 'sa-mismatch'), { now: new Date('2026-11-29T12:00:00Z'), defects: ['sa-key-mismatch'] });
  const inv = inventoryOf(k.dir, k.now);
  assert.deepEqual(inv.orphanKeys, []);
  assert.equal(inv.keyPairs.length, 1);
  const sa = inv.keyPairs[0];
  assert.deepEqual([sa.keyFile, sa.publicKeyFile, sa.matches], [k.files['pki/sa.key'], k.files['pki/sa.pub'], false]);
  // Every key-mismatch the check reports on the service-account lines is the pair's.
  const engine = engineFor(k.dir, k.now);
  const expected = [k.files['kube-apiserver.yaml'], k.files['kube-controller-manager.yaml']]
    .flatMap((f) => engine.check(f))
    .filter((f) => f.code === 'key-mismatch')
    .map((f) => `${path.basename(f.file)}:${f.range.start.line}`)
    .sort();
  assert.ok(expected.length >= 1);
  assert.deepEqual(
    sa.problems
      .filter((p) => p.code === 'key-mismatch')
      .map((p) => `${path.basename(p.file)}:${p.range.start.line}`)
      .sort(),
    expected,
  );
});

test('no private key material anywhere in the inventory', () => {
  const inv = inventoryOf(c.dir, c.now);
  const text = JSON.stringify(inv);
  assert.ok(!/PRIVATE KEY/.test(text));
  const keyFiles = [lonelyKey, c.files['pki/ca.key'], c.files['pki/apiserver.key'], c.files['kubelet-client-current.pem']];
  for (const f of keyFiles) {
    const body = readFileSync(f, 'utf8').split('-----BEGIN').pop().split('\n').slice(1, -2).join('');
    for (let i = 0; i + 40 <= body.length; i += 200) assert.ok(!text.includes(body.slice(i, i + 40)), `no bytes of ${f}`);
  }
  for (const name of ['admin.conf', 'scheduler.conf']) {
    const key = YAML.parse(readFileSync(c.files[name], 'utf8')).users[0].user['client-key-data'];
    assert.ok(!text.includes(key.slice(20, 80)), `no client-key-data of ${name}`);
  }
});

test('a new loose certificate shows up on the next call; a removed one goes', async () => {
  const fs = E.nodeFileSystem();
  const engine = engineFor(c.dir, c.now);
  const extra = path.join(c.dir, 'extra', 'client.pem');
  await mkdir(path.dirname(extra), { recursive: true });
  const before = E.buildInventory(engine, { roots: [c.dir] }).certificates.length;
  const issued = await E.generate.issueCertificate({ commonName: 'someone', keyType: 'ecdsa-p256', extKeyUsage: ['clientAuth'], now: c.now });
  await writeFile(extra, issued.certPem);
  const inv = E.buildInventory(engine, { roots: [c.dir] });
  assert.equal(inv.certificates.length, before + 1);
  const added = inv.certificates.find((x) => x.files.includes(extra));
  assert.equal(added.commonName, 'someone');
  assert.equal(added.selfSigned, true);
  assert.equal(added.node, undefined, 'not in a node tree');
  await unlink(extra);
  assert.equal(E.buildInventory(engine, { roots: [c.dir] }).certificates.length, before);
  void fs;
});

test("three control-plane nodes: each leaf under its own node's CA, each node named", async () => {
  const dir = path.join(work, 'three');
  const now = new Date('2026-11-29T12:00:00Z');
  const nodes = [];
  for (const [i, name] of ['cp1', 'cp2', 'cp3'].entries()) {
    nodes.push(await buildCluster(path.join(dir, 'nodes', name), { nodeName: name, advertiseAddress: `192.168.10.${11 + i}`, now }));
  }
  const engine = engineFor(dir, now);
  let t = performance.now();
  const cold = E.buildInventory(engine, { roots: [dir] });
  const coldMs = performance.now() - t;
  t = performance.now();
  const warm = E.buildInventory(engine, { roots: [dir] });
  const warmMs = performance.now() - t;
  assert.deepEqual(warm, cold, 'the same answer from the caches');
  const byId = new Map(cold.certificates.map((x) => [x.id, x]));
  for (const n of nodes) {
    const node = `nodes/${n.nodeName}/etc/kubernetes`;
    const ca = certOfFile(n.files['pki/ca.crt']);
    for (const rel of ['pki/apiserver.crt', 'pki/apiserver-kubelet-client.crt']) {
      const e = byId.get(sha(certOfFile(n.files[rel])));
      assert.equal(e.node, node, rel);
      assert.equal(e.issuerId, sha(ca), `${n.nodeName} ${rel}: the CA of its own node`);
      assert.equal(e.keyFile, n.files[rel].replace(/\.crt$/, '.key'));
    }
    const admin = byId.get(sha(embeddedCert(n.files['admin.conf']).x));
    assert.equal(admin.node, node);
    assert.equal(admin.issuerId, sha(ca));
  }
  // 3 nodes × (3 CAs, 7 pki leaves, 4 kubeconfigs, kubelet client, kubelet serving and its CA).
  assert.equal(cold.certificates.length, 3 * 17);
  console.log(
    `# inventory of 3 nodes (${cold.certificates.length} certificates): ${coldMs.toFixed(1)} ms cold (findings included), ${warmMs.toFixed(1)} ms warm`,
  );
  // Catches a hang or a cache that is never used; the speed itself is measured in `npm run bench`.
  assert.ok(warmMs < 5000, `warm inventory took ${warmMs} ms`);
});

test("a key that is not its certificate's: no keyFile, the key an orphan, key-mismatch among the certificate's problems", async () => {
  const k = await buildCluster(path.join(work, 'mismatch'), { now: new Date('2026-11-29T12:00:00Z'), defects: ['apiserver-key-mismatch'] });
  const inv = inventoryOf(k.dir, k.now);
  const api = inv.certificates.find((x) => x.id === sha(certOfFile(k.files['pki/apiserver.crt'])));
  assert.equal(api.keyFile, undefined);
  assert.ok(
    api.problems.some((p) => p.code === 'key-mismatch'),
    JSON.stringify(api.problems),
  );
  assert.deepEqual(
    inv.orphanKeys.map((o) => o.file),
    [k.files['pki/apiserver.key']],
  );
  assert.deepEqual(
    inv.orphanKeys[0].references.map((r) => [r.file, r.field]),
    [[k.files['kube-apiserver.yaml'], '--tls-private-key-file']],
  );
});
