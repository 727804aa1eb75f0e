// What the planner gathers from the recognised documents before deciding anything: one slot per CA,
// per leaf certificate, per kubeconfig a component names, per service account key. A slot says where
// the thing is (or would be created), whether it exists, what it holds, and who signs it.
import type { ComponentUnit, DistroConfigUnit, DistroTlsUnit, KubeconfigUnit, KubeconfigUser, KubeletConfigUnit, Reference, Span } from '../../parse';
import type { AskedName } from '../../cluster';
import type { Certificate } from '../../pki/certificate';
import type { CaFamily, LeafRole } from '../profiles';

export interface CaSlot {
  id: string;
  family: CaFamily;
  certPath: string;
  keyPath: string;
  certExists: boolean;
  keyExists: boolean;
  cert?: Certificate;
  keySpki?: Buffer;
  refs: Reference[];
  /** References of its private key (the controller-manager's --cluster-signing-key-file). */
  keyRefs: Reference[];
  /** A unit referencing it (for nearest-node decisions). */
  near: string;
}

export interface LeafSlot {
  id: string;
  role: LeafRole;
  title: string;
  certRef: Reference;
  keyRef?: Reference;
  /** The field that names (or would name) the key: '--tls-private-key-file', 'tlsPrivateKeyFile', 'client-key'. */
  keyField: string;
  /** Absolute paths (path references); undefined for inline data. */
  certPath?: string;
  keyPath?: string;
  inline?: { file: string; certSpan: Span; keySpan?: Span };
  certExists: boolean;
  keyExists: boolean;
  cert?: Certificate;
  keySpki?: Buffer;
  keyWeak: boolean;
  signer?: CaSlot;
  /** Why there is no signer (for the skip message). */
  signerProblem?: string;
  /** Which CA signs it and why, when that is a choice worth telling (the kubelet's serving certificate). */
  signerWhy?: string;
  unit: ComponentUnit | KubeconfigUnit | KubeletConfigUnit | DistroTlsUnit | DistroConfigUnit;
  user?: KubeconfigUser;
  /** DNS/IP names the role needs (serving certificates). */
  needs: { dns: string[]; ips: string[] };
  /** CN the role must have, when known. */
  expectedCN?: string;
  allowedCNs?: string[];
  /**
   * A leaf of a k3s or RKE2 server's tls folder (distro.ts): its signer is set by k3s's rules, its CN is the one it has,
   * and a serving certificate must hold the names its configuration asks.
   */
  distro?: { cn?: string; names: AskedName[]; program: 'k3s' | 'rke2' };
}

export interface KubeconfigSlot {
  id: string;
  path: string;
  role: LeafRole;
  component: ComponentUnit;
  server?: string;
  signer?: CaSlot;
}

export interface SaSlot {
  id: string;
  privPath?: string;
  privExists: boolean;
  privWeak: boolean;
  privSpki?: Buffer;
  pubPaths: { path: string; exists: boolean; ref: Reference }[];
  refs: Reference[];
  /** A private-key flag names it (even where that path has no place here). */
  privNamed: boolean;
}
