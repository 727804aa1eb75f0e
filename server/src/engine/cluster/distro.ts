// k3s and RKE2: where a server keeps its certificates, which CA signs and verifies each, and which names a server's
// configuration puts in the apiserver's serving certificate. Read from k3s's source: pkg/daemons/control/deps/deps.go
// (CreateRuntimeCertFiles: the files under <data-dir>/server/tls; genClientCerts, genServerCerts,
// genRequestHeaderCerts, genETCDCerts: who signs what) and pkg/cli/server/server.go (the SAN list). RKE2 runs the same
// code with its own data dir (/var/lib/rancher/rke2) and configuration (/etc/rancher/rke2/config.yaml).
import * as path from 'node:path';
import type { ComponentUnit, DistroConfigUnit, Reference, Span } from '../parse';
import type { ClusterQuery } from './query';
import type { AskedName } from './kubeadm';
import { firstIpOfCidr } from './net';
import { isWithin } from '../fs/confined';

export type Distro = 'k3s' | 'rke2';

/** The default --data-dir of each distribution; the server's state is under <data-dir>/server. */
export const DISTRO_DATA_DIRS: Record<Distro, string> = { k3s: '/var/lib/rancher/k3s', rke2: '/var/lib/rancher/rke2' };

/** k3s's default --service-cidr (pkg/cli/cmds/server.go); its first IP is the kubernetes Service's. */
export const DISTRO_DEFAULT_SERVICE_CIDR = '10.43.0.0/16';

/** A certificate file under <data-dir>/server/tls and the CA file (same folder) that signs it and that its peers verify it with. */
export interface DistroCertificate {
  file: string;
  ca: string;
  /** What it is, for messages. */
  title: string;
  /** Who verifies it, and how the handshake fails when the CA does not verify it. */
  consequence: string;
}

const apiserverRejects = 'the apiserver answers 401 Unauthorized to this client (it verifies client certificates with client-ca.crt)';

/**
 * Every leaf deps.go issues, with its CA: client certificates from client-ca (the apiserver's --client-ca-file),
 * the apiserver's serving certificate from server-ca (what every kubeconfig k3s writes trusts), the front proxy's
 * client from request-header-ca (--requestheader-client-ca-file), etcd's from etcd/server-ca and etcd/peer-ca.
 */
export const DISTRO_CERTIFICATES: DistroCertificate[] = [
  ...['client-admin', 'client-supervisor', 'client-controller', 'client-scheduler', 'client-kube-apiserver', 'client-kube-proxy'].map((name) => ({
    file: `${name}.crt`,
    ca: 'client-ca.crt',
    title: `the ${name.slice(7)} client certificate`,
    consequence: apiserverRejects,
  })),
  {
    file: 'serving-kube-apiserver.crt',
    ca: 'server-ca.crt',
    title: "the apiserver's serving certificate",
    consequence: 'clients trusting server-ca.crt (every kubeconfig the server writes) fail with "x509: certificate signed by unknown authority"',
  },
  {
    file: 'client-auth-proxy.crt',
    ca: 'request-header-ca.crt',
    title: "the front proxy's client certificate",
    consequence: 'the apiserver refuses requests proxied to extension apiservers (it verifies them with request-header-ca.crt)',
  },
  {
    file: 'etcd/server-client.crt',
    ca: 'etcd/server-ca.crt',
    title: "etcd's server certificate",
    consequence: 'the apiserver cannot reach etcd ("x509: certificate signed by unknown authority")',
  },
  {
    file: 'etcd/client.crt',
    ca: 'etcd/server-ca.crt',
    title: "the apiserver's etcd client certificate",
    consequence: 'etcd refuses the apiserver\'s connections ("bad certificate")',
  },
  {
    file: 'etcd/peer-server-client.crt',
    ca: 'etcd/peer-ca.crt',
    title: "etcd's peer certificate",
    consequence: 'etcd members refuse each other ("bad certificate")',
  },
];

/** The apiserver's serving certificate and the CAs of a server's tls folder. */
export const DISTRO_TLS = {
  serving: 'serving-kube-apiserver.crt',
  serverCA: 'server-ca.crt',
  clientCA: 'client-ca.crt',
} as const;

/** The data dirs a config's certificates may be under: data-dir, else the distribution's default (both when unknown). */
export function distroDataDirs(unit: DistroConfigUnit): string[] {
  if (unit.dataDir) return [unit.dataDir.value];
  if (unit.distro) return [DISTRO_DATA_DIRS[unit.distro]];
  return [DISTRO_DATA_DIRS.k3s, DISTRO_DATA_DIRS.rke2];
}

/** The node path of a file of <data-dir>/server/tls. */
export function distroTlsPath(dataDir: string, file: string): string {
  return path.posix.join(dataDir, 'server', 'tls', file);
}

/** A reference to a file of the server's tls folder that the config implies (no line names it). */
export function distroTlsRef(unit: DistroConfigUnit, dataDir: string, file: string): Reference {
  const at: Span = unit.dataDir?.span ?? unit.span;
  return {
    file: unit.file,
    span: at,
    field: 'data-dir',
    expect: 'cert',
    source: { kind: 'path', path: distroTlsPath(dataDir, file), baseDir: path.dirname(unit.file) },
  };
}

/**
 * The names the server puts in serving-kube-apiserver.crt from this config (server.go: tls-san; advertise-address,
 * else the first node-external-ip, else the first node-ip; 127.0.0.1, ::1, localhost, the node name and every node-ip;
 * the first IP of service-cidr; deps.go genServerCerts: kubernetes.default.svc.<cluster-domain>), each with the line
 * that asks for it. The names the server adds whatever the config says (localhost, 127.0.0.1, the in-cluster names,
 * and with service-cidr or cluster-domain unset the defaults' names) are asked on the file's first line.
 */
