// `npm run test:e2e`: kube-pki as a person meets it. Packages the extension (`npm run package`), installs
// the .vsix into code-server (the browser VS Code, scripts/setup-vscode-test.mjs installs it offline), serves
// it on 127.0.0.1, opens the generated example workspace (examples/make-example.mjs) in headless Chromium
// and checks what is on the screen: the squiggles on the right lines of a broken kubeconfig, the hover,
// the Problems panel entries with their codes, the status bar count. Screenshots go to test-results/
// (git-ignored); look at them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureVsCodeTestEnv } from '../../scripts/setup-vscode-test.mjs';
import { freePort, isolatedEnv, launchChromium, startGroup, waitForHttp } from '../helpers/vscode-host.mjs';
import { zipEntries, zipEntry } from '../helpers/zip.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;
const SHOTS = path.join(repo, 'test-results');
const mod = 'Control';

let env;
let tmp;
let vsix;
let example;
let expected; // the example's planted defects: { code, file (relative), line (1-based) }
let cliCounts; // { errors, warnings } from the CLI over the same tree
let server;
let browser;
let page;
let extensionsDir;
let childEnv;
let serverTmp; // the TMPDIR of code-server and its extension host

const shot = async (name, opts = {}) => {
  const file = path.join(SHOTS, name);
  await page.screenshot({ path: file, ...opts });
  return file;
};

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

before(async () => {
  env = ensureVsCodeTestEnv({ quiet: true });
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kube-pki-e2e-'));
  mkdirSync(SHOTS, { recursive: true });

  // The package a user installs: `npm run package` (vscode:prepublish builds dist/ with --production).
  vsix = path.join(tmp, `${pkg.name}-${pkg.version}.vsix`);
  run('npm', ['run', 'package', '--', '--out', vsix], { cwd: repo });

  // The example workspace, generated now (certificates expire).
  example = path.join(tmp, 'broken-cluster');
  run(process.execPath, [path.join(repo, 'examples', 'make-example.mjs'), '--out', example], { cwd: repo });
  expected = JSON.parse(readFileSync(path.join(example, '.kube-pki-example.json'), 'utf8')).expected;
  const json = spawnSync(process.execPath, [path.join(repo, 'dist', 'cli.js'), 'check', example, '--format', 'json'], { encoding: 'utf8' });
  const findings = JSON.parse(json.stdout);
  cliCounts = { errors: findings.filter((f) => f.severity === 'error').length, warnings: findings.filter((f) => f.severity === 'warning').length };

  childEnv = isolatedEnv(path.join(tmp, 'home'));
  const userData = path.join(tmp, 'user-data');
  extensionsDir = path.join(tmp, 'extensions');
  mkdirSync(path.join(userData, 'User'), { recursive: true });
  // A first start without the welcome page, tips, recommendations and the chat side bar in the way.
  writeFileSync(
    path.join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'workbench.tips.enabled': false,
        'workbench.enableExperiments': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        'chat.disableAIFeatures': true,
        'extensions.ignoreRecommendations': true,
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'security.workspace.trust.enabled': false,
        'editor.minimap.enabled': false,
        'window.commandCenter': false,
      },
      null,
      2,
    ),
  );
  serverTmp = path.join(tmp, 'server-tmp');
  mkdirSync(serverTmp);
  const port = await freePort();
  const config = path.join(tmp, 'code-server.yaml');
  writeFileSync(config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensionsDir];

  // Install the .vsix the way a person would: code-server --install-extension kube-pki-<v>.vsix.
  const installed = run(env.node, [env.codeServerEntry, ...common, '--install-extension', vsix], { env: childEnv, cwd: tmp });
  assert.match(installed, /successfully installed/i, installed);

  server = startGroup(
    env.node,
    [
      env.codeServerEntry,
      ...common,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
    ],
    // Its temporary folder inside ours: Open Example Cluster offers a folder there (the last test).
    { env: { ...childEnv, TMPDIR: serverTmp }, cwd: tmp, logFile: path.join(tmp, 'code-server.log') },
  );
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/healthz`, { server, timeout: 60_000 });

  browser = await launchChromium(env.chromium, childEnv);
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${base}/?folder=${encodeURIComponent(example)}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The status bar entry appears once the extension activated (workspaceContains: the example has *.conf).
  await page.locator('.statusbar-item', { hasText: 'PKI' }).first().waitFor({ timeout: 60_000 });
});

after(async () => {
  // The last state of the window, for a person to look at when something failed.
  if (page) await shot('e2e-last.png').catch(() => undefined);
  await browser?.close().catch(() => undefined);
  await server?.stop();
  if (tmp) {
    if (process.env.KUBE_PKI_KEEP_TMP === '1') console.log(`# kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
});

