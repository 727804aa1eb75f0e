// The first step of a workspace plan: every CA, leaf certificate and kubeconfig the recognised
// documents reference becomes a slot (slots.ts), with what is on disk for it: CAs first, since
// leaves are matched to them. Nothing is decided here; the service account keys are gathered by
// serviceAccount.ts.
import * as path from 'node:path';
import type { FileSystem } from '../../types';
import type { ComponentUnit, KubeconfigUnit, KubeconfigUser, Reference } from '../../parse';
import { flagRef, flagsOf, kubeconfigRole, kubeconfigRoleOfComponent } from '../../cluster';
import { materialFromText } from '../../resolve/material';
import { leafProfiles, type CaFamily, type LeafRole } from '../profiles';
import type { Planner } from './planner';
import type { CaSlot, LeafSlot } from './slots';
import { siblingKey } from './paths';
import { isWeak } from './keyStrength';
import { serviceAccount } from './serviceAccount';

export function gather(planner: Planner): void {
  const components = planner.engine.units('component');
  const kubeletConfigs = planner.engine.units('kubelet-config');
  // CAs first: leaves are matched to them. The catalog says which of kubeadm's CAs each CA flag is.
  for (const u of components) {
    for (const [name, f] of flagsOf(u.component))
      if (f.ca && !f.caLast) caSlot(planner, flagRef(u, name), f.ca, u.file, f.key ? flagRef(u, f.key) : undefined);
  }
  for (const k of kubeletConfigs) caSlot(planner, k.clientCA, 'ca', k.file);
  for (const kc of planner.engine.units('kubeconfig')) for (const c of kc.clusters) caSlot(planner, c.ca, 'ca', kc.file);
  // Last, so that a file already known as another CA (often ca.crt itself) keeps that role.
  for (const u of components) {
    for (const [name, f] of flagsOf(u.component))
      if (f.ca && f.caLast) caSlot(planner, flagRef(u, name), f.ca, u.file, f.key ? flagRef(u, f.key) : undefined);
  }

  // Then each component's kubeconfigs, the certificates its flags name, its service account keys.
  for (const u of components) {
    for (const r of u.refs) if (r.expect === 'kubeconfig') missingKubeconfig(planner, u, r);
    const flags = flagsOf(u.component);
    for (const [name, f] of flags) if (f.certificate && f.key) leaf(planner, u, f.certificate, name, f.key);
    if (flags.some(([, f]) => f.serviceAccount)) serviceAccount(planner, u);
  }
  for (const k of kubeletConfigs) {
    if (k.tlsCert)
      addLeaf(
        planner,
        'kubelet-serving',
        `${leafProfiles['kubelet-serving'].title} (tlsCertFile of ${path.basename(k.file)})`,
        k,
        k.tlsCert,
        k.tlsKey,
        'tlsPrivateKeyFile',
      );
  }
  for (const kc of planner.engine.units('kubeconfig')) {
    for (const user of kc.users) kubeconfigLeaf(planner, kc, user);
  }
}

function caSlot(planner: Planner, ref: Reference | undefined, family: CaFamily, near: string, keyRef?: Reference): CaSlot | undefined {
  if (!ref || ref.source.kind !== 'path') return undefined;
  const t = planner.target(ref);
  if (!t.path) return undefined; // said by reportUnplanned
  let slot = planner.cas.get(t.path);
  if (!slot) {
    const keyTarget = keyRef ? planner.target(keyRef) : undefined;
    const keyPath = keyTarget?.path ?? siblingKey(planner.fs, t.path);
    const m = t.exists ? planner.material(ref) : undefined;
    slot = {
      id: `ca:${t.path}`,
      family,
      certPath: t.path,
      keyPath,
      certExists: t.exists,
      keyExists: planner.fs.stat(keyPath).kind === 'file',
      cert: m?.certs[0],
      refs: [],
      keyRefs: [],
      near,
    };
    if (slot.keyExists) slot.keySpki = readKeySpki(planner.fs, keyPath);
    planner.cas.set(t.path, slot);
  } else if (keyRef && !slot.keyExists) {
    const kt = planner.target(keyRef);
    if (kt.path && planner.fs.stat(kt.path).kind === 'file') {
      slot.keyPath = kt.path;
      slot.keyExists = true;
      slot.keySpki = readKeySpki(planner.fs, kt.path);
    }
  }
  slot.refs.push(ref);
  if (keyRef) slot.keyRefs.push(keyRef);
  return slot;
}

