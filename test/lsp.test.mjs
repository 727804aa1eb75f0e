// The language server (dist/server.js) driven over stdio by a real JSON-RPC client.
// Run `node esbuild.js` first. Certificates are generated at run time (test/helpers/cluster.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile, mkdir, rename } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { buildCluster } from './helpers/cluster.mjs';
import { start, SERVER } from './helpers/lsp-client.mjs';

let tmp;
let cluster;
const clients = [];

async function startClient(settings, options) {
  const c = await start(cluster.dir, settings, options);
  clients.push(c);
  return c;
}

const codesOf = (diags) => diags.map((d) => d.code);
const onLine = (diags, code, line) => diags.filter((d) => d.code === code && d.range.start.line === line);
const defect = (name) => cluster.defects.find((d) => d.defect === name);
/** A kubeconfig setting both client-certificate and client-certificate-data: a finding with a related location. */
const conflicting = (text) =>
  text.replace(/^(\s*)client-certificate-data:/m, '$1client-certificate: /etc/kubernetes/pki/apiserver.crt\n$1client-certificate-data:');

before(async () => {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-lsp-'));
  cluster = await buildCluster(path.join(tmp, 'node'), { defects: ['apiserver-san-missing', 'etcd-server-expiring'] });
  // Not Kubernetes at all, and a file the indexer must survive.
  await writeFile(path.join(cluster.dir, 'docker-compose.yaml'), 'services:\n  web:\n    image: nginx\n    ports: ["80:80"]\n');
  await mkdir(path.join(cluster.dir, 'junk'), { recursive: true });
  await writeFile(path.join(cluster.dir, 'junk', 'random.bin'), randomBytes(64 * 1024));
});

after(async () => {
  await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('initialize announces incremental sync and the re-check command', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  const caps = c.initializeResult.capabilities;
  assert.equal(caps.textDocumentSync.change, 2);
  assert.equal(caps.textDocumentSync.openClose, true);
  assert.ok(caps.executeCommandProvider.commands.length > 0);
  assert.equal(c.initializeResult.serverInfo.name, 'kube-pki');
  // Settings are pulled per workspace folder and file watching is registered dynamically.
  await c.summary();
  assert.ok(c.configurationRequests >= 1);
  assert.ok(c.registrations.some((r) => r.method === 'workspace/didChangeWatchedFiles'));
  await c.shutdown();
});

test('a planted defect in a kubeconfig is reported on its line, and disappears once fixed', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  const d = defect('apiserver-san-missing');
  const text = await readFile(d.file, 'utf8');
  const uri = await c.open(d.file, text);
  const diags = await c.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === d.code));
  const hit = onLine(diags, d.code, d.line);
  assert.equal(hit.length, 1, `expected ${d.code} on line ${d.line + 1}; got ${JSON.stringify(diags.map((x) => [x.code, x.range.start.line]))}`);
  assert.equal(hit[0].source, 'kube-pki');
  assert.equal(hit[0].severity, 1);
  assert.match(hit[0].message, /\S/);
  for (const x of diags) {
    for (const r of x.relatedInformation ?? []) assert.match(r.location.uri, /^file:\/\//);
  }

  // Fix: talk to the advertise address, which the apiserver certificate carries.
  const fixed = text.replace(/server: https:\/\/cp\.example\.internal:/, `server: https://${cluster.config.advertiseAddress}:`);
  assert.notEqual(fixed, text);
  const since = c.publishes.length;
  const sentAt = Date.now();
  const version = await c.change(d.file, fixed);
  const p = await c.waitForPublish(uri, since, (ds) => !ds.some((x) => x.code === d.code));
  // Published after the debounce, not at the next periodic re-check (minutes): a bound for a stall, not a speed target.
  assert.ok(p.at - sentAt < 3000, `diagnostics took ${p.at - sentAt} ms after the change`);
  assert.equal(p.version, version);

  // Breaking it again brings it back, just as fast.
  const since2 = c.publishes.length;
  const sentAt2 = Date.now();
  await c.change(d.file, text);
  const p2 = await c.waitForPublish(uri, since2, (ds) => ds.some((x) => x.code === d.code));
  assert.ok(p2.at - sentAt2 < 3000, `diagnostics took ${p2.at - sentAt2} ms after the change`);

  // Closing an unsaved fix: the file is part of the workspace, so its diagnostics stay, as the disk has it.
  await c.change(d.file, fixed);
  await c.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === d.code));
  const since3 = c.publishes.length;
  await c.close(d.file);
  const p3 = await c.waitForPublish(uri, since3, (ds) => ds.some((x) => x.code === d.code));
  assert.equal(p3.version, undefined);
  await c.shutdown();
});

