// The workspace's PKI as one list (types.ts): every certificate a recognised config references (a file, a CA
// bundle, inline *-data) or that lies in the workspace as a .crt/.pem/.cer file, deduplicated by the SHA-256 of
// its DER; who signed it (signature verified), what it is for, which key is its own, when it expires and the
// findings on the lines that reference it; and the private keys no certificate matches.
//
// Cheap to call again: material comes from the engine's caches (referenced files, inline values) or from a
// cache of loose files keyed by path, size and mtime; certificates are parsed once per content hash
// (pki/certificate.ts), signatures checked once per pair (pki/verify.ts), findings are the engine's cached
// verdicts. No private key byte ever enters the result.
//
// One file per phase, run here in order over one Collection (collection.ts):
//   1. references.ts    what the recognised documents reference (certificates, keys, roles, lines)
//   2. looseFiles.ts    certificate and key files lying under the roots, and kubeadm's NAME.key beside each NAME.crt
//   3. nodes.ts         the node tree each certificate belongs to
//   4. issuers.ts       who signed each certificate
//   5. keys.ts          which private key is each certificate's
//   6. findings.ts      the findings on the lines that reference each certificate
//   7. certificates.ts  the certificate records, sorted by expiry
//   8. keyPairs.ts      the private keys with their public key beside them (sa.key / sa.pub)
//      orphanKeys.ts    the other private keys no certificate matches
// roles.ts says what a certificate is for, kubeadm.ts how `kubeadm certs check-expiration` prints times.
import * as path from 'node:path';
import type { Engine } from '../workspace/engine';
import type { Inventory } from './types';
import { Collection } from './collection';
import { collectReferences } from './references';
import { LooseFiles } from './looseFiles';
import { nodeFolders, nodeNames } from './nodes';
import { issuerFinder } from './issuers';
import { keyMatcher } from './keys';
import { problemFinder, problemsOnFinder } from './findings';
import { keyPairs } from './keyPairs';
import { certificateRecords } from './certificates';
import { orphanKeys } from './orphanKeys';

export type * from './types';
export { kubeadmExpiryTime, shortHumanDuration } from './kubeadm';

export interface InventoryOptions {
  /**
   * Folders searched for loose certificate and key files (*.crt, *.pem, *.cer, *.key, *.pub; default: the
   * engine's searchRoots); a file given here is read whatever its name. Node names are shown relative to them.
   */
  roots?: string[];
}

/** Every certificate of the workspace, its issuer, role, key and expiry, and the keys no certificate matches. */
export function buildInventory(engine: Engine, options: InventoryOptions = {}): Inventory {
  const fs = engine.fileSystem;
  const nowDate = engine.now;
  const now = nowDate.getTime();
  const warnDays = engine.options.expiryWarningDays;
  const roots = (options.roots ?? engine.options.searchRoots).map((r) => path.resolve(r));
  const c = new Collection();

  collectReferences(engine, c);
  const loose = new LooseFiles(fs, c, (p, isFolder) => engine.excludedBy(p, isFolder) !== undefined);
  loose.readRoots(roots);
  loose.readSiblingKeys();
  loose.forgetUnseen();

  const nodeDirs = nodeFolders(fs, c.entries.values());
  const issuerOf = issuerFinder(c.entries.values(), nodeDirs, now);
  const { keyList, matched, keyFor } = keyMatcher(c);
  const problemsOf = problemFinder(engine);
  const certificates = certificateRecords(c.entries.values(), { issuerOf, keyFor, problemsOf, nodeDirs, nodeName: nodeNames(roots) }, now, warnDays);

  const { pairs, paired } = keyPairs(c, keyList, problemsOnFinder(engine));

  return {
    now: nowDate.toISOString(),
    warningDays: warnDays,
    certificates,
    keyPairs: pairs,
    orphanKeys: orphanKeys(c, keyList, matched, paired),
    ...(loose.report.files || loose.report.depth ? { limits: loose.report } : {}),
  };
}
