// The benchmark's inputs, made at run time: a huge kubeconfig (1,000 clusters, 1,000 users, inline CA,
// client certificate and key; ECDSA and RSA variants), a kubeadm node tree whose admin.conf is the
// typical 5 KB file, and a fleet of 3 control-plane nodes and 200 worker nodes.
//
// Keys are the slow part (RSA-2048: ~160 ms each), so they are made with node:crypto's asynchronous
// generateKeyPair, in parallel on libuv's pool, and kept in ~/.cache/kube-pki-bench/<INPUT_VERSION>/
// ($KUBE_PKI_BENCH_CACHE) for later runs. Certificates are issued afresh every run (they expire).
import { generateKeyPair } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { buildCluster, buildWorkerNode, generatorOf, loadEngine } from '../test/helpers/cluster.mjs';

/** Bump when the shape of the cached keys changes: older caches are then ignored. */
export const INPUT_VERSION = 'keys-v1';
export const CACHE_DIR = path.join(process.env.KUBE_PKI_BENCH_CACHE ?? path.join(os.homedir(), '.cache', 'kube-pki-bench'), INPUT_VERSION);

export const HUGE = { clusters: 1000, users: 1000, cas: 10 };
/** Cached keys each input draws from: the huge kubeconfig the first 1,010 of a type, the fleet the ones after. */
export const KEYS_NEEDED = { 'rsa-2048': 1040, 'ecdsa-p256': 1500 };
const FLEET_OFFSET = { controlPlane: 1010, workers: 1060 };
/** Users with a planted defect, so the check has findings to report (and the bench can prove it ran). */
export const HUGE_DEFECTS = { expired: [13, 513], keyMismatch: [7, 707], orgTypo: [99] };

const generateKeyPairAsync = promisify(generateKeyPair);
const E = loadEngine();
const G = generatorOf(E);

function keyFile(type) {
  return path.join(CACHE_DIR, `${type}.json`);
}

async function newKeyPem(type) {
  const { privateKey } =
    type === 'rsa-2048'
      ? await generateKeyPairAsync('rsa', { modulusLength: 2048, publicExponent: 0x10001 })
      : await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  // As kubeadm writes keys: PKCS#1 for RSA, SEC 1 for ECDSA.
  return privateKey.export({ type: type === 'rsa-2048' ? 'pkcs1' : 'sec1', format: 'pem' }).toString();
}

