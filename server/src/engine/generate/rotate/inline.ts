// Trust points and leaves held inline in Kubernetes objects (the kube-root-ca.crt ConfigMap's ca.crt, a webhook's,
// APIService's or CRD conversion webhook's caBundle, a Secret's ca.crt or tls.crt), rewritten in place: only the
// value's characters change, in the style it was written in (a base64 value stays base64 and keeps its quotes; a
// PEM block scalar stays a block scalar with its header and indentation), so comments, key order and every other
// byte of the file stay as they were. Where a value is, in any version of the file, is its document and key path
// (the edit changes no key), so the same connection can be judged before and after a stage.
import YAML, { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Span } from '../../parse';

/** A value inside a YAML document: `doc` (0-based) and the keys down to it; `encoded`: base64 of PEM, else PEM text. */
export interface YamlPath {
  doc: number;
  keys: (string | number)[];
  encoded: boolean;
}

/** The document and key path of the scalar starting at `offset` (a unit's span start); undefined when none does. */
export function yamlPathAt(text: string, offset: number, encoded: boolean): YamlPath | undefined {
  const docs = YAML.parseAllDocuments(text);
  for (let i = 0; i < docs.length; i++) {
    const d = docs[i];
    const r = d.contents?.range;
    if (!r || offset < r[0] || offset > r[2]) continue;
    const keys: (string | number)[] = [];
    const walk = (node: unknown): boolean => {
      if (isScalar(node)) return node.range?.[0] === offset;
      if (isMap(node)) {
        for (const item of node.items) {
          const v = item.value as Node | null;
          const vr = v?.range;
          if (!vr || offset < vr[0] || offset > vr[2]) continue;
          const k = isScalar(item.key) ? item.key.value : item.key;
          if (typeof k !== 'string' && typeof k !== 'number') return false;
          keys.push(k);
          if (walk(v)) return true;
          keys.pop();
        }
        return false;
      }
      if (isSeq(node)) {
        for (let j = 0; j < node.items.length; j++) {
          const v = node.items[j] as Node | null;
          const vr = v?.range;
          if (!vr || offset < vr[0] || offset > vr[2]) continue;
          keys.push(j);
          if (walk(v)) return true;
          keys.pop();
        }
      }
      return false;
    };
    if (walk(d.contents)) return { doc: i, keys, encoded };
  }
  return undefined;
}

/** The PEM text at a path of this version of the file; undefined when it is not there or not text. */
export function readYamlPath(text: string, p: YamlPath): string | undefined {
  const docs = YAML.parseAllDocuments(text);
  const value = docs[p.doc]?.getIn(p.keys);
  if (typeof value !== 'string') return undefined;
  if (!p.encoded) return value;
  const compact = value.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) return undefined;
  return Buffer.from(compact, 'base64').toString('latin1');
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * The new source of one scalar (the characters `span` covers, a block scalar's trailing line breaks excluded),
 * holding `pem`, as base64 when `encoded`, in the style the old one was written in.
 */
function rewriteScalar(old: string, pem: string, encoded: boolean, eol: string): string {
  const value = encoded ? Buffer.from(pem, 'latin1').toString('base64') : pem;
  const quote = /^["']/.exec(old)?.[0];
  if (/^[|>]/.test(old)) {
    const nl = old.indexOf('\n');
    const header = (nl < 0 ? old : old.slice(0, nl)).replace(/\r$/, '');
    const indent = /\n([ \t]+)/.exec(old)?.[1] ?? '  ';
    // A folded scalar would join the PEM lines: a literal one keeps them (base64 is one line either way).
    const head = encoded ? header : header.replace(/^>/, '|');
    const lines = value.replace(/\n$/, '').split('\n');
    return `${head}${eol}${lines.map((l) => indent + l).join(eol)}`;
  }
  if (encoded) return quote ? `${quote}${value}${quote}` : value;
  // PEM text outside a block scalar: a double-quoted scalar with \n escapes (JSON's escapes are YAML's).
  return JSON.stringify(value);
}

/** `text` with each span's scalar replaced by its new value (spans of `text` as read, none overlapping). */
export function applyScalarEdits(text: string, edits: { span: Span; pem: string; encoded: boolean }[]): string {
  const eol = eolOf(text);
  let out = text;
  for (const e of [...edits].sort((a, b) => b.span.start - a.span.start))
    out = out.slice(0, e.span.start) + rewriteScalar(out.slice(e.span.start, e.span.end), e.pem, e.encoded, eol) + out.slice(e.span.end);
  return out;
}
