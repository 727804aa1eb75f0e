// `kube-pki rotate-ca` proven by the programs that use the files: a kubeadm node tree is built at run time, its
// etcd CA and then its cluster CA are rotated through the three stages with dist/cli.js, and after every stage,
// for every mix of the previous stage's files and this stage's (a rolling restart restarts one side before the
// other), Debian's etcd and etcdctl (apiserver -> etcd with apiserver-etcd-client; two etcd members over peer
// TLS), Debian's kubectl against etcd serving the apiserver's serving pair and trusting the apiserver's
// --client-ca-file (`kubectl get --raw /version` reaches etcd's /version only after mutual TLS), and
// `openssl verify` for the rest complete the handshakes that must work. A stage that skips one (the old CA
// removed before the leaves are re-issued) is refused, and the same programs fail on the files it would leave.
// Servers run in their own process groups (setsid; $KUBE_PKI_PGID_DIR lets .ci/run end them), on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, readFile, writeFile, cp, stat, readdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { buildCluster } from './helpers/cluster.mjs';
import { runAsync, tool } from './helpers/tools.mjs';
import { freePort, startGroup } from './helpers/vscode-host.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(repo, 'dist', 'cli.js');

let tmp;
let cluster;
const groups = [];
/** Copies of the node tree: snapshots[ca][stage]. */
const snapshots = { etcd: {}, cluster: {}, 'front-proxy': {}, 'service-account': {} };

