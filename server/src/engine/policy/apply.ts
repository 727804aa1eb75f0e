// A document's findings as the user asked to see them: inline ignores first (the most specific), then the
// rules of the config that governs the file (its `overrides` whose files match, later ones winning, over its
// `rules`), and an ignore-unused finding for every ignore that suppressed nothing or names an unknown code,
// except where nothing was checked (a document of the file that did not parse: see `unread`).
import { codes, isIgnorable } from '../codes';
import type { Finding, Severity, SuppressedFinding } from '../types';
import type { PolicyConfig, RuleEntry } from './config';
import { ownerLine, type DocumentComments } from './comments';
import { relativeTo } from './glob';
import { didYouMean } from '../suggest';

export interface PolicyResult {
  shown: Finding[];
  suppressed: SuppressedFinding[];
}

/** Lines (0-based, inclusive) of a document that was not read. */
export interface UnreadLines {
  first: number;
  last: number;
}

/** The rule that rates `code` in `file`: the last matching override that names it, else the config's rules. */
export function ruleFor(config: PolicyConfig | undefined, file: string, code: string): RuleEntry | undefined {
  if (!config) return undefined;
  let rule = config.rules.get(code);
  let rel: string | undefined;
  for (const o of config.overrides) {
    const r = o.rules.get(code);
    if (!r) continue;
    rel ??= relativeTo(config.globBase, file);
    if (o.files.some((g) => g.test(rel!))) rule = r;
  }
  return rule;
}

/**
 * `unread`: the documents of the file nothing was checked in (YAML that does not parse, the whole of a file too big
 * to parse). An ignore there, or one whose line it covers is there, may be right once the YAML parses: it is not
 * reported unused; nor is a -file ignore while any part of the file was not read.
 */
export function applyPolicy(
  file: string,
  raw: Finding[],
  comments: DocumentComments | undefined,
  config: PolicyConfig | undefined,
  unread: UnreadLines[] = [],
): PolicyResult {
  const shown: Finding[] = [];
  const suppressed: SuppressedFinding[] = [];
  const ignores = comments?.ignores ?? [];
  /** Per ignore (by its index), which of its codes suppressed something. */
  const used = ignores.map((ig) => ig.codes.map(() => false));
  // The ignores a finding can meet: those of the whole file, and the line ones by the line they cover.
  const fileWide: number[] = [];
  const byLine = new Map<number, number[]>();
  ignores.forEach((ig, i) => {
    if (ig.misplaced || ig.codes.length === 0) return;
    if (ig.scope === 'file') fileWide.push(i);
    else if (ig.target >= 0) {
      const list = byLine.get(ig.target);
      if (list) list.push(i);
      else byLine.set(ig.target, [i]);
    }
  });

  const rate = (f: Finding): void => {
    const rule = isIgnorable(f.code) ? ruleFor(config, file, f.code) : undefined;
    if (rule?.level === 'off') {
      suppressed.push({ ...f, suppression: { kind: 'external', file: config!.file, range: rule.range } });
    } else if (rule && rule.level !== f.severity) {
      shown.push({ ...f, severity: rule.level as Severity });
    } else shown.push(f);
  };

  for (const f of raw) {
    if (ignores.length && isIgnorable(f.code)) {
      const line = f.range.start.line;
      const owner = comments ? ownerLine(comments.scalars, line) : line;
      // The first ignore in the file that names the code is the one shown as the suppression; every one that
      // names it counts as used.
      let hit = -1;
      const meet = (list: number[] | undefined) => {
        for (const i of list ?? []) {
          ignores[i].codes.forEach((c, j) => {
            if (c.code !== f.code) return;
            used[i][j] = true;
            if (hit < 0 || i < hit) hit = i;
          });
        }
      };
      meet(fileWide);
      meet(byLine.get(line));
      if (owner !== line) meet(byLine.get(owner));
      if (hit >= 0) {
        const ig = ignores[hit];
        suppressed.push({ ...f, suppression: { kind: 'inSource', range: ig.range, reason: ig.reason } });
        continue;
      }
    }
    rate(f);
  }

  // Ignores that rot: a code that matched nothing, an unknown code, a -file ignore below the leading comments.
  const isUnread = (line: number) => line >= 0 && unread.some((u) => line >= u.first && line <= u.last);
  ignores.forEach((ig, i) => {
    // Nothing was checked where it stands or where it points: it may suppress something once the YAML parses.
    if (isUnread(ig.range.start.line) || isUnread(ig.target) || (ig.scope === 'file' && unread.length > 0)) return;
    const keyword = ig.scope === 'file' ? 'kube-pki-ignore-file' : 'kube-pki-ignore';
    if (ig.codes.length === 0) {
      rate(unused(file, ig.range, `${keyword} names no code: write # ${keyword} CODE[,CODE] [-- reason]`));
      return;
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
      return;
    }
    ig.codes.forEach((c, j) => {
      if (used[i][j]) return;
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
  });
  return { shown, suppressed };
}

function unused(file: string, range: Finding['range'], message: string): Finding {
  return { file, range, severity: codes['ignore-unused'].severity, code: 'ignore-unused', message };
}
