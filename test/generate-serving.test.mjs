// The serving certificates kubeadm leaves to the components, generated when the configs name files
// that are not there (the kubelet's tlsCertFile/tlsPrivateKeyFile, the controller-manager's and the
// scheduler's --tls-cert-file/--tls-private-key-file), signed by the CA that verifies them; and every
// item that cannot be generated, reported with why and what to do instead, where following that
// advice works. Node trees are built at run time (test/helpers/cluster.mjs).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { G, cli, engineOf, findingsOf, fsys, generateAndWrite, openssl, show, workspace } from './helpers/plan.mjs';
import { referServingCerts, SERVING_PATHS } from './helpers/serving.mjs';

const work = workspace('kube-pki-serving-');
before(work.open);
after(work.close);

const subjectAndNames = (spec) => ({ cn: spec.commonName, o: spec.organizations, eku: spec.extKeyUsage, dns: spec.dnsNames, ips: spec.ipAddresses });
const actionWriting = (plan, p) => plan.actions.find((a) => a.outputs.some((o) => o.path === p));
const skippedAbout = (plan, p) => plan.skipped.filter((s) => s.paths.includes(p));
const edit = async (file, change) => writeFile(file, change(await readFile(file, 'utf8')));

describe('serving certificates the configs reference but the workspace lacks', () => {
  test("the kubelet's (cluster CA, as serverTLSBootstrap), the controller-manager's and the scheduler's are made as the cluster expects; then no finding", async () => {
    const c = await work.tree();
    const s = await referServingCerts(c);
    const missing = findingsOf(c).filter((f) => f.code === 'file-not-found');
    assert.equal(missing.length, 6, show(c, missing));
    const { plan } = await generateAndWrite(c);
    assert.deepEqual(plan.skipped, []);

    const kubelet = actionWriting(plan, s.kubelet.cert);
    assert.equal(kubelet.role, 'kubelet-serving');
    // What the kubelet's serving CSR asks for: system:node:<node> in system:nodes, serverAuth, the node's name and
    // the address it advertises (this is a control-plane node).
    assert.deepEqual(subjectAndNames(kubelet.spec), {
      cn: 'system:node:cp1',
      o: ['system:nodes'],
      eku: ['serverAuth'],
      dns: ['cp1'],
      ips: ['192.168.10.11'],
    });
    assert.deepEqual(kubelet.signer, { kind: 'file', certPath: c.files['pki/ca.crt'], keyPath: c.files['pki/ca.key'], name: 'CN=kubernetes' });
    assert.equal(
      kubelet.reason,
      "missing; signed by the cluster CA (ca.crt) as with kubeadm's serverTLSBootstrap, since the apiserver sets no --kubelet-certificate-authority",
    );
    for (const [component, cn] of [
      ['kube-controller-manager', 'kube-controller-manager'],
      ['kube-scheduler', 'kube-scheduler'],
    ]) {
      const a = actionWriting(plan, s[component].cert);
      assert.deepEqual(subjectAndNames(a.spec), { cn, o: [], eku: ['serverAuth'], dns: ['cp1', 'localhost'], ips: ['127.0.0.1'] }, component);
      assert.equal(a.signer.certPath, c.files['pki/ca.crt'], component);
      assert.deepEqual(
        a.outputs.map((o) => [o.kind, o.path]),
        [
          ['cert', s[component].cert],
          ['key', s[component].key],
        ],
      );
    }
    // Each action resolves the file-not-found on both of its references: what the quick fixes offer.
    for (const f of missing) {
      assert.ok(
        plan.actions.some((a) => a.fixes.some((x) => x.file === f.file && x.code === f.code && x.range.start.line === f.range.start.line)),
        show(c, [f]),
      );
    }
    for (const p of Object.values(s)) {
      const v = openssl(['verify', '-CAfile', c.files['pki/ca.crt'], '-purpose', 'sslserver', p.cert]);
      assert.equal(v.status, 0, v.out);
      assert.equal((await stat(p.key)).mode & 0o777, 0o600);
    }
    const text = openssl(['x509', '-in', s.kubelet.cert, '-noout', '-text']).out;
    assert.match(text, /Subject: O ?= ?system:nodes, CN ?= ?system:node:cp1/);
    assert.match(text, /DNS:cp1, IP Address:192\.168\.10\.11/);
    assert.match(text, /TLS Web Server Authentication/);
    assert.equal(show(c, findingsOf(c)), '');
  });

  test("--kubelet-certificate-authority names a CA of its own: that CA signs the kubelet's serving certificate, which then verifies with it and not with the cluster CA", async () => {
    const c = await work.tree();
    const kubeletCA = path.join(c.paths.pki, 'kubelet-ca.crt');
    let r = cli(c.dir, 'new-ca', '--out', kubeletCA, '--cn', 'kubelet-ca', '--key-type', 'ecdsa-p256');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const s = await referServingCerts(c, { kubeletCA: '/etc/kubernetes/pki/kubelet-ca.crt' });
    r = cli(c.dir, 'generate', '.', '--dry-run');
    assert.match(
      r.stdout,
      /^would create: the kubelet's serving certificate \(tlsCertFile of config\.yaml\) \(missing; signed by kubelet-ca\.crt, the apiserver's --kubelet-certificate-authority, which verifies it\)$/m,
    );
    r = cli(c.dir, 'generate', '.', '--key-type', 'ecdsa-p256');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^created var\/lib\/kubelet\/pki\/kubelet-server\.crt \(0644\): CN=system:node:cp1, O=system:nodes; SANs cp1, 192\.168\.10\.11; issued by CN=kubelet-ca; /m,
    );
    assert.equal(openssl(['verify', '-CAfile', kubeletCA, '-purpose', 'sslserver', s.kubelet.cert]).status, 0);
    assert.notEqual(openssl(['verify', '-CAfile', c.files['pki/ca.crt'], s.kubelet.cert]).status, 0);
    assert.match(openssl(['verify', '-CAfile', c.files['pki/ca.crt'], '-purpose', 'sslserver', s['kube-scheduler'].cert]).out, /OK/);
    r = cli(c.dir, 'check', '.');
    assert.equal(r.status, 0, r.stdout); // the apiserver/kubelet trust check judges the pair
  });

  test('--kubelet-certificate-authority names a CA that is not there either: the CA is made, and signs it', async () => {
    const c = await work.tree();
    const s = await referServingCerts(c, { kubeletCA: '/etc/kubernetes/pki/kubelet-ca.crt' });
    const { plan } = await generateAndWrite(c);
    const ca = actionWriting(plan, path.join(c.paths.pki, 'kubelet-ca.crt'));
    assert.equal(ca.kind, 'ca');
    assert.equal(ca.spec.commonName, 'kubelet-serving-ca');
    assert.deepEqual(actionWriting(plan, s.kubelet.cert).signer, { kind: 'action', actionId: ca.id, name: 'CN=kubelet-serving-ca' });
    assert.equal(openssl(['verify', '-CAfile', path.join(c.paths.pki, 'kubelet-ca.crt'), '-purpose', 'sslserver', s.kubelet.cert]).status, 0);
    assert.equal(show(c, findingsOf(c)), '');
  });

  test("--fix: the kubelet's self-signed serving certificate, which the apiserver's --kubelet-certificate-authority does not verify, is re-issued by that CA for the node, with its key", async () => {
    const c = await work.tree();
    await edit(
      path.join(c.paths.kubeletDir, 'config.yaml'),
      (t) => `${t}tlsCertFile: /var/lib/kubelet/pki/kubelet.crt\ntlsPrivateKeyFile: /var/lib/kubelet/pki/kubelet.key\n`,
    );
    await edit(c.files['kube-apiserver.yaml'], (t) =>
      t.replace('    - kube-apiserver\n', '    - kube-apiserver\n    - --kubelet-certificate-authority=/etc/kubernetes/pki/ca.crt\n'),
    );
    assert.deepEqual(
      findingsOf(c).map((f) => f.code),
      ['untrusted-issuer'],
    );
    const key = await readFile(c.files['kubelet.key'], 'utf8');
    const { plan } = await generateAndWrite(c, { fix: true });
    const a = actionWriting(plan, c.files['kubelet.crt']);
    assert.match(
      a.reason,
      /^not signed by CN=kubernetes, which verifies it; CN cp1@\d+ → system:node:cp1; O \(none\) → system:nodes; adds SAN 192\.168\.10\.11$/,
    );
    assert.deepEqual(a.key, { kind: 'file', path: c.files['kubelet.key'] });
    assert.equal(await readFile(c.files['kubelet.key'], 'utf8'), key);
    assert.equal(openssl(['verify', '-CAfile', c.files['pki/ca.crt'], '-purpose', 'sslserver', c.files['kubelet.crt']]).status, 0);
    assert.equal(show(c, findingsOf(c)), '');
  });

  test("a worker node's kubelet: named after its kubelet.conf user, no apiserver address; with no name to go by, skipped with what to pass", async () => {
    const dir = work.next('worker');
    const ca = await G.issueCertificate({ commonName: 'kubernetes', isCA: true, keyType: 'ecdsa-p256' });
    await mkdir(path.join(dir, 'etc/kubernetes/pki'), { recursive: true });
    await mkdir(path.join(dir, 'var/lib/kubelet/pki'), { recursive: true });
    await writeFile(path.join(dir, 'etc/kubernetes/pki/ca.crt'), ca.certPem);
    await writeFile(path.join(dir, 'etc/kubernetes/pki/ca.key'), ca.key.privateKeyPem, { mode: 0o600 });
    const config = path.join(dir, 'var/lib/kubelet/config.yaml');
    const K = SERVING_PATHS.kubelet;
    await writeFile(
      config,
      `apiVersion: kubelet.config.k8s.io/v1beta1\nkind: KubeletConfiguration\nauthentication:\n  x509:\n    clientCAFile: /etc/kubernetes/pki/ca.crt\ntlsCertFile: ${K.cert}\ntlsPrivateKeyFile: ${K.key}\n`,
    );
    const c = { dir };
    const cert = path.join(dir, K.cert);

    let plan = G.planGeneration(engineOf(c), fsys, {});
    assert.equal(plan.actions.length, 0);
    assert.deepEqual(
      skippedAbout(plan, cert).map((x) => x.reason),
      [
        'the node name it is issued for cannot be told from the workspace (no etcd --name, no kubelet.conf user system:node:NAME near it): pass it (kube-pki generate --node-name NAME)',
      ],
    );
    plan = G.planGeneration(engineOf(c), fsys, { nodeName: 'worker7' });
    assert.deepEqual(subjectAndNames(actionWriting(plan, cert).spec), {
      cn: 'system:node:worker7',
      o: ['system:nodes'],
      eku: ['serverAuth'],
      dns: ['worker7'],
      ips: [],
    });

    const kubeletConf = G.kubeconfigText({
      clusterName: 'kubernetes',
      server: 'https://10.0.0.1:6443',
      caPem: ca.certPem,
      userName: 'system:node:worker3',
      certPath: '/var/lib/kubelet/pki/kubelet-client-current.pem',
      keyPath: '/var/lib/kubelet/pki/kubelet-client-current.pem',
    });
    await writeFile(path.join(dir, 'etc/kubernetes/kubelet.conf'), kubeletConf, { mode: 0o600 });
    const r = cli(dir, 'generate', '.', '--key-type', 'ecdsa-p256');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^created var\/lib\/kubelet\/pki\/kubelet-server\.crt \(0644\): CN=system:node:worker3, O=system:nodes; SANs worker3; issued by CN=kubernetes; /m,
    );
    assert.match(
      r.stdout,
      /^created var\/lib\/kubelet\/pki\/kubelet-client-current\.pem \(0600\): certificate and key: CN=system:node:worker3, O=system:nodes; /m,
    );
    assert.equal(cli(dir, 'check', '.').status, 0);
  });
});

