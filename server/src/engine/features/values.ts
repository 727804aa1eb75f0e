// Base64 values worth decoding in any YAML, recognised or not: kubeconfig `*-data`, `caBundle`
// (webhook configurations, APIServices, CRD conversion) and a Secret's or ConfigMap's `data:` entries
// named like certificate files (`tls.crt`, `tls.key`, `ca.crt`).
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { Span } from '../parse';

export interface Base64Value {
  key: string;
  span: Span;
  value: string;
  /** Values of one YAML map share it (a Secret's tls.crt and tls.key). */
  mapId: number;
}

const cache = new Map<string, { text: string; values: Base64Value[] }>();
const CACHE_LIMIT = 50;
const MAX_TEXT = 2 * 1024 * 1024;

function wanted(key: string, parentKey: string | undefined): boolean {
  if (/-data$/.test(key) || key === 'caBundle') return true;
  return (parentKey === 'data' || parentKey === 'binaryData') && /\.(crt|key|pem|cer|csr)$/i.test(key);
}

let nextMapId = 0;

function walk(node: unknown, parentKey: string | undefined, out: Base64Value[], depth: number): void {
  if (depth > 64 || out.length > 10_000) return;
  if (isMap(node)) {
    const mapId = nextMapId++;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
      const v = pair.value as Node | null;
      if (k !== undefined && isScalar(v) && typeof v.value === 'string' && v.range && wanted(k, parentKey)) {
        out.push({ key: k, span: { start: v.range[0], end: v.range[1] }, value: v.value, mapId });
      } else {
        walk(v, k, out, depth + 1);
      }
    }
  } else if (isSeq(node)) {
    for (const item of node.items) walk(item, parentKey, out, depth + 1);
  }
}

/** Every base64 value of those keys in a YAML text, with the value's span. */
export function base64Values(file: string, text: string): Base64Value[] {
  const hit = cache.get(file);
  if (hit && hit.text === text) return hit.values;
  const values: Base64Value[] = [];
  if (text.length <= MAX_TEXT && /(-data|caBundle|\.(crt|key|pem|cer|csr))["']?\s*:/.test(text)) {
    try {
      for (const doc of parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false, strict: false })) walk(doc.contents, undefined, values, 0);
    } catch {
      // not YAML: nothing to offer
    }
  }
  cache.set(file, { text, values });
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return values;
}
