// "Kube PKI: Show Expiry Timeline": every certificate of the workspace as a bar from not-before to
// not-after on one time axis, sorted by expiry, red/amber/green by status, today marked and the warning
// window (today .. today + kubePki.expiryWarningDays) shaded. The SVG is drawn here from kubePki/inventory;
// the webview's page (webview/timeline.ts and timeline.css, bundled into dist/webview/) only shows it
// (colours from the VS Code theme's CSS variables, no network, a strict CSP: its script by nonce, its
// stylesheet from the extension's dist/webview only), sends clicks back (open the certificate's referencing
// line) and, for an export, inlines the theme colours it computed (SVG) or draws it into a canvas (PNG);
// the extension asks where to save. The messages both ways: webview/messages.ts.
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Inventory, InventoryCertificate } from '../../shared/protocol';
import { fromWebview, type ExportFormat, type FromWebview, type TimelineRange, type ToWebview } from './webview/messages';
import { plural } from './words';

export type { TimelineRange } from './webview/messages';

export const TIMELINE_COMMANDS = {
  show: 'kubePki.showExpiryTimeline',
  export: 'kubePki.exportExpiryTimeline',
};
const VIEW_TYPE = 'kubePki.expiryTimeline';
/** How long an export waits for the webview to answer. */
const EXPORT_TIMEOUT_MS = 15_000;

// ------------------------------------------------------------------------------------------ the SVG

const DAY = 86_400_000;
/** "2026-11-28": a UTC day, written as the server writes one (its engine's decode/time.ts formatDay). */
const formatDay = (d: Date) => (Number.isNaN(d.getTime()) ? 'invalid date' : d.toISOString().slice(0, 10));
const esc = (s: string) => s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const day = (ms: number) => formatDay(new Date(ms));

/** A certificate's name where space is short: its CN, else its subject. */
export function certName(c: InventoryCertificate): string {
  return c.commonName || c.subject || c.id.slice(0, 12);
}

/** "in 364 d", "expires today", "expired 3 d ago", "valid in 2 d": whole days, rounded down, as kubeadm does. */
export function expiryBadge(c: InventoryCertificate, now: Date | number): string {
  const t = typeof now === 'number' ? now : now.getTime();
  if (c.status === 'not-yet-valid') return `valid in ${Math.max(1, Math.ceil((Date.parse(c.notBefore) - t) / DAY))} d`;
  const notAfter = Date.parse(c.notAfter);
  if (c.status === 'expired' || notAfter <= t) {
    const ago = Math.floor((t - notAfter) / DAY);
    return ago <= 0 ? 'expired today' : `expired ${ago} d ago`;
  }
  return c.daysLeft <= 0 ? 'expires today' : `in ${c.daysLeft} d`;
}

const statusClass = (c: InventoryCertificate) => (c.status === 'ok' ? 'ok' : c.status === 'expiring' ? 'expiring' : 'expired');

/** Axis ticks: years, or quarters/months when the span is short. */
function ticks(start: number, end: number): { at: number; label: string }[] {
  const out: { at: number; label: string }[] = [];
  const years = (end - start) / (365 * DAY);
  if (years >= 3.5) {
    const step = years > 30 ? 10 : years > 14 ? 5 : years > 7 ? 2 : 1;
    for (let y = new Date(start).getUTCFullYear() + 1; ; y++) {
      const at = Date.UTC(y, 0, 1);
      if (at > end) break;
      if (y % step === 0) out.push({ at, label: String(y) });
    }
    return out;
  }
  const months = (end - start) / (30.4 * DAY);
  const step = months > 12 ? 3 : months > 6 ? 2 : 1;
  const d = new Date(start);
  for (let y = d.getUTCFullYear(), m = d.getUTCMonth() + 1; ; m++) {
    const at = Date.UTC(y, m, 1);
    if (at > end) break;
    const mm = new Date(at).getUTCMonth();
    if (mm % step === 0) out.push({ at, label: mm === 0 ? String(new Date(at).getUTCFullYear()) : new Date(at).toISOString().slice(0, 7) });
  }
  return out;
}

