// cert-manager Certificates: duration / renewBefore as cert-manager validates them, issuerRef against the
// workspace's issuers, dnsNames against the webhooks and APIServices the Certificate serves, and the
// Secret it wrote (when the workspace holds it) against the spec.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { E, g, b64, tempDir, write, checkTree, summary, lineOf, cleanup } from './helpers/engine.mjs';

const dirs = [];
let ca;
after(() => dirs.forEach(cleanup));
before(async () => {
  ca = await g.issueCertificate({ commonName: 'cluster-ca', isCA: true, keyType: 'ecdsa-p256' });
});

function certificate({
  name = 'web',
  namespace = 'apps',
  secretName = 'web-tls',
  dnsNames = ['web.example.com'],
  commonName,
  duration,
  renewBefore,
  issuer = 'letsencrypt',
  issuerKind = 'ClusterIssuer',
  extra = [],
} = {}) {
  return [
    'apiVersion: cert-manager.io/v1',
    'kind: Certificate',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    `  secretName: ${secretName}`,
    ...(commonName ? [`  commonName: ${commonName}`] : []),
    ...(duration ? [`  duration: ${duration}`] : []),
    ...(renewBefore ? [`  renewBefore: ${renewBefore}`] : []),
    '  dnsNames:',
    ...dnsNames.map((d) => `  - ${d}`),
    '  issuerRef:',
    `    name: ${issuer}`,
    `    kind: ${issuerKind}`,
    ...extra,
    '',
  ].join('\n');
}

const clusterIssuer = (name = 'letsencrypt') =>
  ['apiVersion: cert-manager.io/v1', 'kind: ClusterIssuer', 'metadata:', `  name: ${name}`, 'spec:', '  selfSigned: {}', ''].join('\n');

function tree(files, options = {}) {
  const d = tempDir('kube-pki-cm-');
  dirs.push(d);
  const paths = {};
  for (const [name, text] of Object.entries(files)) paths[name] = write(d, name, text);
  const { engine, findings } = checkTree(d, options);
  return { d, paths, engine, findings, lines: summary(findings, d) };
}

describe('duration and renewBefore', () => {
  test('valid Go durations: no finding (2160h, 720h, 1h30m, defaults)', () => {
    const r = tree({
      'a.yaml': certificate({ duration: '2160h', renewBefore: '720h' }),
      'b.yaml': certificate({ name: 'b', duration: '1h30m', renewBefore: '10m' }),
      'c.yaml': certificate({ name: 'c' }),
      'i.yaml': clusterIssuer(),
    });
    assert.deepEqual(r.lines, []);
  });

  test('"90d" is not a Go duration: duration-invalid on its line, with Go\'s error and the hours to write', () => {
    const r = tree({ 'a.yaml': certificate({ duration: '90d' }) });
    assert.deepEqual(r.lines, [`a.yaml:${lineOf(r.paths['a.yaml'], 'duration:')} duration-invalid`]);
    assert.equal(
      r.findings[0].message,
      'spec.duration "90d" is not a Go duration (time: unknown unit "d" in duration "90d"): the apiserver rejects this Certificate and cert-manager never sees it. Write 2160h (Go durations have no days).',
    );
    assert.equal(r.findings[0].severity, 'error');
  });

  test('duration under 1h, renewBefore under 5m, renewBefore >= duration (also against the 2160h default)', () => {
    let r = tree({ 'a.yaml': certificate({ duration: '30m' }) });
    assert.deepEqual(r.lines, [`a.yaml:${lineOf(r.paths['a.yaml'], 'duration:')} duration-invalid`]);
    assert.match(
      r.findings[0].message,
      /^spec\.duration 30m is under 1h: cert-manager's webhook rejects this Certificate, so it is never issued or renewed \("certificate duration must be greater than 1h0m0s"\)/,
    );
    r = tree({ 'a.yaml': certificate({ duration: '24h', renewBefore: '1m' }) });
    assert.deepEqual(r.lines, [`a.yaml:${lineOf(r.paths['a.yaml'], 'renewBefore:')} duration-invalid`]);
    assert.match(r.findings[0].message, /renewBefore 1m is under 5m/);
    r = tree({ 'a.yaml': certificate({ duration: '720h', renewBefore: '720h' }) });
    assert.deepEqual(r.lines, [`a.yaml:${lineOf(r.paths['a.yaml'], 'renewBefore:')} duration-invalid`]);
    assert.match(
      r.findings[0].message,
      /^spec\.renewBefore 720h is not shorter than spec\.duration 720h: .*\("certificate duration 720h0m0s must be greater than renewBefore 720h0m0s"\)/,
    );
    r = tree({ 'a.yaml': certificate({ renewBefore: '2200h' }) });
    assert.match(r.findings[0].message, /^spec\.renewBefore 2200h is not shorter than the default duration 2160h \(90 days\)/);
    r = tree({ 'a.yaml': certificate({ duration: '1h', renewBefore: '59m' }) });
    assert.deepEqual(r.lines, []);
  });
});

