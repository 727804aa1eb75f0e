// .kube-pki.yaml and inline ignores in the language server (dist/server.js over stdio): a config's settings over
// the VS Code settings, Restricted Mode ignoring its path settings, config-invalid diagnostics in the config,
// re-checks when it changes (its excludes too), and the ignore quick fixes applied as an editor would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { start, uriOf, SERVER } from './helpers/lsp-client.mjs';
import { tempDir, write, cleanup, ca, leaf, kubeconfig } from './helpers/engine.mjs';

let dir;
let rootCA;
let notCA;
let soon;
const clients = [];

before(async () => {
  assert.ok(existsSync(SERVER), 'run `node esbuild.js` first');
  dir = tempDir('kube-pki-policy-lsp-');
  rootCA = await ca('kubernetes');
  notCA = await leaf(rootCA, { commonName: 'not-a-ca' });
  soon = await leaf(rootCA, { commonName: 'dev', validityDays: 10 });
});
after(async () => {
  await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
  cleanup(dir);
});

async function startIn(ws, settings, options) {
  const c = await start(ws, settings, options);
  clients.push(c);
  return c;
}

const codes = (diags) => diags.map((d) => `${d.range.start.line + 1} ${d.code} ${['', 'error', 'warning', 'info'][d.severity]}`);

/**
 * A workspace: node-a's dev.conf names /etc/kubernetes/pki/ca.crt (node-a's own copy, a CA, found beside it),
 * with a client certificate expiring in 10 days; node-b holds a certificate that is no CA at the same path.
 */
function settingsWorkspace(name) {
  const ws = path.join(dir, name);
  mkdirSync(path.join(ws, '.git'), { recursive: true });
  write(ws, 'node-a/etc/kubernetes/pki/ca.crt', rootCA.certPem);
  write(ws, 'node-b/etc/kubernetes/pki/ca.crt', notCA.certPem);
  const conf = write(
    ws,
    'node-a/etc/kubernetes/dev.conf',
    kubeconfig({ caPath: '/etc/kubernetes/pki/ca.crt', certPem: soon.certPem, keyPem: soon.key.privateKeyPem }),
  );
  return { ws, conf };
}

test('a config wins over the VS Code settings for the files below it; without it the settings apply', async () => {
  const { ws, conf } = settingsWorkspace('precedence');
  const settings = { expiryWarningDays: 30, rootDir: '${workspaceFolder}/node-a' };
  let c = await startIn(ws, settings);
  let uri = await c.open(conf, readFileSync(conf, 'utf8'));
  assert.deepEqual(codes(await c.waitForDiagnostics(uri, (d) => d.length > 0)), ['17 cert-expiring warning']);
  await c.shutdown();

  write(ws, '.kube-pki.yaml', 'expiryWarningDays: 5\nrootDir: node-b\n');
  c = await startIn(ws, settings);
  uri = await c.open(conf, readFileSync(conf, 'utf8'));
  // rootDir node-b (the config's) over node-a (the setting's): its ca.crt is no CA; 5 days over 30: not expiring.
  assert.deepEqual(codes(await c.waitForDiagnostics(uri, (d) => d.length > 0)), ['7 not-a-ca error']);
  await c.shutdown();
});

test("Restricted Mode: a config's rootDir and pathMappings are ignored (said in the log), its other settings apply; trusting the workspace lifts it", async () => {
  // Each setting alone points /etc/kubernetes at node-b, whose ca.crt is no CA.
  const steering = {
    rootDir: 'rootDir: node-b\n',
    pathMappings: 'pathMappings:\n  /etc/kubernetes: node-b/etc/kubernetes\n',
  };
  for (const [setting, yaml] of Object.entries(steering)) {
    const { ws, conf } = settingsWorkspace(`restricted-${setting}`);
    write(ws, '.kube-pki.yaml', `expiryWarningDays: 5\n${yaml}`);
    const c = await startIn(ws, { expiryWarningDays: 30 }, { initializationOptions: { trusted: false } });
    const uri = await c.open(conf, readFileSync(conf, 'utf8'));
    await c.summary();
    const diags = await c.waitForDiagnostics(uri, () => true);
    assert.deepEqual(codes(diags), [], `${setting}: node-a/…/ca.crt beside it, and no cert-expiring within 5 days`);
    assert.ok(
      c.logs.some((l) => new RegExp(`Restricted Mode: ${setting} of .*\\.kube-pki\\.yaml is ignored until the workspace is trusted`).test(l.message)),
      JSON.stringify(c.logs.map((l) => l.message)),
    );
    const since = c.publishes.length;
    await c.connection.sendNotification('kubePki/workspaceTrusted');
    const lifted = await c.waitForPublish(uri, since, (ds) => ds.length > 0, 20_000);
    assert.deepEqual(codes(lifted.diagnostics), ['7 not-a-ca error'], setting);
    await c.shutdown();
  }
});

