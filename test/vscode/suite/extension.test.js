// kube-pki in a real VS Code, through the `vscode` API: what a person sees in the editor (diagnostics on
// lines, the Problems data, the status bar text, the output channel) for a generated broken node tree.
// The workspace and the material used to fix its defects come from test/vscode/workspace.mjs; the tests
// run in order and later ones build on the edits of earlier ones.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { EXTENSION_ID, codeOf, kubePki, manifest, show, sleep, waitFor } = require('./util');
const { test, log, testNames } = require('./harness');

/** Every command the extension contributes, and the test below that runs it. */
const EXERCISED_COMMANDS = {
  'kubePki.recheckWorkspace': 'Kube PKI: Re-check Workspace re-checks and shows the server summary in the status bar',
  'kubePki.showOutput': 'Kube PKI: Show Output shows the language server log',
  'kubePki.decodeCertificate': 'Kube PKI: Decode Certificate shows the certificate under the cursor',
  'kubePki.decodeSelection': 'Kube PKI: Decode Selection decodes the selected base64 value',
  // The generation commands' tests are in generate.test.js.
  ...require('./generate.commands').GENERATION_TESTS,
  // The PKI explorer's and the timeline's are in explorer.test.js.
  ...require('./explorer.commands').EXPLORER_TESTS,
  // Probe Live Endpoints' is in probe.test.js.
  ...require('./probe.commands').PROBE_TESTS,
  // The example cluster's and the walkthrough's are in walkthrough.test.js.
  ...require('./walkthrough.commands').WALKTHROUGH_TESTS,
};

const ctx = manifest();
/** The extension's API (activate()'s return value), set by the first test. */
let api;

const defect = (name) => {
  const d = ctx.defects.find((x) => x.defect === name);
  assert.ok(d, `defect ${name} is not planted`);
  return d;
};
const onLine = (diags, code, line) => diags.filter((d) => codeOf(d) === code && d.range.start.line === line);

/** Waits until the file's kube-pki diagnostics satisfy pred; returns them. */
function waitForDiagnostics(file, pred, what, timeout) {
  return waitFor(
    () => {
      const ds = kubePki(file);
      return pred(ds) ? ds : undefined;
    },
    () => `${what} in ${path.basename(file)}; it has ${show(kubePki(file))}`,
    timeout,
  );
}

async function open(file, { showIt = true } = {}) {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  // Shown (not preview) editors keep their documents open for the rest of the run.
  if (showIt) await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: false });
  return doc;
}

function lineOf(doc, includes) {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(includes)) return i;
  throw new Error(`${path.basename(doc.uri.fsPath)} has no line with ${JSON.stringify(includes)}`);
}

