// A k3s or RKE2 server's configuration file: /etc/rancher/k3s/config.yaml and config.yaml.d/*.yaml (RKE2:
// /etc/rancher/rke2/config.yaml). k3s reads it as its command line (pkg/configfilearg/parser.go: each key is a
// flag name, `key+:` appends to the flags of earlier files, a list is the flag given once per item), with the
// flags of pkg/cli/cmds/server.go and agent.go. Recognised by content: a map of plain YAML keys, no `apiVersion`
// or `kind` (not a Kubernetes object), every key a flag name (lower case and dashes), and at least one flag only
// a k3s or RKE2 server takes. What is read: the names the server puts in its certificates (tls-san,
// advertise-address, node-ip, node-external-ip, node-name, cluster-domain, service-cidr) and data-dir.
import * as path from 'node:path';
import { isMap, isScalar, isSeq, type Document, type YAMLMap } from 'yaml';
import { deref, scalarText } from './yamlAst';
import type { DistroConfigUnit, DistroTlsUnit, SpannedValue } from './model';

/** Flags of `k3s server` / `rke2 server` (pkg/cli/cmds/server.go, rke2's pkg/cli/cmds) no other YAML file has as keys. */
const serverFlags = new Set([
  'tls-san',
  'tls-san-security',
  'write-kubeconfig',
  'write-kubeconfig-mode',
  'write-kubeconfig-group',
  'cluster-init',
  'cluster-reset',
  'flannel-backend',
  'node-external-ip',
  'disable-network-policy',
  'disable-kube-proxy',
  'kube-apiserver-arg',
  'kube-controller-manager-arg',
  'etcd-expose-metrics',
  'secrets-encryption',
  'agent-token',
  'embedded-registry',
]);

/** A quick text test for parse/index.ts: a top-level key only such a file has. */
export const distroConfigHint = new RegExp(`^(${[...serverFlags].join('|')})\\+?:`, 'm');

const flagKey = /^[a-z][a-z0-9-]*\+?$/;

function keyOf(doc: Document, key: unknown): string | undefined {
  const k = deref(doc, key);
  return isScalar(k) && typeof k.value === 'string' ? k.value : undefined;
}

export function looksLikeDistroConfig(doc: Document, root: YAMLMap): boolean {
  let server = false;
  for (const pair of root.items) {
    const k = keyOf(doc, pair.key);
    if (!k || !flagKey.test(k) || k === 'kind') return false;
    if (serverFlags.has(k.replace(/\+$/, ''))) server = true;
  }
  return server;
}

/**
 * A flag's values: a scalar, or a list of scalars; each split at commas as k3s splits its string-slice flags
 * (util.SplitStringSlice). A piece keeps its own characters' span when the scalar is plain.
 */
function values(doc: Document, node: unknown): SpannedValue[] {
  const n = deref(doc, node);
  const items = isSeq(n) ? n.items : [node];
  const out: SpannedValue[] = [];
  for (const item of items) {
    const t = scalarText(doc, item);
    if (!t) continue;
    let offset = 0;
    for (const piece of t.value.split(',')) {
      const at = offset;
      offset += piece.length + 1;
      const value = piece.trim();
      if (!value) continue;
      const start = t.quoted || t.end - t.start !== t.value.length ? t.start : t.start + at + piece.indexOf(value);
      const end = t.quoted || t.end - t.start !== t.value.length ? t.end : start + value.length;
      out.push({ value, span: { start, end } });
    }
  }
  return out;
}

export function parseDistroConfig(doc: Document, root: YAMLMap, file: string): DistroConfigUnit {
  const byKey = new Map<string, SpannedValue[]>();
  let first: DistroConfigUnit['span'] | undefined;
  for (const pair of root.items) {
    const k = keyOf(doc, pair.key);
    if (!k) continue;
    const kr = (deref(doc, pair.key) as { range?: [number, number] }).range;
    first ??= kr ? { start: kr[0], end: kr[1] } : { start: 0, end: 0 };
    const name = k.replace(/\+$/, '');
    const v = isMap(deref(doc, pair.value)) ? [] : values(doc, pair.value);
    // A later key of the same name replaces an earlier one, as the last flag wins; `key+` appends.
    byKey.set(name, k.endsWith('+') ? [...(byKey.get(name) ?? []), ...v] : v);
  }
  const one = (name: string): SpannedValue | undefined => {
    const v = byKey.get(name);
    return v?.[v.length - 1];
  };
  const dirs = path.posix.normalize(file.split(path.sep).join('/'));
  const distro = /\/rancher\/rke2\//.test(dirs) ? 'rke2' : /\/rancher\/k3s\//.test(dirs) ? 'k3s' : undefined;
  const unit: DistroConfigUnit = {
    kind: 'distro-config',
    file,
    span: first ?? { start: 0, end: 0 },
    tlsSans: byKey.get('tls-san') ?? [],
    nodeIps: byKey.get('node-ip') ?? [],
    nodeExternalIps: byKey.get('node-external-ip') ?? [],
  };
  if (distro) unit.distro = distro;
  // The first range of a dual-stack service-cidr holds the kubernetes Service (server.go: ServiceIPRange).
  const cidr = byKey.get('service-cidr')?.[0];
  if (cidr) unit.serviceCidr = cidr;
  const optional: Array<[keyof DistroConfigUnit, string]> = [
    ['advertiseAddress', 'advertise-address'],
    ['nodeName', 'node-name'],
    ['clusterDomain', 'cluster-domain'],
    ['dataDir', 'data-dir'],
  ];
  for (const [field, name] of optional) {
    const v = one(name);
    if (v) (unit as unknown as Record<string, SpannedValue>)[field] = v;
  }
  return unit;
}

/**
 * A leaf certificate of a k3s or RKE2 server's tls folder (<data-dir>/server/tls, pkg/daemons/control/deps/deps.go
 * CreateRuntimeCertFiles): client-*.crt, serving-kube-apiserver.crt and etcd's under etcd/ (not the CAs, *-ca.crt).
 * Its name in the folder ('client-admin.crt', 'etcd/peer-server-client.crt'), else undefined.
 */
export function distroTlsLeafName(file: string): string | undefined {
  const m = /[\\/]server[\\/]tls[\\/]((?:etcd[\\/])?[^\\/]+\.crt)$/.exec(file);
  if (!m) return undefined;
  const name = m[1].replace(/\\/g, '/');
  if (name.endsWith('-ca.crt')) return undefined;
  return /^(client-[^/]+|serving-kube-apiserver\.crt|etcd\/[^/]+)$/.test(name) ? name : undefined;
}

/** The unit of such a certificate holding PEM: its first certificate block is where findings about it go. */
export function parseDistroTlsLeaf(file: string, text: string, name: string): DistroTlsUnit | undefined {
  const at = text.indexOf('-----BEGIN CERTIFICATE-----');
  if (at < 0) return undefined;
  return { kind: 'distro-tls', file, name, span: { start: at, end: at + '-----BEGIN CERTIFICATE-----'.length } };
}
