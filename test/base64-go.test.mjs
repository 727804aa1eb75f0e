// Base64 as the apiserver, kubectl and client-go decode a []byte field (Go's encoding/base64 StdEncoding under
// encoding/json): one decoder for a kubeconfig's *-data, a Secret's data and a webhook's caBundle, refusing what
// Go refuses (no padding, a space, anything after the padding) with Go's own error and offset, and skipping line
// breaks as Go does.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { E, b64, tempDir, write, ca, leaf, checkTree, summary, lineOf, cleanup, kubeconfig } from './helpers/engine.mjs';

const dirs = [];
let root;
let client;

before(async () => {
  root = await ca('kubernetes');
  client = await leaf(root, { commonName: 'dev' });
});
after(() => dirs.forEach(cleanup));

function dir() {
  const d = tempDir('kube-pki-base64-');
  dirs.push(d);
  return d;
}

describe("Go's decoder", () => {
  test("src/encoding/base64's TestDecodeCorrupt table: the same verdicts and offsets", () => {
    const cases = [
      ['', -1],
      ['\n', -1],
      ['AAA=\n', -1],
      ['AAAA\n', -1],
      ['!!!!', 0],
      ['====', 0],
      ['x===', 1],
      ['=AAA', 0],
      ['A=AA', 1],
      ['AA=A', 2],
      ['AA==A', 4],
      ['AAA=AAAA', 4],
      ['AAAAA', 4],
      ['AAAAAA', 4],
      ['A=', 1],
      ['A==', 1],
      ['AA=', 3],
      ['AA==', -1],
      ['AAA=', -1],
      ['AAAA', -1],
      ['AAAAAA=', 7],
      ['YWJjZA=====', 8],
      ['A!\n', 1],
      ['A=\n', 1],
    ];
    for (const [input, offset] of cases) {
      const r = E.pki.goBase64Decode(input);
      assert.equal(r.ok ? -1 : r.offset, offset, JSON.stringify(input));
      if (!r.ok) assert.equal(r.error, `illegal base64 data at input byte ${offset}`);
    }
  });

  test("text with '=' in it fails where Go stops reading, line breaks are skipped, offsets count UTF-8 bytes", () => {
    assert.equal(E.pki.goBase64Decode('CA=BUNDLE').error, 'illegal base64 data at input byte 2');
    assert.equal(E.pki.goBase64Decode('Zm9v\r\nYmFy\n').bytes.toString(), 'foobar');
    assert.equal(E.pki.goBase64Decode('Zm9vYmFy ').error, 'illegal base64 data at input byte 8');
    assert.equal(E.pki.goBase64Decode('é===').error, 'illegal base64 data at input byte 0');
    assert.equal(E.pki.goBase64Decode('QUJDé').error, 'illegal base64 data at input byte 4');
    for (let n = 0; n < 40; n++) {
      const bytes = Buffer.from(Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff));
      assert.deepEqual(E.pki.goBase64Decode(bytes.toString('base64')).bytes, bytes);
    }
  });
});

describe('what the apiserver refuses is refused here', () => {
  test("a Secret whose tls.crt has no padding: pem-invalid with Go's offset (the apiserver rejects the Secret)", () => {
    const d = dir();
    // A PEM whose length is a multiple of 3 encodes without padding: a trailing line break makes it need some.
    const pem = client.certPem.length % 3 === 0 ? `${client.certPem}\n` : client.certPem;
    const crt = b64(pem).replace(/=+$/, '');
    assert.notEqual(crt.length % 4, 0, 'the fixture must need padding');
    const f = write(
      d,
      'secret.yaml',
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata:',
        '  name: web',
        'type: kubernetes.io/tls',
        'data:',
        `  tls.crt: ${crt}`,
        `  tls.key: ${b64(client.key.privateKeyPem)}`,
        '',
      ].join('\n'),
    );
    const { findings } = checkTree(d);
    assert.deepEqual(summary(findings, d), [`secret.yaml:${lineOf(f, 'tls.crt:')} pem-invalid`]);
    assert.equal(
      findings[0].message,
      `tls.crt is not valid base64: the apiserver and kubectl refuse it ("illegal base64 data at input byte ${crt.length - (crt.length % 4)}")`,
    );
  });

  test('a kubeconfig whose client-certificate-data runs over two plain lines (YAML folds them with a space): pem-invalid at the space', () => {
    const d = dir();
    const data = b64(client.certPem);
    const cut = 64;
    const text = kubeconfig({ caPem: root.certPem, certPem: client.certPem, keyPem: client.key.privateKeyPem }).replace(
      `client-certificate-data: ${data}`,
      `client-certificate-data: ${data.slice(0, cut)}\n      ${data.slice(cut)}`,
    );
    const f = write(d, 'dev.conf', text);
    const { findings } = checkTree(d);
    assert.deepEqual(summary(findings, d), [`dev.conf:${lineOf(f, 'client-certificate-data')} pem-invalid`]);
    assert.equal(
      findings[0].message,
      `client-certificate-data is not valid base64: the apiserver and kubectl refuse it ("illegal base64 data at input byte ${cut}")`,
    );
  });

  test('the same value as a literal block scalar (line breaks, which Go skips) loads', () => {
    const d = dir();
    const data = b64(client.certPem);
    const text = kubeconfig({ caPem: root.certPem, certPem: client.certPem, keyPem: client.key.privateKeyPem }).replace(
      `client-certificate-data: ${data}`,
      `client-certificate-data: |\n      ${data.match(/.{1,64}/g).join('\n      ')}`,
    );
    write(d, 'dev.conf', text);
    const { findings } = checkTree(d);
    assert.deepEqual(summary(findings, d), []);
  });

  test('caBundle: padding followed by a space, and no padding at all, are no placeholder: pem-invalid where Go stops', () => {
    const hook = (caBundle) =>
      [
        'apiVersion: admissionregistration.k8s.io/v1',
        'kind: ValidatingWebhookConfiguration',
        'metadata:',
        '  name: policy',
        'webhooks:',
        '- name: validate.policy.example.com',
        '  clientConfig:',
        `    caBundle: ${caBundle}`,
        '    url: https://policy.example.com/validate',
        '',
      ].join('\n');
    for (const [value, offset] of [
      ['"Cg== "', 4],
      ['Cg', 0],
      ['"Cg ==\\n"', 2],
    ]) {
      const d = dir();
      write(d, 'hook.yaml', hook(value));
      const { findings } = checkTree(d);
      assert.deepEqual(
        findings.map((f) => `${f.code}: ${f.message}`),
        [`pem-invalid: caBundle is not valid base64: the apiserver and kubectl refuse it ("illegal base64 data at input byte ${offset}")`],
        `caBundle: ${value}`,
      );
    }
    // Base64 of one line break split by a line break is still the kubebuilder placeholder: Go skips the break.
    const d = dir();
    write(d, 'hook.yaml', hook('"Cg\\n=="'));
    assert.deepEqual(checkTree(d).findings, []);
  });
});
