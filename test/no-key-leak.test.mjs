// Private keys never reach any output: the CLI (check text/json/sarif, generate --dry-run, verify) and the
// language server (diagnostics, hover on every line, CodeLens, document symbols, kubePki/decode, its log
// and stderr) over a generated kubeadm node tree with RSA and ECDSA keys, in key files, in
// kubelet-client-current.pem (certificate + key) and inline as kubeconfig client-key-data. Every base64 line
// of every key body, its first 16 characters, and the same of the base64 `client-key-data` values, are
// looked for in everything. Run `node esbuild.js` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import { mkdtemp, rm, readFile, readdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCluster } from './helpers/cluster.mjs';
import { start, uriOf } from './helpers/lsp-client.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(repo, 'dist', 'cli.js');

let tmp;
let cluster;
let files = [];
const needles = new Set();
const keyKinds = new Set();

async function walk(dir) {
  const out = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

// Public material (certificates, public keys: an RSA key holds its modulus, which the certificate also
// holds): a key fragment that also occurs in it proves nothing, so such fragments are not looked for.
let publicText = '';

function addPublic(text) {
  for (const m of text.matchAll(/-----BEGIN (CERTIFICATE|PUBLIC KEY|RSA PUBLIC KEY)-----([\s\S]*?)-----END/g))
    publicText += m[2].replace(/\s+/g, '') + '|';
}

function addKeyPem(text) {
  for (const m of text.matchAll(/-----BEGIN ([A-Z ]*)PRIVATE KEY-----([\s\S]*?)-----END [A-Z ]*PRIVATE KEY-----/g)) {
    keyKinds.add(m[1].trim() || 'PKCS8');
    try {
      const pub = createPublicKey(m[0]);
      addPublic(pub.export({ type: 'spki', format: 'pem' }));
      if (pub.asymmetricKeyType === 'rsa') addPublic(pub.export({ type: 'pkcs1', format: 'pem' }));
    } catch {
      // not a key node:crypto reads (the planted bad PEM): its fragments are still looked for
    }
    for (const line of m[2]
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length >= 16 && !l.includes(':'))) {
      needles.add(line);
      needles.add(line.slice(0, 16));
    }
  }
}

function addBase64(value) {
  for (let i = 0; i < value.length; i += 64) {
    const chunk = value.slice(i, i + 64);
    if (chunk.length >= 16) needles.add(chunk.slice(0, 16));
    if (chunk.length === 64) needles.add(chunk);
  }
  const pem = Buffer.from(value, 'base64').toString('latin1');
  addPublic(pem);
  addKeyPem(pem);
}

/** Fails with where the first key fragment appears (never printing the output itself). */
function assertNoKey(what, output) {
  for (const n of needles) {
    const at = output.indexOf(n);
    if (at >= 0) assert.fail(`${what}: key material found at offset ${at} (a fragment of ${n.length} characters)`);
  }
}

function cli(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout + r.stderr };
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-no-leak-'));
  cluster = await buildCluster(path.join(tmp, 'node'), {
    defects: ['apiserver-key-mismatch', 'admin-org-typo', 'controller-manager-expired', 'missing-file', 'weak-key'],
  });
  // An encrypted key and a key where a certificate is expected: both are reported, neither shown.
  const enc = spawnSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-aes-128-cbc', '-pass', 'pass:secret'], {
    encoding: 'utf8',
  });
  assert.equal(enc.status, 0, enc.stderr);
  await writeFile(path.join(cluster.dir, 'etc/kubernetes/pki/encrypted.key'), enc.stdout, { mode: 0o600 });
  files = await walk(cluster.dir);
  for (const f of files) {
    const text = await readFile(f, 'latin1');
    addPublic(text);
    addKeyPem(text);
    for (const m of text.matchAll(/client-key-data:\s*([A-Za-z0-9+/=]+)/g)) addBase64(m[1]);
    for (const m of text.matchAll(/(?:client-certificate|certificate-authority)-data:\s*([A-Za-z0-9+/=]+)/g)) {
      publicText += m[1] + '|';
      addPublic(Buffer.from(m[1], 'base64').toString('latin1'));
    }
    for (const m of text.matchAll(/-----BEGIN ENCRYPTED PRIVATE KEY-----([\s\S]*?)-----END/g)) {
      for (const line of m[1].split('\n').filter((l) => l.length >= 16)) needles.add(line.slice(0, 16));
    }
  }
  let dropped = 0;
  for (const n of [...needles]) {
    if (publicText.includes(n)) {
      needles.delete(n);
      dropped++;
    }
  }
  assert.ok(dropped < needles.size / 3, `${dropped} of the key fragments are public too, ${needles.size} left`);
  assert.ok(keyKinds.has('RSA'), `RSA keys in the tree: ${[...keyKinds]}`);
  assert.ok(keyKinds.has('EC'), `EC keys in the tree: ${[...keyKinds]}`);
  assert.ok(needles.size > 200, `${needles.size} key fragments`);
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('the tree has inline client-key-data, key files and a certificate+key file', async () => {
  const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
  assert.ok(texts.some((t) => /client-key-data: [A-Za-z0-9+/]{100,}/.test(t)));
  assert.ok(files.some((f) => f.endsWith('.key')));
  assert.ok(files.some((f) => f.endsWith('kubelet-client-current.pem')));
  // The search finds a key when there is one: every key file, every kubeconfig with client-key-data, and a
  // single body line of a key in the middle of other text.
  for (const [f, t] of files.map((f, i) => [f, texts[i]])) {
    if (/PRIVATE KEY-----|client-key-data: /.test(t)) assert.throws(() => assertNoKey(f, t), /key material found/, f);
  }
  const ecKey = texts.find((t) => t.includes('BEGIN EC PRIVATE KEY'));
  const line = ecKey.split('-----BEGIN EC PRIVATE KEY-----')[1].split('\n')[2];
  assert.throws(() => assertNoKey('one line', `hover text ${line} more`), /key material found/);
});