/** Replaces the value after `key:` on the line that has it. */
function replaceValue(edit, doc, key, value) {
  const line = doc.lineAt(lineOf(doc, `${key}:`));
  const start = line.text.indexOf(`${key}:`) + key.length + 1;
  edit.replace(doc.uri, new vscode.Range(line.lineNumber, start, line.lineNumber, line.text.length), ` ${value}`);
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// ------------------------------------------------------------------------------------------------

test('the extension activates by itself in a Kubernetes workspace and its server answers', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed in this VS Code`);
  // Not ext.activate(): the workspaceContains/onLanguage activation events must start it.
  await waitFor(() => ext.isActive, `${EXTENSION_ID} to activate`, 30_000);
  api = ext.exports;
  assert.equal(typeof api?.summary, 'function', 'activate() returns the API with summary()');
  const s = await api.summary();
  // The node tree has 10 recognised files (5 kubeconfigs, 4 manifests, the kubelet config).
  assert.ok(s.files >= 10, `the server recognised only ${s.files} files: ${JSON.stringify(s)}`);
  assert.ok(s.errors >= ctx.defects.length, `summary counts ${s.errors} errors for ${ctx.defects.length} planted defects`);
});

test('with no file open, the Problems data holds every planted defect and the status bar counts what it holds', async () => {
  const planted = new Set(ctx.defects.map((d) => d.file));
  const open = vscode.workspace.textDocuments.filter((d) => planted.has(d.uri.fsPath));
  assert.deepEqual(
    open.map((d) => d.uri.fsPath),
    [],
    'no file with a planted defect is open yet',
  );
  const all = () => vscode.languages.getDiagnostics().flatMap(([, ds]) => ds.filter((d) => d.source === 'kube-pki'));
  await waitFor(
    () => ctx.defects.every((d) => onLine(kubePki(d.file), d.code, d.line).length === 1),
    () => `every planted code on its line without opening a file; the Problems data has ${show(all())}`,
  );
  // The status bar and the Problems panel agree (both count errors and warnings over the workspace).
  const counted = () => {
    const ds = all();
    const errors = ds.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length;
    const warnings = ds.filter((d) => d.severity === vscode.DiagnosticSeverity.Warning).length;
    return `$(shield) PKI: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`;
  };
  await waitFor(
    () => api.statusBarText() === counted(),
    () => `the status bar (${JSON.stringify(api.statusBarText())}) to count what the Problems data holds (${JSON.stringify(counted())})`,
  );
  log(`    with no file open: ${counted()}`);
});

test('every planted defect is a diagnostic on its line, and nothing else is reported in those files', async () => {
  const files = [...new Set(ctx.defects.map((d) => d.file))];
  for (const f of files) await open(f);
  for (const f of files) {
    const expected = ctx.defects.filter((d) => d.file === f);
    const diags = await waitForDiagnostics(
      f,
      (ds) => expected.every((d) => onLine(ds, d.code, d.line).length === 1),
      `${expected.map((d) => `${d.code}@${d.line + 1}`).join(', ')}`,
    );
    for (const d of expected) {
      const [hit] = onLine(diags, d.code, d.line);
      assert.equal(hit.severity, vscode.DiagnosticSeverity.Error, `${d.code} is an error`);
      assert.match(hit.message, /\S{10}/);
    }
    // The README: every finding other than the planted ones is a false positive.
    assert.equal(diags.length, expected.length, `${path.basename(f)}: expected only ${expected.map((d) => d.code)}; got ${show(diags)}`);
  }
  log(`    saw ${ctx.defects.map((d) => `${d.code} on ${path.basename(d.file)}:${d.line + 1}`).join('; ')}`);
});

test('san-missing is also on the apiserver --tls-cert-file line, each pointing at the other file', async () => {
  const doc = await open(ctx.files['kube-apiserver.yaml']);
  const line = lineOf(doc, '- --tls-cert-file=');
  const diags = await waitForDiagnostics(doc.uri.fsPath, (ds) => onLine(ds, 'san-missing', line).length === 1, `san-missing@${line + 1}`);
  const [hit] = onLine(diags, 'san-missing', line);
  assert.ok(
    (hit.relatedInformation ?? []).some((r) => r.location.uri.fsPath === ctx.files['admin.conf']),
    `the apiserver's san-missing names admin.conf as related: ${JSON.stringify(hit.relatedInformation)}`,
  );
  const admin = defect('apiserver-san-missing');
  const [adminHit] = onLine(kubePki(admin.file), 'san-missing', admin.line);
  assert.ok(adminHit, 'admin.conf still has san-missing');
  assert.ok(
    (adminHit.relatedInformation ?? []).some((r) => r.location.uri.fsPath === doc.uri.fsPath),
    `admin.conf's san-missing names kube-apiserver.yaml as related: ${JSON.stringify(adminHit.relatedInformation)}`,
  );
});

test('a healthy kubeconfig and a YAML file that is not Kubernetes get no diagnostics', async () => {
  const healthy = await open(ctx.files['super-admin.conf']);
  const compose = await open(ctx.files['docker-compose.yaml']);
  // The server publishes within ~100 ms of an open; a false positive would show up by then.
  await sleep(1500);
  assert.deepEqual(show(kubePki(healthy.uri.fsPath)), '[]');
  assert.deepEqual(show(kubePki(compose.uri.fsPath)), '[]');
});

/** [startLine, startChar, endLine, endChar] of a range, for one readable comparison. */
const rangeOf = (r) => [r.start.line, r.start.character, r.end.line, r.end.character];