describe('issuerRef', () => {
  test('silent when the workspace holds no issuer at all; a warning when it holds others but not this one', () => {
    let r = tree({ 'a.yaml': certificate({ issuer: 'letsencrypt-prod' }) });
    assert.deepEqual(r.lines, []);
    r = tree({ 'a.yaml': certificate({ issuer: 'letsencrypt-prod' }), 'i.yaml': clusterIssuer('letsencrypt-staging') });
    assert.deepEqual(r.lines, [`a.yaml:${lineOf(r.paths['a.yaml'], 'name: letsencrypt-prod')} issuer-not-found`]);
    assert.equal(r.findings[0].severity, 'warning');
    assert.match(
      r.findings[0].message,
      /^issuerRef names ClusterIssuer "letsencrypt-prod", which is not among this workspace's cert-manager issuers \(ClusterIssuer letsencrypt-staging\): unless it exists in the cluster, the Certificate never becomes Ready/,
    );
  });

  test('the wrong kind, or an Issuer of another namespace, is named in the hint', () => {
    let r = tree({ 'a.yaml': certificate({ issuer: 'ca', issuerKind: 'Issuer' }), 'i.yaml': clusterIssuer('ca') });
    assert.deepEqual(r.lines, [`a.yaml:${lineOf(r.paths['a.yaml'], 'name: ca')} issuer-not-found`]);
    assert.match(r.findings[0].message, /There is a ClusterIssuer named "ca": set issuerRef\.kind: ClusterIssuer\.$/);
    assert.equal(r.findings[0].related[0].range.start.line + 1, lineOf(r.paths['i.yaml'], 'name: ca'));
    const issuer = 'apiVersion: cert-manager.io/v1\nkind: Issuer\nmetadata: {name: ca, namespace: other}\nspec: {selfSigned: {}}\n';
    r = tree({ 'a.yaml': certificate({ issuer: 'ca', issuerKind: 'Issuer' }), 'i.yaml': issuer });
    assert.match(r.findings[0].message, /There is an Issuer "ca" in namespace other, but an Issuer serves only its own namespace/);
    r = tree({ 'a.yaml': certificate({ issuer: 'ca', issuerKind: 'Issuer' }), 'i.yaml': issuer.replace('namespace: other', 'namespace: apps') });
    assert.deepEqual(r.lines, []);
    // External issuers (another group) are not judged.
    r = tree({
      'a.yaml': certificate({ issuer: 'pca', issuerKind: 'AWSPCAClusterIssuer', extra: ['    group: awspca.cert-manager.io'] }),
      'i.yaml': clusterIssuer('ca'),
    });
    assert.deepEqual(r.lines, []);
  });
});