/** The CA slot holding the same certificate as an inline CA (kubeconfig certificate-authority-data). */
export function caSlotByCert(planner: Planner, ref: Reference | undefined): CaSlot | undefined {
  const cert = planner.material(ref)?.certs[0];
  if (!cert) return undefined;
  return [...planner.cas.values()].find((c) => c.cert?.sha256 === cert.sha256);
}

function leaf(planner: Planner, unit: ComponentUnit, role: LeafRole, certFlag: string, keyFlag: string): void {
  const certRef = flagRef(unit, certFlag);
  if (!certRef) return;
  addLeaf(planner, role, leafProfiles[role].title, unit, certRef, flagRef(unit, keyFlag), `--${keyFlag}`);
}

function addLeaf(
  planner: Planner,
  role: LeafRole,
  title: string,
  unit: LeafSlot['unit'],
  certRef: Reference,
  keyRef: Reference | undefined,
  keyField: string,
  user?: KubeconfigUser,
): LeafSlot | undefined {
  const ct = planner.target(certRef);
  const kt = keyRef ? planner.target(keyRef) : undefined;
  let id: string;
  let inline: LeafSlot['inline'];
  if (certRef.source.kind === 'inline') {
    id = `inline:${certRef.file}:${certRef.span.start}`;
    inline = { file: certRef.file, certSpan: certRef.span, keySpan: keyRef?.source.kind === 'inline' ? keyRef.span : undefined };
  } else {
    if (!ct.path) {
      planner.unplaceable(title, certRef.source.path);
      return undefined;
    }
    id = `leaf:${ct.path}`;
  }
  if (planner.leaves.has(id)) return planner.leaves.get(id);
  const m = ct.exists ? planner.material(certRef) : undefined;
  const cert = m?.certs[0];
  let keyExists = false;
  let keySpki: Buffer | undefined;
  let keyWeak = false;
  if (keyRef) {
    if (keyRef.source.kind === 'inline') keyExists = true;
    else keyExists = !!kt?.exists;
    const km = keyExists ? planner.material(keyRef) : undefined;
    const pk = km?.privateKeys.find((k) => !k.encrypted && k.spkiDer);
    if (keyExists && !pk) keyExists = false; // unreadable or not a key: as good as missing, but it exists on disk
    keySpki = pk?.spkiDer;
    if (pk) keyWeak = isWeak(pk.algorithm, pk.bits);
  }
  const slot: LeafSlot = {
    id,
    role,
    title,
    certRef,
    keyRef,
    keyField,
    certPath: ct.path,
    keyPath: kt?.path,
    inline,
    certExists: ct.exists && !!cert,
    keyExists,
    cert,
    keySpki,
    keyWeak,
    unit,
    user,
    needs: { dns: [], ips: [] },
  };
  planner.leaves.set(id, slot);
  return slot;
}

function kubeconfigLeaf(planner: Planner, kc: KubeconfigUnit, user: KubeconfigUser): void {
  if (!user.cert) return;
  const role: LeafRole = kubeconfigRole(planner.cluster, kc, user)?.role ?? 'user';
  const profile = leafProfiles[role];
  const slot = addLeaf(
    planner,
    role,
    `${profile.title} in ${path.basename(kc.file)} (user ${user.name})`,
    kc,
    user.cert,
    user.key,
    user.cert.source.kind === 'inline' ? 'client-key-data' : 'client-key',
    user,
  );
  if (slot && role === 'user') {
    slot.expectedCN = undefined;
  }
}

function missingKubeconfig(planner: Planner, unit: ComponentUnit, ref: Reference): void {
  const t = planner.target(ref);
  if (t.exists || !t.path || planner.kubeconfigs.has(t.path)) return; // no place: said by reportUnplanned
  const role = kubeconfigRoleOfComponent(unit.component);
  if (!role) return;
  planner.kubeconfigs.set(t.path, { id: `kubeconfig:${t.path}`, path: t.path, role, component: unit });
}

function readKeySpki(fs: FileSystem, file: string): Buffer | undefined {
  const r = fs.readFile(file, 1024 * 1024);
  if (!r.ok) return undefined;
  return materialFromText(r.data.toString('latin1')).privateKeys.find((k) => !k.encrypted && k.spkiDer)?.spkiDer;
}
