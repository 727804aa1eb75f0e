// eku-missing: a serving certificate needs serverAuth, a client certificate clientAuth. A certificate with no EKU
// extension may be used for anything (Go's rule). Go carries a CA's extended key usage down the chain
// (checkChainForKeyUsage in crypto/x509 verify.go): an intermediate sent with the leaf that allows only serverAuth
// makes a client certificate under it fail as surely as the leaf's own list would. An intermediate or root in the
// verifier's CA file is judged where the pair is (checks/trust.ts).
import type { CheckContext } from './context';
import { certUses, ekuRestriction, who } from '../cluster';

export function extendedKeyUsage(ctx: CheckContext): void {
  for (const unit of ctx.parsed.units) {
    for (const use of certUses(unit)) {
      const chain = ctx.certs(use.ref);
      const cert = chain[0];
      if (!cert) continue;
      const restricted = use.usages.map((u) => ({ u, by: ekuRestriction(chain, u) })).filter((r) => r.by);
      if (restricted.length === 0) continue;
      const missing = restricted.map((r) => r.u);
      const side = missing.includes('serverAuth') ? 'clients will refuse it as a server' : 'servers will refuse it as a client';
      const ca = restricted.find((r) => r.by !== cert)?.by;
      if (!ca) {
        const has = cert.extKeyUsage!.length ? cert.extKeyUsage!.join(', ') : 'none';
        ctx.report(
          'eku-missing',
          use.ref.span,
          `${who(cert)} is ${use.role} but its extended key usage lacks ${missing.join(' and ')} (it has: ${has}): ${side} ("x509: certificate specifies an incompatible key usage").`,
        );
      } else {
        const has = ca.extKeyUsage!.length ? ca.extKeyUsage!.join(', ') : 'none';
        ctx.report(
          'eku-missing',
          use.ref.span,
          `${who(cert)} is ${use.role}, but ${who(ca)}, the CA certificate sent with it, allows only ${has} as extended key usage, and Go carries a CA's extended key usage down to what it signs: without ${missing.join(' and ')}, ${side} ("x509: certificate specifies an incompatible key usage"). Issue it from a CA without that restriction.`,
        );
      }
    }
  }
}
