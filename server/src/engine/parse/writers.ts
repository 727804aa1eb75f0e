// Pod templates whose containers write caBundles when the cluster runs, or mint their own serving
// certificate from a CA Secret: what the programs' own flags say, read as the programs read them.
//   - kube-webhook-certgen `patch` (kubernetes/ingress-nginx images/kube-webhook-certgen/rootfs/cmd/patch.go):
//     --webhook-name names the ValidatingWebhookConfiguration and the MutatingWebhookConfiguration it patches
//     (each unless --patch-validating=false / --patch-mutating=false), --apiservice-name an APIService.
//   - Gatekeeper (open-policy-agent/gatekeeper main.go, pkg/webhook/policy.go, pkg/operations): unless
//     --disable-cert-rotation, cert-controller's rotator writes the CA into --validating-webhook-configuration-name
//     (default gatekeeper-validating-webhook-configuration) when the pod runs the `webhook` operation, and into
//     --mutating-webhook-configuration-name (default gatekeeper-mutating-webhook-configuration) with
//     `mutation-webhook`; no --operation flag means every operation.
//   - MetalLB's controller (metallb/metallb controller/main.go, internal/k8s/webhook.go): unless
//     --disable-cert-rotation or --webhook-mode=disabled, the same rotator fills ValidatingWebhookConfiguration
//     metallb-webhook-configuration and the conversion webhook of CRD bgppeers.metallb.io.
//   - cert-manager's webhook (--dynamic-serving-ca-secret-name/-namespace): the Secret holds the CA it mints its
//     serving certificate from in memory, not the certificate it presents.
import type { Document, YAMLMap } from 'yaml';
import { asMap, asSeq, get, getText, scalarText } from './yamlAst';
import type { CaBundleTarget, CaBundleWriterUnit, ObjectMeta, Span } from './model';
import { isTemplated } from './template';

interface Token {
  text: string;
  span: Span;
}

interface Container {
  image?: Token;
  tokens: Token[];
  /** $(NAME) values the kubelet expands from env (literal values and the pod's namespace). */
  env: Map<string, string>;
}

function podSpecOf(doc: Document, root: YAMLMap, kind: string): YAMLMap | undefined {
  const spec = asMap(doc, get(doc, root, 'spec'));
  if (kind === 'Pod') return spec;
  return asMap(doc, get(doc, asMap(doc, get(doc, spec, 'template')), 'spec'));
}

function tokensOf(doc: Document, container: YAMLMap, key: string): Token[] {
  const out: Token[] = [];
  for (const item of asSeq(doc, get(doc, container, key))?.items ?? []) {
    const t = scalarText(doc, item);
    if (t) out.push({ text: t.value.trim(), span: { start: t.quoted ? t.start + 1 : t.start, end: t.quoted ? t.end - 1 : t.end } });
  }
  return out;
}

function containersOf(doc: Document, root: YAMLMap, kind: string, namespace: string | undefined): Container[] {
  const podSpec = podSpecOf(doc, root, kind);
  const out: Container[] = [];
  for (const key of ['initContainers', 'containers']) {
    for (const item of asSeq(doc, get(doc, podSpec, key))?.items ?? []) {
      const c = asMap(doc, item);
      if (!c) continue;
      const image = getText(doc, c, 'image');
      const env = new Map<string, string>();
      for (const e of asSeq(doc, get(doc, c, 'env'))?.items ?? []) {
        const m = asMap(doc, e);
        const name = getText(doc, m, 'name')?.value.trim();
        if (!name) continue;
        const value = getText(doc, m, 'value');
        const field = getText(doc, asMap(doc, get(doc, asMap(doc, get(doc, m, 'valueFrom')), 'fieldRef')), 'fieldPath')?.value.trim();
        if (value) env.set(name, value.value);
        else if (field === 'metadata.namespace' && namespace) env.set(name, namespace);
      }
      out.push({
        ...(image ? { image: { text: image.value.trim(), span: { start: image.start, end: image.end } } } : {}),
        tokens: [...tokensOf(doc, c, 'command'), ...tokensOf(doc, c, 'args')],
        env,
      });
    }
  }
  return out;
}

/** The value of a flag as the program sees it: `--name=value`, or `--name value` for a flag that takes one; last wins. */
function flagValue(c: Container, name: string, takesValue = true): Token | undefined {
  let found: Token | undefined;
  for (let i = 0; i < c.tokens.length; i++) {
    const t = c.tokens[i];
    const m = /^--?([A-Za-z0-9][A-Za-z0-9-]*)(=([\s\S]*))?$/.exec(t.text);
    if (!m || m[1] !== name) continue;
    if (m[2] !== undefined) {
      const at = t.span.start + t.text.indexOf('=') + 1;
      found = { text: m[3], span: { start: at, end: t.span.end } };
    } else if (takesValue && c.tokens[i + 1] && !c.tokens[i + 1].text.startsWith('-')) {
      found = c.tokens[++i];
    } else if (!takesValue) {
      found = { text: 'true', span: t.span };
    }
  }
  return found;
}

/** Every value of a repeatable flag (comma-separated values split), as Go's flag.Value sets them. */
function flagValues(c: Container, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < c.tokens.length; i++) {
    const m = /^--?([A-Za-z0-9][A-Za-z0-9-]*)(=([\s\S]*))?$/.exec(c.tokens[i].text);
    if (!m || m[1] !== name) continue;
    const v = m[2] !== undefined ? m[3] : c.tokens[i + 1]?.text;
    if (v !== undefined) out.push(...v.split(','));
  }
  return out;
}

