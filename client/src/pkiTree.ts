// The "Kube PKI" view in the Explorer: each CA of the workspace at the root, under it the intermediate
// CAs and the certificates it signed (grouped by node when there are several, and by component), each with
// its role, subject, expiry and problems; certificates whose CA the workspace lacks, and keys without a
// certificate, in their own groups. Built from kubePki/inventory, asked again after each
// kubePki/summaryChanged (extension.ts passes it on). A click opens the config line that references the
// item; the context menu decodes, renews (the existing Renew Certificate command, for this certificate) or
// generates what is missing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  INVENTORY_REQUEST,
  type Inventory,
  type InventoryCertificate,
  type InventoryKeyPair,
  type InventoryLocation,
  type InventoryOrphanKey,
  type InventoryProblem,
  type ProbedEndpointInfo,
  type ProbeFinding,
  type ProbeResult,
} from '../../shared/protocol';
import { certName, expiryBadge, registerTimeline, type TimelineApi } from './timeline';

export const PKI_VIEW = 'kubePki.pkiExplorer';
export const EXPLORER_COMMANDS = {
  refresh: 'kubePki.pkiExplorer.refresh',
  decode: 'kubePki.pkiExplorer.decode',
  renew: 'kubePki.pkiExplorer.renew',
};
const DECODE_COMMAND = 'kubePki.decodeCertificate';
const RENEW_COMMAND = 'kubePki.renewCertificate';
/** Context keys: the view shows where kube-pki runs; the welcome text says why the tree is empty. */
const ACTIVE_KEY = 'kubePki.active';
const STATE_KEY = 'kubePki.inventoryState';
/** Coalesces a burst of summaries (one per publish round) into one inventory request. */
const REFRESH_DELAY_MS = 250;

export type PkiNode =
  | { kind: 'ca'; cert: InventoryCertificate; children: PkiNode[] }
  | { kind: 'cert'; cert: InventoryCertificate }
  | { kind: 'group'; id: string; label: string; description?: string; tooltip?: string; icon: string; children: PkiNode[] }
  | { kind: 'key'; key: InventoryOrphanKey }
  | { kind: 'keyPair'; pair: InventoryKeyPair }
  /** What Probe Live Endpoints found at one address (the "Live endpoints" group). */
  | { kind: 'endpoint'; endpoint: ProbedEndpointInfo; findings: ProbeFinding[] };

// ------------------------------------------------------------------------------------------ wording

export function subjectLine(c: InventoryCertificate): string {
  const parts = [c.commonName ? `CN=${c.commonName}` : '', ...c.organizations.map((o) => `O=${o}`)].filter(Boolean);
  return parts.length ? parts.join(', ') : c.subject;
}

const worst = (ps: InventoryProblem[]) =>
  ps.some((p) => p.severity === 'error') ? 'error' : ps.some((p) => p.severity === 'warning') ? 'warning' : undefined;

function statusLevel(c: InventoryCertificate): 'error' | 'warning' | undefined {
  const p = worst(c.problems);
  if (p === 'error' || c.status === 'expired' || c.status === 'not-yet-valid') return 'error';
  if (p === 'warning' || c.status === 'expiring') return 'warning';
  return undefined;
}

function icon(c: InventoryCertificate, ok: string): vscode.ThemeIcon {
  const level = statusLevel(c);
  if (level === 'error') return new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
  if (level === 'warning') return new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'));
  return new vscode.ThemeIcon(ok, new vscode.ThemeColor('testing.iconPassed'));
}

/** Markdown-escapes text from a certificate or a path (no link, no HTML, no emphasis). */
function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$&]/g, (ch) => `\\${ch}`);
}

const date = (iso: string) =>
  iso
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', ' ')
    .replace(/:\d\dZ$/, ' UTC');

function rel(file: string): string {
  return vscode.workspace.asRelativePath(file, true);
}

function where(l: InventoryLocation): string {
  return `${rel(l.file)}:${l.range.start.line + 1} (${l.field})`;
}

/** ' · cert-expired, …': the codes of its problems, each once (empty when none). */
function problemCodes(c: InventoryCertificate): string {
  return c.problems.length ? ` · ${[...new Set(c.problems.map((p) => p.code))].join(', ')}` : '';
}

