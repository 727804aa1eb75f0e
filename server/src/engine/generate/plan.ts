// From the recognised documents to a generation plan: every certificate, key and kubeconfig the
// workspace references but lacks, and (on request) a re-issue for each certificate a finding says
// is wrong. Each planned certificate follows kubeadm (profiles.ts) and is signed by the CA that will
// verify it. Nothing here writes, and no key material enters the plan (execute.ts reads keys).
//
// Rules that keep a user's cluster safe:
//  - a CA is created only where its certificate and key are both missing and no existing
//    certificate names it as issuer (a new key under an old name would silently break them);
//  - a CA key is never regenerated while its certificate exists; a CA certificate is re-made from
//    its key (same subject) when only the certificate is gone;
//  - an action that would replace or edit anything existing is planned only with permission
//    (options.fix / options.renew); otherwise it is listed in `skipped` with the reason;
//  - nothing is passed over in silence: whatever is referenced, missing and not planned (and, with
//    fix/renew, whatever a finding asks for that cannot be done) is in `skipped` with why and what
//    to do instead.
import * as path from 'node:path';
import { isIP } from 'node:net';
import type { Engine } from '../workspace/engine';
import type { FileSystem, Finding, Range } from '../types';
import { flag, unitReferences, type ComponentUnit, type KubeconfigCluster, type KubeconfigUnit, type KubeconfigUser, type KubeletConfigUnit, type Reference, type Span } from '../parse';
import { CheckContext } from '../checks/context';
import { apiserversOf, chainsTo, clustersOfUser, firstIpOfCidr, flagRef, hostOf, nearest, serverHost } from '../checks/relations';
import { kubeconfigRole } from '../checks/roles';
import { nearMiss } from '../checks/identity';
import { certInternals, type Certificate } from '../pki/certificate';
import { sameKey } from '../pki/key';
import { materialFromText, type Material } from '../resolve/material';
import type { KeyType } from './keys';
import type { ExtKeyUsageName } from './certs';
import {
  acceptedGroups,
  caProfiles,
  CA_KEY_USAGE,
  DEFAULT_CA_DAYS,
  DEFAULT_CERT_DAYS,
  DEFAULT_KEY_TYPE,
  LEAF_KEY_USAGE,
  leafProfiles,
  normaliseNames,
  roleCommonName,
  type CaFamily,
  type CertSpec,
  type LeafRole,
} from './profiles';
import type { FixedFinding, GenerationPlan, KeySource, PlanAction, PlanOutput, Signer, SkippedItem } from './types';

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
  /** Added to the apiserver's serving certificate (kubePki.extraSANs, kubeadm apiServer.certSANs). */
  extraSANs?: string[];
  /** The node name, when the files do not say it (etcd --name, kubelet.conf's user). */
  nodeName?: string;
  /** Findings already computed (else the plan checks every document). */
  findings?: Finding[];
}

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

/**
 * Roles whose existing CN is kept on a re-issue: any admin name works (its group makes it admin), a
 * user's name is the user's, and nobody judges the CN of a controller-manager's or scheduler's
 * serving certificate.
 */
const FREE_CN = new Set<LeafRole>(['admin', 'super-admin', 'user', 'controller-manager-serving', 'scheduler-serving']);

// ------------------------------------------------------------------------------------ slots

interface CaSlot {
  id: string;
  family: CaFamily;
  certPath: string;
  keyPath: string;
  certExists: boolean;
  keyExists: boolean;
  cert?: Certificate;
  keySpki?: Buffer;
  refs: Reference[];
  /** References of its private key (the controller-manager's --cluster-signing-key-file). */
  keyRefs: Reference[];
  /** A unit referencing it (for nearest-node decisions). */
  near: string;
}

interface LeafSlot {
  id: string;
  role: LeafRole;
  title: string;
  certRef: Reference;
  keyRef?: Reference;
  /** The field that names (or would name) the key: '--tls-private-key-file', 'tlsPrivateKeyFile', 'client-key'. */
  keyField: string;
  /** Absolute paths (path references); undefined for inline data. */
  certPath?: string;
  keyPath?: string;
  inline?: { file: string; certSpan: Span; keySpan?: Span };
  certExists: boolean;
  keyExists: boolean;
  cert?: Certificate;
  keySpki?: Buffer;
  keyWeak: boolean;
  signer?: CaSlot;
  /** Why there is no signer (for the skip message). */
  signerProblem?: string;
  /** Which CA signs it and why, when that is a choice worth telling (the kubelet's serving certificate). */
  signerWhy?: string;
  unit: ComponentUnit | KubeconfigUnit | KubeletConfigUnit;
  user?: KubeconfigUser;
  /** DNS/IP names the role needs (serving certificates). */
  needs: { dns: string[]; ips: string[] };
  /** CN the role must have, when known. */
  expectedCN?: string;
  allowedCNs?: string[];
}

interface KubeconfigSlot {
  id: string;
  path: string;
  role: LeafRole;
  component: ComponentUnit;
  server?: string;
  signer?: CaSlot;
}

interface SaSlot {
  id: string;
  privPath?: string;
  privExists: boolean;
  privWeak: boolean;
  privSpki?: Buffer;
  pubPaths: { path: string; exists: boolean; ref: Reference }[];
  refs: Reference[];
  /** A private-key flag names it (even where that path has no place here). */
  privNamed: boolean;
}

class Planner {
  readonly cas = new Map<string, CaSlot>();
  readonly leaves = new Map<string, LeafSlot>();
  readonly kubeconfigs = new Map<string, KubeconfigSlot>();
  readonly sas = new Map<string, SaSlot>();
  readonly skipped: SkippedItem[] = [];
  readonly actions: PlanAction[] = [];
  private readonly ctx: CheckContext;
  private readonly actionByCa = new Map<string, PlanAction>();
  private readonly keyType: KeyType;
  private readonly days: number;
  private readonly caDays: number;
  findings: Finding[] = [];
  /** While planning fixes the user did not ask for, only what permission would allow is worth listing. */
  fixPassWithoutPermission = false;

  constructor(
    private readonly engine: Engine,
    private readonly fs: FileSystem,
    private readonly opts: PlanOptions,
    anyDoc: string,
  ) {
    this.ctx = new CheckContext(engine.parsed(anyDoc)!, engine, { paths: new Set(), kinds: new Set(), unresolved: false });
    this.keyType = opts.keyType ?? DEFAULT_KEY_TYPE;
    this.days = opts.days ?? DEFAULT_CERT_DAYS;
    this.caDays = opts.caDays ?? DEFAULT_CA_DAYS;
  }

  get allowReplace(): boolean {
    return !!(this.opts.fix || this.opts.renew || this.opts.only);
  }

  private skip(item: SkippedItem): void {
    if (this.fixPassWithoutPermission && !item.needsReplace) return;
    // The same thing found through several references (a CA's weak key on each flag naming it) is said once.
    if (this.skipped.some((s) => s.title === item.title && s.reason === item.reason && s.paths.join('\n') === item.paths.join('\n'))) return;
    this.skipped.push(item);
  }

  /** A path that names no file here and has no place in this workspace. */
  private unplaceable(title: string, refPath: string, what = refPath): void {
    this.skip({ title, paths: [refPath], reason: `cannot tell where ${what} belongs in this workspace: set kubePki.rootDir / --root (or a path mapping)` });
  }

  // ---------------------------------------------------------------- material

  private material(ref: Reference | undefined): Material | undefined {
    if (!ref) return undefined;
    const loaded = this.engine.load(ref);
    return loaded.ok ? loaded.material : undefined;
  }

  /** Where a path reference is on disk, or where it should be created. */
  target(ref: Reference): { path?: string; exists: boolean } {
    if (ref.source.kind !== 'path') return { exists: true };
    const r = this.engine.resolve(ref);
    if (r?.found) return { path: r.found, exists: this.fs.stat(r.found).kind !== 'missing' };
    return { path: targetPath(this.fs, this.engine.options, ref.source.path, ref.source.baseDir), exists: false };
  }

  // ---------------------------------------------------------------- CAs

  private caSlot(ref: Reference | undefined, family: CaFamily, near: string, keyRef?: Reference): CaSlot | undefined {
    if (!ref || ref.source.kind !== 'path') return undefined;
    const t = this.target(ref);
    if (!t.path) return undefined; // said by reportUnplanned
    let slot = this.cas.get(t.path);
    if (!slot) {
      const keyTarget = keyRef ? this.target(keyRef) : undefined;
      const keyPath = keyTarget?.path ?? siblingKey(this.fs, t.path);
      const m = t.exists ? this.material(ref) : undefined;
      slot = {
        id: `ca:${t.path}`,
        family,
        certPath: t.path,
        keyPath,
        certExists: t.exists,
        keyExists: this.fs.stat(keyPath).kind === 'file',
        cert: m?.certs[0],
        refs: [],
        keyRefs: [],
        near,
      };
      if (slot.keyExists) slot.keySpki = readKeySpki(this.fs, keyPath);
      this.cas.set(t.path, slot);
    } else if (keyRef && !slot.keyExists) {
      const kt = this.target(keyRef);
      if (kt.path && this.fs.stat(kt.path).kind === 'file') {
        slot.keyPath = kt.path;
        slot.keyExists = true;
        slot.keySpki = readKeySpki(this.fs, kt.path);
      }
    }
    slot.refs.push(ref);
    if (keyRef) slot.keyRefs.push(keyRef);
    return slot;
  }

  /** The CA slot holding the same certificate as an inline CA (kubeconfig certificate-authority-data). */
  private caSlotByCert(ref: Reference | undefined): CaSlot | undefined {
    const cert = this.material(ref)?.certs[0];
    if (!cert) return undefined;
    return [...this.cas.values()].find((c) => c.cert?.sha256 === cert.sha256);
  }

