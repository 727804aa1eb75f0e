// Kubeconfig edits: the certificate-authority-data a kubeconfig embeds, replaced when the CA it
// copies is renewed, or when it is stale (it does not verify the apiserver its cluster dials) and
// the CA that does is in the workspace. Each is a kubeconfig-ca action (an inline-ca edit).
import * as path from 'node:path';
import type { Finding } from '../../types';
import { apiserversOf, chainsTo } from '../../cluster';
import type { PlanAction } from '../types';
import type { Planner } from './planner';
import type { CaSlot } from './slots';
import { caSlotByCert } from './gather';

/** Kubeconfigs that embed a CA being renewed get the renewed certificate (certificate-authority-data). */
export function updateInlineCopies(planner: Planner, ca: CaSlot, action: PlanAction): void {
  for (const kc of planner.engine.units('kubeconfig')) {
    for (const cluster of kc.clusters) {
      const ref = cluster.ca;
      if (!ref || ref.source.kind !== 'inline') continue;
      const cert = planner.material(ref)?.certs[0];
      if (!cert || cert.sha256 !== ca.cert?.sha256) continue;
      const range = planner.engine.parsed(kc.file)?.lines.range(ref.span.start, ref.span.end);
      const fixes = planner.findings.filter(
        (f) =>
          f.file === kc.file &&
          range &&
          f.range.start.line === range.start.line &&
          f.range.start.character === range.start.character &&
          /^cert-(expired|expiring|not-yet-valid)$/.test(f.code),
      );
      planner.actions.push({
        id: `kubeconfig-ca:${kc.file}:${ref.span.start}`,
        kind: 'kubeconfig-ca',
        title: `certificate-authority-data of cluster "${cluster.name}" in ${path.basename(kc.file)}`,
        reason: `the embedded copy of ${action.title}, renewed with it`,
        effect: 'replace',
        fixes: fixes.map((f) => ({ file: f.file, range: f.range, code: f.code })),
        outputs: [{ kind: 'inline-ca', file: kc.file, span: ref.span, ca: { kind: 'action', actionId: action.id, name: cert.subject.text } }],
      });
    }
  }
}

/** The CA slot whose certificate a kubeconfig embeds at this finding's place. */
export function inlineCaSlotAt(planner: Planner, f: Finding): CaSlot | undefined {
  for (const kc of planner.engine.units('kubeconfig')) {
    if (kc.file !== f.file) continue;
    for (const cluster of kc.clusters) {
      const ref = cluster.ca;
      if (!ref || ref.source.kind !== 'inline') continue;
      const r = planner.engine.parsed(kc.file)?.lines.range(ref.span.start, ref.span.end);
      if (r && r.start.line === f.range.start.line && r.start.character === f.range.start.character) return caSlotByCert(planner, ref);
    }
  }
  return undefined;
}

/** A kubeconfig's certificate-authority(-data) that does not verify its apiserver: point it at the apiserver's CA. */
export function untrustedInlineCa(planner: Planner, f: Finding): boolean {
  for (const kc of planner.engine.units('kubeconfig')) {
    if (kc.file !== f.file) continue;
    for (const cluster of kc.clusters) {
      const ref = cluster.ca;
      if (!ref) continue;
      const r = planner.engine.parsed(kc.file)?.lines.range(ref.span.start, ref.span.end);
      if (!r || r.start.line !== f.range.start.line || r.start.character !== f.range.start.character) continue;
      const title = `certificate-authority of cluster "${cluster.name}" in ${path.basename(kc.file)}`;
      const targets = apiserversOf(planner.cluster, cluster, kc.file).targets.filter((t) => t.cert);
      const ca = [...planner.cas.values()].find((c) => c.cert && targets.length && targets.every((t) => chainsTo(t.cert!, [c.cert!])));
      if (!ca) {
        planner.skip({ title, paths: [kc.file], reason: 'no CA in the workspace verifies the apiserver it talks to' });
        return true;
      }
      if (ref.source.kind !== 'inline') {
        planner.skip({
          title,
          paths: [kc.file],
          reason: `it names ${ref.source.path}; point it at ${ca.certPath} (the CA that issued the apiserver's certificate)`,
        });
        return true;
      }
      if (!planner.allowReplace) {
        planner.skip({ title, paths: [kc.file], reason: 'a stale CA: replacing it edits the kubeconfig', needsReplace: true });
        return true;
      }
      planner.actions.push({
        id: `kubeconfig-ca:${kc.file}:${ref.span.start}`,
        kind: 'kubeconfig-ca',
        title,
        reason: `stale CA: replaced by ${ca.cert!.subject.text} from ${path.basename(ca.certPath)}, which issued the apiserver's certificate`,
        effect: 'replace',
        fixes: [{ file: f.file, range: f.range, code: f.code }],
        outputs: [
          {
            kind: 'inline-ca',
            file: kc.file,
            span: ref.span,
            ca: { kind: 'file', certPath: ca.certPath, keyPath: ca.keyPath, name: ca.cert!.subject.text },
          },
        ],
      });
      return true;
    }
  }
  return false;
}
