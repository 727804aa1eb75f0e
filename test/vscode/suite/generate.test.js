// Generation in a real VS Code, through the `vscode` API: the quick fix on a diagnostic (a WorkspaceEdit
// of a kubeconfig, undoable), and each Kube PKI: Generate… / Renew command run with its answers given as
// arguments (the prompts and the confirmation are the same code path, skipped with confirm: false).
// Runs after extension.test.js and features.test.js (index.js), on the same generated node tree.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { codeOf, kubePki, manifest, show, sleep, waitFor } = require('./util');
const { test, log } = require('./harness');

const { GENERATION_TESTS } = require('./generate.commands');

const ctx = manifest();
const pki = (rel) => path.join(path.dirname(path.dirname(ctx.files['kube-apiserver.yaml'])), 'pki', rel);
// Beside the workspace folder, in the driver's temporary folder (removed with it whatever happens).
const scratch = fs.mkdtempSync(path.join(path.dirname(ctx.folder), 'generated-'));

async function open(file) {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

test(GENERATION_TESTS['kubePki.generate.apply'], async () => {
  const file = ctx.files['controller-manager.conf'];
  const doc = await open(file);
  const before = doc.getText();
  const diag = await waitFor(
    () => kubePki(file).find((d) => codeOf(d) === 'cert-expired'),
    () => `cert-expired in controller-manager.conf; it has ${show(kubePki(file))}`,
  );
  const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
  const fix = (actions || []).find((a) => a.command && a.command.command === 'kubePki.generate.apply');
  assert.ok(fix, `a kube-pki quick fix; got ${JSON.stringify((actions || []).map((a) => a.title))}`);
  assert.match(fix.title, /^Re-issue kube-controller-manager's client certificate in controller-manager\.conf .*expired/);
  const result = await vscode.commands.executeCommand(fix.command.command, ...fix.command.arguments, { confirm: false });
  assert.equal(result && result.ok, true, JSON.stringify(result));
  assert.deepEqual(result.edited, [file]);
  await waitFor(() => doc.getText() !== before, 'the kubeconfig buffer to change');
  assert.ok(doc.isDirty, 'an edit in the editor (saved by the user), not a write behind its back');
  const line = doc.lineAt(diag.range.start.line).text;
  assert.match(line, /client-certificate-data: [A-Za-z0-9+/=]+$/);
  await waitFor(
    () => !kubePki(file).some((d) => codeOf(d) === 'cert-expired'),
    () => `cert-expired to go; it has ${show(kubePki(file))}`,
  );
  // Undoable, like any edit; redo puts the fix back, and the file is saved.
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('undo');
  await waitFor(() => doc.getText() === before, 'undo to restore the old certificate');
  await vscode.commands.executeCommand('redo');
  await waitFor(() => doc.getText() !== before, 'redo');
  assert.ok(await doc.save());
  log(`    ${fix.title}`);
});

test(GENERATION_TESTS['kubePki.generateMissing'], async () => {
  const api = ctx.files['kube-apiserver.yaml'];
  await open(api);
  for (const f of ['front-proxy-client.crt', 'front-proxy-client.key']) fs.rmSync(pki(f));
  await waitFor(
    () => kubePki(api).some((d) => codeOf(d) === 'file-not-found'),
    () => `file-not-found in kube-apiserver.yaml; it has ${show(kubePki(api))}`,
  );
  const result = await vscode.commands.executeCommand('kubePki.generateMissing', { confirm: false });
  assert.equal(result && result.ok, true, JSON.stringify(result));
  const written = result.written.map((w) => w.path);
  assert.ok(written.includes(pki('front-proxy-client.crt')) && written.includes(pki('front-proxy-client.key')), JSON.stringify(written));
  assert.equal(fs.statSync(pki('front-proxy-client.key')).mode & 0o777, 0o600);
  assert.match(result.written.find((w) => w.path === pki('front-proxy-client.crt')).summary, /^CN=front-proxy-client; issued by CN=front-proxy-ca/);
  await waitFor(
    () => !kubePki(api).some((d) => codeOf(d) === 'file-not-found'),
    () => `file-not-found to go; it has ${show(kubePki(api))}`,
  );
});

test(GENERATION_TESTS['kubePki.generateCA'], async () => {
  const certPath = path.join(scratch, 'team', 'ca.crt');
  const result = await vscode.commands.executeCommand('kubePki.generateCA', {
    certPath,
    commonName: 'team-ca',
    days: 30,
    keyType: 'ecdsa-p256',
    confirm: false,
  });
  assert.equal(result && result.ok, true, JSON.stringify(result));
  assert.match(fs.readFileSync(certPath, 'utf8'), /^-----BEGIN CERTIFICATE-----/);
  assert.equal(fs.statSync(path.join(scratch, 'team', 'ca.key')).mode & 0o777, 0o600);
  assert.match(result.written.find((w) => w.path === certPath).summary, /^CN=team-ca; SANs team-ca; issued by CN=team-ca/);
  const again = await vscode.commands.executeCommand('kubePki.generateCA', {
    certPath,
    commonName: 'team-ca',
    days: 30,
    keyType: 'ecdsa-p256',
    confirm: false,
  });
  assert.equal(again, undefined, 'nothing to write over an existing CA');
});

test(GENERATION_TESTS['kubePki.generateClientCertificate'], async () => {
  const out = path.join(scratch, 'jane.crt');
  const result = await vscode.commands.executeCommand('kubePki.generateClientCertificate', {
    commonName: 'jane',
    groups: 'devs, ops',
    caCertPath: path.join(scratch, 'team', 'ca.crt'),
    days: 7,
    keyType: 'ecdsa-p256',
    out,
    confirm: false,
  });
  assert.equal(result && result.ok, true, JSON.stringify(result));
  assert.match(result.written.find((w) => w.path === out).summary, /^CN=jane, O=devs\+O=ops; issued by CN=team-ca; expires /);
  assert.equal(fs.statSync(path.join(scratch, 'jane.key')).mode & 0o777, 0o600);
});

test(GENERATION_TESTS['kubePki.generateKubeconfig'], async () => {
  const out = path.join(ctx.folder, 'generated', 'jane.kubeconfig');
  const result = await vscode.commands.executeCommand('kubePki.generateKubeconfig', {
    commonName: 'jane',
    groups: 'kubeadm:cluster-admins',
    caCertPath: pki('ca.crt'),
    server: `https://${ctx.advertiseAddress}:6443`,
    out,
    days: 365,
    keyType: 'ecdsa-p256',
    confirm: false,
  });
  assert.equal(result && result.ok, true, JSON.stringify(result));
  const doc = await open(out);
  assert.match(doc.getText(), /client-certificate-data: /);
  // Checked like any kubeconfig: signed by the apiserver's --client-ca-file, dialling a name it has.
  await sleep(1500);
  assert.deepEqual(kubePki(out).map(codeOf), []);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test(GENERATION_TESTS['kubePki.generateControlPlane'], async () => {
  const root = path.join(scratch, 'cp2');
  const result = await vscode.commands.executeCommand('kubePki.generateControlPlane', {
    root,
    nodeName: 'cp2',
    advertiseAddress: '10.0.0.2',
    keyType: 'ecdsa-p256',
    confirm: false,
  });
  assert.equal(result && result.ok, true, JSON.stringify(result));
  for (const f of ['pki/ca.crt', 'pki/apiserver.crt', 'pki/etcd/server.crt', 'pki/sa.key', 'admin.conf', 'kubelet.conf']) {
    assert.ok(fs.existsSync(path.join(root, 'etc', 'kubernetes', f)), f);
  }
  assert.equal(result.written.length, 27);
});

test(GENERATION_TESTS['kubePki.renewCertificate'], async () => {
  const cert = pki('apiserver-kubelet-client.crt');
  const before = fs.readFileSync(cert, 'utf8');
  const keyBefore = fs.readFileSync(pki('apiserver-kubelet-client.key'), 'utf8');
  const result = await vscode.commands.executeCommand('kubePki.renewCertificate', { paths: [cert], confirm: false });
  assert.equal(result && result.ok, true, JSON.stringify(result));
  assert.deepEqual(
    result.written.map((w) => w.path),
    [cert],
  );
  assert.notEqual(fs.readFileSync(cert, 'utf8'), before);
  assert.equal(fs.readFileSync(pki('apiserver-kubelet-client.key'), 'utf8'), keyBefore, 'the key is kept');
  assert.equal(fs.readFileSync(result.written[0].backup, 'utf8'), before);
  assert.match(path.basename(result.written[0].backup), /^apiserver-kubelet-client\.crt\.bak-\d{14}$/);
  fs.rmSync(scratch, { recursive: true, force: true });
});

// The second node tree (test/vscode/workspace.mjs FIX_ALL_DEFECTS), copied into the workspace now: the suites before
// saw only the first. Its files' diagnostics, by file relative to the tree.
const fixAllDir = path.join(ctx.folder, 'fix-all');
const inFixAll = (rel) => path.join(fixAllDir, rel);
const plantedCodes = () => ctx.fixAll.defects.map((d) => ({ ...d, abs: inFixAll(d.file) }));
const hasCode = (d) => kubePki(d.abs).some((x) => codeOf(x) === d.code && x.range.start.line === d.line);

test(GENERATION_TESTS['kubePki.renewExpiring'], async () => {
  fs.cpSync(ctx.fixAll.source, fixAllDir, { recursive: true });
  for (const d of plantedCodes()) {
    await open(d.abs);
    await waitFor(
      () => hasCode(d),
      () => `${d.code} on ${d.file}:${d.line + 1}; it has ${show(kubePki(d.abs))}`,
      30_000,
    );
  }
  const etcdCert = inFixAll('etc/kubernetes/pki/etcd/server.crt');
  const etcdKey = inFixAll('etc/kubernetes/pki/etcd/server.key');
  const [certBefore, keyBefore] = [fs.readFileSync(etcdCert, 'utf8'), fs.readFileSync(etcdKey, 'utf8')];
  const scheduler = inFixAll('etc/kubernetes/scheduler.conf');
  const admin = inFixAll('etc/kubernetes/admin.conf');
  const result = await vscode.commands.executeCommand('kubePki.renewExpiring', { confirm: false });
  assert.equal(result && result.ok, true, JSON.stringify(result));
  // The expiring etcd serving certificate (a file) and the expired controller-manager.conf (inline) only.
  assert.ok(
    result.written.some((w) => w.path === etcdCert),
    JSON.stringify(result.written),
  );
  assert.ok(result.edited.includes(inFixAll('etc/kubernetes/controller-manager.conf')), JSON.stringify(result.edited));
  assert.ok(!result.edited.includes(scheduler) && !result.edited.includes(admin), `nothing but expiry: ${JSON.stringify(result.edited)}`);
  assert.notEqual(fs.readFileSync(etcdCert, 'utf8'), certBefore);
  assert.equal(fs.readFileSync(etcdKey, 'utf8'), keyBefore, 'the key is kept');
  for (const d of plantedCodes()) {
    const expiry = d.code === 'cert-expiring' || d.code === 'cert-expired';
    await waitFor(
      () => hasCode(d) !== expiry,
      () => `${d.code} on ${d.file}:${d.line + 1} to ${expiry ? 'go' : 'stay'}; it has ${show(kubePki(d.abs))}`,
      30_000,
    );
  }
});

test(GENERATION_TESTS['kubePki.fixAll'], async () => {
  const remaining = plantedCodes().filter(hasCode);
  assert.deepEqual(remaining.map((d) => d.code).sort(), ['cn-mismatch', 'org-mismatch'], 'what Renew Expiring left');
  log(
    `    before Fix All: ${plantedCodes()
      .map((d) => `${d.file} ${show(kubePki(d.abs))}`)
      .join('; ')}`,
  );
  const result = await vscode.commands.executeCommand('kubePki.fixAll', { confirm: false });
  assert.equal(result && result.ok, true, JSON.stringify(result));
  for (const d of plantedCodes()) {
    await waitFor(
      () => !hasCode(d),
      () => `${d.code} on ${d.file}:${d.line + 1} to go; it has ${show(kubePki(d.abs))}`,
      30_000,
    );
  }
  // Nothing fixable is left in the tree's open files.
  const fixable = ['san-missing', 'cn-mismatch', 'org-mismatch', 'eku-missing', 'cert-expired', 'cert-expiring', 'untrusted-issuer', 'key-mismatch'];
  for (const d of plantedCodes()) {
    const left = kubePki(d.abs).filter((x) => fixable.includes(codeOf(x)));
    assert.deepEqual(left.map(codeOf), [], `${d.file}: ${show(left)}`);
  }
  await vscode.workspace.saveAll(false);
});

test(GENERATION_TESTS['kubePki.rotateCA'], async () => {
  const etcdCa = pki('etcd/ca.crt');
  const certs = () => fs.readFileSync(etcdCa, 'utf8').match(/BEGIN CERTIFICATE/g).length;
  const api = ctx.files['kube-apiserver.yaml'];
  // The workspace holds two node trees with different etcd CAs: the command asks which (here: given).
  let r = await vscode.commands.executeCommand('kubePki.rotateCA', { ca: 'etcd', confirm: false });
  assert.deepEqual(r.preview.choices && r.preview.choices.includes(etcdCa), true, JSON.stringify(r.preview));
  assert.equal(r.result, undefined);
  const run = (extra) =>
    vscode.commands.executeCommand('kubePki.rotateCA', { ca: 'etcd', site: etcdCa, keyType: 'ecdsa-p256', confirm: false, ...extra });
  r = await run();
  assert.equal(r.preview.stage, 1, JSON.stringify(r.preview));
  assert.equal(r.result && r.result.ok, true, JSON.stringify(r));
  assert.equal(certs(), 2, 'etcd/ca.crt: old + new');
  assert.equal(fs.statSync(pki('etcd/ca-new.key')).mode & 0o777, 0o600);
  // Stage 3 now would drop the old CA while etcd's certificates are still its: refused, nothing written.
  r = await run({ stage: 3 });
  assert.equal(r.result, undefined);
  assert.equal(r.preview.planId, undefined);
  assert.ok(
    r.preview.broken.some((b) => /-> etcd /.test(b.connection)),
    JSON.stringify(r.preview.broken),
  );
  assert.equal(certs(), 2);
  for (const stage of [2, 3]) {
    r = await run();
    assert.equal(r.preview.stage, stage, JSON.stringify(r.preview));
    assert.equal(r.result && r.result.ok, true, JSON.stringify(r));
  }
  assert.equal(certs(), 1, 'etcd/ca.crt: the new CA only');
  assert.equal(fs.readdirSync(pki('etcd/rotated')).filter((f) => f.endsWith('.key')).length, 1);
  // The rotated tree has no finding on the apiserver's etcd lines.
  const doc = await open(api);
  const etcdLines = [];
  for (let i = 0; i < doc.lineCount; i++) if (/--etcd-(cafile|certfile|keyfile)=/.test(doc.lineAt(i).text)) etcdLines.push(i);
  assert.equal(etcdLines.length, 3);
  await sleep(1500);
  const onEtcd = kubePki(api).filter((d) => etcdLines.includes(d.range.start.line));
  assert.deepEqual(onEtcd.map(codeOf), [], show(onEtcd));
});