export interface TimelineLayout {
  width: number;
  labelWidth: number;
  rowHeight: number;
}

const LAYOUT: TimelineLayout = { width: 1280, labelWidth: 520, rowHeight: 22 };

/** How far either side of today the 'near' range reaches: about 15 months. */
const NEAR_MS = 456 * DAY;

/**
 * The timeline of an inventory as SVG, styled by classes (the webview's stylesheet maps them to theme colours):
 * one `rect.bar` per certificate (data-id = its id), `line.today`, `rect.warning-window`.
 */
export function renderTimelineSvg(inv: Inventory, range: TimelineRange = 'all', layout: TimelineLayout = LAYOUT): string {
  const now = Date.parse(inv.now) || Date.now();
  const certs = [...inv.certificates].sort((a, b) => a.notAfter.localeCompare(b.notAfter) || (a.commonName ?? '').localeCompare(b.commonName ?? ''));
  const { width: W, labelWidth: LW, rowHeight: RH } = layout;
  const top = 46;
  const x0 = LW + 10;
  const x1 = W - 24;
  const warnEnd = now + inv.warningDays * DAY;
  const times = certs.flatMap((c) => [Date.parse(c.notBefore), Date.parse(c.notAfter)]).filter(Number.isFinite);
  let start = range === 'near' ? now - NEAR_MS : Math.min(now, ...times);
  let end = range === 'near' ? now + NEAR_MS : Math.max(warnEnd, ...times);
  const pad = Math.max((end - start) * 0.02, 7 * DAY);
  start -= pad;
  end += pad;
  const X = (t: number) => x0 + ((Math.min(Math.max(t, start), end) - start) / (end - start)) * (x1 - x0);
  const rowsH = Math.max(1, certs.length) * RH;
  const bottom = top + rowsH;
  const H = bottom + 56;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="Certificate expiry timeline">`,
  );
  out.push(`<title>Kube PKI expiry timeline, ${esc(day(now))}</title>`);
  // Stripes, the warning window, the grid.
  certs.forEach((_, i) => {
    if (i % 2 === 1) out.push(`<rect class="stripe" x="0" y="${top + i * RH}" width="${W}" height="${RH}"/>`);
  });
  out.push(
    `<rect class="warning-window" x="${X(now).toFixed(1)}" y="${top - 6}" width="${Math.max(1, X(warnEnd) - X(now)).toFixed(1)}" height="${rowsH + 6}"><title>Warning window: expiring within ${inv.warningDays} days (kubePki.expiryWarningDays)</title></rect>`,
  );
  for (const t of ticks(start, end)) {
    const x = X(t.at).toFixed(1);
    out.push(`<line class="grid" x1="${x}" y1="${top - 6}" x2="${x}" y2="${bottom}"/>`);
    out.push(`<text class="tick" x="${x}" y="${top - 12}" text-anchor="middle">${esc(t.label)}</text>`);
  }
  out.push(`<line class="axis" x1="${x0}" y1="${bottom}" x2="${x1}" y2="${bottom}"/>`);
  // One row per certificate.
  certs.forEach((c, i) => {
    const y = top + i * RH;
    const nb = Date.parse(c.notBefore);
    const na = Date.parse(c.notAfter);
    const bx = X(nb);
    const bw = Math.max(3, X(na) - bx);
    const name = certName(c);
    const role = c.role ?? (c.isCA ? 'CA' : '');
    const tip = `${name}${role ? ` (${role})` : ''}\n${day(nb)} to ${day(na)}: ${expiryBadge(c, now)}${c.problems.length ? `\n${c.problems.map((p) => `${p.severity}: ${p.code}`).join('\n')}` : ''}`;
    const cls = statusClass(c);
    out.push(`<g class="row" data-id="${esc(c.id)}" tabindex="0">`);
    out.push(`<title>${esc(tip)}</title>`);
    out.push(`<rect class="hit" x="0" y="${y}" width="${W}" height="${RH}"/>`);
    const label = cut(name, 40);
    out.push(
      `<text class="label" x="8" y="${y + RH / 2 + 4}">${esc(label)}${role ? `<tspan class="role"> · ${esc(cut(role, Math.max(8, 62 - label.length)))}</tspan>` : ''}</text>`,
    );
    out.push(`<text class="days days-${cls}" x="${LW}" y="${y + RH / 2 + 4}" text-anchor="end">${esc(expiryBadge(c, now))}</text>`);
    out.push(
      `<rect class="bar bar-${cls}" data-id="${esc(c.id)}" x="${bx.toFixed(1)}" y="${y + 5}" width="${bw.toFixed(1)}" height="${RH - 10}" rx="3"/>`,
    );
    // Cut by the shown range: an arrow says the bar goes on.
    if (nb < start) out.push(`<text class="cut" x="${x0 - 2}" y="${y + RH / 2 + 4}" text-anchor="end">◂</text>`);
    if (na > end) out.push(`<text class="cut" x="${x1 + 2}" y="${y + RH / 2 + 4}">▸</text>`);
    out.push('</g>');
  });
  if (certs.length === 0) out.push(`<text class="label" x="8" y="${top + RH / 2 + 4}">No certificates in the workspace.</text>`);
  // Today, over the bars.
  const tx = X(now).toFixed(1);
  out.push(`<line class="today" x1="${tx}" y1="${top - 26}" x2="${tx}" y2="${bottom + 4}"/>`);
  out.push(`<text class="today-label" x="${tx}" y="${top - 28}" text-anchor="middle">today ${esc(day(now))}</text>`);
  // Legend.
  const ly = bottom + 30;
  const legend: [string, string][] = [
    ['bar bar-ok', 'valid'],
    ['bar bar-expiring', `expires within ${inv.warningDays} days`],
    ['bar bar-expired', 'expired or not yet valid'],
    ['warning-window legend-window', 'warning window'],
  ];
  let lx = 8;
  for (const [cls, text] of legend) {
    out.push(`<rect class="${cls.replace('bar ', 'legend ')}" x="${lx}" y="${ly - 10}" width="18" height="12" rx="2"/>`);
    out.push(`<text class="legend-text" x="${lx + 24}" y="${ly}">${esc(text)}</text>`);
    lx += 40 + text.length * 7;
  }
  out.push('</svg>');
  return out.join('\n');
}

// ------------------------------------------------------------------------------------------ the webview

function summaryOf(inv: Inventory): string {
  const n = (s: string) => inv.certificates.filter((c) => c.status === s).length;
  const parts = [plural(inv.certificates.length, 'certificate')];
  if (n('expired')) parts.push(`${n('expired')} expired`);
  if (n('not-yet-valid')) parts.push(`${n('not-yet-valid')} not yet valid`);
  if (n('expiring')) parts.push(`${n('expiring')} expiring within ${inv.warningDays} days`);
  return parts.join(', ');
}

/** Where the page's script and stylesheet are (esbuild.js builds them there); the webview may read nothing else. */
const WEBVIEW_DIR = ['dist', 'webview'];

/**
 * The page: the SVG and summary as of now, the page script (by nonce) and stylesheet (from the webview's own
 * resource origin, `cspSource`). img-src data: is for the PNG export (the SVG loaded as an image).
 */
export function timelineHtml(
  page: { nonce: string; cspSource: string; script: string; style: string },
  svg: string,
  summary: string,
  range: TimelineRange,
): string {
  const { nonce } = page;
  const csp = `default-src 'none'; img-src data:; style-src ${page.cspSource}; script-src 'nonce-${nonce}';`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>PKI Expiry Timeline</title>
<link rel="stylesheet" href="${esc(page.style)}">
</head>
<body>
<header>
<h1>Certificate expiry</h1>
<span class="summary" id="summary">${esc(summary)}</span>
<label for="range">Range</label>
<select id="range" title="The time span shown">
<option value="all"${range === 'all' ? ' selected' : ''}>All certificates</option>
<option value="near"${range === 'near' ? ' selected' : ''}>15 months around today</option>
</select>
<button id="refresh" title="Read the workspace again">Refresh</button>
<button data-export="svg" title="Save the timeline as an SVG file">Export SVG</button>
<button data-export="png" title="Save the timeline as a PNG image">Export PNG</button>
</header>
<div id="chart">${svg}</div>
<script nonce="${nonce}" src="${esc(page.script)}"></script>
</body>
</html>`;
}

