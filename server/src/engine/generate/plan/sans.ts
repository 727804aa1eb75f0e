// The names a planned certificate must carry, from the manifests: the CN its role needs (the node
// name, etcd's --name, the front proxy's --requestheader-allowed-names) and the DNS names and IPs a
// serving certificate must hold (the node name, kubernetes.default.svc.<clusterDomain>, the first
// service IP, --advertise-address, every kubeconfig server: dialling the apiserver, etcd's URLs,
// kubePki.extraSANs), and the names a kubeadm configuration asks of the same certificate (apiServer.certSANs,
// controlPlaneEndpoint, advertiseAddress, etcd's serverCertSANs / peerCertSANs: cluster/kubeadm.ts).
import { isIP } from 'node:net';
import { flag, type ComponentUnit, type KubeconfigCluster } from '../../parse';
import {
  apiserversOf,
  DEFAULT_SERVICE_CIDR,
  firstIpOfCidr,
  hostOf,
  kindCertDnsNames,
  kubeadmCertificates,
  kubeadmFiles,
  nearest,
  serverHost,
  type AskedName,
} from '../../cluster';
import { roleCommonName } from '../profiles';
import type { Planner } from './planner';
import type { LeafSlot } from './slots';
import { nearestComponents } from './signers';

/**
 * The node a file belongs to: etcd's --name, else the kubelet's user (system:node:NAME) in a
 * kubeconfig near it. For the kubelet's own files the kubelet's user comes first: a worker node
 * has no etcd, and the nearest one may be another node's.
 */
function nodeNameNear(planner: Planner, file: string, kubeletFirst = false): string | undefined {
  if (planner.opts.nodeName) return planner.opts.nodeName;
  const fromEtcd = () => {
    for (const e of nearest(
      planner.units('component').filter((u) => u.component === 'etcd'),
      file,
    )) {
      const n = flag(e, 'name')?.value.trim();
      if (n && n !== 'default') return n;
    }
    return undefined;
  };
  const fromKubelet = () => {
    for (const kc of nearest(planner.engine.units('kubeconfig'), file))
      for (const u of kc.users) if (u.name.startsWith('system:node:')) return u.name.slice('system:node:'.length);
    return undefined;
  };
  return kubeletFirst ? (fromKubelet() ?? fromEtcd()) : (fromEtcd() ?? fromKubelet());
}

/**
 * The names kubeadm configurations in the workspace ask of this certificate: those whose certificatesDir (or
 * apiServer.extraArgs tls-cert-file) is where the slot's certificate is.
 */
export function kubeadmAskedNames(planner: Planner, slot: LeafSlot): AskedName[] {
  if (!slot.certPath) return [];
  const out: AskedName[] = [];
  for (const units of kubeadmFiles(planner.engine.units('kubeadm-config'))) {
    for (const c of kubeadmCertificates(units)) {
      if (planner.target(c.ref).path === slot.certPath) out.push(...c.asked);
    }
  }
  return out;
}

/**
 * The names a kind Cluster config in the workspace puts in the apiserver's certificate of this node (cluster/kind.ts:
 * localhost, networking.apiServerAddress, the certSANs of its kubeadmConfigPatches, a patched controlPlaneEndpoint and
 * dnsDomain), when the node is one of that cluster's control planes (kind names them <name>-control-plane,
 * <name>-control-plane2, ...).
 */
function kindAskedNames(planner: Planner, nodeName: string | undefined): string[] {
  if (!nodeName) return [];
  const out: string[] = [];
  for (const k of planner.engine.units('kind-cluster')) {
    const known = kindCertDnsNames(k);
    if (!known || !known.nodePattern.test(nodeName)) continue;
    // The load balancer's name is in the certificate only with several control planes (kind's config.go).
    const several = k.controlPlanes > 1;
    for (const n of known.names) if (several || !n.endsWith('-external-load-balancer')) out.push(n);
  }
  return out;
}

