// Quick fixes and generation over the LSP (dist/server.js --stdio, a real JSON-RPC client): a code
// action on a diagnostic, its preview (kubePki/generate/plan), and applying it (kubePki/generate/apply):
// kubeconfig *-data re-issued as a WorkspaceEdit the client applies, missing files written to disk,
// and the diagnostics gone afterwards. Certificates are generated at run time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCluster } from './helpers/cluster.mjs';
import { start, SERVER } from './helpers/lsp-client.mjs';
import { loadEngine } from './helpers/cluster.mjs';
import { referServingCerts } from './helpers/serving.mjs';

let tmp;
let cluster;
let c;
let serving;
const applied = [];

before(async () => {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-lsp-gen-'));
  cluster = await buildCluster(path.join(tmp, 'node'), { defects: ['scheduler-cn-typo', 'admin-org-typo'], keyType: 'ecdsa-p256', reuseKeys: false });
  await rm(cluster.files['pki/front-proxy-client.crt']);
  await rm(cluster.files['pki/front-proxy-client.key']);
  // Serving certificates the configs name but nobody made, and a user nothing tells the role of.
  serving = await referServingCerts(cluster);
  const jane = loadEngine().generate.kubeconfigText({
    clusterName: 'kubernetes',
    server: 'https://192.168.10.11:6443',
    caPath: '/etc/kubernetes/pki/ca.crt',
    userName: 'jane',
    certPath: 'jane.crt',
    keyPath: 'jane.key',
  });
  await writeFile(path.join(cluster.paths.etcKubernetes, 'jane.conf'), jane, { mode: 0o600 });
  c = await start(cluster.dir, { rootDir: '${workspaceFolder}' });
  // The editor's side of workspace/applyEdit: apply the edits to the open buffer and tell the server.
  c.connection.onRequest('workspace/applyEdit', async (params) => {
    applied.push(params);
    for (const [uri, edits] of Object.entries(params.edit.changes ?? {})) {
      const file = new URL(uri).pathname;
      let text = c.texts.get(file);
      const lines = text.split('\n');
      const offset = (p) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
      for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) {
        text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
      }
      c.texts.set(file, text);
      await c.change(file, text);
    }
    return { applied: true };
  });
  c.texts = new Map();
});

after(async () => {
  if (c) await c.shutdown().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function openAndWait(file, code) {
  const text = await readFile(file, 'utf8');
  c.texts.set(file, text);
  const uri = await c.open(file, text);
  const diags = await c.waitForDiagnostics(uri, (ds) => ds.some((d) => d.code === code));
  return { uri, diags, text };
}

test('initialize announces quick fixes', () => {
  assert.deepEqual(c.initializeResult.capabilities.codeActionProvider, { codeActionKinds: ['quickfix'] });
});

test('cn-mismatch in inline data: a quick fix, its preview, and a WorkspaceEdit that makes the diagnostic go away', async () => {
  const file = cluster.files['scheduler.conf'];
  const { uri, diags } = await openAndWait(file, 'cn-mismatch');
  const d = diags.find((x) => x.code === 'cn-mismatch');
  // The generating quick fix (the others are the ignore comments: test/policy-lsp.test.mjs).
  const actions = (
    await c.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] } })
  ).filter((a) => a.command);
  assert.equal(actions.length, 1, JSON.stringify(actions));
  const a = actions[0];
  assert.equal(a.kind, 'quickfix');
  assert.deepEqual(a.diagnostics, [d]);
  assert.match(a.title, /^Re-issue kube-scheduler's client certificate in scheduler\.conf .*CN system:kube-schedular → system:kube-scheduler/);
  assert.equal(a.command.command, 'kubePki.generate.apply');

  const preview = await c.request('kubePki/generate/plan', a.command.arguments[0]);
  assert.equal(preview.items.length, 1);
  const item = preview.items[0];
  assert.equal(item.subject, 'CN=system:kube-scheduler');
  assert.equal(item.issuer, 'CN=kubernetes');
  assert.equal(item.effect, 'replace');
  assert.equal(item.key, 'existing key kept');
  assert.deepEqual(item.files, [{ path: file, kind: 'inline', replace: true }]);
  assert.doesNotMatch(JSON.stringify(preview), /PRIVATE KEY|BEGIN/);

  const since = c.publishes.length;
  const before = await readFile(file, 'utf8');
  const result = await c.request('kubePki/generate/apply', { planId: preview.planId });
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.deepEqual(result.edited, [file]);
  assert.deepEqual(result.written, []);
  // One WorkspaceEdit with one edit: the client-certificate-data value on the diagnostic's line.
  const edit = applied.at(-1).edit.changes[uri];
  assert.equal(edit.length, 1);
  assert.equal(edit[0].range.start.line, d.range.start.line);
  assert.match(edit[0].newText, /^[A-Za-z0-9+/=]+$/);
  // The file on disk is the editor's business (unsaved buffer, undoable): untouched.
  assert.equal(await readFile(file, 'utf8'), before);
  // As the confirmation says: the file as it was on disk is kept beside it as NAME.bak-YYYYMMDDhhmmss, with its mode.
  assert.equal(result.editBackups.length, 1, JSON.stringify(result));
  assert.equal(result.editBackups[0].path, file);
  assert.match(path.basename(result.editBackups[0].backup), /^scheduler\.conf\.bak-\d{14}$/);
  assert.equal(path.dirname(result.editBackups[0].backup), path.dirname(file));
  assert.equal(await readFile(result.editBackups[0].backup, 'utf8'), before);
  assert.equal((await stat(result.editBackups[0].backup)).mode & 0o777, (await stat(file)).mode & 0o777);
  await c.waitForPublish(uri, since, (ds) => !ds.some((x) => x.code === 'cn-mismatch'));
  // A plan is applied once.
  const again = await c.request('kubePki/generate/apply', { planId: preview.planId });
  assert.equal(again.ok, false);
  assert.match(again.error, /no longer known/);
});

