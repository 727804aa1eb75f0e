// The component config files that name a kubeconfig: KubeSchedulerConfiguration (kubescheduler.config.k8s.io, read by
// `kube-scheduler --config`) and KubeProxyConfiguration (kubeproxy.config.k8s.io, `kube-proxy --config`), whose
// `clientConnection.kubeconfig` is the kubeconfig the component loads (component-base's ClientConnectionConfiguration).
// Neither program resolves a relative path against the file's folder (cmd/kube-scheduler/app/options/configfile.go
// and cmd/kube-proxy/app/server.go decode the file and take the path as it is: relative to the process's working
// directory, which no file says), so only an absolute path is a reference. (KubeControllerManagerConfiguration is no
// file kube-controller-manager reads: it has no --config flag, so it names nothing a cluster loads.)
import type { Document, YAMLMap } from 'yaml';
import { asMap, get, getText, nodeRange } from './yamlAst';
import type { ComponentConfigUnit, Reference } from './model';

const kinds: Record<string, ComponentConfigUnit['component']> = {
  KubeSchedulerConfiguration: 'kube-scheduler',
  KubeProxyConfiguration: 'kube-proxy',
};

export function looksLikeComponentConfig(doc: Document, root: YAMLMap): boolean {
  const kind = getText(doc, root, 'kind')?.value ?? '';
  return kind in kinds;
}

export function parseComponentConfig(doc: Document, root: YAMLMap, file: string): ComponentConfigUnit {
  const kind = getText(doc, root, 'kind');
  const objectKind = (kind?.value ?? '') as ComponentConfigUnit['objectKind'];
  const r = nodeRange(root);
  const t = getText(doc, asMap(doc, get(doc, root, 'clientConnection')), 'kubeconfig');
  let kubeconfig: Reference | undefined;
  const value = t?.value.trim() ?? '';
  if (t && value.startsWith('/')) {
    kubeconfig = {
      file,
      span: { start: t.start, end: t.end },
      field: 'clientConnection.kubeconfig',
      expect: 'kubeconfig',
      source: { kind: 'path', path: value, baseDir: '/' },
    };
  }
  return {
    kind: 'component-config',
    file,
    objectKind,
    component: kinds[objectKind],
    span: kind ? { start: kind.start, end: kind.end } : { start: r?.[0] ?? 0, end: r?.[0] ?? 0 },
    ...(kubeconfig ? { kubeconfig } : {}),
  };
}
