// The state one workspace plan is built in: the options, what was gathered (slots for CAs, leaf
// certificates, kubeconfigs, service account keys), the actions and skipped items so far, and the
// few services every planning step uses (where a reference is, what it holds, how a skip is said).
// The steps themselves are functions of the other files of plan/, each taking this Planner;
// workspace.ts runs them in order.
import type { Engine } from '../../workspace/engine';
import type { FileSystem, Finding } from '../../types';
import type { FixedFinding } from '../types';
import type { ComponentUnit, Reference } from '../../parse';
import type { ClusterQuery } from '../../cluster';
import type { Material } from '../../resolve/material';
import type { KeyType } from '../keys';
import { DEFAULT_CA_DAYS, DEFAULT_CERT_DAYS, DEFAULT_KEY_TYPE } from '../profiles';
import type { GenerationPlan, PlanAction, SkippedItem } from '../types';
import type { CaSlot, KubeconfigSlot, LeafSlot, SaSlot } from './slots';
import { targetPath } from './paths';

export interface PlanOptions {
  /** Create what is referenced but missing (default true). */
  missing?: boolean;
  /** Re-issue certificates that findings say are wrong (san-missing, cn-mismatch, expiry, ...). */
  fix?: boolean;
  /** Re-issue every referenced leaf certificate (and CAs that expire), keeping keys: kubeadm certs renew all. */
  renew?: boolean;
  /** Only fix these findings (a quick fix on one diagnostic). Implies fix. */
  only?: FixedFinding[];
  /** Type of new keys (default rsa-2048, as kubeadm). */
  keyType?: KeyType;
  /** Re-issue with new keys even where the existing key is fine. */
  newKeys?: boolean;
  /** Validity of leaf certificates (default 365 days) and of CAs (default 3650). */
  days?: number;
  caDays?: number;
  /**
   * Added to the apiserver's serving certificate (kubeadm apiServer.certSANs). Undefined: the extraSANs of the
   * engine's options for the manifest (a .kube-pki.yaml's over kubePki.extraSANs).
   */
  extraSANs?: string[];
  /** The node name, when the files do not say it (etcd --name, kubelet.conf's user). */
  nodeName?: string;
  /**
   * The group an admin certificate whose O is wrong is re-issued in (kubeadm:cluster-admins or system:masters; a
   * quick fix's choice). Default: the one the kubeadm release of its admin.conf uses (cluster/adminGroup.ts).
   */
  adminGroup?: string;
  /** Findings already computed (else the plan checks every document). */
  findings?: Finding[];
}

export class Planner {
  readonly cas = new Map<string, CaSlot>();
  readonly leaves = new Map<string, LeafSlot>();
  readonly kubeconfigs = new Map<string, KubeconfigSlot>();
  readonly sas = new Map<string, SaSlot>();
  readonly skipped: SkippedItem[] = [];
  readonly actions: PlanAction[] = [];
  readonly actionByCa = new Map<string, PlanAction>();
  readonly keyType: KeyType;
  readonly days: number;
  readonly caDays: number;
  findings: Finding[] = [];
  /** While planning fixes the user did not ask for, only what permission would allow is worth listing. */
  fixPassWithoutPermission = false;

  constructor(
    readonly engine: Engine,
    readonly fs: FileSystem,
    readonly opts: PlanOptions,
  ) {
    this.keyType = opts.keyType ?? DEFAULT_KEY_TYPE;
    this.days = opts.days ?? DEFAULT_CERT_DAYS;
    this.caDays = opts.caDays ?? DEFAULT_CA_DAYS;
  }

  /** The cluster model's view of the workspace (which apiserver a kubeconfig dials, a kubeconfig's role). */
  get cluster(): ClusterQuery {
    return this.engine.cluster;
  }

  get allowReplace(): boolean {
    return !!(this.opts.fix || this.opts.renew || this.opts.only);
  }

  skip(item: SkippedItem): void {
    if (this.fixPassWithoutPermission && !item.needsReplace) return;
    // The same thing found through several references (a CA's weak key on each flag naming it) is said once.
    if (this.skipped.some((s) => s.title === item.title && s.reason === item.reason && s.paths.join('\n') === item.paths.join('\n'))) return;
    this.skipped.push(item);
  }

  /** A path that names no file here and has no place in this workspace. */
  unplaceable(title: string, refPath: string, what = refPath): void {
    this.skip({
      title,
      paths: [refPath],
      reason: `cannot tell where ${what} belongs in this workspace: set kubePki.rootDir / --root (or a path mapping)`,
    });
  }

  material(ref: Reference | undefined): Material | undefined {
    if (!ref) return undefined;
    const loaded = this.engine.load(ref);
    return loaded.ok ? loaded.material : undefined;
  }

  /**
   * Where a path reference is on disk, or where it should be created: the place the checks know for it
   * (resolve/paths.ts), so a file is generated only where its absence is a file-not-found finding; never for an
   * unplaced path (nothing is guessed), and on this machine's own folders only as targetPath allows it (the
   * referencing file lives in the same top folder: the workspace is the node itself).
   */
  target(ref: Reference): { path?: string; exists: boolean } {
    if (ref.source.kind !== 'path') return { exists: true };
    const r = this.engine.resolve(ref);
    if (r?.found) return { path: r.found, exists: this.fs.stat(r.found).kind !== 'missing' };
    const place = r?.place;
    if (!place) return { exists: false };
    if (place.by === 'literal' || place.by === 'this-machine') {
      const t = targetPath(this.fs, this.engine.optionsFor(ref.file), ref.source.path, ref.source.baseDir);
      return t === place.path ? { path: t, exists: false } : { exists: false };
    }
    return { path: place.path, exists: false };
  }

  units(kind: 'component'): ComponentUnit[] {
    return this.engine.units(kind);
  }

  finish(): GenerationPlan {
    return { actions: inPlanOrder(this.actions), skipped: this.skipped };
  }
}

/** CAs first, then what they sign, so execution and previews read top-down. */
export function inPlanOrder(actions: PlanAction[]): PlanAction[] {
  const order = (a: PlanAction) => (a.kind === 'ca' ? 0 : a.kind === 'service-account-key' ? 2 : 1);
  return [...actions].sort((a, b) => order(a) - order(b));
}
