// Command-line parsing for `kube-pki`. No dependency: the grammar is small and errors must be exact.

export type Format = 'text' | 'json' | 'sarif' | 'github' | 'gitlab';

export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'github', 'gitlab'];

export interface CheckArgs extends TreeArgs {
  command: 'check';
  format: Format;
  color: boolean | undefined; // undefined: decide from the terminal
  /** Report only the findings this baseline file does not hold. */
  baseline?: string;
  /** Record today's findings in this file instead of reporting them. */
  writeBaseline?: string;
  /** The files given are the ones that changed (a pre-commit hook): report their findings and those of what depends on them. */
  changed?: boolean;
}

export type ParsedArgs = CheckArgs | { command: 'help'; of?: 'check' } | { command: 'version' };

export class UsageError extends Error {}

/** The lines of a command's usage that describe the config options (check's, expiration's and generate's). */
export const CONFIG_USAGE = `  --config FILE            take rules, excludes and settings from FILE for every file (default: the nearest
                           .kube-pki.yaml above each file, up to the repository's root); FILE's globs are
                           relative to the current folder, its rootDir and pathMappings to FILE's folder
  --no-config              read no .kube-pki.yaml
  --exclude GLOB           leave out the files GLOB matches, relative to the current folder (repeatable;
                           as in .kube-pki.yaml's exclude: 'fixtures/', 'test/**/*.yaml'; an absolute path
                           must be inside the current folder)
  --max-files N            read at most N candidate files below the folders given (default 250000, or the
                           .kube-pki.yaml's maxFiles); a walk stopped by a limit is noted, and check and
                           expiration exit 3 for it, unless the bound was set (N or maxFiles): then only the note`;

/** The commands, one line each, as `kube-pki --help` lists them. */
export const COMMANDS: ReadonlyArray<readonly [string, string]> = [
  ['check', 'find what is wrong with the TLS of a tree of kubeconfigs, manifests and kubelet configs'],
  ['verify', "verify one certificate's chain, host and usage with Go crypto/x509's rules"],
  ['expiration', "list every certificate's expiry, like kubeadm certs check-expiration"],
  ['probe', 'dial the endpoints the tree names and compare what they serve with the files (TLS handshake only)'],
  ['generate', 'write the certificates, keys and kubeconfigs a tree references but lacks (--fix, --renew)'],
  ['new-ca', 'write a new CA certificate and key'],
  ['new-client', 'write a client certificate and key signed by a CA'],
  ['kubeconfig', 'write a kubeconfig with a new client certificate signed by a CA'],
  ['new-control-plane', "write a control plane's certificates, keys and kubeconfigs, as kubeadm does"],
  ['rotate-ca', 'rotate a CA in three stages, each checked to keep every connection working'],
];

export const HELP = `Usage: kube-pki COMMAND [options]

Finds what is wrong with a Kubernetes cluster's TLS: kubeconfigs, static pod manifests, kubelet configs,
Secrets, webhooks, cert-manager objects and the certificates and keys they reference.

Commands:
${COMMANDS.map(([name, line]) => `  ${name.padEnd(19)}${line}`).join('\n')}

Options:
  -h, --help         show this help (kube-pki COMMAND --help: the command's options)
  -V, --version      show the version`;

/**
 * A usage error as every command prints it: one line saying what is wrong, one saying where the options are
 * (the whole usage would push the message off the screen).
 */
export function usageMessage(message: string, command?: string, prefix = 'kube-pki'): string {
  const help = command ? `kube-pki ${command} --help` : 'kube-pki --help';
  return `${prefix}: ${message}\nrun '${help}' for the ${command ? 'options' : 'commands'}\n`;
}

/** The candidate nearest `word` (at most two edits, or a prefix), for "did you mean"; undefined when none is. */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c);
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  if (best === undefined) return undefined;
  const limit = Math.min(2, Math.floor(best.length / 3));
  return bestDistance <= limit ? best : undefined;
}