/** Opens a workspace file through Quick Open, as a person would (F1, then the file name instead of ">"). */
async function openFile(rel) {
  // F1 rather than Ctrl+P: it works wherever the focus is (Ctrl+P does nothing with the Problems tree focused).
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(rel);
  // Wait for the search to list it, then open the first match.
  await page
    .locator('.quick-input-widget .monaco-list-row', { hasText: path.basename(rel) })
    .first()
    .waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tab.active', { hasText: path.basename(rel) }).waitFor();
  await page.locator('.editor-instance .view-lines').first().waitFor();
}

/** The 1-based line numbers (as the gutter shows them) on which a squiggle of this kind is drawn. */
async function squiggleLines(kind = 'error') {
  return page.evaluate((cls) => {
    const editor = document.querySelector('.editor-group-container.active .monaco-editor');
    if (!editor) return [];
    const numbers = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].map((el) => {
      const r = el.getBoundingClientRect();
      return { n: Number(el.textContent.trim()), mid: (r.top + r.bottom) / 2 };
    });
    const lines = new Set();
    for (const sq of editor.querySelectorAll(`.squiggly-${cls}`)) {
      const r = sq.getBoundingClientRect();
      const hit = numbers.find((x) => x.mid >= r.top && x.mid <= r.bottom);
      if (hit) lines.add(hit.n);
    }
    return [...lines].sort((a, b) => a - b);
  }, kind);
}

