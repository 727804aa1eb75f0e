// Size limits: configs (kubeconfigs, manifests, kubelet configs) up to MAX_CONFIG_BYTES (16 MB) are checked
// (a kubeconfig with a thousand users and RSA keys is ~5.5 MB), certificate and key files up to
// MAX_FILE_BYTES (5 MB); anything bigger gets a clear message, never a hang: in the engine, the CLI and over
// the LSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { E, tempDir, write, b64, ca, leaf, cleanup, kubeconfig } from './helpers/engine.mjs';
import { start } from './helpers/lsp-client.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let dir;
let bigConfig;
let rootCA;
let dev;

/** A kubeconfig of `users` users holding the same inline certificate and key: about 1.2 KB a user. */
function manyUsers(users) {
  const head = kubeconfig({ caPem: rootCA.certPem, certPem: dev.certPem, keyPem: dev.key.privateKeyPem, user: 'user-0' });
  const entries = [];
  for (let i = 1; i < users; i++) {
    entries.push(
      `- name: user-${i}`,
      '  user:',
      `    client-certificate-data: ${b64(dev.certPem)}`,
      `    client-key-data: ${b64(dev.key.privateKeyPem)}`,
    );
  }
  return `${head}${entries.join('\n')}\n`;
}

before(async () => {
  dir = tempDir('kube-pki-limits-');
  rootCA = await ca('kubernetes');
  dev = await leaf(rootCA, { commonName: 'dev', organizations: ['developers'] });
  bigConfig = manyUsers(5500);
});
after(() => cleanup(dir));

test('a kubeconfig over the 5 MB of certificate files is still checked, in full', () => {
  assert.ok(bigConfig.length > 6 * 1024 * 1024, `${bigConfig.length} bytes`);
  const text = bigConfig.replace(/(- name: user-5000\n  user:\n    client-certificate-data: )\S+/, `$1${b64(rootCA.certPem)}`);
  const file = write(dir, 'engine/ci.kubeconfig', text);
  const engine = new E.Engine(E.nodeFileSystem(), { searchRoots: [path.dirname(file)] });
  assert.equal(engine.updateDocument(file, text), true);
  const findings = engine.check(file);
  // user-5000 holds the CA's certificate with dev's key: found among 5,500 users.
  assert.ok(
    findings.some((f) => f.code === 'key-mismatch'),
    JSON.stringify(findings.map((f) => f.code)),
  );
});

test('a document over 16 MB is not parsed, and says so when it reads like a config', () => {
  const engine = new E.Engine(E.nodeFileSystem(), {});
  const huge = `apiVersion: v1\nkind: Config\nusers:\n${'- name: x\n'.repeat(1_800_000)}`;
  assert.ok(huge.length > 16 * 1024 * 1024);
  assert.equal(engine.updateDocument('/x/huge.conf', huge), true);
  const [finding, ...rest] = engine.check('/x/huge.conf');
  assert.deepEqual(rest, []);
  assert.equal(finding.code, 'file-unreadable');
  assert.deepEqual(finding.range.start, { line: 0, character: 0 });
  assert.match(finding.message, /17\.\d MB, over the 16\.0 MB/);
  // Anything else that big is not ours: no findings at all.
  assert.equal(engine.updateDocument('/x/log.yaml', 'x'.repeat(17 * 1024 * 1024)), false);
  assert.deepEqual(engine.check('/x/log.yaml'), []);
});

test('the CLI: a 6 MB kubeconfig in a folder is checked; a 50 MB file is refused with a message, given by name or found in a folder', () => {
  const d = path.join(dir, 'cli');
  write(d, 'ci.kubeconfig', bigConfig);
  const r1 = spawnSync(process.execPath, [CLI, 'check', d, '--format', 'json'], { encoding: 'utf8' });
  assert.equal(r1.status, 0, r1.stderr);
  assert.deepEqual(JSON.parse(r1.stdout), []);

  const big = write(d, 'big.yaml', '');
  truncateSync(big, 50 * 1024 * 1024);
  const r2 = spawnSync(process.execPath, [CLI, 'check', big], { encoding: 'utf8' });
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /big\.yaml: is 52428800 bytes, over the 16777216-byte limit/);
  const r3 = spawnSync(process.execPath, [CLI, 'check', d], { encoding: 'utf8' });
  assert.equal(r3.status, 0, r3.stderr);
  assert.match(r3.stderr, /note: .*big\.yaml is 50\.0 MB, over the 16 MB limit for configs; not checked/);
  assert.match(r3.stdout, /in 1 file/);
});

test('the language server: an open document over 16 MB gets one diagnostic saying why it is not checked', async () => {
  const d = path.join(dir, 'lsp');
  const file = write(d, 'ci.kubeconfig', 'apiVersion: v1\nkind: Config\n');
  const c = await start(d, {});
  try {
    const uri = await c.open(file, `apiVersion: v1\nkind: Config\nusers:\n${'- name: x\n'.repeat(1_800_000)}`);
    const diags = await c.waitForDiagnostics(uri, (ds) => ds.length > 0, 30_000);
    assert.deepEqual(
      diags.map((x) => [x.code, x.range.start.line]),
      [['file-unreadable', 0]],
    );
    assert.match(diags[0].message, /over the 16\.0 MB/);
    // Back under the limit: checked as usual.
    await c.change(file, bigConfig);
    await c.waitForDiagnostics(uri, (ds) => ds.length === 0, 30_000);
    const s = await c.summary();
    assert.equal(s.errors, 0);
  } finally {
    await c.shutdown();
  }
  writeFileSync(file, '');
});
