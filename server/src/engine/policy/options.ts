// The options the files below a config are judged with: the config's settings over the engine's (VS Code
// settings, defaults), except those the engine holds pinned (the CLI's flags win over a config file). In
// Restricted Mode (readOnlyWithin) a config's rootDir and pathMappings are ignored: a repository must not steer
// kube-pki's reads before it is trusted.
import type { ConfigurableSetting, EngineOptions } from '../types';
import type { ConfigSettings } from './config';

export function mergeOptions(base: EngineOptions, settings: ConfigSettings): EngineOptions {
  const pinned = new Set<ConfigurableSetting>(base.pinned ?? []);
  const restricted = base.readOnlyWithin !== undefined;
  const out: EngineOptions = { ...base };
  if (settings.expiryWarningDays !== undefined && !pinned.has('expiryWarningDays')) out.expiryWarningDays = settings.expiryWarningDays;
  if (settings.clusterDomain !== undefined && !pinned.has('clusterDomain')) out.clusterDomain = settings.clusterDomain;
  if (settings.extraSANs !== undefined && !pinned.has('extraSANs')) out.extraSANs = settings.extraSANs;
  if (!restricted) {
    if (settings.rootDir !== undefined && !pinned.has('rootDir')) out.rootDir = settings.rootDir;
    if (settings.pathMappings !== undefined) {
      // Per prefix: the command line's mapping wins over the config's, the config's over a VS Code setting's.
      out.pathMappings = pinned.has('pathMappings')
        ? { ...settings.pathMappings, ...base.pathMappings }
        : { ...base.pathMappings, ...settings.pathMappings };
    }
  }
  return out;
}

/** The path settings of a config that Restricted Mode ignores. */
export function ignoredInRestrictedMode(settings: ConfigSettings): Array<'rootDir' | 'pathMappings'> {
  const out: Array<'rootDir' | 'pathMappings'> = [];
  if (settings.rootDir !== undefined) out.push('rootDir');
  if (settings.pathMappings !== undefined) out.push('pathMappings');
  return out;
}
