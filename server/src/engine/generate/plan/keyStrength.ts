// Whether an existing key is too weak to keep: the planner then issues a new key instead of
// re-using it (for a leaf certificate, gather.ts; for the service account pair, serviceAccount.ts).
// The same thresholds as the weak-key check (checks/weakCrypto.ts): RSA under 2048 bits, EC under 256 bits, any DSA key.

export function isWeak(alg: string, bits: number | undefined): boolean {
  if (bits === undefined) return false;
  return ((alg === 'rsa' || alg === 'rsa-pss') && bits < 2048) || (alg === 'ec' && bits < 256) || alg === 'dsa';
}
