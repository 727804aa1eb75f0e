// What every rotation shares: its options, its result, and kube-pki check's verdict on the tree a stage leaves.
import { MAX_CONFIG_BYTES, MAX_FILE_BYTES, type FileSystem } from '../../types';
import type { Engine } from '../../workspace/engine';
import type { KeyType } from '../keys';

export type RotatedCa = 'cluster' | 'etcd' | 'front-proxy';
export type Stage = 1 | 2 | 3;

export interface RotateOptions {
  ca: RotatedCa | 'service-account';
  /** Several clusters in the workspace: rotate the CA this file holds (every copy of it). */
  site?: string;
  /** The stage to write; default the one after the stage the files are at. */
  stage?: Stage;
  /** The new CA's key (stage 1); default rsa-2048 as kubeadm. */
  keyType?: KeyType;
  /** Validity of the new CA (stage 1, default 3650 days) or of the re-issued leaves (stage 2, default: as long as the old one was). */
  days?: number;
  /** Stage 2: new keys for the re-issued leaves instead of keeping theirs. */
  newKeys?: boolean;
  now?: Date;
  /** Folders whose certificate files are read (the CLI's paths). */
  roots: string[];
  /** An engine with the same options over another FileSystem, the documents not yet read (the tree after the stage). */
  engineOver: (fs: FileSystem) => Engine;
  show?: (file: string) => string;
}

/** One file the stage writes, with what to say about it (never its content). */
export interface RotationFile {
  path: string;
  contents: string;
  mode: number;
  replace: boolean;
  summary: string;
}

export interface BrokenConnection {
  connection: string;
  check: string;
  /** "new client files / old server files". */
  mix: string;
  message: string;
}

export interface RotationResult {
  ca: RotatedCa | 'service-account';
  title: string;
  /** The stage the files are at (0: not started or finished). */
  current: 0 | 1 | 2;
  stage: Stage;
  /** The CA files (NAME.crt of every node tree). */
  sites: string[];
  files: RotationFile[];
  /** Files moved after the batch (stage 3: the old CA into rotated/). */
  moves: { from: string; to: string }[];
  /** Staging files removed after the batch (stage 2: NAME-new.*, now NAME.crt's first and NAME.key). */
  removals: string[];
  /** What restarts or must be redistributed. */
  restart: string[];
  /** What to verify before the next stage. */
  verifyNext: string[];
  /** Trust points kube-pki does not rewrite (a Secret's or a webhook's inline CA): to update by hand. */
  byHand: string[];
  /** Trust points held in objects that a controller writes at run time (a cainjector's caBundle): left alone, with who refills them. */
  refilled: string[];
  /** Certificates the old CA signed that cannot be re-issued here (no key), with why. */
  notReissued: string[];
  /** Connections checked, and of them the ones the stage would break (in some mix of old and new files). */
  connectionsChecked: number;
  broken: BrokenConnection[];
  /** Errors kube-pki check would report on the tree after the stage that it does not report now. */
  newErrors: string[];
  /** Why the stage cannot be written at all (before any check). */
  refusal?: string;
  /** Refused because the workspace holds several different CAs of this kind: one CA file of each, to choose from (`site`). */
  choices?: string[];
}

/** A rotation with nothing in it yet: what a stage fills in, or the answer to a request that fails. */
export function emptyRotation(ca: RotationResult['ca'], title: string, stage: Stage): RotationResult {
  return {
    ca,
    title,
    current: 0,
    stage,
    sites: [],
    files: [],
    moves: [],
    removals: [],
    restart: [],
    verifyNext: [],
    byHand: [],
    refilled: [],
    notReissued: [],
    connectionsChecked: 0,
    broken: [],
    newErrors: [],
  };
}

export function readText(fs: FileSystem, file: string, max = MAX_FILE_BYTES): string | undefined {
  const r = fs.readFile(file, max);
  return r.ok ? r.data.toString('latin1') : undefined;
}

function errorsOf(e: Engine, show: (p: string) => string): Map<string, string> {
  const out = new Map<string, string>();
  for (const file of e.documents()) {
    for (const f of e.check(file)) {
      if (f.severity !== 'error') continue;
      out.set(`${file}\u0000${f.code}\u0000${f.range.start.line}`, `${show(file)}:${f.range.start.line + 1}: ${f.code}: ${f.message}`);
    }
  }
  return out;
}

/** Errors kube-pki check reports on the tree after the stage (`after`: an engine over it, documents not yet read) and not now. */
export function newErrorsAfter(before: Engine, after: Engine, fs: FileSystem, show: (p: string) => string): string[] {
  for (const file of before.documents()) {
    const r = fs.readFile(file, MAX_CONFIG_BYTES);
    if (r.ok) after.updateDocument(file, r.data.toString('utf8'));
  }
  const was = errorsOf(before, show);
  const now = errorsOf(after, show);
  return [...now].filter(([k]) => !was.has(k)).map(([, v]) => v);
}
