// The engine on small, targeted trees: recognition by content, path resolution, every kind of
// bad input a reference can meet, and the rules that decide each code. Certificates are made at
// run time (they expire); the planted-defect node tree is covered by checks.test.mjs.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { truncateSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { E, g, tempDir, write, b64, ca, leaf, checkTree, summary, lineOf, cleanup, kubeconfig, apiserverManifest } from './helpers/engine.mjs';

let dir;
let rootCA;
let otherCA;
let admin;
let serving;

before(async () => {
  dir = tempDir();
  rootCA = await ca('kubernetes');
  otherCA = await ca('kubernetes'); // same name, another key: a previous `kubeadm init`
  admin = await leaf(rootCA, { commonName: 'kubernetes-admin', organizations: ['kubeadm:cluster-admins'] });
  serving = await leaf(rootCA, {
    commonName: 'kube-apiserver',
    extKeyUsage: ['serverAuth'],
    dnsNames: ['cp1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', '*.lb.example.com'],
    ipAddresses: ['10.96.0.1', '10.0.0.1'],
  });
});
after(() => cleanup(dir));

function sub(name) {
  const d = path.join(dir, name);
  mkdirSync(d, { recursive: true });
  return d;
}

/** An apiserver node: pki files and a manifest, for kubeconfigs to be judged against. */
function apiserverNode(d, { servingCert = serving, clientCA = rootCA, extra = [] } = {}) {
  write(d, 'etc/kubernetes/pki/ca.crt', clientCA.certPem);
  write(d, 'etc/kubernetes/pki/apiserver.crt', servingCert.certPem);
  write(d, 'etc/kubernetes/pki/apiserver.key', servingCert.key.privateKeyPem);
  return write(
    d,
    'etc/kubernetes/manifests/kube-apiserver.yaml',
    apiserverManifest([
      '--advertise-address=10.0.0.1',
      '--client-ca-file=/etc/kubernetes/pki/ca.crt',
      '--tls-cert-file=/etc/kubernetes/pki/apiserver.crt',
      '--tls-private-key-file=/etc/kubernetes/pki/apiserver.key',
      '--service-cluster-ip-range=10.96.0.0/12',
      ...extra,
    ]),
  );
}

