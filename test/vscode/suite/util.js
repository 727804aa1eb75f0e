// What the extension-host suites share: kube-pki's diagnostics of a file, and polling until the
// editor shows what a test waits for.
const vscode = require('vscode');

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

module.exports = { codeOf, kubePki, show, sleep, waitFor };
