// What the parsers extract from a file: the units it holds (kubeconfigs, control-plane components,
// kubelet configs; Secrets and ConfigMaps with PEM, webhooks and APIServices, cert-manager Certificates
// and issuers, and the Services and workloads that relate them), every certificate/key reference with
// its source span, and the settings the checks need. Spans are offsets into the file's text;
// ParsedFile.lines turns them into ranges. Inline references (kubeconfig `*-data`, a Secret's values,
// a caBundle) always carry base64 of the PEM text, whatever the YAML held.
import { LineIndex } from './text';
import { memoByObject } from '../memo';
import type { Range } from '../types';

export interface Span {
  start: number;
  end: number;
}

/** What a reference is expected to hold (the catalog's words). */
export type { Expect } from '../cluster/catalog';
import type { Expect } from '../cluster/catalog';

export type ReferenceSource = { kind: 'path'; path: string; baseDir: string } | { kind: 'inline'; data: string };

export interface Reference {
  file: string;
  span: Span;
  /** The flag or field as the user wrote it: '--tls-cert-file', 'client-certificate-data'. */
  field: string;
  expect: Expect;
  source: ReferenceSource;
}

export interface SpannedValue {
  value: string;
  span: Span;
}

export interface KubeconfigCluster {
  name: string;
  span: Span; // the `name:` value, or the entry
  server?: SpannedValue;
  tlsServerName?: SpannedValue;
  insecure: boolean;
  ca?: Reference;
}

export interface KubeconfigUser {
  name: string;
  span: Span;
  cert?: Reference;
  key?: Reference;
  /** The user also authenticates another way (token, tokenFile, username/password, exec, auth-provider). */
  otherAuth?: boolean;
}

export interface KubeconfigContext {
  name: string;
  cluster?: string;
  user?: string;
}

/** kubectl refuses a kubeconfig that sets a path and its -data twin. */
export interface FieldConflict {
  span: Span;
  field: string;
  twin: string;
  twinSpan: Span;
}

export interface KubeconfigUnit {
  kind: 'kubeconfig';
  file: string;
  clusters: KubeconfigCluster[];
  users: KubeconfigUser[];
  contexts: KubeconfigContext[];
  currentContext?: string;
  conflicts: FieldConflict[];
}

/** The static pod components kube-pki recognises: the catalog's (cluster/catalog.ts). */
export type { Component } from '../cluster/catalog';
import type { Component } from '../cluster/catalog';

export interface Flag {
  name: string; // without dashes: 'tls-cert-file'
  value: string;
  span: Span; // the value's characters
  flagSpan: Span; // the whole `--flag=value` item
}

export interface ComponentUnit {
  kind: 'component';
  file: string;
  component: Component;
  span: Span; // where to report things about the component as a whole (the command's first item)
  flags: Map<string, Flag[]>;
  refs: Reference[];
  /**
   * Some arguments are not known from the file (a variable set outside it, `$KUBE_API_ARGS` from an
   * EnvironmentFile=): a flag not in `flags` may still be set, so no check may assume its default.
   */
  unread?: true;
}

export interface KubeletConfigUnit {
  kind: 'kubelet-config';
  file: string;
  span: Span;
  clientCA?: Reference;
  tlsCert?: Reference;
  tlsKey?: Reference;
  /** serverTLSBootstrap: true (the serving certificate comes from a CSR), where it is written. */
  serverTLSBootstrap?: Span;
}

/**
 * The kubelet as a systemd unit starts it (parse/systemd.ts): the flags that name files (the catalog's
 * kubeletFlags), each a reference; `--config` names its KubeletConfiguration.
 */
export interface KubeletFlagsUnit {
  kind: 'kubelet-flags';
  file: string;
  /** The executable in ExecStart=. */
  span: Span;
  flags: Map<string, Flag[]>;
  refs: Reference[];
  clientCA?: Reference;
  tlsCert?: Reference;
  tlsKey?: Reference;
}

