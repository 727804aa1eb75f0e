// The `kubePki` settings section -> EngineOptions.
import * as path from 'node:path';
import type { EngineOptions } from '../engine/types';
import { defaultOptions } from '../engine/types';

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
}

export const defaultSettings: FolderSettings = {
  expiryWarningDays: defaultOptions.expiryWarningDays,
  rootDir: '',
  pathMappings: {},
  clusterDomain: defaultOptions.clusterDomain,
  extraSANs: [],
};

/** Accepts anything a client may answer (null, a partial object, wrong types) and keeps what is valid. */
export function sanitizeSettings(raw: unknown): FolderSettings {
  const s: FolderSettings = { ...defaultSettings, pathMappings: {}, extraSANs: [] };
  if (!raw || typeof raw !== 'object') return s;
  const r = raw as Record<string, unknown>;
  const days = typeof r.expiryWarningDays === 'string' ? Number(r.expiryWarningDays) : r.expiryWarningDays;
  if (typeof days === 'number' && Number.isFinite(days) && days >= 0) s.expiryWarningDays = days;
  if (typeof r.rootDir === 'string') s.rootDir = r.rootDir.trim();
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
