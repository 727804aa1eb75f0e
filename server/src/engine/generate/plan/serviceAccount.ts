// The service account key pair (the apiserver's --service-account-signing-key-file and
// --service-account-key-file, the controller-manager's --service-account-private-key-file): its
// slot, its missing half made (the public key from the private one, or a new pair where neither is
// usable), and a weak or mismatched pair fixed. A new pair voids every token already issued, so it
// is planned only where nothing depends on the old one or with permission.
import * as path from 'node:path';
import type { ComponentUnit } from '../../parse';
import { flagRef } from '../../cluster';
import type { FixedFinding, PlanOutput } from '../types';
import type { Planner } from './planner';
import type { SaSlot } from './slots';
import { isWeak } from './keyStrength';
import { notFoundFindings, sameFinding } from './findings';

export function serviceAccount(planner: Planner, unit: ComponentUnit): void {
  const privRef =
    unit.component === 'kube-apiserver' ? flagRef(unit, 'service-account-signing-key-file') : flagRef(unit, 'service-account-private-key-file');
  const pubRefs = unit.component === 'kube-apiserver' ? unit.refs.filter((r) => r.field === '--service-account-key-file') : [];
  const priv = privRef ? planner.target(privRef) : undefined;
  const key = priv?.path ?? pubRefs.map((r) => planner.target(r).path).find(Boolean);
  if (!key) return;
  let slot = planner.sas.get(key);
  if (!slot) {
    slot = { id: `sa:${key}`, privPath: priv?.path, privExists: !!priv?.exists, privWeak: false, pubPaths: [], refs: [], privNamed: false };
    if (slot.privExists && privRef) {
      const pk = planner.material(privRef)?.privateKeys.find((k) => !k.encrypted && k.spkiDer);
      slot.privSpki = pk?.spkiDer;
      slot.privWeak = pk ? isWeak(pk.algorithm, pk.bits) : false;
      if (!pk) slot.privExists = false;
    }
    planner.sas.set(key, slot);
  }
  if (privRef) slot.refs.push(privRef);
  slot.privNamed ||= !!privRef;
  for (const r of pubRefs) {
    const t = planner.target(r);
    slot.refs.push(r);
    if (t.path && t.path !== slot.privPath && !slot.pubPaths.some((p) => p.path === t.path))
      slot.pubPaths.push({ path: t.path, exists: t.exists, ref: r });
  }
}

/** The public key files of a pair, each replaced when it exists. */
function publicKeyOutputs(sa: SaSlot): PlanOutput[] {
  return sa.pubPaths.map((p) => ({ kind: 'public-key' as const, path: p.path, replace: p.exists }));
}

export function planServiceAccounts(planner: Planner): void {
  for (const sa of planner.sas.values()) {
    if (!sa.privPath) {
      // Only --service-account-key-file: the public half of a key nothing here names.
      const missing = sa.pubPaths.filter((p) => !p.exists).map((p) => p.path);
      if (missing.length && planner.opts.missing) {
        planner.skip({
          title: `service account public key (${missing.map((p) => path.basename(p)).join(', ')})`,
          paths: missing,
          reason: sa.privNamed
            ? 'its private half (--service-account-signing-key-file) has no place in this workspace, and a public key is made from it: set kubePki.rootDir / --root (or a path mapping)'
            : 'no service account signing key is referenced with it (--service-account-signing-key-file of the apiserver), and a public key is made from its private half: set that flag (kubeadm: sa.key), then generate again',
        });
      }
      continue;
    }
    const title = `service account signing key (${path.basename(sa.privPath)})`;
    const missingPubs = sa.pubPaths.filter((p) => !p.exists);
    if (!sa.privExists) {
      if (planner.fs.stat(sa.privPath).kind !== 'missing') {
        // There, but no usable key (pem-invalid, encrypted): replacing it would void every token it signed.
        if (planner.opts.missing && missingPubs.length) {
          planner.skip({
            title,
            paths: [sa.privPath, ...missingPubs.map((p) => p.path)],
            reason: `${path.basename(sa.privPath)} holds no usable private key (encrypted, or not a key), so its public half cannot be made: repair it or restore it from a backup (a new pair voids every service account token already issued)`,
          });
        }
        continue;
      }
      const existingPubs = sa.pubPaths.filter((p) => p.exists);
      if (existingPubs.length && !planner.allowReplace) {
        planner.skip({
          title,
          paths: [sa.privPath, ...existingPubs.map((p) => p.path)],
          reason: `${path.basename(sa.privPath)} is missing but ${existingPubs.map((p) => path.basename(p.path)).join(', ')} exists: a new key pair replaces it (tokens already issued stop working)`,
          needsReplace: true,
        });
        continue;
      }
      if (!planner.opts.missing && !planner.allowReplace) continue;
      planner.actions.push({
        id: sa.id,
        kind: 'service-account-key',
        title,
        reason: 'missing',
        effect: existingPubs.length ? 'replace' : 'create',
        fixes: notFoundFindings(planner, sa.refs),
        key: { kind: 'new', type: planner.keyType },
        outputs: [{ kind: 'key', path: sa.privPath, replace: false }, ...publicKeyOutputs(sa)],
      });
    } else if (missingPubs.length && planner.opts.missing) {
      planner.actions.push({
        id: sa.id,
        kind: 'service-account-key',
        title: `service account public key (${missingPubs.map((p) => path.basename(p.path)).join(', ')})`,
        reason: `missing (the public half of ${path.basename(sa.privPath)})`,
        effect: 'create',
        fixes: notFoundFindings(
          planner,
          missingPubs.map((p) => p.ref),
        ),
        key: { kind: 'file', path: sa.privPath },
        outputs: missingPubs.map((p) => ({ kind: 'public-key' as const, path: p.path, replace: false })),
      });
    }
  }
}

export function saFix(planner: Planner, sa: SaSlot, why: string, fixes: FixedFinding[], newPair: boolean): void {
  if (!sa.privPath) return;
  const title = `service account keys (${path.basename(sa.privPath)})`;
  if (!planner.allowReplace) {
    planner.skip({ title, paths: [sa.privPath, ...sa.pubPaths.map((p) => p.path)], reason: `${why}: fixing it replaces files`, needsReplace: true });
    return;
  }
  const existing = planner.actions.find((a) => a.id === sa.id);
  if (existing) {
    existing.fixes.push(...fixes.filter((f) => !existing.fixes.some((e) => sameFinding(e, f))));
    return;
  }
  if (newPair) {
    planner.actions.push({
      id: sa.id,
      kind: 'service-account-key',
      title,
      reason: `${why}; new key pair (tokens already issued stop working)`,
      effect: 'replace',
      fixes,
      key: { kind: 'new', type: planner.keyType },
      outputs: [{ kind: 'key', path: sa.privPath, replace: true }, ...publicKeyOutputs(sa)],
    });
  } else if (sa.privExists && sa.pubPaths.length) {
    planner.actions.push({
      id: sa.id,
      kind: 'service-account-key',
      title: `service account public key (${sa.pubPaths.map((p) => path.basename(p.path)).join(', ')})`,
      reason: `${why}; rewritten from ${path.basename(sa.privPath)}`,
      effect: 'replace',
      fixes,
      key: { kind: 'file', path: sa.privPath },
      outputs: publicKeyOutputs(sa),
    });
  }
}
