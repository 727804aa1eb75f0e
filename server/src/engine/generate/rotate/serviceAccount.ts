// The service-account key pair rotated in the same three stages as a CA (Kubernetes' "Manual Rotation of CA
// Certificates" does it with the CA: "both public keys in --service-account-key-file"):
//   1. trust both: a new key (NAME-new.key beside NAME.key); the apiserver's --service-account-key-file holds
//      the old and the new public key (keyutil.ParsePublicKeysPEM reads every key of the file), so tokens
//      signed by either verify; the signers keep the old key;
//   2. sign with the new: NAME.key (the apiserver's --service-account-signing-key-file, the controller-manager's
//      --service-account-private-key-file) becomes the new key; the old one is kept as NAME-old.key; tokens
//      already issued with the old key still verify;
//   3. trust only the new: the old public key removed; NAME-old.key archived in rotated/.
// The checks: every signer's key (before and after the stage) among the public keys every verifier reads
// (before and after), so that no token a running signer issues, nor one issued before, is refused ("square/
// go-jose: error in cryptographic primitive", the apiserver's "invalid bearer token").
import * as path from 'node:path';
import type { FileSystem } from '../../types';
import type { Engine } from '../../workspace/engine';
import { WorkspaceQuery, componentUnits, flagRef } from '../../cluster';
import { parsePem } from '../../pki/pem';
import { sameKey } from '../../pki/key';
import { materialFromText } from '../../resolve/material';
import { overlayFileSystem } from '../../fs/nodeFileSystem';
import { generateKey } from '../keys';
import { readersOf } from './connections';
import { emptyRotation, newErrorsAfter, readText, type RotateOptions, type RotationFile, type RotationResult, type Stage } from './common';

function spkiOf(text: string | undefined): Buffer | undefined {
  if (text === undefined) return undefined;
  const m = materialFromText(text);
  return m.privateKeys.find((k) => !k.encrypted && k.spkiDer)?.spkiDer ?? m.publicKeys[0]?.spkiDer;
}

function publicBlocks(text: string): { pem: string; spki: Buffer }[] {
  const out: { pem: string; spki: Buffer }[] = [];
  for (const b of parsePem(text).blocks) {
    const pem = `-----BEGIN ${b.label}-----\n${b.der.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END ${b.label}-----\n`;
    const spki = materialFromText(pem).publicKeys[0]?.spkiDer;
    if (spki) out.push({ pem, spki });
  }
  return out;
}

