// CA rotation over the LSP (Kube PKI: Rotate CA…): kubePki/rotate/plan prepares one stage with the engine
// (generate.prepareRotation: the stage's files in memory, every connection judged in every mix of old and new
// files, kube-pki check on the result) and answers what it would change, without key material; the prepared
// files stay here, under a plan id, until kubePki/rotate/apply writes them (the engine's writer: atomic, backups,
// keys 0600) and archives what the stage archives. Nothing is planned nor written in an untrusted workspace.
import { randomBytes } from 'node:crypto';
import type { Connection } from 'vscode-languageserver/node';
import { Engine, generate } from '../../engine';
import type { FileSystem } from '../../engine/types';
import {
  ROTATE_APPLY_REQUEST,
  ROTATE_PLAN_REQUEST,
  type RotatePlanParams,
  type RotationApplyResult,
  type RotationPreview,
} from '../../../../shared/protocol';
import { errorName, handle, type Log } from '../guard';
import type { WorkspaceState } from '../state';

const UNTRUSTED = 'rotating a CA is disabled in an untrusted workspace (Restricted Mode): trust the workspace first';
const CAS = new Set(['cluster', 'etcd', 'front-proxy', 'service-account']);

function preview(r: generate.RotationResult, planId: string | undefined): RotationPreview {
  return {
    ...(planId ? { planId } : {}),
    ca: r.ca,
    title: r.title,
    current: r.current,
    stage: r.stage,
    sites: r.sites,
    files: r.files.map((f) => ({ path: f.path, replace: f.replace, mode: f.mode, summary: f.summary })),
    moves: r.moves,
    removals: r.removals,
    restart: r.restart,
    verifyNext: r.verifyNext,
    byHand: r.byHand,
    refilled: r.refilled,
    notReissued: r.notReissued,
    connectionsChecked: r.connectionsChecked,
    broken: r.broken,
    newErrors: r.newErrors,
    ...(r.refusal ? { refusal: r.refusal } : {}),
    ...(r.choices ? { choices: r.choices } : {}),
  };
}

/** Registers kubePki/rotate/plan and /apply. `afterWrite`: files were written; the engine re-reads them. */
export function registerRotation(connection: Connection, state: WorkspaceState, log: Log, afterWrite: (files: string[]) => void): void {
  const plans = new Map<string, generate.RotationResult>();
  // Stage 0: no stage was planned.
  const failed = (ca: RotatePlanParams['ca'], error: string): RotationPreview => ({
    ...preview(generate.emptyRotation(ca, '', 1), undefined),
    stage: 0,
    error,
  });

  connection.onRequest(
    ROTATE_PLAN_REQUEST,
    handle(
      log,
      'rotate/plan',
      (err) => failed('cluster', `kube-pki could not plan this rotation: ${errorName(err)}`),
      async (params: RotatePlanParams): Promise<RotationPreview> => {
        await state.whenIndexed();
        const ca = params?.ca;
        if (!CAS.has(ca)) return failed('cluster', `unknown CA '${String(ca)}': cluster, etcd, front-proxy or service-account`);
        if (!state.trusted) return failed(ca, UNTRUSTED);
        if (params.stage !== undefined && ![1, 2, 3].includes(params.stage)) return failed(ca, `stage ${String(params.stage)}: expected 1, 2 or 3`);
        if (params.keyType !== undefined && (typeof params.keyType !== 'string' || generate.offeredKeyType(params.keyType) !== params.keyType))
          return failed(ca, `unknown key type '${params.keyType}'`);
        const engine = state.current();
        const result = await generate.prepareRotation(engine, {
          ca,
          stage: params.stage,
          site: typeof params.site === 'string' ? params.site : undefined,
          keyType: params.keyType as generate.KeyType | undefined,
          days: params.days,
          newKeys: params.newKeys,
          roots: state.folderPaths(),
          engineOver: (over: FileSystem) => new Engine(over, engine.options),
        });
        const refused = !!result.refusal || result.broken.length > 0 || result.newErrors.length > 0;
        let planId: string | undefined;
        if (!refused) {
          planId = randomBytes(8).toString('hex');
          plans.set(planId, result);
          while (plans.size > 10) plans.delete(plans.keys().next().value!);
        }
        return preview(result, planId);
      },
    ),
  );

  const applyFailed = (error: string): RotationApplyResult => ({ ok: false, written: [], done: [], notWritten: [], error });
  connection.onRequest(
    ROTATE_APPLY_REQUEST,
    handle(
      log,
      'rotate/apply',
      (err) => applyFailed(`kube-pki could not write this stage: ${errorName(err)}`),
      async (params: { planId: string }): Promise<RotationApplyResult> => {
        if (!state.trusted) return applyFailed(UNTRUSTED);
        const result = plans.get(params?.planId);
        if (!result) return applyFailed('this rotation plan is no longer known: plan it again');
        plans.delete(params.planId);
        const report = generate.writeBatch(result.files, { fs: state.diskFs, allowReplace: true });
        const out: RotationApplyResult = { ok: report.ok, written: report.written, done: [], notWritten: report.notWritten };
        if (!report.ok) out.error = `${report.error?.path ? `${report.error.path}: ` : ''}${report.error?.message ?? 'writing failed'}`;
        else {
          const fin = generate.finishRotation(result);
          out.done = fin.done;
          if (fin.error) {
            out.ok = false;
            out.error = fin.error;
          }
        }
        const touched = [...report.written.map((w) => w.path), ...out.done.flatMap((d) => [d.path, ...(d.to ? [d.to] : [])])];
        if (touched.length) afterWrite(touched);
        return out;
      },
    ),
  );
}
