// What a user reads about a referenced path that was not found: where kube-pki looked, why it knows the file
// belongs there, and what to do, worded for what the path is (a node's file, one on the node a kubeadm config
// sets up, or one in a home folder of the machine that wrote a kubeconfig). And, for an unplaced path (nothing
// tells where it belongs), why kube-pki judges nothing about it and how to let it.
//
// The facts and the advice are said here once, as parts (PathNote); the finding's message, the hover's notes
// and the CLI's note are put together from them.
import * as path from 'node:path';
import { isWithin } from '../fs/confined';
import { homeDir, pathOrigin, type Place } from './paths';

export interface NamedBy {
  /** The field is a kubeconfig's (certificate-authority, client-certificate, client-key). */
  kubeconfig: boolean;
  /** The file is a kubeadm config: its KubeletConfiguration describes the node kubeadm sets up. */
  kubeadm: boolean;
}

/** What an absolute path names: a node's file, one on the node a kubeadm config sets up, one in a home folder. */
export type PathKind = 'node' | 'kubeadm-node' | 'home';

export function pathKind(refPath: string, by: NamedBy): PathKind {
  return pathOrigin(refPath) === 'home' ? 'home' : by.kubeadm ? 'kubeadm-node' : 'node';
}

/** A reference whose file kube-pki did not see, in parts: what the path is, and what to do to have it checked. */
export interface PathNote {
  path: string;
  kind: PathKind;
  /** The path's folder (for `--path-mapping FOLDER=DIR`). */
  folder: string;
  /** A kubeconfig's field names it: its file can be embedded instead. */
  kubeconfig: boolean;
  /** A sentence without its full stop: "/var/lib/x/ca.crt is a path on the node kubeadm sets up with this file (…)". */
  what: string;
  /** A clause without capital or full stop: "say where a copy of the node's files is: kubePki.rootDir (…) or …". */
  advice: string;
}

const UNCHECKED = 'not in the workspace, so kube-pki has not checked it';

/** The folder of an absolute path, for `--path-mapping FOLDER=DIR` (Windows paths keep their separators). */
export function folderOf(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i > 0 ? p.slice(0, i) : p;
}

/**
 * What a path is, as the rest of a sentence after the path ("is a path on the node"). `brief`: for the CLI's note,
 * which names the path and its file before it. A KubeletConfiguration beside kubeadm's own configuration is what
 * kubeadm writes to the node's /var/lib/kubelet/config.yaml (cmd/kubeadm/app/phases/kubelet/config.go).
 */
export function whatPathIs(kind: PathKind, kubeconfig: boolean, brief = false): string {
  switch (kind) {
    case 'home':
      return brief
        ? `is in a home folder of the machine the ${kubeconfig ? 'kubeconfig' : 'file'} was written on`
        : `is in a home folder, on the machine ${kubeconfig ? 'this kubeconfig' : 'this file'} was written on`;
    case 'kubeadm-node':
      return brief
        ? 'is a path on the node the kubeadm config sets up'
        : 'is a path on the node kubeadm sets up with this file (kubeadm writes this KubeletConfiguration to /var/lib/kubelet/config.yaml there)';
    case 'node':
      return 'is a path on the node';
  }
}

/**
 * How to have a path kube-pki did not see checked, as a clause. `cli`: the command line's flags only (the CLI's
 * note), else the settings and the flags; `many`: for several paths of that folder.
 */
export function placingAdvice(kind: PathKind, folder: string, o: { kubeconfig: boolean; cli?: boolean; many?: boolean }): string {
  if (kind !== 'home') {
    return o.cli
      ? `say where a copy of the node's files is: --root DIR (the node's /) or --path-mapping ${folder}=DIR`
      : `say where a copy of the node's files is: kubePki.rootDir (the node's /) or kubePki.pathMappings (CLI: --root DIR, --path-mapping ${folder}=DIR)`;
  }
  const it = o.many ? 'them' : 'it';
  const map = o.cli ? `--path-mapping ${folder}=DIR` : `kubePki.pathMappings; CLI: --path-mapping ${folder}=DIR`;
  const copy = `copy ${it} into ${o.cli ? 'the folders checked' : 'the workspace'} and map ${o.many ? 'their' : 'its'} folder (${map})`;
  return o.kubeconfig ? `embed ${it} in the kubeconfig (kubectl config view --raw --flatten writes ${it} into the *-data fields), or ${copy}` : copy;
}

/** The note of a path found nowhere, placed or not. */
export function pathNote(refPath: string, by: NamedBy): PathNote {
  const kind = pathKind(refPath, by);
  const folder = folderOf(refPath);
  return {
    path: refPath,
    kind,
    folder,
    kubeconfig: by.kubeconfig,
    what: `${refPath} ${whatPathIs(kind, by.kubeconfig)}`,
    advice: placingAdvice(kind, folder, { kubeconfig: by.kubeconfig }),
  };
}

/** An unplaced path, one sentence per element (the hover's notes): what it is and that it is unchecked; what to do. */
export function unplacedSentences(note: PathNote): string[] {
  return [`${note.what}${note.kind === 'home' ? ':' : ','} ${UNCHECKED}.`, `To check it, ${note.advice}.`];
}

/** An unplaced path (hover, CodeLens): not in the workspace, nothing tells where, so nothing is judged. */
export function unplacedMessage(note: PathNote): string {
  return unplacedSentences(note).join(' ');
}

function why(refPath: string, place: Place): string {
  switch (place.by) {
    case 'relative':
      return '';
    case 'mapping':
      return ` It belongs at ${place.path} (kubePki.pathMappings).`;
    case 'root':
      return ` It belongs at ${place.path} (under kubePki.rootDir).`;
    case 'node-tree':
      return ` It belongs at ${place.path}: ${path.dirname(place.path)} is this node's ${path.posix.dirname(refPath)} in the workspace.`;
    case 'sibling':
      return ` It belongs at ${place.path}, beside ${place.beside ?? path.dirname(place.path)}, which another reference to ${path.posix.dirname(refPath)} reads.`;
    case 'literal': {
      const home = homeDir();
      return home && isWithin(home, refPath)
        ? ` It is in the home folder of this machine's user, where it is read.`
        : ` ${path.posix.dirname(refPath)} is a folder of this machine, where it is read.`;
    }
    case 'this-machine':
      return ' The file naming it is not in the folders searched, so the path is read on this machine.';
  }
}

/** file-not-found: a file whose place is known is not there. */
export function notFoundMessage(refPath: string, tried: string[], place: Place | undefined, by: NamedBy): string {
  const shown = tried.slice(0, 5).map((t) => path.normalize(t));
  const more = tried.length > 5 ? `, and ${tried.length - 5} more` : '';
  const head = `${refPath} was not found (tried ${shown.join('; ')}${more}).${place ? why(refPath, place) : ''}`;
  if (place?.by === 'relative') return head;
  const note = pathNote(refPath, by);
  if (note.kind === 'home') return `${head} ${note.what}. ${capitalized(note.advice)}.`;
  // Its place is known: the node's files are in the workspace, only not (all) where the place says.
  return `${head} Set kubePki.pathMappings or kubePki.rootDir (CLI: --root) to where this node's files are.`;
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
