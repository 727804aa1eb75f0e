// What a user reads about a referenced path that was not found: where kube-pki looked, why it knows the file
// belongs there, and what to do, worded for what the path is (a node's file, or one in a home folder of the
// machine that wrote a kubeconfig). And, for an unplaced path (nothing tells where it belongs), why kube-pki
// judges nothing about it and how to let it.
import * as path from 'node:path';
import { isWithin } from '../fs/confined';
import { homeDir, pathOrigin, type Place } from './paths';

export interface NamedBy {
  /** The field is a kubeconfig's (certificate-authority, client-certificate, client-key). */
  kubeconfig: boolean;
  /** The file is a kubeadm config: its KubeletConfiguration describes the node kubeadm sets up. */
  kubeadm: boolean;
}

/** The folder of an absolute path, for `--path-mapping FOLDER=DIR` (Windows paths keep their separators). */
function folderOf(p: string): string {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  return i > 0 ? p.slice(0, i) : p;
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

function homeAdvice(refPath: string, by: NamedBy): string {
  const what = by.kubeconfig ? 'this kubeconfig' : 'this file';
  const embed = by.kubeconfig ? 'Embed it in the kubeconfig (kubectl config view --raw --flatten writes it into the *-data fields), or copy' : 'Copy';
  return `${refPath} is in a home folder, on the machine ${what} was written on. ${embed} it into the workspace and map its folder (kubePki.pathMappings; CLI: --path-mapping ${folderOf(refPath)}=DIR).`;
}

/** file-not-found: a file whose place is known is not there. */
export function notFoundMessage(refPath: string, tried: string[], place: Place | undefined, by: NamedBy): string {
  const shown = tried.slice(0, 5).map((t) => path.normalize(t));
  const more = tried.length > 5 ? `, and ${tried.length - 5} more` : '';
  const head = `${refPath} was not found (tried ${shown.join('; ')}${more}).${place ? why(refPath, place) : ''}`;
  if (place?.by === 'relative') return head;
  if (pathOrigin(refPath) === 'home') return `${head} ${homeAdvice(refPath, by)}`;
  return `${head} Set kubePki.pathMappings or kubePki.rootDir (CLI: --root) to where this node's files are.`;
}

/** An unplaced path (hover, CodeLens): not in the workspace, nothing tells where, so nothing is judged. */
export function unplacedMessage(refPath: string, by: NamedBy): string {
  const unchecked = 'not in the workspace, so kube-pki has not checked it';
  if (pathOrigin(refPath) === 'home') {
    const what = by.kubeconfig ? 'this kubeconfig' : 'this file';
    const embed = by.kubeconfig ? 'embed it in the kubeconfig (kubectl config view --raw --flatten), or copy' : 'copy';
    return `${refPath} is in a home folder, on the machine ${what} was written on: ${unchecked}. To check it, ${embed} it into the workspace and map its folder (kubePki.pathMappings; CLI: --path-mapping ${folderOf(refPath)}=DIR).`;
  }
  const node = by.kubeadm
    ? `${refPath} is a path on the node kubeadm sets up with this file (kubeadm writes this KubeletConfiguration to /var/lib/kubelet/config.yaml there)`
    : `${refPath} is a path on the node`;
  return `${node}, ${unchecked}. To check it, say where a copy of the node's files is: kubePki.rootDir (the node's /) or kubePki.pathMappings (CLI: --root DIR, --path-mapping ${folderOf(refPath)}=DIR).`;
}
