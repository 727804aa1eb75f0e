// References whose place is unknown. A path found nowhere is file-not-found only when kube-pki knows where the
// file belongs: a relative path, a path under --root / a path mapping, a folder of a copy of the node's tree
// above the referencing file, a folder where another reference of the same folder was found, a folder of this
// machine, or any path of a file outside the folders searched (a file of this machine). Otherwise (a node's
// /var/lib/minikube/certs/ca.crt in a repository of kubeadm configs) it is "unplaced": no finding, one note per
// CLI run, a hover that says so. Run `node esbuild.js` first.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { E, g, tempDir, write, summary, lineOf, cleanup, kubeconfig } from './helpers/engine.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(repo, 'dist', 'cli.js');
// Kept as upstream has it (test/corpora/realworld/minikube/README.md).
const MINIKUBE_PATH = 'pkg/minikube/bootstrapper/bsutil/testdata/v1.34/default.yaml';
const MINIKUBE = readFileSync(path.join(repo, 'test/corpora/realworld/minikube', MINIKUBE_PATH), 'utf8');
const MINIKUBE_CA = '/var/lib/minikube/certs/ca.crt';

let root;
let ca;
const dirs = [];
const sub = (name) => {
  const d = path.join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
};

before(async () => {
  root = tempDir('kube-pki-node-paths-');
  dirs.push(root);
  ca = await g.issueCertificate({ commonName: 'kubernetes', isCA: true, keyType: 'ecdsa-p256' });
});
after(() => dirs.forEach(cleanup));

/** An engine over the real disk searching `roots`, with these documents. */
function engineWith(roots, files, options = {}) {
  const engine = new E.Engine(E.nodeFileSystem(), { searchRoots: roots, ...options });
  for (const f of files) engine.updateDocument(f, readFileSync(f, 'utf8'));
  return engine;
}

const findingsOf = (engine) => engine.documents().flatMap((f) => engine.check(f));

function cli(args, cwd) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The UTF-16 offset of the middle of `needle` in `text`. */
const inside = (text, needle) => text.indexOf(needle) + Math.floor(needle.length / 2);

function apiserverManifest() {
  return `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.31.1
    command:
    - kube-apiserver
    - --client-ca-file=/etc/kubernetes/pki/ca.crt
    - --tls-cert-file=/etc/kubernetes/pki/apiserver.crt
    - --tls-private-key-file=/etc/kubernetes/pki/apiserver.key
`;
}