  // ---------------------------------------------------------------- gathering

  gather(): void {
    const components = this.engine.units('component');
    const kubeletConfigs = this.engine.units('kubelet-config');
    // CAs first: leaves are matched to them.
    for (const u of components) {
      const f = (n: string) => flagRef(u, n);
      if (u.component === 'kube-apiserver') {
        this.caSlot(f('client-ca-file'), 'ca', u.file);
        this.caSlot(f('requestheader-client-ca-file'), 'front-proxy-ca', u.file);
        this.caSlot(f('etcd-cafile'), 'etcd-ca', u.file);
      } else if (u.component === 'etcd') {
        this.caSlot(f('trusted-ca-file'), 'etcd-ca', u.file);
        this.caSlot(f('peer-trusted-ca-file'), 'etcd-ca', u.file);
      } else if (u.component === 'kube-controller-manager') {
        this.caSlot(f('cluster-signing-cert-file'), 'ca', u.file, f('cluster-signing-key-file'));
        this.caSlot(f('client-ca-file'), 'ca', u.file);
        this.caSlot(f('root-ca-file'), 'ca', u.file);
        this.caSlot(f('requestheader-client-ca-file'), 'front-proxy-ca', u.file);
      } else if (u.component === 'kube-scheduler') {
        this.caSlot(f('client-ca-file'), 'ca', u.file);
        this.caSlot(f('requestheader-client-ca-file'), 'front-proxy-ca', u.file);
      }
    }
    for (const k of kubeletConfigs) this.caSlot(k.clientCA, 'ca', k.file);
    for (const kc of this.engine.units('kubeconfig')) for (const c of kc.clusters) this.caSlot(c.ca, 'ca', kc.file);
    // Last, so that a file already known as another CA (often ca.crt itself) keeps that role.
    for (const u of components) if (u.component === 'kube-apiserver') this.caSlot(flagRef(u, 'kubelet-certificate-authority'), 'kubelet-ca', u.file);

    for (const u of components) {
      if (u.component === 'kube-apiserver') {
        this.leaf(u, 'apiserver', 'tls-cert-file', 'tls-private-key-file');
        this.leaf(u, 'apiserver-kubelet-client', 'kubelet-client-certificate', 'kubelet-client-key');
        this.leaf(u, 'front-proxy-client', 'proxy-client-cert-file', 'proxy-client-key-file');
        this.leaf(u, 'apiserver-etcd-client', 'etcd-certfile', 'etcd-keyfile');
        this.serviceAccount(u);
      } else if (u.component === 'etcd') {
        this.leaf(u, 'etcd-server', 'cert-file', 'key-file');
        this.leaf(u, 'etcd-peer', 'peer-cert-file', 'peer-key-file');
      } else if (u.component === 'kube-controller-manager' || u.component === 'kube-scheduler') {
        for (const r of u.refs) if (r.expect === 'kubeconfig') this.missingKubeconfig(u, r);
        this.leaf(u, u.component === 'kube-scheduler' ? 'scheduler-serving' : 'controller-manager-serving', 'tls-cert-file', 'tls-private-key-file');
        if (u.component === 'kube-controller-manager') this.serviceAccount(u);
      }
    }
    for (const k of kubeletConfigs) {
      if (k.tlsCert) this.addLeaf('kubelet-serving', `${leafProfiles['kubelet-serving'].title} (tlsCertFile of ${path.basename(k.file)})`, k, k.tlsCert, k.tlsKey, 'tlsPrivateKeyFile');
    }
    for (const kc of this.engine.units('kubeconfig')) {
      for (const user of kc.users) this.kubeconfigLeaf(kc, user);
    }
  }

  private leaf(unit: ComponentUnit, role: LeafRole, certFlag: string, keyFlag: string): void {
    const certRef = flagRef(unit, certFlag);
    if (!certRef) return;
    this.addLeaf(role, leafProfiles[role].title, unit, certRef, flagRef(unit, keyFlag), `--${keyFlag}`);
  }

