// The GitHub Action (action.yml, action/main.cjs) run as the runner runs it: `node action/main.cjs` with the
// environment GitHub sets (every input as INPUT_<NAME>, its default from action.yml unless the workflow gives it;
// GITHUB_WORKSPACE, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT), over a repository holding a kubeadm node tree with a
// planted defect: annotations in the log, SARIF written, a summary table, the outputs, the step's status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCluster } from './helpers/cluster.mjs';

const require = createRequire(import.meta.url);
const YAML = require('yaml');
const repo = fileURLToPath(new URL('../', import.meta.url));
const action = YAML.parse(readFileSync(path.join(repo, 'action.yml'), 'utf8'));
let workspace;
let broken;

before(async () => {
  assert.ok(existsSync(path.join(repo, 'dist', 'cli.js')), 'dist/cli.js is missing: run `node esbuild.js` first');
  workspace = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-action-'));
  broken = await buildCluster(path.join(workspace, 'clusters', 'broken'), { defects: ['scheduler-cn-typo'] });
  await buildCluster(path.join(workspace, 'clusters', 'healthy'));
});

after(async () => {
  await rm(workspace, { recursive: true, force: true });
});

let runs = 0;
/** Runs the action's entry point as the runner does; `inputs` as a workflow's `with:`. */
function runAction(inputs = {}) {
  const n = ++runs;
  const env = { PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [name, spec] of Object.entries(action.inputs))
    env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = inputs[name] ?? spec.default ?? '';
  env.GITHUB_WORKSPACE = workspace;
  env.GITHUB_STEP_SUMMARY = path.join(workspace, `summary-${n}.md`);
  env.GITHUB_OUTPUT = path.join(workspace, `output-${n}`);
  env.GITHUB_ACTIONS = 'true';
  const r = spawnSync(process.execPath, [path.join(repo, action.runs.main)], {
    cwd: path.join(workspace, 'clusters'),
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  const read = (f) => (existsSync(f) ? readFileSync(f, 'utf8') : undefined);
  const outputs = Object.fromEntries(
    (read(env.GITHUB_OUTPUT) ?? '')
      .split('\n')
      .filter(Boolean)
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, summary: read(env.GITHUB_STEP_SUMMARY), outputs };
}

test('action.yml: a node20 action whose entry point is committed, with the inputs path, config, baseline, format', () => {
  assert.equal(action.runs.using, 'node20');
  assert.ok(existsSync(path.join(repo, action.runs.main)), action.runs.main);
  for (const name of ['path', 'config', 'baseline', 'format', 'sarif-file']) assert.ok(action.inputs[name]?.description, name);
  for (const name of ['sarif-file', 'errors', 'warnings', 'infos']) assert.ok(action.outputs[name]?.description, name);
  // Nothing to install: the entry point requires Node's own modules only.
  const requires = [...readFileSync(path.join(repo, action.runs.main), 'utf8').matchAll(/require\('([^']+)'\)/g)].map((m) => m[1]);
  assert.ok(requires.length > 0 && requires.every((m) => m.startsWith('node:')), requires.join(', '));
});

test('a planted defect: annotations on the line, SARIF for code scanning, a summary table, outputs, and the step fails', () => {
  const r = runAction({ path: 'clusters/broken' });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const cn = broken.defects[0];
  const rel = path.relative(workspace, cn.file);
  assert.match(
    r.stdout,
    new RegExp(
      `^::error file=${rel.replace(/[/.]/g, '\\$&')},line=${cn.line + 1},col=\\d+,endLine=${cn.line + 1},endColumn=\\d+,title=kube-pki cn-mismatch::`,
      'm',
    ),
  );
  assert.match(r.stdout, /^::error title=kube-pki::1 error in clusters\/broken$/m);

  const sarifFile = path.join(workspace, 'kube-pki.sarif');
  assert.equal(r.outputs['sarif-file'], sarifFile);
  const sarif = JSON.parse(readFileSync(sarifFile, 'utf8'));
  assert.equal(sarif.version, '2.1.0');
  const result = sarif.runs[0].results.find((x) => x.ruleId === 'cn-mismatch');
  // Relative to the repository's root, as code scanning places it.
  assert.deepEqual(result.locations[0].physicalLocation.artifactLocation, { uri: rel, uriBaseId: '%SRCROOT%' });
  assert.equal(result.locations[0].physicalLocation.region.startLine, cn.line + 1);

  assert.match(r.summary, /^### kube-pki\n\n1 error, 0 warnings, 0 infos in \d+ files: the check fails\.\n/);
  assert.match(r.summary, /^\| Severity \| Code \| Where \| Message \|$/m);
  const row = r.summary.split('\n').find((l) => l.includes('`cn-mismatch`'));
  assert.ok(row.startsWith(`| 🔴 error | \`cn-mismatch\` | ${rel}:${cn.line + 1} | `), row);
  assert.equal(row.split(/(?<!\\)\|/).length, 6, 'four cells: a | in a message is escaped');
  assert.deepEqual([r.outputs.errors, r.outputs.warnings, r.outputs.infos], ['1', '0', '0']);
});

test('a healthy tree: the step passes, the summary says so, SARIF still written', () => {
  const r = runAction({ path: 'clusters/healthy', 'sarif-file': 'reports/healthy.sarif' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.doesNotMatch(r.stdout, /^::error/m);
  assert.match(r.summary, /^0 errors, 0 warnings, 0 infos in \d+ files\.$/m);
  assert.doesNotMatch(r.summary, /\| Severity/);
  assert.deepEqual(JSON.parse(readFileSync(path.join(workspace, 'reports', 'healthy.sarif'), 'utf8')).runs[0].results, []);
  assert.equal(r.outputs.errors, '0');
});

test('baseline: what it holds does not fail the step; config: its rules apply', async () => {
  const write = spawnSync(
    process.execPath,
    [path.join(repo, 'dist', 'cli.js'), 'check', 'clusters/broken', '--write-baseline', 'kube-pki-baseline.json'],
    {
      cwd: workspace,
      encoding: 'utf8',
    },
  );
  assert.equal(write.status, 0, write.stderr);
  const r = runAction({ path: 'clusters/broken', baseline: 'kube-pki-baseline.json' });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.outputs.errors, '0');

  await writeFile(path.join(workspace, 'ci.kube-pki.yaml'), 'rules:\n  cn-mismatch: off\n');
  const c = runAction({ path: 'clusters/broken', config: 'ci.kube-pki.yaml' });
  assert.equal(c.code, 0, c.stdout + c.stderr);
});

test('format text: compiler-style lines in the log; a bad input or config fails with an error annotation', async () => {
  const t = runAction({ path: 'clusters/broken', format: 'text' });
  assert.equal(t.code, 1);
  assert.match(t.stdout, /^clusters\/broken\/etc\/kubernetes\/scheduler\.conf:\d+:\d+: error cn-mismatch: /m);
  const bad = runAction({ path: 'clusters/broken', format: 'xml' });
  assert.equal(bad.code, 2);
  assert.match(bad.stdout, /^::error title=kube-pki::the format input must be one of text, github, json, sarif, gitlab, not 'xml'$/m);
  await writeFile(path.join(workspace, 'broken.kube-pki.yaml'), 'rules:\n  no-such-rule: off\n');
  const cfg = runAction({ path: 'clusters/broken', config: 'broken.kube-pki.yaml' });
  assert.equal(cfg.code, 2, cfg.stdout + cfg.stderr);
  assert.match(cfg.stdout, /^::error title=kube-pki::kube-pki could not check clusters\/broken \(exit status 2\): /m);
  const missing = runAction({ path: 'clusters/nowhere' });
  assert.equal(missing.code, 2);
});

test('a ref of the action without its bundle and no kube-pki on the PATH: the step fails and says how to provide the CLI, fetching nothing', async () => {
  // The entry point alone, as a ref of the repository that carries no dist/cli.js would have it.
  const bare = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-action-bare-'));
  try {
    mkdirSync(path.join(bare, 'action'));
    copyFileSync(path.join(repo, action.runs.main), path.join(bare, action.runs.main));
    const env = { PATH: path.dirname(process.execPath), HOME: process.env.HOME, GITHUB_WORKSPACE: workspace, INPUT_PATH: 'clusters/broken' };
    const r = spawnSync(process.execPath, [path.join(bare, action.runs.main)], { env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /^::error title=kube-pki::no kube-pki CLI: .*release tag.*npm pack.*KUBE_PKI_CLI/m);
  } finally {
    await rm(bare, { recursive: true, force: true });
  }
});
