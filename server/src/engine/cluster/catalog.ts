// What kube-pki knows about Kubernetes' components, in one place: per component the flags (and, for the kubelet,
// the config fields) that name a certificate, key, CA bundle or kubeconfig; for a certificate flag the key flag
// beside it, the certificate it names (the usages its use demands, who presents it in words, the identity the
// apiserver must see, kubeadm's file for it) and which CA verifies it (who serves, who is a client of whom); for a
// CA flag what it is in words and which of kubeadm's CAs it is; the kubeconfigs kubeadm writes and who loads them.
// Sources: kubeadm's cmd/kubeadm/app/phases/certs/certlist.go and phases/kubeconfig/kubeconfig.go (v1.31: CN, O,
// extended key usage, signer, file names), cmd/kubeadm/app/constants/constants.go, and each component's flags
// (cmd/kube-apiserver/app/options, cmd/kube-controller-manager/app/options, cmd/kube-scheduler/app/options,
// etcd's embed/config.go, the kubelet's KubeletConfiguration).
//
// Everything else derives its tables from here: the manifest parser (which flags are references, and of what),
// the usage, key-pair, trust and identity checks, the hovers (features/context.ts), the inventory's roles
// (inventory/roles.ts), the kubeconfig roles (roles.ts), the well-known user names (knownNames.ts) and kubeadm's
// profiles for generation (generate/profiles.ts, generate/plan/gather.ts).
//
// Adding a flag or a component is one edit in this file: a flag in its component's `flags` (what it names, the
// certificate it names, its key flag, who verifies it, as the neighbours do), a certificate in `certificates`, a
// component's name in `Component` with its entry in `components`. Then add a case (a row) to
// test/catalog.test.mjs, which walks every flag through the parser, the hover, the inventory and the checks. (The
// kubelet's fields are read from its nested config by parse/kubeletConfig.ts: a new one is read there too.)
// Flags are spelled without `--` here; references and messages show them with it (Reference.field: '--tls-cert-file').
/** What a reference names: a certificate, a CA bundle, a private key, a public key, either key, a kubeconfig, a KubeletConfiguration. */
export type Expect = 'cert' | 'ca' | 'key' | 'public-key' | 'key-or-public-key' | 'kubeconfig' | 'kubelet-config';

/** The static pod components kube-pki recognises (by their command or image), each with its entry in `components`. */
export type Component = 'kube-apiserver' | 'etcd' | 'kube-controller-manager' | 'kube-scheduler';

export type Usage = 'serverAuth' | 'clientAuth';

/**
 * kubeadm's three CAs, and the CA an apiserver verifies kubelets' serving certificates with
 * (--kubelet-certificate-authority) when that is a file of its own.
 */
export type CaFamily = 'ca' | 'front-proxy-ca' | 'etcd-ca' | 'kubelet-ca';

export interface CaSpec {
  commonName: string;
  /** Under /etc/kubernetes/pki, without .crt/.key. */
  file: string;
  /** In messages: "the cluster CA". */
  title: string;
  /** The name `kubeadm certs check-expiration` prints, and the inventory's role, for kubeadm's own CAs. */
  kubeadm?: { name: string; label: string };
}

export const cas: Record<CaFamily, CaSpec> = {
  ca: { commonName: 'kubernetes', file: 'ca', title: 'the cluster CA', kubeadm: { name: 'ca', label: 'cluster CA' } },
  'front-proxy-ca': {
    commonName: 'front-proxy-ca',
    file: 'front-proxy-ca',
    title: 'the front-proxy CA',
    kubeadm: { name: 'front-proxy-ca', label: 'front-proxy CA' },
  },
  'etcd-ca': { commonName: 'etcd-ca', file: 'etcd/ca', title: 'the etcd CA', kubeadm: { name: 'etcd-ca', label: 'etcd CA' } },
  'kubelet-ca': { commonName: 'kubelet-serving-ca', file: 'kubelet-ca', title: "the CA of kubelets' serving certificates" },
};

