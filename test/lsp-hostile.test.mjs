// Hostile input to the language server (dist/server.js over stdio): bytes that are not JSON-RPC, JSON-RPC
// that is malformed or asks for nonsense, headers with a Content-Length the reader must not trust (negative,
// not an integer, absurd: the frame guard drops them), requests about documents never opened, a 100 MB didOpen. The
// server must answer later requests (and right) and stay alive. Then the file cases the engine and
// test/limits.test.mjs did not cover yet: a reference to /dev/zero, and a file vanishing mid-check.
// Run `node esbuild.js` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, unlinkSync, existsSync } from 'node:fs';
import path from 'node:path';
import { start, uriOf } from './helpers/lsp-client.mjs';
import { E, ca, leaf, tempDir, write, cleanup, kubeconfig, checkTree, summary, lineOf } from './helpers/engine.mjs';

let dir;
let good; // a kubeconfig whose client certificate expired yesterday: exactly one cert-expired
let c;

const frame = (body) => {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return Buffer.concat([Buffer.from(`Content-Length: ${b.length}\r\n\r\n`), b]);
};
const raw = (data) => new Promise((resolve, reject) => c.proc.stdin.write(data, (err) => (err ? reject(err) : resolve())));
const settle = (p) =>
  p.then(
    (value) => ({ value }),
    (error) => ({ error }),
  );

/** The server is alive and still checks: a known document gets its known finding. */
async function stillRight(what) {
  assert.equal(c.proc.exitCode, null, `${what}: the server exited`);
  assert.equal(c.proc.signalCode, null, `${what}: the server was killed`);
  const s = await c.summary();
  assert.equal(typeof s.errors, 'number', what);
  const text = readFileSync(good, 'utf8');
  const version = await c.change(good, text + `# ${what}\n`);
  const diags = await c.waitForDiagnostics(uriOf(good), (ds, p) => p.version === version, 20_000);
  assert.deepEqual(
    diags.map((d) => d.code),
    ['cert-expired'],
    what,
  );
}

before(async () => {
  dir = tempDir('kube-pki-hostile-');
  const root = await ca('kubernetes');
  const expired = await leaf(root, { commonName: 'dev', notBefore: new Date(Date.now() - 10 * 86400e3), notAfter: new Date(Date.now() - 86400e3) });
  good = write(dir, 'dev.kubeconfig', kubeconfig({ caPem: root.certPem, certPem: expired.certPem, keyPem: expired.key.privateKeyPem }));
  c = await start(dir, {});
  await c.summary();
  await c.open(good, readFileSync(good, 'utf8'));
  await c.waitForDiagnostics(uriOf(good), (ds) => ds.length > 0);
});

after(async () => {
  await c?.shutdown().catch(() => undefined);
  c?.proc.kill();
  if (dir) cleanup(dir);
});

test('malformed JSON-RPC: bad JSON, arrays, wrong types, unknown methods, NUL bytes: logged, answered, survived', { timeout: 120_000 }, async () => {
  const logsBefore = c.logs.length;
  await raw(frame('{not json at all'));
  await raw(frame('[1,2,3]'));
  await raw(frame('"just a string"'));
  await raw(frame(Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x00])));
  await raw(frame('{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":null}}'));
  await raw(frame('{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":{"uri":17,"text":{"a":1},"version":"x"}}}'));
  await raw(
    frame(
      '{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":"file:///never/opened.conf","version":3},"contentChanges":[{"range":{"start":{"line":-5,"character":1e9}},"text":7}]}}',
    ),
  );
  await raw(frame('{"jsonrpc":"2.0","method":"textDocument/didClose","params":{"textDocument":{"uri":"file:///never/opened.conf"}}}'));
  await raw(frame('{"jsonrpc":"2.0","method":"workspace/didChangeWatchedFiles","params":{"changes":[{"uri":"::::","type":99},null]}}'));
  await raw(
    frame(
      '{"jsonrpc":"2.0","method":"workspace/didChangeConfiguration","params":{"settings":{"kubePki":{"expiryWarningDays":"many","pathMappings":[1,2],"rootDir":{}}}}}',
    ),
  );
  // Requests through the client, so their answers (result or error response) are seen.
  const answers = await Promise.all([
    settle(c.request('textDocument/hover', { textDocument: { uri: 42 }, position: null })),
    settle(c.request('textDocument/hover', 'garbage')),
    settle(c.request('textDocument/codeLens', { textDocument: {} })),
    settle(c.request('kubePki/decode', { uri: uriOf(good), position: { line: 1e9, character: -1 } })),
    settle(c.request('kubePki/decode', { text: 12 })),
    settle(c.request('kubePki/generate/apply', { planId: 'no-such-plan' })),
    settle(c.request('no/such/method', {})),
  ]);
  assert.equal(answers.length, 7);
  // An unknown method is an error response (MethodNotFound), not silence.
  assert.equal(answers[6].error?.code, -32601);
  // Each bad input is answered; none took the server down.
  await stillRight('after malformed messages');
  const logged = c.logs
    .slice(logsBefore)
    .map((l) => l.message)
    .join('\n');
  assert.match(logged, /neither a response nor a notification|failed/);
  // The settings that made no sense fell back to usable values: the verdict is unchanged (checked above).
});

