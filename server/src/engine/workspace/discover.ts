// Which files of a folder might be Kubernetes configs: YAML, kubeconfigs (`config`, `*.conf`,
// `*.kubeconfig`, `kubeconfig`), static pods named `*.manifest` (kOps, GCE's kube-up), systemd units (`*.service`,
// drop-ins `*.conf`) and their environment files (`*.env`), extension-less files, and the JSON files that can be
// kubeconfigs or static pods (isJsonCandidate: by name, or by their first bytes); never .git, node_modules or files over
// MAX_CONFIG_BYTES (those are passed to `onTooBig`, for a note), and nothing `isExcluded` leaves out (a
// config's exclude: an excluded folder is not entered, so it neither costs reads nor counts toward the bound on files; walk.ts is the walk).
// Recognition proper is by content (parseFile); this only keeps the scan cheap.
import * as path from 'node:path';
import { MAX_CONFIG_BYTES, type FileSystem } from '../types';
import { distroTlsLeafName } from '../parse/distroConfig';
import { DEFAULT_MAX_FILES, walkSteps, type WalkReport } from './walk';

export { SKIP_DIRS } from './walk';

const notConfig =
  /\.(crt|pem|key|cer|der|csr|pub|srl|p12|pfx|png|jpg|gif|svg|ico|zip|gz|tgz|tar|md|ts|js|mjs|map|lock|txt|html|css|sh|go|py|rs|json)$/i;

/** JSON files that are never Kubernetes configs, by the name their tools give them (not even sniffed). */
const JSON_OF_TOOLS =
  /^(package(-lock)?|npm-shrinkwrap|composer|(ts|js)config(\..*)?|\.?eslintrc|\.babelrc|\.prettierrc|lerna|renovate|bower|deno|turbo|nx|project|angular|tslint|vercel|firebase|app)\.json$/i;