function editDistance(a: string, b: string): number {
  // Damerau-Levenshtein (optimal string alignment): a swap of two letters (chekc) is one edit.
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** `unknown command 'chek'`, with the command meant when one is near. */
export function unknownCommand(word: string): string {
  const near = nearest(
    word,
    COMMANDS.map(([name]) => name),
  );
  return `unknown command '${word}'${near ? ` (did you mean '${near}'?)` : ''}`;
}

export const USAGE = `Usage: kube-pki check [PATH...] [options]

Checks a Kubernetes cluster's TLS: kubeconfigs, static pod manifests, kubelet configs and the
certificates and keys they reference. PATHs are files (checked whatever their names) or folders
(searched recursively); the default is the current folder. '-' reads a multi-document YAML stream
from standard input (helm template ... | kube-pki check -, kubectl get secrets -A -o yaml | ...); its
findings name the object they are in: Secret/default/web-tls (<stdin>:LINE:COL).

Options:
  --root DIR               a folder that stands for the node's '/': /etc/kubernetes/... resolves under it
  --path-mapping /ABS=DIR  map an absolute path prefix to a folder (repeatable; tried before --root)
  --now ISO8601            take the verdicts at this instant instead of now (e.g. 2030-01-01T00:00:00Z)
  --expiry-days N          warn about certificates expiring within N days (default 30)
  --cluster-domain D       the cluster DNS domain (default cluster.local)
${CONFIG_USAGE}
  --baseline FILE          report only the findings FILE does not hold (written by --write-baseline)
  --write-baseline FILE    record today's findings in FILE and report nothing
  --changed                the FILEs given are the ones that changed (a pre-commit hook passes them):
                           the current folder (or the folders given) is checked, and only the findings
                           in those files, in the documents that read a changed certificate or key, and
                           elsewhere those that point at a changed file are reported
  --format FORMAT          text (default), json, sarif, github (workflow commands: annotations in a
                           GitHub Actions job) or gitlab (a GitLab code quality report)
  --no-color               no ANSI colours (also when NO_COLOR is set or stdout is not a terminal)
  -h, --help               show this help
  -V, --version            show the version

Flags win over a .kube-pki.yaml's settings, which win over the defaults.

Exit status: 0 no errors (with --baseline: no new errors), 1 errors found, 2 bad usage or an invalid
.kube-pki.yaml that applies to a file checked (printed as FILE:LINE:COL: message; one that governs no
file checked is not judged), 3 no errors found but a limit of the folder walk left files unread (the
bound on files, or folders nested too deep; a note says which and how to change it; --max-files or a
.kube-pki.yaml's maxFiles accepts the bound). A path found in none of the folders checked that nothing places (a node's
file: give --root or --path-mapping) is not an error; a note says so.

Generating what is missing or wrong: kube-pki generate [PATH...] [--dry-run] [--fix] [--renew] ...,
kube-pki new-ca, new-client, kubeconfig, new-control-plane (kube-pki generate --help).

Verifying one certificate with Go's rules: kube-pki verify CERT [--ca FILE]... [--host NAME|IP]
[--usage server|client] [--at ISO8601] (kube-pki verify --help).

Every certificate's expiry, like kubeadm certs check-expiration: kube-pki expiration [PATH...]
[--root DIR] [--now ISO8601] [-o table|json|yaml] (kube-pki expiration --help).

What the running endpoints serve, against the files: kube-pki probe [PATH...] [--timeout 3s]
[--format text|json|sarif] (kube-pki probe --help).`;

/** Strict ISO 8601 date or date-time (Date.parse alone accepts far too much). */
const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseNow(value: string): Date {
  const v = value.trim();
  if (!ISO.test(v)) throw new UsageError(`--now: not an ISO 8601 date or date-time: '${value}'`);
  // A bare date or a local time is taken as UTC so results do not depend on the machine's zone.
  let normalized = v.replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(normalized)) normalized += 'T00:00:00Z';
  else if (!/(?:Z|[+-]\d{2}:?\d{2})$/i.test(normalized)) normalized += 'Z';
  const d = new Date(normalized);
  if (Number.isNaN(d.getTime())) throw new UsageError(`--now: not a valid date: '${value}'`);
  // Reject dates that Date silently rolls over (2024-02-30 -> March 1st).
  const [y, m, day] = v.slice(0, 10).split('-').map(Number);
  const check = new Date(Date.UTC(y, m - 1, day));
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== day) {
    throw new UsageError(`--now: not a valid date: '${value}'`);
  }
  return d;
}

/** The options of every command that reads a whole tree: where the node's files are and when to judge them. */
export interface TreeArgs {
  paths: string[];
  root?: string;
  now?: Date;
  expiryDays?: number;
  clusterDomain?: string;
  pathMappings: Array<{ prefix: string; dir: string }>;
  /** --config FILE: this config for every file; false (--no-config): none; undefined: discovered. */
  config?: string | false;
  /** --exclude GLOB..., relative to the current folder. */
  exclude?: string[];
  /** --max-files N: the bound on candidate files, accepted by the user. */
  maxFiles?: number;
}

