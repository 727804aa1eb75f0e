// Every flag and config field the catalog of components knows (server/src/engine/cluster/catalog.ts), walked
// through what users see of it: the manifest parser takes it as a reference, the hover names its role, the
// inventory labels the certificate it names, and for a certificate flag the usage check and the key pair check
// know who presents it. A flag added to the catalog gets a row here.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { E, tempDir, write, ca, leaf, checkTree, cleanup, kubeconfig } from './helpers/engine.mjs';

const dirs = [];
after(() => dirs.forEach(cleanup));

// [flag, what it names, hover words, inventory role, (a certificate:) key flag, the usage a cert without it lacks]
const rows = {
  'kube-apiserver': [
    ['tls-cert-file', 'cert', "kube-apiserver's serving certificate", 'kube-apiserver serving', 'tls-private-key-file', 'serverAuth'],
    [
      'kubelet-client-certificate',
      'cert',
      "kube-apiserver's client certificate for kubelets",
      'apiserver → kubelet client',
      'kubelet-client-key',
      'clientAuth',
    ],
    ['etcd-certfile', 'cert', "kube-apiserver's client certificate for etcd", 'apiserver → etcd client', 'etcd-keyfile', 'clientAuth'],
    [
      'proxy-client-cert-file',
      'cert',
      "kube-apiserver's front-proxy client certificate",
      'front-proxy client',
      'proxy-client-key-file',
      'clientAuth',
    ],
    ['client-ca-file', 'ca', 'the CA kube-apiserver trusts for client certificates', 'cluster CA'],
    ['kubelet-certificate-authority', 'ca', "the CA kube-apiserver verifies kubelets' serving certificates with", 'kubelet CA'],
    ['etcd-cafile', 'ca', 'the CA kube-apiserver verifies etcd with', 'etcd CA'],
    ['requestheader-client-ca-file', 'ca', 'the CA kube-apiserver trusts for front-proxy (request header) clients', 'front-proxy CA'],
    ['oidc-ca-file', 'ca', "the OIDC issuer's CA", 'OIDC CA'],
    ['service-account-key-file', 'key', "kube-apiserver's service account token verification keys"],
    ['service-account-signing-key-file', 'key', "kube-apiserver's service account token signing key"],
  ],
  etcd: [
    ['cert-file', 'cert', "etcd's server certificate", 'etcd serving', 'key-file', 'clientAuth'],
    ['peer-cert-file', 'cert', "etcd's peer certificate", 'etcd peer', 'peer-key-file', 'clientAuth'],
    ['trusted-ca-file', 'ca', 'the CA etcd trusts for client certificates', 'etcd CA'],
    ['peer-trusted-ca-file', 'ca', 'the CA etcd trusts for peer certificates', 'etcd CA'],
  ],
  'kube-controller-manager': [
    [
      'tls-cert-file',
      'cert',
      "kube-controller-manager's serving certificate",
      'kube-controller-manager serving',
      'tls-private-key-file',
      'serverAuth',
    ],
    ['cluster-signing-cert-file', 'ca', 'the CA kube-controller-manager signs approved CSRs with', 'cluster CA', 'cluster-signing-key-file'],
    [
      'cluster-signing-kubelet-serving-cert-file',
      'ca',
      'the CA kube-controller-manager signs kubelet serving CSRs with',
      'kubelet serving signer CA',
      'cluster-signing-kubelet-serving-key-file',
    ],
    [
      'cluster-signing-kubelet-client-cert-file',
      'ca',
      'the CA kube-controller-manager signs kubelet client CSRs with',
      'kubelet client signer CA',
      'cluster-signing-kubelet-client-key-file',
    ],
    [
      'cluster-signing-kube-apiserver-client-cert-file',
      'ca',
      'the CA kube-controller-manager signs apiserver client CSRs with',
      'apiserver client signer CA',
      'cluster-signing-kube-apiserver-client-key-file',
    ],
    [
      'cluster-signing-legacy-unknown-cert-file',
      'ca',
      'the CA kube-controller-manager signs legacy-unknown CSRs with',
      'legacy-unknown signer CA',
      'cluster-signing-legacy-unknown-key-file',
    ],
    ['client-ca-file', 'ca', 'the CA kube-controller-manager trusts for client certificates', 'cluster CA'],
    ['root-ca-file', 'ca', 'the root CA kube-controller-manager puts into service account token secrets', 'cluster CA'],
    ['requestheader-client-ca-file', 'ca', 'the CA kube-controller-manager trusts for front-proxy (request header) clients', 'front-proxy CA'],
    ['service-account-private-key-file', 'key', "kube-controller-manager's service account token signing key"],
    ['kubeconfig', 'kubeconfig', 'the kubeconfig kube-controller-manager loads'],
    ['authentication-kubeconfig', 'kubeconfig', 'the kubeconfig kube-controller-manager loads'],
    ['authorization-kubeconfig', 'kubeconfig', 'the kubeconfig kube-controller-manager loads'],
  ],
  'kube-scheduler': [
    ['tls-cert-file', 'cert', "kube-scheduler's serving certificate", 'kube-scheduler serving', 'tls-private-key-file', 'serverAuth'],
    ['client-ca-file', 'ca', 'the CA kube-scheduler trusts for client certificates', 'cluster CA'],
    ['requestheader-client-ca-file', 'ca', 'the CA kube-scheduler trusts for front-proxy (request header) clients', 'front-proxy CA'],
    ['kubeconfig', 'kubeconfig', 'the kubeconfig kube-scheduler loads'],
    ['authentication-kubeconfig', 'kubeconfig', 'the kubeconfig kube-scheduler loads'],
    ['authorization-kubeconfig', 'kubeconfig', 'the kubeconfig kube-scheduler loads'],
  ],
};

