// The real programs the generated certificates are proven with: Debian's etcd-server, etcd-client and
// kubernetes-client (installed by .ci/run). Debian's kubectl is taken from where .ci/run unpacks it
// when /usr/bin/kubectl belongs to another package; $KUBE_PKI_KUBECTL, $KUBE_PKI_ETCD and
// $KUBE_PKI_ETCDCTL override. A missing program is a test failure, never a skip.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const DEBIAN_KUBECTL_DIR = '/opt/kube-pki-test-tools/kubernetes-client';

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function tool(name) {
  const env = { kubectl: 'KUBE_PKI_KUBECTL', etcd: 'KUBE_PKI_ETCD', etcdctl: 'KUBE_PKI_ETCDCTL' }[name];
  if (env && process.env[env]) return process.env[env];
  if (name === 'kubectl' && existsSync(`${DEBIAN_KUBECTL_DIR}/usr/bin/kubectl`)) return `${DEBIAN_KUBECTL_DIR}/usr/bin/kubectl`;
  const found = which(name);
  if (!found) throw new Error(`${name} is not installed: .ci/run installs it (apt-get install etcd-server etcd-client kubernetes-client)`);
  return found;
}

/**
 * Runs a program without blocking this process (a TLS endpoint the test serves from here keeps answering):
 * resolves with its exit status and its stdout and stderr together; killed after `timeout` ms.
 */
export function runAsync(cmd, args, { cwd, env, timeout = 60_000 } = {}) {
  return new Promise((resolve) => {
    const p = spawn(cmd, args, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), timeout);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, out });
    });
  });
}
