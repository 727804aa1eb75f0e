// untrusted-issuer: a certificate must chain to the CA of whoever verifies it. Each pair is a handshake the
// cluster makes (the catalog's `verifiedBy`, cluster/catalog.ts); the finding sits on the reference the user
// most likely has to fix.
import { type ComponentUnit, type KubeadmConfigUnit, type KubeconfigUnit, type KubeletConfigUnit, type Reference } from '../parse';
import {
  apiserversOf,
  caNames,
  chainError,
  clustersOfUser,
  ekuRestriction,
  componentUnits,
  flagRef,
  issuerName,
  kubeconfigClientVerifier,
  kubeletFields,
  nearest,
  verifications,
  who,
} from '../cluster';
import type { CheckContext } from './context';
import type { Certificate } from '../pki/certificate';
import type { Usage } from '../cluster/catalog';
import * as path from 'node:path';

const kubeletConsequence = kubeletFields.tlsCertFile.verifiedBy![0].consequence;

interface Pair {
  /** The certificate presented. */
  certRef: Reference;
  /** The CA bundle that verifies it. */
  caRef: Reference;
  /** Where the finding goes: the certificate's reference, or the CA's. */
  reportOn: 'cert' | 'ca';
  consequence: string;
  /** The extended key usages the verifier asks for, each a handshake (the catalog's Verifier.usages). */
  usages: Usage[];
}

/**
 * Go's error for the pair, or undefined. The chain is verified for the usage the verifier asks for (Go's crypto/tls:
 * serverAuth for a server's certificate, clientAuth for a client's), except where the leaf or the intermediates
 * sent with it rule the usage out: eku-missing says so on the certificate's own line (checks/extendedKeyUsage.ts).
 */
function pairError(leaf: Certificate, chain: Certificate[], roots: Certificate[], usages: Usage[]): string | undefined {
  const error = chainError(leaf, roots, chain.slice(1));
  if (error) return error;
  const judged = usages.filter((u) => !ekuRestriction(chain, u));
  return judged.length ? chainError(leaf, roots, chain.slice(1), judged) : undefined;
}

/** Reports when the certificate does not chain to the CA; true when it reported. */
function judge(ctx: CheckContext, p: Pair): boolean {
  const certs = ctx.certs(p.certRef);
  const leaf = certs[0];
  const roots = ctx.certs(p.caRef);
  if (!leaf || roots.length === 0) return false;
  const error = pairError(leaf, certs, roots, p.usages);
  if (!error) return false;
  const cas = caNames(roots);
  const issuer = issuerName(leaf);
  const here = p.reportOn === 'cert' ? p.certRef : p.caRef;
  const there = p.reportOn === 'cert' ? p.caRef : p.certRef;
  const thereWhat = p.reportOn === 'cert' ? `${there.field} holds ${cas}` : `${there.field}: ${who(leaf)}, issued by ${issuer}`;
  const message =
    p.reportOn === 'cert'
      ? `${who(leaf)} is issued by ${issuer}, but it is verified against ${p.caRef.field} (${cas}): ${p.consequence} (${error}).`
      : `${p.caRef.field} (${cas}) does not verify ${who(leaf)}, issued by ${issuer}: ${p.consequence} (${error}).`;
  ctx.report('untrusted-issuer', here.span, message, [ctx.related(there.file, there.span, thereWhat)]);
  return true;
}

/** The units of a component in the workspace (the kubelet's: its config files). */
function unitsOf(ctx: CheckContext, component: string): (ComponentUnit | KubeletConfigUnit)[] {
  return component === 'kubelet' ? ctx.units('kubelet-config') : componentUnits(ctx, component as ComponentUnit['component']);
}

/** A flag of a component unit, or a field of a kubelet config (`authentication.x509.clientCAFile`, `tlsCertFile`). */
function refOf(unit: ComponentUnit | KubeletConfigUnit, field: string): Reference | undefined {
  if (unit.kind === 'component') return flagRef(unit, field);
  return [unit.clientCA, unit.tlsCert, unit.tlsKey].find((r) => r?.field === field);
}

