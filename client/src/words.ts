// Counting words for the client's messages (the server's are in server/src/engine/words.ts).

/** `n` and the word, singular for exactly one: plural(3, 'file') is "3 files". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
