// `.kube-pki.yaml`: which files kube-pki leaves out, how it rates each code, and the settings of the files
// below it. Read with positions, so every problem is reported on its line (the CLI prints FILE:LINE:COL, the
// language server a config-invalid diagnostic there). A setting, rule, glob or key that is not valid is left out
// and the rest applies (a duplicate key: the first one applies); YAML that does not parse sets nothing at all
// (`broken`). The engine applies what is valid; the CLI refuses to run with problems in a config that governs a
// file it reads (cli/tree.ts), as ESLint refuses a broken config in use.
import * as path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { codes } from '../codes';
import { LineIndex } from '../parse/text';
import type { ConfigurableSetting, FileSystem, Range, Severity } from '../types';
import { compileGlob, globProblem, type Glob } from './glob';
import { didYouMean } from '../suggest';
import { isIgnorable } from '../codes';

export const CONFIG_NAMES = ['.kube-pki.yaml', '.kube-pki.yml'] as const;

export function isConfigName(file: string): boolean {
  // Asked of every file read: the name's end first (path.basename only for the few that end so).
  for (const name of CONFIG_NAMES) if (file.endsWith(name)) return path.basename(file) === name;
  return false;
}

export type RuleLevel = 'off' | Severity;
const LEVELS: readonly RuleLevel[] = ['off', 'info', 'warning', 'error'];

export interface RuleEntry {
  level: RuleLevel;
  /** The rule's line in the config (a SARIF external suppression points there). */
  range: Range;
}

export interface ConfigSettings {
  expiryWarningDays?: number;
  /** Absolute (relative values are taken from the config file's folder). */
  rootDir?: string;
  /** Absolute prefix -> absolute folder. */
  pathMappings?: Record<string, string>;
  clusterDomain?: string;
  extraSANs?: string[];
}

export interface ConfigIssue {
  range: Range;
  message: string;
}

export interface PolicyConfig {
  file: string;
  /** The config's folder: relative paths (rootDir, pathMappings) are taken from it. */
  dir: string;
  /** The folder its globs (exclude, overrides[].files) are relative to: `dir`, or the current folder for --config. */
  globBase: string;
  exclude: Glob[];
  rules: Map<string, RuleEntry>;
  overrides: Array<{ files: Glob[]; rules: Map<string, RuleEntry> }>;
  settings: ConfigSettings;
  /** Where each setting is written. */
  settingRanges: Partial<Record<ConfigurableSetting, Range>>;
  issues: ConfigIssue[];
  /** Its YAML does not parse: nothing of it applies (the language server keeps the last valid exclude meanwhile). */
  broken?: boolean;
  /** The exclude kept from the last version that parsed, while this one does not (the language server, mid-edit). */
  keptExclude?: boolean;
  /** `maxFiles`: the bound on candidate files a walk of the folders it governs reads (workspace/walk.ts). */
  maxFiles?: number;
}

const TOP_KEYS = ['exclude', 'maxFiles', 'rules', 'overrides', 'expiryWarningDays', 'rootDir', 'pathMappings', 'clusterDomain', 'extraSANs'];

/**
 * Reads a config file's text. `fs` (optional) checks that rootDir and pathMappings name folders; a place it
 * refuses to look at (Restricted Mode) is not reported. `globBase`: the folder its globs are relative to (default
 * the config's own folder).
 */
