// The repository's own controls in a real VS Code: the quick fix that writes a `# kube-pki-ignore` comment (the
// finding goes, the comment sits above the line with its indentation, undo brings the finding back), and a
// `.kube-pki.yaml` mistake shown in the Problems panel without opening the config. Works on files it makes in a
// folder of its own inside the workspace, and removes them.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { codeOf, kubePki, manifest, show, waitFor } = require('./util');
const { test, log } = require('./harness');

const ctx = manifest();
const dir = path.join(ctx.folder, 'policy-test');

const kubeconfig = [
  'apiVersion: v1',
  'kind: Config',
  'clusters:',
  '- name: lab',
  '  cluster:',
  '    server: https://10.0.0.1:6443',
  '    certificate-authority: lab-ca.crt',
  'users: []',
  'contexts: []',
  '',
].join('\n');

test('quick fix "Ignore file-not-found on this line" writes the comment above the line; undo brings the finding back', async () => {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'lab.kubeconfig');
  fs.writeFileSync(file, kubeconfig);
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc, { preview: false });
    const diag = await waitFor(
      () => kubePki(file).find((d) => codeOf(d) === 'file-not-found'),
      () => `file-not-found in lab.kubeconfig; it has ${show(kubePki(file))}`,
    );
    assert.equal(diag.range.start.line, 6);
    const actions = await vscode.commands.executeCommand(
      'vscode.executeCodeActionProvider',
      doc.uri,
      diag.range,
      vscode.CodeActionKind.QuickFix.value,
    );
    const titles = (actions || []).map((a) => a.title);
    assert.ok(titles.includes('Ignore file-not-found in this file'), JSON.stringify(titles));
    const fix = (actions || []).find((a) => a.title === 'Ignore file-not-found on this line');
    assert.ok(fix && fix.edit, `the ignore quick fix with an edit; got ${JSON.stringify(titles)}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    assert.equal(doc.lineAt(6).text, '    # kube-pki-ignore file-not-found');
    assert.equal(doc.lineAt(7).text, '    certificate-authority: lab-ca.crt');
    await waitFor(
      () => !kubePki(file).some((d) => codeOf(d) === 'file-not-found'),
      () => `file-not-found to go; it has ${show(kubePki(file))}`,
    );
    await vscode.commands.executeCommand('undo');
    await waitFor(() => doc.getText() === kubeconfig, 'undo to remove the comment');
    await waitFor(
      () => kubePki(file).some((d) => codeOf(d) === 'file-not-found'),
      () => `file-not-found back after undo; it has ${show(kubePki(file))}`,
    );
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    log(`    ${fix.title}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a mistake in .kube-pki.yaml is a config-invalid diagnostic at its line, without opening the file; fixing it clears it', async () => {
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, '.kube-pki.yaml');
  fs.writeFileSync(config, 'rules:\n  cabundle-mising: off\n');
  try {
    const diag = await waitFor(
      () => kubePki(config).find((d) => codeOf(d) === 'config-invalid'),
      () => `config-invalid in .kube-pki.yaml; it has ${show(kubePki(config))}`,
    );
    assert.equal(diag.range.start.line, 1);
    assert.match(diag.message, /unknown code 'cabundle-mising' \(did you mean 'cabundle-missing'\?\)/);
    fs.writeFileSync(config, 'rules:\n  cabundle-missing: off\n');
    await waitFor(
      () => kubePki(config).length === 0,
      () => `config-invalid to go; it has ${show(kubePki(config))}`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
