// Baselines (`kube-pki check --write-baseline FILE`, `--baseline FILE`): today's findings recorded, so that only
// new ones are reported. A finding is recorded by what it is about, never by where it is: its code, its file
// (relative to the baseline's folder), the object that holds it (a Kubernetes object's kind/namespace/name, a
// kubeconfig's user or cluster, a control-plane component), the flag or field it is on, and the SHA-256 of the
// certificate that field holds. Line numbers and messages (which count days) are left out, so moving lines,
// re-indenting or switching between block and flow style keeps a finding matched. Identical fingerprints are
// counted (a multiset). The file is sorted JSON: writing it twice over the same tree gives the same bytes.
import type { Engine } from '../workspace/engine';
import type { Finding } from '../types';
import { unitReferences, type Reference, type Span, type Unit } from '../parse';
import { relativeTo } from './glob';

export const BASELINE_FORMAT = 'kube-pki-baseline/v1';

export interface Fingerprint {
  code: string;
  file: string;
  object: string;
  field: string;
  /** 'sha256:<hex>' of the certificate the field holds, when it holds one. */
  certificate?: string;
}

export interface BaselineEntry extends Fingerprint {
  count: number;
}

export interface Baseline {
  format: typeof BASELINE_FORMAT;
  findings: BaselineEntry[];
}

interface Anchor {
  span: Span;
  object: string;
  field: string;
  ref?: Reference;
}

function objectName(kind: string, meta: { name: string; namespace?: string }): string {
  return `${kind} ${meta.namespace ? `${meta.namespace}/` : ''}${meta.name}`;
}

