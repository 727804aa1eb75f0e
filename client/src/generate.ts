// The generation commands: Generate Missing Certificates, Fix All Problems, Renew Expiring Certificates…,
// Generate CA…, Generate Client Certificate…, Generate Kubeconfig…, Generate Control-Plane Certificates…,
// Renew Certificate, and the command the
// server's quick fixes run. Each asks what it needs (defaults from the workspace), shows a preview of
// the files to be written or replaced (subjects and SANs), asks once, then lets the server generate
// and write (kubePki/generate/plan, kubePki/generate/apply). Nothing runs in an untrusted workspace.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { APPLY_REQUEST, DEFAULTS_REQUEST, PLAN_REQUEST, type ApplyResult, type GenerationDefaults, type PlanPreview } from '../../shared/protocol';
import { relativeToFolders } from './paths';
import { plural } from './words';

const KEY_TYPES = [
  { label: 'RSA-2048', value: 'rsa-2048', description: "kubeadm's default" },
  { label: 'RSA-3072', value: 'rsa-3072' },
  { label: 'RSA-4096', value: 'rsa-4096' },
  { label: 'ECDSA-P256', value: 'ecdsa-p256' },
  { label: 'ECDSA-P384', value: 'ecdsa-p384' },
];

export const GENERATE_COMMANDS = {
  missing: 'kubePki.generateMissing',
  ca: 'kubePki.generateCA',
  client: 'kubePki.generateClientCertificate',
  kubeconfig: 'kubePki.generateKubeconfig',
  controlPlane: 'kubePki.generateControlPlane',
  renew: 'kubePki.renewCertificate',
  fixAll: 'kubePki.fixAll',
  renewExpiring: 'kubePki.renewExpiring',
  apply: 'kubePki.generate.apply',
};

type Skipped = PlanPreview['skipped'][number];

/**
 * What can be done about an item a plan skips, as buttons: open the file concerned (the first that exists), allow
 * replacing (Fix All Problems) when only permission is missing, or the setting the reason names.
 */
export function skippedButtons(s: Skipped, exists: (p: string) => boolean, fixing: boolean): { title: string; command: string; args: unknown[] }[] {
  const out: { title: string; command: string; args: unknown[] }[] = [];
  const file = (s.paths ?? []).find(exists);
  if (file) out.push({ title: `Open ${path.basename(file)}`, command: 'vscode.open', args: [vscode.Uri.file(file)] });
  if (s.needsReplace && !fixing) out.push({ title: 'Fix All Problems', command: GENERATE_COMMANDS.fixAll, args: [] });
  const setting = /kubePki\.\w+/.exec(s.reason)?.[0];
  if (setting) out.push({ title: 'Open Settings', command: 'workbench.action.openSettings', args: [setting] });
  return out;
}

function describe(p: PlanPreview, folders: string[]): string {
  const lines: string[] = [];
  for (const i of p.items) {
    for (const f of i.files)
      lines.push(`${f.kind.startsWith('inline') ? 'Edit' : f.replace ? 'Replace' : 'Create'} ${relativeToFolders(f.path, folders)} (${f.kind})`);
    const names = i.names?.length ? `; SANs ${i.names.join(', ')}` : '';
    if (i.subject !== undefined)
      lines.push(
        `    ${i.subject}${names}; ${i.issuer === 'self-signed' ? 'self-signed' : `issued by ${i.issuer}`}; ${i.validityDays} days; ${i.key}`,
      );
    lines.push(`    ${i.reason}`);
  }
  for (const s of p.skipped) lines.push(`Skipped: ${s.title}: ${s.reason}`);
  return lines.join('\n');
}

async function pickKeyType(): Promise<string | undefined> {
  const pick = await vscode.window.showQuickPick(KEY_TYPES, { title: 'Key type', placeHolder: 'RSA-2048 (kubeadm default)' });
  return pick?.value;
}

async function ask(prompt: string, value = '', validate?: (v: string) => string | undefined): Promise<string | undefined> {
  return vscode.window.showInputBox({ prompt, value, ignoreFocusOut: true, validateInput: validate });
}

/** What a command accepts when run by another extension or a test: the answers to its prompts; confirm: false skips the confirmation. */
interface Options {
  confirm?: boolean;
}

const nonEmpty = (v: string) => (v.trim() ? undefined : 'Required');
const days = (v: string) => (/^\d+$/.test(v.trim()) && Number(v) > 0 ? undefined : 'A number of days');

