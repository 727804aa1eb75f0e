// The language server dies anyway (here: SIGKILL, as the OOM killer would): the extension starts it again,
// the diagnostics come back, and VS Code shows one notification about it, not one per crash. The server's
// pid is read where a person would find it: the "server pid N" of its start line in Kube PKI: Show Output.
// Runs last (index.js): it restarts the server the other suites talk to.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { EXTENSION_ID, codeOf, kubePki, show, waitFor } = require('./util');
const { test, log } = require('./harness');

/** The output channel's document (the Output view must show it for extensions to see it). */
async function outputDocument() {
  await vscode.commands.executeCommand('kubePki.showOutput');
  return waitFor(
    () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && /server pid \d+/.test(d.getText())),
    () =>
      `the output document with the server's "server pid" line; open: ${JSON.stringify(vscode.workspace.textDocuments.map((d) => d.uri.toString()))}`,
  );
}

const pids = (doc) => [...doc.getText().matchAll(/server pid (\d+)/g)].map((m) => Number(m[1]));
const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

test(
  'a killed language server is restarted: diagnostics come back, and VS Code says so once, not once per crash',
  async () => {
    const api = vscode.extensions.getExtension(EXTENSION_ID).exports;
    assert.deepEqual([...api.serverNotices()], [], 'no notice before any crash');
    // A kubeconfig of its own, whose one finding the restarted server must publish again.
    const folder = vscode.workspace.workspaceFolders[0].uri.fsPath;
    const probe = path.join(folder, 'restart-probe.kubeconfig');
    fs.writeFileSync(
      probe,
      'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://10.0.0.1:6443\n    certificate-authority: pki/not-there-restart.crt\nusers: []\n',
    );
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(probe));
      await vscode.window.showTextDocument(doc, { preview: false });
      const found = () => kubePki(probe).some((d) => codeOf(d) === 'file-not-found' && d.range.start.line === 6);
      await waitFor(found, () => `file-not-found on the probe's line 7; it has ${show(kubePki(probe))}`);

      const output = await outputDocument();
      const seen = [pids(output).at(-1)];
      for (let crash = 1; crash <= 2; crash++) {
        const pid = seen.at(-1);
        assert.ok(alive(pid), `the server (pid ${pid}, from the output) is running before crash ${crash}`);
        process.kill(pid, 'SIGKILL');
        await waitFor(() => !alive(pid), `pid ${pid} to be gone`);
        // A new server: a new start line with another pid, in the same output.
        const next = await waitFor(
          () => pids(output).find((p) => !seen.includes(p)),
          () => `a new "server pid" line after crash ${crash}; pids so far ${JSON.stringify(pids(output))}`,
          30_000,
        );
        seen.push(next);
        assert.ok(alive(next), `the new server (pid ${next}) runs`);
        // The diagnostics of the dead server went with its connection; these are the new server's.
        await waitFor(found, () => `file-not-found back on the probe after crash ${crash}; it has ${show(kubePki(probe))}`, 30_000);
        const s = await api.summary();
        assert.ok(s.files >= 10 && s.errors >= 1, `the new server's summary: ${JSON.stringify(s)}`);
      }
      const notices = [...api.serverNotices()];
      assert.equal(notices.length, 1, `one notice for two crashes: ${JSON.stringify(notices)}`);
      assert.match(notices[0], /language server stopped unexpectedly and was restarted/);
      log(`    pids ${seen.join(' -> ')}; notice: ${notices[0]}`);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    } finally {
      fs.rmSync(probe, { force: true });
    }
  },
  { timeout: 120_000 },
);
