// The dependency rules of the sources, read from the TypeScript files themselves (no build needed):
//  - the engine (server/src/engine) is editor-free: it imports no `vscode`, `vscode-languageserver*`,
//    `vscode-languageclient`, `vscode-jsonrpc`, and nothing under server/src/lsp, server/src/cli or client/;
//  - the CLI (server/src/cli) and the language server (server/src/lsp) are two adapters of the engine: neither
//    imports the other (what both need belongs in the engine);
//  - no import cycle among the modules of server/src, type-only imports included (a cycle is reported as the
//    path of files that closes it).
// The last tests plant each kind of violation in a tree made at run time and check that the rules catch it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findCycles, importGraph } from './helpers/imports.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['server/src', 'client/src'];

const EDITOR_PACKAGE = /^(vscode|vscode-languageserver[^/]*|vscode-languageclient|vscode-jsonrpc)(\/|$)/;
const under = (dir) => (file) => file === dir || file.startsWith(`${dir}/`);
const inEngine = under('server/src/engine');
const inLsp = under('server/src/lsp');
const inCli = under('server/src/cli');
const inClient = under('client');
const inServer = under('server/src');

const where = (file, i) => `${file}:${i.line}: ${i.typeOnly ? 'import type' : 'import'} '${i.spec}'`;

/** The imports that break the rule: `when(file)` says which files it governs, `forbidden(import)` what they must not import. */
function breaking(graph, when, forbidden) {
  const out = [];
  for (const file of graph.files.filter(when))
    for (const i of graph.imports.get(file)) if (i.target !== undefined && forbidden(i)) out.push(where(file, i));
  return out;
}

const rules = {
  engineEditorFree: (g) =>
    breaking(g, inEngine, (i) => (i.external ? EDITOR_PACKAGE.test(i.target) : inLsp(i.target) || inCli(i.target) || inClient(i.target))),
  cliWithoutLsp: (g) => breaking(g, inCli, (i) => !i.external && inLsp(i.target)),
  lspWithoutCli: (g) => breaking(g, inLsp, (i) => !i.external && inCli(i.target)),
  unresolved: (g) =>
    g.files.flatMap((f) =>
      g.imports
        .get(f)
        .filter((i) => i.target === undefined)
        .map((i) => where(f, i)),
    ),
  cycles: (g) =>
    findCycles(g, g.files.filter(inServer))
      .map((c) => c.join(' -> '))
      .sort(),
};

const explain = (what, list) => `${what}:\n  ${list.join('\n  ')}`;

let graph;
before(() => {
  graph = importGraph(ROOT, SOURCES);
});

test('the sources are read: the engine, the CLI, the language server and the client each have files', () => {
  for (const inDir of [inEngine, inCli, inLsp, inClient]) assert.ok(graph.files.some(inDir));
  // The reader sees imports: the engine's index imports its parts, the server imports the LSP library.
  assert.ok(graph.imports.get('server/src/engine/index.ts').some((i) => i.target === 'server/src/engine/workspace/engine.ts'));
  assert.ok(graph.files.filter(inLsp).some((f) => graph.imports.get(f).some((i) => i.external && EDITOR_PACKAGE.test(i.target))));
});

test('every relative import names a file (so no dependency escapes the rules below)', () => {
  const list = rules.unresolved(graph);
  assert.deepEqual(list, [], explain('imports that resolve to no file', list));
});

test('the engine imports nothing of the editor, the language server, the CLI or the client', () => {
  const list = rules.engineEditorFree(graph);
  assert.deepEqual(
    list,
    [],
    explain('server/src/engine must stay editor-free (move the piece into the engine, or the import into an adapter)', list),
  );
});

test('the CLI does not import the language server, nor the language server the CLI', () => {
  const list = [...rules.cliWithoutLsp(graph), ...rules.lspWithoutCli(graph)];
  assert.deepEqual(list, [], explain('the CLI and the language server share code only through the engine', list));
});

test('no import cycle among the modules of server/src', () => {
  const list = rules.cycles(graph);
  assert.deepEqual(list, [], explain('import cycles (move what both sides use into a module of its own)', list));
});

// ---- the rules catch what they are meant to: a tree with planted violations

let planted;
before(async () => {
  planted = await mkdtemp(path.join(tmpdir(), 'kube-pki-architecture-'));
  const files = {
    'server/src/engine/index.ts': "export * from './a';\nexport { check } from './checks';\n",
    'server/src/engine/a.ts': "import type { B } from './b';\nexport const a = 1;\nexport type A = B;\n",
    'server/src/engine/b.ts': "import { c } from './c/index';\nexport type B = number;\nexport const b = c;\n",
    'server/src/engine/c/index.ts': "import { a } from '../a';\nexport const c = a;\n",
    'server/src/engine/checks.ts': [
      "import type { Connection } from 'vscode-languageserver/node';",
      "import { window } from 'vscode';",
      "import { SOURCE } from '../lsp/diagnostics';",
      "const args = require('../cli/args');",
      'export const check = [window, SOURCE, args] as unknown as Connection;',
      "import('./missing').catch(() => undefined);",
      '',
    ].join('\n'),
    'server/src/engine/self.ts': "export { self } from './self';\n",
    'server/src/lsp/diagnostics.ts': "import { parseArgs } from '../cli/args';\nexport const SOURCE = parseArgs;\n",
    'server/src/cli/args.ts': "export { SOURCE } from '../lsp/diagnostics';\nexport const parseArgs = 1;\n",
    'server/src/cli/ok.ts': "import { a } from '../engine/a';\nimport * as yaml from 'yaml';\nexport const ok = [a, yaml];\n",
    'client/src/extension.ts':
      "import * as vscode from 'vscode';\nimport type { A } from '../../server/src/engine/a';\nexport const x: A | typeof vscode = 1;\n",
  };
  for (const [name, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(planted, name)), { recursive: true });
    await writeFile(path.join(planted, name), text);
  }
});
after(async () => {
  if (planted) await rm(planted, { recursive: true, force: true });
});

test('planted: an engine file importing vscode, the LSP library, the language server or the CLI is caught, with its line', () => {
  const g = importGraph(planted, SOURCES);
  assert.deepEqual(rules.engineEditorFree(g), [
    "server/src/engine/checks.ts:1: import type 'vscode-languageserver/node'",
    "server/src/engine/checks.ts:2: import 'vscode'",
    "server/src/engine/checks.ts:3: import '../lsp/diagnostics'",
    "server/src/engine/checks.ts:4: import '../cli/args'",
  ]);
});

test('planted: the CLI importing the language server and the reverse are caught; imports of the engine are not', () => {
  const g = importGraph(planted, SOURCES);
  assert.deepEqual(rules.cliWithoutLsp(g), ["server/src/cli/args.ts:1: import '../lsp/diagnostics'"]);
  assert.deepEqual(rules.lspWithoutCli(g), ["server/src/lsp/diagnostics.ts:1: import '../cli/args'"]);
});

test('planted: an import naming no file is caught', () => {
  assert.deepEqual(rules.unresolved(importGraph(planted, SOURCES)), ["server/src/engine/checks.ts:6: import './missing'"]);
});

test('planted: cycles are caught with their path, through type-only imports, index files and a module importing itself', () => {
  assert.deepEqual(rules.cycles(importGraph(planted, SOURCES)), [
    'server/src/cli/args.ts -> server/src/lsp/diagnostics.ts -> server/src/cli/args.ts',
    'server/src/engine/a.ts -> server/src/engine/b.ts -> server/src/engine/c/index.ts -> server/src/engine/a.ts',
    'server/src/engine/self.ts -> server/src/engine/self.ts',
  ]);
});
