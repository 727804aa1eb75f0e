// Diagnostics and the workspace summary. A change only marks documents as due (`schedule`); they are published
// together at most PUBLISH_DELAY_MS later, each checked against the engine's latest view of every buffer. Which
// documents are due after a change is decided by the callers (an edit: the document and the open documents that
// depend on it; a file on disk: what depends on it; a config: everything open). Each publish round is followed
// by kubePki/summaryChanged (errors and warnings over every recognised document), coalesced over bursts.
import type { Connection, Diagnostic } from 'vscode-languageserver/node';
import { policy } from '../engine';
import type { Finding } from '../engine/types';
import { SUMMARY_NOTIFICATION, type Summary } from '../../../shared/protocol';
import { displayPath, toDiagnostic } from './diagnostics';
import type { Log } from './guard';
import type { WorkspaceState } from './state';
import { slicer, yieldToEventLoop } from './slices';
import { pathToUri } from './uris';

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
    const state = this.state;
    state.current();
    // What current() just scheduled is published now.
    if (this.publishTimer) clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    const files = [...this.pending];
    this.pending.clear();
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
      if (state.openByFile.has(file)) this.counts.set(file, countOf(findings));
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
      const version = state.documents.get(doc.uri)?.version;
      try {
        await this.connection.sendDiagnostics({ uri: doc.uri, version, diagnostics });
      } catch (err) {
        this.log.error('publishDiagnostics', err);
      }
    }
    this.scheduleSummary();
  }

  /** Clears a closed document's diagnostics. */
  clear(uri: string): void {
    void this.connection.sendDiagnostics({ uri, diagnostics: [] }).catch((err) => this.log.error('publishDiagnostics', err));
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
          c = countOf(this.check(file));
          this.counts.set(file, c);
          if (due()) await yieldToEventLoop();
        }
        s.errors += c.errors;
        s.warnings += c.warnings;
        if (c.errors + c.warnings > 0) s.filesWithProblems++;
      }
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
  }
}
