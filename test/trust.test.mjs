// Untrusted workspaces (VS Code Restricted Mode): the engine's readOnlyWithin and the language server's
// initializationOptions.trusted = false. Nothing outside the workspace folders is read, however a config
// names it: an absolute path, `..`, a symlinked file or folder leading out, a --kubeconfig target. Each such
// reference gets a finding that says why; inside the workspace everything works as before; trusting the
// workspace lifts it. Run `node esbuild.js` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { E, ca, leaf, tempDir, write, cleanup, kubeconfig, lineOf } from './helpers/engine.mjs';
import { start } from './helpers/lsp-client.mjs';

let dir; // holds ws/ (the workspace) and outside/ (the user's disk beside it)
let ws;
let outside;
let conf; // ws/k.conf: one reference of each kind
let manifest; // ws/manifests/kube-controller-manager.yaml: --kubeconfig outside
const DAY = 86400e3;

const RESTRICTED = /in Restricted Mode kube-pki reads nothing outside them \(trusting the workspace lifts this\)/;

before(async () => {
  dir = tempDir('kube-pki-trust-');
  ws = path.join(dir, 'ws');
  outside = path.join(dir, 'outside');
  const root = await ca('kubernetes');
  // Outside: an expired client certificate, so a read of it would show as cert-expired.
  const expired = await leaf(root, { commonName: 'outside-user', notBefore: new Date(Date.now() - 10 * DAY), notAfter: new Date(Date.now() - DAY) });
  write(outside, 'pki/ca.crt', root.certPem);
  write(outside, 'pki/client.crt', expired.certPem);
  write(outside, 'pki/client.key', expired.key.privateKeyPem);
  write(outside, 'etc/pki/ca.crt', root.certPem);
  write(
    outside,
    'controller-manager.conf',
    kubeconfig({ caPem: root.certPem, certPem: expired.certPem, keyPem: expired.key.privateKeyPem, user: 'system:kube-controller-manager' }),
  );
  // Inside: a valid CA and client pair, and symlinks leading out (a file, and a folder).
  const good = await leaf(root, { commonName: 'dev' });
  write(ws, 'pki/inside-ca.crt', root.certPem);
  write(ws, 'pki/dev.crt', good.certPem);
  write(ws, 'pki/dev.key', good.key.privateKeyPem);
  symlinkSync(path.join(outside, 'pki/client.key'), path.join(ws, 'pki/link.key'));
  symlinkSync(path.join(outside, 'etc'), path.join(ws, 'etc'));
  conf = write(
    ws,
    'k.conf',
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: out-abs',
      '  cluster:',
      '    server: https://10.0.0.1:6443',
      `    certificate-authority: ${path.join(outside, 'pki/ca.crt')}`,
      '- name: out-dotdot',
      '  cluster:',
      '    server: https://10.0.0.1:6443',
      '    certificate-authority: ../outside/pki/ca.crt',
      '- name: out-dirlink',
      '  cluster:',
      '    server: https://10.0.0.1:6443',
      '    certificate-authority: etc/pki/ca.crt',
      '- name: in',
      '  cluster:',
      '    server: https://10.0.0.1:6443',
      '    certificate-authority: pki/inside-ca.crt',
      'contexts:',
      '- name: a',
      '  context: {cluster: in, user: out}',
      '- name: b',
      '  context: {cluster: in, user: in}',
      'current-context: b',
      'users:',
      '- name: out',
      '  user:',
      `    client-certificate: ${path.join(outside, 'pki/client.crt')}`,
      '    client-key: pki/link.key',
      '- name: in',
      '  user:',
      '    client-certificate: pki/dev.crt',
      '    client-key: pki/dev.key',
      '',
    ].join('\n'),
  );
  manifest = write(
    ws,
    'manifests/kube-controller-manager.yaml',
    `apiVersion: v1
kind: Pod
metadata:
  name: kube-controller-manager
  namespace: kube-system
spec:
  containers:
  - name: kube-controller-manager
    image: registry.k8s.io/kube-controller-manager:v1.31.1
    command:
    - kube-controller-manager
    - --kubeconfig=${path.join(outside, 'controller-manager.conf')}
`,
  );
});

after(() => {
  if (dir) cleanup(dir);
});

/** The real disk, with every path that reaches it recorded. */
function recordingDisk() {
  const disk = E.nodeFileSystem();
  const seen = [];
  const fs = {};
  for (const k of Object.keys(disk)) {
    fs[k] = (p, ...rest) => {
      seen.push({ op: k, path: p });
      return disk[k](p, ...rest);
    };
  }
  return { fs, seen };
}

function engineFor(options) {
  const { fs, seen } = recordingDisk();
  const engine = new E.Engine(fs, { searchRoots: [ws], ...options });
  for (const f of [conf, manifest]) engine.updateDocument(f, readFileSync(f, 'utf8'));
  return { engine, seen };
}

