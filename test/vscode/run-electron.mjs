#!/usr/bin/env node
// `npm run test:electron`: the same extension-host tests (test/vscode/suite/) in desktop VS Code, through
// @vscode/test-electron. It downloads VS Code (into .vscode-test/, git-ignored) and so needs the internet:
// use it on a workstation or a CI that has it. This project's CI runs the offline route instead
// (`npm run test:vscode`, code-server). On a Linux machine without a display: `xvfb-run -a npm run test:electron`.
//
// Env: VSCODE_TEST_VERSION ('stable' by default, or 'insiders', or a version such as 1.91.0: the oldest
// VS Code package.json's engines.vscode allows).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';
import { buildTestWorkspace } from './workspace.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main() {
  execFileSync(process.execPath, ['esbuild.js'], { cwd: repo, stdio: 'inherit' });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'kube-pki-electron-'));
  try {
    const ws = await buildTestWorkspace(tmp);
    await runTests({
      version: process.env.VSCODE_TEST_VERSION || 'stable',
      extensionDevelopmentPath: repo,
      extensionTestsPath: path.join(repo, 'test', 'vscode', 'suite', 'index.js'),
      extensionTestsEnv: { KUBE_PKI_TEST_PLAIN: '1' },
      launchArgs: [
        ws.folder,
        // Only this extension (built-in ones such as the YAML language stay).
        '--disable-extensions',
        '--disable-workspace-trust',
        '--skip-welcome',
        '--skip-release-notes',
        `--user-data-dir=${path.join(tmp, 'user-data')}`,
      ],
    });
    return 0;
  } catch (err) {
    console.error(`[test:electron] ${err instanceof Error ? err.message : err}`);
    return 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
