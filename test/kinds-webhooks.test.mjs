// Admission webhooks, APIServices and CRD conversion webhooks: the caBundle must hold a CA (or the
// server's self-signed certificate) and be valid; when the workspace holds the Secret the server presents
// (through the Deployment the Service selects, or a cert-manager Certificate for the Service's name), that
// certificate must chain to the caBundle (cabundle-mismatch) and name <service>.<namespace>.svc, the
// name kube-apiserver dials (san-missing), reported on the caBundle line with the Secret as related.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { E, g, b64, tempDir, write, checkTree, summary, lineOf, cleanup } from './helpers/engine.mjs';

let ca;
let otherCa;
let good;
let noSvcName;
let selfSigned;
let expiredCa;
const DAY = 86_400_000;
const dirs = [];

before(async () => {
  ca = await g.issueCertificate({ commonName: 'webhook-ca', isCA: true, keyType: 'ecdsa-p256' });
  otherCa = await g.issueCertificate({ commonName: 'other-ca', isCA: true, keyType: 'ecdsa-p256' });
  good = await g.issueCertificate({
    commonName: 'policy',
    issuer: ca,
    keyType: 'ecdsa-p256',
    extKeyUsage: ['serverAuth'],
    dnsNames: ['policy', 'policy.policy-system', 'policy.policy-system.svc'],
  });
  noSvcName = await g.issueCertificate({
    commonName: 'policy',
    issuer: ca,
    keyType: 'ecdsa-p256',
    extKeyUsage: ['serverAuth'],
    dnsNames: ['policy.policy-system.svc.cluster.local'],
  });
  selfSigned = await g.issueCertificate({
    commonName: 'hook.example.com',
    keyType: 'ecdsa-p256',
    extKeyUsage: ['serverAuth'],
    dnsNames: ['hook.example.com'],
  });
  const now = Date.now();
  expiredCa = await g.issueCertificate({
    commonName: 'old-ca',
    isCA: true,
    keyType: 'ecdsa-p256',
    notBefore: new Date(now - 400 * DAY),
    notAfter: new Date(now - DAY),
  });
});
after(() => dirs.forEach(cleanup));

function webhookConfig({ caBundle, service = true, url, annotations = '', kind = 'ValidatingWebhookConfiguration', failurePolicy } = {}) {
  return [
    'apiVersion: admissionregistration.k8s.io/v1',
    `kind: ${kind}`,
    'metadata:',
    '  name: policy',
    ...(annotations ? ['  annotations:', `    ${annotations}`] : []),
    'webhooks:',
    '- name: validate.policy.example.com',
    '  admissionReviewVersions: [v1]',
    '  sideEffects: None',
    ...(failurePolicy ? [`  failurePolicy: ${failurePolicy}`] : []),
    '  clientConfig:',
    ...(caBundle !== undefined ? [`    caBundle: ${caBundle}`] : []),
    ...(service ? ['    service:', '      name: policy', '      namespace: policy-system', '      path: /validate'] : []),
    ...(url ? [`    url: ${url}`] : []),
    '',
  ].join('\n');
}

const serviceYaml = [
  'apiVersion: v1',
  'kind: Service',
  'metadata:',
  '  name: policy',
  '  namespace: policy-system',
  'spec:',
  '  selector:',
  '    app: policy',
  '  ports:',
  '  - port: 443',
  '    targetPort: 9443',
  '',
].join('\n');

const deploymentYaml = [
  'apiVersion: apps/v1',
  'kind: Deployment',
  'metadata:',
  '  name: policy',
  '  namespace: policy-system',
  'spec:',
  '  selector:',
  '    matchLabels: {app: policy}',
  '  template:',
  '    metadata:',
  '      labels:',
  '        app: policy',
  '        tier: control',
  '    spec:',
  '      containers:',
  '      - name: server',
  '        image: example/policy:1.0',
  '        volumeMounts: [{name: certs, mountPath: /certs, readOnly: true}]',
  '      volumes:',
  '      - name: certs',
  '        secret:',
  '          secretName: policy-tls',
  '',
].join('\n');

