// The second bundled example, examples/broken-in-cluster (`node examples/make-example.mjs --in-cluster`):
// generated into a temp folder and checked with the CLI as `npm run example` does. What README.md's
// "Try it" shows for it, and the table of examples/README.md, must be exactly what kube-pki prints,
// so neither can drift. Each planted defect alone gives exactly its one finding; none gives none.
// Run `node esbuild.js` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildInCluster, IN_CLUSTER_DEFECTS, IN_CLUSTER_DEFECT_CODES } from './helpers/in-cluster.mjs';
import { checkTree, summary } from './helpers/engine.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(repo, 'dist', 'cli.js');
const MAKE = path.join(repo, 'examples', 'make-example.mjs');
const REL = 'examples/broken-in-cluster';

let tmp;
let example;

function run(args, cwd = tmp) {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' }, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `file:line code` of each finding line of the CLI's text output. */
function findingLines(stdout) {
  return stdout
    .split('\n')
    .map((l) => /^(.+?):(\d+):\d+: (?:error|warning|info) ([a-z0-9-]+): /.exec(l))
    .filter(Boolean)
    .map((m) => `${m[1]}:${m[2]} ${m[3]}`);
}

/** The lines of README.md's ```text block that shows the second example's output. */
function readmeBlock() {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1].replace(/\n$/, '').split('\n'));
  const mine = blocks.filter((b) => b[0].startsWith(`${REL}/`));
  assert.equal(mine.length, 1, `README.md has one \`\`\`text block starting with ${REL}/ (found ${mine.length})`);
  return mine[0];
}

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-example-in-cluster-'));
  example = path.join(tmp, ...REL.split('/'));
  const r = run([MAKE, '--in-cluster', '--out', example]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^wrote .*broken-in-cluster\/ \(in-cluster manifests\) with 4 planted defects:$/m);
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('README.md shows exactly what `kube-pki check examples/broken-in-cluster` prints: four errors, exit 1', () => {
  const r = run([CLI, 'check', REL]);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.equal(r.stderr, '');
  assert.deepEqual(findingLines(r.stdout), [
    `${REL}/metrics-server/apiservice.yaml:16 cabundle-mismatch`,
    `${REL}/metrics-server/tls-secret.yaml:10 key-mismatch`,
    `${REL}/payments/certificate.yaml:11 duration-invalid`,
    `${REL}/payments/validatingwebhookconfiguration.yaml:21 san-missing`,
  ]);
  assert.match(r.stdout, /^4 errors, 0 warnings, 0 infos in 10 files$/m);
  // Nothing in the output depends on the clock or the machine: README.md has it verbatim.
  assert.deepEqual(readmeBlock(), r.stdout.replace(/\n$/, '').split('\n'));
});

test("the marker lists the planted defects where the CLI reports them, and examples/README.md's table agrees", async () => {
  const marker = JSON.parse(await readFile(path.join(example, '.kube-pki-example.json'), 'utf8'));
  assert.equal(marker.generatedBy, 'examples/make-example.mjs --in-cluster');
  const expected = marker.expected.map((e) => `${REL}/${e.file}:${e.line} ${e.code}`).sort();
  assert.deepEqual(expected, findingLines(run([CLI, 'check', REL]).stdout).sort());
  assert.deepEqual(
    marker.expected.map((e) => e.defect),
    IN_CLUSTER_DEFECTS,
  );

  // examples/README.md: | # | `code` | `file:line` (...) | ... | rows of the in-cluster table.
  const doc = readFileSync(path.join(repo, 'examples', 'README.md'), 'utf8');
  const section = doc.slice(doc.indexOf('# The second example: `broken-in-cluster`'));
  assert.ok(section.length < doc.length, 'examples/README.md has a section for broken-in-cluster');
  const rows = [...section.matchAll(/^\| \d \| `([a-z-]+)` \| `([^`:]+):(\d+)`/gm)].map((m) => `${REL}/${m[2]}:${m[3]} ${m[1]}`);
  assert.deepEqual(rows.sort(), expected);
});

test('generated, not overwritten: a second run keeps the tree, --force replaces it', () => {
  const before = readFileSync(path.join(example, 'payments', 'webhook-tls.yaml'), 'utf8');
  let r = run([MAKE, '--in-cluster', '--out', example]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /already exists \(generated .*\); keeping it/);
  assert.equal(readFileSync(path.join(example, 'payments', 'webhook-tls.yaml'), 'utf8'), before);
  r = run([MAKE, '--in-cluster', '--force', '--out', example]);
  assert.equal(r.code, 0, r.stderr);
  assert.notEqual(readFileSync(path.join(example, 'payments', 'webhook-tls.yaml'), 'utf8'), before); // new keys
  assert.deepEqual(findingLines(run([CLI, 'check', REL]).stdout).length, 4);
});

test('each planted defect alone gives exactly its one finding; without them the tree is clean', async () => {
  const base = path.join(tmp, 'isolated');
  // ECDSA keys: quicker, and only codes and lines are compared here.
  const healthy = await buildInCluster(path.join(base, 'healthy'), { keyType: 'ecdsa-p256' });
  assert.deepEqual(summary(checkTree(healthy.dir).findings, healthy.dir), []);
  for (const defect of IN_CLUSTER_DEFECTS) {
    const t = await buildInCluster(path.join(base, defect), { defects: [defect], keyType: 'ecdsa-p256' });
    const [d] = t.defects;
    assert.equal(d.code, IN_CLUSTER_DEFECT_CODES[defect]);
    assert.deepEqual(summary(checkTree(t.dir).findings, t.dir), [`${path.relative(t.dir, d.file)}:${d.line + 1} ${d.code}`], defect);
  }
});
