// Kubernetes objects that hold or relate TLS material outside a node's /etc/kubernetes: Secrets and
// ConfigMaps with PEM values, admission/conversion webhooks and APIServices with their caBundle,
// cert-manager Certificates and issuers, and the Services and workloads that tie a webhook to the
// Secret it serves. Values are never quoted in problems: a Secret may hold a private key.
import type { Document, YAMLMap } from 'yaml';
import { isMap, isScalar, isSeq } from 'yaml';
import { asMap, asSeq, boolValue, deref, get, getText, keyRange, nodeRange, scalarText, type TextValue } from './yamlAst';
import { injectAnnotations } from './injection';
import { caBundleWriters, servingCaSecrets } from './writers';
import { goBase64Decode } from '../pki/base64';
import { isTemplated } from './template';
import type {
  CertManagerCertificateUnit,
  CertManagerIssuerUnit,
  ClusterRoleBindingUnit,
  Expect,
  InjectionPatchUnit,
  ObjectMeta,
  Reference,
  SecretUnit,
  ServiceUnit,
  Span,
  SpannedValue,
  Unit,
  WebhookClient,
  WebhookUnit,
  WorkloadUnit,
} from './model';

/** The kinds this file reads (recognition looks for these before parsing anything). */
export const objectKinds = new Set([
  'Secret',
  'ConfigMap',
  'Service',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'CustomResourceDefinition',
  'Certificate',
  'Issuer',
  'ClusterIssuer',
  'ClusterRoleBinding',
]);

const mountingKinds = new Set(['Deployment', 'StatefulSet', 'DaemonSet']);

function span(t: { start: number; end: number }): Span {
  return { start: t.start, end: t.end };
}

function spanned(t: TextValue | undefined): SpannedValue | undefined {
  return t ? { value: t.value, span: span(t) } : undefined;
}

/** A field a template fills in: its text is templated, or it is a bare `{{ ... }}` that YAML reads as a flow mapping. */
function templatedField(doc: Document, map: YAMLMap | undefined, key: string): boolean {
  const node = get(doc, map, key);
  if (isMap(node) || isSeq(node)) return true;
  const t = getText(doc, map, key);
  return !!t && templated(t.value);
}

function metaOf(doc: Document, root: YAMLMap): ObjectMeta {
  const metadata = asMap(doc, get(doc, root, 'metadata'));
  const name = getText(doc, metadata, 'name');
  const namespace = getText(doc, metadata, 'namespace')?.value.trim();
  const anchor = name ?? getText(doc, root, 'kind');
  const r = nodeRange(root);
  const at = anchor ? span(anchor) : { start: r?.[0] ?? 0, end: r?.[0] ?? 0 };
  const namespaceTemplated = templatedField(doc, metadata, 'namespace');
  if (namespaceTemplated || templatedField(doc, metadata, 'name')) {
    // What was written, for telling whether a literal reference may be what it renders to.
    const ns = namespaceTemplated ? (namespace ?? '') : namespace;
    return { name: '', span: at, templated: { name: name?.value.trim() ?? '', ...(ns !== undefined ? { namespace: ns } : {}) } };
  }
  return {
    name: name?.value.trim() ?? '',
    ...(namespace ? { namespace } : {}),
    span: at,
  };
}

function stringMap(doc: Document, node: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const map = asMap(doc, node);
  for (const item of map?.items ?? []) {
    const k = deref(doc, item.key);
    const v = scalarText(doc, item.value);
    if (isScalar(k) && v) out[String(k.value)] = v.value;
  }
  return out;
}

/** A value a template fills in (template.ts): nothing to judge yet. */
const templated = isTemplated;

// ---- Secrets and ConfigMaps ----------------------------------------------------------------------

const PEM_START = '-----BEGIN ';
const PEEK_CHARS = 4096;
const FULL_DECODE_LIMIT = 64 * 1024;

/**
 * The text a base64 value decodes to, when it is PEM (only the start of a huge value is looked at). This reads what
 * the value is meant to hold, whitespace and padding aside; whether the apiserver can decode it is the loader's
 * verdict (Go's rules, pki/base64.ts), so a ca.crt with a stray space is still checked, and refused.
 */
