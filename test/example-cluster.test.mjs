// The example cluster: what `npm run example` writes (examples/make-example.mjs) and what the editor's
// "Kube PKI: Open Example Cluster" asks the language server for (kubePki/example/create), both the engine's
// generate.buildExampleCluster written by its atomic writer. It must hold the node's files, its keys 0600,
// exactly the five planted mistakes where its marker (and examples/README.md) says, and it never writes into a
// folder that has files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { start } from './helpers/lsp-client.mjs';

const require = createRequire(import.meta.url);
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const engine = require(path.join(repo, 'dist', 'engine.js'));
const CLI = path.join(repo, 'dist', 'cli.js');

let tmp;
let tree;
const NOW = new Date('2026-03-01T12:00:00Z');

before(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kube-pki-example-cluster-'));
  tree = await engine.generate.buildExampleCluster({ now: NOW, generatedBy: 'test' });
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function walk(dir, base = dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out.sort();
}

/** The CLI's findings over a folder, at the example's instant: [{code, file (relative), line (1-based)}]. */
function check(dir) {
  const r = spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'json', '--now', NOW.toISOString()], { encoding: 'utf8', cwd: dir });
  assert.equal(r.status, 1, r.stderr);
  // The JSON names files relative to the current folder, lines 1-based.
  return JSON.parse(r.stdout).map((f) => ({ code: f.code, file: f.file.split(path.sep).join('/'), line: f.line }));
}

test('the example is a kubeadm node tree with its keys 0600 and exactly the five planted findings (and the apiserver side of the SAN)', () => {
  const dir = path.join(tmp, 'new', 'kube-pki-example'); // its parent does not exist either
  const report = engine.generate.writeExampleCluster(dir, tree, { fs: engine.nodeFileSystem() });
  assert.equal(report.ok, true, JSON.stringify(report.error));
  const files = walk(dir);
  assert.deepEqual(files, tree.files.map((f) => f.path).sort());
  for (const f of [
    'etc/kubernetes/admin.conf',
    'etc/kubernetes/super-admin.conf',
    'etc/kubernetes/controller-manager.conf',
    'etc/kubernetes/scheduler.conf',
    'etc/kubernetes/kubelet.conf',
    'etc/kubernetes/manifests/kube-apiserver.yaml',
    'etc/kubernetes/manifests/etcd.yaml',
    'etc/kubernetes/pki/ca.crt',
    'etc/kubernetes/pki/etcd/server.key',
    'etc/kubernetes/pki/sa.pub',
    'var/lib/kubelet/config.yaml',
    'var/lib/kubelet/pki/kubelet-client-current.pem',
    '.kube-pki-example.json',
  ]) {
    assert.ok(files.includes(f), `${f} is missing`);
  }
  for (const f of files) {
    const mode = statSync(path.join(dir, f)).mode & 0o777;
    const text = readFileSync(path.join(dir, f), 'utf8');
    if (/PRIVATE KEY/.test(text)) assert.equal(mode, 0o600, `${f} holds a private key and is ${mode.toString(8)}`);
  }
  assert.equal(statSync(path.join(dir, 'etc/kubernetes/pki/ca.crt')).mode & 0o777, 0o644);

  const marker = JSON.parse(readFileSync(path.join(dir, '.kube-pki-example.json'), 'utf8'));
  assert.equal(marker.generatedAt, NOW.toISOString());
  assert.doesNotMatch(JSON.stringify(marker), /PRIVATE KEY/);
  const planted = marker.expected.map((e) => `${e.code} ${e.file}:${e.line}`);
  // examples/README.md's table of the five.
  assert.deepEqual(planted, [
    'san-missing etc/kubernetes/admin.conf:5',
    'org-mismatch etc/kubernetes/admin.conf:18',
    'cn-mismatch etc/kubernetes/scheduler.conf:18',
    'cert-expired etc/kubernetes/controller-manager.conf:18',
    'untrusted-issuer etc/kubernetes/kubelet.conf:18',
  ]);
  const found = check(dir)
    .map((f) => `${f.code} ${f.file}:${f.line}`)
    .sort();
  assert.deepEqual(found, [...planted, 'san-missing etc/kubernetes/manifests/kube-apiserver.yaml:41'].sort());
});

test('the example goes into an empty folder, never into one with files: nothing is written there', () => {
  const empty = path.join(tmp, 'empty');
  mkdirSync(empty);
  assert.equal(engine.generate.writeExampleCluster(empty, tree, { fs: engine.nodeFileSystem() }).ok, true);

  const taken = path.join(tmp, 'taken');
  mkdirSync(taken);
  writeFileSync(path.join(taken, 'notes.txt'), 'mine\n');
  const report = engine.generate.writeExampleCluster(taken, tree, { fs: engine.nodeFileSystem() });
  assert.equal(report.ok, false);
  assert.match(report.error.message, /is not empty; .*nothing was written/);
  assert.deepEqual(readdirSync(taken), ['notes.txt']);
  assert.equal(readFileSync(path.join(taken, 'notes.txt'), 'utf8'), 'mine\n');

  const file = path.join(tmp, 'a-file');
  writeFileSync(file, 'x');
  const onFile = engine.generate.writeExampleCluster(file, tree, { fs: engine.nodeFileSystem() });
  assert.equal(onFile.ok, false);
  assert.match(onFile.error.message, /not a folder/);
  assert.equal(readFileSync(file, 'utf8'), 'x');
});

test('npm run example: make-example.mjs writes the same tree and keeps an existing one', () => {
  const out = path.join(tmp, 'made');
  const r = spawnSync(process.execPath, [path.join(repo, 'examples', 'make-example.mjs'), '--out', out, '--now', NOW.toISOString()], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /with 5 planted defects/);
  assert.deepEqual(walk(out), tree.files.map((f) => f.path).sort());
  assert.equal(JSON.parse(readFileSync(path.join(out, '.kube-pki-example.json'), 'utf8')).generatedBy, 'examples/make-example.mjs');
  const again = spawnSync(process.execPath, [path.join(repo, 'examples', 'make-example.mjs'), '--out', out], { encoding: 'utf8' });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /already exists .*keeping it/);
});

test(
  'kubePki/example/create writes the example into a new folder, also in Restricted Mode, and refuses a folder with files',
  { timeout: 120_000 },
  async () => {
    const ws = path.join(tmp, 'workspace');
    mkdirSync(ws);
    const c = await start(ws, {}, { initializationOptions: { trusted: false } });
    try {
      const folder = path.join(tmp, 'from-the-editor', 'kube-pki-example');
      const result = await c.request('kubePki/example/create', { folder });
      assert.equal(result.ok, true, result.error);
      assert.equal(result.folder, folder);
      assert.deepEqual(result.written.map((p) => path.relative(folder, p).split(path.sep).join('/')).sort(), walk(folder));
      assert.deepEqual(
        result.expected.map((e) => e.code),
        ['san-missing', 'org-mismatch', 'cn-mismatch', 'cert-expired', 'untrusted-issuer'],
      );
      assert.doesNotMatch(JSON.stringify(result), /PRIVATE KEY/);

      const again = await c.request('kubePki/example/create', { folder });
      assert.equal(again.ok, false);
      assert.match(again.error, /is not empty/);
      assert.deepEqual(again.written, []);

      const relative = await c.request('kubePki/example/create', { folder: 'kube-pki-example' });
      assert.equal(relative.ok, false);
      assert.match(relative.error, /absolute/);
      assert.equal(existsSync(path.join(ws, 'kube-pki-example')), false);
    } finally {
      await c.shutdown();
    }
  },
);
