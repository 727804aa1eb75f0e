// The whole workspace in the Problems panel: documents never opened get their diagnostics too (published by the
// language server's pass over the workspace, only when they change), a fix elsewhere clears them, a deleted or no
// longer recognised file has them cleared, and open documents' CodeLenses are refreshed when another file changes
// their findings. Over stdio with a real JSON-RPC client; the node tree is made at run time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildCluster } from './helpers/cluster.mjs';
import { start, SERVER, uriOf } from './helpers/lsp-client.mjs';

let tmp;
let cluster;
const clients = [];

async function startClient(options) {
  const c = await start(cluster.dir, { rootDir: '${workspaceFolder}' }, options);
  clients.push(c);
  return c;
}

const defect = (name) => cluster.defects.find((d) => d.defect === name);
const has = (code, line) => (ds) => ds.some((x) => x.code === code && (line === undefined || x.range.start.line === line));

before(async () => {
  assert.ok(existsSync(SERVER), `${SERVER} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-lsp-ws-'));
  cluster = await buildCluster(path.join(tmp, 'node'), { defects: ['apiserver-san-missing', 'bad-pem', 'conflicting-fields'] });
});

after(async () => {
  await Promise.all(clients.map((c) => c.shutdown().catch(() => undefined)));
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('files never opened get their diagnostics on the planted lines, and they add up to the summary', async () => {
  const c = await startClient();
  for (const d of cluster.defects) {
    await c.waitForDiagnostics(uriOf(d.file), has(d.code, d.line));
  }
  const summary = await c.waitForSummary((s) => s.errors > 0);
  // Wait for the pass that follows the summary to have sent everything, then compare.
  await new Promise((r) => setTimeout(r, 500));
  let errors = 0;
  let warnings = 0;
  for (const p of c.diagnostics.values()) {
    errors += p.diagnostics.filter((d) => d.severity === 1).length;
    warnings += p.diagnostics.filter((d) => d.severity === 2).length;
  }
  const latest = c.summaries.at(-1) ?? summary;
  assert.deepEqual({ errors, warnings }, { errors: latest.errors, warnings: latest.warnings });
  // Nothing was opened: none of these carries a version.
  assert.ok([...c.diagnostics.values()].every((p) => p.version === undefined));
  await c.shutdown();
});

test('a fix in another file clears the diagnostics of a file never opened', async () => {
  const c = await startClient();
  const d = defect('bad-pem');
  const manifest = uriOf(d.file);
  await c.waitForDiagnostics(manifest, has('pem-invalid', d.line));
  // The truncated CA certificate is fixed in its buffer (not saved): the manifest that reads it is clean now.
  const crt = cluster.files['pki/front-proxy-ca.crt'];
  await c.open(crt, await readFile(crt, 'utf8'), 'pem');
  const since = c.publishes.length;
  await c.change(crt, cluster.certs['front-proxy-ca'].certPem);
  const p = await c.waitForPublish(manifest, since, (ds) => !has('pem-invalid')(ds));
  assert.equal(p.version, undefined);
  // The controller-manager reads it too.
  await c.waitForDiagnostics(uriOf(d.also[0].file), (ds) => !has('pem-invalid')(ds));
  // Discarding the edit brings them back.
  const since2 = c.publishes.length;
  await c.close(crt);
  await c.waitForPublish(manifest, since2, has('pem-invalid', d.line));
  await c.shutdown();
});

test('open documents get a CodeLens refresh when another file changes their findings', async () => {
  const c = await startClient({ codeLensRefresh: true });
  const d = defect('bad-pem');
  const manifest = uriOf(d.file);
  await c.open(d.file, await readFile(d.file, 'utf8'));
  await c.waitForDiagnostics(manifest, has('pem-invalid', d.line));
  const lensOn = async () => {
    const lenses = await c.request('textDocument/codeLens', { textDocument: { uri: manifest } });
    return lenses.find((l) => l.range.start.line === d.line);
  };
  const before = await lensOn();
  assert.doesNotMatch(before.command.title, /CN=front-proxy-ca/);

  const crt = cluster.files['pki/front-proxy-ca.crt'];
  await c.open(crt, await readFile(crt, 'utf8'), 'pem');
  const refreshes = c.lensRefreshes.length;
  const since = c.publishes.length;
  await c.change(crt, cluster.certs['front-proxy-ca'].certPem);
  await c.waitForPublish(manifest, since, (ds) => !has('pem-invalid')(ds));
  // The refresh request comes with (or right after) the manifest's new diagnostics; the lens then reads the fix.
  await new Promise((resolve, reject) => {
    const t0 = Date.now();
    const poll = () => {
      if (c.lensRefreshes.length > refreshes) resolve();
      else if (Date.now() - t0 > 5000) reject(new Error('no workspace/codeLens/refresh after the other file was fixed'));
      else setTimeout(poll, 20);
    };
    poll();
  });
  const after = await lensOn();
  assert.match(after.command.title, /CN=front-proxy-ca/);

  // Typing in a document alone asks for no refresh (the editor asks for that document's lenses itself).
  const settled = c.lensRefreshes.length;
  const since2 = c.publishes.length;
  await c.change(d.file, (await readFile(d.file, 'utf8')) + '\n');
  await c.waitForPublish(manifest, since2);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(c.lensRefreshes.length, settled);
  await c.shutdown();
});

test('a deleted file, and a file no longer recognised, get their diagnostics cleared', async () => {
  const c = await startClient();
  const san = defect('apiserver-san-missing');
  const conflict = defect('conflicting-fields');
  await c.waitForDiagnostics(uriOf(san.file), has(san.code, san.line));
  await c.waitForDiagnostics(uriOf(conflict.file), has(conflict.code, conflict.line));

  const since = c.publishes.length;
  await rm(san.file);
  await c.filesChanged([{ file: san.file, type: 3 }]);
  await c.waitForPublish(uriOf(san.file), since, (ds) => ds.length === 0);

  // scheduler.conf rewritten into something that is no Kubernetes file at all.
  const since2 = c.publishes.length;
  await writeFile(conflict.file, 'listen 80;\nserver_name example.com;\n');
  await c.filesChanged([{ file: conflict.file, type: 2 }]);
  await c.waitForPublish(uriOf(conflict.file), since2, (ds) => ds.length === 0);
  await c.shutdown();
});
