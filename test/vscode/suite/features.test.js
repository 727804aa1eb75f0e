// Seeing inside certificates, through the real `vscode` API: the hover on a client-certificate-data value,
// the CodeLens above a certificate reference (and the decode it opens), Ctrl+click links on path
// references, and the pem language with its outline. Runs after extension.test.js (which fixes some of
// the planted defects; controller-manager.conf stays expired).
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const vscode = require('vscode');
const { manifest, waitFor } = require('./util');
const { test, log } = require('./harness');

const ctx = manifest();
const pki = (rel) => path.join(ctx.folder, 'etc', 'kubernetes', 'pki', rel);

async function open(file) {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

function positionOf(doc, needle, delta = 3) {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `${needle} not in ${path.basename(doc.uri.fsPath)}`);
  return doc.positionAt(i + delta);
}

const text = (c) => (typeof c === 'string' ? c : c.value);

/** The kube-pki hover at a position (other extensions may add hovers of their own). */
async function kubePkiHover(doc, position, expect) {
  return waitFor(
    async () => {
      const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, position)) ?? [];
      const contents = hovers.flatMap((h) => h.contents.map(text));
      return contents.find((c) => expect.test(c));
    },
    () => `a hover matching ${expect} in ${path.basename(doc.uri.fsPath)}`,
  );
}

test('hovering a client-certificate-data value shows the decoded certificate first, its finding once, and no ✅', async () => {
  const doc = await open(ctx.files['controller-manager.conf']);
  const md = await kubePkiHover(doc, positionOf(doc, 'client-certificate-data: ', 30), /\*\*Certificate\*\*/);
  log(`    hover: ${md.split('\n').slice(0, 5).join(' ⏎ ')}`);
  // The certificate leads, its headline naming the finding; the role and the path close the hover.
  assert.match(md, /^\*\*Certificate\*\* CN=system:kube-controller-manager · ❌ \*\*cert-expired\*\* · expired 35 days ago\n/);
  assert.match(md, /\n\n---\n\n\*\*user "system:kube-controller-manager"'s client certificate\*\* · `client-certificate-data`$/);
  // The finding's message is the diagnostic under the cursor, which VS Code shows in its own part of the hover:
  // no hover provider repeats it.
  const position = positionOf(doc, 'client-certificate-data: ', 30);
  const diagnostic = vscode.languages.getDiagnostics(doc.uri).find((d) => /expired on \d{4}-\d\d-\d\d/.test(d.message));
  assert.ok(diagnostic && diagnostic.range.contains(position), 'the cert-expired diagnostic under the cursor');
  const all = ((await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, position)) ?? [])
    .flatMap((h) => h.contents.map(text))
    .join('\n');
  assert.doesNotMatch(all, /expired on \d{4}-\d\d-\d\d/, 'the message repeated by a hover provider');
  assert.match(md, /\| Kubernetes sees \| user \*\*system:kube-controller-manager\*\*, no groups \|/);
  assert.match(md, /\| Issuer \| CN=kubernetes \|/);
  assert.match(md, /\| SHA-256 \| ([0-9A-F]{2}:){31}[0-9A-F]{2} \|/);
});

test('a private key hover says whether it matches its certificate and shows none of its bytes', async () => {
  const keyFile = pki('apiserver.key');
  const doc = await open(keyFile);
  assert.equal(doc.languageId, 'pem', '.key files open in the pem language');
  const md = await kubePkiHover(doc, new vscode.Position(1, 2), /\*\*Private key\*\*/);
  assert.match(md, /✅ Matches CN=kube-apiserver \(--tls-cert-file\)/);
  const body = fs
    .readFileSync(keyFile, 'utf8')
    .split('\n')
    .filter((l) => /^[A-Za-z0-9+/=]{16,}$/.test(l.trim()));
  assert.ok(body.length > 10);
  for (const l of body) assert.ok(!md.includes(l), 'a line of the key in the hover');
});

