// kind's cluster config (kind.x-k8s.io/v1alpha4 Cluster), judged where a failure is certain from the files:
//
// yaml-invalid: a kubeadmConfigPatches entry that is not YAML. `kind create cluster` fails before creating anything
// (pkg/internal/patch/mergepatch.go parseMergePatches: parseYAMLMatchInfo returns "failed to parse type meta for
// ...", wrapped as "failed to parse patches"). A patch whose kind matches no kubeadm document is ignored by kind
// (resource.go matches): nothing fails, nothing is said.
//
// san-missing: a kubeconfig's cluster that kind wrote for this config (named kind-<name>) dials a DNS name the
// apiserver's certificate will not hold (cluster/kind.ts: the names are all known from the config; the IPs are not,
// so an IP is never judged). Reported on the kubeconfig's server: line.
import * as path from 'node:path';
import { isIP } from 'node:net';
import { kindCertDnsNames, kindKubeconfigName, kindNamesHold, serverHost } from '../cluster';
import type { CheckContext } from './context';

function portOf(url: string): string | undefined {
  try {
    const u = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? url : `https://${url}`);
    return u.port || '443';
  } catch {
    return undefined;
  }
}

export function kind(ctx: CheckContext): void {
  for (const unit of ctx.unitsHere('kind-cluster')) {
    for (const p of unit.patches) {
      if (!p.error) continue;
      ctx.report(
        'yaml-invalid',
        p.error.span,
        `This kubeadmConfigPatches entry does not parse as YAML (${p.error.message}): \`kind create cluster\` fails with "failed to parse patches: failed to parse type meta for ...", before creating any node.`,
      );
    }
  }
  const kubeconfigs = ctx.unitsHere('kubeconfig');
  if (kubeconfigs.length === 0) return;
  const configs = ctx.units('kind-cluster');
  if (configs.length === 0) return;
  for (const kc of kubeconfigs) {
    for (const cluster of kc.clusters) {
      if (cluster.insecure || !cluster.name.startsWith('kind-')) continue;
      const sh = serverHost(cluster);
      if (!sh || isIP(sh.host)) continue;
      const port = cluster.server ? portOf(cluster.server.value.trim()) : undefined;
      const mine = configs.filter(
        (u) => kindKubeconfigName(u) === cluster.name && (!u.apiServerPort || !sh || sh.viaTlsServerName || u.apiServerPort.value === port),
      );
      if (mine.length === 0) continue;
      // Several configs of that name: the host must be missing from every one's certificate.
      const sets = mine.map((u) => kindCertDnsNames(u));
      if (sets.some((s) => !s || kindNamesHold(s.names, s.nodePattern, sh.host))) continue;
      const first = mine[0];
      const names = [`${first.name}-control-plane`, ...sets[0]!.names];
      const span = sh.viaTlsServerName ? cluster.tlsServerName!.span : cluster.server!.span;
      ctx.report(
        'san-missing',
        span,
        `kubectl will fail: "x509: certificate is valid for ${names.join(', ')}, not ${sh.host}". kind's apiserver certificate for cluster "${first.name}" (${path.basename(first.file)}) holds the names kind and kubeadm give it and the certSANs of its kubeadmConfigPatches, and ${sh.host} is none of them. Add it to apiServer.certSANs in a ClusterConfiguration patch and re-create the cluster, or dial ${first.apiServerAddress?.value ?? '127.0.0.1'} as kind's kubeconfig does.`,
        mine.map((u) => ctx.related(u.file, u.span, `kind cluster "${u.name}"`)),
      );
    }
  }
}
