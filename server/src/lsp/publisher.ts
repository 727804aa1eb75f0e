// Diagnostics and the workspace summary. A change only marks documents as due (`schedule`); they are published
// together at most PUBLISH_DELAY_MS later, each checked against the engine's latest view of every buffer. Which
// documents are due after a change is decided by the callers (an edit: the document and the open documents that
// depend on it; a file on disk: what depends on it; a config: everything open). Each publish round is followed
// by kubePki/summaryChanged (errors and warnings over every recognised document), coalesced over bursts.
//
// Documents that are not open are published too, by the summary's pass over the workspace: it re-checks only the
// documents whose counts are stale, in slices, and sends a document's diagnostics only when they differ from what
// was last sent; a document that is no longer recognised (deleted, excluded, rewritten into something else) gets
// its diagnostics cleared. So the Problems panel lists what the status bar counts, and its "show active file only"
// filter works as for any other diagnostics. (Pushed rather than pulled: vscode-languageclient's workspace pull
// re-asks for the whole workspace every two seconds, and clients without pull diagnostics would see nothing.)
//
// CodeLens titles carry the findings on their line: when an open document is re-published for a reason outside
// its own buffer (another file edited or changed on disk), the client is asked to refresh its lenses.
import { CodeLensRefreshRequest, type Connection, type Diagnostic } from 'vscode-languageserver/node';
import { policy } from '../engine';
import type { Finding } from '../engine/types';
import { SUMMARY_NOTIFICATION, type Summary } from '../../../shared/protocol';
import { displayPath, toDiagnostic } from './diagnostics';
import type { Log } from './guard';
import type { WorkspaceState } from './state';
import { slicer, yieldToEventLoop } from './slices';
import { isFileUri, pathToUri } from './uris';

/**
 * Publish at most this long after a change (the editor expects diagnostics within ~100 ms).
 * $KUBE_PKI_PUBLISH_DELAY_MS overrides it (the benchmark sets 0 to time the work without the wait).
 */
const PUBLISH_DELAY_MS = delayFromEnv(process.env.KUBE_PKI_PUBLISH_DELAY_MS, 50);

function delayFromEnv(value: string | undefined, fallback: number): number {
  const n = value === undefined || value.trim() === '' ? NaN : Number(value);
  return Number.isFinite(n) && n >= 0 && n <= 10_000 ? n : fallback;
}
/** kubePki/summaryChanged waits this long for more changes, but never longer than the max in total. */
const SUMMARY_DELAY_MS = 150;
const SUMMARY_MAX_WAIT_MS = 1000;

interface Counts {
  errors: number;
  warnings: number;
}

function countOf(findings: Finding[]): Counts {
  let errors = 0;
  let warnings = 0;
  for (const f of findings) {
    if (f.severity === 'error') errors++;
    else if (f.severity === 'warning') warnings++;
  }
  return { errors, warnings };
}