function manifest(component, flags) {
  return [
    'apiVersion: v1',
    'kind: Pod',
    `metadata: {name: ${component}, namespace: kube-system}`,
    'spec:',
    '  containers:',
    `  - name: ${component}`,
    '    command:',
    `    - ${component}`,
    ...flags.map((f) => `    - --${f}`),
    '',
  ].join('\n');
}

function hoverWords(engine, file, needle) {
  const text = readFileSync(file, 'utf8');
  const h = E.hoverAt(engine, file, text, text.indexOf(needle));
  // The role heads the hover's last section (after the decoded material).
  return /^\*\*(.+?)\*\*/.exec((h?.markdown ?? '').split('\n\n---\n\n').at(-1))?.[1];
}

for (const [component, list] of Object.entries(rows)) {
  for (const [flag, names, words, role, keyFlag, lacks] of list) {
    test(`${component} --${flag}: a reference to ${names === 'kubeconfig' ? 'a kubeconfig' : `a ${names}`}, "${words}"`, async () => {
      const dir = tempDir('kube-pki-catalog-');
      dirs.push(dir);
      const root = await ca('some-ca');
      const flags = [];
      if (names === 'cert') {
        // A certificate whose extended key usage lacks what its use needs, and someone else's key beside it.
        const has = lacks === 'serverAuth' ? ['clientAuth'] : ['serverAuth'];
        write(dir, 'it.crt', (await leaf(root, { commonName: 'it', extKeyUsage: has })).certPem);
        write(dir, 'it.key', (await leaf(root, { commonName: 'other' })).key.privateKeyPem);
        flags.push(`${flag}=it.crt`, `${keyFlag}=it.key`);
      } else if (names === 'ca') {
        write(dir, 'it.crt', root.certPem);
        flags.push(`${flag}=it.crt`);
        if (keyFlag) {
          write(dir, 'it.key', (await ca('another-ca')).key.privateKeyPem);
          flags.push(`${keyFlag}=it.key`);
        }
      } else if (names === 'key') {
        write(dir, 'it.key', root.key.privateKeyPem);
        flags.push(`${flag}=it.key`);
      } else {
        write(dir, 'it.conf', kubeconfig({ caPem: root.certPem }));
        flags.push(`${flag}=it.conf`);
      }
      const file = write(dir, `${component}.yaml`, manifest(component, flags));
      const { engine, findings } = checkTree(dir);
      const value = names === 'kubeconfig' ? 'it.conf' : names === 'key' ? 'it.key' : 'it.crt';
      assert.equal(hoverWords(engine, file, value), words);
      if (names === 'cert') {
        const eku = findings.filter((f) => f.code === 'eku-missing');
        assert.deepEqual(
          eku.map((f) => f.message.includes(`is ${words} but its extended key usage lacks ${lacks}`)),
          [true],
        );
      }
      if (keyFlag) {
        assert.equal(hoverWords(engine, file, 'it.key'), `${component}'s private key for --${flag}`);
        const mismatch = findings.filter((f) => f.code === 'key-mismatch');
        assert.equal(mismatch.length, 1);
        assert.ok(mismatch[0].message.startsWith(`--${keyFlag} is not the private key of `), mismatch[0].message);
        assert.ok(mismatch[0].message.includes(`(--${flag})`));
      }
      if (role) {
        const inv = E.buildInventory(engine, { roots: [dir] });
        assert.deepEqual(
          inv.certificates.map((c) => c.role),
          [role],
        );
      }
    });
  }
}