function problemLines(ps: InventoryProblem[]): string[] {
  return ps.map(
    (p) => `- ${p.severity === 'error' ? '$(error)' : p.severity === 'warning' ? '$(warning)' : '$(info)'} **${md(p.code)}**: ${md(p.message)}`,
  );
}

export function certTooltip(c: InventoryCertificate, now: Date): vscode.MarkdownString {
  const lines: string[] = [];
  lines.push(`**${md(c.role ?? certName(c))}**${c.isCA ? ' (CA)' : ''}`, '');
  lines.push(`- Subject: ${md(c.subject || '(empty)')}`);
  lines.push(`- Issuer: ${md(c.issuer || '(empty)')}${c.selfSigned ? ' (self-signed)' : c.issuerId ? '' : ' (not in the workspace)'}`);
  lines.push(`- Valid: ${md(date(c.notBefore))} to ${md(date(c.notAfter))} (${md(expiryBadge(c, now))})`);
  if (c.sans.length) lines.push(`- SANs: ${md(c.sans.join(', '))}`);
  lines.push(`- Key: ${md(c.keyAlgorithm)}${c.keyFile ? `, private key in ${md(rel(c.keyFile))}` : ''}`);
  if (c.isCA) lines.push(`- Externally managed: ${c.externallyManaged ? 'yes (its private key is not in the workspace)' : 'no'}`);
  if (c.files.length) lines.push(`- Files: ${c.files.map((f) => md(rel(f))).join(', ')}`);
  if (c.references.length)
    lines.push(
      `- Used by: ${c.references
        .slice(0, 8)
        .map((r) => md(where(r)))
        .join(', ')}${c.references.length > 8 ? `, and ${c.references.length - 8} more` : ''}`,
    );
  if (c.problems.length) lines.push('', ...problemLines(c.problems));
  const m = new vscode.MarkdownString(lines.join('\n'), true);
  m.isTrusted = false;
  return m;
}

// ------------------------------------------------------------------------------------------ the model

/** Groups the inventory as the tree shows it. */
export function buildTree(inv: Inventory): PkiNode[] {
  const byId = new Map(inv.certificates.map((c) => [c.id, c]));
  const isRoot = (c: InventoryCertificate) => c.isCA && (c.selfSigned || !c.issuerId || c.issuerId === c.id || !byId.get(c.issuerId)?.isCA);
  const signed = new Map<string, InventoryCertificate[]>();
  const orphans: InventoryCertificate[] = [];
  // A leaf that signs itself (the kubelet's serving certificate when it makes its own) has no CA to look for:
  // it is "self-signed", as `kube-pki expiration` says, not a certificate whose CA is missing.
  const selfSigned: InventoryCertificate[] = [];
  for (const c of inv.certificates) {
    if (isRoot(c)) continue;
    if (c.selfSigned) {
      selfSigned.push(c);
      continue;
    }
    const issuer = c.issuerId ? byId.get(c.issuerId) : undefined;
    if (issuer?.isCA && c.issuerId !== c.id) {
      const list = signed.get(issuer.id) ?? [];
      list.push(c);
      signed.set(issuer.id, list);
    } else {
      orphans.push(c);
    }
  }
  const byName = (a: InventoryCertificate, b: InventoryCertificate) => certName(a).localeCompare(certName(b)) || a.notAfter.localeCompare(b.notAfter);
  const seen = new Set<string>();
  const caNode = (ca: InventoryCertificate): PkiNode => {
    seen.add(ca.id);
    const below = signed.get(ca.id) ?? [];
    const subCas = below
      .filter((c) => c.isCA && !seen.has(c.id))
      .sort(byName)
      .map(caNode);
    return {
      kind: 'ca',
      cert: ca,
      children: [
        ...subCas,
        ...grouped(
          below.filter((c) => !c.isCA),
          `ca:${ca.id}`,
        ),
      ],
    };
  };
  const roots: PkiNode[] = inv.certificates.filter(isRoot).sort(byName).map(caNode);
  // A CA chain that loops (cross-signed) has no root above: show each such CA at the root too.
  for (const c of inv.certificates) if (c.isCA && !seen.has(c.id)) roots.push(caNode(c));
  if (orphans.length) {
    roots.push({
      kind: 'group',
      id: 'no-ca',
      label: 'No CA in the workspace',
      description: `${orphans.length}`,
      tooltip: 'Certificates whose issuing CA is not in the workspace (or whose signature no CA here verifies).',
      icon: 'question',
      children: grouped(orphans, 'no-ca'),
    });
  }
  if (selfSigned.length) {
    roots.push({
      kind: 'group',
      id: 'self-signed',
      label: 'Self-signed',
      description: `${selfSigned.length}`,
      tooltip: 'Certificates signed by their own key (no CA): a client trusts one only by holding the certificate itself.',
      icon: 'verified',
      children: grouped(selfSigned, 'self-signed'),
    });
  }
  const pairs = inv.keyPairs ?? [];
  if (pairs.length) {
    roots.push({
      kind: 'group',
      id: 'key-pairs',
      label: 'Key pairs',
      description: `${pairs.length}`,
      tooltip: 'Private keys with their public key beside them and no certificate: the service-account pair (sa.key / sa.pub).',
      icon: 'key',
      children: [...pairs].sort((a, b) => a.keyFile.localeCompare(b.keyFile)).map((pair) => ({ kind: 'keyPair' as const, pair })),
    });
  }
  if (inv.orphanKeys.length) {
    roots.push({
      kind: 'group',
      id: 'keys',
      label: 'Keys without certificates',
      description: `${inv.orphanKeys.length}`,
      tooltip: 'Private keys no certificate of the workspace matches.',
      icon: 'key',
      children: [...inv.orphanKeys].sort((a, b) => a.file.localeCompare(b.file)).map((key) => ({ kind: 'key' as const, key })),
    });
  }
  return roots;
}

