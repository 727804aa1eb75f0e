// A plan made real: keys, certificates, kubeconfigs and kubeconfig edits, in memory. Every new key
// is started at once (node:crypto's async generateKeyPair runs on libuv's thread pool, so keys are
// made in parallel and off the main thread); CAs are issued before what they sign. Existing keys
// and CAs are read through the engine's FileSystem. Nothing is written here (write.ts does that).
import { parseCertificate } from '../pki/certificate';
import { parsePem } from '../pki/pem';
import { LineIndex } from '../parse/text';
import { MAX_CONFIG_BYTES, type FileSystem } from '../types';
import { issueCertificate, loadIssuer, type IssuedCertificate } from './certs';
import { generateKey, loadKey, type GeneratedKey } from './keys';
import { kubeconfigText } from './kubeconfig';
import type { GeneratedBatch, GeneratedEdit, GeneratedFile, GenerationPlan, IssuedSummary, KeySource, PlanAction, Signer } from './types';

export interface ExecuteOptions {
  /** The instant certificates start from (default: now). */
  now?: Date;
}

const PRIVATE = 0o600;
const PUBLIC = 0o644;

function b64(pem: string): string {
  return Buffer.from(pem, 'utf8').toString('base64');
}

function readText(fs: FileSystem, file: string): string {
  // Kubeconfigs being edited may be large (a CI runner's, with a thousand users).
  const r = fs.readFile(file, MAX_CONFIG_BYTES);
  if (!r.ok) throw new Error(`${file} ${r.reason}`);
  return r.data.toString('utf8');
}

