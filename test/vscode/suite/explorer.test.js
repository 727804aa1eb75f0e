// The "Kube PKI" view in the Explorer and the expiry timeline, through the real `vscode` API: what the
// tree shows (read through the extension's API, which renders each item with the view's own provider:
// labels, descriptions, icons, tooltips, click commands), how it follows a certificate replaced on disk, its
// context menu commands, and the timeline's SVG and its exports. Runs after features.test.js (the planted
// controller-manager.conf expiry is still there) and before generate.test.js.
'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { EXTENSION_ID, manifest, waitFor } = require('./util');
const { test, log } = require('./harness');
const { EXPLORER_TESTS } = require('./explorer.commands');

const ctx = manifest();
const pki = (rel) => path.join(ctx.folder, 'etc', 'kubernetes', 'pki', rel);
// Beside the workspace folder, in the driver's temporary folder (removed with it).
const scratch = fs.mkdtempSync(path.join(path.dirname(ctx.folder), 'explorer-'));

const explorer = () => vscode.extensions.getExtension(EXTENSION_ID).exports.explorer;

/** Every item below these, depth first. */
function flatten(items) {
  return items.flatMap((i) => [i, ...flatten(i.children)]);
}
const certItems = (items) => flatten(items).filter((i) => i.contextValue === 'kubePki.cert');
const caItem = (tree, cn) => tree.find((i) => i.label === cn && /^kubePki\.ca/.test(i.contextValue ?? ''));
const show = (items, depth = 0) =>
  items.map((i) => `${'  '.repeat(depth)}${i.label} — ${i.description ?? ''} [${i.icon}]\n${show(i.children, depth + 1)}`).join('');

/** The leaf whose description names this CN, under `under` (or anywhere). */
function leaf(items, cn) {
  return certItems(items).find((i) => (i.description ?? '').startsWith(`CN=${cn}`) && /^CN=[^ ,]+/.exec(i.description)[0] === `CN=${cn}`);
}

async function snapshotWhen(pred, what, timeout = 15_000) {
  return waitFor(
    () => {
      const s = explorer().snapshot();
      return pred(s) ? s : undefined;
    },
    () => `${what}; the view shows:\n${show(explorer().snapshot())}`,
    timeout,
  );
}

test('the Kube PKI view is in the Explorer, with its title-bar buttons and context menu', async () => {
  const pkg = vscode.extensions.getExtension(EXTENSION_ID).packageJSON;
  const view = pkg.contributes.views.explorer.find((v) => v.id === 'kubePki.pkiExplorer');
  assert.equal(view.name, 'Kube PKI');
  const titleBar = pkg.contributes.menus['view/title'].filter((m) => m.when.includes('kubePki.pkiExplorer')).map((m) => m.command);
  assert.deepEqual(titleBar.sort(), [
    'kubePki.exportExpiryTimeline',
    'kubePki.generateMissing',
    'kubePki.pkiExplorer.refresh',
    'kubePki.probeLiveEndpoints',
    'kubePki.showExpiryTimeline',
  ]);
  const itemMenu = pkg.contributes.menus['view/item/context'].filter((m) => m.when.includes('kubePki.pkiExplorer')).map((m) => m.command);
  assert.deepEqual(itemMenu.sort(), ['kubePki.generateMissing', 'kubePki.pkiExplorer.decode', 'kubePki.pkiExplorer.renew']);
  // Shown: VS Code's generated focus command opens the Explorer on it (what a person clicking its header does).
  await vscode.commands.executeCommand('kubePki.pkiExplorer.focus');
});

