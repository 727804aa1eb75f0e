// Whether a certificate chains to a CA bundle (Go's crypto/x509 rules, pki/verify.ts; time and EKU are judged
// by other checks), and how certificates are named in messages.
import type { Certificate } from '../pki/certificate';
import { verify } from '../pki/verify';

/** Does `ca` (a bundle) verify `cert`? Time and EKU are judged by other checks. */
export function chainsTo(cert: Certificate, roots: Certificate[], intermediates: Certificate[] = []): boolean {
  return roots.length > 0 && chainError(cert, roots, intermediates) === undefined;
}

export function chainError(cert: Certificate, roots: Certificate[], intermediates: Certificate[] = []): string | undefined {
  const r = verify(cert, { roots, intermediates, ignoreTime: true, usages: ['any'] });
  return r.ok ? undefined : (r.error?.message ?? 'x509: certificate signed by unknown authority');
}

/** "CN=kubernetes" for messages. */
export function who(cert: Certificate | undefined): string {
  if (!cert) return 'the certificate';
  return cert.subject.text || '(empty subject)';
}

/** The issuer's name, for messages. */
export function issuerName(cert: Certificate): string {
  return cert.issuer.text || '(empty issuer)';
}

/** The certificates of a CA bundle, each once, for messages: "CN=kubernetes; CN=etcd-ca". */
export function caNames(roots: Certificate[]): string {
  return [...new Set(roots.map(who))].join('; ');
}
