// The language server on a big workspace (a GitOps repository with node trees among thousands of workloads): an
// opened file's diagnostics do not wait for the whole index; requests are answered while it runs; it reports
// `$/progress` with a percentage; what a limit leaves out is in the summary and the log; and a burst of file
// events (a checkout) is handled in one pass.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCluster } from './helpers/cluster.mjs';
import { cleanup, tempDir } from './helpers/engine.mjs';
import { start, uriOf } from './helpers/lsp-client.mjs';

const FILLER_APPS = 5000; // four files each: 20,000 candidate files, and the node tree beyond them (over the old bound of 20,000)

let dir;
let cluster;

function filler(root, apps, prefix = 'apps') {
  for (let i = 0; i < apps; i++) {
    const d = path.join(root, prefix, `team-${i % 20}`, `app-${i}`);
    mkdirSync(d, { recursive: true });
    writeFileSync(
      path.join(d, 'deployment.yaml'),
      `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app-${i}}\nspec:\n  template:\n    spec:\n      containers: [{name: app, image: example/app:${i}}]\n`,
    );
    writeFileSync(path.join(d, 'service.yaml'), `apiVersion: v1\nkind: Service\nmetadata: {name: app-${i}}\nspec:\n  selector: {app: app-${i}}\n`);
    writeFileSync(path.join(d, 'configmap.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-${i}}\ndata: {A: b}\n`);
    writeFileSync(path.join(d, 'kustomization.yaml'), `resources: [deployment.yaml, service.yaml, configmap.yaml]\n`);
  }
}

before(async () => {
  dir = tempDir('kube-pki-lsp-indexing-');
  filler(dir, FILLER_APPS);
  // After apps/ by name: a walk that stopped early by name would never reach it.
  cluster = await buildCluster(path.join(dir, 'zz-clusters', 'cp1'), { defects: ['admin-untrusted', 'apiserver-san-missing'] });
});

after(() => cleanup(dir));

const indexedLog = (c) => c.logs.find((l) => /indexed \d+ candidate files/.test(l.message));

test("an opened node-tree file is published before the workspace's index ends, with the findings other files of its tree prove", async () => {
  const c = await start(dir, {}, { workDoneProgress: true });
  try {
    const admin = cluster.files['admin.conf'];
    const text = await import('node:fs/promises').then((m) => m.readFile(admin, 'utf8'));
    await c.open(admin, text);
    const expected = cluster.defects.filter((d) => d.file === admin).map((d) => `${d.code}@${d.line}`);
    assert.ok(expected.length >= 2, JSON.stringify(cluster.defects));
    const first = await c.waitForPublish(uriOf(admin), 0, (diags) => diags.length > 0, 30_000);
    const firstAt = first.at;
    assert.deepEqual(
      first.diagnostics
        .filter((d) => d.severity === 1)
        .map((d) => `${d.code}@${d.range.start.line}`)
        .sort(),
      expected.sort(),
      'the first publish already holds what the apiserver manifest of its tree proves',
    );
    // Published before the index ended; a request during the index is answered before it ends.
    assert.equal(indexedLog(c), undefined, `the index ended before the first publish: ${c.logs.map((l) => l.message).join('\n')}`);
    await c.request('textDocument/hover', { textDocument: { uri: uriOf(admin) }, position: { line: 0, character: 1 } });
    assert.equal(indexedLog(c), undefined, 'the hover was answered while the index ran');
    await c.waitUntil(
      () => indexedLog(c),
      60_000,
      () => 'the index to end',
    );
    assert.ok(Date.now() >= firstAt);
    // Progress: a token created, begin, reports with a percentage, end.
    const token = c.progressTokens[0];
    assert.ok(token !== undefined, 'window/workDoneProgress/create was asked');
    await c.waitUntil(
      () => c.progress.some((p) => p.token === token && p.value.kind === 'end'),
      10_000,
      () => 'the end of the progress',
    );
    const kinds = c.progress.filter((p) => p.token === token).map((p) => p.value.kind);
    assert.equal(kinds[0], 'begin');
    assert.equal(kinds.at(-1), 'end');
    const percentages = c.progress.filter((p) => p.token === token && p.value.kind === 'report' && typeof p.value.percentage === 'number');
    assert.ok(
      percentages.some((p) => p.value.percentage > 0 && p.value.percentage <= 100),
      JSON.stringify(percentages.slice(0, 5).map((p) => p.value)),
    );
    // The whole workspace counted once the index is in: nothing noted as left out.
    const s = await c.summary();
    assert.equal(s.limits, undefined);
    assert.ok(s.errors >= expected.length);
  } finally {
    await c.shutdown();
  }
});

test("a keystroke's diagnostics are published while the workspace's index still runs: the index waits for them", async () => {
  const c = await start(dir, {}, {});
  try {
    const admin = cluster.files['admin.conf'];
    const text = await import('node:fs/promises').then((m) => m.readFile(admin, 'utf8'));
    await c.open(admin, text);
    const expected = cluster.defects.filter((d) => d.file === admin).map((d) => `${d.code}@${d.line + 1}`);
    await c.waitForPublish(uriOf(admin), 0, (diags) => diags.length > 0, 30_000);
    assert.equal(indexedLog(c), undefined, 'the index ended before the first publish');
    // A line typed above everything: the same findings, one line lower, published for that version.
    const since = c.publishes.length;
    const version = await c.edit(admin, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '# typed\n');
    const p = await c.waitForPublish(uriOf(admin), since, (_, params) => params.version === version, 30_000);
    assert.equal(indexedLog(c), undefined, `the keystroke waited for the index: ${c.logs.map((l) => l.message).join('\n')}`);
    assert.deepEqual(
      p.diagnostics
        .filter((d) => d.severity === 1)
        .map((d) => `${d.code}@${d.range.start.line}`)
        .sort(),
      expected.sort(),
    );
    await c.waitUntil(
      () => indexedLog(c),
      60_000,
      () => 'the index to end',
    );
  } finally {
    await c.shutdown();
  }
});

test('kubePki.maxFiles stops the index: the summary and the log say so, naming the setting', async () => {
  const c = await start(dir, { maxFiles: 100 });
  try {
    await c.waitUntil(
      () => indexedLog(c),
      60_000,
      () => 'the index to end',
    );
    const s = await c.summary();
    assert.equal(s.limits?.length, 1, JSON.stringify(s));
    assert.match(s.limits[0], /indexing stopped after 100 candidate files, the kubePki\.maxFiles setting; the files after .*apps.* are not checked/);
    const warned = c.logs.find((l) => l.type === 2 && /stopped after 100 candidate files/.test(l.message));
    assert.ok(warned, 'a warning in the output');
    // The node tree beyond the bound is not read: its errors are not counted.
    assert.equal(s.errors, 0);
    const pushed = await c.waitForSummary((x) => x.limits?.length === 1, 10_000);
    assert.match(pushed.limits[0], /kubePki\.maxFiles/);
  } finally {
    await c.shutdown();
  }
});

test('a burst of file events (a checkout writing thousands of files) is handled in one pass', async () => {
  const c = await start(dir, {});
  const burst = tempDir('kube-pki-burst-');
  try {
    await c.waitUntil(
      () => indexedLog(c),
      60_000,
      () => 'the index to end',
    );
    const s0 = await c.summary();
    // 1,250 apps (5,000 files) and one broken kubeconfig appear at once.
    const root = path.join(dir, 'checkout');
    filler(dir, 1250, 'checkout');
    const kubeconfig = path.join(root, 'ops', 'ops.conf');
    mkdirSync(path.dirname(kubeconfig), { recursive: true });
    writeFileSync(
      kubeconfig,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://10.0.0.1:6443"}\nusers:\n- name: u\n  user:\n    client-certificate: ./missing.crt\n    client-key: ./missing.key\ncontexts:\n- name: c\n  context: {cluster: c, user: u}\ncurrent-context: c\n',
    );
    const changes = [];
    for (let i = 0; i < 1250; i++)
      for (const f of ['deployment.yaml', 'service.yaml', 'configmap.yaml', 'kustomization.yaml'])
        changes.push({ file: path.join(root, `team-${i % 20}`, `app-${i}`, f), type: 1 });
    changes.push({ file: kubeconfig, type: 1 });
    const t0 = Date.now();
    await c.filesChanged(changes);
    const s1 = await c.waitForSummary((x) => x.errors > s0.errors, 60_000);
    assert.ok(s1.files > s0.files, `${s0.files} -> ${s1.files}`);
    assert.ok(
      c.logs.some((l) => /5001 file events handled together/.test(l.message)),
      c.logs.map((l) => l.message).join('\n'),
    );
    // Requests are still answered quickly afterwards.
    const t1 = Date.now();
    await c.request('textDocument/hover', { textDocument: { uri: uriOf(kubeconfig) }, position: { line: 0, character: 1 } });
    assert.ok(Date.now() - t1 < 5000, `hover took ${Date.now() - t1} ms (burst handled in ${t1 - t0} ms)`);
  } finally {
    await c.shutdown();
    cleanup(burst);
  }
});
