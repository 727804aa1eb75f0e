// Generation through the engine's API (dist/engine.js): what is planned for a node tree with files
// deleted or defects planted, the rules that keep a cluster safe (CAs, keys, permission to replace),
// the writer's guarantees (backups, modes, atomicity, failures midway, a killed run), and the
// on-request plans. Trees are built at run time (test/helpers/cluster.mjs); ECDSA keys for speed.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile, stat, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { CLI, E, G, engineOf, findingsOf, fsys, generateAndWrite, openssl, rel, show, workspace } from './helpers/plan.mjs';

const work = workspace('kube-pki-plan-');
before(work.open);
after(work.close);
const tree = (opts, remove) => work.tree(opts, remove);

// ------------------------------------------------------------------------------------ missing

describe('what the workspace references but lacks', () => {
  test('a healthy tree: nothing to do', async () => {
    const c = await tree();
    const plan = G.planGeneration(engineOf(c), fsys, {});
    assert.deepEqual(plan, { actions: [], skipped: [] });
  });

  test("--service-cluster-ip-range unset: the apiserver certificate made holds 10.0.0.1, the kubernetes Service's IP in kube-apiserver's default range", async () => {
    const c = await tree({}, ['pki/apiserver.crt', 'pki/apiserver.key']);
    const manifest = c.files['kube-apiserver.yaml'];
    await writeFile(manifest, (await readFile(manifest, 'utf8')).replace(/^ *- --service-cluster-ip-range=.*\n/m, ''));
    assert.doesNotMatch(await readFile(manifest, 'utf8'), /service-cluster-ip-range/);
    const { plan } = await generateAndWrite(c);
    const api = plan.actions.find((a) => rel(c, a.outputs[0].path ?? a.outputs[0].file) === 'etc/kubernetes/pki/apiserver.crt').spec;
    assert.deepEqual(api.ipAddresses, ['10.0.0.1', '192.168.10.11']);
    assert.deepEqual(findingsOf(c), []);
  });

  test('deleted certificates, keys, a CA pair, a kubeconfig, sa.pub and the kubelet cert+key file come back as kubeadm makes them; then no finding at all', async () => {
    const removed = [
      'pki/apiserver.crt',
      'pki/apiserver.key',
      'pki/front-proxy-ca.crt',
      'pki/front-proxy-ca.key',
      'pki/front-proxy-client.crt',
      'pki/front-proxy-client.key',
      'pki/etcd/peer.crt',
      'pki/etcd/peer.key',
      'pki/sa.pub',
      'scheduler.conf',
      'kubelet-client-current.pem',
    ];
    const c = await tree({}, removed);
    assert.ok(findingsOf(c).some((f) => f.code === 'file-not-found'));
    const { plan, files } = await generateAndWrite(c);
    assert.deepEqual(plan.skipped, []);
    const byId = Object.fromEntries(plan.actions.map((a) => [rel(c, a.outputs[0].path ?? a.outputs[0].file), a]));
    // The front-proxy CA was missing with everything it signs: created, and its client signed by it.
    assert.equal(byId['etc/kubernetes/pki/front-proxy-ca.crt'].kind, 'ca');
    assert.deepEqual(byId['etc/kubernetes/pki/front-proxy-client.crt'].signer, {
      kind: 'action',
      actionId: byId['etc/kubernetes/pki/front-proxy-ca.crt'].id,
      name: 'CN=front-proxy-ca',
    });
    const api = byId['etc/kubernetes/pki/apiserver.crt'].spec;
    assert.equal(api.commonName, 'kube-apiserver');
    assert.deepEqual(api.extKeyUsage, ['serverAuth']);
    assert.deepEqual(api.dnsNames, ['cp1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local']);
    assert.deepEqual(api.ipAddresses, ['10.96.0.1', '192.168.10.11']);
    const peer = byId['etc/kubernetes/pki/etcd/peer.crt'].spec;
    assert.equal(peer.commonName, 'cp1');
    assert.deepEqual(peer.extKeyUsage, ['serverAuth', 'clientAuth']);
    assert.deepEqual(peer.ipAddresses.sort(), ['127.0.0.1', '192.168.10.11', '::1']);
    const kubelet = byId['var/lib/kubelet/pki/kubelet-client-current.pem'];
    assert.equal(kubelet.spec.commonName, 'system:node:cp1');
    assert.deepEqual(kubelet.spec.organizations, ['system:nodes']);
    assert.equal(kubelet.outputs[0].kind, 'cert-and-key');
    assert.equal(byId['etc/kubernetes/scheduler.conf'].spec.commonName, 'system:kube-scheduler');
    assert.equal(byId['etc/kubernetes/pki/sa.pub'].key.kind, 'file', 'sa.pub is the public half of the existing sa.key');
    // Every action says which file-not-found it resolves.
    for (const a of plan.actions) assert.ok(a.fixes.every((f) => f.code === 'file-not-found') && a.fixes.length > 0, a.title);
    for (const f of files) {
      const st = await stat(f.path);
      assert.equal(st.mode & 0o777, /\.(key|conf|pem)$/.test(f.path) ? 0o600 : 0o644, rel(c, f.path));
    }
    assert.equal(show(c, findingsOf(c)), '');
    // The apiserver's new certificate verifies with the cluster CA that was already there.
    assert.equal(openssl(['verify', '-CAfile', c.files['pki/ca.crt'], '-purpose', 'sslserver', c.files['pki/apiserver.crt']]).status, 0);
  });

  test('an existing key is kept: only the certificate is made for it', async () => {
    const c = await tree({}, ['pki/apiserver-kubelet-client.crt']);
    const keyBefore = await readFile(c.files['pki/apiserver-kubelet-client.key'], 'utf8');
    const { plan } = await generateAndWrite(c);
    assert.equal(plan.actions.length, 1);
    assert.deepEqual(plan.actions[0].key, { kind: 'file', path: c.files['pki/apiserver-kubelet-client.key'] });
    assert.equal(await readFile(c.files['pki/apiserver-kubelet-client.key'], 'utf8'), keyBefore);
    assert.equal(show(c, findingsOf(c)), '');
  });

  test('a CA whose certificate and key are gone is not re-created while certificates it issued remain', async () => {
    const c = await tree({}, ['pki/ca.crt', 'pki/ca.key']);
    const plan = G.planGeneration(engineOf(c), fsys, {});
    assert.ok(!plan.actions.some((a) => a.outputs.some((o) => o.path === c.files['pki/ca.crt'] || o.path === c.files['pki/ca.key'])));
    const s = plan.skipped.find((x) => x.paths.includes(c.files['pki/ca.crt']));
    assert.match(s.reason, /existing certificate\(s\) were issued by CN=kubernetes: a new CA under that name would not verify them/);
  });

  test('a CA certificate whose key is still there is re-made from that key and subject: what it signed verifies again', async () => {
    const c = await tree({}, ['pki/ca.crt']);
    const { plan } = await generateAndWrite(c);
    const ca = plan.actions.find((a) => a.kind === 'ca');
    assert.deepEqual(ca.key, { kind: 'file', path: c.files['pki/ca.key'] });
    assert.deepEqual(ca.outputs, [{ kind: 'cert', path: c.files['pki/ca.crt'], replace: false }]);
    assert.equal(openssl(['verify', '-CAfile', c.files['pki/ca.crt'], c.files['pki/apiserver.crt']]).status, 0);
    assert.equal(show(c, findingsOf(c)), '');
  });

  test('a CA key is never regenerated when its certificate exists: what it should sign is skipped', async () => {
    const c = await tree({}, ['pki/etcd/ca.key', 'pki/etcd/server.crt', 'pki/etcd/server.key']);
    const plan = G.planGeneration(engineOf(c), fsys, { fix: true, renew: true });
    assert.ok(!plan.actions.some((a) => a.outputs.some((o) => o.path === c.files['pki/etcd/ca.key'] || o.path === c.files['pki/etcd/ca.crt'])));
    const s = plan.skipped.find((x) => x.paths.includes(c.files['pki/etcd/server.crt']));
    assert.match(s.reason, /ca\.key is not there \(a CA key is never regenerated/);
  });

  test('a missing key whose certificate exists needs permission: the certificate would be replaced', async () => {
    const c = await tree({}, ['pki/apiserver-etcd-client.key']);
    const plan = G.planGeneration(engineOf(c), fsys, {});
    assert.equal(plan.actions.length, 0);
    assert.equal(plan.skipped[0].needsReplace, true);
    assert.deepEqual(
      plan.skipped.map((x) => x.paths),
      [[c.files['pki/apiserver-etcd-client.crt'], c.files['pki/apiserver-etcd-client.key']]],
      'said once, naming both files',
    );
    const fixed = G.planGeneration(engineOf(c), fsys, { fix: true });
    assert.equal(fixed.actions.length, 1);
    assert.deepEqual(
      fixed.actions[0].outputs.map((o) => [o.kind, o.replace]),
      [
        ['cert', true],
        ['key', false],
      ],
    );
    // A quick fix on the key's file-not-found (as the editor asks for it) offers that re-issue.
    const nf = findingsOf(c).find((f) => f.code === 'file-not-found');
    const quick = G.planGeneration(engineOf(c), fsys, { only: [{ file: nf.file, range: nf.range, code: nf.code }], missing: true });
    assert.deepEqual(
      quick.actions.map((a) => [a.title, a.fixes]),
      [["kube-apiserver's client certificate for etcd", [{ file: nf.file, range: nf.range, code: 'file-not-found' }]]],
    );
  });
});

// ------------------------------------------------------------------------------------ fixes

describe('re-issuing what findings say is wrong', () => {
  const DEFECTS = [
    'apiserver-san-missing',
    'etcd-san-missing',
    'scheduler-cn-typo',
    'admin-org-typo',
    'kubelet-wrong-group',
    'controller-manager-expired',
    'etcd-server-expiring',
    'apiserver-no-serverauth',
    'etcd-client-untrusted',
    'apiserver-key-mismatch',
    'sa-key-mismatch',
    'weak-key',
    'weak-signature',
    'kubelet-untrusted',
    'admin-untrusted',
  ];

  test('without permission nothing existing is planned for replacement; each is listed as needing it', async () => {
    const c = await tree({ defects: DEFECTS });
    const plan = G.planGeneration(engineOf(c), fsys, {});
    assert.deepEqual(plan.actions, []);
    assert.ok(plan.skipped.length >= 8 && plan.skipped.every((s) => s.needsReplace), JSON.stringify(plan.skipped, null, 1));
  });

  test('--fix: every planted defect is corrected, keys kept unless weak or mismatched, old files kept as .bak-*, and no finding remains', async () => {
    const c = await tree({ defects: DEFECTS });
    const before = findingsOf(c);
    const apiKey = await readFile(c.files['pki/apiserver.key'], 'utf8');
    const etcdServerKey = await readFile(c.files['pki/etcd/server.key'], 'utf8');
    const proxyKey = await readFile(c.files['pki/front-proxy-client.key'], 'utf8');
    const oldApiCert = await readFile(c.files['pki/apiserver.crt'], 'utf8');
    const { plan, report, batch } = await generateAndWrite(c, { fix: true });
    assert.equal(show(c, findingsOf(c)), '', 'after --fix');
    // Every fixable finding before is claimed by an action.
    const claimed = plan.actions.flatMap((a) => a.fixes);
    for (const f of before) {
      assert.ok(
        claimed.some((x) => x.file === f.file && x.code === f.code && x.range.start.line === f.range.start.line),
        `unclaimed ${show(c, [f])}`,
      );
    }
    // SANs added, the CN/EKU kept or corrected; the apiserver's key on disk kept (key-mismatch: re-issued for it).
    assert.equal(await readFile(c.files['pki/apiserver.key'], 'utf8'), apiKey);
    assert.equal(await readFile(c.files['pki/etcd/server.key'], 'utf8'), etcdServerKey);
    assert.notEqual(await readFile(c.files['pki/front-proxy-client.key'], 'utf8'), proxyKey, 'the weak key is replaced');
    const api = openssl(['x509', '-in', c.files['pki/apiserver.crt'], '-noout', '-text']).out;
    assert.match(api, /DNS:cp\.example\.internal/);
    assert.match(api, /TLS Web Server Authentication/);
    const apiBackup = report.written.find((w) => w.path === c.files['pki/apiserver.crt']).backup;
    assert.match(path.basename(apiBackup), /^apiserver\.crt\.bak-\d{14}$/);
    assert.equal(await readFile(apiBackup, 'utf8'), oldApiCert);
    // Inline data: edits of the data lines only, and the right O.
    const adminEdits = batch.edits.filter((e) => e.file === c.files['admin.conf']);
    assert.equal(adminEdits.length, 1, 'the certificate only: the admin key is kept');
    const adminLines = (await readFile(`${c.files['admin.conf']}`, 'utf8')).split('\n');
    assert.match(adminLines[adminEdits[0].range.start.line], /client-certificate-data: /);
    const kc = YAML.parse(await readFile(c.files['admin.conf'], 'utf8'));
    const pem = Buffer.from(kc.users[0].user['client-certificate-data'], 'base64').toString();
    const f = `${work.next('admin-')}.crt`;
    await writeFile(f, pem);
    assert.match(openssl(['x509', '-in', f, '-noout', '-subject']).out, /O ?= ?kubeadm:cluster-admins|O ?= ?system:masters/);
    assert.equal(openssl(['verify', '-CAfile', c.files['pki/ca.crt'], f]).status, 0, 'admin-untrusted: now signed by the --client-ca-file CA');
  });

  test("--fix re-issues the apiserver's and etcd's certificates with the names a kubeadm config asks for (certSANs, serverCertSANs); then no finding", async () => {
    const c = await tree();
    const config = path.join(c.dir, 'kubeadm-config.yaml');
    await writeFile(
      config,
      [
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: ClusterConfiguration',
        'apiServer:',
        '  certSANs:',
        '  - k8s-api.example.com',
        'etcd:',
        '  local:',
        '    serverCertSANs:',
        '    - etcd.example.com',
        '',
      ].join('\n'),
    );
    const before = findingsOf(c).filter((f) => f.file === config);
    assert.deepEqual(
      before.map((f) => [f.range.start.line + 1, f.code]),
      [
        [5, 'san-missing'],
        [9, 'san-missing'],
      ],
      show(c, before),
    );
    const { plan } = await generateAndWrite(c, { fix: true });
    const fixes = plan.actions.flatMap((a) => a.fixes.filter((f) => f.file === config).map((f) => f.range.start.line + 1));
    assert.deepEqual(fixes.sort(), [5, 9]);
    assert.match(openssl(['x509', '-in', c.files['pki/apiserver.crt'], '-noout', '-ext', 'subjectAltName']).out, /DNS:k8s-api\.example\.com/);
    assert.match(openssl(['x509', '-in', c.files['pki/etcd/server.crt'], '-noout', '-ext', 'subjectAltName']).out, /DNS:etcd\.example\.com/);
    assert.deepEqual(show(c, findingsOf(c)), '');
  });

  test('kube-pki generate lists what --fix would replace and leaves it; --fix re-issues it, keeps backups, and check is clean', async () => {
    const c = await tree({ defects: ['apiserver-san-missing', 'admin-org-typo', 'controller-manager-expired'] });
    const cli = (...args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: c.dir });
    const before = await readFile(c.files['pki/apiserver.crt'], 'utf8');
    let r = cli('generate', '.');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^skipped: kube-apiserver's serving certificate \[etc\/kubernetes\/pki\/apiserver\.crt\]: .*replaces apiserver\.crt \(run with --fix to allow it\)$/m,
    );
    assert.equal(await readFile(c.files['pki/apiserver.crt'], 'utf8'), before);
    r = cli('generate', '.', '--fix', '--dry-run');
    assert.match(r.stdout, /^would replace: kube-apiserver's serving certificate \(adds SAN cp\.example\.internal\)$/m);
    // super-admin.conf beside admin.conf: kubeadm 1.29+, so admin.conf's group is kubeadm:cluster-admins, said why.
    assert.match(
      r.stdout,
      /^would replace: the admin client certificate in admin\.conf .*\(O system:master → kubeadm:cluster-admins: admin\.conf's group since kubeadm 1\.29, granted cluster-admin by an RBAC binding that can be revoked\)$/m,
    );
    assert.equal(await readFile(c.files['pki/apiserver.crt'], 'utf8'), before);
    r = cli('generate', '.', '--fix', '--key-type', 'ecdsa-p256');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /^replaced etc\/kubernetes\/pki\/apiserver\.crt \(0644, old kept as apiserver\.crt\.bak-\d{14}\): CN=kube-apiserver; SANs .*cp\.example\.internal/m,
    );
    assert.match(r.stdout, /^replaced etc\/kubernetes\/admin\.conf \(0600, old kept as admin\.conf\.bak-\d{14}\)/m);
    assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY/);
    r = cli('check', '.');
    assert.equal(r.status, 0, r.stdout);
  });

  test('a quick fix on one diagnostic plans exactly that re-issue', async () => {
    const c = await tree({ defects: ['scheduler-cn-typo', 'controller-manager-expired'] });
    const fs = findingsOf(c);
    const target = fs.find((f) => f.code === 'cn-mismatch');
    const plan = G.planGeneration(engineOf(c), fsys, { only: [{ file: target.file, range: target.range, code: target.code }] });
    assert.equal(plan.actions.length, 1);
    assert.equal(plan.actions[0].spec.commonName, 'system:kube-scheduler');
    assert.equal(plan.actions[0].outputs[0].kind, 'inline');
    assert.deepEqual(plan.actions[0].fixes, [{ file: target.file, range: target.range, code: 'cn-mismatch' }]);
    const batch = await G.executePlan(plan, fsys);
    assert.equal(batch.edits.length, 1);
    assert.equal(batch.edits[0].range.start.line, target.range.start.line);
    assert.doesNotMatch(JSON.stringify(plan), /PRIVATE KEY/);
  });

  test('--renew re-issues every leaf certificate with its own key; expiring CAs are renewed with their key and subject', async () => {
    const c = await tree({ caAgeDays: 3640 }); // the CAs expire in 10 days
    assert.ok(findingsOf(c).some((f) => f.code === 'cert-expiring'));
    const caKey = await readFile(c.files['pki/ca.key'], 'utf8');
    const { plan } = await generateAndWrite(c, { renew: true });
    assert.ok(plan.actions.filter((a) => a.kind === 'ca').length === 3);
    assert.equal(await readFile(c.files['pki/ca.key'], 'utf8'), caKey);
    assert.equal(show(c, findingsOf(c)), '');
    assert.equal(
      openssl(['verify', '-CAfile', c.files['pki/etcd/ca.crt'], c.files['pki/etcd/healthcheck-client.crt']]).status,
      0,
      'a cert the renewal did not touch still verifies',
    );
  });

  describe("an admin's wrong group follows its kubeadm release", () => {
    const adminFinding = (c) => findingsOf(c).find((f) => f.code === 'org-mismatch' && f.file === c.files['admin.conf']);
    const adminGroups = (plan) => plan.actions.find((a) => a.role === 'admin')?.spec.organizations;

    test('super-admin.conf beside admin.conf (1.29+): kubeadm:cluster-admins first, said why; system:masters only when asked', async () => {
      const c = await tree({ defects: ['admin-org-typo'] });
      const f = adminFinding(c);
      assert.match(f.message, /needs "kubeadm:cluster-admins" or "system:masters"/);
      assert.match(f.message, /In this kubeadm 1\.29\+ layout \(super-admin\.conf beside it\) admin\.conf's group is "kubeadm:cluster-admins"/);
      assert.match(f.message, /system:masters bypasses RBAC and cannot be revoked/);
      const only = [{ file: f.file, range: f.range, code: f.code }];
      assert.deepEqual(adminGroups(G.planGeneration(engineOf(c), fsys, { only })), ['kubeadm:cluster-admins']);
      assert.deepEqual(adminGroups(G.planGeneration(engineOf(c), fsys, { only, adminGroup: 'system:masters' })), ['system:masters']);
    });

    test('no super-admin.conf, kubernetesVersion v1.28 in a kubeadm config: system:masters first', async () => {
      const c = await tree({ defects: ['admin-org-typo'] }, ['super-admin.conf']);
      await writeFile(
        path.join(c.dir, 'kubeadm.yaml'),
        'apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nkubernetesVersion: v1.28.4\n',
      );
      const f = adminFinding(c);
      assert.match(f.message, /needs "system:masters" or "kubeadm:cluster-admins"/);
      assert.match(f.message, /Before kubeadm 1\.29 \(kubernetesVersion v1\.28\.4 in kubeadm\.yaml\) admin\.conf's group is "system:masters"/);
      const plan = G.planGeneration(engineOf(c), fsys, { only: [{ file: f.file, range: f.range, code: f.code }] });
      assert.deepEqual(adminGroups(plan), ['system:masters']);
    });

    test('nothing says the release: the group the O meant, and both explained', async () => {
      const c = await tree({ defects: ['admin-org-typo'] }, ['super-admin.conf']);
      const f = adminFinding(c);
      assert.match(f.message, /needs "system:masters" or "kubeadm:cluster-admins"/);
      assert.match(f.message, /kubeadm 1\.29\+ issues admin\.conf in "kubeadm:cluster-admins" and earlier releases in "system:masters"/);
    });
  });
});

// ------------------------------------------------------------------------------------ the writer

describe('the writer', () => {
  async function files(k) {
    const dir = work.next('w');
    const reqs = [];
    for (let i = 0; i < k; i++) reqs.push({ path: path.join(dir, `f${i}.crt`), contents: `new ${i}\n`, mode: 0o644, replace: false });
    return { dir, reqs };
  }

  test('refuses to replace an existing file without permission, before writing anything', async () => {
    const { dir, reqs } = await files(3);
    G.writeBatch([reqs[1]], { fs: fsys, allowReplace: false });
    reqs[1].replace = true;
    const r = G.writeBatch(reqs, { fs: fsys, allowReplace: false });
    assert.equal(r.ok, false);
    assert.match(r.error.message, /replacing it needs permission/);
    assert.deepEqual(r.written, []);
    assert.deepEqual((await readdir(dir)).sort(), ['f1.crt']);
  });

  test('a file that appeared since the plan is not clobbered', async () => {
    const { reqs } = await files(1);
    G.writeBatch(reqs, { fs: fsys, allowReplace: false });
    const r = G.writeBatch([{ ...reqs[0], contents: 'other' }], { fs: fsys, allowReplace: true });
    assert.equal(r.ok, false);
    assert.equal(await readFile(reqs[0].path, 'utf8'), 'new 0\n');
  });

  test('keys are 0600 and certificates 0644 whatever the umask; a replaced file is kept as NAME.bak-YYYYMMDDhhmmss', async () => {
    const dir = work.next('w');
    const old = process.umask(0o000);
    try {
      const r = G.writeBatch(
        [
          { path: path.join(dir, 'a.key'), contents: 'k', mode: 0o600, replace: false },
          { path: path.join(dir, 'a.crt'), contents: 'c', mode: 0o644, replace: false },
        ],
        { fs: fsys, allowReplace: false },
      );
      assert.ok(r.ok);
    } finally {
      process.umask(old);
    }
    assert.equal((await stat(path.join(dir, 'a.key'))).mode & 0o777, 0o600);
    assert.equal((await stat(path.join(dir, 'a.crt'))).mode & 0o777, 0o644);
    const when = new Date(2031, 0, 2, 3, 4, 5);
    const r = G.writeBatch([{ path: path.join(dir, 'a.key'), contents: 'k2', mode: 0o600, replace: true }], {
      fs: fsys,
      allowReplace: true,
      now: when,
    });
    assert.equal(r.written[0].backup, path.join(dir, 'a.key.bak-20310102030405'));
    assert.equal(await readFile(r.written[0].backup, 'utf8'), 'k');
    assert.equal((await stat(r.written[0].backup)).mode & 0o777, 0o600, 'a backup of a key stays private');
    assert.equal(await readFile(path.join(dir, 'a.key'), 'utf8'), 'k2');
  });

  const failing = (op, at) => {
    const base = G.nodeWriter();
    let count = 0;
    return {
      ...base,
      [op](...args) {
        if (++count === at) {
          const e = new Error('injected failure');
          e.code = 'EIO';
          throw e;
        }
        return base[op](...args);
      },
    };
  };

  test('a failure while writing the temporary files changes nothing and leaves no temporary file', async () => {
    const { dir, reqs } = await files(4);
    const r = G.writeBatch(reqs, { fs: fsys, allowReplace: false, writer: failing('writeNew', 3) });
    assert.equal(r.ok, false);
    assert.match(r.error.message, /injected failure.*no file was changed/);
    assert.deepEqual(r.written, []);
    assert.deepEqual(await readdir(dir), []);
  });

  test('a failure midway through putting files in place: each file old or new, and the report says which', async () => {
    const { dir, reqs } = await files(4);
    await mkdir(dir, { recursive: true });
    for (const r of reqs.slice(0, 2)) await writeFile(r.path, 'old\n');
    reqs[0].replace = reqs[1].replace = true;
    const r = G.writeBatch(reqs, { fs: fsys, allowReplace: true, writer: failing('link', 4) }); // backup, backup, create, *create*
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.written.map((w) => path.basename(w.path)),
      ['f0.crt', 'f1.crt', 'f2.crt'],
    );
    assert.deepEqual(
      r.notWritten.map((p) => path.basename(p)),
      ['f3.crt'],
    );
    assert.equal(r.error.path, reqs[3].path);
    for (let i = 0; i < 3; i++) assert.equal(await readFile(reqs[i].path, 'utf8'), `new ${i}\n`);
    assert.equal(existsSync(reqs[3].path), false);
    const names = await readdir(dir);
    assert.ok(!names.some((x) => x.includes(G.TEMP_MARK)), names.join(' '));
  });
});

