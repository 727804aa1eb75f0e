// `kube-pki generate`, `new-ca`, `new-client`, `kubeconfig`, `new-control-plane`: the engine's
// planner, generator and writer over files on disk. Every file written is printed with its subject,
// SANs, issuer and expiry; key material is never printed.
import * as path from 'node:path';
import { nodeFileSystem, generate } from '../engine';
import type { FileSystem } from '../engine/types';
import { walkLimitNotes, configProblems, displayPath, excludedFolderNote, openTree, readTree } from './tree';
import { argTokens, CONFIG_USAGE, parseClusterDomain, parsePathMapping, UsageError, usageMessage } from './args';

type KeyType = generate.KeyType;
type GenerationPlan = generate.GenerationPlan;

export interface Io {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const GENERATE_COMMANDS = new Set(['generate', 'new-ca', 'new-client', 'kubeconfig', 'new-control-plane']);

export const GENERATE_USAGE = `Usage: kube-pki generate [PATH...] [options]
       kube-pki new-ca --out CA.crt [--key CA.key] [--cn NAME] [--days N] [--key-type T] [--dry-run]
       kube-pki new-client --cn NAME [--group G]... --ca CA.crt [--ca-key CA.key] --out NAME.crt [--key NAME.key]
                           [--kubeconfig FILE --server URL] [--days N] [--key-type T] [--force] [--dry-run]
       kube-pki kubeconfig --cn NAME [--group G]... --ca CA.crt [--ca-key CA.key] --server URL --out FILE
                           [--cluster-name N] [--days N] [--key-type T] [--force] [--dry-run]
       kube-pki new-control-plane --root DIR --node-name N --advertise-address IP [--service-cidr CIDR]
                           [--cluster-domain D] [--control-plane-endpoint HOST[:PORT]] [--extra-san H]...
                           [--bind-port N] [--days N] [--ca-days N] [--key-type T] [--force] [--dry-run]

generate: creates every certificate, key and kubeconfig the configs under PATH reference but lack
(as kubeadm would make them, signed by the CA that verifies them). With --fix it also re-issues the
certificates that kube-pki check finds wrong (SANs, CN, O, EKU, expiry, weak key, wrong issuer, key
mismatch), keeping what was right and the key unless it is weak; with --renew it renews every
certificate (kubeadm certs renew all). Replaced files are kept as NAME.bak-YYYYMMDDhhmmss.

Options (generate):
  --root DIR, --path-mapping /ABS=DIR, --cluster-domain D   as for check
${CONFIG_USAGE}
  --dry-run                print what would be written, write nothing
  --fix                    also re-issue what findings say is wrong (replaces files)
  --renew                  re-issue every certificate, keeping keys (replaces files)
  --new-keys               with --fix/--renew: new keys even where the old ones are fine
  --key-type T             rsa-2048 (default), rsa-3072, rsa-4096, ecdsa-p256, ecdsa-p384
  --days N, --ca-days N    validity of certificates (365) and of new CAs (3650)
  --extra-san H            another name for the apiserver's certificate (repeatable; instead of a
                           .kube-pki.yaml's extraSANs)
  --node-name N            the node name, when the files do not tell it

Exit status: 0 done, 1 something could not be generated or written, 2 bad usage or an invalid
.kube-pki.yaml.`;

interface CommonArgs {
  dryRun: boolean;
  keyType?: KeyType;
  days?: number;
  caDays?: number;
  force: boolean;
}

interface Parsed {
  command: string;
  positional: string[];
  values: Map<string, string[]>;
  flags: Set<string>;
}

const VALUE_OPTIONS = new Set([
  '--root',
  '--path-mapping',
  '--cluster-domain',
  '--key-type',
  '--days',
  '--ca-days',
  '--extra-san',
  '--node-name',
  '--out',
  '--key',
  '--cn',
  '--group',
  '--ca',
  '--ca-key',
  '--kubeconfig',
  '--server',
  '--cluster-name',
  '--config',
  '--exclude',
  '--max-files',
  '--advertise-address',
  '--service-cidr',
  '--control-plane-endpoint',
  '--bind-port',
]);
const FLAG_OPTIONS = new Set(['--dry-run', '--fix', '--renew', '--new-keys', '--force', '--no-color', '--no-config', '-h', '--help']);

function parse(argv: string[]): Parsed {
  const p: Parsed = { command: argv[0], positional: [], values: new Map(), flags: new Set() };
  for (const token of argTokens(argv.slice(1))) {
    if ('positional' in token) {
      p.positional.push(token.positional);
      continue;
    }
    const { name } = token;
    if (FLAG_OPTIONS.has(name)) {
      if (token.inline !== undefined) throw new UsageError(`${name} takes no value`);
      p.flags.add(name);
      continue;
    }
    if (!VALUE_OPTIONS.has(name)) throw new UsageError(`unknown option '${name}' for ${p.command}`);
    const v = token.value().trim();
    if (v === '') throw new UsageError(`${name} needs a value`);
    p.values.set(name, [...(p.values.get(name) ?? []), v]);
  }
  return p;
}

const one = (p: Parsed, name: string): string | undefined => {
  const v = p.values.get(name);
  if (v && v.length > 1) throw new UsageError(`${name} given more than once`);
  return v?.[0];
};
const need = (p: Parsed, name: string): string => {
  const v = one(p, name);
  if (v === undefined) throw new UsageError(`${p.command} needs ${name}`);
  return v;
};

function positiveInt(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0 || n > 100 * 365) throw new UsageError(`${name}: not a whole number of days between 1 and 36500: '${v}'`);
  return n;
}