test("a systemd unit's and a JSON kubeconfig's findings cover the flag's value and the JSON string; package.json gets nothing", async () => {
  const unit = await open(ctx.files['kubelet.service']);
  const uline = lineOf(unit, '--tls-private-key-file=');
  const unitDiags = await waitForDiagnostics(unit.uri.fsPath, (ds) => onLine(ds, 'key-mismatch', uline).length === 1, `key-mismatch@${uline + 1}`);
  const flag = unit.lineAt(uline).text;
  const value = '/etc/kubernetes/pki/apiserver-kubelet-client.key';
  assert.deepEqual(rangeOf(onLine(unitDiags, 'key-mismatch', uline)[0].range), [
    uline,
    flag.indexOf(value),
    uline,
    flag.indexOf(value) + value.length,
  ]);
  assert.equal(unitDiags.length, 1, `only the planted key-mismatch in the unit: ${show(unitDiags)}`);

  const kc = await open(ctx.files['ops-admin.json']);
  assert.equal(kc.languageId, 'json');
  const kline = lineOf(kc, '"client-key-data"');
  const kcDiags = await waitForDiagnostics(kc.uri.fsPath, (ds) => onLine(ds, 'key-mismatch', kline).length === 1, `key-mismatch@${kline + 1}`);
  const entry = kc.lineAt(kline).text;
  const open_ = entry.indexOf('"', entry.indexOf(':'));
  const close = entry.indexOf('"', open_ + 1) + 1;
  assert.deepEqual(rangeOf(onLine(kcDiags, 'key-mismatch', kline)[0].range), [kline, open_, kline, close]);
  assert.equal(kcDiags.length, 1, `only the planted key-mismatch in the JSON kubeconfig: ${show(kcDiags)}`);

  const pkg = await open(ctx.files['package.json']);
  assert.equal(pkg.languageId, 'json');
  await sleep(1500);
  assert.deepEqual(show(kubePki(pkg.uri.fsPath)), '[]');
});

test('fixing the server name in the editor clears san-missing in admin.conf and in the apiserver manifest', async () => {
  const d = defect('apiserver-san-missing');
  const doc = await open(d.file);
  const apiserver = ctx.files['kube-apiserver.yaml'];
  assert.equal(onLine(kubePki(d.file), 'san-missing', d.line).length, 1, 'san-missing is there before the fix');
  const line = doc.lineAt(d.line).text;
  const m = /server: https:\/\/([^:/]+)/.exec(line);
  assert.ok(m, `line ${d.line + 1} is the server line: ${line}`);
  const edit = new vscode.WorkspaceEdit();
  const start = line.indexOf(m[1]);
  edit.replace(doc.uri, new vscode.Range(d.line, start, d.line, start + m[1].length), ctx.advertiseAddress);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applies');
  assert.ok(doc.isDirty, 'the fix is only in the editor buffer, not saved');
  await waitForDiagnostics(d.file, (ds) => ds.length === 0, 'no diagnostics after the fix');
  // The buffer changed the apiserver certificate's verdict too (nobody dials the missing name any more).
  await waitForDiagnostics(apiserver, (ds) => !ds.some((x) => codeOf(x) === 'san-missing'), 'san-missing to go from the apiserver manifest');
});

test('replacing the scheduler certificate with a correctly named one clears cn-mismatch', async () => {
  const d = defect('scheduler-cn-typo');
  const doc = await open(d.file);
  assert.equal(onLine(kubePki(d.file), 'cn-mismatch', d.line).length, 1, 'cn-mismatch is there before the fix');
  const edit = new vscode.WorkspaceEdit();
  replaceValue(edit, doc, 'client-certificate-data', ctx.fixes.schedulerCertData);
  replaceValue(edit, doc, 'client-key-data', ctx.fixes.schedulerKeyData);
  assert.ok(await vscode.workspace.applyEdit(edit), 'the edit applies');
  await waitForDiagnostics(d.file, (ds) => ds.length === 0, 'no diagnostics after the new certificate and key');
});

test('a referenced certificate changed on disk re-checks the open kubeconfig that uses it', async () => {
  const d = defect('kubelet-untrusted');
  await open(d.file);
  const pem = ctx.files['kubelet-client-current.pem'];
  assert.equal(onLine(kubePki(d.file), 'untrusted-issuer', d.line).length, 1, 'untrusted-issuer is there before the change');
  // Another tool (the kubelet rotating its certificate) writes the file: the editor never opened it.
  fs.writeFileSync(pem, ctx.fixes.kubeletClientPem);
  await waitForDiagnostics(d.file, (ds) => ds.length === 0, 'no diagnostics once the certificate comes from the cluster CA');
  // And the other way: a truncated file is reported on the line that references it.
  const lines = ctx.fixes.kubeletClientPem.split('\n');
  fs.writeFileSync(pem, lines.slice(0, Math.floor(lines.length / 3)).join('\n') + '\n');
  await waitForDiagnostics(d.file, (ds) => onLine(ds, 'pem-invalid', d.line).length === 1, `pem-invalid@${d.line + 1} for the truncated file`);
});

