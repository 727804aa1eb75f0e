// `kube-pki rotate-ca --ca cluster` over the trust points Kubernetes objects hold inline: a kubeadm node tree is built
// at run time beside a manifest holding the kube-root-ca.crt ConfigMap (ca.crt as a PEM block scalar), a
// ValidatingWebhookConfiguration whose caBundle holds the cluster CA and whose serving Secret (mounted by the
// Deployment its Service selects) the cluster CA signed, Secrets with ca.crt (base64 in data, PEM in stringData)
// and a MutatingWebhookConfiguration whose caBundle cert-manager's cainjector writes. Stages 1 to 3 are written
// with dist/cli.js; after each, the objects hold old + new, then (stage 2) the re-issued serving certificate, then
// the new CA only; every other byte of the manifest is as it was; `openssl verify` proves the webhook's serving
// certificate against the caBundle at every stage and in every mix of two neighbouring stages; the injected
// caBundle is left alone and the output says its controller refills it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, mkdir, rm, readFile, writeFile, cp } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { buildCluster } from './helpers/cluster.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(repo, 'dist', 'cli.js');
const PKI = 'etc/kubernetes/pki';
const MANIFEST = 'objects/cluster-objects.yaml';

let tmp;
let node;
/** The manifest as written, and what fills its values. */
let original;
let originalValues;
const snaps = {};
const outputs = {};

function cli(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: tmp, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function openssl(args, input) {
  const r = spawnSync('openssl', args, { encoding: 'utf8', input });
  assert.ok(r.status !== null, `openssl ${args.join(' ')} did not run`);
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s) => Buffer.from(s, 'base64').toString('utf8');
const indent = (pem, by) =>
  pem
    .trimEnd()
    .split('\n')
    .map((l) => by + l)
    .join('\n');

/** The PEM blocks of a bundle, each as the certificate's SHA-256 fingerprint. */
function fingerprints(pem) {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => new X509Certificate(m[0]).fingerprint256);
}

/**
 * The manifest, from the values it holds: comments, quoting, key order and block-scalar indentation as a person
 * wrote them. A stage may change the values only: the file after it must be this text with its values.
 */
function manifest(v) {
  return `# Objects that keep the cluster CA inline (kubectl get -o yaml, trimmed)
apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-root-ca.crt
  namespace: default
  annotations:
    kubernetes.io/description: Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints
data:
  ca.crt: |
${indent(v.rootCa, '    ')}
---
apiVersion: v1
kind: Service
metadata:
  name: policy-webhook
  namespace: webhook-system
spec:
  selector:
    app: policy-webhook
  ports:
    - port: 443
      targetPort: 9443
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: policy-webhook
  namespace: webhook-system
spec:
  selector:
    matchLabels:
      app: policy-webhook
  template:
    metadata:
      labels:
        app: policy-webhook
    spec:
      containers:
        - name: webhook
          image: example.com/policy-webhook:1.0
          volumeMounts:
            - name: tls
              mountPath: /tls
      volumes:
        - name: tls
          secret:
            secretName: policy-webhook-tls
---
apiVersion: v1
kind: Secret
metadata:
  name: policy-webhook-tls
  namespace: webhook-system
type: kubernetes.io/tls
data:
  # the serving pair, and the CA that signed it
  ca.crt: "${b64(v.tlsCa)}"
  tls.crt: ${b64(v.tlsCrt)}
  tls.key: ${b64(v.tlsKey)}
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: policy-webhook
webhooks:
  - name: validate.policy.example.com
    admissionReviewVersions: ["v1"]
    sideEffects: None
    failurePolicy: Fail
    clientConfig:
      service:
        name: policy-webhook
        namespace: webhook-system
        path: /validate
      caBundle: ${b64(v.caBundle)} # the cluster CA
    rules:
      - apiGroups: [""]
        apiVersions: ["v1"]
        operations: ["CREATE"]
        resources: ["pods"]
---
apiVersion: v1
kind: Secret
metadata:
  name: upstream-trust
  namespace: default
type: Opaque
stringData:
  ca.crt: |-
${indent(v.opaqueCa, '      ')}
---
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata:
  name: injected-webhook
  annotations:
    cert-manager.io/inject-ca-from: webhook-system/injected-webhook-cert
webhooks:
  - name: mutate.injected.example.com
    admissionReviewVersions: ["v1"]
    sideEffects: None
    clientConfig:
      service:
        name: injected-webhook
        namespace: webhook-system
      caBundle: ${b64(v.injected)}
`;
}