async function waitForValue(fn, pred, what, timeout = 30_000) {
  const end = Date.now() + timeout;
  let v;
  for (;;) {
    v = await fn();
    if (pred(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; last saw ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

// --------------------------------------------------------------------------------------------------

test('the .vsix holds only the bundled extension, and is small', () => {
  const names = zipEntries(readFileSync(vsix))
    .filter((n) => n.startsWith('extension/'))
    .sort();
  const allowed = [
    /^extension\/package\.json$/,
    /^extension\/readme\.md$/,
    /^extension\/changelog\.md$/,
    /^extension\/LICENSE\.txt$/,
    /^extension\/images\/icon\.png$/,
    /^extension\/dist\/(client|server)\.js$/,
    /^extension\/dist\/webview\/timeline\.(js|css)$/,
    /^extension\/syntaxes\/[^/]+\.json$/,
    /^extension\/media\/walkthrough\/[^/]+\.md$/,
  ];
  const stray = names.filter((n) => !allowed.some((re) => re.test(n)));
  assert.deepEqual(stray, [], `unexpected files in the .vsix: ${stray.join(', ')}`);
  for (const n of [
    'extension/package.json',
    'extension/dist/client.js',
    'extension/dist/server.js',
    'extension/dist/webview/timeline.js',
    'extension/dist/webview/timeline.css',
    'extension/LICENSE.txt',
    'extension/images/icon.png',
    'extension/changelog.md',
    'extension/readme.md',
    ...pkg.contributes.walkthroughs.flatMap((w) => w.steps.map((st) => `extension/${st.media.markdown}`)),
  ]) {
    assert.ok(names.includes(n), `${n} is missing from the .vsix`);
  }
  const size = statSync(vsix).size;
  assert.ok(size < 1024 * 1024, `the .vsix is ${size} bytes`);

  // The extension's page is the README for users (docs/marketplace/README.md), not the developer README, and
  // every picture it shows is in the package or a file of the repository behind an absolute URL.
  const page = zipEntry(readFileSync(vsix), 'extension/readme.md').toString('utf8');
  assert.equal(page.split('\n')[0], readFileSync(path.join(repo, 'docs/marketplace/README.md'), 'utf8').split('\n')[0]);
  assert.notEqual(page.split('\n')[0], readFileSync(path.join(repo, 'README.md'), 'utf8').split('\n')[0]);
  assert.doesNotMatch(page, /## Tests|npm (ci|test)/);
  assert.match(page, /## Commands/);
  assert.match(page, /## Settings/);
  const sources = [...page.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)|<img[^>]+src=["']([^"']+)["']/g)].map((m) => m[1] ?? m[2]);
  assert.ok(sources.length >= 3, `${sources.length} pictures on the page`);
  const raw = `${pkg.repository.url.replace(/\.git$/, '')}/raw/HEAD/`;
  for (const src of sources) {
    if (/^https:\/\//.test(src)) {
      assert.ok(src.startsWith(raw), `${src}: not a file of the repository`);
      assert.ok(statSync(path.join(repo, src.slice(raw.length))).isFile(), `${src}: ${src.slice(raw.length)} is not in the repository`);
    } else {
      assert.ok(names.includes(`extension/${path.posix.normalize(src)}`), `${src} is not in the .vsix`);
    }
  }
  console.log(`# ${path.basename(vsix)}: ${names.length} files, ${(size / 1024).toFixed(0)} KiB`);
});

test('code-server lists the installed extension', () => {
  const list = run(env.node, [env.codeServerEntry, '--extensions-dir', extensionsDir, '--list-extensions', '--show-versions'], {
    env: childEnv,
    cwd: tmp,
  });
  assert.ok(list.split('\n').includes(`${EXTENSION_ID}@${pkg.version}`), list);
});

test('a broken kubeconfig shows squiggles on the planted lines, and the hover explains one', async () => {
  const rel = 'etc/kubernetes/admin.conf';
  const want = expected
    .filter((e) => e.file === rel)
    .map((e) => e.line)
    .sort((a, b) => a - b);
  assert.deepEqual(want, [5, 18], 'the example plants san-missing on line 5 and org-mismatch on line 18 of admin.conf');
  await openFile(rel);
  const lines = await waitForValue(
    () => squiggleLines('error'),
    (l) => want.every((n) => l.includes(n)),
    `error squiggles on lines ${want}`,
  );
  assert.deepEqual(lines, want, `error squiggles on admin.conf lines ${lines}, expected ${want}`);
  await shot('e2e-1-admin-conf-squiggles.png');

  // Hover the squiggle on line 18: the message a person reads, with its source and code. The squiggle is found
  // again on each try: CodeLenses arriving after the first paint move the lines under a resting mouse.
  const hover = page.locator('.monaco-hover:visible').filter({ hasText: 'org-mismatch' });
  for (let attempt = 1; ; attempt++) {
    const sq = await page.evaluateHandle(() => {
      const editor = document.querySelector('.editor-group-container.active .monaco-editor');
      const num = [...editor.querySelectorAll('.margin-view-overlays .line-numbers')].find((el) => el.textContent.trim() === '18');
      const y = (num.getBoundingClientRect().top + num.getBoundingClientRect().bottom) / 2;
      return [...editor.querySelectorAll('.squiggly-error')].find((s) => {
        const r = s.getBoundingClientRect();
        return y >= r.top && y <= r.bottom;
      });
    });
    const box = await sq.asElement().boundingBox();
    await page.mouse.move(5, 5);
    await page.mouse.move(box.x + Math.min(40, box.width / 2), box.y + box.height / 2);
    try {
      await hover.first().waitFor({ timeout: 5_000 });
      break;
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
  const text = await hover.first().innerText();
  assert.match(text, /system:master/);
  assert.match(text, /kube-pki/);
  assert.match(text, /org-mismatch/);
  // The same hover decodes the certificate behind client-certificate-data, as a person reads it.
  assert.match(text, /client certificate/);
  assert.match(text, /Certificate CN=kubernetes-admin/);
  assert.match(text, /expires in \d+ days/);
  assert.match(text, /O=system:master/);
  // The message shows once (VS Code's part of the hover), the certificate comes before the role, and no ✅ sits
  // beside a certificate that has a finding.
  assert.equal(text.split('O (groups) is').length - 1, 1, text);
  assert.ok(text.indexOf('Certificate CN=kubernetes-admin') < text.indexOf("'s client certificate"), text);
  assert.doesNotMatch(text, /✅/);
  await shot('e2e-2-admin-conf-hover.png');
  await page.mouse.move(5, 5);
});

/** Runs a command through the command palette (F1), as a person would. */
async function runCommand(title) {
  const input = page.locator('.quick-input-widget input');
  // The palette closes when focus moves away while it opens (a webview or a panel that just finished rendering
  // takes it): then it is opened again, as a person would.
  for (let attempt = 1; ; attempt++) {
    try {
      await page.keyboard.press('F1');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill(`>${title}`, { timeout: 10_000 });
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 10_000 });
      break;
    } catch (err) {
      // Not Escape: on the walkthrough page it goes back to the list of walkthroughs.
      if (attempt === 3) throw err;
    }
  }
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** "kube-pki(code)" and "[Ln N," in one Problems row (innerText splits source and code over lines). */
const rowHas = (row, code, line) => new RegExp(`kube-pki\\s*\\(?\\s*${code}\\b`).test(row) && row.includes(`[Ln ${line},`);

test('the Problems panel lists every planted defect of the open files with its code and line', async () => {
  const files = [...new Set(expected.map((e) => e.file))];
  for (const f of files) await openFile(f);
  await page.keyboard.press(`${mod}+Shift+M`);
  const panel = page.locator('.markers-panel');
  await panel.waitFor({ timeout: 15_000 });
  const names = files.map((f) => path.basename(f));
  /** The panel's rows, each problem with the file whose header it is under. */
  const problems = async () => {
    const out = [];
    let file;
    for (const raw of await panel.locator('.monaco-list-row').allInnerTexts()) {
      const row = raw.replace(/\s+/g, ' ').trim();
      const header = names.find((n) => row.startsWith(n) && !row.includes('[Ln '));
      if (header) file = header;
      else out.push({ file, row });
    }
    return out;
  };
  const want = expected.map((e) => ({ code: e.code, line: e.line, file: path.basename(e.file) }));
  const found = (ps, w) => ps.some((p) => p.file === w.file && rowHas(p.row, w.code, w.line));
  // The list is virtual: maximize the panel so that every row is rendered (restored below, whatever happens).
  await runCommand('View: Toggle Maximized Panel');
  try {
    await waitForValue(
      problems,
      (ps) => want.every((w) => found(ps, w)),
      `Problems rows for ${want.map((w) => `${w.code}@${w.file}:${w.line}`).join(', ')}`,
    );
    await shot('e2e-3-problems-panel.png');
  } finally {
    await runCommand('View: Toggle Maximized Panel');
  }
});

test("the status bar shows the workspace error count the CLI finds, and VS Code's Problems count agrees", async () => {
  assert.ok(cliCounts.errors >= expected.length, `the CLI found ${cliCounts.errors} errors`);
  const want = `PKI: ${cliCounts.errors} error${cliCounts.errors === 1 ? '' : 's'}, ${cliCounts.warnings} warning${cliCounts.warnings === 1 ? '' : 's'}`;
  const item = page.locator('.statusbar-item', { hasText: 'PKI' }).first();
  const text = await waitForValue(
    () => item.innerText(),
    (t) => t.includes(want),
    `the status bar to read "${want}"`,
  );
  assert.ok(text.includes(want), text);
  // VS Code's own Problems count (errors, warnings) agrees: the panel holds the whole workspace, open or not.
  const problemsItem = page.locator('[id="status.problems"]');
  const counts = await waitForValue(
    async () => (await problemsItem.innerText()).replace(/\s+/g, ' ').trim(),
    (t) => t === `${cliCounts.errors} ${cliCounts.warnings}`,
    `VS Code's Problems count to read ${cliCounts.errors} errors, ${cliCounts.warnings} warnings`,
  );
  assert.equal(counts, `${cliCounts.errors} ${cliCounts.warnings}`);
  const b = await item.boundingBox();
  await shot('e2e-4-status-bar-item.png', {
    clip: { x: Math.max(0, b.x - 10), y: b.y - 6, width: Math.min(420, b.width + 20), height: b.height + 12 },
  });
  // The whole window: admin.conf with its squiggles, the Problems panel, the status bar (the README's picture).
  await openFile('etc/kubernetes/admin.conf');
  await page.mouse.move(5, 5);
  await shot('e2e-5-window.png');
  // The README's picture (images/screenshot-diagnostics.png is a copy): the same without the side bar, smaller.
  await runCommand('View: Toggle Primary Side Bar Visibility');
  await page.setViewportSize({ width: 1100, height: 780 });
  await page.locator('.part.sidebar').waitFor({ state: 'hidden' });
  await page.waitForTimeout(500);
  await shot('readme-screenshot-diagnostics.png');
});

// --------------------------------------------------------------------------------------------------
// The whole PKI: the Kube PKI view in the Explorer and the expiry timeline (README "See the whole PKI").

/** The rows of the Kube PKI view, as their text (label and description). */
async function pkiRows() {
  return page.evaluate(() => {
    const header = [...document.querySelectorAll('.pane-header')].find((h) => /Kube PKI/.test(h.textContent));
    const pane = header?.closest('.pane');
    if (!pane) return [];
    const text = (row, sel) => (row.querySelector(sel)?.textContent ?? '').replace(/\s+/g, ' ').trim();
    return [...pane.querySelectorAll('.monaco-list-row')].map((row) => `${text(row, '.label-name')} ${text(row, '.label-description')}`.trim());
  });
}

test('the Kube PKI view lists the CAs, the certificates they signed and the expired one', async () => {
  await page.setViewportSize({ width: 1280, height: 800 });
  // The Problems panel closed: the pictures show the view and the timeline.
  await runCommand('View: Hide Panel');
  await runCommand('Explorer: Focus on Kube PKI View');
  const header = page.locator('.pane-header', { hasText: 'Kube PKI' });
  await header.waitFor({ timeout: 15_000 });
  // The file tree above it, collapsed: the PKI gets the height.
  const folders = page.locator('.pane-header[aria-expanded="true"]', { hasText: path.basename(example) });
  if (await folders.count()) await folders.first().click();
  for (const other of ['Outline', 'Timeline']) {
    const h = page.locator('.pane-header[aria-expanded="true"]', { hasText: new RegExp(`^${other}$`, 'i') });
    if (await h.count()) await h.first().click();
  }
  const rows = await waitForValue(
    pkiRows,
    (rs) =>
      ['kubernetes', 'etcd-ca', 'front-proxy-ca'].every((cn) => rs.some((r) => r.startsWith(`${cn} in `))) &&
      rs.some((r) => /expired \d+ d ago/.test(r)),
    'the three CAs and an expired certificate in the Kube PKI view',
  );
  assert.ok(
    rows.some((r) => /^controller-manager\.conf client CN=system:kube-controller-manager · expired \d+ d ago · cert-expired/.test(r)),
    rows.join('\n'),
  );
  assert.ok(
    rows.some((r) => /^kube-apiserver serving CN=kube-apiserver · in \d+ d/.test(r)),
    rows.join('\n'),
  );
  // Wide enough for the descriptions: drag the side bar's edge.
  const bar = await page.locator('.part.sidebar').boundingBox();
  await page.mouse.move(bar.x + bar.width + 1, bar.y + 200);
  await page.mouse.down();
  await page.mouse.move(560, bar.y + 200, { steps: 8 });
  await page.mouse.up();
  // The expired certificate's tooltip: its problem and dates.
  const expired = page.locator('.pane .monaco-list-row', { hasText: 'controller-manager.conf client' }).first();
  await expired.hover();
  const tip = page.locator('.workbench-hover, .monaco-hover').filter({ hasText: 'cert-expired' });
  await tip.first().waitFor({ timeout: 15_000 });
  assert.match(await tip.first().innerText(), /Subject: CN=system:kube-controller-manager/);
  await shot('e2e-6-pki-tree.png');
  await shot('readme-screenshot-pki-tree.png', { clip: { x: 0, y: 0, width: 1100, height: 800 } });
  await page.mouse.move(900, 700);
});

test("the expiry timeline draws a bar per certificate with today marked, from the view's title bar", async () => {
  const header = page.locator('.pane-header', { hasText: 'Kube PKI' });
  await header.hover();
  await header.locator('.action-label[aria-label*="Show Expiry Timeline"]').click();
  await page.locator('.tab.active', { hasText: 'PKI Expiry Timeline' }).waitFor({ timeout: 15_000 });
  const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
  const bars = frame.locator('svg.timeline rect.bar[data-id]');
  await bars.first().waitFor({ timeout: 30_000 });
  const n = await bars.count();
  const rows = (await pkiRows()).filter((r) => / (in \d+ d|expired \d+ d ago|valid in \d+ d)/.test(r));
  assert.ok(n >= 13, `${n} bars`);
  assert.equal(await frame.locator('svg.timeline line.today').count(), 1);
  assert.match(await frame.locator('svg.timeline .today-label').textContent(), /^today \d{4}-\d{2}-\d{2}$/);
  // Sorted by expiry: the expired controller-manager.conf certificate is the first row, and red.
  assert.match(await frame.locator('svg.timeline g.row .label').first().textContent(), /system:kube-controller-manager/);
  assert.equal(await frame.locator('svg.timeline g.row').first().locator('rect.bar').getAttribute('class'), 'bar bar-expired');
  console.log(`# timeline: ${n} bars; the view shows ${rows.length} certificate rows`);
  // The picture for the README: the timeline alone.
  await runCommand('View: Toggle Primary Side Bar Visibility');
  await page.locator('.part.sidebar').waitFor({ state: 'hidden' });
  await page.setViewportSize({ width: 1360, height: 760 });
  await page.waitForTimeout(700);
  await shot('e2e-7-timeline.png');
  // Closer: 15 months around today (the CAs' bars go on beyond the edge).
  await frame.locator('#range').selectOption('near');
  await waitForValue(
    () => frame.locator('svg.timeline text.cut').count(),
    (c) => c > 0,
    'the bars cut by the shorter range',
  );
  assert.equal(await bars.count(), n, 'still one bar per certificate');
  await page.waitForTimeout(300);
  await shot('e2e-8-timeline-near.png');
  await shot('readme-screenshot-timeline.png');
});

// --------------------------------------------------------------------------------------------------
// The first run: the walkthrough (README "First run"), opened by Kube PKI: Get Started, which runs
// workbench.action.openWalkthrough with <publisher>.<name>#<walkthrough id>.

test('Kube PKI: Get Started opens the walkthrough: its steps with their buttons and pages; a step is done when its button ran', async () => {
  const walkthrough = pkg.contributes.walkthroughs[0];
  await page.setViewportSize({ width: 1280, height: 900 });
  await runCommand('View: Close All Editors');
  await runCommand('Kube PKI: Get Started');
  const container = page.locator('.gettingStartedContainer');
  const step = (i) => container.locator('button.getting-started-step', { hasText: walkthrough.steps[i].title }).first();
  await step(0).waitFor({ timeout: 30_000 });
  await page.locator('.tab.active', { hasText: 'Welcome' }).waitFor();
  const text = await container.innerText();
  assert.ok(text.includes(walkthrough.title), text);
  for (const st of walkthrough.steps) assert.ok(text.includes(st.title), `step "${st.title}" on the page`);
  // The media page of a step: media/walkthrough/*.md, in the Welcome page's webview.
  const media = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');

  // "See what is wrong": its button opens the Problems panel, and the step is done (onCommand / onView).
  assert.equal(await step(1).getAttribute('aria-checked'), 'false');
  await step(1).click();
  await media.locator('h1', { hasText: 'Every finding is a promise' }).waitFor({ timeout: 30_000 });
  await container.locator('.getting-started-step.expanded a', { hasText: 'Show Problems' }).first().click();
  await page.locator('.markers-panel').waitFor({ timeout: 15_000 });
  await waitForValue(
    () => step(1).getAttribute('aria-checked'),
    (v) => v === 'true',
    'the step "See what is wrong" to be marked done',
  );
  // Nothing modal came up on the way (a dialog would make the workbench inert).
  const dialog = page.locator('.monaco-dialog-box');
  if (await dialog.count()) {
    await shot('e2e-9-dialog.png');
    assert.fail(`a dialog: ${await dialog.first().innerText()}`);
  }
  await runCommand('View: Hide Panel');

  // The picture for the README: the first step, its button and the example it makes.
  await step(0).click();
  await container.locator('.getting-started-step.expanded a', { hasText: 'Open Example Cluster' }).first().waitFor({ timeout: 15_000 });
  await media.locator('h1', { hasText: 'The example cluster' }).waitFor({ timeout: 30_000 });
  await page.mouse.move(5, 5);
  await page.waitForTimeout(500);
  await shot('e2e-9-walkthrough.png');
  await shot('readme-screenshot-walkthrough.png');
});

test('Kube PKI: Open Example Cluster, as a person runs it: a new folder, opened in this window, the walkthrough at its next step', async () => {
  // Through the palette; its quick pick follows in the same input (runCommand would wait for the input to close).
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill('>Kube PKI: Open Example Cluster');
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Open Example Cluster' }).first().waitFor();
  await page.keyboard.press('Enter');
  // Where: the temporary folder (the home folder is the real one's here).
  const where = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'a temporary folder' });
  await where.first().waitFor({ timeout: 30_000 });
  const label = (await where.first().innerText()).replace(/\s+/g, ' ');
  const folder = path.join(serverTmp, 'kube-pki-example');
  assert.ok(label.includes(folder), label);
  await where.first().click();
  // A folder is open (the first example): asked how to open the new one.
  const toast = page.locator('.notification-toast', { hasText: 'the example cluster is in' });
  await toast.waitFor({ timeout: 60_000 });
  assert.match(await toast.innerText(), /5 planted mistakes/);
  const marker = JSON.parse(readFileSync(path.join(folder, '.kube-pki-example.json'), 'utf8'));
  assert.deepEqual(
    marker.expected.map((e) => `${e.code} ${e.file}:${e.line}`),
    expected.map((e) => `${e.code} ${e.file}:${e.line}`),
    'the same five mistakes as npm run example',
  );
  await toast.getByRole('button', { name: 'Open', exact: true }).click();
  // The window reloads with the example: its status, and the walkthrough again, at "See what is wrong".
  await page.waitForURL(/kube-pki-example/, { timeout: 60_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const want = `PKI: ${cliCounts.errors} errors, ${cliCounts.warnings} warnings`;
  await waitForValue(
    () => page.locator('.statusbar-item', { hasText: 'PKI' }).first().innerText(),
    (t) => t.includes(want),
    `the status bar to read "${want}"`,
    60_000,
  );
  const walkthrough = pkg.contributes.walkthroughs[0];
  const container = page.locator('.gettingStartedContainer');
  const expanded = container.locator('button.getting-started-step[aria-expanded="true"]');
  await expanded.first().waitFor({ timeout: 30_000 });
  assert.match(await expanded.first().innerText(), new RegExp(walkthrough.steps[1].title));
  // The first step is done: its button's command ran.
  const first = container.locator('button.getting-started-step', { hasText: walkthrough.steps[0].title }).first();
  assert.equal(await first.getAttribute('aria-checked'), 'true');
  await shot('e2e-10-example-opened.png');
});
