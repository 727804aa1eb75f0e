// Secrets and ConfigMaps holding PEM: values that cannot be what their key says (pem-invalid), and a
// Secret's tls.crt that does not chain to its own ca.crt (untrusted-issuer). Loading, expiry, key pairs
// (tls.crt / tls.key) and CA-ness of ca.crt are the shared checks' work, through the unit's references.
import type { CheckContext } from './context';
import { caNames, certEntry, chainError, issuerName, objectName, who } from '../cluster';

export function secrets(ctx: CheckContext): void {
  for (const unit of ctx.unitsHere('secret')) {
    for (const p of unit.problems) ctx.report('pem-invalid', p.span, p.message);
    const ca = unit.entries.find((e) => e.key === 'ca.crt');
    const crt = certEntry(unit);
    if (!ca || !crt || crt === ca) continue;
    const certs = ctx.certs(crt.ref);
    const roots = ctx.certs(ca.ref);
    const leaf = certs[0];
    if (!leaf || roots.length === 0) continue;
    const error = chainError(leaf, roots, certs.slice(1));
    if (!error) continue;
    const cas = caNames(roots);
    ctx.report(
      'untrusted-issuer',
      crt.ref.span,
      `${who(leaf)} (${crt.key}) is issued by ${issuerName(leaf)}, but this ${unit.objectKind}'s ca.crt holds ${cas}: clients given ca.crt as their CA (cert-manager's cainjector copies it into caBundles) refuse it (${error}). Re-issue ${crt.key} from that CA, or put its issuer in ca.crt.`,
      [ctx.related(unit.file, ca.ref.span, `ca.crt of ${unit.objectKind} ${objectName(unit.meta)}: ${cas}`)],
    );
  }
}
