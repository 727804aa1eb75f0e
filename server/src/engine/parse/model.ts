// What the parsers extract from a file: the units it holds (kubeconfigs, control-plane components,
// kubelet configs), every certificate/key reference with its source span, and the settings the
// checks need. Spans are offsets into the file's text; ParsedFile.lines turns them into ranges.
import type { LineIndex } from './text';
import { memoByObject } from '../memo';

export interface Span {
  start: number;
  end: number;
}

/** What a reference is expected to hold. */
export type Expect = 'cert' | 'ca' | 'key' | 'public-key' | 'key-or-public-key' | 'kubeconfig';

export type ReferenceSource =
  | { kind: 'path'; path: string; baseDir: string }
  | { kind: 'inline'; data: string };

export interface Reference {
  file: string;
  span: Span;
  /** The flag or field as the user wrote it: '--tls-cert-file', 'client-certificate-data'. */
  field: string;
  expect: Expect;
  source: ReferenceSource;
}

export interface SpannedValue {
  value: string;
  span: Span;
}

export interface KubeconfigCluster {
  name: string;
  span: Span; // the `name:` value, or the entry
  server?: SpannedValue;
  tlsServerName?: SpannedValue;
  insecure: boolean;
  ca?: Reference;
}

export interface KubeconfigUser {
  name: string;
  span: Span;
  cert?: Reference;
  key?: Reference;
}

export interface KubeconfigContext {
  name: string;
  cluster?: string;
  user?: string;
}

/** kubectl refuses a kubeconfig that sets a path and its -data twin. */
export interface FieldConflict {
  span: Span;
  field: string;
  twin: string;
  twinSpan: Span;
}

export interface KubeconfigUnit {
  kind: 'kubeconfig';
  file: string;
  clusters: KubeconfigCluster[];
  users: KubeconfigUser[];
  contexts: KubeconfigContext[];
  currentContext?: string;
  conflicts: FieldConflict[];
}

export type Component = 'kube-apiserver' | 'etcd' | 'kube-controller-manager' | 'kube-scheduler';

export interface Flag {
  name: string; // without dashes: 'tls-cert-file'
  value: string;
  span: Span; // the value's characters
  flagSpan: Span; // the whole `--flag=value` item
}

export interface ComponentUnit {
  kind: 'component';
  file: string;
  component: Component;
  span: Span; // where to report things about the component as a whole (the command's first item)
  flags: Map<string, Flag[]>;
  refs: Reference[];
}

export interface KubeletConfigUnit {
  kind: 'kubelet-config';
  file: string;
  span: Span;
  clientCA?: Reference;
  tlsCert?: Reference;
  tlsKey?: Reference;
}

export type Unit = KubeconfigUnit | ComponentUnit | KubeletConfigUnit;

export interface ParsedFile {
  file: string;
  text: string;
  lines: LineIndex;
  units: Unit[];
  /** Syntax errors of documents that look like ours (others are ignored: no noise on other YAML). */
  yamlErrors: { span: Span; message: string }[];
  /** True when any unit, or a syntax error in something that looks like ours, is there. */
  recognised: boolean;
  /** Bytes, when the text is over MAX_CONFIG_BYTES: it was not parsed (and has no units). */
  tooBig?: number;
}

/** The last occurrence wins, as with the components' own flag parsing (pflag). */
export function flag(unit: ComponentUnit, name: string): Flag | undefined {
  const all = unit.flags.get(name);
  return all?.[all.length - 1];
}

/** Every certificate, key, CA and kubeconfig reference a unit makes (computed once per unit: do not mutate). */
export const unitReferences: (unit: Unit) => Reference[] = memoByObject((unit: Unit): Reference[] => {
  switch (unit.kind) {
    case 'kubeconfig':
      return [
        ...unit.clusters.flatMap((c) => (c.ca ? [c.ca] : [])),
        ...unit.users.flatMap((u) => [u.cert, u.key].filter((r): r is Reference => !!r)),
      ];
    case 'component':
      return unit.refs;
    case 'kubelet-config':
      return [unit.clientCA, unit.tlsCert, unit.tlsKey].filter((r): r is Reference => !!r);
  }
});
