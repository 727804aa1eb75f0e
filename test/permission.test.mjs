// A referenced certificate the user may not read (chmod 000): `file-unreadable` with the reason (permission
// denied) on the line that references it, from the CLI and from the language server, which keeps answering.
// Root reads any file whatever its mode, so as root kube-pki is run as nobody (setpriv, util-linux) on a tree
// under /tmp that nobody can traverse; as any other user, chmod 000 is enough. Neither possible: the test fails
// and says why (it never passes without having tried). Run `node esbuild.js` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ca, leaf, write, cleanup, kubeconfig, lineOf } from './helpers/engine.mjs';
import { start } from './helpers/lsp-client.mjs';

const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

let dir;
let ws;
let conf;
let victim;
/** The command prefix that makes kube-pki an unprivileged user ([] when the tests already run as one). */
let runAs = [];
/** The copies of the CLI and the server nobody can read (the repository may not be). */
let cli;
let server;

/** Folders 0755, files 0644: everything readable by others, as a node's /etc/kubernetes is not, but a test tree may be. */
function openUp(p) {
  const st = statSync(p);
  chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
  if (st.isDirectory()) for (const name of readdirSync(p)) openUp(path.join(p, name));
}

before(async () => {
  if (asRoot) {
    const probe = spawnSync('setpriv', ['--version'], { encoding: 'utf8' });
    if (probe.error || probe.status !== 0) {
      throw new Error(
        'these tests run as root, where chmod 000 does not stop reads, and setpriv (util-linux) is not there to run kube-pki as nobody: install util-linux, or run the tests as a non-root user',
      );
    }
    runAs = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  }
  // /tmp, not $TMPDIR: nobody must be able to walk down to the files.
  dir = mkdtempSync(path.join(asRoot ? '/tmp' : tmpdir(), 'kube-pki-perm-'));
  ws = path.join(dir, 'ws');
  const root = await ca('kubernetes');
  const dev = await leaf(root, { commonName: 'dev' });
  write(ws, 'pki/ca.crt', root.certPem);
  victim = write(ws, 'pki/dev.crt', dev.certPem);
  write(ws, 'pki/dev.key', dev.key.privateKeyPem);
  conf = write(ws, 'k.conf', kubeconfig({ caPath: 'pki/ca.crt', certPath: 'pki/dev.crt', keyPath: 'pki/dev.key' }));
  mkdirSync(path.join(dir, 'bin'));
  cli = path.join(dir, 'bin', 'cli.js');
  server = path.join(dir, 'bin', 'server.js');
  copyFileSync(path.join(DIST, 'cli.js'), cli);
  copyFileSync(path.join(DIST, 'server.js'), server);
  openUp(dir);
});

after(() => {
  if (dir) {
    chmodSync(victim, 0o644);
    cleanup(dir);
  }
});

function check() {
  const [command, ...prefix] = runAs.length ? runAs : [process.execPath];
  const args = runAs.length ? [...prefix, process.execPath, cli] : [cli];
  const r = spawnSync(command, [...args, 'check', '--format', 'json', ws], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.error, undefined, String(r.error));
  return { status: r.status, findings: r.stdout.trim() ? JSON.parse(r.stdout) : [], stderr: r.stderr };
}

test(
  'kube-pki check as an unprivileged user: the tree reads fine, then the chmod 000 certificate is file-unreadable (permission denied)',
  { timeout: 120_000 },
  () => {
    // Readable: no finding at all, so what follows is the permission and nothing else.
    const fine = check();
    assert.equal(fine.status, 0, `before chmod: ${JSON.stringify(fine.findings)} ${fine.stderr}`);
    assert.deepEqual(fine.findings, []);

    chmodSync(victim, 0o000);
    try {
      const r = check();
      assert.equal(r.status, 1, r.stderr);
      const line = lineOf(conf, 'client-certificate:');
      assert.deepEqual(
        r.findings.map((f) => [path.basename(f.file), f.line, f.code]),
        [['k.conf', line, 'file-unreadable']],
        JSON.stringify(r.findings),
      );
      assert.match(r.findings[0].message, /client-certificate pki\/dev\.crt.*permission denied/);
    } finally {
      chmodSync(victim, 0o644);
    }
  },
);

test(
  'the language server as an unprivileged user: file-unreadable (permission denied), still answering, and the finding goes once the file is readable',
  { timeout: 120_000 },
  async () => {
    chmodSync(victim, 0o000);
    const c = await start(ws, {}, { server, runAs: runAs.length ? runAs : undefined, cwd: dir });
    try {
      const uri = await c.open(conf, readFileSync(conf, 'utf8'));
      const line = lineOf(conf, 'client-certificate:') - 1;
      const diags = await c.waitForDiagnostics(uri, (ds) => ds.length > 0, 20_000);
      assert.deepEqual(
        diags.map((d) => [d.code, d.range.start.line]),
        [['file-unreadable', line]],
        JSON.stringify(diags),
      );
      assert.match(diags[0].message, /permission denied/);
      // Responsive: requests are answered, an edit is checked again, the hover on the readable CA decodes it.
      const s = await c.summary();
      assert.equal(s.errors, 1, JSON.stringify(s));
      const hover = await c.request('textDocument/hover', {
        textDocument: { uri },
        position: { line: lineOf(conf, 'certificate-authority:') - 1, character: 30 },
      });
      assert.match(JSON.stringify(hover), /CN=kubernetes/);
      const version = await c.change(conf, readFileSync(conf, 'utf8') + '# edited\n');
      const again = await c.waitForDiagnostics(uri, (ds, p) => p.version === version, 20_000);
      assert.deepEqual(
        again.map((d) => d.code),
        ['file-unreadable'],
      );
      // Readable again (the watcher reports it): the finding goes.
      chmodSync(victim, 0o644);
      const since = c.publishes.length;
      await c.filesChanged([{ file: victim, type: 2 }]);
      await c.waitForPublish(uri, since, (ds) => ds.length === 0, 20_000);
      assert.equal(c.proc.exitCode, null, 'the server is still running');
    } finally {
      chmodSync(victim, 0o644);
      await c.shutdown();
    }
  },
);
