// What kubeadm puts in each certificate (cmd/kubeadm/app/phases/certs/certlist.go and
// phases/kubeconfig/kubeconfig.go, v1.31): CN, O, extended key usage, who signs it, where it lives.
// The planner and the on-request generators build every certificate from these profiles.
import type { ExtKeyUsageName, KeyUsageName } from './certs';
import type { KeyType } from './keys';

/**
 * The three CAs of a kubeadm cluster, and the CA an apiserver verifies kubelets' serving
 * certificates with (--kubelet-certificate-authority) when that is a file of its own.
 */
export type CaFamily = 'ca' | 'front-proxy-ca' | 'etcd-ca' | 'kubelet-ca';

export interface CaProfile {
  family: CaFamily;
  commonName: string;
  /** Under /etc/kubernetes/pki, without .crt/.key. */
  file: string;
  title: string;
}

export const caProfiles: Record<CaFamily, CaProfile> = {
  ca: { family: 'ca', commonName: 'kubernetes', file: 'ca', title: 'the cluster CA' },
  'front-proxy-ca': { family: 'front-proxy-ca', commonName: 'front-proxy-ca', file: 'front-proxy-ca', title: 'the front-proxy CA' },
  'etcd-ca': { family: 'etcd-ca', commonName: 'etcd-ca', file: 'etcd/ca', title: 'the etcd CA' },
  'kubelet-ca': { family: 'kubelet-ca', commonName: 'kubelet-serving-ca', file: 'kubelet-ca', title: "the CA of kubelets' serving certificates" },
};

/** What a generated (or re-issued) certificate is: everything but the key and the signer. */
export interface CertSpec {
  commonName: string;
  organizations: string[];
  isCA: boolean;
  keyUsage: KeyUsageName[];
  extKeyUsage: ExtKeyUsageName[];
  dnsNames: string[];
  ipAddresses: string[];
  validityDays: number;
  /** Keep this exact subject (DER) instead of CN/O: a renewed CA must keep its name byte for byte. */
  subjectDer?: Buffer;
}

export const LEAF_KEY_USAGE: KeyUsageName[] = ['digitalSignature', 'keyEncipherment'];
export const CA_KEY_USAGE: KeyUsageName[] = ['digitalSignature', 'keyEncipherment', 'keyCertSign'];
export const DEFAULT_CERT_DAYS = 365;
export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_KEY_TYPE: KeyType = 'rsa-2048';

export type LeafRole =
  | 'apiserver'
  | 'apiserver-kubelet-client'
  | 'front-proxy-client'
  | 'apiserver-etcd-client'
  | 'etcd-server'
  | 'etcd-peer'
  | 'etcd-healthcheck-client'
  | 'admin'
  | 'super-admin'
  | 'controller-manager'
  | 'scheduler'
  | 'kubelet'
  | 'kubelet-serving'
  | 'controller-manager-serving'
  | 'scheduler-serving'
  | 'kube-proxy'
  | 'user';

export interface LeafProfile {
  role: LeafRole;
  /** Fixed CN; roles named after the node (etcd, kubelet) build theirs from the node name. */
  commonName?: string;
  organizations: string[];
  extKeyUsage: ExtKeyUsageName[];
  signer: CaFamily;
  /** Who presents it, for previews and messages. */
  title: string;
  /** kubeadm's file under /etc/kubernetes/pki (no extension), or its kubeconfig under /etc/kubernetes. */
  file?: string;
  kubeconfig?: string;
}

