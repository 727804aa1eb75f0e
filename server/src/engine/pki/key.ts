// Private and public keys from PEM blocks, via node:crypto. Messages never contain key material.

import { createHash, createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { parsePublicKeyInfo, type PublicKeyInfo } from './certificate';
import { CURVE_BITS, NODE_CURVE_NAMES } from './oids';
import { type PemBlock } from './pem';
import { lookupTable } from '../lookup';

export interface PrivateKeyInfo {
  algorithm: PublicKeyInfo['algorithm'];
  bits?: number;
  curve?: string;
  description: string;
  encrypted: boolean;
  /** The public half as SubjectPublicKeyInfo DER; absent when encrypted. */
  spkiDer?: Buffer;
}

export class KeyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyError';
  }
}

const FORMATS = lookupTable<{ type: 'pkcs1' | 'sec1' | 'pkcs8'; what: string; algorithm?: PublicKeyInfo['algorithm'] }>({
  'RSA PRIVATE KEY': { type: 'pkcs1', what: 'RSA private key (PKCS#1)', algorithm: 'rsa' },
  'EC PRIVATE KEY': { type: 'sec1', what: 'EC private key (SEC 1)', algorithm: 'ec' },
  'PRIVATE KEY': { type: 'pkcs8', what: 'private key (PKCS#8)' },
});

const LEGACY_ALGORITHMS = lookupTable<PublicKeyInfo['algorithm']>({
  'RSA PRIVATE KEY': 'rsa',
  'EC PRIVATE KEY': 'ec',
  'DSA PRIVATE KEY': 'dsa',
});

const CACHE_LIMIT = 2000;
const keyCache = new Map<string, PrivateKeyInfo | KeyError>();

function remember<T extends object, V extends T>(map: Map<string, T>, key: string, v: V): V {
  map.set(key, v);
  if (map.size > CACHE_LIMIT) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  return v;
}

function contentKey(block: PemBlock): string {
  const h = createHash('sha256');
  h.update(block.label);
  h.update('\0');
  h.update(JSON.stringify(block.headers));
  h.update('\0');
  h.update(block.der);
  return h.digest('hex');
}

function isLegacyEncrypted(block: PemBlock): boolean {
  const procType = Object.entries(block.headers).find(([k]) => k.toLowerCase() === 'proc-type')?.[1];
  return !!procType && /ENCRYPTED/i.test(procType);
}

function algorithmName(a: PublicKeyInfo['algorithm']): string {
  return { rsa: 'RSA', 'rsa-pss': 'RSA-PSS', ec: 'EC', ed25519: 'Ed25519', ed448: 'Ed448', dsa: 'DSA', unknown: '' }[a];
}

export function parsePrivateKey(block: PemBlock): PrivateKeyInfo {
  const key = contentKey(block);
  const hit = keyCache.get(key);
  if (hit instanceof KeyError) throw new KeyError(hit.message);
  if (hit) return hit;
  try {
    return remember(keyCache, key, parseUncached(block));
  } catch (e) {
    const err = e instanceof KeyError ? e : new KeyError('not a usable private key');
    remember(keyCache, key, err);
    throw err;
  }
}

function parseUncached(block: PemBlock): PrivateKeyInfo {
  const label = block.label;
  if (label === 'ENCRYPTED PRIVATE KEY') {
    return { algorithm: 'unknown', description: 'encrypted private key (PKCS#8)', encrypted: true };
  }
  if (isLegacyEncrypted(block)) {
    const algorithm = LEGACY_ALGORITHMS[label] ?? 'unknown';
    const name = algorithmName(algorithm);
    return { algorithm, description: `encrypted ${name ? name + ' ' : ''}private key`, encrypted: true };
  }
  if (label === 'OPENSSH PRIVATE KEY')
    throw new KeyError("an OpenSSH private key ('OPENSSH PRIVATE KEY'): Kubernetes needs a PEM key (PKCS#1, SEC 1 or PKCS#8)");
  if (label === 'DSA PRIVATE KEY') throw new KeyError('a DSA private key: Kubernetes components cannot use DSA keys');
  const fmt = FORMATS[label];
  if (!fmt) throw new KeyError(`not a private key: the PEM block is '${label}'`);
  if (block.der.length === 0) throw new KeyError(`not a valid ${fmt.what}: the PEM block is empty`);

  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey({ key: block.der, format: 'der', type: fmt.type });
  } catch {
    throw new KeyError(`not a valid ${fmt.what}: DER does not decode (truncated or wrong PEM label?)`);
  }
  if (fmt.algorithm && keyObject.asymmetricKeyType !== fmt.algorithm) {
    throw new KeyError(`not a valid ${fmt.what}: it holds a ${keyObject.asymmetricKeyType} key`);
  }
  let spkiDer: Buffer | undefined;
  try {
    spkiDer = createPublicKey(keyObject).export({ type: 'spki', format: 'der' }) as Buffer;
  } catch {
    spkiDer = undefined;
  }
  const info = describeKeyObject(keyObject, spkiDer);
  return { ...info, encrypted: false, ...(spkiDer ? { spkiDer } : {}) };
}

