// Running VS Code (code-server, or the VS Code server inside it) and headless Chromium for the tests:
// free loopback ports, a throwaway home for everything they write, servers in their own session and
// process group (setsid) that are always stopped as a group, and the browser through playwright-core.
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';

/** A TCP port free on 127.0.0.1 right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * An environment whose XDG folders (and so everything code-server and Chromium write: settings, caches,
 * logs, crash dumps) live under dir, not in the home directory.
 */
export function isolatedEnv(dir, extra = {}) {
  const env = { ...process.env };
  for (const [k, sub] of [
    ['XDG_CONFIG_HOME', 'config'],
    ['XDG_DATA_HOME', 'data'],
    ['XDG_CACHE_HOME', 'cache'],
    ['XDG_STATE_HOME', 'state'],
    ['XDG_RUNTIME_DIR', 'runtime'],
  ]) {
    env[k] = path.join(dir, sub);
    mkdirSync(env[k], { recursive: true, mode: 0o700 });
  }
  // Never let an outer VS Code or a proxy leak into the one under test.
  for (const k of Object.keys(env)) if (/^(VSCODE_|ELECTRON_RUN_AS_NODE)/.test(k)) delete env[k];
  env.DONT_PROMPT_WSL_INSTALL = '1';
  return { ...env, ...extra };
}

const groups = new Set();
let hooked = false;

/**
 * $KUBE_PKI_PGID_DIR (set by .ci/run): each running group is also a file named by its id there, so that
 * the shell's trap can end it even if this process is killed outright.
 */
function recordGroup(pgid, running) {
  const dir = process.env.KUBE_PKI_PGID_DIR;
  if (!dir) return;
  const file = path.join(dir, String(pgid));
  try {
    if (running) writeFileSync(file, `${process.pid}\n`);
    else rmSync(file, { force: true });
  } catch {
    // bookkeeping only
  }
}

function killGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false; // already gone
  }
}

function hookExit() {
  if (hooked) return;
  hooked = true;
  // Whatever the outcome (an assertion, an exception, Ctrl-C, a CI timeout's SIGTERM): no server survives.
  process.on('exit', () => {
    for (const pid of groups) killGroup(pid, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      for (const pid of groups) killGroup(pid, 'SIGKILL');
      process.exit(128 + { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 }[sig]);
    });
  }
}

/**
 * Starts a server in a new session and process group (setsid: Node's `detached` on Linux), its output
 * going to logFile. Returns { child, pgid, stop() }; stop() ends the whole group (TERM, then KILL).
 */
export function startGroup(command, args, { env, cwd, logFile }) {
  hookExit();
  const out = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { env, cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  // Two sources into one log: neither may end it (the one that ends first would, and the other's late output would
  // then be written after end); it ends when both are closed ('close'), or in stop().
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  child.on('close', () => {
    if (!out.writableEnded) out.end();
  });
  const pgid = child.pid;
  groups.add(pgid);
  recordGroup(pgid, true);
  let exited = false;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => ((exited = true), resolve({ code, signal }))));
  return {
    child,
    pgid,
    exit,
    get exited() {
      return exited;
    },
    async stop() {
      if (!groups.has(pgid)) return;
      killGroup(pgid, 'SIGTERM');
      // The leader may exit before its children (file watchers, extension hosts): wait for the group.
      const end = Date.now() + 5000;
      while (Date.now() < end && groupAlive(pgid)) await new Promise((r) => setTimeout(r, 100));
      if (groupAlive(pgid)) killGroup(pgid, 'SIGKILL');
      groups.delete(pgid);
      recordGroup(pgid, false);
      await Promise.race([exit, new Promise((r) => setTimeout(r, 2000))]);
      // Output still in the pipes after the group ended would be written after end(): detach the pipes first.
      child.stdout.unpipe(out);
      child.stderr.unpipe(out);
      if (!out.writableEnded) out.end();
    },
  };
}

function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once GET url answers (any status below 500); rejects after timeout or when server exits. */
export async function waitForHttp(url, { timeout = 60_000, server } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    if (server?.exited) throw new Error(`the server exited before ${url} answered`);
    const status = await new Promise((resolve) => {
      const req = http.get(url, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', () => resolve(0));
      req.setTimeout(2000, () => {
        req.destroy();
        resolve(0);
      });
    });
    if (status > 0 && status < 500) return status;
    if (Date.now() > end) throw new Error(`${url} did not answer within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Headless Debian Chromium through playwright-core (which never downloads a browser of its own). */
export async function launchChromium(executablePath, env) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    env,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