/** A component's config file naming the kubeconfig it loads (parse/componentConfig.ts). */
export interface ComponentConfigUnit {
  kind: 'component-config';
  file: string;
  objectKind: 'KubeSchedulerConfiguration' | 'KubeProxyConfiguration';
  component: 'kube-scheduler' | 'kube-proxy';
  span: Span;
  /** clientConnection.kubeconfig, when an absolute path. */
  kubeconfig?: Reference;
}

/**
 * kubeadm's own configuration (kubeadm.k8s.io/v1beta3, v1beta4): a ClusterConfiguration, InitConfiguration or
 * JoinConfiguration document, with the names kubeadm puts in the certificates it issues and where it keeps them.
 */
export interface KubeadmConfigUnit {
  kind: 'kubeadm-config';
  file: string;
  objectKind: 'ClusterConfiguration' | 'InitConfiguration' | 'JoinConfiguration';
  apiVersion: string;
  /** The `kind:` value. */
  span: Span;
  /** ClusterConfiguration apiServer.certSANs. */
  certSANs: SpannedValue[];
  controlPlaneEndpoint?: SpannedValue;
  /** ClusterConfiguration kubernetesVersion ("v1.31.1", "stable-1.30"). */
  kubernetesVersion?: SpannedValue;
  serviceSubnet?: SpannedValue;
  dnsDomain?: SpannedValue;
  /** Where kubeadm keeps the certificates (default /etc/kubernetes/pki). */
  certificatesDir?: SpannedValue;
  /** apiServer.extraArgs, the last value of each name (kubeadm's own flags are overridden by them). */
  apiServerExtraArgs: Map<string, SpannedValue>;
  /**
   * The extraArgs of each control-plane component kubeadm runs as a static pod (apiServer, controllerManager,
   * scheduler, etcd.local): the last value of each name, as kubeadm puts it on the component's command line.
   */
  extraArgs: Partial<Record<Component, Map<string, SpannedValue>>>;
  etcdServerCertSANs: SpannedValue[];
  etcdPeerCertSANs: SpannedValue[];
  etcdExternal?: { endpoints: SpannedValue[]; ca?: Reference; cert?: Reference; key?: Reference };
  /** InitConfiguration (and a control-plane JoinConfiguration's) localAPIEndpoint.advertiseAddress. */
  advertiseAddress?: SpannedValue;
  /** nodeRegistration.name. */
  nodeName?: SpannedValue;
  /** JoinConfiguration discovery.bootstrapToken.caCertHashes and apiServerEndpoint. */
  caCertHashes: SpannedValue[];
  apiServerEndpoint?: SpannedValue;
  /** JoinConfiguration caCertPath: where the joining node keeps the cluster CA (default /etc/kubernetes/pki/ca.crt). */
  caCertPath?: SpannedValue;
}

/** A Kubernetes object's identity, for relating objects (a webhook's Service, a Certificate's Secret). */
export interface ObjectMeta {
  name: string;
  /** metadata.namespace; undefined when the manifest leaves it out (kubectl applies it to the current namespace). */
  namespace?: string;
  /** Where to report things about the object as a whole: the metadata.name value (or the kind). */
  span: Span;
  /**
   * metadata.name or metadata.namespace is filled in by a template (Helm `{{ }}`, `${VAR}`): the object has no
   * name anyone can use before it is rendered. `name` is then '' and `namespace` undefined; what was written is
   * kept here (a bare `{{ ... }}` value, which YAML reads as a mapping, as ''; `namespace` is undefined when
   * the manifest writes none). Nothing relates to such an
   * object by name (CheckContext.units leaves it out) and its name is never printed.
   */
  templated?: { name: string; namespace?: string };
}