/** The hosts a serving certificate must name, and the CN its role needs. */
export function resolveNeeds(planner: Planner, slot: LeafSlot): void {
  if (slot.distro) {
    // k3s's subjects are its own (system:admin, system:auth-proxy, ...): kept; its serving names from its configuration.
    slot.expectedCN = slot.distro.cn;
    const dns: string[] = [];
    const ips: string[] = [];
    for (const a of slot.distro.names) (isIP(a.name) ? ips : dns).push(a.name);
    slot.needs = { dns, ips };
    return;
  }
  const unit = slot.unit;
  const nodeName = nodeNameNear(planner, unit.file, slot.role === 'kubelet-serving');
  if (slot.role === 'kubelet' && slot.user?.name.startsWith('system:node:')) slot.expectedCN = slot.user.name;
  else slot.expectedCN = roleCommonName(slot.role, nodeName);
  if (unit.kind === 'component' && slot.role === 'etcd-server') {
    const name = flag(unit, 'name')?.value.trim();
    if (name) slot.expectedCN = name;
  }
  if (unit.kind === 'component' && slot.role === 'etcd-peer') {
    const name = flag(unit, 'name')?.value.trim();
    if (name) slot.expectedCN = name;
  }
  if (slot.role === 'front-proxy-client' && unit.kind === 'component') {
    const allowed = flag(unit, 'requestheader-allowed-names')
      ?.value.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (allowed?.length) slot.allowedCNs = allowed;
  }
  const dns: string[] = [];
  const ips: string[] = [];
  const add = (h: string | undefined) => {
    if (!h || h === '0.0.0.0' || h === '::') return;
    if (isIP(h)) ips.push(h);
    else dns.push(h);
  };
  if (unit.kind === 'kubelet-config' && slot.role === 'kubelet-serving') {
    // The node's names and IPs, as the kubelet's serving CSR carries them: its name, and the
    // addresses the workspace knows for it (a control-plane node advertises its apiserver's).
    add(nodeName);
    for (const api of nearestComponents(planner, 'kube-apiserver', unit.file)) {
      if (nodeName && nodeNameNear(planner, api.file) === nodeName) add(flag(api, 'advertise-address')?.value.trim());
    }
    slot.needs = { dns, ips };
    return;
  }
  if (unit.kind !== 'component') return;
  if (slot.role === 'controller-manager-serving' || slot.role === 'scheduler-serving') {
    // Their self-signed default serves localhost and 127.0.0.1; the node name for scrapes from elsewhere.
    add('localhost');
    add('127.0.0.1');
    add(nodeName);
    add(flag(unit, 'bind-address')?.value.trim());
  } else if (slot.role === 'apiserver') {
    add(nodeName);
    // The settings of the config governing the manifest (.kube-pki.yaml), over the engine's.
    const options = planner.engine.optionsFor(unit.file);
    const domain = options.clusterDomain || 'cluster.local';
    for (const n of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${domain}`]) add(n);
    const range = flag(unit, 'service-cluster-ip-range');
    if (range?.value.trim()) add(firstIpOfCidr(range.value.split(',')[0]));
    else if (!unit.unread) add(firstIpOfCidr(DEFAULT_SERVICE_CIDR));
    add(flag(unit, 'advertise-address')?.value.trim());
    for (const kc of planner.engine.units('kubeconfig')) {
      for (const cluster of kc.clusters) {
        if (cluster.insecure) continue;
        const sh = serverHost(cluster);
        if (sh && clusterDials(planner, kc.file, cluster, unit, slot)) add(sh.host);
      }
    }
    for (const s of planner.opts.extraSANs ?? options.extraSANs ?? []) add(s.trim());
    for (const a of kubeadmAskedNames(planner, slot)) add(a.name);
    for (const n of kindAskedNames(planner, nodeName)) add(n);
  } else if (slot.role === 'etcd-server' || slot.role === 'etcd-peer') {
    for (const a of kubeadmAskedNames(planner, slot)) add(a.name);
    add(slot.expectedCN);
    add('localhost');
    add('127.0.0.1');
    add('::1');
    const urlFlags =
      slot.role === 'etcd-server' ? ['advertise-client-urls', 'listen-client-urls'] : ['initial-advertise-peer-urls', 'listen-peer-urls'];
    for (const name of urlFlags) for (const u of (flag(unit, name)?.value ?? '').split(',')) add(hostOf(u));
    if (slot.role === 'etcd-server') {
      for (const api of planner.units('component').filter((a) => a.component === 'kube-apiserver')) {
        if (
          !nearest(
            planner.units('component').filter((e) => e.component === 'etcd'),
            api.file,
          ).includes(unit)
        )
          continue;
        for (const u of (flag(api, 'etcd-servers')?.value ?? '').split(',')) add(hostOf(u));
      }
    }
  }
  slot.needs = { dns, ips };
}

/** Does this kubeconfig cluster dial this apiserver? By host, else by sharing its CA. */
function clusterDials(planner: Planner, kubeconfigFile: string, cluster: KubeconfigCluster, api: ComponentUnit, slot: LeafSlot): boolean {
  const { byHost, targets } = apiserversOf(planner.cluster, cluster, kubeconfigFile);
  if (targets.some((t) => t.unit === api)) return true;
  if (byHost) return false;
  // No serving certificate to match yet (missing): a cluster whose CA is the one that will sign it.
  const signer = slot.signer;
  if (!signer) return false;
  if (cluster.ca?.source.kind === 'path' && planner.target(cluster.ca).path === signer.certPath) {
    return apiserversNear(planner, kubeconfigFile, api);
  }
  const caCert = planner.material(cluster.ca)?.certs[0];
  return !!caCert && !!signer.cert && caCert.sha256 === signer.cert.sha256 && apiserversNear(planner, kubeconfigFile, api);
}

/** With several apiservers sharing one CA, a kubeconfig counts for the ones nearest to it. */
function apiserversNear(planner: Planner, kubeconfigFile: string, api: ComponentUnit): boolean {
  return nearest(
    planner.units('component').filter((u) => u.component === 'kube-apiserver'),
    kubeconfigFile,
  ).includes(api);
}
