// The example cluster: one kubeadm v1.31 control-plane node's /etc/kubernetes and /var/lib/kubelet, as copied
// off the machine into a folder, with five classic TLS mistakes planted (examples/README.md tells each one).
// `npm run example` (examples/make-example.mjs) and the editor's "Kube PKI: Open Example Cluster" both make it
// here. Certificates expire, so it is generated relative to `now`, never kept.
//
// The five defects and where kube-pki reports them (`expected`, 1-based lines):
//   san-missing       etc/kubernetes/admin.conf:5     the load balancer's name is not in pki/apiserver.crt
//   org-mismatch      etc/kubernetes/admin.conf:18    O=system:master (typo) in admin.conf's client certificate
//   cn-mismatch       etc/kubernetes/scheduler.conf:18  CN=system:kube-schedular
//   cert-expired      etc/kubernetes/controller-manager.conf:18  expired 35 days before `now`
//   untrusted-issuer  etc/kubernetes/kubelet.conf:18  the kubelet's client certificate comes from another "kubernetes" CA
import * as path from 'node:path';
import type { FileSystem } from '../../types';
import { DAY } from '../../decode/time';
import { issueCertificate, type CertRequest, type IssuedCertificate } from '../certs';
import { generateKey, type GeneratedKey, type KeyType } from '../keys';
import { kubeconfigText } from '../kubeconfig';
import { writeBatch, type FileWriter, type WriteReport } from '../write';
import { apiserverManifest, controllerManagerManifest, etcdManifest, kubeletConfig, schedulerManifest, type NodeSettings } from './manifests';

const MIN = 60 * 1000;

/** The file that marks a folder as a generated example; it lists the expected findings. */
export const EXAMPLE_MARKER = '.kube-pki-example.json';

export interface ExampleOptions {
  /** The instant the example is made for (default: now): CAs 400 days old, one client certificate expired 35 days ago. */
  now?: Date;
  /** Who made it, written in the marker (default 'kube-pki'). */
  generatedBy?: string;
  /** Where keys come from (default: new keys; tests may pass a pool). */
  generateKey?: (type: KeyType) => Promise<GeneratedKey>;
}

export interface ExampleFile {
  /** Relative to the example's folder, with '/'. */
  path: string;
  text: string;
  /** 0600 for keys, kubeconfigs and manifests (as kubeadm writes them), 0644 for the rest. */
  mode: number;
}

export interface ExampleDefect {
  defect: string;
  code: string;
  /** Relative to the example's folder, with '/'. */
  file: string;
  /** 1-based, as editors and the CLI show it. */
  line: number;
  lineIncludes: string;
  description: string;
}

export interface ExampleTree {
  nodeName: string;
  generatedAt: string;
  /** Every file, the marker last. */
  files: ExampleFile[];
  expected: ExampleDefect[];
}

export const EXAMPLE_NODE: NodeSettings = {
  nodeName: 'k8s-cp-1',
  advertiseAddress: '192.168.10.11',
  bindPort: 6443,
  kubernetesVersion: 'v1.31.1',
  etcdVersion: '3.5.15-0',
  dnsDomain: 'cluster.local',
  clusterDnsIp: '10.96.0.10',
};
const SERVICE_CIDR = '10.96.0.0/12';
const SERVICE_IP = '10.96.0.1';
const POD_SUBNET = '10.244.0.0/16';
/** The load balancer admin.conf was re-pointed at after `kubeadm init` (its name is not in the apiserver certificate). */
export const EXAMPLE_LB_HOST = 'k8s-api.lb.example.internal';