/** The values a version of the manifest holds (read with a YAML parser, not with the code under test). */
function valuesOf(text) {
  const docs = YAML.parseAllDocuments(text).map((d) => d.toJS());
  const tls = docs[3].data;
  return {
    rootCa: docs[0].data['ca.crt'],
    tlsCa: unb64(tls['ca.crt']),
    tlsCrt: unb64(tls['tls.crt']),
    tlsKey: unb64(tls['tls.key']),
    caBundle: unb64(docs[4].webhooks[0].clientConfig.caBundle),
    opaqueCa: docs[5].stringData['ca.crt'],
    injected: unb64(docs[6].webhooks[0].clientConfig.caBundle),
  };
}

async function snapshot(stage) {
  const dir = path.join(tmp, `snap-${stage}`);
  await cp(node, dir, { recursive: true });
  snaps[stage] = dir;
}

/** Writes a snapshot's webhook serving certificate and caBundle to files for openssl. */
async function webhookFiles(stage) {
  const v = valuesOf(await readFile(path.join(snaps[stage], MANIFEST), 'utf8'));
  const cert = path.join(tmp, `webhook-${stage}.crt`);
  const bundle = path.join(tmp, `cabundle-${stage}.crt`);
  await writeFile(cert, v.tlsCrt);
  await writeFile(bundle, v.caBundle);
  return { cert, bundle };
}

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-rotate-objects-'));
  node = path.join(tmp, 'node');
  await buildCluster(node, { advertiseAddress: '127.0.0.1', keyType: 'ecdsa-p256', reuseKeys: false });
  const ca = await readFile(path.join(node, PKI, 'ca.crt'), 'utf8');
  // The webhook's serving pair, signed by the cluster CA with openssl (as an install script would).
  const key = path.join(tmp, 'webhook.key');
  const csr = path.join(tmp, 'webhook.csr');
  const crt = path.join(tmp, 'webhook.crt');
  const ext = path.join(tmp, 'webhook.ext');
  await writeFile(
    ext,
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:policy-webhook.webhook-system.svc\n',
  );
  let r = openssl([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    key,
    '-out',
    csr,
    '-subj',
    '/CN=policy-webhook.webhook-system.svc',
  ]);
  assert.equal(r.status, 0, r.out);
  r = openssl([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    path.join(node, PKI, 'ca.crt'),
    '-CAkey',
    path.join(node, PKI, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '365',
    '-extfile',
    ext,
    '-out',
    crt,
  ]);
  assert.equal(r.status, 0, r.out);
  originalValues = {
    rootCa: ca,
    tlsCa: ca,
    // The serving certificate with its chain (the CA after it), as many install scripts write tls.crt.
    tlsCrt: (await readFile(crt, 'utf8')) + ca,
    tlsKey: await readFile(key, 'utf8'),
    caBundle: ca,
    opaqueCa: ca.trimEnd(),
    injected: ca,
  };
  original = manifest(originalValues);
  await mkdir(path.join(node, 'objects'));
  await writeFile(path.join(node, MANIFEST), original);
  assert.deepEqual(valuesOf(original), originalValues, 'the test reads back what it wrote');
  const check = cli(['check', 'node']);
  assert.equal(check.code, 0, check.stdout + check.stderr);
  await snapshot(0);
  for (const stage of [1, 2, 3]) {
    const out = cli(['rotate-ca', 'node', '--ca', 'cluster']);
    outputs[stage] = out;
    assert.equal(out.code, 0, `stage ${stage}:\n${out.stdout}${out.stderr}`);
    await snapshot(stage);
  }
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function stageValues(stage) {
  const text = await readFile(path.join(snaps[stage], MANIFEST), 'utf8');
  return { text, v: valuesOf(text) };
}

test('stage 1: kube-root-ca.crt, the caBundle and the Secrets ca.crt hold old + new; nothing else in the manifest changes', async () => {
  const oldCa = fingerprints(originalValues.rootCa)[0];
  const newCa = fingerprints(await readFile(path.join(snaps[1], PKI, 'ca-new.crt'), 'utf8'))[0];
  assert.notEqual(oldCa, newCa);
  const { text, v } = await stageValues(1);
  for (const k of ['rootCa', 'tlsCa', 'caBundle', 'opaqueCa']) assert.deepEqual(fingerprints(v[k]), [oldCa, newCa], k);
  assert.deepEqual(fingerprints(v.injected), [oldCa], 'the injected caBundle is left alone');
  assert.equal(v.tlsCrt, originalValues.tlsCrt, 'stage 1 re-issues nothing, and a leaf with its chain is no CA bundle');
  assert.equal(text, manifest(v), 'only the values changed: comments, quotes, key order and block scalars as written');
  assert.match(
    outputs[1].stdout,
    new RegExp(`replace node/${MANIFEST.replace('.', '\\.')} \\(0600\\): ConfigMap default/kube-root-ca\\.crt data\\.ca\\.crt: old CA`),
  );
  assert.match(outputs[1].stdout, /left to its controller: .*MutatingWebhookConfiguration injected-webhook is written at run time by cert-manager/);
  assert.match(outputs[1].stdout, /the objects of .*cluster-objects\.yaml: apply them to the cluster/);
  assert.equal(statSync(path.join(node, MANIFEST)).mode & 0o777, 0o600, 'a manifest holding a Secret key is written 0600');
});

test('stage 2: the webhook serving certificate in its Secret is re-issued by the new CA with its key kept; the bundles stay', async () => {
  const { text, v } = await stageValues(2);
  const before = await stageValues(1);
  const newCa = new X509Certificate(
    (await readFile(path.join(snaps[2], PKI, 'ca.crt'), 'utf8')).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/)[0],
  );
  const issued = new X509Certificate(v.tlsCrt);
  const was = new X509Certificate(originalValues.tlsCrt);
  assert.ok(issued.verify(newCa.publicKey), 'signed by the new CA');
  assert.equal(issued.subject, was.subject);
  assert.equal(issued.subjectAltName, was.subjectAltName);
  assert.ok(issued.publicKey.equals(was.publicKey), 'key kept');
  assert.deepEqual(fingerprints(v.tlsCrt).slice(1), [newCa.fingerprint256], 'its chain names the new CA');
  assert.equal(v.tlsKey, originalValues.tlsKey);
  for (const k of ['rootCa', 'tlsCa', 'caBundle', 'opaqueCa']) assert.equal(v[k], before.v[k], k);
  assert.equal(text, manifest(v));
  assert.match(
    outputs[2].stdout,
    /Secret webhook-system\/policy-webhook-tls data\.tls\.crt: CN=policy-webhook\.webhook-system\.svc.*issued by the new CA/,
  );
});