test("the kubelet's config fields: its serving certificate and key, the CA it trusts for clients", async () => {
  const dir = tempDir('kube-pki-catalog-');
  dirs.push(dir);
  const root = await ca('kubelet-clients');
  const servingCa = await ca('serving');
  write(dir, 'ca.crt', root.certPem);
  write(dir, 'kubelet.crt', (await leaf(servingCa, { commonName: 'system:node:n1', extKeyUsage: ['clientAuth'] })).certPem);
  write(dir, 'kubelet.key', (await leaf(servingCa, { commonName: 'other' })).key.privateKeyPem);
  const file = write(
    dir,
    'config.yaml',
    [
      'apiVersion: kubelet.config.k8s.io/v1beta1',
      'kind: KubeletConfiguration',
      'authentication:',
      '  x509:',
      '    clientCAFile: ca.crt',
      'tlsCertFile: kubelet.crt',
      'tlsPrivateKeyFile: kubelet.key',
      '',
    ].join('\n'),
  );
  const { engine, findings } = checkTree(dir);
  assert.equal(hoverWords(engine, file, 'ca.crt'), 'the CA the kubelet trusts for client certificates');
  assert.equal(hoverWords(engine, file, 'kubelet.crt'), "the kubelet's serving certificate");
  assert.equal(hoverWords(engine, file, 'kubelet.key'), "the kubelet's serving key");
  assert.deepEqual(findings.map((f) => f.code).sort(), ['eku-missing', 'key-mismatch']);
  assert.ok(
    findings
      .find((f) => f.code === 'eku-missing')
      .message.includes("is the kubelet's serving certificate but its extended key usage lacks serverAuth"),
  );
  const inv = E.buildInventory(engine, { roots: [dir] });
  assert.deepEqual(inv.certificates.map((c) => c.role).sort(), ['cluster CA', 'kubelet serving']);
});

/** A KubeletConfiguration setting one field (a dotted path: authentication.x509.clientCAFile) to `value`. */
function kubeletConfig(field, value) {
  const parts = field.split('.');
  const lines = ['apiVersion: kubelet.config.k8s.io/v1beta1', 'kind: KubeletConfiguration'];
  parts.forEach((p, i) => lines.push(`${'  '.repeat(i)}${p}:${i === parts.length - 1 ? ` ${value}` : ''}`));
  return `${lines.join('\n')}\n`;
}

// Every handshake the catalog names (a certificate flag's verifiedBy) is a connection `kube-pki rotate-ca` judges
// in every stage: a CA-verification added to the catalog is kept working through a rotation without another edit.
for (const v of E.verifications) {
  const label = `${v.cert.component} ${v.cert.field} verified by ${v.ca.component} ${v.ca.field}`;
  test(`rotation judges the catalog's handshake: ${label}`, async () => {
    const dir = tempDir('kube-pki-catalog-');
    dirs.push(dir);
    const root = await ca('verifying-ca');
    write(dir, 'ca.crt', root.certPem);
    write(dir, 'it.crt', (await leaf(root, { commonName: 'it', extKeyUsage: ['serverAuth', 'clientAuth'] })).certPem);
    const flags = new Map();
    const put = (component, flag, value) => {
      if (component === 'kubelet') write(dir, 'kubelet-config.yaml', kubeletConfig(flag, value));
      else flags.set(component, [...(flags.get(component) ?? []), `${flag}=${value}`]);
    };
    put(v.cert.component, v.cert.field, 'it.crt');
    put(v.ca.component, v.ca.field, 'ca.crt');
    for (const [component, list] of flags) write(dir, `${component}.yaml`, manifest(component, list));
    const { engine } = checkTree(dir);
    const checks = E.generate
      .rotationConnections(engine, (f) => f.slice(dir.length + 1))
      .flatMap((c) => c.checks.map((k) => ({ ...k, connection: c.name })));
    const found = checks.filter((k) => k.cert === 'it.crt' && k.trust === 'ca.crt');
    assert.deepEqual(found.map((k) => k.usage).sort(), [...v.usages].sort(), `${label}: ${JSON.stringify(checks, null, 1)}`);
    for (const k of found) assert.ok(k.what.includes(v.cert.field) && k.what.includes(v.ca.field), k.what);
  });
}
