// The words of a `sh -c` script's first simple command, as a POSIX shell splits plain words and quotes
// (POSIX.1-2017 Shell Command Language, 2.2 Quoting and 2.3 Token Recognition): blanks separate words; '...' is
// literal; "..." keeps everything except that a backslash escapes \ " $ ` and newline; a backslash outside quotes
// escapes the next character. The first command ends at ; & | or a line break. A redirection (`2>&1`, `>>file`,
// `> file`) is no word. A word holding an expansion ($VAR, $(...), `...`) is opaque: what it becomes is not in the
// file. Every character of a word carries the source offset it came from.
/** One item of a container's `command` or `args`: its text, and where the scalar stands (quotes included). */
export interface ArgItem {
  text: string;
  start: number;
  end: number;
  quoted: boolean;
  /** The source offset of each character of `text`, when it is not the scalar's own text (a split or expanded word). */
  offsets?: number[];
  /** Its text is not what the program gets (an expansion no file in the workspace defines): flags naming it are not read. */
  opaque?: boolean;
}

const BLANK = ' \t';
const ENDS = ' \t\n;&|';

/** `offsetOf(i)`: the source offset of the script's character i. */
export function shellWords(script: string, offsetOf: (i: number) => number): ArgItem[] {
  const words: ArgItem[] = [];
  const n = script.length;
  let i = 0;
  while (i < n) {
    while (i < n && BLANK.includes(script[i])) i++;
    if (i >= n || ';&|\n'.includes(script[i])) break;
    const wordStart = i;
    let text = '';
    const offsets: number[] = [];
    let expansion = false;
    let redirect = false;
    const add = (j: number) => {
      text += script[j];
      offsets.push(offsetOf(j));
    };
    while (i < n && !ENDS.includes(script[i])) {
      const c = script[i];
      if (c === "'") {
        const close = script.indexOf("'", i + 1);
        const end = close < 0 ? n : close;
        for (let j = i + 1; j < end; j++) add(j);
        i = end + 1;
      } else if (c === '"') {
        i++;
        while (i < n && script[i] !== '"') {
          if (script[i] === '\\' && i + 1 < n && '\\"$`\n'.includes(script[i + 1])) i++;
          else if (script[i] === '$' || script[i] === '`') expansion = true;
          add(i);
          i++;
        }
        i++;
      } else if (c === '\\' && i + 1 < n) {
        add(i + 1);
        i += 2;
      } else {
        if (c === '$' || c === '`') expansion = true;
        if ((c === '<' || c === '>') && /^[0-9]*$/.test(script.slice(wordStart, i))) redirect = true;
        add(i);
        i++;
      }
    }
    if (redirect) {
      // `> file`: the target is the next word.
      if (/[<>]$/.test(text)) {
        while (i < n && BLANK.includes(script[i])) i++;
        while (i < n && !ENDS.includes(script[i])) i++;
      }
      continue;
    }
    if (offsets.length === 0) offsets.push(offsetOf(wordStart));
    words.push({ text, start: offsets[0], end: offsets[offsets.length - 1] + 1, quoted: false, offsets, ...(expansion ? { opaque: true } : {}) });
  }
  return words;
}
