// Inline ignores (`# kube-pki-ignore CODE[,CODE] [-- reason]` at the end of the finding's line or alone above it,
// `# kube-pki-ignore-file` among the leading comments), ignore-unused, and the edits behind the quick fixes.
// Through the real Engine on files written at run time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { E, tempDir, write, cleanup, ca, leaf } from './helpers/engine.mjs';

let dir;
let expired;
let root;

before(async () => {
  dir = tempDir('kube-pki-ignores-');
  root = await ca('kubernetes');
  expired = await leaf(root, { commonName: 'old', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
});
after(() => cleanup(dir));

/** A kubeconfig whose CA, client certificate and key are all missing: three file-not-found, on lines 5, 16 and 17. */
function kc({ top = '', ca = '', cert = '', key = '', aboveCert = '' } = {}) {
  return `${top}apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: missing-ca.crt${ca}
    server: https://10.0.0.1:6443
  name: c1
contexts:
- context: {cluster: c1, user: dev}
  name: ctx
current-context: ctx
users:
- name: dev
  user:
${aboveCert}    client-certificate: missing.crt${cert}
    client-key: missing.key${key}
`;
}

function engineFor(files) {
  const engine = new E.Engine(E.nodeFileSystem(), { searchRoots: [dir] });
  for (const f of files) engine.updateDocument(f, readFileSync(f, 'utf8'));
  return engine;
}

const at = (f) => `${f.range.start.line + 1} ${f.code}`;

function applyEdit(text, edit) {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const off = (p) => starts[p.line] + p.character;
  return text.slice(0, off(edit.range.start)) + edit.newText + text.slice(off(edit.range.end));
}

test('without ignores: three file-not-found', () => {
  const f = write(dir, 'plain/kc.yaml', kc());
  assert.deepEqual(engineFor([f]).check(f).map(at), ['5 file-not-found', '15 file-not-found', '16 file-not-found']);
});

test('an ignore at the end of the line, or alone on the line above, suppresses the finding there; suppressed() tells how, with the reason', () => {
  const f = write(
    dir,
    'line/kc.yaml',
    kc({ ca: '  # kube-pki-ignore file-not-found -- the CA is mounted at run time', aboveCert: '    # kube-pki-ignore file-not-found\n' }),
  );
  const engine = engineFor([f]);
  assert.deepEqual(engine.check(f).map(at), ['17 file-not-found'], 'the key on the line below the ignored one is still reported');
  const s = engine.suppressed(f);
  assert.deepEqual(s.map(at), ['5 file-not-found', '16 file-not-found']);
  assert.deepEqual(
    s.map((x) => x.suppression.kind),
    ['inSource', 'inSource'],
  );
  assert.equal(s[0].suppression.reason, 'the CA is mounted at run time');
  assert.equal(s[0].suppression.range.start.line, 4);
  assert.equal(s[1].suppression.reason, undefined);
  assert.equal(s[1].suppression.range.start.line, 14);
});

test('several codes in one comment, and -file among the leading comments (after ---) for the whole file', () => {
  const f = write(
    dir,
    'file/kc.yaml',
    kc({ top: '# managed by a generator\n# kube-pki-ignore-file file-not-found, cert-expired -- generated tree\n---\n' }),
  );
  const engine = engineFor([f]);
  assert.deepEqual(engine.check(f).map(at), ['2 ignore-unused'], 'cert-expired suppresses nothing here');
  assert.match(engine.check(f)[0].message, /kube-pki-ignore-file cert-expired: there is no cert-expired finding in this file any more; remove it/);
  assert.equal(engine.suppressed(f).length, 3);
  assert.ok(engine.suppressed(f).every((x) => x.suppression.reason === 'generated tree'));
  const g = write(dir, 'file/kc2.yaml', kc({ ca: ' # kube-pki-ignore weak-key,file-not-found' }));
  assert.deepEqual(engineFor([g]).check(g).map(at), ['5 ignore-unused', '15 file-not-found', '16 file-not-found']);
});

test('ignore-unused: an unknown code, a -file ignore below the content, an ignore with no code, and one whose finding was fixed', () => {
  const f = write(
    dir,
    'unused/kc.yaml',
    kc({ ca: '  # kube-pki-ignore file-not-fund', cert: '  # kube-pki-ignore', key: '\n# kube-pki-ignore-file file-not-found' }),
  );
  const engine = engineFor([f]);
  const found = engine.check(f);
  assert.deepEqual(found.map(at), [
    '5 file-not-found',
    '5 ignore-unused',
    '15 file-not-found',
    '15 ignore-unused',
    '16 file-not-found',
    '17 ignore-unused',
  ]);
  const msg = (line) => found.find((x) => x.code === 'ignore-unused' && x.range.start.line === line - 1).message;
  assert.match(msg(5), /unknown code 'file-not-fund' \(did you mean 'file-not-found'\?\)/);
  assert.match(msg(15), /names no code/);
  assert.match(msg(17), /must be among the comments at the top of the file/);
  assert.ok(found.filter((x) => x.code === 'ignore-unused').every((x) => x.severity === 'info'));
  // The unknown code is underlined, not the whole comment.
  const unknown = found.find((x) => x.code === 'ignore-unused' && x.range.start.line === 4);
  assert.equal(readFileSync(f, 'utf8').split('\n')[4].slice(unknown.range.start.character, unknown.range.end.character), 'file-not-fund');

  // The finding an ignore was for goes away (the file is created): the ignore is reported, so ignores do not rot.
  const g = write(dir, 'fixed/kc.yaml', kc({ ca: '  # kube-pki-ignore file-not-found' }));
  const e2 = engineFor([g]);
  assert.deepEqual(e2.check(g).map(at), ['15 file-not-found', '16 file-not-found']);
  const created = write(dir, 'fixed/missing-ca.crt', root.certPem);
  e2.fileChanged(created);
  const after = e2.check(g);
  assert.deepEqual(after.map(at), ['5 ignore-unused', '15 file-not-found', '16 file-not-found']);
  assert.match(after[0].message, /kube-pki-ignore file-not-found: there is no file-not-found finding on line 5 any more; remove it/);

  // A config's rules rate ignore-unused too.
  write(dir, 'fixed/.kube-pki.yaml', 'rules:\n  ignore-unused: off\n');
  e2.fileChanged(path.join(dir, 'fixed', '.kube-pki.yaml'));
  assert.deepEqual(e2.check(g).map(at), ['15 file-not-found', '16 file-not-found']);
});

test('a # inside a block scalar or a quoted string is content, not an ignore', () => {
  const f = write(
    dir,
    'content/kc.yaml',
    kc({ ca: '', top: '' }).replace('server: https://10.0.0.1:6443', 'server: "https://10.0.0.1:6443 # kube-pki-ignore file-not-found"'),
  );
  assert.equal(
    engineFor([f])
      .check(f)
      .filter((x) => x.code === 'file-not-found').length,
    3,
  );
});

test('quick-fix edits: ignore on this line (with its indentation) and in this file; the finding goes away, the YAML still parses', () => {
  const f = write(dir, 'edits/kc.yaml', kc());
  const engine = engineFor([f]);
  const [caFinding, certFinding] = engine.check(f);
  let text = readFileSync(f, 'utf8');

  const lineEdit = E.policy.ignoreEdit(text, certFinding, 'line');
  assert.deepEqual(lineEdit.range.start, { line: 14, character: 0 });
  assert.equal(lineEdit.newText, '    # kube-pki-ignore file-not-found\n');
  text = applyEdit(text, lineEdit);
  // The same code again on that line: nothing to add; another code: added to the comment already there.
  assert.equal(
    E.policy.ignoreEdit(text, { code: 'file-not-found', range: { start: { line: 15, character: 4 }, end: { line: 15, character: 4 } } }, 'line'),
    undefined,
  );
  const more = E.policy.ignoreEdit(text, { code: 'weak-key', range: { start: { line: 15, character: 4 }, end: { line: 15, character: 4 } } }, 'line');
  assert.equal(applyEdit(text, more).split('\n')[14], '    # kube-pki-ignore file-not-found,weak-key');
  writeFileSync(f, text);
  engine.updateDocument(f, text);
  assert.deepEqual(engine.check(f).map(at), ['5 file-not-found', '17 file-not-found']);

  const fileEdit = E.policy.ignoreEdit(text, caFinding, 'file');
  assert.deepEqual(fileEdit.range.start, { line: 0, character: 0 });
  text = applyEdit(text, fileEdit);
  engine.updateDocument(f, text);
  assert.deepEqual(engine.check(f).map(at), []);
  assert.equal(engine.suppressed(f).length, 3);
  for (const doc of parseAllDocuments(text)) assert.deepEqual(doc.errors, []);

  // Remove this ignore: at the end of a line, the comment and the blanks before it; alone on a line, the line.
  const clean = text;
  text = text
    .replace('client-key: missing.key', 'client-key: missing.key   # kube-pki-ignore weak-key')
    .replace('- name: dev', '# kube-pki-ignore weak-key\n- name: dev');
  engine.updateDocument(f, text);
  const unused = engine.check(f);
  assert.deepEqual(unused.map(at), ['14 ignore-unused', '19 ignore-unused']);
  text = applyEdit(text, E.policy.removeIgnoreEdit(text, unused[1].range.start));
  text = applyEdit(text, E.policy.removeIgnoreEdit(text, unused[0].range.start));
  assert.equal(text, clean);
  // In a comment that names several codes, only the code.
  const several = '# kube-pki-ignore-file a-code,weak-key\nkind: Config\n';
  const drop = E.policy.removeIgnoreEdit(several, { line: 0, character: 31 });
  assert.equal(applyEdit(several, drop), '# kube-pki-ignore-file a-code\nkind: Config\n');
});

test('quick-fix edit for a finding inside a block scalar: above the key that owns it, never inside the block; the ignore covers the block', async () => {
  const pem = expired.certPem
    .trimEnd()
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n');
  const text = `apiVersion: v1
kind: Secret
metadata:
  name: web-tls
type: kubernetes.io/tls
stringData:
  tls.crt: |
${pem}
`;
  // A finding starting on the third line of the block.
  const inside = { code: 'cert-expired', range: { start: { line: 9, character: 6 }, end: { line: 9, character: 20 } } };
  const edit = E.policy.ignoreEdit(text, inside, 'line');
  assert.deepEqual(edit.range.start, { line: 6, character: 0 });
  assert.equal(edit.newText, '  # kube-pki-ignore cert-expired\n');
  const fixed = applyEdit(text, edit);
  const [doc] = parseAllDocuments(fixed);
  assert.deepEqual(doc.errors, []);
  assert.equal(doc.toJS().stringData['tls.crt'], expired.certPem.trimEnd() + '\n', 'the block is unchanged');
  // The real finding (on the key line) is ignored by it.
  const f = write(dir, 'block/secret.yaml', fixed);
  const engine = engineFor([f]);
  assert.deepEqual(engine.check(f), []);
  assert.deepEqual(engine.suppressed(f).map(at), ['8 cert-expired']);
});

test("an ignore where the YAML does not parse is not reported unused (nothing was checked there); the other documents' ignores are", () => {
  // One unclosed [ in the document: nothing of it is read, so its ignore cannot be told unused (and the quick fix
  // "Remove this kube-pki-ignore" would delete an ignore that is right once the YAML is fixed).
  const broken = write(dir, 'unread/one.yaml', `${kc({ ca: '  # kube-pki-ignore file-not-found' })}contexts: [\n`);
  let found = engineFor([broken]).check(broken);
  assert.deepEqual(
    found.map((f) => f.code),
    ['yaml-invalid'],
  );

  // Several documents: the first parses (its unused ignore is reported, and its own-line ignore above the
  // separator covers the second document's first line), the second does not.
  const text = [
    kc({ ca: '  # kube-pki-ignore weak-key' }).trimEnd(), //                     lines 1-16
    '# kube-pki-ignore cert-expired', //                                        17: covers line 19, in the broken document
    '---', //                                                                   18
    kc({ ca: '  # kube-pki-ignore file-not-found' }).trimEnd(), //               19-34, line 23 holds an ignore
    'contexts: [', //                                                           35
    '',
  ].join('\n');
  const multi = write(dir, 'unread/multi.yaml', text);
  found = engineFor([multi]).check(multi);
  assert.deepEqual(found.filter((f) => f.range.start.line < 34).map(at), [
    '5 file-not-found',
    '5 ignore-unused',
    '15 file-not-found',
    '16 file-not-found',
  ]);
  assert.deepEqual(
    found.filter((f) => f.range.start.line >= 34).map((f) => f.code),
    ['yaml-invalid'],
  );
  assert.match(found[1].message, /kube-pki-ignore weak-key: there is no weak-key finding on line 5/);

  // A -file ignore while part of the file was not read: not reported either.
  const fileWide = write(dir, 'unread/file-wide.yaml', `# kube-pki-ignore-file cert-expired\n---\n${kc().trimEnd()}\n---\n${kc()}contexts: [\n`);
  assert.deepEqual(
    engineFor([fileWide])
      .check(fileWide)
      .map((f) => f.code)
      .filter((c) => c === 'ignore-unused'),
    [],
  );
});

test('a file over 16 MB: one file-unreadable, no ignore-unused for the ignores in it, its text not scanned for ignores beyond the leading comments', () => {
  const line = '    - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt # kube-pki-ignore file-not-found\n';
  const head = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\nspec:\n  containers:\n  - command:\n    - kube-apiserver\n';
  const body = line.repeat(Math.ceil((16.5 * 1024 * 1024) / line.length));
  const file = path.join(dir, 'big', 'kube-apiserver.yaml');
  const engine = new E.Engine(E.nodeFileSystem(), { searchRoots: [path.join(dir, 'big')] });
  engine.updateDocument(file, head + body);
  const found = engine.check(file);
  assert.deepEqual(
    found.map((f) => f.code),
    ['file-unreadable'],
  );
  // That only the leading comments are read (no CST parse of 16 MB) is a speed figure: `npm run bench`, "oversize".
  // A -file ignore among the leading comments still applies.
  engine.updateDocument(file, `# kube-pki-ignore-file file-unreadable -- a generated dump\n${head}${body}`);
  assert.deepEqual(engine.check(file), []);
  assert.deepEqual(
    engine.suppressed(file).map((f) => [f.code, f.suppression.reason]),
    [['file-unreadable', 'a generated dump']],
  );
});

test('an ignore alone above a --- separator (or a %YAML directive) covers the first line of the next document; the quick fix adds to it', () => {
  // The second document's first line holds a finding: its CA file is missing.
  const second = [
    "clusters: [{name: c2, cluster: {certificate-authority: other-missing.crt, server: 'https://10.0.0.2:6443'}}]",
    'apiVersion: v1',
    'kind: Config',
    '',
  ].join('\n');
  const text = `${kc().trimEnd()}\n# kube-pki-ignore file-not-found -- the second cluster's CA comes later\n---\n${second}`;
  const f = write(dir, 'separator/kc.yaml', text);
  const engine = engineFor([f]);
  assert.deepEqual(engine.check(f).map(at), ['5 file-not-found', '15 file-not-found', '16 file-not-found']);
  assert.deepEqual(engine.suppressed(f).map(at), ['19 file-not-found']);

  // The quick fix for another code on that line adds it to the same comment instead of writing a second one.
  const other = { code: 'not-a-ca', range: { start: { line: 18, character: 40 }, end: { line: 18, character: 58 } } };
  const edit = E.policy.ignoreEdit(text, other, 'line');
  assert.equal(applyEdit(text, edit).split('\n')[16], "# kube-pki-ignore file-not-found,not-a-ca -- the second cluster's CA comes later");

  // A directive between them is skipped too.
  const directive = write(dir, 'separator/directive.yaml', `${kc().trimEnd()}\n# kube-pki-ignore file-not-found\n...\n%YAML 1.2\n---\n${second}`);
  const e2 = engineFor([directive]);
  assert.deepEqual(e2.suppressed(directive).map(at), ['21 file-not-found']);
  assert.equal(e2.check(directive).filter((x) => x.code === 'ignore-unused').length, 0);
});

test('IgnoreEditor: one reading of the comments for all the edits of a request, the same edits as one at a time', () => {
  const text = kc({ ca: '  # kube-pki-ignore weak-key', aboveCert: '    # kube-pki-ignore file-not-found\n' });
  const editor = new E.policy.IgnoreEditor(text);
  const a = { code: 'file-not-found', range: { start: { line: 4, character: 27 }, end: { line: 4, character: 41 } } };
  const b = { code: 'cert-expired', range: { start: { line: 15, character: 4 }, end: { line: 15, character: 20 } } };
  for (const [finding, scope] of [
    [a, 'line'],
    [a, 'file'],
    [b, 'line'],
    [b, 'file'],
  ]) {
    assert.deepEqual(editor.ignoreEdit(finding, scope), E.policy.ignoreEdit(text, finding, scope), `${finding.code} ${scope}`);
  }
  assert.deepEqual(editor.ignoreEdit(a, 'line').newText, ',file-not-found');
  assert.deepEqual(editor.removeIgnoreEdit({ line: 4, character: 60 }), E.policy.removeIgnoreEdit(text, { line: 4, character: 60 }));
  assert.deepEqual(editor.removeIgnoreEdit({ line: 4, character: 60 }).newText, '');
});
