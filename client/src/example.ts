// "Kube PKI: Open Example Cluster" and the walkthrough's helpers. The example (a kubeadm control-plane node's
// files with five planted TLS mistakes) is made by the language server (kubePki/example/create: the engine's
// generator and atomic writer) in a new folder the user picks, then opened, so that every feature can be tried
// without a cluster. The walkthrough (package.json contributes.walkthroughs, media/walkthrough/) drives these.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { EXAMPLE_REQUEST, type ExampleResult } from '../../shared/protocol';
import { isWithin } from './paths';

export const OPEN_EXAMPLE_COMMAND = 'kubePki.openExampleCluster';
export const EXAMPLE_HOVER_COMMAND = 'kubePki.example.showHover';
export const EXAMPLE_QUICK_FIX_COMMAND = 'kubePki.example.showQuickFix';
export const WALKTHROUGH_COMMAND = 'kubePki.showWalkthrough';
/** The walkthrough, as `workbench.action.openWalkthrough` names it: `<publisher>.<name>#<id>`. */
export const WALKTHROUGH_ID = 'firstRun';
/** True when a workspace folder is a generated example (it holds the marker). */
export const EXAMPLE_OPEN_CONTEXT = 'kubePki.exampleOpen';
const MARKER = '.kube-pki-example.json';
const DEFAULT_NAME = 'kube-pki-example';
/** globalState: the example folder just opened in this window by the command, to show the walkthrough's next step. */
const PENDING_KEY = 'kubePki.example.pendingWalkthrough';

type OpenHow = 'window' | 'newWindow' | 'add' | 'none';

/** The command's arguments, for tests and other extensions: no prompt is shown for what is given. */
export interface OpenExampleArgs {
  /** The example's folder (must not exist, or be empty). */
  folder?: string;
  /** A folder to create the example in (as a new subfolder kube-pki-example[-N]). */
  parent?: string;
  /** How to open it (default: this window when no folder is open, else asked). */
  open?: OpenHow;
}

export interface OpenExampleResult extends ExampleResult {
  opened?: OpenHow;
}

interface Marker {
  expected?: { code: string; file: string; line: number }[];
}

async function exists(p: string): Promise<'missing' | 'empty' | 'taken'> {
  try {
    const st = await vscode.workspace.fs.stat(vscode.Uri.file(p));
    if (st.type & vscode.FileType.Directory) return (await vscode.workspace.fs.readDirectory(vscode.Uri.file(p))).length ? 'taken' : 'empty';
    return 'taken';
  } catch {
    return 'missing';
  }
}

/** parent/kube-pki-example, or kube-pki-example-2, -3, … : the first that does not exist or is empty. */
async function freeFolder(parent: string): Promise<string> {
  for (let i = 1; i < 1000; i++) {
    const p = path.join(parent, i === 1 ? DEFAULT_NAME : `${DEFAULT_NAME}-${i}`);
    if ((await exists(p)) !== 'taken') return p;
  }
  return path.join(parent, `${DEFAULT_NAME}-${Date.now()}`);
}

function tilde(p: string): string {
  const home = os.homedir();
  return home && isWithin(home, p) ? path.join('~', path.relative(home, p)) : p;
}

/** Asks where the example goes: a new folder in the home folder, in a temporary folder, or below a folder picked. */
async function askFolder(): Promise<string | undefined> {
  const inHome = await freeFolder(os.homedir());
  const inTemp = await freeFolder(os.tmpdir());
  type Item = vscode.QuickPickItem & { folder?: string; pick?: true };
  const items: Item[] = [
    { label: `$(home) ${tilde(inHome)}`, description: 'a new folder in your home folder', folder: inHome },
    { label: '$(folder-opened) Choose a Parent Folder…', description: 'the example goes into a new folder in it', pick: true },
    { label: `$(clock) ${inTemp}`, description: 'a temporary folder (the system may clear it)', folder: inTemp },
  ];
  const chosen = await vscode.window.showQuickPick(items, {
    title: 'Kube PKI: Open Example Cluster',
    placeHolder: 'Where should kube-pki create the example cluster (a kubeadm node with five TLS mistakes)?',
    ignoreFocusOut: true,
  });
  if (!chosen) return undefined;
  if (chosen.folder) return chosen.folder;
  const picked = await vscode.window.showOpenDialog({
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.Uri.file(os.homedir()),
    openLabel: 'Create the Example Here',
    title: 'Kube PKI: the folder to create kube-pki-example in',
  });
  return picked?.[0] ? freeFolder(picked[0].fsPath) : undefined;
}

async function runningClient(getClient: () => LanguageClient | undefined): Promise<LanguageClient | undefined> {
  // The server starts with the extension; give it a little while when the command comes first.
  for (let i = 0; i < 100; i++) {
    const c = getClient();
    if (c?.isRunning()) return c;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

async function readMarker(folder: vscode.Uri): Promise<Marker | undefined> {
  try {
    const data = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder, MARKER));
    return JSON.parse(Buffer.from(data).toString('utf8')) as Marker;
  } catch {
    return undefined; // not an example
  }
}

/** The first workspace folder that is a generated example (or `folder`, when given), with its marker. */
async function openExample(folder?: string): Promise<{ folder: vscode.Uri; marker: Marker } | undefined> {
  const candidates = folder ? [vscode.Uri.file(folder)] : (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri);
  for (const uri of candidates) {
    const marker = await readMarker(uri);
    if (marker) return { folder: uri, marker };
  }
  return undefined;
}

async function updateContext(): Promise<boolean> {
  const open = (await openExample()) !== undefined;
  await vscode.commands.executeCommand('setContext', EXAMPLE_OPEN_CONTEXT, open);
  return open;
}