function pemOfBase64(value: string): string | undefined {
  const compact =
    value.length > FULL_DECODE_LIMIT
      ? value
          .slice(0, PEEK_CHARS * 2)
          .replace(/\s+/g, '')
          .slice(0, PEEK_CHARS)
      : value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  const text = Buffer.from(compact.slice(0, compact.length - (compact.length % 4)), 'base64').toString('latin1');
  return text.includes(PEM_START) ? text : undefined;
}

const CA_NAME = /(^|[-_.])(ca|cacert|cacerts|cabundle|ca-bundle|bundle|trust|trusted|roots?)([-_.]|$)/i;

/** What a value is expected to hold, from its key and its PEM labels; undefined for PEM kube-pki does not check (CSR, CRL). */
function expectOf(key: string, text: string): Expect | undefined {
  // The key's name says what it must hold (a private key under ca.crt is a defect, and a leak).
  if (/\.key$/i.test(key)) return 'key';
  if (/\.(crt|cer)$/i.test(key)) return CA_NAME.test(key) ? 'ca' : 'cert';
  if (/-----BEGIN (X509 |TRUSTED )?CERTIFICATE-----/.test(text)) return CA_NAME.test(key) ? 'ca' : 'cert';
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) return 'key';
  if (/-----BEGIN (RSA )?PUBLIC KEY-----/.test(text)) return 'public-key';
  return undefined;
}

/** A block scalar's range ends after its last line break: the reference ends with its last character. */
function trimmed(value: TextValue, text: string): Span {
  let end = value.end;
  while (end > value.start && /\s/.test(text[end - 1] ?? '')) end--;
  return { start: value.start, end };
}

function entryRef(file: string, key: string, value: TextValue, expect: Expect, data: string, text: string): Reference {
  return { file, span: trimmed(value, text), field: key, expect, source: { kind: 'inline', data } };
}

/** The PEM values of one section into `unit` (`encoded`: the section holds base64); keys in `skip` are left out. */
function parseDataSection(
  doc: Document,
  root: YAMLMap,
  unit: SecretUnit,
  section: 'data' | 'stringData' | 'binaryData',
  encoded: boolean,
  skip: Set<string>,
  source: string,
): void {
  const { file } = unit;
  const tls = unit.type === 'kubernetes.io/tls';
  const map = asMap(doc, get(doc, root, section));
  for (const item of map?.items ?? []) {
    const k = deref(doc, item.key);
    if (!isScalar(k)) continue;
    const key = String(k.value);
    if (skip.has(key)) continue;
    const value = scalarText(doc, item.value);
    if (!value || value.value.trim() === '' || templated(value.value)) continue;
    const required = tls && (key === 'tls.crt' || key === 'tls.key');
    if (encoded) {
      const pem = pemOfBase64(value.value);
      const expect = pem !== undefined ? expectOf(key, pem) : required ? (key === 'tls.key' ? 'key' : 'cert') : undefined;
      // The loader decodes and judges the value (bad base64, base64 of DER, no PEM block).
      if (expect) unit.entries.push({ key, section, ref: entryRef(file, key, value, expect, value.value, source) });
    } else {
      const text = value.value;
      if (text.includes(PEM_START)) {
        const expect = expectOf(key, text);
        if (expect)
          unit.entries.push({ key, section, ref: entryRef(file, key, value, expect, Buffer.from(text, 'utf8').toString('base64'), source) });
      } else if (required) {
        const b64 = /^[A-Za-z0-9+/=\s]+$/.test(text) && pemOfBase64(text) !== undefined;
        unit.problems.push({
          span: trimmed(value, source),
          message: b64
            ? `${section}.${key} is base64 of PEM, but ${section} takes the PEM text itself: the Secret would hold the base64 text and nothing can load it. Move the value under data:, or write the PEM text here.`
            : `${section}.${key} holds no PEM block: a kubernetes.io/tls Secret needs the PEM ${key === 'tls.key' ? 'private key' : 'certificate'} here, and whatever serves it fails to load it.`,
        });
      }
    }
  }
}

function keysOf(doc: Document, map: YAMLMap | undefined): Set<string> {
  const out = new Set<string>();
  for (const item of map?.items ?? []) {
    const k = deref(doc, item.key);
    if (isScalar(k)) out.add(String(k.value));
  }
  return out;
}

