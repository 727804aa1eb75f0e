// key-mismatch: every certificate flag has a key flag beside it, and the key must be the
// certificate's; --service-account-key-file must hold the public half of the signing key.
import type { ComponentUnit, Reference } from '../parse';
import type { CheckContext } from './context';
import { sameKey } from '../pki/key';
import { certKeyPairs, componentUnits, flagRef, nearest, who } from '../cluster';

function publicKeysOf(ctx: CheckContext, ref: Reference | undefined): Buffer[] {
  if (!ref) return [];
  const loaded = ctx.load(ref);
  if (!loaded.ok) return [];
  const m = loaded.material;
  return [
    ...m.publicKeys.map((k) => k.spkiDer),
    ...m.privateKeys.flatMap((k) => (k.spkiDer ? [k.spkiDer] : [])),
    ...m.certs.map((c) => c.publicKey.spkiDer),
  ];
}

export function keyPairs(ctx: CheckContext): void {
  for (const unit of ctx.parsed.units) {
    for (const { cert: certRef, key: keyRef } of certKeyPairs(unit)) {
      const cert = ctx.leaf(certRef);
      const loaded = ctx.load(keyRef);
      if (!cert || !loaded.ok) continue;
      const key = loaded.material.privateKeys.find((k) => !k.encrypted && k.spkiDer);
      if (!key?.spkiDer) continue;
      if (!sameKey(cert.publicKey.spkiDer, key.spkiDer)) {
        const consequence =
          unit.kind === 'secret'
            ? `whatever serves this ${unit.objectKind} cannot load the pair ("tls: private key does not match public key"): a webhook or server pod fails to start, an Ingress controller falls back to its default certificate. Put the key that belongs to ${certRef.field} here (or re-issue both)`
            : 'the TLS handshake fails ("tls: private key does not match public key") and the component will not start';
        ctx.report('key-mismatch', keyRef.span, `${keyRef.field} is not the private key of ${who(cert)} (${certRef.field}): ${consequence}.`, [
          ctx.related(certRef.file, certRef.span, `${certRef.field}: ${who(cert)}, ${cert.publicKey.description}`),
        ]);
      }
    }
    if (unit.kind === 'component') serviceAccountKeys(ctx, unit);
  }
}

/** Tokens signed with the private key must verify with one of --service-account-key-file's keys. */
function serviceAccountKeys(ctx: CheckContext, unit: ComponentUnit): void {
  if (unit.component === 'kube-apiserver') {
    const verifying = unit.refs.filter((r) => r.field === '--service-account-key-file');
    const signing = flagRef(unit, 'service-account-signing-key-file');
    const accepted = verifying.flatMap((r) => publicKeysOf(ctx, r));
    if (signing && verifying.length && accepted.length) {
      const signer = publicKeysOf(ctx, signing)[0];
      if (signer && !accepted.some((k) => sameKey(k, signer))) {
        ctx.report(
          'key-mismatch',
          verifying[verifying.length - 1].span,
          `--service-account-key-file does not hold the public half of --service-account-signing-key-file: the apiserver will reject every service account token it issues itself ("invalid bearer token").`,
          [ctx.related(signing.file, signing.span, '--service-account-signing-key-file is here')],
        );
      }
    }
  }
  if (unit.component === 'kube-controller-manager') {
    const privRef = flagRef(unit, 'service-account-private-key-file');
    const signer = publicKeysOf(ctx, privRef)[0];
    if (!privRef || !signer) return;
    for (const api of nearest(componentUnits(ctx, 'kube-apiserver'), ctx.file)) {
      const verifying = api.refs.filter((r) => r.field === '--service-account-key-file');
      const accepted = verifying.flatMap((r) => publicKeysOf(ctx, r));
      if (!verifying.length || !accepted.length) continue;
      if (!accepted.some((k) => sameKey(k, signer))) {
        ctx.report(
          'key-mismatch',
          privRef.span,
          `--service-account-private-key-file is not a key the apiserver accepts (its --service-account-key-file holds other keys): tokens the controller-manager signs for service accounts will be rejected.`,
          [ctx.related(api.file, verifying[verifying.length - 1].span, "the apiserver's --service-account-key-file")],
        );
      }
    }
  }
}