test('config-invalid in the config itself (open or not), its valid parts applying; edits re-check the open documents; a new exclude re-reads the workspace', async () => {
  const ws = path.join(dir, 'invalid');
  mkdirSync(path.join(ws, '.git'), { recursive: true });
  const kc = write(ws, 'kc.yaml', kubeconfig({ caPath: 'missing-ca.crt' }));
  const config = write(ws, '.kube-pki.yaml', 'rules:\n  file-not-found: warning\n  bogus-code: off\n');
  const c = await startIn(ws, {});
  const kcUri = await c.open(kc, readFileSync(kc, 'utf8'));
  assert.deepEqual(codes(await c.waitForDiagnostics(kcUri, (d) => d.length > 0)), ['7 file-not-found warning']);
  const configUri = uriOf(config);
  const invalid = await c.waitForDiagnostics(configUri, (d) => d.length > 0);
  assert.deepEqual(codes(invalid), ['3 config-invalid error']);
  assert.match(invalid[0].message, /unknown code 'bogus-code'/);
  assert.equal(invalid[0].source, 'kube-pki');

  // Editing the config in the editor: its diagnostics and the open documents follow, before any save.
  await c.open(config, 'rules:\n  file-not-found: off\n');
  await c.waitForDiagnostics(configUri, (d) => d.length === 0);
  await c.waitForDiagnostics(kcUri, (d) => d.length === 0);
  await c.change(config, 'rules:\n  file-not-found: info\n');
  assert.deepEqual(codes(await c.waitForDiagnostics(kcUri, (d) => d.length > 0)), ['7 file-not-found info']);

  // On disk (the buffer closed): an exclude takes the file out after the workspace is read again.
  await c.close(config);
  writeFileSync(config, 'exclude: [kc.yaml]\n');
  await c.filesChanged([{ file: config, type: 2 }]);
  await c.waitForDiagnostics(kcUri, (d) => d.length === 0, 15_000);
  await c.waitForDiagnostics(configUri, (d) => d.length === 0);
  const s = await c.summary();
  assert.equal(s.files, 0, JSON.stringify(s));
});

test('a folder reported as created, with a config written into it at once, shows the config-invalid though the watcher reported only the folder', async () => {
  const ws = path.join(dir, 'new-folder');
  mkdirSync(path.join(ws, '.git'), { recursive: true });
  const c = await startIn(ws, {});
  await c.summary();
  const sub = path.join(ws, 'team');
  const config = write(ws, 'team/.kube-pki.yaml', 'rules:\n  cabundle-mising: off\n');
  // inotify watches a new folder only once it exists: the file written into it at once can go unreported.
  await c.filesChanged([{ file: sub, type: 1 }]);
  const invalid = await c.waitForDiagnostics(uriOf(config), (d) => d.length > 0);
  assert.deepEqual(codes(invalid), ['2 config-invalid error']);
  assert.match(invalid[0].message, /unknown code 'cabundle-mising' \(did you mean 'cabundle-missing'\?\)/);
});

