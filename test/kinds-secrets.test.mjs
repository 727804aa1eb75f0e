// Secrets and ConfigMaps holding certificates: a kubernetes.io/tls Secret's tls.crt and tls.key, any
// value that decodes to PEM (data base64, stringData, ConfigMap data such as kube-root-ca.crt's ca.crt).
// Each is a reference of its own (hover, decode, inventory), checked like any other: expiry, key pairs,
// PEM that does not decode, tls.crt against the Secret's own ca.crt. Other Secrets stay silent.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { E, g, b64, tempDir, write, checkTree, summary, lineOf, cleanup } from './helpers/engine.mjs';

let dir;
let root;
let other;
let server;
let serverFromOther;
let expired;
let strayKey;
const DAY = 86_400_000;

before(async () => {
  dir = tempDir('kube-pki-secrets-');
  root = await g.issueCertificate({ commonName: 'webhook-ca', isCA: true, keyType: 'ecdsa-p256' });
  other = await g.issueCertificate({ commonName: 'other-ca', isCA: true, keyType: 'ecdsa-p256' });
  server = await g.issueCertificate({
    commonName: 'webhook',
    issuer: root,
    keyType: 'ecdsa-p256',
    extKeyUsage: ['serverAuth'],
    dnsNames: ['webhook.default.svc'],
  });
  serverFromOther = await g.issueCertificate({
    commonName: 'webhook',
    issuer: other,
    keyType: 'ecdsa-p256',
    extKeyUsage: ['serverAuth'],
    dnsNames: ['webhook.default.svc'],
  });
  const now = Date.now();
  expired = await g.issueCertificate({
    commonName: 'old-ingress',
    issuer: root,
    keyType: 'ecdsa-p256',
    notBefore: new Date(now - 400 * DAY),
    notAfter: new Date(now - 3 * DAY),
  });
  strayKey = await g.generateKey('ecdsa-p256');
});
after(() => cleanup(dir));

