// `kube-pki check -`: a multi-document YAML stream on standard input, here the real output of `kubectl kustomize`
// (Debian's kubectl) over a kustomization made at run time: its secretGenerator makes a kubernetes.io/tls Secret
// whose key is not the certificate's, in a namespace and with a name kustomize gives it (prefix and hash). The
// findings name that object, in text, JSON, SARIF, GitHub's and GitLab's formats.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { g, tempDir, cleanup, b64 } from './helpers/engine.mjs';
import { tool } from './helpers/tools.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let dir;
let stream; // kubectl kustomize's output
let secretName;

function cli(args, input, cwd = dir) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  dir = tempDir('kube-pki-stream-');
  const ca = await g.issueCertificate({ commonName: 'web-ca', isCA: true, keyType: 'ecdsa-p256' });
  const server = await g.issueCertificate({
    commonName: 'web',
    issuer: ca,
    keyType: 'ecdsa-p256',
    extKeyUsage: ['serverAuth'],
    dnsNames: ['web.shop.svc'],
  });
  const stray = await g.generateKey('ecdsa-p256');
  const k = path.join(dir, 'overlay');
  mkdirSync(k, { recursive: true });
  writeFileSync(path.join(k, 'tls.crt'), server.certPem);
  writeFileSync(path.join(k, 'tls.key'), stray.privateKeyPem);
  writeFileSync(path.join(k, 'ca.crt'), ca.certPem);
  writeFileSync(
    path.join(k, 'kustomization.yaml'),
    [
      'namespace: shop',
      'namePrefix: prod-',
      'resources:',
      '  - configmap.yaml',
      'secretGenerator:',
      '  - name: web-tls',
      '    type: kubernetes.io/tls',
      '    files:',
      '      - tls.crt',
      '      - tls.key',
      '',
    ].join('\n'),
  );
  // A healthy object before it: the finding must name the Secret, not the first object of the stream.
  writeFileSync(
    path.join(k, 'configmap.yaml'),
    [
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata:',
      '  name: root-ca',
      'data:',
      '  ca.crt: |',
      ...ca.certPem
        .trim()
        .split('\n')
        .map((l) => `    ${l}`),
      '',
    ].join('\n'),
  );
  const r = spawnSync(tool('kubectl'), ['kustomize', k], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  stream = r.stdout;
  secretName = /name: (prod-web-tls-[a-z0-9]+)/.exec(stream)?.[1];
  assert.ok(secretName, `kubectl kustomize named the Secret:\n${stream}`);
  assert.match(stream, /^---$/m, 'a multi-document stream');
  assert.ok(b64(server.certPem) && stream.includes('tls.key:'));
});

after(() => cleanup(dir));

const lineOf = (needle) => stream.split('\n').findIndex((l) => l.includes(needle)) + 1;
/** The column of the value after `needle` (the key), 1-based. */
const valueColumn = (needle) => {
  const line = stream.split('\n')[lineOf(needle) - 1];
  return line.indexOf(needle) + needle.length + 2;
};

test('text: the finding names the object of the stream and its line; exit 1', () => {
  const r = cli(['check', '-'], stream);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stdout.split('\n')[0],
    `Secret/shop/${secretName} (<stdin>:${lineOf('tls.key:')}:${valueColumn('tls.key:')}): error key-mismatch: ${r.stdout.split('error key-mismatch: ')[1].split('\n')[0]}`,
  );
  assert.match(r.stdout, /1 error, 0 warnings, 0 infos in 1 file/);
  assert.equal(r.stderr, '');
});

test('json and SARIF carry the object; SARIF as a logical location of a described artifact', () => {
  const j = JSON.parse(cli(['check', '-', '--format', 'json'], stream).stdout);
  assert.equal(j.length, 1);
  assert.deepEqual(
    [j[0].file, j[0].line, j[0].code, j[0].object],
    ['<stdin>', lineOf('tls.key:'), 'key-mismatch', { kind: 'Secret', namespace: 'shop', name: secretName }],
  );
  const s = JSON.parse(cli(['check', '-', '--format', 'sarif'], stream).stdout);
  const [result] = s.runs[0].results.filter((x) => x.ruleId === 'key-mismatch');
  assert.deepEqual(result.locations[0].logicalLocations, [{ name: secretName, fullyQualifiedName: `Secret/shop/${secretName}`, kind: 'resource' }]);
  assert.deepEqual(result.locations[0].physicalLocation.artifactLocation, { description: { text: 'standard input' } });
  assert.equal(result.locations[0].physicalLocation.region.startLine, lineOf('tls.key:'));
});

test('github and gitlab name the object: no file to annotate, the title and description say which', () => {
  const gh = cli(['check', '-', '--format', 'github'], stream).stdout.split('\n')[0];
  assert.match(
    gh,
    new RegExp(
      `^::error line=${lineOf('tls.key:')},col=${valueColumn('tls.key:')},endLine=${lineOf('tls.key:')},endColumn=\\d+,title=kube-pki key-mismatch \\(Secret/shop/${secretName}\\)::`,
    ),
  );
  const gl = JSON.parse(cli(['check', '-', '--format', 'gitlab'], stream).stdout);
  assert.equal(gl[0].location.path, '<stdin>');
  assert.ok(gl[0].description.startsWith(`Secret/shop/${secretName}: `), gl[0].description);
});

test('kubectl get -o yaml: a List, each item named by its own metadata', () => {
  const items = stream
    .split(/^---\n/m)
    .map((doc) => `- ${doc.trimEnd().split('\n').join('\n  ')}`)
    .join('\n');
  const list = `apiVersion: v1\nkind: List\nitems:\n${items}\nmetadata:\n  resourceVersion: ""\n`;
  const j = JSON.parse(cli(['check', '-', '--format', 'json'], list).stdout);
  assert.deepEqual(
    j.map((f) => [f.code, f.object]),
    [['key-mismatch', { kind: 'Secret', namespace: 'shop', name: secretName }]],
  );
});

test('a healthy stream: exit 0; stdin with paths: both are checked; - twice or for another command: usage error', () => {
  const healthy = stream.replace(/^ {2}tls\.key: .*$/m, '');
  const ok = cli(['check', '-'], healthy);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  const both = cli(['check', '-', 'overlay', '--format', 'json'], stream);
  assert.equal(both.code, 1);
  assert.ok(JSON.parse(both.stdout).some((f) => f.file === '<stdin>'));
  const twice = cli(['check', '-', '-'], stream);
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /'-' \(standard input\) given more than once/);
  const other = cli(['expiration', '-'], stream);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /'-' \(standard input\) is read by kube-pki check only/);
});

test('a stream with nothing kube-pki reads: a note, exit 0', () => {
  const r = cli(['check', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  a: b\n');
  assert.equal(r.code, 0);
  assert.match(r.stderr, /<stdin> holds nothing kube-pki reads/);
});
