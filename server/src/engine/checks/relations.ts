// How files relate: which apiserver a kubeconfig talks to, which etcd an apiserver uses, which
// kubelet trusts which CA. Several node trees may share a workspace, so "the" apiserver of a file
// is the one whose host matches, or else the nearest one in the folder tree.
import * as path from 'node:path';
import { flag, type ComponentUnit, type KubeconfigCluster, type KubeconfigUnit, type KubeconfigUser, type Reference } from '../parse';
import type { Certificate } from '../pki/certificate';
import { matchesHost, verify } from '../pki/verify';
import type { CheckContext } from './context';
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

/** The host a client dials for a URL such as https://[::1]:6443 or 10.0.0.1:2379. */
export function hostOf(url: string): string | undefined {
  const s = url.trim();
  if (!s) return undefined;
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`);
    const h = u.hostname.replace(/^\[|\]$/g, '');
    return h || undefined;
  } catch {
    return undefined;
  }
}

export function componentUnits(ctx: CheckContext, component: ComponentUnit['component']): ComponentUnit[] {
  return ctx.units('component').filter((u) => u.component === component);
}

export function flagRef(unit: ComponentUnit, name: string): Reference | undefined {
  const refs = unit.refs.filter((r) => r.field === `--${name}`);
  return refs[refs.length - 1];
}

/** Does `ca` (a bundle) verify `cert`? Time and EKU are judged by other checks. */
export function chainsTo(cert: Certificate, roots: Certificate[], intermediates: Certificate[] = []): boolean {
  return roots.length > 0 && chainError(cert, roots, intermediates) === undefined;
}

export function chainError(cert: Certificate, roots: Certificate[], intermediates: Certificate[] = []): string | undefined {
  const r = verify(cert, { roots, intermediates, ignoreTime: true, usages: ['any'] });
  return r.ok ? undefined : (r.error?.message ?? 'x509: certificate signed by unknown authority');
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
}

/**
 * The apiservers a kubeconfig cluster talks to. `byHost`: its server host is an apiserver's
 * --advertise-address or a name in its serving certificate. Otherwise the apiservers whose serving
 * certificate the cluster's CA trusts (same cluster, reached by a name the cert lacks).
 */
export function apiserversOf(
  ctx: CheckContext,
  cluster: KubeconfigCluster,
): { byHost: boolean; targets: ApiserverTarget[] } {
  const apis: ApiserverTarget[] = componentUnits(ctx, 'kube-apiserver').map((unit) => {
    const certRef = flagRef(unit, 'tls-cert-file');
    return { unit, certRef, cert: ctx.leaf(certRef) };
  });
  const sh = serverHost(cluster);
  if (!sh || apis.length === 0) return { byHost: false, targets: [] };
  const byAdvertise = apis.filter((a) => flag(a.unit, 'advertise-address')?.value.trim() === sh.host);
  if (byAdvertise.length) return { byHost: true, targets: byAdvertise };
  const bySan = apis.filter((a) => a.cert && matchesHost(a.cert, sh.host));
  if (bySan.length) return { byHost: true, targets: bySan };
  const caCerts = ctx.certs(cluster.ca);
  const trusted = apis.filter((a) => a.cert && chainsTo(a.cert, caCerts));
  return { byHost: false, targets: trusted };
}

/** Does this component load that kubeconfig (through --kubeconfig and friends)? */
export function componentsLoading(ctx: CheckContext, kubeconfigFile: string): ComponentUnit[] {
  return ctx
    .units('component')
    .filter((u) => u.refs.some((r) => r.expect === 'kubeconfig' && ctx.resolve(r)?.found === kubeconfigFile));
}

export function firstIpOfCidr(cidr: string): string | undefined {
  const [addr, bitsText] = cidr.trim().split('/');
  const bits = Number(bitsText);
  if (!addr || !Number.isInteger(bits)) return undefined;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(addr)) {
    const parts = addr.split('.').map(Number);
    if (parts.some((p) => p > 255) || bits < 0 || bits > 32) return undefined;
    let n = ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    n = ((n & mask) >>> 0) + 1;
    return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
  }
  if (addr.includes(':')) {
    const full = expandIpv6(addr);
    if (!full || bits < 0 || bits > 128) return undefined;
    let big = BigInt('0x' + full.join(''));
    const mask = bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
    big = (big & mask) + 1n;
    const hex = big.toString(16).padStart(32, '0');
    const groups = hex.match(/.{4}/g)!.map((g) => g.replace(/^0+(?=.)/, ''));
    return compressIpv6(groups);
  }
  return undefined;
}

function expandIpv6(addr: string): string[] | undefined {
  const halves = addr.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const groups = [...head, ...Array(missing).fill('0'), ...tail];
  if (groups.some((g) => !/^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => g.padStart(4, '0').toLowerCase());
}

function compressIpv6(groups: string[]): string {
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart < 0) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}

/** "CN=kubernetes" for messages. */
export function who(cert: Certificate | undefined): string {
  if (!cert) return 'the certificate';
  return cert.subject.text || '(empty subject)';
}

/** The issuer's name, for messages. */
export function issuerName(cert: Certificate): string {
  return cert.issuer.text || '(empty issuer)';
}

/** The certificates of a CA bundle, each once, for messages: "CN=kubernetes; CN=etcd-ca". */
export function caNames(roots: Certificate[]): string {
  return [...new Set(roots.map(who))].join('; ');
}