test('org-mismatch on admin.conf beside super-admin.conf: kubeadm:cluster-admins offered first and preferred, system:masters second, each saying what it grants', async () => {
  const file = cluster.files['admin.conf'];
  const { uri, diags } = await openAndWait(file, 'org-mismatch');
  const d = diags.find((x) => x.code === 'org-mismatch');
  assert.match(d.message, /kubeadm 1\.29\+ layout \(super-admin\.conf beside it\)/);
  const actions = (
    await c.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d], only: ['quickfix'] } })
  ).filter((a) => a.command);
  assert.deepEqual(
    actions.map((a) => [a.title, !!a.isPreferred]),
    [
      [
        "Re-issue the admin client certificate in admin.conf (user kubernetes-admin) in group kubeadm:cluster-admins (recommended): admin.conf's group since kubeadm 1.29, granted cluster-admin by an RBAC binding that can be revoked",
        true,
      ],
      [
        "Re-issue the admin client certificate in admin.conf (user kubernetes-admin) in group system:masters: bypasses RBAC and cannot be revoked: super-admin.conf's group since kubeadm 1.29, admin.conf's before",
        false,
      ],
    ],
  );
  // Each fix's preview issues the group it names.
  for (const [a, group] of [
    [actions[0], 'kubeadm:cluster-admins'],
    [actions[1], 'system:masters'],
  ]) {
    const preview = await c.request('kubePki/generate/plan', a.command.arguments[0]);
    assert.deepEqual(
      preview.items.map((i) => i.subject),
      [`CN=kubernetes-admin, O=${group}`],
    );
  }
});

test('file-not-found: a quick fix generates the missing certificate and key on disk, and the diagnostic goes away', async () => {
  const file = cluster.files['kube-apiserver.yaml'];
  const { uri, diags } = await openAndWait(file, 'file-not-found');
  const d = diags.find((x) => x.code === 'file-not-found' && /proxy-client-cert-file/.test(x.message));
  assert.ok(d, JSON.stringify(diags));
  const actions = (await c.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })).filter(
    (a) => a.command,
  );
  assert.equal(actions.length, 1, JSON.stringify(actions));
  assert.match(actions[0].title, /^Generate kube-apiserver's front-proxy client certificate/);
  const preview = await c.request('kubePki/generate/plan', actions[0].command.arguments[0]);
  assert.deepEqual(
    preview.items[0].files.map((f) => [path.relative(cluster.dir, f.path), f.replace]),
    [
      ['etc/kubernetes/pki/front-proxy-client.crt', false],
      ['etc/kubernetes/pki/front-proxy-client.key', false],
    ],
  );
  assert.equal(preview.items[0].issuer, 'CN=front-proxy-ca');
  const since = c.publishes.length;
  const result = await c.request('kubePki/generate/apply', { planId: preview.planId });
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(result.written.length, 2);
  assert.match(result.written.find((w) => w.path.endsWith('.crt')).summary, /^CN=front-proxy-client; issued by CN=front-proxy-ca; expires /);
  assert.equal((await stat(cluster.files['pki/front-proxy-client.key'])).mode & 0o777, 0o600);
  await c.waitForPublish(uri, since, (ds) => !ds.some((x) => x.code === 'file-not-found'));
});