export function distroAskedNames(unit: DistroConfigUnit): AskedName[] {
  const file = unit.file;
  const asked: AskedName[] = [];
  for (const s of unit.tlsSans) asked.push({ name: s.value, file, field: 'tls-san', span: s.span });
  const advertise = unit.advertiseAddress ?? unit.nodeExternalIps[0] ?? unit.nodeIps[0];
  if (advertise && advertise.value !== '0.0.0.0' && advertise.value !== '::') {
    const field = unit.advertiseAddress ? 'advertise-address' : unit.nodeExternalIps[0] ? 'node-external-ip (the advertised address)' : 'node-ip';
    asked.push({ name: advertise.value, file, field, span: advertise.span });
  }
  for (const ip of unit.nodeIps) asked.push({ name: ip.value, file, field: 'node-ip', span: ip.span });
  if (unit.nodeName) asked.push({ name: unit.nodeName.value, file, field: 'node-name', span: unit.nodeName.span });
  if (unit.serviceCidr) {
    const first = firstIpOfCidr(unit.serviceCidr.value);
    if (first) asked.push({ name: first, file, field: 'service-cidr (its first IP, the kubernetes Service)', span: unit.serviceCidr.span });
  }
  if (unit.clusterDomain) {
    asked.push({ name: `kubernetes.default.svc.${unit.clusterDomain.value}`, file, field: 'cluster-domain', span: unit.clusterDomain.span });
  }
  const own = ['localhost', '127.0.0.1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'];
  if (!unit.clusterDomain) own.push('kubernetes.default.svc.cluster.local');
  if (!unit.serviceCidr) own.push(firstIpOfCidr(DISTRO_DEFAULT_SERVICE_CIDR)!);
  for (const name of own) asked.push({ name, file, field: 'the names the server always adds', span: unit.span });
  return asked;
}

/**
 * The port the apiserver itself listens on, serving serving-kube-apiserver.crt. k3s: 6444 on the loopback
 * (APIServerPort, the supervisor's https-listen-port 6443 plus one; the kubeconfigs in server/cred dial it), while
 * 6443 is the supervisor's listener (k3s.yaml dials it), whose certificate dynamiclistener keeps outside the tls
 * folder, signed by the same server-ca.crt with the same names list. RKE2: the apiserver serves 6443 itself (its
 * supervisor is 9345).
 */
export const DISTRO_APISERVER_PORT: Record<Distro, number> = { k3s: 6444, rke2: 6443 };

/** A k3s or RKE2 server whose tls folder the workspace holds, as the apiserver a kubeconfig dials. */
export interface DistroApiserver {
  distro: Distro;
  /** The apiserver as a component: --tls-cert-file and --client-ca-file as the server passes them (server.go). */
  unit: ComponentUnit;
  /** The port its own serving certificate is served on. */
  port: number;
}

const distroUnits = new Map<string, ComponentUnit>();

function servingUnit(found: string, tlsDir: string, nodeTls: string): ComponentUnit {
  const cached = distroUnits.get(found);
  if (cached) return cached;
  const at = { start: 0, end: 0 };
  const ref = (flagName: string, file: string, expect: 'cert' | 'ca'): Reference => ({
    file: found,
    span: at,
    field: `--${flagName}`,
    expect,
    source: { kind: 'path', path: path.posix.join(nodeTls, file), baseDir: tlsDir },
  });
  const unit: ComponentUnit = {
    kind: 'component',
    file: found,
    component: 'kube-apiserver',
    span: at,
    flags: new Map(),
    refs: [ref('tls-cert-file', DISTRO_TLS.serving, 'cert'), ref('client-ca-file', DISTRO_TLS.clientCA, 'ca')],
    unread: true,
  };
  if (distroUnits.size > 1000) distroUnits.clear();
  distroUnits.set(found, unit);
  return unit;
}

/**
 * The k3s or RKE2 server of the node tree a kubeconfig is in: <data-dir>/server/tls/serving-kube-apiserver.crt found
 * from the kubeconfig's folder as a node path (a copy of the node's `/` holding both, --root, a mapping, or the
 * node itself), never another tree's by a like suffix.
 */
export function distroApiservers(q: ClusterQuery, kubeconfigFile: string): DistroApiserver[] {
  const out: DistroApiserver[] = [];
  for (const distro of ['k3s', 'rke2'] as const) {
    const nodeTls = path.posix.join(DISTRO_DATA_DIRS[distro], 'server', 'tls');
    const nodePath = path.posix.join(nodeTls, DISTRO_TLS.serving);
    const probe: Reference = {
      file: kubeconfigFile,
      span: { start: 0, end: 0 },
      field: nodePath,
      expect: 'cert',
      source: { kind: 'path', path: nodePath, baseDir: path.dirname(kubeconfigFile) },
    };
    const found = q.resolve(probe)?.found;
    if (!found || !found.split(path.sep).join('/').endsWith(nodePath)) continue;
    const root = found.slice(0, found.length - nodePath.length) || path.sep;
    const mapped = !!q.options.rootDir || Object.keys(q.options.pathMappings ?? {}).length > 0;
    if (!mapped && !isWithin(root, kubeconfigFile)) continue;
    out.push({ distro, unit: servingUnit(found, path.dirname(found), nodeTls), port: DISTRO_APISERVER_PORT[distro] });
  }
  return out;
}