test(EXPLORER_TESTS['kubePki.pkiExplorer.refresh'], async () => {
  await vscode.commands.executeCommand('kubePki.pkiExplorer.refresh');
  const tree = await snapshotWhen(
    (s) => ['kubernetes', 'etcd-ca', 'front-proxy-ca'].every((cn) => caItem(s, cn)),
    'the three kubeadm CAs at the root',
  );
  log(`    the view:\n${show(tree).replace(/^/gm, '      ')}`);
  for (const cn of ['kubernetes', 'etcd-ca', 'front-proxy-ca']) {
    const ca = caItem(tree, cn);
    // kubeadm's CAs: 10 years.
    assert.match(ca.description, /^in \d{4} d$/, `${cn}: ${ca.description}`);
    assert.equal(ca.icon, 'workspace-trusted');
    assert.match(ca.tooltip, /Subject: CN\\?=/);
    assert.match(ca.tooltip, /Externally managed: no/, `${cn}: its key is in the workspace`);
    assert.match(ca.tooltip, /Files: .*ca\\\.crt/);
  }
  const under = (cn) => certItems(caItem(tree, cn).children);
  const expectUnder = {
    kubernetes: [
      ['kube-apiserver', /apiserver serving/],
      ['kube-apiserver-kubelet-client', /kubelet client/],
      ['kubernetes-admin', /admin\.conf client/],
      ['system:kube-controller-manager', /controller-manager\.conf client/],
    ],
    'etcd-ca': [
      ['kube-apiserver-etcd-client', /etcd client/],
      [ctx.nodeName, /etcd (serving|peer)/],
    ],
    'front-proxy-ca': [['front-proxy-client', /front-proxy client/]],
  };
  for (const [ca, leaves] of Object.entries(expectUnder)) {
    for (const [cn, role] of leaves) {
      const item = leaf(under(ca), cn);
      assert.ok(item, `CN=${cn} is under ${ca}`);
      assert.match(item.label, role, `CN=${cn}: its role`);
      assert.match(item.description, /· (in \d+ d|expired \d+ d ago)/);
    }
  }
  // Nothing under the wrong CA.
  assert.equal(leaf(under('etcd-ca'), 'kube-apiserver'), undefined);
  assert.equal(leaf(under('kubernetes'), 'front-proxy-client'), undefined);
  // Intermediate levels: the kube-apiserver's certificates are one group under the cluster CA.
  const apiGroup = caItem(tree, 'kubernetes').children.find((i) => i.label === 'kube-apiserver');
  assert.ok(apiGroup && apiGroup.contextValue === 'kubePki.group', 'a kube-apiserver group under the cluster CA');
  // The service-account pair is a pair, not a key without a certificate.
  const pairs = tree.find((i) => i.label === 'Key pairs');
  assert.ok(pairs, 'a Key pairs group');
  const sa = pairs.children.find((i) => i.label === 'sa.key / sa.pub');
  assert.ok(sa && sa.contextValue === 'kubePki.keyPair', `sa.key / sa.pub under Key pairs: ${show(pairs.children)}`);
  assert.match(sa.tooltip, /They match/);
  const lonely = tree.find((i) => i.label === 'Keys without certificates');
  assert.ok(!lonely || !lonely.children.some((i) => /^sa\.key/.test(i.label)), 'sa.key is no key without a certificate');
  // Each certificate is in the tree once: as many as the inventory has.
  const shown = flatten(tree).filter((i) => /^kubePki\.(ca|caExternal|cert)$/.test(i.contextValue ?? '')).length;
  assert.equal(shown, explorer().inventory().certificates.length);
});

