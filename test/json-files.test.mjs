// JSON files: kubeconfigs as `kubectl config view --raw -o json` writes them and static pods the kubelet reads
// from `*.json` in its staticPodPath, recognised by content and judged like their YAML twins, with findings on
// the JSON value's own characters (escapes such as "\/" and "\u002f" included). Discovery reads a JSON file only
// when its name or first bytes say it can be one: package.json, tsconfig.json and big data files are never read.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, writeFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { buildCluster, loadEngine } from './helpers/cluster.mjs';

const E = loadEngine();
const CLI = path.resolve('dist/cli.js');
let work;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kube-pki-json-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

function check(dir, now) {
  const fs = E.nodeFileSystem();
  const engine = new E.Engine(fs, { searchRoots: [dir], now });
  for (const f of E.discoverFiles(fs, [dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
  return { engine, findings: engine.documents().flatMap((f) => engine.check(f)) };
}

const show = (dir, fs) => fs.map((f) => `${path.relative(dir, f.file)}:${f.range.start.line + 1} ${f.code}`).join('\n');

/** `kubectl ... -o json`: two-space indentation; `slashes` writes "/" as "\/" (Go's and PHP's encoders may). */
function toJson(yamlText, { slashes = false } = {}) {
  const json = JSON.stringify(parseYaml(yamlText), null, 2) + '\n';
  return slashes ? json.replace(/\//g, '\\/') : json;
}

/** Replaces a YAML file of the tree by its JSON form at `rel`. */
function convert(c, from, rel, options) {
  const src = path.join(c.dir, from);
  const text = toJson(readFileSync(src, 'utf8'), options);
  unlinkSync(src);
  const file = path.join(c.dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return { file, text };
}

/** The finding's characters in the file. */
function spanText(text, f) {
  const lines = text.split('\n');
  assert.equal(f.range.start.line, f.range.end.line, 'one line');
  return lines[f.range.start.line].slice(f.range.start.character, f.range.end.character);
}

const MANIFESTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'];

describe('JSON static pods (*.json in the manifests folder)', () => {
  test('healthy: the four static pods as JSON: no finding', async () => {
    const c = await buildCluster(path.join(work, 'pods-ok'), { keyType: 'ecdsa-p256' });
    for (const m of MANIFESTS) convert(c, `etc/kubernetes/manifests/${m}.yaml`, `etc/kubernetes/manifests/${m}.json`);
    const { engine, findings } = check(c.dir, c.now);
    assert.equal(show(c.dir, findings), '');
    assert.ok(engine.isRecognised(path.join(c.dir, 'etc/kubernetes/manifests/kube-apiserver.json')));
  });

  for (const slashes of [false, true]) {
    test(`key-mismatch on the --tls-private-key-file item, the span on its value${slashes ? ' spelled with "\\/"' : ''}`, async () => {
      const c = await buildCluster(path.join(work, `pods-bad-${slashes}`), { keyType: 'ecdsa-p256', defects: ['apiserver-key-mismatch'] });
      let api;
      for (const m of MANIFESTS) {
        const r = convert(c, `etc/kubernetes/manifests/${m}.yaml`, `etc/kubernetes/manifests/${m}.json`, { slashes });
        if (m === 'kube-apiserver') api = r;
      }
      const { findings } = check(c.dir, c.now);
      const line = api.text.split('\n').findIndex((l) => l.includes('--tls-private-key-file='));
      const hit = findings.find((f) => f.file === api.file && f.code === 'key-mismatch');
      assert.ok(hit, show(c.dir, findings));
      assert.equal(hit.range.start.line, line);
      assert.equal(spanText(api.text, hit), slashes ? '\\/etc\\/kubernetes\\/pki\\/apiserver.key' : '/etc/kubernetes/pki/apiserver.key');
      assert.deepEqual([...new Set(findings.map((f) => f.code))], ['key-mismatch'], show(c.dir, findings));
    });
  }
});

test('a JSON static pod starting the binary through /bin/sh -c, its script spelled with "\\/": the span covers the escaped value', async () => {
  const c = await buildCluster(path.join(work, 'pods-sh'), { keyType: 'ecdsa-p256', defects: ['apiserver-key-mismatch'] });
  const src = path.join(c.dir, 'etc/kubernetes/manifests/kube-apiserver.yaml');
  const pod = parseYaml(readFileSync(src, 'utf8'));
  const [, ...flags] = pod.spec.containers[0].command;
  pod.spec.containers[0].command = ['/bin/sh', '-c', `exec /usr/local/bin/kube-apiserver ${flags.join(' ')} 1>>/var/log/kube-apiserver.log 2>&1`];
  unlinkSync(src);
  const file = path.join(c.dir, 'etc/kubernetes/manifests/kube-apiserver.json');
  const text = JSON.stringify(pod, null, 2).replace(/\//g, '\\/') + '\n';
  writeFileSync(file, text);
  const { findings } = check(c.dir, c.now);
  const hit = findings.find((f) => f.file === file && f.code === 'key-mismatch');
  assert.ok(hit, show(c.dir, findings));
  assert.equal(spanText(text, hit), '\\/etc\\/kubernetes\\/pki\\/apiserver.key');
});

describe('JSON kubeconfigs (kubectl config view --raw -o json)', () => {
  test('healthy: admin.conf and the other kubeconfigs as JSON: no finding', async () => {
    const c = await buildCluster(path.join(work, 'kc-ok'), { keyType: 'ecdsa-p256' });
    // The files the static pods name keep their names (kubectl writes JSON into any file); admin.conf gets a new one.
    for (const k of ['controller-manager', 'scheduler', 'kubelet']) convert(c, `etc/kubernetes/${k}.conf`, `etc/kubernetes/${k}.conf`);
    convert(c, 'etc/kubernetes/admin.conf', 'etc/kubernetes/admin.json');
    const { engine, findings } = check(c.dir, c.now);
    assert.equal(show(c.dir, findings), '');
    for (const k of ['admin.json', 'controller-manager.conf', 'scheduler.conf'])
      assert.ok(engine.isRecognised(path.join(c.dir, 'etc/kubernetes', k)), k);
  });

  test("a client certificate from another CA: untrusted-issuer on the JSON string's exact range", async () => {
    const c = await buildCluster(path.join(work, 'kc-bad'), { keyType: 'ecdsa-p256', defects: ['admin-untrusted'] });
    const kc = convert(c, 'etc/kubernetes/admin.conf', 'home/ops/admin-kubeconfig.json');
    const { findings } = check(c.dir, c.now);
    const hit = findings.find((f) => f.file === kc.file && f.code === 'untrusted-issuer');
    assert.ok(hit, show(c.dir, findings));
    const line = kc.text.split('\n').findIndex((l) => l.includes('"client-certificate-data"'));
    assert.equal(hit.range.start.line, line);
    assert.match(spanText(kc.text, hit), /^"LS0t[A-Za-z0-9+/=]+"$/);
  });

  test('a path spelled with escapes ("\\u002f", "\\/"): file-not-found covers the escaped string in the source', async () => {
    const c = await buildCluster(path.join(work, 'kc-escaped'), { keyType: 'ecdsa-p256' });
    const obj = parseYaml(readFileSync(path.join(c.dir, 'etc/kubernetes/admin.conf'), 'utf8'));
    delete obj.users[0].user['client-key-data'];
    obj.users[0].user['client-key'] = 'KEYPATH';
    const text = JSON.stringify(obj, null, 2).replace('"KEYPATH"', '"\\u002fetc\\/kubernetes\\/pki\\/missing\\u002ekey"') + '\n';
    const file = path.join(c.dir, 'etc/kubernetes/admin.conf');
    writeFileSync(file, text);
    const { findings } = check(c.dir, c.now);
    const hit = findings.find((f) => f.file === file && f.code === 'file-not-found');
    assert.ok(hit, show(c.dir, findings));
    assert.equal(spanText(text, hit), '"\\u002fetc\\/kubernetes\\/pki\\/missing\\u002ekey"');
    assert.match(hit.message, /\/etc\/kubernetes\/pki\/missing\.key/);
  });

  test('the CLI checks a JSON kubeconfig given by name: exit 1, the code on its line', async () => {
    const c = await buildCluster(path.join(work, 'kc-cli'), { keyType: 'ecdsa-p256' });
    // The admin's certificate with the scheduler's key.
    const admin = parseYaml(readFileSync(path.join(c.dir, 'etc/kubernetes/admin.conf'), 'utf8'));
    const scheduler = parseYaml(readFileSync(path.join(c.dir, 'etc/kubernetes/scheduler.conf'), 'utf8'));
    admin.users[0].user['client-key-data'] = scheduler.users[0].user['client-key-data'];
    const kc = { file: path.join(c.dir, 'admin.json'), text: JSON.stringify(admin, null, 2) + '\n' };
    writeFileSync(kc.file, kc.text);
    let out = '';
    let status = 0;
    try {
      out = execFileSync(process.execPath, [CLI, 'check', kc.file, '--now', c.now.toISOString()], { cwd: c.dir, encoding: 'utf8' });
    } catch (err) {
      status = err.status;
      out = err.stdout;
    }
    assert.equal(status, 1, out);
    const line = kc.text.split('\n').findIndex((l) => l.includes('"client-key-data"')) + 1;
    assert.match(out, new RegExp(`admin\\.json:${line}:\\d+.*key-mismatch`), out);
  });
});

describe('discovery of JSON files', () => {
  test('package.json, tsconfig.json and a big JSON data file are never read nor recognised; a small kubeconfig is found by its first bytes', async () => {
    const dir = path.join(work, 'repo');
    const c = await buildCluster(path.join(dir, 'cluster'), { keyType: 'ecdsa-p256' });
    const kc = convert(c, 'etc/kubernetes/admin.conf', 'exports/prod.json');
    writeFileSync(
      path.join(dir, 'package.json'),
      JSON.stringify({ name: 'x', apiVersion: 'v1', kind: 'module', scripts: { build: 'tsc' } }, null, 2),
    );
    writeFileSync(path.join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
    // Starts like a kubeconfig, but far bigger than one: not read.
    const rows = Array.from({ length: 40000 }, (_, i) => ({ kind: 'Config', id: i, label: `row ${i}` }));
    writeFileSync(path.join(dir, 'data.json'), JSON.stringify({ kind: 'Config', apiVersion: 'v1', rows }));
    writeFileSync(path.join(dir, 'settings.json'), '{ "editor.tabSize": 2 }\n');
    const real = E.nodeFileSystem();
    const read = [];
    const fs = { ...real, stat: (p) => real.stat(p), readDir: (p) => real.readDir(p), readFile: (p, n) => (read.push(p), real.readFile(p, n)) };
    const found = E.discoverFiles(fs, [dir]);
    for (const name of ['package.json', 'tsconfig.json', 'data.json']) {
      assert.ok(!read.includes(path.join(dir, name)), `${name} was read`);
      assert.ok(!found.includes(path.join(dir, name)), `${name} was listed`);
    }
    assert.ok(!found.includes(path.join(dir, 'settings.json')), 'settings.json was listed');
    assert.ok(found.includes(kc.file), 'the JSON kubeconfig was not listed');
    const { engine, findings } = check(dir, c.now);
    assert.equal(show(dir, findings), '');
    assert.ok(engine.isRecognised(kc.file));
    // Opened in an editor, package.json is no document.
    assert.equal(engine.updateDocument(path.join(dir, 'package.json'), readFileSync(path.join(dir, 'package.json'), 'utf8')), false);
  });
});