function common(p: Parsed): CommonArgs {
  const kt = one(p, '--key-type');
  let keyType: KeyType | undefined;
  if (kt !== undefined) {
    keyType = generate.offeredKeyType(kt);
    if (!keyType) throw new UsageError(`--key-type: expected rsa-2048, rsa-3072, rsa-4096, ecdsa-p256 or ecdsa-p384, got '${kt}'`);
  }
  return {
    dryRun: p.flags.has('--dry-run'),
    keyType,
    days: positiveInt('--days', one(p, '--days')),
    caDays: positiveInt('--ca-days', one(p, '--ca-days')),
    force: p.flags.has('--force'),
  };
}

// ---------------------------------------------------------------------------------- output

function mode(m: number): string {
  return `0${m.toString(8)}`;
}

function printPlan(plan: GenerationPlan, io: Io, show: (p: string) => string): void {
  for (const a of plan.actions) {
    io.out(`${a.effect === 'replace' ? 'would replace' : 'would create'}: ${a.title} (${a.reason})\n`);
    if (a.spec) {
      const s = a.spec;
      const subject = [s.commonName ? `CN=${s.commonName}` : '', ...s.organizations.map((o) => `O=${o}`)].filter(Boolean).join(', ');
      const names = [...s.dnsNames, ...s.ipAddresses];
      const issuer = a.signer?.kind === 'self' ? 'self-signed' : `issued by ${a.signer?.name ?? '?'}`;
      io.out(
        `    ${subject}${names.length ? `; SANs ${names.join(', ')}` : ''}; ${issuer}; valid ${s.validityDays} days; ${a.key?.kind === 'new' ? `new ${a.key.type} key` : 'existing key kept'}\n`,
      );
    }
    for (const o of a.outputs) {
      const where = 'path' in o ? o.path : o.file;
      io.out(
        `    ${'replace' in o && o.replace ? 'replaces' : o.kind === 'inline' || o.kind === 'inline-ca' ? 'edits' : 'creates'} ${show(where)} (${o.kind})\n`,
      );
    }
  }
}

function printSkipped(plan: GenerationPlan, io: Io, show: (p: string) => string, hint: boolean): void {
  for (const s of plan.skipped) {
    io.out(
      `skipped: ${s.title}${s.paths.length ? ` [${s.paths.map(show).join(', ')}]` : ''}: ${s.reason}${s.needsReplace && hint ? ' (run with --fix to allow it)' : ''}\n`,
    );
  }
}

