// The `kubePki` settings section -> EngineOptions: read from the client per workspace folder (readSettings),
// validated (sanitizeSettings), merged into the engine's one set of options (toEngineOptions); and what
// Restricted Mode changes (readOnlyWithin; RestrictedModeNotes).
import * as path from 'node:path';
import { ConfigurationRequest, type Connection } from 'vscode-languageserver/node';
import { policy } from '../engine';
import type { EngineOptions } from '../engine/types';
import { defaultOptions } from '../engine/types';
import type { Log } from './guard';

export interface WorkspaceFolderInfo {
  name: string;
  uri: string;
  path: string;
}

/** What we read from one folder's `kubePki` section (already validated; missing -> default). */
export interface FolderSettings {
  expiryWarningDays: number;
  rootDir: string;
  pathMappings: Record<string, string>;
  clusterDomain: string;
  /** kubePki.extraSANs: more names for the apiserver's certificate when kube-pki generates or re-issues it. */
  extraSANs: string[];
  /** kubePki.maxFiles: the bound on candidate files a workspace folder's index reads (0: unset). */
  maxFiles: number;
}

export const defaultSettings: FolderSettings = {
  expiryWarningDays: defaultOptions.expiryWarningDays,
  rootDir: '',
  pathMappings: {},
  clusterDomain: defaultOptions.clusterDomain,
  extraSANs: [],
  maxFiles: 0,
};

/** Accepts anything a client may answer (null, a partial object, wrong types) and keeps what is valid. */
export function sanitizeSettings(raw: unknown): FolderSettings {
  const s: FolderSettings = { ...defaultSettings, pathMappings: {}, extraSANs: [] };
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  const days = typeof r.expiryWarningDays === 'string' ? Number(r.expiryWarningDays) : r.expiryWarningDays;
  if (typeof days === 'number' && Number.isFinite(days) && days >= 0) s.expiryWarningDays = days;
  if (typeof r.rootDir === 'string') s.rootDir = r.rootDir.trim();
  const maxFiles = typeof r.maxFiles === 'string' ? Number(r.maxFiles) : r.maxFiles;
  if (typeof maxFiles === 'number' && Number.isSafeInteger(maxFiles) && maxFiles >= 1) s.maxFiles = maxFiles;
  if (typeof r.clusterDomain === 'string' && r.clusterDomain.trim() !== '') {
    s.clusterDomain = r.clusterDomain.trim().replace(/^\.+|\.+$/g, '');
  }
  if (Array.isArray(r.extraSANs)) {
    for (const v of r.extraSANs) if (typeof v === 'string' && v.trim() !== '') s.extraSANs.push(v.trim());
  }
  if (r.pathMappings && typeof r.pathMappings === 'object' && !Array.isArray(r.pathMappings)) {
    for (const [k, v] of Object.entries(r.pathMappings as Record<string, unknown>)) {
      if (typeof v === 'string' && k.trim() !== '' && v.trim() !== '') s.pathMappings[k.trim()] = v.trim();
    }
  }
  return s;
}

/** Expands ${workspaceFolder}, ${workspaceFolder:name}, ${userHome} and a leading ~. */
export function expandVariables(value: string, folder: WorkspaceFolderInfo | undefined, all: WorkspaceFolderInfo[]): string {
  let v = value.replace(/\$\{workspaceFolder:([^}]+)\}/g, (m, name: string) => {
    const f = all.find((x) => x.name === name);
    return f ? f.path : m;
  });
  v = v.replace(/\$\{workspaceFolder\}/g, () => (folder ?? all[0])?.path ?? '${workspaceFolder}');
  v = v.replace(/\$\{workspaceFolderBasename\}/g, () => path.basename((folder ?? all[0])?.path ?? ''));
  const home = process.env.HOME || process.env.USERPROFILE;
  if (home) {
    v = v.replace(/\$\{userHome\}/g, home);
    if (v === '~' || v.startsWith('~/')) v = path.join(home, v.slice(1));
  }
  return v;
}

/** A folder setting made absolute: relative values are taken from the workspace folder. */
function absoluteDir(value: string, folder: WorkspaceFolderInfo | undefined, all: WorkspaceFolderInfo[]): string | undefined {
  const v = expandVariables(value, folder, all);
  if (v === '' || v.includes('${')) return undefined;
  if (path.isAbsolute(v)) return path.normalize(v);
  const base = (folder ?? all[0])?.path;
  return base ? path.resolve(base, v) : undefined;
}

/**
 * The engine holds one set of options, so per-folder settings are merged: scalar settings come from the
 * first folder that has them set, path mappings from every folder (earlier folders win on the same prefix),
 * and every workspace folder is a search root.
 */
