// `kube-pki check [PATH...]`: the engine over files on disk, for terminals and CI.
import * as nodeFs from 'node:fs';
import * as path from 'node:path';
import { codes, nodeFileSystem, policy } from '../engine';
import { MAX_CONFIG_BYTES, MAX_FILE_BYTES, type FileSystem, type Finding, type ReadResult, type SuppressedFinding } from '../engine/types';
import { ParallelReader } from '../engine/workspace/parallelRead';
import { HELP, parseArgs, USAGE, UsageError, usageMessage, type CheckArgs } from './args';
import { formatGithub, formatGitlab, formatJson, formatSarif, formatText, type BaselineReport, type CodeCatalog, type Context } from './format';
import { STDIN_DISPLAY, StreamObjects, stdinPath } from './stream';
import { GENERATE_COMMANDS, runGenerate } from './generate';
import { runVerify } from './verify';
import { runExpiration } from './expiration';
import { runProbe } from './probe';
import { runRotate } from './rotate';
import { configProblems, excludedFolderNote, notCheckedNote, openTree, tooBigNote, walkLimitNotes, type OpenTree } from './tree';
import { unplacedNote } from './unplaced';
import { plural } from '../engine/words';

// Inlined by esbuild.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../../../package.json') as {
  version: string;
  homepage?: string;
  repository?: string | { url?: string };
};

const DEFAULT_INFORMATION_URI = 'https://github.com/kube-pki/kube-pki';

function informationUri(): string {
  const repo = typeof pkg.repository === 'string' ? pkg.repository : pkg.repository?.url;
  const candidate = pkg.homepage ?? repo?.replace(/^git\+/, '').replace(/\.git$/, '');
  return candidate && /^https?:\/\//.test(candidate) ? candidate : DEFAULT_INFORMATION_URI;
}

interface Io {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Standard input, read whole (`check -`). */
  stdin?: () => Buffer;
}

function usageError(io: Io, message: string, command?: string): number {
  io.err(usageMessage(message, command));
  return 2;
}

export function run(argv: string[], io: Io): number | Promise<number> {
  // generate, new-ca, new-client, kubeconfig, new-control-plane (asynchronous: keys are made off the main thread).
  if (argv.length && GENERATE_COMMANDS.has(argv[0])) return runGenerate(argv, io);
  if (argv[0] === 'verify') return runVerify(argv.slice(1), io);
  if (argv[0] === 'expiration') return runExpiration(argv.slice(1), io);
  if (argv[0] === 'probe') return runProbe(argv.slice(1), io, { version: pkg.version, informationUri: informationUri() });
  if (argv[0] === 'rotate-ca') return runRotate(argv.slice(1), io);
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return usageError(io, err.message, argv[0] === 'check' ? 'check' : undefined);
    throw err;
  }
  if (args.command === 'help') {
    io.out(`${args.of === 'check' ? USAGE : HELP}\n`);
    return 0;
  }
  if (args.command === 'version') {
    io.out(`${pkg.version}\n`);
    return 0;
  }
  return check(args, io);
}

async function check(args: CheckArgs, io: Io): Promise<number> {
  const fs = nodeFileSystem();
  // A large tree is read on other cores while the walk goes on (parallelRead.ts); a small one here. Whatever way
  // the check ends, its threads end with it (a live thread keeps the process).
  const reader = new ParallelReader(MAX_CONFIG_BYTES, (file) => fs.takeListed?.(file) ?? false);
  try {
    return await checkTree(args, io, fs, reader);
  } finally {
    reader.close();
  }
}

