// Builds a kubeadm-like node tree (a copy of one control-plane node's /etc/kubernetes and
// /var/lib/kubelet) at test run time, optionally with planted defects. Nothing generated here is
// committed: certificates expire.
//
//   const c = await buildCluster(dir, { nodeName: 'cp1', defects: ['scheduler-cn-typo'] });
//   c.files['scheduler.conf']  -> absolute path
//   c.defects[0]               -> { defect, code, file, lineIncludes, line, description, also }
//
// Each defect changes exactly one thing, and its metadata says where kube-pki reports it: `file`
// and `line` (0-based, the line containing `lineIncludes`), the line that references the faulty
// material (a manifest flag or a kubeconfig field). `also` lists other references to the same
// material, where a second finding may legitimately appear. Codes are the engine's catalog
// (server/src/engine/codes.ts); every defect was cross-checked against the engine.
//
// The certificate generator comes from the engine bundle (dist/engine.js, or the file named by
// $KUBE_PKI_ENGINE), or from opts.engine.

import { createRequire } from 'node:module';
import { mkdir, writeFile, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The engine bundle: $KUBE_PKI_ENGINE (relative to the working directory) or <repo>/dist/engine.js. */
export function loadEngine() {
  const file = process.env.KUBE_PKI_ENGINE ? path.resolve(process.env.KUBE_PKI_ENGINE) : path.join(repoRoot, 'dist', 'engine.js');
  return require(file);
}

/**
 * The certificate generator (generateKey, issueCertificate, kubeconfigText, ...) out of an engine
 * module, whether it exports them at the top level or as the `generate` namespace.
 */
export function generatorOf(mod = loadEngine()) {
  const g = mod && typeof mod.issueCertificate === 'function' ? mod : mod?.generate;
  if (!g || typeof g.issueCertificate !== 'function' || typeof g.generateKey !== 'function' || typeof g.kubeconfigText !== 'function') {
    throw new Error('the engine module exports no certificate generator (generateKey/issueCertificate/kubeconfigText, top level or as `generate`)');
  }
  return g;
}

/**
 * The diagnostic code each planted defect should produce. One place to rename codes if the
 * engine's catalog names them differently.
 */
export const DEFECT_CODES = {
  'apiserver-san-missing': 'san-missing',
  'etcd-san-missing': 'san-missing',
  'scheduler-cn-typo': 'cn-mismatch',
  'admin-org-typo': 'org-mismatch',
  'kubelet-wrong-group': 'org-mismatch',
  'controller-manager-expired': 'cert-expired',
  'etcd-server-expiring': 'cert-expiring',
  'not-yet-valid': 'cert-not-yet-valid',
  'apiserver-no-serverauth': 'eku-missing',
  'admin-no-clientauth': 'eku-missing',
  'client-ca-not-ca': 'not-a-ca',
  'admin-untrusted': 'untrusted-issuer',
  'etcd-client-untrusted': 'untrusted-issuer',
  'kubelet-untrusted': 'untrusted-issuer',
  'apiserver-key-mismatch': 'key-mismatch',
  'sa-key-mismatch': 'key-mismatch',
  'weak-key': 'weak-key',
  'weak-signature': 'weak-signature',
  'conflicting-fields': 'conflicting-fields',
  'missing-file': 'file-not-found',
  'bad-pem': 'pem-invalid',
  'yaml-invalid': 'yaml-invalid',
};

export const DEFECTS = Object.keys(DEFECT_CODES);

const DAY = 24 * 60 * 60 * 1000;
const MIN = 60 * 1000;

// ---------------------------------------------------------------------------------------------
// Keys: RSA generation is the slow part, so by default keys are drawn from a process-wide pool
// (the i-th key of a given type asked for by a build is the same object in every build). Keys
// within one cluster are always distinct; two clusters built in one process share keys, so do
// not mix their files. opts.reuseKeys = false generates fresh keys.
const pools = new WeakMap(); // engine -> Map<KeyType, Promise<GeneratedKey>[]>

function keySource(engine, reuse) {
  if (!reuse) return (type) => engine.generateKey(type);
  let byType = pools.get(engine);
  if (!byType) pools.set(engine, (byType = new Map()));
  const counters = new Map();
  return (type) => {
    const i = counters.get(type) ?? 0;
    counters.set(type, i + 1);
    let pool = byType.get(type);
    if (!pool) byType.set(type, (pool = []));
    while (pool.length <= i) pool.push(engine.generateKey(type));
    return pool[i];
  };
}

// ---------------------------------------------------------------------------------------------

function firstIp(cidr) {
  const [addr] = cidr.split('/');
  if (addr.includes(':')) {
    // IPv6: expand, add one, print compressed enough for a SAN / flag.
    const [head, tail = ''] = addr.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = addr.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    let n = groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n) + 1n;
    const out = [];
    for (let i = 0; i < 8; i++) {
      out.unshift((n & 0xffffn).toString(16));
      n >>= 16n;
    }
    return out.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
  }
  const parts = addr.split('.').map(Number);
  const n = ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3] + 1;
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function isIpLiteral(host) {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function hostOf(url) {
  const u = new URL(url);
  return u.hostname.replace(/^\[|\]$/g, '');
}

// --------------------------------------------------------------------------------------------- manifests
// As kubeadm v1.31 writes them (flags sorted, absolute paths).

function probe(kind, host, path, port, scheme, { failureThreshold, initialDelaySeconds = 10, periodSeconds = 10 }) {
  const lines = [
    `    ${kind}:`,
    `      failureThreshold: ${failureThreshold}`,
    '      httpGet:',
    `        host: ${host}`,
    `        path: ${path}`,
    `        port: ${port}`,
    `        scheme: ${scheme}`,
  ];
  if (initialDelaySeconds !== null) lines.push(`      initialDelaySeconds: ${initialDelaySeconds}`);
  lines.push(`      periodSeconds: ${periodSeconds}`, '      timeoutSeconds: 15');
  return lines.join('\n');
}

function mounts(list) {
  return list.map(([mountPath, name, ro]) => `    - mountPath: ${mountPath}\n      name: ${name}` + (ro ? '\n      readOnly: true' : '')).join('\n');
}

function volumes(list) {
  return list.map(([p, type, name]) => `  - hostPath:\n      path: ${p}\n      type: ${type}\n    name: ${name}`).join('\n');
}

function podHeader(name, annotations) {
  const ann = annotations.length ? `  annotations:\n${annotations.map((a) => `    ${a}`).join('\n')}\n` : '';
  return `apiVersion: v1\nkind: Pod\nmetadata:\n${ann}  creationTimestamp: null\n  labels:\n    component: ${name}\n    tier: control-plane\n  name: ${name}\n  namespace: kube-system\nspec:\n  containers:\n  - command:\n`;
}

const podFooter = `  hostNetwork: true\n  priority: 2000001000\n  priorityClassName: system-node-critical\n  securityContext:\n    seccompProfile:\n      type: RuntimeDefault\n  volumes:\n`;

const caMounts = [
  ['/etc/ssl/certs', 'ca-certs', true],
  ['/etc/ca-certificates', 'etc-ca-certificates', true],
];
const shareMounts = [
  ['/usr/local/share/ca-certificates', 'usr-local-share-ca-certificates', true],
  ['/usr/share/ca-certificates', 'usr-share-ca-certificates', true],
];
const caVolumes = [
  ['/etc/ssl/certs', 'DirectoryOrCreate', 'ca-certs'],
  ['/etc/ca-certificates', 'DirectoryOrCreate', 'etc-ca-certificates'],
];
const shareVolumes = [
  ['/usr/local/share/ca-certificates', 'DirectoryOrCreate', 'usr-local-share-ca-certificates'],
  ['/usr/share/ca-certificates', 'DirectoryOrCreate', 'usr-share-ca-certificates'],
];

function commandLines(cmd, flags) {
  return [`    - ${cmd}`, ...flags.map((f) => `    - --${f}`)].join('\n') + '\n';
}

function apiserverManifest(c, flags) {
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

function controllerManagerManifest(c, flags) {
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

function schedulerManifest(c, flags) {
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

function etcdManifest(c, flags) {
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

function kubeletConfig(c) {
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
${c.tlsCertFile ? `tlsCertFile: ${c.tlsCertFile}\ntlsPrivateKeyFile: ${c.tlsPrivateKeyFile}\n` : ''}volumeStatsAggPeriod: 0s
`;
}

/** kubelet.conf as kubeadm writes it: the cluster CA inline, the client certificate and key from the kubelet's rotated file. */
function kubeletKubeconfig(engine, server, caPem, nodeName) {
  const current = '/var/lib/kubelet/pki/kubelet-client-current.pem';
  return engine.kubeconfigText({
    clusterName: 'kubernetes',
    server,
    caPem,
    userName: `system:node:${nodeName}`,
    certPath: current,
    keyPath: current,
  });
}

function kubeletClientPemName(when) {
  // kubelet's certificate store names rotated files kubelet-client-YYYY-MM-DD-HH-MM-SS.pem
  const p = (n) => String(n).padStart(2, '0');
  return `kubelet-client-${when.getUTCFullYear()}-${p(when.getUTCMonth() + 1)}-${p(when.getUTCDate())}-${p(when.getUTCHours())}-${p(when.getUTCMinutes())}-${p(when.getUTCSeconds())}.pem`;
}

// --------------------------------------------------------------------------------------------- build

/**
 * Writes a kubeadm v1.31-like control-plane node tree under dir:
 *   dir/etc/kubernetes/{admin,super-admin,controller-manager,scheduler,kubelet}.conf
 *   dir/etc/kubernetes/manifests/{kube-apiserver,kube-controller-manager,kube-scheduler,etcd}.yaml
 *   dir/etc/kubernetes/pki/... (ca, apiserver, apiserver-kubelet-client, front-proxy-ca, front-proxy-client,
 *                               apiserver-etcd-client, sa.key/sa.pub, etcd/{ca,server,peer,healthcheck-client})
 *   dir/var/lib/kubelet/config.yaml, dir/var/lib/kubelet/pki/{kubelet-client-current.pem,kubelet.crt,kubelet.key}
 *
 * opts: nodeName ('cp1'), advertiseAddress ('192.168.10.11'), bindPort (6443), serviceCidr ('10.96.0.0/12'),
 *   podSubnet ('10.244.0.0/16'; '' for none), dnsDomain ('cluster.local'),
 *   controlPlaneEndpoint (URL used by admin/super-admin/kubelet.conf; default https://<advertise>:<port>),
 *   keyType ('rsa-2048'), kubeletKeyType ('ecdsa-p256', what the kubelet generates for its client cert),
 *   now (Date), caAgeDays (400: the CAs were made that long ago), kubernetesVersion ('v1.31.1'),
 *   defects (names from DEFECTS), missingSanHost ('cp.example.internal', for apiserver-san-missing),
 *   kubeletClientSymlink (false: true makes kubelet-client-current.pem a symlink as the kubelet does),
 *   reuseKeys (true), engine (the engine module or its `generate` namespace; default loadEngine()).
 *
 * Returns { dir, nodeName, now, paths, files, certs, defects } where files maps names such as
 * 'admin.conf', 'kube-apiserver.yaml', 'pki/ca.crt', 'pki/etcd/server.crt' to absolute paths,
 * certs maps certificate names ('ca', 'apiserver', 'admin.conf', 'kubelet-client', ...) to the
 * IssuedCertificate written, and defects lists { defect, code, file, lineIncludes, line (0-based),
 * description, also? } for each planted defect: the diagnostic is expected on that line of that
 * file (the line that references the faulty material); `also` lists other references to it.
 */
export async function buildCluster(dir, opts = {}) {
  const engine = generatorOf(opts.engine ?? loadEngine());
  const defects = new Set(opts.defects ?? []);
  for (const d of defects) if (!(d in DEFECT_CODES)) throw new Error(`unknown defect ${d}; known: ${DEFECTS.join(', ')}`);
  const has = (d) => defects.has(d);

  const c = {
    nodeName: opts.nodeName ?? 'cp1',
    advertiseAddress: opts.advertiseAddress ?? '192.168.10.11',
    bindPort: opts.bindPort ?? 6443,
    serviceCidr: opts.serviceCidr ?? '10.96.0.0/12',
    podSubnet: opts.podSubnet ?? '10.244.0.0/16',
    dnsDomain: opts.dnsDomain ?? 'cluster.local',
    kubernetesVersion: opts.kubernetesVersion ?? 'v1.31.1',
    etcdVersion: opts.etcdVersion ?? '3.5.15-0',
    keyType: opts.keyType ?? 'rsa-2048',
    kubeletKeyType: opts.kubeletKeyType ?? 'ecdsa-p256',
  };
  c.localEndpoint = `https://${c.advertiseAddress.includes(':') ? `[${c.advertiseAddress}]` : c.advertiseAddress}:${c.bindPort}`;
  c.controlPlaneEndpoint = opts.controlPlaneEndpoint ?? c.localEndpoint;
  c.serviceIp = firstIp(c.serviceCidr);
  c.clusterDnsIp = c.serviceIp.replace(/\.1$/, '.10');
  const now = opts.now ?? new Date();
  const caNotBefore = new Date(now.getTime() - (opts.caAgeDays ?? 400) * DAY);
  const missingSanHost = opts.missingSanHost ?? 'cp.example.internal';

  const nextKey = keySource(engine, opts.reuseKeys ?? true);
  const key = (type = c.keyType) => nextKey(type);

  // ------------------------------------------------------------------ paths
  const root = path.resolve(dir);
  const ek = path.join(root, 'etc', 'kubernetes');
  const pki = path.join(ek, 'pki');
  const paths = {
    root,
    etcKubernetes: ek,
    pki,
    etcdPki: path.join(pki, 'etcd'),
    manifests: path.join(ek, 'manifests'),
    kubeletDir: path.join(root, 'var', 'lib', 'kubelet'),
    kubeletPki: path.join(root, 'var', 'lib', 'kubelet', 'pki'),
  };
  for (const p of [paths.etcdPki, paths.manifests, paths.kubeletPki]) await mkdir(p, { recursive: true });

  const files = {};
  const texts = {};
  const certs = {};
  const put = async (name, abs, text, mode) => {
    files[name] = abs;
    texts[name] = text;
    await writeFile(abs, text, mode ? { mode } : undefined);
  };

  // ------------------------------------------------------------------ CAs
  const caReq = (cn) => ({ commonName: cn, isCA: true, dnsNames: [cn], notBefore: caNotBefore, validityDays: 3650, now });
  certs.ca = await engine.issueCertificate({ ...caReq('kubernetes'), key: await key() });
  certs['front-proxy-ca'] = await engine.issueCertificate({ ...caReq('front-proxy-ca'), key: await key() });
  certs['etcd-ca'] = await engine.issueCertificate({ ...caReq('etcd-ca'), key: await key() });
  // Another cluster's CA (a previous `kubeadm init`, or another environment): same CN, other key.
  const otherCa = async () =>
    (certs['other-ca'] ??= await engine.issueCertificate({
      ...caReq('kubernetes'),
      notBefore: new Date(caNotBefore.getTime() - 90 * DAY),
      key: await key(),
    }));

  // ------------------------------------------------------------------ leaves
  const leaf = async (name, req) => {
    certs[name] = await engine.issueCertificate({ now, key: await key(req.keyType), ...req });
    return certs[name];
  };
  const validity = {
    expired: { notBefore: new Date(now.getTime() - 400 * DAY), notAfter: new Date(now.getTime() - 35 * DAY) },
    expiring: { notBefore: new Date(now.getTime() - 355 * DAY), notAfter: new Date(now.getTime() + 10 * DAY) },
    future: { notBefore: new Date(now.getTime() + 3 * DAY), notAfter: new Date(now.getTime() + 368 * DAY) },
  };

  const apiserverDns = [c.nodeName, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${c.dnsDomain}`];
  const apiserverIps = [c.serviceIp, c.advertiseAddress];
  const cpeHost = hostOf(c.controlPlaneEndpoint);
  if (isIpLiteral(cpeHost)) apiserverIps.push(cpeHost);
  else apiserverDns.push(cpeHost);
  await leaf('apiserver', {
    commonName: 'kube-apiserver',
    issuer: certs.ca,
    extKeyUsage: has('apiserver-no-serverauth') ? ['clientAuth'] : ['serverAuth'],
    dnsNames: [...new Set(apiserverDns)].sort(), // kubeadm's RemoveDuplicateAltNames sorts DNS names
    ipAddresses: apiserverIps,
  });
  await leaf('apiserver-kubelet-client', {
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['kubeadm:cluster-admins'],
    issuer: certs.ca,
    extKeyUsage: ['clientAuth'],
    ...(has('weak-signature') ? { signatureHash: 'SHA-1' } : {}),
  });
  await leaf('front-proxy-client', {
    commonName: 'front-proxy-client',
    issuer: certs['front-proxy-ca'],
    extKeyUsage: ['clientAuth'],
    ...(has('weak-key') ? { keyType: 'rsa-1024' } : {}),
  });
  await leaf('apiserver-etcd-client', {
    commonName: 'kube-apiserver-etcd-client',
    issuer: has('etcd-client-untrusted') ? certs.ca : certs['etcd-ca'],
    extKeyUsage: ['clientAuth'],
  });
  const etcdSans = (withLoopback) => ({
    dnsNames: [c.nodeName, 'localhost'].sort(),
    ipAddresses: withLoopback ? [c.advertiseAddress, '127.0.0.1', '::1'] : [c.advertiseAddress, '::1'],
  });
  await leaf('etcd-server', {
    commonName: c.nodeName,
    issuer: certs['etcd-ca'],
    extKeyUsage: ['serverAuth', 'clientAuth'],
    ...etcdSans(!has('etcd-san-missing')),
    ...(has('etcd-server-expiring') ? validity.expiring : {}),
  });
  await leaf('etcd-peer', { commonName: c.nodeName, issuer: certs['etcd-ca'], extKeyUsage: ['serverAuth', 'clientAuth'], ...etcdSans(true) });
  await leaf('etcd-healthcheck-client', { commonName: 'kube-etcd-healthcheck-client', issuer: certs['etcd-ca'], extKeyUsage: ['clientAuth'] });

  // kubeconfig client certificates
  await leaf('admin.conf', {
    commonName: 'kubernetes-admin',
    organizations: [has('admin-org-typo') ? 'system:master' : 'kubeadm:cluster-admins'],
    issuer: has('admin-untrusted') ? await otherCa() : certs.ca,
    extKeyUsage: has('admin-no-clientauth') ? ['serverAuth'] : ['clientAuth'],
  });
  await leaf('super-admin.conf', {
    commonName: 'kubernetes-super-admin',
    organizations: ['system:masters'],
    issuer: certs.ca,
    extKeyUsage: ['clientAuth'],
    ...(has('not-yet-valid') ? validity.future : {}),
  });
  await leaf('controller-manager.conf', {
    commonName: 'system:kube-controller-manager',
    issuer: certs.ca,
    extKeyUsage: ['clientAuth'],
    ...(has('controller-manager-expired') ? validity.expired : {}),
  });
  await leaf('scheduler.conf', {
    commonName: has('scheduler-cn-typo') ? 'system:kube-schedular' : 'system:kube-scheduler',
    issuer: certs.ca,
    extKeyUsage: ['clientAuth'],
  });
  await leaf('kubelet-client', {
    commonName: `system:node:${c.nodeName}`,
    organizations: [has('kubelet-wrong-group') ? 'system:bootstrappers' : 'system:nodes'],
    issuer: has('kubelet-untrusted') ? await otherCa() : certs.ca,
    extKeyUsage: ['clientAuth'],
    keyType: c.kubeletKeyType,
  });
  // The kubelet's self-signed serving certificate (client-go GenerateSelfSignedCertKey): a
  // throwaway "<host>-ca@<unix>" CA and a "<host>@<unix>" serving cert, written as one chain.
  const unix = Math.floor(now.getTime() / 1000);
  certs['kubelet-serving-ca'] = await engine.issueCertificate({
    commonName: `${c.nodeName}-ca@${unix}`,
    isCA: true,
    validityDays: 365,
    now,
    notBefore: new Date(now.getTime() - 5 * MIN),
    key: await key('rsa-2048'),
  });
  await leaf('kubelet-serving', {
    commonName: `${c.nodeName}@${unix}`,
    issuer: certs['kubelet-serving-ca'],
    extKeyUsage: ['serverAuth'],
    dnsNames: [c.nodeName],
    keyType: 'rsa-2048',
  });

  const sa = await key();
  const saPub = has('sa-key-mismatch') ? (await key()).publicKeyPem : sa.publicKeyPem;

  // ------------------------------------------------------------------ pki files
  const writePair = async (rel, issued, keyPem = issued.key.privateKeyPem) => {
    await put(`pki/${rel}.crt`, path.join(pki, `${rel}.crt`), issued.certPem);
    await put(`pki/${rel}.key`, path.join(pki, `${rel}.key`), keyPem, 0o600);
  };
  await writePair('ca', certs.ca);
  await writePair('apiserver', certs.apiserver, has('apiserver-key-mismatch') ? (await key()).privateKeyPem : undefined);
  await writePair('apiserver-kubelet-client', certs['apiserver-kubelet-client']);
  await writePair('front-proxy-ca', certs['front-proxy-ca']);
  await writePair('front-proxy-client', certs['front-proxy-client']);
  await writePair('apiserver-etcd-client', certs['apiserver-etcd-client']);
  await writePair('etcd/ca', certs['etcd-ca']);
  await writePair('etcd/server', certs['etcd-server']);
  await writePair('etcd/peer', certs['etcd-peer']);
  await writePair('etcd/healthcheck-client', certs['etcd-healthcheck-client']);
  await put('pki/sa.key', path.join(pki, 'sa.key'), sa.privateKeyPem, 0o600);
  await put('pki/sa.pub', path.join(pki, 'sa.pub'), saPub);

  // ------------------------------------------------------------------ kubeconfigs
  const embedded = (name, user, server) =>
    engine.kubeconfigText({
      clusterName: 'kubernetes',
      server,
      caPem: certs.ca.certPem,
      userName: user,
      certPem: certs[name].certPem,
      keyPem: certs[name].key.privateKeyPem,
    });
  await put(
    'admin.conf',
    path.join(ek, 'admin.conf'),
    embedded('admin.conf', 'kubernetes-admin', has('apiserver-san-missing') ? `https://${missingSanHost}:${c.bindPort}` : c.controlPlaneEndpoint),
    0o600,
  );
  await put(
    'super-admin.conf',
    path.join(ek, 'super-admin.conf'),
    embedded('super-admin.conf', 'kubernetes-super-admin', c.controlPlaneEndpoint),
    0o600,
  );
  // Since v1.27-ish kubeadm points the controller-manager and scheduler at the local apiserver.
  await put(
    'controller-manager.conf',
    path.join(ek, 'controller-manager.conf'),
    embedded('controller-manager.conf', 'system:kube-controller-manager', c.localEndpoint),
    0o600,
  );
  let schedulerConf;
  if (has('conflicting-fields')) {
    // The same certificate also given as a file: both client-certificate and client-certificate-data.
    await put('pki/scheduler.crt', path.join(pki, 'scheduler.crt'), certs['scheduler.conf'].certPem);
    schedulerConf = engine.kubeconfigText({
      clusterName: 'kubernetes',
      server: c.localEndpoint,
      caPem: certs.ca.certPem,
      userName: 'system:kube-scheduler',
      certPath: '/etc/kubernetes/pki/scheduler.crt',
      certPem: certs['scheduler.conf'].certPem,
      keyPem: certs['scheduler.conf'].key.privateKeyPem,
    });
  } else {
    schedulerConf = embedded('scheduler.conf', 'system:kube-scheduler', c.localEndpoint);
  }
  await put('scheduler.conf', path.join(ek, 'scheduler.conf'), schedulerConf, 0o600);
  await put('kubelet.conf', path.join(ek, 'kubelet.conf'), kubeletKubeconfig(engine, c.controlPlaneEndpoint, certs.ca.certPem, c.nodeName), 0o600);

  // kubelet's own files: the client cert + key in one file, as the kubelet's certificate store writes it.
  const kubeletPem = certs['kubelet-client'].certPem + certs['kubelet-client'].key.privateKeyPem;
  const currentPem = path.join(paths.kubeletPki, 'kubelet-client-current.pem');
  if (opts.kubeletClientSymlink) {
    const realName = kubeletClientPemName(certs['kubelet-client'].cert.notBefore);
    await put('kubelet-client.pem', path.join(paths.kubeletPki, realName), kubeletPem, 0o600);
    // The kubelet links to an absolute path, which only resolves on the node itself; a relative
    // link keeps the copy working.
    await rm(currentPem, { force: true });
    await symlink(realName, currentPem);
    files['kubelet-client-current.pem'] = currentPem;
    texts['kubelet-client-current.pem'] = kubeletPem;
  } else {
    await put('kubelet-client-current.pem', currentPem, kubeletPem, 0o600);
  }
  await put('kubelet.crt', path.join(paths.kubeletPki, 'kubelet.crt'), certs['kubelet-serving'].certPem + certs['kubelet-serving-ca'].certPem);
  await put('kubelet.key', path.join(paths.kubeletPki, 'kubelet.key'), certs['kubelet-serving'].key.privateKeyPem, 0o600);
  await put('config.yaml', path.join(paths.kubeletDir, 'config.yaml'), kubeletConfig(c));

  // ------------------------------------------------------------------ manifests
  const P = '/etc/kubernetes/pki';
  const apiFlags = [
    `advertise-address=${c.advertiseAddress}`,
    'allow-privileged=true',
    'authorization-mode=Node,RBAC',
    `client-ca-file=${has('client-ca-not-ca') ? `${P}/apiserver.crt` : `${P}/ca.crt`}`,
    'enable-admission-plugins=NodeRestriction',
    'enable-bootstrap-token-auth=true',
    `etcd-cafile=${P}/etcd/ca.crt`,
    `etcd-certfile=${P}/apiserver-etcd-client.crt`,
    `etcd-keyfile=${P}/apiserver-etcd-client.key`,
    'etcd-servers=https://127.0.0.1:2379',
    `kubelet-client-certificate=${P}/apiserver-kubelet-client.crt`,
    `kubelet-client-key=${P}/apiserver-kubelet-client.key`,
    'kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
    `proxy-client-cert-file=${P}/front-proxy-client.crt`,
    `proxy-client-key-file=${P}/front-proxy-client.key`,
    'requestheader-allowed-names=front-proxy-client',
    `requestheader-client-ca-file=${P}/front-proxy-ca.crt`,
    'requestheader-extra-headers-prefix=X-Remote-Extra-',
    'requestheader-group-headers=X-Remote-Group',
    'requestheader-username-headers=X-Remote-User',
    `secure-port=${c.bindPort}`,
    `service-account-issuer=https://kubernetes.default.svc.${c.dnsDomain}`,
    `service-account-key-file=${P}/sa.pub`,
    `service-account-signing-key-file=${P}/sa.key`,
    `service-cluster-ip-range=${c.serviceCidr}`,
    `tls-cert-file=${P}/apiserver.crt`,
    `tls-private-key-file=${P}/apiserver.key`,
  ];
  const cmFlags = [
    ...(c.podSubnet ? ['allocate-node-cidrs=true'] : []),
    'authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
    'authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
    'bind-address=127.0.0.1',
    `client-ca-file=${P}/ca.crt`,
    ...(c.podSubnet ? [`cluster-cidr=${c.podSubnet}`] : []),
    'cluster-name=kubernetes',
    `cluster-signing-cert-file=${P}/ca.crt`,
    `cluster-signing-key-file=${P}/ca.key`,
    'controllers=*,bootstrapsigner,tokencleaner',
    'kubeconfig=/etc/kubernetes/controller-manager.conf',
    'leader-elect=true',
    `requestheader-client-ca-file=${P}/front-proxy-ca.crt`,
    `root-ca-file=${P}/ca.crt`,
    `service-account-private-key-file=${P}/sa.key`,
    `service-cluster-ip-range=${c.serviceCidr}`,
    'use-service-account-credentials=true',
  ];
  const schedFlags = [
    'authentication-kubeconfig=/etc/kubernetes/scheduler.conf',
    'authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
    'bind-address=127.0.0.1',
    'kubeconfig=/etc/kubernetes/scheduler.conf',
    'leader-elect=true',
  ];
  const adv = c.advertiseAddress.includes(':') ? `[${c.advertiseAddress}]` : c.advertiseAddress;
  const etcdFlags = [
    `advertise-client-urls=https://${adv}:2379`,
    `cert-file=${P}/etcd/server.crt`,
    'client-cert-auth=true',
    'data-dir=/var/lib/etcd',
    'experimental-initial-corrupt-check=true',
    'experimental-watch-progress-notify-interval=5s',
    `initial-advertise-peer-urls=https://${adv}:2380`,
    `initial-cluster=${c.nodeName}=https://${adv}:2380`,
    `key-file=${P}/etcd/server.key`,
    `listen-client-urls=https://127.0.0.1:2379,https://${adv}:2379`,
    'listen-metrics-urls=http://127.0.0.1:2381',
    `listen-peer-urls=https://${adv}:2380`,
    `name=${c.nodeName}`,
    `peer-cert-file=${P}/etcd/peer.crt`,
    'peer-client-cert-auth=true',
    `peer-key-file=${P}/etcd/peer.key`,
    `peer-trusted-ca-file=${P}/etcd/ca.crt`,
    'snapshot-count=10000',
    `trusted-ca-file=${P}/etcd/ca.crt`,
  ];
  const m = paths.manifests;
  await put('kube-apiserver.yaml', path.join(m, 'kube-apiserver.yaml'), apiserverManifest(c, apiFlags), 0o600);
  await put('kube-controller-manager.yaml', path.join(m, 'kube-controller-manager.yaml'), controllerManagerManifest(c, cmFlags), 0o600);
  let sched = schedulerManifest(c, schedFlags);
  if (has('yaml-invalid')) {
    // One command item indented by 3 instead of 4: "All sequence items must start at the same column".
    sched = sched.replace('    - --leader-elect=true\n', '   - --leader-elect=true\n');
  }
  await put('kube-scheduler.yaml', path.join(m, 'kube-scheduler.yaml'), sched, 0o600);
  await put('etcd.yaml', path.join(m, 'etcd.yaml'), etcdManifest(c, etcdFlags), 0o600);

  // ------------------------------------------------------------------ file-level defects
  if (has('missing-file')) await rm(files['pki/apiserver-kubelet-client.key']);
  if (has('bad-pem')) {
    const pem = certs['front-proxy-ca'].certPem;
    const cut = pem.slice(0, Math.floor(pem.length / 2)) + '\n'; // no END line, base64 cut mid-way (e.g. a failed copy)
    await writeFile(files['pki/front-proxy-ca.crt'], cut);
    texts['pki/front-proxy-ca.crt'] = cut;
  }

  // ------------------------------------------------------------------ defect metadata
  const where = (fileName, lineIncludes) => {
    const text = texts[fileName];
    const lines = text.split('\n');
    const hits = lines.map((l, i) => (l.includes(lineIncludes) ? i : -1)).filter((i) => i >= 0);
    if (hits.length !== 1) throw new Error(`cluster helper: "${lineIncludes}" occurs ${hits.length} times in ${fileName}`);
    return { file: files[fileName], lineIncludes, line: hits[0] };
  };
  const meta = {
    'apiserver-san-missing': () => ({
      ...where('admin.conf', `server: https://${missingSanHost}:`),
      description: `admin.conf talks to https://${missingSanHost}:${c.bindPort}, a name the apiserver certificate (pki/apiserver.crt) does not carry`,
    }),
    'etcd-san-missing': () => ({
      ...where('etcd.yaml', '- --cert-file='),
      description: "the etcd server certificate (pki/etcd/server.crt) lacks IP 127.0.0.1, the host in the apiserver's --etcd-servers",
      also: [where('kube-apiserver.yaml', '- --etcd-servers=')],
    }),
    'scheduler-cn-typo': () => ({
      ...where('scheduler.conf', 'client-certificate-data:'),
      description: 'scheduler.conf client certificate has CN system:kube-schedular (typo for system:kube-scheduler)',
    }),
    'admin-org-typo': () => ({
      ...where('admin.conf', 'client-certificate-data:'),
      description: 'admin.conf client certificate has O=system:master (should be kubeadm:cluster-admins, or system:masters before 1.29)',
    }),
    'kubelet-wrong-group': () => ({
      ...where('kubelet.conf', 'client-certificate:'),
      description: `the kubelet client certificate has O=system:bootstrappers instead of system:nodes (the Node authorizer needs system:node:${c.nodeName} in group system:nodes)`,
    }),
    'controller-manager-expired': () => ({
      ...where('controller-manager.conf', 'client-certificate-data:'),
      description: 'the controller-manager.conf client certificate expired 35 days ago',
    }),
    'etcd-server-expiring': () => ({ ...where('etcd.yaml', '- --cert-file='), description: 'the etcd server certificate expires in 10 days' }),
    'not-yet-valid': () => ({
      ...where('super-admin.conf', 'client-certificate-data:'),
      description: 'the super-admin.conf client certificate only becomes valid in 3 days (issued on a machine with its clock ahead)',
    }),
    'apiserver-no-serverauth': () => ({
      ...where('kube-apiserver.yaml', '- --tls-cert-file='),
      description: 'the apiserver serving certificate has extended key usage clientAuth only (no serverAuth)',
    }),
    'admin-no-clientauth': () => ({
      ...where('admin.conf', 'client-certificate-data:'),
      description: 'the admin.conf client certificate has extended key usage serverAuth only (no clientAuth)',
    }),
    'client-ca-not-ca': () => ({
      ...where('kube-apiserver.yaml', '- --client-ca-file='),
      description: '--client-ca-file points at pki/apiserver.crt, a leaf (CA:FALSE), not a CA',
    }),
    'admin-untrusted': () => ({
      ...where('admin.conf', 'client-certificate-data:'),
      description: 'the admin.conf client certificate is signed by another CA also named "kubernetes", not by the --client-ca-file CA',
    }),
    'etcd-client-untrusted': () => ({
      ...where('kube-apiserver.yaml', '- --etcd-certfile='),
      description: 'apiserver-etcd-client.crt is signed by the cluster CA (pki/ca.crt), not by etcd-ca, which etcd trusts (--trusted-ca-file)',
    }),
    'kubelet-untrusted': () => ({
      ...where('kubelet.conf', 'client-certificate:'),
      description: 'the kubelet client certificate is signed by another CA also named "kubernetes" (left over from an earlier kubeadm init)',
    }),
    'apiserver-key-mismatch': () => ({
      ...where('kube-apiserver.yaml', '- --tls-private-key-file='),
      description: 'pki/apiserver.key is not the private key of pki/apiserver.crt',
      also: [where('kube-apiserver.yaml', '- --tls-cert-file=')],
    }),
    'sa-key-mismatch': () => ({
      ...where('kube-apiserver.yaml', '- --service-account-key-file='),
      description: 'pki/sa.pub is not the public half of pki/sa.key (tokens signed by the controller-manager / apiserver would not verify)',
      also: [
        where('kube-apiserver.yaml', '- --service-account-signing-key-file='),
        where('kube-controller-manager.yaml', '- --service-account-private-key-file='),
      ],
    }),
    'weak-key': () => ({
      ...where('kube-apiserver.yaml', '- --proxy-client-cert-file='),
      description: 'front-proxy-client.crt has a 1024-bit RSA key',
      also: [where('kube-apiserver.yaml', '- --proxy-client-key-file=')],
    }),
    'weak-signature': () => ({
      ...where('kube-apiserver.yaml', '- --kubelet-client-certificate='),
      description: 'apiserver-kubelet-client.crt is signed with SHA-1 (sha1WithRSAEncryption)',
    }),
    'conflicting-fields': () => ({
      ...where('scheduler.conf', 'client-certificate:'),
      description: 'scheduler.conf sets both client-certificate and client-certificate-data for the same user',
      also: [where('scheduler.conf', 'client-certificate-data:')],
    }),
    'missing-file': () => ({
      ...where('kube-apiserver.yaml', '- --kubelet-client-key='),
      description: 'pki/apiserver-kubelet-client.key does not exist',
    }),
    'bad-pem': () => ({
      ...where('kube-apiserver.yaml', '- --requestheader-client-ca-file='),
      description: 'pki/front-proxy-ca.crt is truncated (half the base64, no END line)',
      also: [where('kube-controller-manager.yaml', '- --requestheader-client-ca-file=')],
    }),
    'yaml-invalid': () => ({
      ...where('kube-scheduler.yaml', '   - --leader-elect=true'),
      description: 'kube-scheduler.yaml: one command item indented by 3 spaces instead of 4',
    }),
  };
  const defectList = [...defects].map((d) => ({ defect: d, code: DEFECT_CODES[d], ...meta[d]() }));

  return { dir: root, nodeName: c.nodeName, now, config: c, paths, files, certs, defects: defectList };
}

/**
 * Writes a kubeadm worker node tree under dir, as `kubeadm join` and a running kubelet leave it:
 *   dir/etc/kubernetes/kubelet.conf (cluster CA inline, client certificate and key from the rotated file),
 *   dir/etc/kubernetes/pki/ca.crt, dir/var/lib/kubelet/config.yaml (clientCAFile, tlsCertFile, tlsPrivateKeyFile),
 *   dir/var/lib/kubelet/pki/kubelet-client-<date>.pem with kubelet-client-current.pem linking to it,
 *   dir/var/lib/kubelet/pki/kubelet.crt and kubelet.key (a serving certificate from the cluster CA).
 *
 * opts: ca (an IssuedCertificate with its key: the cluster CA, e.g. buildCluster(...).certs.ca; required),
 *   nodeName ('worker1'), controlPlaneEndpoint ('https://192.168.10.11:6443'), address ('10.1.0.10'),
 *   clientKey / servingKey (GeneratedKeys; default: new ECDSA P-256 keys, what the kubelet generates),
 *   now (Date), dnsDomain ('cluster.local'), serviceCidr ('10.96.0.0/12'), engine (as for buildCluster).
 * Returns { dir, nodeName, files, certs } like buildCluster (files: 'kubelet.conf', 'config.yaml',
 * 'pki/ca.crt', 'kubelet-client-current.pem', 'kubelet-client.pem', 'kubelet.crt', 'kubelet.key').
 */
export async function buildWorkerNode(dir, opts = {}) {
  const engine = generatorOf(opts.engine ?? loadEngine());
  if (!opts.ca?.key) throw new Error('buildWorkerNode needs opts.ca: the cluster CA with its key');
  const nodeName = opts.nodeName ?? 'worker1';
  const now = opts.now ?? new Date();
  const serviceIp = firstIp(opts.serviceCidr ?? '10.96.0.0/12');
  const c = {
    dnsDomain: opts.dnsDomain ?? 'cluster.local',
    clusterDnsIp: serviceIp.replace(/\.1$/, '.10'),
    tlsCertFile: '/var/lib/kubelet/pki/kubelet.crt',
    tlsPrivateKeyFile: '/var/lib/kubelet/pki/kubelet.key',
  };
  const root = path.resolve(dir);
  const ek = path.join(root, 'etc', 'kubernetes');
  const kubeletDir = path.join(root, 'var', 'lib', 'kubelet');
  const kubeletPki = path.join(kubeletDir, 'pki');
  await mkdir(path.join(ek, 'pki'), { recursive: true });
  await mkdir(kubeletPki, { recursive: true });
  const files = {};
  const put = async (name, abs, text, mode) => {
    files[name] = abs;
    await writeFile(abs, text, mode ? { mode } : undefined);
  };

  const certs = {};
  certs['kubelet-client'] = await engine.issueCertificate({
    commonName: `system:node:${nodeName}`,
    organizations: ['system:nodes'],
    issuer: opts.ca,
    extKeyUsage: ['clientAuth'],
    key: opts.clientKey ?? (await engine.generateKey('ecdsa-p256')),
    now,
  });
  certs['kubelet-serving'] = await engine.issueCertificate({
    commonName: `system:node:${nodeName}`,
    organizations: ['system:nodes'],
    issuer: opts.ca,
    extKeyUsage: ['serverAuth'],
    dnsNames: [nodeName],
    ipAddresses: [opts.address ?? '10.1.0.10'],
    key: opts.servingKey ?? (await engine.generateKey('ecdsa-p256')),
    now,
  });

  await put('pki/ca.crt', path.join(ek, 'pki', 'ca.crt'), opts.ca.certPem);
  await put(
    'kubelet.conf',
    path.join(ek, 'kubelet.conf'),
    kubeletKubeconfig(engine, opts.controlPlaneEndpoint ?? 'https://192.168.10.11:6443', opts.ca.certPem, nodeName),
    0o600,
  );
  const rotated = kubeletClientPemName(certs['kubelet-client'].cert.notBefore);
  await put('kubelet-client.pem', path.join(kubeletPki, rotated), certs['kubelet-client'].certPem + certs['kubelet-client'].key.privateKeyPem, 0o600);
  const current = path.join(kubeletPki, 'kubelet-client-current.pem');
  await rm(current, { force: true });
  await symlink(rotated, current);
  files['kubelet-client-current.pem'] = current;
  await put('kubelet.crt', path.join(kubeletPki, 'kubelet.crt'), certs['kubelet-serving'].certPem);
  await put('kubelet.key', path.join(kubeletPki, 'kubelet.key'), certs['kubelet-serving'].key.privateKeyPem, 0o600);
  await put('config.yaml', path.join(kubeletDir, 'config.yaml'), kubeletConfig(c));
  return { dir: root, nodeName, files, certs };
}
