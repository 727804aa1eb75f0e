// The npm package: `npm pack` of this repository gives a tarball that installs, with no registry, into an empty
// prefix and provides a `kube-pki` that works (check, verify, expiration, generate --dry-run), also through
// `npm exec` (npx). The tarball holds the CLI bundle only and depends on nothing; vsce still packs the extension
// from .vscodeignore (it refuses a package.json "files" beside one).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, readdir } from 'node:fs/promises';
import { existsSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCluster } from './helpers/cluster.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));

let tmp;
let tarball;
let prefix;
let bin;
let cluster;

/** npm with a cache of its own, offline: nothing may come from a registry. */
function npm(args, cwd) {
  const r = spawnSync('npm', ['--offline', '--no-audit', '--no-fund', '--cache', path.join(tmp, 'npm-cache'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, npm_config_registry: 'http://127.0.0.1:9/', npm_config_update_notifier: 'false' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function run(args, cwd = cluster.dir) {
  const r = spawnSync(bin, args, {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, PATH: `${path.dirname(bin)}:${process.env.PATH}` },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  assert.ok(existsSync(path.join(repo, 'dist', 'cli.js')), 'dist/cli.js is missing: run `node esbuild.js` first');
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-npm-'));
  // --ignore-scripts: prepack would rebuild dist/ while the other suites run it; the build of this run is packed.
  const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', tmp], repo);
  assert.equal(packed.code, 0, packed.stderr);
  const name = JSON.parse(packed.stdout)[0].filename;
  tarball = path.join(tmp, name);
  prefix = path.join(tmp, 'prefix');
  const installed = npm(['install', '-g', '--prefix', prefix, tarball], tmp);
  assert.equal(installed.code, 0, installed.stderr);
  bin = path.join(prefix, 'bin', 'kube-pki');
  cluster = await buildCluster(path.join(tmp, 'cluster'), { defects: ['scheduler-cn-typo'] });
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('the tarball holds the CLI bundle (and its reader threads), the README, the license and the changelog, and depends on nothing', () => {
  const r = npm(['pack', '--ignore-scripts', '--dry-run', '--json'], repo);
  assert.equal(r.code, 0, r.stderr);
  const files = JSON.parse(r.stdout)[0]
    .files.map((f) => f.path)
    .sort();
  assert.deepEqual(files, ['CHANGELOG.md', 'LICENSE', 'README.md', 'dist/cli.js', 'dist/reader.js', 'package.json']);
  assert.equal(pkg.bin['kube-pki'], './dist/cli.js');
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), [], 'the bundles carry their libraries: no runtime dependency to fetch');
  assert.equal(pkg.files, undefined, 'vsce refuses a "files" property beside a .vscodeignore');
  assert.ok(existsSync(path.join(repo, '.vscodeignore')));
  assert.match(pkg.scripts.prepack ?? '', /esbuild\.js/, 'npm pack builds the bundle first');
});

test('the installed kube-pki is the bundle, runnable, and needs nothing beside it', async () => {
  assert.ok(statSync(bin).mode & 0o111, 'executable');
  const installedDir = path.join(prefix, 'lib', 'node_modules', 'kube-pki');
  assert.deepEqual((await readdir(installedDir)).sort(), ['CHANGELOG.md', 'LICENSE', 'README.md', 'dist', 'package.json']);
  const v = run(['--version']);
  assert.equal(v.code, 0, v.stderr);
  assert.equal(v.stdout.trim(), pkg.version);
});

test('check finds the planted defect and exits 1', () => {
  const r = run(['check', '.']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /scheduler\.conf:\d+:\d+: error cn-mismatch: /);
});

test('verify checks a certificate against its CA', () => {
  const r = run(['verify', cluster.files['pki/apiserver.crt'], '--ca', cluster.files['pki/ca.crt'], '--host', 'kubernetes.default.svc']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok|valid|verified/i);
});

test('expiration lists the certificates as kubeadm does', () => {
  const r = run(['expiration', '.']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^CERTIFICATE\s+EXPIRES\s+RESIDUAL TIME/m);
  assert.match(r.stdout, /apiserver\.crt/);
});

test('generate --dry-run plans without writing', () => {
  const before = readFileSync(cluster.files['scheduler.conf'], 'utf8');
  const r = run(['generate', '.', '--fix', '--dry-run']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /scheduler/);
  assert.equal(readFileSync(cluster.files['scheduler.conf'], 'utf8'), before, 'nothing written');
});

test('npm exec (npx) runs it from the tarball', () => {
  const r = npm(['exec', '--yes', `--package=${tarball}`, '--', 'kube-pki', 'check', '.', '--format', 'json'], cluster.dir);
  assert.equal(r.code, 1, r.stderr);
  const findings = JSON.parse(r.stdout);
  assert.ok(findings.some((f) => f.code === 'cn-mismatch' && /scheduler\.conf$/.test(f.file)));
});