async function checkTree(args: CheckArgs, io: Io, fs: FileSystem, reader: ParallelReader): Promise<number> {
  const cwd = io.cwd;
  // --changed: the files named changed; the current folder (or the folders named) is the tree they are judged in.
  let changed: string[] | undefined;
  if (args.changed) {
    const kinds = args.paths.map((p) => fs.stat(path.resolve(cwd, p)).kind);
    changed = args.paths.filter((_, i) => kinds[i] === 'file').map((p) => path.resolve(cwd, p));
    if (!kinds.includes('directory')) args = { ...args, paths: [...args.paths, '.'] };
  }
  let tree: OpenTree;
  try {
    tree = openTree(args, cwd, fs, (shown, bytes) => io.err(tooBigNote(shown, bytes, 'not checked')), {
      stdin: true,
      sizeOnRead: true,
      onTaken: (file) => reader.add(file),
    });
  } catch (err) {
    if (err instanceof UsageError) return usageError(io, err.message, 'check');
    throw err;
  }
  const { engine, explicit, files } = tree;
  const ctx: Context = { cwd, display: tree.display };
  let internalErrorOnStream = false;

  // `check -`: the stream is one document of the engine, in the current folder (its relative paths resolve there).
  if (args.paths.includes('-')) {
    let data: Buffer;
    try {
      data = io.stdin ? io.stdin() : Buffer.alloc(0);
    } catch (err) {
      return usageError(io, `-: standard input: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'check');
    }
    if (data.length > MAX_CONFIG_BYTES)
      return usageError(
        io,
        `-: standard input is ${(data.length / 1048576).toFixed(1)} MB, over the ${MAX_CONFIG_BYTES / 1048576} MB limit`,
        'check',
      );
    const text = data.toString('utf8');
    const file = stdinPath(cwd);
    ctx.stream = { file, objects: new StreamObjects(text) };
    const display = ctx.display;
    ctx.display = (f) => (f === file ? STDIN_DISPLAY : display(f));
    tree.display = ctx.display;
    try {
      if (!engine.updateDocument(file, text))
        io.err(
          `kube-pki: note: ${STDIN_DISPLAY} holds nothing kube-pki reads (kubeconfigs, static pod manifests, Secrets, webhooks, cert-manager objects...)\n`,
        );
    } catch (err) {
      internalErrorOnStream = true;
      io.err(`kube-pki: internal error while reading ${STDIN_DISPLAY}: ${describe(err)}\n`);
    }
  }
  for (const folder of tree.excludedFolders) io.err(excludedFolderNote(tree, folder));

  let internalError = internalErrorOnStream;
  const read: string[] = [];
  const threads = await reader.finish();
  for (const file of files) {
    const pre = threads.get(file);
    threads.delete(file);
    if (pre?.ok && pre.text === undefined && !explicit.has(file) && engine.acceptUnread(file)) {
      // Read by a reader thread, and nothing kube-pki reads (never a file the user named: those are read here).
      read.push(file);
      continue;
    }
    let text = pre?.ok ? pre.text : undefined;
    if (text === undefined) {
      const r: ReadResult = pre && !pre.ok ? pre : fs.readFile(file, MAX_CONFIG_BYTES);
      if (!r.ok) {
        if (r.tooBig !== undefined && !explicit.has(file)) {
          // Found by the walk without a stat (openTree's sizeOnRead): the size is learnt here.
          io.err(tooBigNote(ctx.display(file), r.tooBig, 'not checked'));
          continue;
        }
        if (explicit.has(file)) return usageError(io, `${ctx.display(file)}: ${r.reason}`, 'check');
        continue; // gone or changed since discovery
      }
      text = r.data.toString('utf8');
    }
    read.push(file);
    try {
      const recognised = engine.updateDocument(file, text);
      // A changed file kube-pki does not read (a CI workflow, a Helm values file) is no demand: no note.
      if (!recognised && explicit.has(file) && !changed) io.err(notCheckedNote(tree, file));
    } catch (err) {
      internalError = true;
      io.err(`kube-pki: internal error while reading ${ctx.display(file)}: ${describe(err)}\n`);
    }
  }

  // An invalid .kube-pki.yaml in use would change what is checked and how: nothing is reported until it is fixed.
  const problems = configProblems(tree, read);
  if (problems.length) {
    io.err(`${problems.join('\n')}\nkube-pki: fix the .kube-pki.yaml above (or run with --no-config); nothing was checked\n`);
    return 2;
  }

  const docs = engine.documents().slice().sort();
  let findings: Finding[] = [];
  let suppressed: SuppressedFinding[] = [];
  for (const doc of docs) {
    try {
      findings.push(...engine.check(doc));
      suppressed.push(...engine.suppressed(doc));
    } catch (err) {
      internalError = true;
      io.err(`kube-pki: internal error while checking ${ctx.display(doc)}: ${describe(err)}\n`);
    }
  }
  const order = (a: Finding, b: Finding) =>
    compare(ctx.display(a.file), ctx.display(b.file)) ||
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    compare(a.code, b.code);
  findings.sort(order);
  suppressed.sort(order);

  if (args.writeBaseline !== undefined) {
    const file = path.resolve(cwd, args.writeBaseline);
    const fingerprinter = new policy.Fingerprinter(engine, path.dirname(file));
    const text = policy.formatBaseline(findings.map((f) => fingerprinter.of(f)));
    try {
      nodeFs.writeFileSync(file, text);
    } catch (err) {
      io.err(`kube-pki: --write-baseline ${args.writeBaseline}: ${(err as NodeJS.ErrnoException).code ?? ''} ${(err as Error).message}\n`);
      return 2;
    }
    const entries = policy.parseBaseline(text).findings.length;
    io.err(
      `kube-pki: recorded ${plural(findings.length, 'finding')} (${plural(entries, 'entry', 'entries')}) of ${plural(docs.length, 'file')} in ${ctx.display(file)}\n`,
    );
    const limits = walkLimitNotes(tree, 'not recorded');
    if (limits.notes) io.err(limits.notes);
    return internalError ? 1 : limits.incomplete ? 3 : 0;
  }

  let baseline: BaselineReport | undefined;
  if (args.baseline !== undefined) {
    const file = path.resolve(cwd, args.baseline);
    const read = fs.readFile(file, MAX_FILE_BYTES);
    if (!read.ok)
      return usageError(
        io,
        `--baseline ${args.baseline}: ${read.reason}${read.reason === 'no such file' ? ' (write one with --write-baseline)' : ''}`,
        'check',
      );
    let recorded: ReturnType<typeof policy.parseBaseline>;
    try {
      recorded = policy.parseBaseline(read.data.toString('utf8'));
    } catch (err) {
      return usageError(io, `--baseline ${args.baseline}: ${(err as Error).message}`, 'check');
    }
    const fingerprinter = new policy.Fingerprinter(engine, path.dirname(file));
    // What is shown first, then what is suppressed: an entry matches a finding still shown before a hidden one.
    const { matched, absent } = policy.compareWithBaseline(
      recorded,
      [...findings, ...suppressed].map((f) => fingerprinter.of(f)),
    );
    const shown = findings.length;
    const unchanged = findings.filter((_, i) => matched[i]);
    findings = findings.filter((_, i) => !matched[i]);
    baseline = {
      file,
      unchanged,
      suppressedInBaseline: suppressed.map((_, i) => matched[shown + i]),
      absent: absent.map((a) => ({ ...a, file: path.resolve(path.dirname(file), a.file) })),
    };
  }

  // --changed: the changed files' findings; those of the documents that read a changed certificate, key or other
  // file; and, in the documents a changed document may affect (Engine.affectedBy: by the kinds their checks looked
  // through, a wide net), the findings that point at a changed file (the apiserver's san-missing for the name a
  // changed kubeconfig dials), so that an error committed earlier elsewhere does not block the change.
  let checkedFiles = docs.length;
  if (changed) {
    const changedSet = new Set(changed);
    const kept = new Set<string>();
    const pointing = new Set<string>();
    for (const file of changed) {
      if (engine.isRecognised(file)) {
        kept.add(file);
        for (const doc of engine.affectedBy(file)) pointing.add(doc);
      } else for (const doc of engine.affectedBy(file)) kept.add(doc);
    }
    const keep = (f: Finding) => kept.has(f.file) || (pointing.has(f.file) && (f.related ?? []).some((r) => changedSet.has(r.file)));
    findings = findings.filter(keep);
    if (baseline) {
      const inBaseline = baseline.suppressedInBaseline.filter((_, i) => keep(suppressed[i]));
      const absent = baseline.absent.filter((a) => kept.has(a.file));
      baseline = { ...baseline, unchanged: baseline.unchanged.filter(keep), suppressedInBaseline: inBaseline, absent };
    }
    suppressed = suppressed.filter(keep);
    checkedFiles = new Set([...kept, ...[...findings, ...suppressed].map((f) => f.file)]).size;
  }

  const report = { findings, files: checkedFiles, suppressed, baseline };
  const color = args.color ?? (io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb');
  switch (args.format) {
    case 'json':
      io.out(formatJson(report, ctx));
      break;
    case 'sarif':
      io.out(formatSarif(report, ctx, codes as CodeCatalog, { version: pkg.version, informationUri: informationUri() }));
      break;
    case 'github':
      io.out(formatGithub(report, ctx));
      break;
    case 'gitlab': {
      const fingerprinter = new policy.Fingerprinter(engine, cwd);
      io.out(formatGitlab(report, ctx, (f) => Object.values(fingerprinter.of(f)).join('\0')));
      break;
    }
    default:
      io.out(formatText(report, ctx, color));
  }
  // Paths kube-pki could not place (resolve/paths.ts): one note for the run, no finding, the same exit status.
  const unplaced = unplacedNote(engine.unplacedReferences(), ctx.display);
  if (unplaced) io.err(unplaced);
  // A limit of the walk that left files unread: said last (where the eye falls), and exit 3 when no error says more.
  const limits = walkLimitNotes(tree);
  if (limits.notes) io.err(limits.notes);
  if (findings.some((f) => f.severity === 'error') || internalError) return 1;
  return limits.incomplete ? 3 : 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describe(err: unknown): string {
  if (err instanceof Error)
    return `${err.name}\n${(err.stack ?? '')
      .split('\n')
      .filter((l) => /^\s+at /.test(l))
      .slice(0, 6)
      .join('\n')}`;
  return String(err);
}

async function main(): Promise<void> {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  let code: number;
  try {
    code = await run(process.argv.slice(2), {
      out: (s) => process.stdout.write(s),
      err: (s) => process.stderr.write(s),
      isTTY: process.stdout.isTTY === true,
      env: process.env,
      cwd: process.cwd(),
      stdin: () => nodeFs.readFileSync(0),
    });
  } catch (err) {
    process.stderr.write(`kube-pki: internal error: ${describe(err)}\n`);
    code = 1;
  }
  process.exitCode = code;
}

if (require.main === module) void main();