describe('dnsNames against who dials it, and the Secret it wrote', () => {
  const webhook = [
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: MutatingWebhookConfiguration',
    'metadata:',
    '  name: injector',
    '  annotations:',
    '    cert-manager.io/inject-ca-from: apps/web',
    'webhooks:',
    '- name: inject.example.com',
    '  clientConfig:',
    '    service: {name: injector, namespace: apps, path: /mutate}',
    '',
  ].join('\n');

  test('a webhook served by this Certificate (inject-ca-from) dials injector.apps.svc: san-missing on dnsNames', () => {
    let r = tree({ 'cert.yaml': certificate({ dnsNames: ['injector.apps.svc.cluster.local'], issuer: 'letsencrypt' }), 'hook.yaml': webhook });
    assert.deepEqual(r.lines, [`cert.yaml:${lineOf(r.paths['cert.yaml'], 'dnsNames:')} san-missing`]);
    assert.equal(
      r.findings[0].message,
      'Certificate apps/web lacks a name the apiserver dials: injector.apps.svc (webhook "inject.example.com" (MutatingWebhookConfiguration injector)). cert-manager will issue a certificate valid for injector.apps.svc.cluster.local only, and the apiserver refuses it ("x509: certificate is valid for injector.apps.svc.cluster.local, not injector.apps.svc"). Add injector.apps.svc to spec.dnsNames.',
    );
    assert.equal(r.findings[0].related[0].range.start.line + 1, lineOf(r.paths['hook.yaml'], 'service:'));
    r = tree({ 'cert.yaml': certificate({ dnsNames: ['injector.apps.svc', 'injector.apps.svc.cluster.local'] }), 'hook.yaml': webhook });
    assert.deepEqual(r.lines, []);
    // A Certificate no webhook uses: nothing is known about who dials it.
    r = tree({ 'cert.yaml': certificate({ dnsNames: ['something.else'] }), 'hook.yaml': webhook.replace('apps/web', 'apps/other') });
    assert.deepEqual(
      r.lines.filter((l) => l.startsWith('cert.yaml')),
      [],
    );
  });

  test('a url: webhook dialled by IP: the injecting Certificate needs it in ipAddresses', () => {
    const hook = webhook.replace('    service: {name: injector, namespace: apps, path: /mutate}', '    url: https://10.0.0.9:8443/mutate');
    let r = tree({ 'cert.yaml': certificate({ dnsNames: ['injector.example.com'], extra: ['  ipAddresses: [10.0.0.9]'] }), 'hook.yaml': hook });
    assert.deepEqual(r.lines, []);
    r = tree({ 'cert.yaml': certificate({ dnsNames: ['injector.example.com'] }), 'hook.yaml': hook });
    assert.deepEqual(r.lines, [`cert.yaml:${lineOf(r.paths['cert.yaml'], 'dnsNames:')} san-missing`]);
    assert.match(r.findings[0].message, /lacks a name the apiserver dials: 10\.0\.0\.9 \(webhook "inject\.example\.com"/);
  });

  test('a webhook whose pods mount the Secret this Certificate writes: san-missing on dnsNames; naming the service alone proves nothing', () => {
    const hook = webhook.replace(/  annotations:\n.*\n/, '');
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: {name: injector, namespace: apps}\nspec:\n  selector: {app: injector}\n';
    const deploy = [
      'apiVersion: apps/v1',
      'kind: DaemonSet',
      'metadata: {name: injector, namespace: apps}',
      'spec:',
      '  template:',
      '    metadata: {labels: {app: injector, extra: x}}',
      '    spec:',
      '      containers: [{name: c, image: example/injector}]',
      '      volumes:',
      '      - name: tls',
      '        projected:',
      '          sources:',
      '          - secret: {name: web-tls}',
      '',
    ].join('\n');
    let r = tree({ 'cert.yaml': certificate({ dnsNames: ['injector.apps'] }), 'hook.yaml': hook, 'svc.yaml': svc, 'ds.yaml': deploy });
    assert.deepEqual(
      r.lines.filter((l) => l.startsWith('cert.yaml')),
      [`cert.yaml:${lineOf(r.paths['cert.yaml'], 'dnsNames:')} san-missing`],
    );
    assert.match(
      r.findings.find((f) => f.code === 'san-missing').message,
      /^Certificate apps\/web lacks a name the apiserver dials: injector\.apps\.svc \(webhook "inject\.example\.com"/,
    );
    // Without the mount, a Certificate naming the Service's long form is not known to serve the webhook.
    r = tree({ 'cert.yaml': certificate({ dnsNames: ['injector.apps.svc.cluster.local'] }), 'hook.yaml': hook, 'svc.yaml': svc });
    assert.deepEqual(
      r.lines.filter((l) => l.startsWith('cert.yaml')),
      [],
    );
  });

  test('the Secret it wrote, when here: secret-stale when its certificate no longer matches dnsNames or commonName', async () => {
    const secret = (issued) =>
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: web-tls, namespace: apps}',
        'type: kubernetes.io/tls',
        'data:',
        `  tls.crt: ${b64(issued.certPem)}`,
        `  tls.key: ${b64(issued.key.privateKeyPem)}`,
        '',
      ].join('\n');
    const current = await g.issueCertificate({
      commonName: 'web.example.com',
      issuer: ca,
      keyType: 'ecdsa-p256',
      dnsNames: ['web.example.com', 'www.example.com'],
    });
    const old = await g.issueCertificate({
      commonName: 'web.example.com',
      issuer: ca,
      keyType: 'ecdsa-p256',
      dnsNames: ['web.example.com', 'old.example.com'],
    });
    const spec = { dnsNames: ['web.example.com', 'www.example.com'], commonName: 'web.example.com' };
    let r = tree({ 'cert.yaml': certificate(spec), 'secret.yaml': secret(current) });
    assert.deepEqual(r.lines, []);
    r = tree({ 'cert.yaml': certificate(spec), 'secret.yaml': secret(old) });
    assert.deepEqual(r.lines, [`cert.yaml:${lineOf(r.paths['cert.yaml'], 'secretName:')} secret-stale`]);
    assert.equal(r.findings[0].severity, 'warning');
    assert.match(
      r.findings[0].message,
      /^Secret apps\/web-tls, which this Certificate writes, holds CN=web\.example\.com that does not match spec: it lacks www\.example\.com; it names old\.example\.com, which spec\.dnsNames no longer lists\. cert-manager re-issues it/,
    );
    assert.equal(r.findings[0].related[0].range.start.line + 1, lineOf(r.paths['secret.yaml'], 'tls.crt:'));
    r = tree({ 'cert.yaml': certificate({ ...spec, commonName: 'www.example.com' }), 'secret.yaml': secret(current) });
    assert.match(r.findings[0].message, /its CN is "web\.example\.com", spec\.commonName is "www\.example\.com"/);
    // Same name in another namespace is another Secret.
    r = tree({ 'cert.yaml': certificate(spec), 'secret.yaml': secret(old).replace('namespace: apps', 'namespace: other') });
    assert.deepEqual(r.lines, []);
  });

  test('non-cert-manager Certificates (another API group) are not read', () => {
    const r = tree({ 'x.yaml': certificate({ duration: '90d' }).replace('cert-manager.io/v1', 'networking.example.com/v1') });
    assert.deepEqual(r.lines, []);
    assert.equal(r.engine.isRecognised(r.paths['x.yaml']), false);
  });
});

test('the new codes are in the catalog and in README\'s "What it reports" table, with their severity', () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const table = readme.slice(readme.indexOf('## What it reports'), readme.indexOf('\n## ', readme.indexOf('## What it reports') + 5));
  const expected = {
    'cabundle-mismatch': 'error',
    'cabundle-missing': 'warning',
    'duration-invalid': 'error',
    'issuer-not-found': 'warning',
    'secret-stale': 'warning',
  };
  for (const [code, severity] of Object.entries(expected)) {
    assert.equal(E.codes[code]?.severity, severity, code);
    assert.ok(E.codes[code].title.length > 20, `${code} has a title`);
    assert.ok(table.includes(`| \`${code}\` | ${severity} |`), `${code} is a row of the README table`);
  }
});