/** How the identity check judges a kubeconfig user's certificate (identity.ts). */
export interface Judged {
  /** 'exact': the CN must be `commonName`; 'node': `nodePrefix` + the node name; 'free': any CN (the groups decide). */
  cn: 'exact' | 'node' | 'free';
  /** What goes wrong when the identity is not the one needed, for messages. */
  denied: string;
}

export interface CertificateSpec {
  /** The component that presents it (the inventory's component column); none for an admin's. */
  component?: string;
  /** Who presents it, in messages and hovers: "kube-apiserver's serving certificate". */
  title: string;
  /** The inventory's role for it: "kube-apiserver serving". */
  label?: string;
  /** The extended key usages its use demands (kubeadm issues exactly these). */
  usages: Usage[];
  /** The CA that signs it on a kubeadm node. */
  signer: CaFamily;
  /** The CN kubeadm gives it, when fixed. */
  commonName?: string;
  /** The CN is the node name after this prefix (the kubelet's 'system:node:', etcd's ''). */
  nodePrefix?: string;
  /** The O values kubeadm gives it. */
  organizations: string[];
  /** The groups it may carry, any of them (the first is what kube-pki generates). */
  groups?: string[];
  /** kubeadm's certificate: the name check-expiration prints and its file under /etc/kubernetes/pki (no extension). */
  kubeadm?: { name: string; file: string };
  /** A client certificate held in a kubeconfig: the file names that say so (kubeadm's first) and who loads it. */
  kubeconfig?: {
    files: string[];
    /** kubeadm writes this kubeconfig (files[0]). */
    kubeadm?: boolean;
    /** `kubeadm certs check-expiration` lists it. */
    expiration?: boolean;
    /** The component whose --kubeconfig loads it. */
    loadedBy?: Component;
    /** What the identity check demands of it. */
    judged: Judged;
  };
}

const nodes =
  'the Node authorizer only serves kubelets that are user system:node:<nodeName> in group system:nodes: the node cannot register or read its pods';

