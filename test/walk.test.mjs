// The one folder walk (server/src/engine/workspace/walk.ts): one skip list, .gitignore honoured with git's rules,
// generated folders walked unless ignored, and every limit that leaves files out said where the user looks: the
// CLI's note on stderr and its exit status (3 unless --max-files or a config's maxFiles set the bound).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { E, cleanup, tempDir, write } from './helpers/engine.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const cli = (cwd, args, env = {}) => spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });

/** A kubeconfig whose client certificate file is missing: one file-not-found error, on its own line. */
const brokenKubeconfig = (name) => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster:
    server: https://10.0.0.1:6443
users:
- name: ${name}
  user:
    client-certificate: ./${name}-missing.crt
    client-key: ./${name}-missing.key
contexts:
- name: c
  context: {cluster: c, user: ${name}}
current-context: c
`;

const workload = (name) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}}
spec:
  template:
    spec:
      containers: [{name: app, image: example/${name}:1}]
`;

test('discovery honours .gitignore (negations, folder patterns, nested files) and walks dist/ unless ignored', () => {
  const dir = tempDir('kube-pki-walk-');
  try {
    write(dir, '.gitignore', 'build/\n*.generated.yaml\n!keep.generated.yaml\n');
    write(dir, 'build/rendered.yaml', brokenKubeconfig('build'));
    write(dir, 'dist/install.yaml', brokenKubeconfig('dist'));
    write(dir, 'a.generated.yaml', brokenKubeconfig('gen'));
    write(dir, 'keep.generated.yaml', brokenKubeconfig('keep'));
    write(dir, 'sub/.gitignore', 'local.yaml\n');
    write(dir, 'sub/local.yaml', brokenKubeconfig('local'));
    write(dir, 'sub/shared.yaml', brokenKubeconfig('shared'));
    write(dir, 'node_modules/pkg/kubeconfig.yaml', brokenKubeconfig('pkg'));
    const found = E.discoverFiles(E.nodeFileSystem(), [dir]).map((f) => path.relative(dir, f).split(path.sep).join('/'));
    assert.deepEqual(found.filter((f) => !f.endsWith('.gitignore')).sort(), ['dist/install.yaml', 'keep.generated.yaml', 'sub/shared.yaml']);
    // The CLI reads the same files: what .gitignore leaves out is not checked.
    const r = cli(dir, ['check', '.']);
    assert.equal(r.status, 1, r.stderr);
    const files = [
      ...new Set(
        r.stdout
          .split('\n')
          .filter((l) => /: error /.test(l))
          .map((l) => l.split(':')[0]),
      ),
    ].sort();
    assert.deepEqual(files, ['dist/install.yaml', 'keep.generated.yaml', 'sub/shared.yaml']);
  } finally {
    cleanup(dir);
  }
});

test('the bound on files: --max-files says which files were left out; set by the user, it does not change the exit status', () => {
  const dir = tempDir('kube-pki-walk-');
  try {
    for (let i = 0; i < 6; i++) write(dir, `apps/app-${i}.yaml`, workload(`app-${i}`));
    write(dir, 'zz-cluster/admin.conf', brokenKubeconfig('admin'));
    let r = cli(dir, ['check', '.', '--max-files', '4']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /kube-pki: note: \.: stopped after 4 candidate files, --max-files; the files after apps\/app-3\.yaml were not checked/);
    // Raised, everything is read: the error beyond the old bound is found, and nothing is noted.
    r = cli(dir, ['check', '.', '--max-files', '100']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /zz-cluster\/admin\.conf:\d+:\d+: error file-not-found/);
    assert.doesNotMatch(r.stderr, /stopped after/);
    // Not a positive whole number: a usage error.
    r = cli(dir, ['check', '.', '--max-files', '0']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--max-files: not a positive whole number: '0'/);
  } finally {
    cleanup(dir);
  }
});

