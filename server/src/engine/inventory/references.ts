// Phase 1: what the recognised documents reference. Reads every recognised document's units (and the
// kubeconfigs a component names that are not documents themselves), loads each certificate, key and CA
// reference through the engine (its caches: nothing is read twice), and adds to the Collection each
// certificate with its file, the referencing line (with the object it belongs to) and the evidence of its
// role; each private key with its line; the key referenced beside each leaf certificate (as key-mismatch
// pairs them); and every public key. Referenced files' material is kept for the walk (looseFiles.ts).
import * as path from 'node:path';
import { locate, unitReferences, type ParsedFile, type Reference, type Unit } from '../parse';
import type { Engine } from '../workspace/engine';
import { certKeyPairs, kubeconfigRole, literalName, mainUser, roleByFileName, type ClusterQuery } from '../cluster';
import type { InventoryLocation, InventoryObject } from './types';
import { caRefRole, componentFlagRole, componentOfKubeconfigRole, kubeadmKubeconfigs, type RoleEvidence } from './roles';
import { addRef, type Collection } from './collection';

/** Adds to `c` every certificate, key and public key the engine's recognised documents reference. */
export function collectReferences(engine: Engine, c: Collection): void {
  const visited = new Set<string>();

  const processUnit = (parsed: ParsedFile, unit: Unit) => {
    const refs = unitReferences(unit);
    // The key reference paired with each leaf certificate reference of this unit (as key-mismatch pairs them).
    const pairs = new Map<Reference, Reference>();
    for (const p of certKeyPairs(unit)) if (p.cert.expect === 'cert') pairs.set(p.cert, p.key);
    for (const ref of refs) {
      if (ref.expect === 'kubeconfig') {
        const found = engine.resolve(ref)?.found;
        if (found && !engine.isRecognised(found) && !visited.has(found)) {
          visited.add(found);
          const units = engine.kubeconfigOf(ref);
          const p = engine.parsed(found);
          if (p) for (const u of units) processUnit(p, u);
        }
        continue;
      }
      if (ref.expect === 'kubelet-config') continue;
      const loaded = engine.load(ref);
      if (!loaded.ok) continue;
      const m = loaded.material;
      const file = ref.source.kind === 'path' ? loaded.path : undefined;
      if (file) c.materialByPath.set(file, m);
      const object = objectOf(unit, ref);
      // A value from a unit's EnvironmentFile= is located in that file.
      const at = locate(parsed, ref.span);
      const loc: InventoryLocation = {
        file: at.file,
        range: at.range,
        field: ref.field,
        ...(object ? { object } : {}),
      };
      let leafRole: RoleEvidence | undefined;
      m.certs.forEach((cert, i) => {
        const e = c.entryOf(cert);
        if (file) {
          c.addFile(e, file, i);
          e.referencedFiles.add(file);
        }
        addRef(e.refs, e.refKeys, loc);
        const ev = roleOf(engine.cluster, unit, ref, i, leafRole);
        if (ev) {
          e.roles.push(ev);
          if (i === 0) leafRole = ev;
          if (i === 0 && ev.rank === 0 && unit.kind === 'kubeconfig' && kubeadmKubeconfigs.has(path.basename(ref.file)) && !e.kubeadmName) {
            e.kubeadmName = path.basename(ref.file);
          }
        }
        const pair = pairs.get(ref);
        if (pair && i === 0) {
          e.pairedKeyLocs.push({ file: pair.file, range: parsed.lines.range(pair.span.start, pair.span.end), field: pair.field });
          const pl = engine.load(pair);
          const pfile = pair.source.kind === 'path' && pl.ok ? pl.path : undefined;
          if (pl.ok) pl.material.privateKeys.forEach((_, j) => e.pairedKeys.add(keySourceOf(pair, pfile, j)));
        }
      });
      m.privateKeys.forEach((k, j) => c.addKey(file ?? ref.file, keySourceOf(ref, file, j), !file, k, loc));
      for (const p of m.publicKeys) c.addPublic(p, file, file ? loc : undefined);
    }
  };

  for (const doc of engine.documents().slice().sort()) {
    const parsed = engine.parsed(doc);
    if (!parsed) continue;
    visited.add(doc);
    for (const unit of parsed.units) processUnit(parsed, unit);
  }
}

