// Chains are verified for the usage of the handshake, as Go's crypto/tls does (serverAuth for a server's certificate,
// clientAuth for a client's), and Go's crypto/x509 carries each CA's extended key usage down the chain
// (checkChainForKeyUsage). The differential test (truth.test.mjs) found these against etcd and kubectl; here each is
// pinned on a kubeadm node tree made at run time. Run `node esbuild.js` first.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCluster } from './helpers/cluster.mjs';
import { X509Certificate } from 'node:crypto';
import { g, tempDir, cleanup, checkTree, summary } from './helpers/engine.mjs';

const dirs = [];
after(() => dirs.forEach(cleanup));

const b64 = (s) => Buffer.from(s).toString('base64');

/** Replaces a certificate or key everywhere in the tree (PEM files and kubeconfig *-data). */
function replaceEverywhere(c, oldText, newText) {
  for (const f of Object.values(c.files)) {
    const t = readFileSync(f, 'utf8');
    if (t.includes(oldText) || t.includes(b64(oldText))) writeFileSync(f, t.split(oldText).join(newText).split(b64(oldText)).join(b64(newText)));
  }
}

async function tree() {
  const dir = tempDir('kube-pki-chain-usage-');
  dirs.push(dir);
  const c = await buildCluster(path.join(dir, 'node'), {});
  return { dir, c };
}

/** An intermediate CA under `issuer` restricted to these extended key usages. */
async function intermediate(issuer, extKeyUsage) {
  return g.issueCertificate({
    commonName: `intermediate-${extKeyUsage.join('-')}`,
    isCA: true,
    keyUsage: ['keyCertSign', 'digitalSignature'],
    extKeyUsage,
    issuer,
    keyType: 'ecdsa-p256',
  });
}

/** Re-issues a leaf of the tree under `issuer`, sent with the intermediate. */
async function underIntermediate(c, name, inter, extra = {}) {
  const old = c.certs[name];
  const issued = await g.issueCertificate({ ...extra, issuer: inter, key: old.key });
  replaceEverywhere(c, old.certPem, issued.certPem + inter.certPem);
}

const line = (file, needle) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle)) + 1;

test("a client certificate under an intermediate that allows only serverAuth is eku-missing, quoting Go's error", async () => {
  const { dir, c } = await tree();
  const inter = await intermediate(c.certs.ca, ['serverAuth']);
  await underIntermediate(c, 'admin.conf', inter, {
    commonName: 'kubernetes-admin',
    organizations: ['kubeadm:cluster-admins'],
    extKeyUsage: ['clientAuth'],
  });
  const { findings } = checkTree(path.join(dir, 'node'));
  const errors = findings.filter((f) => f.severity === 'error');
  const admin = c.files['admin.conf'];
  assert.deepEqual(summary(errors, dir), [`node/etc/kubernetes/admin.conf:${line(admin, 'client-certificate-data:')} eku-missing`]);
  assert.match(
    errors[0].message,
    /CN=kubernetes-admin, O=kubeadm:cluster-admins is .*, but CN=intermediate-serverAuth, the CA certificate sent with it, allows only serverAuth .* without clientAuth, servers will refuse it as a client \("x509: certificate specifies an incompatible key usage"\)/,
  );
});

test('the same client certificate under an intermediate that allows clientAuth is fine', async () => {
  const { dir, c } = await tree();
  const inter = await intermediate(c.certs.ca, ['clientAuth']);
  await underIntermediate(c, 'admin.conf', inter, {
    commonName: 'kubernetes-admin',
    organizations: ['kubeadm:cluster-admins'],
    extKeyUsage: ['clientAuth'],
  });
  const { findings } = checkTree(path.join(dir, 'node'));
  assert.deepEqual(
    summary(
      findings.filter((f) => f.severity === 'error'),
      dir,
    ),
    [],
  );
});

