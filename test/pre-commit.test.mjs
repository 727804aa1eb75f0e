// The pre-commit hook (.pre-commit-hooks.yaml, hooks/pre-commit.sh) run by the real `pre-commit` (PyPI; scripts/
// setup-test-tools.sh installs it) with `pre-commit try-repo <this repository> kube-pki` in a git repository made at
// run time holding a kubeadm node tree: a staged change that breaks the cluster fails the commit, a harmless one
// passes, and an error already committed elsewhere does not block a commit that does not touch it. The hook runs the
// `kube-pki` on the PATH (here a shim to this build's dist/cli.js: pre-commit's clone of this repository has no
// build), from pre-commit's own cache (PRE_COMMIT_HOME, made here).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCluster } from './helpers/cluster.mjs';
import { tempDir, cleanup } from './helpers/engine.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
let tmp;
let env;

function sh(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', timeout: 300_000 });
  assert.ok(!r.error, `${cmd}: ${r.error?.message}`);
  return { code: r.status, out: r.stdout + r.stderr };
}

const git = (cwd, ...args) => {
  const r = sh('git', args, cwd);
  assert.equal(r.code, 0, r.out);
  return r.out;
};

/** `pre-commit try-repo <this repository> kube-pki [--files ...]` in `cwd`: what a commit there would run. */
const tryRepo = (cwd, ...extra) => sh('pre-commit', ['try-repo', repo, 'kube-pki', ...extra], cwd);

/** A git repository with a kubeadm node tree committed in cp1/. */
async function gitRepo(name, opts) {
  const dir = path.join(tmp, name);
  const cluster = await buildCluster(path.join(dir, 'cp1'), opts);
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.email=test@example.org', '-c', 'user.name=test', 'commit', '-qm', 'cluster');
  return { dir, cluster };
}

before(() => {
  assert.ok(existsSync(path.join(repo, 'dist', 'cli.js')), 'dist/cli.js is missing: run `node esbuild.js` first');
  tmp = tempDir('kube-pki-pre-commit-');
  const bin = path.join(tmp, 'bin');
  mkdirSync(bin);
  writeFileSync(path.join(bin, 'kube-pki'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(repo, 'dist', 'cli.js')}" "$@"\n`);
  chmodSync(path.join(bin, 'kube-pki'), 0o755);
  env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, PRE_COMMIT_HOME: path.join(tmp, 'pre-commit-home'), NO_COLOR: '1' };
  delete env.KUBE_PKI_CLI;
  const v = sh('pre-commit', ['--version'], tmp);
  assert.equal(v.code, 0, `pre-commit is not installed (scripts/setup-test-tools.sh installs it): ${v.out}`);
});

after(() => cleanup(tmp));

test('a staged kubeconfig dialling a name the apiserver certificate lacks fails the commit, on its line', async () => {
  const { dir, cluster } = await gitRepo('broken');
  const file = cluster.files['scheduler.conf'];
  const text = readFileSync(file, 'utf8');
  writeFileSync(file, text.replace(/server: https:\/\/\S+/, 'server: https://cp.example.internal:6443'));
  git(dir, 'add', '-A');
  const r = tryRepo(dir);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /kube-pki \(Kubernetes TLS\)\.+Failed/);
  const line =
    readFileSync(file, 'utf8')
      .split('\n')
      .findIndex((l) => l.includes('cp.example.internal')) + 1;
  assert.match(r.out, new RegExp(`^cp1/etc/kubernetes/scheduler\\.conf:${line}:\\d+: error san-missing: `, 'm'));
  // Judged within the repository: the apiserver's manifest, which the change makes wrong, is named too.
  assert.match(r.out, /^cp1\/etc\/kubernetes\/manifests\/kube-apiserver\.yaml:\d+:\d+: error san-missing: /m);
});

test('a harmless staged change passes', async () => {
  const { dir, cluster } = await gitRepo('healthy');
  const file = cluster.files['admin.conf'];
  writeFileSync(file, `# the cluster's admin\n${readFileSync(file, 'utf8')}`);
  git(dir, 'add', '-A');
  const r = tryRepo(dir);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /kube-pki \(Kubernetes TLS\)\.+Passed/);
});

test('an error committed elsewhere does not block a commit that does not touch it; --files on it does', async () => {
  const { dir, cluster } = await gitRepo('old-defect', { defects: ['scheduler-cn-typo'] });
  mkdirSync(path.join(dir, '.github', 'workflows'), { recursive: true });
  writeFileSync(
    path.join(dir, '.github', 'workflows', 'ci.yml'),
    'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n',
  );
  const admin = cluster.files['admin.conf'];
  writeFileSync(admin, `# the cluster's admin\n${readFileSync(admin, 'utf8')}`);
  git(dir, 'add', '-A');
  const r = tryRepo(dir);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /kube-pki \(Kubernetes TLS\)\.+Passed/);
  assert.doesNotMatch(r.out, /holds nothing kube-pki reads/, 'a workflow file is no demand');

  const files = tryRepo(dir, '--files', path.relative(dir, cluster.files['scheduler.conf']));
  assert.equal(files.code, 1, files.out);
  assert.match(files.out, /^cp1\/etc\/kubernetes\/scheduler\.conf:\d+:\d+: error cn-mismatch: /m);
});

test('the hook is a script pre-commit runs from its clone, with no install (language: script, executable)', () => {
  const hooks = readFileSync(path.join(repo, '.pre-commit-hooks.yaml'), 'utf8');
  assert.match(hooks, /^\s*language: script$/m);
  assert.match(hooks, /^\s*entry: hooks\/pre-commit\.sh$/m);
  const mode = git(repo, 'ls-files', '-s', 'hooks/pre-commit.sh');
  assert.match(mode, /^100755 /, 'committed executable');
});