/** Node and component names in order, the unnamed ('') last. */
const namedFirst = (a: string, b: string) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b));

/** Leaves under a CA: by node (when there are several), then by component (a component with one certificate is not a group). */
function grouped(certs: InventoryCertificate[], scope: string): PkiNode[] {
  const nodes = [...new Set(certs.map((c) => c.node ?? ''))];
  if (nodes.length > 1) {
    return nodes.sort(namedFirst).map((n) => {
      const mine = certs.filter((c) => (c.node ?? '') === n);
      // The inventory names a node by its folder relative to the workspace ('cp1/etc/kubernetes').
      return {
        kind: 'group' as const,
        id: `${scope}/node:${n}`,
        label: n || 'no node',
        description: `${mine.length}`,
        icon: 'server',
        children: byComponent(mine, `${scope}/node:${n}`),
      };
    });
  }
  return byComponent(certs, scope);
}

function byComponent(certs: InventoryCertificate[], scope: string): PkiNode[] {
  const comps = new Map<string, InventoryCertificate[]>();
  for (const c of certs) {
    const k = c.component ?? '';
    comps.set(k, [...(comps.get(k) ?? []), c]);
  }
  const out: PkiNode[] = [];
  const order = [...comps.keys()].sort(namedFirst);
  const leafOrder = (a: InventoryCertificate, b: InventoryCertificate) =>
    (a.role ?? certName(a)).localeCompare(b.role ?? certName(b)) || a.notAfter.localeCompare(b.notAfter);
  for (const k of order) {
    const list = comps.get(k)!.sort(leafOrder);
    if (k && list.length > 1)
      out.push({
        kind: 'group',
        id: `${scope}/component:${k}`,
        label: k,
        description: `${list.length}`,
        icon: 'symbol-class',
        children: list.map((cert) => ({ kind: 'cert' as const, cert })),
      });
    else out.push(...list.map((cert) => ({ kind: 'cert' as const, cert })));
  }
  return out;
}

// ------------------------------------------------------------------------------------------ the view

/** The document a reference is in: its URI when the server gave one (an untitled buffer has no file). */
export function documentOf(ref: InventoryLocation): vscode.Uri {
  return ref.uri ? vscode.Uri.parse(ref.uri) : vscode.Uri.file(ref.file);
}

/** Where a click takes the user: the first config line that references it, else its file. */
export function locationOf(refs: InventoryLocation[], files: string[]): { uri: vscode.Uri; range?: vscode.Range } | undefined {
  const r = refs[0];
  if (r) return { uri: documentOf(r), range: new vscode.Range(r.range.start.line, r.range.start.character, r.range.end.line, r.range.end.character) };
  if (files[0]) return { uri: vscode.Uri.file(files[0]) };
  return undefined;
}

