// "did you mean …?" for a name a user typed (a code, a key of .kube-pki.yaml).

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
  return prev[b.length];
}

/** The known name closest to `value` (a few edits away, or one that contains it), if any. */
export function closest(value: string, known: Iterable<string>): string | undefined {
  const v = value.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = editDistance(v, k.toLowerCase(), Math.max(2, Math.floor(k.length / 3)));
    if (d < bestDistance && d <= Math.max(2, Math.floor(k.length / 3))) {
      best = k;
      bestDistance = d;
    }
  }
  if (best) return best;
  if (v.length >= 4) for (const k of known) if (k.includes(v) || v.includes(k)) return k;
  return undefined;
}

export function didYouMean(value: string, known: Iterable<string>): string {
  const guess = closest(value, known);
  return guess ? ` (did you mean '${guess}'?)` : '';
}
