// The workspace's plan (kube-pki generate, the editor's Generate command and quick fixes): what the
// recognised documents reference and the workspace lacks, and with fix/renew/only what findings say
// is wrong, as one GenerationPlan. The rules that keep a user's cluster safe:
//  - a CA is created only where its certificate and key are both missing and no existing
//    certificate names it as issuer (a new key under an old name would silently break them);
//  - a CA key is never regenerated while its certificate exists; a CA certificate is re-made from
//    its key (same subject) when only the certificate is gone;
//  - an action that would replace or edit anything existing is planned only with permission
//    (options.fix / options.renew); otherwise it is listed in `skipped` with the reason;
//  - nothing is passed over in silence: whatever is referenced, missing and not planned (and, with
//    fix/renew, whatever a finding asks for that cannot be done) is in `skipped` with why and what
//    to do instead.
// Each planned certificate follows kubeadm (profiles.ts) and is signed by the CA that will verify
// it. Nothing here writes, and no key material enters the plan (execute.ts reads keys).
import type { Engine } from '../../workspace/engine';
import type { FileSystem } from '../../types';
import type { GenerationPlan } from '../types';
import { Planner, type PlanOptions } from './planner';
import { gather } from './gather';
import { gatherDistro } from './distro';
import { resolveSigner } from './signers';
import { resolveNeeds } from './sans';
import { planCAs, planMissingKubeconfigs, planMissingLeaves, reportUnplanned } from './missing';
import { planServiceAccounts } from './serviceAccount';
import { planRenew } from './reissue';
import { planFixes } from './fixes';

/**
 * What the workspace lacks (and, with fix/renew/only, what it gets wrong), as a plan. The engine
 * must hold the recognised documents; `fs` is the same view of the disk the engine reads.
 */
export function planGeneration(engine: Engine, fs: FileSystem, options: PlanOptions = {}): GenerationPlan {
  const docs = engine.documents();
  if (docs.length === 0) return { actions: [], skipped: [] };
  const opts: PlanOptions = { missing: options.only ? false : true, ...options };
  const p = new Planner(engine, fs, opts);
  gather(p);
  gatherDistro(p);
  for (const l of p.leaves.values()) resolveSigner(p, l);
  for (const l of p.leaves.values()) resolveNeeds(p, l);
  planCAs(p);
  planMissingLeaves(p);
  planMissingKubeconfigs(p);
  planServiceAccounts(p);
  reportUnplanned(p);
  p.findings = options.findings ?? docs.flatMap((d) => engine.check(d));
  if (opts.renew) planRenew(p);
  // Without fix/renew this only lists what --fix would re-issue (as skipped, needing permission).
  p.fixPassWithoutPermission = !p.allowReplace;
  planFixes(p, opts.renew && !opts.fix && !opts.only ? p.findings.filter((f) => /^cert-(expired|expiring|not-yet-valid)$/.test(f.code)) : p.findings);
  return p.finish();
}
