// Who connects to whom, as pairs of files. The component-to-component handshakes are the catalog's
// (cluster/catalog.ts `verifications`, from the flags' verifiedBy: apiserver -> etcd, etcd peers, apiserver ->
// kubelet, the front proxy -> whatever trusts --requestheader-client-ca-file, pods -> apiserver through
// --root-ca-file), between the units cluster/relations.ts pairs (the nearest); a kubeconfig's user -> the apiservers
// its cluster dials (relations.ts apiserversOf, the catalog's kubeconfig verifiers); and the objects' (pods ->
// apiserver through the kube-root-ca.crt ConfigMap, apiserver -> a webhook through its caBundle and the Secret its
// Service's pods mount: cluster/objects.ts). Each check names the certificate one side presents and the CA bundle
// the other side verifies it with. Locations are file paths, a kubeconfig's entry or a value of an object, so
// that the same connection can be judged over any version of the tree (a FileSystem): the tree before a rotation
// stage, after it, and the mixes a rolling restart produces.
//
// A check follows Go's crypto/x509 (pki/verify.ts), as the components do: the apiserver, etcd and the kubelet
// verify client certificates with x509.Certificate.Verify and ExtKeyUsageClientAuth ("x509: certificate signed
// by unknown authority"); client-go and etcd's clients verify the server with ExtKeyUsageServerAuth. Time is not
// judged here (a rotation changes no validity the expiry checks do not already see).
import * as path from 'node:path';
import YAML from 'yaml';
import type { ComponentUnit, DataEntry, KubeconfigUnit, KubeletConfigUnit, Reference, SecretUnit } from '../../parse';
import {
  apiserversOf,
  caBundleFillers,
  clientLabel,
  clustersOfUser,
  componentUnits,
  componentsLoading,
  flagRef,
  kubeconfigClientVerifier,
  kubeconfigServerCertificate,
  nearest,
  objectName,
  servingSecrets,
  verifications,
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

function unitName(u: ComponentUnit | KubeletConfigUnit, show: (p: string) => string): string {
  return u.kind === 'component' ? name(u, show) : `kubelet (${show(u.file)})`;
}

/** "kube-apiserver --etcd-certfile", "kubelet authentication.x509.clientCAFile". */
function fieldName(component: string, field: string): string {
  return component === 'kubelet' ? `kubelet ${field}` : `${component} --${field}`;
}

/** The units of a component in the workspace (the kubelet's: its config files), as checks/trust.ts reads them. */
function unitsOf(q: ClusterQuery, component: string): (ComponentUnit | KubeletConfigUnit)[] {
  return component === 'kubelet' ? q.units('kubelet-config') : componentUnits(q, component as ComponentUnit['component']);
}

/** A flag of a component unit, or a field of a kubelet config (`authentication.x509.clientCAFile`, `tlsCertFile`). */
function refOf(unit: ComponentUnit | KubeletConfigUnit, field: string): Reference | undefined {
  if (unit.kind === 'component') return flagRef(unit, field);
  return [unit.clientCA, unit.tlsCert, unit.tlsKey].find((r) => r?.field === field);
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
  const byName = new Map<string, Connection>();
  const add = (conn: string, checks: (ConnectionCheck | undefined)[]) => {
    const list = checks.filter((c): c is ConnectionCheck => !!c);
    if (list.length === 0) return;
    const known = byName.get(conn);
    if (known) known.checks.push(...list);
    else {
      const c = { name: conn, checks: list };
      byName.set(conn, c);
      out.push(c);
    }
  };
  const check = (what: string, cert: Loc | undefined, trust: Loc | undefined, usage: ConnectionCheck['usage']): ConnectionCheck | undefined =>
    cert && trust ? { what, cert, trust, usage } : undefined;

  const apiservers = componentUnits(q, 'kube-apiserver');

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
              locOf(q, flagRef(api, kubeconfigServerCertificate.field)),
              caLoc,
              'serverAuth',
            ),
            check(
              `user ${user.name}'s client certificate, verified by --${kubeconfigClientVerifier.field}`,
              certLoc,
              locOf(q, flagRef(api, kubeconfigClientVerifier.field)),
              'clientAuth',
            ),
          ]);
        }
      }
    }
  }

  // Component -> component: every handshake the catalog names (its flags' verifiedBy), between the units of the two
  // sides that talk: the nearest ones (as checks/trust.ts pairs them), the unit itself, or every member (etcd's peers).
  for (const v of verifications) {
    for (const certUnit of unitsOf(q, v.cert.component)) {
      const certRef = refOf(certUnit, v.cert.field);
      if (!certRef) continue;
      const verifiers = v.peers ? unitsOf(q, v.ca.component) : v.sameUnit ? [certUnit] : nearest(unitsOf(q, v.ca.component), certUnit.file);
      for (const caUnit of verifiers) {
        const caRef = refOf(caUnit, v.ca.field);
        if (!caRef) continue;
        const [certSide, caSide] = [unitName(certUnit, show), unitName(caUnit, show)];
        const conn = v.peers
          ? `${certSide} -> ${caSide} (peers)`
          : v.sameUnit
            ? `${certSide} -> what trusts its ${fieldName(v.ca.component, v.ca.field)}`
            : v.usages.includes('clientAuth')
              ? `${certSide} -> ${caSide}`
              : `${caSide} -> ${certSide}`;
        const certLoc = locOf(q, certRef);
        const caLoc = locOf(q, caRef);
        for (const usage of v.usages)
          add(conn, [
            check(
              `${fieldName(v.cert.component, v.cert.field)}${v.usages.length > 1 ? ` as a ${usage === 'clientAuth' ? 'client' : 'server'}` : ''}, verified by ${fieldName(v.ca.component, v.ca.field)}`,
              certLoc,
              caLoc,
              usage,
            ),
          ]);
      }
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
            locOf(q, flagRef(api, kubeconfigServerCertificate.field)),
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
