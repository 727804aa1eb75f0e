// KubeletConfiguration: the client CA it trusts and its serving certificate. Relative paths are
// relative to the config file's folder, as the kubelet resolves them.
import * as path from 'node:path';
import type { Document, YAMLMap } from 'yaml';
import { asMap, boolValue, get, getText, keyRange, nodeRange } from './yamlAst';
import type { Expect, KubeletConfigUnit, Reference } from './model';

export function looksLikeKubeletConfig(doc: Document, root: YAMLMap): boolean {
  return getText(doc, root, 'kind')?.value === 'KubeletConfiguration';
}

function ref(doc: Document, map: YAMLMap | undefined, key: string, field: string, expect: Expect, file: string): Reference | undefined {
  const t = getText(doc, map, key);
  if (!t || t.value.trim() === '') return undefined;
  return {
    file,
    span: { start: t.start, end: t.end },
    field,
    expect,
    source: { kind: 'path', path: t.value.trim(), baseDir: path.dirname(file) },
  };
}

export function parseKubeletConfig(doc: Document, root: YAMLMap, file: string): KubeletConfigUnit {
  const x509 = asMap(doc, get(doc, asMap(doc, get(doc, root, 'authentication')), 'x509'));
  const kind = getText(doc, root, 'kind');
  const r = nodeRange(root);
  const bootstrap = boolValue(doc, get(doc, root, 'serverTLSBootstrap')) === true ? keyRange(doc, root, 'serverTLSBootstrap') : undefined;
  return {
    kind: 'kubelet-config',
    file,
    span: kind ? { start: kind.start, end: kind.end } : { start: r?.[0] ?? 0, end: r?.[0] ?? 0 },
    clientCA: ref(doc, x509, 'clientCAFile', 'authentication.x509.clientCAFile', 'ca', file),
    tlsCert: ref(doc, root, 'tlsCertFile', 'tlsCertFile', 'cert', file),
    tlsKey: ref(doc, root, 'tlsPrivateKeyFile', 'tlsPrivateKeyFile', 'key', file),
    ...(bootstrap ? { serverTLSBootstrap: { start: bootstrap[0], end: bootstrap[1] } } : {}),
  };
}
