// file-not-found, file-unreadable, pem-invalid: every reference must load and hold the kind of
// PEM its use expects. Other checks skip references that fail here, so each defect is said once. A path
// found nowhere whose place nothing tells (resolve/paths.ts: unplaced) is no finding at all.
import { unitReferences, type Reference } from '../parse';
import type { Material } from '../resolve/material';
import type { CheckContext } from './context';

/** " (read as /repo/node1/etc/kubernetes/pki/ca.crt)" when the path was found elsewhere. */
function readAs(ref: Reference, found: string | undefined): string {
  return found && ref.source.kind === 'path' && found !== ref.source.path ? ` (read as ${found})` : '';
}

function what(ref: Reference): string {
  return ref.source.kind === 'inline' ? ref.field : `${ref.field} ${ref.source.path}`;
}

const expectedText: Record<Reference['expect'], string> = {
  cert: 'a certificate',
  ca: 'a CA certificate',
  key: 'a private key',
  'public-key': 'a public key',
  'key-or-public-key': 'a public or private key',
  kubeconfig: 'a kubeconfig',
};

function found(m: Material): string {
  return m.labels.length ? `found ${[...new Set(m.labels)].join(', ')}` : 'found no PEM block at all';
}

/** What is wrong with loaded material for this use, or undefined when it is usable. */
export function materialProblem(ref: Reference, m: Material): string | undefined {
  const broken = m.problems.length ? `: ${m.problems.slice(0, 3).join('; ')}` : '';
  switch (ref.expect) {
    case 'cert':
    case 'ca':
      if (m.certs.length === 0) return `holds no usable CERTIFICATE block, but ${expectedText[ref.expect]} is expected (${found(m)})${broken}`;
      break;
    case 'key': {
      if (m.privateKeys.length === 0) return `holds no usable private key block (${found(m)})${broken}`;
      if (m.privateKeys.every((k) => k.encrypted)) {
        return 'holds an encrypted private key; Kubernetes components cannot read encrypted keys (decrypt it: openssl pkey -in KEY -out KEY.plain)';
      }
      break;
    }
    case 'public-key':
    case 'key-or-public-key':
      if (m.publicKeys.length + m.privateKeys.length + m.certs.length === 0) {
        return `holds no public key, private key or certificate (${found(m)})${broken}`;
      }
      break;
    case 'kubeconfig':
      return undefined;
  }
  if (m.problems.length) return `has blocks that do not decode${broken}`;
  return undefined;
}

export function references(ctx: CheckContext): void {
  for (const unit of ctx.parsed.units) {
    for (const ref of unitReferences(unit)) {
      if (ref.expect === 'kubeconfig') {
        const r = ctx.resolve(ref);
        if (r && !r.found) {
          const loaded = ctx.load(ref);
          if (!loaded.ok && !loaded.unplaced) ctx.report(loaded.code, ref.span, `${what(ref)}: ${loaded.message}`);
        }
        continue;
      }
      const loaded = ctx.load(ref);
      // Not found and no place known (a node's path with no copy of that node here): nothing kube-pki can see.
      if (!loaded.ok && loaded.unplaced) continue;
      if (!loaded.ok) {
        const msg =
          loaded.code === 'file-not-found' && !loaded.path
            ? `${ref.field}: ${loaded.message}`
            : `${what(ref)}${readAs(ref, loaded.path)} ${loaded.message}`;
        ctx.report(loaded.code, ref.span, msg);
        continue;
      }
      const problem = materialProblem(ref, loaded.material);
      if (problem) ctx.report('pem-invalid', ref.span, `${what(ref)}${readAs(ref, loaded.path)} ${problem}`);
    }
  }
}
