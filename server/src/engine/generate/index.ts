// Certificate, key and kubeconfig generation (kubeadm's conventions). No VS Code / LSP imports.
export type { KeyType, GeneratedKey, SignatureHash } from './keys';
export { generateKey, loadKey, keyTypes, defaultSignatureHash } from './keys';
export type { CertRequest, IssuedCertificate, KeyUsageName, ExtKeyUsageName } from './certs';
export { issueCertificate, loadIssuer } from './certs';
export type { KubeconfigOptions } from './kubeconfig';
export { kubeconfigText } from './kubeconfig';
