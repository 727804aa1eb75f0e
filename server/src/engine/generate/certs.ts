import { randomBytes, X509Certificate as NodeX509 } from 'node:crypto';
import { isIP } from 'node:net';
import type * as X509 from '@peculiar/x509';
import { asLibKey, x509 } from './x509';
import { type GeneratedKey, type KeyType, type SignatureHash, defaultSignatureHash, generateKey, loadKey, signingKey } from './keys';
import { DAY } from '../decode/time';

export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'cRLSign'
  | 'encipherOnly'
  | 'decipherOnly';

export type ExtKeyUsageName = 'serverAuth' | 'clientAuth';

export interface CertRequest {
  commonName?: string;
  organizations?: string[];
  isCA?: boolean;
  /** basicConstraints pathLenConstraint; omitted (unlimited) unless given, as kubeadm does. */
  pathLen?: number;
  /** default: CA -> keyCertSign, digitalSignature, keyEncipherment (kubeadm); leaf -> digitalSignature, keyEncipherment */
  keyUsage?: (KeyUsageName | string)[];
  /** null = omit the extension; default: none for a CA, none for a leaf unless the caller lists them (kubeadm always does). */
  extKeyUsage?: ExtKeyUsageName[] | null;
  dnsNames?: string[];
  ipAddresses?: string[];
  /** default: now - 5 minutes (kubeadm backdates so small clock skews do not matter) */
  notBefore?: Date;
  /** default: now + validityDays */
  notAfter?: Date;
  /** default: 365 for a leaf, 3650 for a CA (kubeadm's CertificateValidity / CACertificateValidity) */
  validityDays?: number;
  /** The instant "now" stands for in the defaults above (default: the real clock). Not in the original brief. */
  now?: Date;
  /** The subject's key; generated (keyType, default rsa-2048) when absent. */
  key?: GeneratedKey;
  keyType?: KeyType;
  /** default: what Go picks for the signer's key (SHA-256, or SHA-384 for P-384) */
  signatureHash?: SignatureHash;
  /** absent = self-signed */
  issuer?: IssuedCertificate;
  /** hex; default: 63 random bits, like kubeadm's serials */
  serialNumber?: string;
  /**
   * The subject as DER (a Name), used instead of commonName/organizations: renewing a CA must keep
   * its subject byte for byte, or what it signed no longer chains to it.
   */
  subjectDer?: Buffer;
}

export interface IssuedCertificate {
  certPem: string;
  key: GeneratedKey;
  commonName?: string;
  /** Parsed form of certPem. */
  cert: X509.X509Certificate;
}

// Tables of the library's constants, read on first use (the library loads lazily: ./x509.ts).
const keyUsageFlags = (): Record<KeyUsageName, number> => ({
  digitalSignature: x509.KeyUsageFlags.digitalSignature,
  nonRepudiation: x509.KeyUsageFlags.nonRepudiation,
  keyEncipherment: x509.KeyUsageFlags.keyEncipherment,
  dataEncipherment: x509.KeyUsageFlags.dataEncipherment,
  keyAgreement: x509.KeyUsageFlags.keyAgreement,
  keyCertSign: x509.KeyUsageFlags.keyCertSign,
  cRLSign: x509.KeyUsageFlags.cRLSign,
  encipherOnly: x509.KeyUsageFlags.encipherOnly,
  decipherOnly: x509.KeyUsageFlags.decipherOnly,
});

const extKeyUsageOids = (): Record<ExtKeyUsageName, string> => ({
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
});

/** kubeadm's constants.CertificateBackdate */
const BACKDATE = 5 * 60 * 1000;

/** kubeadm draws serials uniformly from [1, MaxInt64); 8 random bytes with the top bit clear. */
function randomSerial(): string {
  const b = randomBytes(8);
  b[0] &= 0x7f;
  if (b.every((x) => x === 0)) b[7] = 1;
  return b.toString('hex');
}

/**
 * Subject as Go's pkix.Name.ToRDNSequence lays it out for kubeadm's certificates: the
 * Organization values first (all in one RDN), then CommonName.
 */
function subjectName(commonName?: string, organizations?: string[]): X509.JsonName {
  const name: X509.JsonName = [];
  if (organizations && organizations.length) name.push({ O: [...organizations] });
  if (commonName !== undefined && commonName !== '') name.push({ CN: [commonName] });
  return name;
}

function uniq<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function toPem(der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
}

