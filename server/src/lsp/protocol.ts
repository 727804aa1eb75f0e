// kube-pki's own messages between the VS Code client and the language server, beside standard LSP.
// Both sides import these names and shapes from here (the client with type-only imports and
// constants), so the wire format is written once.
import type { Position, Range } from 'vscode-languageserver-protocol';

/** Request: the workspace's problem counts, for the status bar. */
export const SUMMARY_REQUEST = 'kubePki/summary';
/** Notification (server -> client) after each round of published diagnostics. */
export const SUMMARY_NOTIFICATION = 'kubePki/summaryChanged';

export interface Summary {
  errors: number;
  warnings: number;
  /** Recognised documents (open buffers and workspace files). */
  files: number;
  /** Recognised documents with at least one error or warning. */
  filesWithProblems: number;
}

/**
 * `initializationOptions.trusted`: false in an untrusted workspace (VS Code Restricted Mode). The server then
 * reads nothing outside the workspace folders and does not generate. Absent (any other client): trusted.
 */
export interface InitializationOptions {
  trusted?: boolean;
  settings?: unknown;
}
/** Notification (client -> server): the user trusted the workspace (VS Code never revokes trust without a reload). */
export const TRUST_NOTIFICATION = 'kubePki/workspaceTrusted';

/** The extension's command; the server advertises another id so VS Code's client does not clash with it. */
export const RECHECK_COMMAND = 'kubePki.recheckWorkspace';
export const SERVER_RECHECK_COMMAND = 'kubePki.server.recheckWorkspace';

/** Request: the full decode of what is at a position, in a selection, or in sent text. */
export const DECODE_REQUEST = 'kubePki/decode';
export const DECODE_COMMAND = 'kubePki.decodeCertificate';

export interface DecodeParams {
  uri: string;
  position?: Position;
  /** A selection: its text is decoded (PEM or base64). */
  range?: Range;
  /** The document's text, for a document the server was not sent (another language, another scheme). */
  text?: string;
}

export type DecodeResponse = { title: string; text: string } | { error: string };

/** Requests of generation: a plan to preview, applying it, and what the workspace implies as defaults. */
export const PLAN_REQUEST = 'kubePki/generate/plan';
export const APPLY_REQUEST = 'kubePki/generate/apply';
export const DEFAULTS_REQUEST = 'kubePki/generate/defaults';
/** The client command a quick fix runs: preview, one confirmation, apply. */
export const APPLY_COMMAND = 'kubePki.generate.apply';

export interface PreviewItem {
  id: string;
  title: string;
  reason: string;
  effect: 'create' | 'replace';
  subject?: string;
  names?: string[];
  issuer?: string;
  validityDays?: number;
  key?: string;
  files: { path: string; kind: string; replace: boolean }[];
}

export interface PlanPreview {
  planId: string;
  items: PreviewItem[];
  skipped: { title: string; reason: string; needsReplace?: boolean }[];
  error?: string;
}

export interface ApplyResult {
  ok: boolean;
  written: { path: string; backup?: string; replaced: boolean; summary: string }[];
  edited: string[];
  notWritten: string[];
  failed: { title: string; reason: string }[];
  error?: string;
}

export interface GenerationDefaults {
  cas: string[];
  servers: string[];
  nodeName?: string;
  advertiseAddress?: string;
  folders: string[];
  missing?: number;
}

/**
 * Request: the workspace's PKI (every certificate, its CA, users, expiry and problems), for the explorer tree
 * and the expiry timeline. The client asks again after each kubePki/summaryChanged.
 */
export const INVENTORY_REQUEST = 'kubePki/inventory';
export type { Inventory, InventoryCertificate, InventoryOrphanKey, InventoryLocation, InventoryProblem } from '../engine/inventory/types';
