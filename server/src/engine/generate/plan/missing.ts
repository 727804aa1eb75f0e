// What the workspace references and lacks, made: CAs (only where no existing certificate names them
// as issuer; re-made from the key when only the certificate is gone), leaf certificates and their
// keys, the controller-manager's and scheduler's kubeconfigs; and, last, every missing path nothing
// makes is said with why (nothing missing is passed over in silence).
import * as path from 'node:path';
import { flag, unitReferences, type Reference } from '../../parse';
import { certInternals, type Certificate } from '../../pki/certificate';
import { caProfiles, leafProfiles, roleCommonName } from '../profiles';
import type { PlanAction, PlanOutput } from '../types';
import type { Planner } from './planner';
import type { CaSlot } from './slots';
import { notFoundFindings } from './findings';
import { caOf, nearestComponents, signerOf, signerProblem } from './signers';
import { lostCaKey } from './caRecovery';
import { caSpec, freshSpec, leafSpec, unknownSubject } from './specs';
import { reissue } from './reissue';
import { slotPaths } from './slotPaths';

/** Certificates in the workspace whose issuer is this CA's name but which it cannot have signed. */
function orphansOf(planner: Planner, ca: CaSlot): Certificate[] {
  const name = `CN=${caProfiles[ca.family].commonName}`;
  const out: Certificate[] = [];
  for (const l of planner.leaves.values()) if (l.cert && l.signer === ca && l.cert.issuer.text === name) out.push(l.cert);
  return out;
}

export function planCAs(planner: Planner): void {
  for (const ca of planner.cas.values()) {
    const profile = caProfiles[ca.family];
    if (ca.certExists) {
      // Its key named by a flag (--cluster-signing-key-file) and gone: nothing can make it again.
      if (!ca.keyExists && planner.opts.missing && ca.keyRefs.some((r) => !planner.target(r).exists)) lostCaKey(planner, ca);
      continue;
    }
    const dependants = [...planner.leaves.values()].filter((l) => l.signer === ca);
    if (!ca.keyExists) {
      // Both missing: a fresh CA, unless existing certificates name it as their issuer.
      const orphans = orphansOf(planner, ca).filter((c) => dependants.some((d) => d.cert === c && d.certExists));
      if (orphans.length) {
        planner.skip({
          title: `${profile.title} (${path.basename(ca.certPath)})`,
          paths: [ca.certPath, ca.keyPath],
          reason: `${ca.certPath} and its key are missing, but ${orphans.length} existing certificate(s) were issued by ${orphans[0].issuer.text}: a new CA under that name would not verify them. Restore the CA from a backup (or re-issue everything under a new CA).`,
        });
        continue;
      }
      if (!planner.opts.missing) continue;
      const action: PlanAction = {
        id: `ca:${ca.certPath}`,
        kind: 'ca',
        family: ca.family,
        title: `${profile.title} (${path.basename(ca.certPath)})`,
        reason: 'missing',
        effect: 'create',
        fixes: notFoundFindings(planner, ca.refs),
        spec: caSpec(profile.commonName, planner.caDays),
        key: { kind: 'new', type: planner.keyType },
        signer: { kind: 'self' },
        outputs: [
          { kind: 'cert', path: ca.certPath, replace: false },
          { kind: 'key', path: ca.keyPath, replace: false },
        ],
      };
      planner.actions.push(action);
      planner.actionByCa.set(ca.id, action);
      continue;
    }
    // The key is there, the certificate is not: re-make the certificate from the key, under the
    // name existing certificates give as their issuer.
    if (!planner.opts.missing) continue;
    const issuedBy = [...planner.leaves.values()].find((l) => l.cert && l.signer === ca && ca.keySpki && l.cert.authorityKeyId !== undefined);
    const subjectName = issuedBy?.cert ? certInternals(issuedBy.cert).rawIssuer : undefined;
    const action: PlanAction = {
      id: `ca:${ca.certPath}`,
      kind: 'ca',
      family: ca.family,
      title: `${profile.title} (${path.basename(ca.certPath)})`,
      reason: `missing (re-made from its existing key ${path.basename(ca.keyPath)})`,
      effect: 'create',
      fixes: notFoundFindings(planner, ca.refs),
      spec: { ...caSpec(profile.commonName, planner.caDays), ...(subjectName ? { subjectDer: subjectName } : {}) },
      key: { kind: 'file', path: ca.keyPath },
      signer: { kind: 'self' },
      outputs: [{ kind: 'cert', path: ca.certPath, replace: false }],
    };
    planner.actions.push(action);
    planner.actionByCa.set(ca.id, action);
  }
}

