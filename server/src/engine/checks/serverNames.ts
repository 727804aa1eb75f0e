// san-missing: a serving certificate must name every host its clients dial, by Go's rules (SANs
// only, never the CN; IPs only against IP SANs; a wildcard covers one label). Reported on the
// serving certificate's reference and, for a kubeconfig, on the `server:` line that dials it. Each
// related note points at a line that dials (or advertises) the host; the in-cluster names of the API
// are dialled by pods, through the kubernetes Service, from no line of the workspace.
import * as path from 'node:path';
import { flag, type ComponentUnit, type KubeletConfigUnit, type Reference, type Span } from '../parse';
import type { Certificate } from '../pki/certificate';
import { describeNames, hostMismatchMessage, matchesHost } from '../pki/verify';
import type { CheckContext } from './context';
import {
  DISTRO_TLS,
  apiserversOf,
  type ApiserverTarget,
  componentUnits,
  DEFAULT_SERVICE_CIDR,
  firstIpOfCidr,
  flagRef,
  hostOf,
  nearest,
  serverHost,
  who,
} from '../cluster';
import { defaultOptions, type RelatedLocation } from '../types';

interface Need {
  host: string;
  why: string;
  file: string;
  /** The line that dials or advertises the host, and what to say there; absent when no line of the workspace does. */
  at?: { span: Span; note: string };
}

function reportMissing(ctx: CheckContext, ref: Reference, cert: Certificate, role: string, needs: Need[]): void {
  const missing: Need[] = [];
  const seen = new Set<string>();
  for (const n of needs) {
    if (seen.has(n.host)) continue;
    seen.add(n.host);
    if (!matchesHost(cert, n.host)) missing.push(n);
  }
  if (missing.length === 0) return;
  const list = missing.map((m) => `${m.host} (${m.why})`).join(', ');
  // Every line that dials a missing host (several kubeconfigs may dial one), once each.
  const lacking = new Set(missing.map((m) => m.host));
  const places = new Set<string>();
  const related: RelatedLocation[] = [];
  for (const n of needs) {
    if (!lacking.has(n.host) || !n.at) continue;
    const key = `${n.file}\0${n.at.span.start}\0${n.host}`;
    if (places.has(key)) continue;
    places.add(key);
    related.push(ctx.related(n.file, n.at.span, n.at.note));
  }
  ctx.report(
    'san-missing',
    ref.span,
    `${who(cert)} is ${role} but lacks ${missing.length === 1 ? 'a name' : 'names'} its clients dial: ${list}. Clients fail with "${hostMismatchMessage(cert, missing[0].host)}". It is valid for ${describeNames(cert)}.`,
    related,
  );
}

function apiserverNeeds(ctx: CheckContext, api: ComponentUnit, _cert: Certificate): Need[] {
  const needs: Need[] = [];
  const here = (host: string, why: string, at?: Need['at']): Need => ({ host, why, file: api.file, ...(at ? { at } : {}) });
  // The names kube-apiserver signs into the certificate it makes for itself (cmd/kube-apiserver's
  // MaybeDefaultWithSelfSignedCerts: "kubernetes.default.svc", "kubernetes.default", "kubernetes"; "It would
  // be nice to set a fqdn subject alt name, but only the kubelets know, the apiserver is clueless"). Pods'
  // in-cluster clients dial the Service's IP (rest.InClusterConfig), so the cluster-domain name is demanded
  // only when a cluster domain was configured for kube-pki (the default, cluster.local, is an assumption,
  // and a certificate without kubernetes.default.svc.cluster.local, Kubernetes The Hard Way's, fails no one).
  const names = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc'];
  const domain = ctx.options.clusterDomain;
  if (domain && domain !== defaultOptions.clusterDomain) names.push(`kubernetes.default.svc.${domain}`);
  for (const name of names) needs.push(here(name, 'the in-cluster name of the API'));
  const range = flag(api, 'service-cluster-ip-range');
  const first = range ? firstIpOfCidr(range.value.split(',')[0]) : undefined;
  if (range && first) {
    needs.push(
      here(first, 'first IP of --service-cluster-ip-range: the kubernetes Service', {
        span: range.span,
        note: `${first}, the kubernetes Service's IP (the first of --service-cluster-ip-range), which pods dial`,
      }),
    );
  } else if ((!range || !range.value.trim()) && !api.unread) {
    // Unset: the apiserver takes its default range, and the kubernetes Service gets its first IP. (With
    // arguments the file does not show, the flag may be set there: nothing is assumed.)
    needs.push(
      here(
        firstIpOfCidr(DEFAULT_SERVICE_CIDR)!,
        `the kubernetes Service: --service-cluster-ip-range is unset, so kube-apiserver uses its default ${DEFAULT_SERVICE_CIDR}`,
      ),
    );
  }
  const adv = flag(api, 'advertise-address');
  if (adv && adv.value.trim() && adv.value.trim() !== '0.0.0.0' && adv.value.trim() !== '::') {
    needs.push(
      here(adv.value.trim(), '--advertise-address', { span: adv.span, note: `${adv.value.trim()} is advertised here (--advertise-address)` }),
    );
  }
  for (const kc of ctx.units('kubeconfig')) {
    for (const cluster of kc.clusters) {
      if (cluster.insecure) continue;
      const sh = serverHost(cluster);
      if (!sh) continue;
      if (!apiserversOf(ctx, cluster, kc.file).targets.some((t) => t.unit === api)) continue;
      const span = sh.viaTlsServerName ? cluster.tlsServerName!.span : cluster.server!.span;
      const why = `${path.basename(kc.file)} ${sh.viaTlsServerName ? 'tls-server-name' : 'server'}`;
      needs.push({ host: sh.host, why, file: kc.file, at: { span, note: `${sh.host} is dialled here (${why})` } });
    }
  }
  return needs;
}