test('a certificate changed on disk re-checks the open document that references it', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  const manifest = cluster.files['kube-apiserver.yaml'];
  const keyFile = cluster.files['pki/apiserver.key'];
  const text = await readFile(manifest, 'utf8');
  const lines = text.split('\n');
  const keyLine = lines.findIndex((l) => l.includes('- --tls-private-key-file='));
  const uri = await c.open(manifest, text);
  await c.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === 'key-mismatch'));

  const original = await readFile(keyFile, 'utf8');
  try {
    // Another key (the front proxy client's) where the apiserver's belongs.
    await writeFile(keyFile, await readFile(cluster.files['pki/front-proxy-client.key'], 'utf8'));
    await c.filesChanged([{ file: keyFile, type: 2 }]);
    const diags = await c.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === 'key-mismatch'));
    assert.equal(onLine(diags, 'key-mismatch', keyLine).length, 1, JSON.stringify(diags.map((x) => [x.code, x.range.start.line])));
  } finally {
    await writeFile(keyFile, original);
  }
  await c.filesChanged([{ file: keyFile, type: 2 }]);
  await c.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === 'key-mismatch'));

  // A deleted certificate: the reference now points at nothing.
  const certFile = cluster.files['pki/front-proxy-client.crt'];
  const certText = await readFile(certFile, 'utf8');
  await rm(certFile);
  try {
    await c.filesChanged([{ file: certFile, type: 3 }]);
    await c.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === 'file-not-found'));
  } finally {
    await writeFile(certFile, certText);
  }
  await c.filesChanged([{ file: certFile, type: 1 }]);
  await c.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === 'file-not-found'));
  await c.shutdown();
});

test('a folder of certificates deleted and restored on disk', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  const manifest = cluster.files['etcd.yaml'];
  const uri = await c.open(manifest, await readFile(manifest, 'utf8'));
  await c.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === 'file-not-found'));
  const folder = cluster.paths.etcdPki;
  const moved = `${folder}.moved`;
  await rename(folder, moved);
  try {
    // As VS Code reports it: the folder only, not each file in it.
    await c.filesChanged([
      { file: folder, type: 3 },
      { file: moved, type: 1 },
    ]);
    await c.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === 'file-not-found'));
  } finally {
    await rename(moved, folder);
  }
  await c.filesChanged([
    { file: moved, type: 3 },
    { file: folder, type: 1 },
  ]);
  await c.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === 'file-not-found'));
  await c.shutdown();
});

test('an open certificate buffer overrides the disk for documents that reference it', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  const manifest = cluster.files['kube-apiserver.yaml'];
  const keyFile = cluster.files['pki/apiserver.key'];
  const uri = await c.open(manifest, await readFile(manifest, 'utf8'));
  await c.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === 'key-mismatch'));
  const original = await readFile(keyFile, 'utf8');
  await c.open(keyFile, original, 'plaintext');
  await c.change(keyFile, await readFile(cluster.files['pki/front-proxy-client.key'], 'utf8'));
  await c.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === 'key-mismatch'));
  // Closing the unsaved buffer restores the disk's version.
  await c.close(keyFile);
  await c.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === 'key-mismatch'));
  await c.shutdown();
});

test('a YAML file that is not Kubernetes gets no diagnostics', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  const file = path.join(cluster.dir, 'docker-compose.yaml');
  const uri = await c.open(file, await readFile(file, 'utf8'));
  const since = 0;
  const p = await c.waitForPublish(uri, since);
  assert.deepEqual(p.diagnostics, []);
  // Also the GitHub workflow kind of YAML, with anchors and odd scalars.
  const other = path.join(cluster.dir, 'workflow.yml');
  const uri2 = await c.open(other, 'on: [push]\njobs:\n  a: &x\n    runs-on: ubuntu-latest\n  b: *x\nkey: !!binary aGVsbG8=\n');
  const p2 = await c.waitForPublish(uri2, 0);
  assert.deepEqual(p2.diagnostics, []);
  await c.shutdown();
});

