// What a kubeadm configuration asks of the certificates kubeadm issues from it: where each certificate is
// (certificatesDir, default /etc/kubernetes/pki; apiServer.extraArgs tls-cert-file replaces the apiserver's) and
// which names kubeadm puts in it (cmd/kubeadm/app/util/pkiutil/pki_helpers.go: GetAPIServerAltNames takes the node
// name, kubernetes.default.svc.<dnsDomain>, the first IP of the service subnet, the advertise address, the
// controlPlaneEndpoint host and apiServer.certSANs; GetEtcdAltNames / GetEtcdPeerAltNames add
// etcd.local.serverCertSANs / peerCertSANs). Shared by the check (checks/kubeadmConfig.ts) and generation
// (generate/plan/sans.ts).
import * as path from 'node:path';
import type { ComponentUnit, Flag, KubeadmConfigUnit, Reference, Span, SpannedValue } from '../parse';
import { componentUnit } from '../parse/manifest';
import { cas, certificate, certificates, components, flagsOf, serviceAccountKeyFiles, type CertificateName, type Component } from './catalog';
import { firstIpOfCidr, hostOf } from './net';
import type { Certificate } from '../pki/certificate';
import { matchesHost } from '../pki/verify';

export const KUBEADM_CERTIFICATES_DIR = '/etc/kubernetes/pki';

/** A name the config asks for, and the line that asks. */
export interface AskedName {
  name: string;
  /** The config file that asks. */
  file: string;
  /** The field, for messages: 'apiServer.certSANs'. */
  field: string;
  span: Span;
}

/** One certificate kubeadm issues from the config, with the names the config asks it to hold. */
export interface KubeadmCertificate {
  /** kubeadm's phase name: `kubeadm init phase certs <phase>`. */
  phase: 'apiserver' | 'etcd-server' | 'etcd-peer';
  /** Where the certificate is on the node (absolute). */
  path: string;
  /** A reference to it the config implies (no line names the file; the span is certificatesDir's or the kind's). */
  ref: Reference;
  asked: AskedName[];
}

/** Whether the certificate holds an asked name as the tool writes it: a wildcard name is a DNS SAN written as is. */
export function holdsAskedName(cert: Certificate, name: string): boolean {
  if (name.startsWith('*.')) return cert.dnsNames.some((d) => d.toLowerCase() === name.toLowerCase());
  return matchesHost(cert, name);
}

const usable = (v: SpannedValue | undefined): v is SpannedValue => !!v && v.value !== '0.0.0.0' && v.value !== '::';

/** kubeadm's file of a certificate, below certificatesDir ('etcd/server.crt'), as the catalog names it. */
const kubeadmCrt = (name: KubeadmCertificate['phase']): string => `${certificates[name].kubeadm.file}.crt`;