/** The certificates of a cluster, by the role kube-pki plans them under (generate/profiles.ts LeafRole). */
export const certificates = {
  apiserver: {
    component: 'kube-apiserver',
    title: "kube-apiserver's serving certificate",
    label: 'kube-apiserver serving',
    usages: ['serverAuth'],
    signer: 'ca',
    commonName: 'kube-apiserver',
    organizations: [],
    kubeadm: { name: 'apiserver', file: 'apiserver' },
  },
  'apiserver-kubelet-client': {
    component: 'kube-apiserver',
    title: "kube-apiserver's client certificate for kubelets",
    label: 'apiserver → kubelet client',
    usages: ['clientAuth'],
    signer: 'ca',
    commonName: 'kube-apiserver-kubelet-client',
    organizations: ['kubeadm:cluster-admins'],
    kubeadm: { name: 'apiserver-kubelet-client', file: 'apiserver-kubelet-client' },
  },
  'front-proxy-client': {
    component: 'kube-apiserver',
    title: "kube-apiserver's front-proxy client certificate",
    label: 'front-proxy client',
    usages: ['clientAuth'],
    signer: 'front-proxy-ca',
    commonName: 'front-proxy-client',
    organizations: [],
    kubeadm: { name: 'front-proxy-client', file: 'front-proxy-client' },
  },
  'apiserver-etcd-client': {
    component: 'kube-apiserver',
    title: "kube-apiserver's client certificate for etcd",
    label: 'apiserver → etcd client',
    usages: ['clientAuth'],
    signer: 'etcd-ca',
    commonName: 'kube-apiserver-etcd-client',
    organizations: [],
    kubeadm: { name: 'apiserver-etcd-client', file: 'apiserver-etcd-client' },
  },
  // etcd's server and peer certificates have both usages (kubeadm certlist.go).
  'etcd-server': {
    component: 'etcd',
    title: "etcd's server certificate",
    label: 'etcd serving',
    usages: ['serverAuth', 'clientAuth'],
    signer: 'etcd-ca',
    nodePrefix: '',
    organizations: [],
    kubeadm: { name: 'etcd-server', file: 'etcd/server' },
  },
  'etcd-peer': {
    component: 'etcd',
    title: "etcd's peer certificate",
    label: 'etcd peer',
    usages: ['serverAuth', 'clientAuth'],
    signer: 'etcd-ca',
    nodePrefix: '',
    organizations: [],
    kubeadm: { name: 'etcd-peer', file: 'etcd/peer' },
  },
  'etcd-healthcheck-client': {
    component: 'etcd',
    title: "etcd's health-check client certificate",
    label: 'etcd healthcheck client',
    usages: ['clientAuth'],
    signer: 'etcd-ca',
    commonName: 'kube-etcd-healthcheck-client',
    organizations: [],
    kubeadm: { name: 'etcd-healthcheck-client', file: 'etcd/healthcheck-client' },
  },
  admin: {
    title: 'the admin client certificate',
    usages: ['clientAuth'],
    signer: 'ca',
    commonName: 'kubernetes-admin',
    organizations: ['kubeadm:cluster-admins'],
    // kubeadm:cluster-admins since v1.29, system:masters before: either is admin.
    groups: ['kubeadm:cluster-admins', 'system:masters'],
    kubeconfig: {
      files: ['admin.conf'],
      kubeadm: true,
      expiration: true,
      judged: {
        cn: 'free',
        denied: 'this admin gets 403 Forbidden on everything (kubeadm binds cluster-admin to kubeadm:cluster-admins; system:masters is always admin)',
      },
    },
  },
  'super-admin': {
    title: 'the super-admin client certificate',
    usages: ['clientAuth'],
    signer: 'ca',
    commonName: 'kubernetes-super-admin',
    organizations: ['system:masters'],
    groups: ['system:masters'],
    kubeconfig: {
      files: ['super-admin.conf'],
      kubeadm: true,
      expiration: true,
      judged: { cn: 'free', denied: 'it is not the break-glass admin it should be (system:masters bypasses RBAC)' },
    },
  },
  'controller-manager': {
    component: 'kube-controller-manager',
    title: "kube-controller-manager's client certificate",
    usages: ['clientAuth'],
    signer: 'ca',
    commonName: 'system:kube-controller-manager',
    organizations: [],
    kubeconfig: {
      files: ['controller-manager.conf'],
      kubeadm: true,
      expiration: true,
      loadedBy: 'kube-controller-manager',
      judged: { cn: 'exact', denied: 'RBAC grants nothing to that user: kube-controller-manager gets 403 Forbidden and no controller runs' },
    },
  },
  scheduler: {
    component: 'kube-scheduler',
    title: "kube-scheduler's client certificate",
    usages: ['clientAuth'],
    signer: 'ca',
    commonName: 'system:kube-scheduler',
    organizations: [],
    kubeconfig: {
      files: ['scheduler.conf'],
      kubeadm: true,
      expiration: true,
      loadedBy: 'kube-scheduler',
      judged: { cn: 'exact', denied: 'RBAC grants nothing to that user: kube-scheduler gets 403 Forbidden and schedules nothing' },
    },
  },
  kubelet: {
    component: 'kubelet',
    title: "the kubelet's client certificate",
    usages: ['clientAuth'],
    signer: 'ca',
    nodePrefix: 'system:node:',
    organizations: ['system:nodes'],
    groups: ['system:nodes'],
    kubeconfig: { files: ['kubelet.conf'], kubeadm: true, judged: { cn: 'node', denied: nodes } },
  },
  // Serving certificates kubeadm leaves to the components (self-signed unless tlsCertFile / --tls-cert-file name
  // one). The kubelet's is what its serverTLSBootstrap CSR asks for (pkg/kubelet/certificate/kubelet.go):
  // system:node:<nodeName> in system:nodes, serverAuth, the node's names and IPs. The controller-manager's and
  // scheduler's are named after the component and serve localhost/127.0.0.1 (their self-signed default) and the
  // node name.
  'kubelet-serving': {
    component: 'kubelet',
    title: "the kubelet's serving certificate",
    label: 'kubelet serving',
    usages: ['serverAuth'],
    signer: 'ca',
    nodePrefix: 'system:node:',
    organizations: ['system:nodes'],
    groups: ['system:nodes'],
  },
  'controller-manager-serving': {
    component: 'kube-controller-manager',
    title: "kube-controller-manager's serving certificate",
    label: 'kube-controller-manager serving',
    usages: ['serverAuth'],
    signer: 'ca',
    commonName: 'kube-controller-manager',
    organizations: [],
  },
  'scheduler-serving': {
    component: 'kube-scheduler',
    title: "kube-scheduler's serving certificate",
    label: 'kube-scheduler serving',
    usages: ['serverAuth'],
    signer: 'ca',
    commonName: 'kube-scheduler',
    organizations: [],
  },
  'kube-proxy': {
    component: 'kube-proxy',
    title: "kube-proxy's client certificate",
    usages: ['clientAuth'],
    signer: 'ca',
    commonName: 'system:kube-proxy',
    organizations: [],
    kubeconfig: {
      files: ['kube-proxy.conf', 'kubeproxy.conf', 'proxy.conf'],
      judged: { cn: 'exact', denied: 'RBAC grants nothing to that user: kube-proxy cannot watch Services' },
    },
  },
  user: { title: 'a user client certificate', usages: ['clientAuth'], signer: 'ca', organizations: [] },
} satisfies Record<string, CertificateSpec>;

