// The one place the generator loads @peculiar/x509: the Reflect polyfill must run first, and the
// library must be pointed at Node's WebCrypto. It is loaded when generation first uses it, not when a process
// starts: `kube-pki check` and the language server's start-up never pay for it (about 30 ms).
import './reflect-polyfill';
import type * as X509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

let loaded: typeof X509 | undefined;
function lib(): typeof X509 {
  if (!loaded) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    loaded = require('@peculiar/x509') as typeof X509;
    loaded.cryptoProvider.set(webcrypto as unknown as Parameters<typeof X509.cryptoProvider.set>[0]);
  }
  return loaded;
}

/** @peculiar/x509, loaded on first use (its types: `import type * as X509 from '@peculiar/x509'`). */
const x509 = new Proxy({} as typeof X509, { get: (_, key) => lib()[key as keyof typeof X509] });

type CreateParams = Parameters<typeof X509.X509CertificateGenerator.create>[0];
/** The library's (DOM) CryptoKey type; Node's webcrypto.CryptoKey is the same object at run time. */
export type LibCryptoKey = Extract<CreateParams, { signingKey: unknown }>['signingKey'];
export const asLibKey = (k: unknown): LibCryptoKey => k as LibCryptoKey;

export { x509 };
export const subtle = webcrypto.subtle;
