// `kube-pki check --format github` and `--format gitlab` on a kubeadm node tree with planted defects, read back
// against each format's documented shape: GitHub's workflow commands (docs.github.com, "Workflow commands for
// GitHub Actions": `::error file=F,line=L,col=C,endLine=L,endColumn=C,title=T::MESSAGE`, properties escaping %,
// CR, LF, ':' and ',', the message %, CR and LF; col/endColumn only on one line) and GitLab's code quality
// report (docs.gitlab.com, "Code Quality": an array of {description, check_name, fingerprint, severity,
// location: {path, lines: {begin}}}, severity info|minor|major|critical|blocker).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCluster, DEFECT_CODES } from './helpers/cluster.mjs';

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
let tmp;
let broken;
// A folder name with the characters a property must escape.
const FOLDER = 'site:a,b%1';

function cli(args, cwd = tmp) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-ci-formats-'));
  broken = await buildCluster(path.join(tmp, FOLDER), { defects: ['scheduler-cn-typo', 'etcd-server-expiring', 'apiserver-san-missing'] });
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** GitHub's unescaping: what the runner reads back. */
const unescape = (s) => s.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%25/g, '%');

/** One workflow command line, parsed as the runner does: `::name k=v,k=v::data`. */
function parseCommand(line) {
  const m = /^::(\w+) ([^:]*)::(.*)$/.exec(line);
  assert.ok(m, `a workflow command with properties: ${line}`);
  const props = Object.fromEntries(
    m[2].split(',').map((kv) => {
      const eq = kv.indexOf('=');
      return [kv.slice(0, eq), unescape(kv.slice(eq + 1))];
    }),
  );
  return { command: m[1], props, data: unescape(m[3]), rawData: m[3] };
}

test('github: one command per finding, on the file and line of the json output, escaped as the runner reads it', () => {
  const r = cli(['check', FOLDER, '--format', 'github']);
  assert.equal(r.code, 1, r.stderr);
  const json = JSON.parse(cli(['check', FOLDER, '--format', 'json']).stdout);
  const lines = r.stdout.trimEnd().split('\n');
  const commands = lines.filter((l) => l.startsWith('::')).map(parseCommand);
  assert.equal(commands.length, json.length);
  assert.match(lines[lines.length - 1], /^\d+ errors?, \d+ warnings?, \d+ infos? in \d+ files?$/, 'the summary, a plain log line');
  const level = { error: 'error', warning: 'warning', info: 'notice' };
  commands.forEach((c, i) => {
    const f = json[i];
    assert.equal(c.command, level[f.severity]);
    assert.equal(c.props.file, f.file);
    assert.ok(c.props.file.startsWith(`${FOLDER}/`), 'the folder name comes back whole: ":" and "," and "%" were escaped');
    assert.ok(existsSync(path.join(tmp, c.props.file)));
    assert.equal(Number(c.props.line), f.line);
    assert.equal(Number(c.props.endLine), f.endLine);
    if (f.line === f.endLine) assert.deepEqual([Number(c.props.col), Number(c.props.endColumn)], [f.column, f.endColumn]);
    else assert.ok(!('col' in c.props) && !('endColumn' in c.props), 'no columns on a range of several lines');
    assert.equal(c.props.title, `kube-pki ${f.code}`);
    assert.ok(c.data.startsWith(f.message), c.data);
    assert.doesNotMatch(c.rawData, /[\r\n]/);
    for (const rel of f.related ?? []) assert.ok(c.data.includes(`\n  note: ${rel.file}:${rel.line}:${rel.column}: ${rel.message}`));
  });
  for (const code of ['scheduler-cn-typo', 'etcd-server-expiring', 'apiserver-san-missing'].map((d) => DEFECT_CODES[d])) {
    assert.ok(
      commands.some((c) => c.props.title === `kube-pki ${code}`),
      code,
    );
  }
  assert.ok(commands.some((c) => c.command === 'warning'));
  // The planted CN typo's line is where the annotation stands.
  const cn = broken.defects.find((d) => d.defect === 'scheduler-cn-typo');
  const onIt = commands.find((c) => c.props.title === 'kube-pki cn-mismatch');
  assert.equal(
    readFileSync(path.join(tmp, onIt.props.file), 'utf8').split('\n')[Number(onIt.props.line) - 1],
    readFileSync(cn.file, 'utf8').split('\n')[cn.line],
  );
});

