// `kube-pki expiration [PATH...]`: every certificate of a tree, as `kubeadm certs check-expiration` lists a
// node's, for any tree (several nodes, kubeconfigs from anywhere, loose files) and not only a live node:
// certificates then CAs, sorted by residual time, with kubeadm's time formats; or the engine's Inventory
// as JSON or YAML.
import { stringify as yamlStringify } from 'yaml';
import { buildInventory, isRotatedKubeletClient, kubeadmExpiryTime, kubeletRotationAdvice, nodeFileSystem, shortHumanDuration } from '../engine';
import type { Inventory, InventoryCertificate, InventoryObject } from '../engine/inventory/types';
import { CONFIG_USAGE, treeCommandOptions, UsageError, usageMessage, type TreeArgs } from './args';
import { configProblems, excludedFolderNote, openTree, readTree, tooBigNote, walkLimitNotes, type OpenTree } from './tree';
import { formatKubeadmJson, formatKubeadmYaml, formatPrometheus, kubeadmExpirationInfos } from './expirationFormats';

export const EXPIRATION_USAGE = `Usage: kube-pki expiration [PATH...] [options]

Lists every certificate of a Kubernetes tree with its expiry, like kubeadm certs check-expiration: the
certificates kubeconfigs, static pod manifests and kubelet configs reference (files, CA bundles, inline
*-data) and the .crt/.pem/.cer files lying below the PATHs (default: the current folder), each once.
Certificates first, then certificate authorities, each sorted by residual time.

Options:
  --root DIR               a folder that stands for the node's '/': /etc/kubernetes/... resolves under it
  --path-mapping /ABS=DIR  map an absolute path prefix to a folder (repeatable; tried before --root)
  --now ISO8601            compute residual times at this instant instead of now
  --expiry-days N          'expiring' within N days in json/yaml (default 30)
  --cluster-domain D       the cluster DNS domain (default cluster.local)
${CONFIG_USAGE}
  -o, --output FORMAT      table (default), json or yaml (the inventory: issuers, roles, keys, findings),
                           prometheus (node_exporter's textfile collector: x509_cert_not_after,
                           x509_cert_not_before, x509_cert_expired with enix/x509-certificate-exporter's
                           labels, and role, node), kubeadm-json or kubeadm-yaml (kubeadm certs
                           check-expiration -o json|yaml: output.kubeadm.k8s.io/v1alpha3
                           CertificateExpirationInfo, one per node tree)
  -h, --help               show this help

Columns: CERTIFICATE (its file, or the file that embeds it and, for a Kubernetes object, which one:
"deploy.yaml (Secret ingress/web-tls)"; a kubeconfig's user, the field, the CN where needed to tell rows
apart: "kubeconfig (user alice)"), EXPIRES, RESIDUAL TIME (kubeadm's rounding: 364d, 9y, <invalid> once
expired), CERTIFICATE AUTHORITY (the CA whose key signed it, by its kubeadm name: ca, etcd-ca,
front-proxy-ca; else its CN), EXTERNALLY MANAGED (yes when the CA's private key is not in the tree; for a
certificate, when its CA's is not, as kubeadm prints it).

Exit status: 0, or 1 when any certificate has expired (or is not valid yet), 2 bad usage or an invalid
.kube-pki.yaml. With -o prometheus, kubeadm-json or kubeadm-yaml, 0 whatever the certificates (as kubeadm;
the output says which have expired), so a cron job writes the file every time.`;

const OUTPUTS = ['table', 'json', 'yaml', 'prometheus', 'kubeadm-json', 'kubeadm-yaml'] as const;
type Output = (typeof OUTPUTS)[number];

interface ExpirationArgs extends TreeArgs {
  output: Output;
  help?: boolean;
}

interface Io {
  out(s: string): void;
  err(s: string): void;
  cwd: string;
}

export function parseExpirationArgs(argv: string[]): ExpirationArgs {
  const out: ExpirationArgs = { paths: [], pathMappings: [], output: 'table' };
  for (const { name, inline, value } of treeCommandOptions(argv, out)) {
    switch (name) {
      case '-h':
      case '--help':
        if (inline !== undefined) throw new UsageError(`${name} takes no value`);
        out.help = true;
        return out;
      case '-o':
      case '--output':
      case '--format': {
        const v = value();
        if (!(OUTPUTS as readonly string[]).includes(v))
          throw new UsageError(`${name}: expected ${OUTPUTS.slice(0, -1).join(', ')} or ${OUTPUTS[OUTPUTS.length - 1]}, got '${v}'`);
        out.output = v as Output;
        break;
      }
      default:
        throw new UsageError(`unknown option '${name}'`);
    }
  }
  return out;
}