export type CertificateName = keyof typeof certificates;

/** The certificates a kubeconfig holds for a role (kubeconfig roles: 'admin', 'scheduler', ...). */
export type KubeconfigRole = { [K in CertificateName]: (typeof certificates)[K] extends { kubeconfig: object } ? K : never }[CertificateName];

/** The certificate of a role, typed as the interface (the table above keeps its literal keys). */
export function certificate(name: CertificateName): CertificateSpec {
  return certificates[name];
}

/** Who verifies the certificate a flag names: a CA flag of another component (the nearest one) or of its own. */
export interface Verifier {
  /**
   * The component holding the CA (`self`: the same manifest; `peers`: every member of the same component, each
   * with its own copy of the flag, as etcd's members verify each other's peer certificates).
   */
  by: Component | 'kubelet' | 'self' | 'peers';
  /** The CA's flag (no dashes) or config field. */
  field: string;
  /** Where a failed verification is reported: on the certificate's line or on the CA's. */
  reportOn: 'cert' | 'ca';
  /** What the cluster does when the certificate does not chain to that CA. */
  consequence: string;
  /**
   * The extended key usages the verifier asks for, each in a handshake of its own: Go's crypto/tls verifies a
   * server's certificate for serverAuth and a client's for clientAuth (handshake_client.go, handshake_server.go),
   * and crypto/x509 carries each CA's extended key usage down the chain (checkChainForKeyUsage).
   */
  usages: Usage[];
  /**
   * false: kube-pki check reports no untrusted-issuer of its own for this handshake (checks/trust.ts skips it);
   * rotation (generate/rotate/connections.ts) still keeps it working through every stage.
   */
  finding?: false;
}