function describeKeyObject(
  k: KeyObject,
  spkiDer: Buffer | undefined,
): { algorithm: PublicKeyInfo['algorithm']; bits?: number; curve?: string; description: string } {
  const type = k.asymmetricKeyType ?? 'unknown';
  const d = k.asymmetricKeyDetails ?? {};
  switch (type) {
    case 'rsa':
    case 'rsa-pss': {
      const bits = d.modulusLength;
      return { algorithm: type, bits, description: `${type === 'rsa' ? 'RSA' : 'RSA-PSS'}${bits ? ' ' + bits : ''}` };
    }
    case 'ec': {
      const curve = d.namedCurve ? (NODE_CURVE_NAMES[d.namedCurve] ?? d.namedCurve) : undefined;
      if (!curve && spkiDer) {
        const pub = parsePublicKeyInfo(spkiDer);
        if (pub.curve) return { algorithm: 'ec', bits: pub.bits, curve: pub.curve, description: pub.description };
      }
      const bits = curve ? CURVE_BITS[curve] : undefined;
      return { algorithm: 'ec', ...(bits ? { bits } : {}), ...(curve ? { curve } : {}), description: curve ? `ECDSA ${curve}` : 'ECDSA' };
    }
    case 'ed25519':
      return { algorithm: 'ed25519', bits: 256, description: 'Ed25519' };
    case 'ed448':
      return { algorithm: 'ed448', bits: 456, description: 'Ed448' };
    case 'dsa': {
      const bits = d.modulusLength;
      return { algorithm: 'dsa', bits, description: `DSA${bits ? ' ' + bits : ''}` };
    }
    default:
      return { algorithm: 'unknown', description: type === 'x25519' ? 'X25519' : type === 'x448' ? 'X448' : `${type} key` };
  }
}

const publicCache = new Map<string, PublicKeyInfo | KeyError>();

export function parsePublicKey(block: PemBlock): PublicKeyInfo {
  const key = contentKey(block);
  const hit = publicCache.get(key);
  if (hit instanceof KeyError) throw new KeyError(hit.message);
  if (hit) return hit;
  try {
    return remember(publicCache, key, parsePublicUncached(block));
  } catch (e) {
    const err = e instanceof KeyError ? e : new KeyError('not a usable public key');
    remember(publicCache, key, err);
    throw err;
  }
}

function parsePublicUncached(block: PemBlock): PublicKeyInfo {
  let type: 'spki' | 'pkcs1';
  let what: string;
  if (block.label === 'PUBLIC KEY') {
    type = 'spki';
    what = 'public key (SubjectPublicKeyInfo)';
  } else if (block.label === 'RSA PUBLIC KEY') {
    type = 'pkcs1';
    what = 'RSA public key (PKCS#1)';
  } else {
    throw new KeyError(`not a public key: the PEM block is '${block.label}'`);
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPublicKey({ key: block.der, format: 'der', type });
  } catch {
    throw new KeyError(`not a valid ${what}: DER does not decode (truncated or wrong PEM label?)`);
  }
  const spki = type === 'spki' ? Buffer.from(block.der) : (keyObject.export({ type: 'spki', format: 'der' }) as Buffer);
  const info = parsePublicKeyInfo(spki);
  if (info.algorithm === 'unknown') {
    const d = describeKeyObject(keyObject, spki);
    return { ...info, algorithm: d.algorithm, description: d.description, ...(d.bits ? { bits: d.bits } : {}) };
  }
  return info;
}

// ---------------------------------------------------------------------------------------------------------

const normalCache = new Map<string, string>();

/** A canonical text for the public key in an SPKI DER: equal for the same key however it is encoded. */
function normalise(spki: Buffer): string {
  const h = createHash('sha256').update(spki).digest('hex');
  const hit = normalCache.get(h);
  if (hit !== undefined) return hit;
  let out: string;
  try {
    const k = createPublicKey({ key: spki, format: 'der', type: 'spki' });
    try {
      const jwk = k.export({ format: 'jwk' }) as Record<string, string>;
      out = 'jwk:' + [jwk.kty, jwk.crv ?? '', jwk.n ?? '', jwk.e ?? '', jwk.x ?? '', jwk.y ?? ''].join('|');
    } catch {
      out = 'spki:' + (k.export({ type: 'spki', format: 'der' }) as Buffer).toString('hex');
    }
  } catch {
    out = 'raw:' + spki.toString('hex');
  }
  normalCache.set(h, out);
  if (normalCache.size > CACHE_LIMIT) {
    const oldest = normalCache.keys().next().value;
    if (oldest !== undefined) normalCache.delete(oldest);
  }
  return out;
}

/** True when two SubjectPublicKeyInfo DERs hold the same public key. */
export function sameKey(a: Buffer, b: Buffer): boolean {
  if (!a || !b) return false;
  if (a.equals(b)) return true;
  return normalise(a) === normalise(b);
}

/**
 * Why a key is too weak to trust or keep ("RSA 1024-bit"), or undefined: RSA under 2048 bits, EC under 256 bits,
 * any DSA key (NIST SP 800-131A; kubeadm makes RSA 2048 or ECDSA P-256). The weak-key check reports it; the
 * generation planner issues a new key instead of re-using such a one.
 */
export function keyWeakness(alg: string, bits: number | undefined): string | undefined {
  if (bits === undefined) return undefined;
  if ((alg === 'rsa' || alg === 'rsa-pss') && bits < 2048) return `RSA ${bits}-bit`;
  if (alg === 'ec' && bits < 256) return `EC ${bits}-bit`;
  if (alg === 'dsa') return `DSA ${bits}-bit`;
  return undefined;
}