export function planMissingLeaves(planner: Planner): void {
  for (const slot of planner.leaves.values()) {
    if (slot.inline) continue;
    const combined = !!slot.keyPath && slot.keyPath === slot.certPath;
    if (slot.certExists && (slot.keyExists || !slot.keyRef)) continue;
    const title = slot.title;
    if (slot.keyRef && !slot.keyPath) {
      // The key's path has no place here: a certificate without its key is no use.
      planner.unplaceable(title, slot.keyRef.source.kind === 'path' ? slot.keyRef.source.path : slot.keyField, `its key (${slot.keyField})`);
      continue;
    }
    const keyOnDisk = !!slot.keyPath && planner.fs.stat(slot.keyPath).kind !== 'missing';
    if (slot.certExists && !slot.keyExists) {
      // The key is gone: only a new key and a new certificate help, which replaces the certificate.
      reissue(
        planner,
        slot,
        [keyOnDisk ? 'its private key is unusable (encrypted, or not a key)' : 'its private key is missing'],
        keyOnDisk ? [] : notFoundFindings(planner, [slot.keyRef]),
        true,
      );
      continue;
    }
    if (!planner.opts.missing) continue;
    if (planner.fs.stat(slot.certPath!).kind !== 'missing') {
      // Something is there but is no certificate (pem-invalid): replacing it needs permission.
      reissue(planner, slot, ['it holds no usable certificate'], [], true);
      continue;
    }
    if (!slot.keyRef) {
      planner.skip({
        title,
        paths: [slot.certPath!],
        reason: `no private key is referenced with it (${slot.keyField} is not set): a certificate is no use without its key; set ${slot.keyField}, then generate again`,
      });
      continue;
    }
    const signer = slot.signer ? signerOf(planner, slot.signer) : undefined;
    if (!signer) {
      planner.skip({
        title,
        paths: slotPaths(planner, slot),
        reason: `cannot sign it: ${slot.signer ? signerProblem(planner, slot.signer) : slot.signerProblem}`,
      });
      continue;
    }
    const spec = freshSpec(planner, slot);
    if (!spec) {
      planner.skip({ title, paths: slotPaths(planner, slot), reason: unknownSubject(planner, slot) });
      continue;
    }
    const keyKept = slot.keyExists && !slot.keyWeak && !combined;
    const outputs: PlanOutput[] = [];
    if (combined) outputs.push({ kind: 'cert-and-key', path: slot.certPath!, replace: false });
    else {
      outputs.push({ kind: 'cert', path: slot.certPath!, replace: false });
      if (!keyKept && slot.keyPath) outputs.push({ kind: 'key', path: slot.keyPath, replace: keyOnDisk });
    }
    if (outputs.some((o) => 'replace' in o && o.replace) && !planner.allowReplace) {
      planner.skip({
        title,
        paths: [slot.keyPath!],
        reason: `its key is ${slot.keyWeak ? 'weak' : 'unusable (encrypted, or not a key)'} and would be replaced`,
        needsReplace: true,
      });
      continue;
    }
    const notes = [keyKept ? `issued for the existing key ${path.basename(slot.keyPath!)}` : '', slot.signerWhy ?? ''].filter(Boolean);
    planner.actions.push({
      id: slot.id,
      kind: 'cert',
      role: slot.role,
      title,
      reason: ['missing', ...notes].join('; '),
      effect: outputs.some((o) => 'replace' in o && o.replace) ? 'replace' : 'create',
      fixes: notFoundFindings(planner, [slot.certRef, slot.keyExists ? undefined : slot.keyRef]),
      spec,
      key: keyKept ? { kind: 'file', path: slot.keyPath! } : { kind: 'new', type: planner.keyType },
      signer,
      outputs,
    });
  }
}