export function runExpiration(argv: string[], io: Io): number {
  const usageError = (message: string) => {
    io.err(usageMessage(message, 'expiration'));
    return 2;
  };
  let args: ExpirationArgs;
  try {
    args = parseExpirationArgs(argv);
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message);
    throw err;
  }
  if (args.help) {
    io.out(`${EXPIRATION_USAGE}\n`);
    return 0;
  }

  const fs = nodeFileSystem();
  let tree: OpenTree;
  try {
    tree = openTree(args, io.cwd, fs, (shown, bytes) => io.err(tooBigNote(shown, bytes, 'not read')));
  } catch (err) {
    if (err instanceof UsageError) return usageError(err.message);
    throw err;
  }
  for (const folder of tree.excludedFolders) io.err(excludedFolderNote(tree, folder, 'not read'));
  const problems = configProblems(tree, readTree(tree, fs));
  if (problems.length) {
    io.err(`${problems.join('\n')}\nkube-pki: fix the .kube-pki.yaml above (or run with --no-config)\n`);
    return 2;
  }
  const { engine, given, display } = tree;

  // Loose certificates below the folders given, and the files given by name (a .crt named on the command line).
  const inventory = buildInventory(engine, { roots: given.map((g) => g.abs) });
  switch (args.output) {
    case 'json':
      io.out(`${JSON.stringify(inventory, null, 2)}\n`);
      break;
    case 'yaml':
      io.out(yamlStringify(inventory, { aliasDuplicateObjects: false }));
      break;
    case 'prometheus':
      io.out(formatPrometheus(inventory));
      if (inventory.certificates.length === 0) io.err('kube-pki: note: no certificates found\n');
      return 0;
    case 'kubeadm-json':
    case 'kubeadm-yaml': {
      const { nodes, infos } = kubeadmExpirationInfos(inventory);
      if (infos.length === 0) {
        io.err("kube-pki: note: no kubeadm certificate found (kubeadm's names: apiserver, admin.conf, ca ... in a node's /etc/kubernetes)\n");
        return 0;
      }
      if (infos.length > 1)
        io.err(
          `kube-pki: note: ${infos.length} node trees, one CertificateExpirationInfo each, in this order: ${nodes.map((n) => n || '.').join(', ')}\n`,
        );
      io.out(infos.map(args.output === 'kubeadm-json' ? formatKubeadmJson : formatKubeadmYaml).join(args.output === 'kubeadm-yaml' ? '---\n' : ''));
      return 0;
    }
    default:
      io.out(formatExpirationTable(inventory, display));
      if (inventory.certificates.length === 0) io.err('kube-pki: note: no certificates found\n');
      for (const note of rotationNotes(inventory, display)) io.err(`kube-pki: note: ${note}\n`);
  }
  // What a limit of the walks left out: the configs' walk (tree.ts), the walk for loose certificate files (inventory).
  const limits = walkLimitNotes(tree, 'not read');
  if (limits.notes) io.err(limits.notes);
  const loose = inventory.limits;
  if (loose?.files)
    io.err(
      `kube-pki: note: stopped after ${loose.files.limit} certificate and key files; those after ${display(loose.files.after)} were not read (give a narrower PATH, or exclude folders in .kube-pki.yaml)\n`,
    );
  if (loose?.depth && !tree.limits.some((l) => l.report.depth))
    io.err(`kube-pki: note: folders nested more than ${loose.depth.limit} deep were not read (${loose.depth.folders.map(display).join(', ')})\n`);
  if (inventory.certificates.some((c) => c.status === 'expired' || c.status === 'not-yet-valid')) return 1;
  return limits.incomplete || loose ? 3 : 0;
}

/** The kubelet's rotated client certificates that expire within the warning window: what renews them, and what to check. */
export function rotationNotes(inventory: Inventory, display: (file: string) => string): string[] {
  return inventory.certificates
    .filter((c) => !c.isCA && (c.status === 'expiring' || c.status === 'expired') && c.files.some(isRotatedKubeletClient))
    .map((c) => {
      const file = display(c.files.find(isRotatedKubeletClient)!);
      return `${file} ${c.status === 'expired' ? 'has expired' : `expires in ${shortHumanDuration(Date.parse(c.notAfter) - Date.parse(inventory.now))}`}: ${kubeletRotationAdvice(c.status === 'expired')}`;
    });
}

// ---------------------------------------------------------------------------------------------------------
// The table, as kubeadm prints it: Go's text/tabwriter with minwidth 10, padding 3, spaces; the last column is
// `%-8v` (yes/no padded to 8), not aligned by the writer. The two tables are aligned separately.