/** The certificate of a CA or certificate item, that a context-menu command acts on; for anything else, undefined and a word to the user. */
function pickedCert(node: PkiNode | undefined, verb: string): InventoryCertificate | undefined {
  if (node?.kind === 'ca' || node?.kind === 'cert') return node.cert;
  void vscode.window.showInformationMessage(`Kube PKI: pick a certificate in the Kube PKI view to ${verb}.`);
  return undefined;
}

function openCommand(refs: InventoryLocation[], files: string[]): vscode.Command | undefined {
  const to = locationOf(refs, files);
  if (!to) return undefined;
  return { title: 'Open', command: 'vscode.open', arguments: [to.uri, to.range ? { selection: to.range, preview: true } : { preview: true }] };
}

export class PkiTreeProvider implements vscode.TreeDataProvider<PkiNode> {
  private readonly changed = new vscode.EventEmitter<PkiNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  roots: PkiNode[] = [];
  inventory: Inventory | undefined;
  /** The last Probe Live Endpoints result: shown first, until the next probe replaces it. */
  live: ProbeResult | undefined;

  set(inv: Inventory | undefined): void {
    this.inventory = inv;
    this.roots = [...liveGroup(this.live), ...(inv ? buildTree(inv) : [])];
    this.changed.fire(undefined);
  }

  setLive(result: ProbeResult): void {
    this.live = result;
    this.set(this.inventory);
  }

  getChildren(node?: PkiNode): PkiNode[] {
    if (!node) return this.roots;
    return node.kind === 'ca' || node.kind === 'group' ? node.children : [];
  }

  getTreeItem(node: PkiNode): vscode.TreeItem {
    const now = this.inventory ? new Date(this.inventory.now) : new Date();
    switch (node.kind) {
      case 'ca': {
        const c = node.cert;
        const item = new vscode.TreeItem(certName(c), vscode.TreeItemCollapsibleState.Expanded);
        item.id = `ca:${c.id}`;
        item.description = `${expiryBadge(c, now)}${c.externallyManaged ? ' · external' : ''}${problemCodes(c)}`;
        item.tooltip = certTooltip(c, now);
        item.iconPath = icon(c, 'workspace-trusted');
        item.contextValue = c.externallyManaged ? 'kubePki.caExternal' : 'kubePki.ca';
        item.command = openCommand(c.references, c.files);
        return item;
      }
      case 'cert': {
        const c = node.cert;
        const item = new vscode.TreeItem(c.role ?? certName(c), vscode.TreeItemCollapsibleState.None);
        item.id = `${c.issuerId ?? 'no-ca'}/cert:${c.id}`;
        item.description = `${subjectLine(c)} · ${expiryBadge(c, now)}${problemCodes(c)}`;
        item.tooltip = certTooltip(c, now);
        item.iconPath = icon(c, 'pass');
        item.contextValue = 'kubePki.cert';
        item.command = openCommand(c.references, c.files);
        return item;
      }
      case 'group': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `group:${node.id}`;
        item.description = node.description;
        item.tooltip = node.tooltip;
        item.iconPath = new vscode.ThemeIcon(node.icon);
        item.contextValue = 'kubePki.group';
        return item;
      }
      case 'key': {
        const k = node.key;
        const item = new vscode.TreeItem(path.basename(k.file), vscode.TreeItemCollapsibleState.None);
        item.id = `key:${k.file}`;
        item.description = `${k.keyAlgorithm} · ${rel(path.dirname(k.file))}`;
        const lines = [`**Private key without a certificate**`, '', `- File: ${md(rel(k.file))}`, `- Key: ${md(k.keyAlgorithm)}`];
        if (k.references.length) lines.push(`- Used by: ${k.references.map((r) => md(where(r))).join(', ')}`);
        item.tooltip = new vscode.MarkdownString(lines.join('\n'));
        item.iconPath = new vscode.ThemeIcon('key', new vscode.ThemeColor('list.warningForeground'));
        item.contextValue = 'kubePki.orphanKey';
        item.command = openCommand(k.references, [k.file]);
        return item;
      }
      case 'keyPair': {
        const k = node.pair;
        const item = new vscode.TreeItem(`${path.basename(k.keyFile)} / ${path.basename(k.publicKeyFile)}`, vscode.TreeItemCollapsibleState.None);
        item.id = `keyPair:${k.keyFile}`;
        const codes = [...new Set(k.problems.map((p) => p.code))];
        const verdict = k.matches === false && !codes.includes('key-mismatch') ? ['the public key is not the private key’s'] : [];
        item.description = [k.keyAlgorithm, rel(path.dirname(k.keyFile)), ...codes, ...verdict].join(' · ');
        const lines = [
          `**Key pair** (no certificate)`,
          '',
          `- Private key: ${md(rel(k.keyFile))} (${md(k.keyAlgorithm)})`,
          `- Public key: ${md(rel(k.publicKeyFile))}`,
          `- ${k.matches === undefined ? 'Whether they match cannot be told (an encrypted key)' : k.matches ? 'They match' : 'They do **not** match'}`,
        ];
        if (k.references.length) lines.push(`- Used by: ${k.references.map((r) => md(where(r))).join(', ')}`);
        if (k.problems.length) lines.push('', ...problemLines(k.problems));
        const m = new vscode.MarkdownString(lines.join('\n'));
        m.isTrusted = false;
        item.tooltip = m;
        const level = worst(k.problems) ?? (k.matches === false ? 'error' : undefined);
        item.iconPath =
          level === 'error'
            ? new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'))
            : level === 'warning'
              ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
              : new vscode.ThemeIcon('key');
        item.contextValue = 'kubePki.keyPair';
        item.command = openCommand(k.references, [k.keyFile]);
        return item;
      }
      case 'endpoint':
        return endpointItem(node);
    }
  }

  dispose(): void {
    this.changed.dispose();
  }
}

