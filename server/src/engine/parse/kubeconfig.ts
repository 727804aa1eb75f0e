// kubeconfig (`kind: Config`): clusters, users, contexts, with every certificate reference.
import type { Document, YAMLMap } from 'yaml';
import { asMap, asSeq, boolValue, get, getText, nodeRange, pairOf } from './yamlAst';
import type { FieldConflict, KubeconfigCluster, KubeconfigUnit, KubeconfigUser, Reference, Span } from './model';
import * as path from 'node:path';

export function looksLikeKubeconfig(doc: Document, root: YAMLMap): boolean {
  const kind = getText(doc, root, 'kind')?.value;
  if (kind === 'Config') return true;
  if (kind !== undefined) return false;
  // kubectl accepts a kubeconfig without `kind`; demand the shape so other YAML stays silent.
  const clusters = asSeq(doc, get(doc, root, 'clusters'));
  const users = asSeq(doc, get(doc, root, 'users'));
  const hasEntry = (seq: typeof clusters, key: string) => !!seq && seq.items.some((it) => asMap(doc, get(doc, asMap(doc, it), key)) !== undefined);
  return hasEntry(clusters, 'cluster') || hasEntry(users, 'user');
}

function spanOf(r: [number, number] | undefined, fallback: Span): Span {
  return r ? { start: r[0], end: r[1] } : fallback;
}

/** A path field and its -data twin; returns the reference kube-pki should follow and any conflict. */
function materialRef(
  doc: Document,
  file: string,
  map: YAMLMap,
  pathKey: string,
  dataKey: string,
  expect: Reference['expect'],
  conflicts: FieldConflict[],
): Reference | undefined {
  const p = getText(doc, map, pathKey);
  const d = getText(doc, map, dataKey);
  const baseDir = path.dirname(file);
  if (p && d && p.value !== '' && d.value !== '') {
    conflicts.push({
      field: pathKey,
      twin: dataKey,
      span: { start: p.start, end: p.end },
      twinSpan: { start: d.start, end: d.end },
    });
  }
  // kubectl refuses both; when both are there, check the data (what the user most likely meant).
  if (d && d.value.trim() !== '') {
    return { file, span: { start: d.start, end: d.end }, field: dataKey, expect, source: { kind: 'inline', data: d.value } };
  }
  if (p && p.value.trim() !== '') {
    return { file, span: { start: p.start, end: p.end }, field: pathKey, expect, source: { kind: 'path', path: p.value.trim(), baseDir } };
  }
  return undefined;
}

export function parseKubeconfig(doc: Document, root: YAMLMap, file: string): KubeconfigUnit {
  const conflicts: FieldConflict[] = [];
  const clusters: KubeconfigCluster[] = [];
  const users: KubeconfigUser[] = [];
  const whole = spanOf(nodeRange(root), { start: 0, end: 0 });

  for (const item of asSeq(doc, get(doc, root, 'clusters'))?.items ?? []) {
    const entry = asMap(doc, item);
    if (!entry) continue;
    const nameText = getText(doc, entry, 'name');
    const c = asMap(doc, get(doc, entry, 'cluster'));
    const span = nameText ? { start: nameText.start, end: nameText.end } : spanOf(nodeRange(entry), whole);
    const cluster: KubeconfigCluster = { name: nameText?.value ?? '', span, insecure: false };
    if (c) {
      const server = getText(doc, c, 'server');
      if (server) cluster.server = { value: server.value, span: { start: server.start, end: server.end } };
      const tsn = getText(doc, c, 'tls-server-name');
      if (tsn && tsn.value) cluster.tlsServerName = { value: tsn.value, span: { start: tsn.start, end: tsn.end } };
      cluster.insecure = boolValue(doc, pairOf(doc, c, 'insecure-skip-tls-verify')?.value) === true;
      cluster.ca = materialRef(doc, file, c, 'certificate-authority', 'certificate-authority-data', 'ca', conflicts);
    }
    clusters.push(cluster);
  }

  for (const item of asSeq(doc, get(doc, root, 'users'))?.items ?? []) {
    const entry = asMap(doc, item);
    if (!entry) continue;
    const nameText = getText(doc, entry, 'name');
    const u = asMap(doc, get(doc, entry, 'user'));
    const span = nameText ? { start: nameText.start, end: nameText.end } : spanOf(nodeRange(entry), whole);
    const user: KubeconfigUser = { name: nameText?.value ?? '', span };
    if (u) {
      user.cert = materialRef(doc, file, u, 'client-certificate', 'client-certificate-data', 'cert', conflicts);
      user.key = materialRef(doc, file, u, 'client-key', 'client-key-data', 'key', conflicts);
      if (['token', 'tokenFile', 'username', 'password', 'exec', 'auth-provider'].some((k) => get(doc, u, k) != null)) user.otherAuth = true;
    }
    users.push(user);
  }

  const contexts = (asSeq(doc, get(doc, root, 'contexts'))?.items ?? []).flatMap((item) => {
    const entry = asMap(doc, item);
    if (!entry) return [];
    const ctx = asMap(doc, get(doc, entry, 'context'));
    return [
      {
        name: getText(doc, entry, 'name')?.value ?? '',
        cluster: getText(doc, ctx, 'cluster')?.value,
        user: getText(doc, ctx, 'user')?.value,
      },
    ];
  });

  return {
    kind: 'kubeconfig',
    file,
    clusters,
    users,
    contexts,
    currentContext: getText(doc, root, 'current-context')?.value,
    conflicts,
  };
}
