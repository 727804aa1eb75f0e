// cert-manager Certificates: duration and renewBefore as cert-manager validates them (Go duration
// strings; duration at least 1h; renewBefore at least 5m and under the duration), an issuerRef the
// workspace's issuers hold, the dnsNames the webhooks and APIServices it serves are dialled by, and the
// Secret it wrote (when the workspace holds it) still matching the spec.
import type { CertManagerCertificateUnit, Span, SpannedValue } from '../parse';
import { matchesHost, namesMatchHost } from '../pki/verify';
import type { CheckContext } from './context';
import { who } from '../cluster';
import { lookupTable } from '../lookup';
import { mayRenderTo } from '../parse/template';
import { certEntry, clientLabel, dialledHost, injectedCertificate, mountedSecrets, objectName, sameNamespace, secretsNamed } from '../cluster';

const NS = 1;
const units = lookupTable<number>({ ns: NS, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 });
const HOUR = 3600e9;
const MINUTE = 60e9;
/** cert-manager's defaults and limits (pkg/apis/certmanager/v1: DefaultCertificateDuration, MinimumCertificateDuration, MinimumRenewBefore). */
const DEFAULT_DURATION = 2160 * HOUR;
const MIN_DURATION = HOUR;
const MIN_RENEW_BEFORE = 5 * MINUTE;

/** Go's time.ParseDuration, in nanoseconds (as a float: exact enough for comparisons), or Go's error text. */
export function parseGoDuration(text: string): { ns: number } | { error: string } {
  const quoted = JSON.stringify(text);
  let s = text;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ns: 0 };
  if (s === '') return { error: `time: invalid duration ${quoted}` };
  let total = 0;
  while (s !== '') {
    const m = /^(\d*)(\.(\d*))?/.exec(s)!;
    const whole = m[1];
    const frac = m[3] ?? '';
    if (whole === '' && frac === '') return { error: `time: invalid duration ${quoted}` };
    s = s.slice(m[0].length);
    const u = /^[^\d.]*/.exec(s)![0];
    if (u === '') return { error: `time: missing unit in duration ${quoted}` };
    const scale = units[u];
    if (scale === undefined) return { error: `time: unknown unit ${JSON.stringify(u)} in duration ${quoted}` };
    s = s.slice(u.length);
    total += Number(`${whole || '0'}.${frac || '0'}`) * scale;
  }
  if (total > 2 ** 63 - 1) return { error: `time: invalid duration ${quoted}` };
  return { ns: neg ? -total : total };
}

/** Go's Duration.String for whole seconds and above ("2160h0m0s"), as cert-manager prints limits. */
function goString(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let sec = Math.abs(ns) / 1e9;
  const h = Math.floor(sec / 3600);
  sec -= h * 3600;
  const m = Math.floor(sec / 60);
  sec -= m * 60;
  const secText = Number.isInteger(sec) ? String(sec) : sec.toFixed(9).replace(/0+$/, '');
  if (h) return `${sign}${h}h${m}m${secText}s`;
  if (m) return `${sign}${m}m${secText}s`;
  return `${sign}${secText}s`;
}

function durationOf(ctx: CheckContext, v: SpannedValue, field: string): number | undefined {
  const r = parseGoDuration(v.value.trim());
  if ('ns' in r) return r.ns;
  const days = /^(\d+)d$/.exec(v.value.trim());
  const hint = days ? ` Write ${Number(days[1]) * 24}h (Go durations have no days).` : ' Use a Go duration such as 2160h (90 days), 720h or 45m.';
  ctx.report(
    'duration-invalid',
    v.span,
    `spec.${field} "${v.value.trim()}" is not a Go duration (${r.error}): the apiserver rejects this Certificate and cert-manager never sees it.${hint}`,
  );
  return undefined;
}

function durations(ctx: CheckContext, c: CertManagerCertificateUnit): void {
  const duration = c.duration ? durationOf(ctx, c.duration, 'duration') : DEFAULT_DURATION;
  const renewBefore = c.renewBefore ? durationOf(ctx, c.renewBefore, 'renewBefore') : undefined;
  const rejected = "cert-manager's webhook rejects this Certificate, so it is never issued or renewed";
  if (c.duration && duration !== undefined && duration < MIN_DURATION) {
    ctx.report(
      'duration-invalid',
      c.duration.span,
      `spec.duration ${c.duration.value.trim()} is under 1h: ${rejected} ("certificate duration must be greater than 1h0m0s"). Use 1h or more.`,
    );
    return;
  }
  if (c.renewBefore && renewBefore !== undefined) {
    if (c.renewBeforePercentage) {
      ctx.report(
        'duration-invalid',
        c.renewBefore.span,
        `spec.renewBefore and spec.renewBeforePercentage are both set: ${rejected} ("renewBefore and renewBeforePercentage are mutually exclusive"). Keep one.`,
      );
    } else if (renewBefore < MIN_RENEW_BEFORE) {
      ctx.report(
        'duration-invalid',
        c.renewBefore.span,
        `spec.renewBefore ${c.renewBefore.value.trim()} is under 5m: ${rejected} ("certificate renewBefore must be greater than 5m0s").`,
      );
    } else if (duration !== undefined && renewBefore >= duration) {
      const d = c.duration ? `spec.duration ${c.duration.value.trim()}` : 'the default duration 2160h (90 days)';
      ctx.report(
        'duration-invalid',
        c.renewBefore.span,
        `spec.renewBefore ${c.renewBefore.value.trim()} is not shorter than ${d}: ${rejected} ("certificate duration ${goString(duration)} must be greater than renewBefore ${goString(renewBefore)}"); were it accepted, the certificate would be renewed the moment it is issued. Make renewBefore a fraction of the duration (the default is a third).`,
      );
    }
  }
}

