// yaml-invalid: a file that reads like a kubeconfig or manifest but does not parse. One diagnostic
// per broken document, at the error, instead of silence or a crash.
import type { CheckContext } from './context';

export function yamlInvalid(ctx: CheckContext): void {
  for (const e of ctx.parsed.yamlErrors) {
    ctx.report(
      'yaml-invalid',
      e.span,
      `This file does not parse as YAML, so kube-pki cannot check it (and kubectl or the kubelet cannot read it either): ${e.message}`,
    );
  }
}
