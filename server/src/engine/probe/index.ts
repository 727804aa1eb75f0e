// `kube-pki probe` and the editor's Probe Live Endpoints: what the running processes serve, against the files.
// targets.ts finds the endpoints the workspace names (pure), dial.ts is the TLS dialer both adapters use,
// judge.ts compares (pure), run.ts dials with a bound and judges.
export * from './types';
export { probeTargets, addressesOf, httpsEndpoint, KUBELET_PORT } from './targets';
export { judgeEndpoint, certLine } from './judge';
export { tlsDialer } from './dial';
export { probe, groupTargets, DEFAULT_TIMEOUT_MS, DEFAULT_CONCURRENCY, type ProbeOptions, type ProbeReport } from './run';
