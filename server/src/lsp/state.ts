// The workspace as the language server holds it: the engine (replaced whole by each index of the workspace), the
// buffers open in the editor (which the engine reads instead of the disk), the workspace folders, what the client
// can do, whether the workspace is trusted, and when the first index is in. Every use of the engine goes through
// `current()`, which hands it the buffers edited since it last looked.
import * as path from 'node:path';
import { TextDocuments, type Position } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Engine, GitIgnores, isCandidateName, isWithin, nodeFileSystem, overlayFileSystem, SKIP_DIRS, type policy } from '../engine';
import { MAX_CONFIG_BYTES, type EngineOptions, type FileSystem } from '../engine/types';
import type { Log } from './guard';
import type { WorkspaceFolderInfo } from './settings';
import { isFileUri, isUntitledUri, pathToUri, untitledPath, uriToPath } from './uris';

export interface OpenDoc {
  uri: string;
  file: string;
}

/** An open document as the request handlers read it. */
export interface OpenText {
  /** The engine's path for the document. */
  file: string;
  text: string;
  offsetAt(position: Position): number;
}

/** What the client announced in `initialize`. */
export interface Capabilities {
  configuration: boolean;
  relatedInformation: boolean;
  dynamicWatchedFiles: boolean;
  dynamicConfiguration: boolean;
  workspaceFolders: boolean;
  workDoneProgress: boolean;
  /** workspace/codeLens/refresh is understood. */
  codeLensRefresh: boolean;
}

/** Documents bigger than this get no hover, lens, outline or quick fix (the engine does not parse such configs either). */
export const MAX_FEATURE_TEXT = MAX_CONFIG_BYTES;

/**
 * Told, from `current()`, of each open buffer whose new text the engine just read: `before` and `after` are the
 * open documents whose findings depended on it before and after, `affected` every document that depends on it now.
 */
export type EditListener = (file: string, before: string[], after: string[], affected: string[]) => void;

export class WorkspaceState {
  /** The editor's buffers (text and version), kept in sync by vscode-languageserver. */
  readonly documents = new TextDocuments(TextDocument);
  /** The disk itself. */
  readonly diskFs: FileSystem = nodeFileSystem();
  /** Open buffers by absolute path: the engine reads these instead of the disk. */
  readonly openTexts = new Map<string, string>();
  /** The engine's view of files: open buffers over the disk. */
  readonly fs: FileSystem = overlayFileSystem(this.diskFs, this.openTexts);
  /** Open documents by URI and by path. */
  readonly openByUri = new Map<string, OpenDoc>();
  readonly openByFile = new Map<string, OpenDoc>();

  folders: WorkspaceFolderInfo[] = [];
  caps: Capabilities = {
    configuration: false,
    relatedInformation: false,
    dynamicWatchedFiles: false,
    dynamicConfiguration: false,
    workspaceFolders: false,
    workDoneProgress: false,
    codeLensRefresh: false,
  };
  /** Settings pushed by didChangeConfiguration, for clients without workspace/configuration. */
  pushedSettings: unknown = undefined;
  /** false in an untrusted workspace (initializationOptions.trusted): read only inside the folders, never generate. */
  trusted = true;
  /** The engine options the settings give (applied to every new engine). */
  options: Partial<EngineOptions> = {};
  /** kubePki.maxFiles: the bound on candidate files per workspace folder (undefined: a config's maxFiles, or the default). */
  maxFiles: number | undefined = undefined;
  /** What a limit of the last index's walk left out, in sentences (the summary carries them to the status bar). */
  limits: string[] = [];
  /** The first index is filling the engine in use: it holds part of the workspace (no summary meanwhile). */
  partial = false;
  /** The engine: its buffers may lag behind (`unapplied`): use current(). */
  engine: Engine;
  /** Before the settings are known a rootDir or path mapping may be missing: nothing is published meanwhile. */
  settingsLoaded = false;
  shuttingDown = false;
  /**
   * Open buffers whose latest text the engine has not read yet: a keystroke only records the text, and the
   * engine parses it when diagnostics or a request need it, so a burst of edits costs one parse, not one each.
   * `true` when the buffer was just opened (the disk's version of the file is then forgotten first).
   */
  readonly unapplied = new Map<string, boolean>();
  /** The index of the workspace being built (set by WorkspaceIndex), if any. */
  indexing: Promise<void> | undefined;
  /** See EditListener (startServer wires it to the publisher and the index). */
  onEdit: EditListener = () => undefined;