test('invalid YAML in a kubeconfig gets exactly one yaml-invalid', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  const file = path.join(cluster.dir, 'broken.kubeconfig');
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- cluster:',
    '    server: https://192.168.10.11:6443',
    '  name: kubernetes',
    'users:',
    '- name: admin',
    '  user:',
    '    client-certificate: /etc/kubernetes/pki/admin.crt',
    '     client-key: [unclosed',
    '',
  ].join('\n');
  const uri = await c.open(file, text);
  const diags = await c.waitForDiagnostics(uri, (ds) => ds.length > 0);
  assert.deepEqual(codesOf(diags), ['yaml-invalid']);
  assert.equal(diags[0].source, 'kube-pki');
  await c.shutdown();
});

test('an untitled buffer is checked too', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  const d = defect('apiserver-san-missing');
  const text = await readFile(d.file, 'utf8');
  const uri = 'untitled:Untitled-1';
  await c.open(null, text, 'yaml', uri);
  const diags = await c.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === d.code));
  assert.equal(onLine(diags, d.code, d.line).length, 1);
  await c.shutdown();
});

test('expiryWarningDays from workspace/configuration changes the verdict', async () => {
  const d = defect('etcd-server-expiring'); // expires in 10 days
  const text = await readFile(d.file, 'utf8');

  const strict = await startClient({ rootDir: '${workspaceFolder}', expiryWarningDays: 30 });
  const uri = await strict.open(d.file, text);
  const diags = await strict.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === 'cert-expiring'));
  assert.equal(onLine(diags, 'cert-expiring', d.line).length, 1);
  assert.equal(onLine(diags, 'cert-expiring', d.line)[0].severity, 2);

  // Lowered under the 10 days left: no warning. didChangeConfiguration makes the server pull again.
  await strict.changeSettings({ rootDir: '${workspaceFolder}', expiryWarningDays: 5 });
  await strict.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.code === 'cert-expiring'));
  await strict.shutdown();

  // Set from the start: never a warning, not even in the first publish.
  const lax = await startClient({ rootDir: '${workspaceFolder}', expiryWarningDays: 5 });
  await lax.summary(); // settings read and the workspace indexed
  const uri2 = await lax.open(d.file, text);
  await lax.waitForPublish(uri2, 0);
  await lax.summary();
  await new Promise((r) => setTimeout(r, 200)); // any late publish would arrive meanwhile
  for (const p of lax.publishes.filter((x) => x.uri === uri2)) {
    assert.ok(!p.diagnostics.some((x) => x.code === 'cert-expiring'), JSON.stringify(codesOf(p.diagnostics)));
  }
  await lax.shutdown();
});

test('clusterDomain from the settings reaches the checks', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}', clusterDomain: 'example.org' });
  const file = cluster.files['kube-apiserver.yaml'];
  const uri = await c.open(file, await readFile(file, 'utf8'));
  const diags = await c.waitForDiagnostics(uri, (ds) =>
    ds.some((x) => x.code === 'san-missing' && x.message.includes('kubernetes.default.svc.example.org')),
  );
  assert.ok(diags.length > 0);
  await c.changeSettings({ rootDir: '${workspaceFolder}' });
  await c.waitForDiagnostics(uri, (ds) => !ds.some((x) => x.message.includes('example.org')));
  await c.shutdown();
});

test('a client answering null to workspace/configuration gets the defaults', async () => {
  const d = defect('etcd-server-expiring');
  const c = await startClient({}, { configuration: 'null' });
  const uri = await c.open(d.file, await readFile(d.file, 'utf8'));
  // Default 30 days: the 10-day certificate warns; paths resolve through the workspace folder.
  const diags = await c.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === 'cert-expiring'));
  assert.equal(onLine(diags, 'cert-expiring', d.line).length, 1);
  assert.ok(!diags.some((x) => x.code === 'file-not-found'), JSON.stringify(diags.map((x) => x.message)));
  await c.shutdown();
});

