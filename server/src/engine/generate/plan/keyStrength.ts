// Whether an existing key is too weak to keep: the planner then issues a new key instead of
// re-using it (for a leaf certificate, gather.ts; for the service account pair, serviceAccount.ts).
// The rule is the weak-key check's (pki/key.ts keyWeakness).
import { keyWeakness } from '../../pki/key';

export function isWeak(alg: string, bits: number | undefined): boolean {
  return keyWeakness(alg, bits) !== undefined;
}