// ------------------------------------------------------------------------------------------ live endpoints

/** The "Live endpoints" group of a probe: one item per address dialled. */
export function liveGroup(result: ProbeResult | undefined): PkiNode[] {
  if (!result) return [];
  const served = result.endpoints.filter((e) => e.outcome.kind === 'served').length;
  const unreachable = result.endpoints.length - served;
  const at = new Date(result.at);
  const time = Number.isNaN(at.getTime()) ? result.at : at.toLocaleTimeString();
  const children: PkiNode[] = result.endpoints.map((endpoint) => ({
    kind: 'endpoint',
    endpoint,
    findings: result.findings.filter((f) => endpoint.names.some((n) => n.file === f.file && n.range.start.line === f.range.start.line)),
  }));
  return [
    {
      kind: 'group',
      id: 'live-endpoints',
      label: 'Live endpoints',
      description: `probed ${time} · ${served} served${unreachable ? `, ${unreachable} unreachable` : ''}`,
      tooltip: 'What the endpoints the workspace names serve, from the last Kube PKI: Probe Live Endpoints (a TLS handshake each)',
      icon: 'plug',
      children,
    },
  ];
}

function endpointItem(node: Extract<PkiNode, { kind: 'endpoint' }>): vscode.TreeItem {
  const e = node.endpoint;
  const item = new vscode.TreeItem(e.address, vscode.TreeItemCollapsibleState.None);
  item.id = `endpoint:${e.address}`;
  const codes = [...new Set(node.findings.map((f) => f.code))];
  const o = e.outcome;
  const what =
    o.kind === 'served'
      ? `CN ${o.subject.replace(/^CN=/, '')} · not after ${date(o.notAfter)}${o.matchesFile === true ? ' · the file’s certificate' : ''}`
      : `unreachable (${o.reason})`;
  item.description = [e.role, what, ...codes].join(' · ');
  const lines = [`**${md(e.address)}** (${md(e.role)})`, ''];
  if (o.kind === 'served') {
    lines.push(`- Serves: ${md(o.subject)}, issued by ${md(o.issuer)}`, `- Serial: ${md(o.serial)}`, `- Not after: ${md(date(o.notAfter))}`);
    if (o.matchesFile !== undefined)
      lines.push(
        `- ${o.matchesFile ? 'The certificate of the file configured to serve it' : '**Not** the certificate of the file configured to serve it'}`,
      );
  } else lines.push(`- Unreachable: ${md(o.detail)}`);
  lines.push(`- Named by: ${e.names.map((n) => md(`${rel(n.file)}:${n.range.start.line + 1} (${n.field})`)).join(', ')}`);
  if (node.findings.length) lines.push('', ...problemLines(node.findings.map((f) => ({ ...f }))));
  const m = new vscode.MarkdownString(lines.join('\n'), true);
  m.isTrusted = false;
  item.tooltip = m;
  const level = worst(node.findings as InventoryProblem[]);
  item.iconPath =
    level === 'error'
      ? new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'))
      : level === 'warning'
        ? new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground'))
        : o.kind === 'unreachable'
          ? new vscode.ThemeIcon('debug-disconnect')
          : new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed'));
  item.contextValue = 'kubePki.endpoint';
  const at = e.names[0];
  if (at)
    item.command = {
      title: 'Open',
      command: 'vscode.open',
      arguments: [
        at.uri ? vscode.Uri.parse(at.uri) : vscode.Uri.file(at.file),
        { selection: new vscode.Range(at.range.start.line, at.range.start.character, at.range.end.line, at.range.end.character), preview: true },
      ],
    };
  return item;
}

