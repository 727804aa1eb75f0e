// The caches (certificates and keys by content, loaded material, verdicts per document) never serve a
// stale verdict: a referenced file edited on disk, another document of the workspace edited, an inline value
// edited, the clock passing a certificate's expiry. Engine level, then over the LSP (dist/server.js).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { E, tempDir, write, b64, ca, leaf, cleanup, kubeconfig, apiserverManifest, lineOf } from './helpers/engine.mjs';
import { start } from './helpers/lsp-client.mjs';

let dir;
let rootCA;
let otherCA;
let dev;
let devOtherKey;
let devExpired;

before(async () => {
  dir = tempDir('kube-pki-cache-');
  rootCA = await ca('kubernetes');
  otherCA = await ca('kubernetes'); // same name, another key
  dev = await leaf(rootCA, { commonName: 'dev', organizations: ['developers'] });
  devOtherKey = await leaf(rootCA, { commonName: 'dev-rotated', organizations: ['developers'] });
  const DAY = 86_400_000;
  devExpired = await leaf(rootCA, {
    commonName: 'dev',
    key: dev.key,
    notBefore: new Date(Date.now() - 400 * DAY),
    notAfter: new Date(Date.now() - 10 * DAY),
  });
});
after(() => cleanup(dir));

const codes = (findings) => findings.map((f) => `${f.range.start.line + 1} ${f.code}`).sort();

/** A kubeconfig whose client certificate and key are files beside it. */
function devTree(name) {
  const d = path.join(dir, name);
  write(d, 'dev.crt', dev.certPem);
  write(d, 'dev.key', dev.key.privateKeyPem);
  const kc = write(d, 'dev.conf', kubeconfig({ caPem: rootCA.certPem, certPath: 'dev.crt', keyPath: 'dev.key', user: 'dev' }));
  return { d, kc, crt: path.join(d, 'dev.crt') };
}