test('a planted defect has an error icon and its message: the expired controller-manager.conf certificate; a click opens its line', async () => {
  const d = ctx.defects.find((x) => x.defect === 'controller-manager-expired');
  const tree = explorer().snapshot();
  const item = leaf(caItem(tree, 'kubernetes').children, 'system:kube-controller-manager');
  assert.ok(item, 'the controller-manager.conf certificate is under the cluster CA');
  assert.equal(item.icon, 'error');
  assert.equal(item.iconColor, 'list.errorForeground');
  assert.match(item.description, /expired 35 d ago · cert-expired/);
  assert.match(item.tooltip, /\$\(error\) \*\*cert\\-expired\*\*: .*expired/);
  // A healthy one next to it: a green check, no problem in its tooltip.
  const admin = leaf(caItem(tree, 'kubernetes').children, 'kubernetes-admin');
  assert.equal(admin.icon, 'pass');
  assert.doesNotMatch(admin.tooltip, /\$\(error\)/);
  // The click: the referencing line of controller-manager.conf.
  assert.equal(item.command.command, 'vscode.open');
  await vscode.commands.executeCommand(item.command.command, ...item.command.arguments);
  const editor = await waitFor(
    () => (vscode.window.activeTextEditor?.document.uri.fsPath === d.file ? vscode.window.activeTextEditor : undefined),
    'controller-manager.conf to open',
  );
  assert.equal(editor.selection.start.line, d.line, 'the cursor is on the client-certificate-data line');
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('the view follows a certificate replaced on disk: signed by the cluster CA and expired, it moves there with an error icon', async () => {
  const file = pki('apiserver-etcd-client.crt');
  const before = fs.readFileSync(file, 'utf8');
  await vscode.commands.executeCommand('kubePki.pkiExplorer.focus');
  assert.ok(leaf(caItem(explorer().snapshot(), 'etcd-ca').children, 'kube-apiserver-etcd-client'), 'under etcd-ca before');
  const t0 = Date.now();
  // Another tool writes the file; nobody asks the view to refresh.
  fs.writeFileSync(file, ctx.fixes.expiredEtcdClientFromClusterCaPem);
  try {
    const tree = await snapshotWhen(
      (s) => leaf(caItem(s, 'kubernetes').children, 'kube-apiserver-etcd-client'),
      'kube-apiserver-etcd-client under the cluster CA',
      10_000,
    );
    log(`    the view changed ${Date.now() - t0} ms after the write`);
    const item = leaf(caItem(tree, 'kubernetes').children, 'kube-apiserver-etcd-client');
    assert.equal(item.icon, 'error');
    assert.match(item.description, /expired 3 d ago/);
    assert.match(item.tooltip, /untrusted\\-issuer|cert\\-expired/);
    assert.equal(leaf(caItem(tree, 'etcd-ca').children, 'kube-apiserver-etcd-client'), undefined, 'no longer under etcd-ca');
  } finally {
    fs.writeFileSync(file, before);
  }
  const back = await snapshotWhen(
    (s) => leaf(caItem(s, 'etcd-ca').children, 'kube-apiserver-etcd-client'),
    'kube-apiserver-etcd-client back under etcd-ca',
    10_000,
  );
  assert.equal(leaf(caItem(back, 'etcd-ca').children, 'kube-apiserver-etcd-client').icon, 'pass');
});

test(EXPLORER_TESTS['kubePki.pkiExplorer.decode'], async () => {
  const item = leaf(caItem(explorer().snapshot(), 'front-proxy-ca').children, 'front-proxy-client');
  const uri = await vscode.commands.executeCommand('kubePki.pkiExplorer.decode', item.node);
  assert.ok(uri, 'a decode was shown');
  const doc = await waitFor(() => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri), 'the decoded document');
  const text = doc.getText();
  assert.match(text, /front-proxy-client/, text.slice(0, 400));
  assert.match(text, /front-proxy-ca/, 'the issuer');
  assert.doesNotMatch(text, /PRIVATE KEY/);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test(EXPLORER_TESTS['kubePki.pkiExplorer.renew'], async () => {
  const cert = pki('front-proxy-client.crt');
  const beforeId = explorer()
    .inventory()
    .certificates.find((c) => c.commonName === 'front-proxy-client').id;
  const keyBefore = fs.readFileSync(pki('front-proxy-client.key'), 'utf8');
  const item = leaf(caItem(explorer().snapshot(), 'front-proxy-ca').children, 'front-proxy-client');
  const result = await vscode.commands.executeCommand('kubePki.pkiExplorer.renew', item.node, { confirm: false });
  assert.equal(result && result.ok, true, JSON.stringify(result));
  assert.deepEqual(
    result.written.map((w) => w.path),
    [cert],
  );
  assert.match(result.written[0].summary, /^CN=front-proxy-client; issued by CN=front-proxy-ca/);
  assert.equal(fs.readFileSync(pki('front-proxy-client.key'), 'utf8'), keyBefore, 'the key is kept');
  // The view shows the new certificate, still under front-proxy-ca, with nothing wrong.
  const tree = await snapshotWhen((s) => {
    const i = leaf(caItem(s, 'front-proxy-ca').children, 'front-proxy-client');
    return i && i.node.cert.id !== beforeId;
  }, 'the renewed front-proxy-client under front-proxy-ca');
  const renewed = leaf(caItem(tree, 'front-proxy-ca').children, 'front-proxy-client');
  assert.equal(renewed.icon, 'pass');
  assert.match(renewed.description, /in 36[45] d/);
});

test(EXPLORER_TESTS['kubePki.showExpiryTimeline'], async () => {
  await vscode.commands.executeCommand('kubePki.showExpiryTimeline');
  const tab = await waitFor(() => {
    const t = vscode.window.tabGroups.activeTabGroup.activeTab;
    return t && t.label === 'PKI Expiry Timeline' ? t : undefined;
  }, 'the timeline tab');
  assert.ok(tab.input instanceof vscode.TabInputWebview, 'a webview');
  const inv = explorer().inventory();
  const svg = await waitFor(() => explorer().timeline.svg(), 'the timeline SVG');
  const bars = [...svg.matchAll(/<rect class="bar bar-(ok|expiring|expired)" data-id="([0-9a-f]+)"/g)];
  assert.equal(bars.length, inv.certificates.length, 'one bar per certificate');
  // Sorted by expiry: the bars' certificates in notAfter order.
  const notAfter = new Map(inv.certificates.map((c) => [c.id, c.notAfter]));
  const order = bars.map((b) => notAfter.get(b[2]));
  assert.deepEqual(order, [...order].sort());
  // The expired controller-manager.conf certificate is red, the CAs green.
  const cm = inv.certificates.find((c) => c.commonName === 'system:kube-controller-manager');
  assert.equal(bars.find((b) => b[2] === cm.id)[1], 'expired');
  assert.match(svg, new RegExp(`class="today-label"[^>]*>today ${inv.now.slice(0, 10)}<`));
  assert.match(svg, /<line class="today"/);
  assert.match(svg, /<rect class="warning-window"/);
  assert.match(svg, />system:kube-controller-manager<tspan class="role"> · controller-manager\.conf client<\/tspan>/);
  // Closed again: the export below opens it by itself.
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  await waitFor(() => !explorer().timeline.isOpen(), 'the timeline to close');
});

test(EXPLORER_TESTS['kubePki.exportExpiryTimeline'], async () => {
  const svgFile = path.join(scratch, 'timeline.svg');
  const written = await vscode.commands.executeCommand('kubePki.exportExpiryTimeline', { format: 'svg', path: svgFile });
  assert.equal(written, svgFile);
  const svg = fs.readFileSync(svgFile, 'utf8');
  assert.match(svg, /^<\?xml[^>]*>\s*<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  const n = explorer().inventory().certificates.length;
  assert.equal([...svg.matchAll(/<rect class="bar bar-/g)].length, n, 'one bar per certificate');
  assert.match(svg, /<line class="today"/);
  // The theme's colours are inlined (the file is read without VS Code's stylesheet).
  assert.doesNotMatch(svg, /var\(--vscode/);
  const fill = /<rect class="bar bar-ok"[^>]* fill="([^"]+)"/.exec(svg);
  assert.ok(fill && /^(rgb|#)/.test(fill[1]), `a bar's fill is a colour: ${fill && fill[1]}`);
  const pngFile = path.join(scratch, 'timeline.png');
  assert.equal(await vscode.commands.executeCommand('kubePki.exportExpiryTimeline', { format: 'png', path: pngFile }), pngFile);
  const png = fs.readFileSync(pngFile);
  assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
  assert.equal(png.readUInt32BE(16), 2560, 'drawn at twice the SVG width');
  log(`    exported ${fs.statSync(svgFile).size} bytes of SVG and ${png.length} of PNG`);
  await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
});

test('no private key material in the view, its tooltips or the timeline', async () => {
  const keyLines = [];
  for (const dir of [pki(''), pki('etcd')]) {
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.key'))) {
      const m = /-----BEGIN [A-Z ]*PRIVATE KEY-----([\s\S]*?)-----END/.exec(fs.readFileSync(path.join(dir, f), 'utf8'));
      if (m)
        keyLines.push(
          ...m[1]
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => l.length >= 16),
        );
    }
  }
  assert.ok(keyLines.length > 20, 'the keys of the node tree were read');
  const shown = flatten(explorer().snapshot())
    .map((i) => `${i.label}\n${i.description}\n${i.tooltip}`)
    .join('\n');
  const exported = fs.readFileSync(path.join(scratch, 'timeline.svg'), 'utf8');
  for (const text of [shown, exported, JSON.stringify(explorer().inventory())]) {
    assert.doesNotMatch(text, /PRIVATE KEY/);
    for (const l of keyLines) assert.ok(!text.includes(l), 'a line of a private key is shown');
  }
  fs.rmSync(scratch, { recursive: true, force: true });
});
