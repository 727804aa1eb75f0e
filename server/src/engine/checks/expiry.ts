// cert-expired, cert-not-yet-valid, cert-expiring: every certificate a reference holds, against
// the current time (the CLI's --now) and kubePki.expiryWarningDays.
import { unitReferences, type Reference } from '../parse';
import type { Certificate } from '../pki/certificate';
import type { CheckContext } from './context';
import { isRotatedKubeletClient, kubeletRotationAdvice, who } from '../cluster';
import { DAY, distance, formatDay } from '../decode/time';

function label(ref: Reference, cert: Certificate, index: number, count: number): string {
  const pos = count > 1 ? ` (certificate ${index + 1} of ${count})` : '';
  return `${who(cert)}${pos}`;
}

// openssl's x509 -req, req -x509 and ca sign for DEFAULT_DAYS (30, apps/include/apps.h) when -days is not given:
// a certificate valid for exactly 30 days was most likely made by a recipe that left it out. openssl reads the
// clock separately for notBefore and notAfter, so a second either way is the same lifetime.
const OPENSSL_DEFAULT_LIFETIME = 30 * DAY;

function opensslDefault(cert: Certificate): string {
  if (Math.abs(cert.notAfter.getTime() - cert.notBefore.getTime() - OPENSSL_DEFAULT_LIFETIME) > 2000) return '';
  return ": it is valid for exactly 30 days, openssl's default, so it was probably made without -days (give -days when it is re-issued)";
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

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
        // The kubelet renews its rotated client certificate itself: what to check is its rotation, not kubeadm.
        const found = ctx.resolve(ref)?.found;
        const rotated =
          ref.expect === 'cert' &&
          ((ref.source.kind === 'path' && isRotatedKubeletClient(ref.source.path)) || (!!found && isRotatedKubeletClient(found)));
        const consequence =
          ref.expect === 'ca'
            ? 'nothing that chains to it verifies any more'
            : 'TLS handshakes using it fail with "x509: certificate has expired or is not yet valid"';
        if (now > cert.notAfter.getTime()) {
          ctx.report(
            'cert-expired',
            ref.span,
            `${name} expired on ${formatDay(cert.notAfter)} (${distance(now - cert.notAfter.getTime())} ago): ${consequence}.${rotated ? ` ${capital(kubeletRotationAdvice(true))}.` : ''}`,
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
            `${name} expires on ${formatDay(cert.notAfter)} (in ${distance(cert.notAfter.getTime() - now)})${opensslDefault(cert)}; ${
              rotated ? `${kubeletRotationAdvice(false)}.` : 'renew it before then (kubeadm certs renew, or Kube PKI: Renew Certificate).'
            }`,
          );
        }
      });
    }
  }
}
