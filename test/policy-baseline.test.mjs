// `kube-pki check --write-baseline FILE` / `--baseline FILE`, and SARIF's suppressions and baselineState:
// fingerprints that survive moved lines and reformatting, a stable sorted file, exit 1 only on new errors, and
// results shaped as SARIF 2.1.0 requires. Through dist/cli.js on trees written at run time.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir, write, cleanup, ca, leaf, b64 } from './helpers/engine.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let dir;
let root;
let expired;

before(async () => {
  assert.ok(existsSync(CLI), 'run `node esbuild.js` first');
  dir = tempDir('kube-pki-baseline-');
  root = await ca('kubernetes');
  expired = await leaf(root, { commonName: 'old', notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2021-01-01T00:00:00Z') });
});
after(() => cleanup(dir));

function cli(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const codesOf = (stdout) => [...stdout.matchAll(/^\S+?:(\d+):\d+: (?:error|warning|info) ([a-z-]+):/gm)].map((m) => `${m[1]} ${m[2]}`);

/** A kubeconfig, block style: an expired inline client certificate (line 17) and a missing CA (line 5). */
function block(extraTop = '') {
  return `${extraTop}apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: missing-ca.crt
    server: https://10.0.0.1:6443
  name: c1
contexts:
- context:
    cluster: c1
    user: dev
  name: ctx
current-context: ctx
users:
- name: dev
  user:
    client-certificate-data: ${b64(expired.certPem)}
    client-key-data: ${b64(expired.key.privateKeyPem)}
`;
}

/** The same kubeconfig reformatted: flow style, other indentation, keys in another order, lines moved. */
function reformatted() {
  return `# moved down by a comment
kind: Config
apiVersion: v1
current-context: ctx
users: [{name: dev, user: {client-key-data: ${b64(expired.key.privateKeyPem)},
        client-certificate-data: ${b64(expired.certPem)}}}]
contexts:
    -   name: ctx
        context: {cluster: c1, user: dev}
clusters:
    -   name: c1
        cluster:
            server: https://10.0.0.1:6443
            certificate-authority: missing-ca.crt
`;
}

test('--write-baseline: sorted JSON without lines or messages, duplicates counted, the same bytes twice; --baseline then shows nothing and exits 0', () => {
  write(dir, 'a/kc.yaml', block('# kube-pki-ignore-file weak-key\n# kube-pki-ignore-file weak-key\n'));
  const w = cli(['check', 'a', '--write-baseline', 'a/baseline.json']);
  assert.equal(w.code, 0, w.stderr);
  assert.equal(w.stdout, '');
  assert.match(w.stderr, /recorded 4 findings \(3 entries\) of 1 file in a\/baseline\.json/);
  const text = readFileSync(path.join(dir, 'a/baseline.json'), 'utf8');
  const b = JSON.parse(text);
  assert.equal(b.format, 'kube-pki-baseline/v1');
  assert.deepEqual(
    b.findings.map((e) => `${e.file} ${e.code} ${e.object} ${e.field} ${e.count}`),
    [
      'kc.yaml cert-expired kubeconfig user dev client-certificate-data 1',
      'kc.yaml file-not-found kubeconfig cluster c1 certificate-authority 1',
      'kc.yaml ignore-unused   2',
    ],
  );
  assert.match(b.findings[0].certificate, /^sha256:[0-9a-f]{64}$/);
  assert.doesNotMatch(text, /"line"|expired on|days/);
  cli(['check', 'a', '--write-baseline', 'a/baseline.json']);
  assert.equal(readFileSync(path.join(dir, 'a/baseline.json'), 'utf8'), text, 'a second run writes the same bytes');

  const r = cli(['check', 'a', '--baseline', 'a/baseline.json']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(codesOf(r.stdout), []);
  assert.match(r.stdout, /^baseline a\/baseline\.json: 4 findings in it not shown; 0 of its entries no longer found$/m);
  assert.match(r.stdout, /^0 errors, 0 warnings, 0 infos in 1 file$/m);
});

test('a finding still matches after its lines move and the file is reformatted (flow style, re-indented, reordered)', () => {
  write(dir, 'b/kc.yaml', block());
  cli(['check', 'b', '--write-baseline', 'b/baseline.json']);
  write(dir, 'b/kc.yaml', reformatted());
  const plain = cli(['check', 'b']);
  assert.deepEqual(
    codesOf(plain.stdout)
      .map((l) => l.split(' ')[1])
      .sort(),
    ['cert-expired', 'file-not-found'],
    plain.stdout,
  );
  const r = cli(['check', 'b', '--baseline', 'b/baseline.json']);
  assert.equal(r.code, 0, r.stdout);
  assert.deepEqual(codesOf(r.stdout), []);
  assert.match(r.stdout, /2 findings in it not shown; 0 of its entries no longer found/);
});

test('only new findings are shown, exit 1 only for a new error; a fixed one is counted as gone', async () => {
  write(dir, 'c/kc.yaml', block());
  cli(['check', 'c', '--write-baseline', 'c/baseline.json']);
  // A new warning only: shown, exit 0.
  const soon = await leaf(root, { commonName: 'soon', validityDays: 5 });
  write(
    dir,
    'c/kc.yaml',
    block().replace(
      'users:\n',
      `users:\n- name: soon\n  user:\n    client-certificate-data: ${b64(soon.certPem)}\n    client-key-data: ${b64(soon.key.privateKeyPem)}\n`,
    ),
  );
  let r = cli(['check', 'c', '--baseline', 'c/baseline.json']);
  assert.equal(r.code, 0, r.stdout);
  assert.deepEqual(codesOf(r.stdout), ['17 cert-expiring']);
  // A new error: exit 1. The CA file created: its baseline entry is gone.
  write(dir, 'c/other.yaml', block().replace('missing-ca.crt', 'gone.crt'));
  write(dir, 'c/missing-ca.crt', root.certPem);
  r = cli(['check', 'c', '--baseline', 'c/baseline.json']);
  assert.equal(r.code, 1, r.stdout);
  assert.deepEqual(codesOf(r.stdout), ['17 cert-expiring', '5 file-not-found', '17 cert-expired']);
  assert.match(
    r.stdout,
    /baseline c\/baseline\.json: 1 finding in it not shown; 1 of its entries no longer found \(run --write-baseline again to drop them\)/,
  );
  // Bad baselines are usage errors.
  write(dir, 'c/bad.json', '{"findings": []}');
  assert.equal(cli(['check', 'c', '--baseline', 'c/bad.json']).code, 2);
  assert.match(cli(['check', 'c', '--baseline', 'c/none.json']).stderr, /no such file \(write one with --write-baseline\)/);
  assert.equal(cli(['check', 'c', '--baseline', 'c/baseline.json', '--write-baseline', 'c/x.json']).code, 2);
});

/** The parts of the SARIF 2.1.0 schema (sarif-schema-2.1.0.json) these results use. */
function assertSarifResult(r, ruleIds) {
  assert.equal(typeof r.message?.text, 'string');
  assert.ok(ruleIds.includes(r.ruleId), r.ruleId);
  if (r.kind !== undefined) assert.ok(['notApplicable', 'pass', 'fail', 'review', 'open', 'informational'].includes(r.kind), r.kind);
  if (r.level !== undefined) assert.ok(['none', 'note', 'warning', 'error'].includes(r.level), r.level);
  if (r.kind && r.kind !== 'fail') assert.equal(r.level, 'none', 'a result that is not a failure has level none');
  if (r.baselineState !== undefined) assert.ok(['new', 'unchanged', 'updated', 'absent'].includes(r.baselineState));
  assert.ok(Array.isArray(r.suppressions), 'suppression information for every result (all non-null)');
  for (const s of r.suppressions) {
    assert.ok(['inSource', 'external'].includes(s.kind), s.kind);
    if (s.status !== undefined) assert.ok(['accepted', 'underReview', 'rejected'].includes(s.status));
    if (s.justification !== undefined) assert.equal(typeof s.justification, 'string');
    if (s.location) assert.equal(typeof s.location.physicalLocation.artifactLocation.uri, 'string');
  }
  for (const l of r.locations ?? []) {
    assert.equal(typeof l.physicalLocation.artifactLocation.uri, 'string');
    if (l.physicalLocation.region) assert.ok(l.physicalLocation.region.startLine >= 1);
  }
}

test('SARIF: suppressed findings with their suppressions (inSource with the reason, external for the baseline), baselineState on every result', () => {
  write(dir, 'd/kc.yaml', block());
  cli(['check', 'd', '--write-baseline', 'd/baseline.json']);
  // Then: the CA reference ignored in the source, a new error in another file, and the CA of a third file fixed.
  write(
    dir,
    'd/kc.yaml',
    block().replace(
      'certificate-authority: missing-ca.crt',
      'certificate-authority: missing-ca.crt # kube-pki-ignore file-not-found -- mounted by the CSI driver',
    ),
  );
  write(dir, 'd/new.yaml', block().replace('missing-ca.crt', 'new-ca.crt'));
  let r = cli(['check', 'd', '--format', 'sarif']);
  let run = JSON.parse(r.stdout).runs[0];
  const ruleIds = run.tool.driver.rules.map((x) => x.id);
  assert.ok(ruleIds.includes('ignore-unused') && ruleIds.includes('config-invalid'));
  for (const res of run.results) assertSarifResult(res, ruleIds);
  assert.ok(
    run.results.every((x) => x.baselineState === undefined),
    'no baseline: no baselineState',
  );
  const ignored = run.results.find((x) => x.suppressions.length && x.suppressions[0].kind === 'inSource');
  assert.equal(ignored.ruleId, 'file-not-found');
  assert.equal(ignored.suppressions[0].justification, 'mounted by the CSI driver');
  assert.equal(ignored.suppressions[0].location.physicalLocation.region.startLine, 5);
  // Text and JSON show only what is not suppressed.
  assert.doesNotMatch(cli(['check', 'd']).stdout, /^d\/kc\.yaml:5:\d+: error file-not-found/m);
  const json = JSON.parse(cli(['check', 'd', '--format', 'json']).stdout);
  assert.equal(json.filter((f) => f.file === 'd/kc.yaml' && f.code === 'file-not-found').length, 0);

  r = cli(['check', 'd', '--format', 'sarif', '--baseline', 'd/baseline.json']);
  assert.equal(r.code, 1);
  run = JSON.parse(r.stdout).runs[0];
  for (const res of run.results) assertSarifResult(res, ruleIds);
  assert.ok(
    run.results.every((x) => ['new', 'unchanged', 'absent'].includes(x.baselineState)),
    'every result has a baselineState',
  );
  const uri = (x) => x.locations[0].physicalLocation.artifactLocation.uri;
  const state = (x) => `${uri(x)} ${x.ruleId} ${x.baselineState} ${x.suppressions.map((s) => s.kind).join(',')}`;
  assert.deepEqual(run.results.map(state).sort(), [
    'd/kc.yaml cert-expired unchanged external',
    'd/kc.yaml file-not-found unchanged inSource',
    'd/new.yaml cert-expired new ',
    'd/new.yaml file-not-found new ',
  ]);
  const unchanged = run.results.find((x) => x.baselineState === 'unchanged' && x.suppressions[0].kind === 'external');
  assert.equal(unchanged.suppressions[0].location.physicalLocation.artifactLocation.uri, 'd/baseline.json');
  // A baseline entry whose finding is gone: an absent result (kind pass), in its file, with no region.
  write(dir, 'd/missing-ca.crt', root.certPem);
  write(dir, 'd/kc.yaml', block());
  run = JSON.parse(cli(['check', 'd', '--format', 'sarif', '--baseline', 'd/baseline.json']).stdout).runs[0];
  for (const res of run.results) assertSarifResult(res, ruleIds);
  const absent = run.results.filter((x) => x.baselineState === 'absent');
  assert.equal(absent.length, 1);
  assert.equal(absent[0].ruleId, 'file-not-found');
  assert.equal(absent[0].kind, 'pass');
  assert.equal(uri(absent[0]), 'd/kc.yaml');
  assert.equal(absent[0].locations[0].physicalLocation.region, undefined);
  rmSync(path.join(dir, 'd/missing-ca.crt'));
});
