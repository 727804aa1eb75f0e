// Names a user (or a certificate's author) probably meant: the edit distance between two names, the known name
// nearest to a value, and "did you mean …?" for a name typed in a config or a comment. One implementation for the
// checks (identity.ts: a CN or O one or two edits from a user or group RBAC acts on) and the policy layer (codes
// and keys of .kube-pki.yaml, codes of kube-pki-ignore comments).

/** Levenshtein distance, capped: anything over `max` returns max + 1. */
export function editDistance(a: string, b: string, max = 3): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return Math.min(prev[b.length], max + 1);
}

/**
 * The name nearest to `value` among `names` that is at most `within(name)` edits away (the first of equals), with
 * its distance; `{ distance: Infinity }` when none is.
 */
export function nearestName(value: string, names: Iterable<string>, within: (name: string) => number): { name?: string; distance: number } {
  let name: string | undefined;
  let distance = Infinity;
  for (const n of names) {
    const max = within(n);
    const d = editDistance(value, n, max);
    if (d <= max && d < distance) {
      name = n;
      distance = d;
    }
  }
  return { name, distance };
}

/** The known name closest to `value`, ignoring case (a few edits away, or one that contains it), if any. */
export function closest(value: string, known: Iterable<string>): string | undefined {
  const v = value.toLowerCase();
  const byLower = new Map<string, string>();
  for (const k of known) if (!byLower.has(k.toLowerCase())) byLower.set(k.toLowerCase(), k);
  const near = nearestName(v, byLower.keys(), (k) => Math.max(2, Math.floor(k.length / 3)));
  if (near.name !== undefined) return byLower.get(near.name);
  if (v.length >= 4) for (const [lower, k] of byLower) if (lower.includes(v) || v.includes(lower)) return k;
  return undefined;
}

export function didYouMean(value: string, known: Iterable<string>): string {
  const guess = closest(value, known);
  return guess ? ` (did you mean '${guess}'?)` : '';
}
