// Replacing what exists: a leaf certificate re-issued (same key unless it is weak, missing or not
// the certificate's; what was right kept, what was wrong corrected), a CA renewed with its own key
// and exact subject (so everything it signed keeps verifying), and --renew's pass over every leaf.
// --fix (fixes.ts), --renew and a lost key (missing.ts) all come here; without permission to
// replace, each lands in `skipped`.
import * as path from 'node:path';
import { certInternals } from '../../pki/certificate';
import { sameKey } from '../../pki/key';
import { CA_KEY_USAGE, caProfiles } from '../profiles';
import type { FixedFinding, KeySource, PlanAction, PlanOutput } from '../types';
import type { Planner } from './planner';
import type { CaSlot, LeafSlot } from './slots';
import { sameFinding } from './findings';
import { signerOf, signerProblem } from './signers';
import { correctedSpec, freshSpec, newClientCommand, unknownSubject } from './specs';
import { slotPaths } from './slotPaths';
import { updateInlineCopies } from './kubeconfigCA';

/**
 * Plans a new certificate for an existing slot. `why`: what the findings say; `newKey`: the key
 * must change (missing, weak). Needs permission to replace; otherwise lands in `skipped`.
 */
export function reissue(planner: Planner, slot: LeafSlot, why: string[], fixes: FixedFinding[], newKey = false): void {
  const existing = planner.actions.find((a) => a.id === slot.id);
  if (existing) {
    existing.fixes.push(...fixes.filter((f) => !existing.fixes.some((e) => sameFinding(e, f))));
    return;
  }
  const title = slot.title;
  const paths = slotPaths(planner, slot);
  if (!planner.allowReplace) {
    planner.skip({
      title,
      paths,
      reason: `${why.join('; ')}: re-issuing it replaces ${slot.inline ? 'data in ' + path.basename(slot.certRef.file) : path.basename(slot.certPath!)}`,
      needsReplace: true,
    });
    return;
  }
  const ca = slot.signer;
  const signer = ca ? signerOf(planner, ca) : undefined;
  if (!signer) {
    planner.skip({ title, paths, reason: `${why.join('; ')}, but it cannot be re-issued: ${ca ? signerProblem(planner, ca) : slot.signerProblem}` });
    return;
  }
  const changes: string[] = [];
  const spec = slot.cert ? correctedSpec(planner, slot, slot.cert, changes) : freshSpec(planner, slot);
  if (!spec) {
    planner.skip({ title, paths, reason: `${why.join('; ')}, but ${unknownSubject(planner, slot)}` });
    return;
  }
  if (!slot.keyRef) {
    planner.skip({
      title,
      paths,
      reason: `${why.join('; ')}, but no private key is referenced with it (${slot.keyField} is not set): a certificate is no use without its key; set ${slot.keyField}`,
    });
    return;
  }
  const combined = !!slot.keyPath && slot.keyPath === slot.certPath;
  const replaceKey = newKey || slot.keyWeak || !slot.keyExists || !!planner.opts.newKeys;
  if (replaceKey && slot.keyRef.source.kind === 'path' && !slot.keyPath) {
    planner.unplaceable(title, slot.keyRef.source.path, `its key (${slot.keyField})`);
    return;
  }
  let key: KeySource;
  if (replaceKey) key = { kind: 'new', type: planner.keyType };
  else if (slot.keyRef.source.kind === 'inline') key = { kind: 'inline', file: slot.keyRef.file, span: slot.keyRef.span };
  else key = { kind: 'file', path: slot.keyPath! };
  const outputs: PlanOutput[] = [];
  if (slot.inline) {
    if (replaceKey && !slot.inline.keySpan) {
      planner.skip({
        title,
        paths,
        reason: `${why.join('; ')}: it needs a new key, but the key is not inline next to the certificate (client-key is a path): re-issue it with ${newClientCommand(planner, slot)}`,
      });
      return;
    }
    outputs.push({ kind: 'inline', file: slot.inline.file, certSpan: slot.inline.certSpan, ...(replaceKey ? { keySpan: slot.inline.keySpan } : {}) });
  } else if (combined) {
    outputs.push({ kind: 'cert-and-key', path: slot.certPath!, replace: planner.fs.stat(slot.certPath!).kind !== 'missing' });
    // Combined file: the key is copied over as it is unless it is replaced.
  } else {
    outputs.push({ kind: 'cert', path: slot.certPath!, replace: planner.fs.stat(slot.certPath!).kind !== 'missing' });
    if (replaceKey && slot.keyPath) outputs.push({ kind: 'key', path: slot.keyPath, replace: planner.fs.stat(slot.keyPath).kind !== 'missing' });
  }
  // The specific change says more than the finding's name: "adds SAN x" over "missing SANs".
  const covered: Record<string, RegExp> = {
    'missing SANs': /^adds SAN /,
    'wrong CN': /^CN /,
    'wrong O (groups)': /^O /,
    'missing extended key usage': /^adds extended key usage /,
  };
  const reasons = [...why.filter((w) => !(covered[w] && changes.some((c) => covered[w].test(c)))), ...changes.filter((c) => !why.includes(c))];
  if (replaceKey && !why.some((w) => /key/.test(w))) reasons.push('new key');
  planner.actions.push({
    id: slot.id,
    kind: 'cert',
    role: slot.role,
    title,
    reason: reasons.join('; '),
    effect: 'replace',
    fixes,
    spec,
    key,
    signer,
    outputs,
  });
}