/** Executes a plan and writes it; prints every file written. Returns the exit status. */
async function carryOut(plan: GenerationPlan, fs: FileSystem, io: Io, show: (p: string) => string, allowReplace: boolean): Promise<number> {
  const batch = await generate.executePlan(plan, fs);
  for (const f of batch.failed) io.err(`kube-pki: could not generate ${f.title}: ${f.reason}\n`);
  const files = [...batch.files, ...generate.editsAsFiles(batch.edits, fs)];
  if (files.length === 0) {
    io.out('nothing to write\n');
    return batch.failed.length ? 1 : 0;
  }
  const report = generate.writeBatch(files, { fs, allowReplace });
  const summaries = new Map(files.map((f) => [f.path, f]));
  for (const w of report.written) {
    const f = summaries.get(w.path)!;
    const verb = w.replaced ? 'replaced' : 'created';
    const backup = w.backup ? `, old kept as ${path.basename(w.backup)}` : '';
    io.out(`${verb} ${show(w.path)} (${mode(f.mode)}${backup}): ${f.summary}\n`);
  }
  if (!report.ok) {
    io.err(`kube-pki: ${report.error?.path ? `${show(report.error.path)}: ` : ''}${report.error?.message}\n`);
    if (report.written.length) io.err(`kube-pki: written before the failure: ${report.written.map((w) => show(w.path)).join(', ')}\n`);
    if (report.notWritten.length) io.err(`kube-pki: not written (unchanged): ${report.notWritten.map(show).join(', ')}\n`);
    return 1;
  }
  return batch.failed.length ? 1 : 0;
}

// ---------------------------------------------------------------------------------- commands

