// `kube-pki verify CERT [--ca FILE]... [--untrusted FILE]... [--host NAME|IP] [--usage server|client|any] [--at T]`:
// builds the chain and answers ok or Go's reason, like `openssl verify` but with Go crypto/x509's rules, which
// every Kubernetes component uses. The same code (the engine's pki.verify) decides untrusted-issuer,
// san-missing and eku-missing in `kube-pki check`. Private keys in the files given are skipped, never printed.
import * as path from 'node:path';
import { nodeFileSystem, pki } from '../engine';
import { MAX_FILE_BYTES } from '../engine/types';
import { argTokens, parseNow, UsageError, usageMessage } from './args';

type Certificate = pki.Certificate;

export interface Io {
  out(s: string): void;
  err(s: string): void;
  cwd: string;
}

export const VERIFY_USAGE = `Usage: kube-pki verify CERT [--ca FILE]... [--untrusted FILE]... [--host NAME|IP]
                       [--usage server|client|any] [--at ISO8601] [--format text|json]

Verifies CERT (PEM or DER; the first certificate is the one verified, any further certificates in the
file are offered as intermediates, as a TLS peer sends them) with Go crypto/x509's rules, as the
apiserver, etcd, kubectl and the kubelet verify it: host names against DNS SANs only (never the CN),
a wildcard covers one label, IPs only against IP SANs, extended key usage down the chain (no EKU
extension means any), validity, CA flags, path length, name constraints and signatures.

Options:
  --ca FILE           trusted root certificates (PEM bundle or DER; repeatable). Without --ca nothing
                      is trusted: kube-pki does not read the system's roots (Kubernetes components
                      trust only the CA files they are given)
  --untrusted FILE    intermediate certificates offered for the chain (repeatable)
  --host NAME|IP      the name or IP the client dials
  --usage U           server (default, as Go), client, or any
  --at ISO8601        verify at this instant instead of now (e.g. 2030-01-01T00:00:00Z)
  --format text|json  output format (default text)
  -h, --help          show this help

Prints the chain and the RFC 5280 violations Go tolerates as warnings.
Exit status: 0 ok, 1 the certificate does not verify, 2 bad usage or unreadable input.`;

interface VerifyArgs {
  cert: string;
  cas: string[];
  untrusted: string[];
  host?: string;
  usage: 'server' | 'client' | 'any';
  at?: Date;
  format: 'text' | 'json';
  help?: boolean;
}

export function parseVerifyArgs(argv: string[]): VerifyArgs {
  const out: VerifyArgs = { cert: '', cas: [], untrusted: [], usage: 'server', format: 'text' };
  const positional: string[] = [];
  for (const token of argTokens(argv)) {
    if ('positional' in token) {
      positional.push(token.positional);
      continue;
    }
    const { name, value } = token;
    switch (name) {
      case '-h':
      case '--help':
        return { ...out, help: true };
      case '--ca':
      case '--CAfile':
        out.cas.push(nonEmpty(name, value()));
        break;
      case '--untrusted':
        out.untrusted.push(nonEmpty(name, value()));
        break;
      case '--host': {
        const v = value().trim();
        if (v === '' || /\s/.test(v)) throw new UsageError(`--host: not a host name or IP: '${v}'`);
        out.host = v;
        break;
      }
      case '--usage': {
        const v = value();
        if (v !== 'server' && v !== 'client' && v !== 'any') throw new UsageError(`--usage: expected server, client or any, got '${v}'`);
        out.usage = v;
        break;
      }
      case '--at': {
        const v = value();
        try {
          out.at = parseNow(v);
        } catch (err) {
          if (err instanceof UsageError) throw new UsageError(err.message.replace(/^--now:/, '--at:'));
          throw err;
        }
        break;
      }
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json') throw new UsageError(`--format: expected text or json, got '${v}'`);
        out.format = v;
        break;
      }
      default:
        throw new UsageError(`unknown option '${name}'`);
    }
  }
  if (positional.length === 0) throw new UsageError('verify needs the certificate to verify (kube-pki verify CERT --ca CA.crt)');
  if (positional.length > 1) throw new UsageError(`verify takes one certificate, got ${positional.length}: ${positional.join(' ')}`);
  out.cert = positional[0];
  return out;
}

function nonEmpty(name: string, v: string): string {
  if (v === '') throw new UsageError(`${name} needs a file`);
  return v;
}

