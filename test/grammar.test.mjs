// The TextMate grammars in syntaxes/ and their contribution in package.json: valid JSON, wired to the
// `pem` language, and tokenised offline with vscode-textmate + vscode-oniguruma (the engine VS Code uses)
// the way VS Code would colour a certificate file, an encrypted key, and PEM inside a YAML block scalar.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vsctm from 'vscode-textmate';
import oniguruma from 'vscode-oniguruma';

const require = createRequire(import.meta.url);
const repo = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const json = (rel) => JSON.parse(readFileSync(path.join(repo, rel), 'utf8'));

/** A minimal host grammar for YAML: keys, comments and block scalars, as VS Code's YAML grammar scopes them. */
const yamlStub = {
  scopeName: 'source.yaml',
  patterns: [
    { match: '#.*$', name: 'comment.line.number-sign.yaml' },
    {
      begin: '^(\\s*)([\\w.-]+)(:)\\s*(\\|)\\s*$',
      beginCaptures: { 2: { name: 'entity.name.tag.yaml' }, 4: { name: 'keyword.control.flow.block-scalar.literal.yaml' } },
      end: '^(?!\\1\\s)(?=\\s*\\S)',
      contentName: 'string.unquoted.block.yaml',
    },
    { match: '^(\\s*)([\\w.-]+)(:)', captures: { 2: { name: 'entity.name.tag.yaml' } } },
  ],
};

let registry;

before(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await oniguruma.loadWASM(wasm);
  const grammars = Object.fromEntries(pkg.contributes.grammars.map((g) => [g.scopeName, g.path]));
  registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName === 'source.yaml') return yamlStub;
      const rel = grammars[scopeName];
      return rel ? vsctm.parseRawGrammar(readFileSync(path.join(repo, rel), 'utf8'), path.join(repo, rel)) : null;
    },
    // What VS Code does with `injectTo`.
    getInjections: (scopeName) => pkg.contributes.grammars.filter((g) => g.injectTo?.includes(scopeName)).map((g) => g.scopeName),
  });
});

/** [text, scopes] for each token of each line. */
async function tokenize(scopeName, text) {
  const grammar = await registry.loadGrammar(scopeName);
  assert.ok(grammar, `grammar ${scopeName}`);
  let state = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes]);
  });
}

const scopesOf = (lineTokens, piece) => {
  const t = lineTokens.find(([s]) => s === piece);
  assert.ok(t, `token ${JSON.stringify(piece)} in ${JSON.stringify(lineTokens.map(([s]) => s))}`);
  return t[1];
};

test('package.json contributes the pem language, its grammar, the YAML injection and the decode commands', () => {
  const lang = pkg.contributes.languages.find((l) => l.id === 'pem');
  assert.deepEqual(lang.extensions, ['.pem', '.crt', '.cer', '.key', '.csr']);
  assert.ok(existsSync(path.join(repo, lang.configuration)));
  const conf = json(lang.configuration);
  assert.equal(new RegExp(conf.folding.markers.start).test('  -----BEGIN CERTIFICATE-----'), true);
  assert.equal(new RegExp(conf.folding.markers.end).test('-----END CERTIFICATE-----'), true);

  const pem = pkg.contributes.grammars.find((g) => g.language === 'pem');
  assert.equal(pem.scopeName, 'source.pem');
  assert.equal(json(pem.path).scopeName, 'source.pem');
  const inj = pkg.contributes.grammars.find((g) => g.injectTo);
  assert.deepEqual(inj.injectTo, ['source.yaml']);
  const injGrammar = json(inj.path);
  assert.equal(injGrammar.scopeName, inj.scopeName);
  assert.match(injGrammar.injectionSelector, /source\.yaml/);

  const commands = Object.fromEntries(pkg.contributes.commands.map((c) => [c.command, c]));
  assert.equal(commands['kubePki.decodeCertificate'].title, 'Decode Certificate');
  assert.equal(commands['kubePki.decodeSelection'].title, 'Decode Selection');
  for (const c of ['kubePki.decodeCertificate', 'kubePki.decodeSelection']) assert.equal(commands[c].category, 'Kube PKI');
  assert.ok(pkg.activationEvents.includes('onLanguage:pem'));
});

