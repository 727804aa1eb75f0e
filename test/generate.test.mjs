// The certificate generator and the kubeadm-like cluster builder, checked with the real openssl.
// Loads the engine bundle ($KUBE_PKI_ENGINE or ../dist/engine.js).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, readlink, writeFile, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { buildCluster, generatorOf, DEFECTS, DEFECT_CODES } from './helpers/cluster.mjs';

const require = createRequire(import.meta.url);
const engine = require(process.env.KUBE_PKI_ENGINE ? path.resolve(process.env.KUBE_PKI_ENGINE) : '../dist/engine.js');
// dist/engine.js exports the generator as the `generate` namespace; a bare generator bundle (esbuild
// of server/src/engine/generate/index.ts) exports it at the top level.
const { generateKey, issueCertificate, kubeconfigText, loadIssuer } = generatorOf(engine);

const DAY = 24 * 60 * 60 * 1000;

/** Runs openssl; returns { status, out } (stdout + stderr). */
function openssl(args, input) {
  const r = spawnSync('openssl', args, { input, encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}
function text(certFile) {
  const r = openssl(['x509', '-in', certFile, '-noout', '-text']);
  assert.equal(r.status, 0, r.out);
  return r.out;
}
function subject(certFile) {
  return openssl(['x509', '-in', certFile, '-noout', '-subject', '-nameopt', 'RFC2253']).out.trim();
}
function certPubkey(certFile) {
  return execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-pubkey'], { encoding: 'utf8' });
}
function keyPubkey(keyFile) {
  return execFileSync('openssl', ['pkey', '-in', keyFile, '-pubout'], { encoding: 'utf8' });
}
function verify(caFile, certFile, purpose, extra = []) {
  return openssl(['verify', '-CAfile', caFile, ...(purpose ? ['-purpose', purpose] : []), ...extra, certFile]);
}
const attime = (d) => ['-attime', String(Math.floor(d.getTime() / 1000))];

let work;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kube-pki-gen-'));
});
after(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});
let n = 0;
async function tmpFile(content, name = 'f') {
  const f = path.join(work, `${n++}-${name}`);
  await writeFile(f, content);
  return f;
}

