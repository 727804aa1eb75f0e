// --fix and quick fixes: each finding a re-issue can resolve (FIXABLE) is matched to the slot it
// is on (a certificate, its key, a CA, a service account key, an embedded CA) and becomes a
// re-issue, a CA renewal, a kubeconfig edit or a skipped item saying why it cannot be fixed.
import * as path from 'node:path';
import type { Finding, Range } from '../../types';
import type { Reference } from '../../parse';
import { caProfiles } from '../profiles';
import type { FixedFinding } from '../types';
import type { Planner } from './planner';
import type { CaSlot, LeafSlot, SaSlot } from './slots';
import { sameFinding } from './findings';
import { rotationAdvice } from './caRecovery';
import { reissue, renewCA } from './reissue';
import { saFix } from './serviceAccount';
import { inlineCaSlotAt, untrustedInlineCa } from './kubeconfigCA';
import { kubeadmAskedNames } from './sans';

/** Findings a re-issue can resolve (a missing file is generated instead). */
export const FIXABLE = new Set([
  'san-missing',
  'cn-mismatch',
  'org-mismatch',
  'eku-missing',
  'cert-expired',
  'cert-expiring',
  'cert-not-yet-valid',
  'weak-key',
  'weak-signature',
  'untrusted-issuer',
  'key-mismatch',
]);

export function planFixes(planner: Planner, findings: Finding[]): void {
  const only = planner.opts.only;
  const wanted = (f: Finding) => FIXABLE.has(f.code) && (!only || only.some((o) => sameFinding(o, f)));
  type At = { leaf?: LeafSlot; ca?: CaSlot; sa?: SaSlot; keyOf?: LeafSlot; caKeyOf?: CaSlot };
  const byRef = new Map<string, At>();
  const key = (file: string, r: Range) => `${file}|${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
  const rangeOf = (ref: Reference) => planner.engine.parsed(ref.file)?.lines.range(ref.span.start, ref.span.end);
  const put = (ref: Reference | undefined, v: At) => {
    if (!ref) return;
    const r = rangeOf(ref);
    if (r) byRef.set(key(ref.file, r), { ...byRef.get(key(ref.file, r)), ...v });
  };
  for (const l of planner.leaves.values()) {
    put(l.certRef, { leaf: l });
    put(l.keyRef, { keyOf: l });
    // A kubeadm config's line asking for a name of this certificate (san-missing there): re-issuing it resolves that.
    for (const a of [...kubeadmAskedNames(planner, l), ...(l.distro?.names ?? [])]) {
      const parsed = planner.engine.parsed(a.file);
      if (parsed)
        byRef.set(key(a.file, parsed.lines.range(a.span.start, a.span.end)), {
          ...byRef.get(key(a.file, parsed.lines.range(a.span.start, a.span.end))),
          leaf: l,
        });
    }
  }
  for (const c of planner.cas.values()) {
    for (const r of c.refs) put(r, { ca: c });
    for (const r of c.keyRefs) put(r, { caKeyOf: c });
  }
  for (const s of planner.sas.values()) for (const r of s.refs) put(r, { sa: s });

  const leafWhy = new Map<LeafSlot, { why: string[]; fixes: FixedFinding[]; newKey: boolean }>();
  const caWhy = new Map<CaSlot, { why: string[]; fixes: FixedFinding[] }>();
  const addLeaf = (l: LeafSlot, why: string, f: Finding, newKey = false) => {
    const e = leafWhy.get(l) ?? { why: [], fixes: [], newKey: false };
    if (!e.why.includes(why)) e.why.push(why);
    e.fixes.push({ file: f.file, range: f.range, code: f.code });
    e.newKey ||= newKey;
    leafWhy.set(l, e);
  };

  const unhandled: Finding[] = [];
  for (const f of findings) {
    if (!wanted(f)) continue;
    const at = byRef.get(key(f.file, f.range));
    const fixed: FixedFinding = { file: f.file, range: f.range, code: f.code };
    // Whether something took the finding up (planned, or skipped with a reason); else it is said below.
    let handled = true;
    switch (f.code) {
      case 'san-missing': {
        if (at?.leaf) addLeaf(at.leaf, 'missing SANs', f);
        else {
          // On a kubeconfig's server line: the related location is the apiserver's --tls-cert-file.
          handled = false;
          for (const r of f.related ?? []) {
            const rel = byRef.get(key(r.file, r.range));
            if (rel?.leaf) {
              addLeaf(rel.leaf, 'missing SANs', f);
              handled = true;
            }
          }
        }
        break;
      }
      case 'cn-mismatch':
      case 'org-mismatch':
      case 'eku-missing':
      case 'weak-signature': {
        const why = {
          'cn-mismatch': 'wrong CN',
          'org-mismatch': 'wrong O (groups)',
          'eku-missing': 'missing extended key usage',
          'weak-signature': 'SHA-1/MD5 signature',
        }[f.code];
        if (at?.leaf) addLeaf(at.leaf, why, f);
        else handled = false;
        break;
      }
      case 'cert-expired':
      case 'cert-expiring':
      case 'cert-not-yet-valid': {
        const why = f.code === 'cert-expired' ? 'expired' : f.code === 'cert-expiring' ? 'expires soon' : 'not yet valid';
        const ca = at?.ca ?? (at?.leaf ? undefined : inlineCaSlotAt(planner, f));
        if (at?.leaf) addLeaf(at.leaf, why, f);
        else if (ca) {
          const e = caWhy.get(ca) ?? { why: [], fixes: [] };
          if (!e.why.includes(why)) e.why.push(why);
          if (at?.ca) e.fixes.push(fixed);
          caWhy.set(ca, e);
        } else handled = false;
        break;
      }
      case 'weak-key': {
        const ca = at?.ca ?? at?.caKeyOf ?? (at?.leaf || at?.keyOf || at?.sa ? undefined : inlineCaSlotAt(planner, f));
        if (at?.leaf) addLeaf(at.leaf, 'weak key', f, true);
        else if (at?.keyOf) addLeaf(at.keyOf, 'weak key', f, true);
        else if (at?.sa) saFix(planner, at.sa, 'weak key', [fixed], true);
        else if (ca) {
          planner.skip({
            title: `${caProfiles[ca.family].title} (${path.basename(ca.certPath)})`,
            paths: [ca.certPath, ca.keyPath],
            reason: `its key is weak, and a CA's key cannot be replaced in place: a new key makes a new CA, which verifies nothing the old one signed; ${rotationAdvice(planner, ca)}`,
          });
        } else handled = false;
        break;
      }
      case 'untrusted-issuer':
        if (at?.leaf)
          addLeaf(
            at.leaf,
            `not signed by the CA that verifies it (${at.leaf.signer?.cert?.subject.text ?? at.leaf.signer?.certPath ?? 'unknown'})`,
            f,
          );
        else if (at?.ca) handled = untrustedOnCa(planner, f, at.ca);
        else handled = untrustedInlineCa(planner, f);
        break;
      case 'key-mismatch':
        if (at?.keyOf) addLeaf(at.keyOf, `the certificate is not the key's: re-issued for the key on disk`, f);
        else if (at?.sa) saFix(planner, at.sa, "the public key is not the signing key's", [fixed], false);
        else if (at?.caKeyOf) {
          const ca = at.caKeyOf;
          planner.skip({
            title: `${caProfiles[ca.family].title} (${path.basename(ca.certPath)})`,
            paths: [ca.certPath, ca.keyPath],
            reason:
              `${path.basename(ca.keyPath)} is not the key of ${path.basename(ca.certPath)}, and a CA is never re-issued for another key (nothing it signed would verify): ` +
              `point the flag at the CA's own key, or restore it from a backup; if it is lost for good, ${rotationAdvice(planner, ca)}`,
          });
        } else handled = false;
        break;
    }
    if (!handled) unhandled.push(f);
  }
  for (const [l, e] of leafWhy) reissue(planner, l, e.why, e.fixes, e.newKey);
  for (const [c, e] of caWhy) renewCA(planner, c, e.why, e.fixes);
  for (const f of unhandled) unfixable(planner, f);
}