export function toEngineOptions(
  perFolder: Array<{ folder: WorkspaceFolderInfo | undefined; settings: FolderSettings }>,
  folders: WorkspaceFolderInfo[],
  trusted = true,
): Partial<EngineOptions> {
  const first = perFolder[0]?.settings ?? defaultSettings;
  const options: Partial<EngineOptions> = {
    expiryWarningDays: first.expiryWarningDays,
    clusterDomain: first.clusterDomain,
    extraSANs: first.extraSANs,
    pathMappings: {},
    searchRoots: folders.map((f) => f.path),
    rootDir: undefined,
    // Restricted Mode: the workspace folders and nothing else (none open: nothing at all).
    readOnlyWithin: trusted ? undefined : folders.map((f) => f.path),
  };
  for (const { folder, settings } of perFolder) {
    if (options.rootDir === undefined && settings.rootDir) options.rootDir = absoluteDir(settings.rootDir, folder, folders);
    for (const [prefix, target] of Object.entries(settings.pathMappings)) {
      const key = expandVariables(prefix, folder, folders);
      const dir = absoluteDir(target, folder, folders);
      if (dir && !(key in options.pathMappings!)) options.pathMappings![key] = dir;
    }
  }
  return options;
}

// ---------------------------------------------------------------- reading them from the client

/** A client that never answers workspace/configuration must not stall the server. */
const CONFIGURATION_TIMEOUT_MS = 5000;

export interface SettingsSource {
  folders: WorkspaceFolderInfo[];
  /** The client answers workspace/configuration (per folder); otherwise `pushed` is used for every folder. */
  configuration: boolean;
  /** The `kubePki` section last pushed by didChangeConfiguration (or sent in initializationOptions). */
  pushed: unknown;
  trusted: boolean;
}

/**
 * The engine options of the workspace's `kubePki` settings, asked of the client (defaults when it does not answer),
 * and kubePki.maxFiles (the first folder's that sets it).
 */
export async function readSettings(
  connection: Connection,
  log: Log,
  source: SettingsSource,
): Promise<{ options: Partial<EngineOptions>; maxFiles: number | undefined }> {
  const { folders } = source;
  let perFolder: Array<{ folder: WorkspaceFolderInfo | undefined; settings: FolderSettings }>;
  const targets: Array<WorkspaceFolderInfo | undefined> = folders.length > 0 ? folders : [undefined];
  if (source.configuration) {
    let answers: unknown[] = [];
    try {
      const request = connection.sendRequest(ConfigurationRequest.type, {
        items: targets.map((f) => (f ? { scopeUri: f.uri, section: 'kubePki' } : { section: 'kubePki' })),
      });
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), CONFIGURATION_TIMEOUT_MS);
      });
      const result = await Promise.race([request, timeout]);
      clearTimeout(timer);
      if (result === null) log.warn('kube-pki: workspace/configuration got no answer; using defaults');
      answers = Array.isArray(result) ? result : [];
    } catch (err) {
      log.error('workspace/configuration', err);
    }
    perFolder = targets.map((folder, i) => ({ folder, settings: sanitizeSettings(answers[i]) }));
  } else {
    const s = source.pushed === undefined ? defaultSettings : sanitizeSettings(source.pushed);
    perFolder = targets.map((folder) => ({ folder, settings: s }));
  }
  const maxFiles = perFolder.find((p) => p.settings.maxFiles > 0)?.settings.maxFiles;
  return { options: toEngineOptions(perFolder, folders, source.trusted), maxFiles };
}

// ---------------------------------------------------------------- Restricted Mode

/**
 * In Restricted Mode (an untrusted workspace) the engine reads nothing outside the workspace folders
 * (`readOnlyWithin`, set by toEngineOptions), nothing is generated (handlers/generation.ts), and a config's
 * rootDir and pathMappings are ignored: said once per config in the log.
 */
export class RestrictedModeNotes {
  private readonly noted = new Set<string>();

  note(configs: policy.PolicyConfig[], log: Log): void {
    for (const c of configs) {
      const ignored = policy.ignoredInRestrictedMode(c.settings);
      if (ignored.length === 0 || this.noted.has(c.file)) continue;
      this.noted.add(c.file);
      log.info(
        `kube-pki: Restricted Mode: ${ignored.join(' and ')} of ${c.file} ${ignored.length > 1 ? 'are' : 'is'} ignored until the workspace is trusted (a repository must not steer what kube-pki reads)`,
      );
    }
  }

  /** The workspace is trusted now: a later Restricted Mode notes again. */
  reset(): void {
    this.noted.clear();
  }
}
