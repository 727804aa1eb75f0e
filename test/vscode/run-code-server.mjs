#!/usr/bin/env node
// `npm run test:vscode`: the extension-host tests (test/vscode/suite/) in a real VS Code, offline.
//
// What @vscode/test-electron does elsewhere, done with what this machine can install: the VS Code server
// shipped in the npm package code-server (scripts/setup-vscode-test.mjs installs it with Node 24) runs
// with its smoke-test driver on 127.0.0.1, and headless Debian Chromium opens the workbench with a
// `payload` naming this repository as the extension under development and test/vscode/suite/index.js as
// the tests. The tests run in the extension host with the real `vscode` API; the workbench reports their
// output through window.codeAutomationLog and the exit code through window.codeAutomationExit.
//
// Exit status: the suite's (0 all passed, 1 a test failed), or 1 when the run could not happen.
// Env: KUBE_PKI_TEST_TIMEOUT (ms, default 300000), KUBE_PKI_KEEP_TMP=1 keeps the temp folder (logs).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureVsCodeTestEnv } from '../../scripts/setup-vscode-test.mjs';
import { freePort, isolatedEnv, launchChromium, startGroup, waitForHttp } from '../helpers/vscode-host.mjs';
import { buildTestWorkspace } from './workspace.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const TIMEOUT = Number(process.env.KUBE_PKI_TEST_TIMEOUT || 300_000);
const t0 = Date.now();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(1)} s`;
const say = (msg) => console.log(`[test:vscode] ${msg}`);

async function main() {
  const env = ensureVsCodeTestEnv({ quiet: true });
  say(`build (node esbuild.js)`);
  execFileSync(process.execPath, ['esbuild.js'], { cwd: repo, stdio: 'inherit' });

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kube-pki-vscode-'));
  let server;
  let browser;
  let failure;
  let exitCode = 1;
  try {
    const ws = await buildTestWorkspace(tmp);
    say(`workspace ${ws.folder} (${ws.defects.map((d) => d.defect).join(', ')})`);

    const port = await freePort();
    const childEnv = isolatedEnv(path.join(tmp, 'home'));
    const logFile = path.join(tmp, 'server.log');
    server = startGroup(
      env.node,
      [
        env.vscodeServerMain,
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        '--without-connection-token',
        '--accept-server-license-terms',
        '--enable-smoke-test-driver',
        '--disable-telemetry',
        '--disable-workspace-trust',
        '--server-data-dir',
        path.join(tmp, 'server-data'),
        '--user-data-dir',
        path.join(tmp, 'user-data'),
        '--extensions-dir',
        path.join(tmp, 'extensions'),
      ],
      { env: childEnv, cwd: tmp, logFile },
    );
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/`, { server, timeout: 60_000 });
    say(`VS Code server on ${base} (process group ${server.pgid}) after ${elapsed()}`);

    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(repo)],
      ['extensionTestsPath', remote(path.join(repo, 'test', 'vscode', 'suite', 'index.js'))],
    ];
    const url = `${base}/?folder=${encodeURIComponent(ws.folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;

    browser = await launchChromium(env.chromium, childEnv);
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The suite's numbered lines arrive through the workbench log and the browser console, not always in
    // order: print each once, in order (what is left after a gap is flushed at the end).
    const pending = new Map();
    let next = 1;
    let summary;
    const print = (line) => {
      console.log(line);
      if (/^\d+ passed, \d+ failed$/.test(line)) summary = line;
    };
    const flush = (all = false) => {
      while (pending.has(next) || (all && pending.size > 0)) {
        if (!pending.has(next)) next = Math.min(...pending.keys());
        print(pending.get(next));
        pending.delete(next++);
      }
    };
    const suiteLine = (text) => {
      for (const raw of String(text).split('\n')) {
        const m = /\[kube-pki-test\] (\d+)\|(.*)$/.exec(raw);
        if (!m || Number(m[1]) < next) continue;
        pending.set(Number(m[1]), m[2]);
      }
      flush();
    };
    const exited = new Promise((resolve) => {
      page.exposeFunction('codeAutomationExit', (code) => resolve(Number(code)));
    });
    await page.exposeFunction('codeAutomationLog', (type, args) => suiteLine((Array.isArray(args) ? args : [args]).join(' ')));
    page.on('console', (m) => suiteLine(m.text()));
    page.on('pageerror', (e) => say(`page error: ${e.message}`));

    await page.goto(url);
    say(`workbench opened; running the suite`);
    let timer;
    const code = await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(() => resolve('timeout'), TIMEOUT)))]);
    clearTimeout(timer);
    flush(true);
    if (code === 'timeout') {
      failure = `the suite did not finish within ${TIMEOUT} ms`;
      await page.screenshot({ path: path.join(tmp, 'timeout.png') }).catch(() => undefined);
    } else if (code !== 0) {
      failure = `the extension host exited with code ${code}`;
    } else if (!summary) {
      failure = 'the extension host exited 0 but the suite printed no "N passed, N failed" line (did it run?)';
    } else if (!/ 0 failed$/.test(summary) || /^0 passed/.test(summary)) {
      failure = `exit code 0 but the suite says: ${summary}`;
    } else {
      exitCode = 0;
    }
    if (failure) {
      say(`FAILED: ${failure}`);
      try {
        const log = readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n');
        say(`last lines of ${logFile}:\n${log}`);
      } catch {
        // no log
      }
    }
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    if (process.env.KUBE_PKI_KEEP_TMP === '1' || (exitCode !== 0 && process.env.CI !== 'true')) say(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
  say(`${exitCode === 0 ? 'passed' : 'failed'} in ${elapsed()}`);
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`[test:vscode] ${err?.stack ?? err}`);
    process.exit(1);
  },
);
