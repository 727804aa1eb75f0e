// Tables looked up by strings that come from the user's files (a file name, a Secret's key, a flag, a
// duration's unit, a PEM label): a plain object literal would answer 'constructor', 'toString' or
// '__proto__' from Object.prototype. These have no prototype, so a miss is always undefined.

export function lookupTable<V>(entries: Record<string, V>): Readonly<Record<string, V | undefined>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, V>, entries));
}
