// The workspace's PKI as one list: every certificate kube-pki can see (referenced by a config, inline
// in one, or lying in the workspace), who signed it, who uses it, when it expires and what is wrong with
// it. The explorer tree, the expiry timeline and `kube-pki expiration` are views of this one shape, so it
// is plain JSON (it crosses the language server's wire as is).
import type { WalkReport } from '../workspace/walk';
import type { Range, Severity } from '../types';

/** A config line that points at a certificate or key (click in the tree: open it). */
export interface InventoryLocation {
  file: string;
  range: Range;
  /** The flag or field as written: '--tls-cert-file', 'client-certificate-data', 'tls.crt'. */
  field: string;
  /** Set by the language server: the document's URI, for an open buffer that is no file (untitled). */
  uri?: string;
  /**
   * What in the file the line belongs to, when a file holds several (optional addition): the Kubernetes object
   * (a Secret of a multi-document manifest or of a `kind: List`, a webhook configuration), or the kubeconfig's
   * user or cluster. Absent for static pod manifests and kubelet configs.
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
  severity: Severity;
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
  /** The subject's OU values (optional addition). */
  organizationalUnits?: string[];
  /** The serial number in decimal, as Go's big.Int prints it (optional addition; enix's x509-certificate-exporter label). */
  serialNumber?: string;
  /** The issuer's CN, O and OU values (optional addition): the issuer may not be in the inventory. */
  issuerCommonName?: string;
  issuerOrganizations?: string[];
  issuerOrganizationalUnits?: string[];
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

/**
 * A private key and the public key written beside it under the same name: kubeadm's service-account pair,
 * sa.key and sa.pub (cmd/kubeadm/app/phases/certs/certs.go CreateServiceAccountKeyAndPublicKeyFiles). The
 * apiserver verifies tokens with the .pub and the controller-manager signs them with the .key: a pair that does
 * not match is a key-mismatch.
 */
export interface InventoryKeyPair {
  keyFile: string;
  publicKeyFile: string;
  keyAlgorithm: string;
  /** Whether the public key is the private key's; absent when that cannot be told (an encrypted key). */
  matches?: boolean;
  /** The lines that reference the key or the public key. */
  references: InventoryLocation[];
  /** The findings on those lines (key-mismatch). */
  problems: InventoryProblem[];
}

export interface Inventory {
  /** The instant `daysLeft` and `status` were computed for (ISO 8601). */
  now: string;
  warningDays: number;
  /** Sorted by notAfter, soonest first. */
  certificates: InventoryCertificate[];
  /** Private keys no certificate matches that have their public key beside them (sa.key / sa.pub). */
  keyPairs: InventoryKeyPair[];
  orphanKeys: InventoryOrphanKey[];
  /** What a limit of the walk for loose certificate files left out (workspace/walk.ts), when one was reached. */
  limits?: WalkReport;
}