/** Go's tabwriter.NewWriter(out, 10, 4, 3, ' ', 0) over lines whose cells are separated by tabs. */
export function tabwrite(lines: string[][]): string {
  const width: number[] = [];
  const len = (s: string) => [...s].length;
  for (const cells of lines) {
    for (let i = 0; i < cells.length - 1; i++) width[i] = Math.max(width[i] ?? 10, len(cells[i]) + 3);
  }
  return lines.map((cells) => cells.map((c, i) => (i < cells.length - 1 ? c + ' '.repeat(width[i] - len(c)) : c)).join('') + '\n').join('');
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no').padEnd(8);

/** How a reference's object is named in the CERTIFICATE column: 'Secret ingress/web-tls', 'user alice'. */
export function objectLabel(o: InventoryObject): string {
  if (o.kind === 'user' || o.kind === 'cluster') return `${o.kind} ${o.name || '(no name)'}`;
  if (o.templated) return o.name ? `${o.kind} ${o.name} in a namespace set by a template` : `${o.kind} named by a template`;
  if (!o.name) return `${o.kind} without a name`;
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/**
 * A row's CERTIFICATE label and the details that tell it from others: the file (with how many other copies),
 * or the file that embeds it and what there holds it (the object, then the field), then the certificate's CN.
 * A Kubernetes object is always named; a kubeconfig's user or cluster, the field and the CN only when needed.
 */
function labelParts(c: InventoryCertificate, display: (file: string) => string): { base: string; details: string[]; always: number } {
  const who = c.commonName !== undefined ? `CN=${c.commonName}` : c.subject;
  if (c.files.length) return { base: display(c.files[0]) + (c.files.length > 1 ? ` (+${c.files.length - 1})` : ''), details: [who], always: 0 };
  const ref = c.references[0];
  if (!ref) return { base: c.commonName ?? c.subject, details: [], always: 0 };
  const o = ref.object;
  const details = [...(o ? [objectLabel(o)] : []), ref.field, who];
  return { base: display(ref.file), details, always: o && o.kind !== 'user' && o.kind !== 'cluster' ? 1 : 0 };
}

function withDetails(p: { base: string; details: string[] }, level: number): string {
  return level === 0 ? p.base : `${p.base} (${p.details.slice(0, level).join(', ')})`;
}

/** The CERTIFICATE column: the file (with how many other copies), or the file that embeds it and the object there. */
export function certificateLabel(c: InventoryCertificate, display: (file: string) => string): string {
  const p = labelParts(c, display);
  return withDetails(p, p.always);
}

/** The labels of one table's rows, each with as many details as it takes to tell it from the others. */
function distinctLabels(certs: InventoryCertificate[], display: (file: string) => string): string[] {
  const parts = certs.map((c) => labelParts(c, display));
  const level = parts.map((p) => p.always);
  let labels = parts.map((p, i) => withDetails(p, level[i]));
  for (let round = 0; round < 3; round++) {
    const count = new Map<string, number>();
    for (const l of labels) count.set(l, (count.get(l) ?? 0) + 1);
    let changed = false;
    parts.forEach((p, i) => {
      if ((count.get(labels[i]) ?? 0) > 1 && level[i] < p.details.length) {
        level[i]++;
        changed = true;
      }
    });
    if (!changed) break;
    labels = parts.map((p, i) => withDetails(p, level[i]));
  }
  return labels;
}

/** The CERTIFICATE AUTHORITY column: the issuer's kubeadm name (ca, etcd-ca, front-proxy-ca), else its CN. */
function authorityLabel(c: InventoryCertificate, byId: Map<string, InventoryCertificate>): string {
  if (c.selfSigned) return 'self-signed';
  const issuer = c.issuerId ? byId.get(c.issuerId) : undefined;
  if (!issuer) return `${c.issuer.replace(/^CN=/, '') || '?'} (not found)`;
  return issuer.kubeadmName ?? issuer.commonName ?? issuer.subject;
}

export function formatExpirationTable(inventory: Inventory, display: (file: string) => string): string {
  const now = Date.parse(inventory.now);
  const byId = new Map(inventory.certificates.map((c) => [c.id, c]));
  // Each table's rows told apart among themselves (a Secret and a CA of one manifest are in different tables).
  const rows = [false, true].flatMap((ca) => {
    const certs = inventory.certificates.filter((c) => c.isCA === ca);
    const labels = distinctLabels(certs, display);
    return certs.map((c, i) => ({ c, label: labels[i], notAfter: Date.parse(c.notAfter) }));
  });
  rows.sort((a, b) => a.notAfter - b.notAfter || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const residual = (t: number) => shortHumanDuration(t - now);
  const leaves: string[][] = [['CERTIFICATE', 'EXPIRES', 'RESIDUAL TIME', 'CERTIFICATE AUTHORITY', 'EXTERNALLY MANAGED']];
  const cas: string[][] = [['CERTIFICATE AUTHORITY', 'EXPIRES', 'RESIDUAL TIME', 'EXTERNALLY MANAGED']];
  for (const { c, label, notAfter } of rows) {
    const expires = kubeadmExpiryTime(new Date(notAfter));
    if (c.isCA) {
      cas.push([label, expires, residual(notAfter), yesNo(c.externallyManaged)]);
    } else {
      // kubeadm: a certificate is externally managed when its CA is.
      const issuer = c.issuerId ? byId.get(c.issuerId) : undefined;
      leaves.push([label, expires, residual(notAfter), authorityLabel(c, byId), yesNo(issuer?.externallyManaged ?? false)]);
    }
  }
  return `${tabwrite(leaves)}\n${tabwrite(cas)}`;
}
