// kubePki/probe/endpoints and kubePki/probe/run: the editor's Probe Live Endpoints. The first lists what the
// workspace names, dialling nothing; the second dials the addresses the user confirmed (those the workspace still
// names: an address the client sends that no file names is never dialled), a TLS handshake each, and answers
// with the engine's verdicts (engine/probe). Both refuse in an untrusted workspace (Restricted Mode): probing
// opens network connections to addresses the workspace's files choose.
import { probe as probing } from '../../engine';
import type { Connection } from 'vscode-languageserver/node';
import { PROBE_ENDPOINTS_REQUEST, PROBE_REQUEST, type ProbeEndpointsResult, type ProbeParams, type ProbeResult } from '../../../../shared/protocol';
import { errorName, handle, type Log } from '../guard';
import type { WorkspaceState } from '../state';

export const UNTRUSTED_PROBE =
  'probing live endpoints is disabled in an untrusted workspace (Restricted Mode): it opens network connections to the addresses the workspace names; trust the workspace first';

/** Bounds on the client's timeout: at least 100 ms, at most a minute per endpoint. */
function timeoutOf(ms: unknown): number {
  return typeof ms === 'number' && Number.isFinite(ms) ? Math.min(60_000, Math.max(100, ms)) : probing.DEFAULT_TIMEOUT_MS;
}

export function registerProbe(connection: Connection, state: WorkspaceState, log: Log, dialer: probing.Dialer = probing.tlsDialer): void {
  const located = <T extends { file: string; uri?: string }>(x: T): T => ({ ...x, uri: state.uriOf(x.file) });

  connection.onRequest(
    PROBE_ENDPOINTS_REQUEST,
    handle(
      log,
      'probe endpoints',
      (err): ProbeEndpointsResult => ({ endpoints: [], error: `kube-pki could not list the endpoints (${errorName(err)}); see the output` }),
      async (): Promise<ProbeEndpointsResult> => {
        if (!state.trusted) return { endpoints: [], error: UNTRUSTED_PROBE };
        await state.whenIndexed();
        const targets = probing.probeTargets(state.current());
        const endpoints: ProbeEndpointsResult['endpoints'] = [];
        for (const group of probing.groupTargets(targets)) {
          const names = group.map((t) => located({ file: t.file, range: t.range, field: t.field }));
          const same = endpoints.find((e) => e.address === group[0].address);
          if (same) same.names.push(...names);
          else endpoints.push({ address: group[0].address, role: group[0].role, names });
        }
        return { endpoints };
      },
    ),
  );

  connection.onRequest(
    PROBE_REQUEST,
    handle(
      log,
      'probe',
      (err): ProbeResult => ({
        at: new Date().toISOString(),
        endpoints: [],
        findings: [],
        error: `the probe failed (${errorName(err)}); see the output`,
      }),
      async (params: ProbeParams): Promise<ProbeResult> => {
        const at = new Date();
        if (!state.trusted) return { at: at.toISOString(), endpoints: [], findings: [], error: UNTRUSTED_PROBE };
        await state.whenIndexed();
        const engine = state.current();
        const addresses = Array.isArray(params?.addresses) ? params.addresses.filter((a) => typeof a === 'string') : [];
        const targets = probing.probeTargets(engine);
        log.info(`kube-pki: probing ${addresses.length} endpoint(s): ${addresses.join(', ')}`);
        const report = await probing.probe(targets, {
          dialer,
          addresses,
          timeoutMs: timeoutOf(params?.timeoutMs),
          now: engine.options.now,
          expiryWarningDays: engine.options.expiryWarningDays,
        });
        return {
          at: at.toISOString(),
          endpoints: report.endpoints.map((e) => ({ ...e, names: e.names.map(located) })),
          findings: report.findings.map((f) => ({
            ...located(f),
            ...(f.related ? { related: f.related.map(located) } : {}),
          })),
        };
      },
    ),
  );
}