// ------------------------------------------------------------------------------------------ the panel

export interface TimelineHost {
  inventory(): Inventory | undefined;
  /** Asks the server again; resolves once done (the host passes each new inventory to update()). */
  refresh(): Promise<void>;
  /** Opens the certificate's referencing line. */
  open(id: string): void;
  output: vscode.LogOutputChannel;
}

export interface TimelineApi {
  /** The SVG the panel shows now (classes, not colours), or undefined when it is closed. */
  svg(): string | undefined;
  isOpen(): boolean;
}

type Exported = Extract<FromWebview, { type: 'exported' }>;

export function registerTimeline(
  context: vscode.ExtensionContext,
  host: TimelineHost,
): { update(inv: Inventory): void; isOpen(): boolean; api: TimelineApi } {
  let panel: vscode.WebviewPanel | undefined;
  let ready: Promise<void> = Promise.resolve();
  let shownSvg: string | undefined;
  let range: TimelineRange = 'all';
  const waiting = new Map<string, (e: Exported) => void>();

  /** What the page shows for this inventory (none yet: a placeholder), remembered as the shown SVG. */
  function content(inv: Inventory | undefined): { svg: string; summary: string } {
    shownSvg = inv ? renderTimelineSvg(inv, range) : undefined;
    return { svg: shownSvg ?? '<p>Kube PKI is reading the workspace…</p>', summary: inv ? summaryOf(inv) : '' };
  }

  function render(inv: Inventory | undefined): Promise<unknown> {
    if (!panel) return Promise.resolve();
    const p = panel;
    const message: ToWebview = { type: 'render', ...content(inv) };
    // Messages posted before the page listens would be lost.
    return ready.then(() => p.webview.postMessage(message));
  }

  function failed(log: string): void {
    host.output.error(log);
    void vscode.window.showErrorMessage('Kube PKI: the timeline could not be exported; see the output.');
  }

  const saved = (file: string) =>
    void vscode.window.showInformationMessage(`Kube PKI: the timeline was saved to ${vscode.workspace.asRelativePath(file)}.`);

  async function save(format: ExportFormat, data: string, target?: string): Promise<string | undefined> {
    let file = target;
    if (!file) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const uri = await vscode.window.showSaveDialog({
        title: `Export the expiry timeline as ${format.toUpperCase()}`,
        defaultUri: folder ? vscode.Uri.joinPath(folder, `pki-expiry-timeline.${format}`) : undefined,
        filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      });
      if (!uri) return undefined;
      file = uri.fsPath;
    }
    let bytes: Uint8Array;
    if (format === 'png') {
      const m = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(data);
      if (!m) throw new Error('the webview sent no PNG');
      bytes = Buffer.from(m[1], 'base64');
    } else {
      if (!/<svg[\s>]/.test(data)) throw new Error('the webview sent no SVG');
      bytes = Buffer.from(data, 'utf8');
    }
    await vscode.workspace.fs.writeFile(vscode.Uri.file(file), bytes);
    host.output.info(`expiry timeline exported to ${file}`);
    return file;
  }

  async function show(): Promise<vscode.WebviewPanel> {
    if (panel) {
      panel.reveal(undefined, true);
      return panel;
    }
    const p = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      'PKI Expiry Timeline',
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: false },
      {
        enableScripts: true,
        localResourceRoots: [vscode.Uri.joinPath(context.extensionUri, ...WEBVIEW_DIR)],
        retainContextWhenHidden: true,
      },
    );
    panel = p;
    let markReady: () => void = () => undefined;
    ready = new Promise((resolve) => (markReady = resolve));
    const nonce = randomBytes(18)
      .toString('base64')
      .replace(/[^A-Za-z0-9]/g, '');
    const { svg, summary } = content(host.inventory());
    const resource = (file: string) => p.webview.asWebviewUri(vscode.Uri.joinPath(context.extensionUri, ...WEBVIEW_DIR, file)).toString();
    p.webview.html = timelineHtml(
      { nonce, cspSource: p.webview.cspSource, script: resource('timeline.js'), style: resource('timeline.css') },
      svg,
      summary,
      range,
    );
    p.webview.onDidReceiveMessage(
      async (raw: unknown) => {
        const m = fromWebview(raw);
        try {
          if (m?.type === 'ready') markReady();
          else if (m?.type === 'open') host.open(m.id);
          else if (m?.type === 'refresh') await host.refresh();
          else if (m?.type === 'range') {
            range = m.value;
            await render(host.inventory());
          } else if (m?.type === 'exported') waiting.get(m.requestId)?.(m);
          else if (m?.type === 'save') {
            const file = await save(m.format, m.data);
            if (file) saved(file);
          } else if (m?.type === 'error') failed(`expiry timeline: ${m.message ?? 'error'}`);
        } catch (err) {
          failed(`expiry timeline: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
      undefined,
      context.subscriptions,
    );
    p.onDidDispose(
      () => {
        if (panel === p) panel = undefined;
        shownSvg = undefined;
      },
      undefined,
      context.subscriptions,
    );
    // Fresh data (the tree may not have been shown yet): the host passes it to update().
    void host.refresh();
    return p;
  }

  /** Asks the webview for the export (its theme colours inlined), then writes it. */
  async function exportAs(format: ExportFormat, target?: string): Promise<string | undefined> {
    const p = await show();
    await Promise.race([ready, new Promise((_, reject) => setTimeout(() => reject(new Error('the timeline did not load')), EXPORT_TIMEOUT_MS))]);
    if (!host.inventory()) await host.refresh();
    await render(host.inventory());
    const requestId = randomBytes(8).toString('hex');
    const answer = await new Promise<Exported>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiting.delete(requestId);
        reject(new Error('the timeline did not answer'));
      }, EXPORT_TIMEOUT_MS);
      waiting.set(requestId, (e) => {
        clearTimeout(timer);
        waiting.delete(requestId);
        resolve(e);
      });
      const message: ToWebview = { type: 'export', format, requestId };
      void p.webview.postMessage(message);
    });
    if (answer.error || !answer.data) throw new Error(answer.error ?? 'nothing exported');
    return save(format, answer.data, target);
  }

  context.subscriptions.push(
    vscode.commands.registerCommand(TIMELINE_COMMANDS.show, async () => {
      await show();
    }),
    // From the palette: asks the format and where to save. From a test or another extension: { format, path }.
    vscode.commands.registerCommand(TIMELINE_COMMANDS.export, async (opts?: { format?: string; path?: string }) => {
      let format: ExportFormat | undefined = opts?.format === 'png' || opts?.format === 'svg' ? opts.format : undefined;
      if (!format) {
        const pick = await vscode.window.showQuickPick(
          [
            { label: 'SVG', value: 'svg' as const },
            { label: 'PNG', value: 'png' as const },
          ],
          { title: 'Export the expiry timeline as' },
        );
        format = pick?.value;
      }
      if (!format) return undefined;
      try {
        const file = await exportAs(format, typeof opts?.path === 'string' ? path.resolve(opts.path) : undefined);
        if (file && !opts?.path) saved(file);
        return file;
      } catch (err) {
        failed(`expiry timeline export: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
    }),
  );

  return {
    update: (inv) => void render(inv),
    isOpen: () => !!panel,
    api: { svg: () => shownSvg, isOpen: () => !!panel },
  };
}
