// Webhooks whose caBundle an install step or a controller fills, as real repositories ship them: a
// placeholder caBundle (kubebuilder's `Cg==`, chart placeholders) is not pem-invalid; a missing caBundle is
// reported (a warning: the control-plane host's trust roots are out of sight) only where the workspace holds
// the certificate the server presents and nothing fills the caBundle at run time (cainjector annotations,
// also added by a kustomization; kube-webhook-certgen's patch Job; Gatekeeper, MetalLB, Kyverno, istiod,
// Knative, OpenShift's service-ca); a Secret holding only the CA a server mints from (cert-manager's webhook)
// is not judged as a serving certificate. Excerpts of real manifests are under test/corpora/realworld.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { E, g, b64, tempDir, write, checkTree, summary, lineOf, cleanup } from './helpers/engine.mjs';

const REAL = path.join(path.dirname(fileURLToPath(import.meta.url)), 'corpora', 'realworld');
const dirs = [];
let ca;
const served = new Map();

before(async () => {
  ca = await g.issueCertificate({ commonName: 'webhook-ca', isCA: true, keyType: 'ecdsa-p256' });
});
after(() => dirs.forEach(cleanup));

/** A serving certificate issued by `ca` for these DNS names (made once per name list). */
async function serving(...dnsNames) {
  const key = dnsNames.join(',');
  if (!served.has(key))
    served.set(
      key,
      await g.issueCertificate({ commonName: dnsNames[0] ?? 'server', issuer: ca, keyType: 'ecdsa-p256', extKeyUsage: ['serverAuth'], dnsNames }),
    );
  return served.get(key);
}

function dir() {
  const d = tempDir('kube-pki-webhooks-install-');
  dirs.push(d);
  return d;
}

/** Copies an excerpt of a real repository (test/corpora/realworld/<project>/<sub>) into a new folder. */
function excerpt(project, sub = '.') {
  const d = dir();
  cpSync(path.join(REAL, project, sub), path.join(d, sub), { recursive: true });
  return d;
}

function check(d) {
  const { engine, findings } = checkTree(d);
  return { d, engine, findings, lines: summary(findings, d) };
}

function tree(files) {
  const d = dir();
  for (const [name, text] of Object.entries(files)) write(d, name, text);
  return check(d);
}

const at = (d, file, needle) => `${file}:${lineOf(path.join(d, file), needle)}`;

function secretYaml(name, namespace, issued, keys = { cert: 'tls.crt', key: 'tls.key' }) {
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'data:',
    ...(keys.ca ? [`  ${keys.ca}: ${b64(ca.certPem)}`] : []),
    `  ${keys.cert}: ${b64(issued.certPem)}`,
    `  ${keys.key}: ${b64(issued.key.privateKeyPem)}`,
    '',
  ].join('\n');
}

function serviceYaml(name, namespace, selector) {
  return [
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    '  selector:',
    ...Object.entries(selector).map(([k, v]) => `    ${k}: ${v}`),
    '  ports:',
    '  - port: 443',
    '',
  ].join('\n');
}

function deploymentYaml(name, namespace, labels, secretName, { image = 'example/server:1.0', args = [], env = [] } = {}) {
  return [
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    '  template:',
    '    metadata:',
    '      labels:',
    ...Object.entries(labels).map(([k, v]) => `        ${k}: ${v}`),
    '    spec:',
    '      containers:',
    '      - name: server',
    `        image: ${image}`,
    ...(args.length ? ['        args:', ...args.map((a) => `        - ${a}`)] : []),
    ...(env.length ? ['        env:', ...env] : []),
    ...(secretName ? ['      volumes:', '      - name: certs', '        secret:', `          secretName: ${secretName}`] : []),
    '',
  ].join('\n');
}

