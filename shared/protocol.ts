// The wire contract between the VS Code client (client/src) and the language server (server/src/lsp):
// kube-pki's own requests, notifications, commands and initialization options beside standard LSP, with
// the shapes of their parameters and results. Both sides import them from here (the client only constants
// and types), so the wire format is written once. It is stable: changing a name or a shape here changes
// both sides at once (and any other LSP client that speaks it). It imports nothing of the server or the
// client; the analysis engine (server/src/engine) does not know it.
import type { Position, Range } from 'vscode-languageserver-protocol';

/** Request: the workspace's problem counts, for the status bar. */
export const SUMMARY_REQUEST = 'kubePki/summary';
/** Notification (server -> client) after each round of published diagnostics. */
export const SUMMARY_NOTIFICATION = 'kubePki/summaryChanged';

export interface Summary {
  errors: number;
  warnings: number;
  /** Recognised documents (open buffers and workspace files). */
  files: number;
  /** Recognised documents with at least one error or warning. */
  filesWithProblems: number;
  /**
   * What a limit of the workspace's index left out (the bound on files, folders nested too deep), one sentence
   * each naming the limit and the setting that changes it; absent when nothing was left out.
   */
  limits?: string[];
  /** The workspace is being indexed: the counts are of what was read so far. */
  indexing?: boolean;
}

/**
 * `initializationOptions.trusted`: false in an untrusted workspace (VS Code Restricted Mode). The server then
 * reads nothing outside the workspace folders and does not generate. Absent (any other client): trusted.
 */
export interface InitializationOptions {
  trusted?: boolean;
  settings?: unknown;
}
/** Notification (client -> server): the user trusted the workspace (VS Code never revokes trust without a reload). */
export const TRUST_NOTIFICATION = 'kubePki/workspaceTrusted';

/** The extension's command; the server advertises another id so VS Code's client does not clash with it. */
export const RECHECK_COMMAND = 'kubePki.recheckWorkspace';
export const SERVER_RECHECK_COMMAND = 'kubePki.server.recheckWorkspace';

/** Request: the full decode of what is at a position, in a selection, or in sent text. */
export const DECODE_REQUEST = 'kubePki/decode';
export const DECODE_COMMAND = 'kubePki.decodeCertificate';

export interface DecodeParams {
  uri: string;
  position?: Position;
  /** A selection: its text is decoded (PEM or base64). */
  range?: Range;
  /** The document's text, for a document the server was not sent (another language, another scheme). */
  text?: string;
}

export type DecodeResponse = { title: string; text: string } | { error: string };

/**
 * The example cluster ("Kube PKI: Open Example Cluster"): a kubeadm control-plane node's files with five planted
 * TLS mistakes, generated now into `folder` (absolute; it must not exist or be empty: nothing is ever replaced).
 */
export const EXAMPLE_REQUEST = 'kubePki/example/create';

export interface ExampleParams {
  folder: string;
}

export interface ExampleResult {
  ok: boolean;
  folder: string;
  /** The files written (absolute paths). */
  written: string[];
  /** Where kube-pki reports each planted mistake: relative path (with '/'), 1-based line, code. */
  expected: { code: string; file: string; line: number; description: string }[];
  error?: string;
}

/** Requests of generation: a plan to preview, applying it, and what the workspace implies as defaults. */
export const PLAN_REQUEST = 'kubePki/generate/plan';
export const APPLY_REQUEST = 'kubePki/generate/apply';
export const DEFAULTS_REQUEST = 'kubePki/generate/defaults';
/** The client command a quick fix runs: preview, one confirmation, apply. */
export const APPLY_COMMAND = 'kubePki.generate.apply';

export interface PreviewItem {
  id: string;
  title: string;
  reason: string;
  effect: 'create' | 'replace';
  subject?: string;
  names?: string[];
  issuer?: string;
  validityDays?: number;
  key?: string;
  files: { path: string; kind: string; replace: boolean }[];
}

export interface PlanPreview {
  planId: string;
  items: PreviewItem[];
  /** What is not generated, why and what to do instead; `paths`: the files concerned (absolute). */
  skipped: { title: string; reason: string; needsReplace?: boolean; paths?: string[] }[];
  error?: string;
}

export interface ApplyResult {
  ok: boolean;
  written: { path: string; backup?: string; replaced: boolean; summary: string }[];
  edited: string[];
  /** The edited kubeconfigs as they were on disk before the edit, kept beside them (NAME.bak-YYYYMMDDhhmmss). */
  editBackups?: { path: string; backup: string }[];
  notWritten: string[];
  failed: { title: string; reason: string }[];
  error?: string;
}

