// Builds an operator's repository of in-cluster manifests (what `kubectl apply -f` gets, not a node's
// files) at run time, optionally with planted defects: an admission webhook app in namespace `payments`
// (Deployment mounting Secret webhook-tls, Service payments-webhook, ValidatingWebhookConfiguration
// with a caBundle, the TLS Secret), a cert-manager Certificate and ClusterIssuer, and metrics-server's
// APIService with its Deployment, Service and TLS Secret. Nothing generated here is committed:
// certificates expire.
//
//   const r = await buildInCluster(dir, { defects: ['webhook-san-missing'] });
//   r.files['payments/validatingwebhookconfiguration.yaml']  -> absolute path
//   r.defects[0]  -> { defect, code, file, lineIncludes, line, description }
//
// Each defect changes exactly one thing and gives exactly one finding, at `file` / `line` (0-based, the
// line containing `lineIncludes`); with no defects the tree has no finding at all. Used by
// examples/make-example.mjs --in-cluster and test/example-in-cluster.test.mjs.

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generatorOf, loadEngine } from './cluster.mjs';

/** The diagnostic code each planted defect gives. */
export const IN_CLUSTER_DEFECT_CODES = {
  'webhook-san-missing': 'san-missing',
  'apiservice-cabundle-mismatch': 'cabundle-mismatch',
  'secret-key-mismatch': 'key-mismatch',
  'certificate-duration-days': 'duration-invalid',
};

export const IN_CLUSTER_DEFECTS = Object.keys(IN_CLUSTER_DEFECT_CODES);

const DAY = 24 * 60 * 60 * 1000;

const b64 = (s) => Buffer.from(s).toString('base64');

function yaml(lines) {
  return lines.join('\n') + '\n';
}

function clusterIssuer() {
  return yaml([
    "# Let's Encrypt for the public endpoints, HTTP-01 through the nginx ingress controller.",
    'apiVersion: cert-manager.io/v1',
    'kind: ClusterIssuer',
    'metadata:',
    '  name: letsencrypt-prod',
    'spec:',
    '  acme:',
    '    server: https://acme-v02.api.letsencrypt.org/directory',
    '    email: platform@example.com',
    '    privateKeySecretRef:',
    '      name: letsencrypt-prod-account-key',
    '    solvers:',
    '    - http01:',
    '        ingress:',
    '          ingressClassName: nginx',
  ]);
}

function certificate(duration) {
  return yaml([
    "# The public API's certificate (the Ingress for pay.example.com uses Secret payments-api-tls).",
    'apiVersion: cert-manager.io/v1',
    'kind: Certificate',
    'metadata:',
    '  name: payments-api',
    '  namespace: payments',
    'spec:',
    '  secretName: payments-api-tls',
    '  dnsNames:',
    '  - pay.example.com',
    `  duration: ${duration}`,
    '  renewBefore: 720h',
    '  issuerRef:',
    '    name: letsencrypt-prod',
    '    kind: ClusterIssuer',
    '    group: cert-manager.io',
  ]);
}

function deployment({ name, namespace, labelKey, image, args, mountPath, secretName, extra = [] }) {
  return yaml([
    'apiVersion: apps/v1',
    'kind: Deployment',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    '  replicas: 2',
    '  selector:',
    '    matchLabels:',
    `      ${labelKey}: ${name}`,
    '  template:',
    '    metadata:',
    '      labels:',
    `        ${labelKey}: ${name}`,
    '    spec:',
    ...extra,
    '      containers:',
    `      - name: ${name}`,
    `        image: ${image}`,
    '        args:',
    ...args.map((a) => `        - ${a}`),
    '        ports:',
    '        - name: https',
    '          containerPort: 8443',
    '        volumeMounts:',
    '        - name: tls',
    `          mountPath: ${mountPath}`,
    '          readOnly: true',
    '      volumes:',
    '      - name: tls',
    '        secret:',
    `          secretName: ${secretName}`,
  ]);
}

function service({ name, namespace, labelKey }) {
  return yaml([
    'apiVersion: v1',
    'kind: Service',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'spec:',
    '  selector:',
    `    ${labelKey}: ${name}`,
    '  ports:',
    '  - name: https',
    '    port: 443',
    '    targetPort: https',
  ]);
}

function tlsSecret({ comment, name, namespace, crt, key }) {
  return yaml([
    `# ${comment}`,
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    `  name: ${name}`,
    `  namespace: ${namespace}`,
    'type: kubernetes.io/tls',
    'data:',
    `  tls.crt: ${b64(crt)}`,
    `  tls.key: ${b64(key)}`,
  ]);
}

