// The texts of a kubeadm v1.31 control-plane node that are not certificates: the static pod manifests (flags
// sorted, absolute paths, as `kubeadm init` writes them) and the kubelet's config.yaml. Used by the example
// cluster (example/cluster.ts); test/helpers/cluster.mjs keeps its own copy with the knobs its tests turn.

export interface NodeSettings {
  nodeName: string;
  advertiseAddress: string;
  bindPort: number;
  kubernetesVersion: string;
  etcdVersion: string;
  dnsDomain: string;
  clusterDnsIp: string;
}

interface ProbeOptions {
  failureThreshold: number;
  initialDelaySeconds?: number | null;
  periodSeconds?: number;
}

function probe(kind: string, host: string, path: string, port: number, scheme: string, o: ProbeOptions): string {
  const lines = [
    `    ${kind}:`,
    `      failureThreshold: ${o.failureThreshold}`,
    '      httpGet:',
    `        host: ${host}`,
    `        path: ${path}`,
    `        port: ${port}`,
    `        scheme: ${scheme}`,
  ];
  const initialDelaySeconds = o.initialDelaySeconds === undefined ? 10 : o.initialDelaySeconds;
  if (initialDelaySeconds !== null) lines.push(`      initialDelaySeconds: ${initialDelaySeconds}`);
  lines.push(`      periodSeconds: ${o.periodSeconds ?? 10}`, '      timeoutSeconds: 15');
  return lines.join('\n');
}

type Mount = [mountPath: string, name: string, readOnly: boolean];
type Volume = [path: string, type: string, name: string];

function mounts(list: Mount[]): string {
  return list.map(([mountPath, name, ro]) => `    - mountPath: ${mountPath}\n      name: ${name}` + (ro ? '\n      readOnly: true' : '')).join('\n');
}

function volumes(list: Volume[]): string {
  return list.map(([p, type, name]) => `  - hostPath:\n      path: ${p}\n      type: ${type}\n    name: ${name}`).join('\n');
}

function podHeader(name: string, annotations: string[]): string {
  const ann = annotations.length ? `  annotations:\n${annotations.map((a) => `    ${a}`).join('\n')}\n` : '';
  return `apiVersion: v1\nkind: Pod\nmetadata:\n${ann}  creationTimestamp: null\n  labels:\n    component: ${name}\n    tier: control-plane\n  name: ${name}\n  namespace: kube-system\nspec:\n  containers:\n  - command:\n`;
}

const podFooter = `  hostNetwork: true\n  priority: 2000001000\n  priorityClassName: system-node-critical\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  volumes:\n`;

const caMounts: Mount[] = [
  ['/etc/ssl/certs', 'ca-certs', true],
  ['/etc/ca-certificates', 'etc-ca-certificates', true],
];
const shareMounts: Mount[] = [
  ['/usr/local/share/ca-certificates', 'usr-local-share-ca-certificates', true],
  ['/usr/share/ca-certificates', 'usr-share-ca-certificates', true],
];
const caVolumes: Volume[] = [
  ['/etc/ssl/certs', 'DirectoryOrCreate', 'ca-certs'],
  ['/etc/ca-certificates', 'DirectoryOrCreate', 'etc-ca-certificates'],
];
const shareVolumes: Volume[] = [
  ['/usr/local/share/ca-certificates', 'DirectoryOrCreate', 'usr-local-share-ca-certificates'],
  ['/usr/share/ca-certificates', 'DirectoryOrCreate', 'usr-share-ca-certificates'],
];

function commandLines(cmd: string, flags: string[]): string {
  return [`    - ${cmd}`, ...flags.map((f) => `    - --${f}`)].join('\n') + '\n';
}

export function apiserverManifest(c: NodeSettings, flags: string[]): string {
  return (
    podHeader('kube-apiserver', [`kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint: ${c.advertiseAddress}:${c.bindPort}`]) +
    commandLines('kube-apiserver', flags) +
    `    image: registry.k8s.io/kube-apiserver:${c.kubernetesVersion}\n    imagePullPolicy: IfNotPresent\n` +
    probe('livenessProbe', c.advertiseAddress, '/livez', c.bindPort, 'HTTPS', { failureThreshold: 8 }) +
    '\n    name: kube-apiserver\n' +
    probe('readinessProbe', c.advertiseAddress, '/readyz', c.bindPort, 'HTTPS', {
      failureThreshold: 3,
      initialDelaySeconds: null,
      periodSeconds: 1,
    }) +
    '\n    resources:\n      requests:\n        cpu: 250m\n' +
    probe('startupProbe', c.advertiseAddress, '/livez', c.bindPort, 'HTTPS', { failureThreshold: 24 }) +
    '\n    volumeMounts:\n' +
    mounts([...caMounts, ['/etc/kubernetes/pki', 'k8s-certs', true], ...shareMounts]) +
    '\n' +
    podFooter +
    volumes([...caVolumes, ['/etc/kubernetes/pki', 'DirectoryOrCreate', 'k8s-certs'], ...shareVolumes]) +
    '\nstatus: {}\n'
  );
}

