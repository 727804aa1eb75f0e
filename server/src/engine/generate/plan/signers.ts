// Who signs what: the CA that will verify each leaf certificate (the apiserver's --client-ca-file
// for its clients, etcd's --trusted-ca-file for etcd's, the --kubelet-certificate-authority for a
// kubelet's serving certificate, ...), found among the gathered CA slots nearest to the referencing
// file; and how a CA slot becomes a plan Signer (an existing CA with its key, or a CA the plan
// creates), or why it cannot.
import * as path from 'node:path';
import type { ComponentUnit, KubeletConfigUnit } from '../../parse';
import { apiserversOf, clustersOfUser, flagRef, nearest } from '../../cluster';
import { certificateFlag } from '../../cluster/catalog';
import { caProfiles, leafProfiles, type CaFamily } from '../profiles';
import type { Signer } from '../types';
import type { Planner } from './planner';
import type { CaSlot, LeafSlot } from './slots';
import { caSlotByCert } from './gather';
import { lostCaKeyTitle } from './caRecovery';

export function caOf(planner: Planner, unit: ComponentUnit | undefined, flagName: string): CaSlot | undefined {
  if (!unit) return undefined;
  const ref = flagRef(unit, flagName);
  if (!ref || ref.source.kind !== 'path') return undefined;
  const t = planner.target(ref);
  return t.path ? planner.cas.get(t.path) : undefined;
}

function nearestFamily(planner: Planner, family: CaFamily, file: string): CaSlot | undefined {
  const list = [...planner.cas.values()].filter((c) => c.family === family).map((c) => ({ ...c, file: c.near, slot: c }));
  return nearest(list, file)[0]?.slot;
}

export function nearestComponents(planner: Planner, component: ComponentUnit['component'], file: string): ComponentUnit[] {
  return nearest(
    planner.units('component').filter((u) => u.component === component),
    file,
  );
}

/** The cluster CA near a file: what the controller-manager signs CSRs with, else what the apiserver verifies clients with. */
function clusterCA(planner: Planner, file: string): CaSlot | undefined {
  let ca: CaSlot | undefined;
  for (const cm of nearestComponents(planner, 'kube-controller-manager', file)) ca ??= caOf(planner, cm, 'cluster-signing-cert-file');
  for (const api of nearestComponents(planner, 'kube-apiserver', file)) ca ??= caOf(planner, api, 'client-ca-file');
  return ca ?? nearestFamily(planner, 'ca', file);
}

/** The apiservers that talk to this kubelet: those the trust check pairs it with, else the nearest. */
function apiserversOfKubelet(planner: Planner, kubelet: KubeletConfigUnit): ComponentUnit[] {
  const apis = planner.units('component').filter((u) => u.component === 'kube-apiserver');
  const kubelets = planner.engine.units('kubelet-config');
  const paired = apis.filter((a) => nearest(kubelets, a.file).includes(kubelet));
  return paired.length ? paired : nearest(apis, kubelet.file);
}

