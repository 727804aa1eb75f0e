// The one note a run prints about the references kube-pki could not place: paths found nowhere in the folders
// checked, with nothing telling where they are (a node's /var/lib/minikube/certs/ca.crt in a repository of
// kubeadm configs). They are not findings (what kube-pki cannot see is never an error) and do not change the
// exit status; the note says how many, shows one, and says how to have them checked.
import type { UnplacedReference } from '../engine';

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** The note's text (ending in a newline), or '' when every reference was placed. */
export function unplacedNote(refs: UnplacedReference[], display: (file: string) => string): string {
  if (refs.length === 0) return '';
  const files = new Set(refs.map((r) => r.file)).size;
  // The example: a node's path when there is one (the common case), else a home folder's.
  const example = refs.find((r) => r.origin !== 'home') ?? refs[0];
  const folder = example.path.replace(/[\\/][^\\/]*$/, '') || '/';
  const what =
    example.origin === 'home'
      ? 'a file in a home folder of the machine the kubeconfig was written on'
      : example.origin === 'kubeadm-node'
        ? 'a path on the node the kubeadm config sets up'
        : 'a path on the node';
  const how =
    example.origin === 'home'
      ? `embed such files in the kubeconfig (kubectl config view --raw --flatten), or copy them here and map their folder: --path-mapping ${folder}=DIR`
      : `say where a copy of the node's files is: --root DIR (the node's /) or --path-mapping ${folder}=DIR`;
  const count = `${plural(refs.length, 'reference', 'references')} in ${plural(files, 'file', 'files')}`;
  const where = `${display(example.file)}:${example.range.start.line + 1}`;
  return (
    `kube-pki: note: ${count} ${refs.length === 1 ? 'names a file' : 'name files'} not in the folders checked, and nothing tells where ` +
    `${refs.length === 1 ? 'it is' : 'they are'} (e.g. ${where}: ${example.field} ${example.path}, ${what}); ` +
    `${refs.length === 1 ? 'it was' : 'they were'} not checked. To check them, ${how}.\n`
  );
}