test("file-not-found on the kubelet's tlsCertFile and on the controller-manager's --tls-private-key-file: quick fixes generate the serving certificates, and the diagnostics go away", async () => {
  for (const [file, field, title, subject, names] of [
    [
      path.join(cluster.paths.kubeletDir, 'config.yaml'),
      /tlsCertFile/,
      /^Generate the kubelet's serving certificate \(tlsCertFile of config\.yaml\)$/,
      'CN=system:node:cp1, O=system:nodes',
      ['cp1', '192.168.10.11'],
    ],
    [
      cluster.files['kube-controller-manager.yaml'],
      /--tls-private-key-file/,
      /^Generate kube-controller-manager's serving certificate$/,
      'CN=kube-controller-manager',
      ['cp1', 'localhost', '127.0.0.1'],
    ],
  ]) {
    const { uri, diags } = await openAndWait(file, 'file-not-found');
    const d = diags.find((x) => x.code === 'file-not-found' && field.test(x.message));
    assert.ok(d, JSON.stringify(diags));
    const actions = (await c.request('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })).filter(
      (a) => a.command,
    );
    assert.equal(actions.length, 1, JSON.stringify(actions));
    assert.match(actions[0].title, title);
    const preview = await c.request('kubePki/generate/plan', actions[0].command.arguments[0]);
    assert.equal(preview.items.length, 1, JSON.stringify(preview));
    const item = preview.items[0];
    assert.equal(item.subject, subject);
    assert.deepEqual(item.names, names);
    assert.equal(item.issuer, 'CN=kubernetes');
    assert.doesNotMatch(JSON.stringify(preview), /PRIVATE KEY|BEGIN/);
    const since = c.publishes.length;
    const result = await c.request('kubePki/generate/apply', { planId: preview.planId });
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(result.written.length, 2);
    await c.waitForPublish(uri, since, (ds) => !ds.some((x) => x.code === 'file-not-found'));
  }
  assert.equal((await stat(serving.kubelet.key)).mode & 0o777, 0o600);
});

test("Generate Missing's preview lists what cannot be generated, with why and what to do instead", async () => {
  const preview = await c.request('kubePki/generate/plan', { kind: 'missing' });
  assert.ok(
    preview.items.some((i) => /kube-scheduler's serving certificate/.test(i.title)),
    JSON.stringify(preview.items.map((i) => i.title)),
  );
  const jane = preview.skipped.find((s) => /jane\.conf/.test(s.title));
  assert.ok(jane, JSON.stringify(preview.skipped));
  const etc = cluster.paths.etcKubernetes;
  assert.match(jane.reason, /^its role cannot be told \(user "jane" of jane\.conf is /);
  assert.ok(
    jane.reason.includes(
      `make it with kube-pki new-client --cn jane --group GROUP --ca ${cluster.files['pki/ca.crt']} --out ${etc}/jane.crt --key ${etc}/jane.key`,
    ),
    jane.reason,
  );
});

test("the commands' requests: defaults from the workspace, and a new CA that is never written over an existing one", async () => {
  const defaults = await c.request('kubePki/generate/defaults');
  assert.ok(defaults.cas.includes(cluster.files['pki/ca.crt']), JSON.stringify(defaults));
  assert.ok(defaults.servers.includes('https://192.168.10.11:6443'));
  assert.equal(defaults.nodeName, 'cp1');
  const refused = await c.request('kubePki/generate/plan', { kind: 'ca', certPath: cluster.files['pki/ca.crt'] });
  assert.equal(refused.items.length, 0);
  assert.match(refused.skipped[0].reason, /a CA is never replaced/);
});

test('the server keeps answering hovers while it generates 16 RSA-2048 key pairs', async () => {
  const file = cluster.files['admin.conf'];
  const text = await readFile(file, 'utf8');
  const uri = c.uriOf(file);
  if (!c.texts.has(file)) {
    c.texts.set(file, text);
    await c.open(file, text);
  }
  const line = text.split('\n').findIndex((l) => l.includes('client-certificate-data:'));
  const hover = async () => {
    const t0 = Date.now();
    const h = await c.request('textDocument/hover', { textDocument: { uri }, position: { line, character: 30 } });
    return { ms: Date.now() - t0, h };
  };
  const preview = await c.request('kubePki/generate/plan', {
    kind: 'control-plane',
    root: path.join(tmp, 'cp-rsa'),
    nodeName: 'cp2',
    advertiseAddress: '10.0.0.2',
    keyType: 'rsa-2048',
  });
  assert.equal(preview.items.length, 16);
  const t0 = Date.now();
  const applying = c.request('kubePki/generate/apply', { planId: preview.planId });
  let done = false;
  applying.finally(() => (done = true));
  const times = [];
  while (!done) {
    const { ms, h } = await hover();
    assert.ok(h && JSON.stringify(h.contents).includes('kubernetes-admin'), JSON.stringify(h));
    times.push(ms);
    await new Promise((r) => setTimeout(r, 20));
  }
  const result = await applying;
  const total = Date.now() - t0;
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(result.written.length, 27);
  assert.ok(times.length >= 3, `only ${times.length} hovers during ${total} ms of generation`);
  // No hover waited for the generation: each was answered in a fraction of it (a blocked server answers the first
  // hover only when all 16 key pairs are made). Speed itself is a bench figure, not a unit test's.
  assert.ok(Math.max(...times) < total / 2, `hover latencies while generating for ${total} ms (ms): ${times.join(', ')}`);
});
