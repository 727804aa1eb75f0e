// The extension manifest (package.json) has what the Marketplace and VS Code expect, and the files it
// names exist. The .vsix itself is built and installed by test/e2e/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const read = (rel) => readFileSync(path.join(repo, rel), 'utf8');

test('Marketplace fields: publisher, name, repository, license, categories, keywords, icon', () => {
  assert.match(pkg.publisher, /^[a-z0-9][a-z0-9-]*$/);
  assert.match(pkg.name, /^[a-z0-9][a-z0-9-]*$/);
  assert.ok(pkg.displayName && pkg.description, 'displayName and description');
  assert.match(pkg.repository?.url ?? '', /^https:\/\//, 'repository.url');
  assert.equal(pkg.license, 'Apache-2.0');
  assert.match(read('LICENSE'), /Apache License\s+Version 2\.0, January 2004/);
  for (const c of ['Linters', 'Programming Languages']) assert.ok(pkg.categories.includes(c), `category ${c}`);
  assert.ok(pkg.keywords.length > 0 && pkg.keywords.length <= 30, 'keywords (the Marketplace takes up to 30)');
  assert.match(read('CHANGELOG.md'), new RegExp(`## ${pkg.version.replace(/\./g, '\\.')}\\b`), 'CHANGELOG.md has the version');
});

test('the icon is a 128x128 PNG', () => {
  const png = readFileSync(path.join(repo, pkg.icon));
  assert.equal(png.subarray(1, 4).toString('ascii'), 'PNG');
  assert.equal(png.readUInt32BE(16), 128, 'width');
  assert.equal(png.readUInt32BE(20), 128, 'height');
});

test('every kubePki.* setting has a description, a default and a scope, and is in the README', () => {
  const props = pkg.contributes.configuration.properties;
  const names = Object.keys(props);
  assert.ok(names.length > 0);
  const readme = read('README.md');
  for (const name of names) {
    assert.match(name, /^kubePki\./, `${name} is under kubePki.`);
    const p = props[name];
    assert.ok(p.description || p.markdownDescription, `${name}: description`);
    assert.ok('default' in p, `${name}: default`);
    assert.ok(
      ['application', 'machine', 'machine-overridable', 'window', 'resource', 'language-overridable'].includes(p.scope),
      `${name}: scope ${p.scope}`,
    );
    assert.ok(readme.includes(`\`${name}\``), `${name} is documented in README.md`);
  }
});

test('every command has a title and the Kube PKI category', () => {
  for (const c of pkg.contributes.commands) {
    assert.match(c.command, /^kubePki\./);
    assert.ok(c.title, `${c.command}: title`);
    assert.equal(c.category, 'Kube PKI', `${c.command}: category`);
  }
});

test('one product name, Kube PKI, wherever a user reads it: commands, view, settings, output, notifications', () => {
  const NAME = 'Kube PKI';
  assert.equal(pkg.displayName, NAME);
  assert.equal(pkg.contributes.configuration.title, NAME);
  for (const v of Object.values(pkg.contributes.views ?? {}).flat()) {
    assert.equal(v.name, NAME, `view ${v.id}: name`);
    if (v.contextualTitle) assert.equal(v.contextualTitle, NAME, `view ${v.id}: contextualTitle`);
  }
  for (const w of pkg.contributes.walkthroughs ?? []) assert.match(w.title, new RegExp(`\\b${NAME}\\b`), `walkthrough ${w.id}: title`);
  // The client's output channel, status bar item, language client and every notification it shows.
  const client = path.join(repo, 'client', 'src');
  const sources = readdirSync(client, { recursive: true })
    .filter((f) => /\.ts$/.test(f))
    .map((f) => [f, read(path.join('client', 'src', f))]);
  const extension = read('client/src/extension.ts');
  assert.match(extension, new RegExp(`createOutputChannel\\('${NAME}'`));
  assert.match(extension, new RegExp(`status\\.name = '${NAME}'`));
  assert.match(extension, new RegExp(`new LanguageClient\\('kubePki', '${NAME}'`));
  for (const [file, text] of sources) {
    for (const m of text.matchAll(/show(?:Information|Warning|Error)Message\(\s*[`'"]([^`'"]*)/g)) {
      assert.ok(m[1].startsWith(`${NAME}: `), `client/src/${file}: a notification names the product otherwise: ${m[1]}`);
    }
    assert.doesNotMatch(text, /Kubernetes PKI/, `client/src/${file} calls the product "Kubernetes PKI"`);
  }
});

test('workspace trust and activation are declared', () => {
  const trust = pkg.capabilities?.untrustedWorkspaces;
  assert.ok(trust, 'capabilities.untrustedWorkspaces');
  assert.ok([true, false, 'limited'].includes(trust.supported));
  if (trust.supported !== true) assert.ok(trust.description, 'a description for limited/unsupported');
  for (const s of trust.restrictedConfigurations ?? []) assert.ok(s in pkg.contributes.configuration.properties, `restricted setting ${s} exists`);
  // No "*" or onStartupFinished: the server starts only for workspaces with YAML or kubeconfigs.
  assert.ok(pkg.activationEvents.length > 0);
  for (const e of pkg.activationEvents) assert.ok(e !== '*' && e !== 'onStartupFinished', `activation event ${e}`);
});

test('packaging: bundled with --production, and .vscodeignore keeps only what the extension needs', () => {
  assert.match(pkg.scripts['vscode:prepublish'], /esbuild\.js --production/);
  assert.match(pkg.scripts.package, /vsce package/);
  assert.equal(pkg.main, './dist/client.js');
  const ignore = read('.vscodeignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  assert.equal(ignore[0], '**', '.vscodeignore starts by leaving everything out');
  assert.ok(ignore.includes('!dist/client.js') && ignore.includes('!dist/server.js'));
  // The expiry timeline's page: its script and stylesheet are files the webview loads from dist/webview/.
  assert.ok(ignore.includes('!dist/webview/timeline.js') && ignore.includes('!dist/webview/timeline.css'), 'the timeline page is packaged');
  assert.ok(!ignore.some((l) => /^!.*node_modules/.test(l)), 'no node_modules in the .vsix');
  assert.ok(ignore.includes(`!${pkg.icon}`), 'the icon is packaged');
  for (const g of pkg.contributes.grammars ?? []) assert.ok(existsSync(path.join(repo, g.path)), `grammar ${g.path} exists`);
  for (const l of pkg.contributes.languages ?? [])
    if (l.configuration) assert.ok(existsSync(path.join(repo, l.configuration)), `${l.configuration} exists`);
});

test("the expiry timeline's page is built for the browser into dist/webview/", () => {
  // esbuild.js (run before the tests) writes it; the extension loads both files from there (client/src/timeline.ts).
  const script = read('dist/webview/timeline.js');
  assert.ok(existsSync(path.join(repo, 'dist/webview/timeline.css')), 'dist/webview/timeline.css');
  assert.match(script, /acquireVsCodeApi\(\)/);
  assert.doesNotMatch(script, /\brequire\(/, 'a browser script: no require()');
});

test("the extension's page is a README for users: what it does, its commands and settings, pictures that resolve", () => {
  const m = /--readme-path (\S+)/.exec(pkg.scripts.package);
  assert.ok(m, 'the package script packs a README of its own (vsce package --readme-path)');
  assert.notEqual(path.normalize(m[1]), 'README.md', "not the repository's README, which is for developers");
  const page = read(m[1]);
  assert.ok(!read('.vscodeignore').split('\n').includes('!README.md'), 'the developer README is not packed beside it');
  // Every setting and every command of the Command Palette is on the page.
  for (const name of Object.keys(pkg.contributes.configuration.properties)) assert.ok(page.includes(`\`${name}\``), `setting ${name}`);
  const hidden = new Set((pkg.contributes.menus?.commandPalette ?? []).filter((e) => e.when === 'false').map((e) => e.command));
  for (const c of pkg.contributes.commands.filter((c) => !hidden.has(c.command))) assert.ok(page.includes(`**${c.title}**`), `command ${c.title}`);
  // Pictures: vsce rewrites a relative link against the repository's root, wherever the page is, so the page
  // uses absolute URLs of files in this repository.
  const images = [...page.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((x) => x[1]);
  assert.ok(images.length >= 3, `${images.length} pictures`);
  const raw = `${pkg.repository.url.replace(/\.git$/, '')}/raw/HEAD/`;
  for (const src of images) {
    assert.ok(src.startsWith(raw), `${src} is an absolute URL of the repository (${raw}…)`);
    assert.ok(existsSync(path.join(repo, src.slice(raw.length))), `${src}: ${src.slice(raw.length)} is in the repository`);
  }
  assert.doesNotMatch(page, /npm (ci|test|run)|## Tests/, 'no developer instructions');
});

test('install scripts are declared: allowScripts names every locked dependency with one (optional ones aside), and only those', () => {
  const lock = JSON.parse(read('package-lock.json'));
  const withScripts = Object.entries(lock.packages)
    .filter(([where, p]) => where && p.hasInstallScript)
    .map(([where, p]) => ({ name: where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length), optional: !!p.optional }));
  assert.ok(
    withScripts.some((p) => p.name === 'esbuild'),
    'the lockfile is read',
  );
  const allowed = pkg.allowScripts ?? {};
  const required = withScripts.filter((p) => !p.optional).map((p) => p.name);
  const undeclared = required.filter((name) => allowed[name] !== true);
  assert.deepEqual(undeclared, [], 'dependencies whose install script npm 11 would skip with only a warning: add them to allowScripts');
  const stale = Object.keys(allowed).filter((name) => !withScripts.some((p) => p.name === name));
  assert.deepEqual(stale, [], 'allowScripts entries no locked dependency needs');
});