const at = (findings, file, needle) => findings.filter((f) => f.file === file && f.range.start.line + 1 === lineOf(file, needle));
const codes = (fs) => fs.map((f) => f.code).sort();

test('trusted (no readOnlyWithin): the files outside are read, as before', () => {
  const { engine } = engineFor({});
  const findings = [...engine.check(conf), ...engine.check(manifest)];
  assert.deepEqual(codes(at(findings, conf, 'certificate-authority: /')), []);
  assert.deepEqual(codes(at(findings, conf, 'certificate-authority: ../outside')), []);
  assert.deepEqual(codes(at(findings, conf, 'certificate-authority: etc/pki')), []);
  // The expired certificate outside is read and judged.
  assert.deepEqual(codes(at(findings, conf, 'client-certificate: /')), ['cert-expired']);
  assert.equal(findings.filter((f) => /Restricted Mode/.test(f.message)).length, 0);
});

test('readOnlyWithin: each reference leading out gets a finding saying why, and the disk outside is never touched', () => {
  const { engine, seen } = engineFor({ readOnlyWithin: [ws] });
  const findings = [...engine.check(conf), ...engine.check(manifest)];
  const show = () =>
    JSON.stringify(
      findings.map((f) => [f.code, f.range.start.line + 1, f.message]),
      null,
      1,
    );

  // An absolute path and `..` leading out: not found in the workspace, and not looked for outside.
  for (const needle of ['certificate-authority: /', 'certificate-authority: ../outside', 'client-certificate: /']) {
    const hits = at(findings, conf, needle);
    assert.deepEqual(codes(hits), ['file-not-found'], `${needle}: ${show()}`);
    assert.match(hits[0].message, RESTRICTED, needle);
    assert.match(hits[0].message, /is outside the workspace folders/, needle);
  }
  // Symlinks in the workspace leading out, to a file and through a folder: file-unreadable, saying so.
  for (const needle of ['client-key: pki/link.key', 'certificate-authority: etc/pki']) {
    const hits = at(findings, conf, needle);
    assert.deepEqual(codes(hits), ['file-unreadable'], `${needle}: ${show()}`);
    assert.match(hits[0].message, /leads outside the workspace folders through a symbolic link/, needle);
    assert.match(hits[0].message, RESTRICTED, needle);
  }
  // A --kubeconfig target outside.
  const kc = at(findings, manifest, '--kubeconfig=');
  assert.deepEqual(codes(kc), ['file-not-found'], show());
  assert.match(kc[0].message, RESTRICTED);
  // Inside, everything as before: nothing on the workspace's own references.
  for (const needle of ['certificate-authority: pki/inside-ca.crt', 'client-certificate: pki/dev.crt', 'client-key: pki/dev.key']) {
    assert.deepEqual(codes(at(findings, conf, needle)), [], `${needle}: ${show()}`);
  }
  // What reached the disk: paths inside the workspace only (a symlink is looked at, never followed out).
  const out = seen.filter((s) => path.relative(ws, s.path).startsWith('..'));
  assert.deepEqual(out, [], 'no stat, read, listing or realpath outside the workspace');
  const reads = seen
    .filter((s) => s.op === 'readFile')
    .map((s) => path.relative(ws, s.path))
    .sort();
  assert.ok(reads.includes('pki/dev.crt') && reads.includes('pki/dev.key'), `the inside files were read: ${reads}`);
  assert.ok(!reads.some((r) => r.startsWith('etc') || r.includes('link')), `nothing through a symlink leading out was read: ${reads}`);
  // The outside certificate was not even parsed: no verdict about it.
  assert.equal(findings.filter((f) => f.code === 'cert-expired').length, 0, show());
});

test('readOnlyWithin: no link or hover opens a way out', () => {
  const text = readFileSync(conf, 'utf8');
  const hovers = (engine) => {
    engine.check(conf);
    const at = (needle, into) => JSON.stringify(E.hoverAt(engine, conf, text, text.indexOf(needle) + into)?.markdown ?? null);
    return { cert: at('client-certificate: /', 24), key: at('client-key: pki/link.key', 15) };
  };
  // Trusted: the hover decodes the certificate outside and describes the key behind the symlink.
  const open = hovers(engineFor({}).engine);
  assert.match(open.cert, /CN=outside-user/);
  assert.match(open.key, /ECDSA P-256/);
  // Restricted: neither, and no link leads out.
  const { engine, seen } = engineFor({ readOnlyWithin: [ws] });
  const shut = hovers(engine);
  assert.doesNotMatch(shut.cert, /outside-user/);
  assert.match(shut.cert, /Restricted Mode/);
  assert.doesNotMatch(shut.key, /ECDSA|P-256|Matches/);
  assert.match(shut.key, /symbolic link/);
  const links = E.documentLinks(engine, conf, text).map((l) => path.relative(ws, l.target));
  assert.deepEqual(links.sort(), ['pki/dev.crt', 'pki/dev.key', 'pki/inside-ca.crt']);
  assert.deepEqual(
    seen.filter((s) => path.relative(ws, s.path).startsWith('..')),
    [],
  );
});

