// The endpoints the workspace names, and what each should serve: every kubeconfig `server:`, kube-apiserver's
// --etcd-servers, etcd's client and peer URLs (advertised and listened on), the kubelet's port 10250 at the
// address a node's files give (--node-ip or --address of its systemd unit, else the --advertise-address of the
// kube-apiserver in the same node tree), and webhooks' `url:`. A service-backed webhook or APIService names no
// address (the apiserver resolves the Service in the cluster): it is not dialled. Only hosts written in the
// workspace are ever dialled: nothing here guesses an address; a wildcard listen address (0.0.0.0, ::), a
// template or a non-TLS scheme (http://, unix://) is left out.
import * as path from 'node:path';
import { flag, locate, type ComponentUnit, type KubeletConfigUnit, type Reference, type Span } from '../parse';
import { apiserversOf, componentUnits, flagRef, nearest, serverHost, type ClusterQuery } from '../cluster';
import type { Engine } from '../workspace/engine';
import type { Range } from '../types';
import type { ProbeTarget } from './types';

/** The kubelet's default HTTPS port (KubeletConfiguration port, --port: 10250). */
export const KUBELET_PORT = 10250;

interface Endpoint {
  host: string;
  port: number;
}

function bracket(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export function addressOf(e: Endpoint): string {
  return `${bracket(e.host)}:${e.port}`;
}

const TEMPLATE = /\{\{|\$\{|\$\(/;

/**
 * An https URL's host and port (443 when none), as Go's net/url and client-go read it; a bare `host:port` is taken
 * as https (kubectl does). undefined for another scheme, a template, a wildcard address or what does not parse.
 */
export function httpsEndpoint(url: string, defaultPort = 443): Endpoint | undefined {
  const s = url.trim();
  if (!s || TEMPLATE.test(s)) return undefined;
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `https://${s}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    return undefined;
  }
  if (u.protocol !== 'https:') return undefined;
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!host || isWildcard(host)) return undefined;
  return { host, port: u.port ? Number(u.port) : defaultPort };
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]' || host === '0:0:0:0:0:0:0:0';
}

export function isIpAddress(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

/** What targets are built from: the engine's query, and ranges of spans in its documents. */
class Reader {
  constructor(
    readonly engine: Engine,
    readonly q: ClusterQuery = engine.cluster,
  ) {}

  where(file: string, span: Span): { file: string; range: Range } {
    const parsed = this.engine.parsed(file);
    if (!parsed) return { file, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
    return locate(parsed, span);
  }

  expected(ref: Reference | undefined): ProbeTarget['expected'] {
    const cert = this.q.leaf(ref);
    if (!ref || !cert) return undefined;
    const at = this.where(ref.file, ref.span);
    const certFile = this.q.resolve(ref)?.found;
    return { file: at.file, range: at.range, field: ref.field, ...(certFile ? { certFile } : {}), cert };
  }

  trust(ref: Reference | undefined): ProbeTarget['trust'] {
    const certs = this.q.certs(ref);
    if (!ref || certs.length === 0) return undefined;
    const at = this.where(ref.file, ref.span);
    return { file: at.file, range: at.range, field: ref.field, certs };
  }
}

function target(
  r: Reader,
  file: string,
  span: Span,
  field: string,
  url: string,
  e: Endpoint,
  rest: Pick<ProbeTarget, 'role' | 'component' | 'expected' | 'trust'> & { serverName?: string; verifyHost?: string },
): ProbeTarget {
  const at = r.where(file, span);
  const serverName = rest.serverName ?? (isIpAddress(e.host) ? undefined : e.host);
  return {
    address: addressOf(e),
    host: e.host,
    port: e.port,
    ...(serverName ? { serverName } : {}),
    ...(rest.verifyHost ? { verifyHost: rest.verifyHost } : {}),
    file: at.file,
    range: at.range,
    field,
    url,
    role: rest.role,
    component: rest.component,
    ...(rest.expected ? { expected: rest.expected } : {}),
    ...(rest.trust ? { trust: rest.trust } : {}),
  };
}

/** The URLs of a comma-separated URL flag (etcd's and --etcd-servers), each an https endpoint or left out. */
function urlsOf(unit: ComponentUnit, name: string): { url: string; e: Endpoint; span: Span }[] {
  const f = flag(unit, name);
  if (!f) return [];
  const out: { url: string; e: Endpoint; span: Span }[] = [];
  for (const url of f.value.split(',')) {
    const e = httpsEndpoint(url, 2379);
    if (e) out.push({ url: url.trim(), e, span: f.span });
  }
  return out;
}

/** The one certificate several candidates agree on (the same bytes), else undefined: an ambiguous expectation is none. */
function agreed(list: (ProbeTarget['expected'] | undefined)[]): ProbeTarget['expected'] {
  const found = list.filter((x): x is NonNullable<ProbeTarget['expected']> => !!x);
  if (found.length === 0) return undefined;
  return found.every((x) => x.cert.sha256 === found[0].cert.sha256) ? found[0] : undefined;
}

function kubeconfigTargets(r: Reader, out: ProbeTarget[]): void {
  for (const kc of r.q.units('kubeconfig')) {
    for (const cluster of kc.clusters) {
      if (!cluster.server) continue;
      const e = httpsEndpoint(cluster.server.value);
      if (!e) continue;
      const sh = serverHost(cluster);
      const { byHost, targets } = apiserversOf(r.q, cluster, kc.file);
      // The apiserver's serving certificate only when the kubeconfig dials it by a host it names (its
      // --advertise-address or a SAN): a CA that merely trusts it says nothing about which one is there.
      const expected = byHost ? agreed(targets.filter((t) => !t.namesUnknown).map((t) => r.expected(t.certRef))) : undefined;
      out.push(
        target(r, kc.file, cluster.server.span, 'server', cluster.server.value, e, {
          role: 'kube-apiserver',
          component: targets[0]?.distro ?? 'kube-apiserver',
          expected,
          // insecure-skip-tls-verify: the client verifies nothing, so no chain can be refused.
          trust: cluster.insecure ? undefined : r.trust(cluster.ca),
          serverName: cluster.tlsServerName?.value,
          verifyHost: cluster.insecure ? undefined : sh?.host,
        }),
      );
    }
  }
}

/** Does etcd's listening (or advertised) URL serve this endpoint? The same port, and the same host or a wildcard. */
function etcdServes(etcd: ComponentUnit, e: Endpoint): boolean {
  for (const name of ['listen-client-urls', 'advertise-client-urls']) {
    const f = flag(etcd, name);
    if (!f) continue;
    for (const url of f.value.split(',')) {
      let u: URL;
      try {
        u = new URL(url.trim());
      } catch {
        continue;
      }
      const host = u.hostname.replace(/^\[|\]$/g, '');
      if (Number(u.port || 2379) !== e.port) continue;
      if (host === e.host || isWildcard(host)) return true;
    }
  }
  return false;
}

function etcdTargets(r: Reader, out: ProbeTarget[]): void {
  const etcds = componentUnits(r.q, 'etcd');
  const apis = componentUnits(r.q, 'kube-apiserver');
  for (const api of apis) {
    const trust = r.trust(flagRef(api, 'etcd-cafile'));
    for (const { url, e, span } of urlsOf(api, 'etcd-servers')) {
      const serving = nearest(
        etcds.filter((etcd) => etcdServes(etcd, e)),
        api.file,
      );
      out.push(
        target(r, api.file, span, '--etcd-servers', url, e, {
          role: 'etcd (client URL)',
          component: 'etcd',
          expected: agreed(serving.map((etcd) => r.expected(flagRef(etcd, 'cert-file')))),
          trust,
          verifyHost: e.host,
        }),
      );
    }
  }
  for (const etcd of etcds) {
    const expected = r.expected(flagRef(etcd, 'cert-file'));
    // The CA etcd's clients verify it with: the nearest apiserver's --etcd-cafile, else etcd's own client CA
    // (kubeadm gives both the etcd CA).
    const clientCa = nearest(apis, etcd.file)
      .map((api) => r.trust(flagRef(api, 'etcd-cafile')))
      .find((t) => t);
    const trust = clientCa ?? r.trust(flagRef(etcd, 'trusted-ca-file'));
    for (const [name, advertised] of [
      ['advertise-client-urls', true],
      ['listen-client-urls', false],
    ] as const) {
      for (const { url, e, span } of urlsOf(etcd, name)) {
        out.push(
          target(r, etcd.file, span, `--${name}`, url, e, {
            role: 'etcd (client URL)',
            component: 'etcd',
            expected,
            trust,
            // Clients dial the advertised URLs; a listen URL need not be a name the certificate holds.
            verifyHost: advertised ? e.host : undefined,
          }),
        );
      }
    }
    const peerExpected = r.expected(flagRef(etcd, 'peer-cert-file'));
    const peerTrust = r.trust(flagRef(etcd, 'peer-trusted-ca-file'));
    for (const [name, advertised] of [
      ['initial-advertise-peer-urls', true],
      ['listen-peer-urls', false],
    ] as const) {
      for (const { url, e, span } of urlsOf(etcd, name)) {
        out.push(
          target(r, etcd.file, span, `--${name}`, url, e, {
            role: 'etcd (peer URL)',
            component: 'etcd',
            expected: peerExpected,
            trust: peerTrust,
            verifyHost: advertised ? e.host : undefined,
          }),
        );
      }
    }
  }
}

/** The folder holding a node's tree for a file kubeadm places under etc/kubernetes or var/lib/kubelet. */
function nodeFolder(file: string): string | undefined {
  const m = /^(.*?)[\\/](?:etc[\\/]kubernetes|var[\\/]lib[\\/]kubelet)[\\/]/.exec(file);
  return m ? m[1] : undefined;
}

function kubeletTargets(r: Reader, out: ProbeTarget[]): void {
  const apis = componentUnits(r.q, 'kube-apiserver');
  const flagsUnits = r.q.units('kubelet-flags');
  const seen = new Set<KubeletConfigUnit | (typeof flagsUnits)[number]>();
  const push = (file: string, span: Span, field: string, value: string, tlsCert: Reference | undefined, near: string) => {
    const host = value.trim();
    if (!host || isWildcard(host) || TEMPLATE.test(host)) return;
    const e = { host: host.replace(/^\[|\]$/g, ''), port: KUBELET_PORT };
    out.push(
      target(r, file, span, field, value, e, {
        role: 'kubelet',
        component: 'the kubelet',
        expected: r.expected(tlsCert),
        // The apiserver verifies kubelets only when --kubelet-certificate-authority is set; it dials them by the
        // node's Hostname address first, which no file gives: the name is not verified here.
        trust: nearest(apis, near)
          .map((api) => r.trust(flagRef(api, 'kubelet-certificate-authority')))
          .find((t) => t),
      }),
    );
  };
  // A kubelet's systemd unit with --node-ip or --address: that address, and its config's tlsCertFile.
  for (const unit of flagsUnits) {
    const address = unit.flags.get('node-ip')?.at(-1) ?? unit.flags.get('address')?.at(-1);
    if (!address) continue;
    const configRef = unit.refs.find((ref) => ref.field === '--config');
    const found = configRef ? r.q.resolve(configRef)?.found : undefined;
    const config = found ? r.q.units('kubelet-config').find((k) => k.file === found) : undefined;
    if (config) seen.add(config);
    seen.add(unit);
    push(unit.file, address.span, `--${address.name}`, address.value.split(',')[0], unit.tlsCert ?? config?.tlsCert, unit.file);
  }
  // A kubelet config in a control-plane node's tree: the node's address is its kube-apiserver's --advertise-address.
  for (const config of r.q.units('kubelet-config')) {
    if (seen.has(config)) continue;
    const node = nodeFolder(config.file);
    if (node === undefined) continue;
    const api = apis.find((a) => nodeFolder(a.file) === node && flag(a, 'advertise-address'));
    if (!api) continue;
    const adv = flag(api, 'advertise-address')!;
    push(api.file, adv.span, '--advertise-address', adv.value, config.tlsCert, config.file);
  }
}

function webhookTargets(r: Reader, out: ProbeTarget[]): void {
  for (const unit of r.q.units('webhook')) {
    for (const client of unit.clients) {
      if (!client.url || client.templated) continue;
      const e = httpsEndpoint(client.url.value);
      if (!e) continue;
      out.push(
        target(r, unit.file, client.url.span, 'url', client.url.value, e, {
          role: `${unit.objectKind} ${client.name}`,
          component: 'the webhook server',
          trust: client.insecure ? undefined : r.trust(client.caBundle),
          verifyHost: client.insecure ? undefined : e.host,
        }),
      );
    }
  }
}

/**
 * Every endpoint line of the engine's documents, in file order. Nothing is dialled here: the adapters show the
 * addresses first (the editor asks before dialling).
 */
export function probeTargets(engine: Engine): ProbeTarget[] {
  const r = new Reader(engine);
  const out: ProbeTarget[] = [];
  kubeconfigTargets(r, out);
  etcdTargets(r, out);
  kubeletTargets(r, out);
  webhookTargets(r, out);
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return out.sort(
    (a, b) =>
      cmp(a.file, b.file) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      cmp(a.address, b.address),
  );
}

/** The distinct addresses of a list of targets, in order, with the lines naming each (for a confirmation). */
export function addressesOf(targets: ProbeTarget[]): { address: string; role: string; files: string[] }[] {
  const by = new Map<string, { address: string; role: string; files: string[] }>();
  for (const t of targets) {
    let a = by.get(t.address);
    if (!a) by.set(t.address, (a = { address: t.address, role: t.role, files: [] }));
    const base = path.basename(t.file);
    if (!a.files.includes(base)) a.files.push(base);
  }
  return [...by.values()];
}
