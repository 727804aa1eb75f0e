// `kube-pki expiration -o prometheus | kubeadm-json | kubeadm-yaml`: the inventory in the shapes that monitoring
// and scripts already read.
import * as path from 'node:path';
import { cas, certificates, type CaFamily, type CertificateSpec } from '../engine/cluster/catalog';
import type { Inventory, InventoryCertificate } from '../engine/inventory/types';

// ---------------------------------------------------------------------------------------------------------
// Prometheus: node_exporter's textfile collector reads the text exposition format (no timestamps). The metric
// names, their help and the label names are enix/x509-certificate-exporter's (internal/collector.go:
// x509_cert_not_before, x509_cert_not_after, x509_cert_expired; filename, filepath, serial_number and
// subject_/issuer_ CN, O, OU; embedded_kind and embedded_key for a certificate inside a kubeconfig;
// secret_name, secret_namespace, secret_key for one in a Secret), so that alerts written for it
// (`x509_cert_not_after - time() < 86400 * 7`, `x509_cert_expired == 1`) work unchanged. kube-pki adds `role`
// and `node`. One series per certificate (the same certificate in several files is one, at its first file).

const METRICS: ReadonlyArray<readonly [string, string, (c: InventoryCertificate, now: number) => number]> = [
  ['x509_cert_not_before', "Indicates the certificate's not before timestamp", (c) => Math.floor(Date.parse(c.notBefore) / 1000)],
  ['x509_cert_not_after', "Indicates the certificate's not after timestamp", (c) => Math.floor(Date.parse(c.notAfter) / 1000)],
  ['x509_cert_expired', 'Indicates if the certificate is expired', (c, now) => (now > Date.parse(c.notAfter) ? 1 : 0)],
];

/** The exposition format's label value escaping: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelsOf(c: InventoryCertificate): Record<string, string> {
  const labels: Record<string, string> = {};
  const set = (name: string, value: string | undefined) => {
    if (value !== undefined && value !== '') labels[name] = value;
  };
  const ref = c.references[0];
  const file = c.files[0] ?? ref?.file;
  if (file) {
    set('filename', path.basename(file));
    set('filepath', file);
  }
  if (!c.files.length && ref?.object) {
    const o = ref.object;
    if (o.kind === 'user' || o.kind === 'cluster') {
      set('embedded_kind', o.kind);
      set('embedded_key', o.name);
    } else if (o.kind === 'Secret') {
      set('secret_name', o.name);
      set('secret_namespace', o.namespace);
      set('secret_key', ref.field);
    } else {
      set('embedded_kind', o.kind);
      set('embedded_key', ref.field);
    }
  }
  set('serial_number', c.serialNumber);
  set('subject_CN', c.commonName);
  set('subject_O', c.organizations[0]);
  set('subject_OU', c.organizationalUnits?.[0]);
  set('issuer_CN', c.issuerCommonName);
  set('issuer_O', c.issuerOrganizations?.[0]);
  set('issuer_OU', c.issuerOrganizationalUnits?.[0]);
  set('role', c.role);
  set('node', c.node);
  return labels;
}

export function formatPrometheus(inventory: Inventory): string {
  const now = Date.parse(inventory.now);
  const series = inventory.certificates.map((c) => {
    const labels = labelsOf(c);
    const text = Object.keys(labels)
      .sort()
      .map((k) => `${k}="${escapeLabelValue(labels[k])}"`)
      .join(',');
    return { c, text };
  });
  const out: string[] = [];
  for (const [name, help, value] of METRICS) {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const s of series) out.push(`${name}{${s.text}} ${value(s.c, now)}`);
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------------------------------------------------
// kubeadm's `certs check-expiration -o json|yaml`: output.kubeadm.k8s.io/v1alpha3 CertificateExpirationInfo
// (cmd/kubeadm/app/apis/output/v1alpha3/types.go), filled as cmd/kubeadm/app/cmd/certs.go's
// fetchCertificateExpirationInfo does: for each certificate and CA of the renewal manager (sorted by name),
// {name, expirationDate (RFC 3339, UTC), residualTime (int64((notAfter - now) / time.Second): whole seconds,
// truncated toward zero), externallyManaged, caName (omitted for CAs), missing}; a missing one is
// {name, missing: true} with Go's zero values (expirationDate null). kubeadm prints JSON with k8s' JSON printer
// (four-space indent, fields in struct order) and YAML through sigs.k8s.io/yaml (keys sorted, lists unindented).
// kubeadm speaks of one node; a tree of several prints one object per node tree (a JSON stream, or YAML
// documents), in the order of the note on stderr.

export const KUBEADM_OUTPUT_API_VERSION = 'output.kubeadm.k8s.io/v1alpha3';

interface KubeadmEntry {
  name: string;
  expirationDate: string | null;
  residualTime: number;
  externallyManaged: boolean;
  caName?: string;
  missing: boolean;
}

export interface KubeadmExpirationInfo {
  kind: 'CertificateExpirationInfo';
  apiVersion: string;
  certificates: KubeadmEntry[];
  certificateAuthorities: KubeadmEntry[];
}

/** What kubeadm's renewal manager lists: its certificates and kubeconfigs with their CA, and its CAs. */
function kubeadmCatalog(): { certs: Array<{ name: string; ca: string; etcd: boolean; optional: boolean }>; cas: string[] } {
  const certs: Array<{ name: string; ca: string; etcd: boolean; optional: boolean }> = [];
  for (const spec of Object.values(certificates as Record<string, CertificateSpec>)) {
    const ca = cas[spec.signer as CaFamily]?.kubeadm?.name;
    if (!ca) continue;
    if (spec.kubeadm) certs.push({ name: spec.kubeadm.name, ca, etcd: spec.signer === 'etcd-ca' || /etcd/.test(spec.kubeadm.name), optional: false });
    // super-admin.conf is written by `kubeadm init` only (v1.29+): a node joined as a control plane has none, and it is
    // listed only where it exists.
    if (spec.kubeconfig?.expiration) {
      const name = spec.kubeconfig.files[0];
      certs.push({ name, ca, etcd: false, optional: name === 'super-admin.conf' });
    }
  }
  certs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const caNames = Object.values(cas)
    .flatMap((c) => (c.kubeadm ? [c.kubeadm.name] : []))
    .sort();
  return { certs, cas: caNames };
}