describe('engine', () => {
  test('a referenced certificate edited on disk: the next check reads it again', () => {
    const { d, kc, crt } = devTree('disk');
    const engine = new E.Engine(E.nodeFileSystem(), { searchRoots: [d] });
    engine.updateDocument(kc, readFileSync(kc, 'utf8'));
    assert.deepEqual(engine.check(kc), []);
    assert.deepEqual(engine.check(kc), [], 'the cached verdict');

    // Another key's certificate where dev's was: the key no longer matches it.
    writeFileSync(crt, devOtherKey.certPem);
    engine.fileChanged(crt);
    assert.deepEqual(codes(engine.check(kc)), [`${lineOf(kc, 'client-key:')} key-mismatch`]);

    // dev's own key again, but expired.
    writeFileSync(crt, devExpired.certPem);
    engine.fileChanged(crt);
    assert.deepEqual(codes(engine.check(kc)), [`${lineOf(kc, 'client-certificate:')} cert-expired`]);

    writeFileSync(crt, dev.certPem);
    engine.fileChanged(crt);
    assert.deepEqual(engine.check(kc), []);
  });

  test('another document edited: the verdicts that looked at it are taken again, the others kept', () => {
    const d = path.join(dir, 'workspace');
    write(d, 'pki/ca.crt', rootCA.certPem);
    write(d, 'pki/other-ca.crt', otherCA.certPem);
    const manifestText = (clientCA) => apiserverManifest(['--advertise-address=10.0.0.1', `--client-ca-file=${path.join(d, 'pki', clientCA)}`]);
    const api = write(d, 'kube-apiserver.yaml', manifestText('ca.crt'));
    const kc = write(
      d,
      'dev.conf',
      kubeconfig({ server: 'https://10.0.0.1:6443', caPem: rootCA.certPem, certPem: dev.certPem, keyPem: dev.key.privateKeyPem }),
    );
    const lone = write(
      d,
      'lone.conf',
      kubeconfig({ server: 'https://10.9.9.9:6443', caPem: rootCA.certPem, certPem: devOtherKey.certPem, keyPem: dev.key.privateKeyPem }),
    );
    const engine = new E.Engine(E.nodeFileSystem(), { searchRoots: [d] });
    for (const f of [api, kc, lone]) engine.updateDocument(f, readFileSync(f, 'utf8'));
    assert.deepEqual(engine.check(kc), []);
    assert.deepEqual(codes(engine.check(lone)), [`${lineOf(lone, 'client-key-data')} key-mismatch`]);

    // The apiserver now trusts another CA for client certificates: dev.conf's certificate is not from it.
    engine.updateDocument(api, manifestText('other-ca.crt'));
    assert.deepEqual(codes(engine.check(kc)), [`${lineOf(kc, 'client-certificate-data')} untrusted-issuer`]);
    assert.deepEqual(codes(engine.check(lone)), [`${lineOf(lone, 'client-key-data')} key-mismatch`]);

    engine.updateDocument(api, manifestText('ca.crt'));
    assert.deepEqual(engine.check(kc), []);

    // The CA file the apiserver reads, rewritten on disk.
    writeFileSync(path.join(d, 'pki', 'ca.crt'), otherCA.certPem);
    engine.fileChanged(path.join(d, 'pki', 'ca.crt'));
    assert.deepEqual(codes(engine.check(kc)), [`${lineOf(kc, 'client-certificate-data')} untrusted-issuer`]);
  });

  test('an inline value edited: the verdict follows the content, and the old content is recognised again', () => {
    const d = path.join(dir, 'inline');
    const good = kubeconfig({ caPem: rootCA.certPem, certPem: dev.certPem, keyPem: dev.key.privateKeyPem });
    const kc = write(d, 'dev.conf', good);
    const engine = new E.Engine(E.nodeFileSystem(), { searchRoots: [d] });
    engine.updateDocument(kc, good);
    assert.deepEqual(engine.check(kc), []);
    const bad = good.replace(b64(dev.certPem), b64(devOtherKey.certPem));
    engine.updateDocument(kc, bad);
    assert.deepEqual(codes(engine.check(kc)), [`${lineOf(kc, 'client-key-data')} key-mismatch`]);
    engine.updateDocument(kc, good.replace('server:', 'server:  '));
    assert.deepEqual(engine.check(kc), []);
  });

  test('a path nothing places: an edit of another document that names none of its folder keeps its verdict; adding a sibling reference takes it again', () => {
    const d = path.join(dir, 'unplaced');
    write(d, 'backup/pki/ca.crt', rootCA.certPem);
    // dev.crt is unplaced (nothing tells where /etc/kubernetes/pki is); the relative key is missing, a finding to follow.
    const devConf = write(d, 'dev.conf', kubeconfig({ caPem: rootCA.certPem, certPath: '/etc/kubernetes/pki/dev.crt', keyPath: 'missing.key' }));
    const otherText = (server, caPath) =>
      kubeconfig({
        server,
        ...(caPath ? { caPath } : { caPem: rootCA.certPem }),
        certPath: '/var/lib/other/client.crt',
        keyPath: '/var/lib/other/client.key',
      });
    const other = write(d, 'other.conf', otherText('https://10.9.9.9:6443'));
    const engine = new E.Engine(E.nodeFileSystem(), { searchRoots: [d] });
    for (const f of [devConf, other]) engine.updateDocument(f, readFileSync(f, 'utf8'));
    const first = engine.check(devConf);
    assert.deepEqual(codes(first), [`${lineOf(devConf, 'missing.key')} file-not-found`]);
    assert.deepEqual(
      engine.unplacedReferences(devConf).map((u) => u.path),
      ['/etc/kubernetes/pki/dev.crt'],
    );

    // Keystrokes in another kubeconfig, its own unplaced paths included: dev.conf's verdict is the same object.
    for (const [server, caPath] of [['https://10.9.9.9:644'], ['https://10.9.9.9:6443'], ['https://10.9.9.9:6443', '/var/lib/other/ca.crt']]) {
      const text = otherText(server, caPath);
      const before = engine.affectedBy(other);
      assert.ok(engine.updateDocument(other, text));
      assert.ok(!before.includes(devConf) && !engine.affectedBy(other).includes(devConf), `affected by: ${server} ${caPath}`);
      assert.equal(engine.check(devConf)[0], first[0], `re-checked after: ${server} ${caPath}`);
    }
    assert.deepEqual(
      engine.unplacedReferences(other).map((u) => u.path),
      ['/var/lib/other/ca.crt', '/var/lib/other/client.crt', '/var/lib/other/client.key'],
    );

    // A reference to /etc/kubernetes/pki that is found (backup/pki/ca.crt): dev.crt belongs beside it, now an error.
    engine.updateDocument(other, otherText('https://10.9.9.9:6443', '/etc/kubernetes/pki/ca.crt'));
    assert.ok(engine.affectedBy(other).includes(devConf));
    const placed = engine.check(devConf);
    assert.deepEqual(codes(placed), [`${lineOf(devConf, 'dev.crt')} file-not-found`, `${lineOf(devConf, 'missing.key')} file-not-found`]);
    assert.match(placed.find((f) => f.message.includes('dev.crt')).message, /beside .*backup\/pki\/ca\.crt/);

    // And gone again: affected before the edit, unplaced after it.
    assert.ok(engine.affectedBy(other).includes(devConf));
    engine.updateDocument(other, otherText('https://10.9.9.9:6443'));
    assert.deepEqual(codes(engine.check(devConf)), [`${lineOf(devConf, 'missing.key')} file-not-found`]);
  });

  test('a verdict that depends on the clock is taken again once a certificate expires', async () => {
    const d = path.join(dir, 'clock');
    const soon = await leaf(rootCA, {
      commonName: 'dev',
      key: dev.key,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 1500),
    });
    const kc = write(d, 'dev.conf', kubeconfig({ caPem: rootCA.certPem, certPem: soon.certPem, keyPem: dev.key.privateKeyPem }));
    const engine = new E.Engine(E.nodeFileSystem(), { searchRoots: [d] });
    engine.updateDocument(kc, readFileSync(kc, 'utf8'));
    const line = lineOf(kc, 'client-certificate-data');
    assert.deepEqual(codes(engine.check(kc)), [`${line} cert-expiring`]);
    await new Promise((r) => setTimeout(r, Math.max(0, soon.cert.notAfter.getTime() - Date.now()) + 1100));
    assert.deepEqual(codes(engine.check(kc)), [`${line} cert-expired`]);
  });
});