/** One value of a Secret or ConfigMap that holds (or, for a kubernetes.io/tls Secret, must hold) PEM. */
export interface DataEntry {
  key: string;
  /** 'data' (base64), 'stringData' (text), ConfigMap 'data' (text) or 'binaryData' (base64). */
  section: 'data' | 'stringData' | 'binaryData';
  /** Inline base64 of the PEM text (text values are encoded so every consumer reads one form). */
  ref: Reference;
}

/**
 * A Secret (any type) or ConfigMap with certificate material: every value that decodes to PEM, and a
 * kubernetes.io/tls Secret's tls.crt / tls.key whatever they hold. Other Secrets and ConfigMaps are no unit.
 */
export interface SecretUnit {
  kind: 'secret';
  file: string;
  objectKind: 'Secret' | 'ConfigMap';
  meta: ObjectMeta;
  /** Secret type (kubernetes.io/tls, Opaque, ...). */
  type?: string;
  entries: DataEntry[];
  /** Values that cannot be what their key says, found while parsing (never quoting the value). */
  problems: { span: Span; message: string }[];
}

export interface WebhookService {
  name: string;
  namespace: string;
  span: Span;
}

/** One clientConfig: how the apiserver reaches a webhook, and the CA bundle it verifies it with. */
export interface WebhookClient {
  /** webhooks[].name, or the APIService / CRD name. */
  name: string;
  /** The clientConfig key (or the APIService's spec), where notes about the whole client go. */
  span: Span;
  /** Absent when empty, a placeholder, or when an annotation makes an injector overwrite it (see WebhookUnit.injectFrom). */
  caBundle?: Reference;
  /**
   * A caBundle that only holds a placeholder an install step replaces (`Cg==`, base64 of one line break, as
   * kubebuilder scaffolds it; `CA_BUNDLE`, `<base64-ca>`): no CA to judge, as good as none until it is filled.
   */
  placeholder?: {
    value: string;
    span: Span;
    means: string;
    /** Go's error when the apiserver cannot decode the value as base64 (`CA_BUNDLE`): the object is refused. */
    refused?: string;
  };
  service?: WebhookService;
  url?: SpannedValue;
  /** APIService spec.insecureSkipTLSVerify: the aggregator does not verify the server at all. */
  insecure: boolean;
  /** Where insecureSkipTLSVerify: true is written. */
  insecureSpan?: Span;
  /** An admission webhook's failurePolicy: what the apiserver does when it cannot call it (v1's default: Fail). */
  failurePolicy?: 'Fail' | 'Ignore';
  /** A template (Helm `{{ }}`) fills in the caBundle, service or url: nothing to judge before it is rendered. */
  templated?: boolean;
}

/**
 * ValidatingWebhookConfiguration, MutatingWebhookConfiguration (webhooks[].clientConfig), APIService
 * (spec.caBundle + spec.service) and CustomResourceDefinition conversion webhooks.
 */
export interface WebhookUnit {
  kind: 'webhook';
  file: string;
  objectKind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration' | 'APIService' | 'CustomResourceDefinition';
  meta: ObjectMeta;
  clients: WebhookClient[];
  /**
   * An annotation that makes a controller write the caBundle: cert-manager's cainjector (inject-ca-from: a
   * Certificate, inject-ca-from-secret, inject-apiserver-ca: "true"), OpenShift's service-ca operator
   * (service.beta.openshift.io/inject-cabundle: "true").
   */
  injectFrom?: { annotation: string; value: string; span: Span };
  /** metadata.labels, when any (projects that patch their own webhooks select them by label). */
  labels?: Record<string, string>;
}

/**
 * A webhook configuration, APIService or CRD that holds nothing but an annotation making a controller write the
 * caBundle: a kustomize patch (kubebuilder's config/crd/patches/cainjection_in_*.yaml) that a kustomization applies
 * to the object it names. It is no object of its own (it only says what the built object will carry): nothing
 * relates to it but the kustomization that lists it as a patch (checks/caBundleWriters.ts).
 */
