// A client certificate made on request for a user (kube-pki new-client, the editor's "Generate Client
// Certificate…"): the CN and groups given, signed by the CA given, written as files and/or a
// ready kubeconfig. It is a plan like the workspace's, so previews, execution and writing are the same.
import * as path from 'node:path';
import type { FileSystem } from '../../types';
import type { KeyType } from '../keys';
import { DEFAULT_CERT_DAYS, DEFAULT_KEY_TYPE } from '../profiles';
import type { GenerationPlan, PlanOutput, Signer, SkippedItem } from '../types';
import { exists, siblingKey } from './paths';
import { leafSpec } from './specs';

export interface NewClientOptions {
  commonName: string;
  groups?: string[];
  /** The CA that signs it (the apiserver's --client-ca-file) and its key (default beside it). */
  caCertPath: string;
  caKeyPath?: string;
  /** Where the certificate and key go (either or both of files and a kubeconfig). */
  certPath?: string;
  keyPath?: string;
  kubeconfig?: { path: string; server: string; clusterName?: string };
  days?: number;
  keyType?: KeyType;
  /** Permission to replace existing outputs. */
  replace?: boolean;
}

export function planClientCert(fs: FileSystem, o: NewClientOptions): GenerationPlan {
  const skipped: SkippedItem[] = [];
  const caKeyPath = o.caKeyPath ?? siblingKey(fs, o.caCertPath);
  const title = `client certificate for ${o.commonName}${o.groups?.length ? ` (${o.groups.join(', ')})` : ''}`;
  for (const p of [o.caCertPath, caKeyPath]) {
    if (fs.stat(p).kind !== 'file')
      skipped.push({ title, paths: [p], reason: `${p} is not there: the CA's certificate and key are both needed to sign` });
  }
  const outputs: PlanOutput[] = [];
  const signer: Signer = { kind: 'file', certPath: o.caCertPath, keyPath: caKeyPath, name: path.basename(o.caCertPath) };
  if (o.certPath) outputs.push({ kind: 'cert', path: o.certPath, replace: exists(fs, o.certPath) });
  if (o.keyPath) outputs.push({ kind: 'key', path: o.keyPath, replace: exists(fs, o.keyPath) });
  if (o.kubeconfig) {
    outputs.push({
      kind: 'kubeconfig',
      path: o.kubeconfig.path,
      replace: exists(fs, o.kubeconfig.path),
      server: o.kubeconfig.server,
      clusterName: o.kubeconfig.clusterName ?? 'kubernetes',
      userName: o.commonName,
      ca: signer,
    });
  }
  if (outputs.length === 0) skipped.push({ title, paths: [], reason: 'nowhere to write it: give a certificate path or a kubeconfig' });
  const replacing = outputs.filter((x) => 'replace' in x && x.replace).map((x) => ('path' in x ? x.path : ''));
  if (replacing.length && !o.replace)
    skipped.push({
      title,
      paths: replacing,
      reason: `${replacing.join(', ')} exist${replacing.length === 1 ? 's' : ''}: replacing needs permission`,
      needsReplace: true,
    });
  if (skipped.length) return { actions: [], skipped };
  return {
    actions: [
      {
        id: `client:${o.commonName}`,
        kind: o.kubeconfig && !o.certPath ? 'kubeconfig' : 'cert',
        role: 'user',
        title,
        reason: 'requested',
        effect: replacing.length ? 'replace' : 'create',
        fixes: [],
        spec: leafSpec('user', o.commonName, o.groups ?? [], [], [], o.days ?? DEFAULT_CERT_DAYS),
        key: { kind: 'new', type: o.keyType ?? DEFAULT_KEY_TYPE },
        signer,
        outputs,
      },
    ],
    skipped: [],
  };
}