export async function runGenerate(argv: string[], io: Io): Promise<number> {
  let p: Parsed;
  try {
    p = parse(argv);
    if (p.flags.has('-h') || p.flags.has('--help')) {
      io.out(`${GENERATE_USAGE}\n`);
      return 0;
    }
    switch (p.command) {
      case 'generate':
        return await workspace(p, io);
      case 'new-ca':
        return await newCa(p, io);
      case 'new-client':
      case 'kubeconfig':
        return await newClient(p, io);
      case 'new-control-plane':
        return await newControlPlane(p, io);
      default:
        throw new UsageError(`unknown command '${p.command}'`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(usageMessage(err.message, argv[0]));
      return 2;
    }
    throw err;
  }
}

async function workspace(p: Parsed, io: Io): Promise<number> {
  const c = common(p);
  const fs = nodeFileSystem();
  const domain = one(p, '--cluster-domain');
  const root = one(p, '--root');
  const config = one(p, '--config');
  if (config !== undefined && p.flags.has('--no-config')) throw new UsageError('--config and --no-config exclude each other');
  const tree = openTree(
    {
      paths: p.positional,
      root,
      clusterDomain: domain === undefined ? undefined : parseClusterDomain(domain),
      pathMappings: (p.values.get('--path-mapping') ?? []).map(parsePathMapping),
      config: p.flags.has('--no-config') ? false : config,
      exclude: p.values.get('--exclude'),
      maxFiles: maxFilesOf(one(p, '--max-files')),
    },
    io.cwd,
    fs,
  );
  for (const folder of tree.excludedFolders) io.err(excludedFolderNote(tree, folder, 'not read'));
  // Never silent: what a limit of the walk left out is not planned for.
  const limits = walkLimitNotes(tree, 'not read (nothing is generated for them)');
  if (limits.notes) io.err(limits.notes);
  const problems = configProblems(tree, readTree(tree, fs));
  if (problems.length) {
    io.err(`${problems.join('\n')}\nkube-pki: fix the .kube-pki.yaml above (or run with --no-config); nothing was generated\n`);
    return 2;
  }
  const { engine, display: show } = tree;
  if (engine.documents().length === 0) {
    io.err('kube-pki: no kubeconfig, static pod manifest or kubelet config found: nothing references any certificate\n');
    return 1;
  }
  const fix = p.flags.has('--fix');
  const renew = p.flags.has('--renew');
  const plan = generate.planGeneration(engine, fs, {
    fix,
    renew,
    keyType: c.keyType,
    days: c.days,
    caDays: c.caDays,
    newKeys: p.flags.has('--new-keys'),
    // --extra-san wins; without it, the extraSANs of the .kube-pki.yaml governing the apiserver's manifest.
    extraSANs: p.values.get('--extra-san'),
    nodeName: one(p, '--node-name'),
  });
  return finish(plan, fs, io, show, c.dryRun, fix || renew, !(fix || renew));
}

async function finish(
  plan: GenerationPlan,
  fs: FileSystem,
  io: Io,
  show: (p: string) => string,
  dryRun: boolean,
  allowReplace: boolean,
  hint: boolean,
): Promise<number> {
  if (dryRun) {
    printPlan(plan, io, show);
    printSkipped(plan, io, show, hint);
    if (plan.actions.length === 0) io.out('nothing to generate\n');
    return 0;
  }
  let status = 0;
  if (plan.actions.length === 0) io.out('nothing to generate\n');
  else status = await carryOut(plan, fs, io, show, allowReplace);
  printSkipped(plan, io, show, hint);
  // Something asked for explicitly that could not be done is a failure; things a plain generate
  // leaves for --fix are not.
  if (plan.skipped.some((s) => !s.needsReplace || allowReplace || !hint)) status = status || 1;
  return status;
}

async function newCa(p: Parsed, io: Io): Promise<number> {
  const c = common(p);
  const fs = nodeFileSystem();
  const certPath = path.resolve(io.cwd, need(p, '--out'));
  const key = one(p, '--key');
  const plan = generate.planNewCA(fs, {
    certPath,
    keyPath: key ? path.resolve(io.cwd, key) : undefined,
    commonName: one(p, '--cn'),
    days: c.caDays ?? c.days,
    keyType: c.keyType,
  });
  return finish(plan, fs, io, (f) => displayPath(f, io.cwd, []), c.dryRun, false, false);
}

async function newClient(p: Parsed, io: Io): Promise<number> {
  const c = common(p);
  const fs = nodeFileSystem();
  const abs = (v: string | undefined) => (v === undefined ? undefined : path.resolve(io.cwd, v));
  const cn = need(p, '--cn');
  const caCertPath = abs(need(p, '--ca'))!;
  const groups = p.values.get('--group') ?? [];
  let certPath: string | undefined;
  let keyPath: string | undefined;
  let kubeconfig: { path: string; server: string; clusterName?: string } | undefined;
  const server = one(p, '--server');
  if (server !== undefined && !/^https:\/\/[^\s/]+/.test(server)) throw new UsageError(`--server: expected an https:// URL, got '${server}'`);
  if (p.command === 'kubeconfig') {
    kubeconfig = { path: abs(need(p, '--out'))!, server: need(p, '--server'), clusterName: one(p, '--cluster-name') };
  } else {
    certPath = abs(need(p, '--out'));
    keyPath = abs(one(p, '--key')) ?? certPath!.replace(/(\.(crt|pem|cer))?$/i, '.key');
    if (keyPath === certPath) throw new UsageError('--key must differ from --out');
    const kc = one(p, '--kubeconfig');
    if (kc) {
      if (!server) throw new UsageError('--kubeconfig needs --server');
      kubeconfig = { path: abs(kc)!, server, clusterName: one(p, '--cluster-name') };
    }
  }
  const plan = generate.planClientCert(fs, {
    commonName: cn,
    groups,
    caCertPath,
    caKeyPath: abs(one(p, '--ca-key')),
    certPath,
    keyPath,
    kubeconfig,
    days: c.days,
    keyType: c.keyType,
    replace: c.force,
  });
  return finish(plan, fs, io, (f) => displayPath(f, io.cwd, []), c.dryRun, c.force, false);
}

async function newControlPlane(p: Parsed, io: Io): Promise<number> {
  const c = common(p);
  const fs = nodeFileSystem();
  const root = path.resolve(io.cwd, need(p, '--root'));
  const port = one(p, '--bind-port');
  const bindPort = port === undefined ? undefined : Number(port);
  if (bindPort !== undefined && (!Number.isInteger(bindPort) || bindPort < 1 || bindPort > 65535))
    throw new UsageError(`--bind-port: not a port: '${port}'`);
  const plan = generate.planControlPlane(fs, {
    root,
    nodeName: need(p, '--node-name'),
    advertiseAddress: need(p, '--advertise-address'),
    serviceCidr: one(p, '--service-cidr'),
    clusterDomain: one(p, '--cluster-domain'),
    controlPlaneEndpoint: one(p, '--control-plane-endpoint'),
    extraSANs: p.values.get('--extra-san') ?? [],
    bindPort,
    keyType: c.keyType,
    days: c.days,
    caDays: c.caDays,
    replace: c.force,
  });
  return finish(plan, fs, io, (f) => displayPath(f, io.cwd, []), c.dryRun, c.force, false);
}

/** --max-files N of generate (as check's: a positive whole number). */
function maxFilesOf(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`--max-files: not a positive whole number: '${v}'`);
  return n;
}
