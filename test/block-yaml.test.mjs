// The fast reader for plain block YAML (server/src/engine/parse/blockYaml.ts) against the yaml library:
// whenever it accepts a text, the nodes it builds must be the yaml library's, value for value and range for
// range (what the parsers downstream read). Checked on every file of generated kubeadm node trees, on
// kubeconfigs as kubectl writes them, on hand-written YAML, and on thousands of one-character mutations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { buildCluster, buildWorkerNode, loadEngine } from './helpers/cluster.mjs';

const require = createRequire(import.meta.url);
const YAML = require('yaml');
const E = loadEngine();

let tmp;
const texts = [];

/** Node by node: kind, flow, range, scalar value, type, source and number format. */
function same(fast, full, where) {
  const kind = (n) => (YAML.isMap(n) ? 'map' : YAML.isSeq(n) ? 'seq' : YAML.isScalar(n) ? 'scalar' : YAML.isPair(n) ? 'pair' : String(n));
  assert.equal(kind(fast), kind(full), `${where}: kind`);
  if (YAML.isMap(full) || YAML.isSeq(full)) {
    assert.equal(!!fast.flow, !!full.flow, `${where}: flow`);
    assert.deepEqual(fast.range, full.range, `${where}: range`);
    assert.equal(fast.items.length, full.items.length, `${where}: items`);
    full.items.forEach((item, i) => {
      if (YAML.isPair(item)) {
        same(fast.items[i].key, item.key, `${where}[${i}].key`);
        same(fast.items[i].value, item.value, `${where}[${i}].value`);
      } else same(fast.items[i], item, `${where}[${i}]`);
    });
  } else if (YAML.isScalar(full)) {
    assert.deepEqual(fast.range, full.range, `${where}: range of ${JSON.stringify(full.value)}`);
    assert.ok(Object.is(fast.value, full.value) || fast.value === full.value, `${where}: value ${fast.value} vs ${full.value}`);
    assert.equal(typeof fast.value, typeof full.value, `${where}: type of value`);
    assert.equal(fast.type, full.type, `${where}: scalar type`);
    assert.equal(fast.source, full.source, `${where}: source`);
    assert.equal(fast.format, full.format, `${where}: format`);
    assert.equal(fast.minFractionDigits, full.minFractionDigits, `${where}: minFractionDigits`);
  }
}

/** The fast reader's answer for `text`, checked against the yaml library; true when it accepted the text. */
function compare(text, label) {
  const fast = E.parseBlockYaml(text);
  if (!fast) return false;
  const docs = YAML.parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, strict: false });
  assert.equal(docs.length, 1, `${label}: the fast reader accepted a text of ${docs.length} documents`);
  assert.deepEqual(
    docs[0].errors.map((e) => e.message),
    [],
    `${label}: the fast reader accepted YAML with errors`,
  );
  same(fast.contents, docs[0].contents, label);
  assert.deepEqual(fast.errors, []);
  return true;
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'kube-pki-block-yaml-'));
  const cp = await buildCluster(path.join(tmp, 'cp'), { keyType: 'ecdsa-p256', defects: ['conflicting-fields'] });
  const worker = await buildWorkerNode(path.join(tmp, 'worker'), { ca: cp.certs.ca });
  for (const file of [...Object.values(cp.files), ...Object.values(worker.files)]) {
    if (/\.(conf|ya?ml)$/.test(file)) texts.push({ label: path.relative(tmp, file), text: await readFile(file, 'utf8') });
  }
  texts.push({
    label: 'hand-written',
    text: [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '  - name: "quoted name"',
      '    cluster:',
      "      server: 'https://10.0.0.1:6443'",
      '      insecure-skip-tls-verify: true',
      '      proxy-url: http://proxy:3128',
      'users:',
      '- name: a:b',
      '  user:',
      '    exec:',
      '      args:',
      '      - --port=6443',
      '      - -v',
      '      - 0x1F',
      '      - 1.50',
      '      - .5e3',
      '      - ~',
      '      - -.inf',
      '      - NULL',
      '      - 0o17',
      '      - "0"',
      '      - []',
      '      env: {}',
      '',
      '',
      'preferences: {}',
      'current-context:',
      'extra:',
      '  a:',
      '  b: [x]',
      '  c: {a: 1}',
      '  d: x #comment',
    ].join('\n'),
  });
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test('kubeconfigs, manifests and kubelet configs as kubeadm writes them: read fast, and exactly as the yaml library reads them', () => {
  let accepted = 0;
  for (const { label, text } of texts) if (compare(text, label)) accepted++;
  // Everything kubeadm, kubectl and the kubelet write is for the fast reader (the hand-written one has a comment).
  assert.equal(accepted, texts.length - 1, 'the fast reader refused a file kubeadm writes');
  assert.equal(
    compare(
      texts.at(-1).text.replace(' #comment', '').replace('  c: {a: 1}\n', '').replace('  b: [x]\n', ''),
      'hand-written without comment or flow content',
    ),
    true,
  );
});

