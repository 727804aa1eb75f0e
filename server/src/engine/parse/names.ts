// How messages name a Kubernetes object. One place, so a finding, a writer's description and the checks say the
// same thing of the same object: "namespace/name", a name a template fills in said so, never an empty name.
import type { ObjectMeta } from './model';
import { isTemplated } from './template';

/** "namespace/name" (or just the name when the manifest names no namespace), for messages; never empty or templated. */
export function objectName(meta: ObjectMeta): string {
  if (meta.templated || !meta.name) return nameOf(meta);
  return meta.namespace ? `${meta.namespace}/${meta.name}` : meta.name;
}

/**
 * The name alone, for messages: an object whose name a template fills in, or that has none, is said so (a
 * literal name in a namespace a template fills in is still its name).
 */
export function nameOf(meta: ObjectMeta): string {
  if (meta.templated) return literalName(meta.templated.name) ? `${meta.templated.name} in a namespace set by a template` : 'named by a template';
  return meta.name || 'without a name';
}

/** The kind and the name: "Deployment ingress-nginx/ingress-nginx-admission-patch". */
export function objectLabel(kind: string, meta: ObjectMeta): string {
  return `${kind} ${objectName(meta)}`;
}

/** A name as written with no template in it. */
export function literalName(written: string): boolean {
  return written !== '' && !isTemplated(written);
}
