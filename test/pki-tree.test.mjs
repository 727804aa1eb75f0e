// The Kube PKI view's grouping (client/src/pkiTree.ts) and the expiry timeline's SVG and page
// (client/src/timeline.ts, client/src/webview/) on hand-made inventories: what the extension-host suite's single node tree
// cannot show (several nodes, an intermediate CA, certificates without their CA, keys without
// certificates, hostile names). The client code is bundled with esbuild against a stub of `vscode`.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let tree;
let timeline;
let messages;

/** Just what the two modules touch at load time and in the functions under test. */
const VSCODE_STUB = `
class ThemeColor { constructor(id) { this.id = id; } }
class ThemeIcon { constructor(id, color) { this.id = id; this.color = color; } }
class MarkdownString { constructor(value = '', icons = false) { this.value = value; this.supportThemeIcons = icons; } }
class TreeItem { constructor(label, state) { this.label = label; this.collapsibleState = state; } }
class EventEmitter { constructor() { this.event = () => ({ dispose() {} }); } fire() {} dispose() {} }
class Range { constructor(a, b, c, d) { this.start = { line: a, character: b }; this.end = { line: c, character: d }; } }
class Position { constructor(line, character) { this.line = line; this.character = character; } }
module.exports = {
  ThemeColor, ThemeIcon, MarkdownString, TreeItem, EventEmitter, Range, Position,
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  Uri: { file: (p) => ({ scheme: 'file', fsPath: p }) },
  workspace: { asRelativePath: (p) => String(p) },
  ViewColumn: { Active: -1 },
};`;

async function load(entry) {
  const esbuild = require('esbuild');
  const out = await esbuild.build({
    entryPoints: [path.join(repo, entry)],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'vscode-stub',
        setup: (b) => {
          b.onResolve({ filter: /^vscode$/ }, () => ({ path: 'vscode', namespace: 'stub' }));
          b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: VSCODE_STUB, loader: 'js' }));
        },
      },
    ],
  });
  const m = { exports: {} };
  new Function('module', 'exports', 'require', out.outputFiles[0].text)(m, m.exports, require);
  return m.exports;
}

before(async () => {
  tree = await load('client/src/pkiTree.ts');
  timeline = await load('client/src/timeline.ts');
  messages = await load('client/src/webview/messages.ts');
});

const NOW = '2026-06-01T00:00:00.000Z';
let n = 0;
function cert(over) {
  const id = (over.id ?? `${++n}`).padStart(64, '0');
  return {
    subject: `CN=${over.commonName}`,
    issuer: 'CN=x',
    organizations: [],
    sans: [],
    isCA: false,
    selfSigned: false,
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    daysLeft: 214,
    status: 'ok',
    keyAlgorithm: 'RSA 2048',
    files: [],
    references: [],
    problems: [],
    externallyManaged: false,
    ...over,
    id,
  };
}

function inventory() {
  const root = cert({
    id: 'a',
    commonName: 'kubernetes',
    isCA: true,
    selfSigned: true,
    role: 'cluster CA',
    notAfter: '2035-01-01T00:00:00.000Z',
    daysLeft: 3135,
  });
  const inter = cert({ id: 'b', commonName: 'intermediate', isCA: true, issuerId: root.id, role: 'intermediate CA' });
  return {
    now: NOW,
    warningDays: 30,
    certificates: [
      root,
      inter,
      cert({
        commonName: 'kube-apiserver',
        issuerId: root.id,
        role: 'kube-apiserver serving',
        node: 'cp1/etc/kubernetes',
        component: 'kube-apiserver',
      }),
      cert({
        commonName: 'kube-apiserver-kubelet-client',
        issuerId: root.id,
        role: 'apiserver → kubelet client',
        node: 'cp1/etc/kubernetes',
        component: 'kube-apiserver',
      }),
      cert({
        commonName: 'kube-apiserver',
        issuerId: root.id,
        role: 'kube-apiserver serving',
        node: 'cp2/etc/kubernetes',
        component: 'kube-apiserver',
      }),
      cert({
        commonName: 'system:node:w1',
        issuerId: inter.id,
        role: 'kubelet.conf client',
        node: 'w1/etc/kubernetes',
        component: 'kubelet',
        status: 'expired',
        daysLeft: -4,
        notAfter: '2026-05-28T12:00:00.000Z',
        problems: [
          {
            severity: 'error',
            code: 'cert-expired',
            message: 'expired',
            file: '/w/kubelet.conf',
            range: { start: { line: 3, character: 2 }, end: { line: 3, character: 9 } },
          },
        ],
      }),
      cert({
        commonName: 'stranger',
        role: 'admin.conf client',
        status: 'expiring',
        daysLeft: 12,
        notAfter: '2026-06-13T00:00:00.000Z',
        problems: [
          {
            severity: 'warning',
            code: 'cert-expiring',
            message: 'soon',
            file: '/w/a',
            range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
          },
        ],
      }),
      cert({ commonName: '<script>alert(1)</script> & "x"', role: "it's <b>", issuerId: root.id, node: 'cp1/etc/kubernetes' }),
    ],
    orphanKeys: [{ file: '/w/pki/lost.key', keyAlgorithm: 'ECDSA P-256', references: [] }],
  };
}

