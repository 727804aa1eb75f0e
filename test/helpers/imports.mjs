// The import graph of TypeScript sources, read with the TypeScript parser (no build, no type-check): every
// `import`/`export … from`, `import x = require()`, `import()`, `require()` and `import('…')` type with a literal
// specifier. Used by test/architecture.test.mjs to hold the dependency rules.
//
//   const graph = importGraph(repoRoot, ['server/src', 'client/src']);
//   graph.files                 -> repo-relative paths ('server/src/engine/index.ts'), sorted
//   graph.imports.get(file)     -> [{ spec, target, typeOnly, line }]: target is a repo-relative file for a
//                                  relative specifier (undefined when it resolves to nothing), else the package
//                                  specifier as written ('vscode-languageserver/node')
//   findCycles(graph, files?)   -> one cycle path per strongly connected component among `files`
//                                  (['a.ts', 'b.ts', 'a.ts']), type-only imports included
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const ts = require('typescript');

function walk(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules') walk(p, out);
    } else if (/\.(ts|tsx|mts|cts)$/.test(e.name) && !/\.d\.[mc]?ts$/.test(e.name)) out.push(p);
  }
  return out;
}

function isFile(p) {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file a relative specifier names, as the bundler resolves it (TypeScript's "bundler" resolution). */
function resolveRelative(fromFile, spec) {
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')];
  // `./x.js` written for `./x.ts` (node16-style specifiers).
  if (/\.[mc]?js$/.test(base)) candidates.push(base.replace(/\.([mc]?)js$/, '.$1ts'));
  return candidates.find(isFile);
}

function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const add = (spec, typeOnly, node) => found.push({ spec, typeOnly, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  const visit = (n) => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteralLike(n.moduleSpecifier)) {
      const c = n.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(n.moduleSpecifier.text, typeOnly, n);
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteralLike(n.moduleSpecifier)) {
      const named = n.exportClause && ts.isNamedExports(n.exportClause) ? n.exportClause.elements : undefined;
      add(n.moduleSpecifier.text, n.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)), n);
    } else if (
      ts.isImportEqualsDeclaration(n) &&
      ts.isExternalModuleReference(n.moduleReference) &&
      ts.isStringLiteralLike(n.moduleReference.expression)
    ) {
      add(n.moduleReference.expression.text, n.isTypeOnly, n);
    } else if (
      ts.isCallExpression(n) &&
      n.arguments.length >= 1 &&
      ts.isStringLiteralLike(n.arguments[0]) &&
      (n.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(n.expression) && n.expression.text === 'require'))
    ) {
      add(n.arguments[0].text, false, n);
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      add(n.argument.literal.text, true, n);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

export function importGraph(root, dirs) {
  const rel = (p) => path.relative(root, p).split(path.sep).join('/');
  const absFiles = dirs.flatMap((d) => walk(path.join(root, d), []));
  const imports = new Map();
  for (const abs of absFiles) {
    imports.set(
      rel(abs),
      importsOf(abs).map((i) => {
        if (!i.spec.startsWith('.')) return { ...i, target: i.spec, external: true };
        const t = resolveRelative(abs, i.spec);
        return { ...i, target: t === undefined ? undefined : rel(t), external: false };
      }),
    );
  }
  return { files: [...imports.keys()].sort(), imports };
}

/**
 * One cycle per strongly connected component of the graph restricted to `files` (Tarjan), each as the path
 * from its first file (in path order) back to it, shortest first: ['a.ts', 'b.ts', 'a.ts'].
 */
export function findCycles(graph, files = graph.files) {
  const inSet = new Set(files);
  const edges = (f) =>
    [
      ...new Set(
        graph.imports
          .get(f)
          .filter((i) => !i.external && inSet.has(i.target))
          .map((i) => i.target),
      ),
    ].sort();
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const strong = (v) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges(v)) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || edges(v).includes(v)) components.push(comp.sort());
    }
  };
  for (const f of [...files].sort()) if (!index.has(f)) strong(f);
  return components.map((comp) => {
    // Shortest way from the component's first file back to it (breadth first, inside the component).
    const inComp = new Set(comp);
    const start = comp[0];
    const prev = new Map();
    const queue = [start];
    while (queue.length) {
      const v = queue.shift();
      for (const w of edges(v)) {
        if (!inComp.has(w)) continue;
        if (w === start) {
          const cycle = [start];
          for (let x = v; x !== start; x = prev.get(x)) cycle.unshift(x);
          cycle.unshift(start);
          return cycle;
        }
        if (!prev.has(w)) {
          prev.set(w, v);
          queue.push(w);
        }
      }
    }
    return [start, start];
  });
}
