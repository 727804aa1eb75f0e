export interface KubeconfigOptions {
  clusterName: string;
  server: string;
  caPem?: string;
  caPath?: string;
  userName: string;
  certPem?: string;
  keyPem?: string;
  certPath?: string;
  keyPath?: string;
  /** default: `${userName}@${clusterName}` (kubeadm's naming) */
  contextName?: string;
}

function b64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

/** YAML-safe plain scalar or a double-quoted one. */
function scalar(v: string): string {
  if (
    /^[A-Za-z0-9_./@:+-][A-Za-z0-9_./@:+=-]*$/.test(v) &&
    !/^(true|false|null|yes|no|on|off|~|[-+]?\d[\d.]*)$/i.test(v) &&
    !v.includes(': ') &&
    !v.endsWith(':')
  ) {
    return v;
  }
  return JSON.stringify(v);
}

/**
 * A kubeconfig laid out exactly as kubeadm writes it (clientcmd's serialisation of a v1 Config:
 * keys sorted, `preferences: {}`), with *-data fields holding the base64 of the PEM text.
 * Every field given is written, in clientcmd's field order (client-certificate before
 * client-certificate-data, ...), so giving both a path and PEM data produces the conflicting
 * pair some tests need.
 */
export function kubeconfigText(opts: KubeconfigOptions): string {
  const context = opts.contextName ?? `${opts.userName}@${opts.clusterName}`;
  const lines: string[] = [];
  lines.push('apiVersion: v1');
  lines.push('clusters:');
  lines.push('- cluster:');
  if (opts.caPath !== undefined) lines.push(`    certificate-authority: ${scalar(opts.caPath)}`);
  if (opts.caPem !== undefined) lines.push(`    certificate-authority-data: ${b64(opts.caPem)}`);
  lines.push(`    server: ${scalar(opts.server)}`);
  lines.push(`  name: ${scalar(opts.clusterName)}`);
  lines.push('contexts:');
  lines.push('- context:');
  lines.push(`    cluster: ${scalar(opts.clusterName)}`);
  lines.push(`    user: ${scalar(opts.userName)}`);
  lines.push(`  name: ${scalar(context)}`);
  lines.push(`current-context: ${scalar(context)}`);
  lines.push('kind: Config');
  lines.push('preferences: {}');
  lines.push('users:');
  lines.push(`- name: ${scalar(opts.userName)}`);
  const user: string[] = [];
  if (opts.certPath !== undefined) user.push(`    client-certificate: ${scalar(opts.certPath)}`);
  if (opts.certPem !== undefined) user.push(`    client-certificate-data: ${b64(opts.certPem)}`);
  if (opts.keyPath !== undefined) user.push(`    client-key: ${scalar(opts.keyPath)}`);
  if (opts.keyPem !== undefined) user.push(`    client-key-data: ${b64(opts.keyPem)}`);
  if (user.length) {
    lines.push('  user:');
    lines.push(...user);
  } else {
    lines.push('  user: {}');
  }
  return lines.join('\n') + '\n';
}
