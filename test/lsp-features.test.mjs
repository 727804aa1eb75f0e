// Hover, CodeLens, document links, outline, folding and kubePki/decode from the language server
// (dist/server.js) over stdio, with a real JSON-RPC client, on a kubeadm-like node tree generated at run
// time with planted defects. Run `node esbuild.js` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { buildCluster } from './helpers/cluster.mjs';
import { start, uriOf, SERVER } from './helpers/lsp-client.mjs';

let tmp;
let cluster;
let c;

/** Position of the first `needle` in `text` (plus `delta` characters). */
function positionOf(text, needle, delta = 2) {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} not found`);
  const before = text.slice(0, i + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - before.lastIndexOf('\n') - 1 };
}

const lineOf = (text, needle) => text.split('\n').findIndex((l) => l.includes(needle));

async function open(file, languageId = 'yaml') {
  const text = await readFile(file, 'utf8');
  const uri = await c.open(file, text, languageId);
  return { uri, text };
}

const hover = (uri, position) => c.request('textDocument/hover', { textDocument: { uri }, position });

/** Every base64 line of the private keys of the node tree (what must never appear in a hover). */
async function keyLines() {
  const keyFiles = Object.entries(cluster.files).filter(([name]) => /\.key$|kubelet-client-current\.pem$/.test(name));
  const lines = [];
  for (const [, f] of keyFiles) {
    const text = await readFile(f, 'utf8');
    const block = text.match(/-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END/);
    assert.ok(block, `${f} holds a private key`);
    lines.push(
      ...block[1]
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l.length >= 16),
    );
  }
  return lines;
}

before(async () => {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-lsp-features-'));
  cluster = await buildCluster(path.join(tmp, 'node'), { defects: ['apiserver-san-missing', 'controller-manager-expired', 'admin-org-typo'] });
  c = await start(cluster.dir, { rootDir: '${workspaceFolder}' });
  await c.summary(); // settings read, workspace indexed
});

after(async () => {
  await c?.shutdown().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('initialize announces hover, CodeLens, document links, symbols and folding', () => {
  const caps = c.initializeResult.capabilities;
  assert.equal(caps.hoverProvider, true);
  assert.deepEqual(caps.codeLensProvider, { resolveProvider: false });
  assert.deepEqual(caps.documentLinkProvider, { resolveProvider: false });
  assert.equal(caps.documentSymbolProvider, true);
  // Folding only for PEM and Markdown: a provider for YAML would replace its indentation folding.
  assert.deepEqual(
    caps.foldingRangeProvider.documentSelector.map((s) => s.language ?? s.pattern),
    ['pem', 'markdown', '**/*.{pem,crt,cer,key,csr}'],
  );
});

test('hover on --tls-cert-file: the decoded certificate first, the finding as its code only (the editor shows the message), then the role', async () => {
  const { uri, text } = await open(cluster.files['kube-apiserver.yaml']);
  const h = await hover(uri, positionOf(text, '--tls-cert-file=', 20));
  assert.equal(h.contents.kind, 'markdown');
  const md = h.contents.value;
  const crt = cluster.files['pki/apiserver.crt'];
  // The certificate leads; its headline carries the finding's code, and no ✅ beside it.
  assert.match(md, /^\*\*Certificate\*\* CN=kube-apiserver · ❌ \*\*san-missing\*\* · expires in 36[45] days\n/);
  assert.doesNotMatch(md, /✅/);
  // The message is the diagnostic's, which the editor shows in its own hover over the same range: not repeated.
  const diagnostics = await c.waitForDiagnostics(uri, (ds) => ds.some((d) => d.code === 'san-missing'));
  const san = diagnostics.find((d) => d.code === 'san-missing' && d.range.start.line === lineOf(text, '--tls-cert-file='));
  assert.ok(san, 'the san-missing diagnostic on the flag');
  assert.ok(!md.includes(san.message.slice(0, 60)), 'the finding message repeated in the hover');
  // Subject, issuer, validity, SANs and key come first in the table, in that order.
  const rows = [...md.matchAll(/^\| ([^|]+?) \|/gm)].map((m) => m[1]).filter((r) => r !== '' && r !== ':--');
  assert.deepEqual(rows.slice(0, 6), ['Subject', 'Issuer', 'Not before', 'Not after', 'SANs', 'Public key']);
  // The role and the path close the hover.
  assert.ok(md.endsWith(`\n\n---\n\n**kube-apiserver's serving certificate** · \`--tls-cert-file\` → ${crt}`), md.slice(-200));
  assert.match(
    md,
    /\| SANs \| DNS: cp1, kubernetes, kubernetes\.default, kubernetes\.default\.svc, kubernetes\.default\.svc\.cluster\.local · IP: 10\.96\.0\.1, 192\.168\.10\.11 \|/,
  );
  assert.match(md, /\| Issuer \| CN=kubernetes \|/);
  assert.match(md, /\| Extended key usage \| serverAuth \|/);
  assert.ok(md.includes(`| SHA-256 | ${new X509Certificate(await readFile(crt)).fingerprint256} |`));
  // The range is the flag's value.
  const line = lineOf(text, '--tls-cert-file=');
  const col = text.split('\n')[line].indexOf('/etc/kubernetes');
  assert.deepEqual(h.range, { start: { line, character: col }, end: { line, character: col + '/etc/kubernetes/pki/apiserver.crt'.length } });

  // On a line with no reference: nothing.
  assert.equal(await hover(uri, positionOf(text, 'imagePullPolicy', 3)), null);
});

