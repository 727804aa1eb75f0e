// kubeadm's own configuration against the certificates of the node it describes, where the workspace holds them
// (certificatesDir, default /etc/kubernetes/pki, resolved as every node path is: a copy of the node's tree,
// --root, path mappings). What is not there is not judged.
//
// san-missing: kubeadm puts apiServer.certSANs, the controlPlaneEndpoint host, localAPIEndpoint.advertiseAddress,
// nodeRegistration.name, the first IP of networking.serviceSubnet and kubernetes.default.svc.<dnsDomain> in the
// apiserver's certificate, and etcd.local.serverCertSANs / peerCertSANs in etcd's server / peer certificates
// (cmd/kubeadm/app/util/pkiutil/pki_helpers.go: GetAPIServerAltNames, GetEtcdAltNames, GetEtcdPeerAltNames). It
// never re-issues a certificate that exists (phases/certs/certs.go keeps a pair already on disk, and
// `kubeadm certs renew` keeps the old SANs), so a name added to the config after `kubeadm init` is in no
// certificate: clients dialling it fail. Reported on the config line that asks for the name.
//
// ca-pin-mismatch: `kubeadm join` pins the cluster CA by discovery.bootstrapToken.caCertHashes
// (cmd/kubeadm/app/util/pubkeypin/pubkeypin.go: "sha256:" + hex SHA-256 of the CA certificate's
// SubjectPublicKeyInfo; Allow refuses any other form, CheckAny wants one entry to match).
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { KubeadmConfigUnit, Reference, Span, SpannedValue } from '../parse';
import type { Certificate } from '../pki/certificate';
import { describeNames, hostMismatchMessage, matchesHost } from '../pki/verify';
import { firstIpOfCidr, hostOf, who } from '../cluster';
import type { CheckContext } from './context';

const DEFAULT_CERTIFICATES_DIR = '/etc/kubernetes/pki';

/** A reference the config implies (no line names the file): reported nowhere itself, only loaded. */
function implied(ctx: CheckContext, file: string, span: Span, field: string): Reference {
  return { file: ctx.file, span, field, expect: 'cert', source: { kind: 'path', path: file, baseDir: path.dirname(ctx.file) } };
}

function certAt(ctx: CheckContext, ref: Reference): Certificate | undefined {
  const loaded = ctx.load(ref);
  return loaded.ok ? loaded.material.certs[0] : undefined;
}

/** Whether the certificate holds the name as kubeadm writes it: a wildcard certSAN is a DNS SAN written as is. */
function holds(cert: Certificate, name: string): boolean {
  if (name.startsWith('*.')) return cert.dnsNames.some((d) => d.toLowerCase() === name.toLowerCase());
  return matchesHost(cert, name);
}

interface Asked {
  name: string;
  /** The field, for the message: 'apiServer.certSANs'. */
  field: string;
  span: Span;
}

function reportMissing(ctx: CheckContext, cert: Certificate, certPath: string, phase: string, asked: Asked[]): void {
  const seen = new Set<string>();
  for (const a of asked) {
    const key = `${a.span.start}\0${a.name}`;
    if (seen.has(key) || holds(cert, a.name)) continue;
    seen.add(key);
    const base = certPath.replace(/\.crt$/, '');
    ctx.report(
      'san-missing',
      a.span,
      `${a.field} asks for ${a.name}, but ${who(cert)} (${certPath}) lacks it: the certificate was issued before the name was added, and kubeadm does not re-issue a certificate that exists (nor does \`kubeadm certs renew\`). Clients dialling ${a.name} fail with "${hostMismatchMessage(cert, a.name)}". It is valid for ${describeNames(cert)}. Remove ${base}.crt and ${base}.key and run \`kubeadm init phase certs ${phase} --config ${path.basename(ctx.file)}\`, or run \`kube-pki generate --fix\`.`,
    );
  }
}

function pick<K extends KubeadmConfigUnit['objectKind']>(units: KubeadmConfigUnit[], kind: K): KubeadmConfigUnit | undefined {
  return units.find((u) => u.objectKind === kind);
}

const usable = (v: SpannedValue | undefined): v is SpannedValue => !!v && v.value !== '0.0.0.0' && v.value !== '::';

function apiserverNames(units: KubeadmConfigUnit[], cluster: KubeadmConfigUnit | undefined): Asked[] {
  const asked: Asked[] = [];
  if (cluster) {
    for (const s of cluster.certSANs) asked.push({ name: s.value, field: 'apiServer.certSANs', span: s.span });
    const cpe = cluster.controlPlaneEndpoint;
    const host = cpe ? hostOf(cpe.value) : undefined;
    if (cpe && host) asked.push({ name: host, field: 'controlPlaneEndpoint', span: cpe.span });
    const first = cluster.serviceSubnet ? firstIpOfCidr(cluster.serviceSubnet.value.split(',')[0]) : undefined;
    if (cluster.serviceSubnet && first)
      asked.push({ name: first, field: 'networking.serviceSubnet (its first IP, the kubernetes Service)', span: cluster.serviceSubnet.span });
    if (cluster.dnsDomain)
      asked.push({ name: `kubernetes.default.svc.${cluster.dnsDomain.value}`, field: 'networking.dnsDomain', span: cluster.dnsDomain.span });
  }
  for (const u of units) {
    if (u.objectKind === 'ClusterConfiguration') continue;
    // A JoinConfiguration without controlPlane joins a worker: no apiserver certificate of its own.
    if (u.objectKind === 'JoinConfiguration' && !u.advertiseAddress) continue;
    if (usable(u.advertiseAddress))
      asked.push({ name: u.advertiseAddress.value, field: 'localAPIEndpoint.advertiseAddress', span: u.advertiseAddress.span });
    if (u.nodeName) asked.push({ name: u.nodeName.value, field: 'nodeRegistration.name', span: u.nodeName.span });
  }
  return asked;
}

