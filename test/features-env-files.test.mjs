// What the editor shows on a value a systemd unit reads from elsewhere: a flag written in an EnvironmentFile= (the
// distro packages' /etc/kubernetes/apiserver with KUBE_API_ARGS) or in a drop-in of the unit gets, on the line where it
// is written, the CodeLens, document link and hover the same flag gets in a unit's ExecStart=. The node tree is a
// kubeadm node made at run time whose apiserver is started by a packaged unit instead of its static pod.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, writeFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCluster, loadEngine } from './helpers/cluster.mjs';

const E = loadEngine();
let work;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kube-pki-features-env-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** The apiserver's static pod replaced by a packaged unit reading its flags from /etc/kubernetes/apiserver. */
function packagedApiserver(c, { keyFile } = {}) {
  const manifest = path.join(c.dir, 'etc/kubernetes/manifests/kube-apiserver.yaml');
  const flags = /- command:\n((?: {4}- .*\n)+)/
    .exec(readFileSync(manifest, 'utf8'))[1]
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^ {4}- /, ''))
    .slice(1)
    .map((f) => (keyFile && f.startsWith('--tls-private-key-file=') ? `--tls-private-key-file=${keyFile}` : f));
  unlinkSync(manifest);
  const unit = path.join(c.dir, 'usr/lib/systemd/system/kube-apiserver.service');
  const env = path.join(c.dir, 'etc/kubernetes/apiserver');
  mkdirSync(path.dirname(unit), { recursive: true });
  writeFileSync(unit, '[Service]\nEnvironmentFile=-/etc/kubernetes/apiserver\nExecStart=/usr/bin/kube-apiserver $KUBE_API_ARGS\n');
  const envText = `# The kube-apiserver's flags\nKUBE_API_ARGS="${flags.join(' \\\n  ')}"\n`;
  writeFileSync(env, envText);
  return { unit, env, envText };
}

function engineFor(c) {
  const fs = E.nodeFileSystem();
  const engine = new E.Engine(fs, { searchRoots: [c.dir], now: c.now });
  for (const f of E.discoverFiles(fs, [c.dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
  return engine;
}

const lineOf = (text, needle) => text.split('\n').findIndex((l) => l.includes(needle));
const offsetOf = (text, needle) => text.indexOf(needle) + needle.length + 2;

test("healthy: the env file's --tls-cert-file and --client-ca-file get a CodeLens naming the certificate, links to the files, a hover decoding it; the unit's line none", async () => {
  const c = await buildCluster(path.join(work, 'ok'), { keyType: 'ecdsa-p256' });
  const f = packagedApiserver(c);
  const engine = engineFor(c);
  assert.deepEqual(
    engine.documents().flatMap((d) => engine.check(d)),
    [],
  );
  const lenses = E.codeLenses(engine, f.env, f.envText);
  const tls = lenses.find((l) => l.range.start.line === lineOf(f.envText, '--tls-cert-file='));
  assert.ok(tls, JSON.stringify(lenses));
  assert.match(tls.title, /^CN=kube-apiserver · .* · issuer kubernetes$/);
  assert.equal(tls.severity, undefined);
  assert.ok(lenses.some((l) => l.range.start.line === lineOf(f.envText, '--client-ca-file=') && /^CN=kubernetes /.test(l.title)));
  // Without the text (the CLI's and the server's own reads): the same lenses.
  assert.deepEqual(E.codeLenses(engine, f.env), lenses);
  // The unit itself holds none of these values: no lens there.
  assert.deepEqual(E.codeLenses(engine, f.unit, readFileSync(f.unit, 'utf8')), []);

  const links = E.documentLinks(engine, f.env, f.envText);
  const key = links.find((l) => l.range.start.line === lineOf(f.envText, '--tls-private-key-file='));
  assert.equal(key.target, path.join(c.dir, 'etc/kubernetes/pki/apiserver.key'));
  const line = f.envText.split('\n')[key.range.start.line];
  assert.equal(line.slice(key.range.start.character, key.range.end.character), '/etc/kubernetes/pki/apiserver.key');

  const hover = E.hoverAt(engine, f.env, f.envText, offsetOf(f.envText, '--tls-cert-file=/etc/'));
  assert.ok(hover, 'a hover on the value');
  assert.match(hover.markdown, /kube-apiserver/);
  assert.equal(hover.range.start.line, lineOf(f.envText, '--tls-cert-file='));
  // An edited buffer not yet read by the unit: nothing claimed on stale offsets.
  assert.deepEqual(E.codeLenses(engine, f.env, `# edited\n${f.envText}`), []);
});

test("broken: a key that is not the certificate's: the env file's lens above --tls-cert-file stays, the key-mismatch is on the key's line, and the hover there shows it", async () => {
  const c = await buildCluster(path.join(work, 'bad'), { keyType: 'ecdsa-p256' });
  const f = packagedApiserver(c, { keyFile: '/etc/kubernetes/pki/front-proxy-client.key' });
  const engine = engineFor(c);
  const findings = engine.check(f.env);
  assert.deepEqual(
    findings.map((x) => `${x.range.start.line}:${x.code}`),
    [`${lineOf(f.envText, '--tls-private-key-file=')}:key-mismatch`],
  );
  const hover = E.hoverAt(engine, f.env, f.envText, offsetOf(f.envText, '--tls-private-key-file=/etc/'));
  assert.ok(hover);
  assert.match(hover.markdown, /key-mismatch/);
  assert.ok(!/PRIVATE KEY-----/.test(hover.markdown));
  const links = E.documentLinks(engine, f.env, f.envText);
  assert.ok(links.some((l) => l.target === path.join(c.dir, 'etc/kubernetes/pki/front-proxy-client.key')));
});