/** The CA that verifies this certificate: who signs its replacement. */
export function resolveSigner(planner: Planner, slot: LeafSlot): void {
  // A k3s or RKE2 leaf: the CA of its folder k3s signs it with (distro.ts).
  if (slot.distro) return;
  const unit = slot.unit;
  const file = unit.file;
  const comp = unit.kind === 'component' ? unit : undefined;
  let ca: CaSlot | undefined;
  // The catalog's signedBy: a CA flag of the nearest component that verifies the certificate, else its own.
  for (const signer of certificateFlag(slot.role)?.spec.signedBy ?? []) {
    if (signer.by === 'self') ca ??= caOf(planner, comp, signer.field);
    else if (signer.by === 'kubelet') {
      for (const k of nearest(planner.engine.units('kubelet-config'), file)) {
        if (k.clientCA?.source.kind === 'path') ca ??= planner.cas.get(planner.target(k.clientCA).path ?? '');
      }
    } else for (const other of nearestComponents(planner, signer.by, file)) ca ??= caOf(planner, other, signer.field);
  }
  switch (slot.role) {
    case 'kubelet-serving': {
      // The apiserver is what verifies a kubelet's serving certificate (logs, exec, port-forward),
      // and only when it sets --kubelet-certificate-authority: then that CA must sign it, or the
      // apiserver refuses the kubelet. Without it the apiserver verifies nothing, and the cluster CA
      // signs, as with kubeadm's serverTLSBootstrap: the kubelet's CSR (signer
      // kubernetes.io/kubelet-serving) is signed by the controller-manager's
      // --cluster-signing-cert-file, the cluster CA, which metrics-server and others can be told to trust.
      if (unit.kind !== 'kubelet-config') break;
      for (const api of apiserversOfKubelet(planner, unit)) {
        const kubeletCA = caOf(planner, api, 'kubelet-certificate-authority');
        if (!kubeletCA) continue;
        ca = kubeletCA;
        slot.signerWhy = `signed by ${path.basename(kubeletCA.certPath)}, the apiserver's --kubelet-certificate-authority, which verifies it`;
        break;
      }
      if (!ca) {
        ca = clusterCA(planner, file);
        if (ca)
          slot.signerWhy = `signed by the cluster CA (${path.basename(ca.certPath)}) as with kubeadm's serverTLSBootstrap, since the apiserver sets no --kubelet-certificate-authority`;
      }
      break;
    }
    case 'controller-manager-serving':
    case 'scheduler-serving':
      // The cluster CA, which the clients of their /healthz and /metrics already know (kubeadm's
      // scheduler has no --client-ca-file: the apiserver's tells which).
      ca ??= clusterCA(planner, file);
      break;
    default: {
      // A kubeconfig user: the --client-ca-file of the apiservers its clusters talk to, else the
      // kubeconfig's own CA (kubeadm uses one CA for both).
      if (unit.kind === 'kubeconfig' && slot.user) {
        for (const cluster of clustersOfUser(unit, slot.user)) {
          for (const t of apiserversOf(planner.cluster, cluster, unit.file).targets) ca ??= caOf(planner, t.unit, 'client-ca-file');
        }
        if (!ca) {
          for (const cluster of clustersOfUser(unit, slot.user)) {
            if (cluster.ca?.source.kind === 'path') ca ??= planner.cas.get(planner.target(cluster.ca).path ?? '');
            else ca ??= caSlotByCert(planner, cluster.ca);
          }
        }
      }
    }
  }
  ca ??= nearestFamily(planner, leafProfiles[slot.role].signer, file);
  slot.signer = ca;
  if (!ca) slot.signerProblem = `no CA that verifies it is referenced in the workspace (${caProfiles[leafProfiles[slot.role].signer].title})`;
}

export function signerOf(planner: Planner, ca: CaSlot): Signer | undefined {
  const planned = planner.actionByCa.get(ca.id);
  const name = ca.cert?.subject.text || `CN=${caProfiles[ca.family].commonName}`;
  if (planned) return { kind: 'action', actionId: planned.id, name };
  if (ca.certExists && ca.keyExists && ca.cert) return { kind: 'file', certPath: ca.certPath, keyPath: ca.keyPath, name };
  return undefined;
}

export function signerProblem(planner: Planner, ca: CaSlot): string {
  if (!ca.certExists && !ca.keyExists) return `its CA ${ca.certPath} is missing and is not created (see above)`;
  if (!ca.keyExists) {
    // Named by a flag, its loss is said on its own (lostCaKey); unnamed, it may just be kept elsewhere (a worker node).
    if (ca.keyRefs.length) return `the CA's private key ${ca.keyPath} is missing (see "${lostCaKeyTitle(planner, ca)}")`;
    return `the CA's private key ${ca.keyPath} is not there (a CA key is never regenerated): restore it (from a backup, or from another control-plane node), or generate this where the key is kept`;
  }
  return `the CA certificate ${ca.certPath} is unusable`;
}
