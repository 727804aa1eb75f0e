// The full kubeadm set for a new control-plane node, made on request (kube-pki new-control-plane,
// the editor's "Generate Control-Plane Certificates…"): the three CAs (or the existing ones under
// the node's root), the apiserver's, etcd's and front proxy's certificates, the service account
// pair and the five kubeconfigs, as kubeadm init writes them. It is a plan like the workspace's, so
// previews, execution and writing are the same.
import * as path from 'node:path';
import { isIP } from 'node:net';
import type { FileSystem } from '../../types';
import { firstIpOfCidr, serviceAccountKeyFiles } from '../../cluster';
import type { KeyType } from '../keys';
import {
  caProfiles,
  DEFAULT_CA_DAYS,
  DEFAULT_CERT_DAYS,
  DEFAULT_KEY_TYPE,
  leafProfiles,
  roleCommonName,
  type CaFamily,
  type CertSpec,
  type LeafRole,
} from '../profiles';
import type { GenerationPlan, PlanAction, PlanOutput, Signer, SkippedItem } from '../types';
import { exists } from './paths';
import { caSpec, leafSpec } from './specs';
import { inPlanOrder } from './planner';

export interface ControlPlaneOptions {
  /** The folder standing for the node's '/': files go to <root>/etc/kubernetes/... */
  root: string;
  nodeName: string;
  advertiseAddress: string;
  bindPort?: number;
  /** default 10.96.0.0/12 (kubeadm) */
  serviceCidr?: string;
  /** default cluster.local */
  clusterDomain?: string;
  /** host[:port] or URL used by admin.conf, super-admin.conf and kubelet.conf (default the advertise address). */
  controlPlaneEndpoint?: string;
  extraSANs?: string[];
  keyType?: KeyType;
  days?: number;
  caDays?: number;
  /** Use the CAs already under <root>/etc/kubernetes/pki (a node joining a cluster); default true. */
  reuseCAs?: boolean;
  /** Permission to replace existing leaf files (CAs are never replaced). */
  replace?: boolean;
}

/**
 * kubeadm init's certificates and kubeconfigs for one control-plane node: the three CAs (or the
 * existing ones), apiserver, apiserver-kubelet-client, front-proxy-client, apiserver-etcd-client,
 * etcd server/peer/healthcheck-client, the service account key pair, and admin.conf,
 * super-admin.conf, controller-manager.conf, scheduler.conf and kubelet.conf.
 */