test("the apiserver's serving certificate under an intermediate that allows only clientAuth is eku-missing on --tls-cert-file", async () => {
  const { dir, c } = await tree();
  const inter = await intermediate(c.certs.ca, ['clientAuth']);
  const s = new X509Certificate(c.certs.apiserver.certPem);
  const sans = s.subjectAltName.split(', ');
  await underIntermediate(c, 'apiserver', inter, {
    commonName: 'kube-apiserver',
    extKeyUsage: ['serverAuth'],
    dnsNames: sans.filter((x) => x.startsWith('DNS:')).map((x) => x.slice(4)),
    ipAddresses: sans.filter((x) => x.startsWith('IP Address:')).map((x) => x.slice(11)),
  });
  const { findings } = checkTree(path.join(dir, 'node'));
  const errors = findings.filter((f) => f.severity === 'error');
  const api = c.files['kube-apiserver.yaml'];
  assert.deepEqual(summary(errors, dir), [`node/etc/kubernetes/manifests/kube-apiserver.yaml:${line(api, '--tls-cert-file=')} eku-missing`]);
  assert.match(errors[0].message, /allows only clientAuth .* without serverAuth, clients will refuse it as a server/);
});

test('a CA restricted to serverAuth in --client-ca-file refuses every client certificate: untrusted-issuer with Go\'s "incompatible key usage"', async () => {
  const { dir, c } = await tree();
  // The same CA (name and key) re-made with an extended key usage list: what it already signed still chains to it.
  const restricted = await g.issueCertificate({
    subjectDer: Buffer.from(c.certs.ca.cert.subjectName.toArrayBuffer()),
    isCA: true,
    key: c.certs.ca.key,
    extKeyUsage: ['serverAuth'],
  });
  const file = c.files['pki/ca.crt'];
  writeFileSync(file, restricted.certPem);
  const { findings } = checkTree(path.join(dir, 'node'));
  const admin = c.files['admin.conf'];
  const onAdmin = findings.filter((f) => f.file === admin && f.severity === 'error');
  assert.deepEqual(summary(onAdmin, dir), [`node/etc/kubernetes/admin.conf:${line(admin, 'client-certificate-data:')} untrusted-issuer`]);
  assert.match(onAdmin[0].message, /x509: certificate specifies an incompatible key usage/);
  // Serving certificates verified against the same file still pass: the CA allows serverAuth.
  const api = c.files['kube-apiserver.yaml'];
  assert.ok(!findings.some((f) => f.file === api && f.range.start.line + 1 === line(api, '--tls-cert-file=')), summary(findings, dir).join('\n'));
});

test("pods verify the apiserver with the controller-manager's --root-ca-file: a serving certificate from another CA is untrusted-issuer on --tls-cert-file", async () => {
  const { dir, c } = await tree();
  const other = await g.issueCertificate({
    subjectDer: Buffer.from(c.certs.ca.cert.subjectName.toArrayBuffer()),
    isCA: true,
    keyType: 'ecdsa-p256',
  });
  const s = new X509Certificate(c.certs.apiserver.certPem);
  const sans = s.subjectAltName.split(', ');
  const issued = await g.issueCertificate({
    commonName: 'kube-apiserver',
    extKeyUsage: ['serverAuth'],
    dnsNames: sans.filter((x) => x.startsWith('DNS:')).map((x) => x.slice(4)),
    ipAddresses: sans.filter((x) => x.startsWith('IP Address:')).map((x) => x.slice(11)),
    issuer: other,
    key: c.certs.apiserver.key,
  });
  replaceEverywhere(c, c.certs.apiserver.certPem, issued.certPem);
  const { findings } = checkTree(path.join(dir, 'node'));
  const api = c.files['kube-apiserver.yaml'];
  const onApi = findings.filter((f) => f.file === api && f.code === 'untrusted-issuer');
  assert.deepEqual(summary(onApi, dir), [`node/etc/kubernetes/manifests/kube-apiserver.yaml:${line(api, '--tls-cert-file=')} untrusted-issuer`]);
  assert.match(onApi[0].message, /verified against --root-ca-file \(CN=kubernetes\): pods will not trust the apiserver/);
  assert.match(onApi[0].message, /x509: certificate signed by unknown authority/);
});