export interface FlagSpec {
  /** What the flag's path names. */
  names: Expect;
  /** A certificate flag: the certificate it names. */
  certificate?: CertificateName;
  /** A certificate flag, or a CA flag whose CA signs: the flag naming the private key (used together). */
  key?: string;
  /** A CA flag: the inventory's role for the CA ("cluster CA"). */
  label?: string;
  /** A CA or key flag: what it is, for hovers ("{c}": the component). */
  says?: string;
  /** A CA flag: which of kubeadm's CAs it is, for generation. */
  ca?: CaFamily;
  /** Generation gathers this CA after all others, so that a file known as another CA keeps that role. */
  caLast?: boolean;
  /** A certificate flag: the CA flags that verify it. */
  verifiedBy?: Verifier[];
  /**
   * A certificate flag: the CA that signs its replacement (generation), the first of these found: a CA flag of the
   * nearest component (or kubelet) that verifies it, else one of its own component's. Without it the signer is
   * chosen by generate/plan/signers.ts (the kubelet's serving certificate, kubeconfig users) or by kubeadm's family.
   */
  signedBy?: { by: Component | 'kubelet' | 'self'; field: string }[];
  /** A service account token key (generation plans the key pair). */
  serviceAccount?: boolean;
}

export interface ComponentSpec {
  /** Flags of the static pod, without dashes, in the order generation gathers them. */
  flags: Record<string, FlagSpec>;
}

const clientCaFile: FlagSpec = { names: 'ca', ca: 'ca', label: 'cluster CA', says: 'the CA {c} trusts for client certificates' };
const requestheaderClientCaFile: FlagSpec = {
  names: 'ca',
  ca: 'front-proxy-ca',
  label: 'front-proxy CA',
  says: 'the CA {c} trusts for front-proxy (request header) clients',
};
const kubeconfig: FlagSpec = { names: 'kubeconfig' };
const key: FlagSpec = { names: 'key' };

