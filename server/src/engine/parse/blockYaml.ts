// A fast reader for the plain block YAML that kubectl, kubeadm and the kubelet write: nested block mappings
// and sequences, one `key: value` or `- item` a line, plain or simply quoted scalars, `{}` and `[]`. It
// builds the very nodes (YAMLMap, YAMLSeq, Pair, Scalar, with the same values, types and source ranges) the
// yaml library's parseAllDocuments would, about ten times faster and with a fraction of the garbage: a
// 2 MB kubeconfig is re-read per keystroke. On anything else (comments, anchors, tags, block or multi-line
// scalars, escapes, flow collections with content, several documents, tabs, CR, non-ASCII, trailing spaces,
// odd indentation, keys that are not plain strings, YAML errors) it gives up and returns undefined, and the
// caller uses the yaml library. test/block-yaml.test.mjs compares both on every fixture and on mutations.
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, parseDocument, isScalar, type ParsedNode } from 'yaml';

interface Line {
  /** Offset of the line's first character, of its content (after the indentation), of its end (the \n or EOF). */
  start: number;
  content: number;
  end: number;
  /** The column the content starts at (for `- key: v`, the column of `key`). */
  indent: number;
}

class Unsupported extends Error {}

/** Plain scalars the core schema reads as null, booleans or numbers (the yaml library's own tests, joined). */
const NOT_A_STRING =
  /^(?:~|[Nn]ull|NULL|[Tt]rue|TRUE|[Ff]alse|FALSE|0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/;
/** A plain scalar may start with these (indicators such as & * ! | > % @ ` ? : [ { " ' # , and "- " may not). */
const PLAIN_START = /[A-Za-z0-9_./+=$~(<\\^]/;
/** Outside printable ASCII, or a line break other than \n, or a comment: left to the yaml library. */
const UNUSUAL = /[^\x20-\x7e\n]|^#| #/m;

const resolved = new Map<string, Scalar>();

/** The scalar the yaml library makes of a plain value that is not a string (true, 6443, 0x1F, ~), cached. */
function nonString(value: string): Scalar {
  let s = resolved.get(value);
  if (!s) {
    const doc = parseDocument(value);
    if (doc.errors.length || !isScalar(doc.contents)) throw new Unsupported();
    s = doc.contents as Scalar;
    if (resolved.size > 1000) resolved.clear();
    resolved.set(value, s);
  }
  const copy = s.clone() as Scalar;
  delete copy.range;
  return copy;
}

export function parseBlockYaml(text: string): Document.Parsed | undefined {
  if (text.length === 0 || UNUSUAL.test(text)) return undefined;
  try {
    return new Reader(text).read();
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

class Reader {
  private readonly lines: Line[] = [];
  private i = 0;

  constructor(private readonly text: string) {}

  read(): Document.Parsed {
    const { text } = this;
    for (let start = 0; start < text.length;) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      let content = start;
      while (content < end && text.charCodeAt(content) === 32) content++;
      if (content < end) {
        if (text.charCodeAt(end - 1) === 32) throw new Unsupported(); // trailing space
        if (content === start && (text.startsWith('---', start) || text.startsWith('...', start))) throw new Unsupported(); // documents
        this.lines.push({ start, content, end, indent: content - start });
      }
      start = end + 1;
    }
    if (this.lines.length === 0 || this.lines[0].indent !== 0 || this.isSeqItem(this.lines[0])) throw new Unsupported();
    const root = this.map(0);
    if (this.i !== this.lines.length) throw new Unsupported();
    const doc = new Document() as Document.Parsed;
    doc.contents = root as unknown as ParsedNode;
    doc.range = [0, root.range![1], text.length];
    return doc;
  }

  private next(i: number): number {
    return this.lines[i].end < this.text.length ? this.lines[i].end + 1 : this.lines[i].end;
  }

  private isSeqItem(l: Line): boolean {
    return this.text.charCodeAt(l.content) === 45 /* - */ && (l.content + 1 === l.end || this.text.charCodeAt(l.content + 1) === 32);
  }

  /** The offset of the `:` ending the implicit key that starts at `from`, or -1 when the line holds no key. */
  private keyColon(from: number, end: number): number {
    const spaced = this.text.indexOf(': ', from);
    if (spaced !== -1 && spaced < end) return spaced;
    return this.text.charCodeAt(end - 1) === 58 /* : */ ? end - 1 : -1;
  }

  /** The collection whose first line is lines[i]: a sequence when it starts with `- `, else a mapping. */
  private collection(indent: number): YAMLMap | YAMLSeq {
    return this.isSeqItem(this.lines[this.i]) ? this.seq(indent) : this.map(indent);
  }

  private map(indent: number): YAMLMap {
    const { text, lines } = this;
    const map = new YAMLMap();
    const start = lines[this.i].content;
    let end = start;
    while (this.i < lines.length && lines[this.i].indent === indent && !this.isSeqItem(lines[this.i])) {
      const l = lines[this.i];
      const colon = this.keyColon(l.content, l.end);
      if (colon <= l.content || colon - l.content > 1024) throw new Unsupported();
      const keyText = text.slice(l.content, colon);
      if (!PLAIN_START.test(keyText[0]) || NOT_A_STRING.test(keyText) || keyText.endsWith(' ')) throw new Unsupported();
      const key = scalar(keyText, [l.content, colon, colon], 'PLAIN');
      let value: Scalar | YAMLMap | YAMLSeq;
      if (colon + 1 < l.end) {
        let v = colon + 1;
        while (text.charCodeAt(v) === 32) v++;
        value = this.inline(v, l.end, this.next(this.i));
        this.i++;
      } else {
        const following = lines[this.i + 1];
        this.i++;
        if (following && following.indent > indent) value = this.collection(following.indent);
        else if (following && following.indent === indent && this.isSeqItem(following)) value = this.seq(indent);
        else value = scalar(null, [colon + 1, colon + 1, colon + 1], 'PLAIN', '');
      }
      map.items.push(new Pair(key, value));
      end = value.range![2];
    }
    if (this.i < lines.length && lines[this.i].indent > indent) throw new Unsupported();
    map.range = [start, end, end];
    return map;
  }

  private seq(indent: number): YAMLSeq {
    const { text, lines } = this;
    const seq = new YAMLSeq();
    const start = lines[this.i].content;
    let end = start;
    while (this.i < lines.length && lines[this.i].indent === indent && this.isSeqItem(lines[this.i])) {
      const l = lines[this.i];
      let c = l.content + 1;
      while (c < l.end && text.charCodeAt(c) === 32) c++;
      if (c >= l.end) throw new Unsupported(); // `-` alone: the item follows on the next lines
      let item: Scalar | YAMLMap | YAMLSeq;
      const colon = this.keyColon(c, l.end);
      if (text.charCodeAt(c) === 45 && (c + 1 === l.end || text.charCodeAt(c + 1) === 32)) throw new Unsupported(); // `- - x`
      if (colon !== -1) {
        // `- key: value`: a mapping whose keys line up with `key`.
        lines[this.i] = { ...l, content: c, indent: c - l.start };
        item = this.map(c - l.start);
      } else {
        item = this.inline(c, l.end, this.next(this.i));
        this.i++;
      }
      seq.items.push(item);
      end = item.range![2];
    }
    if (this.i < lines.length && lines[this.i].indent > indent) throw new Unsupported();
    seq.range = [start, end, end];
    return seq;
  }

  /** A value on the rest of a line: a plain or quoted scalar, `{}` or `[]`. */
  private inline(s: number, end: number, next: number): Scalar | YAMLMap | YAMLSeq {
    const { text } = this;
    const first = text[s];
    const raw = text.slice(s, end);
    if (first === '"' || first === "'") {
      const inner = raw.slice(1, -1);
      if (raw.length < 2 || raw[raw.length - 1] !== first || inner.includes(first) || inner.includes('\\')) throw new Unsupported();
      return scalar(inner, [s, end, next], first === '"' ? 'QUOTE_DOUBLE' : 'QUOTE_SINGLE');
    }
    if (raw === '{}' || raw === '[]') {
      const node = raw === '{}' ? new YAMLMap() : new YAMLSeq();
      node.flow = true;
      node.range = [s, s + 2, next];
      return node;
    }
    if (!(PLAIN_START.test(first) || (first === '-' && raw.length > 1 && raw[1] !== ' ')) || raw.includes(': ') || raw.endsWith(':')) {
      throw new Unsupported();
    }
    if (NOT_A_STRING.test(raw)) {
      const node = nonString(raw);
      node.range = [s, end, next];
      return node;
    }
    return scalar(raw, [s, end, next], 'PLAIN');
  }
}

function scalar(value: string | null, range: [number, number, number], type: Scalar.Type, source = value ?? ''): Scalar {
  const node = new Scalar(value);
  node.range = range;
  node.source = source;
  node.type = type;
  return node;
}