/** Opens the example's file holding the planted finding `code`, its line selected, once kube-pki has reported it there. */
async function showFinding(code: string, then: string, args?: { folder?: string }): Promise<boolean> {
  const example = await openExample(typeof args?.folder === 'string' ? args.folder : undefined);
  if (!example) {
    const open = 'Open Example Cluster';
    void vscode.window
      .showInformationMessage('Kube PKI: open the example cluster first: this step shows one of its files.', open)
      .then((answer) => (answer === open ? vscode.commands.executeCommand(OPEN_EXAMPLE_COMMAND) : undefined));
    return false;
  }
  const where = example.marker.expected?.find((e) => e.code === code);
  if (!where) return false;
  const uri = vscode.Uri.joinPath(example.folder, ...where.file.split('/'));
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  const line = doc.lineAt(Math.min(where.line - 1, doc.lineCount - 1));
  // The value after "key: ", where the squiggle is.
  const start = line.text.search(/:\s/) >= 0 ? line.text.search(/:\s/) + 2 : line.firstNonWhitespaceCharacterIndex;
  const pos = new vscode.Position(line.lineNumber, start);
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(line.range, vscode.TextEditorRevealType.InCenter);
  // The hover and the light bulb need the diagnostic: wait for it (the first check of a workspace takes a moment).
  const has = () => vscode.languages.getDiagnostics(uri).some((d) => d.range.start.line === line.lineNumber);
  for (let i = 0; i < 100 && !has(); i++) await new Promise((r) => setTimeout(r, 200));
  await vscode.commands.executeCommand(then);
  return true;
}

/** VS Code's walkthrough page, by the walkthrough's full id (`<publisher>.<name>#<id>`), at a step (its own id) when given. */
async function openWalkthrough(context: vscode.ExtensionContext, step?: string): Promise<void> {
  const category = `${context.extension.id}#${WALKTHROUGH_ID}`;
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', step ? { category, step } : category, false);
}

export function registerExampleCommands(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
  output: vscode.LogOutputChannel,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(OPEN_EXAMPLE_COMMAND, async (args?: OpenExampleArgs): Promise<OpenExampleResult | undefined> => {
      const given = args && typeof args === 'object' ? args : {};
      const folder = given.folder ?? (given.parent ? await freeFolder(given.parent) : await askFolder());
      if (!folder) return undefined;
      if ((await exists(folder)) === 'taken') {
        void vscode.window.showErrorMessage(`Kube PKI: ${folder} is not empty; the example goes into a new or empty folder.`);
        return { ok: false, folder, written: [], expected: [], error: `${folder} is not empty` };
      }
      const c = await runningClient(getClient);
      if (!c) {
        void vscode.window.showErrorMessage('Kube PKI: the language server is not running, so the example cannot be made.');
        return { ok: false, folder, written: [], expected: [], error: 'the language server is not running' };
      }
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Kube PKI: generating the example cluster…' },
        () => c.sendRequest<ExampleResult>(EXAMPLE_REQUEST, { folder }),
      );
      if (!result.ok) {
        output.error(`Open Example Cluster: ${result.error ?? 'failed'}`);
        void vscode.window.showErrorMessage(`Kube PKI: the example was not created: ${result.error ?? 'see the output'}.`);
        return result;
      }
      output.info(`Open Example Cluster: wrote ${result.written.length} files in ${folder}`);
      const uri = vscode.Uri.file(folder);
      let how = given.open;
      if (!how) {
        if (!vscode.workspace.workspaceFolders?.length) how = 'window';
        else {
          const choices: Record<string, OpenHow> = { Open: 'window', 'Open in New Window': 'newWindow', 'Add to Workspace': 'add' };
          const answer = await vscode.window.showInformationMessage(
            `Kube PKI: the example cluster is in ${tilde(folder)}: ${result.expected.length} planted mistakes to find.`,
            ...Object.keys(choices),
          );
          how = answer ? choices[answer] : 'none';
        }
      }
      if (how === 'window' || how === 'newWindow') {
        // This window reloads with the folder: the walkthrough is shown again there, at its next step.
        if (how === 'window') await context.globalState.update(PENDING_KEY, folder);
        await vscode.commands.executeCommand('vscode.openFolder', uri, { forceNewWindow: how === 'newWindow' });
      } else if (how === 'add') {
        vscode.workspace.updateWorkspaceFolders(vscode.workspace.workspaceFolders?.length ?? 0, 0, { uri });
      }
      return { ...result, opened: how };
    }),
    // Arguments (tests): { folder } instead of the workspace's example.
    vscode.commands.registerCommand(EXAMPLE_HOVER_COMMAND, (args?: { folder?: string }) =>
      showFinding('org-mismatch', 'editor.action.showHover', args),
    ),
    vscode.commands.registerCommand(EXAMPLE_QUICK_FIX_COMMAND, (args?: { folder?: string }) =>
      showFinding('cert-expired', 'editor.action.quickFix', args),
    ),
    // "Kube PKI: Get Started": the walkthrough, at `step` when given.
    vscode.commands.registerCommand(WALKTHROUGH_COMMAND, (step?: string) => openWalkthrough(context, typeof step === 'string' ? step : undefined)),
    vscode.workspace.onDidChangeWorkspaceFolders(() => void updateContext()),
  );

  void updateContext().then(async (open) => {
    const pending = context.globalState.get<string>(PENDING_KEY);
    if (!pending) return;
    await context.globalState.update(PENDING_KEY, undefined);
    const here = vscode.workspace.workspaceFolders?.some((f) => f.uri.fsPath === pending);
    if (open && here) await openWalkthrough(context, 'seeFindings');
  });
}
