// weak-key, weak-signature: RSA under 2048 bits, EC under 256 bits; SHA-1 or MD5 signatures
// (a self-signed root's own signature is never checked by a verifier, so it is not flagged).
import { unitReferences } from '../parse';
import type { CheckContext } from './context';
import { pairedKeys, who } from '../cluster';
import { keyWeakness } from '../pki/key';
import { canSignCertificates } from '../pki/verify';

export function weakCrypto(ctx: CheckContext): void {
  for (const unit of ctx.parsed.units) {
    const paired = new Set(pairedKeys(unit));
    for (const ref of unitReferences(unit)) {
      if (ref.expect === 'cert' || ref.expect === 'ca') {
        for (const cert of ctx.certs(ref)) {
          const weak = keyWeakness(cert.publicKey.algorithm, cert.publicKey.bits);
          if (weak) {
            ctx.report(
              'weak-key',
              ref.span,
              `${who(cert)} has a ${weak} key; use RSA 2048+ or ECDSA P-256+ (Go refuses RSA keys under 1024 bits outright).`,
            );
          }
          const hash = cert.signatureAlgorithm.hash?.toLowerCase();
          const root = cert.selfIssued && canSignCertificates(cert);
          if (!root && (hash === 'sha1' || hash === 'md5')) {
            ctx.report(
              'weak-signature',
              ref.span,
              `${who(cert)} is signed with ${cert.signatureAlgorithm.name}; Go rejects ${hash.toUpperCase()}-signed certificates ("x509: cannot verify signature: insecure algorithm"). Re-issue it with SHA-256.`,
            );
          }
        }
      } else if ((ref.expect === 'key' || ref.expect === 'key-or-public-key') && !paired.has(ref)) {
        const loaded = ctx.load(ref);
        if (!loaded.ok) continue;
        for (const k of [...loaded.material.privateKeys, ...loaded.material.publicKeys]) {
          const weak = keyWeakness(k.algorithm, k.bits);
          if (weak) ctx.report('weak-key', ref.span, `${ref.field} holds a ${weak} key; use RSA 2048+ or ECDSA P-256+.`);
        }
      }
    }
  }
}
