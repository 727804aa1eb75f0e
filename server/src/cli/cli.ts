// `kube-pki check [PATH...]`: the engine over files on disk, for terminals and CI.
import * as path from 'node:path';
import { Engine, codes, discoverFiles, nodeFileSystem } from '../engine';
import { MAX_CONFIG_BYTES, type EngineOptions, type Finding } from '../engine/types';
import { parseArgs, USAGE, UsageError, type CheckArgs } from './args';
import { formatJson, formatSarif, formatText, type CodeCatalog, type Context } from './format';
import { GENERATE_COMMANDS, runGenerate } from './generate';
import { runVerify } from './verify';

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

interface GivenPath {
  given: string;
  abs: string;
  kind: 'file' | 'directory';
}

interface Io {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function usageError(io: Io, message: string): number {
  io.err(`kube-pki: ${message}\n\n${USAGE}\n`);
  return 2;
}

function isUnder(file: string, dir: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function run(argv: string[], io: Io): number | Promise<number> {
  // generate, new-ca, new-client, kubeconfig, new-control-plane (asynchronous: keys are made off the main thread).
  if (argv.length && GENERATE_COMMANDS.has(argv[0])) return runGenerate(argv, io);
  if (argv[0] === 'verify') return runVerify(argv.slice(1), io);
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return usageError(io, err.message);
    throw err;
  }
  if (args.command === 'help') {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (args.command === 'version') {
    io.out(`${pkg.version}\n`);
    return 0;
  }
  return check(args, io);
}

function check(args: CheckArgs, io: Io): number {
  const fs = nodeFileSystem();
  const cwd = io.cwd;

  // What the user pointed at must exist: anything else is a usage error, reported before any work.
  const given: GivenPath[] = [];
  for (const p of args.paths) {
    const abs = path.resolve(cwd, p);
    const st = fs.stat(abs);
    if (st.kind === 'missing') return usageError(io, `${p}: ${st.reason === 'no such file' ? 'no such file or folder' : st.reason}`);
    if (st.kind === 'other') return usageError(io, `${p}: not a regular file or folder`);
    given.push({ given: p, abs, kind: st.kind });
  }
  let rootDir: string | undefined;
  if (args.root !== undefined) {
    rootDir = path.resolve(cwd, args.root);
    if (fs.stat(rootDir).kind !== 'directory') return usageError(io, `--root ${args.root}: not a folder`);
  }
  const pathMappings: Record<string, string> = {};
  for (const m of args.pathMappings) {
    const dir = path.resolve(cwd, m.dir);
    if (fs.stat(dir).kind !== 'directory') return usageError(io, `--path-mapping ${m.prefix}=${m.dir}: not a folder`);
    pathMappings[m.prefix] = dir;
  }

  const searchRoots: string[] = [];
  for (const g of given) {
    const root = g.kind === 'directory' ? g.abs : path.dirname(g.abs);
    if (!searchRoots.includes(root)) searchRoots.push(root);
  }
  const options: Partial<EngineOptions> = { searchRoots, pathMappings };
  if (args.now) options.now = args.now;
  if (args.expiryDays !== undefined) options.expiryWarningDays = args.expiryDays;
  if (args.clusterDomain) options.clusterDomain = args.clusterDomain;
  if (rootDir) options.rootDir = rootDir;
  const engine = new Engine(fs, options);

  // Files given by name are read whatever they are called; folders are searched.
  const explicit = new Set(given.filter((g) => g.kind === 'file').map((g) => g.abs));
  const files = new Set<string>(explicit);
  const ctx: Context = { cwd, display: (file) => displayPath(file, cwd, given) };
  const tooBig = (file: string, bytes: number) =>
    io.err(`kube-pki: note: ${ctx.display(file)} is ${(bytes / 1048576).toFixed(1)} MB, over the ${MAX_CONFIG_BYTES / 1048576} MB limit for configs; not checked\n`);
  for (const g of given) {
    if (g.kind === 'directory') for (const f of discoverFiles(fs, [g.abs], tooBig)) files.add(f);
  }

  let internalError = false;
  for (const file of [...files].sort()) {
    const r = fs.readFile(file, MAX_CONFIG_BYTES);
    if (!r.ok) {
      if (explicit.has(file)) return usageError(io, `${ctx.display(file)}: ${r.reason}`);
      continue; // gone or changed since discovery
    }
    try {
      const recognised = engine.updateDocument(file, r.data.toString('utf8'));
      if (!recognised && explicit.has(file)) {
        io.err(`kube-pki: note: ${ctx.display(file)} is not a kubeconfig, static pod manifest or kubelet config; nothing to check\n`);
      }
    } catch (err) {
      internalError = true;
      io.err(`kube-pki: internal error while reading ${ctx.display(file)}: ${describe(err)}\n`);
    }
  }

  const docs = engine.documents().slice().sort();
  const findings: Finding[] = [];
  for (const doc of docs) {
    try {
      findings.push(...engine.check(doc));
    } catch (err) {
      internalError = true;
      io.err(`kube-pki: internal error while checking ${ctx.display(doc)}: ${describe(err)}\n`);
    }
  }
  findings.sort(
    (a, b) =>
      compare(ctx.display(a.file), ctx.display(b.file)) ||
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      compare(a.code, b.code),
  );

  const report = { findings, files: docs.length };
  const color = args.color ?? (io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb');
  switch (args.format) {
    case 'json':
      io.out(formatJson(report, ctx));
      break;
    case 'sarif':
      io.out(formatSarif(report, ctx, codes as CodeCatalog, { version: pkg.version, informationUri: informationUri() }));
      break;
    default:
      io.out(formatText(report, ctx, color));
  }
  return findings.some((f) => f.severity === 'error') || internalError ? 1 : 0;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}\n${(err.stack ?? '').split('\n').filter((l) => /^\s+at /.test(l)).slice(0, 6).join('\n')}`;
  return String(err);
}

/** Relative to the current folder when under it; else under the path the user gave, as they gave it. */
export function displayPath(file: string, cwd: string, given: GivenPath[]): string {
  if (isUnder(file, cwd)) return path.relative(cwd, file) || '.';
  let best: GivenPath | undefined;
  for (const g of given) {
    if (g.abs === file || (g.kind === 'directory' && isUnder(file, g.abs))) {
      if (!best || g.abs.length > best.abs.length) best = g;
    }
  }
  if (best) return best.abs === file ? best.given : path.join(best.given, path.relative(best.abs, file));
  return file;
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
    });
  } catch (err) {
    process.stderr.write(`kube-pki: internal error: ${describe(err)}\n`);
    code = 1;
  }
  process.exitCode = code;
}

if (require.main === module) void main();
