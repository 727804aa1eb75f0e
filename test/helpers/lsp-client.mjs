// A real LSP client over stdio for `node dist/server.js --stdio`, for the tests.
// Speaks JSON-RPC through vscode-jsonrpc (installed with vscode-languageclient).
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SERVER = path.resolve(here, '../../dist/server.js');

export const uriOf = (file) => pathToFileURL(file).href;

/**
 * Starts the server with `rootDir` as the only workspace folder.
 * options.configuration: 'answer' (default: answers workspace/configuration with `settings`),
 *   'null' (answers null for every item), 'unsupported' (does not announce the capability).
 * options.relatedInformation: announce DiagnosticRelatedInformation support (default true).
 * options.env: variables added to the server's environment; options.nodeArgs: node flags (e.g. --cpu-prof).
 * options.initializationOptions: sent in `initialize` (e.g. { trusted: false }, as VS Code's client in Restricted Mode).
 * options.server: another copy of dist/server.js; options.runAs: a command prefix (e.g. ['setpriv', '--reuid=65534', …]);
 * options.cwd: the server's working folder.
 * options.codeLensRefresh: announce workspace/codeLens/refresh support (each request is counted in lensRefreshes).
 * options.workDoneProgress: announce window.workDoneProgress (tokens created and $/progress are recorded in progress).
 */
export async function start(rootDir, settings = {}, options = {}) {
  const argv = [...(options.nodeArgs ?? []), options.server ?? SERVER, '--stdio'];
  // options.runAs: a command line the server runs under (e.g. setpriv dropping to an unprivileged user).
  const [command, args] = options.runAs ? [options.runAs[0], [...options.runAs.slice(1), process.execPath, ...argv]] : [process.execPath, argv];
  const proc = spawn(command, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr += d;
  });
  const connection = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const exited = new Promise((resolve) =>
    proc.on('exit', (code, signal) => {
      // Pending requests fail instead of hanging when the server dies.
      setImmediate(() => connection.dispose());
      resolve({ code, signal });
    }),
  );

  const mode = options.configuration ?? 'answer';
  const client = {
    proc,
    connection,
    settings,
    /** uri -> latest PublishDiagnosticsParams */
    diagnostics: new Map(),
    /** every publishDiagnostics, in order, with the time it arrived */
    publishes: [],
    summaries: [],
    /** every workspace/codeLens/refresh request, with the time it arrived */
    lensRefreshes: [],
    /** every $/progress ({token, value, at}) and every token window/workDoneProgress/create asked for */
    progress: [],
    progressTokens: [],
    logs: [],
    registrations: [],
    configurationRequests: 0,
    versions: new Map(),
    waiters: new Set(),
    get stderr() {
      return stderr;
    },
    exited,
  };

  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    client.diagnostics.set(params.uri, params);
    client.publishes.push({ ...params, at: Date.now() });
    notify(client);
  });
  connection.onNotification('kubePki/summaryChanged', (s) => {
    client.summaries.push(s);
    notify(client);
  });
  connection.onNotification('window/logMessage', (m) => client.logs.push(m));
  connection.onNotification('window/showMessage', (m) => client.logs.push(m));
  // Work done progress ($/progress), recorded when the client announces window.workDoneProgress (options.workDoneProgress).
  connection.onNotification('$/progress', (p) => {
    client.progress.push({ ...p, at: Date.now() });
    notify(client);
  });
  connection.onNotification('telemetry/event', () => {});
  connection.onRequest('workspace/configuration', (params) => {
    client.configurationRequests++;
    return params.items.map((item) => {
      if (mode === 'null') return null;
      if (item.section === 'kubePki') return client.settings;
      return null;
    });
  });
  connection.onRequest('client/registerCapability', (params) => {
    client.registrations.push(...params.registrations);
    return null;
  });
  connection.onRequest('client/unregisterCapability', () => null);
  connection.onRequest('workspace/codeLens/refresh', () => {
    client.lensRefreshes.push({ at: Date.now(), publishes: client.publishes.length });
    notify(client);
    return null;
  });
  connection.onRequest('window/workDoneProgress/create', (p) => {
    client.progressTokens.push(p.token);
    return null;
  });
  connection.onRequest('workspace/workspaceFolders', () => [{ uri: uriOf(rootDir), name: path.basename(rootDir) }]);
  connection.listen();

  const capabilities = {
    workspace: {
      configuration: mode !== 'unsupported',
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: true },
      workspaceFolders: true,
      executeCommand: { dynamicRegistration: false },
      ...(options.codeLensRefresh ? { codeLens: { refreshSupport: true } } : {}),
    },
    textDocument: {
      synchronization: { dynamicRegistration: false, didSave: false },
      publishDiagnostics: { relatedInformation: options.relatedInformation ?? true, versionSupport: true },
    },
    window: { workDoneProgress: options.workDoneProgress === true },
  };
  client.initializeResult = await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: uriOf(rootDir),
    workspaceFolders: [{ uri: uriOf(rootDir), name: path.basename(rootDir) }],
    capabilities,
    ...(options.initializationOptions ? { initializationOptions: options.initializationOptions } : {}),
  });
  await connection.sendNotification('initialized', {});
  return Object.assign(client, methods(client));
}

