// kubePki/example/create: the example cluster (the engine's generate.buildExampleCluster) written into a folder
// the user chose, for "Kube PKI: Open Example Cluster". Allowed in Restricted Mode: it reads nothing of the
// workspace and writes only a new (or empty) folder the user picked, through the engine's atomic writer, which
// never replaces a file.
import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { generate } from '../../engine';
import { EXAMPLE_REQUEST, type ExampleParams, type ExampleResult } from '../../../../shared/protocol';
import { errorName, handle, type Log } from '../guard';
import type { WorkspaceState } from '../state';

export function registerExample(connection: Connection, state: WorkspaceState, log: Log): void {
  const failed = (folder: string, error: string): ExampleResult => ({ ok: false, folder, written: [], expected: [], error });
  connection.onRequest(
    EXAMPLE_REQUEST,
    handle(
      log,
      'example/create',
      (err) => failed('', `kube-pki could not create the example: ${errorName(err)}`),
      async (params: ExampleParams): Promise<ExampleResult> => {
        const folder = typeof params?.folder === 'string' ? params.folder : '';
        if (!folder || !path.isAbsolute(folder)) return failed(folder, 'the example needs an absolute folder path');
        const tree = await generate.buildExampleCluster({ generatedBy: 'Kube PKI: Open Example Cluster' });
        const report = generate.writeExampleCluster(folder, tree, { fs: state.diskFs });
        const written = report.written.map((w) => w.path);
        if (!report.ok) return { ...failed(folder, report.error?.message ?? 'writing failed'), written };
        const expected = tree.expected.map((e) => ({ code: e.code, file: e.file, line: e.line, description: e.description }));
        return { ok: true, folder, written, expected };
      },
    ),
  );
}