export function planControlPlane(fs: FileSystem, o: ControlPlaneOptions): GenerationPlan {
  const ek = path.join(o.root, 'etc', 'kubernetes');
  const pki = path.join(ek, 'pki');
  const keyType = o.keyType ?? DEFAULT_KEY_TYPE;
  const days = o.days ?? DEFAULT_CERT_DAYS;
  const caDays = o.caDays ?? DEFAULT_CA_DAYS;
  const port = o.bindPort ?? 6443;
  const domain = o.clusterDomain ?? 'cluster.local';
  const actions: PlanAction[] = [];
  const skipped: SkippedItem[] = [];
  const replaceOk = !!o.replace;
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const localEndpoint = `https://${bracket(o.advertiseAddress)}:${port}`;
  let cpe = localEndpoint;
  let cpeHost: string | undefined;
  if (o.controlPlaneEndpoint) {
    const raw = /^[a-z]+:\/\//i.test(o.controlPlaneEndpoint) ? o.controlPlaneEndpoint : `https://${o.controlPlaneEndpoint}`;
    const u = new URL(raw);
    cpeHost = u.hostname.replace(/^\[|\]$/g, '');
    cpe = `https://${bracket(cpeHost)}:${u.port || port}`;
  }

  const signers = new Map<CaFamily, Signer>();
  for (const family of ['ca', 'front-proxy-ca', 'etcd-ca'] as CaFamily[]) {
    const prof = caProfiles[family];
    const certPath = path.join(pki, `${prof.file}.crt`);
    const keyPath = path.join(pki, `${prof.file}.key`);
    const hasCert = exists(fs, certPath);
    const hasKey = exists(fs, keyPath);
    if (hasCert && hasKey && o.reuseCAs !== false) {
      signers.set(family, { kind: 'file', certPath, keyPath, name: prof.commonName });
      continue;
    }
    if (hasCert || hasKey) {
      skipped.push({
        title: prof.title,
        paths: [certPath, keyPath],
        reason:
          hasCert && hasKey
            ? 'exists (reuse was turned off): a CA is never replaced'
            : `only ${hasCert ? 'the certificate' : 'the key'} exists: restore the other half (a CA key is never regenerated)`,
      });
      continue;
    }
    const id = `ca:${certPath}`;
    actions.push({
      id,
      kind: 'ca',
      family,
      title: `${prof.title} (${path.basename(certPath)})`,
      reason: 'new control-plane node',
      effect: 'create',
      fixes: [],
      spec: caSpec(prof.commonName, caDays),
      key: { kind: 'new', type: keyType },
      signer: { kind: 'self' },
      outputs: [
        { kind: 'cert', path: certPath, replace: false },
        { kind: 'key', path: keyPath, replace: false },
      ],
    });
    signers.set(family, { kind: 'action', actionId: id, name: prof.commonName });
  }

  const out = (p: string, _kind: 'cert' | 'key' | 'kubeconfig'): { path: string; replace: boolean } | undefined => {
    const e = exists(fs, p);
    if (e && !replaceOk) return undefined;
    return { path: p, replace: e };
  };
  const push = (id: string, role: LeafRole, title: string, spec: CertSpec, outputs: (PlanOutput | undefined)[], paths: string[]) => {
    const signer = signers.get(leafProfiles[role].signer);
    if (!signer) {
      skipped.push({ title, paths, reason: `its CA (${caProfiles[leafProfiles[role].signer].title}) is not available` });
      return;
    }
    if (outputs.some((x) => !x)) {
      skipped.push({
        title,
        paths,
        reason: `${paths.filter((p) => exists(fs, p)).join(', ')} exist(s): replacing needs permission`,
        needsReplace: true,
      });
      return;
    }
    const list = outputs as PlanOutput[];
    actions.push({
      id,
      kind: list[0].kind === 'kubeconfig' ? 'kubeconfig' : 'cert',
      role,
      title,
      reason: 'new control-plane node',
      effect: list.some((x) => 'replace' in x && x.replace) ? 'replace' : 'create',
      fixes: [],
      spec,
      key: { kind: 'new', type: keyType },
      signer,
      outputs: list,
    });
  };
  // Each certificate's subject and file are the catalog's (leafProfiles): the CN (the node name's, for roles named
  // after it), the O values, kubeadm's file below pki/ or its kubeconfig below /etc/kubernetes.
  const cn = (role: LeafRole) => roleCommonName(role, o.nodeName) ?? o.nodeName;
  const subject = (role: LeafRole, dns: string[] = [], ips: string[] = []): CertSpec =>
    leafSpec(role, cn(role), [...leafProfiles[role].organizations], dns, ips, days);
  const pair = (role: LeafRole, spec: CertSpec) => {
    const file = leafProfiles[role].file!;
    const certPath = path.join(pki, `${file}.crt`);
    const keyPath = path.join(pki, `${file}.key`);
    const c = out(certPath, 'cert');
    const k = out(keyPath, 'key');
    push(
      `leaf:${certPath}`,
      role,
      `${leafProfiles[role].title} (${file}.crt)`,
      spec,
      [c && { kind: 'cert', ...c }, k && { kind: 'key', ...k }],
      [certPath, keyPath],
    );
  };

  const svcIp = firstIpOfCidr((o.serviceCidr ?? '10.96.0.0/12').split(',')[0]);
  const apiDns = [o.nodeName, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${domain}`];
  const apiIps = [svcIp ?? '10.96.0.1', o.advertiseAddress];
  const addHost = (h: string, dns: string[], ips: string[]) => (isIP(h) ? ips.push(h) : dns.push(h));
  if (cpeHost) addHost(cpeHost, apiDns, apiIps);
  for (const s of o.extraSANs ?? []) addHost(s, apiDns, apiIps);
  pair('apiserver', subject('apiserver', apiDns, apiIps));
  pair('apiserver-kubelet-client', subject('apiserver-kubelet-client'));
  pair('front-proxy-client', subject('front-proxy-client'));
  const etcdDns = [o.nodeName, 'localhost'];
  const etcdIps = [o.advertiseAddress, '127.0.0.1', '::1'];
  pair('etcd-server', subject('etcd-server', etcdDns, etcdIps));
  pair('etcd-peer', subject('etcd-peer', etcdDns, etcdIps));
  pair('etcd-healthcheck-client', subject('etcd-healthcheck-client'));
  pair('apiserver-etcd-client', subject('apiserver-etcd-client'));

  // The service account key pair.
  const saKey = path.join(pki, serviceAccountKeyFiles.key);
  const saPub = path.join(pki, serviceAccountKeyFiles.pub);
  if (exists(fs, saKey) || exists(fs, saPub)) {
    if (!(exists(fs, saKey) && exists(fs, saPub)))
      skipped.push({
        title: 'service account key pair',
        paths: [saKey, saPub],
        reason: 'only one half exists: kube-pki generate (or --fix) completes it',
      });
  } else {
    actions.push({
      id: `sa:${saKey}`,
      kind: 'service-account-key',
      title: `service account key pair (${serviceAccountKeyFiles.key}, ${serviceAccountKeyFiles.pub})`,
      reason: 'new control-plane node',
      effect: 'create',
      fixes: [],
      key: { kind: 'new', type: keyType },
      outputs: [
        { kind: 'key', path: saKey, replace: false },
        { kind: 'public-key', path: saPub, replace: false },
      ],
    });
  }

  const kubeconfig = (role: LeafRole, server: string) => {
    const file = leafProfiles[role].kubeconfig!;
    const p = path.join(ek, file);
    const o2 = out(p, 'kubeconfig');
    const signer = signers.get('ca');
    push(
      `kubeconfig:${p}`,
      role,
      `${file} (${leafProfiles[role].title})`,
      subject(role),
      [o2 && signer && { kind: 'kubeconfig', ...o2, server, clusterName: 'kubernetes', userName: cn(role), ca: signer }],
      [p],
    );
  };
  kubeconfig('admin', cpe);
  kubeconfig('super-admin', cpe);
  kubeconfig('controller-manager', localEndpoint);
  kubeconfig('scheduler', localEndpoint);
  kubeconfig('kubelet', cpe);

  return { actions: inPlanOrder(actions), skipped };
}
