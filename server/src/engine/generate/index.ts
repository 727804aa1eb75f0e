// Certificate, key and kubeconfig generation (kubeadm's conventions). No VS Code / LSP imports.
export type { KeyType, GeneratedKey, SignatureHash } from './keys';
export { generateKey, loadKey, keyTypes, defaultSignatureHash } from './keys';
export type { CertRequest, IssuedCertificate, KeyUsageName, ExtKeyUsageName } from './certs';
export { issueCertificate, loadIssuer } from './certs';
export type { KubeconfigOptions } from './kubeconfig';
export { kubeconfigText } from './kubeconfig';
// Planning, executing and writing (issue 5): what the workspace lacks or gets wrong, made right.
export type * from './types';
export type { PlanOptions } from './plan';
export { planGeneration, targetPath, siblingKey, FIXABLE } from './plan';
export type { NewCaOptions, NewClientOptions, ControlPlaneOptions } from './onRequest';
export { planNewCA, planClientCert, planControlPlane } from './onRequest';
export type { ExecuteOptions } from './execute';
export { executePlan, editsAsFiles } from './execute';
export type { FileWriter, WriteRequest, WriteOptions, WriteReport, WrittenFile } from './write';
export { writeBatch, nodeWriter, clearStaleTemps, backupStamp, TEMP_MARK } from './write';
export type { CertSpec, CaFamily, LeafRole, CaProfile, LeafProfile } from './profiles';
export { caProfiles, leafProfiles } from './profiles';