test(EXERCISED_COMMANDS['kubePki.recheckWorkspace'], async () => {
  await vscode.commands.executeCommand('kubePki.recheckWorkspace');
  const s = await api.summary();
  // controller-manager.conf is still expired and kubelet-client-current.pem still truncated.
  assert.ok(s.errors >= 2, `errors after the re-check: ${JSON.stringify(s)}`);
  const expected = `$(shield) PKI: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`;
  await waitFor(
    () => api.statusBarText() === expected,
    () => `the status bar to read ${JSON.stringify(expected)}; it reads ${JSON.stringify(api.statusBarText())}`,
  );
  const cm = defect('controller-manager-expired');
  assert.equal(onLine(kubePki(cm.file), 'cert-expired', cm.line).length, 1, `cert-expired is still on controller-manager.conf:${cm.line + 1}`);
  log(`    status bar: ${api.statusBarText()}`);
});

test(EXERCISED_COMMANDS['kubePki.showOutput'], async () => {
  await vscode.commands.executeCommand('kubePki.showOutput');
  // The output channel's document becomes visible to extensions once the Output view shows it.
  const doc = await waitFor(
    () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.getText().includes('kube-pki: indexed')),
    () =>
      `an output document with the server's "kube-pki: indexed" line; open: ${JSON.stringify(vscode.workspace.textDocuments.map((d) => d.uri.toString()))}`,
  );
  assert.match(doc.getText(), /kube-pki \d+\.\d+\.\d+: workspace /);
});

/** Runs a decode command with the cursor or selection set in the source file; returns the decoded text shown. */
async function decodeWith(command, file, select) {
  const doc = await open(file);
  const editor = vscode.window.activeTextEditor;
  assert.equal(editor?.document.uri.fsPath, file, `${path.basename(file)} is the active editor`);
  editor.selection = select(doc);
  await vscode.commands.executeCommand(command);
  // The decode opens in an editor of its own, read-only, beside or instead of the source.
  const shown = await waitFor(
    () =>
      vscode.window.visibleTextEditors.find(
        (e) => e.document.uri.fsPath !== file && e.document.uri.scheme !== 'output' && e.document.uri.scheme !== 'file',
      ),
    () =>
      `an editor with the decoded certificate; visible: ${JSON.stringify(vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()))}`,
  );
  return shown.document.getText();
}

test(EXERCISED_COMMANDS['kubePki.decodeCertificate'], async () => {
  const d = defect('controller-manager-expired');
  const text = await decodeWith('kubePki.decodeCertificate', d.file, (doc) => {
    const line = doc.lineAt(d.line).text;
    const at = line.indexOf('client-certificate-data:') + 'client-certificate-data: '.length + 5;
    return new vscode.Selection(d.line, at, d.line, at);
  });
  assert.match(text, /system:kube-controller-manager/, `the decoded text names the subject:\n${text.slice(0, 600)}`);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test(EXERCISED_COMMANDS['kubePki.decodeSelection'], async () => {
  const d = defect('apiserver-san-missing'); // admin.conf: CN=kubernetes-admin, O=kubeadm:cluster-admins
  const text = await decodeWith('kubePki.decodeSelection', d.file, (doc) => {
    const n = lineOf(doc, 'client-certificate-data:');
    const line = doc.lineAt(n).text;
    const start = line.indexOf('client-certificate-data:') + 'client-certificate-data:'.length + 1;
    return new vscode.Selection(n, start, n, line.length);
  });
  assert.match(text, /kubernetes-admin/, `the decoded text names the subject:\n${text.slice(0, 600)}`);
  assert.match(text, /kubeadm:cluster-admins/);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('every contributed command is registered and exercised by this suite', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  const contributed = ext.packageJSON.contributes.commands.map((c) => c.command);
  assert.ok(contributed.length > 0);
  const registered = new Set(await vscode.commands.getCommands(true));
  for (const c of contributed) {
    assert.ok(registered.has(c), `${c} is contributed but not registered by the extension`);
    assert.ok(c in EXERCISED_COMMANDS, `${c} has no test: add one to test/vscode/suite/extension.test.js and list it in EXERCISED_COMMANDS`);
    assert.ok(
      testNames().includes(EXERCISED_COMMANDS[c]),
      `${c}: EXERCISED_COMMANDS names the test "${EXERCISED_COMMANDS[c]}", but no test has that name`,
    );
  }
});