function checkSans(ctx: CheckContext, units: KubeadmConfigUnit[]): void {
  const cluster = pick(units, 'ClusterConfiguration');
  const dir = cluster?.certificatesDir?.value ?? DEFAULT_CERTIFICATES_DIR;
  const anchor = cluster?.certificatesDir?.span ?? (cluster ?? units[0]).span;
  // apiServer.extraArgs tls-cert-file replaces the certificate kubeadm writes as the one the apiserver serves.
  const tlsCert = cluster?.apiServerExtraArgs.get('tls-cert-file');
  const apiPath = tlsCert?.value ?? path.posix.join(dir, 'apiserver.crt');
  const asked = apiserverNames(units, cluster);
  if (asked.length) {
    const cert = certAt(ctx, implied(ctx, apiPath, tlsCert?.span ?? anchor, tlsCert ? '--tls-cert-file' : 'certificatesDir'));
    if (cert) reportMissing(ctx, cert, apiPath, 'apiserver', asked);
  }
  if (!cluster || cluster.etcdExternal) return;
  const etcd: Array<[SpannedValue[], string, string, string]> = [
    [cluster.etcdServerCertSANs, 'etcd.local.serverCertSANs', 'etcd/server.crt', 'etcd-server'],
    [cluster.etcdPeerCertSANs, 'etcd.local.peerCertSANs', 'etcd/peer.crt', 'etcd-peer'],
  ];
  for (const [sans, field, rel, phase] of etcd) {
    if (!sans.length) continue;
    const p = path.posix.join(dir, rel);
    const cert = certAt(ctx, implied(ctx, p, anchor, 'certificatesDir'));
    if (cert)
      reportMissing(
        ctx,
        cert,
        p,
        phase,
        sans.map((s) => ({ name: s.value, field, span: s.span })),
      );
  }
}

/** pubkeypin.Allow's verdict on one entry: its error, or the lower-case hex. */
function parsePin(pin: string): { error: string } | { hex: string } {
  const parts = pin.split(':');
  if (parts.length !== 2) return { error: 'invalid hash, expected "format:hex-value". Known format(s) are: sha256' };
  const [format, value] = parts;
  if (format.toLowerCase() !== 'sha256') return { error: `unknown hash format "${format}". Known format(s) are: sha256` };
  // hex.DecodedLen(len) is len/2: Go counts bytes before decoding.
  const bytes = Math.floor(value.length / 2);
  if (bytes !== 32) return { error: `invalid hash "${pin}", expected a 32 byte SHA-256 hash, found ${bytes} bytes` };
  if (!/^[0-9a-fA-F]*$/.test(value)) return { error: `invalid hash "${pin}", could not decode SHA-256 from hex: encoding/hex: invalid byte` };
  return { hex: value.toLowerCase() };
}

function checkPins(ctx: CheckContext, units: KubeadmConfigUnit[]): void {
  const join = pick(units, 'JoinConfiguration');
  if (!join || join.caCertHashes.length === 0) return;
  const good: Array<{ pin: SpannedValue; hex: string }> = [];
  for (const pin of join.caCertHashes) {
    const r = parsePin(pin.value);
    if ('error' in r) {
      ctx.report(
        'ca-pin-mismatch',
        pin.span,
        `kubeadm join refuses this discovery.bootstrapToken.caCertHashes entry: "${r.error}". A pin is "sha256:" followed by the hex SHA-256 of the CA certificate's public key (SubjectPublicKeyInfo), as \`kubeadm init\` and \`kubeadm token create --print-join-command\` print it.`,
      );
    } else good.push({ pin, hex: r.hex });
  }
  if (good.length === 0) return;
  const caPath = join.caCertPath?.value ?? path.posix.join(DEFAULT_CERTIFICATES_DIR, 'ca.crt');
  const ca = certAt(ctx, implied(ctx, caPath, join.caCertPath?.span ?? join.span, 'caCertPath'));
  if (!ca) return;
  const actual = createHash('sha256').update(ca.publicKey.spkiDer).digest('hex');
  if (good.some((g) => g.hex === actual)) return;
  const first = good[0].pin;
  ctx.report(
    'ca-pin-mismatch',
    first.span,
    `None of discovery.bootstrapToken.caCertHashes is the cluster CA's public key: ${who(ca)} (${caPath}) is sha256:${actual}. kubeadm join fails with "couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: none of the public keys "sha256:${actual}" are pinned". Pin sha256:${actual} (the CA was re-created, or the hash was copied from another cluster).`,
  );
}

export function kubeadmConfig(ctx: CheckContext): void {
  const units = ctx.unitsHere('kubeadm-config');
  if (units.length === 0) return;
  checkSans(ctx, units);
  checkPins(ctx, units);
}
