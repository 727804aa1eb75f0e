// The analysis engine's public face. Adapters (the language server, the CLI, tests, the
// benchmark) import only from here. Nothing below imports vscode or the LSP libraries.
export * from './types';
export { codes, isIgnorable, type Code, type CodeInfo } from './codes';
export { Engine, type UnplacedReference } from './workspace/engine';
export { discoverFiles, discoverSteps, isCandidateName, isJsonCandidate, SKIP_DIRS, type DiscoverOptions } from './workspace/discover';
export { DEFAULT_MAX_FILES, excludesFileOf, GitIgnores, MAX_WALK_DEPTH, mergeReports, walkFiles, walkSteps, type WalkReport } from './workspace/walk';
export { nodeFileSystem, overlayFileSystem } from './fs/nodeFileSystem';
export { ParallelReader, PARALLEL_MIN_FILES, type ParallelRead } from './workspace/parallelRead';
export { isBelow, isWithin } from './fs/confined';
export { parseFile, parseBlockYaml } from './parse';
export * as pki from './pki';
export * as generate from './generate';
export * as decode from './decode';
export * as policy from './policy';
export { hoverAt, decodeAt, codeLenses, documentLinks, documentSymbols, foldingRanges, isPemDocument } from './features';
export type { HoverInfo, LensInfo, LinkInfo, SymbolInfo, SymbolKindName, FoldInfo, DecodeResult } from './features';
export { verifications, type Verification } from './cluster/catalog';
export { ADMIN_GROUP_NOTES, CLUSTER_ADMINS_GROUP, PRIVILEGED_GROUP } from './cluster/adminGroup';
export { isRotatedKubeletClient, kubeletRotationAdvice } from './cluster/kubeletRotation';
export { buildInventory, kubeadmExpiryTime, shortHumanDuration, type InventoryOptions } from './inventory';
export * as probe from './probe';
