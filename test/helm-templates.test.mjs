// Helm templates: an object whose metadata.name or namespace a template fills in has no name before the
// chart is rendered. Nothing relates to it, no message prints its name (empty or `{{ }}`), a literal
// issuerRef such an Issuer may render to is not issuer-not-found, an issuerRef that is itself templated is
// not judged, and the inventory (buildInventory, `kube-pki expiration -o json`) never names it. A template
// whose text does not parse as YAML stays silent.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { E, g, b64, tempDir, write, checkTree, summary, lineOf, cleanup } from './helpers/engine.mjs';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const dirs = [];
let ca;
let serving;
after(() => dirs.forEach(cleanup));
before(async () => {
  ca = await g.issueCertificate({ commonName: 'chart-ca', isCA: true, keyType: 'ecdsa-p256' });
  serving = await g.issueCertificate({
    commonName: 'webhook',
    issuer: ca,
    keyType: 'ecdsa-p256',
    extKeyUsage: ['serverAuth'],
    dnsNames: ['other.example.com'],
  });
});

const lines = (...l) => [...l, ''].join('\n');

/** A chart (Chart.yaml, templates/) and, beside it, plain manifests with a real ClusterIssuer. */
function chartTree(extra = {}) {
  const d = tempDir('kube-pki-helm-');
  dirs.push(d);
  const files = {
    'chart/Chart.yaml': lines('apiVersion: v2', 'name: x', 'version: 0.1.0'),
    // A bare `{{ }}` reads as a flow mapping: the Issuer's name is no text at all.
    'chart/templates/issuer.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: Issuer',
      'metadata:',
      '  name: {{ include "x.fullname" . }}',
      '  namespace: {{ .Release.Namespace }}',
      'spec:',
      '  selfSigned: {}',
    ),
    'chart/templates/ca-issuer.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: ClusterIssuer',
      'metadata:',
      `  name: '{{ include "x.fullname" . }}-ca'`,
      'spec:',
      '  ca:',
      `    secretName: '{{ include "x.fullname" . }}-ca'`,
    ),
    // issuerRef, secretName and dnsNames from the chart's values: nothing to judge before rendering.
    'chart/templates/certificate.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      `  name: '{{ include "x.fullname" . }}-serving'`,
      `  namespace: '{{ .Release.Namespace }}'`,
      'spec:',
      `  secretName: '{{ include "x.fullname" . }}-tls'`,
      '  dnsNames:',
      `  - 'x.{{ .Release.Namespace }}.svc'`,
      '  issuerRef:',
      `    name: '{{ include "x.fullname" . }}'`,
      '    kind: Issuer',
    ),
    'chart/templates/certificate-kind.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      '  name: kind-from-values',
      'spec:',
      '  secretName: kind-tls',
      '  issuerRef:',
      '    name: anything',
      '    kind: {{ .Values.issuer.kind }}',
    ),
    // A literal issuerRef the chart's templated ClusterIssuer may render to ("<release>-x-ca").
    'chart/templates/certificate-literal.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      '  name: literal-ref',
      'spec:',
      '  secretName: literal-tls',
      '  issuerRef:',
      '    name: prod-x-ca',
      '    kind: ClusterIssuer',
    ),
    // Not YAML until rendered: silent.
    'chart/templates/broken.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: Issuer',
      'metadata:',
      '  name: {{ include "x.fullname" . }}-selfsigned',
      '  labels:',
      '    {{- include "x.labels" . | nindent 4 }}',
      'spec:',
      '  selfSigned: {}',
    ),
    // The chart ships its CA in a Secret whose name and namespace are the release's.
    'chart/templates/ca-secret.yaml': lines(
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      `  name: '{{ include "x.fullname" . }}-ca'`,
      '  namespace: {{ .Release.Namespace }}',
      'data:',
      `  ca.crt: ${b64(ca.certPem)}`,
    ),
    // A Certificate and a Secret with the same templated namespace and name text.
    'chart/templates/webhook-cert.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      '  name: webhook',
      `  namespace: '{{ .Release.Namespace }}'`,
      'spec:',
      '  secretName: webhook-tls',
      '  dnsNames:',
      '  - webhook.example.com',
      '  issuerRef:',
      '    name: real-issuer',
      '    kind: ClusterIssuer',
    ),
    'chart/templates/webhook-secret.yaml': lines(
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: webhook-tls',
      `  namespace: '{{ .Release.Namespace }}'`,
      'type: kubernetes.io/tls',
      'data:',
      `  tls.crt: ${b64(serving.certPem)}`,
      `  tls.key: ${b64(serving.key.privateKeyPem)}`,
    ),
    'manifests/issuers.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: ClusterIssuer',
      'metadata:',
      '  name: real-issuer',
      'spec:',
      '  selfSigned: {}',
    ),
    // A plain Certificate naming an issuer nobody defines.
    'manifests/web.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      '  name: web',
      '  namespace: apps',
      'spec:',
      '  secretName: web-tls',
      '  dnsNames: [web.example.com]',
      '  issuerRef:',
      '    name: letsencrypt-prod',
      '    kind: ClusterIssuer',
    ),
    ...extra,
  };
  const paths = {};
  for (const [name, text] of Object.entries(files)) paths[name] = write(d, name, text);
  const { engine, findings } = checkTree(d);
  return { d, paths, engine, findings };
}