function tlsSecret({ name = 'web-tls', crt, key, ca, type = 'kubernetes.io/tls', extra = '' }) {
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${name}`,
    '  namespace: default',
    `type: ${type}`,
    'data:',
    ...(crt !== undefined ? [`  tls.crt: ${crt}`] : []),
    ...(key !== undefined ? [`  tls.key: ${key}`] : []),
    ...(ca !== undefined ? [`  ca.crt: ${ca}`] : []),
    ...(extra ? [extra] : []),
    '',
  ].join('\n');
}

function checkOne(rel, text, options = {}) {
  const d = tempDir('kube-pki-secret-');
  const file = write(d, rel, text);
  const { engine, findings } = checkTree(d, options);
  return { d, file, engine, findings, lines: summary(findings, d) };
}

describe('kubernetes.io/tls Secrets', () => {
  test('a healthy TLS Secret (tls.crt, tls.key, ca.crt) is recognised, has three references, and no finding', () => {
    const { d, file, engine, findings } = checkOne(
      'secret.yaml',
      tlsSecret({ crt: b64(server.certPem), key: b64(server.key.privateKeyPem), ca: b64(root.certPem) }),
    );
    assert.ok(engine.isRecognised(file));
    assert.deepEqual(findings, []);
    const units = engine.parsed(file).units;
    assert.equal(units.length, 1);
    assert.equal(units[0].kind, 'secret');
    const refs = units[0].entries.map((e) => e.ref);
    assert.deepEqual(
      refs.map((r) => [r.field, r.expect, r.source.kind]),
      [
        ['tls.crt', 'cert', 'inline'],
        ['tls.key', 'key', 'inline'],
        ['ca.crt', 'ca', 'inline'],
      ],
    );
    // The features (and the inventory) find them through unitReferences: one CodeLens per certificate reference.
    const lenses = E.codeLenses(engine, file);
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line + 1, l.title.split(' · ')[0]]),
      [
        [lineOf(file, 'tls.crt:'), 'CN=webhook'],
        [lineOf(file, 'ca.crt:'), 'CN=webhook-ca'],
      ],
    );
    cleanup(d);
  });

  test('key-mismatch on the tls.key line, naming tls.crt, with no key material in the message', () => {
    const stray = strayKey.privateKeyPem;
    const { d, file, findings, lines } = checkOne('secret.yaml', tlsSecret({ crt: b64(server.certPem), key: b64(stray) }));
    assert.deepEqual(lines, [`secret.yaml:${lineOf(file, 'tls.key:')} key-mismatch`]);
    assert.match(
      findings[0].message,
      /^tls\.key is not the private key of CN=webhook \(tls\.crt\): whatever serves this Secret cannot load the pair/,
    );
    assert.equal(findings[0].related[0].range.start.line + 1, lineOf(file, 'tls.crt:'));
    const body = stray.split('\n').slice(1, -2).join('');
    assert.ok(!findings[0].message.includes(body.slice(0, 20)));
    cleanup(d);
  });

  test('an expired tls.crt: cert-expired on the tls.crt line (the expiry check, through the reference)', () => {
    const { d, file, findings, lines } = checkOne('secret.yaml', tlsSecret({ crt: b64(expired.certPem), key: b64(expired.key.privateKeyPem) }));
    assert.deepEqual(lines, [`secret.yaml:${lineOf(file, 'tls.crt:')} cert-expired`]);
    assert.match(findings[0].message, /^CN=old-ingress expired on \d{4}-\d\d-\d\d \(3 days ago\): TLS handshakes using it fail/);
    cleanup(d);
  });

  test('garbage: bad base64 in tls.crt, a certificate in tls.key: pem-invalid on each line', () => {
    const { d, file, findings, lines } = checkOne('secret.yaml', tlsSecret({ crt: 'not*base64!', key: b64(server.certPem) }));
    assert.deepEqual(lines, [`secret.yaml:${lineOf(file, 'tls.crt:')} pem-invalid`, `secret.yaml:${lineOf(file, 'tls.key:')} pem-invalid`]);
    assert.equal(findings[0].message, 'tls.crt is not valid base64: the apiserver and kubectl refuse it ("illegal base64 data at input byte 3")');
    assert.match(findings[1].message, /^tls\.key holds no usable private key block \(found CERTIFICATE\)/);
    cleanup(d);
  });

  test("tls.crt that does not chain to the Secret's ca.crt: untrusted-issuer on tls.crt, related ca.crt", () => {
    const { d, file, findings, lines } = checkOne(
      'secret.yaml',
      tlsSecret({ crt: b64(serverFromOther.certPem), key: b64(serverFromOther.key.privateKeyPem), ca: b64(root.certPem) }),
    );
    assert.deepEqual(lines, [`secret.yaml:${lineOf(file, 'tls.crt:')} untrusted-issuer`]);
    assert.match(
      findings[0].message,
      /^CN=webhook \(tls\.crt\) is issued by CN=other-ca, but this Secret's ca\.crt holds CN=webhook-ca: clients given ca\.crt as their CA .* refuse it \(x509: certificate signed by unknown authority/,
    );
    assert.equal(findings[0].related[0].range.start.line + 1, lineOf(file, 'ca.crt:'));
    cleanup(d);
  });

  test('stringData: PEM text is read as PEM (hover and checks); base64 there is reported', () => {
    const text = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: s, namespace: default}',
      'type: kubernetes.io/tls',
      'stringData:',
      '  tls.crt: |',
      ...server.certPem
        .trim()
        .split('\n')
        .map((l) => `    ${l}`),
      `  tls.key: ${b64(server.key.privateKeyPem)}`,
      '',
    ].join('\n');
    const { d, file, engine, findings, lines } = checkOne('s.yaml', text);
    assert.deepEqual(lines, [`s.yaml:${lineOf(file, 'tls.key:')} pem-invalid`]);
    assert.match(findings[0].message, /^stringData\.tls\.key is base64 of PEM, but stringData takes the PEM text itself/);
    const ref = engine.parsed(file).units[0].entries[0].ref;
    assert.equal(ref.field, 'tls.crt');
    assert.equal(Buffer.from(ref.source.data, 'base64').toString(), server.certPem.trim() + '\n');
    // Hover on the block: the decode of the reference.
    const t = readFileSync(file, 'utf8');
    const hover = E.hoverAt(engine, file, t, t.indexOf('MII') + 5);
    assert.ok(hover, 'a hover');
    assert.match(hover.markdown, /CN=webhook|webhook/);
    cleanup(d);
  });

  test('multi-document YAML and kind: List items are each read', () => {
    const list = [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: v1',
      '  kind: Secret',
      '  metadata: {name: a, namespace: default}',
      '  type: kubernetes.io/tls',
      '  data:',
      `    tls.crt: ${b64(expired.certPem)}`,
      `    tls.key: ${b64(expired.key.privateKeyPem)}`,
      '---',
      tlsSecret({ name: 'b', crt: b64(server.certPem), key: b64(strayKey.privateKeyPem) }),
    ].join('\n');
    const { d, file, lines } = checkOne('list.yaml', list);
    const keyLines = readFileSync(file, 'utf8')
      .split('\n')
      .map((l, i) => (l.includes('tls.key:') ? i + 1 : 0))
      .filter(Boolean);
    assert.deepEqual(lines, [`list.yaml:${lineOf(file, 'tls.crt:')} cert-expired`, `list.yaml:${keyLines[1]} key-mismatch`]);
    cleanup(d);
  });

  test('a healthy tls Secret in kubectl get -o yaml form (a SecretList) has no finding', () => {
    const text = [
      'apiVersion: v1',
      'kind: SecretList',
      'items:',
      '- ' +
        tlsSecret({ crt: b64(server.certPem), key: b64(server.key.privateKeyPem) })
          .trim()
          .split('\n')
          .join('\n  '),
      '',
    ].join('\n');
    const { d, file, engine, findings } = checkOne('got.yaml', text);
    assert.ok(engine.isRecognised(file));
    assert.deepEqual(findings, []);
    cleanup(d);
  });
});

describe('any Secret or ConfigMap value that decodes to PEM', () => {
  test("kube-root-ca.crt's ca.crt (ConfigMap, PEM text): a CA reference; a leaf there is not-a-ca; expired is cert-expired", () => {
    const cm = (pem) =>
      [
        'apiVersion: v1',
        'kind: ConfigMap',
        'metadata:',
        '  name: kube-root-ca.crt',
        '  namespace: kube-system',
        'data:',
        '  ca.crt: |',
        ...pem
          .trim()
          .split('\n')
          .map((l) => `    ${l}`),
        '',
      ].join('\n');
    let r = checkOne('cm.yaml', cm(root.certPem));
    assert.deepEqual(r.findings, []);
    assert.equal(r.engine.parsed(r.file).units[0].entries[0].ref.expect, 'ca');
    cleanup(r.d);
    r = checkOne('cm.yaml', cm(server.certPem));
    assert.deepEqual(r.lines, [`cm.yaml:${lineOf(r.file, 'ca.crt:')} not-a-ca`]);
    assert.match(r.findings[0].message, /^ca\.crt should hold CA certificates, but CN=webhook is not a CA/);
    cleanup(r.d);
    r = checkOne('cm.yaml', cm(expired.certPem));
    assert.ok(r.lines.includes(`cm.yaml:${lineOf(r.file, 'ca.crt:')} cert-expired`), r.lines.join('\n'));
    cleanup(r.d);
  });

  test('an Opaque Secret: PEM values are checked (expiry), other values and other Secrets stay silent', () => {
    const opaque = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: mixed, namespace: default}',
      'type: Opaque',
      'data:',
      `  password: ${b64('hunter2')}`,
      `  client.pem: ${b64(expired.certPem)}`,
      `  garbage: '!!!'`,
      '',
    ].join('\n');
    let r = checkOne('o.yaml', opaque);
    assert.deepEqual(r.lines, [`o.yaml:${lineOf(r.file, 'client.pem:')} cert-expired`]);
    cleanup(r.d);
    const plain = [
      'apiVersion: v1',
      'kind: Secret',
      'metadata: {name: db}',
      'type: Opaque',
      'data:',
      `  password: ${b64('hunter2')}`,
      `  tls.crt: '!!!'`,
      '',
    ].join('\n');
    r = checkOne('p.yaml', plain);
    assert.equal(r.engine.isRecognised(r.file), false);
    assert.deepEqual(r.findings, []);
    cleanup(r.d);
    const cm = ['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: settings}', 'data:', '  level: debug', ''].join('\n');
    r = checkOne('c.yaml', cm);
    assert.equal(r.engine.isRecognised(r.file), false);
    cleanup(r.d);
  });

  test('hostile values: huge base64, a private key as ca.crt: findings without key material, no exception', () => {
    const huge = 'QUJD'.repeat(400_000);
    const text = tlsSecret({ crt: huge, key: b64(server.key.privateKeyPem), ca: b64(server.key.privateKeyPem) });
    const { d, findings } = checkOne('h.yaml', text);
    assert.ok(findings.every((f) => f.code !== 'internal-error'));
    assert.deepEqual(
      findings.map((f) => `${f.range.start.line + 1} ${f.code}: ${f.message}`),
      [
        '8 pem-invalid: tls.crt decodes to something that holds no PEM block',
        '10 pem-invalid: ca.crt holds no usable CERTIFICATE block, but a CA certificate is expected (found EC PRIVATE KEY)',
      ],
    );
    const keyBody = server.key.privateKeyPem.split('\n')[1];
    for (const f of findings) assert.ok(!f.message.includes(keyBody.slice(0, 16)) && !f.message.includes(b64(server.key.privateKeyPem).slice(0, 40)));
    cleanup(d);
  });

  test('recognition stays cheap: a ConfigMap without PEM is not even parsed', () => {
    assert.equal(E.parseFile('/x.yaml', 'apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n').recognised, false);
    assert.equal(E.parseFile('/x.yaml', 'kind: CustomResourceDefinition\nspec:\n  versions: []\n').recognised, false);
  });
});
