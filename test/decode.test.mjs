// Seeing inside certificates: the engine's hover, full decode, outline and folds (dist/engine.js), on
// certificates, bundles, keys and CSRs made at run time (the project's generator and the openssl CLI),
// and on every certificate of the zlint corpus. Run `node esbuild.js` first.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { E, g, tempDir, write, cleanup, b64 } from './helpers/engine.mjs';
import { OpenSSL } from './helpers/openssl.mjs';
import { CORPORA } from './helpers/corpora.mjs';

const DAY = 86_400_000;
const HOUR = 3_600_000;

let dir;
let ssl;
before(() => {
  dir = tempDir('kube-pki-decode-');
  ssl = new OpenSSL();
});
after(() => {
  cleanup(dir);
  ssl.cleanup();
});

function engineAt(now, extra = {}) {
  return new E.Engine(E.nodeFileSystem(), { now, searchRoots: [dir], ...extra });
}

/** The hover on the first occurrence of `needle` (offset a few characters in). */
function hoverOn(engine, file, text, needle, delta = 3) {
  const i = text.indexOf(needle);
  assert.ok(i >= 0, `${needle} not in the text`);
  return E.hoverAt(engine, file, text, i + delta);
}

/** The base64 body lines of every PEM block of a text (what must never show for a key). */
function bodyLines(pem) {
  return pem
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^[A-Za-z0-9+/=]{16,}$/.test(l));
}

function assertNoKeyMaterial(outputs, keyPems) {
  const lines = keyPems.flatMap(bodyLines);
  assert.ok(lines.length >= keyPems.length, 'the keys have body lines to look for');
  for (const out of outputs) {
    for (const line of lines) assert.ok(!out.includes(line), `key material shown: ${line.slice(0, 12)}…`);
    // Not even a part of a line (the first 16 characters of each line).
    for (const line of lines) assert.ok(!out.includes(line.slice(0, 16)), 'a part of a key line is shown');
    assert.ok(!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(out), 'a private key block is shown');
  }
}

const fingerprintOf = (pem) => new X509Certificate(pem).fingerprint256;