/**
 * The handshakes a component's manifest takes part in: each pair is judged in the file of the reference it is
 * reported on, with the nearest units of the other side (or this very unit).
 */
function componentPairs(ctx: CheckContext, unit: ComponentUnit): Pair[] {
  const pairs: Pair[] = [];
  for (const v of verifications) {
    if (!v.finding) continue;
    const here = v.reportOn === 'cert' ? v.cert : v.ca;
    const there = v.reportOn === 'cert' ? v.ca : v.cert;
    if (here.component !== unit.component) continue;
    const hereRef = flagRef(unit, here.field);
    if (!hereRef) continue;
    const others = v.sameUnit ? [unit] : nearest(unitsOf(ctx, there.component), unit.file);
    for (const other of others) {
      const thereRef = refOf(other, there.field);
      if (!thereRef) continue;
      const [certRef, caRef] = v.reportOn === 'cert' ? [hereRef, thereRef] : [thereRef, hereRef];
      pairs.push({ certRef, caRef, reportOn: v.reportOn, consequence: v.consequence, usages: v.usages });
    }
  }
  return pairs;
}

/**
 * A kubeadm config's external etcd client certificate (etcd.external.certFile, the apiserver's --etcd-certfile once
 * kubeadm writes its manifest) against the CA the etcd in the workspace trusts, as the catalog says of --etcd-certfile.
 */
function externalEtcdPairs(ctx: CheckContext, unit: KubeadmConfigUnit): Pair[] {
  const certRef = unit.etcdExternal?.cert;
  if (!certRef) return [];
  const pairs: Pair[] = [];
  for (const v of verifications) {
    if (!v.finding || v.cert.component !== 'kube-apiserver' || v.cert.field !== 'etcd-certfile' || v.reportOn !== 'cert') continue;
    for (const other of nearest(unitsOf(ctx, v.ca.component), unit.file)) {
      const caRef = refOf(other, v.ca.field);
      if (caRef) pairs.push({ certRef, caRef, reportOn: 'cert', consequence: v.consequence, usages: v.usages });
    }
  }
  return pairs;
}

export function trust(ctx: CheckContext): void {
  const pairs: Pair[] = [];
  for (const unit of ctx.unitsHere('component')) pairs.push(...componentPairs(ctx, unit));
  for (const unit of ctx.unitsHere('kubeadm-config')) pairs.push(...externalEtcdPairs(ctx, unit));
  for (const p of pairs) judge(ctx, p);
  for (const kc of ctx.unitsHere('kubeconfig')) kubeconfigTrust(ctx, kc);
  for (const kubelet of ctx.unitsHere('kubelet-config')) defaultKubeletServing(ctx, kubelet);
}

// The kubelet's --cert-dir default (cmd/kubelet/app/options/options.go). Without tlsCertFile the kubelet serves
// <cert-dir>/kubelet.crt, a self-signed certificate it makes at start (InitializeTLS in cmd/kubelet/app/server.go),
// or with serverTLSBootstrap the certificate its CSR gets, kept as <cert-dir>/kubelet-server-current.pem
// (pkg/kubelet/certificate/kubelet.go).
const KUBELET_CERT_DIR = '/var/lib/kubelet/pki';

/**
 * A kubelet config without tlsCertFile: the certificate the kubelet serves by default, when the workspace holds
 * it, against the --kubelet-certificate-authority of the apiservers beside it. Reported on the kubelet config
 * (serverTLSBootstrap, or its kind line): that is where a serving certificate the CA verifies is asked for. A
 * default file the workspace lacks is no finding: the kubelet makes it, and flags kube-pki cannot see may
 * override the config.
 */