export async function prepareServiceAccountRotation(engine: Engine, options: RotateOptions): Promise<RotationResult> {
  const fs: FileSystem = engine.fileSystem;
  const q = new WorkspaceQuery(engine);
  const show = options.show ?? ((f: string) => f);
  const title = 'the service-account key pair';
  const result = emptyRotation('service-account', title, options.stage ?? 1);
  const refuse = (why: string) => ((result.refusal = why), result);

  // The signers and the verifiers.
  const signers: { who: string; path: string }[] = [];
  const verifiers: { who: string; paths: string[] }[] = [];
  for (const api of componentUnits(q, 'kube-apiserver')) {
    const s = flagRef(api, 'service-account-signing-key-file');
    const sp = s && q.resolve(s)?.found;
    if (sp) signers.push({ who: `kube-apiserver (${show(api.file)}) --service-account-signing-key-file`, path: sp });
    const pubs = api.refs
      .filter((r) => r.field === '--service-account-key-file')
      .map((r) => q.resolve(r)?.found)
      .filter((p): p is string => !!p);
    if (pubs.length) verifiers.push({ who: `kube-apiserver (${show(api.file)}) --service-account-key-file`, paths: pubs });
  }
  for (const cm of componentUnits(q, 'kube-controller-manager')) {
    const s = flagRef(cm, 'service-account-private-key-file');
    const sp = s && q.resolve(s)?.found;
    if (sp) signers.push({ who: `kube-controller-manager (${show(cm.file)}) --service-account-private-key-file`, path: sp });
  }
  if (signers.length === 0 || verifiers.length === 0)
    return refuse(
      'no service-account key pair found: kube-pki finds it through the apiserver --service-account-signing-key-file and --service-account-key-file, and the controller-manager --service-account-private-key-file',
    );

  // One key file per node (sa.key), with its public file (the verifier's file that holds its public key).
  const keyPaths = [...new Set(signers.map((s) => s.path))];
  interface Site {
    keyPath: string;
    pubPath: string;
    newKey: string;
    oldKey: string;
    archiveDir: string;
    current: 0 | 1 | 2;
    oldSpki: Buffer;
    nextSpki?: Buffer;
    blocks: { pem: string; spki: Buffer }[];
  }
  const sites: Site[] = [];
  for (const keyPath of keyPaths) {
    const keySpki = spkiOf(readText(fs, keyPath));
    if (!keySpki) return refuse(`${show(keyPath)} holds no private key`);
    const base = keyPath.replace(/\.(key|pem)$/i, '');
    const newKey = `${base}-new.key`;
    const oldKey = `${base}-old.key`;
    const pubPath = verifiers.flatMap((v) => v.paths).find((p) => publicBlocks(readText(fs, p) ?? '').some((b) => sameKey(b.spki, keySpki)));
    if (!pubPath)
      return refuse(
        `no --service-account-key-file holds the public key of ${show(keyPath)}: kube-pki check reports it (key-mismatch); fix that first`,
      );
    const blocks = publicBlocks(readText(fs, pubPath) ?? '');
    const newSpki = spkiOf(readText(fs, newKey));
    const oldSpki = spkiOf(readText(fs, oldKey));
    const common = { keyPath, pubPath, newKey, oldKey, archiveDir: path.join(path.dirname(keyPath), 'rotated'), blocks };
    if (newSpki) {
      if (!blocks.some((b) => sameKey(b.spki, newSpki)))
        return refuse(`${show(newKey)} is there but ${show(pubPath)} lacks its public key: the files are not as stage 1 leaves them`);
      sites.push({ ...common, current: 1, oldSpki: keySpki, nextSpki: newSpki });
    } else if (oldSpki) {
      if (!blocks.some((b) => sameKey(b.spki, oldSpki)))
        return refuse(
          `${show(oldKey)} is there but ${show(pubPath)} no longer holds its public key: stage 3 is half done; move ${show(oldKey)} away`,
        );
      sites.push({ ...common, current: 2, oldSpki, nextSpki: keySpki });
    } else sites.push({ ...common, current: 0, oldSpki: keySpki });
  }
  result.sites = sites.map((s) => s.keyPath);
  const current = sites[0].current;
  if (sites.some((s) => s.current !== current)) return refuse('the nodes are at different stages: finish the others first');
  result.current = current;
  const stage: Stage = options.stage ?? ((current + 1) as Stage);
  result.stage = stage;
  if (stage <= current) return refuse(`stage ${stage} is already written (the files are at stage ${current}); the next is stage ${current + 1}`);
  if (stage > 1 && current === 0)
    return refuse(`stage ${stage} needs the new key, which stage 1 makes (${show(sites[0].newKey)} is not there): run stage 1 first`);

  const files = new Map<string, RotationFile>();
  const put = (f: RotationFile) => files.set(f.path, f);
  let nextPem: string | undefined;
  let nextPub: string | undefined;
  if (stage === 1) {
    const key = await generateKey(options.keyType ?? 'rsa-2048');
    nextPem = key.privateKeyPem;
    nextPub = key.publicKeyPem;
  } else if (current === 1) nextPem = readText(fs, sites[0].newKey);
  for (const s of sites) {
    if (stage === 1) {
      put({ path: s.newKey, contents: nextPem!, mode: 0o600, replace: false, summary: 'the new service-account signing key' });
      put({
        path: s.pubPath,
        contents: s.blocks.map((b) => b.pem).join('') + nextPub!,
        mode: 0o644,
        replace: true,
        summary: 'public keys: old + new (tokens signed by either verify)',
      });
    } else if (stage === 2) {
      put({
        path: s.keyPath,
        contents: nextPem!,
        mode: 0o600,
        replace: true,
        summary: 'the new key: the apiserver and the controller-manager sign tokens with it',
      });
      put({
        path: s.oldKey,
        contents: readText(fs, s.keyPath)!,
        mode: 0o600,
        replace: false,
        summary: 'the old key, kept until stage 3 archives it',
      });
      result.removals.push(s.newKey);
    } else {
      const keep = s.blocks.filter((b) => !sameKey(b.spki, s.oldSpki));
      put({
        path: s.pubPath,
        contents: keep.map((b) => b.pem).join(''),
        mode: 0o644,
        replace: true,
        summary: 'public keys: the new one only (tokens signed by the old key are refused from now on)',
      });
      if (current === 2)
        result.moves.push({
          from: s.oldKey,
          to: path.join(
            s.archiveDir,
            `${path.basename(s.oldKey, '.key')}-${new Date(options.now ?? Date.now()).toISOString().replace(/[-:]/g, '').slice(0, 15)}.key`,
          ),
        });
    }
  }
  result.files = [...files.values()];
  result.restart = [...new Set(result.files.flatMap((f) => readersOf(q, f.path, show)))].sort();

  // Every signer's key, before and after, among every verifier's public keys, before and after.
  const after = overlayFileSystem(fs, new Map(result.files.map((f) => [f.path, f.contents])));
  const trees: [string, FileSystem][] = [
    ['before', fs],
    ['after', after],
  ];
  for (const signer of signers) {
    for (const verifier of verifiers) {
      result.connectionsChecked++;
      for (const [sName, sFs] of trees) {
        const spki = spkiOf(readText(sFs, signer.path));
        if (!spki) continue;
        for (const [vName, vFs] of trees) {
          const pubs = verifier.paths.flatMap((p) => publicBlocks(readText(vFs, p) ?? ''));
          const was = verifier.paths.flatMap((p) => publicBlocks(readText(fs, p) ?? ''));
          const signedBefore = spkiOf(readText(fs, signer.path));
          if (!signedBefore || !was.some((b) => sameKey(b.spki, signedBefore))) continue; // broken already
          if (!pubs.some((b) => sameKey(b.spki, spki))) {
            result.broken.push({
              connection: `tokens of ${signer.who} -> ${verifier.who}`,
              check: `the signing key (${sName === 'before' ? 'as now' : 'after the stage'}) among the public keys (${vName === 'before' ? 'as now' : 'after the stage'})`,
              mix:
                sName === vName
                  ? sName === 'after'
                    ? 'both restarted'
                    : 'tokens already issued'
                  : sName === 'before'
                    ? 'tokens signed before the stage, verified after it'
                    : 'the signer restarted, the apiserver not yet',
              message: 'the apiserver refuses the token: "invalid bearer token" (square/go-jose: error in cryptographic primitive)',
            });
          }
        }
      }
    }
  }
  result.newErrors = newErrorsAfter(engine, options.engineOver(after), after, show);
  result.verifyNext =
    stage === 1
      ? [
          'every apiserver restarted with both public keys, on every node (copy the new key and the public file to each control-plane node)',
          'then stage 2: kube-pki rotate-ca --ca service-account --stage 2',
        ]
      : stage === 2
        ? [
            'every apiserver and controller-manager restarted (they sign with the new key)',
            'the kubelets refresh projected tokens (at 80% of their lifetime, an hour by default); Secrets of type service-account-token still hold tokens of the old key: delete them so they are made again',
            'then stage 3: kube-pki rotate-ca --ca service-account --stage 3',
          ]
        : [
            'every apiserver restarted with the new public key only',
            'the old key is archived (rotated/): delete it once no token it signed is in use',
          ];
  if (stage > current + 1 && !result.refusal) result.refusal = `the files are at stage ${current}: stage ${stage} skips stage ${current + 1}`;
  return result;
}
