// `.kube-pki.yaml`: which one applies (the nearest, up to the repository's root), every validation error at its
// line and column, exclude, rules and overrides, the settings it gives the files below it, and the CLI's
// --config / --no-config / --exclude with flags winning over it. Trees are written at run time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { E, tempDir, write, cleanup, ca, leaf, kubeconfig } from './helpers/engine.mjs';
import { buildCluster } from './helpers/cluster.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let dir;
let rootCA;
let soon; // a client certificate that expires in 10 days

before(async () => {
  assert.ok(existsSync(CLI), 'run `node esbuild.js` first');
  dir = tempDir('kube-pki-config-');
  rootCA = await ca('kubernetes');
  soon = await leaf(rootCA, { commonName: 'dev', validityDays: 10 });
});
after(() => cleanup(dir));

function cli(args, cwd = dir) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `file:line severity code` of the text output. */
function lines(stdout) {
  return stdout
    .split('\n')
    .map((l) => /^(.+?):(\d+):\d+: (error|warning|info) ([a-z-]+):/.exec(l))
    .filter(Boolean)
    .map((m) => `${m[1]}:${m[2]} ${m[3]} ${m[4]}`);
}

function repo(name) {
  const d = path.join(dir, name);
  mkdirSync(path.join(d, '.git'), { recursive: true });
  return d;
}

/** A kubeconfig whose CA file is missing: one file-not-found (error) on line 7. */
const missingCA = () => kubeconfig({ caPath: 'missing-ca.crt' });

function engineOver(root, options = {}) {
  const fs = E.nodeFileSystem();
  const engine = new E.Engine(fs, { searchRoots: [root], ...options });
  for (const f of E.discoverFiles(fs, [root])) engine.updateDocument(f, readFileSync(f, 'utf8'));
  return engine;
}

test('the nearest .kube-pki.yaml wins whole, and the search stops at the repository root (.git)', () => {
  const outer = path.join(dir, 'discovery');
  write(outer, '.kube-pki.yaml', 'rules:\n  file-not-found: off\n'); // above the repositories: never read
  const r1 = repo('discovery/r1');
  write(r1, '.kube-pki.yaml', 'rules:\n  file-not-found: warning\n');
  const a = write(r1, 'a/deep/kc.yaml', missingCA());
  write(r1, 'b/.kube-pki.yaml', 'expiryWarningDays: 30\n'); // nearer: it wins whole, its missing rule is not merged
  const b = write(r1, 'b/kc.yaml', missingCA());
  const r2 = repo('discovery/r2'); // a repository without a config: the one above it does not apply
  const c = write(r2, 'kc.yaml', missingCA());
  const engine = engineOver(outer);
  const sev = (f) => engine.check(f).map((x) => `${x.code} ${x.severity}`);
  assert.deepEqual(sev(a), ['file-not-found warning']);
  assert.deepEqual(sev(b), ['file-not-found error']);
  assert.deepEqual(sev(c), ['file-not-found error']);
  assert.equal(engine.configFor(a).file, path.join(r1, '.kube-pki.yaml'));
  assert.equal(engine.configFor(b).file, path.join(r1, 'b', '.kube-pki.yaml'));
  assert.equal(engine.configFor(c), undefined);
  // .kube-pki.yml is read too.
  const r3 = repo('discovery/r3');
  write(r3, '.kube-pki.yml', 'rules:\n  file-not-found: info\n');
  const d = write(r3, 'kc.yaml', missingCA());
  assert.deepEqual(
    engineOver(r3)
      .check(d)
      .map((x) => x.severity),
    ['info'],
  );
});