function parseSecret(doc: Document, root: YAMLMap, file: string, objectKind: 'Secret' | 'ConfigMap', source: string): SecretUnit | undefined {
  const type = objectKind === 'Secret' ? getText(doc, root, 'type')?.value.trim() : undefined;
  const unit: SecretUnit = { kind: 'secret', file, objectKind, meta: metaOf(doc, root), ...(type ? { type } : {}), entries: [], problems: [] };
  if (objectKind === 'Secret') {
    // stringData is merged over data by the apiserver: a key in both is stringData's.
    const stringKeys = keysOf(doc, asMap(doc, get(doc, root, 'stringData')));
    parseDataSection(doc, root, unit, 'data', true, stringKeys, source);
    parseDataSection(doc, root, unit, 'stringData', false, new Set(), source);
  } else {
    parseDataSection(doc, root, unit, 'data', false, new Set(), source);
    parseDataSection(doc, root, unit, 'binaryData', true, new Set(), source);
  }
  return unit.entries.length || unit.problems.length ? unit : undefined;
}

// ---- webhooks, APIServices, CRD conversion -------------------------------------------------------

/** The annotation that makes an injector overwrite the caBundle: with one, the caBundle in the manifest is not what the apiserver uses. */
function injection(doc: Document, root: YAMLMap): WebhookUnit['injectFrom'] {
  const annotations = asMap(doc, get(doc, asMap(doc, get(doc, root, 'metadata')), 'annotations'));
  for (const a of injectAnnotations) {
    const t = getText(doc, annotations, a.key);
    if (t && a.enabled(t.value)) return { annotation: a.key, value: t.value.trim(), span: span(t) };
  }
  return undefined;
}

/**
 * What a caBundle holding only a placeholder is, or undefined for a value to judge: base64 of nothing but line
 * breaks, spaces or dashes (kubebuilder scaffolds `Cg==`, one line break, because the apiserver rejects an empty
 * value in some versions; charts use `LS0t`, "---"), or placeholder text a script replaces before applying
 * (`CA_BUNDLE`, `<base64-ca>`, `__CA_BUNDLE__`, `$CA_BUNDLE`, `PLACEHOLDER`). Real base64 of anything else, a
 * truncated PEM included, is judged as it is; so is a value Go's decoder refuses that is no placeholder text
 * (`Cg`, unpadded: the loader says why the apiserver refuses it).
 */
export function caBundlePlaceholder(value: string): string | undefined {
  const v = value.trim();
  const decoded = goBase64Decode(value);
  if (decoded.ok && decoded.bytes.length > 0 && decoded.bytes.length <= 18) {
    const text = decoded.bytes.toString('latin1');
    if (/^[\s-]*$/.test(text)) {
      if (text === '\n' || text === '\r\n') return 'base64 of a single line break';
      if (/^\s*$/.test(text)) return 'base64 of blank text';
      return `base64 of "${text.trim()}"`;
    }
  }
  if (v.length > 64) return undefined;
  if (/^<[^<>]+>$/.test(v) || /^\[[^[\]]+\]$/.test(v) || /^\{[^{}]+\}$/.test(v)) return 'placeholder text';
  if (/^(%[A-Za-z0-9_.-]+%|@[A-Za-z0-9_.-]+@|__[A-Za-z0-9_.-]+__|\$[A-Za-z_][A-Za-z0-9_]*)$/.test(v)) return 'placeholder text';
  if (/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(v)) return 'placeholder text';
  if (
    /^[A-Za-z0-9_. -]+$/.test(v) &&
    /ca[_-]?bundle|placeholder|replace|change[_-]?me|todo|fixme|dummy|inject|base64|ca[_-]?(cert|crt|data|pem)/i.test(v)
  ) {
    return 'placeholder text';
  }
  return undefined;
}

function clientOf(doc: Document, cc: YAMLMap, file: string, name: string, at: Span, injected: boolean, insecure = false): WebhookClient {
  const client: WebhookClient = { name, span: at, insecure };
  const ca = getText(doc, cc, 'caBundle');
  // `caBundle: {{ .Values.ca }}` unquoted reads as a flow mapping: a template, as much as a quoted one.
  const caNode = get(doc, cc, 'caBundle');
  if (isMap(caNode) || isSeq(caNode)) client.templated = true;
  // `$(CA_BUNDLE)`: a kustomize var, filled when the overlay is built.
  if (ca && (templated(ca.value) || /^\$\([A-Za-z_][A-Za-z0-9_]*\)$/.test(ca.value.trim()))) client.templated = true;
  else if (ca && ca.value.trim() !== '') {
    const means = caBundlePlaceholder(ca.value);
    if (means) {
      const decoded = goBase64Decode(ca.value);
      client.placeholder = { value: ca.value.trim(), span: span(ca), means, ...(decoded.ok ? {} : { refused: decoded.error }) };
    } else if (!injected) client.caBundle = { file, span: span(ca), field: 'caBundle', expect: 'ca', source: { kind: 'inline', data: ca.value } };
  }
  const svc = asMap(doc, get(doc, cc, 'service'));
  if (svc) {
    const n = getText(doc, svc, 'name');
    const ns = getText(doc, svc, 'namespace');
    if (n && ns && !templated(n.value) && !templated(ns.value)) {
      client.service = { name: n.value.trim(), namespace: ns.value.trim(), span: span(n) };
    } else client.templated = true;
  }
  const url = getText(doc, cc, 'url');
  if (url && url.value.trim() !== '') {
    if (templated(url.value)) client.templated = true;
    else client.url = { value: url.value.trim(), span: span(url) };
  }
  return client;
}

