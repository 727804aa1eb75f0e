// The dependency rules of the sources (ARCHITECTURE.md, "Which way dependencies point"), read from the TypeScript
// files themselves (no build needed):
//  - the engine (server/src/engine) is editor-free: it imports no `vscode`, `vscode-languageserver*`,
//    `vscode-languageclient`, `vscode-jsonrpc`, and nothing under server/src/lsp, server/src/cli, client/ or shared/;
//  - inside the engine, the checks are leaves: only checks/ itself and the Engine (workspace/engine.ts) import
//    checks/; generation, the inventory and the features read the cluster model (cluster/);
//  - the CLI (server/src/cli) and the language server (server/src/lsp) are two adapters of the engine: neither
//    imports the other (what both need belongs in the engine);
//  - the client talks to the server over LSP only: client/ imports nothing under server/, and the wire contract
//    (shared/) imports nothing of either side; the webview's page (client/src/webview) runs in a browser: no
//    `vscode`, no Node module;
//  - no import cycle among the modules of server/src, client/src and shared, type-only imports included (a cycle
//    is reported as the path of files that closes it);
//  - every handler the language server registers (`connection.onHover(...)`, `documents.onDidClose(...)`, ...) is
//    wrapped in the error guard, `handle(...)` of server/src/lsp/guard.ts.
// The last tests plant each kind of violation in a tree made at run time and check that the rules catch it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { findCycles, importGraph } from './helpers/imports.mjs';

const ts = createRequire(import.meta.url)('typescript');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = ['server/src', 'client/src', 'shared'];

const EDITOR_PACKAGE = /^(vscode|vscode-languageserver[^/]*|vscode-languageclient|vscode-jsonrpc)(\/|$)/;
const under = (dir) => (file) => file === dir || file.startsWith(`${dir}/`);
const inEngine = under('server/src/engine');
const inLsp = under('server/src/lsp');
const inCli = under('server/src/cli');
const inClient = under('client');
const inShared = under('shared');
const inWebview = under('client/src/webview');
const inChecks = under('server/src/engine/checks');
const THE_ENGINE = 'server/src/engine/workspace/engine.ts';
const NODE_MODULE = /^node:|^(fs|path|os|child_process|crypto|url|util|events|stream|net|tls|http|https|zlib|module)(\/|$)/;

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
    breaking(g, inEngine, (i) =>
      i.external ? EDITOR_PACKAGE.test(i.target) : inLsp(i.target) || inCli(i.target) || inClient(i.target) || inShared(i.target),
    ),
  checksAreLeaves: (g) =>
    breaking(
      g,
      (f) => inEngine(f) && !inChecks(f) && f !== THE_ENGINE,
      (i) => !i.external && inChecks(i.target),
    ),
  clientOverLsp: (g) => breaking(g, inClient, (i) => !i.external && under('server')(i.target)),
  sharedStandalone: (g) => breaking(g, inShared, (i) => !i.external && (under('server')(i.target) || inClient(i.target))),
  webviewInBrowser: (g) =>
    breaking(g, inWebview, (i) => (i.external ? EDITOR_PACKAGE.test(i.target) || NODE_MODULE.test(i.target) : !inWebview(i.target))),
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
    findCycles(g, g.files)
      .map((c) => c.join(' -> '))
      .sort(),
  unguardedHandlers: (root, g) => g.files.filter(inLsp).flatMap((f) => unguarded(root, f)),
};

/**
 * The handler registrations of a language server file that are not wrapped in the error guard: a call
 * `x.onSomething(..., handler)` (not on `this`) whose last argument is not `handle(...)`.
 */
