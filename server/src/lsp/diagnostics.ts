// Finding (engine) -> Diagnostic (LSP).
import * as path from 'node:path';
import type { Diagnostic, DiagnosticRelatedInformation } from 'vscode-languageserver/node';
import { isBelow } from '../engine';
import type { Finding, Range, Severity } from '../engine/types';

export const SOURCE = 'kube-pki';

const severities: Record<Severity, 1 | 2 | 3> = { error: 1, warning: 2, info: 3 };

export interface DiagnosticContext {
  /** Whether the client shows DiagnosticRelatedInformation; otherwise it is folded into the message. */
  relatedInformation: boolean;
  /** The URI of a file (the client's own URI for an open buffer). */
  uriOf(file: string): string;
  /** How a file is named inside a message (relative to the workspace when possible). */
  displayOf(file: string): string;
}

function safeRange(r: Range | undefined): Range {
  const pos = (p: { line: number; character: number } | undefined) => ({
    line: Math.max(0, Math.floor(Number(p?.line) || 0)),
    character: Math.max(0, Math.floor(Number(p?.character) || 0)),
  });
  const start = pos(r?.start);
  let end = pos(r?.end);
  if (end.line < start.line || (end.line === start.line && end.character < start.character)) end = start;
  return { start, end };
}

export function toDiagnostic(f: Finding, ctx: DiagnosticContext): Diagnostic {
  const d: Diagnostic = {
    range: safeRange(f.range),
    severity: severities[f.severity] ?? 1,
    code: f.code,
    source: SOURCE,
    message: f.message,
  };
  const related = (f.related ?? []).filter((r) => r && typeof r.file === 'string');
  if (related.length > 0) {
    if (ctx.relatedInformation) {
      d.relatedInformation = related.map((r): DiagnosticRelatedInformation => ({
        location: { uri: ctx.uriOf(r.file), range: safeRange(r.range) },
        message: r.message,
      }));
    } else {
      const notes = related.map((r) => {
        const range = safeRange(r.range);
        return `${ctx.displayOf(r.file)}:${range.start.line + 1}:${range.start.character + 1}: ${r.message}`;
      });
      d.message = `${f.message}\n${notes.map((n) => `  - ${n}`).join('\n')}`;
    }
  }
  return d;
}

/** A path relative to the folder that contains it, or the path itself. */
export function displayPath(file: string, folders: string[]): string {
  for (const folder of folders) {
    if (isBelow(folder, file)) return path.relative(folder, file).split(path.sep).join('/');
  }
  return file;
}
