// The first run: "Kube PKI: Open Example Cluster" and the walkthrough (contributes.walkthroughs) in a real
// VS Code. The command is given its answers as arguments ({ parent | folder, open: 'none' }: opening a folder
// would reload the window under the tests); what it writes is checked on disk. The walkthrough is checked as
// VS Code reads it: its steps, each with a button whose command exists and a completion event, its pages.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { EXTENSION_ID, codeOf, kubePki, manifest, show, waitFor } = require('./util');
const { test, log } = require('./harness');
const { WALKTHROUGH_TESTS } = require('./walkthrough.commands');

const ctx = manifest();
// Beside the workspace folder, in the driver's temporary folder (removed with it whatever happens).
const scratch = fs.mkdtempSync(path.join(path.dirname(ctx.folder), 'example-'));
/** The example made by the first test. */
let example;

function walk(dir, base = dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, base));
    else out.push(path.relative(base, p).split(path.sep).join('/'));
  }
  return out.sort();
}

test(
  WALKTHROUGH_TESTS['kubePki.openExampleCluster'],
  async () => {
    const result = await vscode.commands.executeCommand('kubePki.openExampleCluster', { parent: scratch, open: 'none' });
    assert.equal(result && result.ok, true, JSON.stringify(result && result.error));
    assert.equal(result.folder, path.join(scratch, 'kube-pki-example'));
    assert.equal(result.opened, 'none');
    example = result.folder;
    const files = walk(example);
    for (const f of [
      'etc/kubernetes/admin.conf',
      'etc/kubernetes/controller-manager.conf',
      'etc/kubernetes/scheduler.conf',
      'etc/kubernetes/kubelet.conf',
      'etc/kubernetes/manifests/kube-apiserver.yaml',
      'etc/kubernetes/pki/ca.crt',
      'etc/kubernetes/pki/ca.key',
      'etc/kubernetes/pki/etcd/ca.crt',
      'var/lib/kubelet/config.yaml',
      'var/lib/kubelet/pki/kubelet-client-current.pem',
      '.kube-pki-example.json',
    ]) {
      assert.ok(files.includes(f), `${f} is not in the example; it has ${files.join(', ')}`);
    }
    assert.deepEqual(result.written.map((p) => path.relative(example, p).split(path.sep).join('/')).sort(), files);
    assert.equal(fs.statSync(path.join(example, 'etc/kubernetes/pki/ca.key')).mode & 0o777, 0o600);
    const marker = JSON.parse(fs.readFileSync(path.join(example, '.kube-pki-example.json'), 'utf8'));
    assert.equal(marker.generatedBy, 'Kube PKI: Open Example Cluster');
    assert.deepEqual(
      marker.expected.map((e) => `${e.code}@${e.file}:${e.line}`),
      result.expected.map((e) => `${e.code}@${e.file}:${e.line}`),
    );
    assert.deepEqual(
      result.expected.map((e) => e.code),
      ['san-missing', 'org-mismatch', 'cn-mismatch', 'cert-expired', 'untrusted-issuer'],
    );
    for (const e of result.expected) {
      const line = fs.readFileSync(path.join(example, e.file), 'utf8').split('\n')[e.line - 1];
      assert.ok(line !== undefined && line.trim().length > 0, `${e.file}:${e.line} is a line of the file`);
    }

    // The same parent again: a new folder beside it, the first untouched.
    const before = fs.readFileSync(path.join(example, 'etc/kubernetes/admin.conf'), 'utf8');
    const second = await vscode.commands.executeCommand('kubePki.openExampleCluster', { parent: scratch, open: 'none' });
    assert.equal(second.ok, true, second.error);
    assert.equal(second.folder, path.join(scratch, 'kube-pki-example-2'));
    assert.equal(fs.readFileSync(path.join(example, 'etc/kubernetes/admin.conf'), 'utf8'), before);

    // A folder with files is refused: nothing written there.
    const taken = path.join(scratch, 'taken');
    fs.mkdirSync(taken);
    fs.writeFileSync(path.join(taken, 'notes.txt'), 'mine\n');
    const refused = await vscode.commands.executeCommand('kubePki.openExampleCluster', { folder: taken, open: 'none' });
    assert.equal(refused.ok, false);
    assert.match(refused.error, /not empty/);
    assert.deepEqual(fs.readdirSync(taken), ['notes.txt']);
    log(`    ${result.written.length} files in ${path.basename(example)}`);
  },
  { timeout: 120_000 },
);

