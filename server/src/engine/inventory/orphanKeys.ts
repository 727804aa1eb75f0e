// Phase 8: the private keys no certificate matches. Reads every key of the Collection, those keyFor() took
// (keys.ts `matched`: call it after the certificate records), the certificates and the public keys met. A key
// is no orphan when a certificate holds it encoded differently, or when its public half lies in a .pub file
// (sa.key/sa.pub). Produces the orphan keys with their references, in file order.
import { sameKey } from '../pki/key';
import type { InventoryOrphanKey } from './types';
import type { Collection, KeyRecord } from './collection';

export function orphanKeys(c: Collection, keyList: KeyRecord[], matched: Set<KeyRecord>, paired: Set<KeyRecord>): InventoryOrphanKey[] {
  const orphans: InventoryOrphanKey[] = [];
  // Whether a certificate holds the key encoded differently (a key keyFor() matched never gets here), for a workspace of ordinary size.
  const certList = c.entries.size > 2000 ? [] : [...c.entries.values()];
  for (const k of keyList) {
    if (matched.has(k) || paired.has(k)) continue;
    if (k.info.spkiDer) {
      const spki = k.info.spkiDer;
      if (certList.some((e) => sameKey(e.cert.publicKey.spkiDer, spki))) continue;
      if (c.publicKeys.some((p) => sameKey(p.spkiDer, spki))) continue;
    }
    orphans.push({ file: k.file, keyAlgorithm: k.info.description, references: k.refs });
  }
  orphans.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  return orphans;
}