function cli(args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: tmp, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function openssl(args) {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

async function snapshot(ca, stage) {
  const dir = path.join(tmp, `snap-${ca}-${stage}`);
  await cp(cluster.dir, dir, { recursive: true });
  snapshots[ca][stage] = dir;
  return dir;
}

/** A file of a snapshot, by its path below the node tree ('etc/kubernetes/pki/ca.crt'). */
const at = (snap, rel) => path.join(snap, rel);
const PKI = 'etc/kubernetes/pki';

before(async () => {
  assert.ok(existsSync(CLI), `${CLI} is missing: run \`node esbuild.js\` first`);
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-rotate-'));
  cluster = await buildCluster(path.join(tmp, 'node'), { advertiseAddress: '127.0.0.1', keyType: 'ecdsa-p256', reuseKeys: false });
  const r = cli(['check', 'node']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

after(async () => {
  for (const g of groups.reverse()) await g.stop().catch(() => undefined);
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

// ------------------------------------------------------------------------------------ programs

async function startEtcd(name, args) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD')));
  const logFile = path.join(tmp, `${name}-${groups.length}.log`);
  const g = startGroup(tool('etcd'), ['--name', name, '--data-dir', path.join(tmp, `data-${name}-${groups.length}`), ...args], {
    env,
    cwd: tmp,
    logFile,
  });
  groups.push(g);
  return { ...g, log: () => readFile(logFile, 'utf8').catch(() => '') };
}

function etcdctl(endpoint, cert, key, ca, extra = []) {
  const tls = ca ? ['--cacert', ca, '--cert', cert, '--key', key] : [];
  const r = spawnSync(
    tool('etcdctl'),
    ['--endpoints', endpoint, ...tls, '--dial-timeout=3s', '--command-timeout=5s', ...extra, 'endpoint', 'health'],
    {
      encoding: 'utf8',
      env: { ...process.env, ETCDCTL_API: '3' },
      timeout: 30_000,
    },
  );
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

async function until(fn, etcd, seconds = 30) {
  const deadline = Date.now() + seconds * 1000;
  let r;
  for (;;) {
    r = await fn();
    if (r.status === 0 || Date.now() > deadline || etcd.exited) return r;
    await new Promise((res) => setTimeout(res, 300));
  }
}

/** One etcd serving `cert`/`key`, requiring client certificates `clientCA` verifies (as kubeadm's etcd, or as an apiserver). */
async function tlsEtcd({ cert, key, clientCA }) {
  const [client, peer] = [await freePort(), await freePort()];
  const endpoint = `https://127.0.0.1:${client}`;
  const etcd = await startEtcd('solo', [
    '--listen-client-urls',
    endpoint,
    '--advertise-client-urls',
    endpoint,
    '--listen-peer-urls',
    `http://127.0.0.1:${peer}`,
    '--initial-advertise-peer-urls',
    `http://127.0.0.1:${peer}`,
    '--initial-cluster',
    `solo=http://127.0.0.1:${peer}`,
    '--cert-file',
    cert,
    '--key-file',
    key,
    '--trusted-ca-file',
    clientCA,
    '--client-cert-auth',
  ]);
  return { etcd, endpoint, port: client };
}

const kubectl = (args) => runAsync(tool('kubectl'), args, { env: { ...process.env, HOME: tmp, KUBECONFIG: '' } });

// ------------------------------------------------------------------------------------ the handshakes

/** apiserver -> etcd: etcd with the server side of `server`, etcdctl with the apiserver's files of `client`. */
async function apiserverToEtcd(server, client) {
  const { etcd, endpoint } = await tlsEtcd({
    cert: at(server, `${PKI}/etcd/server.crt`),
    key: at(server, `${PKI}/etcd/server.key`),
    clientCA: at(server, `${PKI}/etcd/ca.crt`),
  });
  try {
    return await until(
      () =>
        etcdctl(
          endpoint,
          at(client, `${PKI}/apiserver-etcd-client.crt`),
          at(client, `${PKI}/apiserver-etcd-client.key`),
          at(client, `${PKI}/etcd/ca.crt`),
        ),
      etcd,
    );
  } finally {
    await etcd.stop();
  }
}

/** Two etcd members over peer TLS, each with the peer files of its own tree: both healthy only if the peers handshake. */
async function etcdPeers(a, b) {
  const ports = { a: [await freePort(), await freePort()], b: [await freePort(), await freePort()] };
  const initial = `a=https://127.0.0.1:${ports.a[1]},b=https://127.0.0.1:${ports.b[1]}`;
  const member = (name, snap) =>
    startEtcd(name, [
      '--listen-client-urls',
      `http://127.0.0.1:${ports[name][0]}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${ports[name][0]}`,
      '--listen-peer-urls',
      `https://127.0.0.1:${ports[name][1]}`,
      '--initial-advertise-peer-urls',
      `https://127.0.0.1:${ports[name][1]}`,
      '--initial-cluster',
      initial,
      '--initial-cluster-token',
      `rotate-${ports.a[1]}`,
      '--peer-cert-file',
      at(snap, `${PKI}/etcd/peer.crt`),
      '--peer-key-file',
      at(snap, `${PKI}/etcd/peer.key`),
      '--peer-trusted-ca-file',
      at(snap, `${PKI}/etcd/ca.crt`),
      '--peer-client-cert-auth',
    ]);
  const ea = await member('a', a);
  const eb = await member('b', b);
  try {
    // A write needs the quorum of both members: it succeeds only once they talk over peer TLS.
    const put = () => {
      const r = spawnSync(
        tool('etcdctl'),
        [
          '--endpoints',
          `http://127.0.0.1:${ports.a[0]},http://127.0.0.1:${ports.b[0]}`,
          '--dial-timeout=3s',
          '--command-timeout=5s',
          'put',
          'rotate',
          'ok',
        ],
        {
          encoding: 'utf8',
          env: { ...process.env, ETCDCTL_API: '3' },
          timeout: 30_000,
        },
      );
      return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
    };
    const r = await until(
      put,
      {
        get exited() {
          return ea.exited || eb.exited;
        },
      },
      25,
    );
    return { ...r, log: `${await ea.log()}\n${await eb.log()}` };
  } finally {
    await ea.stop();
    await eb.stop();
  }
}

/** kubectl -> "apiserver": etcd serving the apiserver's serving pair of `server`, trusting its --client-ca-file; kubectl with `client`'s kubeconfig. */
async function kubectlToApiserver(server, client, kubeconfig = 'admin.conf') {
  const { etcd, port } = await tlsEtcd({
    cert: at(server, `${PKI}/apiserver.crt`),
    key: at(server, `${PKI}/apiserver.key`),
    clientCA: at(server, `${PKI}/ca.crt`),
  });
  try {
    return await until(
      () =>
        kubectl(['--kubeconfig', at(client, `etc/kubernetes/${kubeconfig}`), '--server', `https://127.0.0.1:${port}`, 'get', '--raw', '/version']),
      etcd,
    );
  } finally {
    await etcd.stop();
  }
}

const MIXES = [
  ['previous', 'previous'],
  ['previous', 'new'],
  ['new', 'previous'],
  ['new', 'new'],
];

function stageOutput(ca, stage) {
  const r = cli(['rotate-ca', 'node', '--ca', ca, '--key-type', 'ecdsa-p256']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, new RegExp(`^stage ${stage} of 3: `, 'm'));
  assert.match(r.stdout, /every connection still verifies; no new error/);
  assert.match(r.stdout, new RegExp(`^stage ${stage} written$`, 'm'));
  assert.doesNotMatch(r.stdout + r.stderr, /PRIVATE KEY|BEGIN/);
  return r.stdout;
}

async function certsIn(file) {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => m[0]);
}

function fingerprint(pem) {
  const r = spawnSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem, encoding: 'utf8' });
  return r.stdout.trim();
}

// ------------------------------------------------------------------------------------ etcd CA

for (const stage of [1, 2, 3]) {
  test(`etcd CA, stage ${stage}: written, and etcdctl reaches etcd (apiserver -> etcd) and two etcd members form a cluster in every mix of old and new files`, async () => {
    const previous = snapshots.etcd[stage - 1] ?? (await snapshot('etcd', 0));
    const out = stageOutput('etcd', stage);
    const now = await snapshot('etcd', stage);
    const caCerts = await certsIn(at(now, `${PKI}/etcd/ca.crt`));
    assert.equal(caCerts.length, stage === 3 ? 1 : 2, `etcd/ca.crt at stage ${stage}`);
    if (stage === 1) {
      assert.match(out, /create node\/etc\/kubernetes\/pki\/etcd\/ca-new\.key \(0600\)/);
      assert.equal((await stat(at(now, `${PKI}/etcd/ca-new.key`))).mode & 0o777, 0o600);
      // The old CA first: kube-pki and etcd still sign nothing with the new one.
      assert.equal(fingerprint(caCerts[0]), fingerprint((await certsIn(at(previous, `${PKI}/etcd/ca.crt`)))[0]));
    }
    if (stage === 2) {
      assert.match(
        out,
        /replace node\/etc\/kubernetes\/pki\/apiserver-etcd-client\.crt \(0644\): CN=kube-apiserver-etcd-client; issued by the new CA/,
      );
      assert.match(out, /replace node\/etc\/kubernetes\/pki\/etcd\/server\.crt .*SANs cp1, localhost, 127\.0\.0\.1, ::1/);
      const v = openssl(['verify', '-CAfile', at(now, `${PKI}/etcd/ca-old.crt`), at(now, `${PKI}/etcd/server.crt`)]);
      assert.notEqual(v.status, 0, 'server.crt is no longer signed by the old CA');
    }
    if (stage === 3) {
      assert.match(out, /archive node\/etc\/kubernetes\/pki\/etcd\/ca-old\.key -> node\/etc\/kubernetes\/pki\/etcd\/rotated\/ca-[0-9a-f]+\.key/);
      const archived = await readdir(at(now, `${PKI}/etcd/rotated`));
      assert.equal(archived.filter((f) => f.endsWith('.key')).length, 1, archived.join(', '));
    }
    for (const [server, client] of MIXES) {
      const r = await apiserverToEtcd(server === 'new' ? now : previous, client === 'new' ? now : previous);
      assert.equal(r.status, 0, `etcd with ${server} files, apiserver with ${client} files: ${r.out}`);
      assert.match(r.out, /is healthy/);
    }
    for (const [a, b] of MIXES.filter(([x, y]) => x !== y)) {
      const r = await etcdPeers(a === 'new' ? now : previous, b === 'new' ? now : previous);
      assert.equal(r.status, 0, `member a with ${a} files, member b with ${b} files: ${r.out}\n${r.log.slice(-3000)}`);
      assert.match(r.out, /^OK$/m);
    }
    const check = cli(['check', 'node']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
  });
}

// ------------------------------------------------------------------------------------ cluster CA

test('cluster CA, stage 3 before stage 1: refused, nothing written', () => {
  const r = cli(['rotate-ca', 'node', '--ca', 'cluster', '--stage', '3']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /stage 3 refused: stage 3 needs the new CA, which stage 1 makes/);
});

for (const stage of [1, 2, 3]) {
  test(`cluster CA, stage ${stage}: written, and kubectl reaches the apiserver's pair (mutual TLS) and openssl verifies the rest in every mix of old and new files`, async () => {
    const previous = snapshots.cluster[stage - 1] ?? (await snapshot('cluster', 0));
    const out = stageOutput('cluster', stage);
    const now = await snapshot('cluster', stage);
    assert.match(out, /^restart or redistribute, on every node:$/m);
    assert.match(out, /^ {2}kube-apiserver \(node\/etc\/kubernetes\/manifests\/kube-apiserver\.yaml\)$/m);
    assert.match(out, new RegExp(`^verify before ${stage < 3 ? `stage ${stage + 1}` : 'deleting the archived key'}:$`, 'm'));
    if (stage === 1)
      assert.match(
        out,
        /replace node\/etc\/kubernetes\/admin\.conf \(0600\): cluster kubernetes's certificate-authority-data: old CA \(serial [0-9A-F]+\) \+ new CA/,
      );
    if (stage === 2) {
      assert.match(
        out,
        /replace node\/etc\/kubernetes\/admin\.conf \(0600\): user kubernetes-admin's client certificate: CN=kubernetes-admin, O=kubeadm:cluster-admins; issued by the new CA/,
      );
      assert.match(out, /replace node\/etc\/kubernetes\/pki\/ca\.key \(0600\): the new CA .*: the signers switch to the new CA/);
      // The controller-manager's --cluster-signing-cert-file/--cluster-signing-key-file pair: the key is the first certificate's (tls.X509KeyPair).
      const first = (await certsIn(at(now, `${PKI}/ca.crt`)))[0];
      const pubOfCert = spawnSync('openssl', ['x509', '-noout', '-pubkey'], { input: first, encoding: 'utf8' }).stdout;
      const pubOfKey = spawnSync('openssl', ['pkey', '-pubout', '-in', at(now, `${PKI}/ca.key`)], { encoding: 'utf8' }).stdout;
      assert.equal(pubOfKey, pubOfCert);
    }
    for (const [server, client] of MIXES) {
      const s = server === 'new' ? now : previous;
      const c = client === 'new' ? now : previous;
      for (const kubeconfig of ['admin.conf', 'controller-manager.conf']) {
        const r = await kubectlToApiserver(s, c, kubeconfig);
        assert.equal(r.status, 0, `apiserver with ${server} files, ${kubeconfig} ${client}: ${r.out}`);
        assert.match(r.out, /"etcdserver"/);
      }
      // The rest: the kubelet's client certificate and the apiserver's kubelet client against the kubelet's
      // clientCAFile (pki/ca.crt), the apiserver's serving certificate against --root-ca-file (pods).
      for (const [cert, purpose] of [
        ['var/lib/kubelet/pki/kubelet-client-current.pem', 'sslclient'],
        [`${PKI}/apiserver-kubelet-client.crt`, 'sslclient'],
        [`${PKI}/apiserver.crt`, 'sslserver'],
      ]) {
        const v = openssl(['verify', '-CAfile', at(s, `${PKI}/ca.crt`), '-purpose', purpose, at(c, cert)]);
        assert.equal(v.status, 0, `${cert} (${client}) against ca.crt (${server}): ${v.out}`);
      }
    }
    const check = cli(['check', 'node']);
    assert.equal(check.code, 0, check.stdout + check.stderr);

    if (stage === 1) {
      // A wrong plan: the old CA dropped (stage 3) while every leaf is still the old CA's. Refused, naming the
      // connections, and nothing changes on disk.
      const hash = async (f) =>
        createHash('sha256')
          .update(await readFile(f))
          .digest('hex');
      const watched = [`${PKI}/ca.crt`, `${PKI}/ca.key`, 'etc/kubernetes/admin.conf'].map((f) => at(cluster.dir, f));
      const was = await Promise.all(watched.map(hash));
      const r = cli(['rotate-ca', 'node', '--ca', 'cluster', '--stage', '3']);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        /^ {2}BREAKS node\/etc\/kubernetes\/admin\.conf \(user kubernetes-admin\) -> kube-apiserver \(node\/etc\/kubernetes\/manifests\/kube-apiserver\.yaml\): user kubernetes-admin's client certificate, verified by --client-ca-file: .*x509: certificate signed by unknown authority/m,
      );
      assert.match(r.stdout, /BREAKS kube-apiserver .* -> kubelet .*--kubelet-client-certificate/);
      assert.match(
        r.stderr,
        /stage 3 refused: it would break \d+ connections \(above\); the files are at stage 1: stage 3 skips stage 2; nothing was written/,
      );
      assert.deepEqual(await Promise.all(watched.map(hash)), was);

      // The real programs on the files the refused stage would leave: ca.crt and the kubeconfigs' CA = the new CA only.
      const wrong = path.join(tmp, 'wrong');
      await cp(now, wrong, { recursive: true });
      const newCa = await readFile(at(now, `${PKI}/ca-new.crt`), 'utf8');
      await writeFile(at(wrong, `${PKI}/ca.crt`), newCa);
      const admin = YAML.parse(await readFile(at(wrong, 'etc/kubernetes/admin.conf'), 'utf8'));
      admin.clusters[0].cluster['certificate-authority-data'] = Buffer.from(newCa).toString('base64');
      await writeFile(at(wrong, 'etc/kubernetes/admin.conf'), YAML.stringify(admin));
      const k = await kubectlToApiserver(wrong, wrong);
      assert.notEqual(k.status, 0, k.out);
      assert.match(k.out, /x509: certificate signed by unknown authority/);
      const v = openssl([
        'verify',
        '-CAfile',
        at(wrong, `${PKI}/ca.crt`),
        '-purpose',
        'sslclient',
        at(wrong, 'var/lib/kubelet/pki/kubelet-client-current.pem'),
      ]);
      assert.notEqual(v.status, 0, v.out);
      assert.match(v.out, /unable to get local issuer certificate|certificate signature failure/);
    }
  });
}

test('the etcd CA, stage 3 on a tree whose leaves the old CA still signs: refused, and etcd refuses etcdctl on those files', async () => {
  // Start a second rotation of the etcd CA (stage 1), then ask for stage 3 at once.
  const one = cli(['rotate-ca', 'node', '--ca', 'etcd', '--key-type', 'ecdsa-p256']);
  assert.equal(one.code, 0, one.stdout + one.stderr);
  const r = cli(['rotate-ca', 'node', '--ca', 'etcd', '--stage', '3']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /BREAKS kube-apiserver .* -> etcd .*--etcd-certfile, verified by etcd --trusted-ca-file/);
  assert.match(r.stdout, /BREAKS etcd .* \(peers\)/);
  const wrong = path.join(tmp, 'wrong-etcd');
  await cp(cluster.dir, wrong, { recursive: true });
  await writeFile(at(wrong, `${PKI}/etcd/ca.crt`), await readFile(at(wrong, `${PKI}/etcd/ca-new.crt`)));
  const e = await apiserverToEtcd(cluster.dir, wrong);
  assert.notEqual(e.status, 0, e.out);
  const e2 = await apiserverToEtcd(wrong, cluster.dir);
  assert.notEqual(e2.status, 0, e2.out);
});

// ------------------------------------------------------------------------------------ front-proxy CA

for (const stage of [1, 2, 3]) {
  test(`front-proxy CA, stage ${stage}: kubectl with the front proxy's client certificate reaches a server trusting --requestheader-client-ca-file, in every mix`, async () => {
    const previous = snapshots['front-proxy'][stage - 1] ?? (await snapshot('front-proxy', 0));
    const out = stageOutput('front-proxy', stage);
    const now = await snapshot('front-proxy', stage);
    if (stage === 2)
      assert.match(out, /replace node\/etc\/kubernetes\/pki\/front-proxy-client\.crt \(0644\): CN=front-proxy-client; issued by the new CA/);
    for (const [server, client] of MIXES) {
      const s = server === 'new' ? now : previous;
      const c = client === 'new' ? now : previous;
      // An aggregated API server: the apiserver's serving pair, verifying clients with front-proxy-ca.crt.
      const { etcd, port } = await tlsEtcd({
        cert: at(s, `${PKI}/apiserver.crt`),
        key: at(s, `${PKI}/apiserver.key`),
        clientCA: at(s, `${PKI}/front-proxy-ca.crt`),
      });
      try {
        const r = await until(
          () =>
            kubectl([
              '--server',
              `https://127.0.0.1:${port}`,
              '--certificate-authority',
              at(s, `${PKI}/ca.crt`),
              '--client-certificate',
              at(c, `${PKI}/front-proxy-client.crt`),
              '--client-key',
              at(c, `${PKI}/front-proxy-client.key`),
              'get',
              '--raw',
              '/version',
            ]),
          etcd,
        );
        assert.equal(r.status, 0, `server with ${server} files, front proxy with ${client} files: ${r.out}`);
        assert.match(r.out, /"etcdserver"/);
      } finally {
        await etcd.stop();
      }
    }
  });
}

// ------------------------------------------------------------------------------------ service-account keys

/** Does a token signed with `signer`'s key verify with some public key of `verifier`'s --service-account-key-file (openssl)? */
async function tokenVerifies(signerKey, pubFile) {
  const data = path.join(tmp, 'token-payload');
  const sig = path.join(tmp, 'token-sig');
  await writeFile(data, `{"iss":"https://kubernetes.default.svc.cluster.local","sub":"system:serviceaccount:default:rotate"}`);
  const s = openssl(['dgst', '-sha256', '-sign', signerKey, '-out', sig, data]);
  assert.equal(s.status, 0, s.out);
  const text = await readFile(pubFile, 'utf8');
  const keys = [...text.matchAll(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----\n?/g)].map((m) => m[0]);
  assert.ok(keys.length > 0, `${pubFile} holds public keys`);
  for (const [i, k] of keys.entries()) {
    const f = path.join(tmp, `pub-${i}.pem`);
    await writeFile(f, k);
    if (openssl(['dgst', '-sha256', '-verify', f, '-signature', sig, data]).status === 0) return true;
  }
  return false;
}

for (const stage of [1, 2, 3]) {
  test(`service-account keys, stage ${stage}: a token signed by either side's key verifies with the apiserver's public keys, in every mix (openssl)`, async () => {
    const previous = snapshots['service-account'][stage - 1] ?? (await snapshot('service-account', 0));
    const out = stageOutput('service-account', stage);
    const now = await snapshot('service-account', stage);
    const pubs = (await readFile(at(now, `${PKI}/sa.pub`), 'utf8')).match(/BEGIN PUBLIC KEY/g).length;
    assert.equal(pubs, stage === 3 ? 1 : 2, `sa.pub at stage ${stage}`);
    if (stage === 2) assert.match(out, /replace node\/etc\/kubernetes\/pki\/sa\.key \(0600\): the new key/);
    for (const [signer, verifier] of MIXES) {
      const ok = await tokenVerifies(
        at(signer === 'new' ? now : previous, `${PKI}/sa.key`),
        at(verifier === 'new' ? now : previous, `${PKI}/sa.pub`),
      );
      assert.ok(ok, `token signed with the ${signer} sa.key, verified with the ${verifier} sa.pub`);
    }
    if (stage === 3) {
      // The key of stage 0 no longer verifies: the old public key is gone.
      assert.equal(await tokenVerifies(at(snapshots['service-account'][0], `${PKI}/sa.key`), at(now, `${PKI}/sa.pub`)), false);
    }
  });
}

test('service-account keys, stage 3 right after stage 1: refused, and openssl confirms the signing key would not verify', async () => {
  assert.equal(cli(['rotate-ca', 'node', '--ca', 'service-account', '--key-type', 'ecdsa-p256']).code, 0);
  const r = cli(['rotate-ca', 'node', '--ca', 'service-account', '--stage', '3']);
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(
    r.stdout,
    /BREAKS tokens of kube-controller-manager .*--service-account-private-key-file -> kube-apiserver .*--service-account-key-file/,
  );
  const wrong = path.join(tmp, 'wrong-sa.pub');
  const text = await readFile(at(cluster.dir, `${PKI}/sa.pub`), 'utf8');
  await writeFile(wrong, text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----\n?/g)[1]);
  assert.equal(await tokenVerifies(at(cluster.dir, `${PKI}/sa.key`), wrong), false);
});

test('rotate-ca: usage errors exit 2; --dry-run writes nothing; the front-proxy CA is found', async () => {
  let r = cli(['rotate-ca', 'node']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /rotate-ca needs --ca cluster, etcd, front-proxy or service-account/);
  r = cli(['rotate-ca', 'node', '--ca', 'etcdd']);
  assert.equal(r.code, 2);
  r = cli(['rotate-ca', 'node', '--ca', 'cluster', '--stage', '4']);
  assert.equal(r.code, 2);
  const before = await readFile(cluster.files['pki/front-proxy-ca.crt'], 'utf8');
  r = cli(['rotate-ca', 'node', '--ca', 'front-proxy', '--dry-run', '--key-type', 'ecdsa-p256']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^rotating the front-proxy CA: node\/etc\/kubernetes\/pki\/front-proxy-ca\.crt; the files are at: not rotating/m);
  assert.match(r.stdout, /^dry run: nothing was written$/m);
  assert.equal(await readFile(cluster.files['pki/front-proxy-ca.crt'], 'utf8'), before);
  assert.equal(existsSync(path.join(cluster.paths.pki, 'front-proxy-ca-new.key')), false);
});