test(WALKTHROUGH_TESTS['kubePki.showWalkthrough'], async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const walkthroughs = ext.packageJSON.contributes.walkthroughs;
  assert.equal(walkthroughs.length, 1);
  const w = walkthroughs[0];
  assert.equal(w.id, 'firstRun');
  assert.deepEqual(
    w.steps.map((s) => s.id),
    ['openExample', 'seeFindings', 'hoverCertificate', 'quickFix', 'pkiView', 'timeline'],
  );
  const registered = new Set(await vscode.commands.getCommands(true));
  const views = new Set(Object.values(ext.packageJSON.contributes.views).flatMap((list) => list.map((v) => v.id)));
  for (const s of w.steps) {
    const buttons = [...s.description.matchAll(/\[([^\]]+)\]\(command:([^)?]+)(\?[^)]*)?\)/g)].map((m) => m[2]);
    assert.ok(buttons.length >= 1, `step ${s.id} has a button`);
    for (const c of buttons) {
      // A view's focus command (<view>.focus) is VS Code's own, for a contributed view.
      const known = registered.has(c) || (c.endsWith('.focus') && views.has(c.slice(0, -'.focus'.length)));
      assert.ok(known, `step ${s.id}: its button runs ${c}, which is not a command`);
    }
    assert.ok(Array.isArray(s.completionEvents) && s.completionEvents.length >= 1, `step ${s.id} has completion events`);
    for (const e of s.completionEvents) {
      const [kind, what] = [e.slice(0, e.indexOf(':')), e.slice(e.indexOf(':') + 1)];
      assert.ok(['onCommand', 'onView', 'onContext'].includes(kind), `step ${s.id}: ${e}`);
      if (kind === 'onCommand') assert.ok(registered.has(what), `step ${s.id}: ${e} names no command`);
      if (kind === 'onView' && what.startsWith('kubePki.')) assert.ok(views.has(what), `step ${s.id}: ${e} names no view`);
    }
    assert.ok(s.media && s.media.markdown, `step ${s.id} has a page`);
    const page = path.join(ext.extensionPath, s.media.markdown);
    assert.ok(fs.existsSync(page), `step ${s.id}: ${s.media.markdown} is not in the extension`);
    assert.match(fs.readFileSync(page, 'utf8'), /^# \S/, `${s.media.markdown} starts with a title`);
  }
  // The first step is done once the example is open in the window (the command sets the context key).
  assert.ok(w.steps[0].completionEvents.includes('onContext:kubePki.exampleOpen'));

  // Kube PKI: Get Started opens it by its full id (workbench.action.openWalkthrough), in the Welcome page's editor.
  const tabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs.map((t) => t.label));
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  await vscode.commands.executeCommand('kubePki.showWalkthrough');
  await waitFor(
    () => tabs().includes('Welcome'),
    () => `a Welcome tab for the walkthrough; tabs: ${JSON.stringify(tabs())}`,
  );
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
});

test(WALKTHROUGH_TESTS['kubePki.example.showHover'], async () => {
  assert.ok(example, 'the example was made by the first test');
  // Without an example there is nothing to show: the command says so and returns.
  assert.equal(await vscode.commands.executeCommand('kubePki.example.showHover', { folder: scratch }), false);
  assert.equal(await vscode.commands.executeCommand('kubePki.example.showHover', { folder: example }), true);
  const file = path.join(example, 'etc', 'kubernetes', 'admin.conf');
  const editor = vscode.window.activeTextEditor;
  assert.equal(editor && editor.document.uri.fsPath, file);
  assert.equal(editor.selection.active.line, 17, 'the cursor on line 18 (client-certificate-data)');
  assert.match(editor.document.lineAt(17).text, /client-certificate-data:/);
  const diags = await waitFor(
    () => kubePki(file).some((d) => codeOf(d) === 'org-mismatch' && d.range.start.line === 17) && kubePki(file),
    () => `org-mismatch on admin.conf:18; it has ${show(kubePki(file))}`,
  );
  // The hover the step shows: the certificate decoded, with the finding.
  const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', editor.document.uri, editor.selection.active);
  const text = (hovers || []).flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
  assert.match(text, /CN=kubernetes-admin/);
  assert.match(text, /system:master/);
  log(`    ${show(diags)}`);
});

test(WALKTHROUGH_TESTS['kubePki.example.showQuickFix'], async () => {
  assert.ok(example, 'the example was made by the first test');
  assert.equal(await vscode.commands.executeCommand('kubePki.example.showQuickFix', { folder: example }), true);
  const file = path.join(example, 'etc', 'kubernetes', 'controller-manager.conf');
  const editor = vscode.window.activeTextEditor;
  assert.equal(editor && editor.document.uri.fsPath, file);
  assert.equal(editor.selection.active.line, 17);
  const diag = await waitFor(
    () => kubePki(file).find((d) => codeOf(d) === 'cert-expired' && d.range.start.line === 17),
    () => `cert-expired on controller-manager.conf:18; it has ${show(kubePki(file))}`,
  );
  const actions = await vscode.commands.executeCommand(
    'vscode.executeCodeActionProvider',
    editor.document.uri,
    diag.range,
    vscode.CodeActionKind.QuickFix.value,
  );
  const fix = (actions || []).find((a) => a.command && a.command.command === 'kubePki.generate.apply');
  assert.ok(fix, `a kube-pki quick fix; got ${JSON.stringify((actions || []).map((a) => a.title))}`);
  assert.match(fix.title, /^Re-issue kube-controller-manager's client certificate/);
  // The example's files are left as they were, and closed: the tests after these see the workspace alone.
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  log(`    ${fix.title}`);
});