describe('a kubeadm config minikube generates', () => {
  test('no finding for the node path /var/lib/minikube/certs/ca.crt: one unplaced reference, a hover and CodeLens that say it is the node kubeadm sets up, nothing generated', () => {
    const d = sub('minikube');
    const f = write(d, MINIKUBE_PATH, MINIKUBE);
    const engine = engineWith([d], [f]);
    assert.deepEqual(engine.documents(), [f]);
    assert.deepEqual(summary(findingsOf(engine), d), []);

    const line = lineOf(f, 'clientCAFile:');
    const unplaced = engine.unplacedReferences();
    assert.deepEqual(
      unplaced.map((u) => [u.file, u.range.start.line + 1, u.field, u.path, u.origin]),
      [[f, line, 'authentication.x509.clientCAFile', MINIKUBE_CA, 'kubeadm-node']],
    );
    assert.deepEqual(engine.unplacedReferences(f), unplaced);

    const hover = E.hoverAt(engine, f, MINIKUBE, inside(MINIKUBE, MINIKUBE_CA)).markdown;
    assert.match(hover, /\/var\/lib\/minikube\/certs\/ca\.crt is a path on the node kubeadm sets up with this file/);
    assert.match(hover, /\/var\/lib\/kubelet\/config\.yaml/);
    assert.match(hover, /kubePki\.rootDir/);
    assert.match(hover, /kubePki\.pathMappings/);
    assert.doesNotMatch(hover, /Cannot decode|Nothing to decode|not found/);

    const lenses = E.codeLenses(engine, f, MINIKUBE);
    assert.deepEqual(
      lenses.map((l) => [l.title, l.severity, l.codes]),
      [[`not in the workspace: ${MINIKUBE_CA}`, undefined, []]],
    );

    // The generation planner agrees: nothing is made in a guessed place.
    const plan = g.planGeneration(engine, E.nodeFileSystem(), {});
    assert.deepEqual(plan.actions, []);
    assert.ok(
      plan.skipped.every((s) => !s.paths.some((p) => p !== MINIKUBE_CA && p.endsWith('ca.crt'))),
      JSON.stringify(plan.skipped),
    );
  });

  test("under kubePki.rootDir (--root) the same path has a place: missing there, it is file-not-found on its line; found, the hover says it is the node's", () => {
    const d = sub('minikube-root');
    const f = write(d, MINIKUBE_PATH, MINIKUBE);
    const node = sub('minikube-root-node');
    let engine = engineWith([d], [f], { rootDir: node });
    const findings = findingsOf(engine);
    assert.deepEqual(summary(findings, d), [`${MINIKUBE_PATH}:${lineOf(f, 'clientCAFile:')} file-not-found`]);
    assert.match(findings[0].message, new RegExp(`It belongs at ${node}/var/lib/minikube/certs/ca\\.crt \\(under kubePki\\.rootDir\\)`));
    assert.deepEqual(engine.unplacedReferences(), []);

    write(node, 'var/lib/minikube/certs/ca.crt', ca.certPem);
    engine = engineWith([d], [f], { rootDir: node });
    assert.deepEqual(findingsOf(engine), []);
    const hover = E.hoverAt(engine, f, MINIKUBE, inside(MINIKUBE, MINIKUBE_CA)).markdown;
    assert.match(hover, /is a path on the node kubeadm sets up with this file .*read here as /);
    assert.match(hover, /CN=kubernetes/);
  });

  test('the CLI: one note on stderr for the whole run, however many files; output and exit status as without them', () => {
    const d = sub('minikube-cli');
    for (const v of ['a', 'b', 'c']) write(d, path.join(v, MINIKUBE_PATH), MINIKUBE);
    const line = lineOf(path.join(d, 'a', MINIKUBE_PATH), 'clientCAFile:');
    const text = cli(['check', '.'], d);
    assert.equal(text.code, 0, text.stdout + text.stderr);
    assert.equal(text.stdout, '0 errors, 0 warnings, 0 infos in 3 files\n');
    const notes = text.stderr.split('\n').filter(Boolean);
    assert.equal(notes.length, 1, text.stderr);
    assert.equal(
      notes[0],
      `kube-pki: note: 3 references in 3 files name files not in the folders checked, and nothing tells where they are (e.g. ${path.join('a', MINIKUBE_PATH)}:${line}: ` +
        `authentication.x509.clientCAFile ${MINIKUBE_CA}, which is a path on the node the kubeadm config sets up); they were not checked. ` +
        "To check them, say where a copy of the node's files is: --root DIR (the node's /) or --path-mapping /var/lib/minikube/certs=DIR.",
    );
    const json = cli(['check', '.', '--format', 'json'], d);
    assert.equal(json.code, 0);
    assert.deepEqual(JSON.parse(json.stdout), []);
    assert.equal(json.stderr, text.stderr);

    // Placed by --path-mapping or --root and missing there: three errors, and no note.
    mkdirSync(path.join(d, 'certs'));
    const mapped = cli(['check', '.', '--path-mapping', '/var/lib/minikube/certs=certs', '--format', 'json'], d);
    assert.equal(mapped.code, 1);
    assert.deepEqual(
      JSON.parse(mapped.stdout).map((f) => [f.code, f.line]),
      [
        ['file-not-found', line],
        ['file-not-found', line],
        ['file-not-found', line],
      ],
    );
    assert.equal(mapped.stderr, '');
    const rooted = cli(['check', '.', '--root', 'certs'], d);
    assert.equal(rooted.code, 1);
    assert.equal(rooted.stderr, '');
    // Found there: clean, no note.
    write(d, 'certs/ca.crt', ca.certPem);
    const found = cli(['check', '.', '--path-mapping', '/var/lib/minikube/certs=certs'], d);
    assert.equal(found.code, 0, found.stdout + found.stderr);
    assert.equal(found.stderr, '');
  });
});

