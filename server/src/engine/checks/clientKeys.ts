// client-key-missing: a kubeconfig user's client certificate and key go together.
// - A certificate without a key: client-go refuses the kubeconfig (validateAuthInfo in
//   k8s.io/client-go/tools/clientcmd/validation.go: "client-key-data or client-key must be specified for <user> to
//   use the clientCert authentication method.").
// - A key without a certificate: client-go sends no client certificate (transport's HasCertAuth wants both), so
//   with no other credential every request is anonymous.
import type { CheckContext } from './context';

export function clientKeys(ctx: CheckContext): void {
  for (const kc of ctx.unitsHere('kubeconfig')) {
    for (const user of kc.users) {
      if (user.cert && !user.key) {
        ctx.report(
          'client-key-missing',
          user.cert.span,
          `User ${user.name} has ${user.cert.field} but no client-key or client-key-data: kubectl refuses this kubeconfig ("client-key-data or client-key must be specified for ${user.name} to use the clientCert authentication method."). Add the certificate's private key.`,
        );
      } else if (user.key && !user.cert && !user.otherAuth) {
        ctx.report(
          'client-key-missing',
          user.key.span,
          `User ${user.name} has ${user.key.field} but no client-certificate or client-certificate-data: client-go sends no client certificate without both, so every request from this user is anonymous (system:anonymous). Add the key's certificate.`,
        );
      }
    }
  }
}
