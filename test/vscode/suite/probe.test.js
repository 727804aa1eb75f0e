// Probe Live Endpoints through the real `vscode` API: a kubeconfig of its own in the workspace names a TLS server
// this test runs (serving the front-proxy client certificate, which the cluster CA did not issue) and a closed
// port; the command lists both among the workspace's addresses, dials only those two (the `only` option: the
// test tree's other addresses are a node's, not this machine's), and the verdicts are diagnostics with source
// "kube-pki probe" on the kubeconfig's server: lines and items of the Live endpoints group of the Kube PKI view.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const tls = require('node:tls');
const vscode = require('vscode');
const { EXTENSION_ID, manifest, codeOf, waitFor } = require('./util');
const { test, log } = require('./harness');
const { PROBE_TESTS } = require('./probe.commands');

const ctx = manifest();
const pki = (rel) => path.join(ctx.folder, 'etc', 'kubernetes', 'pki', rel);

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

test(PROBE_TESTS['kubePki.probeLiveEndpoints'], async () => {
  const api = vscode.extensions.getExtension(EXTENSION_ID).exports;
  assert.ok(fs.existsSync(pki('front-proxy-client.crt')), 'the test tree has front-proxy-client.crt');
  const server = tls.createServer(
    { cert: fs.readFileSync(pki('front-proxy-client.crt')), key: fs.readFileSync(pki('front-proxy-client.key')) },
    (s) => s.end(),
  );
  const port = await listen(server);
  // A port that was free a moment ago, released: nothing listens on it.
  const released = net.createServer();
  const closed = await listen(released);
  await new Promise((r) => released.close(r));
  const file = path.join(ctx.folder, 'probe-live.kubeconfig');
  fs.writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: live',
      '  cluster:',
      `    server: https://127.0.0.1:${port}`,
      '    certificate-authority: etc/kubernetes/pki/ca.crt',
      '- name: closed',
      '  cluster:',
      `    server: https://127.0.0.1:${closed}`,
      '    certificate-authority: etc/kubernetes/pki/ca.crt',
      'users: []',
      '',
    ].join('\n'),
  );
  try {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(doc, { preview: false });
    const live = `127.0.0.1:${port}`;
    const down = `127.0.0.1:${closed}`;
    const result = await vscode.commands.executeCommand('kubePki.probeLiveEndpoints', { confirm: false, timeoutMs: 2000, only: [live, down] });
    assert.ok(result, 'the command returns the probe');
    assert.deepEqual(result.endpoints.map((e) => e.address).sort(), [live, down].sort());
    assert.match(api.probe.lastConfirmation(), new RegExp(`${live.replace(/\./g, '\\.')} — kube-apiserver \\(probe-live\\.kubeconfig\\)`));

    const diags = api.probe.diagnostics(vscode.Uri.file(file));
    const at = (line) => diags.filter((d) => d.range.start.line === line).map((d) => `${codeOf(d)}:${d.source}`);
    assert.deepEqual(at(5), ['served-cert-untrusted:kube-pki probe'], JSON.stringify(diags.map((d) => d.message)));
    assert.deepEqual(at(9), ['endpoint-unreachable:kube-pki probe']);
    const untrusted = diags.find((d) => d.range.start.line === 5);
    assert.equal(untrusted.severity, vscode.DiagnosticSeverity.Error);
    assert.match(untrusted.message, /CN=front-proxy-client.*"tls: failed to verify certificate: x509: /);
    // VS Code shows them in the Problems panel as any extension's diagnostics.
    await waitFor(
      () => vscode.languages.getDiagnostics(vscode.Uri.file(file)).some((d) => d.source === 'kube-pki probe' && codeOf(d) === 'endpoint-unreachable'),
      'the probe diagnostics among the document diagnostics',
    );

    // The Kube PKI view: the Live endpoints group first, one item per address, with what it serves.
    const tree = api.explorer.snapshot();
    assert.equal(tree[0].label, 'Live endpoints');
    assert.match(tree[0].description, /probed .* · 1 served, 1 unreachable/);
    const items = Object.fromEntries(tree[0].children.map((i) => [i.label, i]));
    assert.match(items[live].description, /kube-apiserver · CN front-proxy-client · not after .* · served-cert-untrusted/);
    assert.equal(items[live].icon, 'error');
    assert.match(items[down].description, /unreachable \(refused\) · endpoint-unreachable/);
    assert.equal(items[live].command.command, 'vscode.open');
    log(`    ${items[live].label} — ${items[live].description}`);
    log(`    ${items[down].label} — ${items[down].description}`);
  } finally {
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    fs.rmSync(file, { force: true });
    await new Promise((r) => server.close(r));
  }
});
