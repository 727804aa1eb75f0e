// `kube-pki check` (dist/cli.js) run as a process over generated cluster trees.
// Run `node esbuild.js` first. Certificates are generated at run time (test/helpers/cluster.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, readFile, writeFile, copyFile, mkdir } from 'node:fs/promises';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCluster } from './helpers/cluster.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(repo, 'dist', 'cli.js');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));

// Defects whose findings sit in distinct places, so each can be asserted on its own line.
const DEFECTS = [
  'scheduler-cn-typo',
  'controller-manager-expired',
  'apiserver-key-mismatch',
  'etcd-server-expiring',
  'weak-signature',
  'client-ca-not-ca',
  'kubelet-wrong-group',
  'missing-file',
];

let tmp;
let healthy;
let broken;

function cli(args, opts = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? tmp,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '', ...opts.env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `file:line:col: severity code: message` lines of the text format. */
function parseText(stdout) {
  const out = [];
  for (const line of stdout.split('\n')) {
    const m = /^(.+?):(\d+):(\d+): (error|warning|info) ([a-z0-9-]+): (.*)$/.exec(line);
    if (m) out.push({ file: m[1], line: Number(m[2]), column: Number(m[3]), severity: m[4], code: m[5], message: m[6] });
  }
  return out;
}

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-cli-'));
  healthy = await buildCluster(path.join(tmp, 'healthy'), {});
  broken = await buildCluster(path.join(tmp, 'broken'), { defects: DEFECTS });
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('a healthy tree: exit 0 and "0 errors, 0 warnings"', () => {
  const r = cli(['check', 'healthy']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^0 errors, 0 warnings, 0 infos in \d+ files$/m);
  assert.equal(parseText(r.stdout).length, 0, r.stdout);
  assert.doesNotMatch(r.stdout, /\x1b\[/); // not a TTY: no colour
});

test('the current folder is the default path', () => {
  const r = cli(['check'], { cwd: healthy.dir });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /0 errors, 0 warnings, 0 infos in (\d+) files/);
  const files = Number(/in (\d+) files/.exec(r.stdout)[1]);
  assert.ok(files >= 10, r.stdout); // 5 kubeconfigs, 4 manifests, the kubelet config
});

test('planted defects: exit 1, each code on its line (text)', () => {
  const r = cli(['check', 'broken']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const found = parseText(r.stdout);
  for (const d of broken.defects) {
    const rel = path.relative(tmp, d.file);
    assert.ok(
      found.some((f) => f.file === rel && f.line === d.line + 1 && f.code === d.code),
      `${d.defect}: expected ${rel}:${d.line + 1} ${d.code}; got\n${r.stdout}`,
    );
  }
  const m = /^(\d+) errors?, (\d+) warnings?, (\d+) infos? in (\d+) files?$/m.exec(r.stdout);
  assert.ok(m, r.stdout);
  assert.equal(Number(m[1]), found.filter((f) => f.severity === 'error').length);
  assert.equal(Number(m[2]), found.filter((f) => f.severity === 'warning').length);
  assert.equal(Number(m[3]), found.filter((f) => f.severity === 'info').length);
  // The summary is the last line.
  assert.equal(r.stdout.trimEnd().split('\n').pop(), m[0]);
});

test('planted defects: json', () => {
  const r = cli(['check', 'broken', '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(Array.isArray(out));
  for (const f of out) {
    for (const k of ['file', 'line', 'column', 'endLine', 'endColumn', 'severity', 'code', 'message']) assert.ok(k in f, k);
    assert.ok(f.line >= 1 && f.column >= 1);
    assert.ok(f.endLine > f.line || (f.endLine === f.line && f.endColumn >= f.column));
    for (const rel of f.related ?? []) assert.ok(rel.file && rel.line >= 1 && rel.message);
  }
  for (const d of broken.defects) {
    const rel = path.relative(tmp, d.file);
    assert.ok(
      out.some((f) => f.file === rel && f.line === d.line + 1 && f.code === d.code),
      `${d.defect}: expected ${rel}:${d.line + 1} ${d.code}`,
    );
  }
});

test('paths outside the current folder are shown as given', async () => {
  const cwd = path.join(tmp, 'elsewhere');
  await mkdir(cwd, { recursive: true });
  const d = broken.defects.find((x) => x.defect === 'scheduler-cn-typo');
  const rel = path.relative(path.join(broken.dir, 'etc', 'kubernetes'), d.file);
  for (const given of [path.join(broken.dir, 'etc', 'kubernetes'), path.join('..', 'broken', 'etc', 'kubernetes')]) {
    const r = cli(['check', given, '--format', 'json'], { cwd });
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    const expected = path.join(given, rel);
    assert.ok(
      out.some((f) => f.file === expected && f.code === d.code),
      `${expected} not in ${JSON.stringify(out.map((f) => f.file))}`,
    );
  }
});

test('sarif 2.1.0 is structurally valid', () => {
  const r = cli(['check', 'broken', '--format', 'sarif']);
  assert.equal(r.code, 1, r.stderr);
  const sarif = JSON.parse(r.stdout);
  assert.equal(sarif.version, '2.1.0');
  assert.match(sarif.$schema, /sarif/);
  assert.equal(sarif.runs.length, 1);
  const run = sarif.runs[0];
  const driver = run.tool.driver;
  assert.equal(driver.name, 'kube-pki');
  assert.match(driver.informationUri, /^https?:\/\//);
  const ruleIds = driver.rules.map((x) => x.id);
  assert.equal(new Set(ruleIds).size, ruleIds.length);
  for (const rule of driver.rules) assert.ok(rule.shortDescription.text.length > 0);
  assert.ok(ruleIds.includes('cert-expired') && ruleIds.includes('yaml-invalid'));
  assert.ok(run.results.length >= broken.defects.length);
  for (const res of run.results) {
    assert.ok(ruleIds.includes(res.ruleId), res.ruleId);
    assert.equal(driver.rules[res.ruleIndex].id, res.ruleId);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
    assert.ok(res.message.text.length > 0);
    const loc = res.locations[0].physicalLocation;
    assert.equal(loc.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.doesNotMatch(loc.artifactLocation.uri, /^\/|^file:/);
    assert.ok(existsSync(path.join(tmp, decodeURIComponent(loc.artifactLocation.uri))));
    assert.ok(loc.region.startLine >= 1 && loc.region.startColumn >= 1);
  }
  for (const d of broken.defects) {
    const rel = path.relative(tmp, d.file).split(path.sep).join('/');
    assert.ok(
      run.results.some(
        (x) =>
          x.ruleId === d.code &&
          x.locations[0].physicalLocation.artifactLocation.uri === rel &&
          x.locations[0].physicalLocation.region.startLine === d.line + 1,
      ),
      `${d.defect} missing from the SARIF results`,
    );
  }
});

test('sarif: a file in a folder whose name starts with two dots ("..foo") is inside the current folder: a relative artifact', async () => {
  const cn = broken.defects.find((d) => d.defect === 'scheduler-cn-typo');
  const dir = path.join(tmp, 'dotdot');
  await mkdir(path.join(dir, '..foo'), { recursive: true });
  await copyFile(cn.file, path.join(dir, '..foo', 'scheduler.conf'));
  const r = cli(['check', '..foo', '--format', 'sarif'], { cwd: dir });
  assert.equal(r.code, 1, r.stderr);
  const results = JSON.parse(r.stdout).runs[0].results.filter((x) => x.ruleId === 'cn-mismatch');
  assert.equal(results.length, 1, r.stdout);
  assert.deepEqual(results[0].locations[0].physicalLocation.artifactLocation, { uri: '..foo/scheduler.conf', uriBaseId: '%SRCROOT%' });
});

test('--now in the future turns certificates expired', () => {
  const r = cli(['check', 'healthy', '--now', '2200-01-01T00:00:00Z']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.ok(
    parseText(r.stdout).some((f) => f.code === 'cert-expired'),
    r.stdout,
  );
});

test('--cluster-domain changes the name the apiserver certificate needs', () => {
  const r = cli(['check', 'healthy', '--cluster-domain', 'example.org']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.ok(
    parseText(r.stdout).some((f) => f.code === 'san-missing' && f.message.includes('kubernetes.default.svc.example.org')),
    r.stdout,
  );
});

test('--expiry-days widens the warning window', () => {
  const r = cli(['check', 'healthy', '--expiry-days', '100000']);
  assert.equal(r.code, 0, r.stdout + r.stderr); // warnings only
  assert.ok(
    parseText(r.stdout).some((f) => f.code === 'cert-expiring' && f.severity === 'warning'),
    r.stdout,
  );
  assert.match(r.stdout, /^0 errors, [1-9]\d* warnings?, 0 infos in \d+ files$/m);
});

test('a kubeconfig named `config` given by name is checked', async () => {
  const dir = path.join(tmp, 'home', '.kube');
  await mkdir(dir, { recursive: true });
  const d = broken.defects.find((x) => x.defect === 'scheduler-cn-typo');
  await copyFile(d.file, path.join(dir, 'config'));
  const r = cli(['check', path.join('home', '.kube', 'config')]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.ok(
    parseText(r.stdout).some((f) => f.file === path.join('home', '.kube', 'config') && f.code === 'cn-mismatch' && f.line === d.line + 1),
    r.stdout,
  );
  assert.match(r.stdout, / in 1 file$/m);
});

test('absolute paths resolve under --root and --path-mapping', async () => {
  // A kubeconfig outside the tree that names /etc/kubernetes/pki files.
  // In a folder of its own: the folder of a given file is searched for the longest existing suffix.
  await mkdir(path.join(tmp, 'outside'), { recursive: true });
  const file = path.join(tmp, 'outside', 'admin.conf');
  const text = (await readFile(healthy.files['admin.conf'], 'utf8')).replace(
    /certificate-authority-data: .*/,
    'certificate-authority: /etc/kubernetes/pki/ca.crt',
  );
  await writeFile(file, text);
  const given = path.join('outside', 'admin.conf');
  const plain = cli(['check', given, '--format', 'json']);
  const viaRoot = cli(['check', given, '--root', 'healthy', '--format', 'json']);
  const viaMapping = cli(['check', given, '--path-mapping', `/etc/kubernetes=${path.join('healthy', 'etc', 'kubernetes')}`, '--format', 'json']);
  // Without them nothing tells where the node's /etc/kubernetes/pki is: not a finding, one note on stderr.
  assert.equal(plain.code, 0, plain.stdout);
  assert.deepEqual(JSON.parse(plain.stdout), []);
  assert.match(
    plain.stderr,
    /^kube-pki: note: 1 reference in 1 file names a file not in the folders checked.*--root DIR .*--path-mapping \/etc\/kubernetes\/pki=DIR\.\n$/,
  );
  assert.equal(viaRoot.stderr, '');
  assert.equal(viaRoot.code, 0, viaRoot.stdout);
  assert.deepEqual(JSON.parse(viaRoot.stdout), []);
  assert.equal(viaMapping.code, 0, viaMapping.stdout);
  assert.deepEqual(JSON.parse(viaMapping.stdout), []);
});

test('bad usage exits 2 with a one-line message and a hint to the help, not the whole usage', () => {
  const cases = [
    [['check', 'healthy', '--bogus'], 'check'],
    [['check', 'healthy', '--now', 'yesterday'], 'check'],
    [['check', 'healthy', '--now', '2024-02-30'], 'check'],
    [['check', 'no-such-path'], 'check'],
    [['check', 'healthy', '--format', 'xml'], 'check'],
    [['check', 'healthy', '--expiry-days', '-1'], 'check'],
    [['check', 'healthy', '--path-mapping', 'relative=healthy'], 'check'],
    [['check', 'healthy', '--root'], 'check'],
    [['expiration', 'healthy', '--bogus'], 'expiration'],
    [['generate', 'healthy', '--bogus'], 'generate'],
    [['new-ca', '--days', 'many'], 'new-ca'],
    [['verify'], 'verify'],
    [['frobnicate'], undefined],
    [[], undefined],
  ];
  for (const [args, command] of cases) {
    const r = cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(lines[0], /^kube-pki( verify)?: \S/, args.join(' '));
    assert.equal(lines[1], command ? `run 'kube-pki ${command} --help' for the options` : "run 'kube-pki --help' for the commands");
    assert.doesNotMatch(r.stderr, /Usage:/);
  }
});

test('an unknown command names the command meant when one is near', () => {
  for (const [typo, meant] of [
    ['chek', 'check'],
    ['chekc', 'check'],
    ['verfy', 'verify'],
    ['expiry', undefined],
    ['expirations', 'expiration'],
    ['new-cert', undefined],
    ['newca', 'new-ca'],
    ['frobnicate', undefined],
  ]) {
    const r = cli([typo, '.']);
    assert.equal(r.code, 2);
    const first = r.stderr.split('\n')[0];
    if (meant) assert.equal(first, `kube-pki: unknown command '${typo}' (did you mean '${meant}'?)`);
    else assert.equal(first, `kube-pki: unknown command '${typo}'`);
  }
});

test('--help lists the commands, one line each; check --help has the options', () => {
  const h = cli(['--help']);
  assert.equal(h.code, 0);
  assert.match(h.stdout, /^Usage: kube-pki COMMAND/);
  for (const command of ['check', 'verify', 'expiration', 'generate', 'new-ca', 'new-client', 'kubeconfig', 'new-control-plane']) {
    const lines = h.stdout.split('\n').filter((l) => l.startsWith(`  ${command} `));
    assert.equal(lines.length, 1, command);
    assert.match(lines[0], new RegExp(`^  ${command} +\\S.{10,}$`), command);
  }
  assert.match(h.stdout, /kube-pki COMMAND --help: the command's options/);
  assert.ok(h.stdout.split('\n').length < 25, h.stdout);
  assert.equal(cli(['help']).stdout, h.stdout);
  const c = cli(['check', '--help']);
  assert.equal(c.code, 0);
  assert.match(c.stdout, /Usage: kube-pki check/);
  for (const flag of ['--root', '--now', '--expiry-days', '--cluster-domain', '--path-mapping', '--format', '--no-color']) {
    assert.ok(c.stdout.includes(flag), flag);
  }
  const v = cli(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout.trim(), pkg.version);
});

test('--no-color and NO_COLOR keep escapes out; --color forces them', () => {
  assert.doesNotMatch(cli(['check', 'broken', '--no-color']).stdout, /\x1b\[/);
  assert.match(cli(['check', 'broken', '--color']).stdout, /\x1b\[31m/);
});

test('a folder whose name starts with two dots (..drafts) is a folder of the current one: its files are shown relative to it', () => {
  const d = path.join(tmp, 'dots');
  mkdirSync(path.join(d, '..drafts'), { recursive: true });
  writeFileSync(
    path.join(d, '..drafts', 'admin.conf'),
    'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: https://10.0.0.1:6443\n    certificate-authority: missing-ca.crt\nusers: []\ncontexts: []\n',
  );
  const r = cli(['check', '.'], { cwd: d });
  const found = parseText(r.stdout);
  assert.deepEqual(
    found.map((f) => `${f.file}:${f.line} ${f.code}`),
    [`${path.join('..drafts', 'admin.conf')}:7 file-not-found`],
  );
});