// ------------------------------------------------------------------------------------ a killed run

describe('a generation run killed midway', () => {
  const SLOW = fileURLToPath(new URL('./helpers/slow-generate.mjs', import.meta.url));

  /** Runs slow-generate and SIGKILLs it right after its `at`-th step; returns the steps seen. */
  function runAndKill(dir, mode, at) {
    return new Promise((resolve, reject) => {
      const p = spawn(process.execPath, [SLOW, dir, mode], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      let steps = 0;
      p.stderr.on('data', (d) => (err += d));
      p.stdout.on('data', (d) => {
        out += d;
        steps = (out.match(/^step /gm) ?? []).length;
        if (steps >= at) p.kill('SIGKILL');
      });
      const t = setTimeout(() => p.kill('SIGKILL'), 60_000);
      p.on('close', (code, signal) => {
        clearTimeout(t);
        const targets = JSON.parse(/^targets (.*)$/m.exec(out)?.[1] ?? '[]');
        if (signal !== 'SIGKILL') reject(new Error(`not killed (exit ${code}): ${out}${err}`));
        else resolve({ out, targets, steps: out.split('\n').filter((l) => l.startsWith('step ')) });
      });
    });
  }

  /** A whole PEM file / kubeconfig: every block decodes, nothing cut. */
  function whole(file, text) {
    if (file.endsWith('.conf')) {
      const kc = YAML.parse(text);
      return (
        !!kc?.users?.[0]?.user?.['client-key-data'] && whole('x.pem', Buffer.from(kc.users[0].user['client-certificate-data'], 'base64').toString())
      );
    }
    const pem = E.pki.parsePem(text);
    return pem.blocks.length > 0 && pem.problems.length === 0 && /-----END [A-Z ]+-----\n$/.test(text);
  }

  const MISSING = [
    'pki/apiserver.crt',
    'pki/apiserver.key',
    'pki/etcd/server.crt',
    'pki/etcd/server.key',
    'pki/front-proxy-client.crt',
    'pki/front-proxy-client.key',
    'scheduler.conf',
  ];

  for (const [label, at, kind] of [
    ['inside the write of a temporary file', 3, 'half'],
    ['after some files were put in place', 3, 'link'],
  ]) {
    test(`killed ${label}: every file is absent or whole; the next run completes and clears the leftovers`, async () => {
      const c = await tree({}, MISSING);
      const stepsNeeded = kind === 'half' ? 2 * (at - 1) + 1 : 2 * MISSING.length + at;
      const { targets, steps } = await runAndKill(c.dir, 'missing', stepsNeeded);
      assert.equal(targets.length, MISSING.length);
      assert.match(steps.at(-1), new RegExp(`^step ${kind} `));
      let present = 0;
      for (const t of targets) {
        if (!existsSync(t)) continue;
        present++;
        assert.ok(whole(t, await readFile(t, 'utf8')), `${rel(c, t)} is half-written`);
      }
      assert.equal(present, kind === 'half' ? 0 : at, 'files in place at the kill');
      // Half-written temporaries may be left (hidden, marked): never at a real name, and cleared by the next run.
      const r = spawnSync(process.execPath, [CLI, 'generate', c.dir, '--key-type', 'ecdsa-p256'], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stdout + r.stderr);
      for (const d of new Set(targets.map((t) => path.dirname(t)))) {
        const names = await readdir(d);
        assert.ok(!names.some((x) => x.includes(G.TEMP_MARK)), `${d}: ${names.join(' ')}`);
      }
      assert.equal(show(c, findingsOf(c)), '');
    });
  }

  test('a renewal killed midway: every file is its old self or whole and new', async () => {
    const c = await tree();
    const names = [
      'pki/apiserver.crt',
      'pki/apiserver-kubelet-client.crt',
      'pki/front-proxy-client.crt',
      'pki/apiserver-etcd-client.crt',
      'pki/etcd/server.crt',
      'pki/etcd/peer.crt',
    ];
    const old = Object.fromEntries(await Promise.all(names.map(async (k) => [c.files[k], await readFile(c.files[k], 'utf8')])));
    const { targets } = await runAndKill(c.dir, 'renew', 2 * 11 + 4); // every temp written, then a few renames
    let renewed = 0;
    for (const t of targets) {
      const text = await readFile(t, 'utf8');
      if (old[t] !== undefined && text === old[t]) continue;
      assert.ok(whole(t, text), `${rel(c, t)} is half-written`);
      if (old[t] !== undefined) renewed++;
    }
    assert.ok(renewed >= 1, 'some files were renewed before the kill');
    assert.equal(show(c, findingsOf(c)), '', 'old or new, the tree is consistent');
  });
});

// ------------------------------------------------------------------------------------ on request

describe('on request', () => {
  test("the full kubeadm set for a new control-plane node: 16 key pairs, each certificate verified by its CA with kubeadm's subject", async () => {
    const root = work.next('cp');
    const plan = G.planControlPlane(fsys, {
      root,
      nodeName: 'cp9',
      advertiseAddress: '10.0.0.9',
      controlPlaneEndpoint: 'k8s.example.internal:6443',
      keyType: 'ecdsa-p256',
      extraSANs: ['10.0.0.100'],
    });
    assert.deepEqual(plan.skipped, []);
    assert.equal(plan.actions.filter((a) => a.key?.kind === 'new').length, 16);
    const batch = await G.executePlan(plan, fsys);
    const r = G.writeBatch(batch.files, { fs: fsys, allowReplace: false });
    assert.ok(r.ok);
    const pki = path.join(root, 'etc', 'kubernetes', 'pki');
    const expect = {
      apiserver: ['ca', /CN ?= ?kube-apiserver/, /DNS:k8s\.example\.internal/, /IP Address:10\.0\.0\.100/, /IP Address:10\.96\.0\.1/],
      'apiserver-kubelet-client': ['ca', /O ?= ?kubeadm:cluster-admins, CN ?= ?kube-apiserver-kubelet-client/],
      'front-proxy-client': ['front-proxy-ca', /CN ?= ?front-proxy-client/],
      'apiserver-etcd-client': ['etcd/ca', /CN ?= ?kube-apiserver-etcd-client/],
      'etcd/server': ['etcd/ca', /CN ?= ?cp9/, /DNS:localhost/, /IP Address:127\.0\.0\.1/],
      'etcd/peer': ['etcd/ca', /CN ?= ?cp9/],
      'etcd/healthcheck-client': ['etcd/ca', /CN ?= ?kube-etcd-healthcheck-client/],
    };
    for (const [name, [ca, ...patterns]] of Object.entries(expect)) {
      const v = openssl(['verify', '-CAfile', path.join(pki, `${ca}.crt`), path.join(pki, `${name}.crt`)]);
      assert.equal(v.status, 0, `${name}: ${v.out}`);
      const t =
        openssl(['x509', '-in', path.join(pki, `${name}.crt`), '-noout', '-text', '-nameopt', 'RFC2253']).out +
        openssl(['x509', '-in', path.join(pki, `${name}.crt`), '-noout', '-subject']).out;
      for (const p of patterns) assert.match(t, p, name);
    }
    const admin = YAML.parse(await readFile(path.join(root, 'etc', 'kubernetes', 'admin.conf'), 'utf8'));
    assert.equal(admin.clusters[0].cluster.server, 'https://k8s.example.internal:6443');
    const kubelet = YAML.parse(await readFile(path.join(root, 'etc', 'kubernetes', 'kubelet.conf'), 'utf8'));
    assert.equal(kubelet.users[0].name, 'system:node:cp9');
    // A second node of the same cluster reuses its CAs.
    const again = G.planControlPlane(fsys, { root, nodeName: 'cp9', advertiseAddress: '10.0.0.9' });
    assert.ok(!again.actions.some((a) => a.kind === 'ca'));
    assert.ok(again.skipped.every((s) => s.needsReplace || /sa|service/.test(s.title)));
  });

  test('kube-pki new-ca never replaces a CA; new-client signs with it; --dry-run writes nothing', async () => {
    const dir = work.next('ca');
    const cli = (...args) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    let r = cli('new-ca', '--out', path.join(dir, 'ca.crt'), '--cn', 'team-ca', '--key-type', 'ecdsa-p256', '--dry-run');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /would create: CA team-ca/);
    assert.equal(existsSync(dir), false);
    r = cli('new-ca', '--out', path.join(dir, 'ca.crt'), '--cn', 'team-ca', '--key-type', 'ecdsa-p256');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /created .*ca\.key \(0600\)/);
    r = cli('new-ca', '--out', path.join(dir, 'ca.crt'));
    assert.equal(r.status, 1);
    assert.match(r.stdout, /a CA is never replaced/);
    r = cli(
      'new-client',
      '--cn',
      'jane',
      '--group',
      'devs',
      '--group',
      'ops',
      '--ca',
      path.join(dir, 'ca.crt'),
      '--out',
      path.join(dir, 'jane.crt'),
      '--key-type',
      'ecdsa-p256',
      '--days',
      '30',
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /created .*jane\.crt \(0644\): CN=jane, O=devs\+O=ops; issued by CN=team-ca; expires/);
    assert.equal(openssl(['verify', '-CAfile', path.join(dir, 'ca.crt'), '-purpose', 'sslclient', path.join(dir, 'jane.crt')]).status, 0);
    r = cli('new-client', '--cn', 'jane', '--ca', path.join(dir, 'ca.crt'), '--out', path.join(dir, 'jane.crt'));
    assert.equal(r.status, 1, 'an existing file is not replaced without --force');
    assert.match(r.stdout, /replacing needs permission/);
    r = cli('new-client', '--cn', 'jane', '--key-type', 'dsa', '--ca', 'x', '--out', 'y');
    assert.equal(r.status, 2);
  });
});