export function registerGenerateCommands(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
  output: vscode.LogOutputChannel,
): void {
  const folders = () => (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
  const settings = () => vscode.workspace.getConfiguration('kubePki');

  async function ready(): Promise<LanguageClient | undefined> {
    if (!vscode.workspace.isTrusted) {
      void vscode.window.showWarningMessage('Kube PKI: generating certificates is disabled in an untrusted workspace.');
      return undefined;
    }
    const c = getClient();
    if (!c || !c.isRunning()) {
      void vscode.window.showWarningMessage('Kube PKI: the language server is not running.');
      return undefined;
    }
    return c;
  }

  /** Preview, one confirmation, apply. Returns the result (undefined when cancelled). */
  async function previewAndApply(params: Record<string, unknown>, what: string, confirm = true): Promise<ApplyResult | undefined> {
    const c = await ready();
    if (!c) return undefined;
    const preview = await c.sendRequest<PlanPreview>(PLAN_REQUEST, params);
    if (preview.error) {
      void vscode.window.showErrorMessage(`Kube PKI: ${preview.error}`);
      return undefined;
    }
    const fixing = params.kind === 'fix' || params.kind === 'renew';
    if (preview.items.length === 0) {
      if (preview.skipped.length) reportSkipped(preview.skipped, fixing);
      else void vscode.window.showInformationMessage(`Kube PKI: ${what}: nothing to do.`);
      return undefined;
    }
    const all = preview.items.flatMap((i) => i.files);
    // Inline *-data is edited in the editor's buffer (undoable until saved), the file on disk kept as .bak-… first.
    const files = all.filter((f) => !f.kind.startsWith('inline'));
    const edited = new Set(all.filter((f) => f.kind.startsWith('inline')).map((f) => f.path)).size;
    const replacing = files.filter((f) => f.replace).length;
    const go = files.length === 0 ? 'Edit' : replacing ? `Write (replace ${replacing})` : 'Write';
    output.info(`${what}: preview\n${describe(preview, folders())}`);
    if (confirm) {
      const parts = [
        ...(files.length ? [`${plural(files.length, 'file')} to write${replacing ? `, ${replacing} replaced (old kept as .bak-…)` : ''}`] : []),
        ...(edited
          ? [`${plural(edited, 'kubeconfig')} to edit in the editor (undo with Edit > Undo; the file as it is on disk is kept as .bak-…)`]
          : []),
      ];
      const answer = await vscode.window.showWarningMessage(
        `Kube PKI: ${what}: ${parts.join('; ')}.`,
        { modal: true, detail: describe(preview, folders()) },
        go,
      );
      if (answer !== go) return undefined;
    }
    const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Kube PKI: ${what}` }, () =>
      c.sendRequest<ApplyResult>(APPLY_REQUEST, { planId: preview.planId }),
    );
    for (const w of result.written)
      output.info(`${w.replaced ? 'replaced' : 'created'} ${w.path}${w.backup ? ` (old kept as ${path.basename(w.backup)})` : ''}: ${w.summary}`);
    const kept = new Map((result.editBackups ?? []).map((b) => [b.path, b.backup]));
    for (const f of result.edited)
      output.info(`edited ${f} (undo in the editor${kept.has(f) ? `; as it was on disk, kept as ${path.basename(kept.get(f)!)}` : ''})`);
    if (preview.skipped.length) reportSkipped(preview.skipped, fixing);
    if (result.ok) {
      void vscode.window.showInformationMessage(
        `Kube PKI: ${result.written.length} file(s) written${result.edited.length ? `, ${result.edited.length} kubeconfig(s) edited` : ''}.`,
      );
    } else {
      const failed = result.failed.map((f) => `${f.title}: ${f.reason}`).join('; ');
      output.error(`generation: ${result.error ?? ''} ${failed}`);
      void vscode.window.showErrorMessage(
        `Kube PKI: ${result.error ?? failed}${result.notWritten.length ? ` (not written: ${result.notWritten.map((p) => path.basename(p)).join(', ')})` : ''}`,
      );
    }
    return result;
  }

  /**
   * Each item the plan skipped: why and what to do instead (in the output), and a message per item (the first few)
   * with a button for what can be done from the editor.
   */
  function reportSkipped(skipped: Skipped[], fixing: boolean): void {
    const exists = (p: string) => {
      try {
        return fs.statSync(p).isFile();
      } catch {
        return false;
      }
    };
    for (const s of skipped) output.warn(`skipped: ${s.title}: ${s.reason}`);
    const shown = skipped.slice(0, 3);
    for (const s of shown) {
      const buttons = skippedButtons(s, exists, fixing);
      void vscode.window.showWarningMessage(`Kube PKI: not generated: ${s.title}: ${s.reason}`, ...buttons.map((b) => b.title)).then((answer) => {
        const b = buttons.find((x) => x.title === answer);
        if (b) void vscode.commands.executeCommand(b.command, ...b.args);
      });
    }
    if (skipped.length > shown.length)
      void vscode.window
        .showWarningMessage(`Kube PKI: ${plural(skipped.length - shown.length, 'more item')} not generated: see the output.`, 'Show Output')
        .then((answer) => answer && output.show());
  }

  async function defaults(): Promise<GenerationDefaults> {
    const c = getClient();
    try {
      if (c?.isRunning()) return await c.sendRequest<GenerationDefaults>(DEFAULTS_REQUEST);
    } catch (err) {
      output.warn(`defaults: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { cas: [], servers: [], folders: folders() };
  }

  async function pickCa(d: GenerationDefaults): Promise<string | undefined> {
    if (d.cas.length === 0) return ask('CA certificate (its key is expected beside it, ca.crt -> ca.key)', '', nonEmpty);
    const items = [...d.cas.map((p) => ({ label: relativeToFolders(p, folders()), value: p })), { label: 'Another file…', value: '' }];
    const pick = await vscode.window.showQuickPick(items, { title: "The CA that signs it (the apiserver's --client-ca-file)" });
    if (!pick) return undefined;
    return pick.value || ask('CA certificate path', '', nonEmpty);
  }

  const abs = (p: string) => (path.isAbsolute(p) ? p : path.join(folders()[0] ?? '', p));

  context.subscriptions.push(
    // A quick fix's command: the plan parameters come from the server's code action.
    vscode.commands.registerCommand(GENERATE_COMMANDS.apply, (params: Record<string, unknown>, opts?: Options) =>
      previewAndApply(params, 'fix', opts?.confirm !== false),
    ),
    vscode.commands.registerCommand(GENERATE_COMMANDS.missing, (opts?: Options) =>
      previewAndApply(
        { kind: 'missing', extraSANs: settings().get<string[]>('extraSANs', []) },
        'generate missing certificates',
        opts?.confirm !== false,
      ),
    ),
    // Everything the findings say is wrong or missing, as kube-pki generate --fix: one preview, one confirmation.
    vscode.commands.registerCommand(GENERATE_COMMANDS.fixAll, (opts?: Options) =>
      previewAndApply({ kind: 'fix', extraSANs: settings().get<string[]>('extraSANs', []) }, 'fix all problems', opts?.confirm !== false),
    ),
    // What expires within kubePki.expiryWarningDays or has expired, keys kept: one preview, one confirmation.
    vscode.commands.registerCommand(GENERATE_COMMANDS.renewExpiring, (opts?: Options) =>
      previewAndApply(
        { kind: 'renew', expiring: true, extraSANs: settings().get<string[]>('extraSANs', []) },
        'renew expiring certificates',
        opts?.confirm !== false,
      ),
    ),
    vscode.commands.registerCommand(GENERATE_COMMANDS.renew, async (opts?: Options & { paths?: string[] }) => {
      const c = await ready();
      if (!c) return undefined;
      const preview = await c.sendRequest<PlanPreview>(PLAN_REQUEST, { kind: 'renew', extraSANs: settings().get<string[]>('extraSANs', []) });
      const items = (preview.items ?? []).map((i) => ({
        label: i.title,
        description: i.subject,
        detail: i.files.map((f) => relativeToFolders(f.path, folders())).join(', '),
        id: i.id,
        paths: i.files.map((f) => f.path),
        picked: true,
      }));
      const active = vscode.window.activeTextEditor?.document.uri.fsPath;
      const wanted = opts?.paths ?? (active && items.some((i) => i.paths.includes(active)) ? [active] : undefined);
      const picks = wanted
        ? items.filter((i) => i.paths.some((p) => wanted.includes(p)))
        : await vscode.window.showQuickPick(items, { title: 'Renew which certificates? (keys are kept)', canPickMany: true });
      if (!picks?.length) {
        if (wanted) void vscode.window.showInformationMessage('Kube PKI: no certificate to renew there.');
        return undefined;
      }
      return previewAndApply({ kind: 'renew', actionIds: picks.map((p) => p.id) }, 'renew certificates', opts?.confirm !== false);
    }),
    vscode.commands.registerCommand(
      GENERATE_COMMANDS.ca,
      async (opts?: Options & { certPath?: string; commonName?: string; days?: number; keyType?: string }) => {
        const certPath =
          opts?.certPath ??
          (await ask('Where to write the CA certificate (the key goes beside it)', path.join(folders()[0] ?? '', 'pki', 'ca.crt'), nonEmpty));
        if (!certPath) return undefined;
        const commonName = opts?.commonName ?? (await ask('Common name', 'kubernetes', nonEmpty));
        if (!commonName) return undefined;
        const validity = opts?.days !== undefined ? String(opts.days) : await ask('Validity (days)', '3650', days);
        if (!validity) return undefined;
        const keyType = opts?.keyType ?? (await pickKeyType());
        if (!keyType) return undefined;
        return previewAndApply(
          { kind: 'ca', certPath: abs(certPath), commonName, days: Number(validity), keyType },
          'generate a CA',
          opts?.confirm !== false,
        );
      },
    ),
    ...[GENERATE_COMMANDS.client, GENERATE_COMMANDS.kubeconfig].map((id) =>
      vscode.commands.registerCommand(
        id,
        async (
          opts?: Options & {
            commonName?: string;
            groups?: string;
            caCertPath?: string;
            days?: number;
            keyType?: string;
            server?: string;
            out?: string;
          },
        ) => {
          const d = await defaults();
          const commonName = opts?.commonName ?? (await ask('User name (CN)', '', nonEmpty));
          if (!commonName) return undefined;
          const groups = opts?.groups ?? (await ask('Groups (O), comma-separated', 'kubeadm:cluster-admins'));
          if (groups === undefined) return undefined;
          const caCertPath = opts?.caCertPath ?? (await pickCa(d));
          if (!caCertPath) return undefined;
          const validity = opts?.days !== undefined ? String(opts.days) : await ask('Validity (days)', '365', days);
          if (!validity) return undefined;
          const keyType = opts?.keyType ?? (await pickKeyType());
          if (!keyType) return undefined;
          const confirm = opts?.confirm !== false;
          const safe = commonName.replace(/[^A-Za-z0-9._-]+/g, '-');
          const base = {
            kind: 'client',
            commonName,
            groups: groups
              .split(',')
              .map((g) => g.trim())
              .filter(Boolean),
            caCertPath: abs(caCertPath),
            days: Number(validity),
            keyType,
          };
          if (id === GENERATE_COMMANDS.kubeconfig) {
            const server = opts?.server ?? (await vscode.window.showQuickPick([...d.servers, 'Another server…'], { title: 'API server URL' }));
            const url =
              server === 'Another server…'
                ? await ask('API server URL', 'https://', (v) => (/^https:\/\/\S+/.test(v) ? undefined : 'An https:// URL'))
                : server;
            if (!url) return undefined;
            const out = opts?.out ?? (await ask('Write the kubeconfig to', path.join(folders()[0] ?? '', `${safe}.kubeconfig`), nonEmpty));
            if (!out) return undefined;
            return previewAndApply({ ...base, kubeconfig: { path: abs(out), server: url } }, `generate a kubeconfig for ${commonName}`, confirm);
          }
          const out =
            opts?.out ?? (await ask('Write the certificate to (the key goes beside it)', path.join(folders()[0] ?? '', `${safe}.crt`), nonEmpty));
          if (!out) return undefined;
          const certPath = abs(out);
          return previewAndApply(
            { ...base, certPath, keyPath: certPath.replace(/(\.(crt|pem|cer))?$/i, '.key') },
            `generate a client certificate for ${commonName}`,
            confirm,
          );
        },
      ),
    ),
    vscode.commands.registerCommand(
      GENERATE_COMMANDS.controlPlane,
      async (
        opts?: Options & {
          root?: string;
          nodeName?: string;
          advertiseAddress?: string;
          serviceCidr?: string;
          clusterDomain?: string;
          controlPlaneEndpoint?: string;
          keyType?: string;
        },
      ) => {
        if (opts?.root) {
          const { confirm, ...given } = opts;
          return previewAndApply(
            { kind: 'control-plane', ...given, root: abs(opts.root), extraSANs: settings().get<string[]>('extraSANs', []) },
            `generate the control-plane certificates for ${opts.nodeName}`,
            confirm !== false,
          );
        }
        const d = await defaults();
        const root = await ask(
          "The folder standing for the new node's '/' (files go to <folder>/etc/kubernetes)",
          path.join(folders()[0] ?? '', 'new-node'),
          nonEmpty,
        );
        if (!root) return undefined;
        const nodeName = await ask('Node name', d.nodeName ?? '', nonEmpty);
        if (!nodeName) return undefined;
        const advertiseAddress = await ask('Advertise address (IP)', d.advertiseAddress ?? '', nonEmpty);
        if (!advertiseAddress) return undefined;
        const serviceCidr = await ask('Service CIDR', '10.96.0.0/12', nonEmpty);
        if (!serviceCidr) return undefined;
        const clusterDomain = await ask('Cluster domain', settings().get<string>('clusterDomain', 'cluster.local'), nonEmpty);
        if (!clusterDomain) return undefined;
        const controlPlaneEndpoint = await ask('Control-plane endpoint (host[:port]; empty: the advertise address)', '');
        if (controlPlaneEndpoint === undefined) return undefined;
        const keyType = await pickKeyType();
        if (!keyType) return undefined;
        return previewAndApply(
          {
            kind: 'control-plane',
            root: abs(root),
            nodeName,
            advertiseAddress,
            serviceCidr,
            clusterDomain,
            controlPlaneEndpoint: controlPlaneEndpoint || undefined,
            keyType,
            extraSANs: settings().get<string[]>('extraSANs', []),
          },
          `generate the control-plane certificates for ${nodeName}`,
        );
      },
    ),
  );
}
