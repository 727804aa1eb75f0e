// How files relate: which apiserver a kubeconfig talks to, which etcd an apiserver uses, which
// kubelet trusts which CA. Several node trees may share a workspace, so "the" apiserver of a file
// is the one whose host matches, or else the nearest one in the folder tree.
import * as path from 'node:path';
import { flag, type ComponentUnit, type KubeconfigCluster, type KubeconfigUnit, type KubeconfigUser, type Reference } from '../parse';
import type { Certificate } from '../pki/certificate';
import { matchesHost } from '../pki/verify';
import type { ClusterQuery } from './query';
import { hostOf } from './net';
import { chainsTo } from './chains';
import { distroApiservers, type Distro } from './distro';
import { commonPrefixLength } from '../resolve/fileIndex';
import { memoByObject } from '../memo';

/** Units sharing the longest folder prefix with `file` (all of them when none is closer). */
export function nearest<T extends { file: string }>(units: T[], file: string): T[] {
  let best = -1;
  let out: T[] = [];
  const dir = path.dirname(file);
  for (const u of units) {
    const n = commonPrefixLength(path.dirname(u.file), dir);
    if (n > best) {
      best = n;
      out = [u];
    } else if (n === best) out.push(u);
  }
  return out;
}

export function componentUnits(q: ClusterQuery, component: ComponentUnit['component']): ComponentUnit[] {
  return q.units('component').filter((u) => u.component === component);
}

export function flagRef(unit: ComponentUnit, name: string): Reference | undefined {
  const refs = unit.refs.filter((r) => r.field === `--${name}`);
  return refs[refs.length - 1];
}

/** The clusters a user is used with, through contexts (all clusters when no context names it), in file order. */
export function clustersOfUser(kc: KubeconfigUnit, user: KubeconfigUser): KubeconfigCluster[] {
  const { clusterIndexes, clusterNamesByUser } = kubeconfigIndex(kc);
  const indexes: number[] = [];
  for (const name of clusterNamesByUser.get(user.name) ?? []) indexes.push(...(clusterIndexes.get(name) ?? []));
  if (indexes.length === 0) return kc.clusters;
  return indexes.sort((a, b) => a - b).map((i) => kc.clusters[i]);
}

/** Lookups over one kubeconfig, so a thousand users do not each scan a thousand contexts. */
const kubeconfigIndex = memoByObject((kc: KubeconfigUnit) => {
  const clusterIndexes = new Map<string, number[]>();
  kc.clusters.forEach((c, i) => {
    const list = clusterIndexes.get(c.name);
    if (list) list.push(i);
    else clusterIndexes.set(c.name, [i]);
  });
  const clusterNamesByUser = new Map<string, Set<string>>();
  for (const c of kc.contexts) {
    if (c.user === undefined || c.cluster === undefined) continue;
    const set = clusterNamesByUser.get(c.user);
    if (set) set.add(c.cluster);
    else clusterNamesByUser.set(c.user, new Set([c.cluster]));
  }
  return { clusterIndexes, clusterNamesByUser };
});

export function serverHost(cluster: KubeconfigCluster): { host: string; viaTlsServerName: boolean } | undefined {
  if (cluster.tlsServerName?.value) return { host: cluster.tlsServerName.value, viaTlsServerName: true };
  const host = cluster.server ? hostOf(cluster.server.value) : undefined;
  return host ? { host, viaTlsServerName: false } : undefined;
}

export interface ApiserverTarget {
  unit: ComponentUnit;
  cert?: Certificate;
  certRef?: Reference;
  /**
   * The port dialled serves another certificate than `cert`, signed by the same CA with the same names list but
   * not in the workspace (k3s's supervisor on 6443): trust is judged with `cert`, the names are not.
   */
  namesUnknown?: true;
  /** A k3s or RKE2 server's apiserver (no manifest: its files are in <data-dir>/server/tls). */
  distro?: Distro;
}

/** The port a kubeconfig's server URL dials (443 when it names none). */
function portOf(url: string | undefined): number | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url.trim()) ? url.trim() : `https://${url.trim()}`);
    return u.port ? Number(u.port) : 443;
  } catch {
    return undefined;
  }
}

/**
 * The apiservers a kubeconfig cluster talks to. `byHost`: its server host is an apiserver's
 * --advertise-address or a name in its serving certificate. Otherwise the apiservers whose serving
 * certificate the cluster's CA trusts (same cluster, reached by a name the cert lacks). Of several that
 * match, the ones nearest to the kubeconfig in the folder tree: two copies of nodes (two clusters, or one
 * cluster before and after a rebuild) often share a node name and an address, and a kubeconfig in one node
 * tree talks to that node's apiserver, not to the other tree's.
 */
export function apiserversOf(q: ClusterQuery, cluster: KubeconfigCluster, kubeconfigFile: string): { byHost: boolean; targets: ApiserverTarget[] } {
  const apis: ApiserverTarget[] = componentUnits(q, 'kube-apiserver').map((unit) => {
    const certRef = flagRef(unit, 'tls-cert-file');
    return { unit, certRef, cert: q.leaf(certRef) };
  });
  // The k3s or RKE2 server of the node tree the kubeconfig is in (its apiserver has no manifest; RKE2's static
  // pod, when the workspace holds it, is already among the components above).
  {
    const port = portOf(cluster.server?.value);
    for (const d of distroApiservers(q, kubeconfigFile)) {
      const certRef = flagRef(d.unit, 'tls-cert-file');
      const found = certRef && q.resolve(certRef)?.found;
      if (apis.some((a) => a.certRef && found && q.resolve(a.certRef)?.found === found)) continue;
      apis.push({ unit: d.unit, certRef, cert: q.leaf(certRef), distro: d.distro, ...(port !== d.port ? { namesUnknown: true as const } : {}) });
    }
  }
  const sh = serverHost(cluster);
  if (!sh || apis.length === 0) return { byHost: false, targets: [] };
  const near = (targets: ApiserverTarget[]) => (targets.length > 1 ? nearestTargets(targets, kubeconfigFile) : targets);
  const byAdvertise = apis.filter((a) => flag(a.unit, 'advertise-address')?.value.trim() === sh.host);
  if (byAdvertise.length) return { byHost: true, targets: near(byAdvertise) };
  const bySan = apis.filter((a) => a.cert && matchesHost(a.cert, sh.host));
  if (bySan.length) return { byHost: true, targets: near(bySan) };
  const caCerts = q.certs(cluster.ca);
  const trusted = apis.filter((a) => a.cert && chainsTo(a.cert, caCerts));
  return { byHost: false, targets: near(trusted) };
}

function nearestTargets(targets: ApiserverTarget[], file: string): ApiserverTarget[] {
  const best = new Set(
    nearest(
      targets.map((t) => t.unit),
      file,
    ),
  );
  return targets.filter((t) => best.has(t.unit));
}

/** Does this component load that kubeconfig (through --kubeconfig and friends)? */
export function componentsLoading(q: ClusterQuery, kubeconfigFile: string): ComponentUnit[] {
  return q.units('component').filter((u) => u.refs.some((r) => r.expect === 'kubeconfig' && q.resolve(r)?.found === kubeconfigFile));
}
