import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPair as generateKeyPairCb, type webcrypto } from 'node:crypto';
import { promisify } from 'node:util';
import { subtle } from './x509';
import { lookupTable } from '../lookup';

const generateKeyPairAsync = promisify(generateKeyPairCb);

export type KeyType = 'rsa-1024' | 'rsa-2048' | 'rsa-3072' | 'rsa-4096' | 'ecdsa-p256' | 'ecdsa-p384';
// rsa-1024 only exists so tests can plant a weak key.

export const keyTypes: readonly KeyType[] = ['rsa-1024', 'rsa-2048', 'rsa-3072', 'rsa-4096', 'ecdsa-p256', 'ecdsa-p384'];

/** The key types a user may ask for (--key-type, the editor's commands), and the short names taken for them. */
const OFFERED = lookupTable<KeyType>({
  'rsa-2048': 'rsa-2048',
  'rsa-3072': 'rsa-3072',
  'rsa-4096': 'rsa-4096',
  'ecdsa-p256': 'ecdsa-p256',
  'ecdsa-p384': 'ecdsa-p384',
  rsa2048: 'rsa-2048',
  rsa3072: 'rsa-3072',
  rsa4096: 'rsa-4096',
  p256: 'ecdsa-p256',
  p384: 'ecdsa-p384',
});

/** The key type a user named (any case), or undefined: never rsa-1024. */
export function offeredKeyType(name: string): KeyType | undefined {
  return OFFERED[name.toLowerCase()];
}

export type SignatureHash = 'SHA-256' | 'SHA-384' | 'SHA-1';

export interface GeneratedKey {
  type: KeyType;
  /**
   * The private key as kubeadm writes it. kubeadm's pkiutil.WriteKey calls client-go's
   * keyutil.MarshalPrivateKeyToPEM, which encodes RSA keys as PKCS#1 ("RSA PRIVATE KEY",
   * x509.MarshalPKCS1PrivateKey) and ECDSA keys as SEC 1 ("EC PRIVATE KEY",
   * x509.MarshalECPrivateKey); never PKCS#8. We do the same.
   */
  privateKeyPem: string;
  /** SubjectPublicKeyInfo "PUBLIC KEY" PEM, as kubeadm's EncodePublicKeyPEM writes sa.pub. */
  publicKeyPem: string;
  /** Node key objects: the source of truth. */
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** WebCrypto handles for @peculiar/x509 (RSA keys bound to SHA-256; see signingKey()). */
  keyPair: webcrypto.CryptoKeyPair;
}

export function isRsa(type: KeyType): boolean {
  return type.startsWith('rsa-');
}

function rsaBits(type: KeyType): number {
  return Number(type.slice(4));
}

function curve(type: KeyType): 'P-256' | 'P-384' {
  return type === 'ecdsa-p384' ? 'P-384' : 'P-256';
}

function webAlgorithm(type: KeyType, hash: SignatureHash): webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams {
  return isRsa(type) ? { name: 'RSASSA-PKCS1-v1_5', hash } : { name: 'ECDSA', namedCurve: curve(type) };
}

async function toWebCrypto(privateKey: KeyObject, publicKey: KeyObject, type: KeyType, hash: SignatureHash): Promise<webcrypto.CryptoKeyPair> {
  const alg = webAlgorithm(type, hash);
  const priv = await subtle.importKey('pkcs8', privateKey.export({ type: 'pkcs8', format: 'der' }), alg, true, ['sign']);
  const pub = await subtle.importKey('spki', publicKey.export({ type: 'spki', format: 'der' }), alg, true, ['verify']);
  return { privateKey: priv, publicKey: pub };
}

async function fromKeyObject(privateKey: KeyObject, type: KeyType): Promise<GeneratedKey> {
  const publicKey = createPublicKey(privateKey);
  const privateKeyPem = privateKey.export({ type: isRsa(type) ? 'pkcs1' : 'sec1', format: 'pem' }).toString();
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyPair = await toWebCrypto(privateKey, publicKey, type, 'SHA-256');
  return { type, privateKeyPem, publicKeyPem, privateKey, publicKey, keyPair };
}

/** A fresh key pair; RSA-2048 by default, like kubeadm. */
export async function generateKey(type: KeyType = 'rsa-2048'): Promise<GeneratedKey> {
  if (!keyTypes.includes(type)) throw new Error(`unknown key type ${String(type)}`);
  const { privateKey } = isRsa(type)
    ? await generateKeyPairAsync('rsa', { modulusLength: rsaBits(type), publicExponent: 0x10001 })
    : await generateKeyPairAsync('ec', { namedCurve: curve(type) });
  return fromKeyObject(privateKey, type);
}

/** The KeyType of an existing key, or undefined for anything kubeadm would not write (Ed25519, odd RSA sizes...). */
export function keyTypeOf(key: KeyObject): KeyType | undefined {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' && d?.modulusLength) {
    const t = `rsa-${d.modulusLength}` as KeyType;
    return keyTypes.includes(t) ? t : undefined;
  }
  if (key.asymmetricKeyType === 'ec') {
    if (d?.namedCurve === 'prime256v1' || d?.namedCurve === 'P-256') return 'ecdsa-p256';
    if (d?.namedCurve === 'secp384r1' || d?.namedCurve === 'P-384') return 'ecdsa-p384';
  }
  return undefined;
}

/**
 * Loads an existing private key (PKCS#1, SEC 1 or PKCS#8 PEM, e.g. /etc/kubernetes/pki/ca.key) so
 * it can sign or be reused. The PEM written back is normalised to kubeadm's encoding.
 */
export async function loadKey(privateKeyPem: string): Promise<GeneratedKey> {
  const privateKey = createPrivateKey({ key: privateKeyPem, format: 'pem' });
  const type = keyTypeOf(privateKey);
  if (!type) {
    const d = privateKey.asymmetricKeyDetails;
    throw new Error(
      `unsupported private key (${privateKey.asymmetricKeyType ?? 'unknown'}${d?.modulusLength ? ` ${d.modulusLength} bits` : ''}${d?.namedCurve ? ` ${d.namedCurve}` : ''}): kubeadm uses RSA 2048-4096 or ECDSA P-256/P-384`,
    );
  }
  return fromKeyObject(privateKey, type);
}

/** The signature hash Go's crypto/x509 picks for a signer of this type (what kubeadm produces). */
export function defaultSignatureHash(type: KeyType): SignatureHash {
  return type === 'ecdsa-p384' ? 'SHA-384' : 'SHA-256';
}

/**
 * The WebCrypto private key and algorithm to sign with. RSASSA-PKCS1-v1_5 binds the hash to the
 * key in WebCrypto, so another hash needs the key re-imported; ECDSA takes the hash per signature.
 */
export async function signingKey(
  key: GeneratedKey,
  hash: SignatureHash,
): Promise<{ key: webcrypto.CryptoKey; algorithm: { name: string; hash: string } }> {
  if (isRsa(key.type)) {
    const k = hash === 'SHA-256' ? key.keyPair.privateKey : (await toWebCrypto(key.privateKey, key.publicKey, key.type, hash)).privateKey;
    return { key: k, algorithm: { name: 'RSASSA-PKCS1-v1_5', hash } };
  }
  return { key: key.keyPair.privateKey, algorithm: { name: 'ECDSA', hash } };
}
