// Benchmark: kube-pki generating the full kubeadm set for a control-plane node (3 CAs, 7 leaves,
// the service account pair, 5 kubeconfigs: 16 key pairs) against bench/openssl-kubeadm.sh making the
// same set with one openssl command after another. One run each; prints both times and the ratio.
// Targets: RSA-2048 at most 0.5x the script's time; ECDSA P-256 under 0.3 s. While kube-pki
// generates, a 5 ms timer measures how long the main thread is ever blocked (a language server
// must keep answering hovers).
//
//   node bench/generate.mjs [--json]     (npm run bench builds, then runs it 3 times within bench/run.mjs)
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const E = require(path.join(here, '..', 'dist', 'engine.js'));
const G = E.generate;
const fs = E.nodeFileSystem();
const json = process.argv.includes('--json');

async function kubePki(keyType) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kube-pki-bench-'));
  try {
    let maxLag = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const now = performance.now();
      maxLag = Math.max(maxLag, now - last - 5);
      last = now;
    }, 5);
    const t0 = performance.now();
    const plan = G.planControlPlane(fs, { root, nodeName: 'cp1', advertiseAddress: '10.0.0.9', keyType });
    const batch = await G.executePlan(plan, fs);
    const report = G.writeBatch(batch.files, { fs, allowReplace: false });
    const ms = performance.now() - t0;
    clearInterval(timer);
    if (!report.ok || batch.failed.length) throw new Error(`generation failed: ${JSON.stringify(report.error ?? batch.failed)}`);
    return { ms, keys: plan.actions.filter((a) => a.key?.kind === 'new').length, files: report.written.length, maxLagMs: maxLag };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

function script(alg) {
  const out = mkdtempSync(path.join(os.tmpdir(), 'kube-pki-bench-openssl-'));
  try {
    const t0 = performance.now();
    const r = spawnSync('bash', [path.join(here, 'openssl-kubeadm.sh'), out, alg], { encoding: 'utf8' });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`openssl script failed: ${r.stderr}`);
    return { ms };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

// Warm-up: load @peculiar/x509 and the crypto providers, outside the measurement.
await kubePki('ecdsa-p256');

const rsa = await kubePki('rsa-2048');
const rsaScript = script('rsa');
const ec = await kubePki('ecdsa-p256');
const ecScript = script('ec');

const result = {
  cpus: os.cpus().length,
  rsa2048: {
    kubePkiMs: Math.round(rsa.ms),
    opensslScriptMs: Math.round(rsaScript.ms),
    ratio: +(rsa.ms / rsaScript.ms).toFixed(2),
    keys: rsa.keys,
    files: rsa.files,
    maxMainThreadBlockMs: Math.round(rsa.maxLagMs),
    target: 'ratio <= 0.5',
  },
  ecdsaP256: {
    kubePkiMs: Math.round(ec.ms),
    opensslScriptMs: Math.round(ecScript.ms),
    ratio: +(ec.ms / ecScript.ms).toFixed(2),
    keys: ec.keys,
    files: ec.files,
    maxMainThreadBlockMs: Math.round(ec.maxLagMs),
    target: 'kubePkiMs < 300',
  },
};
result.rsa2048.met = result.rsa2048.ratio <= 0.5;
result.ecdsaP256.met = result.ecdsaP256.kubePkiMs < 300;

if (json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  const line = (name, r) =>
    `${name}: kube-pki ${r.kubePkiMs} ms, openssl script ${r.opensslScriptMs} ms, ratio ${r.ratio}x (${r.keys} key pairs, ${r.files} files; main thread blocked at most ${r.maxMainThreadBlockMs} ms) — target ${r.target}: ${r.met ? 'met' : 'NOT met'}`;
  console.log(`full kubeadm set on ${result.cpus} CPUs, one run each`);
  console.log(line('RSA-2048  ', result.rsa2048));
  console.log(line('ECDSA P-256', result.ecdsaP256));
}