export interface GenerationDefaults {
  cas: string[];
  servers: string[];
  nodeName?: string;
  advertiseAddress?: string;
  folders: string[];
  missing?: number;
}

/**
 * Request: the workspace's PKI (every certificate, its CA, users, expiry and problems), for the explorer tree
 * and the expiry timeline. The client asks again after each kubePki/summaryChanged.
 */
export const INVENTORY_REQUEST = 'kubePki/inventory';

// The result of kubePki/inventory, as it crosses the wire: plain JSON. The engine builds it
// (server/src/engine/inventory/types.ts); the server's handler (server/src/lsp/handlers/inventory.ts) returns
// the engine's value as this type, so the compiler checks that the engine still produces what this contract
// promises. A field the client needs is added here too.

/** A config line that points at a certificate or key (click in the tree: open it). */
export interface InventoryLocation {
  file: string;
  range: Range;
  /** The flag or field as written: '--tls-cert-file', 'client-certificate-data', 'tls.crt'. */
  field: string;
  /** Set by the language server: the document's URI, for an open buffer that is no file (untitled). */
  uri?: string;
  /**
   * What in the file the line belongs to, when a file holds several: the Kubernetes object (a Secret of a
   * multi-document manifest or of a `kind: List`, a webhook configuration), or the kubeconfig's user or cluster.
   * Absent for static pod manifests and kubelet configs.
   */
  object?: InventoryObject;
}

/**
 * A Kubernetes object (`kind` Secret, ConfigMap, ValidatingWebhookConfiguration, ...; `name` and `namespace` as
 * the manifest writes them, absent when it writes none or a template fills them in: then `templated`), or a
 * kubeconfig's `user` or `cluster` entry (`kind` 'user' or 'cluster', `name` the entry's name).
 */
export interface InventoryObject {
  kind: string;
  name?: string;
  namespace?: string;
  /** metadata.name or namespace is filled in by a template (Helm): the object has no name yet. */
  templated?: boolean;
}

export interface InventoryProblem {
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  file: string;
  range: Range;
}

export type ExpiryStatus = 'ok' | 'expiring' | 'expired' | 'not-yet-valid';

export interface InventoryCertificate {
  /** SHA-256 of the DER, hex lowercase: the same certificate in two files is one entry. */
  id: string;
  subject: string;
  issuer: string;
  commonName?: string;
  organizations: string[];
  /** SAN DNS names and IPs as Go prints them. */
  sans: string[];
  isCA: boolean;
  selfSigned: boolean;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
  /** Whole days from the inventory's `now` to notAfter (negative when expired), as kubeadm rounds: floor. */
  daysLeft: number;
  status: ExpiryStatus;
  /** e.g. 'RSA 2048', 'ECDSA P-256', 'Ed25519'. */
  keyAlgorithm: string;
  /** `id` of the certificate in this inventory whose key signed this one (signature verified); absent when none (a self-signed root, a signer not in the workspace). */
  issuerId?: string;
  /** What the cluster uses it for, in words: 'kube-apiserver serving', 'admin.conf client', 'etcd CA'. */
  role?: string;
  /** For grouping under its CA: the node tree it belongs to (the folder holding pki/, manifests/ …), if any. */
  node?: string;
  /** And the component: 'kube-apiserver', 'etcd', 'kubelet', 'admin.conf', or the Secret's name. */
  component?: string;
  /** Every node tree it lies in or is referenced from, when more than one (the same CA copied to each node); `node` is the first. */
  nodes?: string[];
  /** The name `kubeadm certs check-expiration` gives it, when it is one of kubeadm's: 'apiserver', 'etcd-ca', 'admin.conf'. */
  kubeadmName?: string;
  /** Files it is read from (absolute paths; those a config references first); empty when only inline. */
  files: string[];
  /** Config lines that reference it (a path or inline data). */
  references: InventoryLocation[];
  /** The findings on those lines that concern this certificate (and on its key's line beside them: key-mismatch). */
  problems: InventoryProblem[];
  /** The file of the private key that matches it, when the workspace holds one. */
  keyFile?: string;
  /** A CA whose private key is not in the workspace (kubeadm's "externally managed"); always false for leaves. */
  externallyManaged: boolean;
}

/** A private key no certificate of the inventory matches. */
export interface InventoryOrphanKey {
  file: string;
  keyAlgorithm: string;
  references: InventoryLocation[];
}

/** A private key with its public key beside it and no certificate (sa.key / sa.pub). */
export interface InventoryKeyPair {
  keyFile: string;
  publicKeyFile: string;
  keyAlgorithm: string;
  /** Absent when it cannot be told (an encrypted key). */
  matches?: boolean;
  references: InventoryLocation[];
  problems: InventoryProblem[];
}