/** The KeyRecord source of the `i`th key a reference holds: its file (`file#i` after the first), or `file#offset` inline. */
function keySourceOf(ref: Reference, file: string | undefined, i: number): string {
  return file ? (i === 0 ? file : `${file}#${i}`) : `${ref.file}#${ref.span.start}${i ? '.' + i : ''}`;
}

/** What in its file a reference belongs to: the Kubernetes object, the kubeconfig's user or cluster. */
function objectOf(unit: Unit, ref: Reference): InventoryObject | undefined {
  if (unit.kind === 'kubeconfig') {
    const user = unit.users.find((u) => u.cert === ref || u.key === ref);
    if (user) return { kind: 'user', name: user.name };
    const cluster = unit.clusters.find((c) => c.ca === ref);
    return cluster ? { kind: 'cluster', name: cluster.name } : undefined;
  }
  if (!('meta' in unit) || !('objectKind' in unit)) return undefined;
  const { meta } = unit;
  if (meta.templated) return { kind: unit.objectKind, ...(literalName(meta.templated.name) ? { name: meta.templated.name } : {}), templated: true };
  return { kind: unit.objectKind, ...(meta.name ? { name: meta.name } : {}), ...(meta.namespace ? { namespace: meta.namespace } : {}) };
}

/** What the `index`th certificate of a reference is for, from the line that references it. */
function roleOf(cluster: ClusterQuery, unit: Unit, ref: Reference, index: number, leafRole: RoleEvidence | undefined): RoleEvidence | undefined {
  if (ref.expect === 'ca') return caRefRole(ref.field);
  if (ref.expect !== 'cert') return undefined;
  if (index > 0) return leafRole ? { rank: 3, role: `${leafRole.role} CA` } : undefined;
  switch (unit.kind) {
    case 'component':
      return componentFlagRole(unit.component, ref.field);
    case 'kubelet-config':
      return { rank: 0, role: 'kubelet serving', component: 'kubelet' };
    case 'kubelet-flags':
      return ref === unit.tlsCert ? { rank: 0, role: 'kubelet serving', component: 'kubelet' } : undefined;
    case 'kubeconfig': {
      const user = unit.users.find((u) => u.cert === ref);
      const base = path.basename(unit.file);
      if (!user) return { rank: 0, role: `${base} client`, component: base };
      let r: ReturnType<typeof kubeconfigRole>;
      try {
        r = kubeconfigRole(cluster, unit, user);
      } catch {
        r = undefined;
      }
      const component = (r && componentOfKubeconfigRole[r.role]) ?? base;
      const multi = unit.users.length > 1 && user !== mainUser(unit);
      const who = multi ? `${base} (${user.name})` : base;
      if (r && roleByFileName(base) !== r.role) return { rank: 0, role: `${r.role} client (${who})`, component };
      return { rank: 0, role: `${who} client`, component };
    }
    default: {
      // Kubernetes objects (Secrets, webhooks, …): the field names the use; the object's name, if any (not one a
      // template fills in), the component.
      const name =
        'meta' in unit
          ? unit.meta.templated
            ? literalName(unit.meta.templated.name)
              ? unit.meta.templated.name
              : undefined
            : unit.meta.name || undefined
          : undefined;
      const what = 'objectKind' in unit ? unit.objectKind : unit.kind;
      return { rank: 0, role: name ? `${what} ${name} ${ref.field}` : `${what} ${ref.field}`, ...(name ? { component: name } : {}) };
    }
  }
}
