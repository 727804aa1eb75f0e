// The vocabulary of generation: a plan (what would be generated, from what, signed by whom, written
// where) and what executing it produces. A plan holds no key material, so it can be shown, sent over
// the LSP and logged; executing it reads existing keys through the engine's FileSystem.
import type { Range } from '../types';
import type { Span } from '../parse';
import type { KeyType } from './keys';
import type { CertSpec, LeafRole, CaFamily } from './profiles';

/** Where the subject's key comes from. */
export type KeySource =
  | { kind: 'new'; type: KeyType }
  /** An existing private key file (the first private key block in it: a cert+key file works too). */
  | { kind: 'file'; path: string }
  /** A kubeconfig's client-key-data. */
  | { kind: 'inline'; file: string; span: Span };

/** Who signs. */
export type Signer =
  | { kind: 'self' }
  /** An existing CA on disk: its certificate and private key. */
  | { kind: 'file'; certPath: string; keyPath: string; name: string }
  /** A CA created by another action of the same plan. */
  | { kind: 'action'; actionId: string; name: string };

/** What an action writes. `replace`: the file exists and is replaced (a backup is kept). */
export type PlanOutput =
  | { kind: 'cert'; path: string; replace: boolean }
  | { kind: 'key'; path: string; replace: boolean }
  /** Certificate and key in one file (the kubelet's kubelet-client-current.pem). */
  | { kind: 'cert-and-key'; path: string; replace: boolean }
  | { kind: 'public-key'; path: string; replace: boolean }
  /** A kubeconfig with the client certificate, key and CA embedded (kubeadm's layout). */
  | { kind: 'kubeconfig'; path: string; replace: boolean; server: string; clusterName: string; userName: string; ca: Signer }
  /** Text edits of a kubeconfig's *-data values (the cert, and the key when it is new). */
  | { kind: 'inline'; file: string; certSpan: Span; keySpan?: Span }
  /** certificate-authority-data of a kubeconfig replaced by a CA certificate (an existing one, or one the plan renews). */
  | { kind: 'inline-ca'; file: string; span: Span; ca: Signer };

/** A finding an action resolves, located as the engine reported it. */
export interface FixedFinding {
  file: string;
  range: Range;
  code: string;
}

export interface PlanAction {
  id: string;
  kind: 'ca' | 'cert' | 'kubeconfig' | 'service-account-key' | 'kubeconfig-ca';
  role?: LeafRole;
  family?: CaFamily;
  /** "kube-apiserver's serving certificate". */
  title: string;
  /** Why: "missing", or what is corrected ("adds SAN cp.example.internal; renews (expired)"). */
  reason: string;
  /** 'create' when every output is new, 'replace' when something existing is replaced or edited. */
  effect: 'create' | 'replace';
  fixes: FixedFinding[];
  spec?: CertSpec;
  key?: KeySource;
  signer?: Signer;
  outputs: PlanOutput[];
}

export interface SkippedItem {
  title: string;
  /** Paths concerned. */
  paths: string[];
  reason: string;
  /** Set when the item would be planned with permission to replace files (CLI --fix / --renew). */
  needsReplace?: boolean;
}

export interface GenerationPlan {
  actions: PlanAction[];
  skipped: SkippedItem[];
}

/** A file to write, with what to tell the user about it (never its content). */
export interface GeneratedFile {
  path: string;
  contents: string;
  /** 0o600 for anything holding a private key, 0o644 otherwise. */
  mode: number;
  kind: PlanOutput['kind'] | 'edited-kubeconfig';
  replace: boolean;
  actionId: string;
  summary: string;
}

export interface GeneratedEdit {
  file: string;
  range: Range;
  newText: string;
  actionId: string;
}

/** What a certificate came out as, for the CLI's listing and the editor's preview. */
export interface IssuedSummary {
  actionId: string;
  title: string;
  subject: string;
  dnsNames: string[];
  ipAddresses: string[];
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  keyDescription: string;
  serial: string;
}

export interface GeneratedBatch {
  files: GeneratedFile[];
  edits: GeneratedEdit[];
  issued: IssuedSummary[];
  /** Actions that could not be carried out (an unreadable CA key, say), with why. */
  failed: { actionId: string; title: string; reason: string }[];
}