function validatingWebhook(caPem) {
  return yaml([
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingWebhookConfiguration',
    'metadata:',
    '  name: payments-webhook',
    'webhooks:',
    '- name: transfers.payments.example.com',
    '  admissionReviewVersions: ["v1"]',
    '  sideEffects: None',
    '  failurePolicy: Fail',
    '  rules:',
    '  - apiGroups: ["payments.example.com"]',
    '    apiVersions: ["v1"]',
    '    operations: ["CREATE", "UPDATE"]',
    '    resources: ["transfers"]',
    '  clientConfig:',
    '    service:',
    '      name: payments-webhook',
    '      namespace: payments',
    '      path: /validate-transfer',
    '      port: 443',
    `    caBundle: ${b64(caPem)}`,
  ]);
}

function apiService(caPem) {
  return yaml([
    'apiVersion: apiregistration.k8s.io/v1',
    'kind: APIService',
    'metadata:',
    '  name: v1beta1.metrics.k8s.io',
    '  labels:',
    '    k8s-app: metrics-server',
    'spec:',
    '  group: metrics.k8s.io',
    '  version: v1beta1',
    '  groupPriorityMinimum: 100',
    '  versionPriority: 100',
    '  service:',
    '    name: metrics-server',
    '    namespace: kube-system',
    '    port: 443',
    `  caBundle: ${b64(caPem)}`,
  ]);
}

/**
 * Writes the tree under dir. opts: defects (names from IN_CLUSTER_DEFECTS; default none), now (Date),
 * keyType ('rsa-2048'), engine (an engine module or its generator; default dist/engine.js).
 * Returns { dir, files (name -> absolute path), texts, certs, defects }.
 */