/** Every certificate in a file (PEM blocks labelled CERTIFICATE, or one DER certificate). Keys are skipped unread. */
function readCertificates(file: string, given: string, what: string): Certificate[] {
  const fs = nodeFileSystem();
  const r = fs.readFile(file, MAX_FILE_BYTES);
  if (!r.ok) throw new UsageError(`${what} ${given}: ${r.reason}`);
  const text = r.data.toString('latin1');
  const certs: Certificate[] = [];
  if (pki.looksLikePem(text)) {
    const { blocks } = pki.parsePem(text);
    for (const b of blocks) {
      if (b.label !== 'CERTIFICATE' && b.label !== 'X509 CERTIFICATE' && b.label !== 'TRUSTED CERTIFICATE') continue;
      try {
        certs.push(pki.parseCertificate(b.der));
      } catch (err) {
        throw new UsageError(`${what} ${given}: certificate ${certs.length + 1} does not decode: ${reason(err)}`);
      }
    }
    if (certs.length === 0) throw new UsageError(`${what} ${given}: no CERTIFICATE PEM block`);
    return certs;
  }
  try {
    return [pki.parseCertificate(r.data)];
  } catch (err) {
    throw new UsageError(`${what} ${given}: neither PEM nor a DER certificate (${reason(err)})`);
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function iso(d: Date): string {
  return isNaN(d.getTime()) ? String(d) : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function describeCert(c: Certificate) {
  return {
    subject: c.subject.text || '(empty subject)',
    issuer: c.issuer.text || '(empty issuer)',
    notBefore: iso(c.notBefore),
    notAfter: iso(c.notAfter),
    isCA: c.isCA,
    dnsNames: c.dnsNames,
    ipAddresses: c.ipAddresses,
    extKeyUsage: c.extKeyUsage ?? null,
    sha256: c.sha256,
  };
}

export function runVerify(argv: string[], io: Io): number {
  let args: VerifyArgs;
  try {
    args = parseVerifyArgs(argv);
    if (args.help) {
      io.out(`${VERIFY_USAGE}\n`);
      return 0;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(usageMessage(err.message, 'verify', 'kube-pki verify'));
      return 2;
    }
    throw err;
  }

  let leaf: Certificate;
  const roots: Certificate[] = [];
  const intermediates: Certificate[] = [];
  try {
    const certs = readCertificates(path.resolve(io.cwd, args.cert), args.cert, 'CERT');
    leaf = certs[0];
    intermediates.push(...certs.slice(1));
    for (const f of args.cas) roots.push(...readCertificates(path.resolve(io.cwd, f), f, '--ca'));
    for (const f of args.untrusted) intermediates.push(...readCertificates(path.resolve(io.cwd, f), f, '--untrusted'));
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`kube-pki verify: ${err.message}\n`);
      return 2;
    }
    throw err;
  }

  const usages = args.usage === 'client' ? ['clientAuth'] : args.usage === 'any' ? ['any'] : ['serverAuth'];
  const at = args.at ?? new Date();
  const result = pki.verify(leaf, { roots, intermediates, at, usages, host: args.host });
  const notes: string[] = [];
  if (args.cas.length === 0) notes.push('no --ca given: nothing is trusted (kube-pki does not use the system roots)');
  // Go verifies for serverAuth when no usage is asked (x509.VerifyOptions.KeyUsages): a client-only
  // certificate then fails for its usage, not because anything is wrong with it.
  const eku = leaf.extKeyUsage ?? [];
  if (result.error?.kind === 'eku' && args.usage === 'server' && eku.includes('clientAuth') && !eku.includes('serverAuth') && !eku.includes('any'))
    notes.push(`${args.cert} is a client certificate (extended key usage clientAuth, not serverAuth): add --usage client to verify it as one`);

  if (args.format === 'json') {
    const json = {
      file: args.cert,
      ok: result.ok,
      at: iso(at),
      host: args.host ?? null,
      usage: args.usage,
      ...(result.error
        ? {
            error: {
              kind: result.error.kind,
              message: result.error.message,
              certificate: result.error.cert ? describeCert(result.error.cert) : null,
            },
          }
        : {}),
      certificate: describeCert(leaf),
      chains: result.chains.map((ch) => ch.map(describeCert)),
      warnings: result.warnings,
      notes,
    };
    io.out(`${JSON.stringify(json, null, 2)}\n`);
    return result.ok ? 0 : 1;
  }

  const lines: string[] = [];
  if (result.ok) {
    lines.push(`${args.cert}: ok`);
    result.chains.forEach((ch, i) => {
      lines.push(result.chains.length > 1 ? `chain ${i + 1}:` : 'chain:');
      ch.forEach((c, depth) => lines.push(`  ${depth} ${chainLine(c, depth === ch.length - 1)}`));
    });
  } else {
    const e = result.error!;
    lines.push(`${args.cert}: error: ${e.message}`);
    lines.push(`  certificate: ${chainLine(leaf, false)}`);
    if (e.cert && e.cert !== leaf && e.cert.sha256 !== leaf.sha256) lines.push(`  about: ${chainLine(e.cert, false)}`);
  }
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  for (const n of notes) lines.push(`note: ${n}`);
  io.out(`${lines.join('\n')}\n`);
  return result.ok ? 0 : 1;
}

function chainLine(c: Certificate, root: boolean): string {
  const names = [...c.dnsNames, ...c.ipAddresses];
  const parts = [
    c.subject.text || '(empty subject)',
    root ? 'trusted root' : `issuer ${c.issuer.text || '(empty)'}`,
    `valid ${iso(c.notBefore)} to ${iso(c.notAfter)}`,
  ];
  if (names.length) parts.push(`SANs ${names.join(', ')}`);
  return parts.join(' · ');
}
