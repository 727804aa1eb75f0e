// kustomization.yaml files that make an annotation write a caBundle when the overlay is built: cainjector's
// (cert-manager.io/inject-ca-from, inject-ca-from-secret, inject-apiserver-ca) or OpenShift's service-ca
// (service.beta.openshift.io/inject-cabundle), added through commonAnnotations, inline patches, patch files
// (patchesStrategicMerge, patches[].path) or replacements whose fieldPaths name the annotation (kubebuilder's
// config/default scaffold). Fields as sigs.k8s.io/kustomize api/types/kustomization.go names them;
// commented-out entries are comments, never read.
import * as path from 'node:path';
import { parseAllDocuments, type Document, type YAMLMap } from 'yaml';
import { asMap, asSeq, get, getText, keyRange, scalarText, type TextValue } from './yamlAst';
import type { CaBundleTarget, CaBundleWriterUnit, Span, WebhookUnit } from './model';
import { injectAnnotations, injectKeyPattern as injectKey } from './injection';

const webhookKinds: WebhookUnit['objectKind'][] = [
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'APIService',
  'CustomResourceDefinition',
];
const listKeys = ['resources', 'bases', 'components', 'patches', 'patchesStrategicMerge', 'patchesJson6902', 'replacements', 'commonAnnotations'];

/** A kustomization: kind Kustomization/Component (or none, as kustomize allows) with a kustomization's fields. */
export function looksLikeKustomization(doc: Document, root: YAMLMap): boolean {
  const kind = getText(doc, root, 'kind')?.value.trim();
  if (kind !== undefined && kind !== 'Kustomization' && kind !== 'Component') return false;
  if (kind !== undefined && !(getText(doc, root, 'apiVersion')?.value ?? '').startsWith('kustomize.config.k8s.io/')) return false;
  if (get(doc, root, 'metadata') !== undefined && kind === undefined) return false;
  return listKeys.some((k) => get(doc, root, k) !== undefined && get(doc, root, k) !== null);
}

function span(t: { start: number; end: number }): Span {
  return { start: t.start, end: t.end };
}

function keySpan(doc: Document, map: YAMLMap | undefined, key: string): Span | undefined {
  const r = keyRange(doc, map, key);
  return r ? { start: r[0], end: r[1] } : undefined;
}

/** A patch's `target:` (kind, name) as a caBundle target; undefined when it cannot select a webhook kind. */
function selector(doc: Document, map: YAMLMap | undefined): CaBundleTarget | undefined | null {
  if (!map) return null;
  const kind = getText(doc, map, 'kind')?.value.trim();
  const name = getText(doc, map, 'name')?.value.trim();
  if (kind && !(webhookKinds as string[]).includes(kind)) return undefined;
  // A name is a regular expression in kustomize selectors: only a plain name is compared.
  const plain = name && /^[A-Za-z0-9.-]+$/.test(name) ? name : undefined;
  return { ...(kind ? { kinds: [kind as WebhookUnit['objectKind']] } : {}), ...(plain ? { name: plain } : {}) };
}

interface Injection {
  target: CaBundleTarget;
  span: Span;
  how: string;
}

/** What an inline patch adds: a strategic-merge object's annotations, or JSON 6902 operations on them. */
function inlinePatch(text: TextValue, target: CaBundleTarget | undefined | null, how: string): Injection[] {
  if (!injectKey.test(text.value)) return [];
  const out: Injection[] = [];
  let docs;
  try {
    docs = parseAllDocuments(text.value, { prettyErrors: false, uniqueKeys: false, strict: false });
  } catch {
    return out;
  }
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length) continue;
    const root = d.contents;
    const map = asMap(d, root);
    if (map) {
      const annotations = asMap(d, get(d, asMap(d, get(d, map, 'metadata')), 'annotations'));
      if (!enabledIn(d, annotations)) continue;
      const kind = getText(d, map, 'kind')?.value.trim();
      const name = getText(d, map, 'name') ?? getText(d, asMap(d, get(d, map, 'metadata')), 'name');
      const own: CaBundleTarget | undefined =
        kind && !(webhookKinds as string[]).includes(kind)
          ? undefined
          : { ...(kind ? { kinds: [kind as WebhookUnit['objectKind']] } : {}), ...(name ? { name: name.value.trim() } : {}) };
      const t = target === null ? own : target;
      if (t) out.push({ target: t, span: span(text), how });
      continue;
    }
    // JSON 6902: [{op: add, path: /metadata/annotations/cert-manager.io~1inject-ca-from, value: ns/name}, ...]
    if (!target) continue;
    for (const item of asSeq(d, root)?.items ?? []) {
      const m = asMap(d, item);
      const op = getText(d, m, 'op')?.value.trim();
      const p = getText(d, m, 'path')?.value.trim() ?? '';
      if (op !== 'add' && op !== 'replace') continue;
      const direct = p.startsWith('/metadata/annotations/') && injectKey.test(p.replace(/~1/g, '/'));
      const whole = p === '/metadata/annotations' && enabledIn(d, asMap(d, get(d, m, 'value')));
      if (direct || whole) {
        out.push({ target, span: span(text), how });
        break;
      }
    }
  }
  return out;
}

