// From text to ParsedFile. A document is recognised by its content, never by its name, and a
// YAML file of any other kind yields nothing at all, so the extension stays quiet on it.
import { parseAllDocuments } from 'yaml';
import { asMap } from './yamlAst';
import { LineIndex } from './text';
import { parseBlockYaml } from './blockYaml';
import { looksLikeKubeconfig, parseKubeconfig } from './kubeconfig';
import { looksLikeWorkload, parseWorkload } from './manifest';
import { looksLikeKubeletConfig, parseKubeletConfig } from './kubeletConfig';
import { looksLikeComponentConfig, parseComponentConfig } from './componentConfig';
import { looksLikeKubeadmConfig, parseKubeadmConfig } from './kubeadmConfig';
import { distroConfigHint, distroTlsLeafName, looksLikeDistroConfig, parseDistroConfig, parseDistroTlsLeaf } from './distroConfig';
import { looksLikeKindCluster, parseKindCluster } from './kind';
import { listItems, objectKinds, parseObject, parseWorkloadObjects } from './objects';
import { looksLikeKustomization, parseKustomization } from './kustomize';
import { injectKeyPattern } from './injection';
import { looksLikeKubeletEnvFile, looksLikeSystemdService, parseKubeletEnvFile, parseSystemdUnit, type DropIn, type EnvFileLookup } from './systemd';
import { getText } from './yamlAst';
import type { Document, YAMLMap } from 'yaml';
import type { ParsedFile, Unit } from './model';
import { MAX_CONFIG_BYTES } from '../types';

export * from './model';
export { LineIndex } from './text';
export { referenceFlags } from './manifest';
export { parseBlockYaml } from './blockYaml';
export type { DropIn, EnvFileLookup } from './systemd';

