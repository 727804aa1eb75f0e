// untrusted-issuer: a certificate must chain to the CA of whoever verifies it. Each pair below is
// a handshake the cluster makes; the finding sits on the reference the user most likely has to fix.
import { type ComponentUnit, type Reference } from '../parse';
import type { CheckContext } from './context';
import { apiserversOf, caNames, chainError, clustersOfUser, componentUnits, flagRef, issuerName, nearest, who } from './relations';

interface Pair {
  /** The certificate presented. */
  certRef: Reference;
  /** The CA bundle that verifies it. */
  caRef: Reference;
  /** Where the finding goes: the certificate's reference, or the CA's. */
  reportOn: 'cert' | 'ca';
  consequence: string;
}

/** Reports when the certificate does not chain to the CA; true when it reported. */
function judge(ctx: CheckContext, p: Pair): boolean {
  const certs = ctx.certs(p.certRef);
  const leaf = certs[0];
  const roots = ctx.certs(p.caRef);
  if (!leaf || roots.length === 0) return false;
  const error = chainError(leaf, roots, certs.slice(1));
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

function apiserverPairs(ctx: CheckContext, api: ComponentUnit): Pair[] {
  const pairs: Pair[] = [];
  const proxyCert = flagRef(api, 'proxy-client-cert-file');
  const proxyCA = flagRef(api, 'requestheader-client-ca-file');
  if (proxyCert && proxyCA) {
    pairs.push({ certRef: proxyCert, caRef: proxyCA, reportOn: 'cert', consequence: 'extension API servers will reject proxied requests' });
  }
  const etcds = nearest(componentUnits(ctx, 'etcd'), api.file);
  const etcdCert = flagRef(api, 'etcd-certfile');
  const etcdCA = flagRef(api, 'etcd-cafile');
  for (const etcd of etcds) {
    const trusted = flagRef(etcd, 'trusted-ca-file');
    if (etcdCert && trusted) {
      pairs.push({ certRef: etcdCert, caRef: trusted, reportOn: 'cert', consequence: 'etcd will refuse the apiserver (tls: bad certificate) and the apiserver cannot start' });
    }
    const served = flagRef(etcd, 'cert-file');
    if (served && etcdCA) {
      pairs.push({ certRef: served, caRef: etcdCA, reportOn: 'ca', consequence: "the apiserver will not trust etcd's server certificate and cannot start" });
    }
  }
  const kubeletClient = flagRef(api, 'kubelet-client-certificate');
  if (kubeletClient) {
    for (const kubelet of nearest(ctx.units('kubelet-config'), api.file)) {
      if (kubelet.clientCA) {
        pairs.push({ certRef: kubeletClient, caRef: kubelet.clientCA, reportOn: 'cert', consequence: 'kubelets will reject the apiserver: kubectl logs/exec/port-forward fail with "Unauthorized"' });
      }
    }
  }
  const kubeletCA = flagRef(api, 'kubelet-certificate-authority');
  if (kubeletCA) {
    for (const kubelet of nearest(ctx.units('kubelet-config'), api.file)) {
      if (kubelet.tlsCert) {
        pairs.push({ certRef: kubelet.tlsCert, caRef: kubeletCA, reportOn: 'ca', consequence: "the apiserver will not trust the kubelet's serving certificate: kubectl logs/exec fail" });
      }
    }
  }
  return pairs;
}

function etcdPairs(unit: ComponentUnit): Pair[] {
  const peerCert = flagRef(unit, 'peer-cert-file');
  const peerCA = flagRef(unit, 'peer-trusted-ca-file');
  return peerCert && peerCA
    ? [{ certRef: peerCert, caRef: peerCA, reportOn: 'cert', consequence: 'etcd members will refuse each other and the cluster loses quorum' }]
    : [];
}

export function trust(ctx: CheckContext): void {
  const pairs: Pair[] = [];
  for (const unit of ctx.unitsHere('component')) {
    if (unit.component === 'kube-apiserver') pairs.push(...apiserverPairs(ctx, unit));
    if (unit.component === 'etcd') pairs.push(...etcdPairs(unit));
  }
  for (const p of pairs) judge(ctx, p);
  for (const kc of ctx.unitsHere('kubeconfig')) kubeconfigTrust(ctx, kc);
}

function kubeconfigTrust(ctx: CheckContext, kc: import('../parse').KubeconfigUnit): void {
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
    const { byHost, targets } = apiserversOf(ctx, cluster);
    if (!byHost) continue;
    for (const t of targets) {
      if (!t.certRef) continue;
      judgeOnce({
        certRef: t.certRef,
        caRef: cluster.ca,
        reportOn: 'ca',
        consequence: 'kubectl will fail: "x509: certificate signed by unknown authority" (a stale kubeconfig after the CA changed?)',
      });
    }
  }
  // Each user's client certificate against the --client-ca-file of the apiservers it talks to.
  for (const user of kc.users) {
    if (!user.cert) continue;
    const seen = new Set<ComponentUnit>();
    for (const cluster of clustersOfUser(kc, user)) {
      for (const t of apiserversOf(ctx, cluster).targets) {
        if (seen.has(t.unit)) continue;
        seen.add(t.unit);
        const clientCA = flagRef(t.unit, 'client-ca-file');
        if (!clientCA) continue;
        judgeOnce({
          certRef: user.cert,
          caRef: clientCA,
          reportOn: 'cert',
          consequence: 'the apiserver will answer 401 Unauthorized',
        });
      }
    }
  }
}
