// Certificate, key and kubeconfig generation (kubeadm's conventions). No VS Code / LSP imports.
export type { KeyType, GeneratedKey, SignatureHash } from './keys';
export { generateKey, loadKey, keyTypes, offeredKeyType, defaultSignatureHash } from './keys';
export type { CertRequest, IssuedCertificate, KeyUsageName, ExtKeyUsageName } from './certs';
export { issueCertificate, loadIssuer } from './certs';
export type { KubeconfigOptions } from './kubeconfig';
export { kubeconfigText } from './kubeconfig';
// Planning, executing and writing: what the workspace lacks or gets wrong, made right.
export type * from './types';
export type { PlanOptions } from './plan/planner';
export { planGeneration } from './plan/workspace';
export { targetPath, siblingKey } from './plan/paths';
export { FIXABLE } from './plan/fixes';
export type { NewCaOptions } from './plan/newCA';
export { planNewCA } from './plan/newCA';
export type { NewClientOptions } from './plan/newClient';
export { planClientCert } from './plan/newClient';
export type { ControlPlaneOptions } from './plan/newControlPlane';
export { planControlPlane } from './plan/newControlPlane';
export type { ExecuteOptions } from './execute';
export { executePlan, editsAsFiles } from './execute';
export type { FileWriter, WriteRequest, WriteOptions, WriteReport, WrittenFile } from './write';
export { writeBatch, backupFiles, nodeWriter, clearStaleTemps, backupStamp, TEMP_MARK } from './write';
export type { CertSpec, CaFamily, LeafRole, CaProfile, LeafProfile } from './profiles';
export { caProfiles, leafProfiles } from './profiles';
export type { ExampleOptions, ExampleFile, ExampleDefect, ExampleTree, ExampleWriteOptions } from './example/cluster';
export { buildExampleCluster, writeExampleCluster, EXAMPLE_MARKER } from './example/cluster';
// Rotating a CA in three stages (rotate/).
export type { RotatedCa, Stage as RotationStage, RotateOptions, RotationResult, RotationFile, BrokenConnection } from './rotate';
export { prepareRotation, finishRotation, rotationConnections, emptyRotation } from './rotate';
