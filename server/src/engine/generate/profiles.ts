// What kubeadm puts in each certificate (cmd/kubeadm/app/phases/certs/certlist.go and
// phases/kubeconfig/kubeconfig.go, v1.31): CN, O, extended key usage, who signs it, where it lives, as
// the catalog (cluster/catalog.ts) says. The planner and the on-request generators build every
// certificate from these profiles.
import type { ExtKeyUsageName, KeyUsageName } from './certs';
import type { KeyType } from './keys';
import { cas, certificate, certificates, type CaFamily, type CertificateName, type CertificateSpec } from '../cluster/catalog';

export type { CaFamily };

export interface CaProfile {
  family: CaFamily;
  commonName: string;
  /** Under /etc/kubernetes/pki, without .crt/.key. */
  file: string;
  title: string;
}

/** kubeadm's CAs (the catalog's, cluster/catalog.ts). */
export const caProfiles = Object.fromEntries(
  (Object.keys(cas) as CaFamily[]).map((family) => [
    family,
    { family, commonName: cas[family].commonName, file: cas[family].file, title: cas[family].title },
  ]),
) as Record<CaFamily, CaProfile>;

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

export type LeafRole = CertificateName;

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

/** What kubeadm puts in each certificate: the catalog's certificates (cluster/catalog.ts). */
export const leafProfiles = Object.fromEntries(
  (Object.keys(certificates) as LeafRole[]).map((role) => {
    const c: CertificateSpec = certificates[role];
    const p: LeafProfile = { role, organizations: c.organizations, extKeyUsage: c.usages, signer: c.signer, title: c.title };
    if (c.commonName !== undefined) p.commonName = c.commonName;
    if (c.kubeadm) p.file = c.kubeadm.file;
    if (c.kubeconfig?.kubeadm) p.kubeconfig = c.kubeconfig.files[0];
    return [role, p];
  }),
) as Record<LeafRole, LeafProfile>;

/** The CN a role needs, given the node name for the roles named after it. */
export function roleCommonName(role: LeafRole, nodeName: string | undefined): string | undefined {
  const p = leafProfiles[role];
  if (p.commonName) return p.commonName;
  const prefix = certificate(role).nodePrefix;
  if (prefix === undefined) return undefined;
  return nodeName ? `${prefix}${nodeName}` : prefix === '' ? nodeName : undefined;
}

/**
 * The groups a role may carry. The admin may be in kubeadm:cluster-admins (1.29+) or system:masters:
 * either is accepted, the first is what is generated.
 */
export const acceptedGroups: Partial<Record<LeafRole, string[]>> = Object.fromEntries(
  (Object.keys(certificates) as LeafRole[]).flatMap((role) => {
    const groups = certificate(role).groups;
    return groups ? [[role, groups]] : [];
  }),
);

/** Sorted, de-duplicated DNS names then IPs, as kubeadm's RemoveDuplicateAltNames leaves them. */
export function normaliseNames(dns: string[], ips: string[]): { dnsNames: string[]; ipAddresses: string[] } {
  return {
    dnsNames: [...new Set(dns.map((d) => d.trim()).filter(Boolean))].sort(),
    ipAddresses: [...new Set(ips.map((i) => i.trim()).filter(Boolean))],
  };
}
