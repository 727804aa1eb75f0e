// A GitOps monorepo made at run time (test/helpers/monorepo.mjs): more than 20,000 YAML files of ordinary
// workloads, with node trees holding planted defects and TLS Secrets sorted after them. `kube-pki check` reads
// it all (the prefilter parses only what can matter, and Services only when a relation asks), reports every
// planted finding on its line, and counts the files; a bound on files that stops it early says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildMonorepo } from './helpers/monorepo.mjs';
import { E, cleanup, tempDir } from './helpers/engine.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let dir;
let repo;

before(async () => {
  dir = tempDir('kube-pki-monorepo-');
  repo = await buildMonorepo(dir, { files: 20_400, nodeTrees: 2, tlsSecrets: 3 });
});

after(() => cleanup(dir));

const rel = (f) => path.relative(dir, f);

test('check of the whole repository: every planted finding on its line, every file counted', () => {
  assert.ok(repo.yamlFiles > 20_000, `${repo.yamlFiles} files`);
  const r = spawnSync(process.execPath, [CLI, 'check', '.', '--format', 'json'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /stopped after|nested more than/);
  const findings = JSON.parse(r.stdout);
  const got = new Set(findings.filter((f) => f.severity === 'error').map((f) => `${f.file}:${f.line} ${f.code}`));
  for (const d of repo.defects)
    assert.ok(got.has(`${rel(d.file)}:${d.line + 1} ${d.code}`), `${d.defect}: ${rel(d.file)}:${d.line + 1} ${d.code} in ${[...got].join(', ')}`);
  // Nothing among the ordinary workloads.
  assert.deepEqual(
    findings.filter((f) => f.file.startsWith('apps/')),
    [],
  );
  // The text summary counts the recognised files, the Services among them (parsed only when a relation asks).
  const text = spawnSync(process.execPath, [CLI, 'check', '.'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  const m = /(\d+) errors?, \d+ warnings?, \d+ infos? in (\d+) files/.exec(text.stdout);
  assert.ok(m, text.stdout.slice(-300));
  assert.ok(Number(m[2]) > repo.yamlFiles / 4, `${m[2]} files counted`);
});

test('a bound below the repository: the note names the last file read; what lies after it is not reported', () => {
  const r = spawnSync(process.execPath, [CLI, 'check', '.', '--max-files', '20000'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /kube-pki: note: \.: stopped after 20000 candidate files, --max-files; the files after apps\/.* were not checked/);
});

test('a webhook among the workloads: the Services and Deployments its Service leads to are read when it asks for them', async () => {
  // A webhook whose Service selects a Deployment mounting a Secret: the Secret's certificate lacks the name the
  // apiserver dials (san-missing), proven only through the Service (a lazy document) and the Deployment.
  const g = E.generate;
  const ca = await g.issueCertificate({ commonName: 'hook-ca', isCA: true, keyType: 'ecdsa-p256' });
  const leaf = await g.issueCertificate({
    commonName: 'wrong.example.com',
    dnsNames: ['wrong.example.com'],
    keyType: 'ecdsa-p256',
    issuer: ca,
    extKeyUsage: ['serverAuth'],
  });
  const b64 = (s) => Buffer.from(s).toString('base64');
  const d = path.join(dir, 'apps', 'team-00', 'app-000000');
  writeFileSync(
    path.join(d, 'webhook.yaml'),
    `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: hook}
webhooks:
- name: hook.example.com
  clientConfig:
    service: {name: app-000000, namespace: team-00, path: /validate}
    caBundle: ${b64(ca.certPem)}
  admissionReviewVersions: [v1]
  sideEffects: None
`,
  );
  writeFileSync(
    path.join(d, 'deployment.yaml'),
    `apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-000000
  namespace: team-00
spec:
  selector:
    matchLabels: {app.kubernetes.io/name: app-000000}
  template:
    metadata:
      labels: {app.kubernetes.io/name: app-000000}
    spec:
      containers: [{name: app, image: example/app:1}]
      volumes:
      - name: tls
        secret: {secretName: hook-tls}
`,
  );
  writeFileSync(
    path.join(d, 'secret.yaml'),
    `apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata: {name: hook-tls, namespace: team-00}
data:
  tls.crt: ${b64(leaf.certPem)}
  tls.key: ${b64(leaf.key.privateKeyPem)}
`,
  );
  const r = spawnSync(process.execPath, [CLI, 'check', 'apps/team-00', '--format', 'json'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 << 20 });
  const codes = JSON.parse(r.stdout).map((f) => `${f.file} ${f.code}`);
  assert.ok(
    codes.some((c) => /apps\/team-00\/app-000000\/(secret|webhook|deployment)\.yaml san-missing/.test(c)),
    codes.join('\n'),
  );
});
