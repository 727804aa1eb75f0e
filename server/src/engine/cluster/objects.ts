// How Kubernetes objects relate, as far as the manifests say for sure: which Secret serves a Service
// (a Deployment/StatefulSet/DaemonSet the Service selects mounts it, or a cert-manager Certificate for
// the Service's name writes it), which Certificate a cainjector annotation names, who dials a webhook.
import type { CertManagerCertificateUnit, DataEntry, SecretUnit, Span, WebhookClient, WebhookService, WebhookUnit } from '../parse';
import type { ClusterQuery } from './query';
import { hostOf } from './net';
import { isTemplated } from '../parse/template';

/** A manifest without metadata.namespace is applied to the current namespace: "default", as kubectl starts. */
export function sameNamespace(a: string | undefined, b: string | undefined): boolean {
  return (a || 'default') === (b || 'default');
}

import { literalName, nameOf, objectName } from '../parse/names';

export { literalName, nameOf, objectName };

/** The certificate entry of a Secret: tls.crt, or its only certificate value. */
export function certEntry(secret: SecretUnit): DataEntry | undefined {
  const tls = secret.entries.find((e) => e.key === 'tls.crt');
  if (tls) return tls;
  const certs = secret.entries.filter((e) => e.ref.expect === 'cert');
  return certs.length === 1 ? certs[0] : undefined;
}

export function secretsNamed(q: ClusterQuery, name: string, namespace: string | undefined): SecretUnit[] {
  return q.units('secret').filter((s) => s.objectKind === 'Secret' && s.meta.name === name && sameNamespace(s.meta.namespace, namespace));
}

/** `<service>.<namespace>.svc`: the name kube-apiserver dials for a service-backed webhook or APIService (and its TLS ServerName). */
export function serviceHost(svc: WebhookService): string {
  return `${svc.name}.${svc.namespace}.svc`;
}

/** Certificates in the Service's namespace whose dnsNames name the Service (any of its in-cluster DNS forms). */
export function certificatesForService(q: ClusterQuery, svc: WebhookService): CertManagerCertificateUnit[] {
  const domain = q.options.clusterDomain || 'cluster.local';
  const base = `${svc.name}.${svc.namespace}`.toLowerCase();
  const forms = new Set([`${base}.svc`, `${base}.svc.${domain}`]);
  return q
    .units('cert-manager-certificate')
    .filter((c) => sameNamespace(c.meta.namespace, svc.namespace) && c.dnsNames.some((d) => forms.has(d.value.toLowerCase())));
}

export interface ServingSecret {
  secret: SecretUnit;
  entry: DataEntry;
  /** How kube-pki tied it to the webhook, for messages: "mounted by Deployment webhook-system/webhook". */
  via: string;
  /** The line that ties it (the volume's secretName, the Certificate's secretName). */
  viaFile: string;
  viaSpan: Span;
  /** The Certificate that writes it, when one does. */
  certificate?: CertManagerCertificateUnit;
}

/**
 * A Secret that holds only the CA a server mints its serving certificate from at run time: named by a
 * workload's --dynamic-serving-ca-secret-name (cert-manager's webhook, cmd/webhook/app/options: it keeps the CA
 * in the Secret and the certificate it presents in memory). Never what the server presents.
 */
export function mintingCaSecret(q: ClusterQuery, secret: SecretUnit): boolean {
  return q
    .units('workload')
    .some((w) => w.caSecrets?.some((c) => c.name === secret.meta.name && sameNamespace(c.namespace ?? w.meta.namespace, secret.meta.namespace)));
}

function addSecrets(
  q: ClusterQuery,
  out: ServingSecret[],
  name: string,
  namespace: string | undefined,
  via: string,
  viaFile: string,
  viaSpan: Span,
  certificate?: CertManagerCertificateUnit,
  caSource = false,
): void {
  for (const secret of secretsNamed(q, name, namespace)) {
    const entry = certEntry(secret);
    if (!entry || out.some((o) => o.secret === secret) || mintingCaSecret(q, secret)) continue;
    // cainjector copies the Secret's ca.crt into the caBundle: when its certificate is itself a CA, the Secret is
    // where that CA lives (a server minting its own certificate from it), not the certificate the server presents.
    if (caSource && q.leaf(entry.ref)?.isCA) continue;
    out.push({ secret, entry, via, viaFile, viaSpan, ...(certificate ? { certificate } : {}) });
  }
}

