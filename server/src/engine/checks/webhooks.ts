// Admission webhooks, APIServices and CRD conversion webhooks: the caBundle the apiserver verifies the
// server with must hold a CA (or the server's own self-signed certificate); when the workspace holds the
// Secret the server presents, that certificate must chain to the caBundle (cabundle-mismatch) and name
// what the apiserver dials, `<service>.<namespace>.svc` or the url's host (san-missing). No caBundle (or a
// placeholder) for an in-cluster service: a warning only where the workspace holds what the server presents
// and nothing writes the caBundle at run time (caBundleWriters.ts); the apiserver then falls back to the
// control-plane host's trust roots, which kube-pki cannot see. A caBundle that something rewrites at run
// time is not the one the apiserver uses: it is not judged.
import type { Reference, WebhookClient, WebhookUnit } from '../parse';
import type { Certificate } from '../pki/certificate';
import { canSignCertificates, describeNames, hostMismatchMessage, isSelfSigned, matchesHost } from '../pki/verify';
import type { RelatedLocation } from '../types';
import { caBundleFillers, caNames, certificatesForMountedSecrets, chainError, issuerName, issuerOf, who } from '../cluster';
import type { CheckContext } from './context';
import { clientLabel, dialledHost, failureConsequence, injectedSecrets, objectName, servingSecrets, type ServingSecret } from '../cluster';

function secretName(s: ServingSecret): string {
  return `Secret ${objectName(s.secret.meta)}`;
}

function secretNotes(ctx: CheckContext, s: ServingSecret, leaf: Certificate | undefined): RelatedLocation[] {
  const out = [
    ctx.related(
      s.secret.file,
      s.entry.ref.span,
      `${s.entry.key} of ${secretName(s)}${leaf ? `: ${who(leaf)}, issued by ${issuerName(leaf)}, valid for ${describeNames(leaf)}` : ''}`,
    ),
  ];
  if (s.viaFile !== s.secret.file || s.viaSpan.start !== s.entry.ref.span.start)
    out.push(ctx.related(s.viaFile, s.viaSpan, `${secretName(s)} ${s.via}`));
  return out;
}

export function webhooks(ctx: CheckContext): void {
  for (const unit of ctx.unitsHere('webhook')) {
    for (const client of unit.clients) {
      if (client.insecure) unverified(ctx, unit, client);
      if (client.insecure || client.templated) continue;
      judge(ctx, unit, client);
    }
  }
}

/**
 * tls-unverified: with spec.insecureSkipTLSVerify the aggregator proxies to the APIService's backend with
 * TLSClientConfig.Insecure (kube-aggregator pkg/apiserver/handler_proxy.go): any certificate, or an impostor, is
 * accepted. When the workspace holds the certificate the backend serves (a Secret its pods mount, a cert-manager
 * Certificate for the Service), its CA can verify it instead. A backend that makes its own certificate at start
 * (metrics-server's release) leaves nothing to verify with: no finding.
 */
function unverified(ctx: CheckContext, unit: WebhookUnit, client: WebhookClient): void {
  const servings: ServingSecret[] = [];
  if (client.service) servings.push(...servingSecrets(ctx, client.service));
  for (const s of injectedSecrets(ctx, unit)) if (!servings.some((x) => x.secret === s.secret)) servings.push(s);
  const served = servings.find((s) => ctx.certs(s.entry.ref).length > 0);
  if (!served) return;
  const leaf = ctx.certs(served.entry.ref)[0];
  ctx.report(
    'tls-unverified',
    client.insecureSpan ?? client.span,
    `${clientLabel(unit, client)} sets insecureSkipTLSVerify: the apiserver does not verify the certificate its backend presents, so anything answering for the Service is trusted with the requests it proxies. The backend serves ${who(leaf)} from ${secretName(served)}: put the CA that issued it in caBundle and remove insecureSkipTLSVerify (the apiserver refuses both together: "may not be true if caBundle is present").`,
    secretNotes(ctx, served, leaf),
  );
}

