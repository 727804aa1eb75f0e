// The monorepo figures of `npm run bench`: a GitOps repository of `size` YAML files of ordinary workloads with a
// few node trees (planted defects) and TLS Secrets among them (test/helpers/monorepo.mjs), made at run time.
// Baseline: bench/walk-baseline.mjs, a process that walks the same tree, reads every candidate file and tests it
// with one regular expression (the least any checker must do).
//
//   - `kube-pki check` on the whole repository, every planted finding reported: ≤ 2× the baseline;
//   - the language server: first diagnostics of an opened node-tree file after initialize (≤ 1 s on 100,000
//     files), the whole-workspace summary (≤ 2.5× the baseline), keystrokes in a 5 KB file while the index runs
//     (p95 < 10 ms), peak RSS (< 300 MB on 100,000 files).
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildMonorepo } from '../test/helpers/monorepo.mjs';
import { peakRssMb, startServer } from './lsp.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.join(here, '..', 'dist', 'cli.js');

export async function monorepoFigures({ size, tmp, runs, row, log, helpers }) {
  const { median, percentile, ms, mb, ratio, timed } = helpers;
  const dir = path.join(tmp, `monorepo-${size}`);
  const label = `${(size / 1000).toFixed(0)}k`;
  log(`6. monorepo of ${size} YAML files: writing it...`);
  const t0 = performance.now();
  const repo = await buildMonorepo(dir, { files: size, nodeTrees: 3, tlsSecrets: 5 });
  log(`   written in ${ms(performance.now() - t0)}: ${repo.yamlFiles} YAML files, ${repo.defects.length} planted findings`);
  const rel = (f) => path.relative(dir, f);
  try {
    // Warm the file cache once for both.
    timed([path.join(here, 'walk-baseline.mjs'), dir]);
    const base = [];
    const check = [];
    for (let i = 0; i < runs; i++) {
      const b = timed([path.join(here, 'walk-baseline.mjs'), dir]);
      if (b.status !== 0) throw new Error(`walk-baseline failed: ${b.stderr}`);
      base.push(b.ms);
      const c = timed([CLI, 'check', dir, '--format', 'json'], { cwd: dir });
      if (c.status !== 1) throw new Error(`kube-pki check exited ${c.status}: ${c.stderr.slice(0, 500)}`);
      const got = new Set(JSON.parse(c.stdout).map((f) => `${f.file}:${f.line} ${f.code}`));
      for (const d of repo.defects)
        if (!got.has(`${rel(d.file)}:${d.line + 1} ${d.code}`))
          throw new Error(`kube-pki check missed ${d.defect} (${rel(d.file)}:${d.line + 1} ${d.code})`);
      check.push(c.ms);
    }
    const baseline = median(base);
    const files = JSON.parse(timed([path.join(here, 'walk-baseline.mjs'), dir]).stdout).files;
    const r = median(check) / baseline;
    row(
      'monorepo',
      `monorepo ${label} (${files} YAML files, ${repo.trees.length} node trees, ${repo.secrets.length} TLS Secrets): \`kube-pki check\` of the whole repository, all ${repo.defects.length} planted findings reported, vs walking it, reading every candidate file and testing it with one regular expression`,
      ms(median(check)),
      ms(baseline),
      ratio(r),
      '≤ 2',
      r <= 2,
    );

    // The language server: initialize, then open admin.conf of a node tree at once, keystrokes in it while indexing.
    const admin = repo.trees[0].files['admin.conf'];
    const adminText = readFileSync(admin, 'utf8');
    const expected = repo.defects.filter((d) => d.file === admin).map((d) => d.code);
    const firsts = [];
    const summaries = [];
    const keys = [];
    const rss = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      const client = await startServer(dir);
      const initialized = performance.now();
      try {
        const uri = client.uriOf(admin);
        await client.open(admin, adminText);
        const first = await client.waitForPublish(uri, 0, (d) => d.length > 0, 120_000);
        const codes = first.diagnostics.map((d) => d.code);
        for (const code of expected)
          if (!codes.includes(code)) throw new Error(`the first diagnostics of admin.conf lack ${code}: ${codes.join(', ')}`);
        firsts.push(first.at - (performance.timeOrigin + initialized));
        // Keystrokes while the index runs (a one-character edit, then its removal), each to its publish.
        const at = adminText.indexOf(':6443');
        const pos = positionAt(adminText, at);
        const after = { line: pos.line, character: pos.character + 1 };
        const indexed = () => client.logs.some((l) => /indexed \d+ candidate files/.test(l.message));
        for (let k = 0; k < 200 && !indexed(); k++) {
          const since = client.publishes.length;
          const insert = k % 2 === 0;
          const k0 = performance.now();
          const version = await client.edit(admin, insert ? { start: pos, end: pos } : { start: pos, end: after }, insert ? 'x' : '');
          await client.waitForPublish(uri, since, (_, p) => p.version === version, 60_000);
          if (!indexed()) keys.push(performance.now() - k0);
          await new Promise((r) => setTimeout(r, 20));
        }
        const s = await client.summary();
        if (s.errors < repo.defects.length) throw new Error(`the summary counts ${s.errors} errors, fewer than the ${repo.defects.length} planted`);
        if (s.limits) throw new Error(`the index noted limits: ${s.limits.join('; ')}`);
        summaries.push(performance.now() - t);
        rss.push(peakRssMb(client.proc.pid));
      } finally {
        await client.shutdown();
      }
    }
    const first = median(firsts);
    row(
      'monorepo',
      `monorepo ${label}: language server, first diagnostics of an opened node-tree admin.conf (all its planted findings) after initialize, vs the same baseline`,
      ms(first),
      ms(baseline),
      ratio(first / baseline),
      size >= 100_000 ? '≤ 1 s' : '',
      size >= 100_000 ? first <= 1000 : undefined,
    );
    const sum = median(summaries);
    row(
      'monorepo',
      `monorepo ${label}: language server, start to the whole-workspace summary (every planted finding counted), keystrokes meanwhile, vs the same baseline`,
      ms(sum),
      ms(baseline),
      ratio(sum / baseline),
      '≤ 2.5',
      sum / baseline <= 2.5,
    );
    if (keys.length)
      row(
        'monorepo',
        `monorepo ${label}: keystroke in admin.conf (${(adminText.length / 1024).toFixed(1)} KB) while the workspace is indexed: p50 / p95 of ${keys.length}`,
        `${ms(percentile(keys, 50))} / ${ms(percentile(keys, 95))}`,
        '',
        '',
        'p95 < 10 ms',
        percentile(keys, 95) < 10,
      );
    else row('monorepo', `monorepo ${label}: keystrokes while indexing: the index ended before the first keystroke`, '', '', '', '', undefined);
    row(
      'monorepo',
      `monorepo ${label}: server peak RSS after the summary`,
      mb(median(rss)),
      '',
      '',
      size >= 100_000 ? '< 300 MB' : '',
      size >= 100_000 ? median(rss) < 300 : undefined,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function positionAt(text, offset) {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}
