// Loads what a reference points at, once: a file (found by resolveReferencePath) or inline
// base64, split into certificates, private keys and public keys. Failures become a code and a
// message; nothing here ever quotes key material.
import { MAX_FILE_BYTES, type FileSystem } from '../types';
import { parsePem, type PemBlock } from '../pki/pem';
import { CertificateError, parseCertificate, type Certificate, type PublicKeyInfo } from '../pki/certificate';
import { parsePrivateKey, parsePublicKey, type PrivateKeyInfo } from '../pki/key';
import type { PathNote } from './notFound';
import type { Reference } from '../parse/model';
import { goBase64Decode } from '../pki/base64';

export interface Material {
  certs: Certificate[];
  privateKeys: PrivateKeyInfo[];
  publicKeys: PublicKeyInfo[];
  /** Blocks or certificates that did not decode, each with a reason a user understands. */
  problems: string[];
  /** PEM labels seen, for "expected a certificate, found an RSA PRIVATE KEY". */
  labels: string[];
}

export type LoadFailureCode = 'file-not-found' | 'file-unreadable' | 'pem-invalid';

export type Loaded =
  | { ok: true; material: Material; path?: string }
  | {
      ok: false;
      code: LoadFailureCode;
      message: string;
      path?: string;
      /**
       * Not found, and nothing tells where the file belongs (resolve/paths.ts): not a defect kube-pki can see. Checks
       * skip it like any reference that does not load; references.ts reports nothing; `message` says why, and the
       * note in parts (the hover's notes).
       */
      unplaced?: PathNote;
    };

const keyLabels = new Set(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY', 'DSA PRIVATE KEY']);
const publicLabels = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);

function blockDescription(b: PemBlock, i: number): string {
  return `PEM block ${i + 1} (${b.label})`;
}

export function materialFromText(text: string): Material {
  const pem = parsePem(text);
  const m: Material = { certs: [], privateKeys: [], publicKeys: [], problems: [...pem.problems], labels: [] };
  pem.blocks.forEach((b, i) => {
    m.labels.push(b.label);
    try {
      if (b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE' || b.label === 'TRUSTED CERTIFICATE') {
        m.certs.push(parseCertificate(b.der));
      } else if (keyLabels.has(b.label)) {
        m.privateKeys.push(parsePrivateKey(b));
      } else if (publicLabels.has(b.label)) {
        m.publicKeys.push(parsePublicKey(b));
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      m.problems.push(`${blockDescription(b, i)}: ${err instanceof CertificateError ? reason : reason}`);
    }
  });
  return m;
}

/** A file is read as text: PEM is ASCII; a DER file shows up as "no PEM block". */
export function loadFile(fs: FileSystem, file: string): Loaded {
  const st = fs.stat(file);
  if (st.kind === 'missing') {
    const code = st.reason === 'no such file' ? 'file-not-found' : 'file-unreadable';
    return { ok: false, code, message: st.reason, path: file };
  }
  if (st.kind === 'directory') return { ok: false, code: 'file-unreadable', message: 'is a folder, not a file', path: file };
  if (st.kind === 'other') {
    return { ok: false, code: 'file-unreadable', message: 'is not a regular file (a FIFO, socket or device)', path: file };
  }
  const read = fs.readFile(file, MAX_FILE_BYTES);
  if (!read.ok) return { ok: false, code: 'file-unreadable', message: read.reason, path: file };
  if (read.data.length === 0) return { ok: false, code: 'pem-invalid', message: 'the file is empty', path: file };
  return { ok: true, material: materialFromText(read.data.toString('latin1')), path: file };
}

/** kubeconfig `*-data`: base64 of PEM, as kubectl expects. */
export function loadInline(data: string): Loaded {
  // As the apiserver and client-go decode a []byte field (pki/base64.ts): a value they refuse is refused here.
  const base64 = goBase64Decode(data);
  if (!base64.ok) return { ok: false, code: 'pem-invalid', message: `is not valid base64: the apiserver and kubectl refuse it ("${base64.error}")` };
  const decoded = base64.bytes;
  if (decoded.length === 0) return { ok: false, code: 'pem-invalid', message: 'decodes to nothing' };
  const text = decoded.toString('latin1');
  if (!text.includes('-----BEGIN')) {
    // A common mistake: base64 of DER, or of a path, instead of base64 of the PEM text.
    const hint = decoded[0] === 0x30 ? ' (it looks like DER: encode the PEM text, e.g. `base64 -w0 cert.pem`)' : '';
    return { ok: false, code: 'pem-invalid', message: `decodes to something that holds no PEM block${hint}` };
  }
  return { ok: true, material: materialFromText(text) };
}

// What is wrong with loaded material for the use a reference expects (the pem-invalid check, the hovers).
const expectedText: Record<Reference['expect'], string> = {
  cert: 'a certificate',
  ca: 'a CA certificate',
  key: 'a private key',
  'public-key': 'a public key',
  'key-or-public-key': 'a public or private key',
  kubeconfig: 'a kubeconfig',
  'kubelet-config': 'a KubeletConfiguration',
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
    case 'kubelet-config':
      return undefined;
  }
  if (m.problems.length) return `has blocks that do not decode${broken}`;
  return undefined;
}
