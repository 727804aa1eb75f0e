// file-unreadable on a document itself: a kubeconfig or manifest over MAX_CONFIG_BYTES is not parsed
// (its YAML alone would take seconds), and says so instead of staying silent.
import { MAX_CONFIG_BYTES } from '../types';
import type { CheckContext } from './context';

const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1)} MB`;

export function documentSize(ctx: CheckContext): void {
  const size = ctx.parsed.tooBig;
  if (size === undefined) return;
  ctx.report(
    'file-unreadable',
    { start: 0, end: 0 },
    `This file is ${mb(size)}, over the ${mb(MAX_CONFIG_BYTES)} kube-pki reads as a kubeconfig or manifest: it is not checked. Split it (kubectl config view --flatten --minify --context NAME per context), or check the parts.`,
  );
}