/** A hover request written by hand (so it can be cut into pieces), answered through the client's own id space. */
const rawId = { next: 1_000_000 };
function rawRequest(method, params) {
  const id = rawId.next++;
  return { id, bytes: frame(JSON.stringify({ jsonrpc: '2.0', id, method, params })) };
}
/** The responses to requests written raw arrive on the client's stream: vscode-jsonrpc reports them as unknown. */
function rawAnswers() {
  const seen = new Map();
  let tail = '';
  const onData = (chunk) => {
    // The tail of the previous chunk too: an id may be cut between two.
    const text = tail + chunk.toString('latin1');
    for (const m of text.matchAll(/"id":(\d+)[,}]/g)) seen.set(Number(m[1]), true);
    tail = text.slice(-32);
  };
  c.proc.stdout.on('data', onData);
  return { seen, stop: () => c.proc.stdout.off('data', onData) };
}
const vmRssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);

test(
  'a negative, fractional, hex or absurd Content-Length drops that message, logs it, and the next request is answered',
  { timeout: 120_000 },
  async () => {
    const bad = ['-5', '12.5', '0x10', '1e3', ' +7', '99999999999999999999', String(2 ** 40)];
    for (const value of bad) {
      const logsBefore = c.logs.length;
      // The bad frame, its would-be body, then a well-formed request in the same write: the server must skip
      // the first and answer the second.
      const { id, bytes } = rawRequest('kubePki/summary', null);
      const watch = rawAnswers();
      await raw(Buffer.concat([Buffer.from(`Content-Length: ${value}\r\n\r\n{"jsonrpc":"2.0","id":1,"method":"x"}`), bytes]));
      const end = Date.now() + 10_000;
      while (!watch.seen.has(id) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      watch.stop();
      assert.ok(watch.seen.has(id), `Content-Length: ${value}: the request after it (id ${id}) was never answered`);
      await stillRight(`after Content-Length: ${value}`);
      const logged = c.logs
        .slice(logsBefore)
        .map((l) => l.message)
        .join('\n');
      assert.match(
        logged,
        /dropped a message from the client: Content-Length (is not a non-negative integer|\d+ is over the \d+-byte limit)/,
        `Content-Length: ${value}: logged ${logged}`,
      );
    }
  },
);

test(
  'a declared length over the limit that never arrives: the bytes after it are not kept, and the server answers',
  { timeout: 120_000 },
  async (t) => {
    const rssBefore = vmRssKb(c.proc.pid);
    await raw(`Content-Length: ${300 * 1024 * 1024}\r\n\r\n`);
    // 96 MB of would-be body, in 1 MB writes: vscode-jsonrpc alone would buffer it all, waiting for 300 MB.
    const junk = Buffer.alloc(1024 * 1024, 'A');
    for (let i = 0; i < 96; i++) await raw(junk);
    const { id, bytes } = rawRequest('kubePki/summary', null);
    const watch = rawAnswers();
    await raw(bytes);
    const end = Date.now() + 20_000;
    while (!watch.seen.has(id) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    watch.stop();
    assert.ok(watch.seen.has(id), 'the request after the oversized frame was never answered');
    const grew = (vmRssKb(c.proc.pid) - rssBefore) / 1024;
    t.diagnostic(`RSS growth over 96 MB of discarded bytes: ${grew.toFixed(1)} MB`);
    assert.ok(grew < 48, `the server's RSS grew by ${grew.toFixed(0)} MB over 96 MB of discarded bytes`);
    await stillRight('after an oversized Content-Length');
  },
);

test('well-formed frames cut anywhere (byte by byte, mid-header, several per write) pass through intact', { timeout: 120_000 }, async () => {
  const reqs = Array.from({ length: 6 }, (_, i) =>
    rawRequest('textDocument/hover', { textDocument: { uri: uriOf(good) }, position: { line: i, character: 2 } }),
  );
  // Non-ASCII in a body: Content-Length counts bytes, not characters.
  const note = { jsonrpc: '2.0', method: 'kubePki/nothing', params: { text: 'é✓ — ünïcödé' } };
  const all = Buffer.concat([frame(JSON.stringify(note)), ...reqs.map((r) => r.bytes)]);
  const watch = rawAnswers();
  let at = 0;
  for (const size of [1, 1, 2, 3, 17, 5, 40, 1, 200]) {
    await raw(all.subarray(at, at + size));
    at += size;
    await new Promise((r) => setTimeout(r, 5));
  }
  await raw(all.subarray(at));
  const end = Date.now() + 10_000;
  while (!reqs.every((r) => watch.seen.has(r.id)) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  watch.stop();
  assert.deepEqual(
    reqs.filter((r) => !watch.seen.has(r.id)).map((r) => r.id),
    [],
    'every request cut in pieces is answered',
  );
  await stillRight('after frames cut in pieces');
});

test('bytes that are not JSON-RPC at all: the stream recovers and later requests are answered', { timeout: 120_000 }, async () => {
  // The frame guard drops a bad header block and reads on from the next `Content-Length:`; each piece is sent
  // on its own, as a confused client would, and the server must answer after each.
  const pieces = ['garbage without any header\r\n\r\n', Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x0d, 0x0a, 0x0d, 0x0a]), 'Content-Length: abc\r\n\r\n'];
  for (const [i, piece] of pieces.entries()) {
    await raw(piece);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await stillRight(`after raw garbage ${i + 1}`);
  }
});

test('requests about documents never opened: null, empty or an error saying so', { timeout: 120_000 }, async () => {
  for (const uri of ['file:///never/opened.conf', 'untitled:Untitled-1', uriOf(path.join(dir, 'missing.kubeconfig'))]) {
    const td = { textDocument: { uri } };
    assert.equal(await c.request('textDocument/hover', { ...td, position: { line: 0, character: 0 } }), null);
    assert.deepEqual(await c.request('textDocument/codeLens', td), []);
    const links = await c.request('textDocument/documentLink', td);
    assert.ok(links === null || (Array.isArray(links) && links.length === 0));
    const symbols = await c.request('textDocument/documentSymbol', td);
    assert.ok(symbols === null || (Array.isArray(symbols) && symbols.length === 0));
    const decoded = await c.request('kubePki/decode', { uri, position: { line: 0, character: 0 } });
    assert.match(decoded.error, /not open/);
  }
  await stillRight('after unknown documents');
});

test('a 100 MB didOpen: one file-unreadable diagnostic saying why, then business as usual', { timeout: 120_000 }, async () => {
  const file = path.join(dir, 'huge.kubeconfig');
  const text = `apiVersion: v1\nkind: Config\nusers:\n${'- name: x\n'.repeat(10 * 1024 * 1024)}`;
  assert.ok(text.length > 100 * 1024 * 1024);
  const uri = await c.open(file, text);
  const diags = await c.waitForDiagnostics(uri, (ds) => ds.length > 0, 60_000);
  assert.deepEqual(
    diags.map((d) => [d.code, d.range.start.line]),
    [['file-unreadable', 0]],
  );
  assert.match(diags[0].message, /over the 16\.0 MB/);
  assert.equal(await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 4 } }), null);
  await c.close(file);
  await stillRight('after a 100 MB document');
});

