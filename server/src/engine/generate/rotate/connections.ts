// Who connects to whom, as pairs of files: for each connection of the cluster the engine knows
// (cluster/relations.ts: a kubeconfig's user -> its apiserver; apiserver -> etcd; etcd peers; apiserver ->
// kubelet; apiserver -> aggregated APIs through the front proxy; pods -> apiserver through --root-ca-file), the
// certificate one side presents and the CA bundle the other side verifies it with. Locations are file paths or a
// kubeconfig's entry, so that the same connection can be judged over any version of the tree (a FileSystem):
// the tree before a rotation stage, after it, and the mixes a rolling restart produces.
//
// A check follows Go's crypto/x509 (pki/verify.ts), as the components do: the apiserver, etcd and the kubelet
// verify client certificates with x509.Certificate.Verify and ExtKeyUsageClientAuth ("x509: certificate signed
// by unknown authority"); client-go and etcd's clients verify the server with ExtKeyUsageServerAuth. Time is not
// judged here (a rotation changes no validity the expiry checks do not already see).
import * as path from 'node:path';
import YAML from 'yaml';
import type { ComponentUnit, DataEntry, KubeconfigUnit, Reference, SecretUnit } from '../../parse';
import {
  apiserversOf,
  caBundleFillers,
  clientLabel,
  clustersOfUser,
  componentUnits,
  componentsLoading,
  flagRef,
  nearest,
  objectName,
  servingSecrets,
  type ClusterQuery,
} from '../../cluster';
import type { Certificate } from '../../pki/certificate';
import { verify } from '../../pki/verify';
import { loadInline, materialFromText } from '../../resolve/material';
import { MAX_FILE_BYTES, MAX_CONFIG_BYTES, type FileSystem } from '../../types';
import { readYamlPath, yamlPathAt, type YamlPath } from './inline';

/** Where a certificate or CA bundle is: a file, a kubeconfig entry's *-data, or a value of a Kubernetes object. */
export type Loc =
  | { kind: 'file'; path: string }
  | { kind: 'yaml'; path: string; at: YamlPath; label: string }
  | { kind: 'kubeconfig'; path: string; entry: 'cluster' | 'user'; name: string; field: 'certificate-authority-data' | 'client-certificate-data' };

export interface ConnectionCheck {
  /** "kube-apiserver's serving certificate, verified by admin.conf's certificate-authority-data". */
  what: string;
  cert: Loc;
  trust: Loc;
  usage: 'serverAuth' | 'clientAuth';
}

export interface Connection {
  /** "admin.conf (user kubernetes-admin) -> kube-apiserver". */
  name: string;
  checks: ConnectionCheck[];
}

export function locOf(
  q: ClusterQuery,
  ref: Reference | undefined,
  kc?: { unit: KubeconfigUnit; entry: 'cluster' | 'user'; name: string },
): Loc | undefined {
  if (!ref) return undefined;
  if (ref.source.kind === 'inline') {
    if (!kc) return undefined;
    return {
      kind: 'kubeconfig',
      path: kc.unit.file,
      entry: kc.entry,
      name: kc.name,
      field: kc.entry === 'cluster' ? 'certificate-authority-data' : 'client-certificate-data',
    };
  }
  const found = q.resolve(ref)?.found;
  return found ? { kind: 'file', path: found } : undefined;
}

export function describeLoc(loc: Loc, show: (p: string) => string): string {
  if (loc.kind === 'file') return show(loc.path);
  if (loc.kind === 'yaml') return `${show(loc.path)} (${loc.label})`;
  return `${show(loc.path)} (${loc.entry} ${loc.name}, ${loc.field})`;
}

