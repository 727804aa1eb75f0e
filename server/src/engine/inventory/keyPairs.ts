// Phase 8a: the private keys that are one half of a key pair with no certificate: NAME.key with NAME.pub beside
// it, as kubeadm writes the service-account pair (cmd/kubeadm/app/phases/certs/certs.go
// CreateServiceAccountKeyAndPublicKeyFiles: sa.key and sa.pub in the certificates folder). Reads the Collection's
// keys and public-key files, and the findings on the lines that reference either (findings.ts). Produces the pairs,
// in file order; their keys are no orphans (orphanKeys.ts).
import * as path from 'node:path';
import { sameKey } from '../pki/key';
import type { InventoryKeyPair, InventoryLocation, InventoryProblem } from './types';
import type { Collection, KeyRecord } from './collection';

export function keyPairs(
  c: Collection,
  keyList: KeyRecord[],
  problemsOn: (locs: InventoryLocation[]) => InventoryProblem[],
): { pairs: InventoryKeyPair[]; paired: Set<KeyRecord> } {
  const pairs: InventoryKeyPair[] = [];
  const paired = new Set<KeyRecord>();
  for (const k of keyList) {
    if (k.inline || !/\.key$/i.test(k.file) || k.source !== k.file) continue;
    const pub = c.publicKeyFiles.get(path.join(path.dirname(k.file), path.basename(k.file).replace(/\.key$/i, '.pub')));
    if (!pub) continue;
    paired.add(k);
    const references = [...k.refs, ...pub.refs];
    const pair: InventoryKeyPair = {
      keyFile: k.file,
      publicKeyFile: pub.file,
      keyAlgorithm: k.info.description,
      references,
      problems: problemsOn(references),
    };
    if (k.info.spkiDer) pair.matches = sameKey(k.info.spkiDer, pub.info.spkiDer);
    pairs.push(pair);
  }
  pairs.sort((a, b) => (a.keyFile < b.keyFile ? -1 : a.keyFile > b.keyFile ? 1 : 0));
  return { pairs, paired };
}