test('every validation error is reported on its line and column: the CLI exits 2, the engine reports config-invalid', () => {
  const r = repo('invalid');
  write(r, 'node/keep.txt', 'a folder');
  write(r, 'kc.yaml', missingCA());
  const text = [
    'exclude:', //                               1
    "  - '!keep.yaml'", //                       2
    '  - ../outside', //                         3
    'rules:', //                                 4
    '  san-misssing: off', //                    5
    '  cert-expired: loud', //                   6
    '  config-invalid: off', //                  7
    'overrides:', //                             8
    '  - rules: {weak-key: off}', //             9
    '  - files: [x.yaml]', //                    10
    '    rule: {}', //                           11
    'expiryWarningDays: -1', //                  12
    'rootDir: nowhere', //                       13
    'pathMappings:', //                          14
    '  etc/kubernetes: node', //                 15
    '  /etc/kubernetes: node', //                16 (valid)
    'clusterDomain: "a b"', //                   17
    'extraSANs: [{a: 1}]', //                    18
    'exclud: []', //                             19
    '',
  ].join('\n');
  const config = write(r, '.kube-pki.yaml', text);
  const res = cli(['check', 'invalid']);
  assert.equal(res.code, 2, res.stdout + res.stderr);
  assert.equal(res.stdout, '', 'nothing is checked with an invalid config');
  const rel = 'invalid/.kube-pki.yaml';
  const expected = [
    [2, 5, /exclude: negated patterns \('!keep\.yaml'\) are not supported/],
    [3, 5, /exclude: '\.\.\/outside' leads out of the folder/],
    [5, 3, /rules: unknown code 'san-misssing' \(did you mean 'san-missing'\?\)/],
    [6, 17, /rules: cert-expired: expected off, info, warning or error, got 'loud'/],
    [7, 3, /config-invalid cannot be rated/],
    [9, 5, /overrides\[0\]: files is missing/],
    [11, 5, /overrides\[1\]: unknown key 'rule' \(did you mean 'rules'\?\)/],
    [12, 20, /expiryWarningDays: expected a number of days \(0 or more\), got -1/],
    [13, 10, /rootDir: nowhere is not a folder/],
    [15, 3, /pathMappings: the prefix must be an absolute path/],
    [17, 16, /clusterDomain: not a domain: 'a b'/],
    [18, 13, /extraSANs: expected a DNS name or IP address, got a mapping/],
    [19, 1, /unknown key 'exclud' \(did you mean 'exclude'\?\)/],
  ];
  const printed = res.stderr.split('\n').filter((l) => l.startsWith(`${rel}:`));
  assert.equal(printed.length, expected.length, res.stderr);
  for (const [line, col, re] of expected) {
    assert.ok(
      printed.some((l) => l.startsWith(`${rel}:${line}:${col}: `) && re.test(l)),
      `${line}:${col} ${re}\n${res.stderr}`,
    );
  }
  // The engine (the language server's view): config-invalid findings in the config itself, and what is valid
  // still applies (the /etc/kubernetes mapping of line 16).
  const engine = engineOver(r);
  const findings = engine.check(config);
  assert.ok(findings.every((f) => f.code === 'config-invalid' && f.severity === 'error'));
  assert.deepEqual(
    findings.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1}`),
    expected.map(([l, c]) => `${l}:${c}`),
  );
  assert.equal(engine.optionsFor(path.join(r, 'kc.yaml')).pathMappings['/etc/kubernetes'], path.join(r, 'node'));

  // YAML that does not parse, and a config that is not a mapping.
  write(r, '.kube-pki.yaml', 'rules:\n  a: [1\n');
  let bad = cli(['check', 'invalid']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^invalid\/\.kube-pki\.yaml:\d+:\d+: YAML: /m);
  write(r, '.kube-pki.yaml', '- exclude\n');
  bad = cli(['check', 'invalid']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /^invalid\/\.kube-pki\.yaml:1:1: a \.kube-pki\.yaml is a mapping of settings/m);
  // --no-config checks regardless.
  assert.equal(cli(['check', 'invalid', '--no-config']).code, 1);
});

test('exclude: a folder name at any depth, dir/, and globs; excluded files are not read; a file named on the command line says why', () => {
  const r = repo('exclude');
  write(r, '.kube-pki.yaml', "exclude:\n  - fixtures\n  - broken/\n  - '**/*.tmpl.yaml'\n");
  write(r, 'fixtures/kc.yaml', missingCA());
  write(r, 'deep/er/fixtures/kc.yaml', missingCA());
  write(r, 'broken/kc.yaml', missingCA());
  write(r, 'x/a.tmpl.yaml', missingCA());
  write(r, 'ok/kc.yaml', missingCA());
  let res = cli(['check', 'exclude']);
  assert.equal(res.code, 1, res.stderr);
  assert.deepEqual(lines(res.stdout), ['exclude/ok/kc.yaml:7 error file-not-found']);
  assert.match(res.stdout, /^1 error, 0 warnings, 0 infos in 1 file$/m);

  res = cli(['check', 'exclude/deep/er/fixtures/kc.yaml']);
  assert.equal(res.code, 0);
  assert.match(
    res.stderr,
    /kube-pki: note: exclude\/deep\/er\/fixtures\/kc\.yaml is excluded by exclude\/\.kube-pki\.yaml \(exclude: 'fixtures'\); not checked/,
  );

  // --exclude, relative to the current folder, adds to the config's.
  res = cli(['check', 'exclude', '--exclude', 'exclude/ok/']);
  assert.equal(res.code, 0, res.stdout);
  assert.deepEqual(lines(res.stdout), []);
  // Repeated, each --exclude adds to the others.
  res = cli(['check', 'exclude', '--no-config', '--exclude', 'exclude/fixtures', '--exclude', 'exclude/deep', '--exclude', '**/*.tmpl.yaml']);
  assert.deepEqual(lines(res.stdout), ['exclude/broken/kc.yaml:7 error file-not-found', 'exclude/ok/kc.yaml:7 error file-not-found']);
  res = cli(['check', 'exclude/ok/kc.yaml', '--exclude', 'exclude/ok/']);
  assert.match(res.stderr, /exclude\/ok\/kc\.yaml is excluded by --exclude 'exclude\/ok\/'; not checked/);
  res = cli(['check', 'exclude', '--exclude', '../up']);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /--exclude: '\.\.\/up' leads out of the folder/);

  // --no-config: every file; --config FILE: that file for every file (none of the repository's excludes).
  res = cli(['check', 'exclude', '--no-config']);
  assert.equal(lines(res.stdout).length, 5, res.stdout);
  write(dir, 'alt.yaml', 'rules:\n  file-not-found: warning\n');
  res = cli(['check', 'exclude', '--config', 'alt.yaml']);
  assert.equal(res.code, 0, res.stdout);
  assert.equal(lines(res.stdout).filter((l) => l.endsWith('warning file-not-found')).length, 5, res.stdout);
  // Infos are printed, counted in the summary, and fail nothing.
  write(dir, 'info.yaml', 'rules:\n  file-not-found: info\n');
  res = cli(['check', 'exclude', '--config', 'info.yaml']);
  assert.equal(res.code, 0, res.stdout);
  assert.equal(lines(res.stdout).filter((l) => l.endsWith('info file-not-found')).length, 5, res.stdout);
  assert.match(res.stdout, /^0 errors, 0 warnings, 5 infos in 5 files$/m);
  for (const args of [['--config', 'alt.yaml', '--no-config'], ['--config', 'nope.yaml'], ['--no-config=1']]) {
    res = cli(['check', 'exclude', ...args]);
    assert.equal(res.code, 2, args.join(' '));
  }
});

test('rules: off and a severity; overrides for some files, the later ones winning; SARIF lists what is off as an external suppression', () => {
  const r = repo('rules');
  write(
    r,
    '.kube-pki.yaml',
    [
      'rules:',
      '  file-not-found: warning',
      'overrides:',
      "  - files: ['legacy/**']",
      '    rules: {file-not-found: off}',
      '  - files: [legacy/keep.yaml]',
      '    rules:',
      '      file-not-found: error',
      '',
    ].join('\n'),
  );
  write(r, 'a.yaml', missingCA());
  write(r, 'legacy/old.yaml', missingCA());
  write(r, 'legacy/keep.yaml', missingCA());
  let res = cli(['check', 'rules']);
  assert.equal(res.code, 1);
  assert.deepEqual(lines(res.stdout), ['rules/a.yaml:7 warning file-not-found', 'rules/legacy/keep.yaml:7 error file-not-found']);
  res = cli(['check', 'rules', '--format', 'sarif']);
  const results = JSON.parse(res.stdout).runs[0].results;
  const off = results.find((x) => x.locations[0].physicalLocation.artifactLocation.uri === 'rules/legacy/old.yaml');
  assert.equal(off.ruleId, 'file-not-found');
  assert.equal(off.suppressions.length, 1);
  assert.equal(off.suppressions[0].kind, 'external');
  assert.equal(off.suppressions[0].location.physicalLocation.artifactLocation.uri, 'rules/.kube-pki.yaml');
  assert.equal(off.suppressions[0].location.physicalLocation.region.startLine, 5);
  for (const x of results.filter((y) => y !== off)) assert.deepEqual(x.suppressions, []);
  assert.equal(results.find((x) => x.locations[0].physicalLocation.artifactLocation.uri === 'rules/a.yaml').level, 'warning');
});

test('a file kube-pki does not read: the note points at "What it reads"', () => {
  write(dir, 'plain/values.yaml', 'replicaCount: 2\n');
  const res = cli(['check', 'plain/values.yaml']);
  assert.equal(res.code, 0);
  assert.match(res.stderr, /kube-pki: note: plain\/values\.yaml holds nothing kube-pki reads \(see "What it reads" in the README/);
  assert.doesNotMatch(res.stderr, /is not a kubeconfig, static pod manifest or kubelet config/);
});

test('settings from the config for the files below it (two configs in one tree), command-line flags winning', async () => {
  const r = repo('settings');
  const kc = () => kubeconfig({ caPem: rootCA.certPem, certPem: soon.certPem, keyPem: soon.key.privateKeyPem });
  write(r, 'a/.kube-pki.yaml', 'expiryWarningDays: 5\n');
  write(r, 'a/kc.yaml', kc());
  write(r, 'b/.kube-pki.yaml', 'expiryWarningDays: 20\n');
  write(r, 'b/kc.yaml', kc());
  let res = cli(['check', 'settings']);
  assert.deepEqual(lines(res.stdout), ['settings/b/kc.yaml:17 warning cert-expiring']);
  res = cli(['check', 'settings', '--expiry-days', '30']);
  assert.deepEqual(lines(res.stdout), ['settings/a/kc.yaml:17 warning cert-expiring', 'settings/b/kc.yaml:17 warning cert-expiring']);

  // rootDir and pathMappings, relative to the config's folder: /etc/kubernetes/pki/ca.crt outside the path checked.
  const p = repo('paths');
  write(p, 'node/etc/kubernetes/pki/ca.crt', rootCA.certPem);
  write(p, 'configs/kc.yaml', kubeconfig({ caPath: '/etc/kubernetes/pki/ca.crt' }));
  mkdirSync(path.join(p, 'empty'), { recursive: true });
  const codes = (args) => lines(cli(['check', 'paths/configs', ...args]).stdout).map((l) => l.split(' ').pop());
  const unplaced = (args) => /not in the folders checked, and nothing tells where/.test(cli(['check', 'paths/configs', ...args]).stderr);
  // Nothing places the path: not judged, one note says so.
  assert.deepEqual(codes([]), []);
  assert.equal(unplaced([]), true);
  write(p, '.kube-pki.yaml', 'rootDir: node\n');
  assert.deepEqual(codes([]), []);
  assert.equal(unplaced([]), false, 'rootDir places it, and the file is there');
  assert.deepEqual(codes(['--root', 'paths/empty']), ['file-not-found'], '--root wins over rootDir');
  write(p, '.kube-pki.yaml', 'pathMappings:\n  /etc/kubernetes: node/etc/kubernetes\n');
  assert.deepEqual(codes([]), []);
  assert.equal(unplaced([]), false, 'the mapping places it, and the file is there');
  assert.deepEqual(codes(['--path-mapping', '/etc/kubernetes=paths/empty']), ['file-not-found'], '--path-mapping wins on the same prefix');

  // clusterDomain (what the apiserver's certificate must name) and extraSANs (what generate adds to it).
  const cluster = await buildCluster(path.join(dir, 'cluster'), { keyType: 'ecdsa-p256' });
  const san = (args) =>
    lines(cli(['check', 'cluster', ...args]).stdout).filter((l) => l.includes('kube-apiserver.yaml') && l.endsWith('san-missing')).length;
  assert.equal(san([]), 0);
  write(cluster.dir, '.kube-pki.yaml', 'clusterDomain: corp.example\nextraSANs: [api.extra.example]\n');
  assert.equal(san([]), 1, 'kubernetes.default.svc.corp.example is missing');
  assert.equal(san(['--cluster-domain', 'cluster.local']), 0, '--cluster-domain wins');
  let gen = cli(['generate', 'cluster', '--fix', '--dry-run']);
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(gen.stdout, /CN=kube-apiserver;.*SANs .*kubernetes\.default\.svc\.corp\.example/);
  assert.match(gen.stdout, /CN=kube-apiserver;.*SANs .*api\.extra\.example/);
  gen = cli(['generate', 'cluster', '--fix', '--dry-run', '--extra-san', 'other.example']);
  assert.match(gen.stdout, /CN=kube-apiserver;.*SANs .*other\.example/);
  assert.doesNotMatch(gen.stdout, /api\.extra\.example/);
  gen = cli(['generate', 'cluster', '--fix', '--dry-run', '--no-config']);
  assert.doesNotMatch(gen.stdout, /api\.extra\.example|corp\.example/);
  assert.match(gen.stdout, /nothing to generate/);
});

test('--help lists the new options of check, expiration and generate', () => {
  const check = cli(['check', '--help']).stdout;
  for (const flag of ['--config FILE', '--no-config', '--exclude GLOB', '--baseline FILE', '--write-baseline FILE'])
    assert.ok(check.includes(flag), flag);
  for (const cmd of ['expiration', 'generate']) {
    const help = cli([cmd, '--help']).stdout;
    for (const flag of ['--config FILE', '--no-config', '--exclude GLOB']) assert.ok(help.includes(flag), `${cmd} ${flag}`);
  }
});

test('expiration stops on an invalid config in use (exit 2, FILE:LINE:COL), and runs with --no-config; one that governs no file read is not judged', async () => {
  const r = repo('expiration');
  write(r, 'certs/ca.crt', rootCA.certPem);
  write(r, '.kube-pki.yaml', 'rules: {nope: off}\n');
  // Only loose certificates: the config governs no file read, so it changes nothing and is not judged.
  let res = cli(['expiration', 'expiration']);
  assert.equal(res.code, 0, res.stderr);
  assert.doesNotMatch(res.stderr, /kube-pki\.yaml/);
  // A kubeconfig below it: the config is in use.
  write(r, 'admin.conf', kubeconfig({ caPem: rootCA.certPem }));
  res = cli(['expiration', 'expiration']);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /^expiration\/\.kube-pki\.yaml:1:9: rules: unknown code 'nope'/m);
  res = cli(['expiration', 'expiration', '--no-config']);
  assert.equal(res.code, 0, res.stderr);
});

test('a config in a folder another config excludes is not read: it stops nothing; exclude adds up from the repository root down', () => {
  const r = repo('excluded-config');
  write(r, '.kube-pki.yaml', 'exclude: [fixtures/]\n');
  write(r, 'fixtures/.kube-pki.yaml', 'rules: {nope: off}\nexclude: [[\n');
  write(r, 'fixtures/kc.yaml', missingCA());
  write(r, 'fixtures/deep/kc.yaml', missingCA());
  const ok = write(r, 'ok/kc.yaml', missingCA());
  let res = cli(['check', 'excluded-config']);
  assert.equal(res.code, 1, res.stderr);
  assert.deepEqual(lines(res.stdout), ['excluded-config/ok/kc.yaml:7 error file-not-found']);
  assert.doesNotMatch(res.stderr, /fixtures\/\.kube-pki\.yaml/);
  for (const cmd of ['expiration', 'generate']) {
    res = cli([cmd, 'excluded-config', ...(cmd === 'generate' ? ['--dry-run'] : [])]);
    assert.notEqual(res.code, 2, `${cmd}: ${res.stderr}`);
    assert.doesNotMatch(res.stderr, /fixtures\/\.kube-pki\.yaml/, cmd);
  }
  // Naming the excluded folder: a note says which config leaves it out.
  res = cli(['check', 'excluded-config/fixtures']);
  assert.equal(res.code, 0);
  assert.match(res.stderr, /note: excluded-config\/fixtures is excluded by excluded-config\/\.kube-pki\.yaml \(exclude: 'fixtures\/'\); not checked/);

  // The engine (the editor's view) agrees: the nested config shows no problems, its files are excluded by the root's.
  const engine = engineOver(r);
  assert.deepEqual(engine.documents(), [ok]);
  assert.deepEqual(engine.check(path.join(r, 'fixtures', '.kube-pki.yaml')), []);
  assert.deepEqual(engine.excludedBy(path.join(r, 'fixtures', 'deep', 'kc.yaml')), { config: path.join(r, '.kube-pki.yaml'), pattern: 'fixtures/' });
  assert.ok(!engine.loadedConfigs().some((c) => c.file.includes('fixtures')));

  // A broken config that governs a file read still stops the run.
  write(r, 'ok/.kube-pki.yaml', 'rules: {nope: off}\n');
  res = cli(['check', 'excluded-config']);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /^excluded-config\/ok\/\.kube-pki\.yaml:1:9: rules: unknown code 'nope'/m);
});

test('a duplicate key is reported at its line, the first one applying (the rest of the config too); the CLI stops on it', () => {
  const r = repo('duplicate');
  const kc = write(r, 'kc.yaml', missingCA());
  const config = write(r, '.kube-pki.yaml', 'rules:\n  file-not-found: warning\nexpiryWarningDays: 9\nrules:\n  file-not-found: off\n');
  const engine = engineOver(r);
  assert.deepEqual(
    engine.check(kc).map((f) => `${f.code} ${f.severity}`),
    ['file-not-found warning'],
  );
  assert.equal(engine.optionsFor(kc).expiryWarningDays, 9);
  const problems = engine.check(config);
  assert.deepEqual(
    problems.map((f) => `${f.range.start.line + 1}:${f.range.start.character + 1} ${f.code}`),
    ['4:1 config-invalid'],
  );
  assert.match(problems[0].message, /duplicate key 'rules': the first one applies/);
  const res = cli(['check', 'duplicate']);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /^duplicate\/\.kube-pki\.yaml:4:1: duplicate key 'rules'/m);
});

test('--config FILE: its exclude and overrides globs are relative to the current folder, its rootDir to its own folder', () => {
  const r = repo('given');
  write(
    r,
    'ci/kube-pki.yaml',
    "exclude: [fixtures/]\noverrides:\n  - files: ['legacy/**']\n    rules: {file-not-found: warning}\nrootDir: ../node\n",
  );
  write(r, 'node/etc/kubernetes/pki/ca.crt', rootCA.certPem);
  write(r, 'fixtures/kc.yaml', missingCA());
  write(r, 'legacy/kc.yaml', missingCA());
  write(r, 'node-ref/kc.yaml', kubeconfig({ caPath: '/etc/kubernetes/pki/ca.crt' }));
  const res = cli(['check', '.', '--config', 'ci/kube-pki.yaml'], r);
  assert.equal(res.code, 0, res.stdout + res.stderr);
  assert.deepEqual(lines(res.stdout), ['legacy/kc.yaml:7 warning file-not-found']);
  assert.doesNotMatch(res.stderr, /not in the folders checked/, 'rootDir ../node (from ci/) places /etc/kubernetes/pki/ca.crt');
});

test('--exclude with an absolute path: inside the current folder it is taken relative to it, outside it is refused; in a config a leading / anchors', () => {
  const r = repo('absolute');
  write(r, 'fixtures/kc.yaml', missingCA());
  write(r, 'sub/fixtures/kc.yaml', missingCA());
  write(r, 'ok/kc.yaml', missingCA());
  let res = cli(['check', '.', '--exclude', path.join(r, 'fixtures')], r);
  assert.deepEqual(lines(res.stdout), ['ok/kc.yaml:7 error file-not-found', 'sub/fixtures/kc.yaml:7 error file-not-found']);
  res = cli(['check', '.', `--exclude=${path.join(r, 'sub')}/`], r);
  assert.deepEqual(lines(res.stdout), ['fixtures/kc.yaml:7 error file-not-found', 'ok/kc.yaml:7 error file-not-found']);
  res = cli(['check', '.', '--exclude', path.join(dir, 'elsewhere')], r);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /--exclude: '.*elsewhere' is outside the current folder/);
  res = cli(['check', '.', '--exclude', r], r);
  assert.equal(res.code, 2);
  assert.match(res.stderr, /is the current folder itself/);
  write(r, '.kube-pki.yaml', 'exclude: [/fixtures]\n');
  res = cli(['check', '.'], r);
  assert.deepEqual(lines(res.stdout), ['ok/kc.yaml:7 error file-not-found', 'sub/fixtures/kc.yaml:7 error file-not-found']);
});

test('excluded folders are not walked: the suffix search does not find a file in them', () => {
  const r = repo('index');
  write(r, 'old/etc/kubernetes/pki/ca.crt', rootCA.certPem);
  write(r, 'configs/kc.yaml', kubeconfig({ caPath: '/etc/kubernetes/pki/ca.crt' }));
  const unplaced = () => /not in the folders checked, and nothing tells where/.test(cli(['check', 'index']).stderr);
  assert.equal(unplaced(), false, 'found as old/etc/kubernetes/pki/ca.crt');
  write(r, '.kube-pki.yaml', 'exclude: [old/]\n');
  assert.equal(unplaced(), true, 'old/ is excluded: nothing places the path');
});

test('discovery does not enter an excluded folder: its files are not listed, read or counted toward the 20,000-file bound', () => {
  const r = repo('bound');
  write(r, '.kube-pki.yaml', 'exclude: [generated/]\n');
  const ok = write(r, 'ok/kc.yaml', missingCA());
  // generated/ holds 25,000 rendered manifests (listed by this file system, never on disk).
  const generated = path.join(r, 'generated');
  const names = Array.from({ length: 25_000 }, (_, i) => `m${String(i).padStart(5, '0')}.yaml`);
  const real = E.nodeFileSystem();
  const listed = [];
  const fs = {
    ...real,
    stat: (p) => (p === generated ? { kind: 'directory' } : path.dirname(p) === generated ? { kind: 'file', size: 100 } : real.stat(p)),
    readFile: (p, max) => real.readFile(p, max),
    readDir: (p) => {
      listed.push(p);
      return p === r ? [...real.readDir(p), 'generated'] : p === generated ? names : real.readDir(p);
    },
  };
  const engine = new E.Engine(fs, { searchRoots: [r] });
  const found = E.discoverFiles(fs, [r], undefined, (p, isFolder) => engine.excludedBy(p, isFolder) !== undefined);
  assert.deepEqual(found, [path.join(r, '.kube-pki.yaml'), ok]);
  assert.ok(!listed.includes(generated), 'generated/ was listed');
});

test('the config options read the same in the help of check, expiration and generate', () => {
  const block = (help) => help.slice(help.indexOf('  --config FILE'), help.indexOf('\n', help.indexOf('  --exclude GLOB') + 1));
  const check = block(cli(['check', '--help']).stdout);
  assert.match(check, /rules, excludes and settings/);
  assert.match(check, /relative to the current folder/);
  for (const cmd of ['expiration', 'generate']) assert.ok(cli([cmd, '--help']).stdout.includes(check), cmd);
});
