// Serving certificates kubeadm leaves to the components (each makes a self-signed one unless told a
// file), referenced from a node tree made by buildCluster: the kubelet's tlsCertFile and
// tlsPrivateKeyFile, the controller-manager's and the scheduler's --tls-cert-file and
// --tls-private-key-file, and optionally the apiserver's --kubelet-certificate-authority. Only the
// references are written: the files are what `kube-pki generate` has to make.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Where the references point, as on the node. */
export const SERVING_PATHS = {
  kubelet: { cert: '/var/lib/kubelet/pki/kubelet-server.crt', key: '/var/lib/kubelet/pki/kubelet-server.key' },
  'kube-controller-manager': { cert: '/etc/kubernetes/pki/kube-controller-manager.crt', key: '/etc/kubernetes/pki/kube-controller-manager.key' },
  'kube-scheduler': { cert: '/etc/kubernetes/pki/kube-scheduler.crt', key: '/etc/kubernetes/pki/kube-scheduler.key' },
};

async function edit(file, change) {
  const text = await readFile(file, 'utf8');
  const next = change(text);
  if (next === text) throw new Error(`serving helper: nothing changed in ${file}`);
  await writeFile(file, next);
}

/** Flags after the command's first item (`- kube-scheduler`) of a static pod manifest. */
function addFlags(text, command, flags) {
  return text.replace(`    - ${command}\n`, `    - ${command}\n${flags.map((f) => `    - --${f}\n`).join('')}`);
}

/**
 * Adds the references to the tree of `cluster` (buildCluster's result). `kubeletCA`: a path (as on the
 * node) for the apiserver's --kubelet-certificate-authority. Returns the absolute paths in the tree:
 * { kubelet: {cert, key}, 'kube-controller-manager': {cert, key}, 'kube-scheduler': {cert, key} }.
 */
export async function referServingCerts(cluster, { kubeletCA } = {}) {
  const P = SERVING_PATHS;
  await edit(path.join(cluster.paths.kubeletDir, 'config.yaml'), (t) => `${t}tlsCertFile: ${P.kubelet.cert}\ntlsPrivateKeyFile: ${P.kubelet.key}\n`);
  for (const component of ['kube-controller-manager', 'kube-scheduler']) {
    await edit(cluster.files[`${component}.yaml`], (t) =>
      addFlags(t, component, [`tls-cert-file=${P[component].cert}`, `tls-private-key-file=${P[component].key}`]),
    );
  }
  if (kubeletCA)
    await edit(cluster.files['kube-apiserver.yaml'], (t) => addFlags(t, 'kube-apiserver', [`kubelet-certificate-authority=${kubeletCA}`]));
  const inTree = (p) => path.join(cluster.dir, p);
  return Object.fromEntries(Object.entries(P).map(([k, v]) => [k, { cert: inTree(v.cert), key: inTree(v.key) }]));
}
