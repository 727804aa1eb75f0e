// What writes a webhook's, APIService's or CRD conversion webhook's caBundle when the cluster runs, as far
// as the workspace says: an injection annotation on the object (cert-manager's cainjector, OpenShift's
// service-ca), one a kustomization adds to it, a kube-webhook-certgen `patch` Job or a controller that
// rotates its own certificate (parse/writers.ts), and projects that write the caBundle of the objects they
// own, recognised by what their manifests hold:
//   - Kyverno creates and patches the webhook configurations it labels webhook.kyverno.io/managed-by: kyverno
//     (kyverno pkg/controllers/webhook, api/kyverno LabelWebhookManagedBy).
//   - istiod patches the caBundle of the configurations labelled istio.io/rev with its revision: every webhook
//     of a ValidatingWebhookConfiguration (pkg/webhooks/validation/controller), the webhooks named
//     *sidecar-injector.istio.io of a MutatingWebhookConfiguration (pkg/webhooks/webhookpatch.go).
//   - Knative's webhooks reconcile the caBundle of the configurations and CRDs they serve, all named
//     *.knative.dev (knative.dev/pkg webhook/resourcesemantics, webhook/configmaps, conversion reconcilers).
import * as path from 'node:path';
import type { CaBundleTarget, CaBundleWriterUnit, CertManagerCertificateUnit, Span, WebhookClient, WebhookService, WebhookUnit } from '../parse';
import type { ClusterQuery } from './query';
import { injectorOf } from '../parse/injection';
import { isWithin } from '../fs/confined';
import { mountedSecrets, sameNamespace } from './objects';

export interface Filler {
  /** Who writes the caBundle, for messages. */
  by: string;
  file: string;
  span: Span;
}

function matches(t: CaBundleTarget, unit: WebhookUnit): boolean {
  return (!t.kinds || t.kinds.includes(unit.objectKind)) && (t.name === undefined || t.name === unit.meta.name);
}

/** Whether a kustomization builds this file: it sits in the kustomization's folder, is one of its patch files, or is one of (or below one of) its resources. */
function builds(writer: CaBundleWriterUnit, file: string): boolean {
  if (!writer.within && writer.folder === undefined) return true;
  if (writer.folder !== undefined && path.dirname(file) === writer.folder) return true;
  return (writer.within ?? []).some((w) => isWithin(w, file));
}

interface AnnotatedPatch {
  file: string;
  objectKind: WebhookUnit['objectKind'];
  name?: string;
  injectFrom: NonNullable<WebhookUnit['injectFrom']>;
}

/** What a kustomization may apply as a patch adding an injection annotation: annotation-only patches, and whole objects. */
function annotatedPatches(q: ClusterQuery): AnnotatedPatch[] {
  const out: AnnotatedPatch[] = q.units('injection-patch').map((p) => ({ file: p.file, ...p.target, injectFrom: p.injectFrom }));
  for (const w of q.units('webhook'))
    if (w.injectFrom) out.push({ file: w.file, objectKind: w.objectKind, name: w.meta.name, injectFrom: w.injectFrom });
  return out;
}

/** What writes this client's caBundle at run time; empty when the workspace shows nothing that does. */
export function caBundleFillers(q: ClusterQuery, unit: WebhookUnit, client: WebhookClient): Filler[] {
  const out: Filler[] = [];
  if (unit.injectFrom)
    out.push({
      by: `${injectorOf(unit.injectFrom.annotation)} (annotation ${unit.injectFrom.annotation})`,
      file: unit.file,
      span: unit.injectFrom.span,
    });

  let patches: AnnotatedPatch[] | undefined;
  for (const w of q.units('cabundle-writer')) {
    if (!builds(w, unit.file)) continue;
    for (const t of w.targets) {
      if (matches(t, unit)) out.push({ by: t.by ?? w.by, file: w.file, span: t.span ?? w.span });
    }
    for (const p of w.patchFiles ?? []) {
      patches ??= annotatedPatches(q);
      for (const patch of patches) {
        if (patch.file !== p.file) continue;
        // A patch file without a `target:` applies to the object it names itself.
        const target: CaBundleTarget | undefined =
          p.target ?? (patch.name !== undefined ? { kinds: [patch.objectKind], name: patch.name } : undefined);
        if (target && matches(target, unit))
          out.push({
            by: `a kustomize patch adding ${patch.injectFrom.annotation} (${injectorOf(patch.injectFrom.annotation)})`,
            file: w.file,
            span: p.span,
          });
      }
    }
  }

  const labels = unit.labels ?? {};
  if (labels['webhook.kyverno.io/managed-by'] === 'kyverno' && unit.objectKind !== 'APIService' && unit.objectKind !== 'CustomResourceDefinition') {
    out.push({ by: 'Kyverno (label webhook.kyverno.io/managed-by: kyverno)', file: unit.file, span: unit.meta.span });
  }
  const rev = labels['istio.io/rev'];
  if (
    rev !== undefined &&
    (unit.objectKind === 'ValidatingWebhookConfiguration' ||
      (unit.objectKind === 'MutatingWebhookConfiguration' && client.name.endsWith('sidecar-injector.istio.io')))
  ) {
    out.push({ by: `istiod (label istio.io/rev: ${rev})`, file: unit.file, span: unit.meta.span });
  }
  if (unit.meta.name.endsWith('.knative.dev'))
    out.push({ by: "Knative's webhook (a *.knative.dev configuration it reconciles)", file: unit.file, span: unit.meta.span });
  return out;
}

/** cert-manager Certificates that write a Secret the pods behind the Service mount (whether or not the workspace holds the Secret). */
export function certificatesForMountedSecrets(
  q: ClusterQuery,
  svc: WebhookService,
): { certificate: CertManagerCertificateUnit; file: string; span: Span }[] {
  const mounted = mountedSecrets(q, svc);
  if (mounted.length === 0) return [];
  const out: { certificate: CertManagerCertificateUnit; file: string; span: Span }[] = [];
  for (const c of q.units('cert-manager-certificate')) {
    if (!c.secretName || !sameNamespace(c.meta.namespace, svc.namespace)) continue;
    const m = mounted.find((x) => x.name === c.secretName!.value);
    if (m) out.push({ certificate: c, file: m.file, span: m.span });
  }
  return out;
}

/** "ClusterIssuer ca-issuer", for messages. */
export function issuerOf(c: CertManagerCertificateUnit): string | undefined {
  const ref = c.issuerRef;
  if (!ref?.name) return undefined;
  return `${ref.kind} ${ref.kind === 'Issuer' && c.meta.namespace ? `${c.meta.namespace}/` : ''}${ref.name.value}`;
}
