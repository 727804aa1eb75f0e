// What an endpoint serves against what the files say it should: the verdicts of `kube-pki probe`.
//  - served-cert-differs: the served certificate is not the one in the file the component is configured with.
//    Files renewed and the process not restarted (kubernetes#103575, kubeadm#2409: `kubeadm certs renew` says
//    "You must restart the kube-apiserver, kube-controller-manager, kube-scheduler and etcd, so that they can
//    use the new certificates").
//  - served-cert-untrusted: the chain served does not verify against the CA the line's clients use, by Go's
//    crypto/x509 rules (pki/verify.ts), for serverAuth and the host they dial: what a Go client's handshake
//    fails with ("tls: failed to verify certificate: x509: ...").
//  - cert-expired, cert-not-yet-valid, cert-expiring: the served certificate's validity, as `check` judges files.
//  - endpoint-unreachable (info): nothing was served, and why (refused, timeout, not TLS); nothing compared.
import { codes } from '../codes';
import { parseCertificate, type Certificate } from '../pki/certificate';
import { verify } from '../pki/verify';
import { caNames, who } from '../cluster/chains';
import { DAY, distance, formatDay } from '../decode/time';
import type { Finding, RelatedLocation } from '../types';
import type { DialOutcome, ProbedEndpoint, ProbeTarget } from './types';

export interface JudgeOptions {
  now: Date;
  expiryWarningDays: number;
  /** How files are named in messages (the CLI: relative to the current folder). Default: as they are. */
  display?: (file: string) => string;
  timeoutMs?: number;
}

function finding(code: keyof typeof codes, t: ProbeTarget, message: string, related: RelatedLocation[] = []): Finding {
  return {
    file: t.file,
    range: t.range,
    severity: codes[code].severity,
    code,
    message,
    ...(related.length ? { related } : {}),
  };
}

