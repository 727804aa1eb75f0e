// Output formats of `kube-pki check`: compiler-style text, JSON, SARIF 2.1.0, GitHub Actions' workflow commands and
// GitLab's code quality report.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isBelow } from '../engine/fs/confined';
import type { Finding, Range, Severity, SuppressedFinding } from '../engine/types';
import { plural } from '../engine/words';
import { objectLabel, type StreamObject, type StreamObjects } from './stream';

export interface CodeCatalog {
  [code: string]: { severity: Severity; title: string };
}

export interface Report {
  /** The findings shown: not suppressed, and with a baseline, not in it. */
  findings: Finding[];
  /** Recognised documents checked. */
  files: number;
  /** Findings an inline ignore or a config rule suppressed (SARIF lists them, with how). */
  suppressed?: SuppressedFinding[];
  baseline?: BaselineReport;
}

/** What --baseline made of the findings. */
export interface BaselineReport {
  /** The baseline file (absolute). */
  file: string;
  /** Findings the baseline holds: not shown in text and JSON. */
  unchanged: Finding[];
  /** Per suppressed finding (Report.suppressed, same order): whether the baseline holds it. */
  suppressedInBaseline: boolean[];
  /** Baseline entries nothing matched any more (file made absolute), each with how many of its count. */
  absent: Array<{ code: string; file: string; object: string; field: string; count: number }>;
}

export interface Context {
  cwd: string;
  /** How a file is shown: relative to the current folder when under it, else as the user gave it. */
  display(file: string): string;
  /** The stream read from standard input (`check -`): where the engine keeps it, and its objects. */
  stream?: { file: string; objects: StreamObjects };
}

function inStream(file: string, ctx: Context): boolean {
  return ctx.stream?.file === file;
}

/** In a stream read from standard input: the object a location lies in. */
function objectAt(file: string, range: Range, ctx: Context): StreamObject | undefined {
  return inStream(file, ctx) ? ctx.stream!.objects.at(range.start) : undefined;
}

/** Where a finding is, as the text output shows it: `FILE:LINE:COL`, or in a stream `Secret/ns/name (<stdin>:LINE:COL)`. */
function textLocation(file: string, range: Range, ctx: Context): string {
  const where = `${ctx.display(file)}:${range.start.line + 1}:${range.start.character + 1}`;
  const object = objectAt(file, range, ctx);
  return object ? `${objectLabel(object)} (${where})` : where;
}

export function counts(findings: Finding[]): { errors: number; warnings: number; infos: number } {
  let errors = 0;
  let warnings = 0;
  let infos = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
    else infos++;
  }
  return { errors, warnings, infos };
}

export function summaryLine(report: Report): string {
  const c = counts(report.findings);
  return `${plural(c.errors, 'error')}, ${plural(c.warnings, 'warning')}, ${plural(c.infos, 'info')} in ${plural(report.files, 'file')}`;
}

/** With a baseline: how many of its findings were not shown, and how many of its entries are gone. */
export function baselineLine(b: BaselineReport, ctx: Context): string {
  const gone = b.absent.reduce((n, a) => n + a.count, 0);
  const inBaseline = b.unchanged.length + b.suppressedInBaseline.filter(Boolean).length;
  return `baseline ${ctx.display(b.file)}: ${plural(inBaseline, 'finding')} in it not shown; ${gone} of its entries no longer found${gone ? ' (run --write-baseline again to drop them)' : ''}`;
}

// ---------------------------------------------------------------- text

const ansi = {
  reset: '\x1b[0m',
  bold: '\x1b[1m',
  dim: '\x1b[2m',
  red: '\x1b[31m',
  green: '\x1b[32m',
  yellow: '\x1b[33m',
  cyan: '\x1b[36m',
};