/** Renews a CA with its own key and exact subject: everything it signed keeps verifying. */
export function renewCA(planner: Planner, ca: CaSlot, why: string[], fixes: FixedFinding[]): void {
  const title = `${caProfiles[ca.family].title} (${path.basename(ca.certPath)})`;
  const existing = planner.actions.find((a) => a.id === ca.id);
  if (existing) {
    existing.fixes.push(...fixes);
    return;
  }
  if (!planner.allowReplace) {
    planner.skip({
      title,
      paths: [ca.certPath],
      reason: `${why.join('; ')}: renewing it replaces ${path.basename(ca.certPath)}`,
      needsReplace: true,
    });
    return;
  }
  if (!ca.cert || !ca.keyExists || !ca.keySpki || !sameKey(ca.keySpki, ca.cert.publicKey.spkiDer)) {
    planner.skip({
      title,
      paths: [ca.certPath],
      reason: `${why.join('; ')}, but it cannot be renewed: its private key ${ca.keyPath} is ${ca.keyExists ? "not the certificate's" : 'not there'}`,
    });
    return;
  }
  const cert = ca.cert;
  const action: PlanAction = {
    id: ca.id,
    kind: 'ca',
    family: ca.family,
    title,
    reason: `${why.join('; ')} (same key and subject: what it signed still verifies)`,
    effect: 'replace',
    fixes,
    spec: {
      commonName: cert.subject.commonName ?? caProfiles[ca.family].commonName,
      organizations: cert.subject.organizations,
      isCA: true,
      keyUsage: CA_KEY_USAGE,
      extKeyUsage: [],
      dnsNames: cert.dnsNames,
      ipAddresses: cert.ipAddresses,
      validityDays: planner.caDays,
      subjectDer: certInternals(cert).rawSubject,
    },
    key: { kind: 'file', path: ca.keyPath },
    signer: { kind: 'self' },
    outputs: [{ kind: 'cert', path: ca.certPath, replace: true }],
  };
  planner.actions.push(action);
  planner.actionByCa.set(ca.id, action);
  updateInlineCopies(planner, ca, action);
}

export function planRenew(planner: Planner): void {
  for (const slot of planner.leaves.values()) {
    if (!slot.cert || (!slot.certExists && !slot.inline)) continue;
    if (slot.role === 'user' && !slot.signer) {
      planner.skip({
        title: slot.title,
        paths: [slot.certPath ?? slot.certRef.file],
        reason: `not renewed: no CA in the workspace verifies it (a user's certificate from a CA kept elsewhere); renew it there, or with ${newClientCommand(planner, slot)} and that CA`,
      });
      continue;
    }
    reissue(planner, slot, ['renewed'], []);
  }
}
