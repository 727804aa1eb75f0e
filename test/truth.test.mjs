// kube-pki's verdict against the real programs' (test/helpers/truth.mjs): a healthy kubeadm node tree with one change
// from a catalogue, Debian's etcd, etcdctl and kubectl (Go's crypto/tls and crypto/x509) say which connections work,
// and kube-pki's errors must say the same: every refused connection has an error on one of its lines with a code
// matching Go's error, every working one has none.
//
//   node --test test/truth.test.mjs                 seeds 0..n-1: each change of the catalogue once (npm test)
//   TRUTH_SEEDS=200 npm run fuzz:truth              seeds 0..199
//   TRUTH_SEED=157 npm run fuzz:truth               one seed, to replay a disagreement
//
// Where a Go release changed a rule a change depends on, the change names it (`rule`, with the release it came in):
// kube-pki follows the newer rule, and the test refuses to judge with programs built by an older Go instead of
// dropping the case.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANGES, changeOf, codesFor, replayCommand, runSeed } from './helpers/truth.mjs';
import { tool } from './helpers/tools.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
assert.ok(existsSync(path.join(repo, 'dist', 'engine.js')), 'dist/engine.js is missing: run `node esbuild.js` first');

function seeds() {
  if (process.env.TRUTH_SEED !== undefined && process.env.TRUTH_SEED !== '') return [Number(process.env.TRUTH_SEED)];
  const n = process.env.TRUTH_SEEDS ? Number(process.env.TRUTH_SEEDS) : CHANGES.length;
  assert.ok(Number.isInteger(n) && n > 0, `TRUTH_SEEDS must be a positive count, not ${process.env.TRUTH_SEEDS}`);
  return Array.from({ length: n }, (_, i) => i);
}

/** The Go release a program was built with: etcd --version, kubectl version -o json. */
function goVersionOf(name) {
  const args = name === 'kubectl' ? ['version', '--client', '-o', 'json'] : ['--version'];
  const r = spawnSync(tool(name), args, { encoding: 'utf8' });
  const m = /go(\d+)\.(\d+)/.exec(`${r.stdout}${r.stderr}`);
  assert.ok(m, `cannot tell which Go built ${name}: ${r.stdout}${r.stderr}`);
  return { text: `go${m[1]}.${m[2]}`, minor: Number(m[2]) };
}

const GO = { etcd: goVersionOf('etcd'), kubectl: goVersionOf('kubectl') };
const oldestGo = Math.min(GO.etcd.minor, GO.kubectl.minor);

const workDir = mkdtempSync(path.join(os.tmpdir(), 'kube-pki-truth-'));
const results = [];
const keep = !!process.env.TRUTH_KEEP;

after(() => {
  const agree = results.reduce((n, r) => n + r.agrees, 0);
  const total = results.reduce((n, r) => n + r.total, 0);
  const refused = results.reduce((n, r) => n + r.connections.filter((c) => !c.works).length, 0);
  const lines = [
    `kube-pki agrees on ${agree}/${total} connections (${results.length} seeds, ${refused} connections refused by the programs; etcd ${GO.etcd.text}, kubectl ${GO.kubectl.text})`,
  ];
  for (const r of results) {
    for (const c of r.connections.filter((x) => !x.agrees)) {
      lines.push(`disagreement, seed ${r.seed} (${r.description}): ${c.name}: ${c.why}\n  replay: ${replayCommand(r.seed)}`);
    }
  }
  process.stdout.write(lines.join('\n') + '\n');
  if (!keep) rmSync(workDir, { recursive: true, force: true });
});

for (const seed of seeds()) {
  const change = changeOf(seed);
  test(`seed ${seed}: ${change.name}${change.rule ? ` (${change.rule.text})` : ''}`, async (t) => {
    if (change.rule?.since) {
      assert.ok(
        oldestGo >= change.rule.since,
        `${change.rule.text}: kube-pki follows Go 1.${change.rule.since} and later, but etcd was built with ${GO.etcd.text} and kubectl with ${GO.kubectl.text}: install newer programs to judge this change`,
      );
    }
    const r = await runSeed(seed, { workDir });
    results.push(r);
    t.diagnostic(`${r.description}: agrees on ${r.agrees}/${r.total} connections`);
    // The programs really ran: every connection has a verdict, and a refused one Go's reason.
    assert.equal(r.total, 11, r.connections.map((c) => c.name).join('\n'));
    for (const c of r.connections.filter((x) => !x.works))
      assert.ok(codesFor(c.error ?? ''), `${c.name}: an error the harness cannot map: ${c.error}`);
    const bad = r.connections.filter((c) => !c.agrees);
    assert.deepEqual(
      bad.map((c) => `${c.name}: ${c.why}`),
      [],
      `seed ${seed} (${r.description}): kube-pki disagrees with the real programs; replay with ${replayCommand(seed)} (TRUTH_KEEP=1 keeps the tree)`,
    );
    if (!keep) rmSync(r.dir, { recursive: true, force: true });
  });
}

// The fixed seeds cover the whole catalogue, so the comparison is never vacuous: changes that must break a
// connection do, and changes that must not, do not.
if (!process.env.TRUTH_SEED && !process.env.TRUTH_SEEDS) {
  test('the catalogue breaks connections where it must and leaves them working where it must', () => {
    const by = Object.fromEntries(results.map((r) => [r.change, r]));
    for (const name of ['leaf-expired', 'leaf-not-yet-valid', 'ca-expired', 'resigned-by-impostor-ca', 'key-swapped', 'cn-only', 'sha1-leaf']) {
      assert.ok(by[name], `${name} did not run`);
      assert.ok(
        by[name].connections.some((c) => !c.works),
        `${name} (${by[name].description}) broke no connection:\n${by[name].connections.map((c) => c.name).join('\n')}`,
      );
    }
    for (const name of ['rekeyed', 'comments-and-order', 'v1-root', 'san-added', 'rsa1024-leaf']) {
      assert.ok(by[name], `${name} did not run`);
      assert.deepEqual(
        by[name].connections.filter((c) => !c.works).map((c) => `${c.name}: ${c.error}`),
        [],
        `${name} (${by[name].description}) must not break anything`,
      );
    }
  });
}
