// A CA made on request (kube-pki new-ca, the editor's "Generate CA…"), rather than read from the
// workspace: self-signed, as kubeadm makes a CA, and never over an existing certificate or key. It
// is a plan like the workspace's, so previews, execution and writing are the same.
import * as path from 'node:path';
import type { FileSystem } from '../../types';
import type { KeyType } from '../keys';
import { DEFAULT_CA_DAYS, DEFAULT_KEY_TYPE } from '../profiles';
import type { GenerationPlan } from '../types';
import { exists, siblingKey } from './paths';
import { caSpec } from './specs';

export interface NewCaOptions {
  certPath: string;
  /** Default: beside the certificate (ca.crt -> ca.key). */
  keyPath?: string;
  commonName?: string;
  days?: number;
  keyType?: KeyType;
}

/** A self-signed CA. Never over an existing certificate or key: a CA key is not regenerated. */
export function planNewCA(fs: FileSystem, o: NewCaOptions): GenerationPlan {
  const keyPath = o.keyPath ?? siblingKey(fs, o.certPath);
  const cn = o.commonName ?? 'kubernetes';
  const present = [o.certPath, keyPath].filter((p) => exists(fs, p));
  if (present.length) {
    return {
      actions: [],
      skipped: [
        {
          title: `CA ${cn}`,
          paths: present,
          reason: `${present.join(' and ')} already exist${present.length === 1 ? 's' : ''}: a CA is never replaced (everything it signed would stop verifying); choose another path`,
        },
      ],
    };
  }
  return {
    actions: [
      {
        id: `ca:${o.certPath}`,
        kind: 'ca',
        title: `CA ${cn} (${path.basename(o.certPath)})`,
        reason: 'requested',
        effect: 'create',
        fixes: [],
        spec: caSpec(cn, o.days ?? DEFAULT_CA_DAYS),
        key: { kind: 'new', type: o.keyType ?? DEFAULT_KEY_TYPE },
        signer: { kind: 'self' },
        outputs: [
          { kind: 'cert', path: o.certPath, replace: false },
          { kind: 'key', path: keyPath, replace: false },
        ],
      },
    ],
    skipped: [],
  };
}
