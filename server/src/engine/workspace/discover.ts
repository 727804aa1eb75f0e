// Which files of a folder might be Kubernetes configs: YAML, kubeconfigs (`config`, `*.conf`,
// `*.kubeconfig`, `kubeconfig`), static pods named `*.manifest` (kOps, GCE's kube-up), systemd units (`*.service`,
// drop-ins `*.conf`) and their environment files (`*.env`) and extension-less files; never .git, node_modules or files over
// MAX_CONFIG_BYTES (those are passed to `onTooBig`, for a note), and nothing `isExcluded` leaves out (a
// config's exclude: an excluded folder is not entered, so it neither costs reads nor counts toward MAX_FILES).
// Recognition proper is by content (parseFile); this only keeps the scan cheap.
import * as path from 'node:path';
import { MAX_CONFIG_BYTES, type FileSystem } from '../types';

/**
 * Folders no walk of the workspace enters (the inventory's and the file index's walks skip them too): version
 * control and installed packages only. A folder is not skipped for its name alone: `dist/` or `out/` often hold the
 * rendered manifests a project ships (kubebuilder's dist/install.yaml); `.kube-pki.yaml`'s `exclude` leaves out more.
 */
export const SKIP_DIRS: ReadonlySet<string> = new Set(['.git', 'node_modules', '.hg', '.svn']);
const MAX_FILES = 20_000;
const MAX_DEPTH = 20;

const notConfig =
  /\.(crt|pem|key|cer|der|csr|pub|srl|p12|pfx|png|jpg|gif|svg|ico|zip|gz|tgz|tar|md|ts|js|mjs|map|lock|txt|html|css|sh|go|py|rs|json)$/i;

export function isCandidateName(file: string): boolean {
  const base = path.basename(file);
  if (/\.(ya?ml|conf|kubeconfig|manifest|service|env)$/i.test(base)) return true;
  if (base === 'config' || base === 'kubeconfig') return true;
  return !base.includes('.') && !notConfig.test(base);
}

/**
 * The candidate files below `roots` (a root that is a file is taken as it is). `isExcluded(path, isFolder)`: what
 * the walk leaves out below the roots (Engine.excludedBy).
 */
export function discoverFiles(
  fs: FileSystem,
  roots: string[],
  onTooBig?: (file: string, bytes: number) => void,
  isExcluded?: (p: string, isFolder: boolean) => boolean,
): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const walk = (dir: string, depth: number) => {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
    for (const name of fs.readDir(dir).sort()) {
      if (out.length >= MAX_FILES) return;
      if (SKIP_DIRS.has(name)) continue;
      const full = path.join(dir, name);
      const st = fs.stat(full);
      if (st.kind === 'directory') {
        if (!isExcluded?.(full, true)) walk(full, depth + 1);
      } else if (st.kind === 'file' && isCandidateName(full) && !seen.has(full) && !isExcluded?.(full, false)) {
        if (st.size > MAX_CONFIG_BYTES) {
          onTooBig?.(full, st.size);
          continue;
        }
        seen.add(full);
        out.push(full);
      }
    }
  };
  for (const root of roots) {
    const st = fs.stat(root);
    if (st.kind === 'directory') walk(path.resolve(root), 0);
    else if (st.kind === 'file' && !seen.has(root)) {
      seen.add(root);
      out.push(path.resolve(root));
    }
  }
  return out;
}