test('quick fixes: Ignore CODE on this line / in this file on every kube-pki diagnostic; applied, the diagnostic goes away and the YAML still parses', async () => {
  const ws = path.join(dir, 'fixes');
  mkdirSync(path.join(ws, '.git'), { recursive: true });
  const kc = write(ws, 'kc.yaml', kubeconfig({ caPath: 'missing-ca.crt', certPath: 'missing.crt', keyPath: 'missing.key' }));
  const c = await startIn(ws, {});
  let text = readFileSync(kc, 'utf8');
  const uri = await c.open(kc, text);
  const diags = await c.waitForDiagnostics(uri, (d) => d.length === 3);
  const caDiag = diags.find((d) => d.range.start.line === 6);
  const actions = await c.request('textDocument/codeAction', { textDocument: { uri }, range: caDiag.range, context: { diagnostics: [caDiag] } });
  const titles = actions.map((a) => a.title);
  assert.ok(titles.includes('Ignore file-not-found on this line'), JSON.stringify(titles));
  assert.ok(titles.includes('Ignore file-not-found in this file'), JSON.stringify(titles));
  const onLine = actions.find((a) => a.title === 'Ignore file-not-found on this line');
  assert.equal(onLine.kind, 'quickfix');
  const [edit] = onLine.edit.changes[uri];
  assert.deepEqual(edit.range, { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } });
  assert.equal(edit.newText, '    # kube-pki-ignore file-not-found\n');
  await c.edit(kc, edit.range, edit.newText);
  text = text.split('\n').toSpliced(6, 0, '    # kube-pki-ignore file-not-found').join('\n');
  const after = await c.waitForDiagnostics(uri, (d) => d.length === 2);
  assert.ok(
    after.every((d) => d.range.start.line >= 16),
    JSON.stringify(codes(after)),
  );
  for (const doc of parseAllDocuments(text)) assert.deepEqual(doc.errors, []);

  // The whole file.
  const rest = await c.request('textDocument/codeAction', { textDocument: { uri }, range: after[0].range, context: { diagnostics: [after[0]] } });
  const fileWide = rest.find((a) => a.title === 'Ignore file-not-found in this file');
  const [fe] = fileWide.edit.changes[uri];
  assert.equal(fe.newText, '# kube-pki-ignore-file file-not-found\n');
  await c.edit(kc, fe.range, fe.newText);
  // The line ignore and the file ignore both cover the CA's finding: nothing is left, and no ignore is unused.
  await c.waitForDiagnostics(uri, (d) => d.length === 0);

  // An ignore that suppresses nothing: reported, with a quick fix that removes it.
  const version = c.publishes.length;
  await c.edit(kc, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, '# kube-pki-ignore-file weak-key\n');
  const unused = (await c.waitForPublish(uri, version, (d) => d.length === 1)).diagnostics;
  assert.equal(unused[0].code, 'ignore-unused');
  const removal = await c.request('textDocument/codeAction', { textDocument: { uri }, range: unused[0].range, context: { diagnostics: unused } });
  const remove = removal.find((a) => a.title === 'Remove this kube-pki-ignore');
  const [re] = remove.edit.changes[uri];
  await c.edit(kc, re.range, re.newText);
  await c.waitForDiagnostics(uri, (d) => d.length === 0);
  // No ignore quick fix on a config's own problems.
  const cfg = write(ws, '.kube-pki.yaml', 'rules: {nope: off}\n');
  await c.filesChanged([{ file: cfg, type: 1 }]);
  const cfgDiags = await c.waitForDiagnostics(uriOf(cfg), (d) => d.length === 1, 15_000);
  const none = await c.request('textDocument/codeAction', {
    textDocument: { uri: uriOf(cfg) },
    range: cfgDiags[0].range,
    context: { diagnostics: cfgDiags },
  });
  assert.deepEqual(none, []);
});

test('editing a config re-reads the workspace only when its exclude changes; while its YAML is broken its last valid exclude stays (said in its diagnostic)', async () => {
  const ws = path.join(dir, 'reindex');
  mkdirSync(path.join(ws, '.git'), { recursive: true });
  const kc = write(ws, 'kc.yaml', kubeconfig({ caPath: 'missing-ca.crt' }));
  write(ws, 'fixtures/kc.yaml', kubeconfig({ caPath: 'missing-ca.crt' }));
  const config = write(ws, '.kube-pki.yaml', 'exclude: [fixtures/]\n');
  const c = await startIn(ws, {});
  const kcUri = await c.open(kc, readFileSync(kc, 'utf8'));
  assert.deepEqual(codes(await c.waitForDiagnostics(kcUri, (d) => d.length > 0)), ['7 file-not-found error']);
  const configUri = await c.open(config, 'exclude: [fixtures/]\n');
  const indexed = () => c.logs.filter((l) => /kube-pki: indexed \d+ candidate files/.test(l.message)).length;
  const settle = () => new Promise((r) => setTimeout(r, 1500)); // past the re-index delay (400 ms) and a small index
  const files = async () => (await c.summary()).files;
  await settle();
  const first = indexed();
  const before = await files();

  // A new rule, the same exclude: what the config governs is re-checked, the workspace is not read again.
  await c.change(config, 'exclude: [fixtures/]\nrules: {file-not-found: warning}\n');
  assert.deepEqual(codes(await c.waitForDiagnostics(kcUri, (d) => d[0]?.severity === 2)), ['7 file-not-found warning']);
  await settle();
  assert.equal(indexed(), first, 'no re-index for a change of rules');

  // Mid-edit, the YAML does not parse: fixtures/ stays excluded, and the diagnostic says so.
  await c.change(config, 'exclude: [fixtures/]\nrules: {file-not-found: [\n');
  const invalid = await c.waitForDiagnostics(configUri, (d) => d.length > 0);
  assert.match(invalid[0].message, /the exclude of its last version that parsed still applies \('fixtures\/'\)/);
  await settle();
  assert.equal(indexed(), first, 'no re-index while the YAML is broken');
  assert.equal(await files(), before, 'fixtures/kc.yaml is still left out');

  // The exclude removed: the workspace is read again, once, and fixtures/kc.yaml is in it.
  await c.change(config, 'rules: {file-not-found: warning}\n');
  await c.waitForDiagnostics(configUri, (d) => d.length === 0);
  await settle();
  assert.equal(indexed(), first + 1);
  assert.equal(await files(), before + 1);
});
