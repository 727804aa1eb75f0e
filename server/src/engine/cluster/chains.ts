// Whether a certificate chains to a CA bundle (Go's crypto/x509 rules, pki/verify.ts; time is judged by other
// checks), which certificate of a presented chain restricts an extended key usage, and how certificates are
// named in messages.
import type { Certificate } from '../pki/certificate';
import { isIssuedBy, verify } from '../pki/verify';

/** Does `ca` (a bundle) verify `cert`? Time and EKU are judged by other checks. */
export function chainsTo(cert: Certificate, roots: Certificate[], intermediates: Certificate[] = []): boolean {
  return roots.length > 0 && chainError(cert, roots, intermediates) === undefined;
}

/**
 * Go's error verifying `cert` against a CA bundle, or undefined. `usages`: the extended key usages the verifier
 * asks for, each judged as a handshake of its own (a server's certificate is verified for serverAuth, a client's
 * for clientAuth: Go carries every CA's extended key usage down the chain); 'any' when the use is not known.
 */
export function chainError(
  cert: Certificate,
  roots: Certificate[],
  intermediates: Certificate[] = [],
  usages: string[] = ['any'],
): string | undefined {
  for (const usage of usages.length ? usages : ['any']) {
    const r = verify(cert, { roots, intermediates, ignoreTime: true, usages: [usage] });
    if (!r.ok) return r.error?.message ?? 'x509: certificate signed by unknown authority';
  }
  return undefined;
}

/**
 * The certificate of a presented chain (the leaf, then the intermediates it is sent with, following issuers) whose
 * extended key usage rules `usage` out, or undefined. Go's checkChainForKeyUsage (crypto/x509 verify.go): a
 * certificate without the extension, or with anyExtendedKeyUsage, allows everything; any other list, unknown
 * usages included, allows only what it names, for the certificate and everything below it.
 */
export function ekuRestriction(chain: Certificate[], usage: string): Certificate | undefined {
  const path: Certificate[] = [];
  let cur: Certificate | undefined = chain[0];
  const rest = chain.slice(1);
  while (cur && !path.includes(cur)) {
    path.push(cur);
    const child: Certificate = cur;
    cur = rest.find((c) => !path.includes(c) && isIssuedBy(child, c));
  }
  return path.find(
    (c) => c.extKeyUsage !== undefined && c.extKeyUsage.length > 0 && !c.extKeyUsage.includes('any') && !c.extKeyUsage.includes(usage),
  );
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
