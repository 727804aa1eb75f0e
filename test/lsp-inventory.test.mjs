// kubePki/inventory from the language server (dist/server.js) over stdio: the workspace's PKI as the editor's
// "Kube PKI" view and expiry timeline get it, on a kubeadm node tree generated at run time with planted
// defects. Run `node esbuild.js` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCluster } from './helpers/cluster.mjs';
import { start, uriOf, SERVER } from './helpers/lsp-client.mjs';

let tmp;
let cluster;
let c;

before(async () => {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-lsp-inventory-'));
  cluster = await buildCluster(path.join(tmp, 'node'), { defects: ['controller-manager-expired', 'kubelet-untrusted'] });
  c = await start(cluster.dir, { rootDir: '${workspaceFolder}' });
  await c.summary();
});

after(async () => {
  await c?.shutdown().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const byCN = (inv, cn) => inv.certificates.filter((x) => x.commonName === cn);

test('kubePki/inventory: the CAs, who signed what, roles, the expired certificate with its finding', async () => {
  const inv = await c.request('kubePki/inventory', {});
  assert.ok(!Number.isNaN(Date.parse(inv.now)));
  assert.equal(inv.warningDays, 30);
  const cas = inv.certificates.filter((x) => x.isCA);
  for (const cn of ['kubernetes', 'etcd-ca', 'front-proxy-ca'])
    assert.equal(cas.filter((x) => x.commonName === cn).length, 1, `one CA ${cn}: ${cas.map((x) => x.commonName)}`);
  const ca = byCN(inv, 'kubernetes').find((x) => x.isCA);
  const [apiserver] = byCN(inv, 'kube-apiserver');
  assert.equal(apiserver.issuerId, ca.id, 'the apiserver certificate is signed by the cluster CA');
  assert.deepEqual(apiserver.files, [path.join(cluster.dir, 'etc', 'kubernetes', 'pki', 'apiserver.crt')]);
  const [cm] = byCN(inv, 'system:kube-controller-manager');
  assert.equal(cm.status, 'expired');
  assert.ok(cm.daysLeft < 0);
  assert.equal(cm.references[0].file, cluster.files['controller-manager.conf']);
  assert.ok(
    cm.problems.some((p) => p.code === 'cert-expired'),
    JSON.stringify(cm.problems),
  );
  // Sorted by notAfter, soonest first: the expired one leads.
  assert.equal(inv.certificates[0].id, cm.id);
  // The kubelet's client certificate comes from a CA the workspace does not hold.
  const [kubelet] = byCN(inv, `system:node:${cluster.nodeName}`).filter((x) => !x.isCA && x.role?.includes('client'));
  assert.equal(kubelet.issuerId, undefined);
  // The service-account pair: sa.key with sa.pub, matching, each reference with its document's URI; not an orphan.
  assert.deepEqual(
    inv.keyPairs.map((k) => [path.basename(k.keyFile), path.basename(k.publicKeyFile), k.matches]),
    [['sa.key', 'sa.pub', true]],
  );
  assert.ok(inv.keyPairs[0].references.length >= 2);
  for (const r of inv.keyPairs[0].references) assert.equal(r.uri, uriOf(r.file));
  assert.ok(!inv.orphanKeys.some((k) => path.basename(k.file) === 'sa.key'));
  // No key material anywhere in the answer.
  const text = JSON.stringify(inv);
  assert.doesNotMatch(text, /PRIVATE KEY|BEGIN /);
});

test('kubePki/inventory follows a certificate changed on disk', async () => {
  const file = path.join(cluster.dir, 'etc', 'kubernetes', 'pki', 'apiserver-etcd-client.crt');
  const before = await readFile(file, 'utf8');
  const inv1 = await c.request('kubePki/inventory', {});
  const etcdCa = inv1.certificates.find((x) => x.commonName === 'etcd-ca');
  assert.equal(byCN(inv1, 'kube-apiserver-etcd-client')[0].issuerId, etcdCa.id);
  // Another certificate (signed by the cluster CA) written over it.
  await writeFile(file, cluster.certs['apiserver-kubelet-client'].certPem);
  await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(file), type: 2 }] });
  const inv2 = await c.request('kubePki/inventory', {});
  assert.equal(byCN(inv2, 'kube-apiserver-etcd-client').length, 0, 'the old certificate is gone');
  const moved = byCN(inv2, 'kube-apiserver-kubelet-client')[0];
  assert.ok(moved.files.includes(file), JSON.stringify(moved.files));
  await writeFile(file, before);
  await c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(file), type: 2 }] });
  assert.equal(byCN(await c.request('kubePki/inventory', {}), 'kube-apiserver-etcd-client').length, 1);
});

test('kubePki/inventory gives each reference its document URI: an untitled buffer is opened as itself, not as a file', async () => {
  // An admin kubeconfig pasted into a new editor: its certificate is listed, and a click must open that buffer.
  const admin = await readFile(cluster.files['admin.conf'], 'utf8');
  const uri = 'untitled:Untitled-9';
  await c.open(null, admin, 'yaml', uri);
  await c.waitForDiagnostics(uri);
  const inv = await c.request('kubePki/inventory', {});
  const refs = inv.certificates.flatMap((x) => x.references);
  const inBuffer = refs.filter((r) => r.uri === uri);
  assert.ok(inBuffer.length >= 2, `the buffer's CA and client certificate point at ${uri}: ${JSON.stringify(refs.map((r) => r.uri))}`);
  assert.deepEqual([...new Set(inBuffer.map((r) => r.field))].sort(), ['certificate-authority-data', 'client-certificate-data']);
  // References in files on disk keep their file: URI.
  const onDisk = refs.find((r) => r.file === cluster.files['admin.conf']);
  assert.equal(onDisk.uri, uriOf(cluster.files['admin.conf']));
  await c.close?.(uri);
});