/** The places of a unit a finding can be on, each with the object and field it stands for. */
function anchors(unit: Unit): Anchor[] {
  const out: Anchor[] = [];
  const ref = (r: Reference | undefined, object: string) => {
    if (r) out.push({ span: r.span, object, field: r.field, ref: r });
  };
  switch (unit.kind) {
    case 'kubeconfig':
      for (const c of unit.clusters) {
        const object = `kubeconfig cluster ${c.name}`;
        out.push({ span: c.span, object, field: 'name' });
        if (c.server) out.push({ span: c.server.span, object, field: 'server' });
        if (c.tlsServerName) out.push({ span: c.tlsServerName.span, object, field: 'tls-server-name' });
        ref(c.ca, object);
      }
      for (const u of unit.users) {
        const object = `kubeconfig user ${u.name}`;
        out.push({ span: u.span, object, field: 'name' });
        ref(u.cert, object);
        ref(u.key, object);
      }
      for (const c of unit.conflicts) out.push({ span: c.span, object: 'kubeconfig', field: c.field });
      break;
    case 'component':
      out.push({ span: unit.span, object: unit.component, field: 'command' });
      for (const [name, flags] of unit.flags) for (const f of flags) out.push({ span: f.flagSpan, object: unit.component, field: `--${name}` });
      for (const r of unit.refs) ref(r, unit.component);
      break;
    case 'kubelet-flags':
      out.push({ span: unit.span, object: 'kubelet', field: 'command' });
      for (const [name, flags] of unit.flags) for (const f of flags) out.push({ span: f.flagSpan, object: 'kubelet', field: `--${name}` });
      for (const r of unit.refs) ref(r, 'kubelet');
      break;
    case 'component-config':
      out.push({ span: unit.span, object: unit.objectKind, field: 'kind' });
      if (unit.kubeconfig) ref(unit.kubeconfig, unit.objectKind);
      break;
    case 'kubelet-config':
      out.push({ span: unit.span, object: 'KubeletConfiguration', field: 'kind' });
      for (const r of unitReferences(unit)) ref(r, 'KubeletConfiguration');
      break;
    case 'secret': {
      const object = objectName(unit.objectKind, unit.meta);
      out.push({ span: unit.meta.span, object, field: 'metadata.name' });
      for (const e of unit.entries) ref(e.ref, object);
      for (const p of unit.problems) out.push({ span: p.span, object, field: 'data' });
      break;
    }
    case 'webhook': {
      const object = objectName(unit.objectKind, unit.meta);
      out.push({ span: unit.meta.span, object, field: 'metadata.name' });
      if (unit.injectFrom) out.push({ span: unit.injectFrom.span, object, field: unit.injectFrom.annotation });
      for (const c of unit.clients) {
        const prefix = unit.objectKind.endsWith('WebhookConfiguration') ? `webhook ${c.name}: ` : '';
        out.push({ span: c.span, object, field: `${prefix}clientConfig` });
        if (c.caBundle) out.push({ span: c.caBundle.span, object, field: `${prefix}caBundle`, ref: c.caBundle });
        if (c.service) out.push({ span: c.service.span, object, field: `${prefix}service` });
        if (c.url) out.push({ span: c.url.span, object, field: `${prefix}url` });
      }
      break;
    }
    case 'cert-manager-certificate': {
      const object = objectName('Certificate', unit.meta);
      out.push({ span: unit.meta.span, object, field: 'metadata.name' });
      const value = (v: { span: Span } | undefined, field: string) => {
        if (v) out.push({ span: v.span, object, field });
      };
      value(unit.secretName, 'secretName');
      value(unit.commonName, 'commonName');
      for (const d of unit.dnsNames) value(d, 'dnsNames');
      for (const d of unit.ipAddresses) value(d, 'ipAddresses');
      if (unit.dnsNamesSpan) out.push({ span: unit.dnsNamesSpan, object, field: 'dnsNames' });
      value(unit.duration, 'duration');
      value(unit.renewBefore, 'renewBefore');
      value(unit.renewBeforePercentage, 'renewBeforePercentage');
      if (unit.issuerRef) {
        out.push({ span: unit.issuerRef.span, object, field: 'issuerRef' });
        value(unit.issuerRef.name, 'issuerRef.name');
      }
      break;
    }
    case 'cluster-role-binding':
      out.push({ span: unit.meta.span, object: objectName('ClusterRoleBinding', unit.meta), field: 'metadata.name' });
      break;
    case 'cert-manager-issuer':
    case 'service':
      out.push({
        span: unit.meta.span,
        object: objectName(unit.kind === 'service' ? 'Service' : unit.objectKind, unit.meta),
        field: 'metadata.name',
      });
      break;
    case 'workload': {
      const object = objectName(unit.objectKind, unit.meta);
      out.push({ span: unit.meta.span, object, field: 'metadata.name' });
      for (const v of unit.secretVolumes) out.push({ span: v.span, object, field: 'secretName' });
      break;
    }
  }
  return out;
}

/** Computes fingerprints of findings in the engine's documents (a line-start table and the anchors per file, once). */
export class Fingerprinter {
  private readonly perFile = new Map<string, Anchor[]>();

  constructor(
    private readonly engine: Engine,
    /** The folder of the baseline file: files are recorded relative to it. */
    private readonly baseDir: string,
  ) {}

  of(f: Finding): Fingerprint {
    const fp: Fingerprint = { code: f.code, file: relativeTo(this.baseDir, f.file), object: '', field: '' };
    const parsed = this.engine.parsed(f.file);
    if (!parsed) return fp;
    let fileAnchors = this.perFile.get(f.file);
    if (!fileAnchors) {
      fileAnchors = parsed.units.flatMap(anchors);
      this.perFile.set(f.file, fileAnchors);
    }
    const offset = parsed.lines.offsetAt(f.range.start.line) + f.range.start.character;
    // The narrowest place holding the finding's start; else the nearest one before it (a finding on a line of
    // the object that no field stands for).
    let best: Anchor | undefined;
    for (const a of fileAnchors) {
      if (a.span.start <= offset && offset <= a.span.end && (!best || a.span.end - a.span.start < best.span.end - best.span.start)) best = a;
    }
    if (!best) {
      for (const a of fileAnchors) if (a.span.start <= offset && (!best || a.span.start > best.span.start)) best = a;
    }
    if (!best) return fp;
    fp.object = best.object;
    fp.field = best.field;
    if (best.ref) {
      const loaded = this.engine.load(best.ref);
      const cert = loaded.ok ? loaded.material.certs[0] : undefined;
      if (cert) fp.certificate = `sha256:${cert.sha256}`;
    }
    return fp;
  }
}

