// Hostile input: mutated kubeconfigs, manifests, kubelet configs, PEM and DER go through the engine
// (as open documents and as the files they reference). Whatever the input, no exception escapes,
// each input is judged within 1 s, and memory stays bounded. `npm test` runs a bounded round;
// `npm run fuzz` runs many more (FUZZ_ITERATIONS, FUZZ_SEED). A crash found here becomes a case
// in `regressions` below.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { buildCluster } from './helpers/cluster.mjs';
import { E, g, b64, tempDir, cleanup } from './helpers/engine.mjs';
import { CORPORA } from './helpers/corpora.mjs';

// Memory is measured after a full collection, so the bound is on what the engine keeps, not on garbage.
v8.setFlagsFromString('--expose-gc');
const collectGarbage = vm.runInNewContext('gc');

const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 400);
const SEED = Number(process.env.FUZZ_SEED ?? 20261129);
// A bound that catches a hang or a blow-up (seconds), not a speed target: speed belongs in `npm run bench`, and a
// loaded 2-core machine takes several times longer than an idle one.
const TIME_LIMIT_MS = 5000;

// A small deterministic PRNG (mulberry32), so a failing seed can be replayed.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let dir;
let cluster;
const seeds = [];
const pemSeeds = [];

before(async () => {
  dir = tempDir('kube-pki-fuzz-');
  cluster = await buildCluster(path.join(dir, 'node'), { keyType: 'ecdsa-p256' });
  for (const name of ['admin.conf', 'kubelet.conf', 'kube-apiserver.yaml', 'etcd.yaml', 'kube-controller-manager.yaml', 'config.yaml']) {
    const file = Object.entries(cluster.files).find(([k]) => k.endsWith(name))?.[1];
    if (file) seeds.push(readFileSync(file, 'utf8'));
  }
  for (const [k, f] of Object.entries(cluster.files)) if (/\.(crt|key|pem|pub)$/.test(k)) pemSeeds.push(readFileSync(f, 'latin1'));
  // TLS kept elsewhere: a kubernetes.io/tls Secret with ca.crt, a webhook configuration whose service is
  // served by it (Service, Deployment), a cert-manager Certificate, and kube-root-ca.crt.
  const hookCa = await g.issueCertificate({ commonName: 'hook-ca', isCA: true, keyType: 'ecdsa-p256' });
  const hook = await g.issueCertificate({ commonName: 'hook', issuer: hookCa, keyType: 'ecdsa-p256', dnsNames: ['hook.hooks.svc'] });
  seeds.push(
    [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: hook-tls, namespace: hooks}',
      'type: kubernetes.io/tls',
      'data:',
      `  tls.crt: ${b64(hook.certPem)}`,
      `  tls.key: ${b64(hook.key.privateKeyPem)}`,
      `  ca.crt: ${b64(hookCa.certPem)}`,
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: hook, namespace: hooks}',
      'spec:',
      '  selector: {app: hook}',
      '---',
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata: {name: hook, namespace: hooks}',
      'spec:',
      '  template:',
      '    metadata:',
      '      labels: {app: hook}',
      '    spec:',
      '      volumes:',
      '      - name: certs',
      '        secret: {secretName: hook-tls}',
      '',
    ].join('\n'),
    [
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingWebhookConfiguration',
      'metadata:',
      '  name: hook',
      '  annotations:',
      '    cert-manager.io/inject-ca-from: hooks/hook',
      'webhooks:',
      '- name: validate.hook.example.com',
      '  clientConfig:',
      `    caBundle: ${b64(hookCa.certPem)}`,
      '    service: {name: hook, namespace: hooks, path: /validate}',
      '- name: url.hook.example.com',
      '  clientConfig:',
      `    caBundle: ${b64(hook.certPem)}`,
      '    url: https://10.1.2.3/validate',
      '---',
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata: {name: hook, namespace: hooks}',
      'spec:',
      '  secretName: hook-tls',
      '  duration: 2160h',
      '  renewBefore: 720h',
      '  dnsNames: [hook.hooks.svc]',
      '  issuerRef: {name: hook-ca, kind: Issuer}',
      '---',
      'apiVersion: v1',
      'kind: ConfigMap',
      'metadata: {name: kube-root-ca.crt, namespace: hooks}',
      'data:',
      '  ca.crt: |',
      ...hookCa.certPem
        .trim()
        .split('\n')
        .map((l) => `    ${l}`),
      '',
    ].join('\n'),
  );
  const zdir = [path.join(CORPORA, 'zlint/testdata')].find((d) => {
    try {
      return readdirSync(d).length > 0;
    } catch {
      return false;
    }
  });
  assert.ok(zdir, 'the zlint corpus (test/corpora/zlint/testdata) is there');
  for (const f of readdirSync(zdir)
    .filter((n) => n.endsWith('.pem'))
    .slice(0, 60))
    pemSeeds.push(readFileSync(path.join(zdir, f), 'latin1'));
});
after(() => cleanup(dir));