/** The static pod components and the flags of theirs kube-pki reads. */
export const components: Record<Component, ComponentSpec> = {
  'kube-apiserver': {
    flags: {
      'client-ca-file': clientCaFile,
      'requestheader-client-ca-file': requestheaderClientCaFile,
      'etcd-cafile': {
        names: 'ca',
        ca: 'etcd-ca',
        label: 'etcd CA',
        says: 'the CA kube-apiserver verifies etcd with',
      },
      'kubelet-certificate-authority': {
        names: 'ca',
        ca: 'kubelet-ca',
        caLast: true,
        label: 'kubelet CA',
        says: "the CA kube-apiserver verifies kubelets' serving certificates with",
      },
      'tls-cert-file': {
        names: 'cert',
        certificate: 'apiserver',
        signedBy: [{ by: 'self', field: 'client-ca-file' }],
        key: 'tls-private-key-file',
        // Pods verify the apiserver with the CA the controller-manager publishes (--root-ca-file: the ca.crt of
        // every service account token and of the kube-root-ca.crt ConfigMap), at kubernetes.default.svc.
        verifiedBy: [
          {
            by: 'kube-controller-manager',
            field: 'root-ca-file',
            reportOn: 'cert',
            consequence: 'pods will not trust the apiserver: in-cluster clients fail with "x509: certificate signed by unknown authority"',
            usages: ['serverAuth'],
          },
        ],
      },
      'tls-private-key-file': key,
      'kubelet-client-certificate': {
        names: 'cert',
        certificate: 'apiserver-kubelet-client',
        signedBy: [
          { by: 'kubelet', field: 'authentication.x509.clientCAFile' },
          { by: 'self', field: 'client-ca-file' },
        ],
        key: 'kubelet-client-key',
        verifiedBy: [
          {
            by: 'kubelet',
            field: 'authentication.x509.clientCAFile',
            reportOn: 'cert',
            consequence: 'kubelets will reject the apiserver: kubectl logs/exec/port-forward fail with "Unauthorized"',
            usages: ['clientAuth'],
          },
        ],
      },
      'kubelet-client-key': key,
      'proxy-client-cert-file': {
        names: 'cert',
        certificate: 'front-proxy-client',
        signedBy: [{ by: 'self', field: 'requestheader-client-ca-file' }],
        key: 'proxy-client-key-file',
        verifiedBy: [
          {
            by: 'self',
            field: 'requestheader-client-ca-file',
            reportOn: 'cert',
            consequence: 'extension API servers will reject proxied requests',
            usages: ['clientAuth'],
          },
          // The controller-manager and the scheduler authenticate the front proxy's requests with their own
          // --requestheader-client-ca-file (delegated authentication, k8s.io/apiserver/pkg/authentication/request/headerrequest).
          {
            by: 'kube-controller-manager',
            field: 'requestheader-client-ca-file',
            reportOn: 'cert',
            consequence: 'kube-controller-manager will reject requests the front proxy forwards',
            usages: ['clientAuth'],
            finding: false,
          },
          {
            by: 'kube-scheduler',
            field: 'requestheader-client-ca-file',
            reportOn: 'cert',
            consequence: 'kube-scheduler will reject requests the front proxy forwards',
            usages: ['clientAuth'],
            finding: false,
          },
        ],
      },
      'proxy-client-key-file': key,
      'etcd-certfile': {
        names: 'cert',
        certificate: 'apiserver-etcd-client',
        signedBy: [
          { by: 'etcd', field: 'trusted-ca-file' },
          { by: 'self', field: 'etcd-cafile' },
        ],
        key: 'etcd-keyfile',
        verifiedBy: [
          {
            by: 'etcd',
            field: 'trusted-ca-file',
            reportOn: 'cert',
            consequence: 'etcd will refuse the apiserver (tls: bad certificate) and the apiserver cannot start',
            usages: ['clientAuth'],
          },
        ],
      },
      'etcd-keyfile': key,
      'service-account-key-file': {
        names: 'key-or-public-key',
        serviceAccount: true,
        says: "kube-apiserver's service account token verification keys",
      },
      'service-account-signing-key-file': { names: 'key', serviceAccount: true, says: "kube-apiserver's service account token signing key" },
      'oidc-ca-file': { names: 'ca', label: 'OIDC CA', says: "the OIDC issuer's CA" },
    },
  },
  etcd: {
    flags: {
      'trusted-ca-file': { names: 'ca', ca: 'etcd-ca', label: 'etcd CA', says: 'the CA etcd trusts for client certificates' },
      'peer-trusted-ca-file': { names: 'ca', ca: 'etcd-ca', label: 'etcd CA', says: 'the CA etcd trusts for peer certificates' },
      'cert-file': {
        names: 'cert',
        certificate: 'etcd-server',
        signedBy: [
          { by: 'kube-apiserver', field: 'etcd-cafile' },
          { by: 'self', field: 'trusted-ca-file' },
        ],
        key: 'key-file',
        verifiedBy: [
          {
            by: 'kube-apiserver',
            field: 'etcd-cafile',
            reportOn: 'ca',
            consequence: "the apiserver will not trust etcd's server certificate and cannot start",
            usages: ['serverAuth'],
          },
        ],
      },
      'key-file': key,
      'peer-cert-file': {
        names: 'cert',
        certificate: 'etcd-peer',
        signedBy: [{ by: 'self', field: 'peer-trusted-ca-file' }],
        key: 'peer-key-file',
        verifiedBy: [
          {
            by: 'peers',
            field: 'peer-trusted-ca-file',
            reportOn: 'cert',
            consequence: 'etcd members will refuse each other and the cluster loses quorum',
            usages: ['serverAuth', 'clientAuth'],
          },
        ],
      },
      'peer-key-file': key,
    },
  },
  'kube-controller-manager': {
    flags: {
      kubeconfig,
      'authentication-kubeconfig': kubeconfig,
      'authorization-kubeconfig': kubeconfig,
      'cluster-signing-cert-file': {
        names: 'ca',
        ca: 'ca',
        key: 'cluster-signing-key-file',
        label: 'cluster CA',
        says: 'the CA kube-controller-manager signs approved CSRs with',
      },
      'cluster-signing-key-file': key,
      'client-ca-file': clientCaFile,
      'root-ca-file': {
        names: 'ca',
        ca: 'ca',
        label: 'cluster CA',
        says: 'the root CA kube-controller-manager puts into service account token secrets',
      },
      'requestheader-client-ca-file': requestheaderClientCaFile,
      'cluster-signing-kubelet-serving-cert-file': {
        names: 'ca',
        key: 'cluster-signing-kubelet-serving-key-file',
        label: 'kubelet serving signer CA',
        says: 'the CA kube-controller-manager signs kubelet serving CSRs with',
      },
      'cluster-signing-kubelet-serving-key-file': key,
      'cluster-signing-kubelet-client-cert-file': {
        names: 'ca',
        key: 'cluster-signing-kubelet-client-key-file',
        label: 'kubelet client signer CA',
        says: 'the CA kube-controller-manager signs kubelet client CSRs with',
      },
      'cluster-signing-kubelet-client-key-file': key,
      'cluster-signing-kube-apiserver-client-cert-file': {
        names: 'ca',
        key: 'cluster-signing-kube-apiserver-client-key-file',
        label: 'apiserver client signer CA',
        says: 'the CA kube-controller-manager signs apiserver client CSRs with',
      },
      'cluster-signing-kube-apiserver-client-key-file': key,
      'cluster-signing-legacy-unknown-cert-file': {
        names: 'ca',
        key: 'cluster-signing-legacy-unknown-key-file',
        label: 'legacy-unknown signer CA',
        says: 'the CA kube-controller-manager signs legacy-unknown CSRs with',
      },
      'cluster-signing-legacy-unknown-key-file': key,
      'service-account-private-key-file': { names: 'key', serviceAccount: true, says: "kube-controller-manager's service account token signing key" },
      'tls-cert-file': {
        names: 'cert',
        certificate: 'controller-manager-serving',
        key: 'tls-private-key-file',
        signedBy: [{ by: 'self', field: 'client-ca-file' }],
      },
      'tls-private-key-file': key,
    },
  },
  'kube-scheduler': {
    flags: {
      kubeconfig,
      'authentication-kubeconfig': kubeconfig,
      'authorization-kubeconfig': kubeconfig,
      'client-ca-file': clientCaFile,
      'requestheader-client-ca-file': requestheaderClientCaFile,
      'tls-cert-file': {
        names: 'cert',
        certificate: 'scheduler-serving',
        key: 'tls-private-key-file',
        signedBy: [{ by: 'self', field: 'client-ca-file' }],
      },
      'tls-private-key-file': key,
    },
  },
};

