// eku-missing: a serving certificate needs serverAuth, a client certificate clientAuth. A
// certificate with no EKU extension may be used for anything (Go's rule).
import type { CheckContext } from './context';
import { certUses, who } from '../cluster';

export function extendedKeyUsage(ctx: CheckContext): void {
  for (const unit of ctx.parsed.units) {
    for (const use of certUses(unit)) {
      const cert = ctx.leaf(use.ref);
      if (!cert || cert.extKeyUsage === undefined || cert.extKeyUsage.includes('any')) continue;
      const missing = use.usages.filter((u) => !cert.extKeyUsage!.includes(u));
      if (missing.length === 0) continue;
      const has = cert.extKeyUsage.length ? cert.extKeyUsage.join(', ') : 'none';
      const side = missing.includes('serverAuth') ? 'clients will refuse it as a server' : 'servers will refuse it as a client';
      ctx.report(
        'eku-missing',
        use.ref.span,
        `${who(cert)} is ${use.role} but its extended key usage lacks ${missing.join(' and ')} (it has: ${has}): ${side} ("x509: certificate specifies an incompatible key usage").`,
      );
    }
  }
}
