// Phase 5: which private key is each certificate's. Reads the Collection's keys (indexed by their public half,
// the SubjectPublicKeyInfo DER) and, per certificate, its files and the keys referenced beside it. Produces
// keyFor(entry): among the keys whose public half is the certificate's (compared as keys when the encoding
// differs, for a workspace of ordinary size), the one kubeadm keeps beside it (NAME.key), then one in the
// same file, then the one referenced beside it, then any file, then inline data; an encrypted key (public
// half unknown) only when it lies or is referenced beside the certificate. Every key it considers is
// recorded in `matched` (orphanKeys.ts lists the others).
import { sameKey } from '../pki/key';
import type { Collection, Entry, KeyRecord } from './collection';

/** kubeadm's NAME.key beside a NAME.crt (.cer, .pem). */
export function kubeadmKeyOf(certFile: string): string | undefined {
  return /\.(crt|cer|pem)$/i.test(certFile) ? certFile.replace(/\.(crt|cer|pem)$/i, '.key') : undefined;
}

export interface KeyMatcher {
  /** Every key of the Collection, in the order first seen. */
  keyList: KeyRecord[];
  /** The keys some certificate's keyFor() took as a candidate so far. */
  matched: Set<KeyRecord>;
  keyFor(e: Entry): KeyRecord | undefined;
}

export function keyMatcher(c: Collection): KeyMatcher {
  const keyList = [...c.keys.values()];
  const keysBySpki = new Map<string, KeyRecord[]>();
  for (const k of keyList) {
    if (!k.info.spkiDer) continue;
    const h = k.info.spkiDer.toString('base64');
    const list = keysBySpki.get(h);
    if (list) list.push(k);
    else keysBySpki.set(h, [k]);
  }
  const matched = new Set<KeyRecord>();
  const encryptedKeys = keyList.filter((k) => !k.info.spkiDer);
  const keysOf = (spki: Buffer): KeyRecord[] => {
    const exact = keysBySpki.get(spki.toString('base64'));
    if (exact) return exact;
    // The same key encoded differently (rare): compare the keys themselves, for a workspace of ordinary size.
    if (keyList.length > 500) return [];
    return keyList.filter((k) => k.info.spkiDer && sameKey(spki, k.info.spkiDer));
  };
  const keyFor = (e: Entry): KeyRecord | undefined => {
    const files = [...e.files];
    const beside = (k: KeyRecord) => !k.inline && files.some((f) => kubeadmKeyOf(f) === k.file);
    const score = (k: KeyRecord): number => {
      if (beside(k)) return 0; // kubeadm: apiserver.crt + apiserver.key
      if (!k.inline && e.files.has(k.file)) return 1; // certificate and key in one file
      if (e.pairedKeys.has(k.source)) return 2; // the key referenced beside it
      return k.inline ? 4 : 3;
    };
    let candidates = keysOf(e.cert.publicKey.spkiDer);
    if (candidates.length === 0) {
      // An encrypted key (its public half unknown) is the certificate's when it lies or is referenced beside it.
      candidates = encryptedKeys.filter((k) => score(k) <= 2);
    }
    for (const cand of candidates) matched.add(cand);
    if (candidates.length === 0) return undefined;
    return candidates.slice().sort((a, b) => score(a) - score(b) || (a.source < b.source ? -1 : 1))[0];
  };
  return { keyList, matched, keyFor };
}
