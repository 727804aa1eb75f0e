// What the inventory's phases share: every certificate seen so far (one Entry per SHA-256 of its DER: its
// files, the lines that reference it, the evidence of its role, the keys referenced beside it), every private
// key (one KeyRecord per file, or per inline value) and every public key. The reading phases fill it
// (references.ts, looseFiles.ts); the deciding phases read it (nodes.ts, issuers.ts, keys.ts, findings.ts,
// certificates.ts, orphanKeys.ts); index.ts runs them in order.
import type { Certificate, PublicKeyInfo } from '../pki/certificate';
import type { PrivateKeyInfo } from '../pki/key';
import type { Material } from '../resolve/material';
import type { InventoryLocation } from './types';
import { kubeadmFileRole, type RoleEvidence } from './roles';

export interface Entry {
  cert: Certificate;
  files: Set<string>;
  /** Files a config reference resolved to (listed first). */
  referencedFiles: Set<string>;
  refs: InventoryLocation[];
  refKeys: Set<string>;
  roles: RoleEvidence[];
  kubeadmName?: string;
  /** Key sources referenced beside this certificate (the flag pair, the kubeconfig user's key). */
  pairedKeys: Set<string>;
  /** Those references' lines: a finding there (key-mismatch) concerns the certificate too. */
  pairedKeyLocs: InventoryLocation[];
}

export interface KeyRecord {
  /** The file holding it (for inline data: the kubeconfig). */
  file: string;
  /** A file path, or `file#offset` for inline data. */
  source: string;
  inline: boolean;
  info: PrivateKeyInfo;
  refs: InventoryLocation[];
  refKeys: Set<string>;
}

export interface PublicKeyFile {
  file: string;
  /** The first public key in it. */
  info: PublicKeyInfo;
  refs: InventoryLocation[];
  refKeys: Set<string>;
}

export class Collection {
  /** By the certificate's SHA-256, in the order first seen. */
  readonly entries = new Map<string, Entry>();
  /** By source (see KeyRecord.source), in the order first seen. */
  readonly keys = new Map<string, KeyRecord>();
  /** Public keys met (sa.pub), each once. */
  readonly publicKeys: PublicKeyInfo[] = [];
  /** The files holding a public key (sa.pub), by path, with the lines that reference them. */
  readonly publicKeyFiles = new Map<string, PublicKeyFile>();
  /** What a referenced file held, so that the walk does not read it again. */
  readonly materialByPath = new Map<string, Material>();
  private readonly seenPub = new Set<string>();

  entryOf(cert: Certificate): Entry {
    let e = this.entries.get(cert.sha256);
    if (!e) {
      e = { cert, files: new Set(), referencedFiles: new Set(), refs: [], refKeys: new Set(), roles: [], pairedKeys: new Set(), pairedKeyLocs: [] };
      this.entries.set(cert.sha256, e);
    }
    return e;
  }

  /** `index`: the certificate's place in the file (after the first, a leaf's file holds its chain). */
  addFile(e: Entry, file: string, index: number): void {
    if (e.files.has(file)) return;
    e.files.add(file);
    const k = kubeadmFileRole(file);
    if (!k) return;
    if (index === 0 || !k.component) {
      e.roles.push(k);
      if (k.kubeadmName && !e.kubeadmName) e.kubeadmName = k.kubeadmName;
    } else if (e.cert.isCA) {
      e.roles.push({ rank: 3, role: `${k.role} CA` });
    }
  }

  addKey(file: string, source: string, inline: boolean, info: PrivateKeyInfo, loc?: InventoryLocation): void {
    let k = this.keys.get(source);
    if (!k) this.keys.set(source, (k = { file, source, inline, info, refs: [], refKeys: new Set() }));
    if (loc) addRef(k.refs, k.refKeys, loc);
  }

  addPublic(p: PublicKeyInfo, file?: string, loc?: InventoryLocation): void {
    if (file !== undefined) {
      let f = this.publicKeyFiles.get(file);
      if (!f) this.publicKeyFiles.set(file, (f = { file, info: p, refs: [], refKeys: new Set() }));
      if (loc) addRef(f.refs, f.refKeys, loc);
    }
    const h = p.spkiDer.toString('base64');
    if (this.seenPub.has(h)) return;
    this.seenPub.add(h);
    this.publicKeys.push(p);
  }
}

/** Adds a location to a list once (`seen` holds the keys of those already in it). */
export function addRef(list: InventoryLocation[], seen: Set<string>, loc: InventoryLocation): void {
  const k = locKey(loc);
  if (seen.has(k)) return;
  seen.add(k);
  list.push(loc);
}

function locKey(l: InventoryLocation): string {
  return `${l.file}\0${l.range.start.line}:${l.range.start.character}`;
}

/** A certificate's files: those configs reference first, then the others, each in path order. */
export function filesOf(e: Entry): string[] {
  return [...e.files].sort((a, b) => Number(!e.referencedFiles.has(a)) - Number(!e.referencedFiles.has(b)) || (a < b ? -1 : a > b ? 1 : 0));
}