function notify(client) {
  for (const w of [...client.waiters]) w();
}

/** Resolves when check() returns true (checked now and on every message), rejects after timeoutMs. */
function waitFor(client, check, timeoutMs, describe) {
  return new Promise((resolve, reject) => {
    const tryNow = () => {
      let value;
      try {
        value = check();
      } catch (err) {
        cleanup();
        reject(err);
        return;
      }
      if (value) {
        cleanup();
        resolve(value);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${describe()}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      client.waiters.delete(tryNow);
    };
    client.waiters.add(tryNow);
    tryNow();
  });
}

function methods(client) {
  const { connection } = client;
  return {
    uriOf,
    async open(file, text, languageId = 'yaml', uri = uriOf(file)) {
      client.versions.set(uri, 1);
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
      return uri;
    },
    /** Replaces the whole text (a full-content change, which incremental sync also accepts). */
    async change(file, text, uri = uriOf(file)) {
      const version = (client.versions.get(uri) ?? 1) + 1;
      client.versions.set(uri, version);
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ text }],
      });
      return version;
    },
    /** An incremental edit: replace `range` with `text`. */
    async edit(file, range, text, uri = uriOf(file)) {
      const version = (client.versions.get(uri) ?? 1) + 1;
      client.versions.set(uri, version);
      await connection.sendNotification('textDocument/didChange', {
        textDocument: { uri, version },
        contentChanges: [{ range, text }],
      });
      return version;
    },
    async close(file, uri = uriOf(file)) {
      client.versions.delete(uri);
      await connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
    },
    /** changes: [{file, type}] with type 1 created, 2 changed, 3 deleted. */
    async filesChanged(changes) {
      await connection.sendNotification('workspace/didChangeWatchedFiles', {
        changes: changes.map((c) => ({ uri: c.uri ?? uriOf(c.file), type: c.type ?? 2 })),
      });
    },
    async changeSettings(settings) {
      client.settings = settings;
      await connection.sendNotification('workspace/didChangeConfiguration', { settings: { kubePki: settings } });
    },
    request(method, params) {
      return connection.sendRequest(method, params);
    },
    summary() {
      return connection.sendRequest('kubePki/summary');
    },
    recheck() {
      return connection.sendRequest('workspace/executeCommand', { command: 'kubePki.recheckWorkspace', arguments: [] });
    },
    /** The latest diagnostics of `uri`, once `predicate(diagnostics, params)` holds. */
    waitForDiagnostics(uri, predicate = () => true, timeoutMs = 10000) {
      return waitFor(
        client,
        () => {
          const p = client.diagnostics.get(uri);
          return p && predicate(p.diagnostics, p) ? p.diagnostics : undefined;
        },
        timeoutMs,
        () =>
          `diagnostics of ${uri}; latest: ${JSON.stringify(client.diagnostics.get(uri)?.diagnostics?.map((d) => `${d.code}@${d.range.start.line}`))}`,
      );
    },
    /** Waits for a publish of `uri` after `since` (a publishes.length taken before the action). */
    waitForPublish(uri, since, predicate = () => true, timeoutMs = 10000) {
      return waitFor(
        client,
        () => client.publishes.slice(since).find((p) => p.uri === uri && predicate(p.diagnostics, p)),
        timeoutMs,
        () => `a new publish for ${uri}`,
      );
    },
    /** Resolves with check()'s value once it is truthy (checked on every message from the server). */
    waitUntil(check, timeoutMs = 10000, describe = () => 'a condition') {
      return waitFor(client, check, timeoutMs, describe);
    },
    waitForSummary(predicate = () => true, timeoutMs = 10000) {
      return waitFor(
        client,
        () => client.summaries.find(predicate),
        timeoutMs,
        () => 'kubePki/summaryChanged',
      );
    },
    async shutdown() {
      try {
        await Promise.race([connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 3000))]);
        await connection.sendNotification('exit');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => proc_kill(client.proc), 3000);
      const result = await client.exited;
      clearTimeout(timer);
      connection.dispose();
      return result;
    },
  };
}

function proc_kill(proc) {
  try {
    proc.kill('SIGKILL');
  } catch {
    // gone
  }
}