const rfc3339 = (iso: string) => new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** One CertificateExpirationInfo per node tree holding kubeadm's certificates; `nodes` names them in that order. */
export function kubeadmExpirationInfos(inventory: Inventory): { nodes: string[]; infos: KubeadmExpirationInfo[] } {
  const now = Date.parse(inventory.now);
  const byId = new Map(inventory.certificates.map((c) => [c.id, c]));
  const perNode = new Map<string, Map<string, InventoryCertificate>>();
  for (const c of inventory.certificates) {
    if (!c.kubeadmName) continue;
    for (const node of c.nodes ?? [c.node ?? '']) {
      const named = perNode.get(node) ?? new Map<string, InventoryCertificate>();
      // Two certificates under one name in one node tree (a renewed copy): the one that expires last, as kubeadm
      // reads the file that is there now.
      const had = named.get(c.kubeadmName);
      if (!had || Date.parse(c.notAfter) > Date.parse(had.notAfter)) named.set(c.kubeadmName, c);
      perNode.set(node, named);
    }
  }
  const catalog = kubeadmCatalog();
  const nodes = [...perNode.keys()].sort();
  const infos = nodes.map((node) => {
    const named = perNode.get(node)!;
    // External etcd: kubeadm's renewal manager has no etcd certificates, and no etcd CA, when etcd is not local.
    const localEtcd = [...named.keys()].some((n) => /etcd/.test(n));
    const entry = (name: string, c: InventoryCertificate | undefined, caName?: string): KubeadmEntry => {
      if (!c) return { name, expirationDate: null, residualTime: 0, externallyManaged: false, missing: true };
      // kubeadm: a certificate is externally managed when its CA is (the CA's key is not on the node).
      const issuer = c.issuerId ? byId.get(c.issuerId) : undefined;
      return {
        name,
        expirationDate: rfc3339(c.notAfter),
        residualTime: Math.trunc((Date.parse(c.notAfter) - now) / 1000),
        externallyManaged: c.isCA ? c.externallyManaged : (issuer?.externallyManaged ?? false),
        ...(caName ? { caName } : {}),
        missing: false,
      };
    };
    return {
      kind: 'CertificateExpirationInfo' as const,
      apiVersion: KUBEADM_OUTPUT_API_VERSION,
      certificates: catalog.certs
        .filter((k) => (localEtcd || !k.etcd) && (!k.optional || named.has(k.name)))
        .map((k) => entry(k.name, named.get(k.name), k.ca)),
      certificateAuthorities: catalog.cas.filter((n) => localEtcd || n !== 'etcd-ca').map((n) => entry(n, named.get(n))),
    };
  });
  return { nodes, infos };
}

export function formatKubeadmJson(info: KubeadmExpirationInfo): string {
  return JSON.stringify(info, null, 4) + '\n';
}

/** As sigs.k8s.io/yaml writes it: keys sorted, list items at their key's indentation, timestamps quoted. */
export function formatKubeadmYaml(info: KubeadmExpirationInfo): string {
  const scalar = (v: unknown) => (v === null ? 'null' : typeof v === 'string' ? yamlString(v) : String(v));
  const list = (entries: KubeadmEntry[]) =>
    entries.length === 0
      ? ' []\n'
      : '\n' +
        entries
          .map((e) =>
            Object.keys(e)
              .sort()
              .map((k, i) => `${i === 0 ? '- ' : '  '}${k}: ${scalar((e as unknown as Record<string, unknown>)[k])}`)
              .join('\n'),
          )
          .join('\n') +
        '\n';
  return (
    `apiVersion: ${info.apiVersion}\n` +
    `certificateAuthorities:${list(info.certificateAuthorities)}` +
    `certificates:${list(info.certificates)}` +
    `kind: ${info.kind}\n`
  );
}

/** A string plain when YAML reads it back as that string, else double-quoted (go-yaml quotes timestamps too). */
function yamlString(s: string): string {
  const plain = /^[A-Za-z_/][A-Za-z0-9_./-]*$/.test(s) && !/^(?:true|false|yes|no|on|off|y|n|null|~)$/i.test(s) && !/^\d{4}-\d{2}-\d{2}/.test(s);
  return plain ? s : JSON.stringify(s);
}