  private resolveReady: () => void = () => undefined;
  /** Settles once `initialized` has been handled and the first index is built (or failed). */
  private readonly ready = new Promise<void>((resolve) => {
    this.resolveReady = resolve;
  });

  constructor(private readonly log: Log) {
    this.engine = new Engine(this.fs, this.options);
  }

  private resolveUsable: () => void = () => undefined;
  /** Settles once the settings are read and the first index has read the node trees around the open documents. */
  private readonly usable = new Promise<void>((resolve) => {
    this.resolveUsable = resolve;
  });

  // ---------------------------------------------------------------- readiness

  /** The settings are read, and the node trees around the open documents are in the engine (WorkspaceIndex). */
  markUsable(): void {
    this.resolveUsable();
  }

  /**
   * Requests about an open document (hover, lenses, links, decode) wait for this, not for the whole index: the
   * settings are in, and so are the node trees around the open documents (the rest of the workspace may follow).
   */
  async whenUsable(): Promise<void> {
    await this.usable;
  }

  /** `initialized` is handled and the first index is built (or failed). */
  markReady(): void {
    this.resolveUsable();
    this.resolveReady();
  }

  /** Settings and the index are in: paths resolve with the user's settings. */
  async whenIndexed(): Promise<void> {
    await this.ready;
    while (this.indexing) await this.indexing;
  }

  // ---------------------------------------------------------------- folders and URIs

  folderPaths(): string[] {
    return this.folders.map((f) => f.path);
  }

  /** An open buffer's own URI (an untitled one too), else the file's. */
  uriOf(file: string): string {
    return this.openByFile.get(file)?.uri ?? pathToUri(file);
  }

  /** The engine's path for a document URI; undefined for schemes we do not check. */
  fileOfUri(uri: string): string | undefined {
    if (isFileUri(uri)) return uriToPath(uri);
    if (isUntitledUri(uri)) return untitledPath(uri, this.folders[0]?.path);
    return undefined;
  }

  /** The .gitignore files the walk honours, as read so far (gitignoreChanged forgets them). */
  private gitignores = new GitIgnores(this.diskFs);

  /** A .gitignore changed: its rules are read again. */
  gitignoreChanged(): void {
    this.gitignores = new GitIgnores(this.diskFs);
  }

  /**
   * What the index's walk never enters: below .git, node_modules and the like, or ignored by a .gitignore between
   * the workspace folder and the file (judged inside the workspace folder, not above it).
   */
  isSkippedPath(file: string): boolean {
    const folder = this.folderPaths().find((f) => isWithin(f, file));
    const rel = folder ? path.relative(folder, file) : file;
    if (rel.split(/[\\/]/).some((seg) => SKIP_DIRS.has(seg))) return true;
    return folder !== undefined && rel !== '' && this.gitignores.ignores(folder, file, false);
  }

  /** A file the index of the workspace reads: inside a folder, not skipped, named like a config. */
  isIndexed(file: string): boolean {
    return this.folderPaths().some((f) => isWithin(f, file)) && !this.isSkippedPath(file) && isCandidateName(file);
  }

  /** An open document's text, for the request handlers. */
  document(uri: string): OpenText | undefined {
    const doc = this.documents.get(uri);
    const file = doc ? this.fileOfUri(uri) : undefined;
    return doc && file ? { file, text: doc.getText(), offsetAt: (p) => doc.offsetAt(p) } : undefined;
  }

  // ---------------------------------------------------------------- open buffers

  /** didOpen/didChange: the buffer's text is recorded; the engine reads it when next asked (current()). */
  bufferChanged(uri: string, file: string, text: string): void {
    const opening = !this.openByUri.has(uri);
    const doc: OpenDoc = { uri, file };
    this.openByUri.set(uri, doc);
    this.openByFile.set(file, doc);
    this.openTexts.set(file, text);
    // Newer edits replace older ones unparsed.
    this.unapplied.set(file, opening || this.unapplied.get(file) === true);
  }

