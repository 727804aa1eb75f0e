// A GitOps monorepo made at run time: `apps` applications of ordinary workloads (a Deployment, a Service, a
// ConfigMap and a kustomization each: four YAML files), among which a few kubeadm node trees with planted
// defects (test/helpers/cluster.mjs) and TLS Secrets are spread, sorted after `apps/` on purpose (a walk that
// stops early by name misses them). Used by test/monorepo.test.mjs and by `npm run bench` (bench/run.mjs).
//
//   const repo = await buildMonorepo(dir, { files: 20_000, nodeTrees: 2, tlsSecrets: 10 });
//   repo.defects: every planted defect ({ code, file, line }) a check of the whole repository must report
//   repo.yamlFiles: how many YAML files were written
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCluster, generatorOf, loadEngine } from './cluster.mjs';

/** The defects planted in the node trees, in turn: each changes one certificate, reported on one line. */
const TREE_DEFECTS = [
  ['scheduler-cn-typo', 'admin-org-typo', 'controller-manager-expired'],
  ['apiserver-san-missing', 'admin-no-clientauth'],
  ['etcd-san-missing', 'kubelet-wrong-group'],
];

function deployment(name, ns) {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${ns}
  labels:
    app.kubernetes.io/name: ${name}
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: ${name}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ${name}
    spec:
      containers:
        - name: app
          image: registry.example.com/${ns}/${name}:1.4.2
          args: ["--port=8080", "--log-level=info"]
          ports:
            - containerPort: 8080
          envFrom:
            - configMapRef:
                name: ${name}-config
          resources:
            requests: { cpu: 50m, memory: 64Mi }
          readinessProbe:
            httpGet: { path: /healthz, port: 8080 }
`;
}

const service = (name, ns) => `apiVersion: v1
kind: Service
metadata:
  name: ${name}
  namespace: ${ns}
spec:
  selector:
    app.kubernetes.io/name: ${name}
  ports:
    - port: 80
      targetPort: 8080
`;

const configMap = (name, ns) => `apiVersion: v1
kind: ConfigMap
metadata:
  name: ${name}-config
  namespace: ${ns}
data:
  LOG_FORMAT: json
  FEATURE_FLAGS: "search,export"
  UPSTREAM_URL: http://${name}-upstream.${ns}.svc:8080
`;

const kustomization = (ns) => `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: ${ns}
resources:
  - deployment.yaml
  - service.yaml
  - configmap.yaml
`;

/**
 * Writes the repository under `dir`. `files`: about how many YAML files of ordinary workloads (a multiple of 4);
 * `nodeTrees`: kubeadm node trees under `clusters/` with planted defects; `tlsSecrets`: `kubernetes.io/tls`
 * Secrets, one of them expired (a planted `cert-expired`). `engine`: the engine module (its generator).
 */
export async function buildMonorepo(dir, { files = 20_000, nodeTrees = 2, tlsSecrets = 4, now = new Date(), engine } = {}) {
  const apps = Math.ceil(files / 4);
  const made = new Set();
  const mk = (d) => {
    if (made.has(d)) return;
    mkdirSync(d, { recursive: true });
    made.add(d);
  };
  let yamlFiles = 0;
  for (let i = 0; i < apps; i++) {
    const team = `team-${String(i % 50).padStart(2, '0')}`;
    const name = `app-${String(i).padStart(6, '0')}`;
    const d = path.join(dir, 'apps', team, name);
    mk(d);
    writeFileSync(path.join(d, 'deployment.yaml'), deployment(name, team));
    writeFileSync(path.join(d, 'service.yaml'), service(name, team));
    writeFileSync(path.join(d, 'configmap.yaml'), configMap(name, team));
    writeFileSync(path.join(d, 'kustomization.yaml'), kustomization(team));
    yamlFiles += 4;
  }
  const defects = [];
  const trees = [];
  for (let t = 0; t < nodeTrees; t++) {
    const c = await buildCluster(path.join(dir, 'clusters', `site-${t + 1}`, 'cp1'), {
      nodeName: `cp${t + 1}`,
      advertiseAddress: `10.${t}.0.11`,
      defects: TREE_DEFECTS[t % TREE_DEFECTS.length],
      now,
      ...(engine ? { engine } : {}),
    });
    trees.push(c);
    for (const d of c.defects) defects.push({ code: d.code, file: d.file, line: d.line, defect: d.defect });
  }
  const secrets = [];
  if (tlsSecrets > 0) {
    const g = generatorOf(engine ?? loadEngine());
    const caCert = await g.issueCertificate({ commonName: 'platform-ca', isCA: true, keyType: 'ecdsa-p256', now });
    for (let s = 0; s < tlsSecrets; s++) {
      const expired = s === 0;
      const leaf = await g.issueCertificate({
        commonName: `ingress-${s}.example.com`,
        dnsNames: [`ingress-${s}.example.com`],
        keyType: 'ecdsa-p256',
        issuer: caCert,
        extKeyUsage: ['serverAuth'],
        now,
        ...(expired ? { notBefore: new Date(now.getTime() - 400 * 86400_000), notAfter: new Date(now.getTime() - 30 * 86400_000) } : {}),
      });
      const b64 = (x) => Buffer.from(x).toString('base64');
      const file = path.join(dir, 'platform', 'ingress', `tls-${s}.yaml`);
      mk(path.dirname(file));
      const text = `apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: ingress-${s}-tls
  namespace: ingress
data:
  tls.crt: ${b64(leaf.certPem)}
  tls.key: ${b64(leaf.key.privateKeyPem)}
`;
      writeFileSync(file, text);
      yamlFiles++;
      secrets.push(file);
      if (expired)
        defects.push({ code: 'cert-expired', file, line: text.split('\n').findIndex((l) => l.includes('tls.crt:')), defect: 'tls-secret-expired' });
    }
  }
  return { dir, yamlFiles, defects, trees, secrets };
}
