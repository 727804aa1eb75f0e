// Counting words for messages: "1 file", "3 files", "2 entries".

/** `n` and the word, singular for exactly one: plural(3, 'file') is "3 files", plural(1, 'entry', 'entries') "1 entry". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