export function controllerManagerManifest(c: NodeSettings, flags: string[]): string {
  return (
    podHeader('kube-controller-manager', []) +
    commandLines('kube-controller-manager', flags) +
    `    image: registry.k8s.io/kube-controller-manager:${c.kubernetesVersion}\n    imagePullPolicy: IfNotPresent\n` +
    probe('livenessProbe', '127.0.0.1', '/healthz', 10257, 'HTTPS', { failureThreshold: 8 }) +
    '\n    name: kube-controller-manager\n    resources:\n      requests:\n        cpu: 200m\n' +
    probe('startupProbe', '127.0.0.1', '/healthz', 10257, 'HTTPS', { failureThreshold: 24 }) +
    '\n    volumeMounts:\n' +
    mounts([
      ...caMounts,
      ['/usr/libexec/kubernetes/kubelet-plugins/volume/exec', 'flexvolume-dir', false],
      ['/etc/kubernetes/pki', 'k8s-certs', true],
      ['/etc/kubernetes/controller-manager.conf', 'kubeconfig', true],
      ...shareMounts,
    ]) +
    '\n' +
    podFooter +
    volumes([
      ...caVolumes,
      ['/usr/libexec/kubernetes/kubelet-plugins/volume/exec', 'DirectoryOrCreate', 'flexvolume-dir'],
      ['/etc/kubernetes/pki', 'DirectoryOrCreate', 'k8s-certs'],
      ['/etc/kubernetes/controller-manager.conf', 'FileOrCreate', 'kubeconfig'],
      ...shareVolumes,
    ]) +
    '\nstatus: {}\n'
  );
}

export function schedulerManifest(c: NodeSettings, flags: string[]): string {
  return (
    podHeader('kube-scheduler', []) +
    commandLines('kube-scheduler', flags) +
    `    image: registry.k8s.io/kube-scheduler:${c.kubernetesVersion}\n    imagePullPolicy: IfNotPresent\n` +
    probe('livenessProbe', '127.0.0.1', '/healthz', 10259, 'HTTPS', { failureThreshold: 8 }) +
    '\n    name: kube-scheduler\n    resources:\n      requests:\n        cpu: 100m\n' +
    probe('startupProbe', '127.0.0.1', '/healthz', 10259, 'HTTPS', { failureThreshold: 24 }) +
    '\n    volumeMounts:\n' +
    mounts([['/etc/kubernetes/scheduler.conf', 'kubeconfig', true]]) +
    '\n' +
    podFooter +
    volumes([['/etc/kubernetes/scheduler.conf', 'FileOrCreate', 'kubeconfig']]) +
    '\nstatus: {}\n'
  );
}

export function etcdManifest(c: NodeSettings, flags: string[]): string {
  return (
    podHeader('etcd', [`kubeadm.kubernetes.io/etcd.advertise-client-urls: https://${c.advertiseAddress}:2379`]) +
    commandLines('etcd', flags) +
    `    image: registry.k8s.io/etcd:${c.etcdVersion}\n    imagePullPolicy: IfNotPresent\n` +
    probe('livenessProbe', '127.0.0.1', '/health?exclude=NOSPACE&serializable=true', 2381, 'HTTP', { failureThreshold: 8 }) +
    '\n    name: etcd\n    resources:\n      requests:\n        cpu: 100m\n        memory: 100Mi\n' +
    probe('startupProbe', '127.0.0.1', '/health?serializable=false', 2381, 'HTTP', { failureThreshold: 24 }) +
    '\n    volumeMounts:\n' +
    mounts([
      ['/var/lib/etcd', 'etcd-data', false],
      ['/etc/kubernetes/pki/etcd', 'etcd-certs', false],
    ]) +
    '\n' +
    podFooter +
    volumes([
      ['/etc/kubernetes/pki/etcd', 'DirectoryOrCreate', 'etcd-certs'],
      ['/var/lib/etcd', 'DirectoryOrCreate', 'etcd-data'],
    ]) +
    '\nstatus: {}\n'
  );
}

/** /var/lib/kubelet/config.yaml as kubeadm writes it (no tlsCertFile: the kubelet makes its own serving pair). */
export function kubeletConfig(c: NodeSettings): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
authentication:
  anonymous:
    enabled: false
  webhook:
    cacheTTL: 0s
    enabled: true
  x509:
    clientCAFile: /etc/kubernetes/pki/ca.crt
authorization:
  mode: Webhook
  webhook:
    cacheAuthorizedTTL: 0s
    cacheUnauthorizedTTL: 0s
cgroupDriver: systemd
clusterDNS:
- ${c.clusterDnsIp}
clusterDomain: ${c.dnsDomain}
containerRuntimeEndpoint: ""
cpuManagerReconcilePeriod: 0s
evictionPressureTransitionPeriod: 0s
fileCheckFrequency: 0s
healthzBindAddress: 127.0.0.1
healthzPort: 10248
httpCheckFrequency: 0s
imageMaximumGCAge: 0s
imageMinimumGCAge: 0s
kind: KubeletConfiguration
logging:
  flushFrequency: 0
  options:
    json:
      infoBufferSize: "0"
    text:
      infoBufferSize: "0"
  verbosity: 0
memorySwap: {}
nodeStatusReportFrequency: 0s
nodeStatusUpdateFrequency: 0s
resolvConf: /run/systemd/resolve/resolv.conf
rotateCertificates: true
runtimeRequestTimeout: 0s
shutdownGracePeriod: 0s
shutdownGracePeriodCriticalPods: 0s
staticPodPath: /etc/kubernetes/manifests
streamingConnectionIdleTimeout: 0s
syncFrequency: 0s
volumeStatsAggPeriod: 0s
`;
}