/** Takes one of the tree options into `out`; false when `name` is not one of them. */
function treeOption(name: string, value: () => string, out: TreeArgs, inline?: string): boolean {
  switch (name) {
    case '--config': {
      const v = value();
      if (v.trim() === '') throw new UsageError('--config needs a file');
      if (out.config === false) throw new UsageError('--config and --no-config exclude each other');
      if (typeof out.config === 'string') throw new UsageError('--config given more than once');
      out.config = v;
      return true;
    }
    case '--no-config':
      if (inline !== undefined) throw new UsageError('--no-config takes no value');
      if (typeof out.config === 'string') throw new UsageError('--config and --no-config exclude each other');
      out.config = false;
      return true;
    case '--exclude': {
      const v = value();
      if (v.trim() === '') throw new UsageError('--exclude needs a glob');
      (out.exclude ??= []).push(v);
      return true;
    }
    case '--max-files': {
      const v = value();
      const n = Number(v);
      if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--max-files: not a positive whole number: '${v}'`);
      out.maxFiles = n;
      return true;
    }
    case '--root': {
      const v = value();
      if (v === '') throw new UsageError('--root needs a folder');
      out.root = v;
      return true;
    }
    case '--now':
      out.now = parseNow(value());
      return true;
    case '--expiry-days': {
      const v = value();
      const n = Number(v);
      if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`--expiry-days: not a non-negative number: '${v}'`);
      out.expiryDays = n;
      return true;
    }
    case '--cluster-domain':
      out.clusterDomain = parseClusterDomain(value());
      return true;
    case '--path-mapping':
      out.pathMappings.push(parsePathMapping(value()));
      return true;
    default:
      return false;
  }
}

export function parseClusterDomain(value: string): string {
  const v = value.trim().replace(/^\.+|\.+$/g, '');
  if (v === '' || /\s/.test(v)) throw new UsageError(`--cluster-domain: not a domain: '${v}'`);
  return v;
}

export function parsePathMapping(v: string): { prefix: string; dir: string } {
  const sep = v.indexOf('=');
  const prefix = sep > 0 ? v.slice(0, sep) : '';
  const dir = sep > 0 ? v.slice(sep + 1) : '';
  if (!prefix || !dir) throw new UsageError(`--path-mapping: expected /ABSOLUTE/PREFIX=DIR, got '${v}'`);
  if (!prefix.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(prefix)) {
    throw new UsageError(`--path-mapping: the prefix must be an absolute path: '${prefix}'`);
  }
  return { prefix, dir };
}

export type ArgToken = { positional: string } | { name: string; inline?: string; value(): string };

/**
 * The command line as the commands read it: positionals (also `-`, and everything after `--`) and
 * options, `--name=value` or `--name value`; `value()` takes the option's value, from the same
 * argument or the next one.
 */
export function* argTokens(argv: string[]): Generator<ArgToken> {
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositional || arg === '-' || !arg.startsWith('-')) {
      yield { positional: arg };
      continue;
    }
    if (arg === '--') {
      onlyPositional = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const inline = arg.startsWith('--') && eq > 0 ? arg.slice(eq + 1) : undefined;
    yield {
      name,
      inline,
      value: (): string => {
        if (inline !== undefined) return inline;
        const v = argv[i + 1];
        if (v === undefined) throw new UsageError(`${name} needs a value`);
        i++;
        return v;
      },
    };
  }
}

/**
 * The command line of a command that reads a tree: the paths (default: the current folder) and the tree options
 * go into `out`; the command's own options are yielded, for it to take or refuse.
 */
export function* treeCommandOptions(argv: string[], out: TreeArgs): Generator<Exclude<ArgToken, { positional: string }>> {
  for (const token of argTokens(argv)) {
    if ('positional' in token) out.paths.push(token.positional);
    else if (!treeOption(token.name, token.value, out, token.inline)) yield token;
  }
  if (out.paths.length === 0) out.paths.push('.');
}

export function parseArgs(argv: string[]): ParsedArgs {
  if (argv.length === 0) throw new UsageError('missing command (try: kube-pki check .)');
  const first = argv[0];
  if (first === '-h' || first === '--help' || first === 'help') return { command: 'help' };
  if (first === '-V' || first === '--version' || first === 'version') return { command: 'version' };
  if (first !== 'check') {
    if (first.startsWith('-')) throw new UsageError(`unknown option '${first}' (the command comes first: kube-pki check ...)`);
    throw new UsageError(unknownCommand(first));
  }

  const out: CheckArgs = { command: 'check', paths: [], pathMappings: [], format: 'text', color: undefined };
  for (const { name, inline, value } of treeCommandOptions(argv.slice(1), out)) {
    const flag = () => {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
    };
    switch (name) {
      case '-h':
      case '--help':
        flag();
        return { command: 'help', of: 'check' };
      case '-V':
      case '--version':
        flag();
        return { command: 'version' };
      case '--format': {
        const v = value();
        if (!(FORMATS as readonly string[]).includes(v)) {
          throw new UsageError(`--format: expected ${FORMATS.slice(0, -1).join(', ')} or ${FORMATS[FORMATS.length - 1]}, got '${v}'`);
        }
        out.format = v as Format;
        break;
      }
      case '--baseline':
      case '--write-baseline': {
        const v = value();
        if (v.trim() === '') throw new UsageError(`${name} needs a file`);
        if (name === '--baseline') out.baseline = v;
        else out.writeBaseline = v;
        if (out.baseline !== undefined && out.writeBaseline !== undefined) {
          throw new UsageError('--baseline and --write-baseline exclude each other (--write-baseline FILE alone records the findings anew)');
        }
        break;
      }
      case '--changed':
        flag();
        out.changed = true;
        break;
      case '--no-color':
      case '--no-colour':
        flag();
        out.color = false;
        break;
      case '--color':
      case '--colour':
        flag();
        out.color = true;
        break;
      default:
        throw new UsageError(`unknown option '${name}'`);
    }
  }
  if (out.changed && out.writeBaseline !== undefined)
    throw new UsageError('--changed and --write-baseline exclude each other (a baseline records the whole tree)');
  if (out.changed && out.paths.includes('-')) throw new UsageError("--changed and '-' (standard input) exclude each other");
  return out;
}
