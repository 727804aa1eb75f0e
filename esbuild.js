// Bundles the extension client (and its webview page), the language server, the CLI and the engine (for tests)
// into dist/.
// `node esbuild.js` builds once; `node esbuild.js --watch` rebuilds on change; `--production` minifies.
const esbuild = require('esbuild');

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const builds = [
  // The VS Code extension: `vscode` is provided by the editor at run time.
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  // The language server, started by the client (--node-ipc) or by any LSP client (--stdio).
  { entryPoints: ['server/src/lsp/server.ts'], outfile: 'dist/server.js' },
  // The command line: `kube-pki check ...`.
  { entryPoints: ['server/src/cli/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // The reader threads that read a large tree on other cores (engine/workspace/parallelRead.ts), beside cli.js.
  { entryPoints: ['server/src/engine/workspace/readerThread.ts'], outfile: 'dist/reader.js' },
  // The analysis engine as a library, for the tests and the benchmark.
  { entryPoints: ['server/src/engine/index.ts'], outfile: 'dist/engine.js' },
  // The expiry timeline's page, run in the webview (a browser): its script and, imported by it, its stylesheet
  // (dist/webview/timeline.css). The extension loads both from dist/webview/.
  { entryPoints: ['client/src/webview/timeline.ts'], outfile: 'dist/webview/timeline.js', platform: 'browser', format: 'iife', target: 'es2022' },
];

async function main() {
  const contexts = await Promise.all(builds.map((b) => esbuild.context({ ...common, ...b })));
  if (watch) {
    await Promise.all(contexts.map((c) => c.watch()));
    return;
  }
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