/** `count` private keys (PEM) of a type, from the cache, the missing ones generated in parallel and added to it. */
export async function keyPems(type, count, log = () => {}) {
  let cached = [];
  try {
    cached = JSON.parse(readFileSync(keyFile(type), 'utf8'));
  } catch {
    cached = [];
  }
  if (cached.length >= count) return cached.slice(0, count);
  const missing = count - cached.length;
  log(`generating ${missing} ${type} keys (cached in ${CACHE_DIR} for later runs)...`);
  const t0 = Date.now();
  const fresh = await Promise.all(Array.from({ length: missing }, () => newKeyPem(type)));
  log(`  ${missing} ${type} keys in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const all = [...cached, ...fresh];
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${keyFile(type)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(all));
  renameSync(tmp, keyFile(type));
  return all.slice(0, count);
}

/** A key source for issueCertificate / buildCluster: the i-th call of a type gets the i-th cached key from `offset` on. */
export function keySource(pemsByType, offset = 0) {
  const next = new Map();
  return async (type) => {
    const pems = pemsByType[type];
    if (!pems) throw new Error(`no cached keys of type ${type}`);
    const i = next.get(type) ?? offset;
    next.set(type, i + 1);
    if (i >= pems.length) throw new Error(`ran out of cached ${type} keys (${pems.length})`);
    return G.loadKey(pems[i]);
  };
}

const b64 = (s) => Buffer.from(s, 'utf8').toString('base64');
const DAY = 86_400_000;

/**
 * The huge kubeconfig as kubectl writes one (keys sorted): `cluster-N` dials its own API endpoint with the
 * CA data of one of HUGE.cas CAs (shared, as a CI runner's clusters share a few CAs), `user-N` holds a client
 * certificate signed by that CA and its key. A few users carry a defect (HUGE_DEFECTS).
 */
export async function hugeKubeconfig(keyType, pems, now = new Date()) {
  const key = keySource({ [keyType]: pems });
  const cas = [];
  for (let i = 0; i < HUGE.cas; i++) {
    cas.push(await G.issueCertificate({ commonName: `ci-ca-${i}`, isCA: true, now, key: await key(keyType) }));
  }
  const users = await Promise.all(
    Array.from({ length: HUGE.users }, async (_, i) => {
      const ca = cas[i % HUGE.cas];
      const expired = HUGE_DEFECTS.expired.includes(i);
      const issued = await G.issueCertificate({
        commonName: `ci-user-${i}`,
        organizations: [HUGE_DEFECTS.orgTypo.includes(i) ? 'system:master' : 'ci:deployers'],
        extKeyUsage: ['clientAuth'],
        issuer: ca,
        now,
        key: await key(keyType),
        ...(expired ? { notBefore: new Date(now.getTime() - 400 * DAY), notAfter: new Date(now.getTime() - 30 * DAY) } : {}),
      });
      return issued;
    }),
  );
  const lines = ['apiVersion: v1', 'clusters:'];
  for (let i = 0; i < HUGE.clusters; i++) {
    lines.push('- cluster:');
    lines.push(`    certificate-authority-data: ${b64(cas[i % HUGE.cas].certPem)}`);
    lines.push(`    server: https://api-${i}.ci.example.internal:6443`);
    lines.push(`  name: cluster-${i}`);
  }
  lines.push('contexts:');
  for (let i = 0; i < HUGE.users; i++) {
    lines.push('- context:', `    cluster: cluster-${i % HUGE.clusters}`, `    user: user-${i}`, `  name: ctx-${i}`);
  }
  lines.push('current-context: ctx-0', 'kind: Config', 'preferences: {}', 'users:');
  for (let i = 0; i < HUGE.users; i++) {
    // A key-mismatch user holds its neighbour's key.
    const keyOf = HUGE_DEFECTS.keyMismatch.includes(i) ? users[i + 1] : users[i];
    lines.push(`- name: user-${i}`, '  user:');
    lines.push(`    client-certificate-data: ${b64(users[i].certPem)}`);
    lines.push(`    client-key-data: ${b64(keyOf.key.privateKeyPem)}`);
  }
  const text = lines.join('\n') + '\n';
  return { text, cas, users, expectedFindings: HUGE_DEFECTS.expired.length + HUGE_DEFECTS.keyMismatch.length + HUGE_DEFECTS.orgTypo.length };
}

/**
 * A fleet: 3 control-plane nodes (full kubeadm trees, sharing their CA keys, behind one endpoint) and 200
 * worker nodes (kubelet config, kubelet.conf, a rotated client certificate behind kubelet-client-current.pem,
 * a serving certificate), each a copy of the node's / under `dir`.
 */
export async function fleet(dir, pems, { controlPlanes = 3, workers = 200, now = new Date() } = {}) {
  const endpoint = 'https://k8s-api.fleet.internal:6443';
  // One key source for all control-plane nodes: the i-th key of each build is the same, so the three
  // nodes share their CA keys (and the workers' certificates, signed by node 1's CA, verify on all three).
  const cpKeys = keySource(pems, FLEET_OFFSET.controlPlane);
  const cpEngine = { ...G, generateKey: (type) => cpKeys(type) };
  const nodes = [];
  for (let i = 0; i < controlPlanes; i++) {
    nodes.push(
      await buildCluster(path.join(dir, 'control-plane', `cp${i + 1}`), {
        nodeName: `cp${i + 1}`,
        advertiseAddress: `10.0.0.${11 + i}`,
        controlPlaneEndpoint: endpoint,
        engine: cpEngine,
        reuseKeys: true,
        now,
      }),
    );
  }
  const ca = nodes[0].certs.ca;
  // Workers: ECDSA keys (what the kubelet generates), two a node, after those the control plane used.
  const workerKeys = keySource({ 'ecdsa-p256': pems['ecdsa-p256'] }, FLEET_OFFSET.workers);
  const made = [];
  for (let start = 0; start < workers; start += 25) {
    const batch = Array.from({ length: Math.min(25, workers - start) }, (_, k) => start + k);
    made.push(
      ...(await Promise.all(
        batch.map(async (w) =>
          buildWorkerNode(path.join(dir, 'workers', `node-${String(w).padStart(3, '0')}`), {
            nodeName: `node-${String(w).padStart(3, '0')}`,
            ca,
            controlPlaneEndpoint: endpoint,
            clientKey: await workerKeys('ecdsa-p256'),
            servingKey: await workerKeys('ecdsa-p256'),
            now,
            engine: G,
          }),
        ),
      )),
    );
  }
  return { dir, controlPlanes: nodes, workers: made, endpoint };
}

/** Writes a file, creating its folder. */
export async function put(file, text) {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return file;
}