export function formatText(report: Report, ctx: Context, color: boolean): string {
  const paint = (codes: string, s: string) => (color ? `${codes}${s}${ansi.reset}` : s);
  const sevColor: Record<string, string> = { error: ansi.red, warning: ansi.yellow, info: ansi.cyan };
  const lines: string[] = [];
  for (const f of report.findings) {
    const where = textLocation(f.file, f.range, ctx);
    lines.push(`${paint(ansi.bold, where)}: ${paint(ansi.bold + (sevColor[f.severity] ?? ''), f.severity)} ${paint(ansi.dim, f.code)}: ${f.message}`);
    for (const r of f.related ?? []) {
      const rw = textLocation(r.file, r.range, ctx);
      lines.push(`    ${paint(ansi.cyan, 'note')}: ${rw}: ${r.message}`);
    }
  }
  const c = counts(report.findings);
  const summary = summaryLine(report);
  if (report.baseline) lines.push(baselineLine(report.baseline, ctx));
  lines.push(paint(ansi.bold + (c.errors ? ansi.red : c.warnings ? ansi.yellow : ansi.green), summary));
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- json

interface JsonLocation {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /** In a stream read from standard input: the object (kind, namespace, name) the location lies in. */
  object?: StreamObject;
}

function jsonLocation(file: string, range: Range, ctx: Context): JsonLocation {
  const object = objectAt(file, range, ctx);
  return {
    file: ctx.display(file),
    line: range.start.line + 1,
    column: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
    ...(object ? { object } : {}),
  };
}

export function formatJson(report: Report, ctx: Context): string {
  const out = report.findings.map((f) => {
    const entry: Record<string, unknown> = {
      ...jsonLocation(f.file, f.range, ctx),
      severity: f.severity,
      code: f.code,
      message: f.message,
    };
    if (f.related && f.related.length > 0) {
      entry.related = f.related.map((r) => ({ ...jsonLocation(r.file, r.range, ctx), message: r.message }));
    }
    return entry;
  });
  return JSON.stringify(out, null, 2) + '\n';
}

// ---------------------------------------------------------------- sarif

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const sarifLevel: Record<string, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

function encodePath(p: string): string {
  return p
    .split(/[\\/]/)
    .map((seg) => encodeURIComponent(seg))
    .join('/');
}

function artifactLocation(file: string, ctx: Context): { uri: string; uriBaseId?: string } {
  if (isBelow(ctx.cwd, file)) return { uri: encodePath(path.relative(ctx.cwd, file)), uriBaseId: '%SRCROOT%' };
  return { uri: pathToFileURL(file).href };
}

/**
 * A SARIF location: the file and region; in a stream read from standard input (no file to name), the object as a
 * logical location (§3.33, kind "resource") and an artifact described, not located.
 */
function sarifLocation(file: string, range: Range, ctx: Context) {
  const object = objectAt(file, range, ctx);
  if (inStream(file, ctx)) {
    return {
      physicalLocation: { artifactLocation: { description: { text: 'standard input' } }, region: region(range) },
      ...(object ? { logicalLocations: [{ name: object.name ?? object.kind, fullyQualifiedName: objectLabel(object), kind: 'resource' }] } : {}),
    };
  }
  return { physicalLocation: { artifactLocation: artifactLocation(file, ctx), region: region(range) } };
}

function region(range: Range) {
  // SARIF columns are 1-based and endColumn is exclusive, like LSP's 0-based exclusive end + 1.
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

export function formatSarif(report: Report, ctx: Context, catalog: CodeCatalog, tool: { version: string; informationUri: string }): string {
  const ruleIds = Object.keys(catalog);
  const all = [...report.findings, ...(report.suppressed ?? []), ...(report.baseline?.unchanged ?? []), ...(report.baseline?.absent ?? [])];
  for (const f of all) if (!ruleIds.includes(f.code)) ruleIds.push(f.code);
  const rules = ruleIds.map((id) => {
    const info = catalog[id];
    return {
      id,
      shortDescription: { text: info?.title ?? id },
      defaultConfiguration: { level: sarifLevel[info?.severity ?? 'error'] ?? 'error' },
    };
  });
  const baseline = report.baseline;
  const toResult = (f: Finding, suppressions: unknown[], baselineState: 'new' | 'unchanged') => {
    const result: Record<string, unknown> = {
      ruleId: f.code,
      ruleIndex: ruleIds.indexOf(f.code),
      level: sarifLevel[f.severity] ?? 'error',
      message: { text: f.message },
      locations: [sarifLocation(f.file, f.range, ctx)],
    };
    if (f.related && f.related.length > 0) {
      result.relatedLocations = f.related.map((r, i) => ({
        id: i,
        message: { text: r.message },
        ...sarifLocation(r.file, r.range, ctx),
      }));
    }
    // SARIF 2.1.0 §3.27.23: suppression information is given for every result of the run (an empty array: not
    // suppressed); §3.27.24: with a baseline, every result has a baselineState.
    result.suppressions = suppressions;
    if (baseline) result.baselineState = baselineState;
    return result;
  };
  const inBaseline = baseline
    ? {
        kind: 'external',
        status: 'accepted',
        justification: `recorded in the baseline ${ctx.display(baseline.file)}`,
        location: { physicalLocation: { artifactLocation: artifactLocation(baseline.file, ctx) } },
      }
    : undefined;
  const results = [
    ...report.findings.map((f) => toResult(f, [], 'new')),
    ...(baseline?.unchanged ?? []).map((f) => toResult(f, [inBaseline], 'unchanged')),
    ...(report.suppressed ?? []).map((f, i) => {
      const s = f.suppression;
      const suppression =
        s.kind === 'inSource'
          ? {
              kind: 'inSource',
              status: 'accepted',
              ...(s.reason ? { justification: s.reason } : {}),
              location: { physicalLocation: { artifactLocation: artifactLocation(f.file, ctx), region: region(s.range) } },
            }
          : {
              kind: 'external',
              status: 'accepted',
              justification: `${f.code} is off in ${ctx.display(s.file)}`,
              location: { physicalLocation: { artifactLocation: artifactLocation(s.file, ctx), region: region(s.range) } },
            };
      return toResult(f, [suppression], baseline?.suppressedInBaseline[i] ? 'unchanged' : 'new');
    }),
    // Baseline entries found no more: results of kind pass, located in their file (no line: a baseline records none).
    ...(baseline?.absent ?? []).map((a) => ({
      ruleId: a.code,
      ruleIndex: ruleIds.indexOf(a.code),
      kind: 'pass',
      level: 'none',
      message: {
        text: `no longer found: ${a.code}${a.object ? ` on ${a.object}` : ''}${a.field ? ` (${a.field})` : ''}${a.count > 1 ? `, ${a.count} times` : ''}, recorded in the baseline ${ctx.display(baseline!.file)}`,
      },
      locations: [{ physicalLocation: { artifactLocation: artifactLocation(a.file, ctx) } }],
      suppressions: [],
      baselineState: 'absent',
    })),
  ];
  const sarif = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kube-pki',
            version: tool.version,
            semanticVersion: tool.version,
            informationUri: tool.informationUri,
            rules,
          },
        },
        originalUriBaseIds: {
          '%SRCROOT%': { uri: pathToFileURL(ctx.cwd.endsWith(path.sep) ? ctx.cwd : ctx.cwd + path.sep).href },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}

// ---------------------------------------------------------------- github

// GitHub Actions' workflow commands (docs.github.com, "Workflow commands for GitHub Actions"): one
// `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::MESSAGE` line per finding, which the runner turns into
// an annotation on the file's line. A property's value escapes %, CR, LF, ':' and ','; the message %, CR and LF
// (as the runner's toolkit does: @actions/core's escapeProperty and escapeData). The columns are given only on a
// one-line range: the runner refuses `col`/`endColumn` when `line` and `endLine` differ.
const githubCommand: Record<string, string> = { error: 'error', warning: 'warning', info: 'notice' };

export function escapeGithubData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeGithubProperty(s: string): string {
  return escapeGithubData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatGithub(report: Report, ctx: Context): string {
  const lines = report.findings.map((f) => {
    const object = objectAt(f.file, f.range, ctx);
    const props: Array<[string, string | number]> = [];
    // A stream has no file in the repository: the annotation stands on the job, its title names the object.
    if (!inStream(f.file, ctx)) props.push(['file', ctx.display(f.file)]);
    props.push(['line', f.range.start.line + 1]);
    if (f.range.start.line === f.range.end.line) props.push(['col', f.range.start.character + 1]);
    props.push(['endLine', f.range.end.line + 1]);
    if (f.range.start.line === f.range.end.line) props.push(['endColumn', f.range.end.character + 1]);
    props.push(['title', `kube-pki ${f.code}${object ? ` (${objectLabel(object)})` : ''}`]);
    const related = (f.related ?? []).map((r) => `\n  note: ${textLocation(r.file, r.range, ctx)}: ${r.message}`).join('');
    return `::${githubCommand[f.severity] ?? 'error'} ${props.map(([k, v]) => `${k}=${escapeGithubProperty(String(v))}`).join(',')}::${escapeGithubData(f.message + related)}`;
  });
  lines.push(summaryLine(report));
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- gitlab

// GitLab's code quality report (docs.gitlab.com, "Code Quality", the report format: a subset of Code Climate's
// spec): a JSON array of {description, check_name, fingerprint, severity, location: {path, lines: {begin}}},
// severity one of info, minor, major, critical, blocker. An error (the cluster will fail) is critical, a warning
// major, an info info. The fingerprint identifies the finding across runs as the baseline does (code, file, object,
// field and certificate, not the line), with the occurrence among equal ones.
const gitlabSeverity: Record<string, string> = { error: 'critical', warning: 'major', info: 'info' };

export function formatGitlab(report: Report, ctx: Context, identity: (f: Finding) => string): string {
  const seen = new Map<string, number>();
  const out = report.findings.map((f) => {
    const id = `${identity(f)}\0${f.code}`;
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    const object = objectAt(f.file, f.range, ctx);
    return {
      description: `${object ? `${objectLabel(object)}: ` : ''}${f.message}`,
      check_name: f.code,
      fingerprint: createHash('sha256').update(`${id}\0${n}`).digest('hex'),
      severity: gitlabSeverity[f.severity] ?? 'major',
      location: { path: ctx.display(f.file), lines: { begin: f.range.start.line + 1, end: f.range.end.line + 1 } },
    };
  });
  return JSON.stringify(out, null, 2) + '\n';
}
