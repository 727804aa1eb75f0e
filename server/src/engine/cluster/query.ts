// What the cluster model asks of the workspace: the units of a kind, what a reference loads, where it resolves.
// The engine answers (Engine.cluster, a WorkspaceQuery: for generation, the inventory, the hovers); so does a
// check's context (checks/context.ts), which also records what the check read, so that the engine checks a
// file again when any of it changes.
import type { EngineOptions } from '../types';
import type {
  CaBundleWriterUnit,
  CertManagerCertificateUnit,
  CertManagerIssuerUnit,
  ComponentUnit,
  InjectionPatchUnit,
  KubeconfigUnit,
  KubeletConfigUnit,
  ComponentConfigUnit,
  KubeletFlagsUnit,
  KubeadmConfigUnit,
  DistroConfigUnit,
  DistroTlsUnit,
  KindClusterUnit,
  ParsedFile,
  Reference,
  SecretUnit,
  ServiceUnit,
  ClusterRoleBindingUnit,
  Unit,
  WebhookUnit,
  WorkloadUnit,
} from '../parse';
import type { Loaded } from '../resolve/material';
import type { Resolution } from '../resolve/paths';
import type { Certificate } from '../pki/certificate';

export interface UnitsByKind {
  kubeconfig: KubeconfigUnit;
  component: ComponentUnit;
  'kubelet-config': KubeletConfigUnit;
  'component-config': ComponentConfigUnit;
  'kubelet-flags': KubeletFlagsUnit;
  'kubeadm-config': KubeadmConfigUnit;
  'distro-config': DistroConfigUnit;
  'distro-tls': DistroTlsUnit;
  'kind-cluster': KindClusterUnit;
  secret: SecretUnit;
  webhook: WebhookUnit;
  'cert-manager-certificate': CertManagerCertificateUnit;
  'cert-manager-issuer': CertManagerIssuerUnit;
  service: ServiceUnit;
  'cluster-role-binding': ClusterRoleBindingUnit;
  workload: WorkloadUnit;
  'cabundle-writer': CaBundleWriterUnit;
  'injection-patch': InjectionPatchUnit;
}

/** The engine's services (the Engine implements them). */
export interface WorkspaceView {
  readonly options: EngineOptions;
  /** The options a file is judged with (its .kube-pki.yaml's settings over the engine's). */
  optionsFor(file: string): EngineOptions;
  readonly now: Date;
  /** Every recognised unit of a kind in the workspace (this file's included). */
  units<K extends keyof UnitsByKind>(kind: K): UnitsByKind[K][];
  /** The parsed form of a recognised file, or of a kubeconfig read from disk on demand. */
  parsed(file: string): ParsedFile | undefined;
  load(ref: Reference): Loaded;
  resolve(ref: Reference): Resolution | undefined;
  /** The kubeconfig a `--kubeconfig` flag points at, parsed. */
  kubeconfigOf(ref: Reference): KubeconfigUnit[];
}

/** What the cluster model's functions (relations.ts, roles.ts, objects.ts, caBundleWriters.ts) read the workspace through. */
export interface ClusterQuery {
  /** The options the question is asked with (a checked file's; the engine's for the workspace). */
  readonly options: EngineOptions;
  /**
   * Units of a kind anywhere in the workspace that other objects can relate to. An object whose name or namespace
   * a template fills in (ObjectMeta.templated) is left out: nothing can name it before it is rendered.
   */
  units<K extends keyof UnitsByKind>(kind: K): UnitsByKind[K][];
  load(ref: Reference): Loaded;
  resolve(ref: Reference): Resolution | undefined;
  /** The certificates a reference holds, or [] when it does not load. */
  certs(ref: Reference | undefined): Certificate[];
  /** The first certificate: the leaf, for a serving or client certificate file. */
  leaf(ref: Reference | undefined): Certificate | undefined;
}

/** A workspace list of units split into those with a name and those a template names (once per list). */
const splits = new WeakMap<readonly Unit[], { named: Unit[]; templated: Unit[] }>();
export function splitTemplated<U extends Unit>(list: U[]): { named: U[]; templated: U[] } {
  let s = splits.get(list);
  if (!s) {
    const templated = list.filter((u) => 'meta' in u && u.meta.templated);
    s = { named: templated.length ? list.filter((u) => !('meta' in u && u.meta.templated)) : list, templated };
    splits.set(list, s);
  }
  return s as { named: U[]; templated: U[] };
}

/** The workspace as the cluster model sees it, recording nothing (generation, the inventory, hovers). */
export class WorkspaceQuery implements ClusterQuery {
  constructor(private readonly ws: WorkspaceView) {}

  get options(): EngineOptions {
    return this.ws.options;
  }

  units<K extends keyof UnitsByKind>(kind: K): UnitsByKind[K][] {
    return splitTemplated(this.ws.units(kind)).named;
  }

  load(ref: Reference): Loaded {
    return this.ws.load(ref);
  }

  resolve(ref: Reference): Resolution | undefined {
    return this.ws.resolve(ref);
  }

  certs(ref: Reference | undefined): Certificate[] {
    return certsOf(this, ref);
  }

  leaf(ref: Reference | undefined): Certificate | undefined {
    return certsOf(this, ref)[0];
  }
}

/** The certificates a reference holds, or [] when it does not load (the loader reports that): ClusterQuery.certs. */
export function certsOf(q: Pick<ClusterQuery, 'load'>, ref: Reference | undefined): Certificate[] {
  if (!ref) return [];
  const loaded = q.load(ref);
  return loaded.ok ? loaded.material.certs : [];
}