function defaultKubeletServing(ctx: CheckContext, kubelet: KubeletConfigUnit): void {
  if (kubelet.tlsCert) return;
  const file = kubelet.serverTLSBootstrap ? 'kubelet-server-current.pem' : 'kubelet.crt';
  const certRef: Reference = {
    file: kubelet.file,
    span: kubelet.serverTLSBootstrap ?? kubelet.span,
    field: `${KUBELET_CERT_DIR}/${file}`,
    expect: 'cert',
    source: { kind: 'path', path: `${KUBELET_CERT_DIR}/${file}`, baseDir: path.dirname(kubelet.file) },
  };
  const certs = ctx.certs(certRef);
  const leaf = certs[0];
  if (!leaf) return;
  for (const api of nearest(componentUnits(ctx, 'kube-apiserver'), kubelet.file)) {
    const caRef = flagRef(api, 'kubelet-certificate-authority');
    const roots = ctx.certs(caRef);
    if (!caRef || roots.length === 0) continue;
    const error = pairError(leaf, certs, roots, ['serverAuth']);
    if (!error) continue;
    const how = kubelet.serverTLSBootstrap
      ? `with serverTLSBootstrap the kubelet serves the certificate its CSR got, ${certRef.field}`
      : `without tlsCertFile the kubelet serves ${certRef.field}, a self-signed certificate it makes at start`;
    const fix = kubelet.serverTLSBootstrap
      ? `Have the kubelet-serving CSRs signed by the CA in ${caRef.field}`
      : `Set serverTLSBootstrap: true (and approve the kubelet-serving CSRs) or tlsCertFile to a certificate issued by the CA in ${caRef.field}`;
    ctx.report(
      'untrusted-issuer',
      certRef.span,
      `${how}: ${who(leaf)}, issued by ${issuerName(leaf)}. The apiserver verifies kubelets with ${caRef.field} (${caNames(roots)}): ${kubeletConsequence} (${error}). ${fix}.`,
      [ctx.related(api.file, caRef.span, `${caRef.field} holds ${caNames(roots)}`)],
    );
    return;
  }
}

function kubeconfigTrust(ctx: CheckContext, kc: KubeconfigUnit): void {
  // Several apiservers of one cluster share a CA: one finding per reference is enough.
  const reported = new Set<Reference>();
  const judgeOnce = (p: Pair) => {
    const here = p.reportOn === 'cert' ? p.certRef : p.caRef;
    if (!reported.has(here) && judge(ctx, p)) reported.add(here);
  };
  // The apiserver's serving certificate against the cluster's certificate-authority: only for
  // apiservers this cluster certainly dials (by host), since another cluster's CA is no defect.
  for (const cluster of kc.clusters) {
    if (!cluster.ca || cluster.insecure) continue;
    const { byHost, targets } = apiserversOf(ctx, cluster, kc.file);
    if (!byHost) continue;
    for (const t of targets) {
      if (!t.certRef) continue;
      judgeOnce({
        certRef: t.certRef,
        caRef: cluster.ca,
        reportOn: 'ca',
        // Go's own error follows in the message: unknown authority for another CA, incompatible key usage for a CA
        // that does not allow serverAuth.
        consequence: 'kubectl and every client of this kubeconfig will refuse the apiserver (a stale kubeconfig after the CA changed?)',
        usages: ['serverAuth'],
      });
    }
  }
  // Each user's client certificate against the --client-ca-file of the apiservers it talks to.
  for (const user of kc.users) {
    if (!user.cert) continue;
    const seen = new Set<ComponentUnit>();
    for (const cluster of clustersOfUser(kc, user)) {
      for (const t of apiserversOf(ctx, cluster, kc.file).targets) {
        if (seen.has(t.unit)) continue;
        seen.add(t.unit);
        const clientCA = flagRef(t.unit, kubeconfigClientVerifier.field);
        if (!clientCA) continue;
        judgeOnce({
          certRef: user.cert,
          caRef: clientCA,
          reportOn: 'cert',
          consequence: 'the apiserver will answer 401 Unauthorized',
          usages: ['clientAuth'],
        });
      }
    }
  }
}