// ------------------------------------------------------------------------------------------ the API

/** A tree item as a person sees it (for the extension-host tests). */
export interface ShownItem {
  label: string;
  description?: string;
  tooltip?: string;
  icon?: string;
  iconColor?: string;
  contextValue?: string;
  command?: { command: string; arguments?: unknown[] };
  node: PkiNode;
  children: ShownItem[];
}

export interface PkiExplorerApi {
  /** The tree as rendered now (labels, descriptions, tooltips, icons), every level expanded. */
  snapshot(): ShownItem[];
  /** Asks the server again and waits for the new tree. */
  refresh(): Promise<void>;
  /** The inventory the tree shows. */
  inventory(): Inventory | undefined;
  /** To be called on each kubePki/summaryChanged: the view (when visible) and the timeline (when open) read the PKI again. */
  summaryChanged(): void;
  /** Shows a probe's result as the "Live endpoints" group (Probe Live Endpoints). */
  showLive(result: ProbeResult): void;
  timeline: TimelineApi;
}

function shown(provider: PkiTreeProvider, node: PkiNode): ShownItem {
  const item = provider.getTreeItem(node);
  const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  const tooltip = item.tooltip instanceof vscode.MarkdownString ? item.tooltip.value : item.tooltip;
  const ic = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath : undefined;
  return {
    label,
    description: typeof item.description === 'string' ? item.description : undefined,
    tooltip,
    icon: ic?.id,
    iconColor: (ic?.color as { id?: string } | undefined)?.id,
    contextValue: item.contextValue,
    command: item.command ? { command: item.command.command, arguments: item.command.arguments } : undefined,
    node,
    children: provider.getChildren(node).map((n) => shown(provider, n)),
  };
}