const mutations = {
  truncate: (s, r) => s.slice(0, Math.floor(r() * s.length)),
  bitflip: (s, r) => {
    const b = Buffer.from(s, 'latin1');
    for (let i = 0; i < 1 + Math.floor(r() * 8); i++) b[Math.floor(r() * b.length)] ^= 1 << Math.floor(r() * 8);
    return b.toString('latin1');
  },
  duplicate: (s, r) => {
    const i = Math.floor(r() * s.length);
    const j = Math.min(s.length, i + Math.floor(r() * 200));
    return s.slice(0, j) + s.slice(i, j).repeat(1 + Math.floor(r() * 500)) + s.slice(j);
  },
  deepNesting: (s, r) => s.replace(/: /, `: ${'['.repeat(2000 + Math.floor(r() * 8000))}`),
  aliasBomb: (s) =>
    `${s}\nx0: &x0 [a, a, a, a, a, a, a, a, a, a]\n${Array.from({ length: 9 }, (_, i) => `x${i + 1}: &x${i + 1} [${Array(10).fill(`*x${i}`).join(', ')}]`).join('\n')}\nclusters: *x9\n`,
  longBase64: (s, r) => s.replace(/(-data: |tls\.crt: |caBundle: )/, `$1${'QUJD'.repeat(10000 + Math.floor(r() * 30000))}`),
  nul: (s, r) => {
    const i = Math.floor(r() * s.length);
    return s.slice(0, i) + '\u0000'.repeat(1 + Math.floor(r() * 50)) + s.slice(i);
  },
  invalidUtf8: (s, r) => {
    const b = Buffer.from(s, 'utf8');
    const i = Math.floor(r() * b.length);
    return Buffer.concat([b.subarray(0, i), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xa0, 0xa1]), b.subarray(i)]).toString('utf8');
  },
  crlf: (s) => s.replace(/\n/g, '\r\n'),
  swapLines: (s, r) => {
    const lines = s.split('\n');
    const i = Math.floor(r() * lines.length);
    const j = Math.floor(r() * lines.length);
    [lines[i], lines[j]] = [lines[j], lines[i]];
    return lines.join('\n');
  },
  reindent: (s, r) => s.replace(/\n( +)/g, (m, sp) => (r() < 0.1 ? `\n${sp.slice(1)}` : m)),
  // A key, flag, field or value renamed after an Object.prototype member: names from files index tables.
  prototypeName: (s, r) => {
    const words = [...s.matchAll(/[A-Za-z][\w.-]{2,}/g)];
    if (words.length === 0) return s;
    const w = words[Math.floor(r() * words.length)];
    return s.slice(0, w.index) + PROTOTYPE_NAMES[Math.floor(r() * PROTOTYPE_NAMES.length)] + s.slice(w.index + w[0].length);
  },
};
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];
const names = Object.keys(mutations);

function mutate(text, r) {
  let out = text;
  const rounds = 1 + Math.floor(r() * 3);
  for (let i = 0; i < rounds; i++) out = mutations[names[Math.floor(r() * names.length)]](out, r);
  return out;
}

/** One input through the engine as an open document and as a referenced file; returns the findings. */
function judge(engine, file, text) {
  engine.updateDocument(file, text);
  return engine.check(file);
}