export interface InjectionPatchUnit {
  kind: 'injection-patch';
  file: string;
  /** The object the patch applies to: its kind, and its name (absent when a template fills it in). */
  target: { objectKind: WebhookUnit['objectKind']; name?: string };
  injectFrom: NonNullable<WebhookUnit['injectFrom']>;
}

/**
 * Something in the workspace that writes the caBundle of webhooks, APIServices or CRDs when the cluster runs:
 * a kube-webhook-certgen `patch` Job, a controller that rotates its own webhook certificate (Gatekeeper,
 * MetalLB), or a kustomization that adds a cainjector annotation (commonAnnotations, patches, replacements).
 */
export interface CaBundleWriterUnit {
  kind: 'cabundle-writer';
  file: string;
  /** Who writes, for messages: `kube-webhook-certgen patch (Job ingress-nginx/ingress-nginx-admission-patch)`. */
  by: string;
  /** The line that says so (the `--webhook-name` argument, the replacement's fieldPath). */
  span: Span;
  targets: CaBundleTarget[];
  /**
   * Kustomize: what the kustomization builds: the files in its own folder (`folder`), and its resources (folders,
   * with everything below them, and files) and patch files (`within`). Absent: everywhere.
   */
  folder?: string;
  within?: string[];
  /** Kustomize: patch files whose own cainjector annotations the kustomization applies (absolute paths). */
  patchFiles?: { file: string; target?: CaBundleTarget; span: Span }[];
}

/** Which objects a writer fills: by kind (any, when absent) and name (any, when absent). */
export interface CaBundleTarget {
  kinds?: WebhookUnit['objectKind'][];
  name?: string;
  /** Where this target is set, and how, when it differs from the writer's (one kustomization, several entries). */
  span?: Span;
  by?: string;
}

/** cert-manager.io/v1 Certificate. */
export interface CertManagerCertificateUnit {
  kind: 'cert-manager-certificate';
  file: string;
  meta: ObjectMeta;
  secretName?: SpannedValue;
  commonName?: SpannedValue;
  /** The literal dnsNames and ipAddresses. */
  dnsNames: SpannedValue[];
  ipAddresses: SpannedValue[];
  /** dnsNames and ipAddresses a template fills in, as written ('' for a bare `{{ ... }}`): any may be a name it renders to. */
  templatedNames?: string[];
  /** The dnsNames / ipAddresses key, for findings about the list as a whole. */
  dnsNamesSpan?: Span;
  duration?: SpannedValue;
  renewBefore?: SpannedValue;
  renewBeforePercentage?: SpannedValue;
  issuerRef?: { name?: SpannedValue; kind: string; group: string; span: Span };
  isCA: boolean;
}

/** cert-manager.io/v1 Issuer or ClusterIssuer. */
export interface CertManagerIssuerUnit {
  kind: 'cert-manager-issuer';
  file: string;
  objectKind: 'Issuer' | 'ClusterIssuer';
  meta: ObjectMeta;
}

/** A Service with a selector: which pods serve `<name>.<namespace>.svc`. */
export interface ServiceUnit {
  kind: 'service';
  file: string;
  meta: ObjectMeta;
  selector: Record<string, string>;
}

/**
 * An RBAC ClusterRoleBinding (rbac.authorization.k8s.io): which ClusterRole it grants and to which groups. Read
 * to tell whether a client certificate's groups (O) are bound to anything.
 */
export interface ClusterRoleBindingUnit {
  kind: 'cluster-role-binding';
  file: string;
  meta: ObjectMeta;
  /** roleRef.name when roleRef.kind is ClusterRole. */
  clusterRole?: string;
  /** subjects of kind Group. */
  groups: string[];
}