test('the default bound reached is a note and exit 3 (no error found, but not everything was read)', () => {
  const dir = tempDir('kube-pki-walk-');
  try {
    for (let i = 0; i < 6; i++) write(dir, `apps/app-${i}.yaml`, workload(`app-${i}`));
    // $KUBE_PKI_MAX_FILES is the machine's default bound: reaching it is not accepted by the user.
    const r = cli(dir, ['check', '.'], { KUBE_PKI_MAX_FILES: '3' });
    assert.equal(r.status, 3, r.stderr);
    assert.match(
      r.stderr,
      /stopped after 3 candidate files, the default bound \(\$KUBE_PKI_MAX_FILES\) \(raise it with --max-files N, or maxFiles: N in \.kube-pki\.yaml/,
    );
    // An error found still exits 1, with the note.
    write(dir, 'a/admin.conf', brokenKubeconfig('admin'));
    const r2 = cli(dir, ['check', '.'], { KUBE_PKI_MAX_FILES: '3' });
    assert.equal(r2.status, 1);
    assert.match(r2.stderr, /stopped after 3 candidate files/);
  } finally {
    cleanup(dir);
  }
});

test("a .kube-pki.yaml's maxFiles sets the bound (accepted: a note, the exit status of the findings); a bad value is config-invalid", () => {
  const dir = tempDir('kube-pki-walk-');
  try {
    mkdirSync(path.join(dir, '.git'));
    write(dir, '.kube-pki.yaml', 'maxFiles: 2\n');
    for (let i = 0; i < 5; i++) write(dir, `apps/app-${i}.yaml`, workload(`app-${i}`));
    let r = cli(dir, ['check', '.']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /stopped after 2 candidate files, maxFiles in \.kube-pki\.yaml; the files after apps\/app-0\.yaml were not checked/);
    // --max-files wins over it.
    r = cli(dir, ['check', '.', '--max-files', '50']);
    assert.doesNotMatch(r.stderr, /stopped after/);
    write(dir, '.kube-pki.yaml', 'maxFiles: lots\n');
    r = cli(dir, ['check', '.']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /\.kube-pki\.yaml:1:11: maxFiles: expected a whole number of files \(1 or more\)/);
  } finally {
    cleanup(dir);
  }
});

test('folders nested deeper than the walk goes are noted (exit 3), and checked when given as a PATH', () => {
  const dir = tempDir('kube-pki-walk-');
  try {
    const deep = Array.from({ length: E.MAX_WALK_DEPTH + 2 }, (_, i) => `d${i}`).join('/');
    write(dir, `${deep}/admin.conf`, brokenKubeconfig('deep'));
    write(dir, 'top.yaml', workload('top'));
    const r = cli(dir, ['check', '.']);
    assert.equal(r.status, 3, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `1 folder is nested more than ${E.MAX_WALK_DEPTH} deep \\(d0/d1/.*\\); not checked: give such a folder as a PATH of its own, or leave it out with exclude`,
      ),
    );
    // Given as a PATH, the walk starts there.
    const r2 = cli(dir, ['check', deep.split('/').slice(0, 10).join('/')]);
    assert.equal(r2.status, 1, r2.stderr);
    assert.match(r2.stdout, /admin\.conf:\d+:\d+: error file-not-found/);
  } finally {
    cleanup(dir);
  }
});

test('the suffix index and the inventory walk by the same rules: what .gitignore or exclude leave out is neither found nor listed', () => {
  const dir = tempDir('kube-pki-walk-');
  try {
    write(dir, '.gitignore', 'ignored/\n');
    write(dir, 'ignored/pki/ca.crt', 'not read\n');
    write(dir, 'kept/pki/other.crt', 'not a certificate\n');
    const fs = E.nodeFileSystem();
    const engine = new E.Engine(fs, { searchRoots: [dir] });
    const inventory = E.buildInventory(engine, { roots: [dir] });
    assert.equal(inventory.limits, undefined);
    const listing = E.walkFiles(fs, [dir]).map((f) => path.relative(dir, f));
    assert.deepEqual(listing.sort(), ['.gitignore', path.join('kept', 'pki', 'other.crt')]);
    const report = {};
    assert.equal(E.walkFiles(fs, [dir], { maxFiles: 1 }, report).length, 1);
    assert.equal(report.files.limit, 1);
  } finally {
    cleanup(dir);
  }
});

