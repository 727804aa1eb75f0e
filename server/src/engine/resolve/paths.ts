// Where does `/etc/kubernetes/pki/ca.crt` live in the user's repository? Tried in order:
// kubePki.pathMappings, kubePki.rootDir (--root), the referencing file's own ancestors (a copy of a
// node's `/` in the repo), the longest suffix of the path found inside the searched folders, and
// last the literal path. The places tried go into the file-not-found message.
//
// A path found nowhere is a defect only when kube-pki knows where the file belongs (its place): then the
// program reading the config would fail to open it there. What kube-pki cannot see is never an error, so a
// path whose place nothing tells (a node path in a repository holding no copy of that node's folder, such
// as the /var/lib/minikube/certs/ca.crt of the kubeadm configs minikube generates) is "unplaced": nothing
// about it is judged, and the adapters say so quietly (Engine.unplacedReferences).
import * as os from 'node:os';
import * as path from 'node:path';
import type { EngineOptions, FileSystem, Refusal } from '../types';
import { type FileIndex } from './fileIndex';
import { isWithin } from '../fs/confined';

/**
 * Why kube-pki knows where a path that was not found belongs:
 * - `relative`: a relative path, read from the folder of the file naming it (kubectl, the kubelet);
 * - `mapping`, `root`: kubePki.pathMappings / kubePki.rootDir (CLI --path-mapping, --root) cover it;
 * - `node-tree`: a folder above the referencing file holds the path's folder (a copy of the node's `/`);
 * - `sibling`: another path of the same folder was found in the workspace, so this one belongs beside it
 *   (set by the engine, which sees every reference);
 * - `literal`: the path's folder exists on this machine, or it is in this machine's home folder, and the file
 *   naming it is this machine's (outside the searched folders) or the folder is inside the searched folders;
 * - `this-machine`: the file naming it is not in the searched folders (a file of this machine, such as
 *   ~/.kube/config opened in the editor), so its paths are this machine's.
 */
export type PlaceKind = 'relative' | 'mapping' | 'root' | 'node-tree' | 'sibling' | 'literal' | 'this-machine';

export interface Place {
  /** Where the file belongs. */
  path: string;
  by: PlaceKind;
  /** For `sibling`: the path found in that folder. */
  beside?: string;
}

export interface Resolution {
  found?: string;
  tried: string[];
  /**
   * Nothing found, and a place tried was out of bounds (EngineOptions.readOnlyWithin): the first such place, and
   * whether it is outside lexically or through a symbolic link. The engine reports it instead of plain not-found.
   * Absent when the path's place is known and was not refused (a node tree copy in the workspace lacking it).
   */
  refused?: { path: string; kind: Refusal };
  /** Nothing found: where the file belongs, when something tells; absent, the reference is unplaced. */
  place?: Place;
}

/** Nothing found, nothing refused, and no place known: not a defect kube-pki can see. */
/**
 * Where the path mappings place a node path (POSIX, absolute), the longest prefix first: `/etc/kubernetes` maps
 * `/etc/kubernetes/pki/ca.crt` and `/etc/kubernetes` itself, not `/etc/kubernetes2`. Path resolution tries each;
 * generation creates a missing file at the first.
 */
export function mappedPaths(refPath: string, pathMappings: Record<string, string> | undefined): string[] {
  const out: string[] = [];
  const mappings = Object.entries(pathMappings ?? {}).sort((a, b) => b[0].length - a[0].length);
  for (const [prefix, target] of mappings) {
    const p = prefix.replace(/\/+$/, '');
    if (refPath === p || refPath.startsWith(p + '/')) out.push(path.join(target, refPath.slice(p.length)));
  }
  return out;
}

export function isUnplaced(r: Resolution | undefined): boolean {
  return !!r && !r.found && !r.place && !r.refused;
}

/** What an absolute path names: a node's file, or one in a home folder of the machine that wrote the config. */
export type PathOrigin = 'node' | 'home';

