// The documents a reader trusts stay true to the code: README's table of codes is the catalog of codes
// (server/src/engine/codes.ts), ARCHITECTURE.md's code map names every folder of the sources and only files that
// exist, and the files ARCHITECTURE.md and CONTRIBUTING.md name elsewhere exist. Read from the repository (no
// build needed but dist/engine.js for the codes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (rel) => readFileSync(path.join(repo, rel), 'utf8');
const E = createRequire(import.meta.url)(path.join(repo, 'dist', 'engine.js'));

/** The section of a Markdown text under a heading, up to the next heading of the same level. */
function section(text, heading) {
  const at = text.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `${heading} is there`);
  const level = heading.split(' ')[0];
  const end = text.indexOf(`\n${level} `, at + heading.length + 1);
  return text.slice(at, end < 0 ? undefined : end);
}

/** Rows of a Markdown table whose first cell lists codes: code -> severity. */
export function codeTable(text) {
  const rows = new Map();
  for (const line of text.split('\n')) {
    const m = /^\| ((?:`[a-z0-9-]+`(?:, )?)+) \| ([a-z]+) \|/.exec(line);
    if (!m) continue;
    for (const code of m[1].match(/[a-z0-9-]+/g)) {
      assert.ok(!rows.has(code), `${code} has one row`);
      rows.set(code, m[2]);
    }
  }
  return rows;
}

test('README\'s "What it reports" table has every code of the catalog with its severity, and no other', () => {
  const table = codeTable(section(read('README.md'), '## What it reports'));
  const catalog = new Map(Object.entries(E.codes).map(([code, info]) => [code, info.severity]));
  assert.ok(catalog.has('internal-error') && catalog.size > 20, 'the catalog is read');
  const missing = [...catalog.keys()].filter((c) => !table.has(c));
  assert.deepEqual(missing, [], 'codes of server/src/engine/codes.ts without a row in README');
  const unknown = [...table.keys()].filter((c) => !catalog.has(c));
  assert.deepEqual(unknown, [], 'rows in README naming no code of the catalog');
  for (const [code, severity] of catalog) assert.equal(table.get(code), severity, `${code}'s severity in README`);
});

test('the code table reader sees rows of several codes, and a missing or extra code', () => {
  const rows = codeTable('| code | severity | what |\n|---|---|---|\n| `a-b`, `c` | error | x |\n| `d` | info | y |\n');
  assert.deepEqual(
    [...rows],
    [
      ['a-b', 'error'],
      ['c', 'error'],
      ['d', 'info'],
    ],
  );
});

// ---- ARCHITECTURE.md's code map

/**
 * The entries of the code map (the fenced block under "## Code map"): each line's first column names files and
 * folders (`cluster/`, `catalog.ts`, `kubeadm.ts, distro.ts,`), relative to the folder entry above it that is
 * less indented (top-level entries are relative to the repository); the rest of the line, and the lines indented
 * past the first column, describe it. Returns the entries (repository paths) and, per entry, the names its
 * description mentions.
 */
export function codeMap(markdown) {
  const start = markdown.indexOf('## Code map');
  const open = markdown.indexOf('```', start);
  const block = markdown.slice(markdown.indexOf('\n', open) + 1, markdown.indexOf('```', open + 3));
  const entries = [];
  const stack = [];
  let last;
  for (const line of block.split('\n')) {
    const indent = line.length - line.trimStart().length;
    if (!line.trim()) continue;
    let rest = line.slice(indent);
    const names = [];
    if (indent < 20) {
      for (;;) {
        const m = /^([\w.-]+(?:\/[\w.-]*)*)(,?)(\s+|$)/.exec(rest);
        if (!m || !(m[1].includes('/') || /\.\w+$/.test(m[1]))) break;
        names.push(m[1]);
        rest = rest.slice(m[0].length);
        if (!m[2]) break;
      }
      while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
    }
    const parent = stack.length ? stack[stack.length - 1].dir : '';
    for (const n of names) {
      last = { path: path.posix.join(parent, n.replace(/\/$/, '')), folder: n.endsWith('/'), mentions: [] };
      entries.push(last);
      if (last.folder) stack.push({ indent, dir: last.path });
    }
    if (last)
      last.mentions.push(...(rest.match(/[\w.-]+(?:\/[\w.-]+)*\.(?:ts|mjs|js|json|ya?ml|md)\b|[\w.-]+(?:\/[\w.-]+)*\/(?=[\s,);:]|$)/g) ?? []));
  }
  return entries;
}