test(`${ITERATIONS} mutated documents and referenced files: no exception, each under ${TIME_LIMIT_MS} ms, memory bounded`, () => {
  const r = prng(SEED);
  const work = path.join(dir, 'fuzz');
  mkdirSync(work, { recursive: true });
  const engine = new E.Engine(E.nodeFileSystem(), { searchRoots: [cluster.dir, work] });
  // The referenced material: a kubeconfig whose paths point at mutated PEM files.
  const refDoc = path.join(work, 'refs.conf');
  const refText = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: a',
    '  cluster:',
    '    server: https://10.0.0.1:6443',
    '    certificate-authority: m0.pem',
    'users:',
    '- name: u',
    '  user:',
    '    client-certificate: m1.pem',
    '    client-key: m2.pem',
    '',
  ].join('\n');
  collectGarbage();
  const heapStart = process.memoryUsage().heapUsed;
  let slowest = { ms: 0, seed: '' };
  let withFindings = 0;
  const kindsSeen = new Set();
  for (let i = 0; i < ITERATIONS; i++) {
    const asDocument = r() < 0.6;
    const started = performance.now();
    let findings;
    const replay = `FUZZ_SEED=${SEED} iteration ${i}`;
    try {
      if (asDocument) {
        const text = mutate(seeds[Math.floor(r() * seeds.length)], r);
        // Now and then a document named like an Object.prototype member (file names pick roles).
        const file = path.join(work, i % 11 === 10 ? PROTOTYPE_NAMES[i % PROTOTYPE_NAMES.length] : `doc${i % 7}.yaml`);
        findings = judge(engine, file, text);
        for (const u of engine.parsed(file)?.units ?? []) kindsSeen.add(u.kind);
      } else {
        for (let k = 0; k < 3; k++) {
          const f = path.join(work, `m${k}.pem`);
          writeFileSync(f, mutate(pemSeeds[Math.floor(r() * pemSeeds.length)], r), 'latin1');
          engine.fileChanged(f);
        }
        findings = judge(engine, refDoc, refText + `# ${i}\n`);
      }
    } catch (err) {
      assert.fail(`${replay}: the engine threw ${err?.stack ?? err}`);
    }
    const ms = performance.now() - started;
    if (ms > slowest.ms) slowest = { ms, seed: replay };
    assert.ok(Array.isArray(findings), replay);
    for (const f of findings) {
      assert.notEqual(f.code, 'internal-error', `${replay}: ${f.message}`);
      assert.ok(f.range.start.line >= 0 && f.range.end.line >= f.range.start.line, `${replay}: a sane range`);
    }
    if (findings.length) withFindings++;
    assert.ok(ms < TIME_LIMIT_MS, `${replay} took ${ms.toFixed(0)} ms`);
  }
  collectGarbage();
  const heapGrowth = (process.memoryUsage().heapUsed - heapStart) / 1024 / 1024;
  assert.ok(heapGrowth < 300, `heap grew by ${heapGrowth.toFixed(0)} MB`);
  assert.ok(withFindings > ITERATIONS / 4, `mutations are reported, not silently accepted (${withFindings}/${ITERATIONS})`);
  // Every kind of unit the seeds hold went through the checks mutated (a short run may miss some).
  if (ITERATIONS >= 200) {
    for (const kind of ['kubeconfig', 'component', 'secret', 'webhook', 'cert-manager-certificate', 'service', 'workload']) {
      assert.ok(kindsSeen.has(kind), `mutated ${kind} units went through the checks (seen: ${[...kindsSeen].join(', ')})`);
    }
  }
  console.log(
    `# fuzz: ${ITERATIONS} inputs, ${withFindings} with findings, slowest ${slowest.ms.toFixed(0)} ms (${slowest.seed}), heap +${heapGrowth.toFixed(0)} MB kept after a collection`,
  );
});

test('regressions: inputs that once broke something', () => {
  const engine = new E.Engine(E.nodeFileSystem(), {});
  const cases = [
    // Deep flow nesting (a stack overflow in a recursive parser).
    `kind: Config\nclusters: ${'['.repeat(20000)}${']'.repeat(20000)}\n`,
    // Many documents in one file.
    'kind: Config\nclusters: []\n---\n'.repeat(5000),
  ];
  cases.forEach((text, i) => {
    const started = performance.now();
    const findings = judge(engine, path.join(dir, `reg${i}.yaml`), text);
    assert.ok(performance.now() - started < TIME_LIMIT_MS);
    assert.ok(findings.every((f) => f.code !== 'internal-error'));
  });
});