function iso(d: Date): string {
  return Number.isNaN(d.getTime()) ? 'an invalid date' : d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "CN=kube-apiserver, serial 1A2B, not after 2026-11-28T10:00:00Z" */
export function certLine(c: Certificate): string {
  return `${who(c)}, serial ${c.serialNumber}, not after ${iso(c.notAfter)}`;
}

const REASON: Record<string, string> = {
  refused: 'connection refused',
  timeout: 'timed out',
  'not-tls': 'not TLS',
  unresolved: 'host not found',
  error: 'failed',
};

/** The others lines naming the same address, as related notes. */
function alsoNamedBy(group: ProbeTarget[], first: ProbeTarget): RelatedLocation[] {
  const out: RelatedLocation[] = [];
  const seen = new Set<string>([`${first.file}\0${first.range.start.line}`]);
  for (const t of group) {
    const key = `${t.file}\0${t.range.start.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ file: t.file, range: t.range, message: `${t.address} is also named here (${t.field})` });
  }
  return out;
}

/**
 * The findings for the targets of one address (dialled once) and what the dial gave, and the endpoint as reported.
 * A finding about the endpoint itself (unreachable, differs, expiry) goes on the first line naming it, the
 * others as related notes; one about a client's trust on each line whose CA refuses the chain.
 */
export function judgeEndpoint(group: ProbeTarget[], outcome: DialOutcome, o: JudgeOptions): { findings: Finding[]; endpoint: ProbedEndpoint } {
  const first = group[0];
  const show = o.display ?? ((f: string) => f);
  const names = group.map((t) => ({ file: t.file, range: t.range, field: t.field }));
  const findings: Finding[] = [];
  if (outcome.kind === 'unreachable') {
    findings.push(
      finding(
        'endpoint-unreachable',
        first,
        `${first.address} (${first.role}) could not be probed: ${REASON[outcome.reason]}: ${outcome.detail}; what it serves was not compared with the files.`,
        alsoNamedBy(group, first),
      ),
    );
    return { findings, endpoint: { address: first.address, role: first.role, names, outcome } };
  }
  const chain: Certificate[] = [];
  for (const der of outcome.chain) {
    try {
      chain.push(parseCertificate(der));
    } catch {
      break; // what follows an undecodable certificate is not offered as intermediates
    }
  }
  const leaf = chain[0];
  if (!leaf) {
    const detail = outcome.chain.length ? 'the certificate served does not decode' : 'no certificate was served';
    findings.push(
      finding('endpoint-unreachable', first, `${first.address} (${first.role}) could not be probed: ${detail}.`, alsoNamedBy(group, first)),
    );
    return { findings, endpoint: { address: first.address, role: first.role, names, outcome: { kind: 'unreachable', reason: 'error', detail } } };
  }

  // served-cert-differs: once per file expected (lines naming one address normally agree on it).
  let matchesFile: boolean | undefined;
  const expectedSeen = new Set<string>();
  for (const t of group) {
    const exp = t.expected;
    if (!exp || expectedSeen.has(exp.cert.sha256)) continue;
    expectedSeen.add(exp.cert.sha256);
    if (exp.cert.sha256 === leaf.sha256) {
      matchesFile ??= true;
      continue;
    }
    matchesFile = false;
    const older = leaf.notAfter.getTime() < exp.cert.notAfter.getTime() || leaf.notBefore.getTime() < exp.cert.notBefore.getTime();
    const holder = exp.certFile ? show(exp.certFile) : `the ${exp.field} data of ${show(exp.file)}`;
    const advice = older
      ? `the file was renewed but ${t.component} still serves the earlier certificate: restart ${t.component} so that it reads ${holder}`
      : `the file is not what ${t.component} serves (another file configured, or the file replaced by an older one): restart ${t.component} once ${holder} holds the certificate to serve`;
    findings.push(
      finding(
        'served-cert-differs',
        t,
        `${t.address} (${t.role}) serves ${certLine(leaf)}, but ${holder} (${exp.field} in ${show(exp.file)}) holds ${certLine(exp.cert)}: ${advice}.`,
        [
          { file: exp.file, range: exp.range, message: `${exp.field}: the certificate that should be served, ${certLine(exp.cert)}` },
          ...alsoNamedBy(group, t),
        ],
      ),
    );
  }

  // served-cert-untrusted: against the CA each line's clients verify with, at the probe's instant (expiry has codes
  // of its own below). Lines sharing one CA reference and one error (etcd's advertise and listen URLs, the
  // apiserver's --etcd-servers) get one finding, on the first, the others as related notes.
  const untrusted = new Map<string, Finding>();
  for (const t of group) {
    if (!t.trust) continue;
    const r = verify(leaf, { roots: t.trust.certs, intermediates: chain.slice(1), at: o.now, usages: ['serverAuth'], host: t.verifyHost });
    if (r.ok || !r.error || r.error.kind === 'expired' || r.error.kind === 'not-yet-valid') continue;
    const key = `${t.trust.file}\0${t.trust.range.start.line}\0${t.trust.range.start.character}\0${r.error.message}`;
    const same = untrusted.get(key);
    if (same) {
      const at = `${t.file}\0${t.range.start.line}`;
      if (`${same.file}\0${same.range.start.line}` !== at && !same.related!.some((x) => `${x.file}\0${x.range.start.line}` === at))
        same.related!.push({ file: t.file, range: t.range, message: `${t.address} is also named here (${t.field}), verified with the same CA` });
      continue;
    }
    const f = finding(
      'served-cert-untrusted',
      t,
      `${t.address} (${t.role}) serves ${who(leaf)} (issued by ${leaf.issuer.text || '(empty issuer)'}), which clients verifying it with ${t.trust.field} (${caNames(t.trust.certs)}) refuse: "tls: failed to verify certificate: ${r.error.message}".`,
      [
        {
          file: t.trust.file,
          range: t.trust.range,
          message: `${t.trust.field}: the CA this line's clients verify the server with, ${caNames(t.trust.certs)}`,
        },
      ],
    );
    untrusted.set(key, f);
    findings.push(f);
  }

  // Validity of what is served, once per endpoint.
  const now = o.now.getTime();
  const served = `the certificate served at ${first.address} (${first.role}), ${certLine(leaf)},`;
  const related = alsoNamedBy(group, first);
  if (now > leaf.notAfter.getTime()) {
    findings.push(
      finding(
        'cert-expired',
        first,
        `${served} expired on ${formatDay(leaf.notAfter)} (${distance(now - leaf.notAfter.getTime())} ago): TLS handshakes with it fail with "x509: certificate has expired or is not yet valid".`,
        related,
      ),
    );
  } else if (now < leaf.notBefore.getTime()) {
    findings.push(
      finding(
        'cert-not-yet-valid',
        first,
        `${served} is not valid until ${iso(leaf.notBefore)} (in ${distance(leaf.notBefore.getTime() - now)}): until then TLS handshakes with it fail with "x509: certificate has expired or is not yet valid". Is a clock wrong?`,
        related,
      ),
    );
  } else if (leaf.notAfter.getTime() - now <= o.expiryWarningDays * DAY) {
    findings.push(
      finding(
        'cert-expiring',
        first,
        `${served} expires on ${formatDay(leaf.notAfter)} (in ${distance(leaf.notAfter.getTime() - now)})${matchesFile === false ? '' : ': renew it, and restart ' + first.component}.`,
        related,
      ),
    );
  }
  return {
    findings,
    endpoint: {
      address: first.address,
      role: first.role,
      names,
      outcome: {
        kind: 'served',
        subject: leaf.subject.text || '(empty subject)',
        issuer: leaf.issuer.text || '(empty issuer)',
        serial: leaf.serialNumber,
        notAfter: iso(leaf.notAfter),
        sha256: leaf.sha256,
        ...(matchesFile !== undefined ? { matchesFile } : {}),
      },
    },
  };
}
