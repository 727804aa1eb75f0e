// Policy: what the user asked kube-pki to leave out or rate otherwise (.kube-pki.yaml, inline ignores) and
// baselines. The engine applies the config and the ignores in check(); adapters use the rest.
export { CONFIG_NAMES, isConfigName, parseConfig, type PolicyConfig, type ConfigIssue, type RuleEntry, type RuleLevel } from './config';
export { commandLinePattern, compileGlob, globProblem, type Glob } from './glob';
export { IgnoreEditor, ignoreEdit, removeIgnoreEdit, type TextEdit } from './edits';
export { ignoredInRestrictedMode } from './options';
export { IGNORE, IGNORE_FILE } from './comments';
export { type Exclusion } from './store';
export {
  BASELINE_FORMAT,
  Fingerprinter,
  compareWithBaseline,
  formatBaseline,
  parseBaseline,
  type Baseline,
  type BaselineComparison,
  type BaselineEntry,
  type Fingerprint,
} from './baseline';