const labels = (nodes) => nodes.map((x) => (x.kind === 'ca' || x.kind === 'cert' ? x.cert.commonName : x.kind === 'key' ? x.key.file : x.label));

test('the tree: CAs at the root, an intermediate CA under its root, leaves by node then component, the orphans apart', () => {
  const roots = tree.buildTree(inventory());
  assert.deepEqual(labels(roots), ['kubernetes', 'No CA in the workspace', 'Keys without certificates']);
  const ca = roots[0];
  // The intermediate first, then the nodes (the cluster CA signs on cp1 and cp2).
  assert.deepEqual(labels(ca.children), ['intermediate', 'cp1/etc/kubernetes', 'cp2/etc/kubernetes']);
  const cp1 = ca.children[1];
  // Two kube-apiserver certificates make a group; a lone certificate without a component stands alone.
  assert.deepEqual(labels(cp1.children), ['kube-apiserver', '<script>alert(1)</script> & "x"']);
  assert.deepEqual(labels(cp1.children[0].children), ['kube-apiserver-kubelet-client', 'kube-apiserver']);
  // One node under the intermediate: no node level; one certificate of kubelet: no component level.
  assert.deepEqual(labels(ca.children[0].children), ['system:node:w1']);
  assert.deepEqual(labels(roots[1].children), ['stranger']);
  assert.deepEqual(labels(roots[2].children), ['/w/pki/lost.key']);
});

test('a self-signed leaf is under "Self-signed", as the CLI says, not under "No CA in the workspace"; a key pair is a pair', () => {
  const inv = inventory();
  inv.certificates.push(
    cert({ commonName: 'cp1@1700000000', selfSigned: true, issuer: 'CN=cp1@1700000000', role: 'kubelet serving', component: 'kubelet' }),
  );
  const mismatch = {
    severity: 'error',
    code: 'key-mismatch',
    message: 'not the public half',
    file: '/w/manifests/kube-apiserver.yaml',
    range: { start: { line: 20, character: 4 }, end: { line: 20, character: 30 } },
  };
  inv.keyPairs = [
    {
      keyFile: '/w/pki/sa.key',
      publicKeyFile: '/w/pki/sa.pub',
      keyAlgorithm: 'RSA 2048',
      matches: false,
      references: [{ file: mismatch.file, range: mismatch.range, field: '--service-account-key-file' }],
      problems: [mismatch],
    },
  ];
  const roots = tree.buildTree(inv);
  assert.deepEqual(labels(roots), ['kubernetes', 'No CA in the workspace', 'Self-signed', 'Key pairs', 'Keys without certificates']);
  assert.deepEqual(labels(roots[1].children), ['stranger']);
  assert.deepEqual(labels(roots[2].children), ['cp1@1700000000']);
  assert.equal(roots[3].children[0].kind, 'keyPair');
  const item = new tree.PkiTreeProvider().getTreeItem(roots[3].children[0]);
  assert.equal(item.label, 'sa.key / sa.pub');
  assert.match(item.description, /key-mismatch/);
  assert.equal(item.iconPath.id, 'error');
  assert.match(item.tooltip.value, /They do \*\*not\*\* match/);
});

test('expiry badges, as the tree and the timeline write them', () => {
  const now = new Date(NOW);
  const inv = inventory();
  assert.equal(timeline.expiryBadge(inv.certificates[0], now), 'in 3135 d');
  // Expired 3.5 days ago: "3 d ago" (whole days passed), though daysLeft rounds down to -4.
  assert.equal(timeline.expiryBadge(inv.certificates[5], now), 'expired 3 d ago');
  assert.equal(timeline.expiryBadge(cert({ commonName: 'f', status: 'not-yet-valid', notBefore: '2026-06-03T00:00:00.000Z' }), now), 'valid in 2 d');
});

test('tooltips escape what a certificate says (no Markdown, no theme icons, no links from its subject)', () => {
  const c = cert({ commonName: 'x', subject: 'CN=$(alert) [a](command:evil) *b*', issuer: 'CN=<img src=x>' });
  const md = tree.certTooltip(c, new Date(NOW)).value;
  assert.ok(md.includes('CN=\\$\\(alert\\) \\[a\\]\\(command:evil\\) \\*b\\*'), md);
  assert.ok(md.includes('CN=\\<img src=x\\>'), md);
});

