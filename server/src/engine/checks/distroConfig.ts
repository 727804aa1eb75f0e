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
import * as path from 'node:path';
import type { DistroConfigUnit, Reference } from '../parse';
import type { Certificate } from '../pki/certificate';
import { describeNames, hostMismatchMessage } from '../pki/verify';
import { distroAskedNames, distroDataDirs, distroTlsRef, DISTRO_TLS, holdsAskedName, who, type AskedName } from '../cluster';
import type { CheckContext } from './context';

function servingCert(ctx: CheckContext, unit: DistroConfigUnit): { ref: Reference; cert: Certificate } | undefined {
  for (const dir of distroDataDirs(unit)) {
    const ref = distroTlsRef(unit, dir, DISTRO_TLS.serving);
    const loaded = ctx.load(ref);
    if (loaded.ok && loaded.material.certs[0]) return { ref, cert: loaded.material.certs[0] };
  }
  return undefined;
}

export function distroConfig(ctx: CheckContext): void {
  for (const unit of ctx.unitsHere('distro-config')) {
    const serving = servingCert(ctx, unit);
    if (!serving) continue;
    const { ref, cert } = serving;
    const node = ref.source.kind === 'path' ? ref.source.path : DISTRO_TLS.serving;
    const program = unit.distro ?? (node.includes('/rke2/') ? 'rke2' : 'k3s');
    const service = program === 'rke2' ? 'rke2-server' : 'k3s';
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