export interface Inventory {
  /** The instant `daysLeft` and `status` were computed for (ISO 8601). */
  now: string;
  warningDays: number;
  /** Sorted by notAfter, soonest first. */
  certificates: InventoryCertificate[];
  /** Absent from a server that predates it. */
  keyPairs?: InventoryKeyPair[];
  orphanKeys: InventoryOrphanKey[];
}

/**
 * Probe Live Endpoints: the endpoints the workspace names (kubeconfig `server:`, `--etcd-servers`, etcd's URLs, a
 * node's kubelet, webhook `url:`), listed for a confirmation before anything is dialled; then the probe of those
 * confirmed (a TLS handshake each, no request). Both are refused in an untrusted workspace (Restricted Mode).
 */
export const PROBE_ENDPOINTS_REQUEST = 'kubePki/probe/endpoints';
export const PROBE_REQUEST = 'kubePki/probe/run';
export const PROBE_COMMAND = 'kubePki.probeLiveEndpoints';

/** A config line naming an endpoint. */
export interface ProbeLocation {
  file: string;
  range: Range;
  field: string;
  /** Set by the language server: the document's URI. */
  uri?: string;
}

export interface ProbeEndpointsResult {
  endpoints: { address: string; role: string; names: ProbeLocation[] }[];
  /** Why nothing can be probed (Restricted Mode, a failure). */
  error?: string;
}

export interface ProbeParams {
  /** The addresses the user confirmed; any not named by the workspace is not dialled. */
  addresses: string[];
  /** Per endpoint (default 3000). */
  timeoutMs?: number;
}

export interface ProbedEndpointInfo {
  address: string;
  role: string;
  names: ProbeLocation[];
  outcome:
    | { kind: 'served'; subject: string; issuer: string; serial: string; notAfter: string; sha256: string; matchesFile?: boolean }
    | { kind: 'unreachable'; reason: 'refused' | 'timeout' | 'not-tls' | 'unresolved' | 'error'; detail: string };
}

export interface ProbeFinding {
  file: string;
  uri?: string;
  range: Range;
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  related?: { file: string; uri?: string; range: Range; message: string }[];
}

export interface ProbeResult {
  /** ISO 8601: when the probe was made. */
  at: string;
  endpoints: ProbedEndpointInfo[];
  findings: ProbeFinding[];
  error?: string;
}

/**
 * Requests of CA rotation (Kube PKI: Rotate CA…): one stage planned, made in memory and judged
 * (kubePki/rotate/plan: no key material in the answer), then written on confirmation (kubePki/rotate/apply).
 * A plan that is refused (`refusal`, `broken`, `newErrors`) has no `planId`.
 */
export const ROTATE_PLAN_REQUEST = 'kubePki/rotate/plan';
export const ROTATE_APPLY_REQUEST = 'kubePki/rotate/apply';
export const ROTATE_COMMAND = 'kubePki.rotateCA';

export interface RotatePlanParams {
  ca: 'cluster' | 'etcd' | 'front-proxy' | 'service-account';
  /** Default: the next stage after the one the files are at. */
  stage?: 1 | 2 | 3;
  /** Several clusters in the workspace: the CA file (or sa.key) of the one to rotate (one of `choices`). */
  site?: string;
  keyType?: string;
  days?: number;
  newKeys?: boolean;
}

export interface RotationPreview {
  planId?: string;
  ca: RotatePlanParams['ca'];
  title: string;
  /** The stage the files are at (0: not rotating). */
  current: number;
  stage: number;
  sites: string[];
  files: { path: string; replace: boolean; mode: number; summary: string }[];
  moves: { from: string; to: string }[];
  removals: string[];
  restart: string[];
  verifyNext: string[];
  byHand: string[];
  /** Trust points a controller writes at run time (a cainjector's caBundle): left alone. */
  refilled: string[];
  notReissued: string[];
  connectionsChecked: number;
  broken: { connection: string; check: string; mix: string; message: string }[];
  newErrors: string[];
  refusal?: string;
  /** Refused because the workspace holds several clusters: their CA files, to choose one from (`site`). */
  choices?: string[];
  error?: string;
}

export interface RotationApplyResult {
  ok: boolean;
  written: { path: string; backup?: string; replaced: boolean }[];
  /** Moved (archived) and removed files, after the writes. */
  done: { verb: 'moved' | 'removed'; path: string; to?: string }[];
  notWritten: string[];
  error?: string;
}