/** Secret names mounted by the pods a Service selects, with the volume that mounts each. */
export function mountedSecrets(q: ClusterQuery, svc: WebhookService): { name: string; via: string; file: string; span: Span }[] {
  const out: { name: string; via: string; file: string; span: Span }[] = [];
  const services = q.units('service').filter((s) => s.meta.name === svc.name && sameNamespace(s.meta.namespace, svc.namespace));
  if (services.length === 0) return out;
  for (const w of q.units('workload')) {
    if (!sameNamespace(w.meta.namespace, svc.namespace)) continue;
    const selected = services.some((s) => Object.entries(s.selector).every(([k, v]) => w.podLabels[k] === v));
    if (!selected) continue;
    for (const v of w.secretVolumes)
      out.push({
        name: v.value,
        via: `mounted by ${w.objectKind} ${objectName(w.meta)}, whose pods Service ${svc.namespace}/${svc.name} selects`,
        file: w.file,
        span: v.span,
      });
  }
  return out;
}

/** The Secrets that serve a Service, when the workspace holds them. */
export function servingSecrets(q: ClusterQuery, svc: WebhookService): ServingSecret[] {
  const out: ServingSecret[] = [];
  for (const m of mountedSecrets(q, svc)) addSecrets(q, out, m.name, svc.namespace, m.via, m.file, m.span);
  for (const c of certificatesForService(q, svc)) {
    if (!c.secretName) continue;
    addSecrets(
      q,
      out,
      c.secretName.value,
      c.meta.namespace,
      `written by cert-manager Certificate ${objectName(c.meta)}`,
      c.file,
      c.secretName.span,
      c,
    );
  }
  return out;
}

/** "namespace/name" of a cainjector annotation, split. */
function splitRef(value: string): { namespace: string; name: string } | undefined {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(value.trim());
  return m ? { namespace: m[1], name: m[2] } : undefined;
}

/** The Certificate a `cert-manager.io/inject-ca-from` annotation names, when the workspace holds it. */
export function injectedCertificate(q: ClusterQuery, unit: WebhookUnit): CertManagerCertificateUnit | undefined {
  if (unit.injectFrom?.annotation !== 'cert-manager.io/inject-ca-from') return undefined;
  const ref = splitRef(unit.injectFrom.value);
  if (!ref) return undefined;
  return q.units('cert-manager-certificate').find((c) => c.meta.name === ref.name && sameNamespace(c.meta.namespace, ref.namespace));
}

/** The Secrets whose ca.crt cainjector copies into the caBundle (inject-ca-from: the Certificate's secret; inject-ca-from-secret). */
export function injectedSecrets(q: ClusterQuery, unit: WebhookUnit): ServingSecret[] {
  const out: ServingSecret[] = [];
  const inj = unit.injectFrom;
  if (!inj) return out;
  if (inj.annotation === 'cert-manager.io/inject-ca-from') {
    const c = injectedCertificate(q, unit);
    if (c?.secretName)
      addSecrets(
        q,
        out,
        c.secretName.value,
        c.meta.namespace,
        `written by cert-manager Certificate ${objectName(c.meta)} (${inj.annotation})`,
        c.file,
        c.secretName.span,
        c,
        true,
      );
  } else if (inj.annotation === 'cert-manager.io/inject-ca-from-secret') {
    const ref = splitRef(inj.value);
    if (ref) addSecrets(q, out, ref.name, ref.namespace, `named by ${inj.annotation}`, unit.file, inj.span, undefined, true);
  }
  return out;
}

/** The host the apiserver dials for a client config, and why. */
export function dialledHost(client: WebhookClient): { host: string; why: string; span: Span } | undefined {
  if (client.service)
    return { host: serviceHost(client.service), why: `service ${client.service.namespace}/${client.service.name}`, span: client.service.span };
  if (client.url) {
    const host = hostOf(client.url.value);
    if (host) return { host, why: `url ${client.url.value}`, span: client.url.span };
  }
  return undefined;
}

/** `webhook "pod-policy.example.com" (ValidatingWebhookConfiguration pod-policy)`, for messages. */
export function clientLabel(unit: WebhookUnit, client: WebhookClient): string {
  switch (unit.objectKind) {
    case 'APIService':
      return `APIService ${nameOf(unit.meta)}`;
    case 'CustomResourceDefinition':
      return `the conversion webhook of CustomResourceDefinition ${nameOf(unit.meta)}`;
    default:
      return client.name && !isTemplated(client.name)
        ? `webhook "${client.name}" (${unit.objectKind} ${nameOf(unit.meta)})`
        : `a webhook of ${unit.objectKind} ${nameOf(unit.meta)}`;
  }
}

/** What the cluster does when the apiserver cannot verify this client's server. */
export function failureConsequence(unit: WebhookUnit, client: WebhookClient): string {
  switch (unit.objectKind) {
    case 'APIService':
      return 'the aggregated API is unavailable (the APIService turns Available=False, FailedDiscoveryCheck) and kubectl reports discovery errors';
    case 'CustomResourceDefinition':
      return "every read or write that needs a version conversion of the CRD's resources fails";
    default:
      return client.failurePolicy === 'Ignore'
        ? 'every request it intercepts passes unchecked (failurePolicy: Ignore): the webhook silently does nothing'
        : 'every request it intercepts is rejected (failurePolicy: Fail)';
  }
}
