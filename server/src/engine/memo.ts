// Results computed once per object (a parsed unit, a reference) and dropped with it. Parsed units never
// change after parsing, so what is derived from them alone can be kept as long as they live; callers must
// not mutate what they get back.

export function memoByObject<K extends object, V>(fn: (key: K) => V): (key: K) => V {
  const cache = new WeakMap<K, V>();
  return (key: K) => {
    if (cache.has(key)) return cache.get(key) as V;
    const value = fn(key);
    cache.set(key, value);
    return value;
  };
}

/** A bounded memo for a pure function of a string (oldest first out). */
export function memoByString<V>(fn: (key: string) => V, limit = 10_000): (key: string) => V {
  const cache = new Map<string, V>();
  return (key: string) => {
    if (cache.has(key)) return cache.get(key) as V;
    const value = fn(key);
    if (cache.size >= limit) cache.delete(cache.keys().next().value as string);
    cache.set(key, value);
    return value;
  };
}
