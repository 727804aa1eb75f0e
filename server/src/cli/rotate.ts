// `kube-pki rotate-ca [PATH...] --ca cluster|etcd|front-proxy [--stage N]`: one stage of a CA rotation
// (generate/rotate/), judged before it is written: every connection of the tree, in every mix of old and new
// files a rolling restart produces, must still verify, and kube-pki check must find no new error. Prints what
// the stage changes, what must restart or be redistributed, and what to verify before the next stage.
import * as path from 'node:path';
import { Engine, nodeFileSystem, generate } from '../engine';
import type { FileSystem } from '../engine/types';
import { lookupTable } from '../engine/lookup';
import { argTokens, CONFIG_USAGE, parseClusterDomain, parsePathMapping, UsageError, usageMessage } from './args';
import { configProblems, excludedFolderNote, openTree, readTree } from './tree';

interface Io {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const ROTATE_USAGE = `Usage: kube-pki rotate-ca [PATH...] --ca cluster|etcd|front-proxy|service-account [options]

Rotates a CA without an outage, one stage per run, as the Kubernetes documentation's "Manual Rotation of CA
Certificates" does by hand:
  stage 1  trust both: a new CA (NAME-new.crt, NAME-new.key beside the old one); every CA file and
           kubeconfig that trusts the old CA trusts old + new; the signers keep signing with the old one
  stage 2  re-issue: every certificate the old CA signed (files and kubeconfigs' embedded client
           certificates), signed by the new CA with the same subject, SANs and usages, keys kept; NAME.crt
           becomes new + old and NAME.key the new key, so the controller-manager signs with the new CA;
           the old CA is kept as NAME-old.crt, NAME-old.key
  stage 3  trust only the new: the old CA removed from every bundle; NAME-old.* archived in rotated/
The stage the files are at is read from them (what NAME.crt holds, which key NAME.key is). Before writing,
kube-pki checks every connection it knows (kubeconfigs -> apiserver, apiserver -> etcd, etcd peers,
apiserver -> kubelet, front proxy, pods -> apiserver), with each side's files old or new as a rolling
restart leaves them, and kube-pki check's errors: a stage that would break one is refused, naming it.

Options:
  --ca CA                  cluster (pki/ca.crt), etcd (pki/etcd/ca.crt), front-proxy (pki/front-proxy-ca.crt),
                           or service-account (pki/sa.key, pki/sa.pub: the same stages with the key pair:
                           1 both public keys in --service-account-key-file, 2 sign with the new key,
                           3 the old public key removed)
  --stage N                the stage to write (default: the next one)
  --dry-run                print the stage and its checks, write nothing
  --key-type T             the new CA's key (stage 1), and new leaf keys with --new-keys: rsa-2048 (default),
                           rsa-3072, rsa-4096, ecdsa-p256, ecdsa-p384
  --days N                 validity of the new CA (stage 1, default 3650) or of the re-issued certificates
                           (stage 2, default: as long as each one was)
  --new-keys               stage 2: new keys for the re-issued certificates (default: keep them)
  --root DIR, --path-mapping /ABS=DIR, --cluster-domain D   as for check
${CONFIG_USAGE}

Replaced files are kept as NAME.bak-YYYYMMDDhhmmss; keys are written 0600. Exit status: 0 written (or,
with --dry-run, would be), 1 refused or not written, 2 bad usage.`;

const CAS = lookupTable<generate.RotatedCa | 'service-account'>({
  cluster: 'cluster',
  etcd: 'etcd',
  'front-proxy': 'front-proxy',
  'service-account': 'service-account',
  sa: 'service-account',
});
const VALUES = new Set(['--ca', '--stage', '--key-type', '--days', '--root', '--path-mapping', '--cluster-domain', '--config', '--exclude']);
const FLAGS = new Set(['--dry-run', '--new-keys', '--no-config', '-h', '--help']);

export async function runRotate(argv: string[], io: Io): Promise<number> {
  try {
    return await rotate(argv, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(usageMessage(err.message, 'rotate-ca'));
      return 2;
    }
    throw err;
  }
}

async function rotate(argv: string[], io: Io): Promise<number> {
  const positional: string[] = [];
  const values = new Map<string, string[]>();
  const flags = new Set<string>();
  for (const token of argTokens(argv)) {
    if ('positional' in token) {
      positional.push(token.positional);
      continue;
    }
    if (FLAGS.has(token.name)) {
      if (token.inline !== undefined) throw new UsageError(`${token.name} takes no value`);
      flags.add(token.name);
      continue;
    }
    if (!VALUES.has(token.name)) throw new UsageError(`unknown option '${token.name}' for rotate-ca`);
    const v = token.value().trim();
    if (v === '') throw new UsageError(`${token.name} needs a value`);
    values.set(token.name, [...(values.get(token.name) ?? []), v]);
  }
  if (flags.has('-h') || flags.has('--help')) {
    io.out(`${ROTATE_USAGE}\n`);
    return 0;
  }
  const one = (name: string) => {
    const v = values.get(name);
    if (v && v.length > 1) throw new UsageError(`${name} given more than once`);
    return v?.[0];
  };
  const caWord = one('--ca');
  if (caWord === undefined) throw new UsageError('rotate-ca needs --ca cluster, etcd, front-proxy or service-account');
  const ca = CAS[caWord.toLowerCase()];
  if (!ca) throw new UsageError(`--ca: expected cluster, etcd, front-proxy or service-account, got '${caWord}'`);
  const stageWord = one('--stage');
  const stage = stageWord === undefined ? undefined : Number(stageWord);
  if (stage !== undefined && stage !== 1 && stage !== 2 && stage !== 3) throw new UsageError(`--stage: expected 1, 2 or 3, got '${stageWord}'`);
  const kt = one('--key-type');
  const keyType = kt === undefined ? undefined : generate.offeredKeyType(kt);
  if (kt !== undefined && !keyType) throw new UsageError(`--key-type: expected rsa-2048, rsa-3072, rsa-4096, ecdsa-p256 or ecdsa-p384, got '${kt}'`);
  const daysWord = one('--days');
  const days = daysWord === undefined ? undefined : Number(daysWord);
  if (days !== undefined && (!Number.isInteger(days) || days <= 0 || days > 36500))
    throw new UsageError(`--days: not a whole number of days between 1 and 36500: '${daysWord}'`);
  const config = one('--config');
  if (config !== undefined && flags.has('--no-config')) throw new UsageError('--config and --no-config exclude each other');
  const domain = one('--cluster-domain');

  const fs = nodeFileSystem();
  const tree = openTree(
    {
      paths: positional,
      root: one('--root'),
      clusterDomain: domain === undefined ? undefined : parseClusterDomain(domain),
      pathMappings: (values.get('--path-mapping') ?? []).map(parsePathMapping),
      config: flags.has('--no-config') ? false : config,
      exclude: values.get('--exclude'),
    },
    io.cwd,
    fs,
  );
  for (const folder of tree.excludedFolders) io.err(excludedFolderNote(tree, folder, 'not read'));
  const problems = configProblems(tree, readTree(tree, fs));
  if (problems.length) {
    io.err(`${problems.join('\n')}\nkube-pki: fix the .kube-pki.yaml above (or run with --no-config); nothing was written\n`);
    return 2;
  }
  const { engine, display: show } = tree;
  const dryRun = flags.has('--dry-run');
  const result = await generate.prepareRotation(engine, {
    ca,
    stage: stage as generate.RotationStage | undefined,
    keyType,
    days,
    newKeys: flags.has('--new-keys'),
    roots: tree.given.map((g) => (g.kind === 'directory' ? g.abs : path.dirname(g.abs))),
    engineOver: (over: FileSystem) => new Engine(over, engine.options),
    show,
  });
  return report(result, fs, io, show, dryRun);
}

const STAGE_TITLES = { 1: 'trust both the old and the new CA', 2: 're-issue with the new CA', 3: 'trust only the new CA' } as const;
const SA_STAGE_TITLES = { 1: 'trust both the old and the new key', 2: 'sign with the new key', 3: 'trust only the new key' } as const;

function mode(m: number): string {
  return `0${m.toString(8)}`;
}

function report(r: generate.RotationResult, fs: FileSystem, io: Io, show: (p: string) => string, dryRun: boolean): number {
  const sa = r.ca === 'service-account';
  const at = r.current === 0 ? `not rotating (one ${sa ? 'key' : 'CA'})` : `stage ${r.current} written`;
  io.out(`rotating ${r.title}: ${r.sites.map(show).join(', ') || '(not found)'}; the files are at: ${at}\n`);
  if (r.refusal && r.files.length === 0) {
    io.err(`kube-pki: stage ${r.stage} refused: ${r.refusal}; nothing was written\n`);
    return 1;
  }
  io.out(`stage ${r.stage} of 3: ${(sa ? SA_STAGE_TITLES : STAGE_TITLES)[r.stage]}\n`);
  io.out(dryRun || r.refusal || r.broken.length || r.newErrors.length ? 'it would change:\n' : 'it changes:\n');
  for (const f of r.files) io.out(`  ${f.replace ? 'replace' : 'create'} ${show(f.path)} (${mode(f.mode)}): ${f.summary}\n`);
  for (const m of r.moves) io.out(`  archive ${show(m.from)} -> ${show(m.to)}\n`);
  for (const x of r.removals)
    io.out(`  remove ${show(x)} (the staging copy of what the stage writes into ${x.endsWith('.key') ? 'the key file' : 'the CA file'})\n`);
  for (const n of r.notReissued) io.out(`  not re-issued: ${n}\n`);
  for (const b of r.byHand) io.out(`  by hand: ${b}\n`);
  for (const b of r.refilled) io.out(`  left to its controller: ${b}\n`);
  io.out(
    `checked: ${r.connectionsChecked} connections, each with either side's files old or new as a rolling restart leaves them; kube-pki check on the tree after the stage\n`,
  );
  for (const b of r.broken) io.out(`  BREAKS ${b.connection}: ${b.check} (${b.mix}): ${b.message}\n`);
  for (const e of r.newErrors) io.out(`  NEW ERROR ${e}\n`);
  if (r.refusal || r.broken.length || r.newErrors.length) {
    const why = r.broken.length
      ? `it would break ${r.broken.length} connection${r.broken.length === 1 ? '' : 's'} (above)`
      : r.newErrors.length
        ? `kube-pki check would report ${r.newErrors.length} new error${r.newErrors.length === 1 ? '' : 's'} (above)`
        : r.refusal!;
    io.err(`kube-pki: stage ${r.stage} refused: ${why}${r.refusal && why !== r.refusal ? `; ${r.refusal}` : ''}; nothing was written\n`);
    return 1;
  }
  io.out('  every connection still verifies; no new error\n');
  io.out('restart or redistribute, on every node:\n');
  for (const x of r.restart) io.out(`  ${x}\n`);
  io.out(`verify before ${r.stage < 3 ? `stage ${r.stage + 1}` : 'deleting the archived key'}:\n`);
  for (const v of r.verifyNext) io.out(`  ${v}\n`);
  if (dryRun) {
    io.out('dry run: nothing was written\n');
    return 0;
  }
  const write = generate.writeBatch(r.files, { fs, allowReplace: true });
  for (const w of write.written)
    io.out(`${w.replaced ? 'replaced' : 'created'} ${show(w.path)}${w.backup ? ` (old kept as ${path.basename(w.backup)})` : ''}\n`);
  if (!write.ok) {
    io.err(`kube-pki: ${write.error?.path ? `${show(write.error.path)}: ` : ''}${write.error?.message}\n`);
    if (write.notWritten.length) io.err(`kube-pki: not written (unchanged): ${write.notWritten.map(show).join(', ')}\n`);
    return 1;
  }
  const fin = generate.finishRotation(r);
  for (const d of fin.done) io.out(`${d.verb} ${show(d.path)}${d.to ? ` to ${show(d.to)}` : ''}\n`);
  if (fin.error) {
    io.err(`kube-pki: ${fin.error}\n`);
    return 1;
  }
  io.out(`stage ${r.stage} written\n`);
  return 0;
}