// ------------------------------------------------------------------------------------------ file cases

test('a reference to /dev/zero is file-unreadable with the reason, at once (no endless read)', { timeout: 120_000 }, async () => {
  const d = path.join(dir, 'devzero');
  const f = write(d, 'k.conf', kubeconfig({ caPath: '/dev/zero', certPath: '/dev/zero', keyPath: '/dev/urandom' }));
  const started = Date.now();
  const { findings } = checkTree(d, {}, [f]);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  assert.deepEqual(summary(findings, d), [
    `k.conf:${lineOf(f, 'certificate-authority:')} file-unreadable`,
    `k.conf:${lineOf(f, 'client-certificate:')} file-unreadable`,
    `k.conf:${lineOf(f, 'client-key:')} file-unreadable`,
  ]);
  for (const x of findings) assert.match(x.message, /\/dev\/(zero|urandom).*not a regular file \(a FIFO, socket or device\)/);
  // The same through the language server, which keeps answering.
  const uri = await c.open(f, readFileSync(f, 'utf8'));
  const diags = await c.waitForDiagnostics(uri, (ds) => ds.length === 3, 10_000);
  assert.ok(diags.every((x) => x.code === 'file-unreadable' && /not a regular file/.test(x.message)));
  await stillRight('after /dev/zero');
});

