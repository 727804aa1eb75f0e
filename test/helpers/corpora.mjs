// The corpora the tests read: files from other projects kept in the repository under test/corpora (see its
// README), so the tests pass from a clone with nothing beside it. $KUBE_PKI_CORPORA points elsewhere (a
// larger copy) when set.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CORPORA = process.env.KUBE_PKI_CORPORA || path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'corpora');