export const leafProfiles: Record<LeafRole, LeafProfile> = {
  apiserver: { role: 'apiserver', commonName: 'kube-apiserver', organizations: [], extKeyUsage: ['serverAuth'], signer: 'ca', title: "kube-apiserver's serving certificate", file: 'apiserver' },
  'apiserver-kubelet-client': {
    role: 'apiserver-kubelet-client',
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['kubeadm:cluster-admins'],
    extKeyUsage: ['clientAuth'],
    signer: 'ca',
    title: "kube-apiserver's client certificate for kubelets",
    file: 'apiserver-kubelet-client',
  },
  'front-proxy-client': { role: 'front-proxy-client', commonName: 'front-proxy-client', organizations: [], extKeyUsage: ['clientAuth'], signer: 'front-proxy-ca', title: "kube-apiserver's front-proxy client certificate", file: 'front-proxy-client' },
  'apiserver-etcd-client': { role: 'apiserver-etcd-client', commonName: 'kube-apiserver-etcd-client', organizations: [], extKeyUsage: ['clientAuth'], signer: 'etcd-ca', title: "kube-apiserver's client certificate for etcd", file: 'apiserver-etcd-client' },
  'etcd-server': { role: 'etcd-server', organizations: [], extKeyUsage: ['serverAuth', 'clientAuth'], signer: 'etcd-ca', title: "etcd's server certificate", file: 'etcd/server' },
  'etcd-peer': { role: 'etcd-peer', organizations: [], extKeyUsage: ['serverAuth', 'clientAuth'], signer: 'etcd-ca', title: "etcd's peer certificate", file: 'etcd/peer' },
  'etcd-healthcheck-client': { role: 'etcd-healthcheck-client', commonName: 'kube-etcd-healthcheck-client', organizations: [], extKeyUsage: ['clientAuth'], signer: 'etcd-ca', title: "etcd's health-check client certificate", file: 'etcd/healthcheck-client' },
  admin: { role: 'admin', commonName: 'kubernetes-admin', organizations: ['kubeadm:cluster-admins'], extKeyUsage: ['clientAuth'], signer: 'ca', title: 'the admin client certificate', kubeconfig: 'admin.conf' },
  'super-admin': { role: 'super-admin', commonName: 'kubernetes-super-admin', organizations: ['system:masters'], extKeyUsage: ['clientAuth'], signer: 'ca', title: 'the super-admin client certificate', kubeconfig: 'super-admin.conf' },
  'controller-manager': { role: 'controller-manager', commonName: 'system:kube-controller-manager', organizations: [], extKeyUsage: ['clientAuth'], signer: 'ca', title: "kube-controller-manager's client certificate", kubeconfig: 'controller-manager.conf' },
  scheduler: { role: 'scheduler', commonName: 'system:kube-scheduler', organizations: [], extKeyUsage: ['clientAuth'], signer: 'ca', title: "kube-scheduler's client certificate", kubeconfig: 'scheduler.conf' },
  kubelet: { role: 'kubelet', organizations: ['system:nodes'], extKeyUsage: ['clientAuth'], signer: 'ca', title: "the kubelet's client certificate", kubeconfig: 'kubelet.conf' },
  // Serving certificates kubeadm leaves to the components (self-signed unless tlsCertFile /
  // --tls-cert-file name one). The kubelet's is what its serverTLSBootstrap CSR asks for
  // (pkg/kubelet/certificate/kubelet.go): system:node:<nodeName> in system:nodes, serverAuth, the
  // node's names and IPs. The controller-manager's and scheduler's are named after the component and
  // serve localhost/127.0.0.1 (their self-signed default) and the node name.
  'kubelet-serving': { role: 'kubelet-serving', organizations: ['system:nodes'], extKeyUsage: ['serverAuth'], signer: 'ca', title: "the kubelet's serving certificate" },
  'controller-manager-serving': { role: 'controller-manager-serving', commonName: 'kube-controller-manager', organizations: [], extKeyUsage: ['serverAuth'], signer: 'ca', title: "kube-controller-manager's serving certificate" },
  'scheduler-serving': { role: 'scheduler-serving', commonName: 'kube-scheduler', organizations: [], extKeyUsage: ['serverAuth'], signer: 'ca', title: "kube-scheduler's serving certificate" },
  'kube-proxy': { role: 'kube-proxy', commonName: 'system:kube-proxy', organizations: [], extKeyUsage: ['clientAuth'], signer: 'ca', title: "kube-proxy's client certificate" },
  user: { role: 'user', organizations: [], extKeyUsage: ['clientAuth'], signer: 'ca', title: 'a user client certificate' },
};

/** The CN a role needs, given the node name for the roles named after it. */
export function roleCommonName(role: LeafRole, nodeName: string | undefined): string | undefined {
  const p = leafProfiles[role];
  if (p.commonName) return p.commonName;
  if (role === 'kubelet' || role === 'kubelet-serving') return nodeName ? `system:node:${nodeName}` : undefined;
  if (role === 'etcd-server' || role === 'etcd-peer') return nodeName;
  return undefined;
}

/**
 * The groups a role may carry. The admin may be in kubeadm:cluster-admins (1.29+) or system:masters:
 * either is accepted, the first is what is generated.
 */
export const acceptedGroups: Partial<Record<LeafRole, string[]>> = {
  admin: ['kubeadm:cluster-admins', 'system:masters'],
  'super-admin': ['system:masters'],
  kubelet: ['system:nodes'],
  'kubelet-serving': ['system:nodes'],
};

/** Sorted, de-duplicated DNS names then IPs, as kubeadm's RemoveDuplicateAltNames leaves them. */
export function normaliseNames(dns: string[], ips: string[]): { dnsNames: string[]; ipAddresses: string[] } {
  return {
    dnsNames: [...new Set(dns.map((d) => d.trim()).filter(Boolean))].sort(),
    ipAddresses: [...new Set(ips.map((i) => i.trim()).filter(Boolean))],
  };
}
