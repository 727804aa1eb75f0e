// Small accessors over the yaml library's AST that keep source offsets, so every value the
// checks look at can be reported on its own line. Aliases are followed once, never expanded,
// so alias bombs cost nothing.
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq, type Scalar } from 'yaml';

export type AnyNode = Node | null | undefined;

export function deref(doc: Document, node: unknown): AnyNode {
  if (isAlias(node)) {
    try {
      const target = node.resolve(doc);
      return (target ?? null) as AnyNode;
    } catch {
      return null;
    }
  }
  return node as AnyNode;
}

export function asMap(doc: Document, node: unknown): YAMLMap | undefined {
  const n = deref(doc, node);
  return isMap(n) ? n : undefined;
}

export function asSeq(doc: Document, node: unknown): YAMLSeq | undefined {
  const n = deref(doc, node);
  return isSeq(n) ? n : undefined;
}

export function pairOf(doc: Document, map: YAMLMap | undefined, key: string): Pair | undefined {
  if (!map) return undefined;
  for (const item of map.items) {
    const k = deref(doc, item.key);
    if (isScalar(k) && String(k.value) === key) return item as Pair;
  }
  return undefined;
}

export function get(doc: Document, map: YAMLMap | undefined, key: string): AnyNode {
  return deref(doc, pairOf(doc, map, key)?.value);
}

/** A scalar's value as text, with its source range (the value's own characters). */
export interface TextValue {
  value: string;
  start: number;
  end: number;
  /** Where the value's raw source begins (the quote, if any): offsets inside `value` map from here. */
  quoted: boolean;
}

export function scalarText(doc: Document, node: unknown): TextValue | undefined {
  const n = deref(doc, node);
  if (!isScalar(n) || n.value === null || n.value === undefined) return undefined;
  // An alias is reported where the alias stands, not where its anchor is.
  const range = isAlias(node) ? node.range : (n as Scalar).range;
  const value = typeof n.value === 'string' ? n.value : String(n.value);
  const start = range ? range[0] : 0;
  const end = range ? range[1] : 0;
  const quoted = !isAlias(node) && (n.type === 'QUOTE_DOUBLE' || n.type === 'QUOTE_SINGLE');
  return { value, start, end, quoted };
}

export function getText(doc: Document, map: YAMLMap | undefined, key: string): TextValue | undefined {
  return scalarText(doc, pairOf(doc, map, key)?.value);
}

/** Range of a key (for findings about a field that is present but whose value is unusable). */
export function keyRange(doc: Document, map: YAMLMap | undefined, key: string): [number, number] | undefined {
  const p = pairOf(doc, map, key);
  const k = deref(doc, p?.key);
  if (isScalar(k) && k.range) return [k.range[0], k.range[1]];
  return undefined;
}

export function nodeRange(node: AnyNode): [number, number] | undefined {
  const r = (node as { range?: [number, number, number] } | null | undefined)?.range;
  return r ? [r[0], r[1]] : undefined;
}

export function boolValue(doc: Document, node: unknown): boolean | undefined {
  const n = deref(doc, node);
  if (!isScalar(n)) return undefined;
  if (typeof n.value === 'boolean') return n.value;
  if (typeof n.value === 'string') {
    if (/^(true|yes|on)$/i.test(n.value)) return true;
    if (/^(false|no|off)$/i.test(n.value)) return false;
  }
  return undefined;
}

/**
 * The source offset of each UTF-16 unit of a quoted scalar's value, when its source spells the value with escapes
 * (JSON's `"\/"` or `"\u002f"`, YAML's `\x2f`, `''`): escapes are read as YAML 1.2 reads them (`\uXXXX` is one
 * unit, `\UXXXXXXXX` one or two, `\xXX` and the one-letter escapes one). Undefined when the value is its source
 * verbatim (offsets are then `start + 1 + i`) or when the source folds lines (the caller falls back to the scalar).
 */
export function quotedOffsets(text: string, t: TextValue): number[] | undefined {
  if (!t.quoted || t.end - t.start < 2) return undefined;
  const quote = text[t.start];
  const body = text.slice(t.start + 1, t.end - 1);
  if (body === t.value || body.includes('\n')) return undefined;
  const offsets: number[] = [];
  const base = t.start + 1;
  for (let i = 0; i < body.length;) {
    const c = body[i];
    if (quote === "'" && c === "'" && body[i + 1] === "'") {
      offsets.push(base + i);
      i += 2;
    } else if (quote === '"' && c === '\\') {
      const e = body[i + 1];
      const len = e === 'x' ? 4 : e === 'u' ? 6 : e === 'U' ? 10 : 2;
      const units = e === 'U' ? String.fromCodePoint(parseInt(body.slice(i + 2, i + 10), 16) || 0).length : 1;
      for (let k = 0; k < units; k++) offsets.push(base + i);
      i += len;
    } else {
      offsets.push(base + i);
      i++;
    }
  }
  return offsets.length === t.value.length ? offsets : undefined;
}
