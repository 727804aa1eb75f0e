// What a planned certificate holds (CertSpec: CN, O, key usage, EKU, SANs, validity): a CA's and a
// leaf's from kubeadm's profiles (shared with the plans made on request), a missing certificate's
// from its role, a wrong one's corrected from what it holds (what was right is kept); and what is
// said when the subject cannot be told (a user's role, a node name), with the command to run.
import * as path from 'node:path';
import { ADMIN_GROUP_NOTES, adminGroupsInOrder, adminLayout, nearMiss } from '../../cluster';
import type { Certificate } from '../../pki/certificate';
import type { ExtKeyUsageName } from '../certs';
import { acceptedGroups, CA_KEY_USAGE, LEAF_KEY_USAGE, leafProfiles, normaliseNames, type CertSpec, type LeafRole } from '../profiles';
import type { Planner } from './planner';
import type { LeafSlot } from './slots';
import { siblingKey } from './paths';

/** A CA certificate: kubeadm's (its CN as its only DNS name). */
export function caSpec(cn: string, days: number): CertSpec {
  return {
    commonName: cn,
    organizations: [],
    isCA: true,
    keyUsage: CA_KEY_USAGE,
    extKeyUsage: [],
    dnsNames: [cn],
    ipAddresses: [],
    validityDays: days,
  };
}

/** A leaf certificate of this role: its extended key usage unless told otherwise, names normalised. */
export function leafSpec(
  role: LeafRole,
  cn: string,
  organizations: string[],
  dns: string[],
  ips: string[],
  days: number,
  eku: ExtKeyUsageName[] = leafProfiles[role].extKeyUsage,
): CertSpec {
  const n = normaliseNames(dns, ips);
  return {
    commonName: cn,
    organizations,
    isCA: false,
    keyUsage: LEAF_KEY_USAGE,
    extKeyUsage: eku,
    dnsNames: n.dnsNames,
    ipAddresses: n.ipAddresses,
    validityDays: days,
  };
}

/**
 * Roles whose existing CN is kept on a re-issue: any admin name works (its group makes it admin), a
 * user's name is the user's, and nobody judges the CN of a controller-manager's or scheduler's
 * serving certificate.
 */
const FREE_CN = new Set<LeafRole>(['admin', 'super-admin', 'user', 'controller-manager-serving', 'scheduler-serving']);

/** A missing certificate: everything from the role. */
export function freshSpec(planner: Planner, slot: LeafSlot): CertSpec | undefined {
  const cn = slot.allowedCNs?.includes(leafProfiles[slot.role].commonName ?? '')
    ? leafProfiles[slot.role].commonName
    : (slot.allowedCNs?.[0] ?? slot.expectedCN);
  if (!cn) return undefined;
  return leafSpec(slot.role, cn, leafProfiles[slot.role].organizations, slot.needs.dns, slot.needs.ips, planner.days);
}

/** Why the subject of a certificate cannot be told, and what to do instead. */
export function unknownSubject(planner: Planner, slot: LeafSlot): string {
  if (slot.role === 'user') {
    const who = slot.user ? `user "${slot.user.name}" of ${path.basename(slot.unit.file)}` : 'its user';
    return (
      `its role cannot be told (${who} is not the admin, a control-plane component or a kubelet), so neither its CN (the user name the apiserver sees) nor its O (the user's groups): ` +
      `make it with ${newClientCommand(planner, slot)}, one --group per group (none for a user in no group)`
    );
  }
  return 'the node name it is issued for cannot be told from the workspace (no etcd --name, no kubelet.conf user system:node:NAME near it): pass it (kube-pki generate --node-name NAME)';
}

