// A document's findings as the user asked to see them: inline ignores first (the most specific), then the
// rules of the config that governs the file (its `overrides` whose files match, later ones winning, over its
// `rules`), and an ignore-unused finding for every ignore that suppressed nothing or names an unknown code.
import { codes } from '../codes';
import type { Finding, Severity, SuppressedFinding } from '../types';
import type { PolicyConfig, RuleEntry } from './config';
import { ownerLine, type DocumentComments, type IgnoreComment } from './comments';
import { relativeTo } from './glob';
import { didYouMean } from './suggest';

export interface PolicyResult {
  shown: Finding[];
  suppressed: SuppressedFinding[];
}

/** Codes no ignore or rule touches: a config's own problems. */
const UNTOUCHABLE = new Set(['config-invalid']);

/** The rule that rates `code` in `file`: the last matching override that names it, else the config's rules. */
export function ruleFor(config: PolicyConfig | undefined, file: string, code: string): RuleEntry | undefined {
  if (!config) return undefined;
  let rule = config.rules.get(code);
  let rel: string | undefined;
  for (const o of config.overrides) {
    const r = o.rules.get(code);
    if (!r) continue;
    rel ??= relativeTo(config.dir, file);
    if (o.files.some((g) => g.test(rel!))) rule = r;
  }
  return rule;
}

export function applyPolicy(file: string, raw: Finding[], comments: DocumentComments | undefined, config: PolicyConfig | undefined): PolicyResult {
  const shown: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const ignores = comments?.ignores ?? [];
  const used = new Set<string>();
  const key = (ig: IgnoreComment, i: number) => `${ig.range.start.line}:${ig.range.start.character}:${i}`;

  const rate = (f: Finding): void => {
    const rule = UNTOUCHABLE.has(f.code) ? undefined : ruleFor(config, file, f.code);
    if (rule?.level === 'off') {
      suppressed.push({ ...f, suppression: { kind: 'external', file: config!.file, range: rule.range } });
    } else if (rule && rule.level !== f.severity) {
      shown.push({ ...f, severity: rule.level as Severity });
    } else shown.push(f);
  };

  for (const f of raw) {
    if (!UNTOUCHABLE.has(f.code) && ignores.length) {
      const line = f.range.start.line;
      const owner = comments ? ownerLine(comments.scalars, line) : line;
      let hit: IgnoreComment | undefined;
      for (const ig of ignores) {
        if (ig.misplaced) continue;
        if (ig.scope === 'line' && ig.target !== line && ig.target !== owner) continue;
        ig.codes.forEach((c, i) => {
          if (c.code !== f.code) return;
          used.add(key(ig, i));
          hit ??= ig;
        });
      }
      if (hit) {
        suppressed.push({ ...f, suppression: { kind: 'inSource', range: hit.range, reason: hit.reason } });
        continue;
      }
    }
    rate(f);
  }

  // Ignores that rot: a code that matched nothing, an unknown code, a -file ignore below the leading comments.
  for (const ig of ignores) {
    const keyword = ig.scope === 'file' ? 'kube-pki-ignore-file' : 'kube-pki-ignore';
    if (ig.codes.length === 0) {
      rate(unused(file, ig.range, `${keyword} names no code: write # ${keyword} CODE[,CODE] [-- reason]`));
      continue;
    }
    if (ig.misplaced) {
      rate(
        unused(
          file,
          ig.range,
          ig.ownLine
            ? `${keyword} suppresses nothing here: it must be among the comments at the top of the file, before any content`
            : `${keyword} suppresses nothing at the end of a line: put it alone on a line at the top of the file`,
        ),
      );
      continue;
    }
    ig.codes.forEach((c, i) => {
      if (used.has(key(ig, i))) return;
      if (!Object.hasOwn(codes, c.code)) {
        rate(unused(file, c.range, `${keyword}: unknown code '${c.code}'${didYouMean(c.code, Object.keys(codes))}; it suppresses nothing`));
        return;
      }
      const where =
        ig.scope === 'file'
          ? 'in this file'
          : ig.target < 0
            ? 'below it (nothing follows)'
            : `on line ${ig.target + 1}${ig.ownLine ? ' (the line below it)' : ''}`;
      rate(unused(file, c.range, `${keyword} ${c.code}: there is no ${c.code} finding ${where} any more; remove it`));
    });
  }
  return { shown, suppressed };
}

function unused(file: string, range: Finding['range'], message: string): Finding {
  return { file, range, severity: codes['ignore-unused'].severity, code: 'ignore-unused', message };
}