export class Publisher {
  private readonly pending = new Set<string>();
  private publishTimer: NodeJS.Timeout | undefined;
  /** Each document's errors and warnings as last checked (the summary re-checks only what is not here). */
  private readonly counts = new Map<string, Counts>();
  private summaryRun: Promise<Summary> | undefined;
  private summaryQueued: Promise<Summary> | undefined;
  private summaryTimer: NodeJS.Timeout | undefined;
  private summaryFirstAsked = 0;
  /** Each document's diagnostics as last sent (only those sent non-empty), by path: a pass sends only what changed. */
  private readonly sent = new Map<string, { uri: string; key: string }>();
  /** Open documents whose own buffer changed since the last publish round (their lenses are asked for anyway). */
  private edited = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly state: WorkspaceState,
    private readonly log: Log,
  ) {}

  /** A document's findings (none when the engine fails on it). */
  check(file: string): Finding[] {
    return this.log.guard('check', () => this.state.current().check(file), [] as Finding[]);
  }

  // ---------------------------------------------------------------- what is stale

  /** These documents' counts are stale. */
  invalidate(files: Iterable<string>): void {
    for (const f of files) this.counts.delete(f);
  }

  /** Every document's counts are stale (new settings, a new engine, a config changed, files written). */
  invalidateAll(): void {
    this.counts.clear();
  }

  /** A closed document is no longer due. */
  forget(file: string): void {
    this.pending.delete(file);
  }

  /** An open document's own buffer changed (its re-publication needs no CodeLens refresh). */
  noteEdited(file: string): void {
    this.edited.add(file);
  }

  /** A round of publishPending is under way (it awaits the sends). */
  private publishing = false;
  private editWaiters: (() => void)[] = [];

  /** Diagnostics of an edited document are due (scheduled or being sent): the index waits for them (indexer.ts turn()). */
  get editsDue(): boolean {
    return this.edited.size > 0 && (this.publishTimer !== undefined || this.publishing);
  }

  /** Resolves when the edits due now are published (or none is due any more). */
  whenEditsPublished(): Promise<void> {
    if (!this.editsDue) return Promise.resolve();
    return new Promise((resolve) => this.editWaiters.push(resolve));
  }

  private releaseEditWaiters(): void {
    if (this.editsDue || this.editWaiters.length === 0) return;
    const waiters = this.editWaiters;
    this.editWaiters = [];
    for (const w of waiters) w();
  }

  // ---------------------------------------------------------------- diagnostics

  /** These documents are published soon: those open, and .kube-pki.yaml files open or not (their config-invalid). */
  schedule(files: Iterable<string>): void {
    const state = this.state;
    for (const f of files) if (state.openByFile.has(f) || policy.isConfigName(f)) this.pending.add(f);
    // Before the settings are known a rootDir or path mapping may be missing: no false alarms meanwhile.
    if (this.pending.size === 0 || this.publishTimer || state.shuttingDown || !state.settingsLoaded) return;
    // Not reset by later changes: a burst of keystrokes still publishes within PUBLISH_DELAY_MS.
    this.publishTimer = setTimeout(() => {
      this.publishTimer = undefined;
      void this.publishPending();
    }, PUBLISH_DELAY_MS);
  }

  /** Every open document and every config read is published soon. */
  scheduleAll(): void {
    this.schedule(this.state.openByFile.keys());
    this.schedule(this.state.loadedConfigs().map((c) => c.file));
  }

  /** Publishes what is due now. */
  async publishPending(): Promise<void> {
    this.publishing = true;
    try {
      await this.publishRound();
    } finally {
      this.publishing = false;
      this.releaseEditWaiters();
    }
  }

  private async publishRound(): Promise<void> {
    const state = this.state;
    state.current();
    // What current() just scheduled is published now.
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    const files = [...this.pending];
    this.pending.clear();
    const edited = this.edited;
    this.edited = new Set();
    let lensesStale = false;
    for (let i = 0; i < files.length; i++) {
      if (state.unapplied.size > 0) {
        // A newer edit came in while this round was sending: the rest waits for the round it scheduled,
        // instead of being checked against a text that is already stale.
        this.schedule(files.slice(i));
        break;
      }
      const file = files[i];
      const doc = state.openByFile.get(file) ?? (policy.isConfigName(file) ? { uri: pathToUri(file), file } : undefined);
      if (!doc) continue;
      const findings = this.check(file);
      const open = state.openByFile.has(file);
      if (open) this.counts.set(file, countOf(findings));
      if (open && !edited.has(file)) lensesStale = true;
      const diagnostics = this.diagnosticsOf(findings);
      const version = state.documents.get(doc.uri)?.version;
      this.noteSent(file, doc.uri, diagnostics);
      try {
        await this.connection.sendDiagnostics({ uri: doc.uri, version, diagnostics });
      } catch (err) {
        this.log.error('publishDiagnostics', err);
      }
    }
    if (lensesStale) this.refreshLenses();
    this.scheduleSummary();
  }

  private diagnosticsOf(findings: Finding[]): Diagnostic[] {
    const state = this.state;
    const diagnostics: Diagnostic[] = [];
    for (const f of findings) {
      const d = this.log.guard(
        'diagnostic',
        () =>
          toDiagnostic(f, {
            relatedInformation: state.caps.relatedInformation,
            uriOf: (p) => state.uriOf(p),
            displayOf: (p) => displayPath(p, state.folderPaths()),
          }),
        undefined,
      );
      if (d) diagnostics.push(d);
    }
    return diagnostics;
  }

  /** Records what was sent for a document; returns false when it equals what was sent last. */
  private noteSent(file: string, uri: string, diagnostics: Diagnostic[]): boolean {
    const key = diagnostics.length ? JSON.stringify(diagnostics) : '';
    const prev = this.sent.get(file);
    if ((prev?.key ?? '') === key && (prev === undefined || prev.uri === uri)) return false;
    if (key) this.sent.set(file, { uri, key });
    else this.sent.delete(file);
    return true;
  }

  /** A document that is not open, checked by the summary's pass: sent when its diagnostics changed. */
  private publishClosed(file: string, findings: Finding[]): Promise<void> | undefined {
    if (!this.state.settingsLoaded || this.state.shuttingDown || this.state.partial) return undefined;
    // Most documents of a big workspace have nothing, and had nothing: no URI made, no turn awaited.
    if (findings.length === 0 && !this.sent.has(file)) return undefined;
    const diagnostics = this.diagnosticsOf(findings);
    const uri = this.sent.get(file)?.uri ?? pathToUri(file);
    if (!this.noteSent(file, uri, diagnostics)) return undefined;
    return this.connection.sendDiagnostics({ uri, diagnostics }).catch((err) => this.log.error('publishDiagnostics', err));
  }

  /** Clears the diagnostics of documents sent before that are no longer recognised, open or a config. */
  private async clearGone(recognised: Set<string>): Promise<void> {
    const state = this.state;
    for (const [file, { uri }] of [...this.sent]) {
      if (recognised.has(file) || state.openByFile.has(file) || policy.isConfigName(file)) continue;
      this.sent.delete(file);
      try {
        await this.connection.sendDiagnostics({ uri, diagnostics: [] });
      } catch (err) {
        this.log.error('publishDiagnostics', err);
      }
    }
  }

  /**
   * A document was closed. A workspace file keeps its diagnostics (the summary's pass re-checks it as the disk has
   * it, and clears them if it is no longer recognised); any other document (untitled) has them cleared now.
   */
  closed(uri: string, file: string): void {
    if (isFileUri(uri) && this.state.isIndexed(file)) return;
    this.sent.delete(file);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] }).catch((err) => this.log.error('publishDiagnostics', err));
  }

  private refreshLenses(): void {
    if (!this.state.caps.codeLensRefresh || this.state.shuttingDown) return;
    void this.connection.sendRequest(CodeLensRefreshRequest.type).catch((err) => this.log.error('codeLens/refresh', err));
  }

  // ---------------------------------------------------------------- the summary

  /** Errors and warnings over every recognised document, checked in slices so the server keeps answering. */
  summary(): Promise<Summary> {
    if (this.summaryRun) {
      // One more run after the current one serves every caller that arrives meanwhile.
      this.summaryQueued ??= this.summaryRun.then(() => {
        this.summaryQueued = undefined;
        return this.summary();
      });
      return this.summaryQueued;
    }
    const run = (async () => {
      const docs = this.log.guard('documents', () => this.state.current().documents(), [] as string[]);
      const s: Summary = { errors: 0, warnings: 0, files: docs.length, filesWithProblems: 0 };
      const due = slicer();
      for (const file of docs) {
        let c = this.counts.get(file);
        if (!c) {
          const findings = this.check(file);
          c = countOf(findings);
          this.counts.set(file, c);
          // Open documents and configs are published by the rounds above (with the buffer's version).
          const sending = !this.state.openByFile.has(file) && !policy.isConfigName(file) ? this.publishClosed(file, findings) : undefined;
          if (sending) await sending;
          if (due()) await yieldToEventLoop();
        }
        s.errors += c.errors;
        s.warnings += c.warnings;
        if (c.errors + c.warnings > 0) s.filesWithProblems++;
      }
      await this.clearGone(new Set(docs));
      if (this.state.limits.length) s.limits = this.state.limits.slice();
      if (this.state.indexing) s.indexing = true;
      return s;
    })();
    this.summaryRun = run;
    return run.finally(() => {
      this.summaryRun = undefined;
    });
  }

  /**
   * kubePki/summaryChanged follows each publish round, coalesced: a keystroke can invalidate every
   * document's counts, and re-counting the whole workspace per keystroke would only burn CPU.
   */
  scheduleSummary(): void {
    if (this.state.shuttingDown) return;
    const now = Date.now();
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    else this.summaryFirstAsked = now;
    const wait = Math.max(0, Math.min(SUMMARY_DELAY_MS, this.summaryFirstAsked + SUMMARY_MAX_WAIT_MS - now));
    this.summaryTimer = setTimeout(() => {
      this.summaryTimer = undefined;
      void this.sendSummary();
    }, wait);
  }

  private async sendSummary(): Promise<void> {
    // While the first index fills the engine, counts would be of a part of the workspace: one follows its end.
    if (this.state.partial) return;
    try {
      const s = await this.summary();
      if (!this.state.shuttingDown) await this.connection.sendNotification(SUMMARY_NOTIFICATION, s);
    } catch (err) {
      this.log.error('summary', err);
    }
  }

  /** Shutdown: nothing more is sent. */
  stop(): void {
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    if (this.summaryTimer) clearTimeout(this.summaryTimer);
    this.summaryTimer = undefined;
    this.edited.clear();
    this.releaseEditWaiters();
  }
}
