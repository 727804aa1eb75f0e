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