/**
 * `/home/bob/…`, `/Users/alice/…`, `/root/…`, `/var/root/…` (macOS), `C:\Users\…` and other Windows paths: a
 * file on the machine a kubeconfig was written on (minikube, kind and cloud CLIs name their certificates so),
 * never a path of a cluster node.
 */
export function pathOrigin(p: string): PathOrigin {
  if (isWindowsPath(p)) return 'home';
  return /^\/(home|Users)\/[^/]+\/|^\/(var\/)?root\//.test(p) ? 'home' : 'node';
}

/** `C:\…`, `C:/…`, `\\server\share\…`: absolute on Windows, where such a kubeconfig was written. */
export function isWindowsPath(p: string): boolean {
  return /^[A-Za-z]:[\\/]|^\\\\/.test(p);
}

/** Something is there: a file, a folder, or an entry that cannot be followed (a symlink loop, no permission). */
function exists(fs: FileSystem, p: string, refusals?: Array<{ path: string; kind: Refusal }>): boolean {
  const st = fs.stat(p);
  if (st.kind === 'missing' && st.refused) {
    refusals?.push({ path: p, kind: st.refused });
    return false;
  }
  return st.kind !== 'missing' || !absent.has(st.reason);
}

function isDir(fs: FileSystem, p: string, refusals?: Array<{ path: string; kind: Refusal }>): boolean {
  const st = fs.stat(p);
  if (st.kind === 'missing' && st.refused) refusals?.push({ path: p, kind: st.refused });
  return st.kind === 'directory';
}

const absent = new Set(['no such file', 'a parent of the path is not a folder']);

