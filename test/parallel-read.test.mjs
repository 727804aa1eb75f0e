// Reading a large tree on more than one core (engine/workspace/parallelRead.ts, dist/reader.js): reader threads read
// the files the walk finds and send back only the texts that can matter. What they send is what a read on the main
// thread would give (a FIFO, a file over the size limit, a file gone: each with its reason), and `kube-pki check`
// says the same with threads ($KUBE_PKI_THREADS unset) and without ($KUBE_PKI_THREADS=0) on a monorepo with node
// trees, a systemd unit reading an environment file that only it makes a config of, a FIFO and a file too big.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMonorepo } from './helpers/monorepo.mjs';
import { E, cleanup, tempDir } from './helpers/engine.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let dir;
let repo;

before(async () => {
  dir = tempDir('kube-pki-parallel-');
  repo = await buildMonorepo(dir, { files: 3_000, nodeTrees: 2, tlsSecrets: 2 });
  // A kubelet unit whose kubeconfig comes from an environment file with no name kube-pki would read on its own.
  const unitDir = path.join(dir, 'nodes', 'w1', 'etc', 'systemd', 'system');
  mkdirSync(unitDir, { recursive: true });
  writeFileSync(path.join(unitDir, 'kubelet.service'), '[Service]\nEnvironmentFile=/tmp/kubelet-flags\nExecStart=/usr/bin/kubelet $KUBELET_ARGS\n');
  writeFileSync(path.join(dir, 'nodes', 'w1', 'kubelet-flags'), 'KUBELET_ARGS=--kubeconfig=/etc/kubernetes/missing.conf\n');
  execFileSync('mkfifo', [path.join(dir, 'apps', 'pipe.yaml')]);
  writeFileSync(path.join(dir, 'apps', 'huge.yaml'), '');
  truncateSync(path.join(dir, 'apps', 'huge.yaml'), 17 * 1024 * 1024);
});

after(() => cleanup(dir));

function check(env) {
  const r = spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'json'], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
  return { status: r.status, findings: JSON.parse(r.stdout || '[]'), stderr: r.stderr };
}

test('kube-pki check says the same with reader threads as without, every planted finding included', () => {
  const threaded = check({ KUBE_PKI_THREADS: '2' });
  const single = check({ KUBE_PKI_THREADS: '0' });
  assert.equal(threaded.status, 1, threaded.stderr);
  assert.deepEqual(threaded.findings, single.findings);
  assert.equal(threaded.stderr, single.stderr);
  const got = new Set(threaded.findings.map((f) => `${f.file}:${f.line} ${f.code}`));
  for (const d of repo.defects) assert.ok(got.has(`${path.relative(dir, d.file)}:${d.line + 1} ${d.code}`), `missed ${d.defect}`);
  assert.match(threaded.stderr, /huge\.yaml is 17\.0 MB, over the 16 MB limit/);
});

test('reader threads: texts that can matter come back, plain workloads come back read without their text, a FIFO and a file too big with their reasons', async () => {
  const reader = new E.ParallelReader(16 * 1024 * 1024, () => false, undefined, 2, 10);
  const files = [
    ...repo.trees.flatMap((t) => Object.values(t.files)).filter((f) => /\.(conf|yaml)$/.test(f)),
    path.join(dir, 'apps', 'pipe.yaml'),
    path.join(dir, 'apps', 'huge.yaml'),
    path.join(dir, 'apps', 'gone.yaml'),
  ];
  const plain = execFileSync('find', [path.join(dir, 'apps'), '-name', 'deployment.yaml'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .slice(0, 300);
  for (const f of [...files, ...plain]) reader.add(f);
  const read = await reader.finish();
  const admin = repo.trees[0].files['admin.conf'];
  assert.match(read.get(admin)?.text ?? '', /client-certificate-data/);
  for (const f of plain) assert.deepEqual(read.get(f), { ok: true }, f);
  assert.deepEqual(read.get(path.join(dir, 'apps', 'pipe.yaml')), { ok: false, reason: 'is not a regular file (a FIFO, socket or device)' });
  assert.equal(read.get(path.join(dir, 'apps', 'huge.yaml'))?.tooBig, 17 * 1024 * 1024);
  assert.deepEqual(read.get(path.join(dir, 'apps', 'gone.yaml')), { ok: false, reason: 'no such file' });
});

test('reader threads that cannot start (no reader script) leave every file to the main thread', async () => {
  const reader = new E.ParallelReader(16 * 1024 * 1024, () => false, path.join(dir, 'no-such-reader.js'), 2, 1);
  for (let i = 0; i < 600; i++) reader.add(path.join(dir, `f${i}.yaml`));
  assert.equal((await reader.finish()).size, 0);
});

test('a file named on the command line and found by the walk gets its note with reader threads too', () => {
  const plain = path.relative(dir, execFileSync('find', [path.join(dir, 'apps'), '-name', 'deployment.yaml'], { encoding: 'utf8' }).split('\n')[0]);
  const run = (threads) =>
    spawnSync(process.execPath, [CLI, 'check', '.', plain, '--format', 'json'], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      env: { ...process.env, KUBE_PKI_THREADS: threads },
      timeout: 120_000,
    });
  const threaded = run('2');
  assert.match(threaded.stderr, new RegExp(`${plain.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} holds nothing kube-pki reads`));
  assert.equal(threaded.stderr, run('0').stderr);
});

test('the reader threads end with the check, also when it stops early (standard input over the size limit)', () => {
  const r = spawnSync(process.execPath, [CLI, 'check', '-', '.'], {
    cwd: dir,
    input: Buffer.alloc(17 * 1024 * 1024, 0x20),
    encoding: 'utf8',
    env: { ...process.env, KUBE_PKI_THREADS: '2' },
    timeout: 60_000,
  });
  assert.equal(r.signal, null, 'the process did not end by itself');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /over the 16 MB limit/);
});