/** kube-pki new-client with what the workspace says about this certificate. */
export function newClientCommand(planner: Planner, slot: LeafSlot): string {
  const cn = slot.cert?.subject.commonName ?? (slot.role === 'user' ? slot.user?.name : slot.expectedCN) ?? 'NAME';
  const groups = slot.cert?.subject.organizations ?? leafProfiles[slot.role].organizations;
  const words = [
    'kube-pki new-client',
    `--cn ${shellWord(cn)}`,
    ...(groups.length ? groups.map((g) => `--group ${shellWord(g)}`) : slot.role === 'user' ? ['--group GROUP'] : []),
  ];
  words.push(`--ca ${slot.signer ? shellWord(slot.signer.certPath) : 'CA.crt'}`);
  if (slot.signer && slot.signer.keyPath !== siblingKey(planner.fs, slot.signer.certPath)) words.push(`--ca-key ${shellWord(slot.signer.keyPath)}`);
  if (slot.certPath) {
    words.push(`--out ${shellWord(slot.certPath)}`);
    if (slot.keyPath && slot.keyPath !== slot.certPath) words.push(`--key ${shellWord(slot.keyPath)}`);
  } else if (slot.user && slot.unit.kind === 'kubeconfig') {
    words.push(`--out ${shellWord(slot.user.name.replace(/[^\w.-]+/g, '_'))}.crt`);
  }
  return words.join(' ');
}

/** An existing certificate corrected: what was right is kept, what the role needs is added or fixed. */
export function correctedSpec(planner: Planner, slot: LeafSlot, cert: Certificate, changes: string[]): CertSpec {
  const oldCN = cert.subject.commonName ?? '';
  let cn = oldCN;
  if (slot.allowedCNs && !slot.allowedCNs.includes(cn)) cn = slot.allowedCNs[0];
  else if (slot.role === 'kubelet') {
    if (slot.expectedCN && cn !== slot.expectedCN) cn = slot.expectedCN;
  } else if (slot.expectedCN && !FREE_CN.has(slot.role) && cn !== slot.expectedCN) cn = slot.expectedCN;
  else if ((slot.role === 'admin' || slot.role === 'super-admin') && cn === '') cn = slot.expectedCN ?? cn;
  else if (nearMiss(cn, 'user')) cn = nearMiss(cn, 'user')!;
  if (cn !== oldCN) changes.push(`CN ${oldCN || '(none)'} → ${cn}`);

  let orgs = cert.subject.organizations.map((o) => nearMiss(o, 'group') ?? o);
  const accepted = acceptedGroups[slot.role];
  let note = '';
  if (accepted && slot.role === 'admin' && slot.unit.kind === 'kubeconfig' && !cert.subject.organizations.some((o) => accepted.includes(o))) {
    // The admin's group follows its kubeadm release (or the quick fix's choice), not only what its O was meant to be.
    const order = adminGroupsInOrder(
      adminLayout(planner.cluster, slot.unit),
      orgs.find((o) => accepted.includes(o)),
    );
    const group = planner.opts.adminGroup && accepted.includes(planner.opts.adminGroup) ? planner.opts.adminGroup : order[0];
    orgs = orgs.some((o) => accepted.includes(o)) ? orgs.map((o) => (accepted.includes(o) ? group : o)) : [group];
    note = ADMIN_GROUP_NOTES[group] ? `: ${ADMIN_GROUP_NOTES[group]}` : '';
  } else if (accepted && !orgs.some((o) => accepted.includes(o))) orgs = [accepted[0]];
  orgs = [...new Set(orgs)];
  if (orgs.join(',') !== cert.subject.organizations.join(','))
    changes.push(`O ${cert.subject.organizations.join('+') || '(none)'} → ${orgs.join('+') || '(none)'}${note}`);

  const had = (cert.extKeyUsage ?? []).filter((u): u is ExtKeyUsageName => u === 'serverAuth' || u === 'clientAuth');
  const eku = [...new Set([...had, ...leafProfiles[slot.role].extKeyUsage])];
  const addedEku = eku.filter((u) => !had.includes(u));
  if (cert.extKeyUsage && addedEku.length) changes.push(`adds extended key usage ${addedEku.join(', ')}`);

  const dns = [...cert.dnsNames];
  const ips = [...cert.ipAddresses];
  const added: string[] = [];
  for (const d of slot.needs.dns) {
    if (dns.some((x) => x.toLowerCase() === d.toLowerCase())) continue;
    dns.push(d);
    added.push(d);
  }
  for (const i of slot.needs.ips) {
    if (ips.includes(i)) continue;
    ips.push(i);
    added.push(i);
  }
  if (added.length) changes.push(`adds SAN ${added.join(', ')}`);
  return leafSpec(slot.role, cn, orgs, dns, ips, planner.days, eku);
}

/** A word as a POSIX shell reads it back (for commands the messages suggest). */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
