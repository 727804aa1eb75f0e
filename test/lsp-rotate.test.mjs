// CA rotation over the LSP (dist/server.js --stdio, a real JSON-RPC client): kubePki/rotate/plan answers the
// next stage with what it changes and what it checked (no key material), kubePki/rotate/apply writes it; a stage
// that would break a connection comes back refused, without a plan id, and nothing is written; Restricted Mode
// plans nothing. A kubeadm node tree is built at run time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCluster } from './helpers/cluster.mjs';
import { start, SERVER } from './helpers/lsp-client.mjs';

let tmp;
let cluster;
let c;

before(async () => {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-lsp-rotate-'));
  cluster = await buildCluster(path.join(tmp, 'node'), { keyType: 'ecdsa-p256', reuseKeys: false });
  // Objects holding the cluster CA: the kube-root-ca.crt ConfigMap, and a webhook whose caBundle cert-manager injects.
  const caPem = await readFile(path.join(cluster.paths.pki, 'ca.crt'), 'utf8');
  await mkdir(path.join(cluster.dir, 'objects'));
  await writeFile(
    path.join(cluster.dir, 'objects', 'objects.yaml'),
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: kube-root-ca.crt',
      '  namespace: default',
      'data:',
      '  ca.crt: |',
      ...caPem
        .trimEnd()
        .split('\n')
        .map((l) => `    ${l}`),
      '---',
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: MutatingWebhookConfiguration',
      'metadata:',
      '  name: injected',
      '  annotations:',
      '    cert-manager.io/inject-ca-from: web/injected-cert',
      'webhooks:',
      '  - name: injected.example.com',
      '    admissionReviewVersions: ["v1"]',
      '    sideEffects: None',
      '    clientConfig:',
      '      service: {name: injected, namespace: web}',
      `      caBundle: ${Buffer.from(caPem).toString('base64')}`,
      '',
    ].join('\n'),
  );
  c = await start(cluster.dir, { rootDir: '${workspaceFolder}' });
});

after(async () => {
  if (c) await c.shutdown().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const pki = (rel) => path.join(cluster.paths.pki, rel);

test('kubePki/rotate/plan previews stage 1 of the etcd CA with its checks and no key material; /apply writes it', async () => {
  const preview = await c.request('kubePki/rotate/plan', { ca: 'etcd', keyType: 'ecdsa-p256' });
  assert.equal(preview.error, undefined, JSON.stringify(preview));
  assert.equal(preview.current, 0);
  assert.equal(preview.stage, 1);
  assert.match(preview.planId, /^[0-9a-f]{16}$/);
  assert.deepEqual(preview.sites, [pki('etcd/ca.crt')]);
  assert.deepEqual(preview.files.map((f) => [f.path, f.replace, f.mode]).sort(), [
    [pki('etcd/ca-new.crt'), false, 0o644],
    [pki('etcd/ca-new.key'), false, 0o600],
    [pki('etcd/ca.crt'), true, 0o644],
  ]);
  assert.ok(preview.connectionsChecked >= 5, `${preview.connectionsChecked} connections`);
  assert.deepEqual(preview.broken, []);
  assert.deepEqual(preview.newErrors, []);
  assert.ok(
    preview.restart.some((r) => r.startsWith('etcd (')),
    JSON.stringify(preview.restart),
  );
  assert.doesNotMatch(JSON.stringify(preview), /PRIVATE KEY|BEGIN/);

  const result = await c.request('kubePki/rotate/apply', { planId: preview.planId });
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal((await stat(pki('etcd/ca-new.key'))).mode & 0o777, 0o600);
  assert.equal((await readFile(pki('etcd/ca.crt'), 'utf8')).match(/BEGIN CERTIFICATE/g).length, 2);
  // A plan is applied once.
  const again = await c.request('kubePki/rotate/apply', { planId: preview.planId });
  assert.equal(again.ok, false);
  assert.match(again.error, /no longer known/);
});

test('kubePki/rotate/plan refuses stage 3 right after stage 1, naming the connections, with no plan id', async () => {
  const before = await readFile(pki('etcd/ca.crt'), 'utf8');
  const preview = await c.request('kubePki/rotate/plan', { ca: 'etcd', stage: 3 });
  assert.equal(preview.current, 1);
  assert.equal(preview.planId, undefined);
  assert.ok(
    preview.broken.some((b) => /^kube-apiserver .* -> etcd /.test(b.connection) && /x509: certificate signed by unknown authority/.test(b.message)),
    JSON.stringify(preview.broken),
  );
  assert.match(preview.refusal, /stage 3 skips stage 2/);
  assert.equal(await readFile(pki('etcd/ca.crt'), 'utf8'), before);
});

test('kubePki/rotate/plan of the cluster CA rewrites kube-root-ca.crt in place and leaves an injected caBundle to its controller', async () => {
  const manifest = path.join(cluster.dir, 'objects', 'objects.yaml');
  const preview = await c.request('kubePki/rotate/plan', { ca: 'cluster', keyType: 'ecdsa-p256' });
  assert.equal(preview.error, undefined, JSON.stringify(preview));
  assert.equal(preview.stage, 1);
  const file = preview.files.find((f) => f.path === manifest);
  assert.ok(file, JSON.stringify(preview.files.map((f) => f.path)));
  assert.match(file.summary, /^ConfigMap default\/kube-root-ca\.crt data\.ca\.crt: old CA \(serial [0-9A-F]+\) \+ new CA \(serial [0-9A-F]+\)$/);
  assert.deepEqual(
    preview.refilled.map((r) => /MutatingWebhookConfiguration injected is written at run time by cert-manager's cainjector/.test(r)),
    [true],
  );
  assert.deepEqual(preview.broken, []);
});

test('kubePki/rotate/plan: an unknown CA is an error; in Restricted Mode nothing is planned', async () => {
  const bad = await c.request('kubePki/rotate/plan', { ca: 'etcdd' });
  assert.match(bad.error, /unknown CA 'etcdd'/);
  const restricted = await start(cluster.dir, {}, { initializationOptions: { trusted: false } });
  try {
    const r = await restricted.request('kubePki/rotate/plan', { ca: 'etcd' });
    assert.match(r.error, /untrusted workspace/);
    assert.equal(r.planId, undefined);
  } finally {
    await restricted.shutdown().catch(() => undefined);
  }
});
