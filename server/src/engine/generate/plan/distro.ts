// k3s and RKE2 servers (cluster/distro.ts): the leaves of each tls folder the workspace holds (<data-dir>/server/tls,
// found from a leaf read as a document or from the server's configuration), each with the CA of the same folder that
// signs it in k3s's source (pkg/daemons/control/deps/deps.go: genClientCerts from client-ca, genServerCerts from
// server-ca, genRequestHeaderCerts from request-header-ca, genETCDCerts from etcd/server-ca and etcd/peer-ca), k3s's
// file names and the subject each has (kept: a re-issue changes what a finding says is wrong, nothing else), and for
// serving-kube-apiserver.crt the names the configuration asks (tls-san, advertise-address, node-ip, the k3s defaults:
// cluster/distro.ts distroAskedNames). A missing leaf is not planned: the server makes it when it starts.
import * as path from 'node:path';
import type { DistroConfigUnit, Reference } from '../../parse';
import {
  DISTRO_CERTIFICATES,
  DISTRO_TLS,
  distroApiservers,
  distroAskedNames,
  distroDataDirs,
  distroTlsRef,
  type DistroCertificate,
} from '../../cluster';
import { materialFromText } from '../../resolve/material';
import type { CaFamily } from '../profiles';
import type { Planner } from './planner';
import type { CaSlot, LeafSlot } from './slots';
import { isWeak } from './keyStrength';
import { isBelow } from '../../fs/confined';

/** Which of kube-pki's CA families each k3s CA file plays (for titles and a renewal's defaults). */
function familyOf(caFile: string): CaFamily {
  if (caFile.startsWith('etcd/')) return 'etcd-ca';
  if (caFile === 'request-header-ca.crt') return 'front-proxy-ca';
  return 'ca';
}

interface TlsFolder {
  dir: string;
  /** The configurations whose server keeps its files here. */
  configs: DistroConfigUnit[];
}

function folders(planner: Planner): TlsFolder[] {
  const out = new Map<string, TlsFolder>();
  const at = (dir: string) => {
    let f = out.get(dir);
    if (!f) out.set(dir, (f = { dir, configs: [] }));
    return f;
  };
  for (const u of planner.engine.units('distro-tls')) at(u.file.slice(0, u.file.length - u.name.length - 1));
  for (const c of planner.engine.units('distro-config')) {
    for (const dataDir of distroDataDirs(c)) {
      const found = planner.engine.resolve(distroTlsRef(c, dataDir, DISTRO_TLS.serving))?.found;
      if (found) at(path.dirname(found)).configs.push(c);
    }
  }
  return [...out.values()];
}

function readFile(planner: Planner, file: string): ReturnType<typeof materialFromText> | undefined {
  const r = planner.fs.readFile(file, 5 * 1024 * 1024);
  return r.ok ? materialFromText(r.data.toString('latin1')) : undefined;
}

function caSlot(planner: Planner, dir: string, caFile: string, near: string): CaSlot {
  const certPath = path.join(dir, ...caFile.split('/'));
  const existing = planner.cas.get(certPath);
  if (existing) return existing;
  const keyPath = certPath.replace(/\.crt$/, '.key');
  const key = readFile(planner, keyPath)?.privateKeys.find((k) => !k.encrypted && k.spkiDer);
  const cert = readFile(planner, certPath)?.certs[0];
  const slot: CaSlot = {
    id: `ca:${certPath}`,
    family: familyOf(caFile),
    certPath,
    keyPath,
    certExists: !!cert,
    keyExists: !!key,
    cert,
    keySpki: key?.spkiDer,
    refs: [],
    keyRefs: [],
    near,
  };
  planner.cas.set(certPath, slot);
  return slot;
}