/**
 * The kubelet's config file (KubeletConfiguration, parse/kubeletConfig.ts): its fields, as references name them
 * (the path of keys). The kubelet's serving certificate is verified by the apiserver's --kubelet-certificate-authority.
 */
export const kubeletFields: Record<string, FlagSpec> = {
  'authentication.x509.clientCAFile': { names: 'ca', ca: 'ca', label: 'cluster CA', says: 'the CA the kubelet trusts for client certificates' },
  tlsCertFile: {
    names: 'cert',
    certificate: 'kubelet-serving',
    key: 'tlsPrivateKeyFile',
    verifiedBy: [
      {
        by: 'kube-apiserver',
        field: 'kubelet-certificate-authority',
        reportOn: 'ca',
        consequence: "the apiserver will not trust the kubelet's serving certificate: kubectl logs/exec fail",
        usages: ['serverAuth'],
      },
    ],
  },
  tlsPrivateKeyFile: { names: 'key', says: "the kubelet's serving key" },
};

/**
 * The kubelet's command-line flags that name files (cmd/kubelet/app/options/options.go): each with the config field
 * it stands for (the flag wins over the file, pkg/kubelet/apis/config: flags are applied after --config). The
 * --bootstrap-kubeconfig is left out: after TLS bootstrap it is no longer read, and kubeadm deletes it.
 */
export const kubeletFlags: Record<string, { names: Expect; field?: keyof typeof kubeletFields & string }> = {
  config: { names: 'kubelet-config' },
  kubeconfig: { names: 'kubeconfig' },
  'client-ca-file': { names: 'ca', field: 'authentication.x509.clientCAFile' },
  'tls-cert-file': { names: 'cert', field: 'tlsCertFile' },
  'tls-private-key-file': { names: 'key', field: 'tlsPrivateKeyFile' },
};

