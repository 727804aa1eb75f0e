// `kube-pki probe [PATH...]`: dials the endpoints the tree names, completes a TLS handshake only, and compares
// what is served with the files (engine/probe). Findings in `check`'s shapes, on the line naming the endpoint.
import * as path from 'node:path';
import { codes, nodeFileSystem, probe as probing } from '../engine';
import { MAX_FILE_BYTES } from '../engine/types';
import { treeCommandOptions, UsageError, usageMessage, CONFIG_USAGE, type Format, type TreeArgs } from './args';
import { formatJson, formatSarif, formatText, type CodeCatalog, type Context } from './format';
import { configProblems, openTree, readTree, tooBigNote } from './tree';
import { plural } from '../engine/words';

export interface Io {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const PROBE_USAGE = `Usage: kube-pki probe [PATH...] [options]

Dials the endpoints the tree names and compares what they serve with the files: every kubeconfig
server:, kube-apiserver's --etcd-servers, etcd's client and peer URLs, the kubelet's port ${probing.KUBELET_PORT} at the
address a node's files give (--node-ip, --address, or the control plane's --advertise-address), and
webhooks' url:. Only hosts written in the files are dialled. Each is dialled once, a TLS handshake
completed and the connection closed: no request is sent, and no client certificate is presented
unless --client-cert is given.

Reports, on the line naming the endpoint:
  served-cert-differs    the certificate served is not the file's (renewed but not restarted?)
  served-cert-untrusted  the chain served does not verify against the CA the line's clients use
  cert-expired, cert-expiring, cert-not-yet-valid   the served certificate's validity
  endpoint-unreachable   (info) refused, timed out, not TLS: nothing compared

Options:
  --root DIR               a folder that stands for the node's '/': /etc/kubernetes/... resolves under it
  --path-mapping /ABS=DIR  map an absolute path prefix to a folder (repeatable)
  --timeout DURATION       per endpoint: seconds, or with a unit (500ms, 3s; default 3s)
  --concurrency N          endpoints dialled at once (default ${probing.DEFAULT_CONCURRENCY})
  --client-cert FILE       present this client certificate (PEM; with --client-key)
  --client-key FILE        its private key (PEM)
  --now ISO8601            judge validity at this instant instead of now
  --expiry-days N          warn about served certificates expiring within N days (default 30)
${CONFIG_USAGE}
  --format text|json|sarif output format (default text; json and sarif as kube-pki check prints them)
  --no-color               no ANSI colours
  -h, --help               show this help

Exit status: 0 no errors, 1 errors found (an unreachable endpoint is no error), 2 bad usage.`;

interface ProbeArgs extends TreeArgs {
  format: Format;
  color?: boolean;
  timeoutMs: number;
  concurrency: number;
  clientCert?: string;
  clientKey?: string;
  help?: boolean;
}

/** Seconds ("3", "1.5"), or a number with a unit (ms, s, m) as Go's durations write them. */
export function parseTimeout(v: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(v);
  if (!m) throw new UsageError(`--timeout: not a duration: '${v}' (seconds, or 500ms, 3s, 1m)`);
  const n = Number(m[1]) * (m[2] === 'ms' ? 1 : m[2] === 'm' ? 60_000 : 1000);
  if (!(n > 0)) throw new UsageError(`--timeout: must be more than 0: '${v}'`);
  if (n > 600_000) throw new UsageError(`--timeout: at most 10 minutes: '${v}'`);
  return n;
}

export function parseProbeArgs(argv: string[]): ProbeArgs {
  const out: ProbeArgs = {
    paths: [],
    pathMappings: [],
    format: 'text',
    timeoutMs: probing.DEFAULT_TIMEOUT_MS,
    concurrency: probing.DEFAULT_CONCURRENCY,
  };
  for (const { name, inline, value } of treeCommandOptions(argv, out)) {
    const flag = () => {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
    };
    switch (name) {
      case '-h':
      case '--help':
        flag();
        return { ...out, help: true };
      case '--format': {
        const v = value();
        if (v !== 'text' && v !== 'json' && v !== 'sarif') throw new UsageError(`--format: expected text, json or sarif, got '${v}'`);
        out.format = v;
        break;
      }
      case '--timeout':
        out.timeoutMs = parseTimeout(value());
        break;
      case '--concurrency': {
        const v = value();
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError(`--concurrency: not a whole number from 1 to 256: '${v}'`);
        out.concurrency = n;
        break;
      }
      case '--client-cert':
      case '--client-key': {
        const v = value();
        if (v.trim() === '') throw new UsageError(`${name} needs a file`);
        if (name === '--client-cert') out.clientCert = v;
        else out.clientKey = v;
        break;
      }
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
  if ((out.clientCert === undefined) !== (out.clientKey === undefined))
    throw new UsageError('--client-cert and --client-key go together (the certificate and its private key)');
  return out;
}

function describeOutcome(e: probing.ProbedEndpoint): string {
  const o = e.outcome;
  if (o.kind === 'unreachable') return `unreachable: ${o.detail}`;
  const match = o.matchesFile === true ? ' · the file’s certificate' : o.matchesFile === false ? ' · NOT the file’s certificate' : '';
  return `serves ${o.subject} · issuer ${o.issuer} · serial ${o.serial} · not after ${o.notAfter}${match}`;
}

export async function runProbe(argv: string[], io: Io, tool: { version: string; informationUri: string }): Promise<number> {
  let args: ProbeArgs;
  try {
    args = parseProbeArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(usageMessage(err.message, 'probe'));
      return 2;
    }
    throw err;
  }
  if (args.help) {
    io.out(`${PROBE_USAGE}\n`);
    return 0;
  }
  const fs = nodeFileSystem();
  let clientCert: probing.DialRequest['clientCert'];
  if (args.clientCert !== undefined && args.clientKey !== undefined) {
    const cert = fs.readFile(path.resolve(io.cwd, args.clientCert), MAX_FILE_BYTES);
    const key = fs.readFile(path.resolve(io.cwd, args.clientKey), MAX_FILE_BYTES);
    if (!cert.ok) return usage(io, `--client-cert ${args.clientCert}: ${cert.reason}`);
    if (!key.ok) return usage(io, `--client-key ${args.clientKey}: ${key.reason}`);
    clientCert = { cert: cert.data, key: key.data };
  }
  let tree;
  try {
    tree = openTree(args, io.cwd, fs, (shown, bytes) => io.err(tooBigNote(shown, bytes, 'not read')));
  } catch (err) {
    if (err instanceof UsageError) return usage(io, err.message);
    throw err;
  }
  const read = readTree(tree, fs);
  const problems = configProblems(tree, read);
  if (problems.length) {
    io.err(`${problems.join('\n')}\nkube-pki: fix the .kube-pki.yaml above (or run with --no-config); nothing was probed\n`);
    return 2;
  }
  const ctx: Context = { cwd: io.cwd, display: tree.display };
  const targets = probing.probeTargets(tree.engine);
  const addresses = probing.addressesOf(targets);
  if (addresses.length === 0) {
    io.err('kube-pki: note: the files name no endpoint to probe (kubeconfig server:, --etcd-servers, etcd URLs, a node address, a webhook url:)\n');
  } else {
    io.err(
      `kube-pki: probing ${plural(addresses.length, 'endpoint')} (TLS handshake only, ${args.timeoutMs / 1000} s each at most): ${addresses.map((a) => a.address).join(', ')}\n`,
    );
  }
  const report = await probing.probe(targets, {
    dialer: probing.tlsDialer,
    now: args.now,
    expiryWarningDays: args.expiryDays,
    timeoutMs: args.timeoutMs,
    concurrency: args.concurrency,
    clientCert,
    display: tree.display,
  });
  const order = (a: probing.ProbeReport['findings'][number], b: probing.ProbeReport['findings'][number]) =>
    cmp(ctx.display(a.file), ctx.display(b.file)) || a.range.start.line - b.range.start.line || cmp(a.code, b.code);
  const findings = report.findings.slice().sort(order);
  const files = new Set(targets.map((t) => t.file)).size;
  const out = { findings, files };
  const color = args.color ?? (io.isTTY && !io.env.NO_COLOR && io.env.TERM !== 'dumb');
  switch (args.format) {
    case 'json':
      io.out(formatJson(out, ctx));
      break;
    case 'sarif':
      io.out(formatSarif(out, ctx, codes as CodeCatalog, tool));
      break;
    default: {
      const lines = report.endpoints.map((e) => `${e.address} (${e.role}): ${describeOutcome(e)}`);
      io.out(`${lines.length ? `${lines.join('\n')}\n\n` : ''}${formatText(out, ctx, color)}`);
    }
  }
  return findings.some((f) => f.severity === 'error') ? 1 : 0;
}

function usage(io: Io, message: string): number {
  io.err(usageMessage(message, 'probe'));
  return 2;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