export function planMissingKubeconfigs(planner: Planner): void {
  if (!planner.opts.missing) return;
  for (const k of planner.kubeconfigs.values()) {
    const api = nearestComponents(planner, 'kube-apiserver', k.component.file)[0];
    const title = `${path.basename(k.path)} (${leafProfiles[k.role].title})`;
    if (!api) {
      planner.skip({ title, paths: [k.path], reason: 'no kube-apiserver manifest near it tells which server and CA to use' });
      continue;
    }
    const ca = caOf(planner, api, 'client-ca-file');
    const signer = ca ? signerOf(planner, ca) : undefined;
    if (!ca || !signer) {
      planner.skip({
        title,
        paths: [k.path],
        reason: `cannot sign its client certificate: ${ca ? signerProblem(planner, ca) : 'the apiserver has no --client-ca-file'}`,
      });
      continue;
    }
    const adv = flag(api, 'advertise-address')?.value.trim();
    const port = flag(api, 'secure-port')?.value.trim() || '6443';
    const host = adv && adv !== '0.0.0.0' && adv !== '::' ? adv : '127.0.0.1';
    const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
    const cn = roleCommonName(k.role, undefined)!;
    planner.actions.push({
      id: k.id,
      kind: 'kubeconfig',
      role: k.role,
      title,
      reason: 'missing',
      effect: 'create',
      fixes: notFoundFindings(
        planner,
        k.component.refs.filter((r) => r.expect === 'kubeconfig' && planner.target(r).path === k.path),
      ),
      spec: leafSpec(k.role, cn, leafProfiles[k.role].organizations, [], [], planner.days),
      key: { kind: 'new', type: planner.keyType },
      signer,
      outputs: [{ kind: 'kubeconfig', path: k.path, replace: false, server, clusterName: 'kubernetes', userName: cn, ca: signer }],
    });
  }
}

/**
 * The last word on what is missing: every path a recognised file references, that is not there,
 * and that no action makes and no skipped item explains, is skipped with why. Nothing missing is
 * passed over in silence.
 */
export function reportUnplanned(planner: Planner): void {
  if (!planner.opts.missing) return;
  const covered = new Set<string>();
  for (const a of planner.actions) for (const o of a.outputs) if ('path' in o) covered.add(o.path);
  for (const s of planner.skipped) for (const p of s.paths) covered.add(p);
  const units = [...planner.engine.units('component'), ...planner.engine.units('kubelet-config'), ...planner.engine.units('kubeconfig')];
  for (const unit of units) {
    for (const ref of unitReferences(unit)) {
      if (ref.source.kind !== 'path') continue;
      const t = planner.target(ref);
      if (t.exists) continue;
      const title = `${ref.field} of ${path.basename(ref.file)}`;
      if (!t.path) {
        if (!covered.has(ref.source.path)) planner.unplaceable(title, ref.source.path);
        covered.add(ref.source.path);
        continue;
      }
      if (covered.has(t.path)) continue;
      covered.add(t.path);
      planner.skip({ title, paths: [t.path], reason: unplannedReason(ref) });
    }
  }
}

/** Why kube-pki makes nothing for a missing file that this reference names. */
function unplannedReason(ref: Reference): string {
  if (ref.field === '--oidc-ca-file')
    return 'it is the CA of the OIDC identity provider (--oidc-issuer-url): it comes from the provider; kube-pki cannot make it';
  if (/^--cluster-signing-.+-(cert|key)-file$/.test(ref.field)) {
    return "it is the CA of one of the controller-manager's CSR signers, which kube-pki does not make: point the flag at the cluster CA (kubeadm signs every CSR with --cluster-signing-cert-file/--cluster-signing-key-file), or make one with kube-pki new-ca --out PATH";
  }
  if (ref.expect === 'key')
    return 'no certificate is referenced with this key, and kube-pki makes a key with its certificate: set the certificate flag too, then generate again';
  return 'nothing in the workspace tells what it should hold';
}