function keyOf(fp: Fingerprint): string {
  return JSON.stringify([fp.code, fp.file, fp.object, fp.field, fp.certificate ?? '']);
}

function compareEntries(a: Fingerprint, b: Fingerprint): number {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  return (
    cmp(a.file, b.file) || cmp(a.code, b.code) || cmp(a.object, b.object) || cmp(a.field, b.field) || cmp(a.certificate ?? '', b.certificate ?? '')
  );
}

/** The baseline file's text for these fingerprints: sorted, duplicates counted, stable. */
export function formatBaseline(fingerprints: Fingerprint[]): string {
  const counted = new Map<string, BaselineEntry>();
  for (const fp of fingerprints) {
    const key = keyOf(fp);
    const hit = counted.get(key);
    if (hit) hit.count++;
    else {
      // Keys in a fixed order, certificate only when there is one.
      const entry: BaselineEntry = fp.certificate
        ? { code: fp.code, file: fp.file, object: fp.object, field: fp.field, certificate: fp.certificate, count: 1 }
        : { code: fp.code, file: fp.file, object: fp.object, field: fp.field, count: 1 };
      counted.set(key, entry);
    }
  }
  const findings = [...counted.values()].sort(compareEntries);
  const baseline: Baseline = { format: BASELINE_FORMAT, findings };
  return `${JSON.stringify(baseline, null, 2)}\n`;
}

/** A baseline file's text, checked; throws an Error whose message says what is wrong. */
export function parseBaseline(text: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON (${(err as Error).message})`);
  }
  const d = data as Partial<Baseline> | null;
  if (!d || typeof d !== 'object' || d.format !== BASELINE_FORMAT || !Array.isArray(d.findings)) {
    throw new Error(`not a kube-pki baseline (expected {"format": "${BASELINE_FORMAT}", "findings": [...]}, as --write-baseline writes it)`);
  }
  d.findings.forEach((e, i) => {
    const ok =
      e &&
      typeof e === 'object' &&
      typeof e.code === 'string' &&
      typeof e.file === 'string' &&
      typeof e.object === 'string' &&
      typeof e.field === 'string' &&
      (e.certificate === undefined || typeof e.certificate === 'string') &&
      Number.isInteger(e.count) &&
      e.count >= 1;
    if (!ok) throw new Error(`findings[${i}] is not {code, file, object, field, certificate?, count}`);
  });
  return d as Baseline;
}

export interface BaselineComparison {
  /** Per fingerprint given, in order: whether the baseline holds it (each entry matches as often as its count). */
  matched: boolean[];
  /** Entries (with how many of their count) that nothing matched: gone since the baseline was written. */
  absent: BaselineEntry[];
}

export function compareWithBaseline(baseline: Baseline, fingerprints: Fingerprint[]): BaselineComparison {
  const remaining = new Map<string, { entry: BaselineEntry; left: number }>();
  for (const e of baseline.findings) {
    const key = keyOf(e);
    const hit = remaining.get(key);
    if (hit) hit.left += e.count;
    else remaining.set(key, { entry: e, left: e.count });
  }
  const matched = fingerprints.map((fp) => {
    const hit = remaining.get(keyOf(fp));
    if (!hit || hit.left === 0) return false;
    hit.left--;
    return true;
  });
  const absent = [...remaining.values()].filter((r) => r.left > 0).map((r) => ({ ...r.entry, count: r.left }));
  return { matched, absent };
}
