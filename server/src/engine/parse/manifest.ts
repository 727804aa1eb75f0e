// Static pod manifests (and Deployment/DaemonSet pod templates) of the four control-plane
// components: their flags, from `command` and `args`, as `--flag=value` or `--flag value`.
import * as path from 'node:path';
import type { Document, YAMLMap } from 'yaml';
import { asMap, asSeq, deref, get, getText, nodeRange, scalarText } from './yamlAst';
import type { Component, ComponentUnit, Expect, Flag, Reference, Span } from './model';
import { components as catalog } from '../cluster/catalog';

/** Every flag of the four components that names a certificate, key, CA bundle or kubeconfig (from the catalog). */
export const referenceFlags: Record<Component, Record<string, Expect>> = Object.fromEntries(
  Object.entries(catalog).map(([component, spec]) => [component, Object.fromEntries(Object.entries(spec.flags).map(([name, f]) => [name, f.names]))]),
) as Record<Component, Record<string, Expect>>;

const components = Object.keys(catalog) as Component[];
const workloadKinds = new Set(['Pod', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job']);

function componentOf(doc: Document, container: YAMLMap): Component | undefined {
  const command = asSeq(doc, get(doc, container, 'command'));
  const first = command ? scalarText(doc, command.items[0])?.value : undefined;
  if (first) {
    const base = path.posix.basename(first.trim());
    return (components as string[]).includes(base) ? (base as Component) : undefined;
  }
  // No command: the image's entrypoint is the component (registry.k8s.io/kube-apiserver:v1.31.0).
  const image = getText(doc, container, 'image')?.value ?? '';
  const repo = image.split('@')[0].replace(/:[^/:]*$/, '');
  const base = repo.split('/').pop() ?? '';
  return (components as string[]).includes(base) ? (base as Component) : undefined;
}

export function looksLikeWorkload(doc: Document, root: YAMLMap): boolean {
  const kind = getText(doc, root, 'kind')?.value;
  return kind !== undefined && workloadKinds.has(kind);
}

/** The containers of a Pod, or of a workload's pod template (`keys`: which lists, in order: initContainers, containers). */
export function podContainers(doc: Document, root: YAMLMap, keys: readonly string[] = ['containers']): YAMLMap[] {
  const kind = getText(doc, root, 'kind')?.value;
  let spec = asMap(doc, get(doc, root, 'spec'));
  if (kind !== 'Pod') spec = asMap(doc, get(doc, asMap(doc, get(doc, spec, 'template')), 'spec'));
  const out: YAMLMap[] = [];
  for (const key of keys) {
    for (const item of asSeq(doc, get(doc, spec, key))?.items ?? []) {
      const m = asMap(doc, item);
      if (m) out.push(m);
    }
  }
  return out;
}

/** One item of a container's `command` or `args`: its text, and where the scalar stands (quotes included). */
export interface ArgItem {
  text: string;
  start: number;
  end: number;
  quoted: boolean;
}

/** The items of a container's `command` or `args`. */
export function argItems(doc: Document, container: YAMLMap, key: string): ArgItem[] {
  const seq = asSeq(doc, get(doc, container, key));
  if (!seq) return [];
  const out: ArgItem[] = [];
  for (const it of seq.items) {
    const t = scalarText(doc, it);
    if (t) out.push({ text: t.value, start: t.start, end: t.end, quoted: t.quoted });
  }
  return out;
}

/**
 * Flags as pflag and Go's flag package read them, into `flags` (every occurrence, in order): `--name=value` and
 * `-name=value`; `--name value` unless the next item starts with '-' or the flag is one of `bools` (a bool flag
 * never takes the next item: `--flag false` is the flag, then an argument); a bare flag is "true". An item's
 * surrounding whitespace is not part of it (read leniently); `span` is the value's characters in the source,
 * `flagSpan` the whole item (with its value's item).
 */
export function parseFlags(list: ArgItem[], flags: Map<string, Flag[]>, bools: ReadonlySet<string> = NO_BOOLS): void {
  for (let i = 0; i < list.length; i++) {
    const it = list[i];
    const m = /^--?([A-Za-z0-9][A-Za-z0-9-]*)(=([\s\S]*))?$/.exec(it.text.trim());
    if (!m) continue;
    const name = m[1];
    const lead = it.text.length - it.text.trimStart().length;
    const contentStart = it.start + (it.quoted ? 1 : 0) + lead;
    let flagValue: Flag;
    if (m[2] !== undefined) {
      const valueStart = contentStart + it.text.trim().indexOf('=') + 1;
      const valueEnd = it.quoted ? it.end - 1 : it.end;
      flagValue = {
        name,
        value: m[3],
        span: { start: valueStart, end: Math.max(valueStart, valueEnd) },
        flagSpan: { start: it.start, end: it.end },
      };
    } else {
      const next = list[i + 1];
      if (next && !bools.has(name) && !next.text.trim().startsWith('-')) {
        i++;
        flagValue = {
          name,
          value: next.text,
          span: { start: next.start + (next.quoted ? 1 : 0), end: next.quoted ? next.end - 1 : next.end },
          flagSpan: { start: it.start, end: next.end },
        };
      } else {
        // A bare boolean flag: --client-cert-auth means true.
        flagValue = { name, value: 'true', span: { start: it.start, end: it.end }, flagSpan: { start: it.start, end: it.end } };
      }
    }
    const all = flags.get(name) ?? [];
    all.push(flagValue);
    flags.set(name, all);
  }
}

const NO_BOOLS: ReadonlySet<string> = new Set();

export function parseWorkload(doc: Document, root: YAMLMap, file: string): ComponentUnit[] {
  const units: ComponentUnit[] = [];
  for (const container of podContainers(doc, root)) {
    const component = componentOf(doc, container);
    if (!component) continue;
    const command = argItems(doc, container, 'command');
    const args = argItems(doc, container, 'args');
    const flags = new Map<string, Flag[]>();
    parseFlags(command.slice(1), flags);
    parseFlags(args, flags);
    const anchor = command[0] ?? getText(doc, container, 'image') ?? getText(doc, container, 'name');
    const r = nodeRange(deref(doc, container));
    const span: Span = anchor ? { start: anchor.start, end: anchor.end } : { start: r?.[0] ?? 0, end: r?.[1] ?? 0 };
    const refs: Reference[] = [];
    const table = referenceFlags[component];
    for (const [name, all] of flags) {
      const expect = table[name];
      if (!expect) continue;
      for (const f of all) {
        if (f.value.trim() === '') continue;
        refs.push({
          file,
          span: f.span,
          field: `--${name}`,
          expect,
          source: { kind: 'path', path: f.value.trim(), baseDir: path.dirname(file) },
        });
      }
    }
    units.push({ kind: 'component', file, component, span, flags, refs });
  }
  return units;
}
