// Small fixtures for engine tests: certificates made at run time with the project's generator
// (ECDSA keys, so they are quick), written into a temp folder, checked through the real Engine
// on the real disk.
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadEngine } from './cluster.mjs';

export const E = loadEngine();
export const g = E.generate;

export function tempDir(prefix = 'kube-pki-test-') {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function write(dir, rel, text, mode) {
  const file = path.join(dir, rel);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, mode ? { mode } : undefined);
  return file;
}

export const b64 = (s) => Buffer.from(s).toString('base64');

export async function ca(cn = 'kubernetes', extra = {}) {
  return g.issueCertificate({ commonName: cn, isCA: true, keyType: 'ecdsa-p256', ...extra });
}

export async function leaf(issuer, extra = {}) {
  return g.issueCertificate({ keyType: 'ecdsa-p256', issuer, extKeyUsage: ['clientAuth'], ...extra });
}

/** Checks every recognised file below `dir` (or the given files) and returns findings by file. */
export function checkTree(dir, options = {}, only) {
  const fs = E.nodeFileSystem();
  const engine = new E.Engine(fs, { searchRoots: [dir], ...options });
  const files = only ?? E.discoverFiles(fs, [dir]);
  for (const f of files) engine.updateDocument(f, readFileSync(f, 'utf8'));
  const out = [];
  for (const f of engine.documents()) out.push(...engine.check(f));
  return { engine, findings: out };
}

/** "file:line code" summaries (1-based lines, path relative to dir), for readable assertions. */
export function summary(findings, dir) {
  return findings
    .map((f) => ({ file: path.relative(dir, f.file), line: f.range.start.line + 1, code: f.code }))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.code.localeCompare(b.code))
    .map((f) => `${f.file}:${f.line} ${f.code}`);
}

/** The 1-based line of the first line containing `needle`. */
export function lineOf(file, needle) {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const i = lines.findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`${needle} not in ${file}`);
  return i + 1;
}

export function cleanup(dir) {
  rmSync(dir, { recursive: true, force: true });
}

export function kubeconfig({
  server = 'https://10.0.0.1:6443',
  caPem,
  caPath,
  certPem,
  keyPem,
  certPath,
  keyPath,
  user = 'dev',
  extraCluster = '',
  extraUser = '',
}) {
  const clusterLines = [`    server: ${server}`];
  if (caPem) clusterLines.push(`    certificate-authority-data: ${b64(caPem)}`);
  if (caPath) clusterLines.push(`    certificate-authority: ${caPath}`);
  if (extraCluster) clusterLines.push(extraCluster);
  const userLines = [];
  if (certPem) userLines.push(`    client-certificate-data: ${b64(certPem)}`);
  if (certPath) userLines.push(`    client-certificate: ${certPath}`);
  if (keyPem) userLines.push(`    client-key-data: ${b64(keyPem)}`);
  if (keyPath) userLines.push(`    client-key: ${keyPath}`);
  if (extraUser) userLines.push(extraUser);
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: c1',
    '  cluster:',
    ...clusterLines,
    'contexts:',
    '- name: ctx',
    '  context:',
    '    cluster: c1',
    `    user: ${user}`,
    'current-context: ctx',
    'users:',
    `- name: ${user}`,
    '  user:',
    ...(userLines.length ? userLines : ['    token: abc']),
    '',
  ].join('\n');
}

/** A kube-apiserver static pod manifest with the given flags (`--name=value` strings). */
export function apiserverManifest(flags, { args = false } = {}) {
  const items = flags.map((f) => `    - ${f}`).join('\n');
  return `apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  containers:
  - name: kube-apiserver
    image: registry.k8s.io/kube-apiserver:v1.31.1
${args ? '    args:' : '    command:\n    - kube-apiserver'}
${items}
`;
}