test('stage 3: the objects trust only the new CA; the injected caBundle is still untouched', async () => {
  const newCa = fingerprints(await readFile(path.join(snaps[3], PKI, 'ca.crt'), 'utf8'));
  assert.equal(newCa.length, 1);
  const { text, v } = await stageValues(3);
  for (const k of ['rootCa', 'tlsCa', 'caBundle', 'opaqueCa']) assert.deepEqual(fingerprints(v[k]), newCa, k);
  assert.deepEqual(fingerprints(v.injected), fingerprints(originalValues.rootCa));
  assert.equal(text, manifest(v));
  assert.match(outputs[3].stdout, /left to its controller: .*cert-manager/);
});

test('openssl verify: the webhook serving certificate against the caBundle at every stage and in every mix of neighbouring stages', async () => {
  const files = {};
  for (const s of [0, 1, 2, 3]) files[s] = await webhookFiles(s);
  const pairs = [];
  for (const s of [0, 1, 2, 3]) pairs.push([s, s]);
  for (const s of [1, 2, 3]) pairs.push([s - 1, s], [s, s - 1]);
  for (const [certStage, bundleStage] of pairs) {
    const r = openssl(['verify', '-purpose', 'sslserver', '-CAfile', files[bundleStage].bundle, files[certStage].cert]);
    assert.equal(r.status, 0, `serving certificate of stage ${certStage} against the caBundle of stage ${bundleStage}: ${r.out}`);
  }
  // The proof can fail: the original serving certificate against stage 3's caBundle (the old CA gone).
  const r = openssl(['verify', '-CAfile', files[3].bundle, files[0].cert]);
  assert.notEqual(r.status, 0, r.out);
});

test('a stage that would break the webhook is refused with the connection named', async () => {
  // Stage 3 on the stage-1 tree with the webhook's serving certificate re-issued by nobody: its caBundle would
  // lose the CA that signed it.
  const dir = path.join(tmp, 'skip');
  await cp(snaps[1], dir, { recursive: true });
  const r = spawnSync(process.execPath, [CLI, 'rotate-ca', 'skip', '--ca', 'cluster', '--stage', '3'], {
    cwd: tmp,
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /BREAKS kube-apiserver -> webhook "validate\.policy\.example\.com" \(ValidatingWebhookConfiguration policy-webhook\): the webhook's serving certificate \(Secret webhook-system\/policy-webhook-tls data\.tls\.crt\), verified by its caBundle/,
  );
  assert.match(r.stdout, /BREAKS pods \(ca\.crt from ConfigMap default\/kube-root-ca\.crt\) -> kube-apiserver/);
  assert.equal(await readFile(path.join(dir, MANIFEST), 'utf8'), await readFile(path.join(snaps[1], MANIFEST), 'utf8'), 'nothing written');
});