/**
 * kubeadm's service account key pair below certificatesDir, which --service-account-key-file,
 * --service-account-signing-key-file and --service-account-private-key-file name (cmd/kubeadm/app/constants:
 * ServiceAccountPrivateKeyName, ServiceAccountPublicKeyName).
 */
export const serviceAccountKeyFiles = { key: 'sa.key', pub: 'sa.pub' } as const;

/** CA fields of other files: a kubeconfig's cluster CA, a webhook's caBundle (the inventory's roles). */
export const otherCaFields: Readonly<Record<string, string>> = {
  'certificate-authority': 'cluster CA',
  'certificate-authority-data': 'cluster CA',
  caBundle: 'webhook CA bundle',
};

/** A kubeconfig user's client certificate is verified by the --client-ca-file of the apiservers its clusters dial. */
export const kubeconfigClientVerifier = { by: 'kube-apiserver', field: 'client-ca-file' } as const;

/** A kubeconfig cluster's certificate-authority(-data) verifies the serving certificate of the apiservers it dials (serverAuth). */
export const kubeconfigServerCertificate = { component: 'kube-apiserver', field: 'tls-cert-file' } as const;

/** A handshake: whose certificate the CA of whom verifies (from the flags' `verifiedBy`). */
export interface Verification {
  cert: { component: string; field: string };
  ca: { component: string; field: string };
  /** The CA is the same unit's (etcd's peers, the apiserver's front proxy). */
  sameUnit: boolean;
  /** The CA is every member's of the same component (etcd's peers): the unit's own, and its peers' copies. */
  peers: boolean;
  reportOn: 'cert' | 'ca';
  consequence: string;
  /** The extended key usages the verifier asks for, each in a handshake of its own (Verifier.usages). */
  usages: Usage[];
  /** false: no untrusted-issuer finding of its own (see Verifier.finding). */
  finding: boolean;
}

/** Every handshake the catalog names (`verifiedBy`): the certificate's side and the CA's. */
export const verifications: Verification[] = [
  ...Object.entries(components).flatMap(([component, spec]) => Object.entries(spec.flags).map(([field, f]) => ({ component, field, f }))),
  ...Object.entries(kubeletFields).map(([field, f]) => ({ component: 'kubelet', field, f })),
].flatMap(({ component, field, f }) =>
  (f.verifiedBy ?? []).map((v) => ({
    cert: { component, field },
    ca: { component: v.by === 'self' || v.by === 'peers' ? component : v.by, field: v.field },
    sameUnit: v.by === 'self' || v.by === 'peers',
    peers: v.by === 'peers',
    reportOn: v.reportOn,
    consequence: v.consequence,
    usages: v.usages,
    finding: v.finding !== false,
  })),
);

/** The catalog's entry for a component's flag (`field` with or without `--`). */
export function componentFlag(component: string, field: string): FlagSpec | undefined {
  const spec = (components as Record<string, ComponentSpec | undefined>)[component];
  if (!spec) return undefined;
  const name = field.startsWith('--') ? field.slice(2) : field;
  return Object.prototype.hasOwnProperty.call(spec.flags, name) ? spec.flags[name] : undefined;
}

/** Every component flag, in catalog order. */
export function flagsOf(component: Component): [string, FlagSpec][] {
  return Object.entries(components[component].flags);
}

/** The component flag naming the certificate of a role, and its entry (undefined for roles no component flag names). */
export function certificateFlag(role: string): { component: Component; field: string; spec: FlagSpec } | undefined {
  for (const [component, c] of Object.entries(components) as [Component, ComponentSpec][])
    for (const [field, spec] of Object.entries(c.flags)) if (spec.certificate === role) return { component, field, spec };
  return undefined;
}