function hookYaml({
  kind = 'ValidatingWebhookConfiguration',
  name = 'policy',
  hook = 'validate.policy.example.com',
  caBundle,
  labels = {},
  annotations = {},
  service = ['policy', 'policy-system'],
} = {}) {
  return [
    'apiVersion: admissionregistration.k8s.io/v1',
    `kind: ${kind}`,
    'metadata:',
    `  name: ${name}`,
    ...(Object.keys(labels).length ? ['  labels:', ...Object.entries(labels).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)] : []),
    ...(Object.keys(annotations).length ? ['  annotations:', ...Object.entries(annotations).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`)] : []),
    'webhooks:',
    `- name: ${hook}`,
    '  admissionReviewVersions: [v1]',
    '  sideEffects: None',
    '  clientConfig:',
    ...(caBundle !== undefined ? [`    caBundle: ${caBundle}`] : []),
    '    service:',
    `      name: ${service[0]}`,
    `      namespace: ${service[1]}`,
    '      path: /validate',
    '',
  ].join('\n');
}

/** A CRD whose conversion webhook is the policy Service. */
function crdYaml(caBundle) {
  return [
    'apiVersion: apiextensions.k8s.io/v1',
    'kind: CustomResourceDefinition',
    'metadata:',
    '  name: policies.example.com',
    'spec:',
    '  group: example.com',
    '  conversion:',
    '    strategy: Webhook',
    '    webhook:',
    '      conversionReviewVersions: [v1]',
    '      clientConfig:',
    `        caBundle: ${caBundle}`,
    '        service:',
    '          name: policy',
    '          namespace: policy-system',
    '          path: /convert',
    '',
  ].join('\n');
}

/** The policy webhook's serving side: Service -> Deployment -> Secret, the certificate valid for policy.policy-system.svc. */
async function servingSide() {
  return {
    'svc.yaml': serviceYaml('policy', 'policy-system', { app: 'policy' }),
    'deploy.yaml': deploymentYaml('policy', 'policy-system', { app: 'policy' }, 'policy-tls'),
    'secret.yaml': secretYaml('policy-tls', 'policy-system', await serving('policy.policy-system.svc')),
  };
}

describe('placeholders: a caBundle an install step fills is not pem-invalid', () => {
  test("Gatekeeper's conversion-webhook patch (caBundle: Cg==) and its commented-out kustomization: no finding at all", () => {
    const r = check(excerpt('gatekeeper'));
    assert.deepEqual(r.lines, []);
  });

  test("Gatekeeper's patches with its serving Secret in the workspace: the Cg== placeholder is reported while cainjection_in_assign.yaml is commented out, not once it is listed", async () => {
    const d = excerpt('gatekeeper');
    const labels = { 'control-plane': 'controller-manager' };
    write(d, 'config/webhook/service.yaml', serviceYaml('webhook-service', 'system', labels));
    write(d, 'config/manager/manager.yaml', deploymentYaml('controller-manager', 'system', labels, 'webhook-server-cert'));
    write(d, 'config/secret/secret.yaml', secretYaml('webhook-server-cert', 'system', await serving('webhook-service.system.svc')));
    const patch = 'config/crd/patches/webhook_in_assign.yaml';
    let r = check(d);
    assert.deepEqual(r.lines, [`${at(d, patch, 'caBundle: Cg==')} cabundle-missing`]);
    assert.match(
      r.findings[0].message,
      /^caBundle of the conversion webhook of CustomResourceDefinition assign\.mutations\.gatekeeper\.sh is Cg== \(base64 of a single line break\)/,
    );
    const k = path.join(d, 'config/crd/kustomization.yaml');
    writeFileSync(
      k,
      readFileSync(k, 'utf8')
        .replace('#- patches/webhook_in_assign.yaml', '- patches/webhook_in_assign.yaml')
        .replace('#- patches/cainjection_in_assign.yaml', '- patches/cainjection_in_assign.yaml'),
    );
    r = check(d);
    assert.deepEqual(r.lines, []);
  });

  test('placeholders charts and scaffolds emit: no finding while the workspace does not hold the serving certificate', () => {
    const values = [
      'Cg==',
      'LS0t',
      'LS0tCg==',
      'IA==',
      'CA_BUNDLE',
      '<base64-ca>',
      '"<CA_BUNDLE>"',
      'PLACEHOLDER',
      'CABUNDLE',
      '__CA_BUNDLE__',
      '$CA_BUNDLE',
      '${CA_BUNDLE}',
      '"$(CA_BUNDLE)"',
      'replace-me',
      '""',
      'null',
    ];
    for (const v of values) {
      const r = tree({ 'hook.yaml': hookYaml({ caBundle: v }), 'svc.yaml': serviceYaml('policy', 'policy-system', { app: 'policy' }) });
      assert.deepEqual(r.lines, [], `caBundle: ${v}`);
    }
  });

  test('real base64 of anything else is still judged: garbage, a truncated PEM, bad base64', () => {
    for (const v of [b64('foobarbaz'), b64(ca.certPem.slice(0, 120)), 'Zm9v!!']) {
      const r = tree({ 'hook.yaml': hookYaml({ caBundle: v }) });
      assert.deepEqual(
        r.findings.map((f) => f.code),
        ['pem-invalid'],
        `caBundle: ${v}`,
      );
    }
  });

  test('a placeholder, the serving certificate in the workspace and nothing to fill it: cabundle-missing on the caBundle line, saying what it holds', async () => {
    let r = tree({ 'hook.yaml': hookYaml({ caBundle: 'Cg==' }), ...(await servingSide()) });
    assert.deepEqual(r.lines, [`${at(r.d, 'hook.yaml', 'caBundle:')} cabundle-missing`]);
    const f = r.findings[0];
    assert.equal(f.severity, 'warning');
    assert.match(
      f.message,
      /^caBundle of webhook "validate\.policy\.example\.com" \(ValidatingWebhookConfiguration policy\) is Cg== \(base64 of a single line break\), a placeholder for an install step to replace, and nothing in the workspace fills it/,
    );
    // client-go's rootCertPool refuses a bundle without PEM (createErrorParsingCAData), the admission dispatcher wraps it.
    assert.match(
      f.message,
      /applied as it stands, the bundle holds no PEM block, and a bundle that is not empty is all the apiserver trusts for policy\.policy-system\.svc \(no fallback to the system roots\): it cannot build its client, so no call reaches the server \(the apiserver answers: failed calling webhook "validate\.policy\.example\.com": could not get REST client: unable to load root certificates: unable to parse bytes as PEM block\) and every request it intercepts is rejected/,
    );
    assert.doesNotMatch(f.message, /signed by unknown authority/);
    assert.match(
      f.message,
      /The server presents the certificate in Secret policy-system\/policy-tls \(CN=policy\.policy-system\.svc, issued by CN=webhook-ca\)\. Set caBundle to the base64 of CN=webhook-ca's certificate/,
    );
    r = tree({ 'hook.yaml': hookYaml({ caBundle: 'CA_BUNDLE' }), ...(await servingSide()) });
    assert.deepEqual(r.lines, [`${at(r.d, 'hook.yaml', 'caBundle:')} cabundle-missing`]);
    assert.match(
      r.findings[0].message,
      /is CA_BUNDLE \(placeholder text\).*applied as it stands, the object is refused \(caBundle must be base64: "illegal base64 data at input byte 2"\)/,
    );
    // A placeholder of a conversion webhook: client-go's own words, without the admission dispatcher's.
    r = tree({ 'crd.yaml': crdYaml('Cg=='), ...(await servingSide()) });
    assert.deepEqual(r.lines, [`${at(r.d, 'crd.yaml', 'caBundle:')} cabundle-missing`]);
    assert.match(
      r.findings[0].message,
      /it cannot build its client, so no call reaches the server \(client-go: unable to load root certificates: unable to parse bytes as PEM block\) and every read or write that needs a version conversion/,
    );
  });
});

describe('caBundle written at run time', () => {
  test('no caBundle while the workspace does not hold what the server presents: nothing to say', () => {
    const r = tree({
      'hook.yaml': hookYaml(),
      'svc.yaml': serviceYaml('policy', 'policy-system', { app: 'policy' }),
      'deploy.yaml': deploymentYaml('policy', 'policy-system', { app: 'policy' }, 'policy-tls'),
      'api.yaml':
        'apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata:\n  name: v1alpha1.pod-policy.example.com\nspec:\n  service:\n    name: "example-namespace"\n    namespace: "example-service"\n  group: pod-policy.example.com\n  version: v1alpha1\n',
    });
    assert.deepEqual(r.lines, []);
  });

  test('no caBundle, the serving Secret in the workspace and nothing to fill it: a warning on clientConfig naming the Secret and its CA', async () => {
    const r = tree({ 'hook.yaml': hookYaml(), ...(await servingSide()) });
    assert.deepEqual(r.lines, [`${at(r.d, 'hook.yaml', 'clientConfig:')} cabundle-missing`]);
    const f = r.findings[0];
    assert.equal(f.severity, 'warning');
    assert.equal(
      f.message,
      'webhook "validate.policy.example.com" (ValidatingWebhookConfiguration policy) has no caBundle, and nothing in the workspace fills it (no cert-manager or service-ca injection annotation, no kube-webhook-certgen patch Job, no controller known to write it): the apiserver verifies policy.policy-system.svc with the system trust roots of the control-plane host, which kube-pki cannot see. The server presents the certificate in Secret policy-system/policy-tls (CN=policy.policy-system.svc, issued by CN=webhook-ca); unless CN=webhook-ca is among those roots, the handshake fails ("x509: certificate signed by unknown authority") and every request it intercepts is rejected (failurePolicy: Fail). Set caBundle to the base64 of CN=webhook-ca\'s certificate, or let cert-manager inject it (annotation cert-manager.io/inject-ca-from: <namespace>/<certificate>).',
    );
    assert.deepEqual(
      f.related.map((x) => `${path.relative(r.d, x.file)}:${x.range.start.line + 1}`),
      [at(r.d, 'secret.yaml', 'tls.crt:'), at(r.d, 'deploy.yaml', 'secretName:')],
    );
    // A self-signed serving certificate is its own CA.
    const self = await g.issueCertificate({
      commonName: 'policy',
      keyType: 'ecdsa-p256',
      extKeyUsage: ['serverAuth'],
      dnsNames: ['policy.policy-system.svc'],
    });
    const s = tree({ 'hook.yaml': hookYaml(), ...(await servingSide()), 'secret.yaml': secretYaml('policy-tls', 'policy-system', self) });
    assert.deepEqual(
      s.findings.map((x) => x.code),
      ['cabundle-missing'],
    );
    assert.match(
      s.findings[0].message,
      /The server presents the certificate in Secret policy-system\/policy-tls \(CN=policy, self-signed\); unless that self-signed certificate is among those roots, .* Set caBundle to the base64 of that self-signed certificate, or let cert-manager/,
    );
  });

  test('a cert-manager Certificate that writes the Secret the pods mount is the serving certificate too, Secret or not', async () => {
    const certificate = [
      'apiVersion: cert-manager.io/v1',
      'kind: Certificate',
      'metadata:',
      '  name: policy-cert',
      '  namespace: policy-system',
      'spec:',
      '  secretName: policy-tls',
      '  dnsNames: [policy.policy-system.svc]',
      '  issuerRef: {name: webhook-ca-issuer, kind: ClusterIssuer}',
      '',
    ].join('\n');
    const { 'secret.yaml': _, ...noSecret } = await servingSide();
    const r = tree({ 'hook.yaml': hookYaml(), 'cert.yaml': certificate, ...noSecret });
    assert.deepEqual(r.lines, [`${at(r.d, 'hook.yaml', 'clientConfig:')} cabundle-missing`]);
    assert.match(
      r.findings[0].message,
      /The server presents the certificate cert-manager Certificate policy-system\/policy-cert writes into Secret policy-system\/policy-tls \(issuerRef: ClusterIssuer webhook-ca-issuer\); unless the CA of ClusterIssuer webhook-ca-issuer is among those roots/,
    );
  });

  test("kubebuilder's config/default replacements add inject-ca-from to the webhooks and the conversion webhook; without that overlay each is reported", async () => {
    const d = excerpt('kubebuilder');
    const config = path.join(d, 'testdata/project-v4/config');
    const labels = { 'control-plane': 'controller-manager', 'app.kubernetes.io/name': 'project-v4' };
    write(
      config,
      'manager/manager.yaml',
      deploymentYaml('controller-manager', 'system', labels, 'webhook-server-cert', { image: 'controller:latest' }),
    );
    write(config, 'manager/secret.yaml', secretYaml('webhook-server-cert', 'system', await serving('webhook-service.system.svc')));
    let r = check(d);
    assert.deepEqual(r.lines, []);
    rmSync(path.join(config, 'default/kustomization.yaml'));
    r = check(d);
    const rel = 'testdata/project-v4/config';
    assert.deepEqual(r.lines, [
      `${rel}/crd/patches/webhook_in_firstmates.yaml:${lineOf(path.join(config, 'crd/patches/webhook_in_firstmates.yaml'), 'clientConfig:')} cabundle-missing`,
      `${rel}/webhook/manifests.yaml:9 cabundle-missing`,
      `${rel}/webhook/manifests.yaml:35 cabundle-missing`,
    ]);
    assert.ok(r.findings.every((f) => f.severity === 'warning'));
  });

  test("a kustomization's patch files, inline patches and commonAnnotations count for what it builds; commented-out entries do not", async () => {
    const base = { 'base/hook.yaml': hookYaml(), ...Object.fromEntries(Object.entries(await servingSide()).map(([k, v]) => [`base/${k}`, v])) };
    const injectPatch = [
      'apiVersion: admissionregistration.k8s.io/v1',
      'kind: ValidatingWebhookConfiguration',
      'metadata:',
      '  name: policy',
      '  annotations:',
      '    cert-manager.io/inject-ca-from: policy-system/policy-cert',
      '',
    ].join('\n');
    const overlay = (body, extra = {}) =>
      tree({ ...base, 'overlay/kustomization.yaml': ['resources:', '- ../base', ...body, ''].join('\n'), ...extra });
    const missing = (r) => [`${at(r.d, 'base/hook.yaml', 'clientConfig:')} cabundle-missing`];

    let r = overlay(['patchesStrategicMerge:', '- cainjection_patch.yaml'], { 'overlay/cainjection_patch.yaml': injectPatch });
    assert.deepEqual(r.lines, []);
    r = overlay(['patchesStrategicMerge:', '#- cainjection_patch.yaml', '- other_patch.yaml'], { 'overlay/cainjection_patch.yaml': injectPatch });
    assert.deepEqual(r.lines, missing(r));
    r = overlay(['patches:', '- path: cainjection_patch.yaml'], { 'overlay/cainjection_patch.yaml': injectPatch });
    assert.deepEqual(r.lines, []);
    r = overlay([
      'patches:',
      '- patch: |-',
      ...injectPatch
        .trim()
        .split('\n')
        .map((l) => `    ${l}`),
    ]);
    assert.deepEqual(r.lines, []);
    r = overlay([
      'patches:',
      '- target:',
      '    kind: ValidatingWebhookConfiguration',
      '  patch: |-',
      '    - op: add',
      '      path: /metadata/annotations/cert-manager.io~1inject-ca-from',
      '      value: policy-system/policy-cert',
    ]);
    assert.deepEqual(r.lines, []);
    r = overlay(['commonAnnotations:', '  cert-manager.io/inject-ca-from: policy-system/policy-cert']);
    assert.deepEqual(r.lines, []);
    // A patch for another object, or an overlay that does not build the base, fills nothing here.
    r = overlay(['patches:', '- path: cainjection_patch.yaml'], {
      'overlay/cainjection_patch.yaml': injectPatch.replace('name: policy', 'name: someone-else'),
    });
    assert.deepEqual(r.lines, missing(r));
    r = tree({
      ...base,
      'elsewhere/kustomization.yaml': 'resources:\n- ../other\ncommonAnnotations:\n  cert-manager.io/inject-ca-from: policy-system/policy-cert\n',
    });
    assert.deepEqual(r.lines, missing(r));
    // A kustomization builds the files beside it and its resources, not every folder below its own.
    r = tree({
      ...base,
      'kustomization.yaml': 'resources:\n- other.yaml\ncommonAnnotations:\n  cert-manager.io/inject-ca-from: policy-system/policy-cert\n',
    });
    assert.deepEqual(r.lines, missing(r));
    r = tree({
      ...base,
      'base/kustomization.yaml': 'resources:\n- hook.yaml\ncommonAnnotations:\n  cert-manager.io/inject-ca-from: policy-system/policy-cert\n',
    });
    assert.deepEqual(r.lines, []);
  });

  test("an annotation-only patch (kubebuilder's cainjection_in_*.yaml) is no webhook object of its own, only a writer for the object it names; a whole object listed as a patch still counts", async () => {
    const crdPatch = [
      'apiVersion: apiextensions.k8s.io/v1',
      'kind: CustomResourceDefinition',
      'metadata:',
      '  annotations:',
      '    cert-manager.io/inject-ca-from: CERTIFICATE_NAMESPACE/CERTIFICATE_NAME',
      '  name: firstmates.crew.testproject.org',
      '',
    ].join('\n');
    const parsed = E.parseFile('/p/config/crd/patches/cainjection_in_firstmates.yaml', crdPatch);
    assert.deepEqual(
      parsed.units.map((u) => ({ kind: u.kind, target: u.target, annotation: u.injectFrom?.annotation })),
      [
        {
          kind: 'injection-patch',
          target: { objectKind: 'CustomResourceDefinition', name: 'firstmates.crew.testproject.org' },
          annotation: 'cert-manager.io/inject-ca-from',
        },
      ],
    );
    // A whole webhook configuration with its clientConfig and the annotation, applied as a strategic-merge patch.
    const base = { 'base/hook.yaml': hookYaml(), ...Object.fromEntries(Object.entries(await servingSide()).map(([k, v]) => [`base/${k}`, v])) };
    const whole = hookYaml({ annotations: { 'cert-manager.io/inject-ca-from': 'policy-system/policy-cert' } });
    const r = tree({
      ...base,
      'overlay/kustomization.yaml': 'resources:\n- ../base\npatchesStrategicMerge:\n- hook_patch.yaml\n',
      'overlay/hook_patch.yaml': whole,
    });
    assert.deepEqual(r.lines, []);
  });

  test('ingress-nginx: the kube-webhook-certgen patch Job fills the caBundle, and the serving certificate is still judged', async () => {
    const file = 'deploy/static/provider/cloud/deploy.yaml';
    const secret = async (...names) =>
      secretYaml('ingress-nginx-admission', 'ingress-nginx', await serving(...names), { ca: 'ca', cert: 'cert', key: 'key' });
    let d = excerpt('ingress-nginx');
    write(d, 'secret.yaml', await secret('ingress-nginx-controller-admission', 'ingress-nginx-controller-admission.ingress-nginx.svc'));
    assert.deepEqual(check(d).lines, []);
    write(d, 'secret.yaml', await secret('ingress-nginx-controller-admission'));
    let r = check(d);
    assert.deepEqual(r.lines, [`${file}:${hookServiceLine(d, file)} san-missing`]);
    // Without the patch Job, or with one that patches only mutating configurations, nothing fills it.
    d = excerpt('ingress-nginx');
    write(d, 'secret.yaml', await secret('ingress-nginx-controller-admission.ingress-nginx.svc'));
    const text = readFileSync(path.join(d, file), 'utf8');
    writeFileSync(path.join(d, file), text.replace('--patch-mutating=false', '--patch-validating=false'));
    r = check(d);
    assert.deepEqual(r.lines, [`${file}:${hookClientLine(d, file)} cabundle-missing`]);
    writeFileSync(
      path.join(d, file),
      text
        .split('\n---\n')
        .filter((doc) => !doc.includes('name: ingress-nginx-admission-patch'))
        .join('\n---\n'),
    );
    r = check(d);
    assert.deepEqual(r.lines, [`${file}:${hookClientLine(d, file)} cabundle-missing`]);
  });

  test('Gatekeeper and MetalLB write their own caBundles unless --disable-cert-rotation', async () => {
    const gatekeeper = async (args) => ({
      'hook.yaml': hookYaml({
        name: 'gatekeeper-validating-webhook-configuration',
        hook: 'validation.gatekeeper.sh',
        service: ['gatekeeper-webhook-service', 'gatekeeper-system'],
      }),
      'svc.yaml': serviceYaml('gatekeeper-webhook-service', 'gatekeeper-system', {
        'control-plane': 'controller-manager',
        'gatekeeper.sh/operation': 'webhook',
      }),
      'deploy.yaml': deploymentYaml(
        'gatekeeper-controller-manager',
        'gatekeeper-system',
        { 'control-plane': 'controller-manager', 'gatekeeper.sh/operation': 'webhook' },
        'gatekeeper-webhook-server-cert',
        { image: 'openpolicyagent/gatekeeper:v3.24.0-beta.0', args },
      ),
      'secret.yaml': secretYaml(
        'gatekeeper-webhook-server-cert',
        'gatekeeper-system',
        await serving('gatekeeper-webhook-service.gatekeeper-system.svc'),
      ),
    });
    assert.deepEqual(tree(await gatekeeper(['--port=8443', '--operation=webhook', '--operation=mutation-webhook'])).lines, []);
    let r = tree(await gatekeeper(['--operation=webhook', '--disable-cert-rotation']));
    assert.deepEqual(r.lines, [`${at(r.d, 'hook.yaml', 'clientConfig:')} cabundle-missing`]);
    r = tree(await gatekeeper(['--operation=audit', '--operation=status']));
    assert.deepEqual(r.lines, [`${at(r.d, 'hook.yaml', 'clientConfig:')} cabundle-missing`]);
    // A caBundle in the manifest is replaced by the rotator: only without rotation is it what the apiserver uses.
    const otherCa = await g.issueCertificate({ commonName: 'other-ca', isCA: true, keyType: 'ecdsa-p256' });
    const stale = async (args) => {
      const files = await gatekeeper(args);
      return tree({
        ...files,
        'hook.yaml': files['hook.yaml'].replace('  clientConfig:\n', `  clientConfig:\n    caBundle: ${b64(otherCa.certPem)}\n`),
      });
    };
    assert.deepEqual((await stale(['--operation=webhook'])).lines, []);
    r = await stale(['--operation=webhook', '--disable-cert-rotation']);
    assert.deepEqual(r.lines, [`${at(r.d, 'hook.yaml', 'caBundle:')} cabundle-mismatch`]);

    const metallb = async (args) => ({
      'hook.yaml': hookYaml({
        name: 'metallb-webhook-configuration',
        hook: 'ipaddresspoolvalidationwebhook.metallb.io',
        service: ['metallb-webhook-service', 'metallb-system'],
      }),
      'svc.yaml': serviceYaml('metallb-webhook-service', 'metallb-system', { component: 'controller' }),
      'deploy.yaml': deploymentYaml('controller', 'metallb-system', { app: 'metallb', component: 'controller' }, 'metallb-webhook-cert', {
        image: 'quay.io/metallb/controller:v0.14.8',
        args,
      }),
      'secret.yaml': secretYaml('metallb-webhook-cert', 'metallb-system', await serving('metallb-webhook-service.metallb-system.svc')),
    });
    assert.deepEqual(tree(await metallb(['--port=7472', '--log-level=info'])).lines, []);
    r = tree(await metallb(['--port=7472', '--disable-cert-rotation=true']));
    assert.deepEqual(r.lines, [`${at(r.d, 'hook.yaml', 'clientConfig:')} cabundle-missing`]);
  });

  test('Kyverno, istiod, Knative and OpenShift service-ca write the caBundles of the configurations they mark', async () => {
    const side = await servingSide();
    const cases = [
      [{ labels: { 'webhook.kyverno.io/managed-by': 'kyverno' } }, []],
      [{ labels: { 'istio.io/rev': 'default' } }, []],
      [{ kind: 'MutatingWebhookConfiguration', hook: 'rev.namespace.sidecar-injector.istio.io', labels: { 'istio.io/rev': 'default' } }, []],
      [{ name: 'validation.webhook.serving.knative.dev' }, []],
      [{ annotations: { 'service.beta.openshift.io/inject-cabundle': 'true' } }, []],
      // istiod patches only its sidecar-injector webhooks of a mutating configuration; "false" asks for nothing.
      [{ kind: 'MutatingWebhookConfiguration', hook: 'other.example.com', labels: { 'istio.io/rev': 'default' } }, ['clientConfig:']],
      [{ annotations: { 'service.beta.openshift.io/inject-cabundle': 'false' } }, ['clientConfig:']],
    ];
    for (const [opts, lines] of cases) {
      const r = tree({ 'hook.yaml': hookYaml(opts), ...side });
      assert.deepEqual(
        r.lines,
        lines.map((l) => `${at(r.d, 'hook.yaml', l)} cabundle-missing`),
        JSON.stringify(opts),
      );
    }
  });
});

describe('dependencies', () => {
  test('a kustomization that starts adding an injection annotation re-checks the webhook it builds', async () => {
    const r = tree({
      'hook.yaml': hookYaml(),
      ...(await servingSide()),
      'kustomization.yaml': 'resources:\n- hook.yaml\n#commonAnnotations:\n#  cert-manager.io/inject-ca-from: policy-system/policy-cert\n',
    });
    const hook = path.join(r.d, 'hook.yaml');
    const kustomization = path.join(r.d, 'kustomization.yaml');
    assert.deepEqual(
      r.engine.check(hook).map((f) => f.code),
      ['cabundle-missing'],
    );
    assert.equal(
      r.engine.updateDocument(
        kustomization,
        'resources:\n- hook.yaml\ncommonAnnotations:\n  cert-manager.io/inject-ca-from: policy-system/policy-cert\n',
      ),
      true,
    );
    assert.ok(r.engine.affectedBy(kustomization).includes(hook));
    assert.deepEqual(r.engine.check(hook), []);
  });
});

describe('a CA Secret is not a serving certificate', () => {
  async function certManagerWebhook({ deployment = true, secretCert } = {}) {
    const webhookCa = await g.issueCertificate({ commonName: 'cert-manager-webhook-ca', isCA: true, keyType: 'ecdsa-p256' });
    const leaf = secretCert ?? webhookCa;
    const hook = hookYaml({
      name: 'cert-manager-webhook',
      hook: 'webhook.cert-manager.io',
      service: ['cert-manager-webhook', 'cert-manager'],
      annotations: { 'cert-manager.io/inject-ca-from-secret': 'cert-manager/cert-manager-webhook-ca' },
    });
    const labels = { 'app.kubernetes.io/name': 'webhook', 'app.kubernetes.io/component': 'webhook' };
    const env = ['        - name: POD_NAMESPACE', '          valueFrom:', '            fieldRef:', '              fieldPath: metadata.namespace'];
    const args = [
      '--v=2',
      '--secure-port=10250',
      '--dynamic-serving-ca-secret-namespace=$(POD_NAMESPACE)',
      '--dynamic-serving-ca-secret-name=cert-manager-webhook-ca',
      '--dynamic-serving-dns-names=cert-manager-webhook,cert-manager-webhook.cert-manager,cert-manager-webhook.cert-manager.svc',
    ];
    const secret = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata:',
      '  name: cert-manager-webhook-ca',
      '  namespace: cert-manager',
      'type: kubernetes.io/tls',
      'data:',
      `  ca.crt: ${b64((secretCert ? ca : webhookCa).certPem)}`,
      `  tls.crt: ${b64(leaf.certPem)}`,
      `  tls.key: ${b64(leaf.key.privateKeyPem)}`,
      '',
    ].join('\n');
    return {
      'webhook.yaml': hook,
      'svc.yaml': serviceYaml('cert-manager-webhook', 'cert-manager', labels),
      ...(deployment
        ? {
            'deploy.yaml': deploymentYaml('cert-manager-webhook', 'cert-manager', labels, undefined, {
              image: 'quay.io/jetstack/cert-manager-webhook:v1.6.1',
              args,
              env,
            }),
          }
        : {}),
      'ca-secret.yaml': secret,
    };
  }

  test("cert-manager's webhook: the Secret cainjector copies the CA from, and the webhook mints its certificate from, is not judged as its serving certificate", async () => {
    assert.deepEqual(tree(await certManagerWebhook()).lines, []);
    // The CA alone says as much, without the Deployment's flag.
    assert.deepEqual(tree(await certManagerWebhook({ deployment: false })).lines, []);
  });

  test('a leaf in the Secret inject-ca-from-secret names is still judged: san-missing on the annotation', async () => {
    const r = tree(await certManagerWebhook({ deployment: false, secretCert: await serving('cert-manager-webhook') }));
    assert.deepEqual(r.lines, [`${at(r.d, 'webhook.yaml', 'inject-ca-from-secret')} san-missing`]);
  });
});

/** The line of the ingress-nginx webhook's clientConfig, and of its service name. */
function hookClientLine(d, file) {
  const lines = readFileSync(path.join(d, file), 'utf8').split('\n');
  const start = lines.findIndex((l) => l === 'kind: ValidatingWebhookConfiguration');
  return start + lines.slice(start).findIndex((l) => l.includes('clientConfig:')) + 1;
}
function hookServiceLine(d, file) {
  const lines = readFileSync(path.join(d, file), 'utf8').split('\n');
  const start = lines.findIndex((l) => l === 'kind: ValidatingWebhookConfiguration');
  return start + lines.slice(start).findIndex((l) => l.includes('name: ingress-nginx-controller-admission')) + 1;
}

describe('caBundle writers: flags read as the program reads them', () => {
  const job = (args) => `apiVersion: batch/v1
kind: Job
metadata:
  name: admission-patch
  namespace: ingress-nginx
spec:
  template:
    spec:
      containers:
        - name: patch
          image: registry.k8s.io/ingress-nginx/kube-webhook-certgen:v1.4.1
          args:
${args.map((a) => `            - ${a}`).join('\n')}
`;
  const writersOf = (text) => E.parseFile('/w/job.yaml', text).units.filter((u) => u.kind === 'cabundle-writer');

  test("the writer's place is the webhook name's characters, in every way the flag can be written", () => {
    for (const args of [
      ['patch', '--webhook-name=my-hook', '--namespace=$(POD_NAMESPACE)'],
      ['patch', '--webhook-name', 'my-hook'],
      ['patch', '" --webhook-name=my-hook"'],
      ['patch', '"--webhook-name"', '"my-hook"'],
    ]) {
      const text = job(args);
      const [w] = writersOf(text);
      assert.ok(w, args.join(' '));
      assert.equal(text.slice(w.span.start, w.span.end), 'my-hook', args.join(' '));
      assert.deepEqual(w.targets, [{ kinds: ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration'], name: 'my-hook' }]);
    }
  });

  test('a Go bool flag never takes the next item: --patch-mutating false is the flag (true) then an argument', () => {
    let [w] = writersOf(job(['patch', '--webhook-name=my-hook', '--patch-mutating=false']));
    assert.deepEqual(w.targets[0].kinds, ['ValidatingWebhookConfiguration']);
    [w] = writersOf(job(['patch', '--webhook-name=my-hook', '--patch-mutating', 'false']));
    assert.deepEqual(w.targets[0].kinds, ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']);
  });
});
