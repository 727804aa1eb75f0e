// Generation over the LSP: quick fixes on kube-pki's diagnostics, and the requests the editor's
// commands use. A plan is previewed first (kubePki/generate/plan: files, subjects, SANs, issuers,
// no key material), then carried out on confirmation (kubePki/generate/apply): files are written by
// the engine's writer (atomic, backups), kubeconfig *-data edits are sent to the editor as one
// WorkspaceEdit (workspace/applyEdit: undoable). Everything here is a thin adapter over the engine.
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { CodeAction, CodeActionParams, Connection, Diagnostic, TextEdit } from 'vscode-languageserver/node';
import { ADMIN_GROUP_NOTES, generate } from '../../engine';
import {
  APPLY_COMMAND,
  APPLY_REQUEST,
  DEFAULTS_REQUEST,
  PLAN_REQUEST,
  type ApplyResult,
  type GenerationDefaults,
  type PlanPreview,
} from '../../../../shared/protocol';
import { errorName, handle, type Log } from '../guard';
import type { WorkspaceState } from '../state';

/** Codes a quick fix can resolve by generating or re-issuing. */
export const FIXABLE_CODES = new Set(['file-not-found', ...generate.FIXABLE]);

type Finding = { file: string; range: Diagnostic['range']; code: string };

/**
 * What the editor asks to plan. Paths are absolute. A workspace plan's (missing, fix, renew) `extraSANs` is not
 * used: the server takes kubePki.extraSANs from the settings, and a .kube-pki.yaml's over it for the files below it.
 */
export type PlanParams =
  | {
      kind: 'missing' | 'fix' | 'renew';
      only?: Finding[];
      keyType?: generate.KeyType;
      days?: number;
      caDays?: number;
      extraSANs?: string[];
      nodeName?: string;
      actionIds?: string[];
      /**
       * With kind 'renew': only what is expiring (within kubePki.expiryWarningDays) or expired, as the engine reports
       * it (cert-expiring, cert-expired), each re-issued as its quick fix would: keys kept, CAs renewed with their own.
       */
      expiring?: boolean;
      /** The group an admin certificate whose O is wrong is re-issued in (the org-mismatch quick fixes' choice). */
      adminGroup?: string;
    }
  | ({ kind: 'ca' } & generate.NewCaOptions)
  | ({ kind: 'client' } & generate.NewClientOptions)
  | ({ kind: 'control-plane' } & generate.ControlPlaneOptions);

function preview(plan: generate.GenerationPlan, planId: string): PlanPreview {
  return {
    planId,
    items: plan.actions.map((a) => {
      const s = a.spec;
      return {
        id: a.id,
        title: a.title,
        reason: a.reason,
        effect: a.effect,
        subject: s ? [s.commonName ? `CN=${s.commonName}` : '', ...s.organizations.map((o) => `O=${o}`)].filter(Boolean).join(', ') : undefined,
        names: s ? [...s.dnsNames, ...s.ipAddresses] : undefined,
        issuer: a.signer ? (a.signer.kind === 'self' ? 'self-signed' : a.signer.name) : undefined,
        validityDays: s?.validityDays,
        key: a.key ? (a.key.kind === 'new' ? `new ${a.key.type}` : 'existing key kept') : undefined,
        files: a.outputs.map((o) =>
          'path' in o ? { path: o.path, kind: o.kind, replace: o.replace } : { path: o.file, kind: o.kind, replace: true },
        ),
      };
    }),
    skipped: plan.skipped.map((s) => ({ title: s.title, reason: s.reason, needsReplace: s.needsReplace, paths: s.paths })),
  };
}

const UNTRUSTED = 'generating certificates is disabled in an untrusted workspace (Restricted Mode): trust the workspace first';

/** The admin groups an admin certificate's re-issue may use, the planned one (its kubeadm release's) first. */
function adminGroupChoices(a: generate.PlanAction): string[] {
  const groups = Object.keys(ADMIN_GROUP_NOTES);
  const planned = a.spec?.organizations.find((o) => groups.includes(o));
  return planned ? [planned, ...groups.filter((g) => g !== planned)] : [];
}

/** The quick fixes that generate or re-issue (handlers/codeActions.ts offers them with the ignore quick fixes). */
export interface GenerationFixes {
  codeActions(params: CodeActionParams): Promise<CodeAction[]>;
}

/**
 * Registers the generation requests (kubePki/generate/plan, /apply, /defaults); returns the quick fixes' provider.
 * Nothing is planned nor written in an untrusted workspace (state.trusted). `afterWrite`: files were written; the
 * engine re-reads them and diagnostics are re-published.
 */