describe('certificates', () => {
  let ca;
  let leaf;
  let file;
  before(async () => {
    ca = await g.issueCertificate({ commonName: 'kubernetes', isCA: true, keyType: 'ecdsa-p256' });
    leaf = await g.issueCertificate({
      commonName: 'kubernetes-admin',
      organizations: ['system:masters', 'kubeadm:cluster-admins'],
      dnsNames: ['admin.example'],
      ipAddresses: ['10.0.0.7'],
      extKeyUsage: ['clientAuth'],
      keyType: 'rsa-2048',
      issuer: ca,
    });
    file = write(dir, 'certs/admin.crt', leaf.certPem);
  });

  test('a certificate file: subject and issuer, what Kubernetes sees, SANs, validity, key, usages, IDs, fingerprint', () => {
    const x = new X509Certificate(leaf.certPem);
    const notAfter = new Date(x.validTo);
    const engine = engineAt(new Date(notAfter.getTime() - 41 * DAY - HOUR));
    const h = hoverOn(engine, file, leaf.certPem, 'MII');
    assert.ok(h, 'a hover on the PEM body');
    const md = h.markdown;
    assert.match(md, /^\*\*Certificate\*\* CN=kubernetes-admin · ✅ expires in 41 days/);
    assert.match(md, /\| Subject \| O=system:masters, O=kubeadm:cluster-admins, CN=kubernetes-admin \|/);
    assert.match(md, /\| Kubernetes sees \| user \*\*kubernetes-admin\*\*, groups \*\*system:masters\*\*, \*\*kubeadm:cluster-admins\*\* \|/);
    assert.match(md, /\| Issuer \| CN=kubernetes \|/);
    assert.match(md, /\| SANs \| DNS: admin\.example · IP: 10\.0\.0\.7 \|/);
    assert.match(md, /\| Public key \| RSA 2048 \|/);
    assert.match(md, /\| Signature \| ecdsa-with-SHA256 \|/);
    assert.match(md, /\| Key usage \| digitalSignature, keyEncipherment \|/);
    assert.match(md, /\| Extended key usage \| clientAuth \|/);
    assert.match(md, /\| CA \| no \|/);
    assert.ok(md.includes(`| SHA-256 | ${x.fingerprint256} |`), 'the SHA-256 fingerprint as node:crypto computes it');
    assert.ok(md.includes(`| Serial | ${x.serialNumber.match(/.{2}/g).join(':')} |`));
    assert.match(md, /\| Subject key ID \| ([0-9A-F]{2}:){19}[0-9A-F]{2} \|/);
    assert.match(md, /\| Authority key ID \| ([0-9A-F]{2}:){19}[0-9A-F]{2} \|/);
    assert.ok(md.includes(`| Not after | ${notAfter.toISOString().slice(0, 19).replace('T', ' ')} UTC (expires in 41 days) |`));
    // The range is the whole block, BEGIN line to END line.
    const lines = leaf.certPem.trimEnd().split('\n');
    assert.deepEqual(h.range, { start: { line: 0, character: 0 }, end: { line: lines.length - 1, character: lines[lines.length - 1].length } });

    // The same certificate three days after it expired; and before it is valid.
    const late = hoverOn(engineAt(new Date(notAfter.getTime() + 3 * DAY + HOUR)), file, leaf.certPem, 'MII').markdown;
    assert.match(late, /^\*\*Certificate\*\* CN=kubernetes-admin · ❌ expired 3 days ago/);
    const early = hoverOn(engineAt(new Date(new Date(x.validFrom).getTime() - 2 * DAY - HOUR)), file, leaf.certPem, 'MII').markdown;
    assert.match(early, /❌ not valid yet: valid from .* \(in 2 days\)/);
  });

  test('outside any block, in the text before it, there is no hover', () => {
    const text = `Certificate:\n    Data: (an openssl -text dump)\n${leaf.certPem}`;
    assert.equal(E.hoverAt(engineAt(new Date()), file, text, 5), undefined);
    assert.ok(E.hoverAt(engineAt(new Date()), file, text, text.indexOf('-----BEGIN') + 2));
  });

  test('a bundle shows each certificate in order and whether they chain', async () => {
    const root = await g.issueCertificate({ commonName: 'root-ca', isCA: true, keyType: 'ecdsa-p256' });
    const inter = await g.issueCertificate({ commonName: 'intermediate-ca', isCA: true, keyType: 'ecdsa-p256', issuer: root });
    const server = await g.issueCertificate({
      commonName: 'webhook',
      dnsNames: ['webhook.svc'],
      extKeyUsage: ['serverAuth'],
      keyType: 'ecdsa-p256',
      issuer: inter,
    });
    const text = server.certPem + inter.certPem + root.certPem;
    const bundle = write(dir, 'certs/chain.pem', text);
    const engine = engineAt(new Date());

    const second = hoverOn(engine, bundle, text, inter.certPem.slice(30, 60)).markdown;
    assert.match(second, /Block 2 of 3 in this text · certificate 2 of 3 · ✅ 1 is issued by 2 · ✅ 2 is issued by 3/);
    assert.match(second, /\*\*Certificate\*\* CN=intermediate-ca/);
    assert.match(second, /\| CA \| yes \|/);

    const full = E.decodeAt(engine, bundle, text, { offset: 0 }).text;
    assert.match(full, /# 3 certificates: 1 is issued by 2; 2 is issued by 3/);
    const order = ['Subject: CN=webhook', 'Subject: CN=intermediate-ca', 'Subject: CN=root-ca'].map((s) => full.indexOf(s));
    assert.ok(
      order.every((i, k) => i > 0 && (k === 0 || i > order[k - 1])),
      `in order: ${order}`,
    );

    // Two unrelated roots (a CA bundle): neither is issued by the other. Out of order: the chain says so.
    const other = await g.issueCertificate({ commonName: 'other-root', isCA: true, keyType: 'ecdsa-p256' });
    const roots = write(dir, 'certs/roots.pem', root.certPem + other.certPem);
    const r = E.decodeAt(engine, roots, readFileSync(roots, 'utf8'), { offset: 0 }).text;
    assert.match(r, /# 2 certificates: 1 is NOT issued by 2/);
    const reversed = root.certPem + inter.certPem;
    const rev = hoverOn(engine, roots, reversed, root.certPem.slice(30, 60)).markdown;
    assert.match(rev, /✖ 1 is not issued by 2/);

    // Through a path reference: the whole bundle, then the chain verdict, then the role.
    const manifest = write(
      dir,
      'node/manifests/kube-apiserver.yaml',
      `apiVersion: v1\nkind: Pod\nmetadata:\n  name: kube-apiserver\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n    - --client-ca-file=${bundle}\n`,
    );
    const mtext = readFileSync(manifest, 'utf8');
    engine.updateDocument(manifest, mtext);
    const ref = hoverOn(engine, manifest, mtext, bundle, 5).markdown;
    assert.match(ref, /^\*1 of 3\*\n\n\*\*Certificate\*\* CN=webhook/);
    assert.match(
      ref,
      /\n\n---\n\n\*\*3 certificates\*\*: they form one chain, in order — ✅ 1 is issued by 2 · ✅ 2 is issued by 3\n\n---\n\n\*\*the CA kube-apiserver trusts for client certificates\*\* · `--client-ca-file` → [^\n]*$/,
    );
  });

  test('the full decode reads like `openssl x509 -text` and ends with the PEM block', () => {
    const engine = engineAt(new Date());
    const d = E.decodeAt(engine, file, leaf.certPem, { offset: 10 });
    assert.equal(d.title, 'admin.crt');
    const t = d.text;
    const openssl = ssl
      .run(['x509', '-noout', '-serial', '-in', file])
      .trim()
      .replace(/^serial=/, '');
    assert.ok(t.includes(`Serial Number: ${openssl.match(/.{2}/g).join(':')}`), 'the serial openssl prints');
    for (const s of [
      'Certificate:',
      '        Issuer: CN=kubernetes',
      '        Subject: O=system:masters, O=kubeadm:cluster-admins, CN=kubernetes-admin',
      '        Kubernetes sees: user "kubernetes-admin", groups "system:masters", "kubeadm:cluster-admins"',
      '            Public Key Algorithm: RSA 2048',
      '            X509v3 Extended Key Usage:\n                TLS Web Client Authentication',
      '            X509v3 Subject Alternative Name:\n                DNS:admin.example, IP Address:10.0.0.7',
      `    SHA-256 Fingerprint: ${fingerprintOf(leaf.certPem)}`,
    ]) {
      assert.ok(t.includes(s), `${JSON.stringify(s)} in the decode`);
    }
    assert.ok(t.trimEnd().endsWith(leaf.certPem.trimEnd()), 'the PEM block comes last, as it is');
    // A selection of base64 (what a *-data value holds) decodes the same certificate.
    const sel = `client-certificate-data: ${b64(leaf.certPem)}\n`;
    const s = E.decodeAt(engine, file, sel, { selection: { start: 25, end: sel.length - 1 } });
    assert.equal(s.title, 'selection in admin.crt');
    assert.ok(s.text.includes(`SHA-256 Fingerprint: ${fingerprintOf(leaf.certPem)}`));
    // Nothing to decode: a reason, not an exception.
    assert.match(E.decodeAt(engine, file, 'hello: world\n', { offset: 2 }).error, /^No certificate, key or CSR here/);
    assert.match(E.decodeAt(engine, file, 'hello: world\n', { selection: { start: 0, end: 5 } }).error, /selection holds no PEM block/);
  });
});

describe('keys, public keys and CSRs', () => {
  test('a private key: type and size, whether it matches its certificate, never its bytes', async () => {
    const rsa = ssl.key({ type: 'rsa', bits: 2048 });
    const ec = ssl.key({ type: 'ec' });
    const ed = ssl.key({ type: 'ed25519' });
    const cert = ssl.cert({ subject: '/CN=kube-apiserver', key: rsa, ca: false });
    const otherCert = ssl.cert({ subject: '/CN=front-proxy-client', key: ec, ca: false });
    const pki = 'keys/etc/kubernetes/pki';
    const keyFile = write(dir, `${pki}/apiserver.key`, rsa.pem);
    write(dir, `${pki}/apiserver.crt`, cert.pem);
    const wrongKey = write(dir, `${pki}/front-proxy-client.key`, ed.pem);
    write(dir, `${pki}/front-proxy-client.crt`, otherCert.pem);
    const engine = engineAt(new Date());
    const outputs = [];
    const hover = (f, text) => {
      const h = hoverOn(engine, f, text, '-----BEGIN', 2);
      assert.ok(h, `a hover in ${f}`);
      outputs.push(h.markdown);
      return h.markdown;
    };

    const ok = hover(keyFile, rsa.pem);
    assert.match(ok, /^\*\*Private key\*\* · RSA 2048/);
    assert.match(ok, /✅ Matches CN=kube-apiserver \(apiserver\.crt, beside it\)/);
    const bad = hover(wrongKey, ed.pem);
    assert.match(bad, /^\*\*Private key\*\* · Ed25519/);
    assert.match(bad, /❌ Does \*\*not\*\* match CN=front-proxy-client \(front-proxy-client\.crt, beside it\)/);
    assert.match(hover(path.join(dir, 'keys/ec.key'), ec.pem), /^\*\*Private key\*\* · ECDSA P-256/);

    // Certificate and key in one file (kubelet-client-current.pem): the key is compared with that certificate.
    const both = otherCert.pem + ec.pem;
    const combined = hoverOn(engine, path.join(dir, 'keys/kubelet-client-current.pem'), both, ec.pem.slice(40, 60)).markdown;
    outputs.push(combined);
    assert.match(combined, /Block 2 of 2 in this text/);
    assert.match(combined, /✅ Matches CN=front-proxy-client \(in the same text\)/);

    // Traditional formats, and a key paired with sa.pub.
    const trad = ssl.traditional(rsa, 'rsa');
    assert.match(hover(path.join(dir, 'keys/trad.key'), trad.pem), /^\*\*Private key\*\* · RSA 2048/);
    const saKey = write(dir, `${pki}/sa.key`, ec.pem);
    write(dir, `${pki}/sa.pub`, ssl.publicKey(ec));
    assert.match(hover(saKey, ec.pem), /✅ Matches the public key in sa\.pub, beside it/);

    // Encrypted keys say so (and which cipher), and are not compared with anything.
    const enc = ssl.encrypted(rsa, 'rsa');
    const p8 = hover(path.join(dir, 'keys/enc8.key'), enc.pkcs8);
    assert.match(p8, /^\*\*Private key\*\* · encrypted private key \(PKCS#8\)/);
    assert.match(p8, /🔒 Encrypted \(PKCS#8\): Kubernetes components cannot read encrypted keys\./);
    const legacy = hover(path.join(dir, 'keys/encl.key'), enc.legacy);
    assert.match(legacy, /🔒 Encrypted \(AES-128-CBC\)/);
    const iv = enc.legacy.match(/DEK-Info: [^,]+,([0-9A-F]+)/)[1];
    assert.ok(!legacy.includes(iv), 'not even the IV');

    // The full decode and the outline say the same, without any key material either.
    for (const [f, text] of [
      [keyFile, rsa.pem],
      [saKey, ec.pem],
      [path.join(dir, 'keys/encl.key'), enc.legacy],
    ]) {
      const d = E.decodeAt(engine, f, text, { offset: 0 });
      assert.match(d.text, /^Private Key:$/m);
      outputs.push(d.text, JSON.stringify(E.documentSymbols(engine, f, text)));
    }
    assert.match(outputs.at(-6), /^ {4}Matches: CN=kube-apiserver \(apiserver\.crt, beside it\)$/m);
    assertNoKeyMaterial(outputs, [rsa.pem, ec.pem, ed.pem, trad.pem, enc.pkcs8, enc.legacy]);
  });

  test('a public key: type, size and SPKI fingerprint', () => {
    const rsa = ssl.key({ type: 'rsa', bits: 2048 });
    const pub = ssl.publicKey(rsa);
    const md = hoverOn(engineAt(new Date()), path.join(dir, 'keys/sa.pub'), pub, '-----BEGIN').markdown;
    const der = Buffer.from(pub.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const fp = createHash('sha256').update(der).digest('hex').toUpperCase().match(/.{2}/g).join(':');
    assert.match(md, /^\*\*Public key\*\* · RSA 2048/);
    assert.ok(md.includes(`| SHA-256 | ${fp} |`));
    const pkcs1 = ssl.publicKey(rsa, { rsaPkcs1: true });
    assert.match(hoverOn(engineAt(new Date()), path.join(dir, 'keys/rsa.pub'), pkcs1, '-----BEGIN').markdown, /^\*\*Public key\*\* · RSA 2048/);
  });

  test('a CSR: subject, what Kubernetes would see, SANs, requested extensions, its self-signature', () => {
    const key = ssl.key({ type: 'ec' });
    ssl.run([
      'req',
      '-new',
      '-key',
      key.path,
      '-out',
      'node.csr',
      '-subj',
      '/O=system:nodes/CN=system:node:node1',
      '-addext',
      'subjectAltName=DNS:node1,DNS:node1.example,IP:10.0.0.2',
      '-addext',
      'extendedKeyUsage=serverAuth',
      '-addext',
      'keyUsage=critical,digitalSignature',
    ]);
    const csr = ssl.read('node.csr');
    const f = path.join(dir, 'csr/node.csr');
    const md = hoverOn(engineAt(new Date()), f, csr, '-----BEGIN').markdown;
    assert.match(md, /^\*\*Certificate signing request\*\* CN=system:node:node1, O=system:nodes/);
    assert.match(md, /\| Subject \| O=system:nodes, CN=system:node:node1 \|/);
    assert.match(md, /\| Kubernetes would see \| user \*\*system:node:node1\*\*, groups \*\*system:nodes\*\* \|/);
    assert.match(md, /\| SANs \| DNS: node1, node1\.example · IP: 10\.0\.0\.2 \|/);
    assert.match(md, /\| Public key \| ECDSA P-256 \|/);
    assert.match(md, /\| Signature \| ecdsa-with-SHA256 \(self-signature valid\) \|/);
    assert.match(md, /\| Requested extensions \| subjectAltName, extendedKeyUsage, keyUsage \(critical\) \|/);
    assert.match(md, /\| Key usage \| digitalSignature \|/);
    assert.match(md, /\| Extended key usage \| serverAuth \|/);
    // openssl agrees on the subject.
    assert.match(ssl.run(['req', '-in', 'node.csr', '-noout', '-subject']), /O\s*=\s*system:nodes, CN\s*=\s*system:node:node1/);

    // One flipped bit in the signature: the request no longer proves possession of the key.
    const der = Buffer.from(csr.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 3] ^= 0x01;
    const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE REQUEST-----\n`;
    assert.match(hoverOn(engineAt(new Date()), f, tampered, '-----BEGIN').markdown, /\(❌ self-signature invalid\)/);
    // And in the outline.
    const symbols = E.documentSymbols(engineAt(new Date()), f, csr);
    assert.deepEqual(
      symbols.map((s) => [s.name, s.kind]),
      [['CSR CN=system:node:node1, O=system:nodes', 'csr']],
    );
  });
});

describe('input that does not decode', () => {
  const engine = () => engineAt(new Date());
  const reasonOf = (text, file = path.join(dir, 'bad/x.pem')) => {
    const h = E.hoverAt(engine(), file, text, text.indexOf('-----BEGIN') + 2);
    assert.ok(h, 'a hover, not nothing');
    assert.ok(h.markdown.length < 400, `short: ${h.markdown}`);
    assert.ok(!/\n\s+at /.test(h.markdown), 'no stack trace');
    return h.markdown;
  };

  test('a short clear reason for each kind of breakage', async () => {
    const c = await g.issueCertificate({ commonName: 'x', keyType: 'ecdsa-p256' });
    const lines = c.certPem.trimEnd().split('\n');
    const body = lines.slice(1, -1);
    const block = (label, b) => `-----BEGIN ${label}-----\n${b.join('\n')}\n-----END ${label}-----\n`;
    assert.equal(
      reasonOf(block('CERTIFICATE', [body[0].slice(0, 10) + '%' + body[0].slice(11), ...body.slice(1)])),
      "**Cannot decode** PEM block 'CERTIFICATE': bad base64 in PEM block 'CERTIFICATE': unexpected character '%'",
    );
    assert.match(
      reasonOf(block('CERTIFICATE', body.slice(0, 3))),
      /^\*\*Cannot decode\*\* PEM block 'CERTIFICATE': not a certificate: DER does not decode/,
    );
    assert.equal(reasonOf(block('CERTIFICATE', [])), "**Cannot decode** PEM block 'CERTIFICATE': PEM block 'CERTIFICATE' is empty");
    assert.equal(
      reasonOf(`-----BEGIN CERTIFICATE-----\n${body.join('\n')}\n`),
      "**Cannot decode** PEM block 'CERTIFICATE': PEM block 'CERTIFICATE' has no END line",
    );
    assert.equal(
      reasonOf(`-----BEGIN CERTIFICATE-----\n${body.join('\n')}\n-----END PRIVATE KEY-----\n`),
      "**Cannot decode** PEM block 'CERTIFICATE': PEM block 'CERTIFICATE' ends with 'END PRIVATE KEY' instead of 'END CERTIFICATE'",
    );
    assert.match(
      reasonOf(block('X509 CRL', body)),
      /a certificate revocation list \(X509 CRL\): kube-pki decodes certificates, keys and certificate requests, not CRLs/,
    );
    assert.match(reasonOf(block('SOMETHING ELSE', body)), /a PEM block labelled 'SOMETHING ELSE': not a certificate, key or certificate request/);
    assert.match(
      reasonOf(block('RSA PRIVATE KEY', body)),
      /^\*\*Cannot decode\*\* PEM block 'RSA PRIVATE KEY': not a valid RSA private key \(PKCS#1\): DER does not decode/,
    );
    assert.match(
      reasonOf(block('CERTIFICATE REQUEST', body)),
      /^\*\*Cannot decode\*\* PEM block 'CERTIFICATE REQUEST': not a certificate signing request/,
    );
    // An unterminated block in the middle of a YAML file ends at its last base64 line, not at the end of the file.
    const yaml = `data:\n  ca.crt: |\n    -----BEGIN CERTIFICATE-----\n${body.map((l) => `    ${l}`).join('\n')}\nkind: ConfigMap\n`;
    const h = E.hoverAt(engine(), path.join(dir, 'bad/cm.yaml'), yaml, yaml.indexOf('-----BEGIN') + 2);
    assert.equal(h.range.end.line, 2 + body.length);
  });

  test('base64 values that are not what they should be', async () => {
    const c = await g.issueCertificate({ commonName: 'der-cert', keyType: 'ecdsa-p256' });
    const der = Buffer.from(c.certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const secret = (v) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${v}\n  tls.key: ""\n`;
    const hover = (v) => {
      const t = secret(v);
      return hoverOn(engine(), path.join(dir, 'bad/secret.yaml'), t, `tls.crt: ${v.slice(0, 4)}`, 12)?.markdown;
    };
    assert.match(hover(der.toString('base64')), /^\*base64 of DER, not of PEM: Kubernetes expects base64 of the PEM text/m);
    assert.match(hover(der.toString('base64')), /\*\*Certificate\*\* CN=der-cert/);
    // A kubernetes.io/tls Secret is recognised: the hover is its reference's, headed by the role.
    const role = '\n\n---\n\n**tls.crt of Secret s** · `tls.crt`';
    assert.equal(hover('bm90IGEgY2VydGlmaWNhdGU='), `**Cannot decode**: decodes to something that holds no PEM block${role}`);
    assert.equal(hover('not*base64*at*all'), `**Cannot decode**: not valid base64${role}`);
  });

  test('an extension that does not decode is listed by OID while the rest still shows', () => {
    const f = path.join(CORPORA, 'zlint/testdata/caMaxPathNegative.pem');
    const text = readFileSync(f, 'latin1');
    const md = E.hoverAt(engine(), f, text, text.indexOf('-----BEGIN') + 2).markdown;
    assert.match(md, /\| Undecodable extensions \| 2\.5\.29\.19 \|/);
    assert.match(md, /\| Key usage \| digitalSignature, keyEncipherment, keyCertSign \|/);
    assert.match(md, /\| Extended key usage \| clientAuth, serverAuth \|/);
    assert.match(md, /❌ Kubernetes components \(Go's crypto\/x509\) refuse it: x509: invalid basic constraints/);
    const san = path.join(CORPORA, 'zlint/testdata/SANDNSNameNotFQDN.pem');
    const st = readFileSync(san, 'latin1');
    assert.match(E.hoverAt(engine(), san, st, st.indexOf('-----BEGIN') + 2).markdown, /\| Undecodable extensions \| 2\.5\.29\.17 \|/);
  });

  test('text from a certificate cannot become Markdown links, images or HTML', () => {
    const key = ssl.key({ type: 'ec' });
    const cert = ssl.cert({ subject: '/CN=[click](command:workbench.action.quit)/O=<img src=x onerror=alert(1)>', key });
    const md = hoverOn(engine(), path.join(dir, 'bad/evil.crt'), cert.pem, '-----BEGIN').markdown;
    assert.ok(!md.includes('[click](command:'), md);
    assert.ok(md.includes('\\[click\\](command:workbench.action.quit)'));
    assert.ok(!/(^|[^\\])<img/.test(md), md);
    assert.ok(md.includes('\\<img src=x onerror=alert(1)\\>'));
  });
});

describe('PEM and base64 in other files', () => {
  let cert;
  let key;
  before(async () => {
    const ca = await g.issueCertificate({ commonName: 'webhook-ca', isCA: true, keyType: 'ecdsa-p256' });
    cert = await g.issueCertificate({
      commonName: 'webhook.default.svc',
      dnsNames: ['webhook.default.svc'],
      extKeyUsage: ['serverAuth'],
      keyType: 'ecdsa-p256',
      issuer: ca,
    });
    key = cert.key.privateKeyPem;
    cert.ca = ca;
  });

  test("a Secret's tls.crt and tls.key, a webhook's caBundle: base64 values (references of recognised Secrets and webhooks)", () => {
    const secret = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: webhook-tls\ntype: kubernetes.io/tls\ndata:\n  tls.crt: ${b64(cert.certPem)}\n  tls.key: ${b64(key)}\n`;
    const file = write(dir, 'other/secret.yaml', secret);
    const engine = engineAt(new Date());
    assert.equal(engine.updateDocument(file, secret), true, 'a kubernetes.io/tls Secret is a file kube-pki checks');
    const crt = hoverOn(engine, file, secret, 'tls.crt: ', 12);
    assert.match(crt.markdown, /^\*\*Certificate\*\* CN=webhook\.default\.svc/m);
    const line = secret.split('\n').findIndex((l) => l.startsWith('  tls.crt:'));
    assert.deepEqual(crt.range.start, { line, character: 11 });
    const k = hoverOn(engine, file, secret, 'tls.key: ', 12).markdown;
    assert.match(k, /\*\*Private key\*\* · ECDSA P-256/);
    assert.match(k, /✅ Matches CN=webhook\.default\.svc \(tls\.crt\)/);
    assertNoKeyMaterial([k, JSON.stringify(E.decodeAt(engine, file, secret, { offset: secret.indexOf('tls.key: ') + 12 }))], [key]);
    // No hover on the key name itself, nor on other fields.
    assert.equal(hoverOn(engine, file, secret, 'tls.crt:', 1), undefined);
    assert.equal(hoverOn(engine, file, secret, 'webhook-tls', 1), undefined);

    const webhook = `apiVersion: admissionregistration.k8s.io/v1\nkind: ValidatingWebhookConfiguration\nmetadata:\n  name: w\nwebhooks:\n- name: w.example.com\n  clientConfig:\n    caBundle: "${b64(cert.ca.certPem)}"\n    service: {name: webhook, namespace: default}\n`;
    const wf = write(dir, 'other/webhook.yaml', webhook);
    assert.match(hoverOn(engine, wf, webhook, 'caBundle: ', 14).markdown, /^\*\*Certificate\*\* CN=webhook-ca/m);
  });

  test('PEM in a YAML block scalar and in Markdown', () => {
    const indented = cert.ca.certPem
      .trimEnd()
      .split('\n')
      .map((l) => `    ${l}`)
      .join('\n');
    const cm = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kube-root-ca.crt\ndata:\n  ca.crt: |\n${indented}\n`;
    const file = write(dir, 'other/cm.yaml', cm);
    const engine = engineAt(new Date());
    const h = hoverOn(engine, file, cm, 'MII', 1);
    // kube-root-ca.crt's ca.crt is a reference (a CA): the hover is the whole value's, the certificate then its role.
    assert.match(h.markdown, /^\*\*Certificate\*\* CN=webhook-ca[^]*\n\n---\n\n\*\*ca\.crt of ConfigMap kube-root-ca\.crt\*\* · `ca\.crt`$/);
    assert.deepEqual(h.range.start, { line: 5, character: 10 });
    assert.equal(h.range.end.line, 6 + cert.ca.certPem.trimEnd().split('\n').length - 1);
    // The decode of a block inside YAML is that block only.
    const d = E.decodeAt(engine, file, cm, { offset: cm.indexOf('MII') });
    assert.match(d.text, /Subject: CN=webhook-ca/);
    assert.deepEqual(E.documentSymbols(engine, file, cm), [], 'no outline entries mixed into YAML');
    assert.deepEqual(E.foldingRanges(cm), [{ startLine: 6, endLine: h.range.end.line }]);

    const md = `# Our CA\n\n\`\`\`pem\n${cert.ca.certPem}\`\`\`\n\nThe key stays offline.\n`;
    const mf = write(dir, 'other/README.md', md);
    assert.match(hoverOn(engine, mf, md, 'MII', 1).markdown, /^\*\*Certificate\*\* CN=webhook-ca/);
    assert.equal(hoverOn(engine, mf, md, 'Our CA', 1), undefined);
  });

  test('outline and folds of a PEM file: one entry per block, named by its subject', async () => {
    const ssl2 = ssl;
    const k = ssl2.key({ type: 'ec' });
    ssl2.run(['req', '-new', '-key', k.path, '-out', 'outline.csr', '-subj', '/CN=outline']);
    const text = `${cert.certPem}\n${cert.ca.certPem}${key}${ssl2.read('outline.csr')}-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n`;
    const file = write(dir, 'other/bundle.crt', text);
    const engine = engineAt(new Date());
    const symbols = E.documentSymbols(engine, file, text);
    assert.deepEqual(
      symbols.map((s) => [s.name, s.kind]),
      [
        ['CN=webhook.default.svc', 'certificate'],
        ['CN=webhook-ca', 'certificate'],
        ['private key (ECDSA P-256)', 'private-key'],
        ['CSR CN=outline', 'csr'],
        ['X509 CRL (does not decode)', 'undecodable'],
      ],
    );
    assert.match(symbols[0].detail, /^certificate · expires \d{4}-\d\d-\d\d \(in 36[45] d\) · issuer webhook-ca$/);
    assert.match(symbols[1].detail, /^CA certificate · /);
    assert.equal(symbols[2].detail, 'matches CN=webhook.default.svc (in the same text)');
    const lines = text.split('\n');
    const begins = lines.flatMap((l, i) => (l.startsWith('-----BEGIN') ? [i] : []));
    const ends = lines.flatMap((l, i) => (l.startsWith('-----END') ? [i] : []));
    assert.deepEqual(
      symbols.map((s) => s.selectionRange.start.line),
      begins,
    );
    assert.deepEqual(
      E.foldingRanges(text),
      begins.map((b, i) => ({ startLine: b, endLine: ends[i] })),
    );
    assert.deepEqual(
      symbols.map((s) => s.range.end.line),
      ends,
    );
  });
});

describe('corpora', () => {
  test('zlint: a hover on every certificate decodes it or gives a clear reason, each within 50 ms', () => {
    const root = path.join(CORPORA, 'zlint/testdata');
    const files = readdirSync(root, { recursive: true }).filter((f) => statSync(path.join(root, f)).isFile());
    const engine = new E.Engine(E.nodeFileSystem(), {});
    const counts = { files: files.length, blocks: 0, certificates: 0, decoded: 0, refused: 0, crls: 0, noPem: 0 };
    const slow = [];
    for (const f of files) {
      const file = path.join(root, f);
      const text = readFileSync(file, 'latin1');
      const regions = E.decode.pemRegions(text);
      if (regions.length === 0) {
        // The four OCSP responses (DER, two of them without an extension): the decode command says there is nothing to decode.
        assert.match(E.decodeAt(engine, file, text, { offset: 0 }).error, /^No certificate, key or CSR here/);
        counts.noPem++;
        continue;
      }
      for (const r of regions) {
        counts.blocks++;
        const t0 = performance.now();
        const h = E.hoverAt(engine, file, text, r.start + 2);
        const ms = performance.now() - t0;
        // Catches a hang, not slowness: speed is measured in `npm run bench`.
        if (ms > 5000) slow.push(`${f}: ${ms.toFixed(1)} ms`);
        assert.ok(h && h.markdown.length > 0, `${f}: no hover`);
        assert.ok(!/\n\s+at /.test(h.markdown), `${f}: a stack trace`);
        if (r.label === 'CERTIFICATE') {
          counts.certificates++;
          assert.match(h.markdown, /^\*\*Certificate\*\* .* · (✅ expires in|❌ expired|❌ not valid yet)/m, f);
          assert.match(h.markdown, /\| SHA-256 \| ([0-9A-F]{2}:){31}[0-9A-F]{2} \|/, f);
          counts.decoded++;
          if (/Kubernetes components (\(Go's crypto\/x509\) )?refuse it/.test(h.markdown)) counts.refused++;
        } else {
          assert.equal(r.label, 'X509 CRL', f);
          assert.match(h.markdown, /^\*\*Cannot decode\*\* PEM block 'X509 CRL': a certificate revocation list/);
          counts.crls++;
        }
      }
    }
    console.log(`zlint hover: ${JSON.stringify(counts)}`);
    assert.deepEqual(slow, []);
    assert.equal(counts.files, 1384);
    assert.equal(counts.certificates, 1324);
    assert.equal(counts.decoded, 1324, 'every certificate decodes (malformed parts are listed, the rest shows)');
    assert.equal(counts.crls, 61);
    assert.equal(counts.noPem, 4);
    assert.equal(counts.blocks, counts.certificates + counts.crls);
    assert.ok(counts.refused > 100, `certificates Go refuses are marked (${counts.refused})`);
  });
});