const noTemplateOrEmptyName = (text) => {
  assert.doesNotMatch(text, /\{\{|\}\}/, text);
  assert.doesNotMatch(text, /(Issuer|Secret|Certificate) ?[,)]/, text);
  assert.doesNotMatch(text, /\/[,) ]|\/$/, text);
};

test("the only finding is the plain Certificate's issuer-not-found, and it lists the named issuers only", () => {
  const { d, paths, findings } = chartTree();
  assert.deepEqual(summary(findings, d), [`manifests/web.yaml:${lineOf(paths['manifests/web.yaml'], 'letsencrypt-prod')} issuer-not-found`]);
  const [f] = findings;
  assert.match(f.message, /\(ClusterIssuer real-issuer\)/);
  for (const m of [f.message, ...(f.related ?? []).map((r) => r.message)]) noTemplateOrEmptyName(m);
});

test('a literal issuerRef no templated issuer can render to is still issuer-not-found', () => {
  const extra = {
    'chart/templates/certificate-other.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      '  name: other',
      'spec:',
      '  secretName: other-tls',
      '  issuerRef:',
      '    name: prod-x-root',
      '    kind: ClusterIssuer',
    ),
  };
  const { d, paths, findings } = chartTree(extra);
  const file = 'chart/templates/certificate-other.yaml';
  assert.ok(summary(findings, d).includes(`${file}:${lineOf(paths[file], 'prod-x-root')} issuer-not-found`), summary(findings, d).join('\n'));
  for (const f of findings) noTemplateOrEmptyName(f.message);
});