/** Makes the example's files in memory (keys included: write them with writeExampleCluster, never log them). */
export async function buildExampleCluster(opts: ExampleOptions = {}): Promise<ExampleTree> {
  const c = EXAMPLE_NODE;
  const now = opts.now ?? new Date();
  const newKey = opts.generateKey ?? generateKey;
  const key = (type: KeyType = 'rsa-2048') => newKey(type);
  const localEndpoint = `https://${c.advertiseAddress}:${c.bindPort}`;
  const caNotBefore = new Date(now.getTime() - 400 * DAY);

  // ------------------------------------------------------------------ CAs
  const caReq = (cn: string) => ({ commonName: cn, isCA: true, dnsNames: [cn], notBefore: caNotBefore, validityDays: 3650, now });
  const ca = await issueCertificate({ ...caReq('kubernetes'), key: await key() });
  const frontProxyCa = await issueCertificate({ ...caReq('front-proxy-ca'), key: await key() });
  const etcdCa = await issueCertificate({ ...caReq('etcd-ca'), key: await key() });
  // Another cluster's CA (a previous `kubeadm init`): same CN, other key.
  const otherCa = await issueCertificate({ ...caReq('kubernetes'), notBefore: new Date(caNotBefore.getTime() - 90 * DAY), key: await key() });

  // ------------------------------------------------------------------ leaves
  const leaf = async (req: CertRequest): Promise<IssuedCertificate> => issueCertificate({ now, ...req, key: await key(req.keyType) });
  const apiserver = await leaf({
    commonName: 'kube-apiserver',
    issuer: ca,
    extKeyUsage: ['serverAuth'],
    // kubeadm's RemoveDuplicateAltNames sorts DNS names
    dnsNames: [c.nodeName, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${c.dnsDomain}`].sort(),
    ipAddresses: [SERVICE_IP, c.advertiseAddress],
  });
  const apiserverKubeletClient = await leaf({
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['kubeadm:cluster-admins'],
    issuer: ca,
    extKeyUsage: ['clientAuth'],
  });
  const frontProxyClient = await leaf({ commonName: 'front-proxy-client', issuer: frontProxyCa, extKeyUsage: ['clientAuth'] });
  const apiserverEtcdClient = await leaf({ commonName: 'kube-apiserver-etcd-client', issuer: etcdCa, extKeyUsage: ['clientAuth'] });
  const etcdSans = { dnsNames: [c.nodeName, 'localhost'].sort(), ipAddresses: [c.advertiseAddress, '127.0.0.1', '::1'] };
  const etcdServer = await leaf({ commonName: c.nodeName, issuer: etcdCa, extKeyUsage: ['serverAuth', 'clientAuth'], ...etcdSans });
  const etcdPeer = await leaf({ commonName: c.nodeName, issuer: etcdCa, extKeyUsage: ['serverAuth', 'clientAuth'], ...etcdSans });
  const etcdHealthcheck = await leaf({ commonName: 'kube-etcd-healthcheck-client', issuer: etcdCa, extKeyUsage: ['clientAuth'] });

  // kubeconfig client certificates
  const admin = await leaf({
    commonName: 'kubernetes-admin',
    organizations: ['system:master'], // defect: kubeadm:cluster-admins (system:masters before v1.29)
    issuer: ca,
    extKeyUsage: ['clientAuth'],
  });
  const superAdmin = await leaf({ commonName: 'kubernetes-super-admin', organizations: ['system:masters'], issuer: ca, extKeyUsage: ['clientAuth'] });
  const controllerManager = await leaf({
    commonName: 'system:kube-controller-manager',
    issuer: ca,
    extKeyUsage: ['clientAuth'],
    // defect: missed by the last renewal
    notBefore: new Date(now.getTime() - 400 * DAY),
    notAfter: new Date(now.getTime() - 35 * DAY),
  });
  const scheduler = await leaf({
    commonName: 'system:kube-schedular', // defect: system:kube-scheduler
    issuer: ca,
    extKeyUsage: ['clientAuth'],
  });
  const kubeletClient = await leaf({
    commonName: `system:node:${c.nodeName}`,
    organizations: ['system:nodes'],
    issuer: otherCa, // defect: not the cluster CA
    extKeyUsage: ['clientAuth'],
    keyType: 'ecdsa-p256', // what the kubelet generates for its client certificate
  });
  // The kubelet's self-signed serving certificate (client-go GenerateSelfSignedCertKey): a throwaway
  // "<host>-ca@<unix>" CA and a "<host>@<unix>" serving certificate, written as one chain. Not a defect.
  const unix = Math.floor(now.getTime() / 1000);
  const kubeletServingCa = await issueCertificate({
    commonName: `${c.nodeName}-ca@${unix}`,
    isCA: true,
    validityDays: 365,
    now,
    notBefore: new Date(now.getTime() - 5 * MIN),
    key: await key('rsa-2048'),
  });
  const kubeletServing = await leaf({
    commonName: `${c.nodeName}@${unix}`,
    issuer: kubeletServingCa,
    extKeyUsage: ['serverAuth'],
    dnsNames: [c.nodeName],
  });
  const sa = await key();

  // ------------------------------------------------------------------ files
  const files: ExampleFile[] = [];
  const put = (rel: string, text: string, mode = 0o644) => files.push({ path: rel, text, mode });
  const EK = 'etc/kubernetes';
  const pair = (rel: string, issued: IssuedCertificate) => {
    put(`${EK}/pki/${rel}.crt`, issued.certPem);
    put(`${EK}/pki/${rel}.key`, issued.key.privateKeyPem, 0o600);
  };
  pair('ca', ca);
  pair('apiserver', apiserver);
  pair('apiserver-kubelet-client', apiserverKubeletClient);
  pair('front-proxy-ca', frontProxyCa);
  pair('front-proxy-client', frontProxyClient);
  pair('apiserver-etcd-client', apiserverEtcdClient);
  pair('etcd/ca', etcdCa);
  pair('etcd/server', etcdServer);
  pair('etcd/peer', etcdPeer);
  pair('etcd/healthcheck-client', etcdHealthcheck);
  put(`${EK}/pki/sa.key`, sa.privateKeyPem, 0o600);
  put(`${EK}/pki/sa.pub`, sa.publicKeyPem);

  const embedded = (issued: IssuedCertificate, user: string, server: string) =>
    kubeconfigText({
      clusterName: 'kubernetes',
      server,
      caPem: ca.certPem,
      userName: user,
      certPem: issued.certPem,
      keyPem: issued.key.privateKeyPem,
    });
  // defect: admin.conf re-pointed at a load balancer whose name the apiserver's certificate lacks
  put(`${EK}/admin.conf`, embedded(admin, 'kubernetes-admin', `https://${EXAMPLE_LB_HOST}:${c.bindPort}`), 0o600);
  put(`${EK}/super-admin.conf`, embedded(superAdmin, 'kubernetes-super-admin', localEndpoint), 0o600);
  // Since v1.27-ish kubeadm points the controller-manager and scheduler at the local apiserver.
  put(`${EK}/controller-manager.conf`, embedded(controllerManager, 'system:kube-controller-manager', localEndpoint), 0o600);
  put(`${EK}/scheduler.conf`, embedded(scheduler, 'system:kube-scheduler', localEndpoint), 0o600);
  // kubelet.conf as kubeadm writes it: the cluster CA inline, the client pair from the kubelet's rotated file.
  const current = '/var/lib/kubelet/pki/kubelet-client-current.pem';
  put(
    `${EK}/kubelet.conf`,
    kubeconfigText({
      clusterName: 'kubernetes',
      server: localEndpoint,
      caPem: ca.certPem,
      userName: `system:node:${c.nodeName}`,
      certPath: current,
      keyPath: current,
    }),
    0o600,
  );
  // The kubelet's own files: its client certificate and key in one file, as its certificate store writes it.
  put('var/lib/kubelet/pki/kubelet-client-current.pem', kubeletClient.certPem + kubeletClient.key.privateKeyPem, 0o600);
  put('var/lib/kubelet/pki/kubelet.crt', kubeletServing.certPem + kubeletServingCa.certPem);
  put('var/lib/kubelet/pki/kubelet.key', kubeletServing.key.privateKeyPem, 0o600);
  put('var/lib/kubelet/config.yaml', kubeletConfig(c));

  const P = '/etc/kubernetes/pki';
  const apiFlags = [
    `advertise-address=${c.advertiseAddress}`,
    'allow-privileged=true',
    'authorization-mode=Node,RBAC',
    `client-ca-file=${P}/ca.crt`,
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
    `service-cluster-ip-range=${SERVICE_CIDR}`,
    `tls-cert-file=${P}/apiserver.crt`,
    `tls-private-key-file=${P}/apiserver.key`,
  ];
  const cmFlags = [
    'allocate-node-cidrs=true',
    'authentication-kubeconfig=/etc/kubernetes/controller-manager.conf',
    'authorization-kubeconfig=/etc/kubernetes/controller-manager.conf',
    'bind-address=127.0.0.1',
    `client-ca-file=${P}/ca.crt`,
    `cluster-cidr=${POD_SUBNET}`,
    'cluster-name=kubernetes',
    `cluster-signing-cert-file=${P}/ca.crt`,
    `cluster-signing-key-file=${P}/ca.key`,
    'controllers=*,bootstrapsigner,tokencleaner',
    'kubeconfig=/etc/kubernetes/controller-manager.conf',
    'leader-elect=true',
    `requestheader-client-ca-file=${P}/front-proxy-ca.crt`,
    `root-ca-file=${P}/ca.crt`,
    `service-account-private-key-file=${P}/sa.key`,
    `service-cluster-ip-range=${SERVICE_CIDR}`,
    'use-service-account-credentials=true',
  ];
  const schedFlags = [
    'authentication-kubeconfig=/etc/kubernetes/scheduler.conf',
    'authorization-kubeconfig=/etc/kubernetes/scheduler.conf',
    'bind-address=127.0.0.1',
    'kubeconfig=/etc/kubernetes/scheduler.conf',
    'leader-elect=true',
  ];
  const adv = c.advertiseAddress;
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
  put(`${EK}/manifests/kube-apiserver.yaml`, apiserverManifest(c, apiFlags), 0o600);
  put(`${EK}/manifests/kube-controller-manager.yaml`, controllerManagerManifest(c, cmFlags), 0o600);
  put(`${EK}/manifests/kube-scheduler.yaml`, schedulerManifest(c, schedFlags), 0o600);
  put(`${EK}/manifests/etcd.yaml`, etcdManifest(c, etcdFlags), 0o600);

  // ------------------------------------------------------------------ where each defect is reported
  const where = (rel: string, lineIncludes: string) => {
    const text = files.find((f) => f.path === rel)?.text ?? '';
    const hits = text
      .split('\n')
      .map((l, i) => (l.includes(lineIncludes) ? i : -1))
      .filter((i) => i >= 0);
    if (hits.length !== 1) throw new Error(`example: "${lineIncludes}" occurs ${hits.length} times in ${rel}`);
    return { file: rel, line: hits[0] + 1, lineIncludes };
  };
  const expected: ExampleDefect[] = [
    {
      defect: 'apiserver-san-missing',
      code: 'san-missing',
      ...where(`${EK}/admin.conf`, `server: https://${EXAMPLE_LB_HOST}:`),
      description: `admin.conf talks to https://${EXAMPLE_LB_HOST}:${c.bindPort}, a name the apiserver certificate (pki/apiserver.crt) does not carry`,
    },
    {
      defect: 'admin-org-typo',
      code: 'org-mismatch',
      ...where(`${EK}/admin.conf`, 'client-certificate-data:'),
      description: 'admin.conf client certificate has O=system:master (should be kubeadm:cluster-admins, or system:masters before 1.29)',
    },
    {
      defect: 'scheduler-cn-typo',
      code: 'cn-mismatch',
      ...where(`${EK}/scheduler.conf`, 'client-certificate-data:'),
      description: 'scheduler.conf client certificate has CN system:kube-schedular (typo for system:kube-scheduler)',
    },
    {
      defect: 'controller-manager-expired',
      code: 'cert-expired',
      ...where(`${EK}/controller-manager.conf`, 'client-certificate-data:'),
      description: 'the controller-manager.conf client certificate expired 35 days ago',
    },
    {
      defect: 'kubelet-untrusted',
      code: 'untrusted-issuer',
      ...where(`${EK}/kubelet.conf`, 'client-certificate:'),
      description: 'the kubelet client certificate is signed by another CA also named "kubernetes" (left over from an earlier kubeadm init)',
    },
  ];
  const generatedAt = now.toISOString();
  const marker = { generatedBy: opts.generatedBy ?? 'kube-pki', generatedAt, nodeName: c.nodeName, expected };
  put(EXAMPLE_MARKER, JSON.stringify(marker, null, 2) + '\n');
  return { nodeName: c.nodeName, generatedAt, files, expected };
}

export interface ExampleWriteOptions {
  fs: FileSystem;
  writer?: FileWriter;
}

/**
 * Writes an example tree into `dir`, which must not exist or be an empty folder: an example never replaces
 * anything. Through the atomic writer (generate/write.ts): every file complete or none, keys 0600.
 */
export function writeExampleCluster(dir: string, tree: ExampleTree, options: ExampleWriteOptions): WriteReport {
  const refuse = (message: string): WriteReport => ({
    ok: false,
    written: [],
    notWritten: tree.files.map((f) => path.join(dir, f.path)),
    error: { path: dir, message },
  });
  if (!path.isAbsolute(dir)) return refuse(`${dir}: the example's folder must be an absolute path`);
  const st = options.fs.stat(dir);
  if (st.kind === 'file' || st.kind === 'other') return refuse(`${dir} exists and is not a folder; nothing was written`);
  if (st.kind === 'directory' && options.fs.readDir(dir).length > 0)
    return refuse(`${dir} is not empty; the example goes into a new or empty folder, and nothing was written`);
  if (st.kind === 'missing' && st.reason !== 'no such file') return refuse(`${dir}: ${st.reason}`);
  return writeBatch(
    tree.files.map((f) => ({ path: path.join(dir, ...f.path.split('/')), contents: f.text, mode: f.mode, replace: false })),
    { fs: options.fs, writer: options.writer, allowReplace: false },
  );
}