export function registerGeneration(connection: Connection, state: WorkspaceState, log: Log, afterWrite: (files: string[]) => void): GenerationFixes {
  /** Plans previewed and not yet applied (a few; the oldest are forgotten). */
  const plans = new Map<string, { plan: generate.GenerationPlan; allowReplace: boolean }>();

  function makePlan(p: PlanParams): { plan: generate.GenerationPlan; allowReplace: boolean } {
    switch (p.kind) {
      case 'ca':
        return { plan: generate.planNewCA(state.diskFs, p), allowReplace: false };
      case 'client':
        return { plan: generate.planClientCert(state.diskFs, p), allowReplace: !!p.replace };
      case 'control-plane':
        return { plan: generate.planControlPlane(state.diskFs, p), allowReplace: !!p.replace };
      default: {
        const engine = state.current();
        const only =
          p.kind === 'renew' && p.expiring
            ? engine
                .documents()
                .flatMap((d) => engine.check(d))
                .filter((f) => f.code === 'cert-expiring' || f.code === 'cert-expired')
                .map((f) => ({ file: f.file, range: f.range, code: f.code }))
            : p.only;
        const plan = generate.planGeneration(engine, state.fs, {
          fix: p.kind === 'fix',
          renew: p.kind === 'renew' && !only,
          only,
          missing: only ? only.some((f) => f.code === 'file-not-found') : p.kind !== 'renew',
          keyType: p.keyType,
          days: p.days,
          caDays: p.caDays,
          // The engine's options for the manifest: a .kube-pki.yaml's extraSANs over kubePki.extraSANs.
          extraSANs: undefined,
          nodeName: p.nodeName,
          adminGroup: p.adminGroup,
        });
        let actions = plan.actions;
        if (only) {
          const wanted = (a: generate.PlanAction) =>
            a.fixes.some((f) =>
              only.some(
                (o) =>
                  o.code === f.code &&
                  o.file === f.file &&
                  o.range.start.line === f.range.start.line &&
                  o.range.start.character === f.range.start.character,
              ),
            );
          actions = actions.filter(wanted);
          // A CA the wanted actions need comes along.
          const needed = new Set(actions.flatMap((a) => (a.signer?.kind === 'action' ? [a.signer.actionId] : [])));
          actions = plan.actions.filter((a) => actions.includes(a) || needed.has(a.id));
        }
        if (p.actionIds)
          actions = actions.filter(
            (a) =>
              p.actionIds!.includes(a.id) ||
              actions.some((b) => p.actionIds!.includes(b.id) && b.signer?.kind === 'action' && b.signer.actionId === a.id),
          );
        // A quick fix's plan lists only its own action; a whole-workspace one (an expiring pass included) what it skips.
        return { plan: { actions, skipped: p.only ? [] : plan.skipped }, allowReplace: p.kind !== 'missing' || !!only };
      }
    }
  }

  const codeActions = handle(
    log,
    'codeAction',
    (): CodeAction[] => [],
    async (params: CodeActionParams): Promise<CodeAction[]> => {
      await state.whenIndexed();
      const file = state.fileOfUri(params.textDocument.uri);
      if (!file || !state.trusted) return [];
      const ours = params.context.diagnostics.filter((d) => d.source === 'kube-pki' && typeof d.code === 'string' && FIXABLE_CODES.has(d.code));
      const out: CodeAction[] = [];
      for (const d of ours) {
        const only: Finding[] = [{ file, range: d.range, code: String(d.code) }];
        const { plan } = makePlan({ kind: 'fix', only });
        for (const a of plan.actions) {
          if (!a.fixes.some((f) => f.code === d.code && f.range.start.line === d.range.start.line)) continue;
          const verb = a.effect === 'create' ? 'Generate' : a.kind === 'kubeconfig-ca' ? 'Replace' : 'Re-issue';
          // An admin's wrong group: one fix per admin group, the one its kubeadm release uses first, each saying what it grants.
          const adminGroups = d.code === 'org-mismatch' && a.role === 'admin' ? adminGroupChoices(a) : [];
          if (adminGroups.length) {
            adminGroups.forEach((group, i) => {
              const title = `${verb} ${a.title} in group ${group}${i === 0 ? ' (recommended)' : ''}: ${ADMIN_GROUP_NOTES[group]}`;
              out.push({
                title,
                kind: 'quickfix',
                diagnostics: [d],
                isPreferred: i === 0,
                command: { title, command: APPLY_COMMAND, arguments: [{ kind: 'fix', only, adminGroup: group } satisfies PlanParams] },
              });
            });
            continue;
          }
          const title = `${verb} ${a.title}${a.effect === 'create' ? '' : `: ${a.reason}`}`;
          out.push({
            title: title.length > 160 ? `${title.slice(0, 157)}…` : title,
            kind: 'quickfix',
            diagnostics: [d],
            isPreferred: true,
            command: { title, command: APPLY_COMMAND, arguments: [{ kind: 'fix', only } satisfies PlanParams] },
          });
        }
      }
      return out;
    },
  );

  connection.onRequest(
    PLAN_REQUEST,
    handle(
      log,
      'generate/plan',
      (err): PlanPreview | { error: string } => ({ error: `kube-pki could not plan this: ${errorName(err)}` }),
      async (params: PlanParams) => {
        await state.whenIndexed();
        if (!state.trusted) return { error: UNTRUSTED };
        const made = makePlan(params);
        const planId = randomBytes(8).toString('hex');
        plans.set(planId, made);
        while (plans.size > 20) plans.delete(plans.keys().next().value!);
        return preview(made.plan, planId);
      },
    ),
  );

  const applyFailed = (error: string): ApplyResult => ({ ok: false, written: [], edited: [], notWritten: [], failed: [], error });
  connection.onRequest(
    APPLY_REQUEST,
    handle(
      log,
      'generate/apply',
      (err) => applyFailed(`kube-pki could not generate this: ${errorName(err)}`),
      async (params: { planId: string }): Promise<ApplyResult> => {
        if (!state.trusted) return applyFailed(UNTRUSTED);
        const made = plans.get(params?.planId);
        if (!made) return applyFailed('this plan is no longer known: preview it again');
        plans.delete(params.planId);
        const result: ApplyResult = { ok: false, written: [], edited: [], notWritten: [], failed: [] };
        try {
          const batch = await generate.executePlan(made.plan, state.fs);
          result.failed = batch.failed.map((f) => ({ title: f.title, reason: f.reason }));
          // Edits first: the editor applies them to its buffers (undoable); then the files.
          if (batch.edits.length) {
            // Each edited kubeconfig is kept as it is on disk first, as a replaced file is (the confirmation says so);
            // the edit itself lands in the editor's buffer, undoable there.
            const kept = generate.backupFiles([...new Set(batch.edits.map((e) => e.file))], { fs: state.diskFs });
            result.editBackups = kept.backups;
            if (kept.error) return { ...result, error: `${path.basename(kept.error.path)}: ${kept.error.message}; nothing was edited or written` };
            const changes: Record<string, TextEdit[]> = {};
            for (const e of batch.edits) (changes[state.uriOf(e.file)] ??= []).push({ range: e.range, newText: e.newText });
            const applied = await connection.workspace.applyEdit({ label: 'Kube PKI: re-issue certificates', edit: { changes } });
            if (!applied.applied) {
              return {
                ...result,
                error: `the editor did not apply the kubeconfig edits${applied.failureReason ? ` (${applied.failureReason})` : ''}; nothing was written`,
              };
            }
            result.edited = [...new Set(batch.edits.map((e) => e.file))];
          }
          const summaries = new Map(batch.files.map((f) => [f.path, f.summary]));
          const report = generate.writeBatch(batch.files, { fs: state.diskFs, allowReplace: made.allowReplace });
          result.written = report.written.map((w) => ({ ...w, summary: summaries.get(w.path) ?? '' }));
          result.notWritten = report.notWritten;
          result.ok = report.ok && batch.failed.length === 0;
          if (!report.ok)
            result.error = `${report.error?.path ? `${path.basename(report.error.path)}: ` : ''}${report.error?.message ?? 'writing failed'}`;
          if (report.written.length) afterWrite(report.written.map((w) => w.path));
          return result;
        } catch (err) {
          // What was done before the failure (edits applied, files written) is still reported.
          log.error('generate/apply', err);
          return { ...result, error: `kube-pki could not generate this: ${errorName(err)}` };
        }
      },
    ),
  );

  /** What the editor's input boxes start from: the workspace's CAs, servers and node. */
  const noDefaults = (): GenerationDefaults => ({ cas: [], servers: [], folders: state.folderPaths(), missing: 0 });
  connection.onRequest(
    DEFAULTS_REQUEST,
    handle(log, 'generate/defaults', noDefaults, async (): Promise<GenerationDefaults> => {
      await state.whenIndexed();
      // Planning reads where files would go (keys to keep), possibly outside the workspace: not in Restricted Mode.
      if (!state.trusted) return noDefaults();
      const engine = state.current();
      const plan = generate.planGeneration(engine, state.fs, {});
      const cas = new Set<string>();
      const servers = new Set<string>();
      let nodeName: string | undefined;
      let advertiseAddress: string | undefined;
      for (const u of engine.units('component')) {
        for (const r of u.refs) {
          if (r.expect === 'ca' && r.source.kind === 'path') {
            const found = engine.resolve(r)?.found;
            if (found && state.diskFs.stat(generate.siblingKey(state.diskFs, found)).kind === 'file') cas.add(found);
          }
        }
        const flagValue = (n: string) => u.flags.get(n)?.at(-1)?.value.trim();
        if (u.component === 'etcd') nodeName ??= flagValue('name');
        if (u.component === 'kube-apiserver') {
          advertiseAddress ??= flagValue('advertise-address');
          if (advertiseAddress)
            servers.add(
              `https://${advertiseAddress.includes(':') ? `[${advertiseAddress}]` : advertiseAddress}:${flagValue('secure-port') ?? '6443'}`,
            );
        }
      }
      for (const kc of engine.units('kubeconfig')) for (const c of kc.clusters) if (c.server?.value) servers.add(c.server.value);
      return { cas: [...cas], servers: [...servers], nodeName, advertiseAddress, folders: state.folderPaths(), missing: plan.actions.length };
    }),
  );
  return { codeActions };
}