describe('what cannot be generated is said, with why and what to do', () => {
  test('a user whose role cannot be told: skipped with the kube-pki new-client command to run, and that command makes it', async () => {
    const c = await work.tree();
    const conf = path.join(c.paths.etcKubernetes, 'jane.conf');
    const userCert = path.join(c.paths.pki, 'users', 'jane.crt');
    const userKey = path.join(c.paths.pki, 'users', 'jane.key');
    // The tree holds the node's /etc/kubernetes/pki/users, where the files belong (without it, nothing tells).
    await mkdir(path.dirname(userCert));
    await writeFile(
      conf,
      G.kubeconfigText({
        clusterName: 'kubernetes',
        server: 'https://192.168.10.11:6443',
        caPath: '/etc/kubernetes/pki/ca.crt',
        userName: 'jane',
        certPath: '/etc/kubernetes/pki/users/jane.crt',
        keyPath: '/etc/kubernetes/pki/users/jane.key',
      }),
      { mode: 0o600 },
    );
    const plan = G.planGeneration(engineOf(c), fsys, {});
    assert.equal(plan.actions.length, 0);
    const [s] = skippedAbout(plan, userCert);
    const command = `kube-pki new-client --cn jane --group GROUP --ca ${c.files['pki/ca.crt']} --out ${userCert} --key ${userKey}`;
    assert.equal(
      s.reason,
      `its role cannot be told (user "jane" of jane.conf is not the admin, a control-plane component or a kubelet), so neither its CN (the user name the apiserver sees) nor its O (the user's groups): make it with ${command}, one --group per group (none for a user in no group)`,
    );
    let r = cli(c.dir, 'generate', '.');
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^skipped: a user client certificate in jane\.conf \(user jane\) \[etc\/kubernetes\/pki\/users\/jane\.crt, etc\/kubernetes\/pki\/users\/jane\.key\]: its role cannot be told .*kube-pki new-client --cn jane --group GROUP /m,
    );
    // The advice, followed.
    r = cli(c.dir, ...command.replace('GROUP', 'devs').split(' ').slice(1), '--key-type', 'ecdsa-p256');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /created .*jane\.crt \(0644\): CN=jane, O=devs; issued by CN=kubernetes/);
    assert.equal(show(c, findingsOf(c)), '');
  });

  test("a CA's weak key: not replaced; said once, with what rotating a CA involves and how; the advice followed leaves a clean tree", async () => {
    const c = await work.tree();
    const weak = await G.issueCertificate({ commonName: 'front-proxy-ca', isCA: true, keyType: 'rsa-1024', dnsNames: ['front-proxy-ca'] });
    const client = await G.issueCertificate({ commonName: 'front-proxy-client', issuer: weak, extKeyUsage: ['clientAuth'], keyType: 'ecdsa-p256' });
    await writeFile(c.files['pki/front-proxy-ca.crt'], weak.certPem);
    await writeFile(c.files['pki/front-proxy-ca.key'], weak.key.privateKeyPem);
    await writeFile(c.files['pki/front-proxy-client.crt'], client.certPem);
    await writeFile(c.files['pki/front-proxy-client.key'], client.key.privateKeyPem);
    assert.equal(
      findingsOf(c).filter((f) => f.code === 'weak-key').length,
      2,
      "on the apiserver's and the controller-manager's --requestheader-client-ca-file",
    );

    const plan = G.planGeneration(engineOf(c), fsys, { fix: true });
    assert.ok(
      !plan.actions.some((a) => a.outputs.some((o) => /front-proxy-ca/.test(o.path ?? ''))),
      JSON.stringify(plan.actions.map((a) => a.title)),
    );
    const said = skippedAbout(plan, c.files['pki/front-proxy-ca.crt']);
    assert.equal(said.length, 1, JSON.stringify(said));
    assert.equal(said[0].title, 'the front-proxy CA (front-proxy-ca.crt)');
    assert.match(
      said[0].reason,
      /^its key is weak, and a CA's key cannot be replaced in place: a new key makes a new CA, which verifies nothing the old one signed; rotating a CA means re-issuing everything it signed \(here: front-proxy-client\.crt\) and giving the new CA certificate to everything that trusts it /,
    );
    assert.match(
      said[0].reason,
      /With kube-pki: move front-proxy-ca\.crt and front-proxy-ca\.key aside together with the certificates and keys it signed .* then run kube-pki generate /,
    );
    assert.match(said[0].reason, /https:\/\/kubernetes\.io\/docs\/tasks\/tls\/manual-rotation-of-ca-certificates\//);
    let r = cli(c.dir, 'generate', '.', '--fix');
    assert.equal(r.status, 1, 'asked to fix, and this could not be');
    assert.match(
      r.stdout,
      /^skipped: the front-proxy CA \(front-proxy-ca\.crt\) \[etc\/kubernetes\/pki\/front-proxy-ca\.crt, etc\/kubernetes\/pki\/front-proxy-ca\.key\]: its key is weak/m,
    );
    assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY|BEGIN/);

    // The advice, followed: the CA and what it signed moved aside, then kube-pki generate.
    const aside = work.next('aside');
    await mkdir(aside);
    for (const f of ['front-proxy-ca.crt', 'front-proxy-ca.key', 'front-proxy-client.crt', 'front-proxy-client.key'])
      await rename(path.join(c.paths.pki, f), path.join(aside, f));
    r = cli(c.dir, 'generate', '.', '--key-type', 'ecdsa-p256');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(show(c, findingsOf(c)), '');
  });

  test('a lost CA key whose certificate remains: never regenerated; said once, with how to restore it or rotate the CA, which works', async () => {
    const c = await work.tree({}, ['pki/ca.key']);
    const plan = G.planGeneration(engineOf(c), fsys, {});
    assert.equal(plan.actions.length, 0);
    const said = skippedAbout(plan, c.files['pki/ca.key']);
    assert.equal(said.length, 1, JSON.stringify(plan.skipped));
    assert.equal(said[0].title, "the cluster CA's private key (ca.key)");
    assert.match(
      said[0].reason,
      /^ca\.key is missing while its certificate ca\.crt remains: a CA key is never regenerated \(a new key under the same name verifies nothing it signed\)\. Restore it from a backup, or copy it from another control-plane node/,
    );
    assert.match(
      said[0].reason,
      /If it is lost for good, the CA must be replaced: rotating a CA means re-issuing everything it signed \(here: apiserver\.crt, apiserver-kubelet-client\.crt, admin\.conf \(user kubernetes-admin\), /,
    );
    assert.match(
      said[0].reason,
      /move ca\.crt aside together with the certificates and keys it signed \(and the kubeconfigs embedding them\), then run kube-pki generate .*then kube-pki generate --fix/,
    );
    let r = cli(c.dir, 'generate', '.');
    assert.equal(r.status, 1, r.stdout);
    assert.match(r.stdout, /^skipped: the cluster CA's private key \(ca\.key\) \[etc\/kubernetes\/pki\/ca\.key\]: ca\.key is missing while/m);

    // The rotation, as the advice says: the CA and what it signed aside, generate, generate --fix.
    const aside = work.next('aside');
    await mkdir(aside);
    const signed = [
      'pki/ca.crt',
      'pki/apiserver.crt',
      'pki/apiserver.key',
      'pki/apiserver-kubelet-client.crt',
      'pki/apiserver-kubelet-client.key',
      'kubelet-client-current.pem',
      'admin.conf',
      'super-admin.conf',
      'controller-manager.conf',
      'scheduler.conf',
    ];
    for (const f of signed) await rename(c.files[f], path.join(aside, f.replace('/', '_')));
    r = cli(c.dir, 'generate', '.', '--key-type', 'ecdsa-p256');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(
      findingsOf(c).map((f) => `${path.basename(f.file)} ${f.code}`),
      ['kubelet.conf untrusted-issuer'],
      'kubelet.conf still embeds the old CA',
    );
    r = cli(c.dir, 'generate', '.', '--fix', '--key-type', 'ecdsa-p256');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(show(c, findingsOf(c)), '');
  });

  test("every other missing reference is said with why: the OIDC CA, a CSR signer's CA, a public key without its signing key, a key without its certificate", async () => {
    const c = await work.tree({}, ['pki/sa.pub']);
    await edit(c.files['kube-apiserver.yaml'], (t) =>
      t.replace('    - --service-account-signing-key-file=/etc/kubernetes/pki/sa.key\n', '    - --oidc-ca-file=/etc/kubernetes/pki/oidc-ca.crt\n'),
    );
    await edit(c.files['kube-controller-manager.yaml'], (t) =>
      t.replace(
        '    - kube-controller-manager\n',
        '    - kube-controller-manager\n    - --cluster-signing-kubelet-serving-cert-file=/etc/kubernetes/pki/kubelet-signer.crt\n    - --cluster-signing-kubelet-serving-key-file=/etc/kubernetes/pki/kubelet-signer.key\n',
      ),
    );
    await edit(path.join(c.paths.kubeletDir, 'config.yaml'), (t) => `${t}tlsPrivateKeyFile: /var/lib/kubelet/pki/lonely.key\n`);
    const plan = G.planGeneration(engineOf(c), fsys, {});
    assert.deepEqual(plan.actions, []);
    const why = (rel) => skippedAbout(plan, path.join(c.dir, rel)).map((s) => `${s.title}: ${s.reason}`);
    assert.deepEqual(why('etc/kubernetes/pki/oidc-ca.crt'), [
      '--oidc-ca-file of kube-apiserver.yaml: it is the CA of the OIDC identity provider (--oidc-issuer-url): it comes from the provider; kube-pki cannot make it',
    ]);
    for (const f of ['kubelet-signer.crt', 'kubelet-signer.key']) {
      assert.match(
        why(`etc/kubernetes/pki/${f}`).join('\n'),
        /^--cluster-signing-kubelet-serving-(cert|key)-file of kube-controller-manager\.yaml: it is the CA of one of the controller-manager's CSR signers, which kube-pki does not make: point the flag at the cluster CA .* or make one with kube-pki new-ca --out PATH$/,
      );
    }
    assert.deepEqual(why('etc/kubernetes/pki/sa.pub'), [
      'service account public key (sa.pub): no service account signing key is referenced with it (--service-account-signing-key-file of the apiserver), and a public key is made from its private half: set that flag (kubeadm: sa.key), then generate again',
    ]);
    assert.deepEqual(why('var/lib/kubelet/pki/lonely.key'), [
      'tlsPrivateKeyFile of config.yaml: no certificate is referenced with this key, and kube-pki makes a key with its certificate: set the certificate flag too, then generate again',
    ]);
    // Nothing missing goes unsaid.
    const missing = findingsOf(c).filter((f) => f.code === 'file-not-found');
    assert.equal(missing.length, 5, show(c, missing));
    const said = new Set(plan.skipped.flatMap((s) => s.paths));
    for (const f of missing)
      assert.ok(
        [...said].some((p) => f.message.includes(path.basename(p))),
        show(c, [f]),
      );
  });

  test("--fix: what no re-issue can resolve is said, not dropped: a CA's key that is not its certificate's; an expired CA embedded in a kubeconfig is resolved by the edit that replaces it", async () => {
    const c = await work.tree();
    await writeFile(c.files['pki/ca.key'], (await G.generateKey('ecdsa-p256')).privateKeyPem);
    let plan = G.planGeneration(engineOf(c), fsys, { fix: true });
    const said = skippedAbout(plan, c.files['pki/ca.key']);
    assert.equal(said.length, 1, JSON.stringify(plan.skipped));
    assert.match(
      said[0].reason,
      /^ca\.key is not the key of ca\.crt, and a CA is never re-issued for another key \(nothing it signed would verify\): point the flag at the CA's own key, or restore it from a backup; if it is lost for good, rotating a CA means/,
    );

    const c2 = await work.tree();
    const old = await G.issueCertificate({
      commonName: 'kubernetes',
      isCA: true,
      keyType: 'ecdsa-p256',
      notBefore: new Date(Date.now() - 4000 * 86_400_000),
      notAfter: new Date(Date.now() - 30 * 86_400_000),
    });
    const conf = c2.files['admin.conf'];
    await edit(conf, (t) =>
      t.replace(/certificate-authority-data: \S+/, `certificate-authority-data: ${Buffer.from(old.certPem).toString('base64')}`),
    );
    const codes = findingsOf(c2)
      .filter((f) => f.file === conf)
      .map((f) => f.code)
      .sort();
    assert.deepEqual(codes, ['cert-expired', 'untrusted-issuer']);
    plan = G.planGeneration(engineOf(c2), fsys, { fix: true });
    assert.deepEqual(plan.skipped, []);
    const edit1 = plan.actions.find((a) => a.kind === 'kubeconfig-ca');
    assert.deepEqual(edit1.fixes.map((f) => f.code).sort(), ['cert-expired', 'untrusted-issuer']);
    await generateAndWrite(c2, { fix: true });
    assert.equal(show(c2, findingsOf(c2)), '');
  });

  test('a certificate named without its key, a key that is no key, an unreadable signing key, a path with no place: each said, none half-made', async () => {
    const c = await work.tree({}, ['pki/apiserver.crt', 'pki/apiserver.key', 'pki/front-proxy-client.crt', 'pki/sa.pub']);
    await edit(c.files['kube-apiserver.yaml'], (t) => t.replace('    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key\n', ''));
    await writeFile(c.files['pki/front-proxy-client.key'], 'not a key\n');
    await writeFile(c.files['pki/sa.key'], 'not a key either\n');
    let plan = G.planGeneration(engineOf(c), fsys, {});
    assert.deepEqual(plan.actions, [], 'no certificate without its key, no key written over');
    const reasons = (p) => skippedAbout(plan, p).map((s) => s.reason);
    assert.deepEqual(reasons(c.files['pki/apiserver.crt']), [
      'no private key is referenced with it (--tls-private-key-file is not set): a certificate is no use without its key; set --tls-private-key-file, then generate again',
    ]);
    assert.deepEqual(reasons(c.files['pki/front-proxy-client.key']), ['its key is unusable (encrypted, or not a key) and would be replaced']);
    assert.equal(skippedAbout(plan, c.files['pki/front-proxy-client.key'])[0].needsReplace, true);
    assert.deepEqual(reasons(c.files['pki/sa.pub']), [
      'sa.key holds no usable private key (encrypted, or not a key), so its public half cannot be made: repair it or restore it from a backup (a new pair voids every service account token already issued)',
    ]);
    // With permission the unusable key is replaced (kept as a backup) with its new certificate.
    plan = G.planGeneration(engineOf(c), fsys, { fix: true, keyType: 'ecdsa-p256' });
    const proxy = actionWriting(plan, c.files['pki/front-proxy-client.crt']);
    assert.deepEqual(
      proxy.outputs.map((o) => [o.kind, o.replace]),
      [
        ['cert', false],
        ['key', true],
      ],
    );

    // A kubeconfig outside any node tree naming absolute paths: nothing tells where they belong.
    const dir = work.next('nowhere');
    await mkdir(dir);
    const conf = G.kubeconfigText({
      clusterName: 'k',
      server: 'https://10.0.0.1:6443',
      caPath: '/srv/nowhere/ca.crt',
      userName: 'system:kube-scheduler',
      certPath: '/srv/nowhere/s.crt',
      keyPath: '/srv/nowhere/s.key',
    });
    await writeFile(path.join(dir, 'scheduler.conf'), conf, { mode: 0o600 });
    plan = G.planGeneration(engineOf({ dir }), fsys, {});
    assert.deepEqual(plan.actions, []);
    const where = (p) => `cannot tell where ${p} belongs in this workspace: set kubePki.rootDir / --root (or a path mapping)`;
    assert.deepEqual(plan.skipped.map((x) => [x.paths[0], x.reason]).sort(), [
      ['/srv/nowhere/ca.crt', where('/srv/nowhere/ca.crt')],
      ['/srv/nowhere/s.crt', where('/srv/nowhere/s.crt')],
      ['/srv/nowhere/s.key', where('/srv/nowhere/s.key')],
    ]);
  });

  test('--renew: a user certificate that no CA in the workspace verifies is said, not passed over', async () => {
    const dir = work.next('lone');
    await mkdir(dir);
    const ca = await G.issueCertificate({ commonName: 'team-ca', isCA: true, keyType: 'ecdsa-p256' });
    const user = await G.issueCertificate({
      commonName: 'jane',
      organizations: ['devs'],
      issuer: ca,
      extKeyUsage: ['clientAuth'],
      keyType: 'ecdsa-p256',
    });
    const conf = path.join(dir, 'jane.conf');
    await writeFile(
      conf,
      G.kubeconfigText({
        clusterName: 'team',
        server: 'https://k8s.example.internal:6443',
        caPem: ca.certPem,
        userName: 'jane',
        certPem: user.certPem,
        keyPem: user.key.privateKeyPem,
      }),
      { mode: 0o600 },
    );
    const plan = G.planGeneration(engineOf({ dir }), fsys, { renew: true });
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.skipped.length, 1);
    assert.equal(
      plan.skipped[0].reason,
      "not renewed: no CA in the workspace verifies it (a user's certificate from a CA kept elsewhere); renew it there, or with kube-pki new-client --cn jane --group devs --ca CA.crt --out jane.crt and that CA",
    );
    await rm(dir, { recursive: true });
  });
});