test('the timeline: one bar per certificate, sorted by expiry, coloured by status, today and the warning window, names escaped', () => {
  const inv = inventory();
  const svg = timeline.renderTimelineSvg(inv);
  const bars = [...svg.matchAll(/<rect class="bar bar-(\w+)" data-id="(\w+)"/g)];
  assert.equal(bars.length, inv.certificates.length);
  const notAfter = new Map(inv.certificates.map((c) => [c.id, c.notAfter]));
  const order = bars.map((b) => notAfter.get(b[2]));
  assert.deepEqual(order, [...order].sort());
  assert.deepEqual(
    bars.slice(0, 2).map((b) => b[1]),
    ['expired', 'expiring'],
  );
  assert.match(svg, /<line class="today"/);
  assert.match(svg, />today 2026-06-01</);
  // The warning window: from today, 30 days wide on the axis.
  const w = /<rect class="warning-window" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(svg);
  const today = /<line class="today" x1="([\d.]+)"/.exec(svg);
  assert.equal(w[1], today[1]);
  assert.ok(Number(w[2]) > 1);
  assert.ok(!svg.includes('<script>'), 'a CN is text, never markup');
  assert.ok(svg.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;'));
  assert.ok(svg.includes('it&#39;s &lt;b&gt;'));
  // The closer range cuts the CA's ten years: an arrow says it goes on.
  const near = timeline.renderTimelineSvg(inv, 'near');
  assert.equal([...near.matchAll(/<rect class="bar /g)].length, inv.certificates.length);
  assert.match(near, /<text class="cut"[^>]*>▸<\/text>/);
});

test("the timeline's colours are the README's words: red expired, yellow expiring, green valid", () => {
  const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
  const css = readFileSync(path.join(repo, 'client/src/webview/timeline.css'), 'utf8');
  const colour = (cls) => new RegExp(`svg \\.${cls}[^{]*\\{\\s*fill: var\\(--vscode-charts-(\\w+)\\)`).exec(css)?.[1];
  assert.match(readme, /red expired or not yet\s+valid, (\w+) within `kubePki\.expiryWarningDays`, (\w+) valid/);
  const [, expiring, ok] = /red expired or not yet\s+valid, (\w+) within `kubePki\.expiryWarningDays`, (\w+) valid/.exec(readme);
  assert.deepEqual([colour('bar-expired'), colour('bar-expiring'), colour('bar-ok')], ['red', expiring, ok]);
});

test("the timeline page: its script by nonce and its stylesheet from the webview's own origin, nothing inline", () => {
  const page = {
    nonce: 'n0nce42',
    cspSource: 'https://file+.vscode-resource.vscode-cdn.net',
    script: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/timeline.js',
    style: 'https://file+.vscode-resource.vscode-cdn.net/ext/dist/webview/timeline.css',
  };
  const html = timeline.timelineHtml(page, '<svg class="timeline"></svg>', '3 certificates, 1 expired <&>', 'near');
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)[1];
  const directives = Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
  );
  assert.deepEqual(directives, { 'default-src': "'none'", 'img-src': 'data:', 'style-src': page.cspSource, 'script-src': "'nonce-n0nce42'" });
  const scripts = [...html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.equal(scripts[0][0], `<script nonce="n0nce42" src="${page.script}"></script>`, 'the bundled page script, by nonce, no inline code');
  assert.ok(!/<style\b|\sstyle=/.test(html), 'no inline style');
  assert.ok(html.includes(`<link rel="stylesheet" href="${page.style}">`));
  assert.match(html, /<option value="near" selected>/);
  assert.ok(html.includes('3 certificates, 1 expired &lt;&amp;&gt;'));
});

test('messages from the timeline page are checked before the extension acts on them', () => {
  const ok = [
    { type: 'ready' },
    { type: 'refresh' },
    { type: 'open', id: 'ab12' },
    { type: 'range', value: 'near' },
    { type: 'save', format: 'png', data: 'data:image/png;base64,AAAA' },
    { type: 'exported', requestId: 'r1', data: '<svg/>' },
    { type: 'exported', requestId: 'r2', error: 'nothing drawn yet' },
    { type: 'error', message: 'boom' },
  ];
  for (const m of ok) assert.deepEqual(Object.fromEntries(Object.entries(messages.fromWebview(m)).filter(([, v]) => v !== undefined)), m);
  // Extra fields are not passed on.
  assert.deepEqual(messages.fromWebview({ type: 'open', id: 'x', command: 'evil' }), { type: 'open', id: 'x' });
  const bad = [
    undefined,
    null,
    'ready',
    42,
    {},
    { type: 'nope' },
    { type: 'open' },
    { type: 'open', id: 7 },
    { type: 'range', value: 'everything' },
    { type: 'save', format: 'pdf', data: 'x' },
    { type: 'save', format: 'svg' },
    { type: 'exported' },
    { type: 'exported', requestId: 'r', data: 5 },
  ];
  for (const m of bad) assert.equal(messages.fromWebview(m), undefined, JSON.stringify(m));
});