/** The home folder of whoever runs kube-pki (undefined when there is none worth the name). */
export function homeDir(): string | undefined {
  try {
    const h = os.homedir();
    return h && h !== '/' && path.isAbsolute(h) ? path.resolve(h) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A file holding kubeadm's own configuration (InitConfiguration, ClusterConfiguration, JoinConfiguration): a
 * KubeletConfiguration beside them is what kubeadm writes to the node's /var/lib/kubelet/config.yaml
 * (cmd/kubeadm/app/phases/kubelet/config.go), so its paths are that node's.
 */
export function isKubeadmConfig(text: string): boolean {
  return /^apiVersion:\s*["']?kubeadm\.k8s\.io\//m.test(text) && /^kind:\s*["']?(Init|Cluster|Join)Configuration\b/m.test(text);
}

export interface ResolveContext {
  /**
   * The file naming the path describes another machine (a kubeadm config's KubeletConfiguration describes
   * the node kubeadm sets up): being outside the searched folders does not make its paths this machine's.
   */
  describesNode?: boolean;
}

export function resolveReferencePath(
  fs: FileSystem,
  options: EngineOptions,
  index: FileIndex,
  refPath: string,
  baseDir: string,
  context: ResolveContext = {},
): Resolution {
  const tried: string[] = [];
  const refusals: Array<{ path: string; kind: Refusal }> = [];
  const attempt = (p: string): string | undefined => {
    const normal = path.normalize(p);
    if (!tried.includes(normal)) tried.push(normal);
    return exists(fs, normal, refusals) ? normal : undefined;
  };
  const notFound = (place?: Place): Resolution => {
    // A refusal is the verdict unless the file's place is known in the workspace and was not itself refused (a
    // node tree copy lacking the file: that the literal path, tried last, is outside excuses nothing).
    const refused = refusals[0];
    const known = place && place.by !== 'literal' && place.by !== 'this-machine' && !refusals.some((r) => r.path === place.path);
    if (refused && !known) return { tried, refused };
    return place ? { tried, place } : { tried };
  };
  const roots = options.searchRoots ?? [];
  const boundary = roots.filter((r) => isWithin(r, baseDir)).sort((a, b) => b.length - a.length)[0];
  // A file outside the searched folders is a file of this machine (roots.length: with none, every file is).
  const ofThisMachine = !boundary && !context.describesNode;

  if (isWindowsPath(refPath)) {
    // Only Windows opens it; elsewhere kubectl reads it as a relative path, and fails.
    const found = process.platform === 'win32' ? attempt(refPath) : undefined;
    if (found) return { found, tried };
    return notFound(ofThisMachine ? { path: refPath, by: 'this-machine' } : undefined);
  }

  // Only POSIX-style absolute paths are node paths; a relative one is relative to the referencing file.
  if (!refPath.startsWith('/')) {
    const target = path.resolve(baseDir, refPath);
    const found = attempt(target);
    return found ? { found, tried } : notFound({ path: path.normalize(target), by: 'relative' });
  }

  let place: Place | undefined;
  for (const candidate of mappedPaths(refPath, options.pathMappings)) {
    place ??= { path: path.normalize(candidate), by: 'mapping' };
    const found = attempt(candidate);
    if (found) return { found, tried };
  }

  if (options.rootDir) {
    const candidate = path.join(options.rootDir, refPath);
    place ??= { path: path.normalize(candidate), by: 'root' };
    const found = attempt(candidate);
    if (found) return { found, tried };
  }

  // A copy of a node's tree: node1/etc/kubernetes/manifests/kube-apiserver.yaml names
  // /etc/kubernetes/pki/ca.crt, which is node1/etc/kubernetes/pki/ca.crt. When the file is missing, the nearest
  // such folder holding the path's folder (node1/etc/kubernetes/pki) is where it belongs.
  const folder = path.posix.dirname(refPath);
  let dir = baseDir;
  for (let depth = 0; depth < 12; depth++) {
    if (dir !== '/') {
      const candidate = path.join(dir, refPath);
      // A refusal here is worth reporting only inside the workspace (a symlink in the node tree leading out).
      if (!tried.includes(candidate) && exists(fs, candidate, boundary ? refusals : undefined)) {
        tried.push(candidate);
        return { found: candidate, tried };
      }
      if (!place && folder !== '/' && isDir(fs, path.join(dir, folder))) place = { path: candidate, by: 'node-tree' };
    }
    if ((boundary && dir === boundary) || path.dirname(dir) === dir) break;
    dir = path.dirname(dir);
  }
  if (boundary) tried.push(`${path.join(boundary, '…', refPath)} (any folder from the file up to ${boundary})`);

  const bySuffix = index.longestSuffixMatch(refPath, baseDir);
  if (bySuffix) {
    tried.push(bySuffix);
    return { found: bySuffix, tried };
  }
  if (roots.length) tried.push(`files ending in ${lastTwo(refPath)} under ${roots.join(', ')}`);

  const found = attempt(refPath);
  if (found) return { found, tried };
  // This machine's own folders place the path only when the file naming it describes this machine: it is outside
  // the searched folders (~/.kube/config opened in the editor), or the path's folder is inside them (kube-pki run
  // over a node's own /etc/kubernetes). A repository's manifest naming /etc/ssl/certs/oidc-ca.pem or
  // /etc/kubernetes/pki/ca.crt describes some node, not the laptop or CI runner checking it: were this machine's
  // folders to place it, the same repository would pass on one machine and fail on another. (A rootDir of `/`
  // places every path above, as `root`.)
  if (!place && !refusals.length && (ofThisMachine || roots.some((r) => isWithin(r, folder)))) {
    // The path's folder exists here, or the path is in the home folder of whoever runs kube-pki (a kubeconfig
    // naming ~/.minikube/… of this user).
    const home = homeDir();
    if ((folder !== '/' && isDir(fs, folder, refusals)) || (home && isWithin(home, refPath) && refPath !== home)) {
      place = { path: refPath, by: 'literal' };
    }
  }
  if (!place && ofThisMachine) place = { path: refPath, by: 'this-machine' };
  return notFound(place);
}

function lastTwo(p: string): string {
  return p.split('/').filter(Boolean).slice(-2).join('/');
}