/** A Go bool flag: bare means true; `=false`, `=0`, `=f` ... mean false (strconv.ParseBool). */
function boolFlag(c: Container, name: string, fallback: boolean): boolean {
  const v = flagValue(c, name, false);
  if (!v) return fallback;
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v.text.trim());
}

/** A cobra program's subcommand: the first word that is neither the program itself nor a flag or its value. */
function subcommand(c: Container): string | undefined {
  for (let i = 0; i < c.tokens.length; i++) {
    const t = c.tokens[i].text;
    if (t.startsWith('-')) {
      // `--flag value`: the value is no subcommand (every flag of these programs before one takes a value).
      if (!t.includes('=') && c.tokens[i + 1] && !c.tokens[i + 1].text.startsWith('-')) i++;
      continue;
    }
    if (/(^|\/)kube-webhook-certgen$/.test(t)) continue;
    return t;
  }
  return undefined;
}

/** `$(NAME)` expanded from the container's env, as the kubelet does; undefined when something stays unknown. */
function expand(c: Container, value: string): string | undefined {
  const out = value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => c.env.get(name) ?? whole);
  return out.includes('$(') || isTemplated(out) || out.trim() === '' ? undefined : out.trim();
}

/** The image's repository path without registry port, tag or digest: `openpolicyagent/gatekeeper`. */
function repository(image: string): string {
  return image.split('@')[0].replace(/:[^/:]*$/, '');
}

function isImage(c: Container, path: RegExp): boolean {
  return !!c.image && path.test(repository(c.image.text));
}

function label(kind: string, meta: ObjectMeta): string {
  return `${kind} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
}

/** The caBundle writers among a workload's containers. */
export function caBundleWriters(doc: Document, root: YAMLMap, file: string, kind: string, meta: ObjectMeta): CaBundleWriterUnit[] {
  const out: CaBundleWriterUnit[] = [];
  for (const c of containersOf(doc, root, kind, meta.namespace)) {
    if (!c.image) continue;
    if (isImage(c, /(^|\/)kube-webhook-certgen$/)) {
      if (subcommand(c) !== 'patch') continue;
      const targets: CaBundleTarget[] = [];
      const hook = flagValue(c, 'webhook-name');
      const hookName = hook ? expand(c, hook.text) : undefined;
      if (hookName) {
        const kinds: CaBundleTarget['kinds'] = [];
        if (boolFlag(c, 'patch-validating', true)) kinds.push('ValidatingWebhookConfiguration');
        if (boolFlag(c, 'patch-mutating', true)) kinds.push('MutatingWebhookConfiguration');
        if (kinds.length) targets.push({ kinds, name: hookName });
      }
      const api = flagValue(c, 'apiservice-name');
      const apiName = api ? expand(c, api.text) : undefined;
      if (apiName) targets.push({ kinds: ['APIService'], name: apiName });
      if (targets.length) out.push({ kind: 'cabundle-writer', file, by: `kube-webhook-certgen patch (${label(kind, meta)})`, span: (hook ?? api ?? c.image).span, targets });
    } else if (isImage(c, /(^|\/)openpolicyagent\/gatekeeper$/)) {
      if (boolFlag(c, 'disable-cert-rotation', false)) continue;
      const ops = flagValues(c, 'operation').map((o) => o.trim());
      const runs = (op: string) => ops.length === 0 || ops.includes(op);
      const targets: CaBundleTarget[] = [];
      if (runs('webhook')) {
        const v = flagValue(c, 'validating-webhook-configuration-name');
        const name = v ? expand(c, v.text) : 'gatekeeper-validating-webhook-configuration';
        if (name) targets.push({ kinds: ['ValidatingWebhookConfiguration'], name });
      }
      if (runs('mutation-webhook')) {
        const v = flagValue(c, 'mutating-webhook-configuration-name');
        const name = v ? expand(c, v.text) : 'gatekeeper-mutating-webhook-configuration';
        if (name) targets.push({ kinds: ['MutatingWebhookConfiguration'], name });
      }
      if (targets.length) out.push({ kind: 'cabundle-writer', file, by: `Gatekeeper's certificate rotation (${label(kind, meta)})`, span: c.image.span, targets });
    } else if (isImage(c, /(^|\/)metallb\/controller$/)) {
      if (boolFlag(c, 'disable-cert-rotation', false)) continue;
      if (flagValue(c, 'webhook-mode')?.text.trim() === 'disabled') continue;
      out.push({
        kind: 'cabundle-writer',
        file,
        by: `MetalLB's certificate rotation (${label(kind, meta)})`,
        span: c.image.span,
        targets: [
          { kinds: ['ValidatingWebhookConfiguration'], name: 'metallb-webhook-configuration' },
          { kinds: ['CustomResourceDefinition'], name: 'bgppeers.metallb.io' },
        ],
      });
    }
  }
  return out;
}

/** Secrets a container keeps only its serving CA in (cert-manager's webhook --dynamic-serving-ca-secret-name). */
export function servingCaSecrets(doc: Document, root: YAMLMap, kind: string, meta: ObjectMeta): { name: string; namespace?: string; span: Span }[] {
  const out: { name: string; namespace?: string; span: Span }[] = [];
  for (const c of containersOf(doc, root, kind, meta.namespace)) {
    const name = flagValue(c, 'dynamic-serving-ca-secret-name');
    const value = name ? expand(c, name.text) : undefined;
    if (!name || !value) continue;
    const ns = flagValue(c, 'dynamic-serving-ca-secret-namespace');
    const namespace = (ns ? expand(c, ns.text) : undefined) ?? meta.namespace;
    out.push({ name: value, ...(namespace ? { namespace } : {}), span: name.span });
  }
  return out;
}
