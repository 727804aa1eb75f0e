// What a near-miss of a user or group name is corrected to (the identity check's "did you mean", and the CN and O
// a re-issued certificate gets): the names Kubernetes and kubeadm define (knownNames.ts).
import { memoByString } from '../memo';
import { nearestName } from '../suggest';
import { isNodeName, kindsOfName, knownNames, suggestGroups, suggestUsers } from './knownNames';

/** The name RBAC or a role knows that `value` is a typo of: one edit away, two for a long name. */
function nearest(value: string, names: Iterable<string>): { name?: string; d: number } {
  const { name, distance } = nearestName(value, names, (n) => (n.length > 12 ? 2 : 1));
  return { name, d: distance };
}

/**
 * "did you mean" for a CN (`as: 'user'`) or an O (`as: 'group'`): the user or group RBAC and the authorizers act
 * on that the value is one or two edits away from, or the `system:node:<nodeName>` user a typo'd prefix stands
 * for. The rule, with the names Kubernetes and kubeadm define (knownNames.ts), each of its kind:
 * - a real name of the kind judged (a user as CN, a group as O; ServiceAccounts, nodes, ...) is never a typo;
 * - a real name of another kind (a role name such as system:node-proxier, a group as CN) authenticates as
 *   nothing RBAC binds, which harms nothing by itself (the other fields carry the identity: Kubernetes The Hard
 *   Way's kube-proxy has O=system:node-proxier): it is reported only as the near-miss of a user or group no
 *   other real name is closer to (O=system:node, one edit from the group system:nodes), and never rewritten
 *   into a name that exists only by pattern (system:node-proxier is no node user system:node:proxier);
 * - any other value closer to a real name that is no user or group (a role name's typo) gets no suggestion.
 */
export function nearMiss(value: string, as: 'user' | 'group'): string | undefined {
  return as === 'user' ? nearMissUser(value) : nearMissGroup(value);
}
const nearMissUser = memoByString((value: string) => nearMissUncached(value, 'user'));
const nearMissGroup = memoByString((value: string) => nearMissUncached(value, 'group'));

const knownExcept = (value: string) => [...knownNames].filter((n) => n !== value);

function nearMissUncached(value: string, as: 'user' | 'group'): string | undefined {
  const kinds = kindsOfName(value);
  if (kinds.has(as)) return undefined;
  const target = nearest(value, as === 'user' ? suggestUsers : suggestGroups);
  const known = nearest(value, kinds.size ? knownExcept(value) : knownNames);
  if (known.name && known.d < target.d) return undefined;
  if (target.name) return target.name;
  if (known.name || kinds.size) return undefined;
  // A node's user with a typo'd prefix (system:nodes:worker-1, system:node-worker-1): the user is
  // system:node:<nodeName>; as a group, the node's group is system:nodes.
  const m = /^system:?nodes?[:\-_](.+)$/i.exec(value);
  if (!m) return undefined;
  if (as === 'user') return isNodeName(m[1]) ? `system:node:${m[1]}` : undefined;
  return /^system:nodes[:\-_]/i.test(value) ? 'system:nodes' : undefined;
}