test('the inventory and `kube-pki expiration -o json` never name a templated object', () => {
  const { d, engine } = chartTree();
  const inv = E.buildInventory(engine, { roots: [d] });
  const chartCA = inv.certificates.find((c) => c.commonName === 'chart-ca');
  assert.ok(chartCA, 'the CA the chart ships is in the inventory');
  assert.deepEqual(
    chartCA.references.map((r) => r.object),
    [{ kind: 'Secret', templated: true }],
  );
  // A literal name in a namespace a template fills in is still its name.
  const webhook = inv.certificates.find((c) => c.commonName === 'webhook');
  assert.equal(webhook.role, 'Secret webhook-tls tls.crt');
  assert.deepEqual(
    webhook.references.map((r) => r.object),
    [{ kind: 'Secret', name: 'webhook-tls', templated: true }],
  );
  for (const c of inv.certificates) noTemplateOrEmptyName(`${c.role ?? ''} ${c.component ?? ''}`);
  const json = spawnSync(process.execPath, [CLI, 'expiration', d, '-o', 'json'], { encoding: 'utf8' });
  assert.equal(json.status, 0, json.stderr);
  const out = JSON.parse(json.stdout);
  for (const c of out.certificates) {
    noTemplateOrEmptyName(`${c.role ?? ''} ${c.component ?? ''}`);
    for (const r of c.references) if (r.object?.name !== undefined) noTemplateOrEmptyName(r.object.name);
  }
  const table = spawnSync(process.execPath, [CLI, 'expiration', d], { encoding: 'utf8' });
  assert.match(table.stdout, /chart\/templates\/ca-secret\.yaml \(Secret named by a template\)/);
  assert.match(table.stdout, /chart\/templates\/webhook-secret\.yaml \(Secret webhook-tls in a namespace set by a template\)/);
  assert.doesNotMatch(table.stdout, /\{\{/);
});

// ${VAR} anywhere in a value is substituted before the object reaches the cluster (envsubst, Flux's Kustomization
// postBuild): as much a template as Helm's `{{ }}`, whether it is the whole value or a part of it.
test('${VAR} in part of a value is a template: an issuerRef, an issuer name, a dnsName and a webhook name with one are never judged as written', () => {
  const d = tempDir('kube-pki-subst-');
  dirs.push(d);
  const files = {
    'issuers.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: ClusterIssuer',
      'metadata:',
      '  name: real-issuer',
      'spec:',
      '  selfSigned: {}',
      '---',
      'apiVersion: cert-manager.io/v1',
      'kind: Issuer',
      'metadata:',
      '  name: ca-${CLUSTER_ENV}',
      '  namespace: apps',
      'spec:',
      '  selfSigned: {}',
    ),
    // issuerRef written with a substitution: which issuer is meant is known once it is filled in.
    'cert-subst-ref.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      '  name: api',
      '  namespace: apps',
      'spec:',
      '  secretName: api-tls',
      '  issuerRef:',
      '    name: ca-${CLUSTER_ENV}',
      '    kind: ClusterIssuer',
    ),
    // A literal issuerRef the Issuer "ca-${CLUSTER_ENV}" may be, once substituted.
    'cert-literal-ref.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      '  name: web',
      '  namespace: apps',
      'spec:',
      '  secretName: web-tls',
      '  dnsNames: [web.example.com]',
      '  issuerRef:',
      '    name: ca-prod',
      '    kind: Issuer',
    ),
    // The webhook's serving Certificate names its Service through a substitution; cainjector reads it.
    'webhook-cert.yaml': lines(
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      '  name: hook-serving',
      '  namespace: hooks',
      'spec:',
      '  secretName: hook-tls',
      '  dnsNames:',
      '  - hook.${HOOK_NAMESPACE}.svc',
      '  issuerRef:',
      '    name: real-issuer',
      '    kind: ClusterIssuer',
    ),
    'webhook.yaml': lines(
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingWebhookConfiguration',
      'metadata:',
      '  name: hook',
      '  annotations:',
      '    cert-manager.io/inject-ca-from: hooks/hook-serving',
      'webhooks:',
      '- name: ${HOOK_PREFIX}.example.com',
      '  clientConfig:',
      '    service:',
      '      name: hook',
      '      namespace: hooks',
    ),
  };
  for (const [name, text] of Object.entries(files)) write(d, name, text);
  const { findings } = checkTree(d);
  assert.deepEqual(
    findings.map((f) => `${path.relative(d, f.file)} ${f.code}: ${f.message}`),
    [],
  );
  // The same Certificate with a literal name that misses the Service: san-missing, as before.
  write(d, 'webhook-cert.yaml', files['webhook-cert.yaml'].replace('hook.${HOOK_NAMESPACE}.svc', 'hook.elsewhere.svc'));
  const again = checkTree(d).findings;
  assert.deepEqual(summary(again, d), [`webhook-cert.yaml:${lineOf(path.join(d, 'webhook-cert.yaml'), 'dnsNames:')} san-missing`]);
  // The webhook's label in the message: no "${" printed as if it were its name.
  assert.match(again[0].message, /hook\.hooks\.svc \(a webhook of ValidatingWebhookConfiguration hook\)/);
});