test('readOnlyWithin: an empty list reads nothing at all; setOptions lifts the limit', () => {
  const { engine, seen } = engineFor({ readOnlyWithin: [] });
  const findings = engine.check(conf);
  assert.deepEqual(codes(at(findings, conf, 'client-certificate: pki/dev.crt')), ['file-not-found']);
  assert.deepEqual(
    seen.filter((s) => s.op === 'readFile'),
    [],
  );
  engine.setOptions({ readOnlyWithin: undefined });
  const after = engine.check(conf);
  assert.deepEqual(codes(at(after, conf, 'client-certificate: pki/dev.crt')), []);
  assert.deepEqual(codes(at(after, conf, 'client-certificate: /')), ['cert-expired']);
});

// ------------------------------------------------------------------------------------------ over the LSP

test(
  'the language server in an untrusted workspace: findings say why, nothing outside is shown, no generation; trust lifts it',
  { timeout: 120_000 },
  async () => {
    const c = await start(ws, {}, { initializationOptions: { trusted: false } });
    try {
      const s = await c.summary();
      assert.ok(s.files >= 2, JSON.stringify(s));
      const uri = await c.open(conf, readFileSync(conf, 'utf8'));
      const diags = await c.waitForDiagnostics(uri, (ds) => ds.length >= 5, 20_000);
      const on = (needle) => diags.filter((d) => d.range.start.line + 1 === lineOf(conf, needle));
      for (const needle of ['certificate-authority: /', 'certificate-authority: ../outside', 'client-certificate: /']) {
        assert.deepEqual(
          on(needle).map((d) => d.code),
          ['file-not-found'],
          needle,
        );
        assert.match(on(needle)[0].message, RESTRICTED);
      }
      for (const needle of ['client-key: pki/link.key', 'certificate-authority: etc/pki']) {
        assert.deepEqual(
          on(needle).map((d) => d.code),
          ['file-unreadable'],
          needle,
        );
        assert.match(on(needle)[0].message, /through a symbolic link/);
      }
      assert.equal(diags.filter((d) => d.code === 'cert-expired').length, 0, 'the expired certificate outside was not read');
      // The log says the server is in Restricted Mode.
      assert.ok(
        c.logs.some((l) => /Restricted Mode: nothing outside it is read/.test(l.message)),
        'the start line says Restricted Mode',
      );
      // Hover on the outside reference: nothing of the certificate outside.
      const hoverParams = { textDocument: { uri }, position: { line: lineOf(conf, 'client-certificate: /') - 1, character: 28 } };
      const hover = await c.request('textDocument/hover', hoverParams);
      assert.match(JSON.stringify(hover), /Restricted Mode/);
      assert.doesNotMatch(JSON.stringify(hover), /outside-user/);
      // No generation: no quick fix, no plan, nothing applied.
      const actions = await c.request('textDocument/codeAction', {
        textDocument: { uri },
        range: diags[0].range,
        context: { diagnostics: diags },
      });
      // Only the ignore comments, edits of this document itself (nothing generated or written elsewhere).
      assert.deepEqual(
        actions.filter((a) => a.command || Object.keys(a.edit?.changes ?? {}).some((u) => u !== uri)),
        [],
      );
      assert.ok(
        actions.every((a) => /^Ignore /.test(a.title)),
        JSON.stringify(actions.map((a) => a.title)),
      );
      const plan = await c.request('kubePki/generate/plan', { kind: 'missing' });
      assert.match(plan.error, /disabled in an untrusted workspace/);
      const applied = await c.request('kubePki/generate/apply', { planId: 'x' });
      assert.match(applied.error, /disabled in an untrusted workspace/);
      const defaults = await c.request('kubePki/generate/defaults');
      assert.equal(defaults.missing, 0, JSON.stringify(defaults));

      // The user trusts the workspace: the files outside are read, and the expired certificate is seen.
      const since = c.publishes.length;
      await c.connection.sendNotification('kubePki/workspaceTrusted');
      const lifted = await c.waitForPublish(uri, since, (ds) => ds.some((d) => d.code === 'cert-expired'), 20_000);
      assert.equal(lifted.diagnostics.filter((d) => RESTRICTED.test(d.message)).length, 0, JSON.stringify(lifted.diagnostics));
      assert.match(JSON.stringify(await c.request('textDocument/hover', hoverParams)), /CN=outside-user/);
    } finally {
      await c.shutdown();
    }
  },
);

test('the language server without initializationOptions (any other editor) is trusted', { timeout: 60_000 }, async () => {
  const c = await start(ws, {});
  try {
    const uri = await c.open(conf, readFileSync(conf, 'utf8'));
    const diags = await c.waitForDiagnostics(uri, (ds) => ds.some((d) => d.code === 'cert-expired'), 20_000);
    assert.equal(diags.filter((d) => RESTRICTED.test(d.message)).length, 0);
  } finally {
    await c.shutdown();
  }
});
