// The baseline of the monorepo figures: the least any checker must do on a repository: walk the tree (skipping
// .git and node_modules), read every candidate file (YAML, kubeconfigs, manifests) and test its text with one
// regular expression. Prints { files, matched } as JSON.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const CANDIDATE = /\.(ya?ml|conf|kubeconfig|manifest|service|env)$|^(config|kubeconfig)$/;
const INTERESTING = /-----BEGIN |certificate-authority|client-certificate|client-key|--tls-cert-file|caBundle|kind:\s*Secret/;
let files = 0;
let matched = 0;
const walk = (dir) => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.git' || e.name === 'node_modules') continue;
    const full = path.join(dir, e.name);
    if (e.isDirectory()) walk(full);
    else if (e.isFile() && CANDIDATE.test(e.name)) {
      files++;
      if (INTERESTING.test(readFileSync(full, 'utf8'))) matched++;
    }
  }
};
for (const root of process.argv.slice(2)) walk(path.resolve(root));
console.log(JSON.stringify({ files, matched }));
