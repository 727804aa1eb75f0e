// Where the shared corpora (zlint, x509-limbo, kubernetes testdata) are: `shared/` beside the clone
// (as CI lays it out), else the developers' /work/shared, else $KUBE_PKI_CORPORA. A missing corpus is a
// failure, never a skipped test.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const candidates = [process.env.KUBE_PKI_CORPORA, path.resolve(repo, '../shared/corpora'), '/work/shared/corpora'].filter(Boolean);

export const CORPORA = candidates.find((c) => existsSync(path.join(c, 'README.md'))) ?? candidates[0];
