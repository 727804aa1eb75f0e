// not-a-ca: a file used as a CA (a --*-ca-file, a kubeconfig's certificate-authority, a signing
// certificate) must hold certificates Go lets sign others (canSignCertificates: basicConstraints CA:TRUE, or a
// version 1 certificate without extensions, which Go accepts as a root).
import { unitReferences } from '../parse';
import { canSignCertificates } from '../pki/verify';
import type { CheckContext } from './context';
import { who } from '../cluster';

export function caCertificates(ctx: CheckContext): void {
  for (const unit of ctx.parsed.units) {
    // A caBundle may hold the webhook's own self-signed certificate: the webhooks check judges those.
    if (unit.kind === 'webhook') continue;
    for (const ref of unitReferences(unit)) {
      if (ref.expect !== 'ca') continue;
      const certs = ctx.certs(ref);
      const notCA = certs.filter((c) => !canSignCertificates(c));
      if (notCA.length === 0) continue;
      const names = notCA.map(who).join('; ');
      const all = notCA.length === certs.length;
      ctx.report(
        'not-a-ca',
        ref.span,
        `${ref.field} should hold CA certificates, but ${names} ${notCA.length > 1 ? 'are' : 'is'} not a CA (no basicConstraints CA:TRUE)${
          all ? ': nothing issued by another key can be verified with it' : ''
        }. Point it at the CA certificate (kubeadm: /etc/kubernetes/pki/ca.crt).`,
      );
    }
  }
}
