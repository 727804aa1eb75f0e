// What `kube-pki probe` and the editor's Probe Live Endpoints command work with: the endpoints the workspace
// names (targets.ts), what dialling one gave (dial.ts, or a dialer the caller injects), and the verdict
// (judge.ts). Plain data: a probe's result crosses the LSP as it is (shared/protocol.ts mirrors it).
import type { Certificate } from '../pki/certificate';
import type { Range } from '../types';

/** One line of the workspace that names an endpoint, and what it expects of it. */
export interface ProbeTarget {
  /** The address dialled: `host:port` (`[v6]:port`). Targets with the same address are dialled once. */
  address: string;
  host: string;
  port: number;
  /** The name sent in the TLS ClientHello (SNI): a kubeconfig's tls-server-name, else the host when it is a name. */
  serverName?: string;
  /** The name the clients verify the served certificate for (Go's VerifyHostname); absent: not verified (kubelets, listen URLs). */
  verifyHost?: string;
  /** The line naming the endpoint: where its findings go. */
  file: string;
  range: Range;
  /** The field or flag as written: 'server', '--etcd-servers', 'url'. */
  field: string;
  /** The URL or address as written. */
  url: string;
  /** What serves there, in words: 'kube-apiserver', 'etcd (client URL)', 'etcd (peer URL)', 'kubelet', 'webhook'. */
  role: string;
  /** The process to restart when it serves an old certificate: 'kube-apiserver', 'etcd', 'the kubelet', ... */
  component: string;
  /**
   * The certificate that should be served there, when the workspace holds it: the line configuring it (`file`,
   * `range`, `field`) and the certificate file it names (`certFile`; absent for inline data).
   */
  expected?: { file: string; range: Range; field: string; certFile?: string; cert: Certificate };
  /** The CA the clients of this line verify the server with, when the workspace holds it. */
  trust?: { file: string; range: Range; field: string; certs: Certificate[] };
}

/** Why an endpoint gave no certificate. */
export type UnreachableReason = 'refused' | 'timeout' | 'not-tls' | 'unresolved' | 'error';

/** What dialling an address gave. */
export type DialOutcome = { kind: 'served'; chain: Buffer[]; protocol?: string } | { kind: 'unreachable'; reason: UnreachableReason; detail: string };

export interface DialRequest {
  host: string;
  port: number;
  serverName?: string;
  timeoutMs: number;
  /** A client certificate to present (PEM), only when the user asks for one. */
  clientCert?: { cert: Buffer; key: Buffer };
}

/** Dials, completes a TLS handshake and hangs up: no request is sent. Never rejects. */
export type Dialer = (request: DialRequest) => Promise<DialOutcome>;

/** One address dialled, as reported (the CLI's summary, the editor's Live endpoints group). */
export interface ProbedEndpoint {
  address: string;
  role: string;
  /** The lines that name it. */
  names: { file: string; range: Range; field: string }[];
  outcome:
    | {
        kind: 'served';
        subject: string;
        issuer: string;
        serial: string;
        notAfter: string;
        sha256: string;
        /** Whether it is the certificate of the file that should be serving (absent: the workspace holds none). */
        matchesFile?: boolean;
      }
    | { kind: 'unreachable'; reason: UnreachableReason; detail: string };
}