/** A Deployment, StatefulSet or DaemonSet whose pod template mounts Secrets. */
export interface WorkloadUnit {
  kind: 'workload';
  file: string;
  objectKind: string;
  meta: ObjectMeta;
  podLabels: Record<string, string>;
  /** secretName of each Secret volume (and projected Secret source), with its span. */
  secretVolumes: SpannedValue[];
  /**
   * Secrets that hold only the CA the pods mint their own serving certificate from at run time (cert-manager's
   * webhook: --dynamic-serving-ca-secret-name): what the server presents is not in them.
   */
  caSecrets?: { name: string; namespace?: string; span: Span }[];
}

/**
 * A k3s or RKE2 server's configuration file (/etc/rancher/k3s/config.yaml, config.yaml.d/*.yaml; RKE2:
 * /etc/rancher/rke2/config.yaml): the server's command-line flags as plain YAML keys (`tls-san: [a, b]`).
 */
export interface DistroConfigUnit {
  kind: 'distro-config';
  file: string;
  /** The distribution the file's folder names (/etc/rancher/rke2/...), else undefined: both data dirs are tried. */
  distro?: 'k3s' | 'rke2';
  /** The first key: where a finding about the file as a whole goes. */
  span: Span;
  /** tls-san (a string, a list, comma-separated values: k3s splits each). */
  tlsSans: SpannedValue[];
  advertiseAddress?: SpannedValue;
  nodeIps: SpannedValue[];
  nodeExternalIps: SpannedValue[];
  nodeName?: SpannedValue;
  clusterDomain?: SpannedValue;
  serviceCidr?: SpannedValue;
  /** data-dir: the server's state is under <data-dir>/server (default /var/lib/rancher/k3s or /var/lib/rancher/rke2). */
  dataDir?: SpannedValue;
}

/** One of a kind Cluster config's kubeadmConfigPatches: a YAML document (or stream) held in a string. */
/**
 * A leaf certificate of a k3s or RKE2 server's tls folder (parse/distroConfig.ts distroTlsLeafName), a document of its
 * own: judged against its CA and key beside it when no server configuration in the workspace judges the folder.
 */
export interface DistroTlsUnit {
  kind: 'distro-tls';
  file: string;
  /** Its name in the tls folder: 'client-admin.crt', 'etcd/server-client.crt'. */
  name: string;
  /** Its first BEGIN CERTIFICATE line. */
  span: Span;
}

export interface KindPatch {
  /** The string's span in the file. */
  span: Span;
  /** Its `kind:` (the kubeadm document it patches), when it parses. */
  objectKind?: string;
  /** apiServer.certSANs, nodeRegistration.name, controlPlaneEndpoint, networking.dnsDomain, spans inside the string. */
  certSANs: SpannedValue[];
  nodeNames: SpannedValue[];
  controlPlaneEndpoint?: SpannedValue;
  dnsDomain?: SpannedValue;
  /** The patch does not parse as YAML: where and why. */
  error?: { span: Span; message: string };
}

/** kind's cluster config (`kind: Cluster`, `apiVersion: kind.x-k8s.io/v1alpha4`). */
export interface KindClusterUnit {
  kind: 'kind-cluster';
  file: string;
  /** The `kind:` value. */
  span: Span;
  /** `name:` (default "kind"): kind names the kubeconfig's cluster, user and context `kind-<name>`. */
  name: string;
  apiServerAddress?: SpannedValue;
  apiServerPort?: SpannedValue;
  /** kubeadmConfigPatches of the cluster and of its nodes. */
  patches: KindPatch[];
  /** kubeadmConfigPatchesJSON6902 is set somewhere: what it does to the config is not read. */
  json6902: boolean;
  /** How many control-plane nodes `nodes:` lists (1 when it lists none): with several, kind adds a load balancer. */
  controlPlanes: number;
}

export type Unit =
  | KubeconfigUnit
  | ComponentUnit
  | KubeletConfigUnit
  | ComponentConfigUnit
  | KubeletFlagsUnit
  | KubeadmConfigUnit
  | DistroConfigUnit
  | DistroTlsUnit
  | KindClusterUnit
  | SecretUnit
  | WebhookUnit
  | CertManagerCertificateUnit
  | CertManagerIssuerUnit
  | ServiceUnit
  | ClusterRoleBindingUnit
  | WorkloadUnit
  | CaBundleWriterUnit
  | InjectionPatchUnit;

