// Dials the targets' addresses, each once, several at a time (a bound, so a tree naming hundreds of endpoints
// does not open hundreds of sockets), and judges what each served. The dialer is injected: the CLI and the
// language server pass tlsDialer (dial.ts); tests may pass their own.
import type { Finding } from '../types';
import { judgeEndpoint } from './judge';
import type { Dialer, DialOutcome, DialRequest, ProbedEndpoint, ProbeTarget } from './types';

export const DEFAULT_TIMEOUT_MS = 3000;
export const DEFAULT_CONCURRENCY = 8;

export interface ProbeOptions {
  dialer: Dialer;
  now?: Date;
  expiryWarningDays?: number;
  timeoutMs?: number;
  concurrency?: number;
  clientCert?: DialRequest['clientCert'];
  display?: (file: string) => string;
  /** Only these addresses are dialled (what the user confirmed); default: all of the targets'. */
  addresses?: string[];
}

export interface ProbeReport {
  findings: Finding[];
  endpoints: ProbedEndpoint[];
}

/** The targets grouped by what is dialled: the address and the name sent (a server may choose its certificate by SNI). */
export function groupTargets(targets: ProbeTarget[]): ProbeTarget[][] {
  const groups = new Map<string, ProbeTarget[]>();
  for (const t of targets) {
    const key = `${t.address}\0${t.serverName ?? ''}`;
    const g = groups.get(key);
    if (g) g.push(t);
    else groups.set(key, [t]);
  }
  return [...groups.values()];
}

export async function probe(targets: ProbeTarget[], o: ProbeOptions): Promise<ProbeReport> {
  const allowed = o.addresses ? new Set(o.addresses) : undefined;
  const groups = groupTargets(allowed ? targets.filter((t) => allowed.has(t.address)) : targets);
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const outcomes: DialOutcome[] = new Array(groups.length);
  let next = 0;
  const worker = async () => {
    while (next < groups.length) {
      const i = next++;
      const t = groups[i][0];
      try {
        outcomes[i] = await o.dialer({ host: t.host, port: t.port, serverName: t.serverName, timeoutMs, clientCert: o.clientCert });
      } catch (err) {
        outcomes[i] = { kind: 'unreachable', reason: 'error', detail: err instanceof Error ? err.message : String(err) };
      }
    }
  };
  const n = Math.max(1, Math.min(o.concurrency ?? DEFAULT_CONCURRENCY, groups.length));
  await Promise.all(Array.from({ length: n }, worker));
  const findings: Finding[] = [];
  const endpoints: ProbedEndpoint[] = [];
  const judge = { now: o.now ?? new Date(), expiryWarningDays: o.expiryWarningDays ?? 30, display: o.display, timeoutMs };
  groups.forEach((g, i) => {
    const r = judgeEndpoint(g, outcomes[i], judge);
    findings.push(...r.findings);
    endpoints.push(r.endpoint);
  });
  return { findings, endpoints };
}
