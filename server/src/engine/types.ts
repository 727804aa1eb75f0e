// The vocabulary shared by every part of the engine. Nothing here knows about VS Code or the LSP:
// positions are zero-based line/character pairs, files are absolute paths.

export type Severity = 'error' | 'warning' | 'info';

export interface Position {
  line: number; // 0-based
  character: number; // 0-based, UTF-16 code units (as LSP and VS Code count)
}

export interface Range {
  start: Position;
  end: Position;
}

export interface RelatedLocation {
  file: string;
  range: Range;
  message: string;
}

/** One thing kube-pki found wrong, located in the file where the user can fix it. */
export interface Finding {
  file: string;
  range: Range;
  severity: Severity;
  code: string;
  message: string;
  related?: RelatedLocation[];
}

/** A folder's entry as readdir tells it: 'symlink' and 'other' are stat'ed by whoever needs to know more. */
export interface DirEntry {
  name: string;
  kind: 'file' | 'directory' | 'symlink' | 'other';
}

export interface FileStat {
  kind: 'file' | 'directory' | 'other';
  size: number;
  mtimeMs: number;
}

/**
 * Why a read was refused without touching the disk: the path is outside the folders the engine may read
 * (EngineOptions.readOnlyWithin), lexically or through a symbolic link.
 */
export type Refusal = 'outside' | 'link';

/** A failed read says why; `tooBig`: the file's size, when it is over the limit asked. */
export type ReadResult = { ok: true; data: Buffer } | { ok: false; reason: string; refused?: Refusal; tooBig?: number };

export type MissingStat = { kind: 'missing'; reason: string; refused?: Refusal };

/**
 * The engine's only window onto files. The CLI uses the disk; the language server layers open
 * editor buffers over the disk. Implementations must never block on special files (FIFOs, devices).
 */
export interface FileSystem {
  /** undefined when nothing is there (or a symlink loop / permission error: then `reason` tells). */
  stat(path: string): FileStat | MissingStat;
  /** Reads a regular file of at most maxBytes; anything else is a failure with a reason a user understands. */
  readFile(path: string, maxBytes: number): ReadResult;
  /** Entries of a folder (names only); empty when not a folder. */
  readDir(path: string): string[];
  /**
   * Entries of a folder with what each is, without following symbolic links (readdir's d_type: no stat per entry);
   * optional: a walk without it stats every entry.
   */
  readDirTyped?(path: string): DirEntry[];
  /**
   * The path with every symbolic link, `.` and `..` resolved as the kernel resolves them (realpath(3)); undefined
   * when it does not resolve (nothing there). Optional: without it, readOnlyWithin can only judge paths lexically.
   */
  realpath?(path: string): string | undefined;
  /**
   * Whether the last folder listing typed `path` as a regular file that no read has used yet (readDirTyped): true
   * once, for a reader elsewhere (a reader thread) that then opens it without a stat of its own. Optional.
   */
  takeListed?(path: string): boolean;
}

export interface EngineOptions {
  /** The instant verdicts are taken at (the CLI's --now). */
  now?: Date;
  /** cert-expiring fires within this many days. */
  expiryWarningDays: number;
  /** Absolute paths such as /etc/kubernetes/pki/ca.crt resolve under this folder first. */
  rootDir?: string;
  /** Absolute prefix -> folder; tried before rootDir. */
  pathMappings: Record<string, string>;
  /** Folders searched for the longest existing suffix of an absolute path. */
  searchRoots: string[];
  /** kubernetes.default.svc.<clusterDomain> */
  clusterDomain: string;
  /**
   * When set (VS Code Restricted Mode: the workspace folders), nothing outside these folders is read or even
   * looked at: no certificate, key, kubeconfig or folder, whether the path leads out lexically (an absolute path,
   * `..`) or through a symbolic link. A reference that resolves outside gets a finding saying so
   * (fs/confined.ts). Undefined: no limit.
   */
  readOnlyWithin?: string[];
  /** Extra DNS names or IPs for the apiserver's serving certificate when kube-pki generates or re-issues it. */
  extraSANs?: string[];
  /**
   * Which `.kube-pki.yaml` applies (policy/): undefined, the nearest one above each file (never above the folder
   * holding `.git`); a path, that file for every file; false, none.
   */
  configFile?: string | false;
  /**
   * With `configFile` a path: the folder that config's globs (exclude, overrides[].files) are relative to. The CLI
   * sets the current folder (`--config ci/kube-pki.yaml` with `exclude: [fixtures/]` leaves out ./fixtures, as
   * ESLint reads the patterns of a config given with -c). Default: the config's own folder.
   */
  configBase?: string;
  /** Globs (gitignore-like, relative to `base`) of files never read as documents, besides the config files' `exclude`. */
  exclude?: { base: string; patterns: string[] };
  /**
   * Settings given where they win over a config file (the CLI's flags); the others (VS Code settings, defaults)
   * give way to a config file's for the files below it.
   */
  pinned?: ConfigurableSetting[];
}

/** The settings a `.kube-pki.yaml` can set for the files below it. */
export type ConfigurableSetting = 'expiryWarningDays' | 'rootDir' | 'pathMappings' | 'clusterDomain' | 'extraSANs';

/** How a finding that is not shown was suppressed (Engine.suppressed). */
export type Suppression =
  /** A `# kube-pki-ignore` comment in the file: where it is, and its reason (after ` -- `). */
  | { kind: 'inSource'; range: Range; reason?: string }
  /** A config file's rule turned the code off: the config and the line of the rule. */
  | { kind: 'external'; file: string; range: Range };

export interface SuppressedFinding extends Finding {
  suppression: Suppression;
}

export const defaultOptions: EngineOptions = {
  expiryWarningDays: 30,
  pathMappings: {},
  searchRoots: [],
  clusterDomain: 'cluster.local',
};

/** Certificate, key and CA bundle files bigger than this are never read (a bundle of every public CA is ~0.3 MB). */
export const MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * Kubeconfigs, manifests and kubelet configs bigger than this are not checked (their YAML alone would take
 * seconds and hundreds of MB): a CI runner's kubeconfig with 1,000 users and RSA keys is ~5.5 MB, so this
 * leaves room for three times that. Such a document gets one file-unreadable finding saying so.
 */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
