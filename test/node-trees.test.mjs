// Several node trees in one workspace: copies of two clusters' control-plane nodes (or one cluster before and
// after a rebuild) that share a node name and an address, each with its own CAs. A kubeconfig talks to the
// apiserver of its own tree: nothing of one tree is judged against the other's CAs, and `generate --fix`
// re-issues a tree's certificates with that tree's CA only. Run `node esbuild.js` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCluster } from './helpers/cluster.mjs';
import { tempDir, cleanup } from './helpers/engine.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let root;
let a;
let b;

const cli = (...args) =>
  spawnSync(process.execPath, [CLI, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 120_000 });

/** SHA-256 of every file below dir, by relative path. */
function hashes(dir) {
  const out = {};
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[path.relative(dir, p)] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

before(async () => {
  root = tempDir('kube-pki-trees-');
  // The same node name and advertise address in both trees; reuseKeys: false gives each tree its own CA keys.
  a = await buildCluster(path.join(root, 'cluster-a'), { reuseKeys: false, defects: ['controller-manager-expired', 'admin-org-typo'] });
  b = await buildCluster(path.join(root, 'cluster-b'), { reuseKeys: false });
});

after(() => cleanup(root));

test('two node trees with one node name and address: each kubeconfig is judged against its own tree, only the planted defects are found', () => {
  const r = cli('check', '--format', 'json', '.');
  assert.equal(r.status, 1, r.stderr);
  // JSON findings: file relative to the working folder, 1-based lines.
  const got = JSON.parse(r.stdout)
    .map((f) => `${f.file}:${f.line - 1}:${f.code}`)
    .sort();
  const want = a.defects.map((d) => `${path.relative(root, d.file)}:${d.line}:${d.code}`).sort();
  assert.deepEqual(got, want);
});

test("generate --fix re-issues what is wrong in one tree with that tree's CA and leaves the other tree as it was", () => {
  const before = hashes(b.dir);
  const r = cli('generate', '--fix', '.');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.deepEqual(hashes(b.dir), before, 'cluster-b is untouched');
  assert.match(r.stdout, /cluster-a\/etc\/kubernetes\/admin\.conf/);
  assert.match(r.stdout, /cluster-a\/etc\/kubernetes\/controller-manager\.conf/);
  const after = cli('check', '.');
  assert.equal(after.status, 0, after.stdout + after.stderr);
  assert.match(after.stdout, /^0 errors, 0 warnings, 0 infos in \d+ files$/m);
  // What was re-issued verifies against cluster-a's CA, with openssl.
  const conf = readFileSync(path.join(a.paths.etcKubernetes, 'admin.conf'), 'utf8');
  const pem = Buffer.from(/client-certificate-data: (\S+)/.exec(conf)[1], 'base64').toString();
  const v = spawnSync('openssl', ['verify', '-CAfile', a.files['pki/ca.crt']], { input: pem, encoding: 'utf8' });
  assert.equal(v.status, 0, v.stdout + v.stderr);
  const w = spawnSync('openssl', ['verify', '-CAfile', b.files['pki/ca.crt']], { input: pem, encoding: 'utf8' });
  assert.notEqual(w.status, 0, "not signed by cluster-b's CA");
});