test('what the fast reader leaves to the yaml library', () => {
  const refused = [
    'a: b # comment',
    '# comment\na: b',
    '---\na: b',
    'a: b\n---\nc: d',
    'a: &x b\nc: *x',
    'a: !!str 1',
    'a: |\n  block',
    'a: >\n  folded',
    'a: "esc\\"aped"',
    "a: 'it''s'",
    'a: [1, 2]',
    'a: {b: c}',
    'a: b\n  c',
    'a:\tb',
    'a: b\r\nc: d',
    'a: b  ',
    'a: ü',
    '"a": b',
    '? a\n: b',
    '- a\n- b',
    '  a: b',
    'a: b: c',
    'a:\n-\n  b',
    'a:\n- - b',
    'true: x',
    '1: x',
    'a: @b',
    'a: `b`',
    '%YAML 1.1\n---\na: b',
    `${'k'.repeat(1025)}: v`,
  ];
  for (const text of refused) assert.equal(E.parseBlockYaml(text), undefined, JSON.stringify(text));
});

test('corner cases are either left to the yaml library or read exactly as it reads them', () => {
  const cases = [
    'a: { }',
    'a: [ ]',
    'a:  b',
    'a:   "b"',
    '- x',
    'a:\n-  x\n-   y: 1\n    z: 2',
    'a:\n  -  x',
    'a:\n\n\n  b: 1\n\n',
    'a: b\n\n',
    'a:',
    'a:\nb:',
    'a:\n  b:\n  c:',
    'a: -1',
    'a: -x',
    'a: --',
    'a: x-',
    'a: .',
    'a: ..',
    'a: ~x',
    'a: +1',
    'a: 1e',
    'a: 1_000',
    'a: 012',
    'a: 0b1',
    'a: .Inf',
    'a: .nan',
    'a: yes',
    'a: on',
    'a: =',
    'a: <<',
    'a: x:y',
    'a: http://x:80/p?q=1&r',
    'a: x,y',
    'a: x]',
    'a: (x)',
    'a: \\x',
    'a: ""',
    "a: ''",
    'a: "x" ',
    'a:\n  - b\n  c: d',
    'a:\n    b: 1\n  c: 2',
    'a:\n  b: 1\n    c: 2',
    'a: b\nc',
    'a b: c',
    'a.b/c-d_e: f',
    'a: b\na: c',
    '- a: b',
    'x:\n- a: 1\n  b:\n    - c\n- d',
  ];
  let accepted = 0;
  for (const text of cases) if (compare(text, JSON.stringify(text))) accepted++;
  assert.ok(accepted > cases.length / 2, `only ${accepted} of ${cases.length} read by the fast reader`);
});

test('one-character mutations: whatever the fast reader accepts, the yaml library reads the same way', () => {
  // A deterministic generator, so a failure reproduces.
  let seed = 42;
  const rand = (n) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = [
    ' ',
    '  ',
    ':',
    ': ',
    '-',
    '- ',
    '\n',
    '\n  ',
    '#',
    '"',
    "'",
    '{',
    '}',
    '[',
    ']',
    ',',
    '&',
    '*',
    '!',
    '|',
    '>',
    '?',
    'a',
    '0',
    '1',
    '.',
    'x: y',
    '~',
    'true',
    '\t',
  ];
  let accepted = 0;
  let tried = 0;
  for (const { label, text } of texts) {
    const small = text.length > 20_000 ? text.slice(0, 20_000) : text;
    // Half the edits land next to what gives YAML its structure, where a reader is most likely to go wrong.
    const structural = [...small.matchAll(/[:\-{}[\]"'\n]/g)].map((m) => m.index);
    for (let k = 0; k < 600; k++) {
      const at = k % 2 && structural.length ? Math.max(0, structural[rand(structural.length)] + rand(3) - 1) : rand(small.length + 1);
      const del = rand(3);
      const ins = rand(4) === 0 ? '' : alphabet[rand(alphabet.length)];
      const mutated = small.slice(0, at) + ins + small.slice(Math.min(small.length, at + del));
      tried++;
      if (compare(mutated, `${label} with ${JSON.stringify(ins)} at ${at}, ${del} deleted`)) accepted++;
    }
  }
  // Most single edits keep a file readable by the fast reader (typing in a value): the comparison is not idle.
  assert.ok(accepted > tried / 4, `only ${accepted} of ${tried} mutations were read by the fast reader`);
});

test('the engine finds the same whichever reader read the file', () => {
  const E2 = loadEngine();
  for (const { label, text } of texts) {
    const viaFast = E2.parseFile('/x/' + path.basename(label), text);
    // The same text with a comment appended is read by the yaml library.
    const viaYaml = E2.parseFile('/x/' + path.basename(label), `${text}${text.endsWith('\n') ? '' : '\n'}# read by the yaml library\n`);
    const strip = (p) => JSON.stringify(p.units, (k, v) => (v instanceof Map ? [...v] : v));
    assert.equal(strip(viaFast), strip(viaYaml), label);
    assert.deepEqual(viaFast.yamlErrors, viaYaml.yamlErrors, label);
  }
});