/** Issues (or self-signs) one certificate with the extensions kubeadm's certificates carry. */
export async function issueCertificate(req: CertRequest): Promise<IssuedCertificate> {
  const isCA = req.isCA ?? false;
  const key = req.key ?? (await generateKey(req.keyType ?? 'rsa-2048'));
  const now = req.now ?? new Date();
  const notBefore = req.notBefore ?? new Date(now.getTime() - BACKDATE);
  const days = req.validityDays ?? (isCA ? 3650 : 365);
  const notAfter = req.notAfter ?? new Date((req.notBefore ? req.notBefore.getTime() + BACKDATE : now.getTime()) + days * DAY);
  if (notAfter.getTime() < notBefore.getTime()) throw new Error('notAfter is before notBefore');

  const signer = req.issuer?.key ?? key;
  const hash = req.signatureHash ?? defaultSignatureHash(signer.type);
  const signing = await signingKey(signer, hash);

  const extensions: X509.Extension[] = [];
  extensions.push(new x509.BasicConstraintsExtension(isCA, isCA ? req.pathLen : undefined, true));

  const usages = req.keyUsage ?? (isCA ? ['keyCertSign', 'digitalSignature', 'keyEncipherment'] : ['digitalSignature', 'keyEncipherment']);
  let flags = 0;
  for (const u of usages) {
    const f = keyUsageFlags()[u as KeyUsageName];
    if (f === undefined) throw new Error(`unknown key usage ${u}`);
    flags |= f;
  }
  if (usages.length) extensions.push(new x509.KeyUsagesExtension(flags, true));

  const eku = req.extKeyUsage === undefined ? [] : req.extKeyUsage;
  if (eku && eku.length) {
    extensions.push(
      new x509.ExtendedKeyUsageExtension(
        eku.map((u) => {
          const oid = extKeyUsageOids()[u];
          if (!oid) throw new Error(`unknown extended key usage ${u}`);
          return oid;
        }),
        false,
      ),
    );
  }

  const ski = await x509.SubjectKeyIdentifierExtension.create(asLibKey(key.keyPair.publicKey), false);
  extensions.push(ski);
  if (req.issuer) {
    const issuerSki = req.issuer.cert.getExtension(x509.SubjectKeyIdentifierExtension);
    const keyId = issuerSki?.keyId ?? (await x509.SubjectKeyIdentifierExtension.create(asLibKey(req.issuer.key.keyPair.publicKey))).keyId;
    extensions.push(new x509.AuthorityKeyIdentifierExtension(keyId, false));
  }

  const subject: X509.JsonName | X509.Name = req.subjectDer ? new x509.Name(req.subjectDer) : subjectName(req.commonName, req.organizations);
  const subjectEmpty = req.subjectDer ? new x509.Name(req.subjectDer).toJSON().length === 0 : (subject as X509.JsonName).length === 0;
  const names: X509.JsonGeneralName[] = [
    ...uniq(req.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...uniq(req.ipAddresses ?? []).map((value) => {
      if (!isIP(value)) throw new Error(`not an IP address: ${value}`);
      return { type: 'ip' as const, value };
    }),
  ];
  // RFC 5280 4.2.1.6: with an empty subject the SAN extension must be critical (Go does the same).
  if (names.length) extensions.push(new x509.SubjectAlternativeNameExtension(names, subjectEmpty));

  const common = {
    serialNumber: req.serialNumber ?? randomSerial(),
    notBefore,
    notAfter,
    extensions,
    signingAlgorithm: signing.algorithm,
  };
  const cert = req.issuer
    ? await x509.X509CertificateGenerator.create({
        ...common,
        subject,
        issuer: req.issuer.cert.subjectName,
        publicKey: asLibKey(key.keyPair.publicKey),
        signingKey: asLibKey(signing.key),
      })
    : await x509.X509CertificateGenerator.create({
        ...common,
        subject,
        issuer: subject,
        publicKey: asLibKey(key.keyPair.publicKey),
        signingKey: asLibKey(signing.key),
      });

  const commonName = req.subjectDer ? cert.subjectName.getField('CN')[0] : req.commonName;
  return { certPem: toPem(cert.rawData), key, commonName, cert };
}

/**
 * An existing certificate and its private key (e.g. ca.crt + ca.key read from disk) as an issuer
 * for issueCertificate. Throws when the key is not the certificate's. Not in the original brief.
 */
export async function loadIssuer(certPem: string, privateKeyPem: string): Promise<IssuedCertificate> {
  const key = await loadKey(privateKeyPem);
  const nodeCert = new NodeX509(certPem);
  if (!nodeCert.checkPrivateKey(key.privateKey)) throw new Error('the private key does not belong to the certificate');
  const cert = new x509.X509Certificate(nodeCert.raw);
  const cn = cert.subjectName.getField('CN')[0];
  return { certPem: toPem(cert.rawData), key, commonName: cn, cert };
}