export interface ParsedFile {
  file: string;
  text: string;
  lines: LineIndex;
  units: Unit[];
  /** Syntax errors of documents that look like ours (others are ignored: no noise on other YAML). */
  yamlErrors: { span: Span; message: string }[];
  /** True when any unit, or a syntax error in something that looks like ours, is there. */
  recognised: boolean;
  /** Bytes, when the text is over MAX_CONFIG_BYTES: it was not parsed (and has no units). */
  tooBig?: number;
  /**
   * The documents of the text that were not read (YAML that does not parse, a shape no parser expected; the whole
   * text when it is tooBig or the YAML library gave up): nothing in them was checked, so an ignore comment there
   * cannot be told unused.
   */
  unread: Span[];
  /** A systemd unit's `EnvironmentFile=` values, in order (parse/systemd.ts): what the engine looks up and reads. */
  envFiles?: EnvFileRef[];
  /**
   * Texts read from other files into this one's units (a unit's EnvironmentFile=): a span at `base` or past it is
   * in `file`, at `span.start - base` (offsets past this text's own end). Findings there are that file's.
   */
  sources?: SourceText[];
}

export interface EnvFileRef {
  /** The path as written, without its `-` prefix. */
  path: string;
  /** `-`: a file that is not there is no error, and sets nothing. */
  optional: boolean;
  span: Span;
}

export interface SourceText {
  file: string;
  base: number;
  text: string;
}

const sourceLines = new WeakMap<SourceText, LineIndex>();

/** The file and range of a span of `parsed`: its own, or past its text, in one of its sources. */
export function locate(parsed: ParsedFile, span: Span): { file: string; range: Range } {
  if (!parsed.sources || span.start <= parsed.text.length) return { file: parsed.file, range: parsed.lines.range(span.start, span.end) };
  const source = parsed.sources.find((s) => span.start >= s.base && span.start <= s.base + s.text.length);
  if (!source) return { file: parsed.file, range: parsed.lines.range(span.start, span.end) };
  let lines = sourceLines.get(source);
  if (!lines) sourceLines.set(source, (lines = new LineIndex(source.text)));
  return { file: source.file, range: lines.range(span.start - source.base, Math.min(span.end - source.base, source.text.length)) };
}

/** The last occurrence wins, as with the components' own flag parsing (pflag). */
export function flag(unit: ComponentUnit, name: string): Flag | undefined {
  const all = unit.flags.get(name);
  return all?.[all.length - 1];
}

/** Every certificate, key, CA and kubeconfig reference a unit makes (computed once per unit: do not mutate). */
export const unitReferences: (unit: Unit) => Reference[] = memoByObject((unit: Unit): Reference[] => {
  switch (unit.kind) {
    case 'kubeconfig':
      return [
        ...unit.clusters.flatMap((c) => (c.ca ? [c.ca] : [])),
        ...unit.users.flatMap((u) => [u.cert, u.key].filter((r): r is Reference => !!r)),
      ];
    case 'component':
      return unit.refs;
    case 'kubelet-config':
      return [unit.clientCA, unit.tlsCert, unit.tlsKey].filter((r): r is Reference => !!r);
    case 'component-config':
      return unit.kubeconfig ? [unit.kubeconfig] : [];
    case 'kubelet-flags':
      return unit.refs;
    case 'kubeadm-config':
      return unit.etcdExternal ? [unit.etcdExternal.ca, unit.etcdExternal.cert, unit.etcdExternal.key].filter((r): r is Reference => !!r) : [];
    case 'secret':
      return unit.entries.map((e) => e.ref);
    case 'webhook':
      return unit.clients.flatMap((c) => (c.caBundle ? [c.caBundle] : []));
    default:
      return [];
  }
});