function keySpan(doc: Document, map: YAMLMap | undefined, key: string, fallback: Span): Span {
  const r = keyRange(doc, map, key);
  return r ? { start: r[0], end: r[1] } : fallback;
}

function parseWebhooks(
  doc: Document,
  root: YAMLMap,
  file: string,
  objectKind: WebhookUnit['objectKind'],
): WebhookUnit | InjectionPatchUnit | undefined {
  const meta = metaOf(doc, root);
  const injectFrom = injection(doc, root);
  const labels = stringMap(doc, get(doc, asMap(doc, get(doc, root, 'metadata')), 'labels'));
  const unit: WebhookUnit = {
    kind: 'webhook',
    file,
    objectKind,
    meta,
    clients: [],
    ...(injectFrom ? { injectFrom } : {}),
    ...(Object.keys(labels).length ? { labels } : {}),
  };
  const spec = asMap(doc, get(doc, root, 'spec'));
  if (objectKind === 'ValidatingWebhookConfiguration' || objectKind === 'MutatingWebhookConfiguration') {
    for (const item of asSeq(doc, get(doc, root, 'webhooks'))?.items ?? []) {
      const hook = asMap(doc, item);
      const cc = asMap(doc, get(doc, hook, 'clientConfig'));
      if (!hook || !cc) continue;
      const name = getText(doc, hook, 'name');
      const client = clientOf(doc, cc, file, name?.value.trim() || meta.name, keySpan(doc, hook, 'clientConfig', meta.span), !!injectFrom);
      const policy = getText(doc, hook, 'failurePolicy')?.value.trim();
      client.failurePolicy = policy === 'Ignore' ? 'Ignore' : 'Fail';
      unit.clients.push(client);
    }
  } else if (objectKind === 'APIService') {
    // No spec.service: served by kube-apiserver itself (v1.apps and friends), no TLS of its own.
    if (spec && asMap(doc, get(doc, spec, 'service'))) {
      const insecure = boolValue(doc, get(doc, spec, 'insecureSkipTLSVerify')) === true;
      const client = clientOf(doc, spec, file, meta.name, keySpan(doc, spec, 'service', meta.span), !!injectFrom, insecure);
      if (insecure) client.insecureSpan = keySpan(doc, spec, 'insecureSkipTLSVerify', meta.span);
      unit.clients.push(client);
    }
  } else {
    const conversion = asMap(doc, get(doc, spec, 'conversion'));
    const strategy = getText(doc, conversion, 'strategy')?.value.trim();
    if (conversion && strategy === 'Webhook') {
      const webhook = asMap(doc, get(doc, conversion, 'webhook'));
      // apiextensions.k8s.io/v1: webhook.clientConfig; v1beta1: webhookClientConfig.
      const v1 = asMap(doc, get(doc, webhook, 'clientConfig'));
      const cc = v1 ?? asMap(doc, get(doc, conversion, 'webhookClientConfig'));
      const at = v1 ? keySpan(doc, webhook, 'clientConfig', meta.span) : keySpan(doc, conversion, 'webhookClientConfig', meta.span);
      if (cc) unit.clients.push(clientOf(doc, cc, file, meta.name, at, !!injectFrom));
    }
  }
  if (unit.clients.length) return unit;
  // Without clients, a patch that only adds an injection annotation (kustomize applies it to the object it names).
  if (!injectFrom) return undefined;
  return { kind: 'injection-patch', file, target: { objectKind, ...(meta.name ? { name: meta.name } : {}) }, injectFrom };
}