test('a certificate file: armor lines, label, base64 body and padding; the openssl dump before it stays plain', async () => {
  const text = [
    'Certificate:',
    '    Data:',
    '-----BEGIN CERTIFICATE-----',
    'MIIBszCCAVmgAwIBAgIUJ2x4',
    'AQAB==',
    'MII%x',
    '-----END CERTIFICATE-----',
    '-----END CERTIFICATE-----',
  ].join('\n');
  const lines = await tokenize('source.pem', text);
  assert.deepEqual(scopesOf(lines[0], 'Certificate:'), ['source.pem']);
  assert.ok(scopesOf(lines[2], 'BEGIN').includes('keyword.control.armor.begin.pem'));
  assert.ok(scopesOf(lines[2], 'CERTIFICATE').includes('entity.name.type.label.pem'));
  assert.ok(scopesOf(lines[2], '-----').includes('punctuation.definition.armor.pem'));
  assert.ok(scopesOf(lines[3], 'MIIBszCCAVmgAwIBAgIUJ2x4').includes('string.unquoted.base64.pem'));
  assert.ok(scopesOf(lines[3], 'MIIBszCCAVmgAwIBAgIUJ2x4').includes('meta.block.pem'));
  assert.ok(scopesOf(lines[4], '==').includes('punctuation.definition.padding.pem'));
  assert.ok(scopesOf(lines[5], '%').includes('invalid.illegal.character.pem'));
  assert.ok(scopesOf(lines[6], 'END').includes('keyword.control.armor.end.pem'));
  // An END with no BEGIN.
  assert.ok(scopesOf(lines[7], '-----END CERTIFICATE-----').includes('invalid.illegal.unmatched-end.pem'));
});

test('an encrypted key: the Proc-Type and DEK-Info headers', async () => {
  const text =
    '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0123456789ABCDEF\n\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n';
  const lines = await tokenize('source.pem', text);
  assert.ok(scopesOf(lines[0], 'RSA PRIVATE KEY').includes('entity.name.type.label.pem'));
  assert.ok(scopesOf(lines[1], 'Proc-Type').includes('keyword.other.header.pem'));
  assert.ok(scopesOf(lines[1], '4,ENCRYPTED').includes('string.unquoted.header-value.pem'));
  assert.ok(scopesOf(lines[2], 'DEK-Info').includes('keyword.other.header.pem'));
  assert.ok(scopesOf(lines[4], 'MIIEowIBAAKCAQEA').includes('string.unquoted.base64.pem'));
});

test('PEM armor inside a YAML block scalar is highlighted; in a comment it is not', async () => {
  const text = [
    'data:',
    '  ca.crt: |',
    '    -----BEGIN CERTIFICATE-----',
    '    MIIBszCCAVmgAwIBAgIUJ2x4',
    '    -----END CERTIFICATE-----',
    '# -----BEGIN CERTIFICATE-----',
  ].join('\n');
  const lines = await tokenize('source.yaml', text);
  const begin = scopesOf(lines[2], 'BEGIN');
  assert.ok(begin.includes('keyword.control.armor.pem'), JSON.stringify(begin));
  assert.ok(begin.includes('string.unquoted.block.yaml'), 'still inside the block scalar');
  assert.ok(scopesOf(lines[2], 'CERTIFICATE').includes('entity.name.type.label.pem'));
  assert.ok(scopesOf(lines[4], 'END').includes('keyword.control.armor.pem'));
  assert.ok(
    lines[5].every(([, scopes]) => !scopes.some((s) => s.endsWith('.pem'))),
    JSON.stringify(lines[5]),
  );
});
