// Names taken from the user's files are looked up in tables (kubeconfig file names, Secret keys, flags,
// duration units, PEM labels, --key-type). A name that is also an Object.prototype member ('constructor',
// 'toString', '__proto__') once answered from the prototype: an internal-error instead of the findings, a
// duration accepted, a crash of `generate`. Each must be an ordinary unknown name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { E, g, b64, tempDir, write, checkTree, summary, cleanup } from './helpers/engine.mjs';

const CLI = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const NAMES = ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'];

function kubeconfig(caPem, cert) {
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c',
    '  cluster:',
    '    server: https://10.0.0.1:6443',
    `    certificate-authority-data: ${b64(caPem)}`,
    'users:',
    '- name: kubernetes-admin',
    '  user:',
    `    client-certificate-data: ${b64(cert.certPem)}`,
    `    client-key-data: ${b64(cert.keyPem ?? cert.key.privateKeyPem)}`,
    'contexts:',
    '- name: x',
    '  context: {cluster: c, user: kubernetes-admin}',
    'current-context: x',
    '',
  ].join('\n');
}

test('a kubeconfig named after an Object.prototype member gets the same findings as any other name', async () => {
  const ca = await g.issueCertificate({ commonName: 'kubernetes', isCA: true, keyType: 'ecdsa-p256' });
  // The admin's group misspelt: org-mismatch on the client-certificate-data line, whatever the file's name.
  const admin = await g.issueCertificate({
    commonName: 'kubernetes-admin',
    organizations: ['system:master'],
    issuer: ca,
    keyType: 'ecdsa-p256',
    extKeyUsage: ['clientAuth'],
  });
  const d = tempDir('kube-pki-proto-');
  try {
    for (const name of [...NAMES, 'ordinary']) write(d, name, kubeconfig(ca.certPem, admin));
    const { findings } = checkTree(d);
    assert.ok(!findings.some((f) => f.code === 'internal-error'), findings.map((f) => f.message).join('\n'));
    const byFile = new Map();
    for (const line of summary(findings, d)) {
      const [file, rest] = [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':'))];
      byFile.set(file, [...(byFile.get(file) ?? []), rest]);
    }
    assert.deepEqual(byFile.get('ordinary'), [':11 org-mismatch']);
    for (const name of NAMES) assert.deepEqual(byFile.get(name), byFile.get('ordinary'), name);
  } finally {
    cleanup(d);
  }
});

test('a Secret key named constructor holding a CA is read as a certificate, with a hover and no internal error', async () => {
  const ca = await g.issueCertificate({ commonName: 'proto-ca', isCA: true, keyType: 'ecdsa-p256' });
  const d = tempDir('kube-pki-proto-');
  try {
    const file = write(
      d,
      'secret.yaml',
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: s',
        'type: Opaque',
        'data:',
        `  constructor: ${b64(ca.certPem)}`,
        `  toString: ${b64(ca.certPem)}`,
        '',
      ].join('\n'),
    );
    const { engine, findings } = checkTree(d);
    assert.deepEqual(findings, []);
    const text = engine.parsed(file).text;
    for (const key of ['constructor', 'toString']) {
      const hover = E.hoverAt(engine, file, text, text.indexOf(`${key}: `) + key.length + 4);
      assert.match(hover?.markdown ?? '', /proto-ca/, key);
    }
  } finally {
    cleanup(d);
  }
});

test('a cert-manager duration with the unit "constructor" is duration-invalid, as Go says', () => {
  const d = tempDir('kube-pki-proto-');
  try {
    write(
      d,
      'cert.yaml',
      [
        'apiVersion: cert-manager.io/v1',
        'kind: Certificate',
        'metadata:',
        '  name: c',
        '  namespace: a',
        'spec:',
        '  secretName: c-tls',
        '  duration: 1constructor',
        '  dnsNames: [c.example.com]',
        '  issuerRef: {name: i, kind: ClusterIssuer}',
        '',
      ].join('\n'),
    );
    const { findings } = checkTree(d);
    assert.deepEqual(
      findings.map((f) => f.code),
      ['duration-invalid'],
    );
    assert.match(findings[0].message, /time: unknown unit "constructor" in duration "1constructor"/);
  } finally {
    cleanup(d);
  }
});

test('a PEM block labelled "constructor" where a key belongs is pem-invalid, not a crash', async () => {
  const ca = await g.issueCertificate({ commonName: 'kubernetes', isCA: true, keyType: 'ecdsa-p256' });
  const admin = await g.issueCertificate({
    commonName: 'kubernetes-admin',
    organizations: ['system:masters'],
    issuer: ca,
    keyType: 'ecdsa-p256',
    extKeyUsage: ['clientAuth'],
  });
  const bogusKey = admin.key.privateKeyPem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, '-----$1 constructor-----');
  const d = tempDir('kube-pki-proto-');
  try {
    write(d, 'admin.conf', kubeconfig(ca.certPem, { certPem: admin.certPem, keyPem: bogusKey }));
    const { findings } = checkTree(d);
    assert.deepEqual(
      findings.map((f) => f.code),
      ['pem-invalid'],
    );
    assert.match(findings[0].message, /constructor/);
    assert.doesNotMatch(findings[0].message, /[A-Za-z0-9+/]{40,}/, 'no key bytes in the message');
  } finally {
    cleanup(d);
  }
});

test('kube-pki generate --key-type constructor is a usage error (exit 2), not a crash', () => {
  const d = tempDir('kube-pki-proto-');
  try {
    const r = spawnSync(process.execPath, [CLI, 'generate', '--key-type', 'constructor', '--dry-run', d], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--key-type: expected rsa-2048, .* got 'constructor'/);
  } finally {
    cleanup(d);
  }
});