/** The tls folders' leaves as slots (a kubeconfig's slot for the same file is taken over: its signer is k3s's). */
export function gatherDistro(planner: Planner): void {
  const documents = new Map(planner.engine.units('distro-tls').map((u) => [u.file, u]));
  for (const folder of folders(planner)) {
    const entries: DistroCertificate[] = [...DISTRO_CERTIFICATES];
    const clientEntry = DISTRO_CERTIFICATES.find((e) => e.ca === DISTRO_TLS.clientCA)!;
    for (const u of documents.values()) {
      if (!isBelow(folder.dir, u.file) || entries.some((e) => e.file === u.name) || !u.name.startsWith('client-')) continue;
      entries.push({ ...clientEntry, file: u.name, title: `the ${u.name.replace(/^client-|\.crt$/g, '')} client certificate` });
    }
    for (const entry of entries) {
      const certPath = path.join(folder.dir, ...entry.file.split('/'));
      const cert = readFile(planner, certPath)?.certs[0];
      if (!cert) continue;
      const keyPath = certPath.replace(/\.crt$/, '.key');
      const pk = readFile(planner, keyPath)?.privateKeys.find((k) => !k.encrypted && k.spkiDer);
      const doc = documents.get(certPath);
      const config = folder.configs[0];
      const certRef: Reference = doc
        ? { file: certPath, span: doc.span, field: entry.file, expect: 'cert', source: { kind: 'path', path: certPath, baseDir: folder.dir } }
        : {
            file: config?.file ?? certPath,
            span: config?.dataDir?.span ?? config?.span ?? { start: 0, end: 0 },
            field: entry.file,
            expect: 'cert',
            source: { kind: 'path', path: certPath, baseDir: folder.dir },
          };
      const keyRef: Reference = {
        ...certRef,
        span: certRef.span,
        field: entry.file.replace(/\.crt$/, '.key'),
        expect: 'key',
        source: { kind: 'path', path: keyPath, baseDir: folder.dir },
      };
      const serving = entry.file === DISTRO_TLS.serving;
      const names = serving ? folder.configs.flatMap((c) => distroAskedNames(c)) : [];
      const id = `leaf:${certPath}`;
      const signer = caSlot(planner, folder.dir, entry.ca, certPath);
      const existing = planner.leaves.get(id);
      if (existing) {
        existing.signer = signer;
        existing.distro = { cn: cert.subject.commonName, names, program: /[\\/]rke2[\\/]/.test(certPath) ? 'rke2' : 'k3s' };
        continue;
      }
      const slot: LeafSlot = {
        id,
        role: serving ? 'apiserver' : 'user',
        title: `${entry.title.charAt(0).toUpperCase()}${entry.title.slice(1)} (${entry.file})`,
        certRef,
        keyRef,
        keyField: `${entry.file.replace(/\.crt$/, '.key')} beside it`,
        certPath,
        keyPath,
        certExists: true,
        keyExists: !!pk,
        cert,
        keySpki: pk?.spkiDer,
        keyWeak: pk ? isWeak(pk.algorithm, pk.bits) : false,
        signer,
        unit: doc ?? config!,
        needs: { dns: [], ips: [] },
        distro: { cn: cert.subject.commonName, names, program: /[\\/]rke2[\\/]/.test(certPath) ? 'rke2' : 'k3s' },
      };
      planner.leaves.set(id, slot);
    }
    // The client certificates of kubeconfigs dialling this server kept elsewhere (k3s.yaml's embedded admin): k3s
    // signs every client certificate with client-ca, whatever CA the kubeconfig trusts the server with.
    for (const slot of planner.leaves.values()) {
      if (slot.distro || slot.unit.kind !== 'kubeconfig' || !slot.cert) continue;
      const kubeconfig = slot.unit.file;
      if (!distroApiservers(planner.cluster, kubeconfig).some((d) => path.dirname(d.unit.file) === folder.dir)) continue;
      slot.signer = caSlot(planner, folder.dir, DISTRO_TLS.clientCA, kubeconfig);
      slot.distro = { cn: slot.cert.subject.commonName, names: [], program: /[\\/]rke2[\\/]/.test(folder.dir) ? 'rke2' : 'k3s' };
    }
  }
}