describe('recognition by content', () => {
  test('YAML of any other kind is not recognised and gets no findings', () => {
    const d = sub('other-yaml');
    const files = [
      write(
        d,
        'deploy.yaml',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n      - name: nginx\n        image: nginx\n        args: ["--tls-cert-file=/nope.crt"]\n',
      ),
      write(d, '.github/workflows/ci.yml', 'on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n'),
      write(d, 'values.yaml', 'users:\n  - name: a\n    role: b\n'),
      write(d, 'broken.yaml', 'a: [\nb: 1\n'),
    ];
    const { engine, findings } = checkTree(d, {}, files);
    assert.deepEqual(engine.documents(), []);
    assert.deepEqual(findings, []);
  });

  test('a kubeconfig named `config`, without `kind`, is recognised by its shape', () => {
    const d = sub('config-no-kind');
    const text = kubeconfig({ caPath: 'missing-ca.crt' }).replace('kind: Config\n', '');
    const f = write(d, '.kube/config', text);
    const { engine, findings } = checkTree(d, {}, [f]);
    assert.deepEqual(engine.documents(), [f]);
    assert.deepEqual(summary(findings, d), [`.kube/config:${lineOf(f, 'missing-ca.crt')} file-not-found`]);
  });

  test('multi-document files, anchors and comments work; a kubeadm config holds a KubeletConfiguration', () => {
    const d = sub('multi-doc');
    write(d, 'ca.crt', 'not a certificate\n');
    const f = write(
      d,
      'kubeadm-config.yaml',
      [
        '# kubeadm init --config kubeadm-config.yaml',
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: InitConfiguration',
        '---',
        'apiVersion: kubelet.config.k8s.io/v1beta1',
        'kind: KubeletConfiguration',
        'authentication:',
        '  x509:',
        '    clientCAFile: &ca ca.crt # relative to this file, as the kubelet resolves it',
        'tlsCertFile: *ca',
        '',
      ].join('\n'),
    );
    const { findings } = checkTree(d, {}, [f]);
    assert.deepEqual(summary(findings, d), [`kubeadm-config.yaml:9 pem-invalid`, `kubeadm-config.yaml:10 pem-invalid`]);
  });

  test('a Deployment pod template running kube-apiserver with `args` and `--flag value` items', () => {
    const d = sub('deployment');
    const f = write(
      d,
      'apiserver-deploy.yaml',
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: kube-apiserver}
spec:
  template:
    spec:
      containers:
      - name: apiserver
        image: registry.k8s.io/kube-apiserver:v1.31.1
        args:
        - --tls-cert-file
        - /srv/nowhere/apiserver.crt
        - "--client-ca-file=/srv/nowhere/ca.crt"
`,
    );
    // The tree holds the node's /srv/nowhere (without the files): that is where they belong, so they are missing.
    mkdirSync(path.join(d, 'srv/nowhere'), { recursive: true });
    const { findings } = checkTree(d, {}, [f]);
    assert.deepEqual(summary(findings, d), ['apiserver-deploy.yaml:12 file-not-found', 'apiserver-deploy.yaml:13 file-not-found']);
    const quoted = findings.find((x) => x.range.start.line === 12);
    // The range covers the path inside the quotes, not the flag name.
    const line = readFileSync(f, 'utf8').split('\n')[12];
    assert.equal(line.slice(quoted.range.start.character, quoted.range.end.character), '/srv/nowhere/ca.crt');
  });

  test('invalid YAML in a kubeconfig is one yaml-invalid finding, not a crash', () => {
    const d = sub('yaml-invalid');
    const f = write(
      d,
      'admin.conf',
      'apiVersion: v1\nkind: Config\nclusters:\n- name: a\n  cluster:\n    server: https://x\n   bad: indent\n  - oops\n',
    );
    const { findings } = checkTree(d, {}, [f]);
    assert.equal(findings.length, 1);
    assert.equal(findings[0].code, 'yaml-invalid');
    assert.equal(findings[0].severity, 'error');
  });
});

describe('resolving references', () => {
  test('an absolute path resolves through kubePki.pathMappings, then rootDir, then the copy of the node tree, then by suffix', () => {
    const d = sub('resolve');
    write(d, 'mapped/pki/ca.crt', rootCA.certPem);
    write(d, 'root/etc/kubernetes/pki/front.crt', rootCA.certPem);
    write(d, 'backup/kubernetes/pki/sfx.crt', 'garbage');
    const f = write(
      d,
      'configs/admin.conf',
      kubeconfig({ caPath: '/etc/kubernetes/pki/ca.crt' }).replace(
        'users:',
        'users:\n- name: a\n  user:\n    client-certificate: /etc/kubernetes/pki/front.crt\n- name: b\n  user:\n    client-certificate: /etc/kubernetes/pki/sfx.crt',
      ),
    );
    const { findings } = checkTree(d, { pathMappings: { '/etc/kubernetes/pki': path.join(d, 'mapped/pki') }, rootDir: path.join(d, 'root') }, [f]);
    // ca.crt via the mapping and front.crt via rootDir load fine; sfx.crt is found by suffix and is garbage.
    // (Neither user has a client key: kubectl refuses both, whatever their certificates.)
    assert.deepEqual(summary(findings, d), [
      `configs/admin.conf:${lineOf(f, 'front.crt')} client-key-missing`,
      `configs/admin.conf:${lineOf(f, 'sfx.crt')} client-key-missing`,
      `configs/admin.conf:${lineOf(f, 'sfx.crt')} pem-invalid`,
    ]);
    assert.match(findings.find((x) => x.code === 'pem-invalid').message, /backup\/kubernetes\/pki\/sfx\.crt/);
  });

  test('a relative path is relative to the kubeconfig folder; file-not-found says which places were tried', () => {
    const d = sub('relative');
    write(d, 'kube/certs/ca.crt', rootCA.certPem);
    const ok = write(d, 'kube/ok.conf', kubeconfig({ caPath: 'certs/ca.crt' }));
    const bad = write(d, 'kube/bad.conf', kubeconfig({ caPath: '/etc/kubernetes/pki/nowhere.crt' }));
    // A copy of the node's /etc/kubernetes/pki that lacks the file.
    mkdirSync(path.join(d, 'etc/kubernetes/pki'), { recursive: true });
    const { findings } = checkTree(d, {}, [ok, bad]);
    assert.deepEqual(summary(findings, d), [`kube/bad.conf:${lineOf(bad, 'nowhere.crt')} file-not-found`]);
    assert.match(findings[0].message, /tried .*\/etc\/kubernetes\/pki\/nowhere\.crt/);
    assert.match(findings[0].message, /kubePki\.pathMappings/);
  });

  test('a directory, a FIFO and an oversized file are file-unreadable with the reason', () => {
    const d = sub('unreadable');
    mkdirSync(path.join(d, 'adir'));
    execFileSync('mkfifo', [path.join(d, 'fifo')]);
    write(d, 'huge.crt', '');
    truncateSync(path.join(d, 'huge.crt'), 50 * 1024 * 1024);
    const f = write(d, 'k.conf', kubeconfig({ caPath: 'adir', certPath: 'fifo', keyPath: 'huge.crt' }));
    const started = Date.now();
    const { findings } = checkTree(d, {}, [f]);
    assert.ok(Date.now() - started < 5000, 'a FIFO must not block the check');
    assert.deepEqual(summary(findings, d), [
      `k.conf:${lineOf(f, 'adir')} file-unreadable`,
      `k.conf:${lineOf(f, 'fifo')} file-unreadable`,
      `k.conf:${lineOf(f, 'huge.crt')} file-unreadable`,
    ]);
    const byLine = (needle) => findings.find((x) => x.range.start.line + 1 === lineOf(f, needle)).message;
    assert.match(byLine('adir'), /folder/);
    assert.match(byLine('fifo'), /not a regular file/);
    assert.match(byLine('huge.crt'), /limit/);
  });

  test('a symlink loop is reported, not followed forever', () => {
    const d = sub('loop');
    execFileSync('ln', ['-s', 'b.crt', path.join(d, 'a.crt')]);
    execFileSync('ln', ['-s', 'a.crt', path.join(d, 'b.crt')]);
    const f = write(d, 'k.conf', kubeconfig({ caPath: 'a.crt' }));
    const { findings } = checkTree(d, {}, [f]);
    assert.equal(findings.length, 1);
    assert.match(findings[0].code, /file-(not-found|unreadable)/);
    assert.match(findings[0].message, /symlink loop|symbolic links/);
  });
});

describe('pem-invalid', () => {
  test('bad base64, base64 of DER, a key where a certificate belongs, a truncated PEM, an encrypted key', async () => {
    const d = sub('pem');
    const der = Buffer.from(rootCA.certPem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    const truncated = rootCA.certPem.slice(0, 200);
    write(d, 'trunc.crt', truncated);
    const enc = path.join(d, 'enc.key');
    write(d, 'plain.key', admin.key.privateKeyPem);
    execFileSync('openssl', ['pkey', '-in', path.join(d, 'plain.key'), '-aes256', '-passout', 'pass:secret', '-out', enc]);
    const encText = readFileSync(enc, 'utf8');
    const f = write(
      d,
      'k.conf',
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: a',
        '  cluster:',
        '    server: https://10.9.9.9',
        '    certificate-authority-data: "%%% not base64 %%%"',
        '- name: b',
        '  cluster:',
        '    server: https://10.9.9.9',
        `    certificate-authority-data: ${der.toString('base64')}`,
        '- name: c',
        '  cluster:',
        '    server: https://10.9.9.9',
        '    certificate-authority: trunc.crt',
        'users:',
        '- name: u',
        '  user:',
        `    client-certificate-data: ${b64(admin.key.privateKeyPem)}`,
        `    client-key: enc.key`,
        '',
      ].join('\n'),
    );
    const { findings } = checkTree(d, {}, [f]);
    assert.deepEqual(summary(findings, d), [
      'k.conf:7 pem-invalid',
      'k.conf:11 pem-invalid',
      'k.conf:15 pem-invalid',
      'k.conf:19 pem-invalid',
      'k.conf:20 pem-invalid',
    ]);
    const msg = (line) => findings.find((x) => x.range.start.line + 1 === line).message;
    assert.match(msg(7), /not valid base64/);
    assert.match(msg(11), /looks like DER/);
    assert.match(msg(15), /no END line|truncated/i);
    assert.match(msg(19), /found (RSA |EC )?PRIVATE KEY/);
    assert.match(msg(20), /encrypted/);
    // Never any key material in a message.
    const keyBody = admin.key.privateKeyPem.split('\n')[1];
    const encBody = encText.split('\n')[1];
    for (const x of findings) {
      assert.ok(!x.message.includes(keyBody.slice(0, 20)) && !x.message.includes(encBody.slice(0, 20)), 'key bytes leaked into a message');
    }
  });
});

describe('expiry', () => {
  test('--now and expiryWarningDays decide expired, expiring, not yet valid', async () => {
    const d = sub('expiry');
    const f = write(d, 'k.conf', kubeconfig({ certPem: admin.certPem, keyPem: admin.key.privateKeyPem }));
    const at = (days) => new Date(Date.now() + days * 86400000);
    const codes = (opts) => checkTree(d, opts, [f]).findings.map((x) => x.code);
    assert.deepEqual(codes({ now: at(0) }), []);
    assert.deepEqual(codes({ now: at(350) }), ['cert-expiring']);
    assert.deepEqual(codes({ now: at(350), expiryWarningDays: 10 }), []);
    assert.deepEqual(codes({ now: at(400) }), ['cert-expired']);
    assert.deepEqual(codes({ now: at(-1) }), ['cert-not-yet-valid']);
    const expired = checkTree(d, { now: at(400) }, [f]).findings[0];
    assert.match(expired.message, /expired on \d{4}-\d\d-\d\d \(\d+ days ago\)/);
  });
});

describe('server names (Go rules: SANs only, wildcard one label, IPs only against IP SANs)', () => {
  test('kubeconfig server hosts: exact, wildcard, IP; a missing one is reported on both sides', () => {
    const d = sub('san');
    const api = apiserverNode(d);
    const good = [
      write(
        d,
        'etc/kubernetes/admin.conf',
        kubeconfig({
          server: 'https://10.0.0.1:6443',
          caPem: rootCA.certPem,
          certPem: admin.certPem,
          keyPem: admin.key.privateKeyPem,
          user: 'kubernetes-admin',
        }),
      ),
      write(d, 'home/wild.conf', kubeconfig({ server: 'https://api.lb.example.com:6443', caPem: rootCA.certPem })),
    ];
    const deep = write(d, 'home/deep.conf', kubeconfig({ server: 'https://a.b.lb.example.com:6443', caPem: rootCA.certPem }));
    const cnOnly = write(d, 'home/cn.conf', kubeconfig({ server: 'https://kube-apiserver:6443', caPem: rootCA.certPem }));
    const { findings } = checkTree(d, {}, [api, ...good, deep, cnOnly]);
    assert.deepEqual(summary(findings, d), [
      `etc/kubernetes/manifests/kube-apiserver.yaml:${lineOf(api, '--tls-cert-file')} san-missing`,
      `home/cn.conf:${lineOf(cnOnly, 'server:')} san-missing`,
      `home/deep.conf:${lineOf(deep, 'server:')} san-missing`,
    ]);
    const onCn = findings.find((x) => x.file === cnOnly);
    assert.match(onCn.message, /x509: certificate is valid for .*, not kube-apiserver/);
    const onApi = findings.find((x) => x.file === api);
    assert.match(onApi.message, /a\.b\.lb\.example\.com/);
    assert.match(onApi.message, /kube-apiserver \(cn\.conf server\)/);
    assert.equal(onApi.related.length, 2);
  });

  test('tls-server-name is what is checked; insecure-skip-tls-verify skips the check', () => {
    const d = sub('san-tsn');
    const api = apiserverNode(d);
    const named = write(
      d,
      'a.conf',
      kubeconfig({ server: 'https://203.0.113.7:6443', caPem: rootCA.certPem, extraCluster: '    tls-server-name: kubernetes.default' }),
    );
    const wrongName = write(
      d,
      'b.conf',
      kubeconfig({ server: 'https://10.0.0.1:6443', caPem: rootCA.certPem, extraCluster: '    tls-server-name: nope.example' }),
    );
    const insecure = write(d, 'c.conf', kubeconfig({ server: 'https://203.0.113.7:6443', extraCluster: '    insecure-skip-tls-verify: true' }));
    const { findings } = checkTree(d, {}, [api, named, wrongName, insecure]);
    assert.deepEqual(
      summary(findings, d).filter((s) => !s.startsWith('etc/')),
      [`b.conf:${lineOf(wrongName, 'tls-server-name')} san-missing`],
    );
  });

  test('apiserver serving cert must hold the service IP and --advertise-address', async () => {
    const d = sub('san-api');
    const noIp = await leaf(rootCA, {
      commonName: 'kube-apiserver',
      extKeyUsage: ['serverAuth'],
      dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'],
    });
    const api = apiserverNode(d, { servingCert: noIp });
    const { findings } = checkTree(d, {}, [api]);
    assert.deepEqual(summary(findings, d), [`etc/kubernetes/manifests/kube-apiserver.yaml:${lineOf(api, '--tls-cert-file')} san-missing`]);
    assert.match(findings[0].message, /10\.96\.0\.1 \(first IP of --service-cluster-ip-range/);
    assert.match(findings[0].message, /10\.0\.0\.1 \(--advertise-address\)/);
    assert.match(findings[0].message, /doesn't contain any IP SANs/);
    // A custom cluster domain changes the in-cluster name that is required.
    const custom = checkTree(d, { clusterDomain: 'corp.internal' }, [apiserverNode(d)]).findings;
    assert.match(custom[0].message, /kubernetes\.default\.svc\.corp\.internal/);
  });
});

describe('identity', () => {
  test('a near-miss of a well-known group is reported even where the role is unknown, with "did you mean"', async () => {
    const d = sub('near-miss');
    const typo = await leaf(rootCA, { commonName: 'jane', organizations: ['system:mastres'] });
    const fine = await leaf(rootCA, { commonName: 'joe', organizations: ['developers'] });
    const f1 = write(d, 'jane.conf', kubeconfig({ certPem: typo.certPem, keyPem: typo.key.privateKeyPem, user: 'jane' }));
    const f2 = write(d, 'joe.conf', kubeconfig({ certPem: fine.certPem, keyPem: fine.key.privateKeyPem, user: 'joe' }));
    const { findings } = checkTree(d, {}, [f1, f2]);
    assert.deepEqual(summary(findings, d), [`jane.conf:${lineOf(f1, 'client-certificate-data')} org-mismatch`]);
    assert.match(findings[0].message, /did you mean "system:masters"/);
  });

  test('the role comes from the component that loads the kubeconfig, whatever its name', async () => {
    const d = sub('role-from-component');
    const wrong = await leaf(rootCA, { commonName: 'system:kube-controller-manager' });
    const kc = write(d, 'etc/kubernetes/sched.kubeconfig', kubeconfig({ certPem: wrong.certPem, keyPem: wrong.key.privateKeyPem, user: 'x' }));
    const m = write(
      d,
      'etc/kubernetes/manifests/kube-scheduler.yaml',
      `apiVersion: v1
kind: Pod
metadata: {name: kube-scheduler, namespace: kube-system}
spec:
  containers:
  - name: kube-scheduler
    image: registry.k8s.io/kube-scheduler:v1.31.1
    command:
    - kube-scheduler
    - --kubeconfig=/etc/kubernetes/sched.kubeconfig
`,
    );
    const { findings } = checkTree(d, {}, [kc, m]);
    assert.deepEqual(summary(findings, d), [`etc/kubernetes/sched.kubeconfig:${lineOf(kc, 'client-certificate-data')} cn-mismatch`]);
    assert.match(findings[0].message, /must authenticate as "system:kube-scheduler" \(kube-scheduler loads this kubeconfig\)/);
  });

  test('a client certificate without CN cannot authenticate', async () => {
    const d = sub('no-cn');
    const anon = await leaf(rootCA, { organizations: ['devs'] });
    const f = write(d, 'x.conf', kubeconfig({ certPem: anon.certPem, keyPem: anon.key.privateKeyPem }));
    const { findings } = checkTree(d, {}, [f]);
    assert.deepEqual(
      findings.map((x) => x.code),
      ['cn-mismatch'],
    );
    assert.match(findings[0].message, /no CN/);
  });
});

describe('extended key usage (no EKU extension = any usage, as in Go)', () => {
  test('a client certificate without the EKU extension is fine; one with only serverAuth is not', async () => {
    const d = sub('eku');
    const noEku = await leaf(rootCA, { commonName: 'a', extKeyUsage: null });
    const serverOnly = await leaf(rootCA, { commonName: 'b', extKeyUsage: ['serverAuth'] });
    const f1 = write(d, 'a.conf', kubeconfig({ certPem: noEku.certPem, keyPem: noEku.key.privateKeyPem }));
    const f2 = write(d, 'b.conf', kubeconfig({ certPem: serverOnly.certPem, keyPem: serverOnly.key.privateKeyPem }));
    const { findings } = checkTree(d, {}, [f1, f2]);
    assert.deepEqual(summary(findings, d), [`b.conf:${lineOf(f2, 'client-certificate-data')} eku-missing`]);
  });
});

describe('trust', () => {
  test('a stale kubeconfig CA (same CN, other key) is untrusted-issuer on certificate-authority-data', async () => {
    const d = sub('stale');
    const api = apiserverNode(d);
    const stale = write(d, 'home/.kube/config', kubeconfig({ server: 'https://10.0.0.1:6443', caPem: otherCA.certPem }));
    const { findings } = checkTree(d, {}, [api, stale]);
    assert.deepEqual(summary(findings, d), [`home/.kube/config:${lineOf(stale, 'certificate-authority-data')} untrusted-issuer`]);
    assert.match(findings[0].message, /signed by unknown authority/);
    assert.equal(findings[0].related[0].file, path.join(d, 'etc/kubernetes/manifests/kube-apiserver.yaml'));
  });

  test('a CA bundle holding the right CA among others verifies; a client cert from another CA does not', async () => {
    const d = sub('bundle');
    const api = apiserverNode(d);
    write(d, 'etc/kubernetes/pki/ca.crt', otherCA.certPem + rootCA.certPem);
    const outsider = await leaf(otherCA, { commonName: 'kubernetes-admin', organizations: ['kubeadm:cluster-admins'] });
    const okFile = write(
      d,
      'ok.conf',
      kubeconfig({ server: 'https://10.0.0.1:6443', caPem: rootCA.certPem, certPem: admin.certPem, keyPem: admin.key.privateKeyPem }),
    );
    const outFile = write(
      d,
      'out.conf',
      kubeconfig({
        server: 'https://10.0.0.1:6443',
        caPem: rootCA.certPem + otherCA.certPem,
        certPem: outsider.certPem,
        keyPem: outsider.key.privateKeyPem,
      }),
    );
    let { findings } = checkTree(d, {}, [api, okFile, outFile]);
    assert.deepEqual(summary(findings, d), []);
    write(d, 'etc/kubernetes/pki/ca.crt', rootCA.certPem);
    ({ findings } = checkTree(d, {}, [api, okFile, outFile]));
    assert.deepEqual(summary(findings, d), [`out.conf:${lineOf(outFile, 'client-certificate-data')} untrusted-issuer`]);
    assert.match(findings[0].message, /401 Unauthorized/);
  });
});

describe('keys', () => {
  test('a key that is not the certificate key is key-mismatch on the key reference', async () => {
    const d = sub('keys');
    const f = write(d, 'k.conf', kubeconfig({ certPem: admin.certPem, keyPem: serving.key.privateKeyPem }));
    const { findings } = checkTree(d, {}, [f]);
    assert.deepEqual(summary(findings, d), [`k.conf:${lineOf(f, 'client-key-data')} key-mismatch`]);
  });

  test('weak keys and SHA-1 signatures are warnings; a SHA-1 self-signed root is not', async () => {
    const d = sub('weak');
    const sha1Root = await ca('legacy-root', { signatureHash: 'SHA-1', keyType: 'rsa-2048' });
    const weakLeaf = await g.issueCertificate({ issuer: rootCA, commonName: 'w', keyType: 'rsa-1024', extKeyUsage: ['clientAuth'] });
    const sha1Leaf = await g.issueCertificate({
      issuer: sha1Root,
      commonName: 's',
      keyType: 'ecdsa-p256',
      extKeyUsage: ['clientAuth'],
      signatureHash: 'SHA-1',
    });
    const f1 = write(d, 'w.conf', kubeconfig({ certPem: weakLeaf.certPem, keyPem: weakLeaf.key.privateKeyPem, caPem: sha1Root.certPem }));
    const f2 = write(d, 's.conf', kubeconfig({ certPem: sha1Leaf.certPem, keyPem: sha1Leaf.key.privateKeyPem }));
    const { findings } = checkTree(d, {}, [f1, f2]);
    assert.deepEqual(summary(findings, d), [
      `s.conf:${lineOf(f2, 'client-certificate-data')} weak-signature`,
      `w.conf:${lineOf(f1, 'client-certificate-data')} weak-key`,
    ]);
    assert.ok(findings.every((x) => x.severity === 'warning'));
  });
});

describe('robustness', () => {
  test('garbage never throws and yields at most findings', () => {
    const d = sub('garbage');
    const fs = E.nodeFileSystem();
    const engine = new E.Engine(fs, { searchRoots: [d] });
    const inputs = [
      '',
      '\u0000\u0001binary\uFFFD',
      'kind: Config\nclusters: *nope\n',
      'kind: Config\nclusters:\n- &a [*a]\n',
      'a: &a [*a, *a, *a]\nb: &b [*a, *a, *a]\nkind: Config\nclusters: [*b, *b]\n',
      'kind: Config\r\nusers:\r\n- name: x\r\n  user:\r\n    client-certificate-data: ' + 'QUFB'.repeat(5000) + '\r\n',
      'kind: Pod\nspec:\n  containers:\n  - command: [kube-apiserver, --tls-cert-file]\n',
      'kind: Pod\nspec:\n  containers: 7\n',
      'kind: KubeletConfiguration\nauthentication: [1,2]\ntlsCertFile: {a: b}\n',
      '- '.repeat(2000) + 'x',
    ];
    inputs.forEach((text, i) => {
      const file = path.join(d, `g${i}.yaml`);
      const started = Date.now();
      engine.updateDocument(file, text);
      const findings = engine.check(file);
      assert.ok(Array.isArray(findings));
      assert.ok(
        findings.every((x) => x.code !== 'internal-error'),
        `input ${i}: ${JSON.stringify(findings)}`,
      );
      assert.ok(Date.now() - started < 5000, `input ${i} took too long`); // a hang bound
    });
  });
});

describe('incremental re-checks', () => {
  test('affectedBy: the documents whose verdicts a file change can move, and not the others', async () => {
    const d = sub('affected');
    const api = apiserverNode(d);
    const caFile = path.join(d, 'etc/kubernetes/pki/ca.crt');
    const a = write(
      d,
      'home/a.conf',
      kubeconfig({ server: 'https://10.0.0.1:6443', caPem: rootCA.certPem, certPem: admin.certPem, keyPem: admin.key.privateKeyPem }),
    );
    const lone = write(d, 'home/lone.conf', kubeconfig({ server: 'https://10.0.0.1:6443', caPath: 'later.crt' }));
    const { engine } = checkTree(d, {}, [api, a, lone]);
    for (const f of [api, a, lone]) engine.check(f);
    // The apiserver's client CA is read when judging a.conf's client certificate.
    assert.ok(engine.affectedBy(caFile).includes(a));
    assert.ok(engine.affectedBy(caFile).includes(api));
    assert.ok(!engine.affectedBy(caFile).includes(lone));
    // A file that does not exist yet: creating it must re-check the document that looked for it.
    const later = path.join(d, 'home/later.crt');
    assert.ok(engine.affectedBy(later).includes(lone));
    write(d, 'home/later.crt', rootCA.certPem);
    engine.fileChanged(later);
    assert.deepEqual(engine.check(lone), []);
    // Editing a kubeconfig re-checks the apiserver (its SANs must cover every kubeconfig's host),
    // but not an unrelated kubeconfig.
    engine.updateDocument(a, readFileSync(a, 'utf8') + '\n# edited\n');
    const affected = engine.affectedBy(a);
    assert.ok(affected.includes(a) && affected.includes(api));
    assert.ok(!affected.includes(lone), 'a kubeconfig does not depend on another kubeconfig');
  });
});

test('isWithin and isBelow: a folder named "..foo" is inside, ".." and "../x" are not; isBelow leaves out the folder itself', () => {
  const root = path.resolve('/ws');
  const at = (...p) => path.join(root, ...p);
  for (const p of [root, at('a'), at('..foo'), at('..foo', 'x'), at('a', '..', 'b'), at('...')]) assert.equal(E.isWithin(root, p), true, p);
  for (const p of [path.dirname(root), at('..', 'x'), path.resolve('/wsx'), path.resolve('/other')]) assert.equal(E.isWithin(root, p), false, p);
  assert.equal(E.isBelow(root, root), false);
  assert.equal(E.isBelow(root, at('..foo', 'x')), true);
  assert.equal(E.isBelow(root, at('..', 'x')), false);
});
