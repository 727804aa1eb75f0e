// `kube-pki check -`: a multi-document YAML stream read from standard input (`helm template ... |`,
// `kubectl kustomize ... |`, `kubectl get secrets -A -o yaml |`). There is no file to point at, so a finding in it
// names the object it lies in: kind, namespace and name, as kubectl writes `Secret/default/web-tls` (the
// items of a `kind: List` each by their own).
import * as path from 'node:path';
import { LineCounter, isMap, isSeq, parseAllDocuments, type Node } from 'yaml';
import type { Position } from '../engine/types';

/** The name the stream's findings show instead of a file. */
export const STDIN_DISPLAY = '<stdin>';

/** Where the engine keeps the stream: a name in the current folder no file is likely to have. */
export function stdinPath(cwd: string): string {
  return path.join(cwd, STDIN_DISPLAY);
}

export interface StreamObject {
  kind: string;
  namespace?: string;
  name?: string;
}

/** `Secret/default/web-tls`, `ValidatingWebhookConfiguration/hooks`, `Secret/(no name)`. */
export function objectLabel(o: StreamObject): string {
  return `${o.kind}/${o.namespace ? `${o.namespace}/` : ''}${o.name ?? '(no name)'}`;
}

interface Placed {
  start: number;
  end: number;
  object: StreamObject;
}

/** Reads the stream's objects once; `at(position)` is the object holding a position, if any. */
export class StreamObjects {
  private readonly placed: Placed[] = [];
  private readonly lineStarts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    let docs;
    try {
      docs = parseAllDocuments(text, { lineCounter: new LineCounter(), uniqueKeys: false });
    } catch {
      return; // what the engine makes of text the yaml library refuses is reported by the engine
    }
    for (const doc of Array.isArray(docs) ? docs : [docs]) this.add(doc.contents as Node | null);
  }

  private add(node: Node | null | undefined): void {
    if (!node || !isMap(node) || !node.range) return;
    const object = describe(node);
    if (!object) return;
    this.placed.push({ start: node.range[0], end: node.range[2], object });
    // kubectl get -o yaml: `kind: List` (or SecretList ...) with `items:`, each an object of its own.
    const items = node.get('items', true);
    if (/List$/.test(object.kind) && isSeq(items)) for (const item of items.items) this.add(item as Node);
  }

  at(position: Position): StreamObject | undefined {
    const offset = (this.lineStarts[position.line] ?? Infinity) + position.character;
    let best: Placed | undefined;
    for (const p of this.placed) {
      if (p.start <= offset && offset <= p.end && (!best || p.end - p.start < best.end - best.start)) best = p;
    }
    return best?.object;
  }
}

function describe(node: Node): StreamObject | undefined {
  if (!isMap(node)) return undefined;
  const kind = node.get('kind');
  if (typeof kind !== 'string' || kind === '') return undefined;
  const meta = node.get('metadata', true);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const name = isMap(meta) ? str(meta.get('name')) : undefined;
  const namespace = isMap(meta) ? str(meta.get('namespace')) : undefined;
  return { kind, ...(namespace ? { namespace } : {}), ...(name ? { name } : {}) };
}