/** The certificates a location holds in this version of the tree; undefined when it cannot be read. */
export function readLoc(fs: FileSystem, loc: Loc): Certificate[] | undefined {
  if (loc.kind === 'file') {
    const r = fs.readFile(loc.path, MAX_FILE_BYTES);
    if (!r.ok) return undefined;
    return materialFromText(r.data.toString('latin1')).certs;
  }
  const r = fs.readFile(loc.path, MAX_CONFIG_BYTES);
  if (!r.ok) return undefined;
  if (loc.kind === 'yaml') {
    const pem = readYamlPath(r.data.toString('utf8'), loc.at);
    return pem === undefined ? undefined : materialFromText(pem).certs;
  }
  let doc: unknown;
  try {
    doc = YAML.parse(r.data.toString('utf8'));
  } catch {
    return undefined;
  }
  const list = (doc as Record<string, unknown> | undefined)?.[loc.entry === 'cluster' ? 'clusters' : 'users'];
  if (!Array.isArray(list)) return undefined;
  const item = list.find((x) => x && typeof x === 'object' && (x as { name?: unknown }).name === loc.name) as Record<string, unknown> | undefined;
  const body = item?.[loc.entry] as Record<string, unknown> | undefined;
  const data = body?.[loc.field];
  if (typeof data !== 'string') return undefined;
  const loaded = loadInline(data);
  return loaded.ok ? loaded.material.certs : undefined;
}

/** Go's verdict on one check over the files of two trees (the certificate's side, the trust's side). */
export function judge(check: ConnectionCheck, certFs: FileSystem, trustFs: FileSystem): { ok: true } | { ok: false; message: string } | undefined {
  const certs = readLoc(certFs, check.cert);
  const roots = readLoc(trustFs, check.trust);
  if (!certs || !roots) return undefined;
  if (certs.length === 0) return { ok: false, message: 'holds no certificate' };
  if (roots.length === 0) return { ok: false, message: 'the CA bundle holds no certificate' };
  const r = verify(certs[0], { roots, intermediates: certs.slice(1), ignoreTime: true, usages: [check.usage] });
  return r.ok ? { ok: true } : { ok: false, message: r.error?.message ?? 'x509: certificate signed by unknown authority' };
}

function name(u: ComponentUnit, show: (p: string) => string): string {
  return `${u.component} (${show(u.file)})`;
}

/** Whether a Secret's or ConfigMap's value is written as base64 (a Secret's data, a ConfigMap's binaryData) or as text. */
export function encodedEntry(unit: SecretUnit, entry: DataEntry): boolean {
  return entry.section === 'binaryData' || (unit.objectKind === 'Secret' && entry.section === 'data');
}

/** Where an inline value of an object is, by document and keys (the same in every version of the file a stage leaves). */
export function objectLoc(fs: FileSystem, ref: Reference, encoded: boolean, label: string): Loc | undefined {
  const r = fs.readFile(ref.file, MAX_CONFIG_BYTES);
  if (!r.ok) return undefined;
  const at = yamlPathAt(r.data.toString('utf8'), ref.span.start, encoded);
  return at ? { kind: 'yaml', path: ref.file, at, label } : undefined;
}

/** "Secret webhook-system/webhook-tls tls.crt". */
export function entryLabel(unit: SecretUnit, entry: DataEntry): string {
  return `${unit.objectKind} ${objectName(unit.meta)} ${entry.section}.${entry.key}`;
}

