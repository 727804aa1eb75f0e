// Kube PKI: Rotate CA…: asks which CA (cluster, etcd, front-proxy, or the service-account keys), lets the server
// prepare the next stage of its rotation and judge it (kubePki/rotate/plan), shows the stage (what it changes,
// what must restart, what to verify before the next stage) in the output and in one confirmation, and writes it
// on "Write stage N" (kubePki/rotate/apply). A stage the server refuses is shown with the connections it would
// break, and nothing is written. Nothing runs in an untrusted workspace.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  ROTATE_APPLY_REQUEST,
  ROTATE_COMMAND,
  ROTATE_PLAN_REQUEST,
  type RotatePlanParams,
  type RotationApplyResult,
  type RotationPreview,
} from '../../shared/protocol';
import { relativeToFolders } from './paths';

const CAS: { label: string; value: RotatePlanParams['ca']; description: string }[] = [
  { label: 'Cluster CA', value: 'cluster', description: 'pki/ca.crt: the apiserver, kubelets, kubeconfigs' },
  { label: 'etcd CA', value: 'etcd', description: 'pki/etcd/ca.crt: etcd and the apiserver’s etcd client' },
  { label: 'Front-proxy CA', value: 'front-proxy', description: 'pki/front-proxy-ca.crt: aggregated APIs' },
  { label: 'Service-account keys', value: 'service-account', description: 'pki/sa.key, pki/sa.pub: service account tokens' },
];

const STAGES: Record<number, string> = { 1: 'trust both the old and the new', 2: 're-issue with the new', 3: 'trust only the new' };

function rel(p: string): string {
  return relativeToFolders(
    p,
    (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
  );
}

/** The stage as the CLI prints it: what changes, the checks, what restarts, what to verify next. */
export function describeRotation(p: RotationPreview): string {
  const lines = [
    `${p.title}: ${p.sites.map(rel).join(', ')}; the files are at: ${p.current === 0 ? 'not rotating' : `stage ${p.current} written`}`,
    `stage ${p.stage} of 3: ${STAGES[p.stage] ?? ''}`,
    ...p.files.map((f) => `  ${f.replace ? 'replace' : 'create'} ${rel(f.path)} (0${f.mode.toString(8)}): ${f.summary}`),
    ...p.moves.map((m) => `  archive ${rel(m.from)} -> ${rel(m.to)}`),
    ...p.removals.map((r) => `  remove ${rel(r)} (staging copy)`),
    ...p.notReissued.map((n) => `  not re-issued: ${n}`),
    ...p.byHand.map((b) => `  by hand: ${b}`),
    ...(p.refilled ?? []).map((b) => `  left to its controller: ${b}`),
    `checked: ${p.connectionsChecked} connections, each side's files old or new as a rolling restart leaves them`,
    ...p.broken.map((b) => `  BREAKS ${b.connection}: ${b.check} (${b.mix}): ${b.message}`),
    ...p.newErrors.map((e) => `  NEW ERROR ${e}`),
  ];
  if (p.restart.length) lines.push('restart or redistribute, on every node:', ...p.restart.map((r) => `  ${r}`));
  if (p.verifyNext.length)
    lines.push(`verify before ${p.stage < 3 ? `stage ${p.stage + 1}` : 'deleting the archived key'}:`, ...p.verifyNext.map((v) => `  ${v}`));
  return lines.join('\n');
}

interface Options extends Partial<RotatePlanParams> {
  /** false: no prompt and no confirmation (tests; the same code path otherwise). */
  confirm?: boolean;
}

export function registerRotateCommand(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
  output: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(
      ROTATE_COMMAND,
      async (opts?: Options): Promise<{ preview: RotationPreview; result?: RotationApplyResult } | undefined> => {
        if (!vscode.workspace.isTrusted) {
          void vscode.window.showWarningMessage('Kube PKI: rotating a CA is disabled in an untrusted workspace.');
          return undefined;
        }
        const c = getClient();
        if (!c || !c.isRunning()) {
          void vscode.window.showWarningMessage('Kube PKI: the language server is not running.');
          return undefined;
        }
        const ca =
          opts?.ca ?? (await vscode.window.showQuickPick(CAS, { title: 'Rotate which CA? (one stage at a time, each checked first)' }))?.value;
        if (!ca) return undefined;
        const params: RotatePlanParams = {
          ca,
          stage: opts?.stage,
          site: opts?.site,
          keyType: opts?.keyType,
          days: opts?.days,
          newKeys: opts?.newKeys,
        };
        const plan = () =>
          vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Kube PKI: checking the rotation stage' }, () =>
            c.sendRequest<RotationPreview>(ROTATE_PLAN_REQUEST, params),
          );
        let preview = await plan();
        if (preview.choices?.length && !params.site && opts?.confirm !== false) {
          // Several clusters in the workspace: which one.
          const site = await vscode.window.showQuickPick(
            preview.choices.map((p) => ({ label: rel(p), value: p })),
            { title: `The workspace holds several of ${preview.title.replace(/^the /, '')}: rotate which?` },
          );
          if (!site) return { preview };
          params.site = site.value;
          preview = await plan();
        }
        if (preview.error) {
          void vscode.window.showErrorMessage(`Kube PKI: ${preview.error}`);
          return { preview };
        }
        const text = describeRotation(preview);
        output.info(`Rotate CA: ${preview.title}, stage ${preview.stage}\n${text}`);
        if (!preview.planId) {
          const why = preview.broken.length
            ? `it would break ${preview.broken.length} connection(s), first: ${preview.broken[0].connection} (${preview.broken[0].message})`
            : preview.newErrors.length
              ? `kube-pki check would report ${preview.newErrors.length} new error(s), first: ${preview.newErrors[0]}`
              : (preview.refusal ?? 'refused');
          void vscode.window
            .showErrorMessage(`Kube PKI: stage ${preview.stage} of ${preview.title}'s rotation refused: ${why}. Nothing was written.`, 'Show Output')
            .then((a) => a && output.show());
          return { preview };
        }
        const go = `Write stage ${preview.stage}`;
        if (opts?.confirm !== false) {
          const answer = await vscode.window.showWarningMessage(
            `Kube PKI: rotate ${preview.title}, stage ${preview.stage} of 3 (${STAGES[preview.stage]}): ${preview.files.length} file(s) to write, every connection checked. Replaced files are kept as .bak-…`,
            { modal: true, detail: text },
            go,
          );
          if (answer !== go) return { preview };
        }
        const result = await c.sendRequest<RotationApplyResult>(ROTATE_APPLY_REQUEST, { planId: preview.planId });
        for (const w of result.written)
          output.info(`${w.replaced ? 'replaced' : 'created'} ${w.path}${w.backup ? ` (old kept as ${path.basename(w.backup)})` : ''}`);
        for (const d of result.done) output.info(`${d.verb} ${d.path}${d.to ? ` to ${d.to}` : ''}`);
        if (result.ok) {
          void vscode.window
            .showInformationMessage(
              `Kube PKI: stage ${preview.stage} of ${preview.title}'s rotation written. Restart: ${preview.restart.join('; ') || 'nothing'}.`,
              'Show Output',
            )
            .then((a) => a && output.show());
        } else void vscode.window.showErrorMessage(`Kube PKI: ${result.error ?? 'writing failed'}`);
        return { preview, result };
      },
    ),
  );
}
