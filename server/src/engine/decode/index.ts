// Seeing inside certificates, bundles, keys and CSRs: structured descriptions, hover Markdown and the
// full text decode. No VS Code or LSP imports; private key content is never part of any output.
export { describeCertificate, describeBlock, describePemText, describeBase64, chainOf, matchKeys, hexColons } from './describe';
export type {
  CertificateView,
  PrivateKeyView,
  PublicKeyView,
  CsrView,
  UndecodableView,
  DecodedItem,
  Decoded,
  ChainLink,
  KeyMatch,
  KubernetesIdentity,
  SubjectAltNames,
  DescribeOptions,
  PairedKey,
} from './describe';
export { parseCertificateRequest, CsrError } from './csr';
export type { CertificateRequest } from './csr';
export { nameAttributes, formatAttributes } from './names';
export type { NameAttribute } from './names';
export { pemRegions } from './regions';
export type { PemRegion } from './regions';
export { decodedMarkdown, itemMarkdown, escapeMarkdown, chainMarkdown } from './markdown';
export type { DecodeContext, ContextFinding } from './markdown';
export { decodedText } from './text';
export { validityPhrase, shortValidityPhrase, validityStatus, formatInstant, formatDay } from './time';
