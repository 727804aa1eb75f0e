// kubeadm's own configuration (kubeadm.k8s.io/v1beta3 and v1beta4): ClusterConfiguration, InitConfiguration and
// JoinConfiguration, the file operators edit before `kubeadm init`, `join` or `certs renew`. The fields follow
// cmd/kubeadm/app/apis/kubeadm/v1beta4/types.go (v1beta3: the same paths; extraArgs is a map there and a list of
// {name, value} in v1beta4). What is read: the names kubeadm puts in the apiserver's and etcd's certificates
// (apiServer.certSANs, controlPlaneEndpoint, localAPIEndpoint.advertiseAddress, etcd.local.serverCertSANs and
// peerCertSANs), where the certificates are (certificatesDir), external etcd's client files, apiServer.extraArgs,
// and a join's CA pins (discovery.bootstrapToken.caCertHashes).
import * as path from 'node:path';
import { isMap, isScalar, type Document, type YAMLMap } from 'yaml';
import { asMap, asSeq, deref, get, getText, nodeRange, scalarText } from './yamlAst';
import type { Component, Expect, KubeadmConfigUnit, Reference, SpannedValue } from './model';

const kinds = new Set(['ClusterConfiguration', 'InitConfiguration', 'JoinConfiguration']);

export function looksLikeKubeadmConfig(doc: Document, root: YAMLMap): boolean {
  const api = getText(doc, root, 'apiVersion')?.value.trim() ?? '';
  return /^kubeadm\.k8s\.io\/v1beta[34]$/.test(api) && kinds.has(getText(doc, root, 'kind')?.value.trim() ?? '');
}

function spanned(doc: Document, map: YAMLMap | undefined, key: string): SpannedValue | undefined {
  const t = getText(doc, map, key);
  if (!t || t.value.trim() === '') return undefined;
  return { value: t.value.trim(), span: { start: t.start, end: t.end } };
}

function list(doc: Document, map: YAMLMap | undefined, key: string): SpannedValue[] {
  const out: SpannedValue[] = [];
  for (const item of asSeq(doc, get(doc, map, key))?.items ?? []) {
    const t = scalarText(doc, item);
    if (t && t.value.trim()) out.push({ value: t.value.trim(), span: { start: t.start, end: t.end } });
  }
  return out;
}

function sub(doc: Document, map: YAMLMap | undefined, ...keys: string[]): YAMLMap | undefined {
  let m = map;
  for (const k of keys) m = asMap(doc, get(doc, m, k));
  return m;
}

/** extraArgs: a map (v1beta3) or a list of {name, value} (v1beta4; the last of a name wins, as kubeadm builds the command). */
function extraArgs(doc: Document, map: YAMLMap | undefined): Map<string, SpannedValue> {
  const out = new Map<string, SpannedValue>();
  const node = deref(doc, get(doc, map, 'extraArgs'));
  if (isMap(node)) {
    for (const pair of node.items) {
      const k = deref(doc, pair.key);
      const v = scalarText(doc, pair.value);
      if (isScalar(k) && v) out.set(String(k.value), { value: v.value.trim(), span: { start: v.start, end: v.end } });
    }
    return out;
  }
  for (const item of asSeq(doc, node)?.items ?? []) {
    const m = asMap(doc, item);
    const name = getText(doc, m, 'name')?.value.trim();
    const value = getText(doc, m, 'value');
    if (name && value) out.set(name, { value: value.value.trim(), span: { start: value.start, end: value.end } });
  }
  return out;
}

function ref(file: string, v: SpannedValue | undefined, field: string, expect: Expect): Reference | undefined {
  if (!v) return undefined;
  return { file, span: v.span, field, expect, source: { kind: 'path', path: v.value, baseDir: path.dirname(file) } };
}

export function parseKubeadmConfig(doc: Document, root: YAMLMap, file: string): KubeadmConfigUnit {
  const objectKind = getText(doc, root, 'kind')!.value.trim() as KubeadmConfigUnit['objectKind'];
  const kindText = getText(doc, root, 'kind');
  const r = nodeRange(root);
  const apiServer = sub(doc, root, 'apiServer');
  const local = sub(doc, root, 'etcd', 'local');
  const external = sub(doc, root, 'etcd', 'external');
  const networking = sub(doc, root, 'networking');
  const token = sub(doc, root, 'discovery', 'bootstrapToken');
  const unit: KubeadmConfigUnit = {
    kind: 'kubeadm-config',
    file,
    objectKind,
    apiVersion: getText(doc, root, 'apiVersion')!.value.trim(),
    span: kindText ? { start: kindText.start, end: kindText.end } : { start: r?.[0] ?? 0, end: r?.[0] ?? 0 },
    certSANs: list(doc, apiServer, 'certSANs'),
    controlPlaneEndpoint: spanned(doc, root, 'controlPlaneEndpoint'),
    kubernetesVersion: spanned(doc, root, 'kubernetesVersion'),
    serviceSubnet: spanned(doc, networking, 'serviceSubnet'),
    dnsDomain: spanned(doc, networking, 'dnsDomain'),
    certificatesDir: spanned(doc, root, 'certificatesDir'),
    apiServerExtraArgs: extraArgs(doc, apiServer),
    extraArgs: {},
    etcdServerCertSANs: list(doc, local, 'serverCertSANs'),
    etcdPeerCertSANs: list(doc, local, 'peerCertSANs'),
    advertiseAddress: spanned(doc, sub(doc, root, 'localAPIEndpoint') ?? sub(doc, root, 'controlPlane', 'localAPIEndpoint'), 'advertiseAddress'),
    nodeName: spanned(doc, sub(doc, root, 'nodeRegistration'), 'name'),
    caCertHashes: list(doc, token, 'caCertHashes'),
    apiServerEndpoint: spanned(doc, token, 'apiServerEndpoint'),
    caCertPath: spanned(doc, root, 'caCertPath'),
  };
  const sections: Array<[Component, YAMLMap | undefined]> = [
    ['kube-apiserver', apiServer],
    ['kube-controller-manager', sub(doc, root, 'controllerManager')],
    ['kube-scheduler', sub(doc, root, 'scheduler')],
    ['etcd', local],
  ];
  for (const [component, map] of sections) {
    const args = component === 'kube-apiserver' ? unit.apiServerExtraArgs : extraArgs(doc, map);
    if (args.size) unit.extraArgs[component] = args;
  }
  if (external) {
    unit.etcdExternal = {
      endpoints: list(doc, external, 'endpoints'),
      ca: ref(file, spanned(doc, external, 'caFile'), 'etcd.external.caFile', 'ca'),
      cert: ref(file, spanned(doc, external, 'certFile'), 'etcd.external.certFile', 'cert'),
      key: ref(file, spanned(doc, external, 'keyFile'), 'etcd.external.keyFile', 'key'),
    };
  }
  return unit;
}