function judge(ctx: CheckContext, unit: WebhookUnit, client: WebhookClient): void {
  const label = clientLabel(unit, client);
  const target = dialledHost(client);
  // What writes the caBundle at run time replaces the one in the manifest: that one is not what the apiserver uses.
  const fillers = caBundleFillers(ctx, unit, client);
  const caRef: Reference | undefined = fillers.length ? undefined : client.caBundle;
  const caCerts = caRef ? ctx.certs(caRef) : [];

  // The caBundle's own shape: CAs, or the server's self-signed certificate.
  if (caRef && caCerts.length) {
    const odd = caCerts.filter((c) => !c.isCA && !isSelfSigned(c));
    if (odd.length) {
      ctx.report(
        'not-a-ca',
        caRef.span,
        `caBundle of ${label} holds ${odd.map(who).join('; ')}, which is neither a CA nor self-signed: the apiserver can verify only that very certificate, so the server must present exactly it, and the next renewal breaks ${unit.objectKind === 'APIService' ? 'the APIService' : 'the webhook'}. Put the CA certificate that issues the serving certificate in caBundle.`,
      );
    }
  }

  // What the server presents, when the workspace says: the Secret its pods mount, the Secret a
  // Certificate writes for the Service's name, or the one cainjector takes the CA from.
  const servings: ServingSecret[] = [];
  if (client.service) servings.push(...servingSecrets(ctx, client.service));
  for (const s of injectedSecrets(ctx, unit)) if (!servings.some((x) => x.secret === s.secret)) servings.push(s);
  const anchor = caRef?.span ?? unit.injectFrom?.span ?? target?.span ?? client.span;

  const presented = servings.flatMap((s) => {
    const certs = ctx.certs(s.entry.ref);
    return certs.length ? [{ s, leaf: certs[0], chain: certs.slice(1) }] : [];
  });

  // cabundle-mismatch: none of the serving certificates chains to the caBundle (with several candidates,
  // one that does is enough: kube-pki cannot tell which the server uses).
  let verified = presented;
  if (caRef && caCerts.length && presented.length) {
    const judged = presented.map((p) => ({ ...p, error: chainError(p.leaf, caCerts, p.chain) }));
    verified = judged.filter((j) => !j.error);
    if (verified.length === 0) {
      const first = judged[0];
      const cas = caNames(caCerts);
      const which =
        judged.length === 1
          ? `the serving certificate in ${secretName(first.s)} (${who(first.leaf)}, issued by ${issuerName(first.leaf)})`
          : `none of the serving certificates (${judged.map((j) => `${secretName(j.s)}: ${who(j.leaf)}`).join('; ')})`;
      ctx.report(
        'cabundle-mismatch',
        caRef.span,
        `caBundle of ${label} holds ${cas}, which does not verify ${which}: the apiserver refuses the TLS handshake ("${first.error}"), so ${failureConsequence(unit, client)}. Put the CA that issued the Secret's certificate in caBundle (or let cert-manager inject it: annotation cert-manager.io/inject-ca-from).`,
        judged.flatMap((j) => secretNotes(ctx, j.s, j.leaf)),
      );
    }
  }

  // eku-missing: Go's TLS client (the apiserver) demands serverAuth when the certificate lists usages.
  if (
    verified.length &&
    verified.every((p) => p.leaf.extKeyUsage && !p.leaf.extKeyUsage.includes('serverAuth') && !p.leaf.extKeyUsage.includes('any'))
  ) {
    const p = verified[0];
    ctx.report(
      'eku-missing',
      anchor,
      `${label}: the serving certificate in ${secretName(p.s)} (${who(p.leaf)}) lacks the serverAuth extended key usage (it has: ${p.leaf.extKeyUsage!.join(', ') || 'none'}): the apiserver refuses it ("x509: certificate specifies an incompatible key usage"), so ${failureConsequence(unit, client)}. Re-issue it with serverAuth (cert-manager: usages: [server auth]).`,
      verified.flatMap((v) => secretNotes(ctx, v.s, v.leaf)),
    );
  }

  // san-missing: the serving certificate must name the host the apiserver dials.
  if (target) {
    const candidates = verified.length ? verified : presented;
    if (candidates.length && !candidates.some((p) => matchesHost(p.leaf, target.host))) {
      const p = candidates[0];
      const fix = p.s.certificate ? ` (spec.dnsNames of cert-manager Certificate ${objectName(p.s.certificate.meta)})` : '';
      ctx.report(
        'san-missing',
        anchor,
        `${label}: the apiserver dials ${target.host} (${target.why}), but the serving certificate in ${secretName(p.s)} (${who(p.leaf)}) is valid for ${describeNames(p.leaf)}: the handshake fails with "${hostMismatchMessage(p.leaf, target.host)}", so ${failureConsequence(unit, client)}. Add ${target.host} to the certificate's SANs${fix}.`,
        [
          ...candidates.flatMap((c) => secretNotes(ctx, c.s, c.leaf)),
          ...(anchor === target.span ? [] : [ctx.related(unit.file, target.span, `${target.host} is dialled here`)]),
        ],
      );
    } else if (candidates.length === 0 && caRef) {
      // A certificate in the caBundle that cannot sign others verifies only itself: it is what the server presents.
      // (A version 1 self-signed certificate may be a CA Go accepts as a root: nothing to claim about it.)
      const own = caCerts.filter((c) => !canSignCertificates(c));
      if (own.length && !own.some((c) => matchesHost(c, target.host))) {
        ctx.report(
          'san-missing',
          caRef.span,
          `${label}: caBundle holds the server's own certificate ${who(own[0])}, valid for ${describeNames(own[0])}, but the apiserver dials ${target.host} (${target.why}): the handshake fails with "${hostMismatchMessage(own[0], target.host)}", so ${failureConsequence(unit, client)}. Re-issue the serving certificate with ${target.host} as a SAN and put it (or better, its CA) in caBundle.`,
          [ctx.related(unit.file, target.span, `${target.host} is dialled here`)],
        );
      }
    }
  }

  // No caBundle (or only a placeholder) for an in-cluster service, and nothing writes one at run time.
  if (!caRef && client.service && fillers.length === 0) missing(ctx, unit, client, presented);
}