  private addLeaf(role: LeafRole, title: string, unit: LeafSlot['unit'], certRef: Reference, keyRef: Reference | undefined, keyField: string, user?: KubeconfigUser): LeafSlot | undefined {
    const ct = this.target(certRef);
    const kt = keyRef ? this.target(keyRef) : undefined;
    let id: string;
    let inline: LeafSlot['inline'];
    if (certRef.source.kind === 'inline') {
      id = `inline:${certRef.file}:${certRef.span.start}`;
      inline = { file: certRef.file, certSpan: certRef.span, keySpan: keyRef?.source.kind === 'inline' ? keyRef.span : undefined };
    } else {
      if (!ct.path) {
        this.unplaceable(title, certRef.source.path);
        return undefined;
      }
      id = `leaf:${ct.path}`;
    }
    if (this.leaves.has(id)) return this.leaves.get(id);
    const m = ct.exists ? this.material(certRef) : undefined;
    const cert = m?.certs[0];
    let keyExists = false;
    let keySpki: Buffer | undefined;
    let keyWeak = false;
    if (keyRef) {
      if (keyRef.source.kind === 'inline') keyExists = true;
      else keyExists = !!kt?.exists;
      const km = keyExists ? this.material(keyRef) : undefined;
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
    this.leaves.set(id, slot);
    return slot;
  }

  private kubeconfigLeaf(kc: KubeconfigUnit, user: KubeconfigUser): void {
    if (!user.cert) return;
    const role = this.kubeconfigRole(kc, user);
    const profile = leafProfiles[role];
    const slot = this.addLeaf(role, `${profile.title} in ${path.basename(kc.file)} (user ${user.name})`, kc, user.cert, user.key, user.cert.source.kind === 'inline' ? 'client-key-data' : 'client-key', user);
    if (slot && role === 'user') {
      slot.expectedCN = undefined;
    }
  }

  kubeconfigRole(kc: KubeconfigUnit, user: KubeconfigUser): LeafRole {
    return kubeconfigRole(this.ctx, kc, user)?.role ?? 'user';
  }

  private missingKubeconfig(unit: ComponentUnit, ref: Reference): void {
    const t = this.target(ref);
    if (t.exists || !t.path || this.kubeconfigs.has(t.path)) return; // no place: said by reportUnplanned
    const role: LeafRole = unit.component === 'kube-scheduler' ? 'scheduler' : 'controller-manager';
    this.kubeconfigs.set(t.path, { id: `kubeconfig:${t.path}`, path: t.path, role, component: unit });
  }

  private serviceAccount(unit: ComponentUnit): void {
    const privRef = unit.component === 'kube-apiserver' ? flagRef(unit, 'service-account-signing-key-file') : flagRef(unit, 'service-account-private-key-file');
    const pubRefs = unit.component === 'kube-apiserver' ? unit.refs.filter((r) => r.field === '--service-account-key-file') : [];
    const priv = privRef ? this.target(privRef) : undefined;
    const key = priv?.path ?? pubRefs.map((r) => this.target(r).path).find(Boolean);
    if (!key) return;
    let slot = this.sas.get(key);
    if (!slot) {
      slot = { id: `sa:${key}`, privPath: priv?.path, privExists: !!priv?.exists, privWeak: false, pubPaths: [], refs: [], privNamed: false };
      if (slot.privExists && privRef) {
        const pk = this.material(privRef)?.privateKeys.find((k) => !k.encrypted && k.spkiDer);
        slot.privSpki = pk?.spkiDer;
        slot.privWeak = pk ? isWeak(pk.algorithm, pk.bits) : false;
        if (!pk) slot.privExists = false;
      }
      this.sas.set(key, slot);
    }
    if (privRef) slot.refs.push(privRef);
    slot.privNamed ||= !!privRef;
    for (const r of pubRefs) {
      const t = this.target(r);
      slot.refs.push(r);
      if (t.path && t.path !== slot.privPath && !slot.pubPaths.some((p) => p.path === t.path)) slot.pubPaths.push({ path: t.path, exists: t.exists, ref: r });
    }
  }

  // ---------------------------------------------------------------- relations

  private units(kind: 'component'): ComponentUnit[] {
    return this.engine.units(kind);
  }

  /**
   * The node a file belongs to: etcd's --name, else the kubelet's user (system:node:NAME) in a
   * kubeconfig near it. For the kubelet's own files the kubelet's user comes first: a worker node
   * has no etcd, and the nearest one may be another node's.
   */
  private nodeNameNear(file: string, kubeletFirst = false): string | undefined {
    if (this.opts.nodeName) return this.opts.nodeName;
    const fromEtcd = () => {
      for (const e of nearest(this.units('component').filter((u) => u.component === 'etcd'), file)) {
        const n = flag(e, 'name')?.value.trim();
        if (n && n !== 'default') return n;
      }
      return undefined;
    };
    const fromKubelet = () => {
      for (const kc of nearest(this.engine.units('kubeconfig'), file)) for (const u of kc.users) if (u.name.startsWith('system:node:')) return u.name.slice('system:node:'.length);
      return undefined;
    };
    return kubeletFirst ? (fromKubelet() ?? fromEtcd()) : (fromEtcd() ?? fromKubelet());
  }

  private caOf(unit: ComponentUnit | undefined, flagName: string): CaSlot | undefined {
    if (!unit) return undefined;
    const ref = flagRef(unit, flagName);
    if (!ref || ref.source.kind !== 'path') return undefined;
    const t = this.target(ref);
    return t.path ? this.cas.get(t.path) : undefined;
  }

  private nearestFamily(family: CaFamily, file: string): CaSlot | undefined {
    const list = [...this.cas.values()].filter((c) => c.family === family).map((c) => ({ ...c, file: c.near, slot: c }));
    return nearest(list, file)[0]?.slot;
  }

  private nearestComponents(component: ComponentUnit['component'], file: string): ComponentUnit[] {
    return nearest(this.units('component').filter((u) => u.component === component), file);
  }

  /** The cluster CA near a file: what the controller-manager signs CSRs with, else what the apiserver verifies clients with. */
  private clusterCA(file: string): CaSlot | undefined {
    let ca: CaSlot | undefined;
    for (const cm of this.nearestComponents('kube-controller-manager', file)) ca ??= this.caOf(cm, 'cluster-signing-cert-file');
    for (const api of this.nearestComponents('kube-apiserver', file)) ca ??= this.caOf(api, 'client-ca-file');
    return ca ?? this.nearestFamily('ca', file);
  }

  /** The apiservers that talk to this kubelet: those the trust check pairs it with, else the nearest. */
  private apiserversOfKubelet(kubelet: KubeletConfigUnit): ComponentUnit[] {
    const apis = this.units('component').filter((u) => u.component === 'kube-apiserver');
    const kubelets = this.engine.units('kubelet-config');
    const paired = apis.filter((a) => nearest(kubelets, a.file).includes(kubelet));
    return paired.length ? paired : nearest(apis, kubelet.file);
  }

  /** The CA that verifies this certificate: who signs its replacement. */
  resolveSigner(slot: LeafSlot): void {
    const unit = slot.unit;
    const file = unit.file;
    const comp = unit.kind === 'component' ? unit : undefined;
    let ca: CaSlot | undefined;
    switch (slot.role) {
      case 'apiserver':
        ca = this.caOf(comp, 'client-ca-file');
        break;
      case 'apiserver-kubelet-client':
        for (const k of nearest(this.engine.units('kubelet-config'), file)) {
          if (k.clientCA?.source.kind === 'path') ca ??= this.cas.get(this.target(k.clientCA).path ?? '');
        }
        ca ??= this.caOf(comp, 'client-ca-file');
        break;
      case 'front-proxy-client':
        ca = this.caOf(comp, 'requestheader-client-ca-file');
        break;
      case 'apiserver-etcd-client':
        for (const e of this.nearestComponents('etcd', file)) ca ??= this.caOf(e, 'trusted-ca-file');
        ca ??= this.caOf(comp, 'etcd-cafile');
        break;
      case 'etcd-server':
        for (const a of this.nearestComponents('kube-apiserver', file)) ca ??= this.caOf(a, 'etcd-cafile');
        ca ??= this.caOf(comp, 'trusted-ca-file');
        break;
      case 'etcd-peer':
        ca = this.caOf(comp, 'peer-trusted-ca-file');
        break;
      case 'kubelet-serving': {
        // The apiserver is what verifies a kubelet's serving certificate (logs, exec, port-forward),
        // and only when it sets --kubelet-certificate-authority: then that CA must sign it, or the
        // apiserver refuses the kubelet. Without it the apiserver verifies nothing, and the cluster CA
        // signs, as with kubeadm's serverTLSBootstrap: the kubelet's CSR (signer
        // kubernetes.io/kubelet-serving) is signed by the controller-manager's
        // --cluster-signing-cert-file, the cluster CA, which metrics-server and others can be told to trust.
        if (unit.kind !== 'kubelet-config') break;
        for (const api of this.apiserversOfKubelet(unit)) {
          const kubeletCA = this.caOf(api, 'kubelet-certificate-authority');
          if (!kubeletCA) continue;
          ca = kubeletCA;
          slot.signerWhy = `signed by ${path.basename(kubeletCA.certPath)}, the apiserver's --kubelet-certificate-authority, which verifies it`;
          break;
        }
        if (!ca) {
          ca = this.clusterCA(file);
          if (ca) slot.signerWhy = `signed by the cluster CA (${path.basename(ca.certPath)}) as with kubeadm's serverTLSBootstrap, since the apiserver sets no --kubelet-certificate-authority`;
        }
        break;
      }
      case 'controller-manager-serving':
      case 'scheduler-serving':
        // The cluster CA, which the clients of their /healthz and /metrics already know (kubeadm's
        // scheduler has no --client-ca-file: the apiserver's tells which).
        ca = this.caOf(comp, 'client-ca-file') ?? this.clusterCA(file);
        break;
      default: {
        // A kubeconfig user: the --client-ca-file of the apiservers its clusters talk to, else the
        // kubeconfig's own CA (kubeadm uses one CA for both).
        if (unit.kind === 'kubeconfig' && slot.user) {
          for (const cluster of clustersOfUser(unit, slot.user)) {
            for (const t of apiserversOf(this.ctx, cluster).targets) ca ??= this.caOf(t.unit, 'client-ca-file');
          }
          if (!ca) {
            for (const cluster of clustersOfUser(unit, slot.user)) {
              if (cluster.ca?.source.kind === 'path') ca ??= this.cas.get(this.target(cluster.ca).path ?? '');
              else ca ??= this.caSlotByCert(cluster.ca);
            }
          }
        }
      }
    }
    ca ??= this.nearestFamily(leafProfiles[slot.role].signer, file);
    slot.signer = ca;
    if (!ca) slot.signerProblem = `no CA that verifies it is referenced in the workspace (${caProfiles[leafProfiles[slot.role].signer].title})`;
  }

  /** The hosts a serving certificate must name, and the CN its role needs. */
  resolveNeeds(slot: LeafSlot): void {
    const unit = slot.unit;
    const nodeName = this.nodeNameNear(unit.file, slot.role === 'kubelet-serving');
    if (slot.role === 'kubelet' && slot.user?.name.startsWith('system:node:')) slot.expectedCN = slot.user.name;
    else slot.expectedCN = roleCommonName(slot.role, nodeName);
    if (unit.kind === 'component' && slot.role === 'etcd-server') {
      const name = flag(unit, 'name')?.value.trim();
      if (name) slot.expectedCN = name;
    }
    if (unit.kind === 'component' && slot.role === 'etcd-peer') {
      const name = flag(unit, 'name')?.value.trim();
      if (name) slot.expectedCN = name;
    }
    if (slot.role === 'front-proxy-client' && unit.kind === 'component') {
      const allowed = flag(unit, 'requestheader-allowed-names')?.value.split(',').map((s) => s.trim()).filter(Boolean);
      if (allowed?.length) slot.allowedCNs = allowed;
    }
    const dns: string[] = [];
    const ips: string[] = [];
    const add = (h: string | undefined) => {
      if (!h || h === '0.0.0.0' || h === '::') return;
      if (isIP(h)) ips.push(h);
      else dns.push(h);
    };
    if (unit.kind === 'kubelet-config' && slot.role === 'kubelet-serving') {
      // The node's names and IPs, as the kubelet's serving CSR carries them: its name, and the
      // addresses the workspace knows for it (a control-plane node advertises its apiserver's).
      add(nodeName);
      for (const api of this.nearestComponents('kube-apiserver', unit.file)) {
        if (nodeName && this.nodeNameNear(api.file) === nodeName) add(flag(api, 'advertise-address')?.value.trim());
      }
      slot.needs = { dns, ips };
      return;
    }
    if (unit.kind !== 'component') return;
    if (slot.role === 'controller-manager-serving' || slot.role === 'scheduler-serving') {
      // Their self-signed default serves localhost and 127.0.0.1; the node name for scrapes from elsewhere.
      add('localhost');
      add('127.0.0.1');
      add(nodeName);
      add(flag(unit, 'bind-address')?.value.trim());
    } else if (slot.role === 'apiserver') {
      add(nodeName);
      const domain = this.engine.options.clusterDomain || 'cluster.local';
      for (const n of ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${domain}`]) add(n);
      const range = flag(unit, 'service-cluster-ip-range');
      add(range ? firstIpOfCidr(range.value.split(',')[0]) : undefined);
      add(flag(unit, 'advertise-address')?.value.trim());
      for (const kc of this.engine.units('kubeconfig')) {
        for (const cluster of kc.clusters) {
          if (cluster.insecure) continue;
          const sh = serverHost(cluster);
          if (sh && this.clusterDials(cluster, unit, slot)) add(sh.host);
        }
      }
      for (const s of this.opts.extraSANs ?? []) add(s.trim());
    } else if (slot.role === 'etcd-server' || slot.role === 'etcd-peer') {
      add(slot.expectedCN);
      add('localhost');
      add('127.0.0.1');
      add('::1');
      const urlFlags = slot.role === 'etcd-server' ? ['advertise-client-urls', 'listen-client-urls'] : ['initial-advertise-peer-urls', 'listen-peer-urls'];
      for (const name of urlFlags) for (const u of (flag(unit, name)?.value ?? '').split(',')) add(hostOf(u));
      if (slot.role === 'etcd-server') {
        for (const api of this.units('component').filter((a) => a.component === 'kube-apiserver')) {
          if (!nearest(this.units('component').filter((e) => e.component === 'etcd'), api.file).includes(unit)) continue;
          for (const u of (flag(api, 'etcd-servers')?.value ?? '').split(',')) add(hostOf(u));
        }
      }
    }
    slot.needs = { dns, ips };
  }

  /** Does this kubeconfig cluster dial this apiserver? By host, else by sharing its CA. */
  private clusterDials(cluster: KubeconfigCluster, api: ComponentUnit, slot: LeafSlot): boolean {
    const { byHost, targets } = apiserversOf(this.ctx, cluster);
    if (targets.some((t) => t.unit === api)) return true;
    if (byHost) return false;
    // No serving certificate to match yet (missing): a cluster whose CA is the one that will sign it.
    const signer = slot.signer;
    if (!signer) return false;
    if (cluster.ca?.source.kind === 'path' && this.target(cluster.ca).path === signer.certPath) {
      return this.apiserversNear(cluster, api);
    }
    const caCert = this.material(cluster.ca)?.certs[0];
    return !!caCert && !!signer.cert && caCert.sha256 === signer.cert.sha256 && this.apiserversNear(cluster, api);
  }

  /** With several apiservers sharing one CA, a kubeconfig counts for the ones nearest to it. */
  private apiserversNear(cluster: KubeconfigCluster, api: ComponentUnit): boolean {
    const owner = this.engine.units('kubeconfig').find((k) => k.clusters.includes(cluster));
    if (!owner) return false;
    return nearest(this.units('component').filter((u) => u.component === 'kube-apiserver'), owner.file).includes(api);
  }

  // ---------------------------------------------------------------- actions

  private signerOf(ca: CaSlot): Signer | undefined {
    const planned = this.actionByCa.get(ca.id);
    const name = ca.cert?.subject.text || `CN=${caProfiles[ca.family].commonName}`;
    if (planned) return { kind: 'action', actionId: planned.id, name };
    if (ca.certExists && ca.keyExists && ca.cert) return { kind: 'file', certPath: ca.certPath, keyPath: ca.keyPath, name };
    return undefined;
  }

  private signerProblem(ca: CaSlot): string {
    if (!ca.certExists && !ca.keyExists) return `its CA ${ca.certPath} is missing and is not created (see above)`;
    if (!ca.keyExists) {
      // Named by a flag, its loss is said on its own (lostCaKey); unnamed, it may just be kept elsewhere (a worker node).
      if (ca.keyRefs.length) return `the CA's private key ${ca.keyPath} is missing (see "${this.lostCaKeyTitle(ca)}")`;
      return `the CA's private key ${ca.keyPath} is not there (a CA key is never regenerated): restore it (from a backup, or from another control-plane node), or generate this where the key is kept`;
    }
    return `the CA certificate ${ca.certPath} is unusable`;
  }

  /** What this workspace holds that the CA signed: certificate files, or kubeconfigs embedding one. */
  private signedBy(ca: CaSlot): string[] {
    const out = new Set<string>();
    for (const l of this.leaves.values()) {
      if (!l.cert || !ca.cert || !chainsTo(l.cert, [ca.cert])) continue;
      out.add(l.inline ? `${path.basename(l.inline.file)} (user ${l.user?.name ?? '?'})` : path.basename(l.certPath!));
    }
    return [...out];
  }

  /** How a CA is replaced: everything it signed is re-issued, everything that trusts it is told. */
  private rotationAdvice(ca: CaSlot): string {
    const signed = this.signedBy(ca);
    const list = signed.length ? ` (here: ${signed.slice(0, 8).join(', ')}${signed.length > 8 ? ` and ${signed.length - 8} more` : ''})` : '';
    return (
      `rotating a CA means re-issuing everything it signed${list} and giving the new CA certificate to everything that trusts it ` +
      `(the CA flags naming ${path.basename(ca.certPath)}, kubeconfigs' certificate-authority-data, kubelets' clientCAFile), which kube-pki does not do on its own. ` +
      `With kube-pki: move ${path.basename(ca.certPath)}${ca.keyExists ? ` and ${path.basename(ca.keyPath)}` : ''} aside together with the certificates and keys it signed ` +
      `(and the kubeconfigs embedding them), then run kube-pki generate (a new CA, and everything the configs reference issued by it), ` +
      `then kube-pki generate --fix (for kubeconfigs still embedding the old CA); make the kubeconfigs nothing references (admin.conf) with kube-pki kubeconfig. ` +
      `On a running cluster, follow https://kubernetes.io/docs/tasks/tls/manual-rotation-of-ca-certificates/ (trust the old and the new CA while switching).`
    );
  }

  /** A CA certificate whose key is gone: said once, with what to do. */
  private lostCaKeyTitle(ca: CaSlot): string {
    return `${caProfiles[ca.family].title}'s private key (${path.basename(ca.keyPath)})`;
  }

  private lostCaKey(ca: CaSlot): void {
    const key = path.basename(ca.keyPath);
    this.skip({
      title: this.lostCaKeyTitle(ca),
      paths: [ca.keyPath],
      reason:
        `${key} is missing while its certificate ${path.basename(ca.certPath)} remains: a CA key is never regenerated (a new key under the same name verifies nothing it signed). ` +
        `Restore it from a backup, or copy it from another control-plane node (kubeadm keeps the same CAs on each, under /etc/kubernetes/pki). ` +
        `If it is lost for good, the CA must be replaced: ${this.rotationAdvice(ca)}`,
    });
  }

  /** Certificates in the workspace whose issuer is this CA's name but which it cannot have signed. */
  private orphansOf(ca: CaSlot): Certificate[] {
    const name = `CN=${caProfiles[ca.family].commonName}`;
    const out: Certificate[] = [];
    for (const l of this.leaves.values()) if (l.cert && l.signer === ca && l.cert.issuer.text === name) out.push(l.cert);
    return out;
  }

  planCAs(): void {
    for (const ca of this.cas.values()) {
      const profile = caProfiles[ca.family];
      if (ca.certExists) {
        // Its key named by a flag (--cluster-signing-key-file) and gone: nothing can make it again.
        if (!ca.keyExists && this.opts.missing && ca.keyRefs.some((r) => !this.target(r).exists)) this.lostCaKey(ca);
        continue;
      }
      const dependants = [...this.leaves.values()].filter((l) => l.signer === ca);
      if (!ca.keyExists) {
        // Both missing: a fresh CA, unless existing certificates name it as their issuer.
        const orphans = this.orphansOf(ca).filter((c) => dependants.some((d) => d.cert === c && d.certExists));
        if (orphans.length) {
          this.skip({
            title: `${profile.title} (${path.basename(ca.certPath)})`,
            paths: [ca.certPath, ca.keyPath],
            reason: `${ca.certPath} and its key are missing, but ${orphans.length} existing certificate(s) were issued by ${orphans[0].issuer.text}: a new CA under that name would not verify them. Restore the CA from a backup (or re-issue everything under a new CA).`,
          });
          continue;
        }
        if (!this.opts.missing) continue;
        const action: PlanAction = {
          id: `ca:${ca.certPath}`,
          kind: 'ca',
          family: ca.family,
          title: `${profile.title} (${path.basename(ca.certPath)})`,
          reason: 'missing',
          effect: 'create',
          fixes: this.notFoundFindings(ca.refs),
          spec: { commonName: profile.commonName, organizations: [], isCA: true, keyUsage: CA_KEY_USAGE, extKeyUsage: [], dnsNames: [profile.commonName], ipAddresses: [], validityDays: this.caDays },
          key: { kind: 'new', type: this.keyType },
          signer: { kind: 'self' },
          outputs: [
            { kind: 'cert', path: ca.certPath, replace: false },
            { kind: 'key', path: ca.keyPath, replace: false },
          ],
        };
        this.actions.push(action);
        this.actionByCa.set(ca.id, action);
        continue;
      }
      // The key is there, the certificate is not: re-make the certificate from the key, under the
      // name existing certificates give as their issuer.
      if (!this.opts.missing) continue;
      const issuedBy = [...this.leaves.values()].find((l) => l.cert && l.signer === ca && ca.keySpki && l.cert.authorityKeyId !== undefined);
      const subjectName = issuedBy?.cert ? certInternals(issuedBy.cert).rawIssuer : undefined;
      const action: PlanAction = {
        id: `ca:${ca.certPath}`,
        kind: 'ca',
        family: ca.family,
        title: `${profile.title} (${path.basename(ca.certPath)})`,
        reason: `missing (re-made from its existing key ${path.basename(ca.keyPath)})`,
        effect: 'create',
        fixes: this.notFoundFindings(ca.refs),
        spec: {
          commonName: profile.commonName,
          organizations: [],
          isCA: true,
          keyUsage: CA_KEY_USAGE,
          extKeyUsage: [],
          dnsNames: [profile.commonName],
          ipAddresses: [],
          validityDays: this.caDays,
          ...(subjectName ? { subjectDer: subjectName } : {}),
        },
        key: { kind: 'file', path: ca.keyPath },
        signer: { kind: 'self' },
        outputs: [{ kind: 'cert', path: ca.certPath, replace: false }],
      };
      this.actions.push(action);
      this.actionByCa.set(ca.id, action);
    }
  }

  /** file-not-found findings on these references (what creating them resolves). */
  private notFoundFindings(refs: (Reference | undefined)[]): FixedFinding[] {
    const out: FixedFinding[] = [];
    for (const r of refs) {
      if (!r) continue;
      const parsed = this.engine.parsed(r.file);
      if (parsed) out.push({ file: r.file, range: parsed.lines.range(r.span.start, r.span.end), code: 'file-not-found' });
    }
    return out;
  }

  /** The files a skipped certificate concerns: its own, and its key when that is missing too. */
  private slotPaths(slot: LeafSlot): string[] {
    const cert = slot.certPath ?? slot.certRef.file;
    const keyMissing = !!slot.keyPath && slot.keyPath !== slot.certPath && this.fs.stat(slot.keyPath).kind === 'missing';
    return keyMissing ? [cert, slot.keyPath!] : [cert];
  }

  planMissingLeaves(): void {
    for (const slot of this.leaves.values()) {
      if (slot.inline) continue;
      const combined = !!slot.keyPath && slot.keyPath === slot.certPath;
      if (slot.certExists && (slot.keyExists || !slot.keyRef)) continue;
      const title = slot.title;
      if (slot.keyRef && !slot.keyPath) {
        // The key's path has no place here: a certificate without its key is no use.
        this.unplaceable(title, slot.keyRef.source.kind === 'path' ? slot.keyRef.source.path : slot.keyField, `its key (${slot.keyField})`);
        continue;
      }
      const keyOnDisk = !!slot.keyPath && this.fs.stat(slot.keyPath).kind !== 'missing';
      if (slot.certExists && !slot.keyExists) {
        // The key is gone: only a new key and a new certificate help, which replaces the certificate.
        this.reissue(slot, [keyOnDisk ? 'its private key is unusable (encrypted, or not a key)' : 'its private key is missing'], keyOnDisk ? [] : this.notFoundFindings([slot.keyRef]), true);
        continue;
      }
      if (!this.opts.missing) continue;
      if (this.fs.stat(slot.certPath!).kind !== 'missing') {
        // Something is there but is no certificate (pem-invalid): replacing it needs permission.
        this.reissue(slot, ['it holds no usable certificate'], [], true);
        continue;
      }
      if (!slot.keyRef) {
        this.skip({ title, paths: [slot.certPath!], reason: `no private key is referenced with it (${slot.keyField} is not set): a certificate is no use without its key; set ${slot.keyField}, then generate again` });
        continue;
      }
      const signer = slot.signer ? this.signerOf(slot.signer) : undefined;
      if (!signer) {
        this.skip({ title, paths: this.slotPaths(slot), reason: `cannot sign it: ${slot.signer ? this.signerProblem(slot.signer) : slot.signerProblem}` });
        continue;
      }
      const spec = this.freshSpec(slot);
      if (!spec) {
        this.skip({ title, paths: this.slotPaths(slot), reason: this.unknownSubject(slot) });
        continue;
      }
      const keyKept = slot.keyExists && !slot.keyWeak && !combined;
      const outputs: PlanOutput[] = [];
      if (combined) outputs.push({ kind: 'cert-and-key', path: slot.certPath!, replace: false });
      else {
        outputs.push({ kind: 'cert', path: slot.certPath!, replace: false });
        if (!keyKept && slot.keyPath) outputs.push({ kind: 'key', path: slot.keyPath, replace: keyOnDisk });
      }
      if (outputs.some((o) => 'replace' in o && o.replace) && !this.allowReplace) {
        this.skip({ title, paths: [slot.keyPath!], reason: `its key is ${slot.keyWeak ? 'weak' : 'unusable (encrypted, or not a key)'} and would be replaced`, needsReplace: true });
        continue;
      }
      const notes = [keyKept ? `issued for the existing key ${path.basename(slot.keyPath!)}` : '', slot.signerWhy ?? ''].filter(Boolean);
      this.actions.push({
        id: slot.id,
        kind: 'cert',
        role: slot.role,
        title,
        reason: ['missing', ...notes].join('; '),
        effect: outputs.some((o) => 'replace' in o && o.replace) ? 'replace' : 'create',
        fixes: this.notFoundFindings([slot.certRef, slot.keyExists ? undefined : slot.keyRef]),
        spec,
        key: keyKept ? { kind: 'file', path: slot.keyPath! } : { kind: 'new', type: this.keyType },
        signer,
        outputs,
      });
    }
  }

  planMissingKubeconfigs(): void {
    if (!this.opts.missing) return;
    for (const k of this.kubeconfigs.values()) {
      const api = this.nearestComponents('kube-apiserver', k.component.file)[0];
      const title = `${path.basename(k.path)} (${leafProfiles[k.role].title})`;
      if (!api) {
        this.skip({ title, paths: [k.path], reason: 'no kube-apiserver manifest near it tells which server and CA to use' });
        continue;
      }
      const ca = this.caOf(api, 'client-ca-file');
      const signer = ca ? this.signerOf(ca) : undefined;
      if (!ca || !signer) {
        this.skip({ title, paths: [k.path], reason: `cannot sign its client certificate: ${ca ? this.signerProblem(ca) : "the apiserver has no --client-ca-file"}` });
        continue;
      }
      const adv = flag(api, 'advertise-address')?.value.trim();
      const port = flag(api, 'secure-port')?.value.trim() || '6443';
      const host = adv && adv !== '0.0.0.0' && adv !== '::' ? adv : '127.0.0.1';
      const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
      const cn = roleCommonName(k.role, undefined)!;
      this.actions.push({
        id: k.id,
        kind: 'kubeconfig',
        role: k.role,
        title,
        reason: 'missing',
        effect: 'create',
        fixes: this.notFoundFindings(k.component.refs.filter((r) => r.expect === 'kubeconfig' && this.target(r).path === k.path)),
        spec: this.specFor(k.role, cn, leafProfiles[k.role].organizations, { dns: [], ips: [] }),
        key: { kind: 'new', type: this.keyType },
        signer,
        outputs: [{ kind: 'kubeconfig', path: k.path, replace: false, server, clusterName: 'kubernetes', userName: cn, ca: signer }],
      });
    }
  }

  planServiceAccounts(): void {
    for (const sa of this.sas.values()) {
      if (!sa.privPath) {
        // Only --service-account-key-file: the public half of a key nothing here names.
        const missing = sa.pubPaths.filter((p) => !p.exists).map((p) => p.path);
        if (missing.length && this.opts.missing) {
          this.skip({
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
        if (this.fs.stat(sa.privPath).kind !== 'missing') {
          // There, but no usable key (pem-invalid, encrypted): replacing it would void every token it signed.
          if (this.opts.missing && missingPubs.length) {
            this.skip({ title, paths: [sa.privPath, ...missingPubs.map((p) => p.path)], reason: `${path.basename(sa.privPath)} holds no usable private key (encrypted, or not a key), so its public half cannot be made: repair it or restore it from a backup (a new pair voids every service account token already issued)` });
          }
          continue;
        }
        const existingPubs = sa.pubPaths.filter((p) => p.exists);
        if (existingPubs.length && !this.allowReplace) {
          this.skip({ title, paths: [sa.privPath, ...existingPubs.map((p) => p.path)], reason: `${path.basename(sa.privPath)} is missing but ${existingPubs.map((p) => path.basename(p.path)).join(', ')} exists: a new key pair replaces it (tokens already issued stop working)`, needsReplace: true });
          continue;
        }
        if (!this.opts.missing && !this.allowReplace) continue;
        this.actions.push({
          id: sa.id,
          kind: 'service-account-key',
          title,
          reason: 'missing',
          effect: existingPubs.length ? 'replace' : 'create',
          fixes: this.notFoundFindings(sa.refs),
          key: { kind: 'new', type: this.keyType },
          outputs: [{ kind: 'key', path: sa.privPath, replace: false }, ...sa.pubPaths.map((p) => ({ kind: 'public-key' as const, path: p.path, replace: p.exists }))],
        });
      } else if (missingPubs.length && this.opts.missing) {
        this.actions.push({
          id: sa.id,
          kind: 'service-account-key',
          title: `service account public key (${missingPubs.map((p) => path.basename(p.path)).join(', ')})`,
          reason: `missing (the public half of ${path.basename(sa.privPath)})`,
          effect: 'create',
          fixes: this.notFoundFindings(missingPubs.map((p) => p.ref)),
          key: { kind: 'file', path: sa.privPath },
          outputs: missingPubs.map((p) => ({ kind: 'public-key' as const, path: p.path, replace: false })),
        });
      }
    }
  }

  /**
   * The last word on what is missing: every path a recognised file references, that is not there,
   * and that no action makes and no skipped item explains, is skipped with why. Nothing missing is
   * passed over in silence.
   */
  reportUnplanned(): void {
    if (!this.opts.missing) return;
    const covered = new Set<string>();
    for (const a of this.actions) for (const o of a.outputs) if ('path' in o) covered.add(o.path);
    for (const s of this.skipped) for (const p of s.paths) covered.add(p);
    const units = [...this.engine.units('component'), ...this.engine.units('kubelet-config'), ...this.engine.units('kubeconfig')];
    for (const unit of units) {
      for (const ref of unitReferences(unit)) {
        if (ref.source.kind !== 'path') continue;
        const t = this.target(ref);
        if (t.exists) continue;
        const title = `${ref.field} of ${path.basename(ref.file)}`;
        if (!t.path) {
          if (!covered.has(ref.source.path)) this.unplaceable(title, ref.source.path);
          covered.add(ref.source.path);
          continue;
        }
        if (covered.has(t.path)) continue;
        covered.add(t.path);
        this.skip({ title, paths: [t.path], reason: unplannedReason(ref) });
      }
    }
  }

  // ---------------------------------------------------------------- specs

  private specFor(role: LeafRole, cn: string, organizations: string[], names: { dns: string[]; ips: string[] }, eku?: ExtKeyUsageName[]): CertSpec {
    const n = normaliseNames(names.dns, names.ips);
    return {
      commonName: cn,
      organizations,
      isCA: false,
      keyUsage: LEAF_KEY_USAGE,
      extKeyUsage: eku ?? leafProfiles[role].extKeyUsage,
      dnsNames: n.dnsNames,
      ipAddresses: n.ipAddresses,
      validityDays: this.days,
    };
  }

  /** A missing certificate: everything from the role. */
  private freshSpec(slot: LeafSlot): CertSpec | undefined {
    const cn = slot.allowedCNs?.includes(leafProfiles[slot.role].commonName ?? '') ? leafProfiles[slot.role].commonName : slot.allowedCNs?.[0] ?? slot.expectedCN;
    if (!cn) return undefined;
    return this.specFor(slot.role, cn, leafProfiles[slot.role].organizations, slot.needs);
  }

  /** Why the subject of a certificate cannot be told, and what to do instead. */
  private unknownSubject(slot: LeafSlot): string {
    if (slot.role === 'user') {
      const who = slot.user ? `user "${slot.user.name}" of ${path.basename(slot.unit.file)}` : 'its user';
      return (
        `its role cannot be told (${who} is not the admin, a control-plane component or a kubelet), so neither its CN (the user name the apiserver sees) nor its O (the user's groups): ` +
        `make it with ${this.newClientCommand(slot)}, one --group per group (none for a user in no group)`
      );
    }
    return 'the node name it is issued for cannot be told from the workspace (no etcd --name, no kubelet.conf user system:node:NAME near it): pass it (kube-pki generate --node-name NAME)';
  }

  /** kube-pki new-client with what the workspace says about this certificate. */
  private newClientCommand(slot: LeafSlot): string {
    const cn = slot.cert?.subject.commonName ?? (slot.role === 'user' ? slot.user?.name : slot.expectedCN) ?? 'NAME';
    const groups = slot.cert?.subject.organizations ?? leafProfiles[slot.role].organizations;
    const words = ['kube-pki new-client', `--cn ${shellWord(cn)}`, ...(groups.length ? groups.map((g) => `--group ${shellWord(g)}`) : slot.role === 'user' ? ['--group GROUP'] : [])];
    words.push(`--ca ${slot.signer ? shellWord(slot.signer.certPath) : 'CA.crt'}`);
    if (slot.signer && slot.signer.keyPath !== siblingKey(this.fs, slot.signer.certPath)) words.push(`--ca-key ${shellWord(slot.signer.keyPath)}`);
    if (slot.certPath) {
      words.push(`--out ${shellWord(slot.certPath)}`);
      if (slot.keyPath && slot.keyPath !== slot.certPath) words.push(`--key ${shellWord(slot.keyPath)}`);
    } else if (slot.user && slot.unit.kind === 'kubeconfig') {
      words.push(`--out ${shellWord(slot.user.name.replace(/[^\w.-]+/g, '_'))}.crt`);
    }
    return words.join(' ');
  }

  /** An existing certificate corrected: what was right is kept, what the role needs is added or fixed. */
  private correctedSpec(slot: LeafSlot, cert: Certificate, changes: string[]): CertSpec {
    const oldCN = cert.subject.commonName ?? '';
    let cn = oldCN;
    if (slot.allowedCNs && !slot.allowedCNs.includes(cn)) cn = slot.allowedCNs[0];
    else if (slot.role === 'kubelet') {
      if (slot.expectedCN && cn !== slot.expectedCN) cn = slot.expectedCN;
    } else if (slot.expectedCN && !FREE_CN.has(slot.role) && cn !== slot.expectedCN) cn = slot.expectedCN;
    else if ((slot.role === 'admin' || slot.role === 'super-admin') && cn === '') cn = slot.expectedCN ?? cn;
    else if (nearMiss(cn)) cn = nearMiss(cn)!;
    if (cn !== oldCN) changes.push(`CN ${oldCN || '(none)'} → ${cn}`);

    let orgs = cert.subject.organizations.map((o) => nearMiss(o) ?? o);
    const accepted = acceptedGroups[slot.role];
    if (accepted && !orgs.some((o) => accepted.includes(o))) orgs = [accepted[0]];
    orgs = [...new Set(orgs)];
    if (orgs.join(',') !== cert.subject.organizations.join(',')) changes.push(`O ${cert.subject.organizations.join('+') || '(none)'} → ${orgs.join('+') || '(none)'}`);

    const had = (cert.extKeyUsage ?? []).filter((u): u is ExtKeyUsageName => u === 'serverAuth' || u === 'clientAuth');
    const eku = [...new Set([...had, ...leafProfiles[slot.role].extKeyUsage])];
    const addedEku = eku.filter((u) => !had.includes(u));
    if (cert.extKeyUsage && addedEku.length) changes.push(`adds extended key usage ${addedEku.join(', ')}`);

    const dns = [...cert.dnsNames];
    const ips = [...cert.ipAddresses];
    const added: string[] = [];
    for (const d of slot.needs.dns) if (!dns.some((x) => x.toLowerCase() === d.toLowerCase())) (dns.push(d), added.push(d));
    for (const i of slot.needs.ips) if (!ips.includes(i)) (ips.push(i), added.push(i));
    if (added.length) changes.push(`adds SAN ${added.join(', ')}`);
    return this.specFor(slot.role, cn, orgs, { dns, ips }, eku);
  }

  // ---------------------------------------------------------------- re-issue

  /**
   * Plans a new certificate for an existing slot. `why`: what the findings say; `newKey`: the key
   * must change (missing, weak). Needs permission to replace; otherwise lands in `skipped`.
   */
  reissue(slot: LeafSlot, why: string[], fixes: FixedFinding[], newKey = false): void {
    const existing = this.actions.find((a) => a.id === slot.id);
    if (existing) {
      existing.fixes.push(...fixes.filter((f) => !existing.fixes.some((e) => sameFinding(e, f))));
      return;
    }
    const title = slot.title;
    const paths = this.slotPaths(slot);
    if (!this.allowReplace) {
      this.skip({ title, paths, reason: `${why.join('; ')}: re-issuing it replaces ${slot.inline ? 'data in ' + path.basename(slot.certRef.file) : path.basename(slot.certPath!)}`, needsReplace: true });
      return;
    }
    const ca = slot.signer;
    const signer = ca ? this.signerOf(ca) : undefined;
    if (!signer) {
      this.skip({ title, paths, reason: `${why.join('; ')}, but it cannot be re-issued: ${ca ? this.signerProblem(ca) : slot.signerProblem}` });
      return;
    }
    const changes: string[] = [];
    const spec = slot.cert ? this.correctedSpec(slot, slot.cert, changes) : this.freshSpec(slot);
    if (!spec) {
      this.skip({ title, paths, reason: `${why.join('; ')}, but ${this.unknownSubject(slot)}` });
      return;
    }
    if (!slot.keyRef) {
      this.skip({ title, paths, reason: `${why.join('; ')}, but no private key is referenced with it (${slot.keyField} is not set): a certificate is no use without its key; set ${slot.keyField}` });
      return;
    }
    const combined = !!slot.keyPath && slot.keyPath === slot.certPath;
    const replaceKey = newKey || slot.keyWeak || !slot.keyExists || !!this.opts.newKeys;
    if (replaceKey && slot.keyRef.source.kind === 'path' && !slot.keyPath) {
      this.unplaceable(title, slot.keyRef.source.path, `its key (${slot.keyField})`);
      return;
    }
    let key: KeySource;
    if (replaceKey) key = { kind: 'new', type: this.keyType };
    else if (slot.keyRef.source.kind === 'inline') key = { kind: 'inline', file: slot.keyRef.file, span: slot.keyRef.span };
    else key = { kind: 'file', path: slot.keyPath! };
    const outputs: PlanOutput[] = [];
    if (slot.inline) {
      if (replaceKey && !slot.inline.keySpan) {
        this.skip({ title, paths, reason: `${why.join('; ')}: it needs a new key, but the key is not inline next to the certificate (client-key is a path): re-issue it with ${this.newClientCommand(slot)}` });
        return;
      }
      outputs.push({ kind: 'inline', file: slot.inline.file, certSpan: slot.inline.certSpan, ...(replaceKey ? { keySpan: slot.inline.keySpan } : {}) });
    } else if (combined) {
      outputs.push({ kind: 'cert-and-key', path: slot.certPath!, replace: this.fs.stat(slot.certPath!).kind !== 'missing' });
      // Combined file: the key is copied over as it is unless it is replaced.
    } else {
      outputs.push({ kind: 'cert', path: slot.certPath!, replace: this.fs.stat(slot.certPath!).kind !== 'missing' });
      if (replaceKey && slot.keyPath) outputs.push({ kind: 'key', path: slot.keyPath, replace: this.fs.stat(slot.keyPath).kind !== 'missing' });
    }
    // The specific change says more than the finding's name: "adds SAN x" over "missing SANs".
    const covered: Record<string, RegExp> = { 'missing SANs': /^adds SAN /, 'wrong CN': /^CN /, 'wrong O (groups)': /^O /, 'missing extended key usage': /^adds extended key usage / };
    const reasons = [...why.filter((w) => !(covered[w] && changes.some((c) => covered[w].test(c)))), ...changes.filter((c) => !why.includes(c))];
    if (replaceKey && !why.some((w) => /key/.test(w))) reasons.push('new key');
    this.actions.push({
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
  renewCA(ca: CaSlot, why: string[], fixes: FixedFinding[]): void {
    const title = `${caProfiles[ca.family].title} (${path.basename(ca.certPath)})`;
    const existing = this.actions.find((a) => a.id === ca.id);
    if (existing) {
      existing.fixes.push(...fixes);
      return;
    }
    if (!this.allowReplace) {
      this.skip({ title, paths: [ca.certPath], reason: `${why.join('; ')}: renewing it replaces ${path.basename(ca.certPath)}`, needsReplace: true });
      return;
    }
    if (!ca.cert || !ca.keyExists || !ca.keySpki || !sameKey(ca.keySpki, ca.cert.publicKey.spkiDer)) {
      this.skip({ title, paths: [ca.certPath], reason: `${why.join('; ')}, but it cannot be renewed: its private key ${ca.keyPath} is ${ca.keyExists ? 'not the certificate\'s' : 'not there'}` });
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
        validityDays: this.caDays,
        subjectDer: certInternals(cert).rawSubject,
      },
      key: { kind: 'file', path: ca.keyPath },
      signer: { kind: 'self' },
      outputs: [{ kind: 'cert', path: ca.certPath, replace: true }],
    };
    this.actions.push(action);
    this.actionByCa.set(ca.id, action);
    this.updateInlineCopies(ca, action);
  }

  /** Kubeconfigs that embed a CA being renewed get the renewed certificate (certificate-authority-data). */
  private updateInlineCopies(ca: CaSlot, action: PlanAction): void {
    for (const kc of this.engine.units('kubeconfig')) {
      for (const cluster of kc.clusters) {
        const ref = cluster.ca;
        if (!ref || ref.source.kind !== 'inline') continue;
        const cert = this.material(ref)?.certs[0];
        if (!cert || cert.sha256 !== ca.cert?.sha256) continue;
        const range = this.engine.parsed(kc.file)?.lines.range(ref.span.start, ref.span.end);
        const fixes = this.findings.filter((f) => f.file === kc.file && range && f.range.start.line === range.start.line && f.range.start.character === range.start.character && /^cert-(expired|expiring|not-yet-valid)$/.test(f.code));
        this.actions.push({
          id: `kubeconfig-ca:${kc.file}:${ref.span.start}`,
          kind: 'kubeconfig-ca',
          title: `certificate-authority-data of cluster "${cluster.name}" in ${path.basename(kc.file)}`,
          reason: `the embedded copy of ${action.title}, renewed with it`,
          effect: 'replace',
          fixes: fixes.map((f) => ({ file: f.file, range: f.range, code: f.code })),
          outputs: [{ kind: 'inline-ca', file: kc.file, span: ref.span, ca: { kind: 'action', actionId: action.id, name: cert.subject.text } }],
        });
      }
    }
  }

  private saFix(sa: SaSlot, why: string, fixes: FixedFinding[], newPair: boolean): void {
    if (!sa.privPath) return;
    const title = `service account keys (${path.basename(sa.privPath)})`;
    if (!this.allowReplace) {
      this.skip({ title, paths: [sa.privPath, ...sa.pubPaths.map((p) => p.path)], reason: `${why}: fixing it replaces files`, needsReplace: true });
      return;
    }
    const existing = this.actions.find((a) => a.id === sa.id);
    if (existing) {
      existing.fixes.push(...fixes.filter((f) => !existing.fixes.some((e) => sameFinding(e, f))));
      return;
    }
    if (newPair) {
      this.actions.push({
        id: sa.id,
        kind: 'service-account-key',
        title,
        reason: `${why}; new key pair (tokens already issued stop working)`,
        effect: 'replace',
        fixes,
        key: { kind: 'new', type: this.keyType },
        outputs: [{ kind: 'key', path: sa.privPath, replace: true }, ...sa.pubPaths.map((p) => ({ kind: 'public-key' as const, path: p.path, replace: p.exists }))],
      });
    } else if (sa.privExists && sa.pubPaths.length) {
      this.actions.push({
        id: sa.id,
        kind: 'service-account-key',
        title: `service account public key (${sa.pubPaths.map((p) => path.basename(p.path)).join(', ')})`,
        reason: `${why}; rewritten from ${path.basename(sa.privPath)}`,
        effect: 'replace',
        fixes,
        key: { kind: 'file', path: sa.privPath },
        outputs: sa.pubPaths.map((p) => ({ kind: 'public-key' as const, path: p.path, replace: p.exists })),
      });
    }
  }

  // ---------------------------------------------------------------- findings

  planFixes(findings: Finding[]): void {
    const only = this.opts.only;
    const wanted = (f: Finding) => FIXABLE.has(f.code) && (!only || only.some((o) => sameFinding(o, f)));
    type At = { leaf?: LeafSlot; ca?: CaSlot; sa?: SaSlot; keyOf?: LeafSlot; caKeyOf?: CaSlot };
    const byRef = new Map<string, At>();
    const key = (file: string, r: Range) => `${file}|${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
    const rangeOf = (ref: Reference) => this.engine.parsed(ref.file)?.lines.range(ref.span.start, ref.span.end);
    const put = (ref: Reference | undefined, v: At) => {
      if (!ref) return;
      const r = rangeOf(ref);
      if (r) byRef.set(key(ref.file, r), { ...byRef.get(key(ref.file, r)), ...v });
    };
    for (const l of this.leaves.values()) {
      put(l.certRef, { leaf: l });
      put(l.keyRef, { keyOf: l });
    }
    for (const c of this.cas.values()) {
      for (const r of c.refs) put(r, { ca: c });
      for (const r of c.keyRefs) put(r, { caKeyOf: c });
    }
    for (const s of this.sas.values()) for (const r of s.refs) put(r, { sa: s });

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
              if (rel?.leaf) (addLeaf(rel.leaf, 'missing SANs', f), (handled = true));
            }
          }
          break;
        }
        case 'cn-mismatch':
        case 'org-mismatch':
        case 'eku-missing':
        case 'weak-signature': {
          const why = { 'cn-mismatch': 'wrong CN', 'org-mismatch': 'wrong O (groups)', 'eku-missing': 'missing extended key usage', 'weak-signature': 'SHA-1/MD5 signature' }[f.code];
          if (at?.leaf) addLeaf(at.leaf, why, f);
          else handled = false;
          break;
        }
        case 'cert-expired':
        case 'cert-expiring':
        case 'cert-not-yet-valid': {
          const why = f.code === 'cert-expired' ? 'expired' : f.code === 'cert-expiring' ? 'expires soon' : 'not yet valid';
          const ca = at?.ca ?? (at?.leaf ? undefined : this.inlineCaSlotAt(f));
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
          const ca = at?.ca ?? at?.caKeyOf ?? (at?.leaf || at?.keyOf || at?.sa ? undefined : this.inlineCaSlotAt(f));
          if (at?.leaf) addLeaf(at.leaf, 'weak key', f, true);
          else if (at?.keyOf) addLeaf(at.keyOf, 'weak key', f, true);
          else if (at?.sa) this.saFix(at.sa, 'weak key', [fixed], true);
          else if (ca) {
            this.skip({
              title: `${caProfiles[ca.family].title} (${path.basename(ca.certPath)})`,
              paths: [ca.certPath, ca.keyPath],
              reason: `its key is weak, and a CA's key cannot be replaced in place: a new key makes a new CA, which verifies nothing the old one signed; ${this.rotationAdvice(ca)}`,
            });
          } else handled = false;
          break;
        }
        case 'untrusted-issuer':
          if (at?.leaf) addLeaf(at.leaf, `not signed by the CA that verifies it (${at.leaf.signer?.cert?.subject.text ?? at.leaf.signer?.certPath ?? 'unknown'})`, f);
          else if (at?.ca) handled = this.untrustedOnCa(f, at.ca);
          else handled = this.untrustedInlineCa(f);
          break;
        case 'key-mismatch':
          if (at?.keyOf) addLeaf(at.keyOf, `the certificate is not the key's: re-issued for the key on disk`, f);
          else if (at?.sa) this.saFix(at.sa, 'the public key is not the signing key\'s', [fixed], false);
          else if (at?.caKeyOf) {
            const ca = at.caKeyOf;
            this.skip({
              title: `${caProfiles[ca.family].title} (${path.basename(ca.certPath)})`,
              paths: [ca.certPath, ca.keyPath],
              reason:
                `${path.basename(ca.keyPath)} is not the key of ${path.basename(ca.certPath)}, and a CA is never re-issued for another key (nothing it signed would verify): ` +
                `point the flag at the CA's own key, or restore it from a backup; if it is lost for good, ${this.rotationAdvice(ca)}`,
            });
          } else handled = false;
          break;
      }
      if (!handled) unhandled.push(f);
    }
    for (const [l, e] of leafWhy) this.reissue(l, e.why, e.fixes, e.newKey);
    for (const [c, e] of caWhy) this.renewCA(c, e.why, e.fixes);
    for (const f of unhandled) this.unfixable(f);
  }

  /**
   * A finding nothing above took up. When an action rewrites the reference it is on (a stale
   * certificate-authority-data replaced), that action resolves it too; otherwise it is said why not.
   */
  private unfixable(f: Finding): void {
    const fixed: FixedFinding = { file: f.file, range: f.range, code: f.code };
    const same = (x: FixedFinding) => x.file === f.file && x.range.start.line === f.range.start.line && x.range.start.character === f.range.start.character;
    const rewriting = this.actions.find((a) => a.fixes.some(same));
    if (rewriting) {
      rewriting.fixes.push(fixed);
      return;
    }
    const onKubeconfigCA = this.engine.units('kubeconfig').some((kc) => kc.file === f.file && kc.clusters.some((c) => c.ca && same({ file: kc.file, code: f.code, range: this.engine.parsed(kc.file)!.lines.range(c.ca.span.start, c.ca.span.end) })));
    this.skip({
      title: `${f.code} in ${path.basename(f.file)}:${f.range.start.line + 1}`,
      paths: [f.file],
      reason: onKubeconfigCA
        ? "the CA this kubeconfig names is not one this workspace holds with its key, so kube-pki cannot renew or re-issue it: renew it where it is kept, or point certificate-authority(-data) at the CA that issued the apiserver's certificate"
        : 'kube-pki finds no certificate of this workspace that it is about, so there is nothing to re-issue',
    });
  }

  /** The CA slot whose certificate a kubeconfig embeds at this finding's place. */
  private inlineCaSlotAt(f: Finding): CaSlot | undefined {
    for (const kc of this.engine.units('kubeconfig')) {
      if (kc.file !== f.file) continue;
      for (const cluster of kc.clusters) {
        const ref = cluster.ca;
        if (!ref || ref.source.kind !== 'inline') continue;
        const r = this.engine.parsed(kc.file)?.lines.range(ref.span.start, ref.span.end);
        if (r && r.start.line === f.range.start.line && r.start.character === f.range.start.character) return this.caSlotByCert(ref);
      }
    }
    return undefined;
  }

  /**
   * untrusted-issuer reported on a CA reference: the certificate presented to it (the related
   * location) is re-issued by that CA when its key is at hand.
   */
  private untrustedOnCa(f: Finding, ca: CaSlot): boolean {
    const fixed: FixedFinding = { file: f.file, range: f.range, code: f.code };
    let handled = false;
    for (const r of f.related ?? []) {
      const leaf = [...this.leaves.values()].find((l) => {
        const range = this.engine.parsed(l.certRef.file)?.lines.range(l.certRef.span.start, l.certRef.span.end);
        return l.certRef.file === r.file && range && range.start.line === r.range.start.line && range.start.character === r.range.start.character;
      });
      if (!leaf) continue;
      if (leaf.role === 'apiserver') {
        // A kubeconfig's CA that does not verify the apiserver: the kubeconfig is stale, not the apiserver.
        return this.untrustedInlineCa(f);
      }
      const saved = leaf.signer;
      leaf.signer = ca;
      this.reissue(leaf, [`not signed by ${ca.cert?.subject.text ?? ca.certPath}, which verifies it`], [fixed]);
      leaf.signer = saved;
      handled = true;
    }
    return handled;
  }

  /** A kubeconfig's certificate-authority(-data) that does not verify its apiserver: point it at the apiserver's CA. */
  private untrustedInlineCa(f: Finding): boolean {
    for (const kc of this.engine.units('kubeconfig')) {
      if (kc.file !== f.file) continue;
      for (const cluster of kc.clusters) {
        const ref = cluster.ca;
        if (!ref) continue;
        const r = this.engine.parsed(kc.file)?.lines.range(ref.span.start, ref.span.end);
        if (!r || r.start.line !== f.range.start.line || r.start.character !== f.range.start.character) continue;
        const title = `certificate-authority of cluster "${cluster.name}" in ${path.basename(kc.file)}`;
        const targets = apiserversOf(this.ctx, cluster).targets.filter((t) => t.cert);
        const ca = [...this.cas.values()].find((c) => c.cert && targets.length && targets.every((t) => chainsTo(t.cert!, [c.cert!])));
        if (!ca) {
          this.skip({ title, paths: [kc.file], reason: 'no CA in the workspace verifies the apiserver it talks to' });
          return true;
        }
        if (ref.source.kind !== 'inline') {
          this.skip({ title, paths: [kc.file], reason: `it names ${ref.source.path}; point it at ${ca.certPath} (the CA that issued the apiserver's certificate)` });
          return true;
        }
        if (!this.allowReplace) {
          this.skip({ title, paths: [kc.file], reason: 'a stale CA: replacing it edits the kubeconfig', needsReplace: true });
          return true;
        }
        this.actions.push({
          id: `kubeconfig-ca:${kc.file}:${ref.span.start}`,
          kind: 'kubeconfig-ca',
          title,
          reason: `stale CA: replaced by ${ca.cert!.subject.text} from ${path.basename(ca.certPath)}, which issued the apiserver's certificate`,
          effect: 'replace',
          fixes: [{ file: f.file, range: f.range, code: f.code }],
          outputs: [{ kind: 'inline-ca', file: kc.file, span: ref.span, ca: { kind: 'file', certPath: ca.certPath, keyPath: ca.keyPath, name: ca.cert!.subject.text } }],
        });
        return true;
      }
    }
    return false;
  }

  planRenew(): void {
    for (const slot of this.leaves.values()) {
      if (!slot.cert || !slot.certExists && !slot.inline) continue;
      if (slot.role === 'user' && !slot.signer) {
        this.skip({ title: slot.title, paths: [slot.certPath ?? slot.certRef.file], reason: `not renewed: no CA in the workspace verifies it (a user's certificate from a CA kept elsewhere); renew it there, or with ${this.newClientCommand(slot)} and that CA` });
        continue;
      }
      this.reissue(slot, ['renewed'], []);
    }
  }

  finish(): GenerationPlan {
    // CAs first, then what they sign, so execution and previews read top-down.
    const order = (a: PlanAction) => (a.kind === 'ca' ? 0 : a.kind === 'service-account-key' ? 2 : 1);
    const actions = [...this.actions].sort((a, b) => order(a) - order(b));
    return { actions, skipped: this.skipped };
  }
}

// ------------------------------------------------------------------------------------ helpers


function sameFinding(a: FixedFinding, b: FixedFinding): boolean {
  return (
    a.file === b.file &&
    a.code === b.code &&
    a.range.start.line === b.range.start.line &&
    a.range.start.character === b.range.start.character &&
    a.range.end.line === b.range.end.line &&
    a.range.end.character === b.range.end.character
  );
}

/** Why kube-pki makes nothing for a missing file that this reference names. */
function unplannedReason(ref: Reference): string {
  if (ref.field === '--oidc-ca-file') return "it is the CA of the OIDC identity provider (--oidc-issuer-url): it comes from the provider; kube-pki cannot make it";
  if (/^--cluster-signing-.+-(cert|key)-file$/.test(ref.field)) {
    return "it is the CA of one of the controller-manager's CSR signers, which kube-pki does not make: point the flag at the cluster CA (kubeadm signs every CSR with --cluster-signing-cert-file/--cluster-signing-key-file), or make one with kube-pki new-ca --out PATH";
  }
  if (ref.expect === 'key') return 'no certificate is referenced with this key, and kube-pki makes a key with its certificate: set the certificate flag too, then generate again';
  return 'nothing in the workspace tells what it should hold';
}

/** A word as a POSIX shell reads it back (for commands the messages suggest). */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function isWeak(alg: string, bits: number | undefined): boolean {
  if (bits === undefined) return false;
  return ((alg === 'rsa' || alg === 'rsa-pss') && bits < 2048) || (alg === 'ec' && bits < 256) || alg === 'dsa';
}

/** kubeadm keeps a CA's key beside it: ca.crt -> ca.key (ca.pem -> ca-key.pem when that exists). */
export function siblingKey(fs: FileSystem, certPath: string): string {
  const base = certPath.replace(/\.(crt|cer|pem)$/i, '');
  if (/\.pem$/i.test(certPath) && fs.stat(`${base}-key.pem`).kind === 'file') return `${base}-key.pem`;
  return `${base}.key`;
}

function readKeySpki(fs: FileSystem, file: string): Buffer | undefined {
  const r = fs.readFile(file, 1024 * 1024);
  if (!r.ok) return undefined;
  return materialFromText(r.data.toString('latin1')).privateKeys.find((k) => !k.encrypted && k.spkiDer)?.spkiDer;
}

/**
 * Where a referenced path that does not exist should be created. A relative path is relative to
 * the referencing file; an absolute one goes where the engine would look first: a path mapping,
 * the root folder, else the copy of the node's tree the referencing file sits in (the ancestor
 * folder under which the longest leading part of the path already exists). Undefined when
 * nothing says where it belongs (never a guess at the real /etc of this machine).
 */
export function targetPath(fs: FileSystem, options: { pathMappings?: Record<string, string>; rootDir?: string; searchRoots?: string[] }, refPath: string, baseDir: string): string | undefined {
  if (!refPath.startsWith('/')) return path.resolve(baseDir, refPath);
  const mappings = Object.entries(options.pathMappings ?? {}).sort((a, b) => b[0].length - a[0].length);
  for (const [prefix, target] of mappings) {
    const p = prefix.replace(/\/+$/, '');
    if (refPath === p || refPath.startsWith(p + '/')) return path.join(target, refPath.slice(p.length));
  }
  if (options.rootDir) return path.join(options.rootDir, refPath);
  const dirParts = refPath.split('/').filter(Boolean).slice(0, -1);
  const isDir = (p: string) => fs.stat(p).kind === 'directory';
  const score = (root: string) => {
    for (let k = dirParts.length; k >= 1; k--) if (isDir(path.join(root, ...dirParts.slice(0, k)))) return k;
    return 0;
  };
  const roots = options.searchRoots ?? [];
  const boundary = roots.filter((r) => isUnder(baseDir, r)).sort((a, b) => b.length - a.length)[0];
  let best: { dir: string; score: number } | undefined;
  let dir = baseDir;
  for (let depth = 0; depth < 16; depth++) {
    if (dir !== '/') {
      const s = score(dir);
      if (s > (best?.score ?? 0)) best = { dir, score: s };
    }
    if ((boundary && dir === boundary) || path.dirname(dir) === dir) break;
    dir = path.dirname(dir);
  }
  // The workspace is the node itself (/etc/kubernetes/manifests/... names /etc/kubernetes/pki/...).
  if (dirParts.length && isUnder(baseDir, '/' + dirParts[0])) {
    const s = score('/');
    if (s > (best?.score ?? 0)) best = { dir: '/', score: s };
  }
  return best ? path.join(best.dir, refPath) : undefined;
}

function isUnder(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

// ------------------------------------------------------------------------------------ entry

/**
 * What the workspace lacks (and, with fix/renew/only, what it gets wrong), as a plan. The engine
 * must hold the recognised documents; `fs` is the same view of the disk the engine reads.
 */
export function planGeneration(engine: Engine, fs: FileSystem, options: PlanOptions = {}): GenerationPlan {
  const docs = engine.documents();
  if (docs.length === 0) return { actions: [], skipped: [] };
  const opts: PlanOptions = { missing: options.only ? false : true, ...options };
  const p = new Planner(engine, fs, opts, docs[0]);
  p.gather();
  for (const l of p.leaves.values()) p.resolveSigner(l);
  for (const l of p.leaves.values()) p.resolveNeeds(l);
  p.planCAs();
  p.planMissingLeaves();
  p.planMissingKubeconfigs();
  p.planServiceAccounts();
  p.reportUnplanned();
  p.findings = options.findings ?? docs.flatMap((d) => engine.check(d));
  if (opts.renew) p.planRenew();
  // Without fix/renew this only lists what --fix would re-issue (as skipped, needing permission).
  p.fixPassWithoutPermission = !p.allowReplace;
  p.planFixes(opts.renew && !opts.fix && !opts.only ? p.findings.filter((f) => /^cert-(expired|expiring|not-yet-valid)$/.test(f.code)) : p.findings);
  return p.finish();
}