/** An issuer whose name (or namespace) a template fills in, which may be the one `name` names once rendered. */
function templatedIssuer(ctx: CheckContext, kind: string, name: string, c: CertManagerCertificateUnit): boolean {
  return ctx.templatedUnits('cert-manager-issuer').some((i) => {
    const t = i.meta.templated!;
    if (i.objectKind !== kind || !mayRenderTo(t.name, name)) return false;
    if (kind === 'ClusterIssuer' || c.meta.templated) return true;
    return t.namespace === undefined ? sameNamespace(undefined, c.meta.namespace) : mayRenderTo(t.namespace, c.meta.namespace || 'default');
  });
}

function issuer(ctx: CheckContext, c: CertManagerCertificateUnit): void {
  const ref = c.issuerRef;
  if (!ref?.name || ref.group !== 'cert-manager.io' || (ref.kind !== 'Issuer' && ref.kind !== 'ClusterIssuer')) return;
  // Issuers with a name (those a template names are no issuer anyone can name before the chart is rendered).
  const all = ctx.units('cert-manager-issuer');
  // A workspace without issuers keeps them elsewhere (another repository, a Helm chart): nothing to say.
  if (all.length === 0) return;
  const name = ref.name.value;
  // Where the Certificate's namespace is a template's, any namespace may be its.
  const inNamespace = (ns: string | undefined) => !!c.meta.templated || sameNamespace(ns, c.meta.namespace);
  const found =
    ref.kind === 'ClusterIssuer'
      ? all.some((i) => i.objectKind === 'ClusterIssuer' && i.meta.name === name)
      : all.some((i) => i.objectKind === 'Issuer' && i.meta.name === name && inNamespace(i.meta.namespace));
  if (found || templatedIssuer(ctx, ref.kind, name, c)) return;
  const other = all.find((i) => i.meta.name === name && (i.objectKind !== ref.kind || !c.meta.templated));
  const certNamespace = c.meta.templated ? "the Certificate's namespace" : `namespace ${c.meta.namespace ?? 'default'}`;
  let hint = '';
  if (other && other.objectKind !== ref.kind) hint = ` There is a ${other.objectKind} named "${name}": set issuerRef.kind: ${other.objectKind}.`;
  else if (other)
    hint = ` There is an Issuer "${name}" in namespace ${other.meta.namespace ?? 'default'}, but an Issuer serves only its own namespace: use a ClusterIssuer, or an Issuer in ${c.meta.namespace ?? 'default'}.`;
  const where = ref.kind === 'Issuer' ? ` in ${certNamespace}` : '';
  const list =
    all
      .slice(0, 5)
      .map((i) => `${i.objectKind} ${objectName(i.meta)}`)
      .join(', ') + (all.length > 5 ? `, and ${all.length - 5} more` : '');
  ctx.report(
    'issuer-not-found',
    ref.name.span,
    `issuerRef names ${ref.kind} "${name}"${where}, which is not among this workspace's cert-manager issuers (${list}): unless it exists in the cluster, the Certificate never becomes Ready and nothing is issued (its CertificateRequest waits for the issuer).${hint}`,
    other ? [ctx.related(other.file, other.meta.span, `${other.objectKind} ${objectName(other.meta)}`)] : [],
  );
}

/** The hosts the webhooks and APIServices this Certificate serves are dialled by. */
function consumers(ctx: CheckContext, c: CertManagerCertificateUnit): { host: string; label: string; file: string; span: Span }[] {
  const out: { host: string; label: string; file: string; span: Span }[] = [];
  for (const unit of ctx.units('webhook')) {
    const injected = injectedCertificate(ctx, unit) === c;
    for (const client of unit.clients) {
      if (client.insecure || client.templated) continue;
      const target = dialledHost(client);
      if (!target) continue;
      // Known for sure: cainjector takes the webhook's CA from this Certificate, or the pods behind the
      // webhook's Service mount the Secret it writes. (A Certificate that merely names the Service may be for
      // another port: not judged here.)
      let serves = injected;
      if (!serves && client.service && sameNamespace(c.meta.namespace, client.service.namespace) && c.secretName) {
        serves = mountedSecrets(ctx, client.service).some((m) => m.name === c.secretName!.value);
      }
      if (serves) out.push({ host: target.host, label: clientLabel(unit, client), file: unit.file, span: target.span });
    }
  }
  return out;
}