/** The kubeadm documents of one file, taken together as kubeadm takes them (`--config` with several documents). */
export function kubeadmCertificates(units: KubeadmConfigUnit[]): KubeadmCertificate[] {
  if (units.length === 0) return [];
  const file = units[0].file;
  const cluster = units.find((u) => u.objectKind === 'ClusterConfiguration');
  const dir = cluster?.certificatesDir?.value ?? KUBEADM_CERTIFICATES_DIR;
  const anchor = cluster?.certificatesDir?.span ?? (cluster ?? units[0]).span;
  const implied = (p: string, span: Span, field: string): Reference => ({
    file,
    span,
    field,
    expect: 'cert',
    source: { kind: 'path', path: p, baseDir: path.dirname(file) },
  });
  const out: KubeadmCertificate[] = [];

  const asked: AskedName[] = [];
  if (cluster) {
    for (const s of cluster.certSANs) asked.push({ name: s.value, file, field: 'apiServer.certSANs', span: s.span });
    const cpe = cluster.controlPlaneEndpoint;
    const host = cpe ? hostOf(cpe.value) : undefined;
    if (cpe && host) asked.push({ name: host, file, field: 'controlPlaneEndpoint', span: cpe.span });
    const subnet = cluster.serviceSubnet;
    const first = subnet ? firstIpOfCidr(subnet.value.split(',')[0]) : undefined;
    if (subnet && first)
      asked.push({ name: first, file, field: 'networking.serviceSubnet (its first IP, the kubernetes Service)', span: subnet.span });
    if (cluster.dnsDomain)
      asked.push({ name: `kubernetes.default.svc.${cluster.dnsDomain.value}`, file, field: 'networking.dnsDomain', span: cluster.dnsDomain.span });
  }
  for (const u of units) {
    if (u.objectKind === 'ClusterConfiguration') continue;
    // A JoinConfiguration without a control plane's localAPIEndpoint joins a worker: no apiserver of its own.
    if (u.objectKind === 'JoinConfiguration' && !u.advertiseAddress) continue;
    if (usable(u.advertiseAddress))
      asked.push({ name: u.advertiseAddress.value, file, field: 'localAPIEndpoint.advertiseAddress', span: u.advertiseAddress.span });
    if (u.nodeName) asked.push({ name: u.nodeName.value, file, field: 'nodeRegistration.name', span: u.nodeName.span });
  }
  if (asked.length) {
    const tls = cluster?.apiServerExtraArgs.get('tls-cert-file');
    const p = tls?.value ?? path.posix.join(dir, kubeadmCrt('apiserver'));
    out.push({ phase: 'apiserver', path: p, ref: implied(p, tls?.span ?? anchor, tls ? '--tls-cert-file' : 'certificatesDir'), asked });
  }
  if (cluster && !cluster.etcdExternal) {
    const etcd: Array<[SpannedValue[], string, string, KubeadmCertificate['phase']]> = [
      [cluster.etcdServerCertSANs, 'etcd.local.serverCertSANs', kubeadmCrt('etcd-server'), 'etcd-server'],
      [cluster.etcdPeerCertSANs, 'etcd.local.peerCertSANs', kubeadmCrt('etcd-peer'), 'etcd-peer'],
    ];
    for (const [sans, field, rel, phase] of etcd) {
      if (!sans.length) continue;
      const p = path.posix.join(dir, rel);
      out.push({
        phase,
        path: p,
        ref: implied(p, anchor, 'certificatesDir'),
        asked: sans.map((s) => ({ name: s.value, file, field, span: s.span })),
      });
    }
  }
  return out;
}

/** The kubeadm-config units of each file. */
export function kubeadmFiles(units: KubeadmConfigUnit[]): KubeadmConfigUnit[][] {
  const byFile = new Map<string, KubeadmConfigUnit[]>();
  for (const u of units) {
    const list = byFile.get(u.file);
    if (list) list.push(u);
    else byFile.set(u.file, [u]);
  }
  return [...byFile.values()];
}

/** Where kubeadm writes the control plane's static pods (cmd/kubeadm/app/constants: KubernetesDir/manifests). */
export const KUBEADM_MANIFESTS_DIR = '/etc/kubernetes/manifests';

/**
 * The file flags kubeadm puts on a component's command line, derived from the catalog (cmd/kubeadm/app/phases/
 * controlplane/manifests.go getAPIServerCommand, getControllerManagerCommand; phases/etcd/local.go getEtcdCommand): a
 * certificate flag names <certificatesDir>/<kubeadm's file>.crt and its key flag the .key beside it; a CA flag names
 * its kubeadm CA's .crt (and its key flag, cluster-signing-key-file, the CA's .key). Flags of a CA kubeadm does not make
 * (--kubelet-certificate-authority) are not set.
 */
export function kubeadmFileFlags(component: Component, dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, spec] of flagsOf(component)) {
    const base = spec.certificate ? certificate(spec.certificate).kubeadm?.file : spec.ca ? cas[spec.ca].kubeadm && cas[spec.ca].file : undefined;
    if (!base) continue;
    out.set(name, path.posix.join(dir, `${base}.crt`));
    if (spec.key) out.set(spec.key, path.posix.join(dir, `${base}.key`));
  }
  return out;
}

