// Static pod manifests (and Deployment/DaemonSet pod templates) of the four control-plane
// components: their flags, from `command` and `args`, as `--flag=value` or `--flag value`.
import * as path from 'node:path';
import type { Document, YAMLMap } from 'yaml';
import { asMap, asSeq, deref, get, getText, nodeRange, quotedOffsets, scalarText } from './yamlAst';
import type { Component, ComponentUnit, Expect, Flag, Reference, Span } from './model';
import { components as catalog } from '../cluster/catalog';
import { shellWords, type ArgItem } from './shellWords';

/** Every flag of the four components that names a certificate, key, CA bundle or kubeconfig (from the catalog). */
export const referenceFlags: Record<Component, Record<string, Expect>> = Object.fromEntries(
  Object.entries(catalog).map(([component, spec]) => [component, Object.fromEntries(Object.entries(spec.flags).map(([name, f]) => [name, f.names]))]),
) as Record<Component, Record<string, Expect>>;

const components = Object.keys(catalog) as Component[];
const workloadKinds = new Set(['Pod', 'Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job']);

/** The component a name is: the basename of an executable path or of an image repository. */
function componentNamed(name: string): Component | undefined {
  const base = path.posix.basename(name.trim());
  return (components as string[]).includes(base) ? (base as Component) : undefined;
}

/**
 * go-runner (kubernetes/release images/build/go-runner/go-runner.go: kOps and GCE's kube-up start the components
 * through it) reads its own flags with Go's flag package, which stops at `--` or the first argument that is no flag:
 * that is the binary, the rest are its arguments. Its one flag taking a separate value is --log-file.
 */
function afterGoRunner(items: ArgItem[]): ArgItem[] {
  for (let i = 0; i < items.length; i++) {
    const t = items[i].text.trim();
    if (t === '--') return items.slice(i + 1);
    if (!t.startsWith('-')) return items.slice(i);
    if (/^--?log-file$/.test(t)) i++;
  }
  return [];
}

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

/**
 * How a container starts a component and the arguments the component gets: `command: [kube-apiserver, ...]`;
 * `command: [/go-runner, ...]` with the binary after go-runner's flags (in command or args); `/bin/sh -c "exec
 * kube-apiserver --flag ..."` (the one string split as sh splits it, see shellWords.ts); no command at all (the
 * image's entrypoint is the component: registry.k8s.io/kube-apiserver:v1.31.0, args are its arguments).
 */