function urlHosts(unit: ComponentUnit, name: string): { host: string; span: Span }[] {
  const f = flag(unit, name);
  if (!f) return [];
  return f.value
    .split(',')
    .map((u) => hostOf(u))
    .filter((h): h is string => !!h && h !== '0.0.0.0' && h !== '::')
    .map((host) => ({ host, span: f.span }));
}

function etcdServerNeeds(ctx: CheckContext, etcd: ComponentUnit): Need[] {
  const needs: Need[] = [];
  for (const api of componentUnits(ctx, 'kube-apiserver')) {
    if (!nearest(componentUnits(ctx, 'etcd'), api.file).includes(etcd)) continue;
    for (const h of urlHosts(api, 'etcd-servers')) {
      needs.push({
        host: h.host,
        why: `kube-apiserver --etcd-servers`,
        file: api.file,
        at: { span: h.span, note: `${h.host} is dialled here (kube-apiserver --etcd-servers)` },
      });
    }
  }
  for (const h of urlHosts(etcd, 'advertise-client-urls')) {
    needs.push({
      host: h.host,
      why: '--advertise-client-urls',
      file: etcd.file,
      at: { span: h.span, note: `${h.host} is advertised to clients here (--advertise-client-urls)` },
    });
  }
  return needs;
}

/** How to add a name to the apiserver's certificate: kubeadm's certSANs, or k3s's and RKE2's tls-san. */
function addName(distro: ApiserverTarget['distro']): string {
  if (!distro) return "add it to the certificate's SANs (kubeadm: apiServer.certSANs)";
  return `add it to tls-san in /etc/rancher/${distro}/config.yaml and restart ${distro === 'rke2' ? 'rke2-server' : 'k3s'} (it re-issues the certificate when a configured name is missing)`;
}

export function serverNames(ctx: CheckContext): void {
  for (const unit of ctx.unitsHere('component')) {
    if (unit.component === 'kube-apiserver') {
      const ref = flagRef(unit, 'tls-cert-file');
      const cert = ctx.leaf(ref);
      if (ref && cert) reportMissing(ctx, ref, cert, "kube-apiserver's serving certificate", apiserverNeeds(ctx, unit, cert));
    }
    if (unit.component === 'etcd') {
      const ref = flagRef(unit, 'cert-file');
      const cert = ctx.leaf(ref);
      if (ref && cert) reportMissing(ctx, ref, cert, "etcd's server certificate", etcdServerNeeds(ctx, unit));
      const peerRef = flagRef(unit, 'peer-cert-file');
      const peer = ctx.leaf(peerRef);
      if (peerRef && peer) {
        const needs = urlHosts(unit, 'initial-advertise-peer-urls').map((h) => ({
          host: h.host,
          why: '--initial-advertise-peer-urls',
          file: unit.file,
          at: { span: h.span, note: `${h.host} is advertised to peers here (--initial-advertise-peer-urls)` },
        }));
        reportMissing(ctx, peerRef, peer, "etcd's peer certificate", needs);
      }
    }
  }
  for (const kubelet of ctx.unitsHere('kubelet-config')) kubeletServingNames(ctx, kubelet);
  for (const kc of ctx.unitsHere('kubeconfig')) {
    for (const cluster of kc.clusters) {
      if (cluster.insecure) continue;
      const sh = serverHost(cluster);
      if (!sh) continue;
      const lacking = apiserversOf(ctx, cluster, kc.file).targets.filter((t) => t.cert && !t.namesUnknown && !matchesHost(t.cert, sh.host));
      if (lacking.length === 0) continue;
      const cert = lacking[0].cert!;
      const span = sh.viaTlsServerName ? cluster.tlsServerName!.span : cluster.server!.span;
      ctx.report(
        'san-missing',
        span,
        `kubectl will fail: ${hostMismatchMessage(cert, sh.host)}. The apiserver's serving certificate (${who(cert)}) does not name ${sh.host}; ${addName(lacking[0].distro)} or dial a name it has.`,
        lacking.map((t) =>
          ctx.related(
            t.certRef!.file,
            t.certRef!.span,
            `${t.distro ? `${t.distro}'s ${DISTRO_TLS.serving}` : '--tls-cert-file'}: valid for ${describeNames(t.cert!)}`,
          ),
        ),
      );
    }
  }
}