export async function buildInCluster(dir, opts = {}) {
  const engine = generatorOf(opts.engine ?? loadEngine());
  const defects = new Set(opts.defects ?? []);
  for (const d of defects) if (!(d in IN_CLUSTER_DEFECT_CODES)) throw new Error(`in-cluster helper: unknown defect ${d}`);
  const has = (d) => defects.has(d);
  const now = opts.now ?? new Date();
  const keyType = opts.keyType ?? 'rsa-2048';
  const ago = (days) => new Date(now.getTime() - days * DAY);
  const issue = (req) => engine.issueCertificate({ keyType, ...req });

  // The payments webhook: its own CA (made with openssl when the webhook was set up) and a serving
  // certificate from it. The planted mistake: the certificate names the Service only by its long form.
  const certs = {};
  certs['payments-webhook-ca'] = await issue({ commonName: 'payments-webhook-ca', isCA: true, now: ago(200) });
  const webhookNames = [
    'payments-webhook',
    'payments-webhook.payments',
    'payments-webhook.payments.svc',
    'payments-webhook.payments.svc.cluster.local',
  ];
  certs['webhook-tls'] = await issue({
    commonName: 'payments-webhook',
    issuer: certs['payments-webhook-ca'],
    extKeyUsage: ['serverAuth'],
    dnsNames: has('webhook-san-missing') ? webhookNames.filter((n) => n !== 'payments-webhook.payments.svc') : webhookNames,
    now: ago(60),
  });

  // metrics-server: its serving certificate was re-issued from a new CA three weeks ago. The planted
  // mistakes: the APIService's caBundle still holds the old CA; the Secret got the new tls.crt but
  // kept the old tls.key.
  certs['metrics-server-ca'] = await issue({ commonName: 'metrics-server-ca', isCA: true, now: ago(400) });
  certs['metrics-server-ca-2'] = await issue({ commonName: 'metrics-server-ca-2', isCA: true, now: ago(21) });
  certs['metrics-server-old'] = await issue({
    commonName: 'metrics-server.kube-system.svc',
    issuer: certs['metrics-server-ca'],
    extKeyUsage: ['serverAuth'],
    dnsNames: ['metrics-server.kube-system.svc'],
    now: ago(400),
    validityDays: 730,
  });
  certs['metrics-server'] = await issue({
    commonName: 'metrics-server.kube-system.svc',
    issuer: certs['metrics-server-ca-2'],
    extKeyUsage: ['serverAuth'],
    dnsNames: ['metrics-server.kube-system.svc'],
    now: ago(21),
  });

  const texts = {
    'cert-manager/clusterissuer.yaml': clusterIssuer(),
    'payments/certificate.yaml': certificate(has('certificate-duration-days') ? '90d' : '2160h'),
    'payments/deployment.yaml': deployment({
      name: 'payments-webhook',
      namespace: 'payments',
      labelKey: 'app',
      image: 'registry.example.com/payments/webhook:1.4.2',
      args: ['--tls-cert-file=/etc/webhook/tls/tls.crt', '--tls-private-key-file=/etc/webhook/tls/tls.key', '--port=8443'],
      mountPath: '/etc/webhook/tls',
      secretName: 'webhook-tls',
    }),
    'payments/service.yaml': service({ name: 'payments-webhook', namespace: 'payments', labelKey: 'app' }),
    'payments/webhook-tls.yaml': tlsSecret({
      comment: "The webhook's serving certificate, from payments-webhook-ca (openssl; see the runbook).",
      name: 'webhook-tls',
      namespace: 'payments',
      crt: certs['webhook-tls'].certPem,
      key: certs['webhook-tls'].key.privateKeyPem,
    }),
    'payments/validatingwebhookconfiguration.yaml': validatingWebhook(certs['payments-webhook-ca'].certPem),
    'metrics-server/apiservice.yaml': apiService(
      (has('apiservice-cabundle-mismatch') ? certs['metrics-server-ca'] : certs['metrics-server-ca-2']).certPem,
    ),
    'metrics-server/deployment.yaml': deployment({
      name: 'metrics-server',
      namespace: 'kube-system',
      labelKey: 'k8s-app',
      image: 'registry.k8s.io/metrics-server/metrics-server:v0.7.2',
      args: [
        '--secure-port=8443',
        '--tls-cert-file=/etc/metrics-server/tls/tls.crt',
        '--tls-private-key-file=/etc/metrics-server/tls/tls.key',
        '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
        '--metric-resolution=15s',
      ],
      mountPath: '/etc/metrics-server/tls',
      secretName: 'metrics-server-tls',
      extra: ['      serviceAccountName: metrics-server', '      priorityClassName: system-cluster-critical'],
    }),
    'metrics-server/service.yaml': service({ name: 'metrics-server', namespace: 'kube-system', labelKey: 'k8s-app' }),
    'metrics-server/tls-secret.yaml': tlsSecret({
      comment: "metrics-server's serving certificate, from metrics-server-ca-2.",
      name: 'metrics-server-tls',
      namespace: 'kube-system',
      crt: certs['metrics-server'].certPem,
      key: (has('secret-key-mismatch') ? certs['metrics-server-old'] : certs['metrics-server']).key.privateKeyPem,
    }),
  };

  const root = path.resolve(dir);
  const files = {};
  for (const [name, text] of Object.entries(texts)) {
    const file = path.join(root, ...name.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, text);
    files[name] = file;
  }

  const where = (name, lineIncludes) => {
    const hits = texts[name].split('\n').flatMap((l, i) => (l.includes(lineIncludes) ? [i] : []));
    if (hits.length !== 1) throw new Error(`in-cluster helper: "${lineIncludes}" occurs ${hits.length} times in ${name}`);
    return { file: files[name], lineIncludes, line: hits[0] };
  };
  const meta = {
    'webhook-san-missing': () => ({
      ...where('payments/validatingwebhookconfiguration.yaml', 'caBundle:'),
      description:
        "the webhook's serving certificate (Secret payments/webhook-tls) lacks payments-webhook.payments.svc, the name the apiserver dials",
    }),
    'apiservice-cabundle-mismatch': () => ({
      ...where('metrics-server/apiservice.yaml', 'caBundle:'),
      description:
        "the APIService's caBundle still holds the old metrics-server-ca, which did not issue the certificate in Secret kube-system/metrics-server-tls",
    }),
    'secret-key-mismatch': () => ({
      ...where('metrics-server/tls-secret.yaml', 'tls.key:'),
      description: "Secret kube-system/metrics-server-tls: tls.key is the old certificate's key, not tls.crt's",
    }),
    'certificate-duration-days': () => ({
      ...where('payments/certificate.yaml', 'duration:'),
      description: 'cert-manager Certificate payments/payments-api has duration: 90d (Go durations have no days: 2160h)',
    }),
  };
  const defectList = IN_CLUSTER_DEFECTS.filter(has).map((d) => ({ defect: d, code: IN_CLUSTER_DEFECT_CODES[d], ...meta[d]() }));
  return { dir: root, now, files, texts, certs, defects: defectList };
}