/** A JSON file whose name or folder says it may be one: kubectl's `-o json` saved as `*kubeconfig*.json`/`config.json`, or the kubelet's staticPodPath. */
const JSON_CONFIG_NAME = /kube|config\.json$|\.conf\.json$/i;
/** How much of an unnamed JSON file is read to tell (kubeconfigs and static pods are far smaller), and how much looked at. */
const JSON_SNIFF_MAX_BYTES = 512 * 1024;
const JSON_HEAD_CHARS = 4096;
const JSON_HEAD = /"(kind|apiVersion)"\s*:|"(clusters|users)"\s*:\s*\[/;

/** A `.json` file named or placed like a kubeconfig or static pod (decided without reading it). */
function jsonNamedLikeConfig(file: string): boolean {
  const base = path.basename(file);
  if (JSON_OF_TOOLS.test(base)) return false;
  return JSON_CONFIG_NAME.test(base) || path.basename(path.dirname(file)) === 'manifests';
}

/**
 * Whether a `.json` file may be a kubeconfig or a static pod: by name (jsonNamedLikeConfig), else by its first
 * bytes (`"kind":`, `"apiVersion":`, `"clusters": [`) when it is small enough to be one. The tools' own files
 * (package.json, tsconfig.json, ...) and big data files are never read.
 */
export function isJsonCandidate(fs: FileSystem, file: string, size: number): boolean {
  if (!/\.json$/i.test(file) || JSON_OF_TOOLS.test(path.basename(file))) return false;
  if (jsonNamedLikeConfig(file)) return true;
  if (size > JSON_SNIFF_MAX_BYTES) return false;
  const read = fs.readFile(file, JSON_SNIFF_MAX_BYTES);
  if (!read.ok) return false;
  const head = read.data.subarray(0, JSON_HEAD_CHARS).toString('utf8');
  return /^\uFEFF?\s*\{/.test(head) && JSON_HEAD.test(head);
}

export function isCandidateName(file: string): boolean {
  const base = path.basename(file);
  if (/\.json$/i.test(base)) return jsonNamedLikeConfig(file);
  // A k3s or RKE2 server's leaf certificates are judged as documents of their own (parse/distroConfig.ts).
  if (distroTlsLeafName(file)) return true;
  if (/\.(ya?ml|conf|kubeconfig|manifest|service|env)$/i.test(base)) return true;
  if (base === 'config' || base === 'kubeconfig') return true;
  return !base.includes('.') && !notConfig.test(base);
}

export interface DiscoverOptions {
  /** What the walk leaves out below the roots (Engine.excludedBy). */
  isExcluded?: (p: string, isFolder: boolean) => boolean;
  /** Whether anything in a folder can be excluded (walk.ts mayExclude; Engine.mayExcludeIn). */
  mayExclude?: (dir: string) => boolean;
  /** At most this many candidate files (default DEFAULT_MAX_FILES). */
  maxFiles?: number;
  /** What a limit left out (walk.ts): filled in for the caller to say. */
  report?: WalkReport;
  /** Every file the walk met, candidate or not (Engine.adoptListing builds the suffix index from it). */
  listing?: string[];
  /** Each folder's entries as listed (Engine.noteFolder). */
  onFolder?: (dir: string, names: string[]) => void;
  /**
   * Candidates by name are taken without a stat: the reader finds those over MAX_CONFIG_BYTES (ReadResult.tooBig)
   * and says so itself; onTooBig is then called only for the JSON files sniffed.
   */
  sizeOnRead?: boolean;
  /** Each candidate as the walk takes it (walk.ts onTaken). */
  onTaken?: (file: string) => void;
}

/**
 * The candidate files below `roots` (a root that is a file is taken as it is), by the one folder walk (walk.ts:
 * SKIP_DIRS, .gitignore, the configs' exclude, MAX_WALK_DEPTH, at most `maxFiles` candidates). `isExcluded(path,
 * isFolder)`: what the walk leaves out below the roots (Engine.excludedBy); what a limit left out is in
 * `options.report`.
 */
export function discoverFiles(
  fs: FileSystem,
  roots: string[],
  onTooBig?: (file: string, bytes: number) => void,
  isExcluded?: ((p: string, isFolder: boolean) => boolean) | DiscoverOptions,
): string[] {
  const out: string[] = [];
  for (const step of discoverSteps(fs, roots, onTooBig, typeof isExcluded === 'function' ? { isExcluded } : (isExcluded ?? {}), out)) void step;
  return out;
}

/** discoverFiles in steps (walk.ts walkSteps): it pauses after each folder; the candidates are pushed onto `out`. */
export function* discoverSteps(
  fs: FileSystem,
  roots: string[],
  onTooBig: ((file: string, bytes: number) => void) | undefined,
  options: DiscoverOptions,
  out: string[],
): Generator<void> {
  const seen = new Set<string>(out);
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const report = options.report ?? {};
  for (const root of roots) {
    const st = fs.stat(root);
    if (st.kind === 'directory') {
      const found: string[] = [];
      yield* walkSteps(
        fs,
        [path.resolve(root)],
        {
          isExcluded: options.isExcluded,
          mayExclude: options.mayExclude,
          maxFiles: maxFiles - out.length,
          listing: options.listing,
          onFolder: options.onFolder,
          onTaken: options.onTaken,
          accept: (full, sizeOf) => {
            if (seen.has(full)) return false;
            const byName = isCandidateName(full);
            if (!byName && !(/\.json$/i.test(full) && isJsonCandidate(fs, full, sizeOf()))) return false;
            if (byName && options.sizeOnRead) return true;
            const size = sizeOf();
            if (size > MAX_CONFIG_BYTES) {
              onTooBig?.(full, size);
              return false;
            }
            return true;
          },
        },
        report,
        found,
      );
      for (const f of found) {
        seen.add(f);
        out.push(f);
      }
      if (report.files) break;
    } else if (st.kind === 'file' && !seen.has(root)) {
      seen.add(root);
      out.push(path.resolve(root));
    }
  }
}
