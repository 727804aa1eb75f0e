// The floor for a cold check: the least any checker must do, in one process. Every config file under the
// paths given through YAML.parse, then node:crypto parsing of each distinct certificate (X509Certificate) and
// private key (createPrivateKey) that the configs hold inline (*-data) or that PEM files (.crt, .key, .pem)
// hold. No verdicts, no positions, no messages. Run as a whole process by the bench, like `kube-pki check`;
// prints the time of each step and the process's peak RSS as JSON.
//
//   node bench/floor.mjs PATH...
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const YAML = require('yaml');

const configs = [];
const pemFiles = [];
function walk(p) {
  const st = statSync(p);
  if (st.isDirectory()) for (const name of readdirSync(p)) walk(path.join(p, name));
  else if (/\.(crt|key|pem)$/.test(p)) pemFiles.push(p);
  else if (/\.(ya?ml|conf|kubeconfig)$/.test(p) || !path.basename(p).includes('.')) configs.push(p);
}

const t0 = performance.now();
for (const p of process.argv.slice(2)) walk(p);
const certs = new Set();
const keys = new Set();
const PEM = /-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----/g;
function pemBlocks(text) {
  for (const m of text.matchAll(PEM)) (m[1].endsWith('PRIVATE KEY') ? keys : m[1] === 'CERTIFICATE' ? certs : new Set()).add(m[0]);
}
function inline(node) {
  if (Array.isArray(node)) node.forEach(inline);
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (typeof v === 'string' && k.endsWith('-data')) pemBlocks(Buffer.from(v, 'base64').toString('latin1'));
      else inline(v);
    }
  }
}
for (const f of configs) inline(YAML.parse(readFileSync(f, 'utf8')));
for (const f of pemFiles) pemBlocks(readFileSync(f, 'latin1'));
const t1 = performance.now();
for (const c of certs) new X509Certificate(c);
const t2 = performance.now();
for (const k of keys) createPrivateKey(k);
const t3 = performance.now();
console.log(
  JSON.stringify({
    yamlMs: t1 - t0,
    certMs: t2 - t1,
    keyMs: t3 - t2,
    configs: configs.length,
    pemFiles: pemFiles.length,
    certs: certs.size,
    keys: keys.size,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  }),
);