// ------------------------------------------------------------------------------------------- keys
describe('generateKey', () => {
  const expected = {
    'rsa-1024': ['RSA PRIVATE KEY', /Private-Key: \(1024 bit/],
    'rsa-2048': ['RSA PRIVATE KEY', /Private-Key: \(2048 bit/],
    'rsa-3072': ['RSA PRIVATE KEY', /Private-Key: \(3072 bit/],
    'ecdsa-p256': ['EC PRIVATE KEY', /NIST CURVE: P-256/],
    'ecdsa-p384': ['EC PRIVATE KEY', /NIST CURVE: P-384/],
  };
  for (const [type, [pemType, detail]] of Object.entries(expected)) {
    test(`${type}: kubeadm's PEM encoding, valid per openssl pkey -check, SPKI public half`, async () => {
      const k = await generateKey(type);
      assert.equal(k.type, type);
      assert.match(k.privateKeyPem, new RegExp(`^-----BEGIN ${pemType}-----\n`));
      assert.match(k.publicKeyPem, /^-----BEGIN PUBLIC KEY-----\n/);
      const keyFile = await tmpFile(k.privateKeyPem, 'k.key');
      const check = openssl(['pkey', '-in', keyFile, '-check', '-noout']);
      assert.equal(check.status, 0, check.out);
      assert.match(check.out, /valid/i);
      assert.match(openssl(['pkey', '-in', keyFile, '-noout', '-text']).out, detail);
      assert.equal(keyPubkey(keyFile), k.publicKeyPem);
    });
  }
  test('default is RSA 2048 (kubeadm)', async () => {
    const k = await generateKey();
    assert.equal(k.type, 'rsa-2048');
    assert.match(k.privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
  });
});

// ------------------------------------------------------------------------------------------- certificates
describe('issueCertificate', () => {
  let ca, caFile;
  before(async () => {
    ca = await issueCertificate({ commonName: 'kubernetes', isCA: true, dnsNames: ['kubernetes'] });
    caFile = await tmpFile(ca.certPem, 'ca.crt');
  });

  test('self-signed CA: critical CA:TRUE, kubeadm key usages, SKI, 10 years, backdated 5 minutes', async () => {
    const t = text(caFile);
    assert.match(t, /Issuer: CN ?= ?kubernetes\n/);
    assert.match(t, /Subject: CN ?= ?kubernetes\n/);
    assert.match(t, /X509v3 Basic Constraints: critical\n\s+CA:TRUE\n/);
    assert.match(t, /X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment, Certificate Sign\n/);
    assert.match(t, /X509v3 Subject Key Identifier/);
    assert.doesNotMatch(t, /Extended Key Usage/);
    assert.doesNotMatch(t, /Authority Key Identifier/);
    assert.match(t, /Signature Algorithm: sha256WithRSAEncryption/);
    assert.equal(verify(caFile, caFile).status, 0);
    const nb = ca.cert.notBefore.getTime();
    const na = ca.cert.notAfter.getTime();
    assert.ok(Math.abs(Date.now() - 5 * 60 * 1000 - nb) < 60 * 1000, 'notBefore is now - 5 min');
    assert.ok(Math.abs(na - Date.now() - 3650 * DAY) < 60 * 1000, 'notAfter is now + 3650 days');
  });

  test('serving leaf: verifies as sslserver, SANs, EKU, AKI = issuer SKI, 1 year', async () => {
    const leaf = await issueCertificate({
      commonName: 'kube-apiserver',
      issuer: ca,
      extKeyUsage: ['serverAuth'],
      dnsNames: ['cp1', 'kubernetes'],
      ipAddresses: ['10.96.0.1', '192.168.10.11', '::1'],
    });
    const f = await tmpFile(leaf.certPem, 'leaf.crt');
    const t = text(f);
    assert.match(t, /X509v3 Basic Constraints: critical\n\s+CA:FALSE\n/);
    assert.match(t, /X509v3 Key Usage: critical\n\s+Digital Signature, Key Encipherment\n/);
    assert.match(t, /X509v3 Extended Key Usage: ?\n\s+TLS Web Server Authentication\n/);
    assert.match(t, /DNS:cp1, DNS:kubernetes, IP Address:10.96.0.1, IP Address:192.168.10.11, IP Address:0:0:0:0:0:0:0:1/);
    const ski = /Subject Key Identifier: ?\n\s+([0-9A-F:]+)/.exec(text(caFile))[1];
    const aki = /Authority Key Identifier: ?\n\s+(?:keyid:)?([0-9A-F:]+)/.exec(t)[1];
    assert.equal(aki, ski);
    const ok = verify(caFile, f, 'sslserver');
    assert.equal(ok.status, 0, ok.out);
    assert.notEqual(verify(caFile, f, 'sslclient').status, 0, 'no clientAuth');
    assert.match(openssl(['x509', '-in', f, '-noout', '-checkhost', 'kubernetes']).out, /does match/);
    assert.match(openssl(['x509', '-in', f, '-noout', '-checkip', '10.96.0.1']).out, /does match/);
    assert.ok(Math.abs(leaf.cert.notAfter.getTime() - Date.now() - 365 * DAY) < 60 * 1000);
    const keyFile = await tmpFile(leaf.key.privateKeyPem, 'leaf.key');
    assert.equal(certPubkey(f), keyPubkey(keyFile));
  });

  test('client leaf: O before CN like Go, several O values, verifies as sslclient', async () => {
    const c = await issueCertificate({ commonName: 'alice', organizations: ['team-a', 'system:masters'], issuer: ca, extKeyUsage: ['clientAuth'] });
    const f = await tmpFile(c.certPem, 'client.crt');
    // RFC 2253 prints RDNs last-first, so CN first means CN is the last RDN, after O.
    assert.match(subject(f), /^subject=CN=alice,O=(team-a\+O=system:masters|system:masters\+O=team-a)$/);
    assert.equal(verify(caFile, f, 'sslclient').status, 0);
    assert.notEqual(verify(caFile, f, 'sslserver').status, 0);
  });

  test('extKeyUsage null omits the extension; explicit dates and serial are kept', async () => {
    const notBefore = new Date('2030-01-01T00:00:00Z');
    const notAfter = new Date('2031-01-01T00:00:00Z');
    const c = await issueCertificate({ commonName: 'x', issuer: ca, extKeyUsage: null, notBefore, notAfter, serialNumber: '0a1b2c' });
    const f = await tmpFile(c.certPem, 'x.crt');
    const t = text(f);
    assert.doesNotMatch(t, /Extended Key Usage/);
    assert.match(t, /Serial Number: 662316 \(0xa1b2c\)/);
    assert.match(t, /Not Before: Jan  1 00:00:00 2030 GMT/);
    assert.match(t, /Not After : Jan  1 00:00:00 2031 GMT/);
  });

  test('signature hashes: SHA-1 (weak), ECDSA P-384 -> SHA-384 by default, explicit SHA-384 on RSA', async () => {
    const sha1 = await tmpFile(
      (await issueCertificate({ commonName: 'old', issuer: ca, extKeyUsage: ['clientAuth'], signatureHash: 'SHA-1' })).certPem,
    );
    assert.match(text(sha1), /Signature Algorithm: sha1WithRSAEncryption/);
    assert.equal(verify(caFile, sha1, 'sslclient').status, 0, 'SHA-1 signature is still a valid signature');
    const rsa384 = await tmpFile(
      (await issueCertificate({ commonName: 'r', issuer: ca, extKeyUsage: ['clientAuth'], signatureHash: 'SHA-384' })).certPem,
    );
    assert.match(text(rsa384), /Signature Algorithm: sha384WithRSAEncryption/);
    const ecCa = await issueCertificate({ commonName: 'etcd-ca', isCA: true, keyType: 'ecdsa-p384' });
    const ecCaFile = await tmpFile(ecCa.certPem);
    assert.match(text(ecCaFile), /Signature Algorithm: ecdsa-with-SHA384/);
    const ecLeaf = await issueCertificate({ commonName: 'e', issuer: ecCa, keyType: 'ecdsa-p256', extKeyUsage: ['serverAuth', 'clientAuth'] });
    const ecLeafFile = await tmpFile(ecLeaf.certPem);
    assert.match(text(ecLeafFile), /ecdsa-with-SHA384[\s\S]*NIST CURVE: P-256/);
    assert.equal(verify(ecCaFile, ecLeafFile, 'sslserver').status, 0);
    assert.equal(verify(ecCaFile, ecLeafFile, 'sslclient').status, 0);
  });

  test('pathLen and a reused key', async () => {
    const key = await generateKey('ecdsa-p256');
    const inter = await issueCertificate({ commonName: 'intermediate', isCA: true, pathLen: 0, issuer: ca, key });
    const f = await tmpFile(inter.certPem);
    assert.match(text(f), /CA:TRUE, pathlen:0/);
    assert.equal(inter.key, key);
    const leaf = await issueCertificate({ commonName: 'l', issuer: inter, extKeyUsage: ['clientAuth'] });
    const r = openssl(['verify', '-CAfile', caFile, '-untrusted', f, '-purpose', 'sslclient', await tmpFile(leaf.certPem)]);
    assert.equal(r.status, 0, r.out);
  });

  test('loadIssuer signs with an existing CA from PEM, and rejects a foreign key', async () => {
    const loaded = await loadIssuer(ca.certPem, ca.key.privateKeyPem);
    const leaf = await issueCertificate({ commonName: 'from-disk', issuer: loaded, extKeyUsage: ['clientAuth'] });
    assert.equal(verify(caFile, await tmpFile(leaf.certPem), 'sslclient').status, 0);
    const other = await generateKey();
    await assert.rejects(loadIssuer(ca.certPem, other.privateKeyPem));
  });
});

// ------------------------------------------------------------------------------------------- kubeconfig
describe('kubeconfigText', () => {
  test('kubeadm layout with base64 PEM data', async () => {
    const ca = await issueCertificate({ commonName: 'kubernetes', isCA: true, keyType: 'ecdsa-p256' });
    const admin = await issueCertificate({
      commonName: 'kubernetes-admin',
      organizations: ['kubeadm:cluster-admins'],
      issuer: ca,
      extKeyUsage: ['clientAuth'],
      keyType: 'ecdsa-p256',
    });
    const t = kubeconfigText({
      clusterName: 'kubernetes',
      server: 'https://192.168.10.11:6443',
      caPem: ca.certPem,
      userName: 'kubernetes-admin',
      certPem: admin.certPem,
      keyPem: admin.key.privateKeyPem,
    });
    const lines = t.split('\n');
    assert.deepEqual(
      lines.map((l) => l.replace(/(-data: ).*/, '$1…')),
      [
        'apiVersion: v1',
        'clusters:',
        '- cluster:',
        '    certificate-authority-data: …',
        '    server: https://192.168.10.11:6443',
        '  name: kubernetes',
        'contexts:',
        '- context:',
        '    cluster: kubernetes',
        '    user: kubernetes-admin',
        '  name: kubernetes-admin@kubernetes',
        'current-context: kubernetes-admin@kubernetes',
        'kind: Config',
        'preferences: {}',
        'users:',
        '- name: kubernetes-admin',
        '  user:',
        '    client-certificate-data: …',
        '    client-key-data: …',
        '',
      ],
    );
    const doc = YAML.parse(t);
    assert.equal(Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), ca.certPem);
    assert.equal(Buffer.from(doc.users[0].user['client-certificate-data'], 'base64').toString(), admin.certPem);
    assert.equal(Buffer.from(doc.users[0].user['client-key-data'], 'base64').toString(), admin.key.privateKeyPem);
  });
  test('paths, custom context, and both path and data when asked', () => {
    const t = kubeconfigText({
      clusterName: 'kubernetes',
      server: 'https://cp:6443',
      caPath: '/etc/kubernetes/pki/ca.crt',
      userName: 'system:node:cp1',
      certPath: '/p.pem',
      keyPath: '/p.pem',
      certPem: 'X',
      contextName: 'ctx',
    });
    const doc = YAML.parse(t);
    assert.equal(doc.clusters[0].cluster['certificate-authority'], '/etc/kubernetes/pki/ca.crt');
    assert.equal(doc['current-context'], 'ctx');
    assert.equal(doc.users[0].name, 'system:node:cp1');
    assert.deepEqual(Object.keys(doc.users[0].user), ['client-certificate', 'client-certificate-data', 'client-key']);
  });
});

// ------------------------------------------------------------------------------------------- cluster
/** Extracts a kubeconfig's client certificate and key into files. */
async function kubeconfigMaterial(c, name) {
  const doc = YAML.parse(await readFile(c.files[name], 'utf8'));
  const u = doc.users[0].user;
  const resolve = (p) => path.join(c.dir, p); // absolute node paths live under the tree
  const cert = u['client-certificate-data']
    ? Buffer.from(u['client-certificate-data'], 'base64').toString()
    : await readFile(resolve(u['client-certificate']), 'utf8');
  const key = u['client-key-data'] ? Buffer.from(u['client-key-data'], 'base64').toString() : await readFile(resolve(u['client-key']), 'utf8');
  const ca = Buffer.from(doc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
  return {
    doc,
    certFile: await tmpFile(cert, `${name}.crt`),
    keyFile: await tmpFile(key, `${name}.key`),
    caPem: ca,
    server: doc.clusters[0].cluster.server,
  };
}

describe('buildCluster: a healthy kubeadm node', () => {
  let c;
  before(async () => {
    c = await buildCluster(path.join(work, 'healthy'));
  });

  const pkiLeaves = [
    // [cert, CA, purposes, subject]
    ['pki/apiserver', 'pki/ca', ['sslserver'], 'subject=CN=kube-apiserver'],
    ['pki/apiserver-kubelet-client', 'pki/ca', ['sslclient'], 'subject=CN=kube-apiserver-kubelet-client,O=kubeadm:cluster-admins'],
    ['pki/front-proxy-client', 'pki/front-proxy-ca', ['sslclient'], 'subject=CN=front-proxy-client'],
    ['pki/apiserver-etcd-client', 'pki/etcd/ca', ['sslclient'], 'subject=CN=kube-apiserver-etcd-client'],
    ['pki/etcd/server', 'pki/etcd/ca', ['sslserver', 'sslclient'], 'subject=CN=cp1'],
    ['pki/etcd/peer', 'pki/etcd/ca', ['sslserver', 'sslclient'], 'subject=CN=cp1'],
    ['pki/etcd/healthcheck-client', 'pki/etcd/ca', ['sslclient'], 'subject=CN=kube-etcd-healthcheck-client'],
  ];
  for (const [leaf, ca, purposes, subj] of pkiLeaves) {
    test(`${leaf}.crt: ${subj}, verifies against ${ca}.crt as ${purposes.join('+')}, key matches`, () => {
      const crt = c.files[`${leaf}.crt`];
      for (const p of purposes) {
        const r = verify(c.files[`${ca}.crt`], crt, p);
        assert.equal(r.status, 0, r.out);
      }
      if (!purposes.includes('sslserver')) assert.notEqual(verify(c.files[`${ca}.crt`], crt, 'sslserver').status, 0);
      assert.equal(subject(crt), subj);
      assert.equal(certPubkey(crt), keyPubkey(c.files[`${leaf}.key`]));
      assert.equal(openssl(['pkey', '-in', c.files[`${leaf}.key`], '-check', '-noout']).status, 0);
    });
  }

  test('CAs are self-signed CAs with matching keys', () => {
    for (const [ca, cn] of [
      ['pki/ca', 'kubernetes'],
      ['pki/front-proxy-ca', 'front-proxy-ca'],
      ['pki/etcd/ca', 'etcd-ca'],
    ]) {
      const f = c.files[`${ca}.crt`];
      assert.match(text(f), /CA:TRUE/);
      assert.equal(subject(f), `subject=CN=${cn}`);
      assert.equal(verify(f, f).status, 0);
      assert.equal(certPubkey(f), keyPubkey(c.files[`${ca}.key`]));
    }
  });

  test('apiserver SANs: node name, kubernetes.default.svc.cluster.local, 10.96.0.1, advertise IP', () => {
    const t = text(c.files['pki/apiserver.crt']);
    assert.match(
      t,
      /DNS:cp1, DNS:kubernetes, DNS:kubernetes.default, DNS:kubernetes.default.svc, DNS:kubernetes.default.svc.cluster.local, IP Address:10.96.0.1, IP Address:192.168.10.11\n/,
    );
  });

  test('etcd server/peer SANs: node name, localhost, advertise IP, 127.0.0.1, ::1', () => {
    for (const f of ['pki/etcd/server.crt', 'pki/etcd/peer.crt']) {
      assert.match(text(c.files[f]), /DNS:cp1, DNS:localhost, IP Address:192.168.10.11, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1\n/);
    }
  });

  test('sa.pub is the public half of sa.key', () => {
    assert.equal(keyPubkey(c.files['pki/sa.key']), execFileSync('openssl', ['pkey', '-pubin', '-in', c.files['pki/sa.pub']], { encoding: 'utf8' }));
  });

  const kubeconfigs = [
    ['admin.conf', 'subject=CN=kubernetes-admin,O=kubeadm:cluster-admins', 'https://192.168.10.11:6443'],
    ['super-admin.conf', 'subject=CN=kubernetes-super-admin,O=system:masters', 'https://192.168.10.11:6443'],
    ['controller-manager.conf', 'subject=CN=system:kube-controller-manager', 'https://192.168.10.11:6443'],
    ['scheduler.conf', 'subject=CN=system:kube-scheduler', 'https://192.168.10.11:6443'],
    ['kubelet.conf', 'subject=CN=system:node:cp1,O=system:nodes', 'https://192.168.10.11:6443'],
  ];
  for (const [name, subj, server] of kubeconfigs) {
    test(`${name}: ${subj}, client cert verifies against ca.crt as sslclient, key matches, server in apiserver SANs`, async () => {
      const m = await kubeconfigMaterial(c, name);
      assert.equal(subject(m.certFile), subj);
      const r = verify(c.files['pki/ca.crt'], m.certFile, 'sslclient');
      assert.equal(r.status, 0, r.out);
      assert.equal(certPubkey(m.certFile), keyPubkey(m.keyFile));
      assert.equal(m.caPem, await readFile(c.files['pki/ca.crt'], 'utf8'));
      assert.equal(m.server, server);
      const host = new URL(m.server).hostname;
      assert.match(openssl(['x509', '-in', c.files['pki/apiserver.crt'], '-noout', '-checkip', host]).out, /does match/);
    });
  }

  test('kubelet.conf points at kubelet-client-current.pem holding cert + key', async () => {
    const doc = YAML.parse(await readFile(c.files['kubelet.conf'], 'utf8'));
    assert.equal(doc.users[0].user['client-certificate'], '/var/lib/kubelet/pki/kubelet-client-current.pem');
    assert.equal(doc.users[0].user['client-key'], '/var/lib/kubelet/pki/kubelet-client-current.pem');
    const pem = await readFile(c.files['kubelet-client-current.pem'], 'utf8');
    assert.match(pem, /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\n-----BEGIN EC PRIVATE KEY-----/);
  });

  test('kubelet serving cert: self-signed chain <node>@<time> / <node>-ca@<time>', async () => {
    const f = c.files['kubelet.crt'];
    assert.match(subject(f), /^subject=CN=cp1@\d+$/);
    const caFile = await tmpFile(c.certs['kubelet-serving-ca'].certPem, 'kubelet-ca.crt');
    assert.match(subject(caFile), /^subject=CN=cp1-ca@\d+$/);
    assert.equal(verify(caFile, f, 'sslserver').status, 0);
    assert.equal(certPubkey(f), keyPubkey(c.files['kubelet.key']));
  });

  test('kubeletClientSymlink: kubelet-client-current.pem is a relative symlink to the dated file', async () => {
    const s = await buildCluster(path.join(work, 'symlink'), { kubeletClientSymlink: true });
    const target = await readlink(s.files['kubelet-client-current.pem']);
    assert.match(target, /^kubelet-client-\d{4}-\d\d-\d\d-\d\d-\d\d-\d\d\.pem$/);
    const m = await kubeconfigMaterial(s, 'kubelet.conf');
    assert.equal(verify(s.files['pki/ca.crt'], m.certFile, 'sslclient').status, 0);
    assert.equal(certPubkey(m.certFile), keyPubkey(m.keyFile));
  });

  test('manifests and kubelet config parse, reference kubeadm paths', async () => {
    for (const f of ['kube-apiserver.yaml', 'kube-controller-manager.yaml', 'kube-scheduler.yaml', 'etcd.yaml', 'config.yaml']) {
      const doc = YAML.parseDocument(await readFile(c.files[f], 'utf8'));
      assert.deepEqual(doc.errors, [], f);
    }
    const api = YAML.parse(await readFile(c.files['kube-apiserver.yaml'], 'utf8'));
    const cmd = api.spec.containers[0].command;
    assert.equal(cmd[0], 'kube-apiserver');
    assert.ok(cmd.includes('--client-ca-file=/etc/kubernetes/pki/ca.crt'));
    assert.ok(cmd.includes('--etcd-servers=https://127.0.0.1:2379'));
    for (const flag of cmd.slice(1)) {
      const m = /^--[a-z-]+=(\/etc\/kubernetes\/.*)$/.exec(flag);
      if (m) await access(path.join(c.dir, m[1])); // every referenced file exists in the tree
    }
    const kc = YAML.parse(await readFile(c.files['config.yaml'], 'utf8'));
    assert.equal(kc.kind, 'KubeletConfiguration');
    assert.equal(kc.authentication.x509.clientCAFile, '/etc/kubernetes/pki/ca.crt');
  });

  test('options: node name, advertise address, service CIDR, DNS control-plane endpoint, ECDSA keys', async () => {
    const o = await buildCluster(path.join(work, 'opts'), {
      nodeName: 'master-a',
      advertiseAddress: '10.0.0.5',
      serviceCidr: '10.100.0.0/16',
      controlPlaneEndpoint: 'https://k8s.example.internal:6443',
      keyType: 'ecdsa-p256',
    });
    const t = text(o.files['pki/apiserver.crt']);
    assert.match(t, /DNS:k8s.example.internal/);
    assert.match(t, /DNS:master-a/);
    assert.match(t, /IP Address:10.100.0.1, IP Address:10.0.0.5/);
    assert.match(t, /ecdsa-with-SHA256/);
    assert.match(await readFile(o.files['pki/ca.key'], 'utf8'), /^-----BEGIN EC PRIVATE KEY-----/);
    const admin = await kubeconfigMaterial(o, 'admin.conf');
    assert.equal(admin.server, 'https://k8s.example.internal:6443');
    const sched = await kubeconfigMaterial(o, 'scheduler.conf');
    assert.equal(sched.server, 'https://10.0.0.5:6443');
    assert.equal(subject((await kubeconfigMaterial(o, 'kubelet.conf')).certFile), 'subject=CN=system:node:master-a,O=system:nodes');
    assert.match(await readFile(o.files['kube-apiserver.yaml'], 'utf8'), /--service-cluster-ip-range=10.100.0.0\/16/);
  });
});

describe('buildCluster: each planted defect changes what it claims', () => {
  const clusters = {};
  before(async () => {
    await Promise.all(DEFECTS.map(async (d) => (clusters[d] = await buildCluster(path.join(work, 'defect', d), { defects: [d] }))));
  });

  test('metadata: one entry per defect, code from DEFECT_CODES, lineIncludes on the given line', async () => {
    for (const d of DEFECTS) {
      const c = clusters[d];
      assert.equal(c.defects.length, 1);
      const m = c.defects[0];
      assert.equal(m.defect, d);
      assert.equal(m.code, DEFECT_CODES[d]);
      const lines = (await readFile(m.file, 'utf8')).split('\n');
      assert.ok(lines[m.line].includes(m.lineIncludes), `${d}: line ${m.line} of ${m.file}`);
      assert.equal(lines.filter((l) => l.includes(m.lineIncludes)).length, 1);
      for (const a of m.also ?? []) assert.ok((await readFile(a.file, 'utf8')).split('\n')[a.line].includes(a.lineIncludes));
    }
  });

  test('unknown defect names are refused', async () => {
    await assert.rejects(buildCluster(path.join(work, 'bad'), { defects: ['no-such-defect'] }), /unknown defect/);
  });

  const checks = {
    'apiserver-san-missing': async (c) => {
      const m = await kubeconfigMaterial(c, 'admin.conf');
      assert.equal(m.server, 'https://cp.example.internal:6443');
      assert.match(openssl(['x509', '-in', c.files['pki/apiserver.crt'], '-noout', '-checkhost', 'cp.example.internal']).out, /does NOT match/);
    },
    'etcd-san-missing': async (c) => {
      assert.match(await readFile(c.files['kube-apiserver.yaml'], 'utf8'), /--etcd-servers=https:\/\/127.0.0.1:2379/);
      assert.match(openssl(['x509', '-in', c.files['pki/etcd/server.crt'], '-noout', '-checkip', '127.0.0.1']).out, /does NOT match/);
      assert.match(openssl(['x509', '-in', c.files['pki/etcd/peer.crt'], '-noout', '-checkip', '127.0.0.1']).out, /does match/);
    },
    'scheduler-cn-typo': async (c) =>
      assert.equal(subject((await kubeconfigMaterial(c, 'scheduler.conf')).certFile), 'subject=CN=system:kube-schedular'),
    'admin-org-typo': async (c) =>
      assert.equal(subject((await kubeconfigMaterial(c, 'admin.conf')).certFile), 'subject=CN=kubernetes-admin,O=system:master'),
    'kubelet-wrong-group': async (c) =>
      assert.equal(subject((await kubeconfigMaterial(c, 'kubelet.conf')).certFile), 'subject=CN=system:node:cp1,O=system:bootstrappers'),
    'controller-manager-expired': async (c) => {
      const m = await kubeconfigMaterial(c, 'controller-manager.conf');
      assert.notEqual(openssl(['x509', '-in', m.certFile, '-noout', '-checkend', '0']).status, 0, 'expired per openssl -checkend 0');
      const r = verify(c.files['pki/ca.crt'], m.certFile, 'sslclient');
      assert.notEqual(r.status, 0);
      assert.match(r.out, /certificate has expired/);
      assert.equal(
        verify(c.files['pki/ca.crt'], m.certFile, 'sslclient', attime(new Date(c.now.getTime() - 60 * DAY))).status,
        0,
        'valid 60 days ago',
      );
    },
    'etcd-server-expiring': (c) => {
      const f = c.files['pki/etcd/server.crt'];
      assert.equal(openssl(['x509', '-in', f, '-noout', '-checkend', '0']).status, 0, 'still valid');
      assert.notEqual(openssl(['x509', '-in', f, '-noout', '-checkend', String(11 * 86400)]).status, 0, 'gone within 11 days');
      assert.equal(openssl(['x509', '-in', f, '-noout', '-checkend', String(9 * 86400)]).status, 0, 'still there in 9 days');
    },
    'not-yet-valid': async (c) => {
      const m = await kubeconfigMaterial(c, 'super-admin.conf');
      const r = verify(c.files['pki/ca.crt'], m.certFile, 'sslclient');
      assert.notEqual(r.status, 0);
      assert.match(r.out, /not yet valid/);
      assert.equal(verify(c.files['pki/ca.crt'], m.certFile, 'sslclient', attime(new Date(c.now.getTime() + 4 * DAY))).status, 0);
    },
    'apiserver-no-serverauth': (c) => {
      const r = verify(c.files['pki/ca.crt'], c.files['pki/apiserver.crt'], 'sslserver');
      assert.notEqual(r.status, 0);
      assert.match(r.out, /unsuitable certificate purpose/);
      assert.equal(verify(c.files['pki/ca.crt'], c.files['pki/apiserver.crt'], 'sslclient').status, 0);
    },
    'admin-no-clientauth': async (c) => {
      const m = await kubeconfigMaterial(c, 'admin.conf');
      assert.match(verify(c.files['pki/ca.crt'], m.certFile, 'sslclient').out, /unsuitable certificate purpose/);
      assert.equal(verify(c.files['pki/ca.crt'], m.certFile, 'sslserver').status, 0);
    },
    'client-ca-not-ca': async (c) => {
      assert.match(await readFile(c.files['kube-apiserver.yaml'], 'utf8'), /--client-ca-file=\/etc\/kubernetes\/pki\/apiserver.crt\n/);
      assert.match(text(c.files['pki/apiserver.crt']), /CA:FALSE/);
      const m = await kubeconfigMaterial(c, 'admin.conf');
      assert.notEqual(verify(c.files['pki/apiserver.crt'], m.certFile, 'sslclient').status, 0);
      assert.equal(verify(c.files['pki/ca.crt'], m.certFile, 'sslclient').status, 0, 'the cert itself is fine');
    },
    'admin-untrusted': async (c) => {
      const m = await kubeconfigMaterial(c, 'admin.conf');
      const r = verify(c.files['pki/ca.crt'], m.certFile, 'sslclient');
      assert.notEqual(r.status, 0);
      assert.match(r.out, /unable to get local issuer certificate|certificate signature failure/);
      assert.match(text(m.certFile), /Issuer: CN ?= ?kubernetes\n/, 'issuer has the same name');
      assert.equal(verify(await tmpFile(c.certs['other-ca'].certPem), m.certFile, 'sslclient').status, 0);
    },
    'etcd-client-untrusted': (c) => {
      const f = c.files['pki/apiserver-etcd-client.crt'];
      assert.notEqual(verify(c.files['pki/etcd/ca.crt'], f, 'sslclient').status, 0);
      assert.equal(verify(c.files['pki/ca.crt'], f, 'sslclient').status, 0);
    },
    'kubelet-untrusted': async (c) => {
      const m = await kubeconfigMaterial(c, 'kubelet.conf');
      assert.notEqual(verify(c.files['pki/ca.crt'], m.certFile, 'sslclient').status, 0);
      assert.equal(verify(await tmpFile(c.certs['other-ca'].certPem), m.certFile, 'sslclient').status, 0);
    },
    'apiserver-key-mismatch': (c) => {
      assert.notEqual(certPubkey(c.files['pki/apiserver.crt']), keyPubkey(c.files['pki/apiserver.key']));
      assert.equal(verify(c.files['pki/ca.crt'], c.files['pki/apiserver.crt'], 'sslserver').status, 0);
    },
    'sa-key-mismatch': (c) => {
      const pub = execFileSync('openssl', ['pkey', '-pubin', '-in', c.files['pki/sa.pub']], { encoding: 'utf8' });
      assert.notEqual(pub, keyPubkey(c.files['pki/sa.key']));
    },
    'weak-key': (c) => {
      assert.match(text(c.files['pki/front-proxy-client.crt']), /Public-Key: \(1024 bit\)/);
      assert.equal(certPubkey(c.files['pki/front-proxy-client.crt']), keyPubkey(c.files['pki/front-proxy-client.key']));
    },
    'weak-signature': (c) => {
      assert.match(text(c.files['pki/apiserver-kubelet-client.crt']), /Signature Algorithm: sha1WithRSAEncryption/);
    },
    'conflicting-fields': async (c) => {
      const doc = YAML.parse(await readFile(c.files['scheduler.conf'], 'utf8'));
      const u = doc.users[0].user;
      assert.equal(u['client-certificate'], '/etc/kubernetes/pki/scheduler.crt');
      assert.ok(u['client-certificate-data']);
      assert.equal(
        await readFile(c.files['pki/scheduler.crt'], 'utf8'),
        Buffer.from(u['client-certificate-data'], 'base64').toString(),
        'same certificate both ways',
      );
    },
    'missing-file': async (c) => {
      await assert.rejects(access(c.files['pki/apiserver-kubelet-client.key']));
      await access(c.files['pki/apiserver-kubelet-client.crt']);
    },
    'bad-pem': (c) => {
      assert.notEqual(openssl(['x509', '-in', c.files['pki/front-proxy-ca.crt'], '-noout']).status, 0);
      assert.equal(openssl(['pkey', '-in', c.files['pki/front-proxy-ca.key'], '-noout']).status, 0);
    },
    'yaml-invalid': async (c) => {
      const doc = YAML.parseDocument(await readFile(c.files['kube-scheduler.yaml'], 'utf8'));
      assert.ok(doc.errors.length > 0);
      assert.equal(doc.errors[0].linePos[0].line - 1, c.defects[0].line, 'the parser complains on the broken line');
    },
  };

  test('every defect has a check', () => assert.deepEqual(Object.keys(checks).sort(), [...DEFECTS].sort()));
  for (const d of DEFECTS) {
    test(d, async () => {
      await checks[d](clusters[d]);
    });
  }
});
