// `kube-pki verify` (dist/cli.js) as a process: certificates made at run time with the project's generator,
// and the Kubernetes repository's own test certificates (test/corpora/kubernetes). Run `node esbuild.js` first.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { g, tempDir, write, cleanup } from './helpers/engine.mjs';
import { CORPORA } from './helpers/corpora.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const CLI = path.join(repo, 'dist', 'cli.js');
const KUBERNETES = path.join(CORPORA, 'kubernetes');
const SERVING = path.join(KUBERNETES, 'apiserver-serving');
const X509AUTH = path.join(KUBERNETES, 'apiserver-x509-auth');

function verify(args, cwd = dir) {
  const r = spawnSync(process.execPath, [CLI, 'verify', ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let dir;
let keyBodies = [];
before(async () => {
  dir = tempDir('kube-pki-verify-');
  const root = await g.issueCertificate({ commonName: 'kubernetes', isCA: true, keyType: 'ecdsa-p256' });
  const inter = await g.issueCertificate({ commonName: 'intermediate-ca', isCA: true, keyType: 'ecdsa-p256', issuer: root });
  const other = await g.issueCertificate({ commonName: 'other-ca', isCA: true, keyType: 'ecdsa-p256' });
  const serving = await g.issueCertificate({
    commonName: 'kube-apiserver',
    keyType: 'ecdsa-p256',
    issuer: inter,
    extKeyUsage: ['serverAuth'],
    dnsNames: ['kubernetes', 'kubernetes.default', '*.lb.example.internal'],
    ipAddresses: ['10.96.0.1'],
  });
  const client = await g.issueCertificate({ commonName: 'system:kube-scheduler', keyType: 'ecdsa-p256', issuer: root, extKeyUsage: ['clientAuth'] });
  const noEku = await g.issueCertificate({ commonName: 'anything', keyType: 'ecdsa-p256', issuer: root, dnsNames: ['svc.local'] });
  write(dir, 'ca.crt', root.certPem);
  write(dir, 'inter.crt', inter.certPem);
  write(dir, 'other.crt', other.certPem);
  write(dir, 'apiserver.crt', serving.certPem);
  // A serving file holding its chain and its key, as some tools write it: the key is skipped, never printed.
  write(dir, 'bundle.pem', serving.certPem + inter.certPem + serving.key.privateKeyPem);
  write(dir, 'client.crt', client.certPem);
  write(dir, 'noeku.crt', noEku.certPem);
  write(dir, 'key.pem', client.key.privateKeyPem);
  for (const k of [serving.key.privateKeyPem, client.key.privateKeyPem]) {
    keyBodies.push(
      ...k
        .split('\n')
        .filter((l) => l && !l.startsWith('-----'))
        .map((l) => l.slice(0, 16)),
    );
  }
});
after(() => cleanup(dir));

test('a serving certificate verifies for its SANs, and the chain is printed root last', () => {
  for (const host of ['kubernetes', 'kubernetes.default', 'api.lb.example.internal', '10.96.0.1']) {
    const r = verify(['apiserver.crt', '--ca', 'ca.crt', '--untrusted', 'inter.crt', '--host', host]);
    assert.equal(r.code, 0, `${host}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /^apiserver\.crt: ok\nchain:\n  0 CN=kube-apiserver · issuer CN=intermediate-ca/);
    assert.match(r.stdout, /\n  1 CN=intermediate-ca · issuer CN=kubernetes/);
    assert.match(r.stdout, /\n  2 CN=kubernetes · trusted root/);
  }
});

test('host names follow Go: SANs only, a wildcard covers one label, an IP only against IP SANs', () => {
  const cases = [
    ['kube-apiserver', 'x509: certificate is valid for kubernetes, kubernetes.default, *.lb.example.internal, not kube-apiserver'],
    ['a.b.lb.example.internal', 'not a.b.lb.example.internal'],
    ['10.96.0.2', 'x509: certificate is valid for 10.96.0.1, not 10.96.0.2'],
  ];
  for (const [host, message] of cases) {
    const r = verify(['apiserver.crt', '--ca', 'ca.crt', '--untrusted', 'inter.crt', '--host', host]);
    assert.equal(r.code, 1, r.stdout);
    assert.ok(r.stdout.startsWith('apiserver.crt: error: x509: certificate is valid for'), r.stdout);
    assert.ok(r.stdout.includes(message), `${host}: ${r.stdout}`);
  }
});

test('the intermediates in the certificate file are used; without them the issuer is unknown', () => {
  assert.equal(verify(['bundle.pem', '--ca', 'ca.crt', '--host', 'kubernetes']).code, 0);
  const r = verify(['apiserver.crt', '--ca', 'ca.crt', '--host', 'kubernetes']);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^apiserver\.crt: error: x509: certificate signed by unknown authority/);
  const wrong = verify(['client.crt', '--ca', 'other.crt', '--usage', 'client']);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stdout, /unknown authority/);
  const none = verify(['client.crt', '--usage', 'client']);
  assert.equal(none.code, 1);
  assert.match(none.stdout, /note: no --ca given: nothing is trusted/);
});

test('usage: a client certificate is refused for serving, and the reverse; no EKU means any', () => {
  assert.equal(verify(['client.crt', '--ca', 'ca.crt', '--usage', 'client']).code, 0);
  const asServer = verify(['client.crt', '--ca', 'ca.crt']);
  assert.equal(asServer.code, 1);
  assert.match(asServer.stdout, /x509: certificate specifies an incompatible key usage/);
  assert.match(
    asServer.stdout,
    /\nnote: client\.crt is a client certificate \(extended key usage clientAuth, not serverAuth\): add --usage client to verify it as one\n/,
  );
  const asServerJson = JSON.parse(verify(['client.crt', '--ca', 'ca.crt', '--format', 'json']).stdout);
  assert.ok(asServerJson.notes.some((n) => n.includes('add --usage client')));
  // A serving certificate refused as a client's, or one failing for another reason, gets no such note.
  assert.doesNotMatch(verify(['apiserver.crt', '--ca', 'ca.crt', '--untrusted', 'inter.crt', '--usage', 'client']).stdout, /add --usage/);
  assert.doesNotMatch(verify(['client.crt', '--ca', 'apiserver.crt']).stdout, /add --usage/);
  assert.equal(verify(['apiserver.crt', '--ca', 'ca.crt', '--untrusted', 'inter.crt', '--usage', 'client']).code, 1);
  assert.equal(verify(['noeku.crt', '--ca', 'ca.crt', '--usage', 'client']).code, 0);
  assert.equal(verify(['noeku.crt', '--ca', 'ca.crt', '--host', 'svc.local']).code, 0);
});

test("--at: expired and not yet valid, in Go's words", () => {
  const late = verify(['client.crt', '--ca', 'ca.crt', '--usage', 'client', '--at', '2099-01-01']);
  assert.equal(late.code, 1);
  assert.match(late.stdout, /x509: certificate has expired or is not yet valid: current time 2099-01-01T00:00:00Z is after /);
  const early = verify(['client.crt', '--ca', 'ca.crt', '--usage', 'client', '--at', '2001-01-01T00:00:00Z']);
  assert.equal(early.code, 1);
  assert.match(early.stdout, /current time 2001-01-01T00:00:00Z is before /);
});

test('--format json', () => {
  const r = verify(['apiserver.crt', '--ca', 'ca.crt', '--untrusted', 'inter.crt', '--host', 'nope', '--format', 'json']);
  assert.equal(r.code, 1);
  const j = JSON.parse(r.stdout);
  assert.equal(j.ok, false);
  assert.equal(j.error.kind, 'hostname');
  assert.match(j.error.message, /not nope$/);
  assert.equal(j.certificate.subject, 'CN=kube-apiserver');
  const ok = JSON.parse(verify(['apiserver.crt', '--ca', 'ca.crt', '--untrusted', 'inter.crt', '--format', 'json']).stdout);
  assert.equal(ok.ok, true);
  assert.deepEqual(
    ok.chains[0].map((c) => c.subject),
    ['CN=kube-apiserver', 'CN=intermediate-ca', 'CN=kubernetes'],
  );
  assert.ok(Array.isArray(ok.warnings));
});

test('bad usage exits 2 with the reason', () => {
  const cases = [
    [[], /verify needs the certificate/],
    [['a.crt', 'b.crt'], /verify takes one certificate/],
    [['apiserver.crt', '--usage', 'peer'], /--usage: expected server, client or any/],
    [['apiserver.crt', '--at', 'tomorrow'], /--at: not an ISO 8601/],
    [['apiserver.crt', '--format', 'sarif'], /--format: expected text or json/],
    [['apiserver.crt', '--bogus'], /unknown option '--bogus'/],
    [['missing.crt', '--ca', 'ca.crt'], /CERT missing\.crt: /],
    [['apiserver.crt', '--ca', 'key.pem'], /--ca key\.pem: no CERTIFICATE PEM block/],
    [['key.pem', '--ca', 'ca.crt'], /CERT key\.pem: no CERTIFICATE PEM block/],
  ];
  for (const [args, re] of cases) {
    const r = verify(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, re);
    assert.equal(r.stdout, '');
  }
  assert.equal(verify(['--help']).code, 0);
});

test('key material in the files given is never printed', () => {
  const outputs = [
    verify(['bundle.pem', '--ca', 'ca.crt', '--host', 'kubernetes']),
    verify(['bundle.pem', '--ca', 'ca.crt', '--host', 'nope', '--format', 'json']),
    verify(['key.pem', '--ca', 'ca.crt']),
  ];
  for (const o of outputs) for (const k of keyBodies) assert.ok(!(o.stdout + o.stderr).includes(k));
});

// Kubernetes' own serving certificates: a folder name is the DNS SANs, then the IP SANs (comma-separated),
// separated by '_', with 'star.' for '*.' (staging/src/k8s.io/apiserver/pkg/server/options/testdata).
function servingCases() {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (!statSync(p).isDirectory()) continue;
      if (existsSync(path.join(p, 'cert'))) {
        const parts = e.split('_');
        const ips = parts.pop().split(',').filter(Boolean);
        const names = parts.filter(Boolean).map((n) => n.replace(/^star\./, '*.'));
        out.push({ cert: path.join(p, 'cert'), names, ips });
      }
      walk(p);
    }
  };
  walk(SERVING);
  return out;
}

test('corpus: the apiserver serving certificates verify for the names in their folder names, and only those', () => {
  const cases = servingCases();
  assert.ok(cases.length >= 10, `found ${cases.length}`);
  for (const c of cases) {
    const hosts = [...c.names.map((n) => n.replace(/^\*\./, 'anything.')), ...c.ips];
    for (const host of hosts) {
      const r = verify([c.cert, '--ca', c.cert, '--host', host], SERVING);
      assert.equal(r.code, 0, `${c.cert} --host ${host}: ${r.stdout}`);
      assert.match(r.stdout, /: ok\nchain:\n  0 CN=/);
    }
    for (const host of ['kubernetes.default.svc', '192.0.2.1', ...(c.names.length ? [`a.b.${c.names[0].replace(/^\*\./, '')}`] : [])]) {
      const r = verify([c.cert, '--ca', c.cert, '--host', host], SERVING);
      assert.equal(r.code, 1, `${c.cert} --host ${host}: ${r.stdout}`);
      const expected = /^\d/.test(host)
        ? c.ips.length
          ? `x509: certificate is valid for ${c.ips.join(', ')}, not ${host}`
          : `x509: cannot validate certificate for ${host} because it doesn't contain any IP SANs`
        : `x509: certificate is valid for ${c.names.join(', ')}, not ${host}`;
      assert.ok(r.stdout.includes(`: error: ${expected}\n`), `${host}: ${r.stdout}`);
    }
    // The CN names the host too, but Go (and so Kubernetes) never looks at it.
    const cn = /CN=([^@]+)@/.exec(verify([c.cert, '--ca', c.cert], SERVING).stdout)?.[1];
    if (cn && !c.names.includes(cn)) assert.equal(verify([c.cert, '--ca', c.cert, '--host', cn], SERVING).code, 1);
  }
});

test('corpus: the apiserver x509 client-auth chain', () => {
  const v = (...a) => verify(a, X509AUTH);
  const ok = v('client-valid.pem', '--ca', 'root.pem', '--untrusted', 'intermediate.pem', '--usage', 'client');
  assert.equal(ok.code, 0, ok.stdout);
  assert.match(
    ok.stdout,
    /0 CN=My Client · issuer CN=Intermediate-CA.*\n  1 CN=Intermediate-CA · issuer CN=Root-CA.*\n  2 CN=Root-CA · trusted root/,
  );
  // The intermediate allows only clientAuth: nothing below it can serve.
  const asServer = v('client-valid.pem', '--ca', 'root.pem', '--untrusted', 'intermediate.pem');
  assert.equal(asServer.code, 1);
  assert.match(asServer.stdout, /incompatible key usage/);
  const noInter = v('client-valid.pem', '--ca', 'root.pem', '--usage', 'client');
  assert.equal(noInter.code, 1);
  assert.match(noInter.stdout, /signed by unknown authority/);
  const expired = v('client-expired.pem', '--ca', 'root.pem', '--untrusted', 'intermediate.pem', '--usage', 'client');
  assert.equal(expired.code, 1);
  assert.match(expired.stdout, /x509: certificate has expired or is not yet valid: current time .* is after 1990-12-31T23:59:00Z/);
  // At its one valid instant the client is fine, but its CAs were not yet valid then.
  const then = v('client-expired.pem', '--ca', 'root.pem', '--untrusted', 'intermediate.pem', '--usage', 'client', '--at', '1990-12-31T23:59:00Z');
  assert.equal(then.code, 1);
  assert.match(then.stdout, /current time 1990-12-31T23:59:00Z is before 2016-10-11T05:06:00Z/);
  assert.match(then.stdout, /about: CN=Intermediate-CA/);
  const later = v('client-valid.pem', '--ca', 'root.pem', '--untrusted', 'intermediate.pem', '--usage', 'client', '--at', '2117-01-01');
  assert.equal(later.code, 1);
  assert.match(later.stdout, /is after 2116-09-17T05:06:00Z/);
});

test("RFC 5280 violations Go tolerates are warnings: the verdict stays ok, as the cluster's does", async () => {
  const { OpenSSL } = await import('./helpers/openssl.mjs');
  const o = new OpenSSL();
  try {
    // A CA without keyUsage, and a leaf without authorityKeyIdentifier: Go accepts both.
    const root = o.cert({ subject: '/CN=lax-root', ca: true });
    const server = o.cert({ subject: '/CN=lax-server', issuer: root, eku: ['serverAuth'], san: ['DNS:lax.example'], aki: false });
    const r = verify([server.path, '--ca', root.path, '--host', 'lax.example']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /: ok\n/);
    assert.match(r.stdout, /\nwarning: RFC 5280 4\.2\.1\.1: .*lax-server.* has no authorityKeyIdentifier/);
    assert.match(r.stdout, /\nwarning: RFC 5280 4\.2\.1\.3: CA certificate .*lax-root.* has no keyUsage extension/);
    const j = JSON.parse(verify([server.path, '--ca', root.path, '--format', 'json']).stdout);
    assert.equal(j.ok, true);
    assert.ok(j.warnings.some((w) => w.includes('4.2.1.1')));
  } finally {
    o.cleanup();
  }
});