  /**
   * didClose: the URI is forgotten; the file's buffer too unless another URI spelling of it is still open.
   * Returns the document closed (undefined if it was not open) and whether the file is still open.
   */
  bufferClosed(uri: string): { doc: OpenDoc | undefined; stillOpen: boolean } {
    const doc = this.openByUri.get(uri);
    this.current();
    this.openByUri.delete(uri);
    if (!doc) return { doc, stillOpen: false };
    const other = [...this.openByUri.values()].find((d) => d.file === doc.file);
    if (other) {
      this.openByFile.set(doc.file, other);
    } else {
      this.openByFile.delete(doc.file);
      this.openTexts.delete(doc.file);
    }
    return { doc, stillOpen: !!other };
  }

  // ---------------------------------------------------------------- the engine

  /** File events received and not handled yet (handlers/documents.ts batches them): handled before the engine is used. */
  pendingFileEvents: () => void = () => undefined;

  /** Gives the engine the buffers edited since it last looked; every use of the engine goes through here. */
  current(): Engine {
    this.pendingFileEvents();
    if (this.unapplied.size === 0) return this.engine;
    const edits = [...this.unapplied];
    this.unapplied.clear();
    for (const [file, opening] of edits) {
      const text = this.openTexts.get(file);
      if (text === undefined) continue;
      const before = this.affectedOpen(file);
      // On open the buffer may differ from the disk (or exist only in the editor): forget what was read.
      // Later edits only need updateDocument, which drops this file's cached material itself.
      if (opening) this.log.guard('fileChanged', () => this.engine.fileChanged(file), undefined);
      this.log.guard('updateDocument', () => updateOpenText(this.engine, file, text), undefined);
      const after = this.affectedOpen(file);
      this.onEdit(file, before, after, this.affectedBy(file));
    }
    return this.engine;
  }

  /** The recognised documents whose findings may change when `file` changes (none when the engine fails). */
  affectedBy(file: string): string[] {
    return this.log.guard('affectedBy', () => this.engine.affectedBy(file), [] as string[]);
  }

  /** The open documents among them. */
  affectedOpen(file: string): string[] {
    return this.affectedBy(file).filter((f) => this.openByFile.has(f));
  }

  /** Every .kube-pki.yaml the engine has read. */
  loadedConfigs(): policy.PolicyConfig[] {
    return this.log.guard('configs', () => this.engine.loadedConfigs(), [] as policy.PolicyConfig[]);
  }

  /** The file as the disk (or an open buffer) has it now goes into the engine: re-read, or dropped when it is gone. */
  fileChanged(file: string): void {
    this.log.guard('fileChanged', () => this.engine.fileChanged(file), undefined);
  }

  reload(file: string): void {
    this.log.guard('reload', () => loadFile(this.engine, file), undefined);
  }

  removeDocument(file: string): void {
    this.log.guard('removeDocument', () => this.engine.removeDocument(file), undefined);
  }
}

/** Reads a file (through the overlay, within the engine's bounds) into an engine; anything unreadable or binary is no document. */
export function loadFile(target: Engine, file: string): void {
  const r = target.fileSystem.readFile(file, MAX_CONFIG_BYTES);
  if (!r.ok) {
    target.removeDocument(file);
    return;
  }
  const head = r.data.subarray(0, 8192);
  if (head.includes(0)) {
    target.removeDocument(file);
    return;
  }
  target.updateDocument(file, r.data.toString('utf8'));
}

/** An open buffer's text into an engine. */
export function updateOpenText(target: Engine, file: string, text: string): void {
  // Markdown reaches the server for hovers on pasted PEM only: a kubeconfig quoted in a README is no config.
  if (/\.(md|markdown)$/i.test(file)) {
    target.removeDocument(file);
    return;
  }
  // Over MAX_CONFIG_BYTES the engine does not parse it, and says so when it reads like a config.
  target.updateDocument(file, text);
}
