// The one note a run prints about the references kube-pki could not place: paths found nowhere in the folders
// checked, with nothing telling where they are (a node's /var/lib/minikube/certs/ca.crt in a repository of
// kubeadm configs). They are not findings (what kube-pki cannot see is never an error) and do not change the
// exit status; the note says how many, shows one, and says how to have them checked (worded by
// resolve/notFound.ts, as the hover is).
import type { UnplacedReference } from '../engine';
import { placingAdvice, whatPathIs } from '../engine/resolve/notFound';
import { plural } from '../engine/words';

/** The note's text (ending in a newline), or '' when every reference was placed. */
export function unplacedNote(refs: UnplacedReference[], display: (file: string) => string): string {
  if (refs.length === 0) return '';
  const files = new Set(refs.map((r) => r.file)).size;
  // The example: a node's path when there is one (the common case), else a home folder's.
  const example = refs.find((r) => r.origin !== 'home') ?? refs[0];
  const { note } = example;
  const many = refs.length > 1;
  const how = placingAdvice(note.kind, note.folder, { kubeconfig: note.kubeconfig, cli: true, many });
  const count = `${plural(refs.length, 'reference', 'references')} in ${plural(files, 'file', 'files')}`;
  const where = `${display(example.file)}:${example.range.start.line + 1}`;
  return (
    `kube-pki: note: ${count} ${many ? 'name files' : 'names a file'} not in the folders checked, and nothing tells where ` +
    `${many ? 'they are' : 'it is'} (e.g. ${where}: ${example.field} ${example.path}, which ${whatPathIs(note.kind, note.kubeconfig, true)}); ` +
    `${many ? 'they were' : 'it was'} not checked. To check ${many ? 'them' : 'it'}, ${how}.\n`
  );
}
