// The catalog of diagnostic codes: stable names users can search for, filter on and suppress.
import type { Severity } from './types';

export interface CodeInfo {
  severity: Severity;
  title: string;
  /**
   * false: no `# kube-pki-ignore` comment and no rule of a .kube-pki.yaml touches it, and the editor offers no
   * ignore quick fix for it (a config's own problems: a config cannot switch off the report of its mistakes).
   */
  ignorable?: false;
}

export const codes = {
  'yaml-invalid': { severity: 'error', title: 'A recognised Kubernetes file does not parse as YAML' },
  'file-not-found': { severity: 'error', title: 'A referenced certificate, key or kubeconfig does not exist' },
  'file-unreadable': { severity: 'error', title: 'A referenced path is a folder, a special file, unreadable, or too big' },
  'pem-invalid': { severity: 'error', title: 'No PEM block of the expected kind, bad base64, or DER that does not decode' },
  'cert-expired': { severity: 'error', title: 'The certificate has expired' },
  'cert-not-yet-valid': { severity: 'error', title: 'The certificate is not valid yet' },
  'cert-expiring': { severity: 'warning', title: 'The certificate expires soon' },
  'san-missing': { severity: 'error', title: 'A serving certificate lacks a name its clients dial' },
  'ca-pin-mismatch': { severity: 'error', title: "A kubeadm join CA pin (caCertHashes) is malformed or is not the cluster CA's public key" },
  'cn-mismatch': { severity: 'error', title: "The certificate's CN is not the user this role must be" },
  'org-mismatch': { severity: 'error', title: "The certificate's O values are not the groups this role needs" },
  'eku-missing': { severity: 'error', title: 'The certificate lacks the extended key usage its use needs' },
  'not-a-ca': { severity: 'error', title: 'A file used as a CA is not a CA certificate' },
  'untrusted-issuer': { severity: 'error', title: 'The certificate does not chain to the CA that will verify it' },
  'key-mismatch': { severity: 'error', title: 'The private key is not the key of the certificate (or public key) it is paired with' },
  'weak-key': { severity: 'warning', title: 'RSA key under 2048 bits or EC key under 256 bits' },
  'weak-signature': { severity: 'warning', title: 'Signed with SHA-1 or MD5' },
  'client-key-missing': {
    severity: 'error',
    title: 'A kubeconfig user has a client certificate without a client key, or a key without a certificate (and no other credential)',
  },
  'conflicting-fields': { severity: 'error', title: 'A kubeconfig sets both a path and its -data twin' },
  'cabundle-mismatch': { severity: 'error', title: "A webhook's or APIService's serving certificate does not chain to its caBundle" },
  'cabundle-missing': {
    severity: 'warning',
    title:
      'A service-backed webhook, APIService or conversion webhook has no caBundle (or a placeholder) though the workspace holds its serving certificate, and nothing fills it at run time',
  },
  'rbac-unbound': {
    severity: 'error',
    title: "A kubeconfig user's only groups (O) are bound to no ClusterRole by the cluster's ClusterRoleBindings the workspace holds",
  },
  'tls-unverified': {
    severity: 'warning',
    title: "An APIService skips verifying its backend's certificate (insecureSkipTLSVerify) though the workspace holds that certificate",
  },
  'duration-invalid': { severity: 'error', title: "A cert-manager Certificate's duration or renewBefore is one cert-manager rejects" },
  'issuer-not-found': { severity: 'warning', title: "A cert-manager Certificate's issuerRef names an issuer the workspace does not hold" },
  'secret-stale': {
    severity: 'warning',
    title: "The Secret a cert-manager Certificate writes holds a certificate that does not match the Certificate's spec",
  },
  'served-cert-differs': {
    severity: 'warning',
    title: 'kube-pki probe: an endpoint serves another certificate than the file its component is configured with (restart the component)',
  },
  'served-cert-untrusted': {
    severity: 'error',
    title: 'kube-pki probe: the chain an endpoint serves does not verify against the CA its clients use',
  },
  'endpoint-unreachable': { severity: 'info', title: 'kube-pki probe: an endpoint could not be probed (refused, timeout, not TLS)' },
  'config-invalid': {
    severity: 'error',
    title: 'A .kube-pki.yaml setting kube-pki cannot use (the setting is left out; the CLI stops when the config governs a file it reads)',
    ignorable: false,
  },
  'ignore-unused': { severity: 'info', title: 'A kube-pki-ignore comment suppresses nothing, or names an unknown code' },
  'internal-error': { severity: 'info', title: 'kube-pki could not finish a check (a bug: please report it)' },
} satisfies Record<string, CodeInfo>;

export type Code = keyof typeof codes;

/** Whether ignores and rules may touch a code (see CodeInfo.ignorable); unknown codes may be named, and match nothing. */
export function isIgnorable(code: string): boolean {
  return !Object.hasOwn(codes, code) || (codes as Record<string, CodeInfo>)[code].ignorable !== false;
}
