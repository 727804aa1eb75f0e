// Values a template fills in before anything reads them: Helm (Go templates, `{{ ... }}`) and variable
// substitution, `${VAR}` anywhere in a value (envsubst; Flux's Kustomization postBuild substitution, which
// replaces ${var} and ${var:=default} wherever they stand). Such a value is nothing to judge until it is
// rendered; where a literal value must be compared with it, its literal parts are what is known.
// kustomize's own `$(VAR)` vars are recognised where kustomize replaces them (a webhook's caBundle, objects.ts).

/** One template in a value: `{{ ... }}`, `${...}`. */
const TEMPLATE = /\{\{[\s\S]*?\}\}|\$\{[^}]*\}/;
const TEMPLATES = new RegExp(TEMPLATE.source, 'g');

/** A value a template fills in, in whole or in part (`{{ .Values.ca }}`, `ca-${ENV}`, or a stray `{{`/`}}` of one). */
export function isTemplated(value: string): boolean {
  return value.includes('{{') || value.includes('}}') || TEMPLATE.test(value);
}

/** The literal text between a templated value's templates, in order (one part: no template at all). */
export function literalParts(written: string): string[] {
  return written.split(TEMPLATES);
}

/**
 * Whether a value written with templates (`{{ include "x.fullname" . }}-ca`, `${NAME}`) may render to `value`:
 * its literal parts in order, anything where a template stands; a bare `{{ }}` (written as '') renders to anything.
 */
export function mayRenderTo(written: string, value: string): boolean {
  if (written === '') return true;
  const parts = literalParts(written);
  if (parts.length === 1) return written === value;
  // A glob whose wildcards are the templates: the first part a prefix, the last a suffix, the others in order
  // between them (leftmost matches are enough for a pattern of literals and wildcards).
  const first = parts[0];
  const last = parts[parts.length - 1];
  const end = value.length - last.length;
  if (end < first.length || !value.startsWith(first) || !value.endsWith(last)) return false;
  let pos = first.length;
  for (const p of parts.slice(1, -1)) {
    const i = value.indexOf(p, pos);
    if (i < 0 || i + p.length > end) return false;
    pos = i + p.length;
  }
  return true;
}