function folders(rel, out = []) {
  for (const e of readdirSync(path.join(repo, rel), { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    out.push(path.posix.join(rel, e.name));
    folders(path.posix.join(rel, e.name), out);
  }
  return out;
}

/** Where a name mentioned in an entry's description may be: beside the entry, or in a folder above it. */
function mentionExists(entry, name) {
  let dir = entry.folder ? entry.path : path.posix.dirname(entry.path);
  for (;;) {
    if (existsSync(path.join(repo, dir, name))) return true;
    if (dir === '.' || dir === '') return false;
    dir = path.posix.dirname(dir);
    if (dir === '.') dir = '';
  }
}

test("ARCHITECTURE.md's code map names every folder of server/src and client/src, and only files and folders that exist", () => {
  const entries = codeMap(read('ARCHITECTURE.md'));
  assert.ok(
    entries.some((e) => e.path === 'server/src/engine/cluster/catalog.ts'),
    'the map is read',
  );
  const gone = entries.filter((e) => !existsSync(path.join(repo, e.path))).map((e) => e.path);
  assert.deepEqual(gone, [], 'entries of the code map that do not exist');
  // A folder is described by an entry of its own, or named in the description of the folder holding it (lsp/'s
  // handlers/).
  const named = new Set([
    ...entries.map((e) => e.path),
    ...entries.filter((e) => e.folder).flatMap((e) => e.mentions.filter((m) => m.endsWith('/')).map((m) => path.posix.join(e.path, m.slice(0, -1)))),
  ]);
  const undescribed = [...folders('server/src'), ...folders('client/src'), 'shared'].filter(
    (f) => !named.has(f) && !entries.some((e) => e.path.startsWith(`${f}/`)),
  );
  assert.deepEqual(undescribed, [], 'folders of the sources the code map does not describe');
  // (.kube-pki.yaml is the users' file, not one of the repository.)
  const stale = entries.flatMap((e) => e.mentions.filter((m) => !m.startsWith('.kube-pki.') && !mentionExists(e, m)).map((m) => `${e.path}: ${m}`));
  assert.deepEqual(stale, [], 'files or folders a description names that do not exist');
});

test('the code map reader follows indentation, lists and descriptions', () => {
  const map = codeMap(
    [
      '## Code map',
      '```',
      'server/src/engine/          the core',
      '  a.ts, b.ts                two files; see c.ts',
      '  sub/                      a folder: d.ts',
      '    e.ts,                   first',
      '    f.ts                    second,',
      '                            and g.ts below',
      '  h.ts                      back up',
      'top/                        a top folder',
      '```',
    ].join('\n'),
  );
  assert.deepEqual(
    map.map((e) => [e.path, e.mentions]),
    [
      ['server/src/engine', []],
      ['server/src/engine/a.ts', []],
      ['server/src/engine/b.ts', ['c.ts']],
      ['server/src/engine/sub', ['d.ts']],
      ['server/src/engine/sub/e.ts', []],
      ['server/src/engine/sub/f.ts', ['g.ts']],
      ['server/src/engine/h.ts', []],
      ['top', []],
    ],
  );
});

/** Every file of the repository by its path, for names written without their folder. */
function repoFiles(rel = '', out = []) {
  for (const e of readdirSync(path.join(repo, rel), { withFileTypes: true })) {
    if (['.git', 'node_modules', 'dist', 'corpora', 'test-results', '.vscode-test'].includes(e.name)) continue;
    const p = path.posix.join(rel, e.name);
    if (e.isDirectory()) repoFiles(p, out);
    else out.push(p);
  }
  return out;
}

test('the source files ARCHITECTURE.md and CONTRIBUTING.md name exist (a path, or a name some file of the repository has)', () => {
  const files = repoFiles();
  const exists = (name) => files.some((f) => f === name || f.endsWith(`/${name}`));
  for (const doc of ['ARCHITECTURE.md', 'CONTRIBUTING.md']) {
    const names = new Set(read(doc).match(/(?<![\w/<>.*-])[\w.-]+(?:\/[\w.-]+)*\.(?:ts|mjs)\b/g));
    assert.ok(names.size > 10, `${doc} names files`);
    const gone = [...names].filter((n) => !exists(n));
    assert.deepEqual(gone, [], `${doc} names files that do not exist`);
  }
});
