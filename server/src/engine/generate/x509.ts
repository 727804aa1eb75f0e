// The one place the generator loads @peculiar/x509: the Reflect polyfill must run first, and the
// library must be pointed at Node's WebCrypto.
import './reflect-polyfill';
import * as x509 from '@peculiar/x509';
import { webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CreateParams = Parameters<typeof x509.X509CertificateGenerator.create>[0];
/** The library's (DOM) CryptoKey type; Node's webcrypto.CryptoKey is the same object at run time. */
export type LibCryptoKey = Extract<CreateParams, { signingKey: unknown }>['signingKey'];
export const asLibKey = (k: unknown): LibCryptoKey => k as LibCryptoKey;

export { x509 };
export const subtle = webcrypto.subtle;
