// What a check sees: the file being checked, the rest of the workspace, loaded material and a
// way to report. A check is a function (ctx) => void in its own file under checks/. The context is also
// the check's ClusterQuery (cluster/query.ts): the cluster model reads the workspace through it, and it
// records what was read (CheckDependencies) so that the engine checks the file again when that changes.
import * as path from 'node:path';
import type { EngineOptions, Finding, RelatedLocation } from '../types';
import { codes, type Code } from '../codes';
import { locate, type KubeconfigUnit, type ParsedFile, type Reference, type Span, type Unit } from '../parse';
import { certsOf, splitTemplated, type ClusterQuery, type UnitsByKind, type WorkspaceView } from '../cluster/query';
import type { Loaded } from '../resolve/material';
import type { Resolution } from '../resolve/paths';
import type { Certificate } from '../pki/certificate';

export interface CheckDependencies {
  /** Files whose content or existence the findings depend on (including paths tried and not found). */
  paths: Set<string>;
  /** Unit kinds the check looked through workspace-wide: any document of that kind may matter. */
  kinds: Set<string>;
  /**
   * Absolute folders (`/etc/kubernetes/pki`) of paths found nowhere whose place hangs on the other references to
   * that folder (unplaced, or placed beside one found in the workspace): a document whose references to one of
   * them change may change the verdict. Absent: nothing records them (a context made outside the engine's checks).
   */
  folders?: Set<string>;
  /** A reference was looked up by suffix or not found: any new file may change the verdict. */
  unresolved: boolean;
  /** The instant (ms) the verdict changes by itself (a certificate expires), when one was seen. */
  until?: number;
}

export class CheckContext implements ClusterQuery {
  readonly findings: Finding[] = [];

  constructor(
    readonly parsed: ParsedFile,
    private readonly ws: WorkspaceView,
    readonly deps: CheckDependencies,
  ) {}

  get file(): string {
    return this.parsed.file;
  }
  /** The options this file is judged with (its .kube-pki.yaml's settings over the engine's). */
  get options(): EngineOptions {
    return this.ws.optionsFor(this.file);
  }
  get now(): Date {
    return this.ws.now;
  }

  /** The verdict depends on the clock passing `time` (ms): it is taken again from then on. */
  changesAt(time: number): void {
    if (time > this.ws.now.getTime() && time < (this.deps.until ?? Infinity)) this.deps.until = time;
  }

  /**
   * A context judging other units as if this file held them (what a document implies, as a kubeadm config's extraArgs
   * imply a component's command line): the same file, workspace and dependencies; its findings are its own.
   */
  over(units: Unit[]): CheckContext {
    return new CheckContext({ ...this.parsed, units, envFiles: undefined }, this.ws, this.deps);
  }

  unitsHere<K extends keyof UnitsByKind>(kind: K): UnitsByKind[K][] {
    return this.parsed.units.filter((u): u is UnitsByKind[K] => u.kind === kind);
  }

  /**
   * Units of a kind anywhere in the workspace that other objects can relate to; the verdict now depends on all
   * of them. An object whose name or namespace a template fills in (ObjectMeta.templated) is left out: nothing
   * can name it before it is rendered.
   */
  units<K extends keyof UnitsByKind>(kind: K): UnitsByKind[K][] {
    this.deps.kinds.add(kind);
    return splitTemplated(this.ws.units(kind)).named;
  }

  /** The objects of a kind whose name or namespace a template fills in (what a reference may render to). */
  templatedUnits<K extends keyof UnitsByKind>(kind: K): UnitsByKind[K][] {
    this.deps.kinds.add(kind);
    return splitTemplated(this.ws.units(kind)).templated;
  }

  load(ref: Reference): Loaded {
    const result = this.ws.load(ref);
    if (result.path) this.deps.paths.add(result.path);
    if (!result.ok && result.code === 'file-not-found') {
      // Creating any of the places tried (or a file the suffix search would find) changes this.
      const r = this.ws.resolve(ref);
      for (const t of r?.tried ?? []) if (t.startsWith('/') && !t.includes('…')) this.deps.paths.add(t);
      if (r?.place) this.deps.paths.add(r.place.path);
      this.deps.unresolved = true;
      // Whether the path has a place can hang on the other documents' references to its folder (a sibling found in
      // the workspace): the engine re-checks this document when those change (Engine.indexPathRefs).
      if (ref.source.kind === 'path' && ref.source.path.startsWith('/') && (result.unplaced || r?.place?.by === 'sibling')) {
        this.deps.folders?.add(path.posix.dirname(ref.source.path));
      }
    }
    if (ref.file !== this.file) this.deps.paths.add(ref.file);
    return result;
  }

  resolve(ref: Reference): Resolution | undefined {
    return this.ws.resolve(ref);
  }

  /** The certificates a reference holds, or [] when it does not load (the loader reports that). */
  certs(ref: Reference | undefined): Certificate[] {
    return certsOf(this, ref);
  }

  /** The first certificate: the leaf, for a serving or client certificate file. */
  leaf(ref: Reference | undefined): Certificate | undefined {
    return certsOf(this, ref)[0];
  }

  kubeconfigOf(ref: Reference): KubeconfigUnit[] {
    const loaded = this.ws.resolve(ref);
    if (loaded?.found) this.deps.paths.add(loaded.found);
    return this.ws.kubeconfigOf(ref);
  }

  /** Location of a span in another file, for relatedInformation. */
  related(file: string, span: Span, message: string): RelatedLocation {
    const parsed = file === this.file ? this.parsed : this.ws.parsed(file);
    if (parsed?.sources && span.start > parsed.text.length) return { ...locate(parsed, span), message };
    const range = parsed ? parsed.lines.range(span.start, span.end) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    if (file !== this.file) this.deps.paths.add(file);
    return { file, range, message };
  }

  /**
   * Reports a finding on a span of the file, or of a text read into its units (a unit's EnvironmentFile=): then the
   * finding is that file's (Engine.check of the env file shows it).
   */
  report(code: Code, span: Span, message: string, related?: RelatedLocation[]): void {
    const at = this.parsed.sources && span.start > this.parsed.text.length ? locate(this.parsed, span) : undefined;
    const finding: Finding = {
      file: at?.file ?? this.file,
      range: at?.range ?? this.parsed.lines.range(span.start, span.end),
      severity: codes[code].severity,
      code,
      message,
    };
    if (related && related.length) finding.related = related;
    this.findings.push(finding);
  }
}

export type Check = (ctx: CheckContext) => void;

export type { UnitsByKind, WorkspaceView };

export type { Unit };