function secretYaml(issued, name = 'policy-tls') {
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${name}`,
    '  namespace: policy-system',
    'type: kubernetes.io/tls',
    'data:',
    `  tls.crt: ${b64(issued.certPem)}`,
    `  tls.key: ${b64(issued.key.privateKeyPem)}`,
    '',
  ].join('\n');
}

/** A workspace of files (name -> text); returns its findings, by "file:line code", and the parts. */
function tree(files, options = {}) {
  const d = tempDir('kube-pki-webhooks-');
  dirs.push(d);
  const paths = {};
  for (const [name, text] of Object.entries(files)) paths[name] = write(d, name, text);
  const { engine, findings } = checkTree(d, options);
  return { d, paths, engine, findings, lines: summary(findings, d) };
}

describe('webhooks: caBundle and the serving Secret', () => {
  test('healthy: Service -> Deployment -> Secret, chained and named: no finding at all', () => {
    const r = tree({
      'hook.yaml': webhookConfig({ caBundle: b64(ca.certPem) }),
      'svc.yaml': serviceYaml,
      'deploy.yaml': deploymentYaml,
      'secret.yaml': secretYaml(good),
    });
    assert.deepEqual(r.lines, []);
    assert.ok(r.engine.isRecognised(r.paths['hook.yaml']));
  });

  test("cabundle-mismatch on the caBundle line, related: the Secret's tls.crt and the volume that mounts it", () => {
    const r = tree({
      'hook.yaml': webhookConfig({ caBundle: b64(otherCa.certPem) }),
      'svc.yaml': serviceYaml,
      'deploy.yaml': deploymentYaml,
      'secret.yaml': secretYaml(good),
    });
    assert.deepEqual(r.lines, [`hook.yaml:${lineOf(r.paths['hook.yaml'], 'caBundle:')} cabundle-mismatch`]);
    const f = r.findings[0];
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /^caBundle of webhook "validate\.policy\.example\.com" \(ValidatingWebhookConfiguration policy\) holds CN=other-ca, which does not verify the serving certificate in Secret policy-system\/policy-tls \(CN=policy, issued by CN=webhook-ca\): the apiserver refuses the TLS handshake \("x509: certificate signed by unknown authority.*"\), so every request it intercepts is rejected/,
    );
    assert.deepEqual(
      f.related.map((x) => `${x.file.slice(r.d.length + 1)}:${x.range.start.line + 1}`),
      [`secret.yaml:${lineOf(r.paths['secret.yaml'], 'tls.crt:')}`, `deploy.yaml:${lineOf(r.paths['deploy.yaml'], 'secretName:')}`],
    );
  });

  test('san-missing: the serving certificate lacks <service>.<namespace>.svc (the name the apiserver dials)', () => {
    const r = tree({
      'hook.yaml': webhookConfig({ caBundle: b64(ca.certPem) }),
      'svc.yaml': serviceYaml,
      'deploy.yaml': deploymentYaml,
      'secret.yaml': secretYaml(noSvcName),
    });
    assert.deepEqual(r.lines, [`hook.yaml:${lineOf(r.paths['hook.yaml'], 'caBundle:')} san-missing`]);
    assert.match(
      r.findings[0].message,
      /^webhook "validate\.policy\.example\.com" \(ValidatingWebhookConfiguration policy\): the apiserver dials policy\.policy-system\.svc \(service policy-system\/policy\), but the serving certificate in Secret policy-system\/policy-tls \(CN=policy\) is valid for policy\.policy-system\.svc\.cluster\.local: the handshake fails with "x509: certificate is valid for policy\.policy-system\.svc\.cluster\.local, not policy\.policy-system\.svc".*Add policy\.policy-system\.svc to the certificate's SANs\.$/,
    );
  });

  test("the message says what the webhook's failurePolicy makes of it: rejected (Fail, the v1 default) or silently skipped (Ignore)", () => {
    const parts = { 'svc.yaml': serviceYaml, 'deploy.yaml': deploymentYaml, 'secret.yaml': secretYaml(noSvcName) };
    const byDefault = tree({ 'hook.yaml': webhookConfig({ caBundle: b64(ca.certPem) }), ...parts }).findings[0].message;
    const fail = tree({ 'hook.yaml': webhookConfig({ caBundle: b64(ca.certPem), failurePolicy: 'Fail' }), ...parts }).findings[0].message;
    const ignore = tree({ 'hook.yaml': webhookConfig({ caBundle: b64(ca.certPem), failurePolicy: 'Ignore' }), ...parts }).findings[0].message;
    assert.match(byDefault, /so every request it intercepts is rejected \(failurePolicy: Fail\)\. Add/);
    assert.equal(fail, byDefault);
    assert.match(ignore, /so every request it intercepts passes unchecked \(failurePolicy: Ignore\): the webhook silently does nothing\. Add/);
  });

  test('eku-missing: a serving certificate made for clients only', async () => {
    const clientOnly = await g.issueCertificate({
      commonName: 'policy',
      issuer: ca,
      keyType: 'ecdsa-p256',
      extKeyUsage: ['clientAuth'],
      dnsNames: ['policy.policy-system.svc'],
    });
    const r = tree({
      'hook.yaml': webhookConfig({ caBundle: b64(ca.certPem) }),
      'svc.yaml': serviceYaml,
      'deploy.yaml': deploymentYaml,
      'secret.yaml': secretYaml(clientOnly),
    });
    assert.deepEqual(r.lines, [`hook.yaml:${lineOf(r.paths['hook.yaml'], 'caBundle:')} eku-missing`]);
    assert.match(
      r.findings[0].message,
      /^webhook "validate\.policy\.example\.com" \(ValidatingWebhookConfiguration policy\): the serving certificate in Secret policy-system\/policy-tls \(CN=policy\) lacks the serverAuth extended key usage \(it has: clientAuth\): the apiserver refuses it/,
    );
  });

  test('no relation, no verdict: a Service selecting other pods, or a Secret in another namespace, stays silent', () => {
    const otherPods = serviceYaml.replace('app: policy', 'app: someone-else');
    let r = tree({
      'hook.yaml': webhookConfig({ caBundle: b64(otherCa.certPem) }),
      'svc.yaml': otherPods,
      'deploy.yaml': deploymentYaml,
      'secret.yaml': secretYaml(good),
    });
    assert.deepEqual(r.lines, []);
    r = tree({
      'hook.yaml': webhookConfig({ caBundle: b64(otherCa.certPem) }),
      'svc.yaml': serviceYaml,
      'deploy.yaml': deploymentYaml,
      'secret.yaml': secretYaml(good).replace('namespace: policy-system', 'namespace: elsewhere'),
    });
    assert.deepEqual(r.lines, []);
  });

  test('caBundle shape: a leaf is not-a-ca, a self-signed leaf is fine, an expired CA is cert-expired, garbage and a private key are pem-invalid', () => {
    let r = tree({ 'hook.yaml': webhookConfig({ caBundle: b64(good.certPem) }) });
    assert.deepEqual(r.lines, [`hook.yaml:${lineOf(r.paths['hook.yaml'], 'caBundle:')} not-a-ca`]);
    assert.match(
      r.findings[0].message,
      /^caBundle of webhook "validate\.policy\.example\.com" \(ValidatingWebhookConfiguration policy\) holds CN=policy, which is neither a CA nor self-signed: the apiserver can verify only that very certificate/,
    );
    r = tree({ 'hook.yaml': webhookConfig({ caBundle: b64(selfSigned.certPem), service: false, url: 'https://hook.example.com:8443/validate' }) });
    assert.deepEqual(r.lines, []);
    r = tree({ 'hook.yaml': webhookConfig({ caBundle: b64(expiredCa.certPem) }) });
    assert.deepEqual(r.lines, [`hook.yaml:${lineOf(r.paths['hook.yaml'], 'caBundle:')} cert-expired`]);
    assert.match(r.findings[0].message, /^CN=old-ca expired on .*: nothing that chains to it verifies any more\.$/);
    r = tree({ 'hook.yaml': webhookConfig({ caBundle: 'Zm9v!!' }) });
    assert.deepEqual(
      r.findings.map((f) => `${f.code}: ${f.message}`),
      ['pem-invalid: caBundle is not valid base64: the apiserver and kubectl refuse it ("illegal base64 data at input byte 4")'],
    );
    r = tree({ 'hook.yaml': webhookConfig({ caBundle: b64(good.key.privateKeyPem) }) });
    assert.deepEqual(
      r.findings.map((f) => `${f.code}: ${f.message}`),
      ['pem-invalid: caBundle holds no usable CERTIFICATE block, but a CA certificate is expected (found EC PRIVATE KEY)'],
    );
    const body = good.key.privateKeyPem.split('\n')[1];
    assert.ok(!r.findings[0].message.includes(body.slice(0, 12)));
    // The placeholder kubebuilder scaffolds (base64 of a newline) is no CA to judge, with or without the annotation.
    r = tree({ 'hook.yaml': webhookConfig({ caBundle: 'Cg==' }) });
    assert.deepEqual(
      r.findings.map((f) => f.code),
      [],
    );
  });

  test('url: webhooks: the self-signed certificate in caBundle must name the url host; no service lookup', () => {
    const r = tree({
      'hook.yaml': webhookConfig({ caBundle: b64(selfSigned.certPem), service: false, url: 'https://10.0.0.7:8443/validate' }),
      'svc.yaml': serviceYaml,
      'deploy.yaml': deploymentYaml,
      'secret.yaml': secretYaml(good),
    });
    assert.deepEqual(r.lines, [`hook.yaml:${lineOf(r.paths['hook.yaml'], 'caBundle:')} san-missing`]);
    assert.match(r.findings[0].message, /the apiserver dials 10\.0\.0\.7 \(url https:\/\/10\.0\.0\.7:8443\/validate\)/);
    assert.match(r.findings[0].message, /x509: cannot validate certificate for 10\.0\.0\.7 because it doesn't contain any IP SANs/);
  });

  test('no caBundle: a warning where the workspace holds the serving Secret; none without it, none with cert-manager.io/inject-ca-from', () => {
    const serving = { 'svc.yaml': serviceYaml, 'deploy.yaml': deploymentYaml, 'secret.yaml': secretYaml(good) };
    let r = tree({ 'hook.yaml': webhookConfig({}), ...serving });
    assert.deepEqual(r.lines, [`hook.yaml:${lineOf(r.paths['hook.yaml'], 'clientConfig:')} cabundle-missing`]);
    assert.equal(r.findings[0].severity, 'warning');
    assert.match(
      r.findings[0].message,
      /^webhook "validate\.policy\.example\.com" \(ValidatingWebhookConfiguration policy\) has no caBundle, and nothing in the workspace fills it .*: the apiserver verifies policy\.policy-system\.svc with the system trust roots of the control-plane host, which kube-pki cannot see\./,
    );
    // An empty caBundle is no caBundle.
    r = tree({ 'hook.yaml': webhookConfig({ caBundle: '' }), ...serving });
    assert.deepEqual(r.lines, [`hook.yaml:${lineOf(r.paths['hook.yaml'], 'clientConfig:')} cabundle-missing`]);
    // What the server presents is not in the workspace: nothing known to say.
    r = tree({ 'hook.yaml': webhookConfig({}) });
    assert.deepEqual(r.lines, []);
    r = tree({ 'hook.yaml': webhookConfig({ annotations: 'cert-manager.io/inject-ca-from: policy-system/policy-cert' }), ...serving });
    assert.deepEqual(r.lines, []);
    // A placeholder caBundle that cainjector overwrites is not judged.
    r = tree({
      'hook.yaml': webhookConfig({ caBundle: 'Cg==', annotations: 'cert-manager.io/inject-ca-from: policy-system/policy-cert' }),
      ...serving,
    });
    assert.deepEqual(r.lines, []);
  });

  test("inject-ca-from: the Certificate's Secret must name the service (san-missing on the annotation)", () => {
    const certificate = [
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata: {name: policy-cert, namespace: policy-system}',
      'spec:',
      '  secretName: policy-tls',
      '  dnsNames: [policy.policy-system.svc]',
      '  issuerRef: {name: selfsigned, kind: ClusterIssuer}',
      '',
    ].join('\n');
    const r = tree({
      'hook.yaml': webhookConfig({ annotations: 'cert-manager.io/inject-ca-from: policy-system/policy-cert' }),
      'cert.yaml': certificate,
      'secret.yaml': secretYaml(noSvcName),
    });
    // The stale Secret is also the Certificate's business (secret-stale there).
    assert.deepEqual(r.lines, [
      `cert.yaml:${lineOf(r.paths['cert.yaml'], 'secretName:')} secret-stale`,
      `hook.yaml:${lineOf(r.paths['hook.yaml'], 'inject-ca-from')} san-missing`,
    ]);
  });

  test('Helm templates stay silent', () => {
    const text = webhookConfig({ caBundle: '"{{ .Values.webhook.caBundle }}"' });
    const secret = secretYaml(good)
      .replace(/tls\.crt: .*/, 'tls.crt: {{ .Values.tls.crt | b64enc }}')
      .replace(/tls\.key: .*/, "tls.key: '{{ .Values.tls.key | b64enc }}'");
    const unquoted = webhookConfig({ caBundle: '{{ .Values.webhook.caBundle }}' }).replace('name: policy\n', 'name: policy-unquoted\n');
    const r = tree({ 'templates/hook.yaml': text, 'templates/secret.yaml': secret, 'templates/hook2.yaml': unquoted });
    assert.deepEqual(r.lines, []);
  });

  test('recognition stays cheap: a 2 MB CRD without a conversion webhook is not parsed; one with it is read', () => {
    const props = Array.from(
      { length: 30000 },
      (_, i) => `              field${i}: {type: string, description: "a field of the widget schema, number ${i}"}`,
    ).join('\n');
    const crd = (conversion, properties = props) =>
      [
        'apiVersion: apiextensions.k8s.io/v1',
        'kind: CustomResourceDefinition',
        'metadata: {name: widgets.example.com}',
        'spec:',
        ...conversion,
        '  versions:',
        '  - name: v1',
        '    schema:',
        '      openAPIV3Schema:',
        '        type: object',
        '        properties:',
        '          spec:',
        '            properties:',
        properties,
        '',
      ].join('\n');
    const hook = [
      '  conversion:',
      '    strategy: Webhook',
      '    webhook:',
      '      clientConfig:',
      `        caBundle: ${b64(ca.certPem)}`,
      '        service: {name: w, namespace: x}',
    ];
    const plain = crd([]);
    assert.ok(plain.length > 2_000_000);
    assert.equal(E.parseFile('/crd.yaml', plain).recognised, false);
    // Whether the YAML was parsed shows in what parsing notes: a document with a syntax error (one flow mapping
    // left open, deep in the schema) is `unread`. Without a conversion webhook the text test decides before any
    // parsing, so nothing is noted; with one the same text is parsed, and the error is noted.
    const broken = props.replace('number 15000"}', 'number 15000"');
    assert.deepEqual(E.parseFile('/crd.yaml', crd([], broken)).unread, [], 'decided from the text, not parsed');
    assert.equal(E.parseFile('/crd.yaml', crd(hook, broken)).unread.length, 1, 'with a conversion webhook it is parsed');
    const withHook = crd(hook);
    const parsed = E.parseFile('/crd.yaml', withHook);
    assert.equal(parsed.recognised, true);
    assert.deepEqual(
      parsed.units.map((u) => [u.kind, u.clients.length]),
      [['webhook', 1]],
    );
  });
});

describe('APIService and CRD conversion webhooks', () => {
  const certificate = (dns) =>
    [
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      '  name: metrics',
      '  namespace: monitoring',
      'spec:',
      '  secretName: metrics-tls',
      '  dnsNames:',
      ...dns.map((d) => `  - ${d}`),
      '  issuerRef: {name: ca, kind: ClusterIssuer}',
      '',
    ].join('\n');
  const apiService = (caBundle) =>
    [
      'apiVersion: apiregistration.k8s.io/v1',
      'kind: APIService',
      'metadata:',
      '  name: v1beta1.metrics.k8s.io',
      'spec:',
      '  group: metrics.k8s.io',
      '  version: v1beta1',
      '  groupPriorityMinimum: 100',
      '  versionPriority: 100',
      '  service:',
      '    name: metrics',
      '    namespace: monitoring',
      `  caBundle: ${caBundle}`,
      '',
    ].join('\n');

  test('APIService: the serving Secret found through a cert-manager Certificate for the service name; cabundle-mismatch', async () => {
    const served = await g.issueCertificate({ commonName: 'metrics', issuer: ca, keyType: 'ecdsa-p256', dnsNames: ['metrics.monitoring.svc'] });
    const secret = secretYaml(served, 'metrics-tls').replace('namespace: policy-system', 'namespace: monitoring');
    let r = tree({ 'api.yaml': apiService(b64(ca.certPem)), 'cert.yaml': certificate(['metrics.monitoring.svc']), 'secret.yaml': secret });
    assert.deepEqual(r.lines, []);
    r = tree({ 'api.yaml': apiService(b64(otherCa.certPem)), 'cert.yaml': certificate(['metrics.monitoring.svc']), 'secret.yaml': secret });
    assert.deepEqual(r.lines, [`api.yaml:${lineOf(r.paths['api.yaml'], 'caBundle:')} cabundle-mismatch`]);
    assert.match(
      r.findings[0].message,
      /^caBundle of APIService v1beta1\.metrics\.k8s\.io holds CN=other-ca, which does not verify the serving certificate in Secret monitoring\/metrics-tls \(CN=metrics, issued by CN=webhook-ca\): .*the aggregated API is unavailable/,
    );
    // A local APIService (no service) is nothing to check; insecureSkipTLSVerify verifies nothing.
    r = tree({
      'local.yaml': 'apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata: {name: v1.apps}\nspec: {group: apps, version: v1}\n',
    });
    assert.deepEqual(r.lines, []);
    assert.equal(r.engine.isRecognised(r.paths['local.yaml']), false);
    // insecureSkipTLSVerify: the caBundle is not used (no cabundle-mismatch), and the backend goes unverified.
    r = tree({
      'api.yaml': apiService(b64(otherCa.certPem)).replace('  caBundle:', '  insecureSkipTLSVerify: true\n  caBundle:'),
      'cert.yaml': certificate(['metrics.monitoring.svc']),
      'secret.yaml': secret,
    });
    assert.deepEqual(r.lines, [`api.yaml:${lineOf(r.paths['api.yaml'], 'insecureSkipTLSVerify')} tls-unverified`]);
  });

  test('APIService with insecureSkipTLSVerify: tls-unverified on that line when the workspace holds the serving certificate; nothing when the backend makes its own at start', async () => {
    const served = await g.issueCertificate({ commonName: 'metrics', issuer: ca, keyType: 'ecdsa-p256', dnsNames: ['metrics.monitoring.svc'] });
    const secret = secretYaml(served, 'metrics-tls').replace('namespace: policy-system', 'namespace: monitoring');
    const insecure = apiService('').replace('  caBundle: \n', '  insecureSkipTLSVerify: true\n');
    let r = tree({ 'api.yaml': insecure, 'cert.yaml': certificate(['metrics.monitoring.svc']), 'secret.yaml': secret });
    assert.deepEqual(r.lines, [`api.yaml:${lineOf(r.paths['api.yaml'], 'insecureSkipTLSVerify')} tls-unverified`]);
    assert.equal(r.findings[0].severity, 'warning');
    assert.match(
      r.findings[0].message,
      /^APIService v1beta1\.metrics\.k8s\.io sets insecureSkipTLSVerify: the apiserver does not verify the certificate its backend presents.*CN=metrics.*Secret monitoring\/metrics-tls: put the CA that issued it in caBundle/,
    );
    // As metrics-server's release ships it: the server makes a self-signed certificate at start, nothing to verify with.
    r = tree({ 'api.yaml': insecure });
    assert.deepEqual(r.lines, []);
  });

  test('CRD conversion webhook (spec.conversion.webhook.clientConfig): caBundle shape and serving Secret', () => {
    const crd = (caBundle) =>
      [
        'apiVersion: apiextensions.k8s.io/v1',
        'kind: CustomResourceDefinition',
        'metadata:',
        '  name: widgets.example.com',
        'spec:',
        '  group: example.com',
        '  names: {kind: Widget, plural: widgets}',
        '  scope: Namespaced',
        '  versions: [{name: v1, served: true, storage: true}]',
        '  conversion:',
        '    strategy: Webhook',
        '    webhook:',
        '      conversionReviewVersions: [v1]',
        '      clientConfig:',
        `        caBundle: ${caBundle}`,
        '        service: {name: policy, namespace: policy-system, path: /convert}',
        '',
      ].join('\n');
    let r = tree({ 'crd.yaml': crd(b64(ca.certPem)), 'svc.yaml': serviceYaml, 'deploy.yaml': deploymentYaml, 'secret.yaml': secretYaml(noSvcName) });
    assert.deepEqual(r.lines, [`crd.yaml:${lineOf(r.paths['crd.yaml'], 'caBundle:')} san-missing`]);
    assert.match(
      r.findings[0].message,
      /^the conversion webhook of CustomResourceDefinition widgets\.example\.com: the apiserver dials policy\.policy-system\.svc/,
    );
    r = tree({ 'crd.yaml': crd(b64(ca.certPem)), 'svc.yaml': serviceYaml, 'deploy.yaml': deploymentYaml, 'secret.yaml': secretYaml(good) });
    assert.deepEqual(r.lines, []);
  });
});

describe('dependencies', () => {
  test('editing the Secret re-checks the webhook configuration', async () => {
    const r = tree({
      'hook.yaml': webhookConfig({ caBundle: b64(ca.certPem) }),
      'svc.yaml': serviceYaml,
      'deploy.yaml': deploymentYaml,
      'secret.yaml': secretYaml(good),
    });
    const hook = r.paths['hook.yaml'];
    assert.deepEqual(r.engine.check(hook), []);
    const stranger = await g.issueCertificate({
      commonName: 'policy',
      issuer: otherCa,
      keyType: 'ecdsa-p256',
      dnsNames: ['policy.policy-system.svc'],
    });
    r.engine.updateDocument(r.paths['secret.yaml'], secretYaml(stranger));
    assert.ok(r.engine.affectedBy(r.paths['secret.yaml']).includes(hook));
    assert.deepEqual(
      r.engine.check(hook).map((f) => f.code),
      ['cabundle-mismatch'],
    );
    r.engine.updateDocument(r.paths['secret.yaml'], readFileSync(r.paths['secret.yaml'], 'utf8'));
    assert.deepEqual(r.engine.check(hook), []);
  });
});
