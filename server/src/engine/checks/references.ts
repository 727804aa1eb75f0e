// file-not-found, file-unreadable, pem-invalid: every reference must load and hold the kind of
// PEM its use expects. Other checks skip references that fail here, so each defect is said once. A path
// found nowhere whose place nothing tells (resolve/paths.ts: unplaced) is no finding at all.
//
// A systemd unit's EnvironmentFile= without the `-` prefix whose file is not there, where its place is known, is
// file-not-found too: systemd refuses to start the unit (src/core/execute.c exec_child: "Failed to load environment
// files: No such file or directory"; systemd.exec(5): "unless the file name is prefixed with "-", a missing file is
// an error"). With `-`, a missing file sets nothing.
import * as path from 'node:path';
import { unitReferences, type Reference } from '../parse';
import { materialProblem } from '../resolve/material';
import type { CheckContext } from './context';

/** " (read as /repo/node1/etc/kubernetes/pki/ca.crt)" when the path was found elsewhere. */
function readAs(ref: Reference, found: string | undefined): string {
  return found && ref.source.kind === 'path' && found !== ref.source.path ? ` (read as ${found})` : '';
}

function what(ref: Reference): string {
  return ref.source.kind === 'inline' ? ref.field : `${ref.field} ${ref.source.path}`;
}

function environmentFiles(ctx: CheckContext): void {
  for (const env of ctx.parsed.envFiles ?? []) {
    // systemd reads only absolute paths; a glob is no file name.
    if (env.optional || !env.path.startsWith('/') || /[*?[]/.test(env.path)) continue;
    const ref: Reference = {
      file: ctx.file,
      span: env.span,
      field: 'EnvironmentFile=',
      expect: 'kubelet-config',
      source: { kind: 'path', path: env.path, baseDir: path.dirname(ctx.file) },
    };
    const r = ctx.resolve(ref);
    if (!r || r.found) continue;
    const loaded = ctx.load(ref);
    if (loaded.ok || loaded.unplaced || loaded.code !== 'file-not-found') continue;
    ctx.report(
      'file-not-found',
      env.span,
      `EnvironmentFile=${env.path}: systemd refuses to start the unit ("Failed to load environment files: No such file or directory"): ${loaded.message} Create the file, or write EnvironmentFile=-${env.path} if it may be absent.`,
    );
  }
}

export function references(ctx: CheckContext): void {
  environmentFiles(ctx);
  for (const unit of ctx.parsed.units) {
    for (const ref of unitReferences(unit)) {
      if (ref.expect === 'kubeconfig' || ref.expect === 'kubelet-config') {
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