/**
 * What client-go says of a CA bundle that holds no PEM block (k8s.io/client-go/transport/transport.go: TLSConfigFor
 * wraps rootCertPool's error, createErrorParsingCAData's first case). A non-empty bundle is the only source of
 * trust (no fallback to the system roots), so the apiserver cannot even build its client
 * (k8s.io/apiserver/pkg/util/webhook/client.go: HookClient puts caBundle in TLSClientConfig.CAData).
 */
const NO_PEM_BUNDLE = 'unable to load root certificates: unable to parse bytes as PEM block';

/** The error the apiserver reports for a client it cannot build, as the admission dispatchers wrap it. */
function clientBuildError(unit: WebhookUnit, client: WebhookClient): string {
  // k8s.io/apiserver/pkg/admission/plugin/webhook/{validating,mutating}/dispatcher.go: ErrCallingWebhook{Reason:
  // "could not get REST client: ..."}, printed as `failed calling webhook "<name>": <reason>`.
  if (unit.objectKind === 'ValidatingWebhookConfiguration' || unit.objectKind === 'MutatingWebhookConfiguration') {
    return `the apiserver answers: failed calling webhook "${client.name}": could not get REST client: ${NO_PEM_BUNDLE}`;
  }
  return `client-go: ${NO_PEM_BUNDLE}`;
}