test('inside a git repository the walk honours what git does: .gitignore above the folder given, .git/info/exclude, core.excludesFile', () => {
  const repo = tempDir('kube-pki-walk-');
  // git's user config is the test's own (no user's or system's excludes leak in).
  const env = {
    HOME: path.join(repo, 'home'),
    XDG_CONFIG_HOME: '',
    GIT_CONFIG_GLOBAL: path.join(repo, 'home', 'gitconfig'),
    GIT_CONFIG_NOSYSTEM: '1',
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  try {
    // A real repository where git is installed, else its folder as git makes it.
    const init = spawnSync('git', ['init', '-q', repo], { encoding: 'utf8', env: { ...process.env, ...env } });
    if (init.error || init.status !== 0) {
      mkdirSync(path.join(repo, '.git', 'info'), { recursive: true });
      write(repo, '.git/HEAD', 'ref: refs/heads/main\n');
    }
    write(repo, '.git/info/exclude', '# local to this clone\nlocal-only.yaml\n');
    write(repo, 'home/gitconfig', "[user]\n\tname = x\n[core]\n\texcludesFile = ~/global-ignore # the user's\n");
    write(repo, 'home/global-ignore', '*.scratch.yaml\n');
    // Anchored at the repository's top: /clusters/tmp/ means that folder only, not apps/clusters/tmp.
    write(repo, '.gitignore', '/clusters/tmp/\n*.rendered.yaml\n');
    write(repo, 'clusters/.gitignore', 'secret-*.yaml\n!secret-kept.yaml\n');
    write(repo, 'clusters/tmp/a.yaml', brokenKubeconfig('tmp'));
    write(repo, 'clusters/prod/x.rendered.yaml', brokenKubeconfig('rendered'));
    write(repo, 'clusters/prod/secret-a.yaml', brokenKubeconfig('secreta'));
    write(repo, 'clusters/prod/secret-kept.yaml', brokenKubeconfig('kept'));
    write(repo, 'clusters/prod/local-only.yaml', brokenKubeconfig('localonly'));
    write(repo, 'clusters/prod/notes.scratch.yaml', brokenKubeconfig('scratch'));
    write(repo, 'clusters/prod/admin.yaml', brokenKubeconfig('admin'));
    write(repo, 'clusters/prod/tmp/b.yaml', brokenKubeconfig('nested'));
    const root = path.join(repo, 'clusters', 'prod');
    const expected = ['admin.yaml', 'secret-kept.yaml', 'tmp/b.yaml'];
    Object.assign(process.env, env);
    const found = E.discoverFiles(E.nodeFileSystem(), [root]).map((f) => path.relative(root, f).split(path.sep).join('/'));
    assert.deepEqual(found.sort(), expected);
    // git itself agrees (when it is installed), and so does the CLI run from the folder.
    const git = spawnSync('git', ['ls-files', '--others', '--exclude-standard', '.'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
    if (!git.error) assert.deepEqual(git.stdout.trim().split('\n').sort(), expected, git.stderr);
    const r = cli(root, ['check', '.'], env);
    assert.equal(r.status, 1, r.stderr);
    const files = [
      ...new Set(
        r.stdout
          .split('\n')
          .filter((l) => /: error /.test(l))
          .map((l) => l.split(':')[0]),
      ),
    ].sort();
    assert.deepEqual(files, expected);
    // A folder given that a rule above it ignores as a whole is still walked: the user asked for it.
    const tmp = path.join(repo, 'clusters', 'tmp');
    assert.deepEqual(
      E.discoverFiles(E.nodeFileSystem(), [tmp]).map((f) => path.basename(f)),
      ['a.yaml'],
    );
    // Outside a repository, only the .gitignore files below the folder given count (git reads nothing above).
    cleanup(path.join(repo, '.git'));
    const outside = E.discoverFiles(E.nodeFileSystem(), [root]).map((f) => path.relative(root, f).split(path.sep).join('/'));
    assert.deepEqual(outside.sort(), [
      'admin.yaml',
      'local-only.yaml',
      'notes.scratch.yaml',
      'secret-a.yaml',
      'secret-kept.yaml',
      'tmp/b.yaml',
      'x.rendered.yaml',
    ]);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    cleanup(repo);
  }
});

test('core.excludesFile is read from a git config as git reads it (the last one set wins, quotes and comments)', () => {
  assert.equal(E.excludesFileOf('[core]\n\texcludesfile = ~/a\n[core]\n  excludesFile = "/b c" ; note\n'), '/b c');
  assert.equal(E.excludesFileOf('[user]\n\texcludesFile = /nope\n[core "x"]\n'), undefined);
  assert.equal(E.excludesFileOf('[Core] ExcludesFile=/x'), '/x');
});