/**
 * The kubelet's serving certificate (tlsCertFile of its KubeletConfiguration) against the name the apiserver
 * dials it at, when the apiserver verifies kubelets (--kubelet-certificate-authority). The apiserver picks the
 * node's first address of --kubelet-preferred-address-types, Hostname first by default
 * (pkg/kubeapiserver/options: Hostname, InternalDNS, InternalIP, ExternalDNS, ExternalIP); the kubelet reports
 * its hostname, --hostname-override or the node name its client certificate carries (system:node:<name>, which
 * the Node authorizer requires to be the node's, when the kubeconfig's user has that name too). Only when the kubelet's unit names this config (--config) and
 * its kubeconfig (--kubeconfig) or --hostname-override tells the name; otherwise nothing is assumed.
 */
function kubeletServingNames(ctx: CheckContext, kubelet: KubeletConfigUnit): void {
  const cert = ctx.leaf(kubelet.tlsCert);
  if (!kubelet.tlsCert || !cert) return;
  const apis = nearest(componentUnits(ctx, 'kube-apiserver'), kubelet.file).filter((api) => {
    if (api.unread || !flagRef(api, 'kubelet-certificate-authority')) return false;
    const types = flag(api, 'kubelet-preferred-address-types')?.value.trim();
    return !types || types.split(',')[0].trim() === 'Hostname';
  });
  if (apis.length === 0) return;
  for (const unit of ctx.units('kubelet-flags')) {
    const config = unit.refs.find((r) => r.field === '--config');
    if (!config || ctx.resolve(config)?.found !== kubelet.file || unit.tlsCert) continue;
    const override = unit.flags.get('hostname-override')?.at(-1);
    let host: string | undefined;
    let at: RelatedLocation | undefined;
    if (override) {
      host = override.value.trim().toLowerCase();
      at = ctx.related(unit.file, override.span, `--hostname-override: the node's Hostname address is ${host}`);
    } else {
      const kubeconfig = unit.refs.find((r) => r.field === '--kubeconfig');
      const names = new Set<string>();
      for (const kc of kubeconfig ? ctx.kubeconfigOf(kubeconfig) : []) {
        for (const user of kc.users) {
          const cn = ctx.leaf(user.cert)?.subject.commonName;
          // Only where the user's name agrees: a certificate of another node is cn-mismatch, and tells no name.
          if (cn?.startsWith('system:node:') && cn === user.name && user.cert) {
            names.add(cn.slice('system:node:'.length));
            at ??= ctx.related(user.cert.file, user.cert.span, `the kubelet's client certificate: ${cn}, the node's name`);
          }
        }
      }
      if (names.size === 1) host = [...names][0];
    }
    if (!host || !at || matchesHost(cert, host)) continue;
    const api = apis[0];
    ctx.report(
      'san-missing',
      kubelet.tlsCert.span,
      `${who(cert)} is the kubelet's serving certificate but lacks the node's name ${host}, which the apiserver dials (--kubelet-preferred-address-types: Hostname first) and verifies with --kubelet-certificate-authority: kubectl logs, exec and port-forward on this node fail with "${hostMismatchMessage(cert, host)}". It is valid for ${describeNames(cert)}.`,
      [at, ctx.related(api.file, flagRef(api, 'kubelet-certificate-authority')!.span, 'the apiserver verifies kubelets here')],
    );
    return;
  }
}
