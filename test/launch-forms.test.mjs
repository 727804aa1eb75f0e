// The control-plane components however they are started: systemd units (Kubernetes The Hard Way's
// units/*.service: `ExecStart=/usr/local/bin/kube-apiserver \` and one flag a line), Environment= variables
// expanded into ExecStart=, static pods that start the binary through go-runner (GCE's kube-up: all in `command`;
// kOps: `command: [/go-runner]`, the rest in `args`) or `/bin/sh -c "exec kube-apiserver ..."`, files named
// `*.manifest`, and a container with no command (the image's entrypoint). Each form of a healthy kubeadm node
// tree (made at run time) gets no finding; with a key that is not the certificate's, the finding is on the line
// of the unit or the manifest that names the key.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, writeFileSync, unlinkSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCluster, loadEngine } from './helpers/cluster.mjs';

const E = loadEngine();
let work;
before(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'kube-pki-launch-'));
});
after(async () => {
  await rm(work, { recursive: true, force: true });
});

function check(c) {
  const fs = E.nodeFileSystem();
  const engine = new E.Engine(fs, { searchRoots: [c.dir], now: c.now });
  for (const f of E.discoverFiles(fs, [c.dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
  return engine.documents().flatMap((f) => engine.check(f));
}

const show = (c, fs) => fs.map((f) => `${path.relative(c.dir, f.file)}:${f.range.start.line + 1} ${f.code}`).join('\n');
const lineOf = (text, needle) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

const COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd'];

/** The command list of a kubeadm static pod manifest. */
function commandOf(text) {
  const m = /- command:\n((?: {4}- .*\n)+)/.exec(text);
  return m[1]
    .split('\n')
    .filter(Boolean)
    .map((l) => l.replace(/^ {4}- /, ''));
}

/** Replaces each static pod with what `rewrite(name, manifestText)` makes of it ({ rel, text }). */
function convert(c, rewrite) {
  const out = {};
  for (const name of COMPONENTS) {
    const manifest = path.join(c.dir, 'etc/kubernetes/manifests', `${name}.yaml`);
    const { rel, text } = rewrite(name, readFileSync(manifest, 'utf8'));
    unlinkSync(manifest);
    const file = path.join(c.dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    out[name] = { file, text };
  }
  return out;
}

/** A unit as Kubernetes The Hard Way writes them (units/kube-apiserver.service). */
function hardWayUnit(name, manifest) {
  const [, ...flags] = commandOf(manifest);
  const text = [
    '[Unit]',
    `Description=Kubernetes ${name}`,
    'Documentation=https://github.com/kubernetes/kubernetes',
    '',
    '[Service]',
    `ExecStart=/usr/local/bin/${name} \\`,
    ...flags.map((f, i) => `  ${f}${i < flags.length - 1 ? ' \\' : ''}`),
    'Restart=on-failure',
    'RestartSec=5',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
  return { rel: `etc/systemd/system/${name}.service`, text };
}

describe('systemd units', () => {
  test('healthy: the four components as Kubernetes The Hard Way units, no static pod: no finding', async () => {
    const c = await buildCluster(path.join(work, 'units-healthy'), { keyType: 'ecdsa-p256' });
    convert(c, hardWayUnit);
    assert.equal(show(c, check(c)), '');
  });

  test("key-mismatch on the unit's --tls-private-key-file line", async () => {
    const c = await buildCluster(path.join(work, 'units-broken'), { keyType: 'ecdsa-p256', defects: ['apiserver-key-mismatch'] });
    const units = convert(c, hardWayUnit);
    const api = units['kube-apiserver'];
    const findings = check(c);
    const line = lineOf(api.text, '--tls-private-key-file=');
    assert.ok(
      findings.some((f) => f.file === api.file && f.code === 'key-mismatch' && f.range.start.line + 1 === line),
      show(c, findings),
    );
    assert.deepEqual([...new Set(findings.map((f) => f.code))], ['key-mismatch'], show(c, findings));
  });

  /** The apiserver's unit with its key named through Environment=: `keyFlag` replaces its --tls-private-key-file line. */
  const withEnv = (keyFlag) => (name, manifest) => {
    const unit = hardWayUnit(name, manifest);
    if (name !== 'kube-apiserver') return unit;
    const text = unit.text
      .replace(/ {2}--tls-private-key-file=\S+/, `  ${keyFlag}`)
      .replace(/--client-ca-file=\S+/, '--client-ca-file=${PKI}/ca.crt')
      .replace(
        '[Service]\n',
        '[Service]\nEnvironment="PKI=/etc/kubernetes/pki" \'KEY_ARGS=--tls-private-key-file=/etc/kubernetes/pki/apiserver.key --v=2\'\n',
      );
    return { ...unit, text };
  };

  test('Environment= values expand into ExecStart= (${VAR} in a word, $VAR split into words): healthy gets no finding', async () => {
    const c = await buildCluster(path.join(work, 'units-env-ok'), { keyType: 'ecdsa-p256' });
    const api = convert(c, withEnv('$KEY_ARGS'))['kube-apiserver'];
    assert.match(api.text, /\$\{PKI\}\/ca\.crt/);
    assert.equal(show(c, check(c)), '');
  });

  test('a value made of one variable ($KEY_ARGS split into words): the finding is on the Environment= line, on the value', async () => {
    const c = await buildCluster(path.join(work, 'units-env'), { keyType: 'ecdsa-p256', defects: ['apiserver-key-mismatch'] });
    const api = convert(c, withEnv('$KEY_ARGS'))['kube-apiserver'];
    const findings = check(c);
    const line = lineOf(api.text, 'Environment="PKI=');
    const hit = findings.find((f) => f.file === api.file && f.code === 'key-mismatch' && f.range.start.line + 1 === line);
    assert.ok(hit, show(c, findings));
    const envLine = api.text.split('\n')[line - 1];
    assert.equal(envLine.slice(hit.range.start.character, hit.range.end.character), '/etc/kubernetes/pki/apiserver.key');
  });

  test('a value mixing a variable and text (${PKI}/apiserver.key): the finding is on the flag in ExecStart=', async () => {
    const c = await buildCluster(path.join(work, 'units-env-mixed'), { keyType: 'ecdsa-p256', defects: ['apiserver-key-mismatch'] });
    const api = convert(c, withEnv('--tls-private-key-file=${PKI}/apiserver.key'))['kube-apiserver'];
    const findings = check(c);
    const line = lineOf(api.text, '--tls-private-key-file=${PKI}');
    const hit = findings.find((f) => f.file === api.file && f.code === 'key-mismatch' && f.range.start.line + 1 === line);
    assert.ok(hit, show(c, findings));
    const flagLine = api.text.split('\n')[line - 1];
    assert.equal(flagLine.slice(hit.range.start.character, hit.range.end.character), '${PKI}/apiserver.key');
  });

  test('a variable the unit does not define (an EnvironmentFile= may) is not judged', async () => {
    const c = await buildCluster(path.join(work, 'units-unknown'), { keyType: 'ecdsa-p256' });
    convert(c, (name, manifest) => {
      const unit = hardWayUnit(name, manifest);
      if (name !== 'kube-apiserver') return unit;
      const text = unit.text
        .replace(/--tls-cert-file=(\S+)/, '--tls-cert-file ${CERT}')
        .replace('[Service]\n', '[Service]\nEnvironmentFile=-/etc/default/kube-apiserver\n');
      return { ...unit, text };
    });
    assert.equal(show(c, check(c)), '');
  });
});

/**
 * The apiserver as the Fedora/CentOS `kubernetes-master` package ran it: /usr/lib/systemd/system/kube-apiserver.service
 * reads `EnvironmentFile=-/etc/kubernetes/config` and `EnvironmentFile=-/etc/kubernetes/apiserver` and passes
 * `$KUBE_LOGTOSTDERR $KUBE_LOG_LEVEL ... $KUBE_API_ARGS`; here KUBE_API_ARGS holds every flag, one a line inside
 * its double quotes (a backslash-newline joins them, as systemd reads the file).
 */
function distroUnit(c, { keyLine } = {}) {
  const api = path.join(c.dir, 'etc/kubernetes/manifests/kube-apiserver.yaml');
  const [, ...flags] = commandOf(readFileSync(api, 'utf8'));
  unlinkSync(api);
  const unit = [
    '[Unit]',
    'Description=Kubernetes API Server',
    '',
    '[Service]',
    'EnvironmentFile=-/etc/kubernetes/config',
    'EnvironmentFile=-/etc/kubernetes/apiserver',
    'ExecStart=/usr/bin/kube-apiserver \\',
    '\t    $KUBE_LOGTOSTDERR \\',
    '\t    $KUBE_LOG_LEVEL \\',
    '\t    $KUBE_API_ARGS',
    'Restart=on-failure',
    '',
  ].join('\n');
  const config = [
    '# kubernetes system config',
    '#',
    '# logging to stderr means we get it in the systemd journal',
    'KUBE_LOGTOSTDERR="--logtostderr=true"',
    '',
    '# journal message level, 0 is debug',
    'KUBE_LOG_LEVEL="--v=0"',
    '',
  ].join('\n');
  const args = flags.map((f) => (keyLine && f.startsWith('--tls-private-key-file=') ? keyLine : f));
  const env = [
    '###',
    '# kubernetes system config',
    '#',
    '# The following values are used to configure the kube-apiserver',
    '#',
    '',
    '# Add your own!',
    `KUBE_API_ARGS="${args.join(' \\\n  ')}"`,
    '',
  ].join('\n');
  const files = {
    unit: path.join(c.dir, 'usr/lib/systemd/system/kube-apiserver.service'),
    config: path.join(c.dir, 'etc/kubernetes/config'),
    env: path.join(c.dir, 'etc/kubernetes/apiserver'),
  };
  for (const [k, text] of [
    ['unit', unit],
    ['config', config],
    ['env', env],
  ]) {
    mkdirSync(path.dirname(files[k]), { recursive: true });
    writeFileSync(files[k], text);
  }
  return { ...files, envText: env };
}

describe('EnvironmentFile= (the distro packages: /etc/kubernetes/apiserver, /etc/kubernetes/config)', () => {
  test('healthy: the flags come from the env files: no finding, and they are read (a missing file would be found)', async () => {
    const c = await buildCluster(path.join(work, 'envfile-ok'), { keyType: 'ecdsa-p256' });
    distroUnit(c);
    assert.equal(show(c, check(c)), '');
    const bad = await buildCluster(path.join(work, 'envfile-missing'), { keyType: 'ecdsa-p256' });
    distroUnit(bad, { keyLine: '--tls-private-key-file=/etc/kubernetes/pki/nothing-here.key' });
    assert.match(show(bad, check(bad)), /^etc\/kubernetes\/apiserver:\d+ file-not-found$/);
  });

  test("a wrong key named in KUBE_API_ARGS: key-mismatch on the env file's line, on the value; editing the env file re-checks the unit", async () => {
    const c = await buildCluster(path.join(work, 'envfile-bad'), { keyType: 'ecdsa-p256', defects: ['apiserver-key-mismatch'] });
    const files = distroUnit(c);
    const fs = E.nodeFileSystem();
    const engine = new E.Engine(fs, { searchRoots: [c.dir], now: c.now });
    for (const f of E.discoverFiles(fs, [c.dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
    const findings = engine.documents().flatMap((f) => engine.check(f));
    assert.equal(show(c, findings), `etc/kubernetes/apiserver:${lineOf(files.envText, '--tls-private-key-file=')} key-mismatch`);
    const [hit] = findings;
    const line = files.envText.split('\n')[hit.range.start.line];
    assert.equal(line.slice(hit.range.start.character, hit.range.end.character), '/etc/kubernetes/pki/apiserver.key');
    assert.ok(engine.isRecognised(files.env));
    assert.deepEqual(engine.affectedBy(files.env).sort(), [files.env, files.unit].sort());
    assert.deepEqual(engine.check(files.unit), []);
    // The env file now names the key of the (mismatched) certificate's pair: front-proxy-client's pair is consistent.
    const fixed = files.envText
      .replace('--tls-cert-file=/etc/kubernetes/pki/apiserver.crt', '--tls-cert-file=/etc/kubernetes/pki/front-proxy-client.crt')
      .replace('--tls-private-key-file=/etc/kubernetes/pki/apiserver.key', '--tls-private-key-file=/etc/kubernetes/pki/front-proxy-client.key');
    assert.notEqual(fixed, files.envText);
    writeFileSync(files.env, fixed);
    engine.updateDocument(files.env, fixed);
    assert.ok(!engine.check(files.env).some((f) => f.code === 'key-mismatch'), show(c, engine.check(files.env)));
  });

  test('a unit whose EnvironmentFile= is not in the workspace stays unread: no default assumed, nothing judged', async () => {
    const c = await buildCluster(path.join(work, 'envfile-unknown'), { keyType: 'ecdsa-p256' });
    const files = distroUnit(c);
    unlinkSync(files.env);
    unlinkSync(files.config);
    const fs = E.nodeFileSystem();
    const engine = new E.Engine(fs, { searchRoots: [c.dir], now: c.now });
    for (const f of E.discoverFiles(fs, [c.dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
    assert.equal(
      show(
        c,
        engine.documents().flatMap((f) => engine.check(f)),
      ),
      '',
    );
    const api = engine.cluster.units('component').find((u) => u.component === 'kube-apiserver');
    assert.equal(api.unread, true);
  });

  test('EnvironmentFile= without `-` naming a file that is not there (its folder is here): file-not-found on its line; with `-` or where the place is unknown, nothing', async () => {
    const c = await buildCluster(path.join(work, 'envfile-required'), { keyType: 'ecdsa-p256' });
    const files = distroUnit(c);
    unlinkSync(files.env);
    const fs = E.nodeFileSystem();
    const engine = new E.Engine(fs, { searchRoots: [c.dir], now: c.now });
    for (const f of E.discoverFiles(fs, [c.dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
    const all = () => engine.documents().flatMap((f) => engine.check(f));
    // `-`: a missing file sets nothing, and no error.
    assert.equal(show(c, all()), '');
    const required = readFileSync(files.unit, 'utf8')
      .replace('EnvironmentFile=-/etc/kubernetes/apiserver', 'EnvironmentFile=/etc/kubernetes/apiserver')
      .replace('EnvironmentFile=-/etc/kubernetes/config', 'EnvironmentFile=/opt/vendor/kubernetes.env');
    writeFileSync(files.unit, required);
    engine.updateDocument(files.unit, required);
    const findings = all();
    // /etc/kubernetes is in the workspace (the node's copy), so the missing file is known missing; /opt/vendor is not.
    assert.equal(
      show(c, findings),
      `usr/lib/systemd/system/kube-apiserver.service:${lineOf(required, 'EnvironmentFile=/etc/kubernetes/apiserver')} file-not-found`,
    );
    const line = required.split('\n')[findings[0].range.start.line];
    assert.equal(line.slice(findings[0].range.start.character, findings[0].range.end.character), '/etc/kubernetes/apiserver');
    assert.match(findings[0].message, /Failed to load environment files: No such file or directory/);
    // The file written: the finding goes.
    writeFileSync(files.env, files.envText);
    engine.fileChanged(files.env);
    assert.equal(show(c, all()), '');
  });
});

describe('drop-ins (<unit>.service.d/*.conf) merged with their unit', () => {
  /** The Hard Way apiserver unit, and its drop-ins (name -> text) in kube-apiserver.service.d. */
  function withDropIns(c, edit, dropIns) {
    const units = convert(c, (name, manifest) => {
      const unit = hardWayUnit(name, manifest);
      return name === 'kube-apiserver' ? { ...unit, text: edit(unit.text) } : unit;
    });
    const unit = units['kube-apiserver'].file;
    const files = {};
    for (const [name, text] of Object.entries(dropIns)) {
      files[name] = path.join(`${unit}.d`, name);
      mkdirSync(path.dirname(files[name]), { recursive: true });
      writeFileSync(files[name], text);
    }
    return { unit, files };
  }
  const flagsOf = (c) => commandOf(readFileSync(path.join(c.dir, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'utf8')).slice(1);

  test("an emptied and replaced ExecStart=: the drop-in's command is the one judged, on the drop-in's lines; the unit's is not", async () => {
    const c = await buildCluster(path.join(work, 'dropin-exec'), { keyType: 'ecdsa-p256', defects: ['apiserver-key-mismatch'] });
    const flags = flagsOf(c);
    const dropIn = [
      '[Service]',
      'ExecStart=',
      'ExecStart=/usr/local/bin/kube-apiserver \\',
      ...flags.map((f, i) => `  ${f}${i < flags.length - 1 ? ' \\' : ''}`),
      '',
    ].join('\n');
    // The unit's own command names a file that is nowhere: it no longer runs, so it is not found missing.
    const { unit, files } = withDropIns(c, (t) => t.replace(/--tls-cert-file=\S+/, '--tls-cert-file=/etc/kubernetes/pki/nothing-here.crt'), {
      '20-tls.conf': dropIn,
    });
    const fs = E.nodeFileSystem();
    const engine = new E.Engine(fs, { searchRoots: [c.dir], now: c.now });
    for (const f of E.discoverFiles(fs, [c.dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
    const findings = engine.documents().flatMap((f) => engine.check(f));
    const rel = path.relative(c.dir, files['20-tls.conf']);
    assert.equal(show(c, findings), `${rel}:${lineOf(dropIn, '--tls-private-key-file=')} key-mismatch`);
    const line = dropIn.split('\n')[findings[0].range.start.line];
    assert.equal(line.slice(findings[0].range.start.character, findings[0].range.end.character), '/etc/kubernetes/pki/apiserver.key');
    assert.equal(engine.cluster.units('component').filter((u) => u.component === 'kube-apiserver').length, 1);
    assert.ok(engine.affectedBy(files['20-tls.conf']).includes(unit));
  });

  test('Environment= from drop-ins in lexical order (a later one wins): healthy, then the finding on the line of the drop-in that set the value', async () => {
    const pair = (key) => `[Service]\nEnvironment="TLS_KEY=--tls-private-key-file=${key}"\n`;
    const edit = (t) => t.replace(/--tls-private-key-file=\S+/, '$TLS_KEY');
    const ok = await buildCluster(path.join(work, 'dropin-env-ok'), { keyType: 'ecdsa-p256' });
    withDropIns(ok, edit, {
      '10-a.conf': pair('/etc/kubernetes/pki/front-proxy-client.key'),
      '20-b.conf': pair('/etc/kubernetes/pki/apiserver.key'),
    });
    assert.equal(show(ok, check(ok)), '');

    const bad = await buildCluster(path.join(work, 'dropin-env-bad'), { keyType: 'ecdsa-p256' });
    const { files } = withDropIns(bad, edit, {
      '10-a.conf': pair('/etc/kubernetes/pki/apiserver.key'),
      '20-b.conf': pair('/etc/kubernetes/pki/front-proxy-client.key'),
    });
    assert.equal(show(bad, check(bad)), `${path.relative(bad.dir, files['20-b.conf'])}:2 key-mismatch`);
  });

  test("systemd's other unit folders: a unit in /usr/lib/systemd/system, drop-ins from /etc, /run and /usr/lib sorted by name across them, /etc's masking a same-named one", async () => {
    const pair = (key) => `[Service]\nEnvironment="TLS_KEY=--tls-private-key-file=${key}"\n`;
    const RIGHT = '/etc/kubernetes/pki/apiserver.key';
    const WRONG = '/etc/kubernetes/pki/front-proxy-client.key';
    /** The apiserver as a packaged unit (/usr/lib/systemd/system), reading its key from $TLS_KEY; drop-ins: rel -> text. */
    function packaged(c, dropIns) {
      convert(c, (name, manifest) => {
        const unit = hardWayUnit(name, manifest);
        if (name !== 'kube-apiserver') return unit;
        return { rel: 'usr/lib/systemd/system/kube-apiserver.service', text: unit.text.replace(/--tls-private-key-file=\S+/, '$TLS_KEY') };
      });
      for (const [rel, text] of Object.entries(dropIns)) {
        const file = path.join(
          c.dir,
          rel,
          'kube-apiserver.service.d',
          rel.startsWith('etc') ? '10-a.conf' : rel.startsWith('run') ? '20-b.conf' : '10-a.conf',
        );
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, text);
      }
    }
    const ok = await buildCluster(path.join(work, 'dropin-folders-ok'), { keyType: 'ecdsa-p256' });
    // /usr/lib's 10-a.conf (the wrong key) is masked by /etc's 10-a.conf (the right one).
    packaged(ok, { 'usr/lib/systemd/system': pair(WRONG), 'etc/systemd/system': pair(RIGHT) });
    assert.equal(show(ok, check(ok)), '');

    const bad = await buildCluster(path.join(work, 'dropin-folders-bad'), { keyType: 'ecdsa-p256' });
    // /run's 20-b.conf sorts after /etc's 10-a.conf: systemd applies it last, whatever the folders' precedence.
    packaged(bad, { 'etc/systemd/system': pair(RIGHT), 'run/systemd/system': pair(WRONG) });
    assert.equal(show(bad, check(bad)), 'run/systemd/system/kube-apiserver.service.d/20-b.conf:2 key-mismatch');
    // Without the packaged unit's drop-ins merged, the unit would be unread ($TLS_KEY unset): prove it was judged.
    const fs = E.nodeFileSystem();
    const engine = new E.Engine(fs, { searchRoots: [bad.dir], now: bad.now });
    for (const f of E.discoverFiles(fs, [bad.dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
    const unit = path.join(bad.dir, 'usr/lib/systemd/system/kube-apiserver.service');
    const dropIn = path.join(bad.dir, 'run/systemd/system/kube-apiserver.service.d/20-b.conf');
    assert.equal(engine.check(dropIn).length, 1);
    assert.ok(engine.affectedBy(dropIn).includes(unit));
    assert.equal(engine.cluster.units('component').filter((u) => u.component === 'kube-apiserver').length, 1);
  });

  test("kubeadm's deb package: kubelet.service in /lib/systemd/system, 10-kubeadm.conf in /etc/systemd/system/kubelet.service.d: one kubelet, findings on the drop-in's line", async () => {
    const c = await buildCluster(path.join(work, 'dropin-kubelet-folders'), { keyType: 'ecdsa-p256' });
    const unit = path.join(c.dir, 'lib/systemd/system/kubelet.service');
    mkdirSync(path.dirname(unit), { recursive: true });
    writeFileSync(unit, '[Unit]\nDescription=kubelet: The Kubernetes Node Agent\n\n[Service]\nExecStart=/usr/bin/kubelet\nRestart=always\n');
    const file = path.join(c.dir, 'etc/systemd/system/kubelet.service.d/10-kubeadm.conf');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, kubeadmDropIn());
    assert.equal(show(c, check(c)), '');
    const text = kubeadmDropIn('/etc/kubernetes/kubelet.config');
    writeFileSync(file, text);
    const fs = E.nodeFileSystem();
    const engine = new E.Engine(fs, { searchRoots: [c.dir], now: c.now });
    for (const f of E.discoverFiles(fs, [c.dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
    assert.equal(
      show(
        c,
        engine.documents().flatMap((f) => engine.check(f)),
      ),
      `etc/systemd/system/kubelet.service.d/10-kubeadm.conf:${lineOf(text, 'KUBELET_KUBECONFIG_ARGS=')} file-not-found`,
    );
    assert.equal(engine.cluster.units('kubelet-flags').filter((u) => u.file === unit).length, 1);
    assert.ok(engine.affectedBy(file).includes(unit));
  });
});

/** A static pod whose command starts the binary another way; `form(name, flags)` gives the container's command/args lines. */
function restart(form, ext = '.yaml') {
  return (name, manifest) => {
    const [, ...flags] = commandOf(manifest);
    const block = /- command:\n(?: {4}- .*\n)+/.exec(manifest)[0];
    return { rel: `etc/kubernetes/manifests/${name}${ext}`, text: manifest.replace(block, form(name, flags)) };
  };
}

const forms = {
  // GCE's kube-up (cluster/gce/manifests/kube-apiserver.manifest): go-runner's flags, then the binary, in command.
  'go-runner in command (GCE)': (name, flags) =>
    `- command:\n    - /go-runner\n    - --log-file=/var/log/${name}.log\n    - --also-stdout=false\n    - --redirect-stderr=true\n    - /usr/local/bin/${name}\n${flags.map((f) => `    - ${f}\n`).join('')}`,
  // kOps: command is go-runner alone, its flags and the binary's in args.
  'go-runner with args (kOps)': (name, flags) =>
    `- command:\n    - /go-runner\n    args:\n    - --log-file\n    - /var/log/${name}.log\n    - --also-stdout\n    - /usr/local/bin/${name}\n${flags.map((f) => `    - ${f}\n`).join('')}`,
  '/bin/sh -c "exec ..." (one string)': (name, flags) =>
    `- command:\n    - /bin/sh\n    - -c\n    - "exec /usr/local/bin/${name} ${flags.join(' ')} 1>>/var/log/${name}.log 2>&1"\n`,
  'no command: the image is the component': (_name, flags) => `- args:\n${flags.map((f) => `    - ${f}\n`).join('')}`,
};

describe('static pods however they start', () => {
  for (const [title, form] of Object.entries(forms)) {
    test(`${title}, files named *.manifest: healthy gets no finding, a wrong key is found on its flag`, async () => {
      const healthy = await buildCluster(path.join(work, `${title.replace(/\W+/g, '-')}-ok`), { keyType: 'ecdsa-p256' });
      convert(healthy, restart(form, '.manifest'));
      assert.equal(show(healthy, check(healthy)), '');

      const c = await buildCluster(path.join(work, `${title.replace(/\W+/g, '-')}-bad`), {
        keyType: 'ecdsa-p256',
        defects: ['apiserver-key-mismatch'],
      });
      const api = convert(c, restart(form, '.manifest'))['kube-apiserver'];
      const findings = check(c);
      const line = lineOf(api.text, '--tls-private-key-file=');
      const hit = findings.find((f) => f.file === api.file && f.code === 'key-mismatch' && f.range.start.line + 1 === line);
      assert.ok(hit, show(c, findings));
      // The span is the flag's value, inside the one string for sh -c.
      const text = api.text.split('\n')[line - 1];
      assert.equal(text.slice(hit.range.start.character, hit.range.end.character), '/etc/kubernetes/pki/apiserver.key');
    });
  }
});

describe('component config files', () => {
  // As Kubernetes The Hard Way writes configs/kube-scheduler.yaml and configs/kube-proxy-config.yaml.
  const scheduler = (kubeconfig) =>
    `apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nclientConnection:\n  kubeconfig: "${kubeconfig}"\nleaderElection:\n  leaderElect: true\n`;
  const proxy = (kubeconfig) =>
    `kind: KubeProxyConfiguration\napiVersion: kubeproxy.config.k8s.io/v1alpha1\nclientConnection:\n  kubeconfig: "${kubeconfig}"\nmode: "iptables"\nclusterCIDR: "10.200.0.0/16"\n`;

  test('KubeSchedulerConfiguration and KubeProxyConfiguration naming kubeconfigs that are there: no finding', async () => {
    const c = await buildCluster(path.join(work, 'configs-ok'), { keyType: 'ecdsa-p256' });
    writeFileSync(path.join(c.dir, 'etc/kubernetes/kube-scheduler.yaml'), scheduler('/etc/kubernetes/scheduler.conf'));
    writeFileSync(path.join(c.dir, 'etc/kubernetes/kube-proxy-config.yaml'), proxy('/etc/kubernetes/admin.conf'));
    assert.equal(show(c, check(c)), '');
  });

  test('clientConnection.kubeconfig naming a file not there: file-not-found on its line', async () => {
    const c = await buildCluster(path.join(work, 'configs-bad'), { keyType: 'ecdsa-p256' });
    const s = path.join(c.dir, 'etc/kubernetes/kube-scheduler.yaml');
    const p = path.join(c.dir, 'etc/kubernetes/kube-proxy-config.yaml');
    writeFileSync(s, scheduler('/etc/kubernetes/scheduler.kubeconfig'));
    writeFileSync(p, proxy('/etc/kubernetes/kube-proxy.kubeconfig'));
    assert.deepEqual(show(c, check(c)).split('\n').sort(), [
      'etc/kubernetes/kube-proxy-config.yaml:4 file-not-found',
      'etc/kubernetes/kube-scheduler.yaml:4 file-not-found',
    ]);
  });
});

// kubeadm's drop-in (kubernetes/release cmd/krel/templates/latest/kubeadm/10-kubeadm.conf).
const kubeadmDropIn = (kubeconfig = '/etc/kubernetes/kubelet.conf') =>
  [
    '# Note: This dropin only works with kubeadm and kubelet v1.11+',
    '[Service]',
    `Environment="KUBELET_KUBECONFIG_ARGS=--bootstrap-kubeconfig=/etc/kubernetes/bootstrap-kubelet.conf --kubeconfig=${kubeconfig}"`,
    'Environment="KUBELET_CONFIG_ARGS=--config=/var/lib/kubelet/config.yaml"',
    '# This is a file that "kubeadm init" and "kubeadm join" generates at runtime, populating the KUBELET_KUBEADM_ARGS variable dynamically',
    'EnvironmentFile=-/var/lib/kubelet/kubeadm-flags.env',
    'EnvironmentFile=-/etc/default/kubelet',
    'ExecStart=',
    'ExecStart=/usr/bin/kubelet $KUBELET_KUBECONFIG_ARGS $KUBELET_CONFIG_ARGS $KUBELET_KUBEADM_ARGS $KUBELET_EXTRA_ARGS',
    '',
  ].join('\n');

describe('the kubelet as systemd starts it', () => {
  const dropIn = kubeadmDropIn;
  // As Kubernetes The Hard Way's units/kubelet.service, with the serving pair as flags.
  const hardWay = ({ config = '/var/lib/kubelet/config.yaml', key = '/var/lib/kubelet/pki/kubelet.key' } = {}) =>
    [
      '[Unit]',
      'Description=Kubernetes Kubelet',
      '',
      '[Service]',
      'ExecStart=/usr/local/bin/kubelet \\',
      `  --config=${config} \\`,
      '  --kubeconfig=/etc/kubernetes/kubelet.conf \\',
      '  --tls-cert-file=/var/lib/kubelet/pki/kubelet.crt \\',
      `  --tls-private-key-file=${key} \\`,
      '  --v=2',
      'Restart=on-failure',
      '',
    ].join('\n');

  test("healthy: kubeadm's 10-kubeadm.conf and a Hard Way kubelet.service naming files that are there: no finding", async () => {
    const c = await buildCluster(path.join(work, 'kubelet-ok'), { keyType: 'ecdsa-p256' });
    mkdirSync(path.join(c.dir, 'etc/systemd/system/kubelet.service.d'), { recursive: true });
    writeFileSync(path.join(c.dir, 'etc/systemd/system/kubelet.service.d/10-kubeadm.conf'), dropIn());
    writeFileSync(path.join(c.dir, 'etc/systemd/system/kubelet.service'), hardWay());
    assert.equal(show(c, check(c)), '');
  });

  test('10-kubeadm.conf: a --kubeconfig not there is file-not-found on its Environment= line, on the path', async () => {
    const c = await buildCluster(path.join(work, 'kubelet-dropin-bad'), { keyType: 'ecdsa-p256' });
    const file = path.join(c.dir, 'etc/systemd/system/kubelet.service.d/10-kubeadm.conf');
    mkdirSync(path.dirname(file), { recursive: true });
    const text = dropIn('/etc/kubernetes/kubelet.config');
    writeFileSync(file, text);
    const findings = check(c);
    assert.equal(
      show(c, findings),
      `etc/systemd/system/kubelet.service.d/10-kubeadm.conf:${lineOf(text, 'KUBELET_KUBECONFIG_ARGS=')} file-not-found`,
    );
    const line = text.split('\n')[findings[0].range.start.line];
    assert.equal(line.slice(findings[0].range.start.character, findings[0].range.end.character), '/etc/kubernetes/kubelet.config');
  });

  test('kubelet.service: a --config not there (file-not-found) and a --tls-private-key-file that is not the pair of --tls-cert-file (key-mismatch), each on its line', async () => {
    const c = await buildCluster(path.join(work, 'kubelet-unit-bad'), { keyType: 'ecdsa-p256' });
    const file = path.join(c.dir, 'etc/systemd/system/kubelet.service');
    mkdirSync(path.dirname(file), { recursive: true });
    const text = hardWay({ config: '/var/lib/kubelet/kubelet-config.yaml', key: '/etc/kubernetes/pki/apiserver.key' });
    writeFileSync(file, text);
    assert.equal(
      show(c, check(c)),
      [
        `etc/systemd/system/kubelet.service:${lineOf(text, '--config=')} file-not-found`,
        `etc/systemd/system/kubelet.service:${lineOf(text, '--tls-private-key-file=')} key-mismatch`,
      ].join('\n'),
    );
  });
});

describe("kubeadm's environment files for the kubelet", () => {
  const flagsEnv =
    'KUBELET_KUBEADM_ARGS="--container-runtime-endpoint=unix:///var/run/containerd/containerd.sock --pod-infra-container-image=registry.k8s.io/pause:3.10"\n';
  const defaults = (key) =>
    `# Extra flags for the kubelet\nKUBELET_EXTRA_ARGS="--node-ip=192.168.10.11 --tls-cert-file=/var/lib/kubelet/pki/kubelet.crt --tls-private-key-file=${key}"\n`;

  test('healthy: kubeadm-flags.env and /etc/default/kubelet naming a serving pair that matches: no finding', async () => {
    const c = await buildCluster(path.join(work, 'envfiles-ok'), { keyType: 'ecdsa-p256' });
    writeFileSync(path.join(c.dir, 'var/lib/kubelet/kubeadm-flags.env'), flagsEnv);
    mkdirSync(path.join(c.dir, 'etc/default'), { recursive: true });
    writeFileSync(path.join(c.dir, 'etc/default/kubelet'), defaults('/var/lib/kubelet/pki/kubelet.key'));
    assert.equal(show(c, check(c)), '');
  });

  test("/etc/default/kubelet: KUBELET_EXTRA_ARGS's --tls-private-key-file not the pair of its --tls-cert-file: key-mismatch on the env file's line", async () => {
    const c = await buildCluster(path.join(work, 'envfiles-bad'), { keyType: 'ecdsa-p256' });
    mkdirSync(path.join(c.dir, 'etc/default'), { recursive: true });
    const text = defaults('/etc/kubernetes/pki/apiserver.key');
    writeFileSync(path.join(c.dir, 'etc/default/kubelet'), text);
    // With kubeadm's drop-in that reads it (EnvironmentFile=-/etc/default/kubelet): still one finding.
    mkdirSync(path.join(c.dir, 'usr/lib/systemd/system/kubelet.service.d'), { recursive: true });
    writeFileSync(path.join(c.dir, 'usr/lib/systemd/system/kubelet.service.d/10-kubeadm.conf'), kubeadmDropIn());
    const findings = check(c);
    assert.equal(show(c, findings), 'etc/default/kubelet:2 key-mismatch');
    const line = text.split('\n')[1];
    assert.equal(line.slice(findings[0].range.start.character, findings[0].range.end.character), '/etc/kubernetes/pki/apiserver.key');
  });
});