test('hover on client-certificate-data: what Kubernetes sees and the org-mismatch; on client-key-data: the match, no key bytes', async () => {
  const { uri, text } = await open(cluster.files['admin.conf']);
  const cert = (await hover(uri, positionOf(text, 'client-certificate-data: ', 30))).contents.value;
  assert.match(cert, /^\*\*Certificate\*\* CN=kubernetes-admin · ❌ \*\*org-mismatch\*\* · expires in/);
  assert.doesNotMatch(cert, /did you mean "system:masters"/);
  assert.ok(cert.endsWith(`**user "kubernetes-admin"'s client certificate** · \`client-certificate-data\``), cert.slice(-120));
  assert.match(cert, /\| Kubernetes sees \| user \*\*kubernetes-admin\*\*, groups \*\*system:master\*\* \|/);
  assert.match(cert, /\| Extended key usage \| clientAuth \|/);

  const key = (await hover(uri, positionOf(text, 'client-key-data: ', 30))).contents.value;
  assert.match(key, /^\*\*Private key\*\* · RSA 2048/);
  assert.match(key, /\n\n---\n\n\*\*user "kubernetes-admin"'s client key\*\* · `client-key-data`$/);
  assert.match(key, /✅ Matches CN=kubernetes-admin, O=system:master \(client-certificate-data\)/);
  const inline = text.match(/client-key-data: (\S+)/)[1];
  const pem = Buffer.from(inline, 'base64').toString();
  for (const l of pem.split('\n').filter((x) => x.length >= 16 && !x.startsWith('-----'))) assert.ok(!key.includes(l));
  assert.ok(!key.includes(inline.slice(0, 40)));
});

test('no private key base64 appears in any hover: key files, key references, the kubelet client PEM', async () => {
  const lines = await keyLines();
  assert.ok(lines.length > 100, `${lines.length} key lines to look for`);
  const hovers = [];
  // Every PEM block of every key file, opened as the editor would.
  for (const [name, f] of Object.entries(cluster.files)) {
    if (!/\.key$|\.pem$/.test(name)) continue;
    const { uri, text } = await open(f, 'pem');
    for (let i = text.indexOf('-----BEGIN'); i >= 0; i = text.indexOf('-----BEGIN', i + 1)) {
      const before = text.slice(0, i + 5);
      const h = await hover(uri, { line: before.split('\n').length - 1, character: 5 });
      assert.ok(h, `a hover on ${name}`);
      hovers.push([name, h.contents.value]);
    }
    await c.close(f);
  }
  // Every key flag of every manifest.
  for (const m of ['kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml', 'etcd.yaml']) {
    const { uri, text } = await open(cluster.files[m]);
    for (const flag of text.match(/--[a-z-]*key[a-z-]*=/g) ?? []) {
      const h = await hover(uri, positionOf(text, flag, flag.length + 3));
      assert.ok(h, `a hover on ${m} ${flag}`);
      hovers.push([`${m} ${flag}`, h.contents.value]);
    }
  }
  assert.ok(hovers.length >= 20, `${hovers.length} hovers`);
  for (const [what, md] of hovers) {
    for (const l of lines) assert.ok(!md.includes(l), `key material in the hover of ${what}`);
    assert.ok(!/PRIVATE KEY-----/.test(md), `a key block in the hover of ${what}`);
  }
  // They say what they are.
  const apiKey = hovers.find(([w]) => w === 'pki/apiserver.key')[1];
  assert.match(apiKey, /Used as \*\*kube-apiserver's private key for --tls-cert-file\*\* \(etc\/kubernetes\/manifests\/kube-apiserver\.yaml:\d+\)/);
  assert.match(apiKey, /\*\*Private key\*\* · RSA 2048/);
  assert.match(apiKey, /✅ Matches CN=kube-apiserver \(--tls-cert-file\)/);
  const kubelet = hovers.filter(([w]) => w === 'kubelet-client-current.pem').map(([, md]) => md);
  assert.equal(kubelet.length, 2);
  assert.match(kubelet[0], /\*\*Certificate\*\* CN=system:node:cp1/);
  assert.match(kubelet[1], /✅ Matches CN=system:node:cp1, O=system:nodes \(in the same text\)/);
  const sa = hovers.find(([w]) => w === 'kube-apiserver.yaml --service-account-signing-key-file=')[1];
  assert.match(sa, /\n\n---\n\n\*\*kube-apiserver's service account token signing key\*\*[^\n]*$/);
});

test('CodeLens above each certificate reference, flagged when a finding applies, opening the decode', async () => {
  const { uri, text } = await open(cluster.files['kube-apiserver.yaml']);
  const lenses = await c.request('textDocument/codeLens', { textDocument: { uri } });
  const refs = text.match(
    /--(tls-cert-file|client-ca-file|kubelet-client-certificate|etcd-cafile|etcd-certfile|proxy-client-cert-file|requestheader-client-ca-file)=/g,
  );
  assert.equal(lenses.length, refs.length, JSON.stringify(lenses.map((l) => l.command.title)));
  const apiserver = new X509Certificate(await readFile(cluster.files['pki/apiserver.crt']));
  const day = new Date(apiserver.validTo).toISOString().slice(0, 10);
  const line = lineOf(text, '--tls-cert-file=');
  const lens = lenses.find((l) => l.range.start.line === line);
  assert.match(
    lens.command.title,
    new RegExp(`^\\$\\(error\\) CN=kube-apiserver · expires ${day} \\(in 36[45] d\\) · issuer kubernetes · san-missing$`),
  );
  assert.equal(lens.command.command, 'kubePki.decodeCertificate');
  assert.deepEqual(lens.command.arguments, [uri, lens.range.start]);
  const ca = lenses.find((l) => l.range.start.line === lineOf(text, '--client-ca-file='));
  assert.match(ca.command.title, /^CN=kubernetes · expires \d{4}-\d\d-\d\d \(in \d+ d\) · issuer kubernetes$/);

  // The expired controller-manager.conf.
  const cm = await open(cluster.files['controller-manager.conf']);
  const cmLenses = await c.request('textDocument/codeLens', { textDocument: { uri: cm.uri } });
  const client = cmLenses.find((l) => l.range.start.line === lineOf(cm.text, 'client-certificate-data'));
  assert.match(
    client.command.title,
    /^\$\(error\) CN=system:kube-controller-manager · expired \d{4}-\d\d-\d\d \(35 d ago\) · issuer kubernetes · cert-expired$/,
  );

  // Clicking it: the decode of that reference, as kubePki/decode answers the client's command.
  const d = await c.request('kubePki/decode', { uri, position: lens.command.arguments[1] });
  assert.equal(d.title, 'apiserver.crt');
  assert.match(d.text, /^# kube-apiserver's serving certificate: --tls-cert-file$/m);
  assert.match(d.text, /^# error san-missing: /m);
  assert.match(d.text, /^ {8}Subject: CN=kube-apiserver$/m);
  assert.ok(d.text.trimEnd().endsWith((await readFile(cluster.files['pki/apiserver.crt'], 'utf8')).trimEnd()));

  // A YAML file kube-pki does not check has no lenses.
  const other = path.join(cluster.dir, 'notes.yaml');
  await writeFile(other, 'a: 1\n');
  const o = await open(other);
  assert.deepEqual(await c.request('textDocument/codeLens', { textDocument: { uri: o.uri } }), []);
});

test('document links: each path reference to the file it resolves to', async () => {
  const { uri, text } = await open(cluster.files['kube-apiserver.yaml']);
  const links = await c.request('textDocument/documentLink', { textDocument: { uri } });
  const line = lineOf(text, '--tls-cert-file=');
  const link = links.find((l) => l.range.start.line === line);
  assert.equal(link.target, uriOf(cluster.files['pki/apiserver.crt']));
  assert.equal(link.tooltip, `Open ${cluster.files['pki/apiserver.crt']} (/etc/kubernetes/pki/apiserver.crt resolves here)`);
  assert.equal(text.split('\n')[line].slice(link.range.start.character, link.range.end.character), '/etc/kubernetes/pki/apiserver.crt');
  // Every flag that names a file gets one; all of them exist in the node tree.
  const flags = text.match(/- --[a-z-]+=\/etc\/kubernetes\/\S+/g);
  assert.equal(links.length, flags.length);
  for (const l of links) assert.ok(existsSync(new URL(l.target)), l.target);

  // The kubelet config's clientCAFile, and a kubeconfig's --kubeconfig.
  const kc = await open(cluster.files['config.yaml']);
  const kcLinks = await c.request('textDocument/documentLink', { textDocument: { uri: kc.uri } });
  assert.deepEqual(
    kcLinks.map((l) => l.target),
    [uriOf(cluster.files['pki/ca.crt'])],
  );
  const sched = await open(cluster.files['kube-scheduler.yaml']);
  const sLinks = await c.request('textDocument/documentLink', { textDocument: { uri: sched.uri } });
  assert.ok(sLinks.some((l) => l.target === uriOf(cluster.files['scheduler.conf'])));
});

test('outline and folding for a PEM file; the decode of a whole bundle', async () => {
  const bundle = path.join(cluster.dir, 'bundle.crt');
  const files = ['pki/apiserver.crt', 'pki/ca.crt', 'pki/etcd/ca.crt'];
  const texts = await Promise.all(files.map((f) => readFile(cluster.files[f], 'utf8')));
  await writeFile(bundle, texts.join(''));
  const { uri, text } = await open(bundle, 'pem');
  const symbols = await c.request('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(
    symbols.map((s) => s.name),
    ['CN=kube-apiserver', 'CN=kubernetes', 'CN=etcd-ca'],
  );
  assert.deepEqual(
    symbols.map((s) => s.kind),
    [19, 19, 19],
  );
  assert.match(symbols[0].detail, /^certificate · expires \d{4}-\d\d-\d\d \(in 36[45] d\) · issuer kubernetes$/);
  const folds = await c.request('textDocument/foldingRange', { textDocument: { uri } });
  const lines = text.split('\n');
  assert.deepEqual(
    folds.map((f) => [f.startLine, f.endLine]),
    lines.flatMap((l, i) => (l.startsWith('-----BEGIN') ? [[i, lines.findIndex((x, j) => j > i && x.startsWith('-----END'))]] : [])),
  );
  const d = await c.request('kubePki/decode', { uri, position: { line: 0, character: 0 } });
  assert.match(d.text, /^# 3 certificates: 1 is issued by 2; 2 is NOT issued by 3$/m);
  // YAML gets no outline entries from kube-pki.
  const y = await open(cluster.files['kube-apiserver.yaml']);
  assert.deepEqual(await c.request('textDocument/documentSymbol', { textDocument: { uri: y.uri } }), []);
});

test('kubePki/decode: a selection, a document the server was not sent, and nothing to decode', async () => {
  const { uri, text } = await open(cluster.files['admin.conf']);
  const line = lineOf(text, 'certificate-authority-data');
  const l = text.split('\n')[line];
  const start = l.indexOf(': ') + 2;
  const sel = await c.request('kubePki/decode', { uri, range: { start: { line, character: start }, end: { line, character: l.length } } });
  assert.equal(sel.title, 'selection in admin.conf');
  assert.match(sel.text, /^ {8}Subject: CN=kubernetes$/m);

  // A document in a language the client does not send: its text comes with the request.
  const pem = await readFile(cluster.files['pki/front-proxy-ca.crt'], 'utf8');
  const other = await c.request('kubePki/decode', { uri: 'untitled:Untitled-7', position: { line: 1, character: 0 }, text: pem });
  assert.match(other.text, /^ {8}Subject: CN=front-proxy-ca$/m);

  const none = await c.request('kubePki/decode', { uri, position: positionOf(text, 'current-context', 1) });
  assert.match(none.error, /^No certificate, key or CSR here/);
  const notOpen = await c.request('kubePki/decode', { uri: uriOf(path.join(cluster.dir, 'nowhere.yaml')), position: { line: 0, character: 0 } });
  assert.equal(notOpen.error, 'The document is not open in the kube-pki language server.');

  // Hovers and decodes never wrote anything private to the log.
  const lines = await keyLines();
  const logged = c.logs.map((m) => m.message).join('\n') + c.stderr;
  for (const k of lines) assert.ok(!logged.includes(k));
});

test('a hover is fast and a broken PEM file gets a reason', async () => {
  const broken = path.join(cluster.dir, 'broken.pem');
  await writeFile(broken, '-----BEGIN CERTIFICATE-----\nMIIB%%%\n-----END CERTIFICATE-----\n');
  const { uri } = await open(broken, 'pem');
  const t0 = Date.now();
  const h = await hover(uri, { line: 1, character: 2 });
  assert.ok(Date.now() - t0 < 5000); // a hang bound
  assert.equal(h.contents.value, "**Cannot decode** PEM block 'CERTIFICATE': bad base64 in PEM block 'CERTIFICATE': unexpected character '%'");
  assert.deepEqual(h.range, { start: { line: 0, character: 0 }, end: { line: 2, character: 25 } });
});
