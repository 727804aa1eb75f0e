// The expiry timeline's page script, run in the webview (a browser page: DOM, no vscode, no Node). esbuild
// bundles it with its stylesheet into dist/webview/timeline.{js,css}; the extension (../timeline.ts) loads
// both by URI under its Content-Security-Policy. The page shows the SVG the extension draws, sends clicks
// back (open the certificate's referencing line), the range and Refresh, and makes the exports: the theme
// colours it computed inlined into the SVG, or the SVG drawn into a canvas (PNG). Messages: ./messages.ts.
import type { ExportFormat, FromWebview, TimelineRange, ToWebview } from './messages';
import './timeline.css';

/** What VS Code gives a webview page to talk to its extension (once per page). */
interface VsCodeApi {
  postMessage(message: FromWebview): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const post = (message: FromWebview) => vscode.postMessage(message);
const chart = document.getElementById('chart') as HTMLElement;
const summary = document.getElementById('summary') as HTMLElement;

/** The styles an export inlines as attributes (the file is read without VS Code's stylesheet). */
const PROPS = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'opacity', 'font-family', 'font-size', 'font-weight'];

const errorText = (err: unknown): string =>
  String((err && typeof err === 'object' && 'message' in err && (err as { message: unknown }).message) || err);

/** The SVG as shown, the theme's colours inlined and its background filled in, as an XML file's text. */
function svgText(): string {
  const svg = chart.querySelector('svg');
  if (!svg) throw new Error('nothing drawn yet');
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const src: Element[] = [svg, ...svg.querySelectorAll('*')];
  const dst: Element[] = [clone, ...clone.querySelectorAll('*')];
  src.forEach((el, i) => {
    const cs = getComputedStyle(el);
    for (const p of PROPS) {
      const v = cs.getPropertyValue(p);
      if (v && v !== 'normal') dst[i].setAttribute(p, v.trim());
    }
    if (dst[i].classList && dst[i].classList.contains('hit')) dst[i].setAttribute('fill', 'none');
  });
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('class', 'background');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', getComputedStyle(document.body).backgroundColor);
  const title = clone.querySelector('title');
  clone.insertBefore(bg, title ? title.nextSibling : clone.firstChild);
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + new XMLSerializer().serializeToString(clone);
}

/** The SVG drawn at twice its size into a canvas, as a PNG data: URL. */
function pngDataUrl(): Promise<string> {
  const text = svgText();
  const svg = chart.querySelector('svg') as SVGSVGElement;
  const w = Number(svg.getAttribute('width'));
  const h = Number(svg.getAttribute('height'));
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => {
      const scale = 2;
      const canvas = document.createElement('canvas');
      canvas.width = w * scale;
      canvas.height = h * scale;
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      ctx.scale(scale, scale);
      ctx.drawImage(img, 0, 0, w, h);
      resolve(canvas.toDataURL('image/png'));
    };
    img.onerror = () => reject(new Error('the SVG did not load as an image'));
    img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(text);
  });
}

async function exportData(format: ExportFormat): Promise<string> {
  return format === 'png' ? pngDataUrl() : svgText();
}

/** Opens the certificate of the row the event is in; false when it is in none. */
function openRow(e: Event): boolean {
  const target = e.target as Element | null;
  const row = target && typeof target.closest === 'function' ? target.closest('[data-id]') : null;
  if (row) post({ type: 'open', id: row.getAttribute('data-id') ?? '' });
  return !!row;
}

chart.addEventListener('click', openRow);
chart.addEventListener('keydown', (e) => {
  if ((e.key === 'Enter' || e.key === ' ') && openRow(e)) e.preventDefault();
});
for (const b of document.querySelectorAll<HTMLButtonElement>('button[data-export]')) {
  b.addEventListener('click', async () => {
    const format = b.getAttribute('data-export') as ExportFormat;
    try {
      post({ type: 'save', format, data: await exportData(format) });
    } catch (err) {
      post({ type: 'error', message: errorText(err) });
    }
  });
}
document.getElementById('refresh')?.addEventListener('click', () => post({ type: 'refresh' }));
document
  .getElementById('range')
  ?.addEventListener('change', (e) => post({ type: 'range', value: (e.target as HTMLSelectElement).value as TimelineRange }));

window.addEventListener('message', async (e: MessageEvent<ToWebview | undefined>) => {
  const m = e.data;
  if (m?.type === 'render') {
    chart.innerHTML = m.svg;
    summary.textContent = m.summary;
  } else if (m?.type === 'export') {
    try {
      post({ type: 'exported', requestId: m.requestId, data: await exportData(m.format) });
    } catch (err) {
      post({ type: 'exported', requestId: m.requestId, error: errorText(err) });
    }
  }
});

post({ type: 'ready' });