/** Whether one of the names a template fills in may render to `name`. */
function mayRenderToName(c: CertManagerCertificateUnit, name: string): boolean {
  return (c.templatedNames ?? []).some((t) => mayRenderTo(t.toLowerCase(), name.toLowerCase()));
}

function names(c: CertManagerCertificateUnit): string {
  const all = [...c.dnsNames, ...c.ipAddresses].map((v) => v.value);
  return all.length ? all.join(', ') : 'no DNS names or IP addresses';
}

function dialledNames(ctx: CheckContext, c: CertManagerCertificateUnit): void {
  const missing = new Map<string, { label: string; file: string; span: Span }[]>();
  for (const u of consumers(ctx, c)) {
    if (
      namesMatchHost(
        c.dnsNames.map((d) => d.value),
        c.ipAddresses.map((i) => i.value),
        u.host,
      )
    )
      continue;
    // A name a template fills in may be this one once rendered (`webhook.${NAMESPACE}.svc`).
    if (mayRenderToName(c, u.host)) continue;
    const list = missing.get(u.host) ?? [];
    list.push(u);
    missing.set(u.host, list);
  }
  if (missing.size === 0) return;
  const hosts = [...missing.keys()];
  const list = hosts
    .map(
      (h) =>
        `${h} (${missing
          .get(h)!
          .map((u) => u.label)
          .join(', ')})`,
    )
    .join(', ');
  ctx.report(
    'san-missing',
    c.dnsNamesSpan ?? c.meta.span,
    `Certificate ${objectName(c.meta)} lacks ${hosts.length === 1 ? 'a name' : 'names'} the apiserver dials: ${list}. cert-manager will issue a certificate valid for ${names(c)} only, and the apiserver refuses it ("x509: certificate is valid for ${names(c)}, not ${hosts[0]}"). Add ${hosts.join(', ')} to spec.dnsNames.`,
    [...missing.values()].flat().map((u) => ctx.related(u.file, u.span, `${u.label}: the apiserver dials this`)),
  );
}

function staleSecret(ctx: CheckContext, c: CertManagerCertificateUnit): void {
  if (!c.secretName) return;
  for (const secret of secretsNamed(ctx, c.secretName.value, c.meta.namespace)) {
    const entry = certEntry(secret);
    const leaf = entry ? ctx.certs(entry.ref)[0] : undefined;
    if (!entry || !leaf) continue;
    const diffs: string[] = [];
    const certDns = new Set(leaf.dnsNames.map((d) => d.toLowerCase()));
    const specDns = new Set(c.dnsNames.map((d) => d.value.toLowerCase()));
    const lacking = [...specDns].filter((d) => !certDns.has(d));
    const extra = [...certDns].filter((d) => !specDns.has(d) && !mayRenderToName(c, d));
    if (lacking.length) diffs.push(`it lacks ${lacking.join(', ')}`);
    if (extra.length) diffs.push(`it names ${extra.join(', ')}, which spec.dnsNames no longer lists`);
    const certIps = new Set(leaf.ipAddresses);
    const specIps = c.ipAddresses.map((i) => i.value);
    const lackingIps = specIps.filter((ip) => !certIps.has(ip) && !matchesHost(leaf, ip));
    if (lackingIps.length) diffs.push(`it lacks IP ${lackingIps.join(', ')}`);
    if (c.commonName && (leaf.subject.commonName ?? '') !== c.commonName.value) {
      diffs.push(`its CN is "${leaf.subject.commonName ?? ''}", spec.commonName is "${c.commonName.value}"`);
    }
    if (diffs.length === 0) continue;
    ctx.report(
      'secret-stale',
      c.secretName.span,
      `Secret ${objectName(secret.meta)}, which this Certificate writes, holds ${who(leaf)} that does not match spec: ${diffs.join('; ')}. cert-manager re-issues it at its next reconcile; until then (and for a copy kept here: a backup, a GitOps repository) servers present the old certificate. Re-export the Secret after cert-manager renews it, or remove the copy.`,
      [
        ctx.related(
          secret.file,
          entry.ref.span,
          `${entry.key} of Secret ${objectName(secret.meta)}: ${who(leaf)}, valid for ${leaf.dnsNames.concat(leaf.ipAddresses).join(', ') || 'no names'}`,
        ),
      ],
    );
  }
}

export function certManager(ctx: CheckContext): void {
  for (const c of ctx.unitsHere('cert-manager-certificate')) {
    durations(ctx, c);
    issuer(ctx, c);
    dialledNames(ctx, c);
    staleSecret(ctx, c);
  }
}
