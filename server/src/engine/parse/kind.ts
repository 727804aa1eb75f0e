// kind's cluster config (sigs.k8s.io/kind pkg/apis/config/v1alpha4/types.go: `kind: Cluster`, apiVersion
// kind.x-k8s.io/v1alpha4): `name`, `networking.apiServerAddress` / `apiServerPort`, and `kubeadmConfigPatches` (on
// the cluster and on each node), strings each holding YAML that kind merges into the kubeadm config it generates
// (pkg/internal/patch: a patch matches a document by `kind`, and by apiVersion only when it sets one). Each patch is
// parsed as kubeadm's configuration is, with spans inside the string (a literal block scalar maps line by line; any
// other form of string puts every value on the whole string).
import { isScalar, parseAllDocuments, type Document, type Scalar, type YAMLMap } from 'yaml';
import { asMap, asSeq, deref, get, getText, nodeRange, scalarText } from './yamlAst';
import type { KindClusterUnit, KindPatch, Span, SpannedValue } from './model';

export function looksLikeKindCluster(doc: Document, root: YAMLMap): boolean {
  const api = getText(doc, root, 'apiVersion')?.value.trim() ?? '';
  return /^kind\.x-k8s\.io\/v1alpha[34]$/.test(api) && getText(doc, root, 'kind')?.value.trim() === 'Cluster';
}

/** Maps offsets into a string's value to offsets in the file. */
type Mapper = (start: number, end: number) => Span;

function mapperOf(node: Scalar, text: string): Mapper {
  const r = node.range;
  const whole: Mapper = () => ({ start: r?.[0] ?? 0, end: r?.[1] ?? 0 });
  if (!r || node.type !== 'BLOCK_LITERAL') return whole;
  const headerEnd = text.indexOf('\n', r[0]);
  if (headerEnd < 0 || headerEnd >= r[1]) return whole;
  const body = text.slice(headerEnd + 1, r[1]);
  const lines = body.split('\n');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => l.length - l.trimStart().length));
  if (!Number.isFinite(indent)) return whole;
  const lineStarts: number[] = [];
  let at = headerEnd + 1;
  for (const l of lines) {
    lineStarts.push(at);
    at += l.length + 1;
  }
  const value = String(node.value);
  const valueLineStarts = [0];
  for (let i = 0; i < value.length; i++) if (value[i] === '\n') valueLineStarts.push(i + 1);
  // An error at the end of the text (an unclosed bracket) stays on the patch's last line.
  const last = value.trimEnd().length;
  const map = (at: number): number => {
    const offset = Math.min(at, last);
    let li = 0;
    while (li + 1 < valueLineStarts.length && valueLineStarts[li + 1] <= offset) li++;
    if (li >= lineStarts.length) return r[1];
    return lineStarts[li] + indent + (offset - valueLineStarts[li]);
  };
  return (start, end) => ({ start: map(start), end: map(end) });
}

function parsePatch(node: unknown, doc: Document, text: string): KindPatch | undefined {
  const n = deref(doc, node);
  const t = scalarText(doc, node);
  if (!t || !isScalar(n)) return undefined;
  const map = mapperOf(n as Scalar, text);
  const patch: KindPatch = { span: { start: t.start, end: t.end }, certSANs: [], nodeNames: [] };
  let docs;
  try {
    docs = parseAllDocuments(t.value, { prettyErrors: false, uniqueKeys: false, strict: false });
  } catch (err) {
    patch.error = { span: patch.span, message: (err as Error).message.split('\n')[0] };
    return patch;
  }
  for (const d of Array.isArray(docs) ? docs : [docs]) {
    if (d.errors.length) {
      const e = d.errors[0];
      patch.error ??= { span: map(e.pos[0], Math.max(e.pos[0], e.pos[1])), message: e.message.split('\n')[0] };
      continue;
    }
    const root = asMap(d, d.contents);
    if (!root) continue;
    const spanned = (m: YAMLMap | undefined, key: string): SpannedValue | undefined => {
      const v = getText(d, m, key);
      return v && v.value.trim() ? { value: v.value.trim(), span: map(v.start, v.end) } : undefined;
    };
    patch.objectKind ??= getText(d, root, 'kind')?.value.trim();
    const apiServer = asMap(d, get(d, root, 'apiServer'));
    for (const item of asSeq(d, get(d, apiServer, 'certSANs'))?.items ?? []) {
      const v = scalarText(d, item);
      if (v && v.value.trim()) patch.certSANs.push({ value: v.value.trim(), span: map(v.start, v.end) });
    }
    const name = spanned(asMap(d, get(d, root, 'nodeRegistration')), 'name');
    if (name) patch.nodeNames.push(name);
    patch.controlPlaneEndpoint ??= spanned(root, 'controlPlaneEndpoint');
    patch.dnsDomain ??= spanned(asMap(d, get(d, root, 'networking')), 'dnsDomain');
  }
  return patch;
}

export function parseKindCluster(doc: Document, root: YAMLMap, file: string, text: string): KindClusterUnit {
  const kindText = getText(doc, root, 'kind');
  const r = nodeRange(root);
  const networking = asMap(doc, get(doc, root, 'networking'));
  const spanned = (m: YAMLMap | undefined, key: string): SpannedValue | undefined => {
    const v = getText(doc, m, key);
    return v && v.value.trim() ? { value: v.value.trim(), span: { start: v.start, end: v.end } } : undefined;
  };
  const patches: KindPatch[] = [];
  let json6902 = false;
  const nodes = (asSeq(doc, get(doc, root, 'nodes'))?.items ?? []).map((n) => asMap(doc, n));
  const holders: (YAMLMap | undefined)[] = [root, ...nodes];
  for (const h of holders) {
    for (const item of asSeq(doc, get(doc, h, 'kubeadmConfigPatches'))?.items ?? []) {
      const p = parsePatch(item, doc, text);
      if (p) patches.push(p);
    }
    if ((asSeq(doc, get(doc, h, 'kubeadmConfigPatchesJSON6902'))?.items.length ?? 0) > 0) json6902 = true;
  }
  const unit: KindClusterUnit = {
    kind: 'kind-cluster',
    file,
    span: kindText ? { start: kindText.start, end: kindText.end } : { start: r?.[0] ?? 0, end: r?.[0] ?? 0 },
    name: getText(doc, root, 'name')?.value.trim() || 'kind',
    patches,
    json6902,
    // kind's default is one control-plane node (pkg/apis/config/v1alpha4/default.go); a node's role defaults to it too.
    controlPlanes:
      nodes.length === 0 ? 1 : nodes.filter((n) => (getText(doc, n, 'role')?.value.trim() || 'control-plane') === 'control-plane').length,
  };
  const address = spanned(networking, 'apiServerAddress');
  if (address) unit.apiServerAddress = address;
  const port = spanned(networking, 'apiServerPort');
  if (port) unit.apiServerPort = port;
  return unit;
}