/** The first PEM block of one of these labels, re-encoded (never quoted in any message). */
function pemBlock(text: string, labels: string[], what: string, where: string): string {
  const block = parsePem(text).blocks.find((b) => labels.includes(b.label));
  if (!block) throw new Error(`${where} holds no ${what}`);
  const body = block.der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${block.label}-----\n${body}-----END ${block.label}-----\n`;
}

const KEY_LABELS = ['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY'];

function inlineText(fs: FileSystem, file: string, span: { start: number; end: number }): string {
  const text = readText(fs, file);
  const raw = text
    .slice(span.start, span.end)
    .replace(/^["']|["']$/g, '')
    .replace(/\s+/g, '');
  return Buffer.from(raw, 'base64').toString('latin1');
}

function keyDescription(k: GeneratedKey, source: KeySource): string {
  const t = k.type.startsWith('rsa-') ? `RSA ${k.type.slice(4)}` : `ECDSA ${k.type === 'ecdsa-p384' ? 'P-384' : 'P-256'}`;
  return `${t}, ${source.kind === 'new' ? 'new key' : 'existing key kept'}`;
}

function summarise(action: PlanAction, issued: IssuedCertificate, source: KeySource): IssuedSummary {
  const c = parseCertificate(Buffer.from(issued.cert.rawData));
  return {
    actionId: action.id,
    title: action.title,
    subject: c.subject.text,
    dnsNames: c.dnsNames,
    ipAddresses: c.ipAddresses,
    issuer: c.issuer.text,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    keyDescription: keyDescription(issued.key, source),
    serial: c.serialNumber,
  };
}

function describeCert(s: IssuedSummary): string {
  const names = [...s.dnsNames, ...s.ipAddresses];
  return `${s.subject}${names.length ? `; SANs ${names.join(', ')}` : ''}; issued by ${s.issuer}; expires ${s.notAfter.toISOString()}; ${s.keyDescription}`;
}

/**
 * Generates everything a plan says. Actions that fail (an unreadable key, a CA whose key is not
 * its certificate's) are listed in `failed`, with what depends on them; the rest still comes out.
 */
export async function executePlan(plan: GenerationPlan, fs: FileSystem, options: ExecuteOptions = {}): Promise<GeneratedBatch> {
  const now = options.now ?? new Date();
  const batch: GeneratedBatch = { files: [], edits: [], issued: [], failed: [] };

  // Every new key starts now, all at once.
  const newKeys = new Map<string, Promise<GeneratedKey>>();
  for (const a of plan.actions) {
    if (a.key?.kind === 'new') {
      const p = generateKey(a.key.type);
      p.catch(() => undefined); // observed below; never an unhandled rejection
      newKeys.set(a.id, p);
    }
  }

  const existingIssuers = new Map<string, Promise<IssuedCertificate>>();
  const loadExistingIssuer = (s: Extract<Signer, { kind: 'file' }>) => {
    let p = existingIssuers.get(s.certPath);
    if (!p) {
      p = (async () => {
        const cert = pemBlock(readText(fs, s.certPath), ['CERTIFICATE'], 'certificate', s.certPath);
        const key = pemBlock(readText(fs, s.keyPath), KEY_LABELS, 'private key', s.keyPath);
        try {
          return await loadIssuer(cert, key);
        } catch (err) {
          throw new Error(`cannot sign with ${s.certPath}: ${(err as Error).message}`);
        }
      })();
      p.catch(() => undefined);
      existingIssuers.set(s.certPath, p);
    }
    return p;
  };

  const keyOf = async (a: PlanAction): Promise<GeneratedKey> => {
    const k = a.key!;
    if (k.kind === 'new') return newKeys.get(a.id)!;
    const pem =
      k.kind === 'file'
        ? pemBlock(readText(fs, k.path), KEY_LABELS, 'private key', k.path)
        : pemBlock(inlineText(fs, k.file, k.span), KEY_LABELS, 'private key', `client-key-data in ${k.file}`);
    try {
      return await loadKey(pem);
    } catch (err) {
      throw new Error(`the key in ${k.kind === 'file' ? k.path : k.file} cannot be used: ${(err as Error).message}`);
    }
  };

  const issuedByAction = new Map<string, Promise<IssuedCertificate>>();
  const lineIndexes = new Map<string, LineIndex>();
  const rangeIn = (file: string, span: { start: number; end: number }) => {
    let li = lineIndexes.get(file);
    if (!li) lineIndexes.set(file, (li = new LineIndex(readText(fs, file))));
    return li.range(span.start, span.end);
  };
  const replacementText = (file: string, span: { start: number; end: number }, value: string) => {
    const old = readText(fs, file).slice(span.start, span.end);
    return old.endsWith('\n') ? `${value}\n` : value;
  };

  const signerOf = async (s: Signer | undefined): Promise<IssuedCertificate | undefined> => {
    if (!s || s.kind === 'self') return undefined;
    if (s.kind === 'file') return loadExistingIssuer(s);
    const p = issuedByAction.get(s.actionId);
    if (!p) throw new Error(`its CA (${s.name}) was not generated`);
    return p;
  };

  const run = async (a: PlanAction): Promise<void> => {
    if (a.kind === 'kubeconfig-ca') {
      for (const o of a.outputs) {
        if (o.kind !== 'inline-ca') continue;
        const pem =
          o.ca.kind === 'file'
            ? pemBlock(readText(fs, o.ca.certPath), ['CERTIFICATE'], 'certificate', o.ca.certPath)
            : (await signerOf(o.ca))!.certPem;
        batch.edits.push({ file: o.file, range: rangeIn(o.file, o.span), newText: replacementText(o.file, o.span, b64(pem)), actionId: a.id });
      }
      return;
    }
    const key = await keyOf(a);
    if (a.kind === 'service-account-key') {
      for (const o of a.outputs) {
        if (o.kind === 'key' && a.key!.kind === 'new') {
          batch.files.push({
            path: o.path,
            contents: key.privateKeyPem,
            mode: PRIVATE,
            kind: 'key',
            replace: o.replace,
            actionId: a.id,
            summary: `service account signing key (${keyDescription(key, a.key!)})`,
          });
        } else if (o.kind === 'public-key') {
          batch.files.push({
            path: o.path,
            contents: key.publicKeyPem,
            mode: PUBLIC,
            kind: 'public-key',
            replace: o.replace,
            actionId: a.id,
            summary: 'service account public key (the public half of the signing key)',
          });
        }
      }
      return;
    }
    const spec = a.spec!;
    const issuer = await signerOf(a.signer);
    const issued = await issueCertificate({
      commonName: spec.commonName,
      organizations: spec.organizations,
      isCA: spec.isCA,
      keyUsage: spec.keyUsage,
      extKeyUsage: spec.extKeyUsage.length ? spec.extKeyUsage : undefined,
      dnsNames: spec.dnsNames,
      ipAddresses: spec.ipAddresses,
      validityDays: spec.validityDays,
      now,
      key,
      issuer,
      ...(spec.subjectDer ? { subjectDer: spec.subjectDer } : {}),
    });
    const summary = summarise(a, issued, a.key!);
    batch.issued.push(summary);
    const certText = describeCert(summary);
    for (const o of a.outputs) {
      switch (o.kind) {
        case 'cert':
          batch.files.push({
            path: o.path,
            contents: issued.certPem,
            mode: PUBLIC,
            kind: 'cert',
            replace: o.replace,
            actionId: a.id,
            summary: certText,
          });
          break;
        case 'key':
          batch.files.push({
            path: o.path,
            contents: key.privateKeyPem,
            mode: PRIVATE,
            kind: 'key',
            replace: o.replace,
            actionId: a.id,
            summary: `private key (${keyDescription(key, a.key!)}) of ${summary.subject}`,
          });
          break;
        case 'cert-and-key':
          batch.files.push({
            path: o.path,
            contents: issued.certPem + key.privateKeyPem,
            mode: PRIVATE,
            kind: 'cert-and-key',
            replace: o.replace,
            actionId: a.id,
            summary: `certificate and key: ${certText}`,
          });
          break;
        case 'kubeconfig': {
          const ca = await signerOf(o.ca);
          const text = kubeconfigText({
            clusterName: o.clusterName,
            server: o.server,
            caPem: ca?.certPem ?? issued.certPem,
            userName: o.userName,
            certPem: issued.certPem,
            keyPem: key.privateKeyPem,
          });
          batch.files.push({
            path: o.path,
            contents: text,
            mode: PRIVATE,
            kind: 'kubeconfig',
            replace: o.replace,
            actionId: a.id,
            summary: `kubeconfig for ${o.server}, user ${summary.subject}: ${certText}`,
          });
          break;
        }
        case 'inline':
          batch.edits.push({
            file: o.file,
            range: rangeIn(o.file, o.certSpan),
            newText: replacementText(o.file, o.certSpan, b64(issued.certPem)),
            actionId: a.id,
          });
          if (o.keySpan)
            batch.edits.push({
              file: o.file,
              range: rangeIn(o.file, o.keySpan),
              newText: replacementText(o.file, o.keySpan, b64(key.privateKeyPem)),
              actionId: a.id,
            });
          break;
        default:
          break;
      }
    }
    // Hand the CA to its dependants.
    return;
  };

  // CAs first (their dependants await them through issuedByAction), then everything else at once.
  const runs = new Map<string, Promise<void>>();
  for (const a of plan.actions) {
    if (a.kind !== 'ca') continue;
    const issued = (async () => {
      const key = await keyOf(a);
      const spec = a.spec!;
      return issueCertificate({
        commonName: spec.commonName,
        organizations: spec.organizations,
        isCA: true,
        keyUsage: spec.keyUsage,
        dnsNames: spec.dnsNames,
        ipAddresses: spec.ipAddresses,
        validityDays: spec.validityDays,
        now,
        key,
        ...(spec.subjectDer ? { subjectDer: spec.subjectDer } : {}),
      });
    })();
    issued.catch(() => undefined);
    issuedByAction.set(a.id, issued);
    runs.set(
      a.id,
      issued.then((ca) => {
        const summary = summarise(a, ca, a.key!);
        batch.issued.push(summary);
        for (const o of a.outputs) {
          if (o.kind === 'cert')
            batch.files.push({
              path: o.path,
              contents: ca.certPem,
              mode: PUBLIC,
              kind: 'cert',
              replace: o.replace,
              actionId: a.id,
              summary: describeCert(summary),
            });
          if (o.kind === 'key')
            batch.files.push({
              path: o.path,
              contents: ca.key.privateKeyPem,
              mode: PRIVATE,
              kind: 'key',
              replace: o.replace,
              actionId: a.id,
              summary: `private key (${keyDescription(ca.key, a.key!)}) of ${summary.subject}`,
            });
        }
      }),
    );
  }
  for (const a of plan.actions) if (a.kind !== 'ca') runs.set(a.id, run(a));

  for (const a of plan.actions) {
    try {
      await runs.get(a.id);
    } catch (err) {
      batch.failed.push({ actionId: a.id, title: a.title, reason: (err as Error)?.message ?? String(err) });
    }
  }
  // A failed action contributes nothing: drop whatever it produced before failing.
  const failed = new Set(batch.failed.map((f) => f.actionId));
  batch.files = batch.files.filter((f) => !failed.has(f.actionId));
  batch.edits = batch.edits.filter((e) => !failed.has(e.actionId));
  batch.issued = batch.issued.filter((i) => !failed.has(i.actionId));
  // Plan order (CAs first), whatever order the promises settled in.
  const order = new Map(plan.actions.map((a, i) => [a.id, i]));
  const byOrder = <T extends { actionId: string }>(x: T, y: T) => (order.get(x.actionId) ?? 0) - (order.get(y.actionId) ?? 0);
  // Keys go into place before certificates: a run stopped midway leaves keys without certificates
  // (which the next run issues for them), never certificates without their keys.
  const keyFirst = (f: GeneratedFile) => (f.kind === 'key' ? 0 : 1);
  batch.files.sort((x, y) => keyFirst(x) - keyFirst(y) || byOrder(x, y));
  batch.edits.sort(byOrder);
  batch.issued.sort(byOrder);
  return batch;
}

/**
 * The kubeconfig edits of a batch applied to the files' text, as whole files to write (the CLI
 * has no editor to hand a WorkspaceEdit to). Edits of one file are applied from the end backwards.
 */
export function editsAsFiles(edits: GeneratedEdit[], fs: FileSystem): GeneratedFile[] {
  const byFile = new Map<string, GeneratedEdit[]>();
  for (const e of edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const out: GeneratedFile[] = [];
  for (const [file, list] of byFile) {
    const text = readText(fs, file);
    const li = new LineIndex(text);
    const offsetOf = (p: { line: number; character: number }) => {
      // LineIndex maps offsets to positions; find the line start by scanning back from a position.
      let lo = 0;
      let hi = text.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        const q = li.positionAt(mid);
        if (q.line < p.line || (q.line === p.line && q.character < p.character)) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const sorted = [...list].sort((a, b) => offsetOf(b.range.start) - offsetOf(a.range.start));
    let result = text;
    for (const e of sorted) result = result.slice(0, offsetOf(e.range.start)) + e.newText + result.slice(offsetOf(e.range.end));
    out.push({
      path: file,
      contents: result,
      mode: PRIVATE,
      kind: 'edited-kubeconfig',
      replace: true,
      actionId: list[0].actionId,
      summary: `${list.length} value(s) replaced`,
    });
  }
  return out;
}