describe('where a missing file is still an error', () => {
  test("a copy of the node's tree whose pki folder lacks the file: file-not-found on its line; a tree holding only the manifests: nothing", () => {
    const d = sub('node-tree');
    const m = write(d, 'node1/etc/kubernetes/manifests/kube-apiserver.yaml', apiserverManifest());
    const engine = engineWith([d], [m]);
    assert.deepEqual(summary(findingsOf(engine), d), []);
    assert.deepEqual(
      engine.unplacedReferences().map((u) => [u.path, u.origin]),
      [
        ['/etc/kubernetes/pki/ca.crt', 'node'],
        ['/etc/kubernetes/pki/apiserver.crt', 'node'],
        ['/etc/kubernetes/pki/apiserver.key', 'node'],
      ],
    );
    const plan = g.planGeneration(engine, E.nodeFileSystem(), {});
    assert.deepEqual(plan.actions, [], 'nothing generated into node1/etc/kubernetes/pki, which the tree does not hold');

    // The tree now holds the node's pki folder, with the CA only.
    write(d, 'node1/etc/kubernetes/pki/ca.crt', ca.certPem);
    write(d, 'node1/etc/kubernetes/pki/ca.key', ca.key.privateKeyPem);
    engine.fileChanged(path.join(d, 'node1/etc/kubernetes/pki'));
    const findings = findingsOf(engine);
    assert.deepEqual(summary(findings, d), [
      `node1/etc/kubernetes/manifests/kube-apiserver.yaml:${lineOf(m, '--tls-cert-file')} file-not-found`,
      `node1/etc/kubernetes/manifests/kube-apiserver.yaml:${lineOf(m, '--tls-private-key-file')} file-not-found`,
    ]);
    const pki = path.join(d, 'node1/etc/kubernetes/pki');
    assert.match(
      findings[0].message,
      new RegExp(`It belongs at ${pki}/apiserver\\.crt: ${pki} is this node's /etc/kubernetes/pki in the workspace\\.`),
    );
    assert.match(findings[0].message, /Set kubePki\.pathMappings or kubePki\.rootDir \(CLI: --root\) to where this node's files are\.$/);
    assert.deepEqual(engine.unplacedReferences(), []);
    // And the planner makes them there.
    const planned = g.planGeneration(engine, E.nodeFileSystem(), { keyType: 'ecdsa-p256' });
    assert.deepEqual(planned.actions.flatMap((a) => a.outputs.map((o) => o.path)).sort(), [`${pki}/apiserver.crt`, `${pki}/apiserver.key`]);
  });

  test("a relative path is read from the referencing file's folder: missing, it is file-not-found, with no node advice", () => {
    const d = sub('relative');
    const f = write(d, 'kube/dev.conf', kubeconfig({ caPem: ca.certPem, certPath: 'certs/dev.crt', keyPath: 'certs/dev.key' }));
    const engine = engineWith([d], [f]);
    const findings = findingsOf(engine);
    assert.deepEqual(summary(findings, d), [
      `kube/dev.conf:${lineOf(f, 'certs/dev.crt')} file-not-found`,
      `kube/dev.conf:${lineOf(f, 'certs/dev.key')} file-not-found`,
    ]);
    assert.equal(findings[0].message, `client-certificate: certs/dev.crt was not found (tried ${path.join(d, 'kube/certs/dev.crt')}).`);
    assert.deepEqual(engine.unplacedReferences(), []);
  });

  test('a path mapping covering the path: missing under it, file-not-found', () => {
    const d = sub('mapping');
    const f = write(d, 'admin.conf', kubeconfig({ caPath: '/etc/kubernetes/pki/ca.crt' }));
    const mapped = sub('mapping-target');
    const findings = findingsOf(engine(d, f, { pathMappings: { '/etc/kubernetes': mapped } }));
    assert.deepEqual(summary(findings, d), [`admin.conf:${lineOf(f, 'ca.crt')} file-not-found`]);
    assert.match(findings[0].message, new RegExp(`It belongs at ${mapped}/pki/ca\\.crt \\(kubePki\\.pathMappings\\)`));
    // Without the mapping: unplaced.
    assert.deepEqual(findingsOf(engine(d, f)), []);
    function engine(dir, file, options) {
      return engineWith([dir], [file], options);
    }
  });

  test('a folder where another reference of the same folder was found: the missing file belongs beside it, in the same document or another; removing that one unplaces it', () => {
    const d = sub('sibling');
    write(d, 'backup/pki/ca.crt', ca.certPem);
    const admin = write(
      d,
      'configs/admin.conf',
      kubeconfig({ caPath: '/etc/kubernetes/pki/ca.crt', certPath: '/etc/kubernetes/pki/admin.crt', keyPath: '/etc/kubernetes/pki/admin.key' }),
    );
    const dev = write(
      d,
      'other/dev.conf',
      kubeconfig({ caPem: ca.certPem, certPath: '/etc/kubernetes/pki/dev.crt', keyPath: '/etc/kubernetes/pki/dev.key' }),
    );
    const engine = engineWith([d], [admin, dev]);
    const findings = findingsOf(engine);
    assert.deepEqual(summary(findings, d), [
      `configs/admin.conf:${lineOf(admin, 'admin.crt')} file-not-found`,
      `configs/admin.conf:${lineOf(admin, 'admin.key')} file-not-found`,
      `other/dev.conf:${lineOf(dev, 'dev.crt')} file-not-found`,
      `other/dev.conf:${lineOf(dev, 'dev.key')} file-not-found`,
    ]);
    const backup = path.join(d, 'backup/pki');
    assert.match(
      findings[0].message,
      new RegExp(`It belongs at ${backup}/admin\\.crt, beside ${backup}/ca\\.crt, which another reference to /etc/kubernetes/pki reads\\.`),
    );
    // dev.conf's place comes from admin.conf: without it, nothing tells; with it back, the finding is back.
    engine.removeDocument(admin);
    assert.deepEqual(engine.check(dev), []);
    assert.deepEqual(
      engine.unplacedReferences().map((u) => u.path),
      ['/etc/kubernetes/pki/dev.crt', '/etc/kubernetes/pki/dev.key'],
    );
    engine.updateDocument(admin, readFileSync(admin, 'utf8'));
    assert.deepEqual(
      engine.check(dev).map((f) => f.code),
      ['file-not-found', 'file-not-found'],
    );
  });

  test("a file outside the folders searched (~/.kube/config opened in the editor) is this machine's: its missing paths are file-not-found; the same file inside them, unplaced", () => {
    const d = sub('outside');
    const ws = sub('outside/ws');
    const gone = path.join(d, 'gone/client.crt'); // its folder does not exist either
    const text = kubeconfig({ caPem: ca.certPem, certPath: gone, keyPath: path.join(d, 'gone/client.key') });
    const out = write(d, 'home/.kube/config', text);
    let engine = engineWith([ws], [out]);
    const findings = findingsOf(engine);
    assert.deepEqual(summary(findings, d), [
      `home/.kube/config:${lineOf(out, 'client.crt')} file-not-found`,
      `home/.kube/config:${lineOf(out, 'client.key')} file-not-found`,
    ]);
    assert.match(findings[0].message, /The file naming it is not in the folders searched, so the path is read on this machine\./);

    const inWs = write(ws, '.kube/config', text);
    engine = engineWith([ws], [inWs]);
    assert.deepEqual(findingsOf(engine), []);
    assert.deepEqual(
      engine.unplacedReferences().map((u) => [u.path, u.origin]),
      [
        [gone, 'node'],
        [path.join(d, 'gone/client.key'), 'node'],
      ],
    );
  });
});

describe('paths in a home folder of the machine that wrote a kubeconfig', () => {
  const paths = {
    ca: '/Users/alice/.minikube/ca.crt',
    cert: '/home/bob/.minikube/profiles/dev/client.crt',
    key: 'C:\\Users\\bob\\.minikube\\profiles\\dev\\client.key',
  };

  test('missing on this machine: file-not-found advising to embed the files (kubectl config view --raw --flatten) or copy and map them, not the node advice', () => {
    const d = sub('home-outside');
    const ws = sub('home-outside/ws');
    const f = write(d, 'laptop/.kube/config', kubeconfig({ caPath: paths.ca, certPath: paths.cert, keyPath: paths.key }));
    const findings = findingsOf(engineWith([ws], [f]));
    assert.deepEqual(summary(findings, d), [
      `laptop/.kube/config:${lineOf(f, '.minikube/ca.crt')} file-not-found`,
      `laptop/.kube/config:${lineOf(f, 'client.crt')} file-not-found`,
      `laptop/.kube/config:${lineOf(f, 'client.key')} file-not-found`,
    ]);
    const [caF, certF, keyF] = findings;
    for (const [finding, p, folder] of [
      [caF, paths.ca, '/Users/alice/.minikube'],
      [certF, paths.cert, '/home/bob/.minikube/profiles/dev'],
      [keyF, paths.key, 'C:\\Users\\bob\\.minikube\\profiles\\dev'],
    ]) {
      assert.ok(finding.message.includes(`${p} is in a home folder, on the machine this kubeconfig was written on.`), finding.message);
      assert.match(
        finding.message,
        /Embed it in the kubeconfig \(kubectl config view --raw --flatten writes it into the \*-data fields\), or copy it into the workspace and map its folder/,
      );
      assert.ok(finding.message.includes(`--path-mapping ${folder}=DIR`), finding.message);
      assert.doesNotMatch(finding.message, /this node's files/);
    }
  });

  test('in a repository: unplaced, and the hover says the file is on the machine that wrote the kubeconfig', () => {
    const d = sub('home-repo');
    const text = kubeconfig({ caPath: paths.ca, certPath: paths.cert, keyPath: paths.key });
    const f = write(d, 'docs/kubeconfig', text);
    const engine = engineWith([d], [f]);
    assert.deepEqual(findingsOf(engine), []);
    assert.deepEqual(
      engine.unplacedReferences().map((u) => [u.field, u.origin]),
      [
        ['certificate-authority', 'home'],
        ['client-certificate', 'home'],
        ['client-key', 'home'],
      ],
    );
    const hover = E.hoverAt(engine, f, text, inside(text, paths.ca)).markdown;
    assert.match(hover, /is in a home folder, on the machine this kubeconfig was written on: not in the workspace, so kube-pki has not checked it/);
    assert.match(hover, /kubectl config view --raw --flatten/);
    assert.match(hover, /kubePki\.pathMappings/);
  });

  test("the finding, the hover and the CLI note give the same advice: embed a kubeconfig's file or copy and map it; a manifest's file is only copied and mapped", () => {
    const d = sub('home-advice');
    const ws = sub('home-advice/ws');
    const kcText = kubeconfig({ caPath: paths.ca });
    const laptop = write(d, 'laptop/.kube/config', kcText);
    const [finding] = findingsOf(engineWith([ws], [laptop]));
    const embed =
      'mbed it in the kubeconfig (kubectl config view --raw --flatten writes it into the *-data fields), or copy it into the workspace and map its folder (kubePki.pathMappings; CLI: --path-mapping /Users/alice/.minikube=DIR)';
    assert.ok(
      finding.message.endsWith(`${paths.ca} is in a home folder, on the machine this kubeconfig was written on. E${embed}.`),
      finding.message,
    );

    const kc = write(ws, 'kubeconfig', kcText);
    const unescaped = (markdown) => markdown.replace(/\\(.)/g, '$1');
    const hover = unescaped(E.hoverAt(engineWith([ws], [kc]), kc, kcText, inside(kcText, paths.ca)).markdown);
    assert.ok(hover.includes(`To check it, e${embed}.`), hover);
    const note = cli(['check', '.'], ws).stderr;
    assert.ok(
      note.includes(
        `(e.g. kubeconfig:${lineOf(kc, paths.ca)}: certificate-authority ${paths.ca}, which is in a home folder of the machine the kubeconfig was written on); it was not checked. ` +
          'To check it, embed it in the kubeconfig (kubectl config view --raw --flatten writes it into the *-data fields), or copy it into the folders checked and map its folder (--path-mapping /Users/alice/.minikube=DIR).\n',
      ),
      note,
    );

    // A static pod manifest naming a file in a home folder: nothing to embed it in.
    const manifest = write(
      ws,
      'manifests/kube-apiserver.yaml',
      apiserverManifestWith(['--client-ca-file=/home/bob/pki/ca.crt', '--oidc-ca-file=/home/bob/pki/oidc.crt']),
    );
    const mText = readFileSync(manifest, 'utf8');
    const mHover = unescaped(E.hoverAt(engineWith([ws], [manifest]), manifest, mText, inside(mText, '/home/bob/pki/ca.crt')).markdown);
    assert.match(mHover, /\/home\/bob\/pki\/ca\.crt is in a home folder, on the machine this file was written on: not in the workspace/);
    assert.ok(
      mHover.includes('To check it, copy it into the workspace and map its folder (kubePki.pathMappings; CLI: --path-mapping /home/bob/pki=DIR).'),
      mHover,
    );
    const mNote = cli(['check', 'manifests'], ws).stderr;
    assert.ok(
      mNote.includes(
        'which is in a home folder of the machine the file was written on); they were not checked. To check them, copy them into the folders checked and map their folder (--path-mapping /home/bob/pki=DIR).\n',
      ),
      mNote,
    );
    assert.doesNotMatch(mNote, /embed|kubeconfig/);
  });

  test('a node path in a repository: the hover says it is on the node and how to map it', () => {
    const d = sub('node-repo');
    const text = kubeconfig({ caPath: '/etc/kubernetes/pki/ca.crt' });
    const f = write(d, 'dev.conf', text);
    const engine = engineWith([d], [f]);
    assert.deepEqual(findingsOf(engine), []);
    const hover = E.hoverAt(engine, f, text, inside(text, '/etc/kubernetes/pki/ca.crt')).markdown;
    assert.match(hover, /\/etc\/kubernetes\/pki\/ca\.crt is a path on the node, not in the workspace, so kube-pki has not checked it/);
    assert.match(hover, /kubePki\.rootDir \(the node's \/\) or kubePki\.pathMappings \(CLI: --root DIR, --path-mapping \/etc\/kubernetes\/pki=DIR\)/);
  });
});

/**
 * The machine kube-pki runs on, made up: every path outside the test's folder is read under `host` (so
 * `/etc/ssl/certs` is `host/etc/ssl/certs`), whatever the real machine holds.
 */
function hostFileSystem(host) {
  const disk = E.nodeFileSystem();
  const on = (p) => (p === root || p.startsWith(root + path.sep) ? p : path.join(host, p));
  return {
    stat: (p) => disk.stat(on(p)),
    readFile: (p, max) => disk.readFile(on(p), max),
    readDir: (p) => disk.readDir(on(p)),
  };
}

/** An engine over a made-up machine (hostFileSystem) searching `roots`, with these documents (path -> text). */
function engineOn(host, roots, docs, options = {}) {
  const engine = new E.Engine(hostFileSystem(host), { searchRoots: roots, ...options });
  for (const [f, text] of Object.entries(docs)) engine.updateDocument(f, text);
  return engine;
}

/** Runs `fn` with $HOME (os.homedir()) set to `home`. */
function withHome(home, fn) {
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    return fn();
  } finally {
    if (saved === undefined) delete process.env.HOME;
    else process.env.HOME = saved;
  }
}

describe("this machine's folders", () => {
  const FLAGS = [
    '--oidc-ca-file=/etc/ssl/certs/oidc-ca.pem',
    '--tls-cert-file=/usr/share/doc/x.crt',
    '--tls-private-key-file=/usr/share/doc/x.key',
    '--client-ca-file=/etc/kubernetes/pki/ca.crt',
  ];
  const PATHS = ['/etc/ssl/certs/oidc-ca.pem', '/usr/share/doc/x.crt', '/usr/share/doc/x.key', '/etc/kubernetes/pki/ca.crt'];

  /** Three machines: one with nothing, a laptop with /etc/ssl/certs and /usr/share/doc, a node's /etc/kubernetes/pki without these files. */
  function machines(name) {
    const bare = sub(`${name}/bare`);
    const laptop = sub(`${name}/laptop`);
    mkdirSync(path.join(laptop, 'etc/ssl/certs'), { recursive: true });
    mkdirSync(path.join(laptop, 'usr/share/doc'), { recursive: true });
    const node = sub(`${name}/node`);
    write(node, 'etc/kubernetes/pki/front-proxy-ca.crt', ca.certPem);
    return { bare, laptop, node };
  }

  test('a static pod manifest in a repository gets the same verdict on every machine: its node paths are unplaced, whatever folders this machine has', () => {
    const hosts = machines('repo-hosts');
    const repo = sub('repo-hosts/repo');
    const m = write(repo, 'manifests/kube-apiserver.yaml', apiserverManifestWith(FLAGS));
    const text = readFileSync(m, 'utf8');
    for (const [name, host] of Object.entries(hosts)) {
      const engine = engineOn(host, [repo], { [m]: text });
      assert.deepEqual(summary(findingsOf(engine), repo), [], name);
      assert.deepEqual(
        engine.unplacedReferences().map((u) => [u.path, u.origin]),
        PATHS.map((p) => [p, 'node']),
        name,
      );
      const hover = E.hoverAt(engine, m, text, inside(text, '/etc/ssl/certs/oidc-ca.pem')).markdown;
      assert.match(hover, /\/etc\/ssl\/certs\/oidc-ca\.pem is a path on the node, not in the workspace, so kube-pki has not checked it/, name);
    }
  });

  test('the same for a path in the home folder of whoever runs kube-pki (/root when run as root)', () => {
    const host = sub('home-root/host');
    mkdirSync(path.join(host, 'root/.minikube'), { recursive: true });
    const repo = sub('home-root/repo');
    const f = write(repo, 'docs/kubeconfig', kubeconfig({ caPath: '/root/.minikube/ca.crt' }));
    const text = readFileSync(f, 'utf8');
    for (const home of ['/root', '/home/someone-else']) {
      const engine = withHome(home, () => engineOn(host, [repo], { [f]: text }));
      withHome(home, () => {
        assert.deepEqual(findingsOf(engine), [], home);
        assert.deepEqual(
          engine.unplacedReferences().map((u) => [u.path, u.origin]),
          [['/root/.minikube/ca.crt', 'home']],
          home,
        );
      });
    }
  });

  test("kube-pki run over a node's own folders (check /etc/kubernetes): a file missing from a folder of the node is file-not-found; a folder outside them places nothing", () => {
    const host = sub('own-node');
    mkdirSync(path.join(host, 'etc/ssl/certs'), { recursive: true });
    mkdirSync(path.join(host, 'usr/share/doc'), { recursive: true });
    write(host, 'etc/kubernetes/pki/ca.crt', ca.certPem);
    const text = apiserverManifestWith([
      ...FLAGS.slice(0, 3),
      '--client-ca-file=/etc/kubernetes/pki/ca.crt',
      '--kubelet-certificate-authority=/etc/kubernetes/pki/kubelet-ca.crt',
    ]);
    const m = '/etc/kubernetes/manifests/kube-apiserver.yaml';
    write(host, m, text);
    const engine = engineOn(host, ['/etc/kubernetes'], { [m]: text });
    const findings = engine.check(m);
    const line = (needle) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
    assert.deepEqual(
      findings.map((f) => [f.range.start.line + 1, f.code]),
      [[line('--kubelet-certificate-authority'), 'file-not-found']],
    );
    assert.match(findings[0].message, /\/etc\/kubernetes\/pki is a folder of this machine, where it is read\./);
    // /etc/ssl/certs and /usr/share/doc exist here too, but are not among the folders checked.
    assert.deepEqual(
      engine.unplacedReferences().map((u) => u.path),
      PATHS.slice(0, 3),
    );
  });

  test("a file outside the folders searched (~/.kube/config in the editor) is this machine's: its folders and home folder place its paths; so does a rootDir of /", () => {
    const host = sub('this-machine/host');
    mkdirSync(path.join(host, 'etc/ssl/certs'), { recursive: true });
    const ws = sub('this-machine/ws');
    const f = '/root/.kube/config';
    const text = kubeconfig({ caPath: '/etc/ssl/certs/oidc-ca.pem', certPath: '/root/.minikube/client.crt', keyPath: '/root/.minikube/client.key' });
    write(host, f, text);
    const findings = withHome('/root', () => findingsOf(engineOn(host, [ws], { [f]: text })));
    assert.deepEqual(
      findings.map((x) => x.code),
      ['file-not-found', 'file-not-found', 'file-not-found'],
    );
    assert.match(findings[0].message, /\/etc\/ssl\/certs is a folder of this machine, where it is read\./);
    assert.match(findings[1].message, /It is in the home folder of this machine's user, where it is read\./);

    // In the repository, with rootDir /: every path is this machine's.
    const repo = sub('this-machine/repo');
    const m = write(repo, 'manifests/kube-apiserver.yaml', apiserverManifestWith(FLAGS));
    const rooted = engineOn(host, [repo], { [m]: readFileSync(m, 'utf8') }, { rootDir: '/' });
    assert.deepEqual(
      summary(findingsOf(rooted), repo).map((s) => s.replace(/^.*:(\d+) /, (_, n) => `${n} `)),
      FLAGS.map((fl) => `${lineOf(m, fl)} file-not-found`),
    );
    assert.deepEqual(rooted.unplacedReferences(), []);
  });
});

function apiserverManifestWith(flags) {
  return `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.31.1
    command:
    - kube-apiserver
${flags.map((f) => `    - ${f}`).join('\n')}
`;
}

describe('placement follows the configs', () => {
  test('a .kube-pki.yaml edited: a path placed beside a file its pathMappings found is unplaced once the mapping goes, and placed again when it is back', () => {
    const d = sub('config-sibling');
    write(d, 'a/keys/ca.crt', ca.certPem);
    const config = write(d, 'a/.kube-pki.yaml', 'pathMappings:\n  /etc/kubernetes/pki: keys\n');
    const admin = write(d, 'a/admin.conf', kubeconfig({ caPath: '/etc/kubernetes/pki/ca.crt' }));
    const dev = write(
      d,
      'b/dev.conf',
      kubeconfig({ caPem: ca.certPem, certPath: '/etc/kubernetes/pki/dev.crt', keyPath: '/etc/kubernetes/pki/dev.key' }),
    );
    // The config as the language server has it: an open buffer over the disk.
    const buffers = new Map();
    const engine = new E.Engine(E.overlayFileSystem(E.nodeFileSystem(), buffers), { searchRoots: [d] });
    const edit = (text) => {
      buffers.set(config, text);
      engine.updateDocument(config, text);
    };
    edit(readFileSync(config, 'utf8'));
    for (const f of [admin, dev]) engine.updateDocument(f, readFileSync(f, 'utf8'));
    const keys = path.join(d, 'a/keys');
    const devFindings = engine.check(dev);
    assert.deepEqual(summary(devFindings, d), [
      `b/dev.conf:${lineOf(dev, 'dev.crt')} file-not-found`,
      `b/dev.conf:${lineOf(dev, 'dev.key')} file-not-found`,
    ]);
    assert.match(devFindings[0].message, new RegExp(`It belongs at ${keys}/dev\\.crt, beside ${keys}/ca\\.crt`));

    // The mapping goes (the config's text, as the editor gives it): nothing finds ca.crt, nothing places dev.crt.
    edit('expiryWarningDays: 20\n');
    assert.deepEqual(engine.check(dev), []);
    assert.deepEqual(
      engine.unplacedReferences(dev).map((u) => u.path),
      ['/etc/kubernetes/pki/dev.crt', '/etc/kubernetes/pki/dev.key'],
    );
    assert.deepEqual(
      engine.unplacedReferences(admin).map((u) => u.path),
      ['/etc/kubernetes/pki/ca.crt'],
    );

    edit('pathMappings:\n  /etc/kubernetes/pki: keys\n');
    assert.deepEqual(
      engine.check(dev).map((f) => f.code),
      ['file-not-found', 'file-not-found'],
    );
  });
});
