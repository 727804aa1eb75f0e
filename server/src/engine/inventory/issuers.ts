// Phase 4: who signed each certificate. Reads the Collection's certificates and their node folders
// (nodes.ts); a candidate issuer has the certificate's issuer name as its subject and its signature verifies
// under the candidate's key (pki/verify.ts, checked once per pair). Produces a function giving each
// certificate's issuer among the inventory's certificates (undefined for a self-signed root, or when none
// verifies it); where the same CA key is in several certificates it prefers one in the same node tree, then
// one valid now, a CA, the latest.
import { certInternals } from '../pki/certificate';
import { isIssuedBy, isSelfSigned } from '../pki/verify';
import type { Entry } from './collection';

export function issuerFinder(entries: Iterable<Entry>, nodeDirs: Map<Entry, string[]>, now: number): (e: Entry) => Entry | undefined {
  const bySubject = new Map<string, Entry[]>();
  for (const e of entries) {
    const k = certInternals(e.cert).rawSubject.toString('base64');
    const list = bySubject.get(k);
    if (list) list.push(e);
    else bySubject.set(k, [e]);
  }
  return (e: Entry): Entry | undefined => {
    if (isSelfSigned(e.cert)) return undefined; // a root: its own issuer
    const candidates = (bySubject.get(certInternals(e.cert).rawIssuer.toString('base64')) ?? []).filter((c) => c !== e && isIssuedBy(e.cert, c.cert));
    if (candidates.length <= 1) return candidates[0];
    // The same CA key in several certificates (a renewed CA, node trees made from one key): one in the same
    // node tree, then one valid now, a CA, the latest.
    const mine = nodeDirs.get(e) ?? [];
    const sameNode = (c: Entry) => ((nodeDirs.get(c) ?? []).some((n) => mine.includes(n)) ? 1 : 0);
    const valid = (c: Entry) => (now >= c.cert.notBefore.getTime() && now <= c.cert.notAfter.getTime() ? 1 : 0);
    return candidates.sort(
      (a, b) =>
        sameNode(b) - sameNode(a) ||
        valid(b) - valid(a) ||
        Number(b.cert.isCA) - Number(a.cert.isCA) ||
        b.cert.notAfter.getTime() - a.cert.notAfter.getTime() ||
        (a.cert.sha256 < b.cert.sha256 ? -1 : 1),
    )[0];
  };
}
