// A k3s or RKE2 server's configuration (/etc/rancher/k3s/config.yaml, config.yaml.d/*.yaml, /etc/rancher/rke2/config.yaml)
// against the apiserver's serving certificate the server keeps in <data-dir>/server/tls/serving-kube-apiserver.crt,
// where the workspace holds it (found as other node paths are: a copy of the node's tree, --root, path mappings).
// What is not there is not judged.
//
// san-missing: the server puts tls-san, the advertised address, the node's names and IPs, the first IP of
// service-cidr and kubernetes.default.svc.<cluster-domain> in that certificate (cluster/distro.ts), and the same
// list in the supervisor's listener certificate on port 6443. It re-issues the certificate when it starts and a
// name is missing (pkg/daemons/control/deps/deps.go, createClientCertKey: `regen = regen || expired(certFile) ||
// fieldsChanged(certFile, commonName, organization, altNames, caCertFile)`), so a certificate lacking a configured
// name is what the running server serves until it restarts: clients dialling the name fail. Reported on the
// config line that asks for the name.
//
// The server's own files (<data-dir>/server/tls, cluster/distro.ts DISTRO_CERTIFICATES): a leaf the CA k3s's source
// verifies it with does not verify (untrusted-issuer), a key beside it that is not its key (key-mismatch), an expired
// leaf (cert-expired). No line names these files: the config that describes the server carries the finding (its
// data-dir line, else its first line). k3s re-issues an expired leaf, or one whose CA does not match, when it starts
// (createClientCertKey: expired(certFile), fieldsChanged compares the AuthorityKeyId with the CA's SubjectKeyId), so
// each finding says the server serves the file until it restarts. Without a configuration judging the folder (a copy
// Each leaf the workspace reads as a document of its own (its discovery reads <data-dir>/server/tls/*.crt) is judged
// there, the finding on its first certificate: the file to replace, with or without a configuration beside it; the
// configuration's line carries only the leaves that are not documents (a configuration checked alone). A client
// certificate a kubeconfig in the workspace names is judged on the kubeconfig's lines instead.
import * as path from 'node:path';
import type { DistroConfigUnit, DistroTlsUnit, Reference } from '../parse';
import type { Certificate } from '../pki/certificate';
import { describeNames, hostMismatchMessage } from '../pki/verify';
import { sameKey } from '../pki/key';
import {
  chainError,
  caNames,
  distroAskedNames,
  distroDataDirs,
  distroTlsRef,
  DISTRO_CERTIFICATES,
  DISTRO_TLS,
  holdsAskedName,
  issuerName,
  who,
  type AskedName,
  type DistroCertificate,
} from '../cluster';
import { formatDay } from '../decode/time';
import type { CheckContext } from './context';

function servingCert(ctx: CheckContext, unit: DistroConfigUnit): { ref: Reference; cert: Certificate; dataDir: string } | undefined {
  for (const dir of distroDataDirs(unit)) {
    const ref = distroTlsRef(unit, dir, DISTRO_TLS.serving);
    const loaded = ctx.load(ref);
    if (loaded.ok && loaded.material.certs[0]) return { ref, cert: loaded.material.certs[0], dataDir: dir };
  }
  return undefined;
}

/** The server's tls folder: each leaf against its CA, its key, its expiry. */
function tlsFiles(ctx: CheckContext, unit: DistroConfigUnit, dataDir: string, restart: string): void {
  const documents = new Set(ctx.units('distro-tls').map((u) => u.file));
  for (const entry of DISTRO_CERTIFICATES) {
    // A leaf the workspace reads as a document of its own is judged there, on its own first line.
    const found = ctx.resolve(distroTlsRef(unit, dataDir, entry.file))?.found;
    if (found && documents.has(found)) continue;
    judgeLeaf(ctx, entry, (name) => distroTlsRef(unit, dataDir, name), `${dataDir}/server/tls`, restart);
  }
}

/**
 * One leaf of a tls folder (`refOf` a file of that folder, by its name there; `folder` how messages name the folder):
 * against the CA deps.go signs it with, the key beside it, its expiry. Findings on the leaf's reference.
 */
function judgeLeaf(ctx: CheckContext, entry: DistroCertificate, refOf: (name: string) => Reference, folder: string, restart: string): void {
  const now = ctx.now.getTime();
  const ref = refOf(entry.file);
  const certs = ctx.certs(ref);
  const leaf = certs[0];
  if (!leaf) return;
  const node = `${folder}/${entry.file}`;
  const roots = ctx.certs(refOf(entry.ca));
  const error = roots.length ? chainError(leaf, roots, certs.slice(1)) : undefined;
  if (error) {
    ctx.report(
      'untrusted-issuer',
      ref.span,
      `${node}, ${entry.title} (${who(leaf)}), is issued by ${issuerName(leaf)}, but ${entry.ca} (${caNames(roots)}) verifies it: ${entry.consequence} (${error}). ${restart}`,
    );
  }
  const keyRef = { ...refOf(entry.file.replace(/\.crt$/, '.key')), expect: 'key' as const };
  const loaded = ctx.load(keyRef);
  const key = loaded.ok ? loaded.material.privateKeys.find((k) => !k.encrypted && k.spkiDer) : undefined;
  if (key?.spkiDer && !sameKey(leaf.publicKey.spkiDer, key.spkiDer)) {
    ctx.report(
      'key-mismatch',
      ref.span,
      `${node.replace(/\.crt$/, '.key')} is not the private key of ${entry.title} (${who(leaf)}): the server cannot load the pair ("tls: private key does not match public key"). Remove both files and restart the server: it creates a new pair.`,
    );
  }
  ctx.changesAt(leaf.notAfter.getTime() + 1);
  if (now > leaf.notAfter.getTime()) {
    ctx.report(
      'cert-expired',
      ref.span,
      `${node}, ${entry.title} (${who(leaf)}), expired on ${formatDay(leaf.notAfter)}: TLS handshakes using it fail with "x509: certificate has expired or is not yet valid". ${restart}`,
    );
  }
}