/**
 * cabundle-missing: the workspace holds the certificate the server presents (a Secret the Service's pods mount,
 * or a cert-manager Certificate that writes it) and nothing fills the caBundle. Without a caBundle the apiserver
 * verifies the server with the system trust roots of the control-plane host (client-go's rootCertPool: no
 * CAData, no custom pool), which kube-pki cannot see: a warning that says what is known, never a guess.
 */
function missing(ctx: CheckContext, unit: WebhookUnit, client: WebhookClient, presented: { s: ServingSecret; leaf: Certificate }[]): void {
  const label = clientLabel(unit, client);
  const host = dialledHost(client)?.host ?? 'the service';
  let known: string;
  /** What must be trusted: "CN=webhook-ca" / "that self-signed certificate" / "the CA of ClusterIssuer x", and its certificate. */
  let ca: string;
  let caCert: string;
  let related: RelatedLocation[];
  if (presented.length) {
    const p = presented[0];
    const self = isSelfSigned(p.leaf);
    known = `the certificate in ${secretName(p.s)} (${who(p.leaf)}, ${self ? 'self-signed' : `issued by ${issuerName(p.leaf)}`})`;
    ca = self ? 'that self-signed certificate' : issuerName(p.leaf);
    caCert = self ? 'that self-signed certificate' : `${issuerName(p.leaf)}'s certificate`;
    related = presented.flatMap((x) => secretNotes(ctx, x.s, x.leaf));
  } else {
    const written = client.service ? certificatesForMountedSecrets(ctx, client.service) : [];
    if (written.length === 0) return;
    const c = written[0].certificate;
    const issuer = issuerOf(c);
    known = `the certificate cert-manager Certificate ${objectName(c.meta)} writes into Secret ${objectName({ name: c.secretName!.value, ...(c.meta.namespace ? { namespace: c.meta.namespace } : {}), span: c.secretName!.span })}${issuer ? ` (issuerRef: ${issuer})` : ''}`;
    ca = issuer ? `the CA of ${issuer}` : 'the CA that issues it';
    caCert = `${ca}'s certificate`;
    related = written.flatMap((w) => [
      ctx.related(
        w.certificate.file,
        w.certificate.secretName!.span,
        `cert-manager Certificate ${objectName(w.certificate.meta)} writes Secret ${w.certificate.secretName!.value}`,
      ),
      ctx.related(w.file, w.span, `Secret ${w.certificate.secretName!.value}, mounted by the pods behind ${host}`),
    ]);
  }
  const nothing =
    'nothing in the workspace fills it (no cert-manager or service-ca injection annotation, no kube-webhook-certgen patch Job, no controller known to write it)';
  const fix = `Set caBundle to the base64 of ${caCert}, or let cert-manager inject it (annotation cert-manager.io/inject-ca-from: <namespace>/<certificate>).`;
  const ph = client.placeholder;
  if (ph) {
    const asIs = ph.refused
      ? `applied as it stands, the object is refused (caBundle must be base64: "${ph.refused}")`
      : `applied as it stands, the bundle holds no PEM block, and a bundle that is not empty is all the apiserver trusts for ${host} (no fallback to the system roots): it cannot build its client, so no call reaches the server (${clientBuildError(unit, client)}) and ${failureConsequence(unit, client)}`;
    ctx.report(
      'cabundle-missing',
      ph.span,
      `caBundle of ${label} is ${ph.value} (${ph.means}), a placeholder for an install step to replace, and ${nothing}: ${asIs}. The server presents ${known}. ${fix}`,
      related,
    );
    return;
  }
  ctx.report(
    'cabundle-missing',
    client.span,
    `${label} has no caBundle, and ${nothing}: the apiserver verifies ${host} with the system trust roots of the control-plane host, which kube-pki cannot see. The server presents ${known}; unless ${ca} is among those roots, the handshake fails ("x509: certificate signed by unknown authority") and ${failureConsequence(unit, client)}. ${fix}`,
    related,
  );
}
