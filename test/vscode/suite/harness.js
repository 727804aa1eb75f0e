// A small sequential test runner for the extension host, where `node --test` does not exist: test(name, fn)
// registers, runTests() runs them in order, prints one line per test and a closing
// "N passed, N failed" line, and rejects when any failed (VS Code then ends the run with exit code 1).
// Every line is "PREFIX<seq>|<text>": the drivers pick the suite's output out of the workbench's logs by the
// prefix, and print each numbered line once (it may arrive through more than one channel).
'use strict';

const PREFIX = '[kube-pki-test] ';
const tests = [];
let seq = 0;

// Desktop VS Code (@vscode/test-electron) prints the extension host's console as it is: no prefix needed.
const plain = process.env.KUBE_PKI_TEST_PLAIN === '1';

function log(text) {
  for (const line of String(text).split('\n')) console.log(plain ? line : `${PREFIX}${++seq}|${line}`);
}

/** Registers a test. opts.timeout: milliseconds (default 60 s). */
function test(name, fn, opts = {}) {
  if (tests.some((t) => t.name === name)) throw new Error(`duplicate test name: ${name}`);
  tests.push({ name, fn, timeout: opts.timeout ?? 60_000 });
}

function withTimeout(promise, ms, name) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${name}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The names of the registered tests (all suite files are loaded before the first test runs). */
function testNames() {
  return tests.map((t) => t.name);
}

async function runTests() {
  let passed = 0;
  let failed = 0;
  const started = Date.now();
  log(`running ${tests.length} extension-host tests`);
  for (const t of tests) {
    const t0 = Date.now();
    try {
      await withTimeout(Promise.resolve().then(t.fn), t.timeout, t.name);
      passed++;
      log(`✔ ${t.name} (${Date.now() - t0} ms)`);
    } catch (err) {
      failed++;
      log(`✖ ${t.name} (${Date.now() - t0} ms)`);
      log(String((err && err.stack) || err).replace(/^/gm, '    '));
    }
  }
  log(`${tests.length} tests in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  log(`${passed} passed, ${failed} failed`);
  if (tests.length === 0) throw new Error('no tests were registered');
  if (failed > 0) throw new Error(`${failed} of ${tests.length} extension-host tests failed`);
}

module.exports = { test, runTests, log, testNames, PREFIX };