function restartAdvice(program: 'k3s' | 'rke2'): string {
  const service = program === 'rke2' ? 'rke2-server' : 'k3s';
  return `${program} re-issues such a certificate from its CA when it starts (createClientCertKey in pkg/daemons/control/deps/deps.go): restart it (\`systemctl restart ${service}\`).`;
}

/**
 * A leaf of a tls folder read as a document (a copy of <data-dir>/server/tls, with or without the server's
 * configuration): judged by itself, with the CA and key beside it, the finding on its first certificate.
 * A client-*.crt deps.go makes that DISTRO_CERTIFICATES does not list (client-k3s-controller.crt, ...) is signed by
 * client-ca as every client certificate of genClientCerts is.
 */
function tlsLeafDocument(ctx: CheckContext, unit: DistroTlsUnit): void {
  const entry =
    DISTRO_CERTIFICATES.find((e) => e.file === unit.name) ??
    (unit.name.startsWith('client-') ? DISTRO_CERTIFICATES.find((e) => e.ca === DISTRO_TLS.clientCA) : undefined);
  if (!entry) return;
  const tlsDir = ctx.file.slice(0, ctx.file.length - unit.name.length - 1);
  // A client certificate a kubeconfig names (server/cred/*.kubeconfig) is judged on the kubeconfig's lines (its
  // issuer against the apiserver's client CA, its key, its expiry). The serving certificate is not: a kubeconfig
  // dialling the server judges its own CA against it, not the server's files.
  for (const kc of ctx.units('kubeconfig')) {
    if (kc.users.some((u) => u.cert && ctx.resolve(u.cert)?.found === ctx.file)) return;
  }
  const refOf = (name: string): Reference => ({
    file: ctx.file,
    span: unit.span,
    field: name,
    expect: 'cert',
    source: { kind: 'path', path: path.join(tlsDir, ...name.split('/')), baseDir: tlsDir },
  });
  const own =
    unit.name === entry.file ? entry : { ...entry, file: unit.name, title: `the ${unit.name.replace(/^client-|\.crt$/g, '')} client certificate` };
  judgeLeaf(ctx, own, refOf, 'server/tls', restartAdvice(/[\\/]rke2[\\/]/.test(ctx.file) ? 'rke2' : 'k3s'));
}

export function distroConfig(ctx: CheckContext): void {
  for (const unit of ctx.unitsHere('distro-tls')) tlsLeafDocument(ctx, unit);
  for (const unit of ctx.unitsHere('distro-config')) {
    const serving = servingCert(ctx, unit);
    if (!serving) continue;
    const { ref, cert, dataDir } = serving;
    const node = ref.source.kind === 'path' ? ref.source.path : DISTRO_TLS.serving;
    const program = unit.distro ?? (node.includes('/rke2/') ? 'rke2' : 'k3s');
    const service = program === 'rke2' ? 'rke2-server' : 'k3s';
    tlsFiles(ctx, unit, dataDir, restartAdvice(program));
    // One finding per line and field, naming every name it asks that the certificate lacks.
    const groups = new Map<string, AskedName[]>();
    for (const a of distroAskedNames(unit)) {
      if (holdsAskedName(cert, a.name)) continue;
      const key = `${a.span.start}\0${a.field}`;
      const list = groups.get(key) ?? [];
      if (!list.some((x) => x.name === a.name)) list.push(a);
      groups.set(key, list);
    }
    for (const missing of groups.values()) {
      const names = missing.map((m) => m.name).join(', ');
      const first = missing[0];
      const asks = first.field === 'the names the server always adds' ? `${program} always puts ${names} in it` : `${first.field} asks for ${names}`;
      ctx.report(
        'san-missing',
        first.span,
        `${asks}, but the apiserver's serving certificate ${who(cert)} (${node}) lacks ${missing.length === 1 ? 'it' : 'them'}: clients dialling ${first.name} fail with "${hostMismatchMessage(cert, first.name)}". It is valid for ${describeNames(cert)}. ${program} re-issues the certificate when it starts and a configured name is missing (fieldsChanged in pkg/daemons/control/deps/deps.go), and the supervisor's listener on port 6443 takes the same names: the server has not been restarted since the name was added. Restart it (\`systemctl restart ${service}\`); a release without that rule only re-creates a missing file: stop the server, remove ${path.posix.basename(node)} and start it again.`,
      );
    }
  }
}