test('github: % in a message is escaped, and a data line never holds a raw newline', () => {
  // Every related note joins the message with an escaped newline; a message with % comes back whole.
  const r = cli(['check', FOLDER, '--format', 'github']);
  const raw = r.stdout.split('\n').filter((l) => l.startsWith('::'));
  assert.ok(raw.some((l) => l.includes('%0A  note: ')));
  for (const l of raw) assert.doesNotMatch(l.split('::').slice(2).join('::'), /%(?!25|0A|0D)/, 'a bare % would be read as an escape');
});

test('gitlab: the code quality report, its documented fields only, one entry per finding, unique and stable fingerprints', () => {
  const r = cli(['check', FOLDER, '--format', 'gitlab']);
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout);
  const json = JSON.parse(cli(['check', FOLDER, '--format', 'json']).stdout);
  assert.ok(Array.isArray(report));
  assert.equal(report.length, json.length);
  const severity = { error: 'critical', warning: 'major', info: 'info' };
  report.forEach((e, i) => {
    assert.deepEqual(Object.keys(e).sort(), ['check_name', 'description', 'fingerprint', 'location', 'severity']);
    assert.ok(['info', 'minor', 'major', 'critical', 'blocker'].includes(e.severity));
    assert.equal(e.severity, severity[json[i].severity]);
    assert.equal(e.check_name, json[i].code);
    assert.equal(e.description, json[i].message);
    assert.equal(e.location.path, json[i].file);
    assert.ok(existsSync(path.join(tmp, e.location.path)), 'relative to the repository (the job runs at its root)');
    assert.equal(e.location.lines.begin, json[i].line);
    assert.ok(Number.isInteger(e.location.lines.begin) && e.location.lines.begin >= 1);
    assert.match(e.fingerprint, /^[0-9a-f]{64}$/);
  });
  assert.equal(new Set(report.map((e) => e.fingerprint)).size, report.length, 'unique');
  assert.deepEqual(
    JSON.parse(cli(['check', FOLDER, '--format', 'gitlab']).stdout).map((e) => e.fingerprint),
    report.map((e) => e.fingerprint),
    'the same on the next run',
  );
});

test('a clean tree: github prints only the summary, gitlab an empty array; exit 0', async () => {
  const healthy = await buildCluster(path.join(tmp, 'healthy'));
  const gh = cli(['check', 'healthy', '--format', 'github']);
  assert.equal(gh.code, 0);
  assert.equal(gh.stdout, '0 errors, 0 warnings, 0 infos in ' + gh.stdout.split(' in ')[1]);
  const gl = cli(['check', 'healthy', '--format', 'gitlab']);
  assert.equal(gl.code, 0);
  assert.deepEqual(JSON.parse(gl.stdout), []);
  assert.ok(healthy.dir);
});

test('--format names the five formats when given another', () => {
  const r = cli(['check', FOLDER, '--format', 'junit']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--format: expected text, json, sarif, github or gitlab, got 'junit'/);
});

test('--changed: only the changed files and what depends on them are reported, judged within the tree', () => {
  const cn = broken.defects.find((d) => d.defect === 'scheduler-cn-typo');
  const dir = broken.dir;
  const other = path.relative(dir, broken.files['controller-manager.conf']);
  const quiet = cli(['check', '--changed', other], dir);
  assert.equal(quiet.code, 0, quiet.stdout + quiet.stderr);
  assert.match(quiet.stdout, /^0 errors, 0 warnings, 0 infos in 1 file$/m);
  const all = cli(['check'], dir);
  assert.equal(all.code, 1, 'the tree has errors elsewhere');
  const loud = cli(['check', '--changed', path.relative(dir, cn.file), '--format', 'json'], dir);
  assert.equal(loud.code, 1);
  const findings = JSON.parse(loud.stdout);
  assert.ok(findings.some((f) => f.code === 'cn-mismatch' && f.file === path.relative(dir, cn.file)));
  assert.ok(!findings.some((f) => f.code === 'san-missing'), 'the apiserver SAN defect does not depend on scheduler.conf');
  const both = cli(['check', '--changed', '--write-baseline', 'b.json', other], dir);
  assert.equal(both.code, 2);
  assert.match(both.stderr, /--changed and --write-baseline exclude each other/);
});