/**
 * Every file kubeadm writes on a control-plane node: its certificates and keys under certificatesDir, the service
 * account key pair, and its kubeconfigs in /etc/kubernetes. `kubeadm init` makes whichever is missing, so a flag
 * naming one that is not there yet is no error.
 */
export function kubeadmWrittenFiles(dir: string): Set<string> {
  const out = new Set<string>([path.posix.join(dir, serviceAccountKeyFiles.key), path.posix.join(dir, serviceAccountKeyFiles.pub)]);
  for (const c of Object.keys(components) as Component[]) for (const p of kubeadmFileFlags(c, dir).values()) out.add(p);
  for (const name of Object.keys(certificates) as CertificateName[]) {
    const spec = certificate(name);
    if (spec.kubeadm) {
      out.add(path.posix.join(dir, `${spec.kubeadm.file}.crt`));
      out.add(path.posix.join(dir, `${spec.kubeadm.file}.key`));
    }
    if (spec.kubeconfig?.kubeadm) out.add(path.posix.join('/etc/kubernetes', spec.kubeconfig.files[0]));
  }
  return out;
}

/** What a kubeadm config's extraArgs make of a component kubeadm runs as a static pod. */
export interface KubeadmLaunch {
  component: Component;
  /** The static pod kubeadm writes for it: when the workspace holds it, that is what runs (and is judged). */
  manifest: Reference;
  /**
   * The component as kubeadm starts it, as far as files go: kubeadm's file flags (kubeadmFileFlags; their spans the
   * kind's, as no line of the config sets them, or the extraArgs value of their pair's other half) with the extraArgs
   * over them (their spans the values'). Not read whole
   * (`unread`): kubeadm sets other flags too.
   */
  unit: ComponentUnit;
  /** The extraArgs values, where findings about the component go. */
  spans: Span[];
}

/** The components whose extraArgs a ClusterConfiguration of `units` sets (cmd/kubeadm/app/util/args.go: the last value of a name wins). */
export function kubeadmLaunches(units: KubeadmConfigUnit[]): KubeadmLaunch[] {
  const cluster = units.find((u) => u.objectKind === 'ClusterConfiguration');
  if (!cluster) return [];
  const dir = cluster.certificatesDir?.value ?? KUBEADM_CERTIFICATES_DIR;
  const out: KubeadmLaunch[] = [];
  for (const component of Object.keys(components) as Component[]) {
    const args = cluster.extraArgs[component];
    if (!args?.size) continue;
    const flags = new Map<string, Flag[]>();
    // kubeadm's file of a pair whose other half extraArgs replaces stands on that extraArgs line: a certificate and a
    // key that no longer pair up are fixed there.
    const partners = new Map<string, string>();
    for (const [name, spec] of flagsOf(component)) {
      if (!spec.key) continue;
      partners.set(name, spec.key);
      partners.set(spec.key, name);
    }
    for (const [name, p] of kubeadmFileFlags(component, dir)) {
      if (args.has(name)) continue;
      const span = args.get(partners.get(name) ?? '')?.span ?? cluster.span;
      flags.set(name, [{ name, value: p, span, flagSpan: span }]);
    }
    for (const [name, v] of args) flags.set(name, [{ name, value: v.value, span: v.span, flagSpan: v.span }]);
    const unit = componentUnit(cluster.file, component, cluster.span, flags);
    unit.unread = true;
    const manifestPath = path.posix.join(KUBEADM_MANIFESTS_DIR, `${component}.yaml`);
    out.push({
      component,
      manifest: {
        file: cluster.file,
        span: cluster.span,
        field: 'the static pod',
        expect: 'kubelet-config',
        source: { kind: 'path', path: manifestPath, baseDir: path.dirname(cluster.file) },
      },
      unit,
      spans: [...args.values()].map((v) => v.span),
    });
  }
  return out;
}
