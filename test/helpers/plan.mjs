// What the generation tests share: node trees built at run time in one temporary folder, an Engine
// over a tree, its findings shown one a line, a plan executed and written, openssl and the CLI.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { buildCluster, loadEngine } from './cluster.mjs';

export const E = loadEngine();
export const G = E.generate;
export const fsys = E.nodeFileSystem();
export const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** A temporary folder for a test file's trees: `await work.open()` before, `await work.close()` after. */
export function workspace(prefix) {
  let dir;
  let n = 0;
  return {
    open: async () => (dir = await mkdtemp(path.join(os.tmpdir(), prefix))),
    close: async () => dir && rm(dir, { recursive: true, force: true }),
    /** A fresh path inside it. */
    next: (name = 't') => path.join(dir, `${name}${n++}`),
    /** A kubeadm node tree (ECDSA keys, for speed) with these files (buildCluster's names) removed. */
    async tree(opts = {}, remove = []) {
      const c = await buildCluster(path.join(dir, `t${n++}`), { keyType: 'ecdsa-p256', reuseKeys: false, ...opts });
      for (const f of remove) await rm(c.files[f]);
      return c;
    },
  };
}

export function engineOf(c) {
  const engine = new E.Engine(fsys, { searchRoots: [c.dir], now: c.now });
  for (const f of E.discoverFiles(fsys, [c.dir])) engine.updateDocument(f, readFileSync(f, 'utf8'));
  return engine;
}

export const findingsOf = (c) => {
  const e = engineOf(c);
  return e.documents().flatMap((d) => e.check(d));
};
export const show = (c, fs) =>
  fs.map((f) => `${path.relative(c.dir, f.file)}:${f.range.start.line + 1} ${f.code}: ${f.message.slice(0, 160)}`).join('\n');
export const rel = (c, p) => path.relative(c.dir, p);

/** Plans (ECDSA keys unless told), executes and writes; fails the test on any failure. */
export async function generateAndWrite(c, options = {}, allowReplace = !!(options.fix || options.renew || options.only)) {
  const plan = G.planGeneration(engineOf(c), fsys, { keyType: 'ecdsa-p256', ...options });
  const batch = await G.executePlan(plan, fsys);
  assert.deepEqual(batch.failed, []);
  const files = [...batch.files, ...G.editsAsFiles(batch.edits, fsys)];
  const report = G.writeBatch(files, { fs: fsys, allowReplace });
  assert.ok(report.ok, JSON.stringify(report.error));
  return { plan, batch, report, files };
}

export function openssl(args) {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** dist/cli.js with these arguments, in this folder. */
export function cli(cwd, ...args) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}
