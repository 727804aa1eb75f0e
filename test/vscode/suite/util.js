// What the extension-host suites share: the extension's id, the test workspace's manifest, kube-pki's
// diagnostics of a file, and polling until the editor shows what a test waits for.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const EXTENSION_ID = 'kube-pki.kube-pki';

/** What the driver wrote beside the workspace folder (test/vscode/workspace.mjs): its folder, files, planted defects, fixes. */
function manifest() {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(folder, 'the tests need a workspace folder (the generated node tree)');
  return JSON.parse(fs.readFileSync(path.join(path.dirname(folder.uri.fsPath), 'kube-pki-test.json'), 'utf8'));
}

const codeOf = (d) => (d.code && typeof d.code === 'object' ? String(d.code.value) : String(d.code));
const kubePki = (file) => vscode.languages.getDiagnostics(vscode.Uri.file(file)).filter((d) => d.source === 'kube-pki');
const show = (diags) => JSON.stringify(diags.map((d) => `${codeOf(d)}@${d.range.start.line + 1}`));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls until check() returns something truthy; the failure says what was seen last. */
async function waitFor(check, what, timeout = 20_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeout} ms waiting for ${typeof what === 'function' ? what() : what}`);
    await sleep(100);
  }
}

module.exports = { EXTENSION_ID, manifest, codeOf, kubePki, show, sleep, waitFor };