test('a file vanishing mid-check (found, then gone when read) is reported with the reason, not a crash', { timeout: 120_000 }, async () => {
  const d = path.join(dir, 'vanish');
  const root = await ca('kubernetes');
  const client = await leaf(root, { commonName: 'dev' });
  write(d, 'pki/ca.crt', root.certPem);
  write(d, 'pki/dev.crt', client.certPem);
  write(d, 'pki/dev.key', client.key.privateKeyPem);
  const f = write(d, 'k.conf', kubeconfig({ caPath: 'pki/ca.crt', certPath: 'pki/dev.crt', keyPath: 'pki/dev.key' }));
  // The disk, except that the certificate is deleted just before the engine's first read of it (after path
  // resolution saw it exist), as when a tool rotates certificates while the check runs.
  const disk = E.nodeFileSystem();
  const victim = path.join(d, 'pki/dev.crt');
  let removed = false;
  const fs = {
    ...disk,
    stat: (p) => disk.stat(p),
    readDir: (p) => disk.readDir(p),
    readFile(p, max) {
      if (p === victim && !removed) {
        unlinkSync(victim);
        removed = true;
      }
      return disk.readFile(p, max);
    },
  };
  for (const k of Object.keys(disk)) if (!(k in fs)) fs[k] = disk[k].bind(disk);
  const engine = new E.Engine(fs, { searchRoots: [d] });
  engine.updateDocument(f, readFileSync(f, 'utf8'));
  const started = Date.now();
  const findings = engine.check(f);
  assert.ok(Date.now() - started < 5000);
  assert.ok(removed && !existsSync(victim), 'the file was removed mid-check');
  const line = lineOf(f, 'client-certificate:');
  const onCert = findings.filter((x) => x.range.start.line + 1 === line);
  assert.equal(onCert.length, 1, JSON.stringify(findings.map((x) => [x.code, x.message])));
  assert.ok(['file-not-found', 'file-unreadable'].includes(onCert[0].code), onCert[0].code);
  assert.match(onCert[0].message, /dev\.crt/);
  assert.match(onCert[0].message, /no such file|not found|missing|does not exist/i);
  // Once the watcher says so, the verdict is file-not-found as for any missing file.
  engine.fileChanged(victim);
  const again = engine.check(f).filter((x) => x.range.start.line + 1 === line);
  assert.deepEqual(
    again.map((x) => x.code),
    ['file-not-found'],
  );
});
