// PKI primitives: PEM, certificates, keys and Go-compatible verification. No VS Code or LSP imports here.
export { parsePem, looksLikePem } from './pem';
export type { PemBlock, PemParse } from './pem';
export { parseCertificate, CertificateError, clearCertificateCache, certificateName, parsePublicKeyInfo } from './certificate';
export type { Certificate, DistinguishedName, PublicKeyInfo, NameConstraints } from './certificate';
export { parsePrivateKey, parsePublicKey, sameKey, KeyError } from './key';
export type { PrivateKeyInfo } from './key';
export { matchesHost, describeNames, hostMismatchMessage, isIssuedBy, checkSignatureFrom, canSignCertificates, verify } from './verify';
export type { VerifyErrorKind, VerifyOptions, VerifyResult, VerifyError } from './verify';
export { goBase64Decode } from './base64';
export type { GoBase64 } from './base64';