test('related locations become relatedInformation with file URIs', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  const file = cluster.files['admin.conf'];
  const uri = await c.open(file, conflicting(await readFile(file, 'utf8')));
  const diags = await c.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === 'conflicting-fields'));
  const d = diags.find((x) => x.code === 'conflicting-fields');
  assert.ok(d.relatedInformation.length >= 1);
  for (const r of d.relatedInformation) {
    assert.equal(r.location.uri, uri);
    assert.ok(r.message.length > 0);
    assert.ok(r.location.range.start.line >= 0);
  }
  await c.shutdown();
});

test('a client without workspace/configuration nor relatedInformation support works', async () => {
  const c = await startClient({}, { configuration: 'unsupported', relatedInformation: false });
  const d = defect('apiserver-san-missing');
  const uri = await c.open(d.file, conflicting(await readFile(d.file, 'utf8')));
  const diags = await c.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === d.code) && ds.some((x) => x.code === 'conflicting-fields'));
  assert.equal(c.configurationRequests, 0);
  for (const x of diags) assert.equal(x.relatedInformation, undefined);
  // The related location is folded into the message instead.
  const folded = diags.find((x) => x.code === 'conflicting-fields');
  assert.match(folded.message, /\n  - admin\.conf:\d+:\d+: |\n  - .*admin\.conf:\d+:\d+: /);
  await c.shutdown();
});

test('summary, summaryChanged and the re-check command', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  const s = await c.summary();
  assert.ok(s.files >= 9, JSON.stringify(s)); // 5 kubeconfigs, 4 manifests, the kubelet config
  assert.ok(s.errors >= 1, JSON.stringify(s)); // apiserver-san-missing
  assert.ok(s.warnings >= 1, JSON.stringify(s)); // etcd-server-expiring
  await c.waitForSummary((x) => x.errors === s.errors && x.warnings === s.warnings);
  const r = await c.recheck();
  assert.deepEqual({ errors: r.errors, warnings: r.warnings, files: r.files }, { errors: s.errors, warnings: s.warnings, files: s.files });
  // Also under the id the server advertises.
  const r2 = await c.request('workspace/executeCommand', { command: c.initializeResult.capabilities.executeCommandProvider.commands[0] });
  assert.equal(r2.errors, s.errors);
  await c.shutdown();
});

test('the server survives garbage and keeps answering', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  // 5 MB of random printable text.
  const big = randomBytes(5 * 1024 * 1024 * 0.75)
    .toString('base64')
    .replace(/(.{76})/g, '$1\n');
  const bigFile = path.join(cluster.dir, 'big.txt');
  const bigUri = await c.open(bigFile, big, 'plaintext');
  // Binary-ish text: control characters, lone surrogates, NULs, invalid UTF-8 decoded.
  const binary = randomBytes(200 * 1024).toString('latin1') + '\u0000\ud800\udfff\ufffe';
  const binFile = path.join(cluster.dir, 'binary.conf');
  const binUri = await c.open(binFile, binary, 'plaintext');
  // Kubernetes-looking garbage that reaches the parsers.
  const kcFile = path.join(cluster.dir, 'garbage.kubeconfig');
  const kcUri = await c.open(
    kcFile,
    'apiVersion: v1\nkind: Config\nclusters:\n- cluster: &a [*a]\n  name: {x: [}\nusers:\n- user: {client-certificate-data: "%%%"}\n  name: 7\n' +
      'contexts: !!set\n' +
      '\u0000'.repeat(10),
  );
  const weirdKc = path.join(cluster.dir, 'weird.kubeconfig');
  const weirdUri = await c.open(
    weirdKc,
    'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    server: 12\n    certificate-authority-data: ' +
      Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64') +
      '\n    certificate-authority: /dev/zero\n  name: c\nusers:\n- name: u\n  user:\n    client-certificate: /proc/self/mem\n    client-key: ' +
      cluster.dir +
      '\ncontexts:\n- context: {cluster: c, user: u}\n  name: x\ncurrent-context: x\n',
  );
  for (let i = 0; i < 5; i++) await c.change(bigFile, big.slice(i * 1000) + 'kind: Config\n');
  await c.waitForDiagnostics(bigUri);
  await c.waitForDiagnostics(binUri);
  await c.waitForDiagnostics(kcUri);
  await c.waitForDiagnostics(weirdUri);

  // Still alive and still right.
  const s = await c.summary();
  assert.equal(typeof s.errors, 'number');
  const d = defect('apiserver-san-missing');
  const uri = await c.open(d.file, await readFile(d.file, 'utf8'));
  await c.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === d.code));
  assert.equal(c.proc.exitCode, null);
  assert.doesNotMatch(c.logs.map((l) => l.message).join('\n'), /BEGIN|PRIVATE KEY/);
  await c.shutdown();
});

