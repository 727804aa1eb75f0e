// Makes keys and certificates with the real `openssl` CLI in a temporary folder, at test time (certificates
// expire, so none are committed). Every function returns PEM text and the paths of the files it wrote.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let counter = 0;

export class OpenSSL {
  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'kube-pki-test-'));
  }

  cleanup() {
    rmSync(this.dir, { recursive: true, force: true });
  }

  path(name) {
    return join(this.dir, name);
  }

  run(args, input) {
    return execFileSync('openssl', args, { cwd: this.dir, input, stdio: ['pipe', 'pipe', 'pipe'] }).toString('utf8');
  }

  read(name) {
    return readFileSync(this.path(name), 'utf8');
  }

  /**
   * A new private key. type: 'rsa' (bits, default 2048) | 'ec' (curve, default P-256) | 'ed25519'.
   * Returns { path, pem } (PKCS#8 'PRIVATE KEY').
   */
  key({ type = 'ec', bits = 2048, curve = 'P-256' } = {}) {
    const name = `key${++counter}.pem`;
    const args = ['genpkey', '-out', name];
    if (type === 'rsa') args.push('-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`);
    else if (type === 'ec') args.push('-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`);
    else if (type === 'ed25519') args.push('-algorithm', 'ed25519');
    else throw new Error(`unknown key type ${type}`);
    this.run(args);
    return { path: this.path(name), pem: this.read(name) };
  }

  /** The same key in the traditional format ('RSA PRIVATE KEY' / 'EC PRIVATE KEY'). */
  traditional(key, type) {
    const name = `trad${++counter}.pem`;
    this.run([type === 'rsa' ? 'rsa' : 'ec', '-in', key.path, '-out', name, ...(type === 'rsa' ? ['-traditional'] : [])]);
    return { path: this.path(name), pem: this.read(name) };
  }

  /** 'EC PARAMETERS' followed by 'EC PRIVATE KEY', as `openssl ecparam -genkey` writes. */
  ecparamKey(curve = 'prime256v1') {
    const name = `ecparam${++counter}.pem`;
    this.run(['ecparam', '-name', curve, '-genkey', '-out', name]);
    return { path: this.path(name), pem: this.read(name) };
  }

  /** Encrypted copies of a key: PKCS#8 ('ENCRYPTED PRIVATE KEY') and legacy PEM (Proc-Type: 4,ENCRYPTED). */
  encrypted(key, type = 'rsa') {
    const p8 = `enc${++counter}.pem`;
    this.run(['pkcs8', '-topk8', '-in', key.path, '-out', p8, '-v2', 'aes-256-cbc', '-passout', 'pass:secret']);
    const legacy = `encl${++counter}.pem`;
    this.run([
      type === 'rsa' ? 'rsa' : 'ec',
      '-in',
      key.path,
      '-out',
      legacy,
      '-aes128',
      '-passout',
      'pass:secret',
      ...(type === 'rsa' ? ['-traditional'] : []),
    ]);
    return { pkcs8: this.read(p8), legacy: this.read(legacy) };
  }

  publicKey(key, { rsaPkcs1 = false } = {}) {
    const name = `pub${++counter}.pem`;
    if (rsaPkcs1) this.run(['rsa', '-in', key.path, '-RSAPublicKey_out', '-out', name]);
    else this.run(['pkey', '-in', key.path, '-pubout', '-out', name]);
    return this.read(name);
  }

  /** Builds an openssl extension section from friendly options. */
  extensions({ ca, pathlen, ku, eku, san, nc, extra = [], ski = true, aki = true } = {}) {
    const lines = [];
    if (ca !== undefined) lines.push(`basicConstraints=critical,CA:${ca ? 'TRUE' : 'FALSE'}${pathlen !== undefined ? `,pathlen:${pathlen}` : ''}`);
    if (ku) lines.push(`keyUsage=critical,${ku.join(',')}`);
    if (eku) lines.push(`extendedKeyUsage=${eku.join(',')}`);
    if (san && san.length) lines.push(`subjectAltName=${san.join(',')}`);
    if (nc) lines.push(`nameConstraints=critical,${nc.join(',')}`);
    lines.push(`subjectKeyIdentifier=${ski ? 'hash' : 'none'}`);
    if (aki) lines.push('authorityKeyIdentifier=keyid');
    else lines.push('authorityKeyIdentifier=none');
    lines.push(...extra);
    return lines.join('\n') + '\n';
  }

  /**
   * A certificate. subject: '/CN=x/O=y'. issuer: the result of an earlier call (self-signed when absent).
   * Options: key (from key()), keyType, days, md ('sha256' | 'sha1' ...), serial, and the extension options
   * of extensions(). Returns { pem, der, path, key, subject }.
   */
  cert({ subject, issuer, key, keyType, days = 30, md = 'sha256', serial, ...ext }) {
    key ??= this.key(keyType ? { type: keyType } : {});
    const n = ++counter;
    const extFile = `ext${n}.cnf`;
    writeFileSync(this.path(extFile), '[v3]\n' + this.extensions(issuer ? ext : { aki: false, ...ext }));
    const csr = `csr${n}.pem`;
    const out = `cert${n}.pem`;
    this.run(['req', '-new', '-key', key.path, '-subj', subject, '-out', csr, '-config', this.configFile()]);
    const args = ['x509', '-req', '-in', csr, '-out', out, '-days', String(days), '-extfile', extFile, '-extensions', 'v3'];
    if (md !== 'none') args.push(`-${md}`);
    if (issuer) args.push('-CA', issuer.path, '-CAkey', issuer.key.path);
    else args.push('-signkey', key.path);
    args.push('-set_serial', String(serial ?? '0x' + (randomBytes(16)[0] & 0x7f).toString(16).padStart(2, '0') + randomBytes(15).toString('hex')));
    this.run(args);
    const pem = this.read(out);
    return { pem, der: pemToDer(pem), path: this.path(out), key, subject };
  }

  configFile() {
    const name = 'req.cnf';
    writeFileSync(this.path(name), '[req]\ndistinguished_name=dn\nprompt=no\n[dn]\n');
    return this.path(name);
  }

  /** Fields as openssl prints them, to check our parser against. */
  inspect(certPath) {
    const out = this.run(['x509', '-in', certPath, '-noout', '-serial', '-startdate', '-enddate', '-fingerprint', '-sha256']);
    const get = (k) => out.match(new RegExp(`^${k}=(.*)$`, 'm'))?.[1];
    return {
      serial: get('serial'),
      notBefore: new Date(get('notBefore')),
      notAfter: new Date(get('notAfter')),
      sha256: get('sha256 Fingerprint')?.replace(/:/g, '').toLowerCase(),
    };
  }
}

export function pemToDer(pem) {
  const m = pem.match(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/);
  if (!m) throw new Error('no certificate in PEM');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}
