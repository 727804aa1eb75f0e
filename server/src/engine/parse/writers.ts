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
import { asMap, asSeq, get, getText } from './yamlAst';
import type { CaBundleTarget, CaBundleWriterUnit, Flag, ObjectMeta, Span, SpannedValue } from './model';
import { argItems, parseFlags, podContainers, type ArgItem } from './manifest';
import { isTemplated } from './template';
import { objectLabel } from './names';

/** The Go bool flags these programs have that kube-pki reads: they never take the next item as their value. */
const BOOL_FLAGS: ReadonlySet<string> = new Set(['patch-validating', 'patch-mutating', 'disable-cert-rotation']);

interface Container {
  image?: SpannedValue;
  /** command then args, as the container runs them. */
  items: ArgItem[];
  flags: Map<string, Flag[]>;
  /** $(NAME) values the kubelet expands from env (literal values and the pod's namespace). */
  env: Map<string, string>;
}

function containersOf(doc: Document, root: YAMLMap, namespace: string | undefined): Container[] {
  const out: Container[] = [];
  for (const c of podContainers(doc, root, ['initContainers', 'containers'])) {
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
    const items = [...argItems(doc, c, 'command'), ...argItems(doc, c, 'args')];
    const flags = new Map<string, Flag[]>();
    parseFlags(items, flags, BOOL_FLAGS);
    out.push({ ...(image ? { image: { value: image.value.trim(), span: { start: image.start, end: image.end } } } : {}), items, flags, env });
  }
  return out;
}

/** The value of a flag as the program sees it (the last occurrence wins). */
function flagValue(c: Container, name: string): Flag | undefined {
  const all = c.flags.get(name);
  return all?.[all.length - 1];
}

/** Every value of a repeatable flag (comma-separated values split), as Go's flag.Value sets them. */
function flagValues(c: Container, name: string): string[] {
  return (c.flags.get(name) ?? []).flatMap((f) => f.value.split(','));
}

/** A Go bool flag: bare means true; `=false`, `=0`, `=f` ... mean false (strconv.ParseBool). */
function boolFlag(c: Container, name: string, fallback: boolean): boolean {
  const v = flagValue(c, name);
  if (!v) return fallback;
  return ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v.value.trim());
}

/** A cobra program's subcommand: the first word that is neither the program itself nor a flag or its value. */
function subcommand(c: Container): string | undefined {
  for (let i = 0; i < c.items.length; i++) {
    const t = c.items[i].text.trim();
    if (t.startsWith('-')) {
      // `--flag value`: the value is no subcommand (as parseFlags reads it).
      const name = t.replace(/^--?/, '');
      if (!t.includes('=') && !BOOL_FLAGS.has(name) && c.items[i + 1] && !c.items[i + 1].text.trim().startsWith('-')) i++;
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
  return !!c.image && path.test(repository(c.image.value));
}

/** The caBundle writers among a workload's containers. */
export function caBundleWriters(doc: Document, root: YAMLMap, file: string, kind: string, meta: ObjectMeta): CaBundleWriterUnit[] {
  const out: CaBundleWriterUnit[] = [];
  for (const c of containersOf(doc, root, meta.namespace)) {
    if (!c.image) continue;
    if (isImage(c, /(^|\/)kube-webhook-certgen$/)) {
      if (subcommand(c) !== 'patch') continue;
      const targets: CaBundleTarget[] = [];
      const hook = flagValue(c, 'webhook-name');
      const hookName = hook ? expand(c, hook.value) : undefined;
      if (hookName) {
        const kinds: CaBundleTarget['kinds'] = [];
        if (boolFlag(c, 'patch-validating', true)) kinds.push('ValidatingWebhookConfiguration');
        if (boolFlag(c, 'patch-mutating', true)) kinds.push('MutatingWebhookConfiguration');
        if (kinds.length) targets.push({ kinds, name: hookName });
      }
      const api = flagValue(c, 'apiservice-name');
      const apiName = api ? expand(c, api.value) : undefined;
      if (apiName) targets.push({ kinds: ['APIService'], name: apiName });
      if (targets.length)
        out.push({
          kind: 'cabundle-writer',
          file,
          by: `kube-webhook-certgen patch (${objectLabel(kind, meta)})`,
          span: (hook ?? api ?? c.image).span,
          targets,
        });
    } else if (isImage(c, /(^|\/)openpolicyagent\/gatekeeper$/)) {
      if (boolFlag(c, 'disable-cert-rotation', false)) continue;
      const ops = flagValues(c, 'operation').map((o) => o.trim());
      const runs = (op: string) => ops.length === 0 || ops.includes(op);
      const targets: CaBundleTarget[] = [];
      if (runs('webhook')) {
        const v = flagValue(c, 'validating-webhook-configuration-name');
        const name = v ? expand(c, v.value) : 'gatekeeper-validating-webhook-configuration';
        if (name) targets.push({ kinds: ['ValidatingWebhookConfiguration'], name });
      }
      if (runs('mutation-webhook')) {
        const v = flagValue(c, 'mutating-webhook-configuration-name');
        const name = v ? expand(c, v.value) : 'gatekeeper-mutating-webhook-configuration';
        if (name) targets.push({ kinds: ['MutatingWebhookConfiguration'], name });
      }
      if (targets.length)
        out.push({
          kind: 'cabundle-writer',
          file,
          by: `Gatekeeper's certificate rotation (${objectLabel(kind, meta)})`,
          span: c.image.span,
          targets,
        });
    } else if (isImage(c, /(^|\/)metallb\/controller$/)) {
      if (boolFlag(c, 'disable-cert-rotation', false)) continue;
      if (flagValue(c, 'webhook-mode')?.value.trim() === 'disabled') continue;
      out.push({
        kind: 'cabundle-writer',
        file,
        by: `MetalLB's certificate rotation (${objectLabel(kind, meta)})`,
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
  for (const c of containersOf(doc, root, meta.namespace)) {
    const name = flagValue(c, 'dynamic-serving-ca-secret-name');
    const value = name ? expand(c, name.value) : undefined;
    if (!name || !value) continue;
    const ns = flagValue(c, 'dynamic-serving-ca-secret-namespace');
    const namespace = (ns ? expand(c, ns.value) : undefined) ?? meta.namespace;
    out.push({ name: value, ...(namespace ? { namespace } : {}), span: name.span });
  }
  return out;
}