test('CLI: check (text, json, sarif), generate --dry-run and verify print no key material', () => {
  const node = path.join('node');
  const runs = {
    text: cli(['check', node, '--root', node]),
    json: cli(['check', node, '--root', node, '--format', 'json']),
    sarif: cli(['check', node, '--root', node, '--format', 'sarif']),
    generate: cli(['generate', node, '--root', node, '--dry-run', '--fix']),
    renew: cli(['generate', node, '--root', node, '--dry-run', '--renew']),
  };
  assert.equal(runs.text.code, 1);
  assert.match(runs.text.out, /key-mismatch/);
  assert.match(runs.text.out, /org-mismatch/);
  assert.ok(JSON.parse(runs.json.out.slice(runs.json.out.indexOf('['))).length > 0);
  assert.match(runs.generate.out, /private key|key/);
  const pem = path.relative(tmp, cluster.files['kubelet-client-current.pem']);
  const ca = path.relative(tmp, cluster.files['pki/ca.crt']);
  runs.verify = cli(['verify', pem, '--ca', ca, '--usage', 'client']);
  assert.equal(runs.verify.code, 0, runs.verify.out);
  runs.verifyJson = cli(['verify', pem, '--ca', ca, '--host', 'nope', '--format', 'json']);
  const keyFile = path.relative(
    tmp,
    files.find((f) => f.endsWith('.key') && !f.endsWith('encrypted.key')),
  );
  runs.verifyKey = cli(['verify', keyFile, '--ca', keyFile]);
  assert.equal(runs.verifyKey.code, 2);
  for (const [name, r] of Object.entries(runs)) assertNoKey(`kube-pki ${name}`, r.out);
});

test('language server: diagnostics, hovers on every line, CodeLens, symbols, decode, log and stderr hold no key material', async () => {
  const c = await start(cluster.dir, { rootDir: '${workspaceFolder}' });
  const seen = [];
  try {
    await c.summary();
    let opened = 0;
    for (const f of files) {
      const text = await readFile(f, 'utf8');
      const languageId = /\.(ya?ml|conf)$|kubeconfig$/.test(f) ? 'yaml' : 'pem';
      const uri = await c.open(f, text, languageId);
      opened++;
      const lines = text.split('\n');
      for (let line = 0; line < lines.length; line++) {
        const l = lines[line];
        const cols = new Set([0, l.length - l.trimStart().length, l.indexOf(': ') + 2, Math.floor(l.length / 2)]);
        for (const character of cols) {
          if (character < 0 || character > l.length) continue;
          seen.push(await c.request('textDocument/hover', { textDocument: { uri }, position: { line, character } }));
        }
        seen.push(await c.request('kubePki/decode', { uri, position: { line, character: Math.max(0, l.indexOf(': ') + 2) } }));
      }
      seen.push(await c.request('textDocument/codeLens', { textDocument: { uri } }));
      seen.push(await c.request('textDocument/documentSymbol', { textDocument: { uri } }));
      seen.push(await c.request('textDocument/documentLink', { textDocument: { uri } }));
      // The whole text as a selection, and the key alone as decoded text.
      seen.push(await c.request('kubePki/decode', { uri, text }));
      seen.push(await c.request('kubePki/decode', { uri, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } }));
    }
    assert.ok(opened > 10);
    const admin = cluster.files['admin.conf'];
    const diags = await c.waitForDiagnostics(uriOf(admin), (d) => d.length > 0);
    assert.ok(diags.some((d) => d.code === 'org-mismatch'));
    const apiserverHover = seen.filter((s) => s && s.contents && /matches|does not match|private key/i.test(JSON.stringify(s.contents)));
    assert.ok(apiserverHover.length > 0, 'some hover describes a private key');
    await c.recheck();
    await c.summary();
    seen.push([...c.diagnostics.values()], c.publishes, c.logs, c.summaries);
  } finally {
    await c.shutdown().catch(() => undefined);
  }
  assertNoKey('language server responses and notifications', JSON.stringify(seen));
  assertNoKey('language server stderr', c.stderr);
});