export function parseConfig(file: string, text: string, fs?: FileSystem, globBase?: string): PolicyConfig {
  const dir = path.dirname(file);
  const lines = new LineIndex(text);
  const config: PolicyConfig = {
    file,
    dir,
    globBase: globBase ?? dir,
    exclude: [],
    rules: new Map(),
    overrides: [],
    settings: {},
    settingRanges: {},
    issues: [],
  };
  const at = (node: Node | null | undefined, fallback = 0): Range => {
    const r = node?.range;
    return r ? lines.range(r[0], r[1]) : lines.range(fallback, fallback);
  };
  const issue = (node: Node | null | undefined, message: string) => config.issues.push({ range: at(node), message });

  let doc: Document.Parsed;
  try {
    // Duplicate keys are found below (pairsOf), each reported at its key, the first one applying.
    doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  } catch (err) {
    config.issues.push({ range: lines.range(0, 0), message: `does not parse as YAML: ${(err as Error).message}; nothing of this file applies` });
    config.broken = true;
    return config;
  }
  for (const e of doc.errors) {
    config.issues.push({
      range: lines.range(e.pos[0], Math.max(e.pos[0], e.pos[1])),
      message: `YAML: ${firstLine(e.message)}; nothing of this file applies until it parses`,
    });
  }
  if (doc.errors.length) {
    config.broken = true;
    return config;
  }
  const resolve = (n: unknown): Node | null => (isAlias(n) ? ((n.resolve(doc) as Node | undefined) ?? null) : (n as Node | null));
  /** A mapping's pairs with their key's text; a key seen before is reported and left out (the first one applies). */
  const pairsOf = (map: { items: unknown[] }, where: string): Array<{ key: string; k: Node | null; v: Node | null }> => {
    const out: Array<{ key: string; k: Node | null; v: Node | null }> = [];
    const seen = new Set<string>();
    for (const pair of map.items as Pair<unknown, unknown>[]) {
      const k = resolve(pair.key);
      const key = isScalar(k) ? String(k.value) : '';
      if (isScalar(k) && seen.has(key)) {
        issue(k, `${where}duplicate key '${key}': the first one applies, this one is left out`);
        continue;
      }
      seen.add(key);
      out.push({ key, k, v: resolve(pair.value) });
    }
    return out;
  };
  const root = resolve(doc.contents);
  if (root === null || (isScalar(root) && (root.value === null || root.value === ''))) return config; // empty: valid, sets nothing
  if (!isMap(root)) {
    issue(root, `a .kube-pki.yaml is a mapping of settings (${TOP_KEYS.join(', ')})`);
    return config;
  }

  const rulesOf = (node: Node | null, where: string): Map<string, RuleEntry> => {
    const out = new Map<string, RuleEntry>();
    if (node === null || (isScalar(node) && node.value === null)) return out;
    if (!isMap(node)) {
      issue(node, `${where} is a mapping of codes to off, info, warning or error`);
      return out;
    }
    for (const { k, v } of pairsOf(node, `${where}: `)) {
      const code = isScalar(k) ? String(k.value) : undefined;
      if (code === undefined) {
        issue(k, `${where}: a key is a code such as san-missing`);
        continue;
      }
      if (!Object.hasOwn(codes, code)) {
        issue(k, `${where}: unknown code '${code}'${didYouMean(code, Object.keys(codes))}`);
        continue;
      }
      if (!isIgnorable(code)) {
        issue(k, `${where}: ${code} cannot be rated: it reports this file's own problems`);
        continue;
      }
      const raw = isScalar(v) ? v.value : undefined;
      const level = typeof raw === 'string' ? (raw.trim().toLowerCase() as RuleLevel) : undefined;
      if (!level || !LEVELS.includes(level)) {
        issue(v ?? k, `${where}: ${code}: expected off, info, warning or error, got ${describe(raw)}`);
        continue;
      }
      out.set(code, { level, range: at(k) });
    }
    return out;
  };

  const globsOf = (node: Node | null, where: string): Glob[] => {
    const out: Glob[] = [];
    if (node === null || (isScalar(node) && node.value === null)) return out;
    const items = isSeq(node) ? node.items.map(resolve) : [node];
    for (const item of items) {
      if (!isScalar(item) || typeof item.value !== 'string') {
        issue(item ?? node, `${where}: expected a glob (a string) such as 'test/fixtures/' or '**/*.tmpl.yaml'`);
        continue;
      }
      const problem = globProblem(item.value);
      if (problem) issue(item, `${where}: ${problem}`);
      else out.push(compileGlob(item.value));
    }
    return out;
  };

  const folder = (value: string, node: Node | null, what: string): string | undefined => {
    const abs = path.resolve(dir, value);
    const st = fs?.stat(abs);
    if (st && st.kind !== 'directory' && !(st.kind === 'missing' && st.refused)) {
      issue(node, `${what}: ${value} is not a folder (${st.kind === 'missing' ? st.reason : `a ${st.kind}`}; relative paths are taken from ${dir})`);
      return undefined;
    }
    return abs;
  };

  for (const { key, k, v } of pairsOf(root, '')) {
    const str = (): string | undefined => {
      if (isScalar(v) && typeof v.value === 'string' && v.value.trim() !== '') return v.value.trim();
      issue(v ?? k, `${key}: expected a string, got ${describe(isScalar(v) ? v.value : v)}`);
      return undefined;
    };
    switch (key) {
      case 'exclude':
        config.exclude = globsOf(v, 'exclude');
        break;
      case 'rules':
        config.rules = rulesOf(v, 'rules');
        break;
      case 'overrides': {
        if (v === null || (isScalar(v) && v.value === null)) break;
        if (!isSeq(v)) {
          issue(v, 'overrides is a list of {files: [globs], rules: {code: level}}');
          break;
        }
        v.items.forEach((raw, i) => {
          const item = resolve(raw);
          const where = `overrides[${i}]`;
          if (!isMap(item)) {
            issue(item, `${where}: expected {files: [globs], rules: {code: level}}`);
            return;
          }
          let files: Glob[] | undefined;
          let rules = new Map<string, RuleEntry>();
          for (const { key: name, k: pk, v: pv } of pairsOf(item, `${where}: `)) {
            if (name === 'files') files = globsOf(pv, `${where}.files`);
            else if (name === 'rules') rules = rulesOf(pv, `${where}.rules`);
            else issue(pk, `${where}: unknown key '${name}'${didYouMean(name, ['files', 'rules'])}: an override has files and rules`);
          }
          if (files === undefined) issue(item, `${where}: files is missing (the globs this override applies to)`);
          else if (files.length) config.overrides.push({ files, rules });
        });
        break;
      }
      case 'maxFiles': {
        const n = isScalar(v) ? v.value : undefined;
        if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 1) config.maxFiles = n;
        else issue(v ?? k, `maxFiles: expected a whole number of files (1 or more), got ${describe(n)}`);
        break;
      }
      case 'expiryWarningDays': {
        const n = isScalar(v) ? v.value : undefined;
        if (typeof n === 'number' && Number.isFinite(n) && n >= 0) {
          config.settings.expiryWarningDays = n;
          config.settingRanges.expiryWarningDays = at(k);
        } else issue(v ?? k, `expiryWarningDays: expected a number of days (0 or more), got ${describe(n)}`);
        break;
      }
      case 'rootDir': {
        const s = str();
        const abs = s === undefined ? undefined : folder(s, v, 'rootDir');
        if (abs) {
          config.settings.rootDir = abs;
          config.settingRanges.rootDir = at(k);
        }
        break;
      }
      case 'pathMappings': {
        if (!isMap(v)) {
          issue(v ?? k, 'pathMappings is a mapping of absolute path prefixes to folders, e.g. /etc/kubernetes: node1/etc/kubernetes');
          break;
        }
        const out: Record<string, string> = {};
        for (const { k: pk, v: pv } of pairsOf(v, 'pathMappings: ')) {
          const prefix = isScalar(pk) ? String(pk.value).trim() : '';
          if (!prefix.startsWith('/')) {
            issue(pk, `pathMappings: the prefix must be an absolute path (such as /etc/kubernetes), got '${prefix}'`);
            continue;
          }
          if (!isScalar(pv) || typeof pv.value !== 'string' || pv.value.trim() === '') {
            issue(pv ?? pk, `pathMappings: ${prefix}: expected a folder, got ${describe(isScalar(pv) ? pv.value : pv)}`);
            continue;
          }
          const abs = folder(pv.value.trim(), pv, `pathMappings: ${prefix}`);
          if (abs) Object.defineProperty(out, prefix, { value: abs, enumerable: true, writable: true, configurable: true });
        }
        if (Object.keys(out).length) {
          config.settings.pathMappings = out;
          config.settingRanges.pathMappings = at(k);
        }
        break;
      }
      case 'clusterDomain': {
        const s = str()?.replace(/^\.+|\.+$/g, '');
        if (s !== undefined && (s === '' || /\s/.test(s))) issue(v, `clusterDomain: not a domain: '${s}'`);
        else if (s !== undefined) {
          config.settings.clusterDomain = s;
          config.settingRanges.clusterDomain = at(k);
        }
        break;
      }
      case 'extraSANs': {
        const items = isSeq(v) ? v.items.map(resolve) : isScalar(v) && v.value === null ? [] : [v];
        const sans: string[] = [];
        for (const item of items) {
          if (isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number') && String(item.value).trim() !== '')
            sans.push(String(item.value).trim());
          else issue(item ?? k, `extraSANs: expected a DNS name or IP address, got ${describe(isScalar(item) ? item.value : item)}`);
        }
        config.settings.extraSANs = sans;
        config.settingRanges.extraSANs = at(k);
        break;
      }
      default:
        issue(k, `unknown key '${key}'${didYouMean(key, TOP_KEYS)}; a .kube-pki.yaml has ${TOP_KEYS.join(', ')}`);
    }
  }
  return config;
}

function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (typeof v === 'string') return `'${v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (isMap(v)) return 'a mapping';
  if (isSeq(v)) return 'a list';
  return 'something else';
}
