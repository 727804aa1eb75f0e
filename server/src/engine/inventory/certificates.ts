// Phase 7: the inventory's certificate records. Reads each Entry with what the other phases decided: its
// issuer (issuers.ts), its key (keys.ts), its problems (findings.ts), its node folders (nodes.ts), and the
// inventory's instant and warning days. Produces one InventoryCertificate per certificate (plain JSON: names,
// SANs, validity, expiry status, the best-ranked role, files with the referenced ones first), sorted by
// expiry, then kubeadm name or first file, then id.
import { certInternals, type Certificate } from '../pki/certificate';
import { isSelfSigned } from '../pki/verify';
import type { ExpiryStatus, InventoryCertificate, InventoryProblem } from './types';
import { filesOf, type Entry, type KeyRecord } from './collection';
import { DAY } from '../decode/time';

export interface Decisions {
  issuerOf(e: Entry): Entry | undefined;
  keyFor(e: Entry): KeyRecord | undefined;
  problemsOf(e: Entry): InventoryProblem[];
  nodeDirs: Map<Entry, string[]>;
  /** How a node folder is shown (nodes.ts nodeNames). */
  nodeName(dir: string): string;
}

export function certificateRecords(entries: Iterable<Entry>, d: Decisions, now: number, warnDays: number): InventoryCertificate[] {
  const certificates: InventoryCertificate[] = [];
  for (const e of entries) {
    const cert = e.cert;
    const issuer = d.issuerOf(e);
    const key = d.keyFor(e);
    const files = filesOf(e);
    const problems = d.problemsOf(e);
    const best = e.roles.length ? e.roles.reduce((a, b) => (b.rank < a.rank ? b : a)) : undefined;
    const dirs = d.nodeDirs.get(e) ?? [];
    const node = dirs.length ? d.nodeName(dirs[0]) : undefined;
    const nodes = dirs.map(d.nodeName).sort();
    const c: InventoryCertificate = {
      id: cert.sha256,
      subject: cert.subject.text,
      issuer: cert.issuer.text,
      ...(cert.subject.commonName !== undefined ? { commonName: cert.subject.commonName } : {}),
      organizations: [...cert.subject.organizations],
      organizationalUnits: [...cert.subject.organizationalUnits],
      serialNumber: certInternals(cert).serialDecimal,
      ...(cert.issuer.commonName !== undefined ? { issuerCommonName: cert.issuer.commonName } : {}),
      issuerOrganizations: [...cert.issuer.organizations],
      issuerOrganizationalUnits: [...cert.issuer.organizationalUnits],
      sans: [...cert.dnsNames, ...cert.ipAddresses],
      isCA: cert.isCA,
      selfSigned: isSelfSigned(cert),
      notBefore: cert.notBefore.toISOString(),
      notAfter: cert.notAfter.toISOString(),
      daysLeft: Math.floor((cert.notAfter.getTime() - now) / DAY),
      status: statusOf(cert, now, warnDays),
      keyAlgorithm: cert.publicKey.description,
      ...(issuer ? { issuerId: issuer.cert.sha256 } : {}),
      ...(best ? { role: best.role } : cert.isCA ? { role: 'CA' } : {}),
      ...(node ? { node } : {}),
      ...(nodes.length > 1 ? { nodes } : {}),
      ...(best?.component ? { component: best.component } : {}),
      ...(e.kubeadmName ? { kubeadmName: e.kubeadmName } : {}),
      files,
      references: e.refs,
      problems,
      ...(key ? { keyFile: key.file } : {}),
      externallyManaged: cert.isCA && !key,
    };
    certificates.push(c);
  }
  certificates.sort(
    (a, b) =>
      Date.parse(a.notAfter) - Date.parse(b.notAfter) ||
      (a.kubeadmName ?? a.files[0] ?? a.subject).localeCompare(b.kubeadmName ?? b.files[0] ?? b.subject) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return certificates;
}

function statusOf(cert: Certificate, now: number, warnDays: number): ExpiryStatus {
  if (now < cert.notBefore.getTime()) return 'not-yet-valid';
  if (now > cert.notAfter.getTime()) return 'expired';
  if (cert.notAfter.getTime() - now <= warnDays * DAY) return 'expiring';
  return 'ok';
}
