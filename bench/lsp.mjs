// The language server measured over stdio with the tests' real JSON-RPC client (test/helpers/lsp-client.mjs):
// keystroke latency, hover, workspace scan and peak memory.
//
// Keystrokes: the server runs with KUBE_PKI_PUBLISH_DELAY_MS=0, so the time from sending didChange to
// receiving the publishDiagnostics of that version is the server's work plus the JSON-RPC round trip, without
// the debounce (50 ms by default) an editor adds on top.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { start } from '../test/helpers/lsp-client.mjs';

const NO_DEBOUNCE = { KUBE_PKI_PUBLISH_DELAY_MS: '0' };

export function startServer(rootDir, { env = {}, nodeArgs } = {}) {
  return start(rootDir, { rootDir: '' }, { env: { ...NO_DEBOUNCE, ...env }, ...(nodeArgs ? { nodeArgs } : {}) });
}

function positionAt(text, offset) {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

/** Resolves once the server has said nothing for `quietMs` (the summary after a publish, say). */
async function settle(client, quietMs = 250) {
  let seen = -1;
  while (seen !== client.publishes.length + client.summaries.length) {
    seen = client.publishes.length + client.summaries.length;
    await new Promise((r) => setTimeout(r, quietMs));
  }
}

/** Opens `file` and waits until its first diagnostics are in and the server is idle. */
export async function openAndSettle(client, file, text = readFileSync(file, 'utf8')) {
  const uri = await client.open(file, text);
  await client.waitForDiagnostics(uri, () => true, 60_000);
  await client.summary();
  await settle(client);
  return uri;
}

/**
 * `count` one-character edits at `offset` (insert "x", then delete it, in turn), each timed from didChange to
 * the publishDiagnostics of that version; the server is left idle between keystrokes.
 */
export async function keystrokes(client, file, text, offset, count) {
  const uri = client.uriOf(file);
  const pos = positionAt(text, offset);
  const after = { line: pos.line, character: pos.character + 1 };
  const times = [];
  let diagnostics;
  for (let i = 0; i < count; i++) {
    const since = client.publishes.length;
    const insert = i % 2 === 0;
    const t0 = performance.now();
    const version = await client.edit(file, insert ? { start: pos, end: pos } : { start: pos, end: after }, insert ? 'x' : '');
    const p = await client.waitForPublish(uri, since, (_, params) => params.version === version, 60_000);
    times.push(performance.now() - t0);
    diagnostics = p.diagnostics;
    await settle(client, 60);
  }
  return { times, diagnostics };
}

/** `count` hovers at `offset`, each timed from request to answer. */
export async function hovers(client, file, text, offset, count) {
  const uri = client.uriOf(file);
  const position = positionAt(text, offset);
  const times = [];
  let result;
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    result = await client.request('textDocument/hover', { textDocument: { uri }, position });
    times.push(performance.now() - t0);
  }
  return { times, markdown: result?.contents?.value ?? '' };
}

/** Server start (spawn) to the summary over every file of the workspace, each one checked. */
export async function scan(rootDir) {
  const t0 = performance.now();
  const client = await startServer(rootDir);
  try {
    const summary = await client.summary();
    return { ms: performance.now() - t0, summary };
  } finally {
    await client.shutdown();
  }
}

/** Peak resident set size of a process so far (Linux: VmHWM), in MB. */
export function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) / 1024 : NaN;
}