/** Quick text test before any parsing: does this look like one of the files kube-pki reads? */
const interesting =
  /^\s*kind:\s*["']?(Config|KubeletConfiguration|KubeSchedulerConfiguration|KubeProxyConfiguration|ClusterConfiguration|InitConfiguration|JoinConfiguration|Pod|Deployment|DaemonSet|StatefulSet|ReplicaSet|Job)\b|^\s*(clusters|users):\s*$/m;
const controlPlane = /\b(kube-apiserver|etcd|kube-controller-manager|kube-scheduler)\b/;

/**
 * Objects holding TLS elsewhere (Secrets, webhooks, cert-manager...). ConfigMaps and CRDs are everywhere and
 * CRDs are big, so they are parsed only when the text shows what kube-pki would read in them.
 */
const objects =
  /^\s*kind:\s*["']?(Secret|Service|ValidatingWebhookConfiguration|MutatingWebhookConfiguration|APIService|Certificate|Issuer|ClusterIssuer|ClusterRoleBinding|[A-Za-z]*List)["']?\s*(#.*)?$/m;
const configMap = /^\s*kind:\s*["']?ConfigMap\b/m;
const crd = /^\s*kind:\s*["']?CustomResourceDefinition\b/m;
/** A kustomization's fields at the top level, and an annotation that writes a caBundle or a patch file that may add one. */
const kustomization = /^(resources|bases|components|patches|patchesStrategicMerge|patchesJson6902|replacements|commonAnnotations):/m;
const patchFileHint = /^(patches|patchesStrategicMerge):/m;
/** "-----BEGIN " as text, or base64 of it at any of the three alignments. */
const pemHint = /-----BEGIN |LS0tLS1CRUdJTi|LS0tQkVHSU4g|LS0tLUJFR0lO/;

/**
 * JSON (`kubectl config view --raw -o json`, a static pod the kubelet reads from `*.json` in its staticPodPath): the
 * yaml library reads it as flow YAML, with the same nodes and source ranges. Its `kind` is a quoted key.
 */
const jsonStart = /^\uFEFF?\s*\{/;
const jsonInteresting =
  /"kind"\s*:\s*"(Config|KubeletConfiguration|KubeSchedulerConfiguration|KubeProxyConfiguration|ClusterConfiguration|InitConfiguration|JoinConfiguration|Pod|Deployment|DaemonSet|StatefulSet|ReplicaSet|Job|Secret|ValidatingWebhookConfiguration|MutatingWebhookConfiguration|APIService|Certificate|Issuer|ClusterIssuer|List)"|"(clusters|users)"\s*:\s*\[/;

export function mightBeRecognised(text: string): boolean {
  if (jsonStart.test(text)) return jsonInteresting.test(text);
  if (interesting.test(text)) return true;
  if (kustomization.test(text) && (injectKeyPattern.test(text) || patchFileHint.test(text))) return true;
  if (distroConfigHint.test(text)) return true;
  if (/^kind:\s*["']?Cluster\b/m.test(text) && /kind\.x-k8s\.io\//.test(text)) return true;
  // Most YAML that is not Kubernetes (CI pipelines, compose files, Helm values) has no `kind:` line at all.
  if (!/^\s*kind:/m.test(text)) return false;
  if (objects.test(text)) return true;
  if (configMap.test(text) && pemHint.test(text)) return true;
  if (!crd.test(text)) return false;
  // A conversion webhook, or a patch adding an injection annotation to one (kubebuilder's cainjection_in_*.yaml).
  return (/^\s*conversion:/m.test(text) && /\b(clientConfig|webhookClientConfig):/.test(text)) || injectKeyPattern.test(text);
}

/** Every `kind:` value of a text, at any indentation (a List's items, an ownerReference's included). */
const ANY_KIND = /^[ \t-]*kind:[ \t]*["']?([A-Za-z0-9.]+)/gm;
const WORKLOAD_KINDS: ReadonlySet<string> = new Set(['Pod', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job']);
/**
 * What in a workload's text can make a unit of it (parse/manifest.ts, parse/objects.ts, parse/writers.ts): a
 * component's name (its image or command), a Secret volume (`secretName:`, a projected `secret:`), the images whose
 * flags write caBundles or mint serving certificates, a PEM, a caBundle, an ignore comment.
 */
const WORKLOAD_UNIT_HINT = new RegExp(
  [
    controlPlane.source,
    'secretName\\s*:',
    '\\bsecret\\s*:',
    'certgen',
    'gatekeeper',
    'metallb',
    'dynamic-serving',
    'caBundle',
    pemHint.source,
    'kube-pki-ignore',
  ].join('|'),
  'm',
);

/** Whether a text has `kind:` lines and each names one of `allowed`. */
function onlyKinds(text: string, allowed: ReadonlySet<string>): boolean {
  let any = false;
  for (const m of text.matchAll(ANY_KIND)) {
    if (!allowed.has(m[1])) return false;
    any = true;
  }
  return any;
}

/** What else than a `kind:` line makes a text one of ours (mightBeRecognised): a kubeconfig without kind, a distro config, a kustomization. */
function otherTriggers(text: string): boolean {
  return /^\s*(clusters|users):\s*$/m.test(text) || kustomization.test(text) || distroConfigHint.test(text) || /kind\.x-k8s\.io\//.test(text);
}

/**
 * The prefilter (cheap, before any parsing): a YAML text whose every object is a Pod or a workload (Deployment,
 * DaemonSet, StatefulSet, ReplicaSet, Job) mentioning nothing a unit is made of (WORKLOAD_UNIT_HINT) yields no unit
 * at all: parsing it would find nothing. Most of a GitOps repository is such files; they are not parsed.
 */
export function plainWorkloads(text: string): boolean {
  if (jsonStart.test(text) || WORKLOAD_UNIT_HINT.test(text) || otherTriggers(text)) return false;
  return onlyKinds(text, WORKLOAD_KINDS);
}

/**
 * Whether parseFile could make anything of a text (the prefilter, exact: false only when parsing would find
 * nothing): a systemd unit or a kubelet env file, a k3s/RKE2 server's tls leaf (read by its place), or YAML
 * mightBeRecognised that is not plainWorkloads.
 */
export function mightMatter(file: string, text: string): boolean {
  if (distroTlsLeafName(file)) return true;
  if (looksLikeSystemdService(text) || looksLikeKubeletEnvFile(text) || /\.service\.d[\\/][^\\/]+\.conf$/.test(file)) return true;
  if (sizeOver(text, MAX_CONFIG_BYTES) !== undefined) return true;
  return mightBeRecognised(text) && !plainWorkloads(text);
}

const SERVICE_ONLY: ReadonlySet<string> = new Set(['Service']);

/**
 * Services and nothing else (no PEM, no ignore comment, nothing else of ours): such a file has no finding of its
 * own; it matters only when a relation asks for Services (a webhook's Service leads to the workloads it selects),
 * so the engine parses it then (Engine: lazy documents).
 */
export function plainServices(text: string): boolean {
  if (jsonStart.test(text) || pemHint.test(text) || text.includes('kube-pki-ignore') || otherTriggers(text) || looksLikeSystemdService(text))
    return false;
  return onlyKinds(text, SERVICE_ONLY);
}

/** The units of one document (a List's items each in turn); `failed.value` is set when a parser gave up on it. */
function unitsOf(doc: Document, root: YAMLMap, file: string, text: string, depth: number, failed: { value: boolean }): Unit[] {
  const units: Unit[] = [];
  try {
    if (looksLikeKubeconfig(doc, root)) units.push(parseKubeconfig(doc, root, file));
    else if (looksLikeKubeletConfig(doc, root)) units.push(parseKubeletConfig(doc, root, file));
    else if (looksLikeComponentConfig(doc, root)) units.push(parseComponentConfig(doc, root, file));
    else if (looksLikeKubeadmConfig(doc, root)) units.push(parseKubeadmConfig(doc, root, file));
    else if (depth === 0 && looksLikeDistroConfig(doc, root)) units.push(parseDistroConfig(doc, root, file));
    else if (looksLikeKindCluster(doc, root)) units.push(parseKindCluster(doc, root, file, text));
    else if (looksLikeWorkload(doc, root)) {
      units.push(...parseWorkload(doc, root, file, text));
      units.push(...parseWorkloadObjects(doc, root, file));
    } else if (looksLikeKustomization(doc, root)) {
      const unit = parseKustomization(doc, root, file);
      if (unit) units.push(unit);
    } else {
      const kind = getText(doc, root, 'kind')?.value.trim() ?? '';
      if (objectKinds.has(kind)) {
        const unit = parseObject(doc, root, file, kind, text);
        if (unit) units.push(unit);
      } else if (depth === 0 && kind.endsWith('List')) {
        for (const item of listItems(doc, root)) units.push(...unitsOf(doc, item, file, text, depth + 1, failed));
      }
    }
  } catch {
    // A shape no parser expected (e.g. an alias to a scalar where a map belongs): skip the document.
    failed.value = true;
  }
  return units;
}

/** For broken YAML: whether the text still reads like a file kube-pki owns. */
function looksOurs(text: string): boolean {
  if (jsonStart.test(text)) {
    if (/"kind"\s*:\s*"(Config|KubeletConfiguration|KubeSchedulerConfiguration|KubeProxyConfiguration)"/.test(text)) return true;
    if (/"(clusters|users)"\s*:\s*\[/.test(text) && /"(cluster|user)"\s*:\s*\{/.test(text)) return true;
    return /"kind"\s*:\s*"(Pod|Deployment|DaemonSet|StatefulSet)"/.test(text) && controlPlane.test(text);
  }
  if (/^\s*kind:\s*["']?(Config|KubeletConfiguration|KubeSchedulerConfiguration|KubeProxyConfiguration)\b/m.test(text)) return true;
  if (/^\s*(clusters|users):\s*$/m.test(text) && /^\s*-?\s*(cluster|user):\s*$/m.test(text)) return true;
  if (/^\s*kind:\s*["']?(Pod|Deployment|DaemonSet|StatefulSet)\b/m.test(text) && controlPlane.test(text)) return true;
  return false;
}

/** The UTF-8 size of a text, computed only when it may be over `limit`. */
function sizeOver(text: string, limit: number): number | undefined {
  if (text.length * 3 <= limit) return undefined;
  const bytes = Buffer.byteLength(text, 'utf8');
  return bytes > limit ? bytes : undefined;
}

/**
 * `lookup`: what a systemd unit's EnvironmentFile= values hold, `dropIns`: the unit's drop-ins (the engine reads
 * both from the workspace).
 */
export function parseFile(file: string, text: string, lookup?: EnvFileLookup, dropIns: DropIn[] = []): ParsedFile {
  const lines = new LineIndex(text);
  const result: ParsedFile = { file, text, lines, units: [], yamlErrors: [], recognised: false, unread: [] };
  const tooBig = sizeOver(text, MAX_CONFIG_BYTES);
  if (tooBig !== undefined) {
    // Never parsed (seconds of YAML, hundreds of MB); said once when the start reads like one of ours.
    const head = text.slice(0, 64 * 1024);
    result.unread.push({ start: 0, end: text.length });
    if (mightBeRecognised(head)) {
      result.tooBig = tooBig;
      result.recognised = true;
    }
    return result;
  }
  const tlsLeaf = distroTlsLeafName(file);
  if (tlsLeaf) {
    const unit = parseDistroTlsLeaf(file, text, tlsLeaf);
    if (unit) {
      result.units.push(unit);
      result.recognised = true;
    }
    return result;
  }
  if (looksLikeSystemdService(text) || (dropIns.length > 0 && dropIns.some((d) => looksLikeSystemdService(d.text)))) {
    const unit = parseSystemdUnit(file, text, lookup, dropIns);
    result.units.push(...unit.units);
    result.recognised = result.units.length > 0;
    if (result.recognised) result.envFiles = unit.envFiles;
    if (unit.sources.length > 0) result.sources = unit.sources;
    return result;
  }
  if (looksLikeKubeletEnvFile(text)) {
    result.units.push(...parseKubeletEnvFile(file, text));
    result.recognised = true;
    return result;
  }
  if (!mightBeRecognised(text) || plainWorkloads(text)) return result;

  let docs;
  try {
    // What kubectl and kubeadm write is read by the fast reader; anything else by the yaml library.
    const plain = parseBlockYaml(text);
    docs = plain ? [plain] : parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, strict: false });
  } catch (err) {
    result.unread.push({ start: 0, end: text.length });
    if (looksOurs(text)) {
      result.yamlErrors.push({ span: { start: 0, end: 0 }, message: `YAML does not parse: ${(err as Error).message}` });
      result.recognised = true;
    }
    return result;
  }
  const list = Array.isArray(docs) ? docs : [docs];
  for (const doc of list) {
    const docSpan = { start: doc.range?.[0] ?? 0, end: doc.range?.[2] ?? text.length };
    const docText = text.slice(docSpan.start, docSpan.end);
    if (doc.errors.length > 0) {
      result.unread.push(docSpan);
      if (looksOurs(docText)) {
        const e = doc.errors[0];
        const first = e.message.split('\n')[0];
        result.yamlErrors.push({ span: { start: e.pos[0], end: Math.max(e.pos[1], e.pos[0]) }, message: first });
      }
      continue;
    }
    const root = asMap(doc, doc.contents);
    if (!root) continue;
    const failed = { value: false };
    result.units.push(...unitsOf(doc, root, file, text, 0, failed));
    if (failed.value) result.unread.push(docSpan);
  }
  result.recognised = result.units.length > 0 || result.yamlErrors.length > 0;
  return result;
}
