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
// apiServer / controllerManager / scheduler / etcd.local extraArgs naming files (--tls-private-key-file,
// --client-ca-file, --etcd-certfile, --cert-file, --peer-trusted-ca-file, ...): kubeadm puts them on the component's
// command line over its own flags (phases/controlplane/manifests.go, phases/etcd/local.go), so they are judged as the
// static pod's flags are (the same checks: missing files where their place is known, pem-invalid, key pairs with
// kubeadm's own partner files, usages, trust, expiry), each on its extraArgs line, when the node's static pod for that
// component (/etc/kubernetes/manifests/<component>.yaml) is not in the workspace: when it is, it is what runs, and it
// is judged itself. A file kubeadm writes (its certificates, keys and kubeconfigs) that is not there yet is no error:
// `kubeadm init` makes it.
//
// ca-pin-mismatch: `kubeadm join` pins the cluster CA by discovery.bootstrapToken.caCertHashes
// (cmd/kubeadm/app/util/pubkeypin/pubkeypin.go: "sha256:" + hex SHA-256 of the CA certificate's
// SubjectPublicKeyInfo; Allow refuses any other form, CheckAny wants one entry to match).
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { Component, KubeadmConfigUnit, Reference, SpannedValue } from '../parse';
import type { Certificate } from '../pki/certificate';
import { describeNames, hostMismatchMessage } from '../pki/verify';
import {
  cas,
  holdsAskedName,
  KUBEADM_CERTIFICATES_DIR,
  kubeadmCertificates,
  kubeadmLaunches,
  kubeadmWrittenFiles,
  who,
  type KubeadmCertificate,
} from '../cluster';
import type { CheckContext } from './context';
import { references } from './references';
import { expiry } from './expiry';
import { serverNames } from './serverNames';
import { identity } from './identity';
import { extendedKeyUsage } from './extendedKeyUsage';
import { caCertificates } from './caCertificates';
import { trust } from './trust';
import { keyPairs } from './keyPairs';
import { weakCrypto } from './weakCrypto';

/** The checks a static pod's component goes through (checks/index.ts), in that order. */
const componentChecks = [references, expiry, serverNames, identity, extendedKeyUsage, caCertificates, trust, keyPairs, weakCrypto];

/** Where a ClusterConfiguration sets each component's extraArgs. */
const SECTIONS: Record<Component, string> = {
  'kube-apiserver': 'apiServer',
  'kube-controller-manager': 'controllerManager',
  'kube-scheduler': 'scheduler',
  etcd: 'etcd.local',
};

function checkExtraArgs(ctx: CheckContext, units: KubeadmConfigUnit[]): void {
  const launches = kubeadmLaunches(units);
  if (launches.length === 0) return;
  const cluster = units.find((u) => u.objectKind === 'ClusterConfiguration');
  const written = kubeadmWrittenFiles(cluster?.certificatesDir?.value ?? KUBEADM_CERTIFICATES_DIR);
  for (const launch of launches) {
    // The node's static pod is in the workspace: it is what runs, judged itself.
    const manifest = ctx.load(launch.manifest);
    if (manifest.ok || manifest.code !== 'file-not-found') continue;
    const sub = ctx.over([launch.unit]);
    for (const check of componentChecks) check(sub);
    const lines = new Set(launch.spans.map((s) => JSON.stringify(ctx.parsed.lines.range(s.start, s.end))));
    // The references naming a file kubeadm writes, as references.ts starts its message: "--flag path" or "--flag: ".
    const kubeadms = launch.unit.refs.filter((r) => r.source.kind === 'path' && written.has(r.source.path));
    const kubeadmFile = (message: string) =>
      kubeadms.some(
        (r) =>
          r.source.kind === 'path' &&
          (message.startsWith(`${r.field} ${r.source.path}`) || (message.startsWith(`${r.field}: `) && message.includes(r.source.path))),
      );
    const seen = new Set<string>();
    for (const f of sub.findings) {
      const at = JSON.stringify(f.range);
      if (!lines.has(at)) continue;
      if (f.code === 'file-not-found' && kubeadmFile(f.message)) continue;
      const key = `${at}\0${f.code}\0${f.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      ctx.findings.push({
        ...f,
        message: `${SECTIONS[launch.component]}.extraArgs (kubeadm puts it on ${launch.component}'s command line): ${f.message}`,
      });
    }
  }
}

function certAt(ctx: CheckContext, ref: Reference): Certificate | undefined {
  const loaded = ctx.load(ref);
  return loaded.ok ? loaded.material.certs[0] : undefined;
}

function reportMissing(ctx: CheckContext, cert: Certificate, wanted: KubeadmCertificate): void {
  const seen = new Set<string>();
  for (const a of wanted.asked) {
    const key = `${a.span.start}\0${a.name}`;
    if (seen.has(key) || holdsAskedName(cert, a.name)) continue;
    seen.add(key);
    const base = wanted.path.replace(/\.crt$/, '');
    ctx.report(
      'san-missing',
      a.span,
      `${a.field} asks for ${a.name}, but ${who(cert)} (${wanted.path}) lacks it: the certificate was issued before the name was added, and kubeadm does not re-issue a certificate that exists (nor does \`kubeadm certs renew\`). Clients dialling ${a.name} fail with "${hostMismatchMessage(cert, a.name)}". It is valid for ${describeNames(cert)}. Remove ${base}.crt and ${base}.key and run \`kubeadm init phase certs ${wanted.phase} --config ${path.basename(ctx.file)}\`, or run \`kube-pki generate --fix\`.`,
    );
  }
}

function checkSans(ctx: CheckContext, units: KubeadmConfigUnit[]): void {
  for (const wanted of kubeadmCertificates(units)) {
    const cert = certAt(ctx, wanted.ref);
    if (cert) reportMissing(ctx, cert, wanted);
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
  const join = units.find((u) => u.objectKind === 'JoinConfiguration');
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
  const caPath = join.caCertPath?.value ?? path.posix.join(KUBEADM_CERTIFICATES_DIR, `${cas.ca.file}.crt`);
  const caRef: Reference = {
    file: ctx.file,
    span: join.caCertPath?.span ?? join.span,
    field: 'caCertPath',
    expect: 'ca',
    source: { kind: 'path', path: caPath, baseDir: path.dirname(ctx.file) },
  };
  const ca = certAt(ctx, caRef);
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
  checkExtraArgs(ctx, units);
  checkPins(ctx, units);
}