function enabledIn(doc: Document, annotations: YAMLMap | undefined): boolean {
  return injectAnnotations.some((a) => {
    const v = getText(doc, annotations, a.key);
    return !!v && a.enabled(v.value);
  });
}

/** The caBundle writer a kustomization makes, or undefined when it adds no injection annotation and names no patch file. */
export function parseKustomization(doc: Document, root: YAMLMap, file: string): CaBundleWriterUnit | undefined {
  const dir = path.dirname(file);
  const injections: Injection[] = [];
  const patchFiles: NonNullable<CaBundleWriterUnit['patchFiles']> = [];
  const local = (p: string) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(p) && !/^(github\.com|gitlab\.com|bitbucket\.org)\//.test(p) && !p.includes('?ref=');

  // commonAnnotations: every object the kustomization builds.
  const common = asMap(doc, get(doc, root, 'commonAnnotations'));
  if (common && enabledIn(doc, common)) {
    const at = injectAnnotations.map((a) => keySpan(doc, common, a.key)).find((s) => s) ?? keySpan(doc, root, 'commonAnnotations')!;
    injections.push({ target: {}, span: at, how: 'kustomize commonAnnotations' });
  }

  // patchesStrategicMerge: file paths, or inline objects.
  for (const item of asSeq(doc, get(doc, root, 'patchesStrategicMerge'))?.items ?? []) {
    const t = scalarText(doc, item);
    if (!t || t.value.trim() === '') continue;
    if (!t.value.includes('\n') && local(t.value.trim())) patchFiles.push({ file: path.resolve(dir, t.value.trim()), span: span(t) });
    else injections.push(...inlinePatch(t, null, 'a kustomize patch'));
  }

  // patches: {path | patch, target}; patchesJson6902: {patch, target} (a path there holds operations).
  for (const key of ['patches', 'patchesJson6902']) {
    for (const item of asSeq(doc, get(doc, root, key))?.items ?? []) {
      const m = asMap(doc, item);
      const target = selector(doc, asMap(doc, get(doc, m, 'target')));
      if (target === undefined) continue;
      const p = getText(doc, m, 'path');
      const inline = getText(doc, m, 'patch');
      if (p && key === 'patches' && local(p.value.trim())) {
        patchFiles.push({ file: path.resolve(dir, p.value.trim()), ...(target ? { target } : {}), span: span(p) });
      } else if (inline) {
        injections.push(...inlinePatch(inline, key === 'patchesJson6902' ? (target ?? undefined) : target, 'a kustomize patch'));
      }
    }
  }

  // replacements: targets whose fieldPaths write the annotation (kubebuilder: .metadata.annotations.[cert-manager.io/inject-ca-from]).
  for (const item of asSeq(doc, get(doc, root, 'replacements'))?.items ?? []) {
    for (const t of asSeq(doc, get(doc, asMap(doc, item), 'targets'))?.items ?? []) {
      const tm = asMap(doc, t);
      const field = (asSeq(doc, get(doc, tm, 'fieldPaths'))?.items ?? []).map((f) => scalarText(doc, f)).find((f) => f && injectKey.test(f.value));
      if (!field) continue;
      const target = selector(doc, asMap(doc, get(doc, tm, 'select')));
      if (target) injections.push({ target, span: span(field), how: 'kustomize replacements' });
    }
  }

  if (injections.length === 0 && patchFiles.length === 0) return undefined;
  const within = patchFiles.map((p) => p.file);
  for (const key of ['resources', 'bases', 'components']) {
    for (const item of asSeq(doc, get(doc, root, key))?.items ?? []) {
      const t = scalarText(doc, item);
      if (t && t.value.trim() && local(t.value.trim())) within.push(path.resolve(dir, t.value.trim()));
    }
  }
  const first = injections[0];
  return {
    kind: 'cabundle-writer',
    file,
    by: first?.how ?? 'a kustomize patch',
    span: first?.span ?? patchFiles[0].span,
    targets: injections.map((i) => ({ ...i.target, span: i.span, by: i.how })),
    folder: dir,
    within,
    ...(patchFiles.length ? { patchFiles } : {}),
  };
}