function launchOf(
  doc: Document,
  container: YAMLMap,
  text: string | undefined,
): { component: Component; anchor?: ArgItem; args: ArgItem[] } | undefined {
  const command = argItems(doc, container, 'command', text);
  const args = argItems(doc, container, 'args', text);
  if (command.length === 0) {
    const image = getText(doc, container, 'image')?.value ?? '';
    const component = componentNamed(image.split('@')[0].replace(/:[^/:]*$/, ''));
    return component ? { component, args } : undefined;
  }
  let all = [...command, ...args];
  const first = path.posix.basename(all[0].text.trim());
  if (SHELLS.has(first) && all[1]?.text.trim() === '-c' && all[2]) {
    const script = all[2];
    const inner = script.quoted ? script.start + 1 : script.start;
    // Offsets are exact when the scalar holds the script verbatim (plain, or quoted without escapes) or its
    // escapes were mapped (argItems).
    const raw = text?.slice(inner, script.quoted ? script.end - 1 : script.end);
    const mapped = script.offsets;
    all = shellWords(script.text, mapped ? (i) => mapped[i] : raw === script.text ? (i) => inner + i : () => script.start);
    while (all.length > 0 && (all[0].text === 'exec' || /^[A-Za-z_][A-Za-z0-9_]*=/.test(all[0].text))) all = all.slice(1);
    if (all.length === 0) return undefined;
  }
  if (path.posix.basename(all[0].text.trim()) === 'go-runner') all = afterGoRunner(all.slice(1));
  const component = all[0] && !all[0].opaque ? componentNamed(all[0].text) : undefined;
  return component ? { component, anchor: all[0], args: all.slice(1) } : undefined;
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

export type { ArgItem } from './shellWords';

/** The items of a container's `command` or `args`. */
export function argItems(doc: Document, container: YAMLMap, key: string, text?: string): ArgItem[] {
  const seq = asSeq(doc, get(doc, container, key));
  if (!seq) return [];
  const out: ArgItem[] = [];
  for (const it of seq.items) {
    const t = scalarText(doc, it);
    if (!t) continue;
    // An item spelled with escapes (a JSON manifest's "--cert-dir=\/var\/lib"): each character where its source is,
    // the item's span inside the quotes, so a value's span covers its escapes.
    const offsets = text !== undefined ? quotedOffsets(text, t) : undefined;
    if (offsets) out.push({ text: t.value, start: t.start + 1, end: t.end - 1, quoted: false, offsets });
    else out.push({ text: t.value, start: t.start, end: t.end, quoted: t.quoted });
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
    if (it.offsets) {
      const read = splitFlag(list, i, m[1], m[2] !== undefined ? m[3] : undefined, bools);
      i += read.used;
      if (read.flag) {
        const all = flags.get(read.flag.name) ?? [];
        all.push(read.flag);
        flags.set(read.flag.name, all);
      }
      continue;
    }
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

/**
 * parseFlags' rules for a word whose characters carry their own offsets (ArgItem.offsets): the value's span runs
 * from its first character's offset to its last's. A flag whose name or value is opaque is not read (`used`: how
 * many following items it took).
 */
function splitFlag(list: ArgItem[], i: number, name: string, inline: string | undefined, bools: ReadonlySet<string>): { flag?: Flag; used: number } {
  const it = list[i];
  const whole = { start: it.start, end: it.end };
  const spanOf = (item: ArgItem, from: number): Span => {
    const o = item.offsets ?? [];
    if (from >= o.length) return { start: item.end, end: item.end };
    // The value runs to the item's end, which covers the last character's source (an escape spans several).
    return { start: o[from], end: Math.max(o[o.length - 1] + 1, item.end) };
  };
  if (inline !== undefined) {
    if (it.opaque) return { used: 0 };
    const eq = it.text.indexOf('=');
    return { flag: { name, value: inline, span: spanOf(it, eq + 1), flagSpan: whole }, used: 0 };
  }
  const next = list[i + 1];
  if (next && !bools.has(name) && !next.text.trim().startsWith('-')) {
    if (next.opaque || it.opaque) return { used: 1 };
    return { flag: { name, value: next.text, span: spanOf(next, 0), flagSpan: { start: it.start, end: next.end } }, used: 1 };
  }
  if (it.opaque) return { used: 0 };
  return { flag: { name, value: 'true', span: whole, flagSpan: whole }, used: 0 };
}

/** A component's unit from its flags: every flag the catalog says names a file becomes a reference. */
export function componentUnit(file: string, component: Component, span: Span, flags: Map<string, Flag[]>, args: ArgItem[] = []): ComponentUnit {
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
  const unread = args.some((a) => a.opaque);
  return { kind: 'component', file, component, span, flags, refs, ...(unread ? { unread: true as const } : {}) };
}

export function parseWorkload(doc: Document, root: YAMLMap, file: string, text?: string): ComponentUnit[] {
  const units: ComponentUnit[] = [];
  for (const container of podContainers(doc, root)) {
    const launch = launchOf(doc, container, text);
    if (!launch) continue;
    const flags = new Map<string, Flag[]>();
    parseFlags(launch.args, flags);
    const anchor = launch.anchor ?? getText(doc, container, 'image') ?? getText(doc, container, 'name');
    const r = nodeRange(deref(doc, container));
    const span: Span = anchor ? { start: anchor.start, end: anchor.end } : { start: r?.[0] ?? 0, end: r?.[1] ?? 0 };
    units.push(componentUnit(file, launch.component, span, flags, launch.args));
  }
  return units;
}
