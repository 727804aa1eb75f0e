// Object identifiers the PKI code names. Kept in one place so messages and checks agree.

export const OID = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  nameConstraints: '2.5.29.30',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  policyConstraints: '2.5.29.36',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

/** Extension names for messages. */
export const EXTENSION_NAMES: Record<string, string> = {
  [OID.basicConstraints]: 'basicConstraints',
  [OID.keyUsage]: 'keyUsage',
  [OID.extKeyUsage]: 'extendedKeyUsage',
  [OID.subjectAltName]: 'subjectAltName',
  [OID.nameConstraints]: 'nameConstraints',
  [OID.subjectKeyId]: 'subjectKeyIdentifier',
  [OID.authorityKeyId]: 'authorityKeyIdentifier',
  [OID.crlDistributionPoints]: 'cRLDistributionPoints',
  [OID.certificatePolicies]: 'certificatePolicies',
  [OID.policyMappings]: 'policyMappings',
  [OID.policyConstraints]: 'policyConstraints',
  [OID.inhibitAnyPolicy]: 'inhibitAnyPolicy',
  [OID.authorityInfoAccess]: 'authorityInfoAccess',
  '2.5.29.18': 'issuerAltName',
  '1.3.6.1.5.5.7.1.24': 'TLS Feature',
  '1.3.6.1.4.1.11129.2.4.2': 'CT Precertificate SCTs',
  '1.3.6.1.4.1.11129.2.4.3': 'CT Precertificate Poison',
};

/** Extensions Go's crypto/x509 understands; any other critical extension makes Go reject the certificate. */
export const GO_HANDLED_EXTENSIONS = new Set<string>([
  OID.keyUsage,
  OID.basicConstraints,
  OID.subjectAltName,
  OID.nameConstraints,
  OID.crlDistributionPoints,
  OID.authorityKeyId,
  OID.policyConstraints,
  OID.extKeyUsage,
  OID.subjectKeyId,
  OID.certificatePolicies,
  OID.policyMappings,
  OID.inhibitAnyPolicy,
  OID.authorityInfoAccess,
]);

export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'contentCommitment',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

export const EKU_NAMES: Record<string, string> = {
  '2.5.29.37.0': 'any',
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

export const DN_ATTRIBUTE_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.8': 'ST',
  '2.5.4.7': 'L',
  '2.5.4.9': 'STREET',
  '2.5.4.17': 'POSTALCODE',
  '2.5.4.5': 'SERIALNUMBER',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.12': 'title',
  '2.5.4.46': 'dnQualifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

export interface SignatureAlgorithmInfo {
  /** OpenSSL's name, e.g. sha256WithRSAEncryption. */
  name: string;
  hash?: string;
  /** Go's SignatureAlgorithm.String(), when Go knows the algorithm. */
  goName?: string;
  /** Key family the algorithm needs. */
  keyFamily?: 'rsa' | 'ec' | 'ed25519' | 'ed448' | 'dsa';
}

export const SIGNATURE_ALGORITHMS: Record<string, SignatureAlgorithmInfo> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'md2', goName: 'MD2-RSA', keyFamily: 'rsa' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5', goName: 'MD5-RSA', keyFamily: 'rsa' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1', goName: 'SHA1-RSA', keyFamily: 'rsa' },
  '1.3.14.3.2.29': { name: 'sha1WithRSA', hash: 'sha1', goName: 'SHA1-RSA', keyFamily: 'rsa' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224', keyFamily: 'rsa' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256', goName: 'SHA256-RSA', keyFamily: 'rsa' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384', goName: 'SHA384-RSA', keyFamily: 'rsa' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512', goName: 'SHA512-RSA', keyFamily: 'rsa' },
  '1.2.840.113549.1.1.10': { name: 'rsassaPss', keyFamily: 'rsa' },
  '1.2.840.10040.4.3': { name: 'dsa_with_SHA1', hash: 'sha1', goName: 'DSA-SHA1', keyFamily: 'dsa' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa_with_SHA256', hash: 'sha256', goName: 'DSA-SHA256', keyFamily: 'dsa' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1', goName: 'ECDSA-SHA1', keyFamily: 'ec' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224', keyFamily: 'ec' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256', goName: 'ECDSA-SHA256', keyFamily: 'ec' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384', goName: 'ECDSA-SHA384', keyFamily: 'ec' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512', goName: 'ECDSA-SHA512', keyFamily: 'ec' },
  '1.3.101.112': { name: 'ED25519', goName: 'Ed25519', keyFamily: 'ed25519' },
  '1.3.101.113': { name: 'ED448', keyFamily: 'ed448' },
};

export const HASH_OIDS: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
};

export const PUBLIC_KEY_ALGORITHMS: Record<string, 'rsa' | 'rsa-pss' | 'ec' | 'ed25519' | 'ed448' | 'dsa'> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.113549.1.1.10': 'rsa-pss',
  '1.2.840.10045.2.1': 'ec',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
  '1.2.840.10040.4.1': 'dsa',
};

export const OTHER_KEY_ALGORITHMS: Record<string, string> = {
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.2.840.10046.2.1': 'DH',
};

export interface CurveInfo {
  name: string;
  bits: number;
  /** Go's crypto/x509 parses only these. */
  go: boolean;
}

export const CURVES: Record<string, CurveInfo> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', bits: 256, go: true },
  '1.3.132.0.34': { name: 'P-384', bits: 384, go: true },
  '1.3.132.0.35': { name: 'P-521', bits: 521, go: true },
  '1.3.132.0.33': { name: 'P-224', bits: 224, go: true },
  '1.2.840.10045.3.1.1': { name: 'P-192', bits: 192, go: false },
  '1.3.132.0.10': { name: 'secp256k1', bits: 256, go: false },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', bits: 256, go: false },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', bits: 384, go: false },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', bits: 512, go: false },
};

/** node's asymmetricKeyDetails.namedCurve -> our curve names */
export const NODE_CURVE_NAMES: Record<string, string> = {
  prime256v1: 'P-256',
  'P-256': 'P-256',
  secp384r1: 'P-384',
  'P-384': 'P-384',
  secp521r1: 'P-521',
  'P-521': 'P-521',
  secp224r1: 'P-224',
  prime192v1: 'P-192',
  secp256k1: 'secp256k1',
  brainpoolP256r1: 'brainpoolP256r1',
  brainpoolP384r1: 'brainpoolP384r1',
  brainpoolP512r1: 'brainpoolP512r1',
};

export const CURVE_BITS: Record<string, number> = {
  'P-256': 256,
  'P-384': 384,
  'P-521': 521,
  'P-224': 224,
  'P-192': 192,
  secp256k1: 256,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};