test("a value a systemd unit reads from its EnvironmentFile= gets the CodeLens and the link on the env file's line", async () => {
  const doc = await open(ctx.files['kubelet.env']);
  const line = positionOf(doc, '--tls-cert-file=').line;
  const lens = await waitFor(
    async () => {
      const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri, 10)) ?? [];
      return lenses.find((l) => l.range.start.line === line && l.command && /CN=kube-apiserver/.test(l.command.title));
    },
    `a CodeLens on line ${line + 1} of the env file`,
  );
  log(`    lens: ${lens.command.title}`);
  assert.match(lens.command.title, /^CN=kube-apiserver · .* · issuer kubernetes$/);
  const text = doc.lineAt(line).text;
  const value = '/etc/kubernetes/pki/apiserver.crt';
  assert.equal(lens.range.start.character, text.indexOf(value));
  const links = (await vscode.commands.executeCommand('vscode.executeLinkProvider', doc.uri)) ?? [];
  const link = links.find((l) => l.range.start.line === line && l.range.start.character === text.indexOf(value));
  assert.ok(link, `a link on ${value}: ${JSON.stringify(links.map((l) => [l.range.start.line, l.range.start.character]))}`);
  assert.match(String(link.target), /etc\/kubernetes\/pki\/apiserver\.crt$/);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('a CodeLens above a certificate reference, flagged, opens the full decode', async () => {
  const doc = await open(ctx.files['controller-manager.conf']);
  const line = positionOf(doc, 'client-certificate-data').line;
  const lens = await waitFor(
    async () => {
      const lenses = (await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri, 10)) ?? [];
      return lenses.find((l) => l.range.start.line === line && l.command && /CN=system:kube-controller-manager/.test(l.command.title));
    },
    `a CodeLens on line ${line + 1} of controller-manager.conf`,
  );
  log(`    lens: ${lens.command.title}`);
  assert.match(
    lens.command.title,
    /^\$\(error\) CN=system:kube-controller-manager · expired \d{4}-\d\d-\d\d \(35 d ago\) · issuer kubernetes · cert-expired$/,
  );
  assert.equal(lens.command.command, 'kubePki.decodeCertificate');
  // Clicking it runs the command with the lens's arguments: a read-only decode document opens.
  const uri = await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments ?? []));
  assert.match(String(uri), /^kube-pki-decode:/);
  const decoded = await waitFor(
    () => vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === String(uri)),
    () => `the decode ${uri} in an editor; visible: ${JSON.stringify(vscode.window.visibleTextEditors.map((e) => e.document.uri.toString()))}`,
  );
  const t = decoded.document.getText();
  assert.match(t, /^# user "system:kube-controller-manager"'s client certificate: client-certificate-data$/m);
  assert.match(t, /^# error cert-expired: /m);
  assert.match(t, /^ {8}Subject: CN=system:kube-controller-manager$/m);
  assert.match(t, /-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
  assert.equal(decoded.document.languageId, 'pem');
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('Ctrl+click: a path reference links to the file it resolves to', async () => {
  const doc = await open(ctx.files['kube-apiserver.yaml']);
  const line = positionOf(doc, '--tls-cert-file=').line;
  const links = await waitFor(async () => {
    const l = (await vscode.commands.executeCommand('vscode.executeLinkProvider', doc.uri, 100)) ?? [];
    return l.length ? l : undefined;
  }, 'document links in kube-apiserver.yaml');
  const link = links.find((l) => l.range.start.line === line);
  assert.ok(link, `a link on line ${line + 1}: ${JSON.stringify(links.map((l) => l.range.start.line))}`);
  assert.equal(link.target.fsPath, pki('apiserver.crt'));
  assert.equal(doc.getText(link.range), '/etc/kubernetes/pki/apiserver.crt');
});

test('a .crt file is in the pem language, with one outline entry per block', async () => {
  const doc = await open(pki('ca.crt'));
  assert.equal(doc.languageId, 'pem');
  const symbols = await waitFor(async () => {
    const s = (await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', doc.uri)) ?? [];
    return s.length ? s : undefined;
  }, 'outline entries for ca.crt');
  assert.deepEqual(
    symbols.map((s) => s.name),
    ['CN=kubernetes'],
  );
  assert.match(symbols[0].detail, /^CA certificate · expires \d{4}-\d\d-\d\d \(in \d+ d\) · issuer kubernetes$/);
});

test("kubeadm's kubeconfigs open as YAML, and an unrelated .conf does not", async () => {
  for (const name of ['admin.conf', 'super-admin.conf', 'kubelet.conf', 'controller-manager.conf', 'scheduler.conf']) {
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(ctx.files[name]));
    assert.equal(doc.languageId, 'yaml', `${name} opens as YAML`);
  }
  // Any other *.conf directly in an etc/kubernetes folder is a kubeadm kubeconfig too; an nginx.conf is not.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kube-pki-languages-'));
  try {
    const etc = path.join(dir, 'etc', 'kubernetes');
    fs.mkdirSync(etc, { recursive: true });
    fs.writeFileSync(path.join(etc, 'bootstrap-kubelet.conf'), 'apiVersion: v1\nkind: Config\n');
    fs.writeFileSync(path.join(dir, 'nginx.conf'), 'events {}\nhttp { server { listen 80; } }\n');
    const bootstrap = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(etc, 'bootstrap-kubelet.conf')));
    assert.equal(bootstrap.languageId, 'yaml', 'etc/kubernetes/bootstrap-kubelet.conf opens as YAML');
    const nginx = await vscode.workspace.openTextDocument(vscode.Uri.file(path.join(dir, 'nginx.conf')));
    assert.notEqual(nginx.languageId, 'yaml', 'nginx.conf keeps its own language');
    log(`    nginx.conf opens as ${nginx.languageId}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