describe('language server', () => {
  test('a referenced certificate edited on disk: new diagnostics and a new hover, not the cached ones', async () => {
    const { d, kc, crt } = devTree('lsp');
    const c = await start(d, {});
    try {
      const text = readFileSync(kc, 'utf8');
      const uri = await c.open(kc, text);
      await c.waitForDiagnostics(uri, (ds) => ds.length === 0);
      const certLine = lineOf(kc, 'client-certificate:') - 1;
      const position = { line: certLine, character: text.split('\n')[certLine].indexOf('dev.crt') + 2 };
      const hover = () => c.request('textDocument/hover', { textDocument: { uri }, position }).then((h) => h?.contents?.value ?? '');
      assert.match(await hover(), /CN=dev\b/);
      assert.match(await hover(), /CN=dev\b/, 'a hover on the cached certificate');

      const since = c.publishes.length;
      writeFileSync(crt, devOtherKey.certPem);
      await c.filesChanged([{ file: crt, type: 2 }]);
      const p = await c.waitForPublish(uri, since, (ds) => ds.some((x) => x.code === 'key-mismatch'));
      assert.deepEqual(
        p.diagnostics.map((x) => [x.code, x.range.start.line + 1]),
        [['key-mismatch', lineOf(kc, 'client-key:')]],
      );
      assert.match(await hover(), /CN=dev-rotated/);
      assert.doesNotMatch(await hover(), /CN=dev\b(?!-)/);
      await c.waitForSummary((s) => s.errors === 1);

      // An edit of the kubeconfig buffer keeps the verdict on the new certificate.
      const lines = text.split('\n');
      const serverLine = lines.findIndex((l) => l.includes('server:'));
      const end = { line: serverLine, character: lines[serverLine].length };
      const v = await c.edit(kc, { start: end, end }, '0');
      await c.waitForPublish(uri, since, (ds, params) => params.version === v && ds.some((x) => x.code === 'key-mismatch'));

      writeFileSync(crt, dev.certPem);
      await c.filesChanged([{ file: crt, type: 2 }]);
      await c.waitForDiagnostics(uri, (ds) => ds.length === 0);
      assert.match(await hover(), /CN=dev\b/);
    } finally {
      await c.shutdown();
    }
  });

  test('edits in a burst: only the last text is checked and published, with its version', async () => {
    const { d, kc } = devTree('burst');
    const c = await start(d, {});
    try {
      const text = readFileSync(kc, 'utf8');
      const uri = await c.open(kc, text);
      await c.waitForDiagnostics(uri, (ds) => ds.length === 0);
      const since = c.publishes.length;
      // Ten edits without waiting: the key path broken, then each keystroke restoring it a little.
      let last;
      for (let i = 0; i < 10; i++) last = await c.change(kc, text.replace('client-key: dev.key', `client-key: dev.key${'x'.repeat(9 - i)}`));
      const p = await c.waitForPublish(uri, since, (_, params) => params.version === last);
      assert.deepEqual(p.diagnostics, []);
      // Never a publish for a version older than one already published.
      const versions = c.publishes
        .slice(since)
        .filter((x) => x.uri === uri)
        .map((x) => x.version);
      assert.deepEqual(
        versions,
        [...versions].sort((a, b) => a - b),
      );
    } finally {
      await c.shutdown();
    }
  });
});