test('the file watcher: a kubeconfig created on disk joins the summary, and leaves when deleted', async () => {
  const c = await startClient({ rootDir: '${workspaceFolder}' });
  const before = await c.summary();
  const copy = path.join(cluster.dir, 'copied-admin.conf');
  await writeFile(copy, await readFile(defect('apiserver-san-missing').file, 'utf8'));
  await c.filesChanged([{ file: copy, type: 1 }]);
  const grown = await c.waitForSummary((x) => x.files === before.files + 1);
  assert.ok(grown.errors > before.errors);
  await rm(copy);
  await c.filesChanged([{ file: copy, type: 3 }]);
  await c.waitForSummary((x) => x.files === before.files && x.errors === before.errors);
  await c.shutdown();
});

test('a folder whose name starts with two dots ("..foo") is inside the workspace: closing a file there, or deleting its parent, keeps the summary right', async () => {
  // A workspace of its own: a kubeconfig in `..foo/` and one in `sub/..bar/`.
  const ws = path.join(tmp, 'dotdot-ws');
  const inDots = path.join(ws, '..foo', 'admin.conf');
  const deep = path.join(ws, 'sub', '..bar', 'admin.conf');
  const text = await readFile(defect('apiserver-san-missing').file, 'utf8');
  for (const f of [inDots, deep]) {
    await mkdir(path.dirname(f), { recursive: true });
    await writeFile(f, text);
  }
  const c = await start(ws, {});
  clients.push(c);
  const indexed = await c.summary();
  assert.equal(indexed.files, 2, JSON.stringify(indexed));
  // (Messages are handled in order: a summary asked after a notification counts what it did.)
  // `sub/` deleted (reported as the folder only): the file below `..bar/` goes with it.
  await rm(path.join(ws, 'sub'), { recursive: true });
  await c.filesChanged([{ file: path.join(ws, 'sub'), type: 3 }]);
  const left = (await c.summary()).files;
  assert.equal(left, 1, 'deleted with its parent folder');
  // An edit that makes it no kubeconfig, then closed without saving: the file on disk counts again.
  await c.open(inDots, 'not: a kubeconfig\n');
  assert.equal((await c.summary()).files, left - 1);
  await c.close(inDots);
  assert.equal((await c.summary()).files, left, 'closed: the file on disk counts again');
  await c.shutdown();
});

test('a related location folded into the message names a file in a "..foo" folder relative to the workspace folder', async () => {
  const ws = path.join(tmp, 'dotdot-notes');
  const file = path.join(ws, '..foo', 'admin.conf');
  await mkdir(path.dirname(file), { recursive: true });
  const text = conflicting(await readFile(cluster.files['admin.conf'], 'utf8'));
  await writeFile(file, text);
  const c = await start(ws, {}, { relatedInformation: false });
  clients.push(c);
  const uri = await c.open(file, text);
  const diags = await c.waitForDiagnostics(uri, (ds) => ds.some((x) => x.code === 'conflicting-fields'));
  const folded = diags.find((x) => x.code === 'conflicting-fields');
  assert.match(folded.message, /\n {2}- \.\.foo\/admin\.conf:\d+:\d+: /, folded.message);
  await c.shutdown();
});

test('shutdown and exit end the process cleanly', async () => {
  const c = await startClient({});
  await c.summary();
  const r = await c.shutdown();
  assert.equal(r.code, 0);
});