function unguarded(root, file) {
  const sf = ts.createSourceFile(file, readFileSync(path.join(root, file), 'utf8'), ts.ScriptTarget.Latest, true);
  const out = [];
  const visit = (n) => {
    if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      /^on[A-Z]/.test(n.expression.name.text) &&
      n.expression.expression.kind !== ts.SyntaxKind.ThisKeyword
    ) {
      const last = n.arguments[n.arguments.length - 1];
      const guarded = last && ts.isCallExpression(last) && ts.isIdentifier(last.expression) && last.expression.text === 'handle';
      if (!guarded) out.push(`${file}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}: ${n.expression.getText(sf)}(...)`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

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

test('the engine imports nothing of the editor, the language server, the CLI, the client or the wire contract', () => {
  const list = rules.engineEditorFree(graph);
  assert.deepEqual(
    list,
    [],
    explain('server/src/engine must stay editor-free (move the piece into the engine, or the import into an adapter)', list),
  );
});

test('only the checks and the Engine import checks/: the rest of the engine reads the cluster model', () => {
  const list = rules.checksAreLeaves(graph);
  assert.deepEqual(list, [], explain('imports of checks/ (what they need belongs in cluster/)', list));
});

test('the client imports nothing of the server, the wire contract nothing of either side, the webview page no vscode or Node module', () => {
  const list = [...rules.clientOverLsp(graph), ...rules.sharedStandalone(graph), ...rules.webviewInBrowser(graph)];
  assert.deepEqual(list, [], explain('the client and the server meet only in shared/protocol.ts, over LSP', list));
  assert.ok(
    graph.imports.get('client/src/extension.ts').some((i) => i.target === 'shared/protocol.ts'),
    'the client imports the contract',
  );
  assert.ok(
    graph.files.filter(inLsp).some((f) => graph.imports.get(f).some((i) => i.target === 'shared/protocol.ts')),
    'so does the server',
  );
});

test('every handler the language server registers goes through the error guard', () => {
  const list = rules.unguardedHandlers(ROOT, graph);
  assert.deepEqual(list, [], explain('handlers registered without handle(...) (server/src/lsp/guard.ts)', list));
});

test('the CLI does not import the language server, nor the language server the CLI', () => {
  const list = [...rules.cliWithoutLsp(graph), ...rules.lspWithoutCli(graph)];
  assert.deepEqual(list, [], explain('the CLI and the language server share code only through the engine', list));
});

test('no import cycle among the modules of server/src, client/src and shared', () => {
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
    'server/src/lsp/handlers/viewing.ts': [
      "import { handle } from '../guard';",
      'export function register(connection, documents, log) {',
      '  connection.onHover(handle(log, "hover", () => null, () => null));',
      '  connection.onCodeLens(() => []);',
      '  documents.onDidClose(closed);',
      '  connection.workspace.onDidChangeWorkspaceFolders(handle(log, "folders", () => undefined, () => undefined));',
      '  this.onEdit(1);',
      '}',
      '',
    ].join('\n'),
    'server/src/lsp/guard.ts': 'export const handle = (...a) => a;\n',
    'server/src/engine/generate/plan.ts': "import { trust } from '../checks/trust';\nimport type { B } from '../b';\nexport const plan = [trust];\n",
    'server/src/engine/checks/trust.ts': "import { a } from '../a';\nexport const trust = a;\n",
    'server/src/engine/workspace/engine.ts': "import { trust } from '../checks/trust';\nexport const engine = trust;\n",
    'server/src/engine/shared-user.ts': "import type { Summary } from '../../../shared/protocol';\nexport type S = Summary;\n",
    'shared/protocol.ts': "import type { A } from '../server/src/engine/a';\nexport type Summary = A;\n",
    'client/src/webview/timeline.ts':
      "import * as vscode from 'vscode';\nimport { readFile } from 'node:fs';\nimport { x } from '../extension';\nimport { m } from './messages';\nexport const t = [vscode, readFile, x, m];\n",
    'client/src/webview/messages.ts': 'export const m = 1;\n',
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

test('planted: an engine file importing vscode, the LSP library, the language server, the CLI or the wire contract is caught, with its line', () => {
  const g = importGraph(planted, SOURCES);
  assert.deepEqual(rules.engineEditorFree(g), [
    "server/src/engine/checks.ts:1: import type 'vscode-languageserver/node'",
    "server/src/engine/checks.ts:2: import 'vscode'",
    "server/src/engine/checks.ts:3: import '../lsp/diagnostics'",
    "server/src/engine/checks.ts:4: import '../cli/args'",
    "server/src/engine/shared-user.ts:1: import type '../../../shared/protocol'",
  ]);
});

test('planted: a module of the engine importing a check is caught; the checks and the Engine may', () => {
  assert.deepEqual(rules.checksAreLeaves(importGraph(planted, SOURCES)), ["server/src/engine/generate/plan.ts:1: import '../checks/trust'"]);
});

test('planted: the client importing the server, the contract importing the server, the webview importing vscode, Node or the extension are caught', () => {
  const g = importGraph(planted, SOURCES);
  assert.deepEqual(rules.clientOverLsp(g), ["client/src/extension.ts:2: import type '../../server/src/engine/a'"]);
  assert.deepEqual(rules.sharedStandalone(g), ["shared/protocol.ts:1: import type '../server/src/engine/a'"]);
  assert.deepEqual(rules.webviewInBrowser(g), [
    "client/src/webview/timeline.ts:1: import 'vscode'",
    "client/src/webview/timeline.ts:2: import 'node:fs'",
    "client/src/webview/timeline.ts:3: import '../extension'",
  ]);
});

test('planted: handlers registered without the error guard are caught, with their line; guarded ones and calls on this are not', () => {
  assert.deepEqual(rules.unguardedHandlers(planted, importGraph(planted, SOURCES)), [
    'server/src/lsp/handlers/viewing.ts:4: connection.onCodeLens(...)',
    'server/src/lsp/handlers/viewing.ts:5: documents.onDidClose(...)',
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
