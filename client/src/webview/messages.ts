// The messages between the expiry timeline's page (webview/timeline.ts, in the webview) and the extension
// (timeline.ts, in the extension host), through postMessage. Both sides use these shapes; the extension
// checks what the page sends with fromWebview() (a web page's message is only data until checked).
// Types and one plain function: no vscode, no DOM, no Node.

/** 'all': from the oldest not-before to the last not-after; 'near': about 15 months either side of today. */
export type TimelineRange = 'all' | 'near';

export type ExportFormat = 'svg' | 'png';

/** Extension -> page. */
export type ToWebview =
  /** Show this SVG (classes, no colours: the page's stylesheet maps them to the theme) and summary line. */
  | { type: 'render'; svg: string; summary: string }
  /** Send back the drawing with the theme colours inlined (SVG text, or a PNG data: URL) as `exported`. */
  | { type: 'export'; format: ExportFormat; requestId: string };

/** Page -> extension. */
export type FromWebview =
  /** The page listens: messages posted before this one would have been lost. */
  | { type: 'ready' }
  /** A row was clicked (or Enter/Space on it): open the certificate's referencing line. */
  | { type: 'open'; id: string }
  /** The Refresh button: read the workspace again. */
  | { type: 'refresh' }
  /** The range drop-down changed. */
  | { type: 'range'; value: TimelineRange }
  /** An Export button: ask where to save this data (SVG text or PNG data: URL). */
  | { type: 'save'; format: ExportFormat; data: string }
  /** An Export button failed in the page. */
  | { type: 'error'; message?: string }
  /** The answer to an `export` message. */
  | { type: 'exported'; requestId: string; data?: string; error?: string };

const isFormat = (v: unknown): v is ExportFormat => v === 'svg' || v === 'png';
const optionalString = (v: unknown): v is string | undefined => v === undefined || typeof v === 'string';

/** The page's message when it has one of the FromWebview shapes, else undefined (ignored). */
export function fromWebview(raw: unknown): FromWebview | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'refresh':
      return { type: m.type };
    case 'open':
      return typeof m.id === 'string' ? { type: 'open', id: m.id } : undefined;
    case 'range':
      return m.value === 'all' || m.value === 'near' ? { type: 'range', value: m.value } : undefined;
    case 'save':
      return isFormat(m.format) && typeof m.data === 'string' ? { type: 'save', format: m.format, data: m.data } : undefined;
    case 'error':
      return { type: 'error', message: typeof m.message === 'string' ? m.message : undefined };
    case 'exported':
      return typeof m.requestId === 'string' && optionalString(m.data) && optionalString(m.error)
        ? { type: 'exported', requestId: m.requestId, data: m.data, error: m.error }
        : undefined;
    default:
      return undefined;
  }
}
