// A kubeadm-like node tree, generated at run time: healthy, it gets no finding at all; with one
// defect planted, kube-pki reports exactly that defect's code on the line that references the
// faulty material, and nothing unrelated. Each code of the catalog is proven here or in
// engine.test.mjs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCluster, DEFECTS, DEFECT_CODES, loadEngine } from './helpers/cluster.mjs';

const E = loadEngine();
let work;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kube-pki-checks-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

function check(c, options = {}) {
  const fs = E.nodeFileSystem();
  const engine = new E.Engine(fs, { searchRoots: [c.dir], now: c.now, ...options });
  for (const f of E.discoverFiles(fs, [c.dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
  return engine.documents().flatMap((f) => engine.check(f));
}

const show = (c, fs) => fs.map((f) => `${path.relative(c.dir, f.file)}:${f.range.start.line + 1} ${f.code}: ${f.message}`).join('\n');

/**
 * Findings a defect may also cause, as the cluster itself would suffer them: a SHA-1 signature
 * also breaks the chain (Go refuses SHA-1), a SAN missing for a kubeconfig is also missing on the
 * apiserver's side, a broken shared file is broken for every flag that names it.
 */
const consequences = {
  'weak-signature': ['untrusted-issuer'],
  // A leaf as --client-ca-file: no client certificate verifies any more, every kubeconfig says so.
  'client-ca-not-ca': ['untrusted-issuer'],
  'apiserver-san-missing': ['san-missing'],
  'etcd-san-missing': ['san-missing'],
};

describe('a kubeadm node tree', () => {
  test('healthy (RSA): no findings at all', async () => {
    const c = await buildCluster(path.join(work, 'healthy'));
    assert.equal(show(c, check(c)), '');
  });

  test('healthy (ECDSA P-384, DNS control-plane endpoint, symlinked kubelet cert): no findings at all', async () => {
    const c = await buildCluster(path.join(work, 'healthy-ec'), {
      keyType: 'ecdsa-p384',
      controlPlaneEndpoint: 'https://k8s.example.internal:6443',
      kubeletClientSymlink: true,
    });
    assert.equal(show(c, check(c)), '');
  });

  test('healthy tree found through kubePki.rootDir from outside the tree', async () => {
    const c = await buildCluster(path.join(work, 'healthy-root'));
    const fs = E.nodeFileSystem();
    const engine = new E.Engine(fs, { rootDir: c.dir, now: c.now });
    const kc = c.files['admin.conf'];
    engine.updateDocument(kc, readFileSync(kc, 'utf8'));
    const api = c.files['kube-apiserver.yaml'];
    engine.updateDocument(api, readFileSync(api, 'utf8'));
    assert.deepEqual([...engine.check(kc), ...engine.check(api)], []);
  });

  for (const defect of DEFECTS) {
    test(`${defect}: ${DEFECT_CODES[defect]} on the referencing line, nothing unrelated`, async () => {
      const c = await buildCluster(path.join(work, defect), { defects: [defect] });
      const m = c.defects[0];
      const fs = check(c);
      const hit = fs.filter((f) => f.file === m.file && f.range.start.line === m.line && f.code === m.code);
      assert.equal(hit.length, 1, `expected ${path.relative(c.dir, m.file)}:${m.line + 1} ${m.code}; got\n${show(c, fs)}`);
      assert.equal(hit[0].source ?? 'kube-pki', 'kube-pki');
      const allowedLines = new Set([`${m.file}:${m.line}`, ...(m.also ?? []).map((a) => `${a.file}:${a.line}`)]);
      const allowedCodes = new Set([m.code, ...(consequences[defect] ?? [])]);
      const unrelated = fs.filter(
        (f) => f !== hit[0] && !(allowedCodes.has(f.code) && (allowedLines.has(`${f.file}:${f.range.start.line}`) || consequences[defect])),
      );
      assert.equal(show(c, unrelated), '', `${defect} caused unrelated findings`);
      assert.ok(hit[0].message.length > 30, 'a message that says what is wrong');
    });
  }

  test('all defects at once: each still on its line', async () => {
    const c = await buildCluster(path.join(work, 'all'), { defects: DEFECTS });
    const fs = check(c);
    for (const m of c.defects) {
      assert.ok(
        fs.some((f) => f.file === m.file && f.range.start.line === m.line && f.code === m.code),
        `${m.defect}: expected ${path.relative(c.dir, m.file)}:${m.line + 1} ${m.code}; got\n${show(c, fs)}`,
      );
    }
  });
});

describe('messages say what the cluster will do', () => {
  test('san-missing quotes Go, cn-mismatch suggests the right name, untrusted-issuer points at the CA', async () => {
    const c = await buildCluster(path.join(work, 'messages'), { defects: ['apiserver-san-missing', 'scheduler-cn-typo', 'admin-untrusted'] });
    const fs = check(c);
    const at = (defect) => {
      const m = c.defects.find((d) => d.defect === defect);
      return fs.find((f) => f.file === m.file && f.range.start.line === m.line && f.code === m.code);
    };
    assert.match(at('apiserver-san-missing').message, /kubectl will fail: x509: certificate is valid for .*, not cp\.example\.internal/);
    assert.match(at('scheduler-cn-typo').message, /"system:kube-schedular".*"system:kube-scheduler"/);
    const untrusted = at('admin-untrusted');
    assert.match(untrusted.message, /401 Unauthorized/);
    assert.equal(untrusted.related.length, 1);
    assert.equal(untrusted.related[0].file, c.files['kube-apiserver.yaml']);
    assert.match(readFileSync(c.files['kube-apiserver.yaml'], 'utf8').split('\n')[untrusted.related[0].range.start.line], /--client-ca-file/);
  });

  test("san-missing on the apiserver's certificate: each related note points at a line that dials or advertises the name, never at --tls-cert-file", async () => {
    const c = await buildCluster(path.join(work, 'dialled'));
    const narrow = await E.generate.issueCertificate({
      commonName: 'kube-apiserver',
      issuer: c.certs.ca,
      key: c.certs.apiserver.key,
      extKeyUsage: ['serverAuth'],
      dnsNames: ['cp1'],
    });
    writeFileSync(c.files['pki/apiserver.crt'], narrow.certPem);
    const api = c.files['kube-apiserver.yaml'];
    const f = check(c).find((x) => x.file === api && x.code === 'san-missing');
    assert.ok(f, 'san-missing on the apiserver manifest');
    const lineText = (file, line) => readFileSync(file, 'utf8').split('\n')[line];
    const notes = f.related.map((r) => `${path.relative(c.dir, r.file)} | ${lineText(r.file, r.range.start.line).trim()} | ${r.message}`);
    assert.ok(!notes.some((n) => n.includes('--tls-cert-file')), notes.join('\n'));
    // The in-cluster names are dialled by pods through the kubernetes Service: no line of the workspace dials them.
    assert.ok(!notes.some((n) => /\| kubernetes(\.default)?(\.svc)?( |,)/.test(n)), notes.join('\n'));
    assert.ok(
      notes.includes(
        `etc/kubernetes/manifests/kube-apiserver.yaml | - --advertise-address=192.168.10.11 | 192.168.10.11 is advertised here (--advertise-address)`,
      ),
      notes.join('\n'),
    );
    assert.ok(
      notes.includes(`etc/kubernetes/admin.conf | server: https://192.168.10.11:6443 | 192.168.10.11 is dialled here (admin.conf server)`),
      notes.join('\n'),
    );
    assert.ok(
      notes.some((n) =>
        n.startsWith('etc/kubernetes/manifests/kube-apiserver.yaml | - --service-cluster-ip-range=10.96.0.0/12 | 10.96.0.1, the kubernetes Service'),
      ),
      notes.join('\n'),
    );
  });

  test("the kubelet's rotated client certificate near or past expiry: what renews it and what to check, not kubeadm certs renew", async () => {
    const c = await buildCluster(path.join(work, 'kubelet-rotation'));
    const notAfter = new X509Certificate(readFileSync(c.files['kubelet-client-current.pem'])).validTo;
    const at = (days) => new Date(Date.parse(notAfter) + days * 86_400_000);
    const kubeletLine = (fs, code) => fs.find((f) => f.file === c.files['kubelet.conf'] && f.code === code);
    const expiring = check(c, { now: at(-10) });
    const kubelet = kubeletLine(expiring, 'cert-expiring');
    assert.ok(kubelet, show(c, expiring));
    assert.match(kubelet.message, /the kubelet's rotated client certificate, renewed by the kubelet itself \(rotateCertificates: true/);
    assert.match(kubelet.message, /journalctl -u kubelet/);
    assert.match(kubelet.message, /kubectl get csr/);
    assert.match(kubelet.message, /--cluster-signing-cert-file and --cluster-signing-key-file/);
    assert.doesNotMatch(kubelet.message, /renew it before then \(kubeadm certs renew/);
    // The certificates kubeadm renews keep kubeadm's advice.
    const scheduler = expiring.find((f) => f.file === c.files['scheduler.conf'] && f.code === 'cert-expiring');
    assert.match(scheduler.message, /renew it before then \(kubeadm certs renew, or Kube PKI: Renew Certificate\)/);
    const expired = kubeletLine(check(c, { now: at(1) }), 'cert-expired');
    assert.match(expired.message, /Expired, it cannot authenticate the kubelet's request for a new one: .*kubectl get csr.*re-bootstrap the kubelet/);
  });
});