// ---- cert-manager ---------------------------------------------------------------------------------

/** A list of names: the literal ones, and (into `templates`) those a template fills in, as written. */
function textList(doc: Document, map: YAMLMap | undefined, key: string, templates: string[]): SpannedValue[] {
  const out: SpannedValue[] = [];
  for (const item of asSeq(doc, get(doc, map, key))?.items ?? []) {
    const t = scalarText(doc, item);
    if (!t || t.value.trim() === '') {
      // `- {{ .Values.host }}` unquoted reads as a flow mapping: a name a template fills in.
      const node = deref(doc, item);
      if (isMap(node) || isSeq(node)) templates.push('');
      continue;
    }
    if (templated(t.value)) templates.push(t.value.trim());
    else out.push({ value: t.value.trim(), span: span(t) });
  }
  return out;
}

function parseCertificate(doc: Document, root: YAMLMap, file: string): CertManagerCertificateUnit {
  const spec = asMap(doc, get(doc, root, 'spec'));
  const meta = metaOf(doc, root);
  const issuer = asMap(doc, get(doc, spec, 'issuerRef'));
  const dnsKey = keyRange(doc, spec, 'dnsNames') ?? keyRange(doc, spec, 'ipAddresses');
  const plain = (key: string) => {
    const t = getText(doc, spec, key);
    return t && !templated(t.value) ? spanned(t) : undefined;
  };
  const templates: string[] = [];
  const unit: CertManagerCertificateUnit = {
    kind: 'cert-manager-certificate',
    file,
    meta,
    dnsNames: textList(doc, spec, 'dnsNames', templates),
    ipAddresses: textList(doc, spec, 'ipAddresses', templates),
    isCA: boolValue(doc, get(doc, spec, 'isCA')) === true,
  };
  if (templates.length) unit.templatedNames = templates;
  const secretName = plain('secretName');
  if (secretName) unit.secretName = { value: secretName.value.trim(), span: secretName.span };
  const cn = plain('commonName');
  if (cn) unit.commonName = cn;
  if (dnsKey) unit.dnsNamesSpan = { start: dnsKey[0], end: dnsKey[1] };
  for (const k of ['duration', 'renewBefore', 'renewBeforePercentage'] as const) {
    const v = plain(k);
    if (v) unit[k] = v;
  }
  if (issuer) {
    const name = getText(doc, issuer, 'name');
    // A templated name, kind or group: which issuer is meant is known once the template is rendered.
    const judged = name && !['name', 'kind', 'group'].some((k) => templatedField(doc, issuer, k));
    unit.issuerRef = {
      ...(judged ? { name: { value: name.value.trim(), span: span(name) } } : {}),
      kind: getText(doc, issuer, 'kind')?.value.trim() || 'Issuer',
      group: getText(doc, issuer, 'group')?.value.trim() || 'cert-manager.io',
      span: keySpan(doc, spec, 'issuerRef', meta.span),
    };
  }
  return unit;
}

// ---- RBAC --------------------------------------------------------------------------------------------

function parseClusterRoleBinding(doc: Document, root: YAMLMap, file: string): ClusterRoleBindingUnit {
  const roleRef = asMap(doc, get(doc, root, 'roleRef'));
  const unit: ClusterRoleBindingUnit = { kind: 'cluster-role-binding', file, meta: metaOf(doc, root), groups: [] };
  if ((getText(doc, roleRef, 'kind')?.value.trim() ?? '') === 'ClusterRole') {
    const name = getText(doc, roleRef, 'name')?.value.trim();
    if (name) unit.clusterRole = name;
  }
  for (const item of asSeq(doc, get(doc, root, 'subjects'))?.items ?? []) {
    const subject = asMap(doc, item);
    if (getText(doc, subject, 'kind')?.value.trim() !== 'Group') continue;
    const name = getText(doc, subject, 'name')?.value.trim();
    if (name) unit.groups.push(name);
  }
  return unit;
}

// ---- Services and the workloads behind them --------------------------------------------------------

function parseService(doc: Document, root: YAMLMap, file: string): ServiceUnit | undefined {
  const selector = stringMap(doc, get(doc, asMap(doc, get(doc, root, 'spec')), 'selector'));
  if (Object.keys(selector).length === 0) return undefined;
  return { kind: 'service', file, meta: metaOf(doc, root), selector };
}

