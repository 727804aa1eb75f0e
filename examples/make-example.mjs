#!/usr/bin/env node
// (Re)creates examples/broken-cluster/: a copy of one kubeadm control-plane node's /etc/kubernetes
// and /var/lib/kubelet with five classic TLS mistakes planted. With --in-cluster, examples/broken-in-cluster/
// instead: an operator's repository of manifests (an admission webhook, TLS Secrets, a cert-manager
// Certificate, metrics-server's APIService) with four. Certificates expire, so the trees are generated
// (relative to the current time) instead of committed; see examples/README.md.
//
//   node examples/make-example.mjs                 creates broken-cluster/ unless it already exists
//   node examples/make-example.mjs --in-cluster    creates broken-in-cluster/ unless it already exists
//   node examples/make-example.mjs --force         replaces an earlier generated example
//   options: --out <dir> (default examples/broken-cluster or examples/broken-in-cluster), --now <ISO date> (default: now)
//
// Needs the engine bundle: run `npm run build` first (dist/engine.js; $KUBE_PKI_ENGINE overrides). The node tree
// is the engine's (generate.buildExampleCluster, written by its atomic writer), the one the editor's
// "Kube PKI: Open Example Cluster" makes; the in-cluster manifests come from test/helpers/in-cluster.mjs.

import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatorOf } from '../test/helpers/cluster.mjs';
import { buildInCluster, IN_CLUSTER_DEFECTS } from '../test/helpers/in-cluster.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const MARKER = '.kube-pki-example.json';
const DAY = 24 * 60 * 60 * 1000;

function usage(msg) {
  if (msg) console.error(`make-example: ${msg}`);
  console.error('usage: node examples/make-example.mjs [--in-cluster] [--force] [--out <dir>] [--now <ISO date>]');
  process.exit(2);
}

function parseArgs(argv) {
  const a = { force: false, inCluster: false, out: undefined, now: new Date() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force' || arg === '-f') a.force = true;
    else if (arg === '--in-cluster') a.inCluster = true;
    else if (arg === '--out') a.out = path.resolve(argv[++i] ?? usage('--out needs a folder'));
    else if (arg === '--now') {
      a.now = new Date(argv[++i] ?? usage('--now needs a date'));
      if (Number.isNaN(a.now.getTime())) usage('--now: not a date');
    } else if (arg === '--help' || arg === '-h') usage();
    else usage(`unknown argument ${arg}`);
  }
  a.out ??= path.join(here, a.inCluster ? 'broken-in-cluster' : 'broken-cluster');
  return a;
}

function loadEngine() {
  const file = process.env.KUBE_PKI_ENGINE ? path.resolve(process.env.KUBE_PKI_ENGINE) : path.join(here, '..', 'dist', 'engine.js');
  if (!existsSync(file)) {
    console.error('make-example: dist/engine.js is missing; run `npm run build` first.');
    process.exit(1);
  }
  const mod = require(file);
  try {
    generatorOf(mod);
    if (typeof mod.generate?.buildExampleCluster !== 'function') throw new Error('it has no generate.buildExampleCluster');
    return mod;
  } catch (e) {
    console.error(`make-example: ${path.relative(process.cwd(), file)}: ${e.message}; rebuild (npm run build).`);
    process.exit(1);
  }
}

async function readMarker(dir) {
  try {
    return JSON.parse(await readFile(path.join(dir, MARKER), 'utf8'));
  } catch {
    return undefined;
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const rel = path.relative(process.cwd(), args.out) || '.';

  if (existsSync(args.out)) {
    const marker = await readMarker(args.out);
    if (!args.force) {
      const when = marker?.generatedAt ? ` (generated ${marker.generatedAt})` : '';
      console.log(`${rel} already exists${when}; keeping it. Use --force to regenerate.`);
      if (marker?.generatedAt && Date.now() - Date.parse(marker.generatedAt) > 300 * DAY) {
        console.log(`note: it is over 300 days old; its healthy certificates expire soon. Regenerate with --force.`);
      }
      return;
    }
    const entries = await readdir(args.out);
    if (!marker && entries.length > 0) {
      console.error(`make-example: ${rel} exists and was not made by this script (no ${MARKER}); not deleting it.`);
      process.exit(1);
    }
    await rm(args.out, { recursive: true, force: true });
  }

  const mod = loadEngine();
  let expected;
  let nodeName;
  if (args.inCluster) {
    const cluster = await buildInCluster(args.out, { defects: IN_CLUSTER_DEFECTS, now: args.now, engine: generatorOf(mod) });
    expected = cluster.defects.map((d) => ({
      defect: d.defect,
      code: d.code,
      file: path.relative(args.out, d.file).split(path.sep).join('/'),
      line: d.line + 1, // 1-based, as editors and the CLI show it
      lineIncludes: d.lineIncludes,
      description: d.description,
    }));
    await writeFile(
      path.join(args.out, MARKER),
      JSON.stringify({ generatedBy: 'examples/make-example.mjs --in-cluster', generatedAt: args.now.toISOString(), expected }, null, 2) + '\n',
    );
  } else {
    const tree = await mod.generate.buildExampleCluster({ now: args.now, generatedBy: 'examples/make-example.mjs' });
    const report = mod.generate.writeExampleCluster(args.out, tree, { fs: mod.nodeFileSystem() });
    if (!report.ok) {
      console.error(`make-example: ${report.error?.message ?? 'writing failed'}`);
      process.exit(1);
    }
    expected = tree.expected;
    nodeName = tree.nodeName;
  }

  const what = args.inCluster ? 'in-cluster manifests' : `node ${nodeName}`;
  console.log(`wrote ${rel}/ (${what}) with ${expected.length} planted defects:`);
  for (const e of expected) console.log(`  ${e.code.padEnd(17)} ${e.file}:${e.line}  ${e.description}`);
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
