// cert-expired, cert-not-yet-valid, cert-expiring: every certificate a reference holds, against
// the current time (the CLI's --now) and kubePki.expiryWarningDays.
import { unitReferences, type Reference } from '../parse';
import type { Certificate } from '../pki/certificate';
import type { CheckContext } from './context';
import { who } from '../cluster';
import { DAY, distance, formatDay } from '../decode/time';

function label(ref: Reference, cert: Certificate, index: number, count: number): string {
  const pos = count > 1 ? ` (certificate ${index + 1} of ${count})` : '';
  return `${who(cert)}${pos}`;
}

export function expiry(ctx: CheckContext): void {
  const now = ctx.now.getTime();
  const warnMs = ctx.options.expiryWarningDays * DAY;
  for (const unit of ctx.parsed.units) {
    for (const ref of unitReferences(unit)) {
      if (ref.expect !== 'cert' && ref.expect !== 'ca') continue;
      const certs = ctx.certs(ref);
      const seen = new Set<string>();
      certs.forEach((cert, i) => {
        if (seen.has(cert.sha256)) return;
        seen.add(cert.sha256);
        // Not yet valid before notBefore, expiring from notAfter - warn, expired after notAfter.
        for (const t of [cert.notBefore.getTime(), cert.notAfter.getTime() - warnMs, cert.notAfter.getTime() + 1]) ctx.changesAt(t);
        const name = label(ref, cert, i, certs.length);
        const consequence =
          ref.expect === 'ca'
            ? 'nothing that chains to it verifies any more'
            : 'TLS handshakes using it fail with "x509: certificate has expired or is not yet valid"';
        if (now > cert.notAfter.getTime()) {
          ctx.report(
            'cert-expired',
            ref.span,
            `${name} expired on ${formatDay(cert.notAfter)} (${distance(now - cert.notAfter.getTime())} ago): ${consequence}.`,
          );
        } else if (now < cert.notBefore.getTime()) {
          ctx.report(
            'cert-not-yet-valid',
            ref.span,
            `${name} is not valid until ${cert.notBefore.toISOString()} (in ${distance(cert.notBefore.getTime() - now)}): until then ${consequence}. Is a clock wrong?`,
          );
        } else if (cert.notAfter.getTime() - now <= warnMs) {
          ctx.report(
            'cert-expiring',
            ref.span,
            `${name} expires on ${formatDay(cert.notAfter)} (in ${distance(cert.notAfter.getTime() - now)}); renew it before then (kubeadm certs renew, or Kube PKI: Renew Certificate).`,
          );
        }
      });
    }
  }
}