/** What a workload tells about webhooks: the Secrets its pods mount, the CA Secrets they mint from, the caBundles its containers write. */
export function parseWorkloadObjects(doc: Document, root: YAMLMap, file: string): Unit[] {
  const objectKind = getText(doc, root, 'kind')?.value;
  if (!objectKind) return [];
  const meta = metaOf(doc, root);
  const units: Unit[] = caBundleWriters(doc, root, file, objectKind, meta);
  const mounts = mountingKinds.has(objectKind) ? parseSecretMounts(doc, root, file, objectKind) : undefined;
  const caSecrets = servingCaSecrets(doc, root, objectKind, meta);
  if (mounts || caSecrets.length) {
    const unit = mounts ?? parseSecretMounts(doc, root, file, objectKind, true)!;
    if (caSecrets.length) unit.caSecrets = caSecrets;
    units.push(unit);
  }
  return units;
}

function parseSecretMounts(doc: Document, root: YAMLMap, file: string, objectKind: string, always = false): WorkloadUnit | undefined {
  const template = asMap(doc, get(doc, asMap(doc, get(doc, root, 'spec')), 'template'));
  const podSpec = asMap(doc, get(doc, template, 'spec'));
  const secretVolumes: SpannedValue[] = [];
  for (const item of asSeq(doc, get(doc, podSpec, 'volumes'))?.items ?? []) {
    const vol = asMap(doc, item);
    const secret = getText(doc, asMap(doc, get(doc, vol, 'secret')), 'secretName');
    if (secret && secret.value.trim() && !templated(secret.value)) secretVolumes.push({ value: secret.value.trim(), span: span(secret) });
    for (const src of asSeq(doc, get(doc, asMap(doc, get(doc, vol, 'projected')), 'sources'))?.items ?? []) {
      const s = getText(doc, asMap(doc, get(doc, asMap(doc, src), 'secret')), 'name');
      if (s && s.value.trim() && !templated(s.value)) secretVolumes.push({ value: s.value.trim(), span: span(s) });
    }
  }
  if (secretVolumes.length === 0 && !always) return undefined;
  const podLabels = stringMap(doc, get(doc, asMap(doc, get(doc, template, 'metadata')), 'labels'));
  return { kind: 'workload', file, objectKind, meta: metaOf(doc, root), podLabels, secretVolumes };
}

/** The unit of one object of the kinds above, or undefined when it holds nothing kube-pki checks. */
export function parseObject(doc: Document, root: YAMLMap, file: string, kind: string, source: string): Unit | undefined {
  const apiVersion = getText(doc, root, 'apiVersion')?.value.trim() ?? '';
  const certManager = apiVersion.startsWith('cert-manager.io/');
  switch (kind) {
    case 'Secret':
    case 'ConfigMap':
      return apiVersion === 'v1' || apiVersion === '' ? parseSecret(doc, root, file, kind, source) : undefined;
    case 'Service':
      return apiVersion === 'v1' ? parseService(doc, root, file) : undefined;
    case 'ValidatingWebhookConfiguration':
    case 'MutatingWebhookConfiguration':
      return apiVersion.startsWith('admissionregistration.k8s.io/') ? parseWebhooks(doc, root, file, kind) : undefined;
    case 'APIService':
      return apiVersion.startsWith('apiregistration.k8s.io/') ? parseWebhooks(doc, root, file, kind) : undefined;
    case 'CustomResourceDefinition':
      return apiVersion.startsWith('apiextensions.k8s.io/') ? parseWebhooks(doc, root, file, kind) : undefined;
    case 'Certificate':
      return certManager ? parseCertificate(doc, root, file) : undefined;
    case 'ClusterRoleBinding':
      return apiVersion.startsWith('rbac.authorization.k8s.io/') ? parseClusterRoleBinding(doc, root, file) : undefined;
    case 'Issuer':
    case 'ClusterIssuer':
      return certManager
        ? ({ kind: 'cert-manager-issuer', file, objectKind: kind, meta: metaOf(doc, root) } satisfies CertManagerIssuerUnit)
        : undefined;
  }
  return undefined;
}

/** `kind: List` (kubectl get -o yaml) and typed lists: their items. */
export function listItems(doc: Document, root: YAMLMap): YAMLMap[] {
  const items = get(doc, root, 'items');
  if (!isSeq(items)) return [];
  return items.items.map((i) => deref(doc, i)).filter((i): i is YAMLMap => isMap(i));
}
