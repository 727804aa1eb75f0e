// PKCS#10 certificate signing requests, read with the engine's DER reader (node:crypto cannot parse
// CSRs): subject, public key, requested extensions, and whether the request's self-signature holds.
import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { children, DerError, element, expect, isContext, readBigInt, readBitString, readOid, readTlv, TAG, type Tlv } from '../pki/der';
import { parsePublicKeyInfo, type PublicKeyInfo } from '../pki/certificate';
import { SIGNATURE_ALGORITHMS } from '../pki/oids';
import { nameAttributes, summariseExtensions, type ExtensionSummary, type NameAttribute } from './names';

export interface CertificateRequest {
  version: number;
  subject: NameAttribute[];
  publicKey: PublicKeyInfo;
  signatureAlgorithm: string;
  /** Whether the request is signed by its own key (proof of possession); undefined when not checked. */
  signatureValid?: boolean;
  extensions?: ExtensionSummary;
  /** Other attributes by name or OID (a challenge password's value is never shown). */
  otherAttributes: string[];
}

export class CsrError extends Error {}

const EXTENSION_REQUEST = '1.2.840.113549.1.9.14';
const ATTRIBUTE_NAMES: Record<string, string> = {
  '1.2.840.113549.1.9.7': 'challengePassword',
  '1.2.840.113549.1.9.2': 'unstructuredName',
  '1.3.6.1.4.1.311.13.2.3': 'Microsoft OS version',
};

const NODE_HASH: Record<string, string> = { sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512', md5: 'md5' };

export function parseCertificateRequest(der: Buffer): CertificateRequest {
  let outer: Tlv;
  let parts: Tlv[];
  let info: Tlv[];
  try {
    outer = readTlv(der, 0, der.length);
    parts = children(expect(outer, TAG.SEQUENCE, 'CertificationRequest'), 4);
    if (parts.length !== 3) throw new DerError(`expected 3 elements, found ${parts.length}`);
    info = children(expect(parts[0], TAG.SEQUENCE, 'certificationRequestInfo'), 10);
  } catch (e) {
    throw new CsrError(`not a certificate signing request: DER does not decode (${(e as Error).message})`);
  }
  try {
    const version = Number(readBigInt(expect(info[0], TAG.INTEGER, 'version'))) + 1;
    const subject = nameAttributes(expect(info[1], TAG.SEQUENCE, 'subject'));
    const spki = element(expect(info[2], TAG.SEQUENCE, 'subjectPKInfo'));
    const publicKey = parsePublicKeyInfo(Buffer.from(spki));
    const algOid = readOid(expect(children(expect(parts[1], TAG.SEQUENCE, 'signatureAlgorithm'), 4)[0], TAG.OID, 'algorithm'));
    const alg = SIGNATURE_ALGORITHMS[algOid];
    const req: CertificateRequest = { version, subject, publicKey, signatureAlgorithm: alg?.name ?? algOid, otherAttributes: [] };
    const attrs = info[3];
    if (attrs && isContext(attrs, 0)) {
      for (const attr of children(attrs, 1000)) {
        const [typeTlv, values] = children(expect(attr, TAG.SEQUENCE, 'Attribute'), 3);
        const oid = readOid(expect(typeTlv, TAG.OID, 'attribute type'));
        if (oid === EXTENSION_REQUEST && values) {
          const [exts] = children(expect(values, TAG.SET, 'attribute values'), 4);
          try {
            req.extensions = summariseExtensions(expect(exts, TAG.SEQUENCE, 'extensions'));
          } catch {
            req.extensions = { dnsNames: [], ipAddresses: [], uris: [], emails: [], present: [], undecodable: ['extensionRequest'] };
          }
        } else {
          req.otherAttributes.push(ATTRIBUTE_NAMES[oid] ?? oid);
        }
      }
    }
    const hash = alg?.hash ? NODE_HASH[alg.hash] : undefined;
    const family = alg?.keyFamily;
    if (family && (hash || family === 'ed25519' || family === 'ed448') && publicKey.algorithm !== 'unknown') {
      try {
        const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
        const sig = readBitString(expect(parts[2], TAG.BIT_STRING, 'signature')).bytes;
        req.signatureValid = verifySignature(family === 'ed25519' || family === 'ed448' ? null : hash!, element(parts[0]), key, sig);
      } catch {
        req.signatureValid = false;
      }
    }
    return req;
  } catch (e) {
    if (e instanceof CsrError) throw e;
    throw new CsrError(`not a certificate signing request: ${(e as Error).message}`);
  }
}
