// What kube-pki knows about a reference: the role it plays, the findings on it, the certificate a key
// is paired with, and which references in the workspace point at a given file.
import * as path from 'node:path';
import type { Engine } from '../workspace/engine';
import { unitReferences, type ParsedFile, type Reference, type Unit } from '../parse';
import { certKeyPairs, certUses, componentFlag, kubeletFields, kubeletFlags } from '../cluster';
import type { Finding, Range } from '../types';
import type { ContextFinding } from '../decode/markdown';
import { isBelow } from '../fs/confined';

/** The role kube-pki infers for a reference, in words: "kube-apiserver's serving certificate". */
export function roleOf(unit: Unit, ref: Reference): string {
  const use = certUses(unit).find((u) => u.ref === ref);
  if (use) return use.role;
  switch (unit.kind) {
    case 'kubeconfig': {
      const cluster = unit.clusters.find((c) => c.ca === ref);
      if (cluster) return `cluster "${cluster.name}"'s CA (verifies the apiserver)`;
      const user = unit.users.find((u) => u.key === ref);
      if (user) return `user "${user.name}"'s client key`;
      break;
    }
    case 'component-config':
      return `the kubeconfig ${unit.component} loads`;
    case 'kubelet-flags': {
      if (ref.expect === 'kubeconfig') return 'the kubeconfig the kubelet loads';
      if (ref.expect === 'kubelet-config') return "the kubelet's config file";
      const field = kubeletFlags[ref.field.replace(/^--/, '')]?.field;
      return (field && kubeletFields[field]?.says) ?? ref.field;
    }
    case 'kubelet-config':
      if (ref === unit.clientCA || ref === unit.tlsKey) return kubeletFields[ref.field]?.says ?? ref.field;
      break;
    case 'component': {
      const c = unit.component;
      if (ref.expect === 'kubeconfig') return `the kubeconfig ${c} loads`;
      // What a CA or key flag is (the catalog's words).
      const says = componentFlag(c, ref.field)?.says;
      if (says) return says.replace('{c}', c);
      const pair = certKeyPairs(unit).find((p) => p.key === ref);
      if (pair) return `${c}'s private key for ${pair.cert.field}`;
      return `${c} ${ref.field}`;
    }
  }
  return ref.field;
}

function before(a: Range['start'], b: Range['start']): boolean {
  return a.line < b.line || (a.line === b.line && a.character < b.character);
}

/** Findings whose range overlaps the reference's. */
export function findingsOn(findings: Finding[], range: Range): Finding[] {
  return findings.filter((f) => !before(f.range.end, range.start) && !before(range.end, f.range.start));
}

export function contextFindings(findings: Finding[]): ContextFinding[] {
  return findings.map((f) => ({ severity: f.severity, code: f.code, message: f.message }));
}

export interface ReferenceSite {
  parsed: ParsedFile;
  unit: Unit;
  ref: Reference;
}

/** The references in the workspace's recognised documents that resolve to `file`. */
export function referencesTo(engine: Engine, file: string, limit = 20): ReferenceSite[] {
  const out: ReferenceSite[] = [];
  for (const doc of engine.documents()) {
    const parsed = engine.parsed(doc);
    if (!parsed) continue;
    for (const unit of parsed.units) {
      for (const ref of unitReferences(unit)) {
        if (ref.source.kind !== 'path') continue;
        if (engine.resolve(ref)?.found === file) {
          out.push({ parsed, unit, ref });
          if (out.length >= limit) return out;
        }
      }
    }
  }
  return out;
}

/** "etc/kubernetes/manifests/kube-apiserver.yaml:41" relative to the search root holding it. */
export function displayLocation(engine: Engine, file: string, line: number): string {
  const root = engine.options.searchRoots.filter((r) => isBelow(r, file)).sort((a, b) => b.length - a.length)[0];
  return `${root ? path.relative(root, file) : file}:${line + 1}`;
}

/** The reference of a recognised document whose span holds `offset` (ends inclusive: the cursor right after a value still counts). */
export function referenceAt(parsed: ParsedFile, offset: number): { unit: Unit; ref: Reference } | undefined {
  for (const unit of parsed.units) {
    for (const ref of unitReferences(unit)) {
      if (offset >= ref.span.start && offset <= ref.span.end && ref.span.end > ref.span.start) return { unit, ref };
    }
  }
  return undefined;
}