/** Every connection of the workspace the engine can tell, with the checks each side makes. */
export function connectionsOf(q: ClusterQuery, show: (p: string) => string, fs?: FileSystem): Connection[] {
  const out: Connection[] = [];
  const add = (conn: string, checks: (ConnectionCheck | undefined)[]) => {
    const list = checks.filter((c): c is ConnectionCheck => !!c);
    if (list.length) out.push({ name: conn, checks: list });
  };
  const check = (what: string, cert: Loc | undefined, trust: Loc | undefined, usage: ConnectionCheck['usage']): ConnectionCheck | undefined =>
    cert && trust ? { what, cert, trust, usage } : undefined;

  const apiservers = componentUnits(q, 'kube-apiserver');
  const etcds = componentUnits(q, 'etcd');
  const managers = componentUnits(q, 'kube-controller-manager');

  // Kubeconfigs -> their apiserver (client-go verifies the serving certificate; the apiserver the client's).
  for (const kc of q.units('kubeconfig')) {
    const users = kc.users.length ? kc.users : [];
    for (const user of users) {
      for (const cluster of clustersOfUser(kc, user)) {
        if (cluster.insecure) continue;
        const caLoc = locOf(q, cluster.ca, { unit: kc, entry: 'cluster', name: cluster.name });
        const certLoc = locOf(q, user.cert, { unit: kc, entry: 'user', name: user.name });
        for (const target of apiserversOf(q, cluster, kc.file).targets) {
          if (target.distro) continue;
          const api = target.unit;
          add(`${show(kc.file)} (user ${user.name}) -> ${name(api, show)}`, [
            check(
              `${api.component}'s serving certificate, verified by the kubeconfig's cluster ${cluster.name}`,
              locOf(q, flagRef(api, 'tls-cert-file')),
              caLoc,
              'serverAuth',
            ),
            check(
              `user ${user.name}'s client certificate, verified by --client-ca-file`,
              certLoc,
              locOf(q, flagRef(api, 'client-ca-file')),
              'clientAuth',
            ),
          ]);
        }
      }
    }
  }

  for (const api of apiservers) {
    // apiserver -> etcd.
    for (const etcd of nearest(etcds, api.file)) {
      add(`${name(api, show)} -> ${name(etcd, show)}`, [
        check(
          "etcd's serving certificate, verified by --etcd-cafile",
          locOf(q, flagRef(etcd, 'cert-file')),
          locOf(q, flagRef(api, 'etcd-cafile')),
          'serverAuth',
        ),
        check(
          '--etcd-certfile, verified by etcd --trusted-ca-file',
          locOf(q, flagRef(api, 'etcd-certfile')),
          locOf(q, flagRef(etcd, 'trusted-ca-file')),
          'clientAuth',
        ),
      ]);
    }
    // apiserver -> kubelet.
    for (const kubelet of nearest(q.units('kubelet-config'), api.file)) {
      add(`${name(api, show)} -> kubelet (${show(kubelet.file)})`, [
        check(
          '--kubelet-client-certificate, verified by the kubelet clientCAFile',
          locOf(q, flagRef(api, 'kubelet-client-certificate')),
          locOf(q, kubelet.clientCA),
          'clientAuth',
        ),
        check(
          "the kubelet's serving certificate, verified by --kubelet-certificate-authority",
          locOf(q, kubelet.tlsCert),
          locOf(q, flagRef(api, 'kubelet-certificate-authority')),
          'serverAuth',
        ),
      ]);
    }
    // apiserver -> aggregated APIs and the components' delegated authentication (front proxy).
    const proxy = locOf(q, flagRef(api, 'proxy-client-cert-file'));
    for (const reader of [api, ...nearest(managers, api.file), ...nearest(componentUnits(q, 'kube-scheduler'), api.file)]) {
      add(`${name(api, show)} front proxy -> ${reader === api ? 'aggregated API servers' : name(reader, show)}`, [
        check(
          '--proxy-client-cert-file, verified by --requestheader-client-ca-file',
          proxy,
          locOf(q, flagRef(reader, 'requestheader-client-ca-file')),
          'clientAuth',
        ),
      ]);
    }
    // Pods -> apiserver: the ca.crt of every service-account token comes from the controller-manager's --root-ca-file.
    for (const cm of nearest(managers, api.file)) {
      add(`pods (ca.crt from ${name(cm, show)} --root-ca-file) -> ${name(api, show)}`, [
        check(
          "the apiserver's serving certificate, verified by --root-ca-file",
          locOf(q, flagRef(api, 'tls-cert-file')),
          locOf(q, flagRef(cm, 'root-ca-file')),
          'serverAuth',
        ),
      ]);
    }
  }

  if (fs) {
    // Pods -> apiserver through the kube-root-ca.crt ConfigMap (the root CA publisher copies --root-ca-file into
    // every namespace; pods read it through the projected service-account volume's ca.crt).
    for (const cm of q.units('secret')) {
      if (cm.objectKind !== 'ConfigMap' || cm.meta.name !== 'kube-root-ca.crt') continue;
      const entry = cm.entries.find((e) => e.key === 'ca.crt');
      if (!entry) continue;
      const trust = objectLoc(fs, entry.ref, encodedEntry(cm, entry), entryLabel(cm, entry));
      for (const api of nearest(apiservers, cm.file))
        add(`pods (ca.crt from ConfigMap ${objectName(cm.meta)}) -> ${name(api, show)}`, [
          check(
            "the apiserver's serving certificate, verified by kube-root-ca.crt's ca.crt",
            locOf(q, flagRef(api, 'tls-cert-file')),
            trust,
            'serverAuth',
          ),
        ]);
    }
    // apiserver -> webhooks, APIServices and conversion webhooks: the caBundle verifies the serving certificate of
    // the Secret the Service's pods mount (a caBundle a controller fills at run time is not the files' to judge).
    for (const w of q.units('webhook')) {
      for (const client of w.clients) {
        if (!client.caBundle || client.insecure || client.templated || !client.service) continue;
        if (caBundleFillers(q, w, client).length) continue;
        const label = clientLabel(w, client);
        const trust = objectLoc(fs, client.caBundle, true, `${label} caBundle`);
        for (const s of servingSecrets(q, client.service))
          add(`kube-apiserver -> ${label}`, [
            check(
              `the webhook's serving certificate (${entryLabel(s.secret, s.entry)}), verified by its caBundle`,
              objectLoc(fs, s.entry.ref, encodedEntry(s.secret, s.entry), entryLabel(s.secret, s.entry)),
              trust,
              'serverAuth',
            ),
          ]);
      }
    }
  }

  // etcd members -> each other (each presents its peer certificate as client and as server).
  for (const a of etcds) {
    for (const b of etcds) {
      const cert = locOf(q, flagRef(a, 'peer-cert-file'));
      const trust = locOf(q, flagRef(b, 'peer-trusted-ca-file'));
      add(`${name(a, show)} -> ${name(b, show)} (peers)`, [
        check('--peer-cert-file as a client, verified by --peer-trusted-ca-file', cert, trust, 'clientAuth'),
        check('--peer-cert-file as a server, verified by --peer-trusted-ca-file', cert, trust, 'serverAuth'),
      ]);
    }
  }
  return out;
}

/** What reads a file: the components and kubelets referencing it, and those loading it as a kubeconfig. */
export function readersOf(q: ClusterQuery, file: string, show: (p: string) => string): string[] {
  const out = new Set<string>();
  for (const u of q.units('component')) if (u.refs.some((r) => q.resolve(r)?.found === file)) out.add(name(u, show));
  for (const k of q.units('kubelet-config'))
    if ([k.clientCA, k.tlsCert].some((r) => r && q.resolve(r)?.found === file)) out.add(`kubelet (${show(k.file)})`);
  const kubeconfigs = q.units('kubeconfig').filter((kc) => kc.file === file || kc.users.some((u) => u.cert && q.resolve(u.cert)?.found === file));
  for (const kc of kubeconfigs) {
    const loaders = componentsLoading(q, kc.file);
    for (const u of loaders) out.add(name(u, show));
    if (loaders.length === 0)
      out.add(path.basename(kc.file) === 'kubelet.conf' ? `kubelet (${show(kc.file)})` : `whatever uses ${show(kc.file)} (kubectl, scripts)`);
  }
  return [...out].sort();
}
