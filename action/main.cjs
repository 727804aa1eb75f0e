// The GitHub Action's entry point (action.yml, `runs: using: node20`): plain Node, no dependency, nothing to install.
// It runs `kube-pki check` on the input path from the workspace's root and
//   - prints the findings in the input format (default `github`: annotations on the files' lines),
//   - writes SARIF for code scanning (github/codeql-action/upload-sarif) to the `sarif-file` input,
//   - appends a Markdown table of the findings to $GITHUB_STEP_SUMMARY,
//   - sets the outputs sarif-file, errors, warnings, infos in $GITHUB_OUTPUT,
//   - fails the step when kube-pki finds errors (exit status 1), or when it cannot run (2: bad input or config).
// GitHub passes each input as INPUT_<NAME> (upper case, spaces as '_'), the workspace as GITHUB_WORKSPACE.
//
// The CLI it runs: $KUBE_PKI_CLI; else the bundle beside this file (dist/cli.js: a release ref of the action carries
// it, and a workflow of this repository builds it with `npm run build`); else `kube-pki` on the PATH. Nothing is
// fetched from a registry by name: without one of these the step fails and says how to provide the CLI.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const FORMATS = ['text', 'github', 'json', 'sarif', 'gitlab'];

function input(name, fallback = '') {
  const v = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
  return v === undefined || v.trim() === '' ? fallback : v.trim();
}

function onPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && fs.existsSync(path.join(dir, cmd))) return path.join(dir, cmd);
  }
  return undefined;
}

/** The command line that runs kube-pki: [program, ...leading args]. */
function cli() {
  if (process.env.KUBE_PKI_CLI) return [process.execPath, process.env.KUBE_PKI_CLI];
  const root = path.resolve(__dirname, '..');
  const bundle = path.join(root, 'dist', 'cli.js');
  if (fs.existsSync(bundle)) return [process.execPath, bundle];
  const installed = onPath('kube-pki');
  if (installed) return [installed];
  return undefined;
}

const NO_CLI =
  'no kube-pki CLI: this ref of the action carries no dist/cli.js and no kube-pki is on the PATH. Use a release tag of the action, ' +
  'or install the CLI in an earlier step (from a clone of kube-pki: npm ci && npm pack && npm install -g ./kube-pki-*.tgz), ' +
  'or set KUBE_PKI_CLI to a dist/cli.js';

/** GitHub's escaping of a workflow command's message. */
const escapeData = (s) => String(s).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

/** A Markdown table cell: one line, no column break. */
const cell = (s) =>
  String(s)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, '<br>')
    .replace(/</g, (m, i, all) => (all.startsWith('<br>', i) ? m : '&lt;'));

function plural(n, word) {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function summaryMarkdown(findings, files, code) {
  const count = (sev) => findings.filter((f) => f.severity === sev).length;
  const [errors, warnings, infos] = [count('error'), count('warning'), count('info')];
  const icon = { error: '🔴 error', warning: '🟡 warning', info: '🔵 info' };
  const lines = [
    '### kube-pki',
    '',
    `${plural(errors, 'error')}, ${plural(warnings, 'warning')}, ${plural(infos, 'info')} in ${plural(files, 'file')}${code === 1 ? ': the check fails' : ''}.`,
    '',
  ];
  if (findings.length) {
    lines.push('| Severity | Code | Where | Message |', '| --- | --- | --- | --- |');
    for (const f of findings) {
      const where = f.object
        ? `${f.object.kind}/${f.object.namespace ? `${f.object.namespace}/` : ''}${f.object.name ?? ''} (${f.file}:${f.line})`
        : `${f.file}:${f.line}`;
      lines.push(`| ${icon[f.severity] ?? f.severity} | \`${f.code}\` | ${cell(where)} | ${cell(f.message)} |`);
    }
    lines.push('');
  }
  return { text: lines.join('\n') + '\n', errors, warnings, infos };
}

function main() {
  const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
  const target = input('path', '.');
  const format = input('format', 'github');
  if (!FORMATS.includes(format)) {
    process.stdout.write(`::error title=kube-pki::${escapeData(`the format input must be one of ${FORMATS.join(', ')}, not '${format}'`)}\n`);
    return 2;
  }
  const sarifFile = path.resolve(workspace, input('sarif-file', 'kube-pki.sarif'));
  const common = [];
  const config = input('config');
  if (config) common.push('--config', config);
  const baseline = input('baseline');
  if (baseline) common.push('--baseline', baseline);

  const command = cli();
  if (!command) {
    process.stdout.write(`::error title=kube-pki::${escapeData(NO_CLI)}\n`);
    return 2;
  }
  const [program, ...lead] = command;
  const run = (args) => {
    const r = spawnSync(program, [...lead, 'check', target, ...common, ...args], {
      cwd: workspace,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      env: { ...process.env, NO_COLOR: '1' },
    });
    if (r.error) throw new Error(`cannot run ${program}: ${r.error.message}`);
    return r;
  };

  // What the log shows (annotations with the github format), and the status of the step.
  const shown = run(['--format', format]);
  process.stdout.write(shown.stdout);
  process.stderr.write(shown.stderr);
  if (shown.status !== 0 && shown.status !== 1) {
    process.stdout.write(
      `::error title=kube-pki::${escapeData(`kube-pki could not check ${target} (exit status ${shown.status}): ${shown.stderr.trim()}`)}\n`,
    );
    return shown.status ?? 2;
  }
  // SARIF for code scanning, and the findings for the summary.
  const sarif = run(['--format', 'sarif']);
  fs.mkdirSync(path.dirname(sarifFile), { recursive: true });
  fs.writeFileSync(sarifFile, sarif.stdout);
  const json = run(['--format', 'json']);
  const findings = JSON.parse(json.stdout);
  // The summary line (text and github formats end with it): how many files were checked.
  const last = (format === 'text' || format === 'github' ? shown : run(['--format', 'text'])).stdout.trim().split('\n').pop() ?? '';
  const files = Number(/ in (\d+) files?$/.exec(last)?.[1] ?? 0);
  const summary = summaryMarkdown(findings, files, shown.status);
  if (process.env.GITHUB_STEP_SUMMARY) fs.appendFileSync(process.env.GITHUB_STEP_SUMMARY, summary.text);
  if (process.env.GITHUB_OUTPUT) {
    const out = [`sarif-file=${sarifFile}`, `errors=${summary.errors}`, `warnings=${summary.warnings}`, `infos=${summary.infos}`];
    fs.appendFileSync(process.env.GITHUB_OUTPUT, out.join('\n') + '\n');
  }
  if (shown.status === 1) process.stdout.write(`::error title=kube-pki::${escapeData(`${plural(summary.errors, 'error')} in ${target}`)}\n`);
  return shown.status;
}

try {
  process.exitCode = main();
} catch (err) {
  process.stdout.write(`::error title=kube-pki::${escapeData(err instanceof Error ? err.message : String(err))}\n`);
  process.exitCode = 2;
}