export function registerPkiExplorer(
  context: vscode.ExtensionContext,
  getClient: () => LanguageClient | undefined,
  output: vscode.LogOutputChannel,
): PkiExplorerApi {
  const provider = new PkiTreeProvider();
  const view = vscode.window.createTreeView(PKI_VIEW, { treeDataProvider: provider, showCollapseAll: true });
  context.subscriptions.push(provider, view);
  void vscode.commands.executeCommand('setContext', ACTIVE_KEY, true);
  let state = '';
  const setState = (s: 'loading' | 'empty' | 'error' | 'ready') => {
    if (s === state) return;
    state = s;
    void vscode.commands.executeCommand('setContext', STATE_KEY, s);
  };
  setState('loading');

  let stale = true;
  let running: Promise<void> | undefined;
  let queued: Promise<void> | undefined;

  async function load(): Promise<void> {
    const c = getClient();
    if (!c || !c.isRunning()) return;
    try {
      const inv = await c.sendRequest<Inventory>(INVENTORY_REQUEST);
      if (!inv || !Array.isArray(inv.certificates)) throw new Error('no inventory in the answer');
      provider.set(inv);
      setState(inv.certificates.length || inv.orphanKeys.length || inv.keyPairs?.length ? 'ready' : 'empty');
      view.message = undefined;
      timeline.update(inv);
    } catch (err) {
      output.error(`kubePki/inventory failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!provider.inventory) setState('error');
      else view.message = 'The PKI could not be read again; it shows the last known state (see the output).';
    }
    stale = false;
  }

  /** One request at a time; refreshes asked for meanwhile share one more run after it. */
  function refresh(): Promise<void> {
    if (running) {
      queued ??= running.then(() => {
        queued = undefined;
        return refresh();
      });
      return queued;
    }
    running = load().finally(() => {
      running = undefined;
    });
    return running;
  }

  const needed = () => view.visible || timeline.isOpen();
  let timer: NodeJS.Timeout | undefined;
  function scheduleRefresh(): void {
    stale = true;
    if (!needed() || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      void refresh();
    }, REFRESH_DELAY_MS);
  }

  // A restarted server: read again once it runs. (attach() again on each refresh, in case the client is replaced.)
  let attached: LanguageClient | undefined;
  let subscriptions: vscode.Disposable[] = [];
  function attach(): void {
    const c = getClient();
    if (!c || c === attached) return;
    for (const d of subscriptions) d.dispose();
    attached = c;
    // kubePki/summaryChanged comes through summaryChanged() below: the client keeps one handler per
    // notification, and extension.ts's (the status bar) calls it.
    subscriptions = [
      c.onDidChangeState(() => {
        if (c.isRunning()) scheduleRefresh();
      }),
    ];
    if (c.isRunning()) scheduleRefresh();
  }
  context.subscriptions.push({
    dispose: () => {
      if (timer) clearTimeout(timer);
      for (const d of subscriptions) d.dispose();
    },
  });
  /** Asked for by a person, a test or the timeline: now, whether or not the view is visible. */
  async function reload(): Promise<void> {
    attach();
    await refresh();
  }

  const timeline = registerTimeline(context, {
    inventory: () => provider.inventory,
    refresh: reload,
    open: (id) => {
      const c = provider.inventory?.certificates.find((x) => x.id === id);
      const cmd = c ? openCommand(c.references, c.files) : undefined;
      if (cmd) void vscode.commands.executeCommand(cmd.command, ...(cmd.arguments ?? []));
    },
    output,
  });

  attach();

  context.subscriptions.push(
    view.onDidChangeVisibility((e) => {
      if (e.visible && stale) void reload();
    }),
    vscode.commands.registerCommand(EXPLORER_COMMANDS.refresh, reload),
    vscode.commands.registerCommand(EXPLORER_COMMANDS.decode, async (node?: PkiNode) => {
      const target = pickedCert(node, 'decode');
      if (!target) return undefined;
      // The reference (the decode then says the role and the findings on that line), else the file itself.
      const ref = target.references[0];
      if (ref) {
        const { start, end } = ref.range;
        const character = start.line === end.line ? Math.floor((start.character + end.character) / 2) : start.character;
        return vscode.commands.executeCommand(DECODE_COMMAND, documentOf(ref), new vscode.Position(start.line, character));
      }
      if (target.files[0]) return vscode.commands.executeCommand(DECODE_COMMAND, vscode.Uri.file(target.files[0]), new vscode.Position(0, 0));
      void vscode.window.showInformationMessage('Kube PKI: this certificate is in no file to decode it from.');
      return undefined;
    }),
    // Renew this certificate: the Renew Certificate command (plan, preview, one confirmation), for its files.
    vscode.commands.registerCommand(EXPLORER_COMMANDS.renew, async (node?: PkiNode, opts?: { confirm?: boolean }) => {
      const target = pickedCert(node, 'renew');
      if (!target) return undefined;
      const paths = target.files.length ? target.files : [...new Set(target.references.map((r) => r.file))];
      return vscode.commands.executeCommand(RENEW_COMMAND, { paths, ...(opts?.confirm === false ? { confirm: false } : {}) });
    }),
  );

  return {
    snapshot: () => provider.getChildren().map((n) => shown(provider, n)),
    refresh: reload,
    inventory: () => provider.inventory,
    summaryChanged: () => scheduleRefresh(),
    showLive: (result) => {
      provider.setLive(result);
      if (provider.roots.length) setState('ready');
      void vscode.commands.executeCommand(`${PKI_VIEW}.focus`).then(undefined, () => undefined);
    },
    timeline: timeline.api,
  };
}