/**
 * A finding nothing above took up. When an action rewrites the reference it is on (a stale
 * certificate-authority-data replaced), that action resolves it too; otherwise it is said why not.
 */
function unfixable(planner: Planner, f: Finding): void {
  const fixed: FixedFinding = { file: f.file, range: f.range, code: f.code };
  const same = (x: FixedFinding) =>
    x.file === f.file && x.range.start.line === f.range.start.line && x.range.start.character === f.range.start.character;
  const rewriting = planner.actions.find((a) => a.fixes.some(same));
  if (rewriting) {
    rewriting.fixes.push(fixed);
    return;
  }
  const onKubeconfigCA = planner.engine
    .units('kubeconfig')
    .some(
      (kc) =>
        kc.file === f.file &&
        kc.clusters.some(
          (c) => c.ca && same({ file: kc.file, code: f.code, range: planner.engine.parsed(kc.file)!.lines.range(c.ca.span.start, c.ca.span.end) }),
        ),
    );
  planner.skip({
    title: `${f.code} in ${path.basename(f.file)}:${f.range.start.line + 1}`,
    paths: [f.file],
    reason: onKubeconfigCA
      ? "the CA this kubeconfig names is not one this workspace holds with its key, so kube-pki cannot renew or re-issue it: renew it where it is kept, or point certificate-authority(-data) at the CA that issued the apiserver's certificate"
      : 'kube-pki finds no certificate of this workspace that it is about, so there is nothing to re-issue',
  });
}

/**
 * untrusted-issuer reported on a CA reference: the certificate presented to it (the related
 * location) is re-issued by that CA when its key is at hand.
 */
function untrustedOnCa(planner: Planner, f: Finding, ca: CaSlot): boolean {
  const fixed: FixedFinding = { file: f.file, range: f.range, code: f.code };
  let handled = false;
  for (const r of f.related ?? []) {
    const leaf = [...planner.leaves.values()].find((l) => {
      const range = planner.engine.parsed(l.certRef.file)?.lines.range(l.certRef.span.start, l.certRef.span.end);
      return l.certRef.file === r.file && range && range.start.line === r.range.start.line && range.start.character === r.range.start.character;
    });
    if (!leaf) continue;
    if (leaf.role === 'apiserver') {
      // A kubeconfig's CA that does not verify the apiserver: the kubeconfig is stale, not the apiserver.
      return untrustedInlineCa(planner, f);
    }
    const saved = leaf.signer;
    leaf.signer = ca;
    reissue(planner, leaf, [`not signed by ${ca.cert?.subject.text ?? ca.certPath}, which verifies it`], [fixed]);
    leaf.signer = saved;
    handled = true;
  }
  return handled;
}
